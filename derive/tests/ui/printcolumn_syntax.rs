use keelson_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(group = "example.com", version = "v1", kind = "Widget")]
#[resource(printcolumn(name = "Replicas", type = "integer", json_path = ".spec.replicas"))]
#[resource(printcolumn = r#"{"name": "Replicas", "type": "integer" "jsonPath": ".spec.replicas"}"#)]
#[resource(printcolumn = r#"{"name": "Replicas", "type": "integer", "json_path": ".spec.replicas"}"#)]
#[resource(printcolumn = r#"{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas", "priority": "1"}"#)]
#[resource(printcolumn = r#"{
    "name": "Replicas",
    "type": "integer",
    "name": "Desired"
}"#)]
#[resource(printcolumn = r#"{"name": "Replicas"}"#)]
struct WidgetSpec {
    replicas: i32,
}

fn main() {}
