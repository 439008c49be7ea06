//! JSON schemas of the kinds, in the structural form Kubernetes requires for
//! OpenAPI v3 and CustomResourceDefinition validation.
//!
//! [`structural_schema_for`] generates a type's schema with `schemars` and
//! rewrites it into a *structural* schema: every node states its `type`
//! (or is `x-kubernetes-int-or-string` / `x-kubernetes-preserve-unknown-fields`),
//! there are no `$ref`s, optional fields are `nullable` rather than
//! `type: [T, "null"]`, and value constraints only use what OpenAPI v3.0
//! knows. [`check_structural`] verifies those rules and says where one is
//! broken.
//!
//! ```
//! use keelson_core_types::api::core::v1::ConfigMap;
//! use keelson_core_types::schema;
//!
//! let s = schema::structural_schema_for::<ConfigMap>();
//! assert_eq!(s["type"], "object");
//! assert_eq!(s["properties"]["data"]["additionalProperties"]["type"], "string");
//! schema::check_structural(&s).unwrap();
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

/// Adds the `apiVersion` and `kind` properties that every kind's schema has.
pub fn add_type_meta(schema: &mut Schema) {
    let Some(obj) = schema.as_object_mut() else { return };
    let props = obj.entry("properties").or_insert_with(|| json!({}));
    if let Some(props) = props.as_object_mut() {
        props.insert(
            "apiVersion".into(),
            json!({ "type": "string", "description": "The versioned schema of this object." }),
        );
        props.insert(
            "kind".into(),
            json!({ "type": "string", "description": "The kind of this object in CamelCase." }),
        );
    }
}

/// A schema that accepts any JSON object and keeps its fields, for use with
/// `#[schemars(schema_with = "keelson_core_types::schema::preserve_unknown_fields")]`
/// on a `serde_json::Value` field.
pub fn preserve_unknown_fields(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}

/// The generator settings used for every schema: OpenAPI 3.0 flavour with
/// every subschema inlined.
pub fn generator() -> SchemaGenerator {
    SchemaSettings::openapi3()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
}

/// The structural schema of `T`, as a JSON value ready to be an
/// `openAPIV3Schema` or an OpenAPI v3 component.
pub fn structural_schema_for<T: JsonSchema>() -> Value {
    let schema = generator().into_root_schema_for::<T>();
    let mut value = schema.to_value();
    make_structural(&mut value);
    value
}

/// Rewrites a schemars schema in place into Kubernetes' structural form.
pub fn make_structural(value: &mut Value) {
    if let Some(obj) = value.as_object_mut() {
        for key in ["$schema", "$defs", "definitions", "components"] {
            obj.remove(key);
        }
    }
    rewrite(value, false);
}

/// Rewrites one node; `in_logic` is true inside allOf/anyOf/oneOf/not,
/// whose branches only constrain values.
fn rewrite(value: &mut Value, in_logic: bool) {
    let Some(obj) = value.as_object_mut() else { return };
    fold_null_branches(obj);
    fold_string_branches(obj);

    // `type: [T, "null"]` → `type: T, nullable: true`.
    if let Some(Value::Array(types)) = obj.get("type").cloned() {
        let non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if non_null.len() < types.len() {
            obj.insert("nullable".into(), Value::Bool(true));
        }
        match non_null.as_slice() {
            [one] => {
                obj.insert("type".into(), one.clone());
            }
            _ => {
                obj.remove("type");
            }
        }
    }
    // OpenAPI 3.0 has no `const`.
    if let Some(c) = obj.remove("const") {
        obj.insert("enum".into(), Value::Array(vec![c]));
    }
    // Unsigned integer formats are not Kubernetes formats.
    if let Some(Value::String(f)) = obj.get("format") {
        let mapped = match f.as_str() {
            "uint8" | "uint16" | "int8" | "int16" => Some("int32"),
            "uint32" | "uint64" | "uint" => Some("int64"),
            _ => None,
        };
        if let Some(m) = mapped {
            obj.insert("format".into(), Value::String(m.into()));
        }
    }
    // Structural schemas may not forbid additional properties, and `null`
    // defaults mean nothing.
    if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
        obj.remove("additionalProperties");
    }
    if obj.get("default") == Some(&Value::Null) {
        obj.remove("default");
    }
    obj.remove("examples");
    obj.remove("$id");

    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(props)) = obj.get_mut(key) {
            props.values_mut().for_each(|p| rewrite(p, in_logic));
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v @ Value::Object(_)) = obj.get_mut(key) {
            rewrite(v, in_logic);
        }
    }
    if let Some(v @ Value::Object(_)) = obj.get_mut("not") {
        rewrite(v, true);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get_mut(key) {
            list.iter_mut().for_each(|b| rewrite(b, true));
        }
    }
    hoist_object_variants(obj);
    if obj.contains_key("properties") && !obj.contains_key("type") {
        obj.insert("type".into(), Value::String("object".into()));
    }
    // A schema that constrains nothing (free-form JSON) keeps whatever it
    // is given, which Kubernetes spells x-kubernetes-preserve-unknown-fields.
    const SHAPING: [&str; 9] = [
        "type",
        "properties",
        "items",
        "additionalProperties",
        "enum",
        "allOf",
        "anyOf",
        "oneOf",
        "x-kubernetes-int-or-string",
    ];
    if !in_logic && !SHAPING.iter().any(|k| obj.contains_key(*k)) {
        obj.insert("x-kubernetes-preserve-unknown-fields".into(), Value::Bool(true));
    }
}

