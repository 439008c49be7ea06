use keelson_derive::StructuralSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(StructuralSchema, Serialize, Deserialize, JsonSchema)]
enum Backup {
    Disabled,
    Bucket { url: String },
}

fn main() {}
