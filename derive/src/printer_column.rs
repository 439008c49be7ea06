//! `printcolumn = "{...}"`: one column of `kubectl get`, written as the JSON
//! object that a CustomResourceDefinition keeps in
//! `additionalPrinterColumns`, and read and checked when the macro expands.
//!
//! A column is a single string, not nested `key = value` pairs, because
//! clippy's `duplicated_attributes` lint compares every nested `key = value`
//! of an item's attributes: two columns sharing a `type` (or any `priority`
//! at all) would be reported in the user's code as duplicated attributes.
//! Distinct columns are distinct strings, which the lint leaves alone.

use std::fmt;

use darling::FromMeta;
use proc_macro2::Span;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, Unexpected, Visitor};
use serde_json::error::Category;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Lit, LitStr, Meta};

/// The keys of a column, as in `additionalPrinterColumns`.
const KEYS: [&str; 6] = ["name", "type", "jsonPath", "description", "priority", "format"];
/// The types a column may have.
const TYPES: [&str; 5] = ["integer", "number", "string", "boolean", "date"];
/// The formats a column may have.
const FORMATS: [&str; 8] =
    ["int32", "int64", "float", "double", "byte", "date", "date-time", "password"];
/// How a column is written, for error messages.
const EXAMPLE: &str = r##"`printcolumn = r#"{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}"#`"##;

/// `printcolumn = ...` as written in `#[resource(...)]`: taken as it is, so
/// that [`PrinterColumnAttr::parse`] can report a problem at the right place
/// with the whole story.
#[derive(Debug)]
pub(crate) enum PrinterColumnAttr {
    /// `printcolumn = "..."`: the column's JSON.
    Json(LitStr),
    /// Any other form, such as the `printcolumn(name = "...", ...)` list,
    /// by where it is: rejected with a pointer to the JSON form.
    Other(Span),
}

impl FromMeta for PrinterColumnAttr {
    fn from_meta(meta: &Meta) -> darling::Result<Self> {
        if let Meta::NameValue(name_value) = meta {
            let mut value = &name_value.value;
            // A literal passed through a `macro_rules!` fragment comes in an
            // invisible group.
            while let Expr::Group(group) = value {
                value = &group.expr;
            }
            if let Expr::Lit(ExprLit { lit: Lit::Str(json), .. }) = value {
                return Ok(Self::Json(json.clone()));
            }
        }
        Ok(Self::Other(meta.span()))
    }
}

impl PrinterColumnAttr {
    /// Reads and checks the column, reporting every problem at the string
    /// literal (at `printcolumn` itself for another form).
    pub(crate) fn parse(&self) -> darling::Result<PrinterColumn> {
        match self {
            Self::Json(lit) => parse(&lit.value()).map_err(|messages| {
                darling::Error::multiple(
                    messages
                        .into_iter()
                        .map(|message| darling::Error::custom(message).with_span(lit))
                        .collect(),
                )
            }),
            Self::Other(span) => Err(darling::Error::custom(format!(
                "a printer column is one string holding a JSON object with the keys of a \
                 CustomResourceDefinition's `additionalPrinterColumns` ({}), such as {EXAMPLE}",
                quoted_keys()
            ))
            .with_span(span)),
        }
    }
}

/// One checked printer column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrinterColumn {
    /// The column header.
    pub(crate) name: String,
    /// The OpenAPI type of the value: one of [`TYPES`].
    pub(crate) type_: String,
    /// Where the value is found, as a simple JSON path (`.spec.replicas`).
    pub(crate) json_path: String,
    /// What the column shows.
    pub(crate) description: Option<String>,
    /// 0 for the default view, higher for `-o wide`.
    pub(crate) priority: Option<i32>,
    /// The OpenAPI format of the value: one of [`FORMATS`].
    pub(crate) format: Option<String>,
}