/// The single value a branch allows, if it allows exactly one (`const: x` or
/// `enum: [x]`).
fn single_value(branch: &Value) -> Option<&Value> {
    match (branch.get("const"), branch.get("enum")) {
        (Some(v), None) => Some(v),
        (None, Some(Value::Array(values))) if values.len() == 1 => Some(&values[0]),
        _ => None,
    }
}

/// `anyOf: [<schema>, <null>]` (an `Option` of a non-struct type) becomes
/// `<schema>` with `nullable: true`.
fn fold_null_branches(obj: &mut serde_json::Map<String, Value>) {
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(branches)) = obj.get(key) else { continue };
        let is_null = |b: &Value| {
            b.get("type") == Some(&Value::String("null".into()))
                || single_value(b).is_some_and(Value::is_null)
        };
        if !branches.iter().any(is_null) {
            continue;
        }
        let rest: Vec<Value> = branches.iter().filter(|b| !is_null(b)).cloned().collect();
        obj.insert("nullable".into(), Value::Bool(true));
        match <[Value; 1]>::try_from(rest) {
            Ok([Value::Object(only)]) => {
                obj.remove(key);
                for (k, v) in only {
                    obj.entry(k).or_insert(v);
                }
            }
            Ok([other]) => {
                obj.insert(key.into(), Value::Array(vec![other]));
            }
            Err(rest) => {
                obj.insert(key.into(), Value::Array(rest));
            }
        }
    }
}

/// `oneOf` of one-value string schemas (a unit enum whose variants have doc
/// comments) becomes one string enum.
fn fold_string_branches(obj: &mut serde_json::Map<String, Value>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = obj.get(key) else { continue };
        let values: Option<Vec<Value>> =
            branches.iter().map(|b| single_value(b).filter(|v| v.is_string()).cloned()).collect();
        if let Some(values) = values.filter(|v| !v.is_empty()) {
            obj.remove(key);
            obj.insert("type".into(), Value::String("string".into()));
            obj.insert("enum".into(), Value::Array(values));
        }
    }
}

