//! Custom resources for Keelson: `#[derive(CustomResource)]` turns a spec
//! struct into a complete kind, and `#[derive(StructuralSchema)]` marks the
//! types it is built from as having a schema Kubernetes accepts.
//!
//! ```
//! use keelson_core_types::resource::{ResourceExt, StaticResource};
//! use keelson_derive::{CustomResource, StructuralSchema};
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//!
//! /// A set of identical widgets.
//! #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
//! #[resource(group = "example.com", version = "v1", kind = "Widget", namespaced)]
//! #[resource(status = "WidgetStatus", shortname = "wd")]
//! #[resource(
//!     printcolumn = r#"{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}"#,
//!     printcolumn = r#"{"name": "Ready", "type": "integer", "jsonPath": ".status.readyReplicas"}"#,
//! )]
//! #[serde(rename_all = "camelCase")]
//! pub struct WidgetSpec {
//!     /// How many widgets to run.
//!     pub replicas: i32,
//!     /// What they look like.
//!     pub color: Color,
//! }
//!
//! /// The colors widgets come in.
//! #[derive(StructuralSchema, Clone, Debug, Serialize, Deserialize, JsonSchema)]
//! pub enum Color {
//!     Red,
//!     Blue,
//! }
//!
//! /// What the controller saw.
//! #[derive(StructuralSchema, Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
//! #[serde(rename_all = "camelCase")]
//! pub struct WidgetStatus {
//!     /// How many widgets are running.
//!     pub ready_replicas: i32,
//! }
//!
//! // `Widget` is generated: metadata, spec and status.
//! let widget = Widget::new("blue-ones", WidgetSpec { replicas: 3, color: Color::Blue });
//! assert_eq!(widget.name_any(), "blue-ones");
//! assert_eq!(
//!     serde_json::to_string(&widget).unwrap(),
//!     r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"blue-ones"},"spec":{"replicas":3,"color":"Blue"}}"#
//! );
//! assert_eq!(Widget::API_RESOURCE.plural, "widgets");
//!
//! // Its CustomResourceDefinition, ready to send to an API server.
//! let crd = serde_json::to_value(Widget::crd()).unwrap();
//! assert_eq!(crd["metadata"]["name"], "widgets.example.com");
//! let schema = &crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
//! assert_eq!(schema["properties"]["spec"]["properties"]["color"]["enum"][1], "Blue");
//! assert_eq!(schema["description"], "A set of identical widgets.");
//! let columns = &crd["spec"]["versions"][0]["additionalPrinterColumns"];
//! assert_eq!(columns[1]["jsonPath"], ".status.readyReplicas");
//! ```
//!
//! # `#[derive(CustomResource)]`
//!
//! Goes on the spec, a struct with named fields that derives `Serialize`,
//! `Deserialize` and `JsonSchema` itself. It generates, next to the spec:
//!
//! - the kind's type, named after `kind`, with `metadata: ObjectMeta`,
//!   `spec` and, when a status type is given, `status: Option<Status>`; it
//!   derives `Clone`, `Debug` and the `derive`s asked for;
//! - its `Serialize` (writing `apiVersion` and `kind` first, and leaving out
//!   a `None` status) and `Deserialize` (ignoring unknown fields), built on
//!   the serde that core-types re-exports;
//! - `Resource`, `StaticResource` (`API_RESOURCE`) and `JsonSchema` for it;
//! - `new(name, spec)`, and `crd()`, the kind's `CustomResourceDefinition`;
//! - `StructuralSchema` for the spec (so do not also derive it there).
//!
//! The `#[resource(...)]` attribute, which may be split over several lines:
//!
//! | key | meaning |
//! |---|---|
//! | `group = "example.com"` | the API group (required) |
//! | `version = "v1"` | the API version (required) |
//! | `kind = "Widget"` | the kind and the generated type's name (required) |
//! | `plural = "widgets"` | the resource name; default: the lower-case kind in the plural |
//! | `singular = "widget"` | default: the lower-case kind |
//! | `namespaced` | objects live in namespaces (cluster-scoped without it) |
//! | `status = "WidgetStatus"` | the status type; adds the `status` subresource |
//! | `shortname = "wd"` | a short name for kubectl (repeatable) |
//! | `category = "all"` | a category for kubectl (repeatable) |
//! | `printcolumn = r#"{"name": "..", "type": "integer", "jsonPath": ".spec.x"}"#` | a column of `kubectl get`, as a JSON object (repeatable; see below) |
//! | `scale(spec_replicas_path = ".spec.replicas", status_replicas_path = ".status.replicas", label_selector_path = ".status.selector")` | the `scale` subresource (the selector path is optional) |
//! | `derive = "PartialEq"` | one more derive for the generated type (repeatable) |
//! | `crate = "::keelson::types"` | where keelson-core-types is; default `::keelson_core_types` |
//!
//! Users of the `keelson` facade crate write `crate = "::keelson::types"`
//! (and `#[structural(crate = "::keelson::types")]` on their own types).
//!
//! ## Printer columns
//!
//! Each `printcolumn` is one string holding a JSON object, an entry of the
//! CustomResourceDefinition's `additionalPrinterColumns` as it will appear
//! there; a raw string (`r#"..."#`) saves escaping the quotes, and may span
//! several lines. Its keys:
//!
//! | key | meaning |
//! |---|---|
//! | `"name"` | the column's header (required) |
//! | `"type"` | `"integer"`, `"number"`, `"string"`, `"boolean"` or `"date"` (required) |
//! | `"jsonPath"` | where the value is, a path starting with a dot, such as `".spec.replicas"` (required) |
//! | `"description"` | what the column shows |
//! | `"priority"` | `0` (the default) for columns `kubectl get` always shows, more for those it only shows with `-o wide` |
//! | `"format"` | the value's OpenAPI format: `"int32"`, `"int64"`, `"float"`, `"double"`, `"byte"`, `"date"`, `"date-time"` or `"password"` |
//!
//! The JSON is read when the macro expands: invalid JSON, an unknown or
//! repeated key, a value of the wrong type, a missing required key and a
//! value the API server would refuse are compile errors at the string; the
//! errors in the JSON itself also give their line and column in it.
//!
//! A column is a single string so that several columns never look alike to
//! clippy's `duplicated_attributes` lint, which compares the nested
//! `key = value` pairs of an item's attributes: distinct columns are
//! distinct strings, whatever values they share.
//!
//! # Structural schemas
//!
//! Kubernetes only accepts a custom resource whose schema gives every field
//! exactly one type. Every field type of the spec and the status type must
//! therefore implement `keelson_core_types::schema::StructuralSchema`;
//! the check happens at compile time and the error points at the field.
//! The primitive types, `String`, `Option`, `Vec`, `Box`, string-keyed maps
//! and core-types' value types (`Quantity`, `IntOrString`, `Time`,
//! `LabelSelector`, `Condition`, ...) implement it; derive it on your own
//! types. Fields with `#[serde(skip)]` or a hand-written schema
//! (`#[schemars(schema_with = "...")]`) are not checked, and for
//! `#[schemars(with = "Type")]` the given type is checked. Free-form JSON is
//! a `serde_json::Value` field with
//! `#[schemars(schema_with = "keelson_core_types::schema::preserve_unknown_fields")]`.

