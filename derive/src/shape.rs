//! Shape checks: which Rust types serialize to something a structural schema
//! can describe, and which field types must be checked for a structural
//! schema of their own.
//!
//! Kubernetes requires every field of a custom resource to have exactly one
//! type (string, object, array, ...). Some serde shapes break that rule:
//! untagged enums, enums mixing unit and data variants, tuples of mixed
//! types, flattened fields. They are rejected here, at their span, with a
//! suggestion of what to write instead. Everything else is accepted, and the
//! field types are collected so that the caller can assert that each one
//! implements `StructuralSchema`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{
    Attribute, Data, DataEnum, DeriveInput, Expr, Field, Fields, FieldsUnnamed, Generics, Lit,
    Meta, Path, Token, Type,
};

/// The `key`, `key = value` and `key(...)` items of every `#[serde(...)]` and
/// `#[schemars(...)]` attribute, schemars' last (they override serde's, and
/// schemars reads both). An attribute that does not parse is skipped: its
/// own derive reports it.
fn serde_items(attrs: &[Attribute]) -> Vec<Meta> {
    let mut items = Vec::new();
    for name in ["serde", "schemars"] {
        for attr in attrs.iter().filter(|a| a.path().is_ident(name)) {
            if let Ok(list) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            {
                items.extend(list);
            }
        }
    }
    items
}

/// The last item named `key` (schemars' wins over serde's).
fn item<'a>(items: &'a [Meta], key: &str) -> Option<&'a Meta> {
    items.iter().rev().find(|m| m.path().is_ident(key))
}

fn error(span: Span, msg: impl std::fmt::Display) -> darling::Error {
    darling::Error::custom(msg).with_span(&span)
}

/// An error at `fields`, whose parentheses span the whole list.
fn error_at_fields(fields: &FieldsUnnamed, msg: impl std::fmt::Display) -> darling::Error {
    error(fields.paren_token.span.join(), msg)
}

/// The type whose schema stands for `field` in its container's schema:
/// `None` when the field is skipped or has a hand-written schema
/// (`schema_with`), the `with` type when one is given, else the field's type.
fn field_schema_type(field: &Field) -> darling::Result<Option<Type>> {
    let items = serde_items(&field.attrs);
    if let Some(flatten) = item(&items, "flatten") {
        return Err(error(
            flatten.path().span(),
            "`#[serde(flatten)]` has no structural schema: the flattened type's properties \
             would be mixed into this object's, and a flattened map or enum makes `properties` \
             and `additionalProperties` collide; use a named field holding the type instead",
        ));
    }
    if item(&items, "skip").is_some() || item(&items, "schema_with").is_some() {
        return Ok(None);
    }
    if let Some(with) = item(&items, "with") {
        let Meta::NameValue(nv) = with else { return Ok(Some(field.ty.clone())) };
        let Expr::Lit(lit) = &nv.value else { return Ok(Some(field.ty.clone())) };
        let Lit::Str(s) = &lit.lit else { return Ok(Some(field.ty.clone())) };
        // schemars reads `with` as the type whose schema to use; if it is not
        // a type, schemars reports it.
        return Ok(s.parse::<Type>().ok());
    }
    Ok(Some(field.ty.clone()))
}

/// Checks the fields of a struct or struct variant, collecting the types to
/// assert.
fn check_fields<'a>(
    fields: impl IntoIterator<Item = &'a Field>,
    errors: &mut darling::error::Accumulator,
    types: &mut Vec<Type>,
) {
    for field in fields {
        if let Some(ty) = errors.handle(field_schema_type(field)).flatten() {
            types.push(ty);
        }
    }
}

/// Checks that a struct has named fields, for `#[derive(CustomResource)]`'s
/// spec, and returns the field types to assert.
pub(crate) fn check_spec(input: &DeriveInput) -> darling::Result<Vec<Type>> {
    let shape = match &input.data {
        Data::Struct(s) if matches!(s.fields, Fields::Named(_)) => None,
        Data::Struct(s) if matches!(s.fields, Fields::Unnamed(_)) => Some("a tuple struct"),
        Data::Struct(_) => Some("a unit struct"),
        Data::Enum(_) => Some("an enum"),
        Data::Union(_) => Some("a union"),
    };
    if let Some(shape) = shape {
        return Err(error(
            input.ident.span(),
            format!(
                "`#[derive(CustomResource)]` goes on the spec of a custom resource, a struct \
                 with named fields (`struct {}Spec {{ ... }}`), not on {shape}",
                input.ident.to_string().trim_end_matches("Spec")
            ),
        ));
    }
    if !input.generics.params.is_empty() {
        return Err(error(
            input.generics.params[0].span(),
            "a custom resource's spec cannot be generic: the kind needs one concrete schema",
        ));
    }
    check(input)
}

