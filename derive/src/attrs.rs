//! Reading and validating the `#[resource(...)]` attribute of
//! `#[derive(CustomResource)]`, and the `#[structural(...)]` attribute of
//! `#[derive(StructuralSchema)]`.
//!
//! darling reports unknown keys, missing keys and values of the wrong type;
//! [`ResourceArgs::validate`] adds the rules the API server would apply to
//! the names and reads the printer columns, so that a bad name or column
//! fails at compile time at its literal.

use darling::util::{Flag, SpannedValue};
use darling::{FromDeriveInput, FromMeta};
use proc_macro2::Span;
use syn::{Attribute, DeriveInput, Expr, Ident, Lit, Path};

use crate::printer_column::{PrinterColumn, PrinterColumnAttr};

/// `#[resource(...)]` as written.
#[derive(Debug, FromDeriveInput)]
#[darling(attributes(resource))]
pub(crate) struct ResourceArgs {
    /// The API group, a DNS subdomain with at least one dot. Required, but
    /// optional here so that [`ResourceArgs::validate`] can say what is
    /// missing and where.
    pub(crate) group: Option<SpannedValue<String>>,
    /// The API version within the group. Required.
    pub(crate) version: Option<SpannedValue<String>>,
    /// The kind, which is also the name of the generated type. Required.
    pub(crate) kind: Option<SpannedValue<String>>,
    /// The plural resource name; derived from the kind when absent.
    pub(crate) plural: Option<SpannedValue<String>>,
    /// The singular resource name; the lower-case kind when absent.
    pub(crate) singular: Option<SpannedValue<String>>,
    /// Objects live in namespaces; cluster-scoped otherwise.
    pub(crate) namespaced: Flag,
    /// The type of the `status` field, if the kind has one.
    pub(crate) status: Option<Path>,
    /// Short names for kubectl.
    #[darling(multiple, rename = "shortname")]
    pub(crate) short_names: Vec<SpannedValue<String>>,
    /// Categories for kubectl (`all`).
    #[darling(multiple, rename = "category")]
    pub(crate) categories: Vec<SpannedValue<String>>,
    /// Extra columns for `kubectl get`, each a JSON object in a string
    /// (see [`crate::printer_column`]).
    #[darling(multiple, rename = "printcolumn")]
    pub(crate) printer_columns: Vec<PrinterColumnAttr>,
    /// The scale subresource.
    pub(crate) scale: Option<Scale>,
    /// Extra derives for the generated type.
    #[darling(multiple, rename = "derive")]
    pub(crate) derives: Vec<Path>,
    /// The path of `keelson-core-types`.
    #[darling(rename = "crate", default = default_crate)]
    pub(crate) krate: Path,
}

/// `scale(...)`: the paths the scale subresource reads and writes.
#[derive(Debug, FromMeta)]
pub(crate) struct Scale {
    /// Where the desired replica count lives, under `.spec`.
    pub(crate) spec_replicas_path: SpannedValue<String>,
    /// Where the observed replica count lives, under `.status`.
    pub(crate) status_replicas_path: SpannedValue<String>,
    /// Where the label selector string lives, under `.spec` or `.status`.
    pub(crate) label_selector_path: Option<SpannedValue<String>>,
}

/// `#[structural(...)]` as written on a `#[derive(StructuralSchema)]` type.
#[derive(Debug, FromDeriveInput)]
#[darling(attributes(structural))]
pub(crate) struct StructuralArgs {
    /// The path of `keelson-core-types`.
    #[darling(rename = "crate", default = default_crate)]
    pub(crate) krate: Path,
}

fn default_crate() -> Path {
    syn::parse_quote!(::keelson_core_types)
}

/// The names of a custom resource, validated, with defaults filled in.
#[derive(Debug)]
pub(crate) struct Names {
    /// The API group.
    pub(crate) group: String,
    /// The API version.
    pub(crate) version: String,
    /// The kind, as the generated type's name (spanned at the `kind` value).
    pub(crate) kind: Ident,
    /// The plural resource name.
    pub(crate) plural: String,
    /// The singular resource name.
    pub(crate) singular: String,
}

