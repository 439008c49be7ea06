use keelson_derive::StructuralSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(StructuralSchema, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", content = "value")]
enum Setting {
    Number(i32),
    Text(String),
}

fn main() {}