/// Makes data-carrying enums structural: when every branch of a `oneOf` or
/// `anyOf` is an object schema (tagged enum variants), their properties are
/// merged into the parent, string enums of the same property are joined, and
/// the branches keep only their `required` lists, so the one-of rule still
/// holds.
fn hoist_object_variants(obj: &mut serde_json::Map<String, Value>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(branches)) = obj.get(key) else { continue };
        let all_objects = !branches.is_empty()
            && branches.iter().all(|b| {
                b.get("type") == Some(&Value::String("object".into()))
                    && b.get("properties").is_some_and(Value::is_object)
            });
        if !all_objects || obj.contains_key("properties") {
            continue;
        }
        let mut merged = serde_json::Map::new();
        let mut remaining = Vec::new();
        for branch in branches {
            for (name, prop) in branch["properties"].as_object().into_iter().flatten() {
                match (merged.get_mut(name), prop.get("enum")) {
                    (Some(Value::Object(existing)), Some(Value::Array(values))) => {
                        if let Some(Value::Array(known)) = existing.get_mut("enum") {
                            known.extend(values.iter().cloned());
                        }
                    }
                    (Some(_), _) => {}
                    (None, _) => {
                        merged.insert(name.clone(), prop.clone());
                    }
                }
            }
            let required = branch.get("required").cloned().unwrap_or(Value::Array(vec![]));
            remaining.push(json!({ "required": required }));
        }
        obj.insert("type".into(), Value::String("object".into()));
        obj.insert("properties".into(), Value::Object(merged));
        // The branches tell variants apart only if no branch's required set
        // contains another's; otherwise an object of the larger variant would
        // match both and fail `oneOf` (internally tagged enums, whose tag is
        // required in every branch). Then the merged properties alone remain.
        let sets: Vec<BTreeSet<String>> = remaining
            .iter()
            .map(|b| {
                b["required"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        let distinct = sets
            .iter()
            .enumerate()
            .all(|(i, a)| sets.iter().enumerate().all(|(j, b)| i == j || !a.is_subset(b)));
        if distinct {
            obj.insert(key.into(), Value::Array(remaining));
        } else {
            obj.remove(key);
        }
    }
}

/// Checks Kubernetes' rules for structural schemas and returns every place
/// one is broken, each as `<path>: <problem>`.
pub fn check_structural(schema: &Value) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    check_node(schema, "", false, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

const VALUE_ONLY_FORBIDDEN: [&str; 6] =
    ["type", "additionalProperties", "properties", "items", "nullable", "default"];

fn check_node(node: &Value, path: &str, in_logic: bool, problems: &mut Vec<String>) {
    let at = if path.is_empty() { "<root>" } else { path };
    let Some(obj) = node.as_object() else {
        problems.push(format!("{at}: a schema must be an object"));
        return;
    };
    if obj.contains_key("$ref") {
        problems.push(format!("{at}: $ref is not allowed in a structural schema"));
    }
    if in_logic {
        for key in VALUE_ONLY_FORBIDDEN {
            if obj.contains_key(key) {
                problems.push(format!(
                    "{at}: `{key}` must not appear inside allOf, anyOf, oneOf or not"
                ));
            }
        }
    } else {
        let int_or_string = obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
        let preserve = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        match obj.get("type") {
            Some(Value::String(t)) if !t.is_empty() => {
                if int_or_string {
                    problems.push(format!(
                        "{at}: x-kubernetes-int-or-string must not be combined with `type`"
                    ));
                }
            }
            Some(_) => problems.push(format!("{at}: `type` must be a single non-empty string")),
            None if int_or_string || preserve => {}
            None => problems.push(format!("{at}: `type` is required")),
        }
        if obj.contains_key("properties") && obj.contains_key("additionalProperties") {
            problems.push(format!(
                "{at}: `properties` and `additionalProperties` are mutually exclusive"
            ));
        }
    }
    if let Some(Value::Object(props)) = obj.get("properties") {
        for (name, p) in props {
            check_node(p, &format!("{path}.properties[{name}]"), in_logic, problems);
        }
    }
    match obj.get("items") {
        Some(items @ Value::Object(_)) => {
            check_node(items, &format!("{path}.items"), in_logic, problems)
        }
        Some(_) => problems.push(format!("{at}: `items` must be a single schema")),
        None => {}
    }
    if let Some(ap @ Value::Object(_)) = obj.get("additionalProperties") {
        check_node(ap, &format!("{path}.additionalProperties"), in_logic, problems);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = obj.get(key) {
            for (i, s) in list.iter().enumerate() {
                check_node(s, &format!("{path}.{key}[{i}]"), true, problems);
            }
        }
    }
    if let Some(not) = obj.get("not") {
        check_node(not, &format!("{path}.not"), true, problems);
    }
}

/// Marks types whose JSON schema is structural, so they may appear in a
/// custom resource.
///
/// `#[derive(CustomResource)]` requires it of every field type of the spec
/// and status, so a type that cannot have a structural schema is rejected at
/// compile time rather than by the API server. Derive it with
/// `#[derive(StructuralSchema)]` (which checks the type's shape), or
/// implement it by hand when a hand-written `JsonSchema` is structural.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no structural schema, so it cannot be part of a custom resource",
    label = "this type is not marked `StructuralSchema`",
    note = "derive `StructuralSchema` (with `JsonSchema`) on your own types; for free-form JSON use \
            `#[schemars(schema_with = \"keelson_core_types::schema::preserve_unknown_fields\")]` on the field"
)]
pub trait StructuralSchema: JsonSchema {}

macro_rules! structural {
    ($($ty:ty),* $(,)?) => { $(impl StructuralSchema for $ty {})* };
}

structural!(
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    String,
    crate::quantity::Quantity,
    crate::intstr::IntOrString,
    crate::time::Time,
    crate::time::MicroTime,
    crate::bytes::ByteString,
    crate::meta::ObjectMeta,
    crate::meta::OwnerReference,
    crate::meta::ManagedFieldsEntry,
    crate::meta::Condition,
    crate::labels::LabelSelector,
    crate::labels::LabelSelectorRequirement,
);

