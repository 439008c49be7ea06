use keelson_derive::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[resource(group = "example", version = "v1", kind = "Widget", shortname = "WD")]
#[resource(printcolumn = r#"{"name": "Replicas", "type": "int", "jsonPath": "spec.replicas"}"#)]
#[resource(printcolumn = r#"{"name": "Ready", "type": "integer", "jsonPath": ".status.ready", "priority": -1, "format": "uint8"}"#)]
struct WidgetSpec {
    replicas: i32,
}

fn main() {}