/// Reads a column from its JSON and checks it as the API server would;
/// every problem found is one message.
fn parse(json: &str) -> Result<PrinterColumn, Vec<String>> {
    let raw: RawColumn = serde_json::from_str(json).map_err(|e| vec![json_error(&e)])?;
    let mut problems = Vec::new();
    let missing: Vec<String> = [
        ("name", raw.name.is_none()),
        ("type", raw.type_.is_none()),
        ("jsonPath", raw.json_path.is_none()),
    ]
    .into_iter()
    .filter(|(_, missing)| *missing)
    .map(|(key, _)| format!("`{key}`"))
    .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "this printer column has no {}: every column has a `name`, a `type` and a \
             `jsonPath`, such as {EXAMPLE}",
            missing.join(" and no ")
        ));
    }
    if raw.name.as_deref() == Some("") {
        problems.push("a printer column's `name` cannot be empty".to_owned());
    }
    if let Some(type_) = &raw.type_
        && !TYPES.contains(&type_.as_str())
    {
        problems.push(format!(
            "`{type_}` is not a printer column type: use one of {}",
            TYPES.join(", ")
        ));
    }
    if let Some(path) = &raw.json_path
        && !path.starts_with('.')
    {
        problems.push(format!(
            "`{path}` is not a simple JSON path: it starts with a dot, such as `.spec.replicas`"
        ));
    }
    if let Some(format) = &raw.format
        && !FORMATS.contains(&format.as_str())
    {
        problems.push(format!(
            "`{format}` is not a printer column format: use one of {}",
            FORMATS.join(", ")
        ));
    }
    if let Some(priority) = raw.priority
        && priority < 0
    {
        problems.push(format!(
            "a printer column's priority is 0 (always shown) or more (shown with `-o wide`), \
             not {priority}"
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(name), Some(type_), Some(json_path)) = (raw.name, raw.type_, raw.json_path) else {
        unreachable!("missing keys are reported above");
    };
    Ok(PrinterColumn {
        name,
        type_,
        json_path,
        description: raw.description,
        priority: raw.priority,
        format: raw.format,
    })
}

/// A JSON error as a message: what is wrong, and where in the JSON (the
/// position counts from the start of the string's value).
fn json_error(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let what = full.strip_suffix(&suffix).unwrap_or(&full);
    let place = format!("line {}, column {} of the JSON", e.line(), e.column());
    match e.classify() {
        Category::Syntax | Category::Eof => format!(
            "this printer column is not valid JSON ({place}): {what}; write the column as a JSON \
             object, such as {EXAMPLE}"
        ),
        Category::Data | Category::Io => format!("invalid printer column ({place}): {what}"),
    }
}

/// The column as read, before the checks of [`parse`].
#[derive(Default)]
struct RawColumn {
    name: Option<String>,
    type_: Option<String>,
    json_path: Option<String>,
    description: Option<String>,
    priority: Option<i32>,
    format: Option<String>,
}

impl<'de> Deserialize<'de> for RawColumn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(RawColumnVisitor)
    }
}

/// Reads the keys one by one, so that an unknown or repeated key is an
/// error at its place (`serde_json::Value` would keep the last of two).
struct RawColumnVisitor;

impl<'de> Visitor<'de> for RawColumnVisitor {
    type Value = RawColumn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with the column's `name`, `type` and `jsonPath`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawColumn, A::Error> {
        let mut column = RawColumn::default();
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if !KEYS.contains(&key.as_str()) {
                return Err(de::Error::custom(unknown_key(&key)));
            }
            if seen.contains(&key) {
                return Err(de::Error::custom(format!("`{key}` is given twice")));
            }
            match key.as_str() {
                "name" => column.name = Some(map.next_value_seed(StringValue("name"))?),
                "type" => column.type_ = Some(map.next_value_seed(StringValue("type"))?),
                "jsonPath" => {
                    column.json_path = Some(map.next_value_seed(StringValue("jsonPath"))?);
                }
                "description" => {
                    column.description = Some(map.next_value_seed(StringValue("description"))?);
                }
                "format" => column.format = Some(map.next_value_seed(StringValue("format"))?),
                "priority" => column.priority = Some(map.next_value_seed(Int32Value("priority"))?),
                _ => unreachable!("`{key}` is one of KEYS"),
            }
            seen.push(key);
        }
        Ok(column)
    }
}

/// The string value of the key it names. Read through its own visitor so
/// that a value of another type is an error at that value.
struct StringValue(&'static str);

impl<'de> DeserializeSeed<'de> for StringValue {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_string(self)
    }
}

impl Visitor<'_> for StringValue {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a string as `{}`", self.0)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<String, E> {
        Ok(value.to_owned())
    }
}

