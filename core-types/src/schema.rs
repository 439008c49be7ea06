//! JSON schemas of the kinds, in the structural form Kubernetes requires for
//! OpenAPI v3 and CustomResourceDefinition validation.

use schemars::Schema;
use serde_json::json;

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
