//! Constructors and `with_*` methods for writing a [`JSONSchemaProps`] by
//! hand, plus read helpers for code that walks a schema.
//!
//! ```
//! use keelson_core_types::api::apiextensions::v1::JSONSchemaProps;
//!
//! let spec = JSONSchemaProps::object()
//!     .with_required_property("replicas", JSONSchemaProps::integer().with_format("int32").with_minimum(0.0))
//!     .with_property("labels", JSONSchemaProps::map(JSONSchemaProps::string()))
//!     .with_property("ports", JSONSchemaProps::array(JSONSchemaProps::int_or_string()));
//! let json = serde_json::to_value(&spec).unwrap();
//! assert_eq!(json["properties"]["replicas"]["minimum"], 0);
//! assert_eq!(json["properties"]["labels"]["additionalProperties"]["type"], "string");
//! assert_eq!(json["required"][0], "replicas");
//! ```

use serde_json::Value;

use super::json_schema::{
    JSONSchemaProps, JSONSchemaPropsOrArray, JSONSchemaPropsOrBool, ValidationRule,
};

impl JSONSchemaProps {
    /// A schema of the given JSON type (`object`, `string`, ...).
    pub fn of_type(type_: impl Into<String>) -> Self {
        JSONSchemaProps { type_: Some(type_.into()), ..JSONSchemaProps::default() }
    }

    /// An object schema with no properties yet.
    pub fn object() -> Self {
        Self::of_type("object")
    }

    /// A string schema.
    pub fn string() -> Self {
        Self::of_type("string")
    }

    /// An integer schema.
    pub fn integer() -> Self {
        Self::of_type("integer")
    }

    /// A number schema (integer or floating point).
    pub fn number() -> Self {
        Self::of_type("number")
    }

    /// A boolean schema.
    pub fn boolean() -> Self {
        Self::of_type("boolean")
    }

    /// An array schema whose items all match `items`.
    pub fn array(items: JSONSchemaProps) -> Self {
        JSONSchemaProps { items: Some(items.into()), ..Self::of_type("array") }
    }

    /// An object used as a map: any keys, values matching `values`.
    pub fn map(values: JSONSchemaProps) -> Self {
        JSONSchemaProps { additional_properties: Some(values.into()), ..Self::object() }
    }

    /// A value that is an integer or a string (a port, a percentage).
    pub fn int_or_string() -> Self {
        JSONSchemaProps { x_kubernetes_int_or_string: Some(true), ..JSONSchemaProps::default() }
    }

    /// An object whose fields are all kept as they are, without a schema.
    pub fn free_form_object() -> Self {
        Self::object().preserving_unknown_fields()
    }

    /// Any JSON value at all, kept as it is.
    pub fn any_value() -> Self {
        JSONSchemaProps::default().preserving_unknown_fields()
    }

    /// Sets the description shown by `kubectl explain`.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the format (`int32`, `int64`, `date-time`, `byte`, ...).
    #[must_use]
    pub fn with_format(mut self, format: impl Into<String>) -> Self {
        self.format = Some(format.into());
        self
    }

    /// Adds an optional property to an object schema.
    #[must_use]
    pub fn with_property(mut self, name: impl Into<String>, schema: JSONSchemaProps) -> Self {
        self.properties.insert(name.into(), schema);
        self
    }

    /// Adds a property to an object schema and marks it required.
    #[must_use]
    pub fn with_required_property(self, name: impl Into<String>, schema: JSONSchemaProps) -> Self {
        let name = name.into();
        self.with_required([name.clone()]).with_property(name, schema)
    }

    /// Marks properties as required, once each.
    #[must_use]
    pub fn with_required<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for name in names {
            let name = name.into();
            if !self.required.contains(&name) {
                self.required.push(name);
            }
        }
        self
    }

    /// Sets the value used when the field is absent.
    #[must_use]
    pub fn with_default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    /// Limits the value to the given ones.
    #[must_use]
    pub fn with_enum<I, V>(mut self, values: I) -> Self
    where
        I: IntoIterator<Item = V>,
        V: Into<Value>,
    {
        self.enum_ = values.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the smallest number allowed.
    #[must_use]
    pub fn with_minimum(mut self, minimum: f64) -> Self {
        self.minimum = Some(minimum);
        self
    }

    /// Sets the largest number allowed.
    #[must_use]
    pub fn with_maximum(mut self, maximum: f64) -> Self {
        self.maximum = Some(maximum);
        self
    }

    /// Sets the regular expression strings must match.
    #[must_use]
    pub fn with_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// Sets the fewest and most characters a string may have.
    #[must_use]
    pub fn with_length(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        self.min_length = min;
        self.max_length = max;
        self
    }

    /// Sets the fewest and most items an array may have.
    #[must_use]
    pub fn with_item_count(mut self, min: Option<i64>, max: Option<i64>) -> Self {
        self.min_items = min;
        self.max_items = max;
        self
    }

    /// Accepts `null` as well.
    #[must_use]
    pub fn nullable(mut self) -> Self {
        self.nullable = Some(true);
        self
    }

    /// Keeps fields the schema does not describe instead of pruning them.
    #[must_use]
    pub fn preserving_unknown_fields(mut self) -> Self {
        self.x_kubernetes_preserve_unknown_fields = Some(true);
        self
    }

    /// Marks the value as a whole embedded Kubernetes object.
    #[must_use]
    pub fn embedded_resource(mut self) -> Self {
        self.x_kubernetes_embedded_resource = Some(true);
        self
    }

    /// Sets how server-side apply merges the array (`atomic`, `set`, `map`).
    #[must_use]
    pub fn with_list_type(mut self, list_type: impl Into<String>) -> Self {
        self.x_kubernetes_list_type = Some(list_type.into());
        self
    }

    /// Makes the array a `map` list keyed by the given item fields.
    #[must_use]
    pub fn with_list_map_keys<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.x_kubernetes_list_type = Some("map".into());
        self.x_kubernetes_list_map_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Sets how server-side apply merges the object (`granular`, `atomic`).
    #[must_use]
    pub fn with_map_type(mut self, map_type: impl Into<String>) -> Self {
        self.x_kubernetes_map_type = Some(map_type.into());
        self
    }

    /// Adds a CEL validation rule.
    #[must_use]
    pub fn with_validation(mut self, rule: ValidationRule) -> Self {
        self.x_kubernetes_validations.push(rule);
        self
    }

    /// Whether this schema keeps unknown fields (`x-kubernetes-preserve-unknown-fields: true`).
    pub fn preserves_unknown_fields(&self) -> bool {
        self.x_kubernetes_preserve_unknown_fields == Some(true)
    }

    /// The schema every array item matches, when `items` is a single schema.
    pub fn items_schema(&self) -> Option<&JSONSchemaProps> {
        match &self.items {
            Some(JSONSchemaPropsOrArray::Schema(s)) => Some(s),
            _ => None,
        }
    }

    /// The schema of a map's values, when `additionalProperties` is a schema.
    pub fn additional_properties_schema(&self) -> Option<&JSONSchemaProps> {
        match &self.additional_properties {
            Some(JSONSchemaPropsOrBool::Schema(s)) => Some(s),
            _ => None,
        }
    }
}

