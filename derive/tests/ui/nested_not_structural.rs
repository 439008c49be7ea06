use keelson_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
struct Limits {
    cpu: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
struct WidgetStatus {
    ready: bool,
}

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(group = "example.com", version = "v1", kind = "Widget", status = "WidgetStatus")]
struct WidgetSpec {
    limits: Option<Limits>,
}

fn main() {}