impl<T: StructuralSchema> StructuralSchema for Option<T> {}
impl<T: StructuralSchema> StructuralSchema for Vec<T> {}
impl<T: StructuralSchema> StructuralSchema for Box<T> {}
impl<T: StructuralSchema> StructuralSchema for BTreeMap<String, T> {}
impl<T: StructuralSchema, S: std::hash::BuildHasher> StructuralSchema for HashMap<String, T, S> {}

/// Helpers for the derive macro's generated code. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
    pub use serde_json;

    /// Fails to compile unless `T` has a structural schema.
    pub const fn assert_structural<T: super::StructuralSchema + ?Sized>() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_and_refs_are_rewritten() {
        #[derive(JsonSchema)]
        #[allow(dead_code)] // Only the schema is inspected.
        struct Inner {
            n: Option<u32>,
        }
        #[derive(JsonSchema)]
        #[allow(dead_code)] // Only the schema is inspected.
        struct Outer {
            inner: Option<Inner>,
            list: Vec<Inner>,
            map: BTreeMap<String, String>,
            tag: crate::intstr::IntOrString,
            free: serde_json::Value,
        }
        let s = structural_schema_for::<Outer>();
        assert_eq!(s["properties"]["inner"]["type"], "object");
        assert_eq!(s["properties"]["inner"]["nullable"], true);
        assert_eq!(s["properties"]["inner"]["properties"]["n"]["type"], "integer");
        assert_eq!(s["properties"]["inner"]["properties"]["n"]["format"], "int64");
        assert_eq!(s["properties"]["list"]["items"]["type"], "object");
        assert!(!s.to_string().contains("$ref"), "{s}");
        assert_eq!(s["properties"]["free"]["x-kubernetes-preserve-unknown-fields"], true);
        assert_eq!(s["properties"]["tag"].get("x-kubernetes-preserve-unknown-fields"), None);
        assert_eq!(check_structural(&s), Ok(()));
    }

    #[test]
    fn tagged_enums_become_structural() {
        #[derive(JsonSchema)]
        #[allow(dead_code)] // Only the schema is inspected.
        enum Source {
            Git { url: String },
            Image { reference: String, pull: Option<bool> },
        }
        #[derive(JsonSchema)]
        #[serde(tag = "kind")]
        #[allow(dead_code)] // Only the schema is inspected.
        enum Shape {
            Circle { radius: u32 },
            Square { side: u32 },
        }
        #[derive(JsonSchema)]
        #[allow(dead_code)] // Only the schema is inspected.
        struct Spec {
            source: Source,
            shape: Shape,
        }
        let s = structural_schema_for::<Spec>();
        assert_eq!(check_structural(&s), Ok(()), "{s:#}");
        let source = &s["properties"]["source"];
        assert_eq!(source["type"], "object");
        assert_eq!(source["properties"]["git"], serde_json::Value::Null);
        assert_eq!(source["properties"]["Git"]["properties"]["url"]["type"], "string");
        assert_eq!(source["oneOf"], json!([{"required": ["Git"]}, {"required": ["Image"]}]));
        let shape = &s["properties"]["shape"];
        assert_eq!(shape["properties"]["kind"]["enum"], json!(["Circle", "Square"]));
        assert_eq!(shape["properties"]["radius"]["type"], "integer");
    }

    #[test]
    fn violations_are_named_by_path() {
        let bad = json!({
            "type": "object",
            "properties": {
                "a": {},
                "b": {"$ref": "#/x", "type": "string"},
                "c": {"type": ["string", "integer"]},
                "d": {"type": "object", "properties": {}, "additionalProperties": {"type": "string"}},
                "e": {"anyOf": [{"type": "string"}]},
                "f": {"type": "array", "items": [{"type": "string"}]},
                "g": {"x-kubernetes-int-or-string": true},
                "h": {"x-kubernetes-preserve-unknown-fields": true}
            }
        });
        let problems = check_structural(&bad).unwrap_err();
        assert_eq!(
            problems,
            vec![
                ".properties[a]: `type` is required",
                ".properties[b]: $ref is not allowed in a structural schema",
                ".properties[c]: `type` must be a single non-empty string",
                ".properties[d]: `properties` and `additionalProperties` are mutually exclusive",
                ".properties[e]: `type` is required",
                ".properties[e].anyOf[0]: `type` must not appear inside allOf, anyOf, oneOf or not",
                ".properties[f]: `items` must be a single schema",
            ]
        );
    }
}
