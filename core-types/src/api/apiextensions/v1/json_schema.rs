//! [`JSONSchemaProps`]: the OpenAPI v3 schema dialect of custom resource
//! validation, and the value-or-schema unions it uses.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A JSON schema in Kubernetes' OpenAPI v3 dialect, as found in a
/// [`CustomResourceDefinition`](super::CustomResourceDefinition)'s
/// `openAPIV3Schema`. Schemas nest: objects have `properties`, arrays have
/// `items`.
///
/// Build one by hand with the constructors ([`JSONSchemaProps::object`],
/// [`JSONSchemaProps::string`], ...) and the `with_*` methods.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JSONSchemaProps {
    /// An identifier for the schema; not used by Kubernetes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The JSON Schema meta-schema this schema follows (`$schema`).
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// A reference to another schema (`$ref`); refused in structural schemas.
    #[serde(rename = "$ref", default, skip_serializing_if = "Option::is_none")]
    pub ref_path: Option<String>,
    /// What the value means, as shown by `kubectl explain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON type: `object`, `array`, `string`, `integer`, `number` or
    /// `boolean`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// A refinement of the type (`int32`, `int64`, `date-time`, `byte`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// A short title for the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The value filled in when the field is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// The largest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "json_number")]
    pub maximum: Option<f64>,
    /// Whether `maximum` itself is excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_maximum: Option<bool>,
    /// The smallest number allowed.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "json_number")]
    pub minimum: Option<f64>,
    /// Whether `minimum` itself is excluded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_minimum: Option<bool>,
    /// The most characters a string may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<i64>,
    /// The fewest characters a string may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<i64>,
    /// A regular expression strings must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The most items an array may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<i64>,
    /// The fewest items an array may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_items: Option<i64>,
    /// Whether an array's items must all differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_items: Option<bool>,
    /// Numbers must be a multiple of this.
    #[serde(default, skip_serializing_if = "Option::is_none", serialize_with = "json_number")]
    pub multiple_of: Option<f64>,
    /// The only values allowed.
    #[serde(rename = "enum", default, skip_serializing_if = "Vec::is_empty")]
    pub enum_: Vec<Value>,
    /// The most properties an object may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_properties: Option<i64>,
    /// The fewest properties an object may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_properties: Option<i64>,
    /// The properties an object must have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// The schema of an array's items (or, in tuple form, of each item in
    /// turn; refused in structural schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<JSONSchemaPropsOrArray>,
    /// Schemas the value must all match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_of: Vec<JSONSchemaProps>,
    /// Schemas of which the value must match exactly one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub one_of: Vec<JSONSchemaProps>,
    /// Schemas of which the value must match at least one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<JSONSchemaProps>,
    /// A schema the value must not match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<JSONSchemaProps>>,
    /// The schemas of an object's known properties.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, JSONSchemaProps>,
    /// Whether an object may have other properties, or the schema of their
    /// values (which makes the object a map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_properties: Option<JSONSchemaPropsOrBool>,
    /// Schemas of the properties whose names match a regular expression.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pattern_properties: BTreeMap<String, JSONSchemaProps>,
    /// What else an object must have, or match, when it has a property.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub dependencies: BTreeMap<String, JSONSchemaPropsOrStringArray>,
    /// Whether a tuple-form array may have more items, or their schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_items: Option<JSONSchemaPropsOrBool>,
    /// Named schemas for `$ref` to point at.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub definitions: BTreeMap<String, JSONSchemaProps>,
    /// A link to more documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_docs: Option<ExternalDocumentation>,
    /// An example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// Whether `null` is accepted (and kept) as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
    /// Whether fields the schema does not describe are kept rather than
    /// pruned, here and below.
    #[serde(
        rename = "x-kubernetes-preserve-unknown-fields",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub x_kubernetes_preserve_unknown_fields: Option<bool>,
    /// Whether the value is a whole Kubernetes object, with `apiVersion`,
    /// `kind` and `metadata` checked as such.
    #[serde(
        rename = "x-kubernetes-embedded-resource",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub x_kubernetes_embedded_resource: Option<bool>,
    /// Whether the value may be an integer or a string (like a port or a
    /// percentage); no `type` is given then.
    #[serde(
        rename = "x-kubernetes-int-or-string",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub x_kubernetes_int_or_string: Option<bool>,
    /// For a `map` list, the item fields that together identify an item.
    #[serde(rename = "x-kubernetes-list-map-keys", default, skip_serializing_if = "Vec::is_empty")]
    pub x_kubernetes_list_map_keys: Vec<String>,
    /// How server-side apply merges the array: `atomic`, `set` or `map`.
    #[serde(rename = "x-kubernetes-list-type", default, skip_serializing_if = "Option::is_none")]
    pub x_kubernetes_list_type: Option<String>,
    /// How server-side apply merges the object: `granular` or `atomic`.
    #[serde(rename = "x-kubernetes-map-type", default, skip_serializing_if = "Option::is_none")]
    pub x_kubernetes_map_type: Option<String>,
    /// CEL rules the value must satisfy.
    #[serde(rename = "x-kubernetes-validations", default, skip_serializing_if = "Vec::is_empty")]
    pub x_kubernetes_validations: Vec<ValidationRule>,
}

