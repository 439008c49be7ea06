//! `apiextensions.k8s.io` v1 kinds: [`CustomResourceDefinition`], which adds
//! a new kind to the API, and [`JSONSchemaProps`], the OpenAPI v3 schema that
//! validates the new kind's objects.

mod crd;
mod json_schema;
mod schema_builder;

pub use crd::*;
pub use json_schema::*;
