use keelson_derive::StructuralSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(StructuralSchema, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
enum Port {
    Number(i32),
    Name(String),
}

fn main() {}