/// A link to documentation outside the schema.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalDocumentation {
    /// What the linked documentation covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the documentation is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A CEL rule a value must satisfy (`x-kubernetes-validations`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidationRule {
    /// The CEL expression; `self` is the value, `oldSelf` its previous
    /// version on update.
    pub rule: String,
    /// The error message when the rule fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// A CEL expression that computes the error message; wins over `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_expression: Option<String>,
    /// The reason of the error returned when the rule fails: `FieldValueInvalid`
    /// (the default), `FieldValueForbidden`, `FieldValueRequired` or
    /// `FieldValueDuplicate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The path, relative to the value, that the error points at
    /// (`.spec.replicas`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_path: Option<String>,
    /// Whether a rule using `oldSelf` also runs on create, with `oldSelf`
    /// as an absent optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional_old_self: Option<bool>,
}

/// The `items` of an array schema: one schema for every item, or (tuple
/// form) one schema per position.
#[derive(Clone, Debug, PartialEq)]
pub enum JSONSchemaPropsOrArray {
    /// Every item matches this schema (written as an object).
    Schema(Box<JSONSchemaProps>),
    /// Item `i` matches schema `i` (written as an array).
    Schemas(Vec<JSONSchemaProps>),
}

/// `additionalProperties` or `additionalItems`: allowed or not, or the schema
/// the extra values must match.
#[derive(Clone, Debug, PartialEq)]
pub enum JSONSchemaPropsOrBool {
    /// Extra values are allowed (`true`) or forbidden (`false`).
    Bool(bool),
    /// Extra values are allowed and must match this schema.
    Schema(Box<JSONSchemaProps>),
}

/// One entry of `dependencies`: a schema the object must also match, or the
/// names of properties it must also have.
#[derive(Clone, Debug, PartialEq)]
pub enum JSONSchemaPropsOrStringArray {
    /// The object must also match this schema (written as an object).
    Schema(Box<JSONSchemaProps>),
    /// The object must also have these properties (written as an array).
    Strings(Vec<String>),
}

/// Writes a number as Go does: integral values without a fractional part
/// (`100`, not `100.0`).
fn json_number<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    // Integers up to 2^53 are exact in an f64; beyond that, keep the float.
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match *value {
        Some(v) if v.fract() == 0.0 && v.abs() <= EXACT && !(v == 0.0 && v.is_sign_negative()) => {
            // Integral and within ±2^53, so the cast is exact.
            serializer.serialize_i64(v as i64)
        }
        Some(v) => serializer.serialize_f64(v),
        None => serializer.serialize_none(),
    }
}