/// Checks that `input` serializes to something with a structural schema,
/// and returns the types (of fields, newtype contents, variant fields) that
/// must have one too.
pub(crate) fn check(input: &DeriveInput) -> darling::Result<Vec<Type>> {
    let mut errors = darling::Error::accumulator();
    let mut types = Vec::new();
    match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => check_fields(&named.named, &mut errors, &mut types),
            Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => {
                check_fields(&unnamed.unnamed, &mut errors, &mut types);
            }
            Fields::Unnamed(unnamed) => errors.push(error_at_fields(
                unnamed,
                "a tuple struct with other than one field serializes as a JSON array whose \
                 items have different types, which a structural schema cannot describe; use a \
                 struct with named fields",
            )),
            Fields::Unit => errors.push(error(
                input.ident.span(),
                "a unit struct serializes as `null`, which has no structural schema; use a \
                 struct with named fields (an empty one is `struct Name {}`)",
            )),
        },
        Data::Enum(data) => check_enum(input, data, &mut errors, &mut types),
        Data::Union(u) => errors.push(error(
            u.union_token.span,
            "a union has no serde representation and so no structural schema; use a struct \
             or an enum",
        )),
    }
    errors.finish_with(types)
}

/// Enums: unit-only (a string enum), or all data variants (externally or
/// internally tagged), merged into one object schema by core-types'
/// `make_structural`.
fn check_enum(
    input: &DeriveInput,
    data: &DataEnum,
    errors: &mut darling::error::Accumulator,
    types: &mut Vec<Type>,
) {
    const UNTAGGED: &str = "untagged enum variants have different shapes, and Kubernetes \
        requires one type per field: use a struct with one optional field per variant, or a \
        tagged enum";
    let container = serde_items(&input.attrs);
    if let Some(untagged) = item(&container, "untagged") {
        errors.push(error(untagged.path().span(), UNTAGGED));
        return;
    }
    let tag = item(&container, "tag");
    if let Some(content) = item(&container, "content") {
        errors.push(error(
            content.path().span(),
            "an adjacently tagged enum puts every variant's data under the same property, \
             with a different type for each variant, which a structural schema cannot \
             describe; use `#[serde(tag = \"...\")]` alone with struct variants, or an \
             externally tagged enum",
        ));
        return;
    }

    let mut first_unit = None;
    let mut first_data = None;
    for variant in &data.variants {
        let items = serde_items(&variant.attrs);
        if item(&items, "skip").is_some() {
            continue;
        }
        if let Some(untagged) = item(&items, "untagged") {
            errors.push(error(untagged.path().span(), UNTAGGED));
            continue;
        }
        match &variant.fields {
            Fields::Unit => {
                first_unit.get_or_insert(&variant.ident);
            }
            Fields::Named(named) => {
                first_data.get_or_insert(&variant.ident);
                check_fields(&named.named, errors, types);
            }
            Fields::Unnamed(unnamed) if unnamed.unnamed.len() != 1 => {
                errors.push(error_at_fields(
                    unnamed,
                    "a tuple variant with other than one field serializes as a JSON array whose \
                     items have different types, which a structural schema cannot describe; use \
                     a struct variant with named fields",
                ));
            }
            Fields::Unnamed(unnamed) if tag.is_some() => {
                errors.push(error_at_fields(
                    unnamed,
                    "in an internally tagged enum, a newtype variant's content is merged with \
                     the tag into one object, which cannot be checked here; use a struct \
                     variant with named fields",
                ));
            }
            Fields::Unnamed(unnamed) => {
                first_data.get_or_insert(&variant.ident);
                check_fields(&unnamed.unnamed, errors, types);
            }
        }
    }
    match (first_unit, first_data) {
        (None, None) if data.variants.is_empty() => errors.push(error(
            input.ident.span(),
            "an enum without variants has no values and no structural schema",
        )),
        (Some(unit), Some(data)) if tag.is_none() => errors.push(error(
            unit.span(),
            format!(
                "`{unit}` is a unit variant, serialized as a string, but `{data}` carries data, \
                 serialized as an object, and a structural schema gives a field one type; give \
                 every variant data (`{unit} {{}}` serializes as `{{\"{unit}\": {{}}}}`), or tag \
                 the enum with `#[serde(tag = \"type\")]` and use struct variants"
            ),
        )),
        _ => {}
    }
}

