use keelson_derive::StructuralSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(StructuralSchema, Serialize, Deserialize, JsonSchema)]
enum Target {
    Host(String),
    HostPort(String, i32),
}

fn main() {}
