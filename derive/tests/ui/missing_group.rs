use keelson_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(version = "v1", kind = "Widget")]
struct WidgetSpec {
    replicas: i32,
}

fn main() {}
