//! The body of the generated `crd()`: the kind's
//! `apiextensions.k8s.io/v1` `CustomResourceDefinition`.
//!
//! The definition is written as JSON with `serde_json::json!` and decoded
//! into core-types' `CustomResourceDefinition`, so the generated code does
//! not depend on that type's Rust field names. Everything but the schema is
//! known at compile time; the schema is the kind's `JsonSchema` made
//! structural by `schema::structural_schema_for`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::attrs::Scale;
use crate::printer_column::PrinterColumn;
use crate::resource::Resource;

/// The statements of `crd()`.
pub(crate) fn crd_body(r: &Resource<'_>) -> TokenStream {
    let Resource { args, names, .. } = r;
    let krate = &args.krate;
    let kind = &names.kind;
    let json = quote!(#krate::schema::__private::serde_json);
    let plural = &names.plural;
    let name = format!("{plural}.{}", names.group);
    let group = &names.group;
    let version = &names.version;
    let scope = r.scope();

    let kind_str = kind.to_string();
    let list_kind = format!("{kind}List");
    let singular = &names.singular;
    let mut names = vec![
        quote!("kind": #kind_str),
        quote!("listKind": #list_kind),
        quote!("plural": #plural),
        quote!("singular": #singular),
    ];
    if !args.short_names.is_empty() {
        let short_names = args.short_names.iter().map(|s| s.as_str());
        names.push(quote!("shortNames": [#(#short_names),*]));
    }
    if !args.categories.is_empty() {
        let categories = args.categories.iter().map(|s| s.as_str());
        names.push(quote!("categories": [#(#categories),*]));
    }

    let mut version_entries = vec![
        quote!("name": #version),
        quote!("served": true),
        quote!("storage": true),
        quote!("schema": { "openAPIV3Schema": schema }),
    ];
    let mut subresources = Vec::new();
    if args.status.is_some() {
        subresources.push(quote!("status": {}));
    }
    if let Some(scale) = &args.scale {
        subresources.push(scale_json(scale));
    }
    if !subresources.is_empty() {
        version_entries.push(quote!("subresources": { #(#subresources),* }));
    }
    if !r.printer_columns.is_empty() {
        let columns = r.printer_columns.iter().map(column_json);
        version_entries.push(quote!("additionalPrinterColumns": [#(#columns),*]));
    }

    let expect = format!(
        "keelson-derive wrote a CustomResourceDefinition for `{kind_str}` that core-types \
         cannot decode; this is a bug in keelson-derive"
    );
    quote! {
        let mut schema = #krate::schema::structural_schema_for::<Self>();
        if let ::core::option::Option::Some(root) = schema.as_object_mut() {
            // The Rust type's name means nothing to the API server.
            root.remove("title");
        }
        let crd = #json::json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": { "name": #name },
            "spec": {
                "group": #group,
                "names": { #(#names),* },
                "scope": #scope,
                "versions": [{ #(#version_entries),* }]
            }
        });
        #json::from_value(crd).expect(#expect)
    }
}

/// One entry of `additionalPrinterColumns`.
fn column_json(col: &PrinterColumn) -> TokenStream {
    let PrinterColumn { name, type_, json_path, .. } = col;
    let mut entries =
        vec![quote!("name": #name), quote!("type": #type_), quote!("jsonPath": #json_path)];
    if let Some(description) = &col.description {
        entries.push(quote!("description": #description));
    }
    if let Some(format) = &col.format {
        entries.push(quote!("format": #format));
    }
    if let Some(priority) = col.priority {
        entries.push(quote!("priority": #priority));
    }
    quote!({ #(#entries),* })
}

/// The `scale` subresource.
fn scale_json(scale: &Scale) -> TokenStream {
    let spec = scale.spec_replicas_path.as_str();
    let status = scale.status_replicas_path.as_str();
    let selector = scale.label_selector_path.as_ref().map(|path| {
        let path = path.as_str();
        quote!(, "labelSelectorPath": #path)
    });
    quote! {
        "scale": {
            "specReplicasPath": #spec,
            "statusReplicasPath": #status
            #selector
        }
    }
}