impl Serialize for JSONSchemaPropsOrArray {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JSONSchemaPropsOrArray::Schema(s) => s.serialize(serializer),
            JSONSchemaPropsOrArray::Schemas(list) => list.serialize(serializer),
        }
    }
}

impl Serialize for JSONSchemaPropsOrBool {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JSONSchemaPropsOrBool::Bool(b) => serializer.serialize_bool(*b),
            JSONSchemaPropsOrBool::Schema(s) => s.serialize(serializer),
        }
    }
}

impl Serialize for JSONSchemaPropsOrStringArray {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JSONSchemaPropsOrStringArray::Schema(s) => s.serialize(serializer),
            JSONSchemaPropsOrStringArray::Strings(list) => list.serialize(serializer),
        }
    }
}

/// Decodes an object as a boxed [`JSONSchemaProps`], keeping the map access
/// (and so the strict decoder's field paths) of the caller.
fn schema_from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Box<JSONSchemaProps>, A::Error> {
    JSONSchemaProps::deserialize(MapAccessDeserializer::new(map)).map(Box::new)
}

impl<'de> Deserialize<'de> for JSONSchemaPropsOrArray {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JSONSchemaPropsOrArray;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a schema object or an array of schema objects")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                schema_from_map(map).map(JSONSchemaPropsOrArray::Schema)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq))
                    .map(JSONSchemaPropsOrArray::Schemas)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for JSONSchemaPropsOrBool {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JSONSchemaPropsOrBool;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or a schema object")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(JSONSchemaPropsOrBool::Bool(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                schema_from_map(map).map(JSONSchemaPropsOrBool::Schema)
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for JSONSchemaPropsOrStringArray {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = JSONSchemaPropsOrStringArray;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a schema object or an array of property names")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                schema_from_map(map).map(JSONSchemaPropsOrStringArray::Schema)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq))
                    .map(JSONSchemaPropsOrStringArray::Strings)
            }
        }
        deserializer.deserialize_any(V)
    }
}

// A schema of schemas would be recursive, which structural schemas cannot
// express: like Kubernetes' own, these accept any value and keep it whole.

impl JsonSchema for JSONSchemaProps {
    fn schema_name() -> Cow<'static, str> {
        "JSONSchemaProps".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
    }
}

impl JsonSchema for JSONSchemaPropsOrArray {
    fn schema_name() -> Cow<'static, str> {
        "JSONSchemaPropsOrArray".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
    }
}

impl JsonSchema for JSONSchemaPropsOrBool {
    fn schema_name() -> Cow<'static, str> {
        "JSONSchemaPropsOrBool".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
    }
}