/// The 32-bit integer value of the key it names, read like
/// [`StringValue`].
struct Int32Value(&'static str);

impl<'de> DeserializeSeed<'de> for Int32Value {
    type Value = i32;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<i32, D::Error> {
        deserializer.deserialize_i32(self)
    }
}

impl Visitor<'_> for Int32Value {
    type Value = i32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a 32-bit integer as `{}`", self.0)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i32, E> {
        i32::try_from(value).map_err(|_| E::invalid_value(Unexpected::Signed(value), &self))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i32, E> {
        i32::try_from(value).map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }
}

/// The message for a key that is not one of [`KEYS`], guessing which was
/// meant when it differs only in case, `_` or `-` (`json_path`).
fn unknown_key(key: &str) -> String {
    let simplify = |k: &str| k.replace(['_', '-'], "").to_ascii_lowercase();
    match KEYS.iter().find(|known| simplify(known) == simplify(key)) {
        Some(known) => format!("unknown key `{key}`; did you mean `{known}`?"),
        None => format!("unknown key `{key}`; the keys are {}", quoted_keys()),
    }
}

/// [`KEYS`] as `` `name`, `type`, ... and `format` ``.
fn quoted_keys() -> String {
    let quoted: Vec<String> = KEYS.iter().map(|k| format!("`{k}`")).collect();
    format!("{} and {}", quoted[..quoted.len() - 1].join(", "), quoted[quoted.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages for `json`, or an empty list when it is a good column.
    fn problems(json: &str) -> Vec<String> {
        parse(json).err().unwrap_or_default()
    }

    #[test]
    fn reads_every_key() {
        let column = parse(
            r#"{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas",
                "description": "Desired replicas", "priority": 1, "format": "int32"}"#,
        )
        .unwrap();
        assert_eq!(
            column,
            PrinterColumn {
                name: "Replicas".into(),
                type_: "integer".into(),
                json_path: ".spec.replicas".into(),
                description: Some("Desired replicas".into()),
                priority: Some(1),
                format: Some("int32".into()),
            }
        );
        let column = parse(r#"{"jsonPath": ".a", "type": "date", "name": "A"}"#).unwrap();
        assert_eq!((column.description, column.priority, column.format), (None, None, None));
        for type_ in TYPES {
            let json = format!(r#"{{"name": "A", "type": "{type_}", "jsonPath": ".a"}}"#);
            assert_eq!(problems(&json), Vec::<String>::new(), "{type_}");
        }
        for format in FORMATS {
            let json = format!(
                r#"{{"name": "A", "type": "string", "jsonPath": ".a", "format": "{format}"}}"#
            );
            assert_eq!(problems(&json), Vec::<String>::new(), "{format}");
        }
    }

    #[test]
    fn reports_json_errors_with_their_place() {
        let cases = [
            (
                r#"{"name": "A" "type": "integer"}"#,
                "this printer column is not valid JSON (line 1, column 14 of the JSON): expected \
                 `,` or `}`; write the column as a JSON object, such as `printcolumn = \
                 r#\"{\"name\": \"Replicas\", \"type\": \"integer\", \"jsonPath\": \
                 \".spec.replicas\"}\"#`",
            ),
            (
                "{\n  \"name\": \"A\",\n",
                "this printer column is not valid JSON (line 3, column 0 of the JSON): EOF while \
                 parsing a value; write the column as a JSON object, such as `printcolumn = \
                 r#\"{\"name\": \"Replicas\", \"type\": \"integer\", \"jsonPath\": \
                 \".spec.replicas\"}\"#`",
            ),
            (
                r#"{"name": "A", "type": "integer", "json_path": ".a"}"#,
                "invalid printer column (line 1, column 44 of the JSON): unknown key \
                 `json_path`; did you mean `jsonPath`?",
            ),
            (
                r#"{"name": "A", "width": 3}"#,
                "invalid printer column (line 1, column 21 of the JSON): unknown key `width`; \
                 the keys are `name`, `type`, `jsonPath`, `description`, `priority` and `format`",
            ),
            (
                r#"{"name": "A", "name": "B"}"#,
                "invalid printer column (line 1, column 20 of the JSON): `name` is given twice",
            ),
            (
                r#"{"name": 3}"#,
                "invalid printer column (line 1, column 10 of the JSON): invalid type: integer \
                 `3`, expected a string as `name`",
            ),
            (
                r#"{"priority": "1"}"#,
                "invalid printer column (line 1, column 16 of the JSON): invalid type: string \
                 \"1\", expected a 32-bit integer as `priority`",
            ),
            (
                r#"{"priority": 1.5}"#,
                "invalid printer column (line 1, column 16 of the JSON): invalid type: floating \
                 point `1.5`, expected a 32-bit integer as `priority`",
            ),
            (
                r#"{"priority": 3000000000}"#,
                "invalid printer column (line 1, column 23 of the JSON): invalid value: integer \
                 `3000000000`, expected a 32-bit integer as `priority`",
            ),
            (
                r#"{"description": null}"#,
                "invalid printer column (line 1, column 20 of the JSON): invalid type: null, \
                 expected a string as `description`",
            ),
            (
                r#"["A", "integer", ".a"]"#,
                "invalid printer column (line 1, column 0 of the JSON): invalid type: sequence, \
                 expected a JSON object with the column's `name`, `type` and `jsonPath`",
            ),
            (
                r#"{"name": "A", "type": "integer", "jsonPath": ".a"} {}"#,
                "this printer column is not valid JSON (line 1, column 52 of the JSON): trailing \
                 characters; write the column as a JSON object, such as `printcolumn = \
                 r#\"{\"name\": \"Replicas\", \"type\": \"integer\", \"jsonPath\": \
                 \".spec.replicas\"}\"#`",
            ),
        ];
        let (inputs, expected): (Vec<&str>, Vec<&str>) = cases.into_iter().unzip();
        let messages: Vec<Vec<String>> = inputs.into_iter().map(problems).collect();
        let expected: Vec<Vec<&str>> = expected.into_iter().map(|m| vec![m]).collect();
        assert_eq!(messages, expected);
    }

    #[test]
    fn reports_every_bad_value() {
        let messages = problems(
            r#"{"name": "", "type": "int", "jsonPath": "spec.a", "format": "uint8",
                "priority": -1}"#,
        );
        assert_eq!(
            messages,
            [
                "a printer column's `name` cannot be empty",
                "`int` is not a printer column type: use one of integer, number, string, \
                 boolean, date",
                "`spec.a` is not a simple JSON path: it starts with a dot, such as \
                 `.spec.replicas`",
                "`uint8` is not a printer column format: use one of int32, int64, float, double, \
                 byte, date, date-time, password",
                "a printer column's priority is 0 (always shown) or more (shown with `-o wide`), \
                 not -1",
            ]
        );
    }

    #[test]
    fn reports_missing_keys() {
        assert_eq!(
            problems(r#"{"name": "A"}"#),
            [format!(
                "this printer column has no `type` and no `jsonPath`: every column has a `name`, \
                 a `type` and a `jsonPath`, such as {EXAMPLE}"
            )]
        );
        assert_eq!(
            problems(r#"{"type": "string", "jsonPath": ".a"}"#),
            [format!(
                "this printer column has no `name`: every column has a `name`, a `type` and a \
                 `jsonPath`, such as {EXAMPLE}"
            )]
        );
    }

    #[test]
    fn other_forms_point_to_the_json_one() {
        let meta: Meta = syn::parse_quote!(printcolumn(name = "A", type = "integer"));
        let attr = PrinterColumnAttr::from_meta(&meta).unwrap();
        assert!(matches!(attr, PrinterColumnAttr::Other(_)));
        let message = attr.parse().unwrap_err().to_string();
        assert!(message.starts_with("a printer column is one string holding a JSON object"));
        assert!(message.contains("(`name`, `type`, `jsonPath`, `description`, `priority` and"));

        let meta: Meta = syn::parse_quote!(
            printcolumn = r#"{"name": "A", "type": "integer", "jsonPath": ".a"}"#
        );
        let column = PrinterColumnAttr::from_meta(&meta).unwrap().parse().unwrap();
        assert_eq!((column.name.as_str(), column.type_.as_str()), ("A", "integer"));

        let meta: Meta = syn::parse_quote!(printcolumn = r#"{"name": 1}"#);
        let err = PrinterColumnAttr::from_meta(&meta).unwrap().parse().unwrap_err();
        assert_eq!(err.len(), 1);
    }

    #[test]
    fn unknown_keys_get_a_guess() {
        assert_eq!(unknown_key("JSONPath"), "unknown key `JSONPath`; did you mean `jsonPath`?");
        assert_eq!(unknown_key("Type"), "unknown key `Type`; did you mean `type`?");
        let expected = "the keys are `name`, `type`, `jsonPath`, `description`, `priority` and \
                        `format`";
        assert!(unknown_key("kind").ends_with(expected));
    }
}