/// What [`ResourceArgs::validate`] returns: the names and the printer
/// columns, checked.
#[derive(Debug)]
pub(crate) struct Validated {
    /// The names, with their defaults.
    pub(crate) names: Names,
    /// The printer columns, read from their JSON.
    pub(crate) printer_columns: Vec<PrinterColumn>,
}

/// The three required keys: name, what it is, an example.
const REQUIRED: [(&str, &str, &str); 3] = [
    ("group", "the API group, a DNS name", "example.com"),
    ("version", "the API version", "v1"),
    ("kind", "the kind, which names the generated type", "Widget"),
];

impl ResourceArgs {
    /// Checks the names, paths and printer columns as the API server would,
    /// reporting every problem at its literal (a missing key at the
    /// `#[resource]` attribute), and returns the names with their defaults
    /// and the columns.
    pub(crate) fn validate(&self, input: &DeriveInput) -> darling::Result<Validated> {
        let mut errors = darling::Error::accumulator();
        let values = [&self.group, &self.version, &self.kind];
        for ((key, what, example), value) in REQUIRED.iter().zip(values) {
            if value.is_none() {
                let msg = format!(
                    "missing `{key}` in `#[resource(...)]`: {what}, such as `{key} = \"{example}\"`"
                );
                let error = match input.attrs.iter().find(|a| a.path().is_ident("resource")) {
                    Some(attr) => {
                        darling::Error::custom(msg).with_span(&attr.bracket_token.span.join())
                    }
                    None => darling::Error::custom(msg).with_span(&input.ident),
                };
                errors.push(error);
            }
        }
        let mut check = |ok: bool, span: Span, msg: String| {
            if !ok {
                errors.push(darling::Error::custom(msg).with_span(&span));
            }
        };
        if let Some(group) = &self.group {
            check(
                is_dns_subdomain(group) && group.contains('.'),
                group.span(),
                format!(
                    "`{}` is not a valid API group: a custom resource's group is a lower-case \
                     DNS name with at least one dot, such as `example.com`",
                    **group
                ),
            );
        }
        if let Some(version) = &self.version {
            check(
                is_dns_label(version),
                version.span(),
                format!(
                    "`{}` is not a valid API version: use a lower-case name starting with a \
                     letter, such as `v1` or `v1beta1`",
                    **version
                ),
            );
        }
        let mut kind_ident = None;
        if let Some(kind) = &self.kind {
            let camel_case = kind.starts_with(|c: char| c.is_ascii_uppercase())
                && kind.chars().all(|c| c.is_ascii_alphanumeric());
            check(
                camel_case,
                kind.span(),
                format!(
                    "`{}` is not a valid kind: a kind is an identifier in CamelCase, such as \
                     `Widget`",
                    **kind
                ),
            );
            let is_ident = syn::parse_str::<Ident>(kind).is_ok();
            check(
                is_ident || !camel_case,
                kind.span(),
                format!(
                    "`{}` cannot be a kind: the kind names the generated type, and this is a \
                     Rust keyword",
                    **kind
                ),
            );
            check(
                input.ident != kind.as_str(),
                input.ident.span(),
                format!(
                    "the spec struct cannot be named like the kind, which is the name of the \
                     generated type; call it `{}Spec`",
                    input.ident
                ),
            );
            if is_ident {
                kind_ident = Some(Ident::new(kind, kind.span()));
            }
        }
        let names = [("plural", &self.plural), ("singular", &self.singular)];
        for (what, name) in names {
            if let Some(name) = name {
                check(
                    is_dns_label(name),
                    name.span(),
                    format!(
                        "`{}` is not a valid {what} name: use lower-case letters, digits and \
                         dashes, starting with a letter",
                        **name
                    ),
                );
            }
        }
        let lists = [("short name", &self.short_names), ("category", &self.categories)];
        for (what, list) in lists {
            for name in list {
                check(
                    is_dns_label(name),
                    name.span(),
                    format!(
                        "`{}` is not a valid {what}: use lower-case letters, digits and dashes, \
                         starting with a letter",
                        **name
                    ),
                );
            }
        }
        if let Some(scale) = &self.scale {
            let paths = [
                (Some(&scale.spec_replicas_path), &[".spec."][..]),
                (Some(&scale.status_replicas_path), &[".status."][..]),
                (scale.label_selector_path.as_ref(), &[".spec.", ".status."][..]),
            ];
            for (path, under) in paths {
                let Some(path) = path else { continue };
                check(
                    under.iter().any(|prefix| path.starts_with(prefix)),
                    path.span(),
                    format!(
                        "`{}` must be a JSON path under {}",
                        **path,
                        under
                            .iter()
                            .map(|p| format!("`{}`", &p[..p.len() - 1]))
                            .collect::<Vec<_>>()
                            .join(" or ")
                    ),
                );
            }
        }
        let printer_columns: Vec<PrinterColumn> =
            self.printer_columns.iter().filter_map(|col| errors.handle(col.parse())).collect();
        errors.finish()?;
        let (Some(group), Some(version), Some(kind)) = (&self.group, &self.version, kind_ident)
        else {
            unreachable!("missing and invalid names are reported above");
        };
        let singular = match &self.singular {
            Some(s) => s.to_string(),
            None => kind.to_string().to_ascii_lowercase(),
        };
        let plural = match &self.plural {
            Some(p) => p.to_string(),
            None => pluralize(&kind.to_string().to_ascii_lowercase()),
        };
        let names = Names {
            group: group.to_string(),
            version: version.to_string(),
            kind,
            plural,
            singular,
        };
        Ok(Validated { names, printer_columns })
    }
}

