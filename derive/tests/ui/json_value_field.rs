use keelson_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(group = "example.com", version = "v1", kind = "Widget")]
struct WidgetSpec {
    replicas: i32,
    settings: serde_json::Value,
}

fn main() {}
