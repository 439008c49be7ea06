use keelson_derive::StructuralSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(StructuralSchema, Serialize, Deserialize, JsonSchema)]
struct Marker;

fn main() {}
