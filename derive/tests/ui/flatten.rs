use std::collections::BTreeMap;

use keelson_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(group = "example.com", version = "v1", kind = "Widget")]
struct WidgetSpec {
    replicas: i32,
    #[serde(flatten)]
    extra: BTreeMap<String, String>,
}

fn main() {}