impl JsonSchema for JSONSchemaPropsOrStringArray {
    fn schema_name() -> Cow<'static, str> {
        "JSONSchemaPropsOrStringArray".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "x-kubernetes-preserve-unknown-fields": true })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::test_support::round_trip;

    #[test]
    fn items_as_object_or_array() {
        let single =
            round_trip::<JSONSchemaProps>(&json!({"type": "array", "items": {"type": "string"}}));
        assert_eq!(
            single.items,
            Some(JSONSchemaPropsOrArray::Schema(Box::new(JSONSchemaProps::string())))
        );

        let tuple = round_trip::<JSONSchemaProps>(&json!({
            "type": "array",
            "items": [{"type": "string"}, {"type": "integer"}],
            "additionalItems": false
        }));
        let Some(JSONSchemaPropsOrArray::Schemas(list)) = tuple.items else { panic!("tuple form") };
        assert_eq!(list[1].type_.as_deref(), Some("integer"));
        assert_eq!(tuple.additional_items, Some(JSONSchemaPropsOrBool::Bool(false)));
    }

    #[test]
    fn additional_properties_as_bool_or_schema() {
        let open =
            round_trip::<JSONSchemaProps>(&json!({"type": "object", "additionalProperties": true}));
        assert_eq!(open.additional_properties, Some(JSONSchemaPropsOrBool::Bool(true)));

        let map = round_trip::<JSONSchemaProps>(&json!({
            "type": "object",
            "additionalProperties": {"type": "integer", "format": "int32"}
        }));
        let Some(JSONSchemaPropsOrBool::Schema(values)) = map.additional_properties else {
            panic!("schema form")
        };
        assert_eq!(values.format.as_deref(), Some("int32"));
    }

    #[test]
    fn dependencies_as_schema_or_names() {
        let s = round_trip::<JSONSchemaProps>(&json!({
            "type": "object",
            "dependencies": {
                "tls": ["certificate", "key"],
                "proxy": {"required": ["proxyURL"]}
            }
        }));
        assert_eq!(
            s.dependencies["tls"],
            JSONSchemaPropsOrStringArray::Strings(vec!["certificate".into(), "key".into()])
        );
        assert!(matches!(s.dependencies["proxy"], JSONSchemaPropsOrStringArray::Schema(_)));
    }

    #[test]
    fn dollar_and_extension_names_are_exact() {
        let s = round_trip::<JSONSchemaProps>(&json!({
            "$schema": "http://json-schema.org/draft-04/schema#",
            "$ref": "#/definitions/port",
            "id": "ports",
            "definitions": {"port": {"x-kubernetes-int-or-string": true}},
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name", "protocol"],
            "x-kubernetes-map-type": "atomic",
            "x-kubernetes-embedded-resource": true,
            "x-kubernetes-preserve-unknown-fields": true,
            "x-kubernetes-validations": [{
                "rule": "self.size() <= 10",
                "messageExpression": "'too many: ' + string(self.size())",
                "reason": "FieldValueForbidden",
                "fieldPath": ".ports",
                "optionalOldSelf": true
            }],
            "externalDocs": {"description": "Ports", "url": "https://example.com/ports"}
        }));
        assert_eq!(s.ref_path.as_deref(), Some("#/definitions/port"));
        assert_eq!(s.x_kubernetes_list_map_keys, ["name", "protocol"]);
        assert_eq!(s.definitions["port"].x_kubernetes_int_or_string, Some(true));
        assert_eq!(s.x_kubernetes_validations[0].optional_old_self, Some(true));
    }

    #[test]
    fn numbers_are_written_as_go_writes_them() {
        let s = round_trip::<JSONSchemaProps>(&json!({
            "type": "number", "minimum": 0, "maximum": 100, "exclusiveMaximum": true,
            "multipleOf": 0.5, "enum": [0.5, 1, "x", null], "default": 1.5, "example": 2
        }));
        assert_eq!(s.maximum, Some(100.0));
        assert_eq!(s.multiple_of, Some(0.5));
        assert_eq!(s.enum_.len(), 4);
        let written = serde_json::to_string(&JSONSchemaProps {
            minimum: Some(-3.0),
            maximum: Some(1e300),
            ..JSONSchemaProps::default()
        })
        .unwrap();
        assert_eq!(written, r#"{"maximum":1e+300,"minimum":-3}"#);
    }

    #[test]
    fn wrong_shapes_are_refused_with_a_message() {
        let err = serde_json::from_value::<JSONSchemaProps>(json!({"items": 5})).unwrap_err();
        assert!(err.to_string().contains("a schema object or an array of schema objects"), "{err}");
        let err = serde_json::from_value::<JSONSchemaProps>(json!({"additionalProperties": "yes"}))
            .unwrap_err();
        assert!(err.to_string().contains("a boolean or a schema object"), "{err}");
    }

    #[test]
    fn schema_is_preserve_unknown_object() {
        let s = schemars::SchemaGenerator::default().into_root_schema_for::<JSONSchemaProps>();
        assert_eq!(s.get("type"), Some(&json!("object")));
        assert_eq!(s.get("x-kubernetes-preserve-unknown-fields"), Some(&json!(true)));
    }
}
