use keelson_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(group = "example", version = "v1", kind = "Widget", shortname = "WD")]
#[resource(printcolumn(name = "Replicas", type = "int", json_path = "spec.replicas"))]
struct WidgetSpec {
    replicas: i32,
}

fn main() {}