/// English plural of a lower-case kind: `policy` → `policies`,
/// `box` → `boxes`, `match` → `matches`, `gateway` → `gateways`.
pub(crate) fn pluralize(singular: &str) -> String {
    if let Some(stem) = singular.strip_suffix('y')
        && stem.ends_with(|c: char| c.is_ascii_alphabetic() && !"aeiou".contains(c))
    {
        return format!("{stem}ies");
    }
    if ["s", "x", "z", "ch", "sh"].iter().any(|end| singular.ends_with(end)) {
        return format!("{singular}es");
    }
    format!("{singular}s")
}

/// A lower-case RFC 1035 label: letters, digits and dashes, starting with a
/// letter and not ending with a dash.
fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A lower-case DNS subdomain: dot-separated labels of letters, digits and
/// dashes.
fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

/// The doc comment in `attrs` as schemars renders it: lines without their
/// first space, joined by newlines, trimmed.
pub(crate) fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta.require_name_value().ok()?.value {
            Expr::Lit(lit) => match &lit.lit {
                Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        .collect();
    let doc = lines.join("\n");
    let doc = doc.trim();
    (!doc.is_empty()).then(|| doc.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        let cases = [
            ("widget", "widgets"),
            ("policy", "policies"),
            ("gateway", "gateways"),
            ("key", "keys"),
            ("box", "boxes"),
            ("bus", "buses"),
            ("quiz", "quizes"),
            ("match", "matches"),
            ("mesh", "meshes"),
            ("y", "ys"),
            ("ingress", "ingresses"),
        ];
        for (singular, plural) in cases {
            assert_eq!(pluralize(singular), plural, "{singular}");
        }
    }

    #[test]
    fn names() {
        assert!(is_dns_label("v1beta1"));
        assert!(!is_dns_label("V1"));
        assert!(!is_dns_label("1v"));
        assert!(!is_dns_label("a-"));
        assert!(is_dns_subdomain("example.com"));
        assert!(!is_dns_subdomain("example..com"));
        assert!(!is_dns_subdomain("Example.com"));
    }

    #[test]
    fn doc_comments_are_joined_like_schemars_does() {
        let attrs: Vec<Attribute> = vec![
            syn::parse_quote!(#[doc = " A widget."]),
            syn::parse_quote!(#[doc = "  Indented."]),
            syn::parse_quote!(#[doc = ""]),
            syn::parse_quote!(#[serde(default)]),
        ];
        assert_eq!(doc_comment(&attrs).as_deref(), Some("A widget.\n Indented."));
        assert_eq!(doc_comment(&[]), None);
    }

    #[test]
    fn validation_reports_each_bad_value() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[resource(group = "example", version = "V1", kind = "widget", shortname = "W",
                printcolumn = r#"{"name": "A", "type": "int", "jsonPath": "spec.a", "priority": -1}"#,
                printcolumn = r#"{"name": "B", "type": "string", "jsonPath": ".spec.b", "size": 1}"#,
                printcolumn(name = "C", type = "string", json_path = ".spec.c"),
                scale(spec_replicas_path = ".status.r", status_replicas_path = ".status.r"))]
            struct WidgetSpec {}
        };
        let args = ResourceArgs::from_derive_input(&input).unwrap();
        let err = args.validate(&input).unwrap_err();
        let messages: Vec<String> = err.flatten().into_iter().map(|e| e.to_string()).collect();
        let starts = [
            "`example` is not a valid API group",
            "`V1` is not a valid API version",
            "`widget` is not a valid kind",
            "`W` is not a valid short name",
            "`.status.r` must be a JSON path under `.spec`",
            "`int` is not a printer column type",
            "`spec.a` is not a simple JSON path",
            "a printer column's priority is 0",
            "invalid printer column (line 1, column 61 of the JSON): unknown key `size`",
            "a printer column is one string holding a JSON object",
        ];
        assert_eq!(messages.len(), starts.len(), "{messages:#?}");
        for (message, start) in messages.iter().zip(starts) {
            assert!(message.starts_with(start), "{message}");
        }
    }

    #[test]
    fn defaults_and_missing_keys() {
        let input: syn::DeriveInput = syn::parse_quote! {
            #[resource(group = "example.com", version = "v1", kind = "NetworkPolicy")]
            struct NetworkPolicySpec {}
        };
        let validated = ResourceArgs::from_derive_input(&input).unwrap().validate(&input).unwrap();
        let names = validated.names;
        assert_eq!(names.kind, "NetworkPolicy");
        assert_eq!(names.plural, "networkpolicies");
        assert_eq!(names.singular, "networkpolicy");
        assert_eq!(validated.printer_columns, []);

        let input: syn::DeriveInput = syn::parse_quote! {
            #[resource(group = "example.com", version = "v1", kind = "Widget")]
            #[resource(printcolumn = r#"{"name": "A", "type": "integer", "jsonPath": ".spec.a"}"#)]
            #[resource(printcolumn = r#"{"name": "B", "type": "integer", "jsonPath": ".spec.b"}"#)]
            struct WidgetSpec {}
        };
        let validated = ResourceArgs::from_derive_input(&input).unwrap().validate(&input).unwrap();
        let columns: Vec<&str> =
            validated.printer_columns.iter().map(|col| col.json_path.as_str()).collect();
        assert_eq!(columns, [".spec.a", ".spec.b"]);

        let input: syn::DeriveInput = syn::parse_quote! {
            #[resource(version = "v1", kind = "Self")]
            struct Spec {}
        };
        let err = ResourceArgs::from_derive_input(&input).unwrap().validate(&input).unwrap_err();
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            [
                "missing `group` in `#[resource(...)]`: the API group, a DNS name, such as \
                 `group = \"example.com\"`",
                "`Self` cannot be a kind: the kind names the generated type, and this is a Rust \
                 keyword",
            ]
        );
    }
}