/// Assertions that every type in `types` implements `StructuralSchema`,
/// each spanned at the type so that the error points at the field.
///
/// Non-generic containers get one `const` item per type; generic ones get
/// a function that is only type-checked, with the same generics and
/// `StructuralSchema` bounds on the type parameters.
pub(crate) fn assertions(krate: &Path, generics: &Generics, types: &[Type]) -> TokenStream {
    let asserts = types.iter().map(|ty| {
        quote_spanned! {ty.span()=>
            #krate::schema::__private::assert_structural::<#ty>()
        }
    });
    if generics.params.is_empty() {
        return quote! { #(const _: () = #asserts;)* };
    }
    let generics = with_structural_bounds(krate, generics);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    quote! {
        const _: () = {
            // Never called: the compiler checks the bounds when it checks
            // the body.
            #[allow(dead_code)]
            fn assert_fields #impl_generics () #where_clause {
                #(#asserts;)*
            }
        };
    }
}

/// `generics` with a `StructuralSchema` bound on every type parameter.
pub(crate) fn with_structural_bounds(krate: &Path, generics: &Generics) -> Generics {
    let mut generics = generics.clone();
    for param in generics.type_params_mut() {
        param.bounds.push(syn::parse_quote!(#krate::schema::StructuralSchema));
    }
    generics
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(input: DeriveInput) -> Vec<String> {
        match check(&input) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn accepted_shapes_collect_their_field_types() {
        let input: DeriveInput = syn::parse_quote! {
            struct S {
                a: u32,
                #[serde(skip)]
                b: Skipped,
                #[schemars(schema_with = "f")]
                c: serde_json::Value,
                #[schemars(with = "String")]
                d: Custom,
            }
        };
        let types = check(&input).unwrap();
        let types: Vec<String> = types.iter().map(|t| quote!(#t).to_string()).collect();
        assert_eq!(types, ["u32", "String"]);

        let tagged: DeriveInput = syn::parse_quote! {
            #[serde(tag = "kind")]
            enum E { A { x: u8 }, B }
        };
        assert_eq!(check(&tagged).unwrap().len(), 1);
        let external: DeriveInput = syn::parse_quote! { enum E { A(String), B { y: Vec<u8> } } };
        assert_eq!(check(&external).unwrap().len(), 2);
        let strings: DeriveInput = syn::parse_quote! { enum E { A, B } };
        assert_eq!(check(&strings).unwrap().len(), 0);
    }

    #[test]
    fn rejected_shapes_say_why() {
        let cases: Vec<(DeriveInput, &str)> = vec![
            (
                syn::parse_quote!(
                    #[serde(untagged)]
                    enum E {
                        A(u8),
                        B(String),
                    }
                ),
                "untagged",
            ),
            (
                syn::parse_quote!(
                    enum E {
                        A,
                        B(u8),
                    }
                ),
                "`A` is a unit variant",
            ),
            (
                syn::parse_quote!(
                    enum E {
                        A(u8, u8),
                    }
                ),
                "tuple variant",
            ),
            (
                syn::parse_quote!(
                    #[serde(tag = "t", content = "c")]
                    enum E {
                        A(u8),
                    }
                ),
                "adjacently",
            ),
            (
                syn::parse_quote!(
                    #[serde(tag = "t")]
                    enum E {
                        A(u8),
                    }
                ),
                "internally tagged",
            ),
            (
                syn::parse_quote!(
                    enum E {}
                ),
                "without variants",
            ),
            (
                syn::parse_quote!(
                    struct T(u8, String);
                ),
                "tuple struct",
            ),
            (
                syn::parse_quote!(
                    struct U;
                ),
                "unit struct",
            ),
            (
                syn::parse_quote!(
                    struct F {
                        #[serde(flatten)]
                        f: M,
                    }
                ),
                "flatten",
            ),
        ];
        for (input, expected) in cases {
            let errors = errors(input);
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].contains(expected), "{expected}: {}", errors[0]);
        }
    }

    #[test]
    fn generic_assertions_live_in_a_bounded_function() {
        let krate: Path = syn::parse_quote!(::k);
        let generics: Generics = syn::parse_quote!(<T>);
        let ty: Type = syn::parse_quote!(Vec<T>);
        let out = assertions(&krate, &generics, &[ty]).to_string();
        assert!(
            out.contains("fn assert_fields < T : :: k :: schema :: StructuralSchema >"),
            "{out}"
        );
        let plain = assertions(&krate, &Generics::default(), &[syn::parse_quote!(u8)]).to_string();
        assert!(plain.starts_with("const _ : () = :: k :: schema"), "{plain}");
    }
}
