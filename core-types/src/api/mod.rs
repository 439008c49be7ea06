//! The built-in kinds, by API group and version, laid out as Kubernetes lays
//! them out (`api::core::v1::Pod`, `api::apps::v1::Deployment`).

pub mod apiextensions;
pub mod apps;
pub mod autoscaling;
pub mod batch;
pub mod coordination;
pub mod core;
pub mod discovery;
pub mod networking;
pub mod policy;
pub mod rbac;
pub mod scheduling;
pub mod storage;