impl ValidationRule {
    /// A CEL rule with the message shown when it fails.
    pub fn new(rule: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationRule {
            rule: rule.into(),
            message: Some(message.into()),
            ..ValidationRule::default()
        }
    }
}

impl From<JSONSchemaProps> for JSONSchemaPropsOrArray {
    fn from(schema: JSONSchemaProps) -> Self {
        JSONSchemaPropsOrArray::Schema(Box::new(schema))
    }
}

impl From<JSONSchemaProps> for JSONSchemaPropsOrBool {
    fn from(schema: JSONSchemaProps) -> Self {
        JSONSchemaPropsOrBool::Schema(Box::new(schema))
    }
}

impl From<bool> for JSONSchemaPropsOrBool {
    fn from(allowed: bool) -> Self {
        JSONSchemaPropsOrBool::Bool(allowed)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn builds_the_expected_json() {
        let schema = JSONSchemaProps::object()
            .with_description("A web app.")
            .with_required_property(
                "image",
                JSONSchemaProps::string().with_length(Some(1), None).with_pattern("^[^ ]+$"),
            )
            .with_property(
                "replicas",
                JSONSchemaProps::integer().with_format("int32").with_minimum(0.0).with_default(1),
            )
            .with_property("mode", JSONSchemaProps::string().with_enum(["fast", "safe"]).nullable())
            .with_property(
                "ports",
                JSONSchemaProps::array(
                    JSONSchemaProps::object()
                        .with_required_property("name", JSONSchemaProps::string())
                        .with_property("port", JSONSchemaProps::int_or_string()),
                )
                .with_list_map_keys(["name"])
                .with_item_count(None, Some(8)),
            )
            .with_property("labels", JSONSchemaProps::map(JSONSchemaProps::string()))
            .with_property("template", JSONSchemaProps::free_form_object().embedded_resource())
            .with_property("extra", JSONSchemaProps::any_value())
            .with_required(["image", "replicas"])
            .with_validation(ValidationRule::new("self.replicas <= 10", "at most 10 replicas"));

        assert_eq!(
            serde_json::to_value(&schema).unwrap(),
            json!({
                "type": "object",
                "description": "A web app.",
                "required": ["image", "replicas"],
                "properties": {
                    "image": {"type": "string", "minLength": 1, "pattern": "^[^ ]+$"},
                    "replicas": {"type": "integer", "format": "int32", "minimum": 0, "default": 1},
                    "mode": {"type": "string", "enum": ["fast", "safe"], "nullable": true},
                    "ports": {
                        "type": "array",
                        "maxItems": 8,
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        "items": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": {"type": "string"},
                                "port": {"x-kubernetes-int-or-string": true}
                            }
                        }
                    },
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "template": {
                        "type": "object",
                        "x-kubernetes-preserve-unknown-fields": true,
                        "x-kubernetes-embedded-resource": true
                    },
                    "extra": {"x-kubernetes-preserve-unknown-fields": true}
                },
                "x-kubernetes-validations": [
                    {"rule": "self.replicas <= 10", "message": "at most 10 replicas"}
                ]
            })
        );
    }

    #[test]
    fn read_helpers_see_through_the_unions() {
        let list = JSONSchemaProps::array(JSONSchemaProps::boolean());
        assert_eq!(list.items_schema(), Some(&JSONSchemaProps::boolean()));
        assert_eq!(list.additional_properties_schema(), None);

        let map = JSONSchemaProps::map(JSONSchemaProps::number());
        assert_eq!(map.additional_properties_schema(), Some(&JSONSchemaProps::number()));
        assert!(!map.preserves_unknown_fields());

        let closed = JSONSchemaProps {
            additional_properties: Some(false.into()),
            ..JSONSchemaProps::object()
        };
        assert_eq!(closed.additional_properties_schema(), None);
        assert!(JSONSchemaProps::free_form_object().preserves_unknown_fields());
    }
}
