//! Keelson's object model: every Kubernetes kind as a Rust type that
//! serializes exactly as Kubernetes does, with the metadata, selectors,
//! quantities and validation rules that come with them.
//!
//! Build an object, write it as JSON, read it back:
//!
//! ```
//! use keelson_core_types::api::core::v1::ConfigMap;
//! use keelson_core_types::meta::ObjectMeta;
//! use keelson_core_types::resource::ResourceExt;
//!
//! let cm = ConfigMap {
//!     metadata: ObjectMeta::named("settings").in_namespace("default"),
//!     data: [("mode".to_string(), "fast".to_string())].into(),
//!     ..ConfigMap::default()
//! };
//! let json = serde_json::to_string(&cm).unwrap();
//! assert_eq!(
//!     json,
//!     r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},"data":{"mode":"fast"}}"#
//! );
//! let back: ConfigMap = serde_json::from_str(&json).unwrap();
//! assert_eq!(back.name_any(), "settings");
//! ```
//!
//! No I/O and no async runtime: this crate is the vocabulary every other
//! Keelson crate speaks.

pub mod api;
pub mod bytes;
pub mod codec;
pub mod dynamic;
pub mod fields;
pub mod intstr;
pub mod labels;
pub mod list;
pub mod meta;
pub mod quantity;
pub mod registry;
pub mod resource;
pub mod schema;
pub mod time;
pub mod validation;

pub use dynamic::DynamicObject;
pub use list::List;
pub use resource::{ApiResource, Resource, ResourceExt, Scope, StaticResource};