mod attrs;
mod crd;
mod printer_column;
mod resource;
mod shape;

use darling::FromDeriveInput;
use proc_macro::TokenStream;
use quote::quote;
use syn::{DeriveInput, parse_macro_input};

/// Generates a custom resource type, named after its kind, from a spec
/// struct; see the [crate documentation](crate) for the `#[resource(...)]`
/// attribute and what is generated.
#[proc_macro_derive(CustomResource, attributes(resource))]
pub fn derive_custom_resource(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    resource::expand(&input).unwrap_or_else(darling::Error::write_errors).into()
}

/// Implements `StructuralSchema` for a type that also derives `JsonSchema`,
/// after checking that its serde shape has a structural schema.
///
/// Accepted: structs with named fields, newtype structs, enums of unit
/// variants only (a string enum), and enums whose variants all carry data,
/// either externally tagged (the default) or with `#[serde(tag = "...")]`
/// and struct or unit variants. Every field type must implement
/// `StructuralSchema` in turn; type parameters get a `StructuralSchema`
/// bound.
///
/// Rejected, each with what to write instead: untagged or adjacently tagged
/// enums, enums mixing unit and data variants, tuple structs and tuple
/// variants with several fields, unit structs and `#[serde(flatten)]`
/// fields.
///
/// `#[structural(crate = "::keelson::types")]` names keelson-core-types'
/// path when it is not `::keelson_core_types`.
#[proc_macro_derive(StructuralSchema, attributes(structural))]
pub fn derive_structural_schema(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand_structural(&input).unwrap_or_else(darling::Error::write_errors).into()
}

fn expand_structural(input: &DeriveInput) -> darling::Result<proc_macro2::TokenStream> {
    let mut errors = darling::Error::accumulator();
    let args = errors.handle(attrs::StructuralArgs::from_derive_input(input));
    let types = errors.handle(shape::check(input));
    let (Some(args), Some(types)) = (args, types) else {
        return Err(errors.finish().expect_err("a step failed"));
    };
    errors.finish()?;
    let krate = &args.krate;
    let assertions = shape::assertions(krate, &input.generics, &types);
    let generics = shape::with_structural_bounds(krate, &input.generics);
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    let ident = &input.ident;
    Ok(quote! {
        #assertions
        impl #impl_generics #krate::schema::StructuralSchema for #ident #type_generics #where_clause {}
    })
}
