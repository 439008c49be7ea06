//! Keelson: the pieces of a Kubernetes-style control plane as Rust crates.
//!
//! This facade re-exports the Keelson crates so that one dependency brings
//! them all:
//!
//! ```
//! use keelson::types::api::core::v1::Namespace;
//! use keelson::types::meta::ObjectMeta;
//!
//! let ns = Namespace { metadata: ObjectMeta::named("team-a"), ..Namespace::default() };
//! let json = serde_json::to_value(&ns).unwrap();
//! assert_eq!(json["kind"], "Namespace");
//! ```

/// The object model: kinds, metadata, selectors, quantities, validation
/// (`keelson-core-types`).
pub use keelson_core_types as types;

/// `#[derive(CustomResource)]` (`keelson-derive`): a custom resource kind
/// from its spec struct. Through this crate, write
/// `#[resource(crate = "::keelson::types", ...)]`.
#[cfg(feature = "derive")]
pub use keelson_derive::CustomResource;

/// `#[derive(StructuralSchema)]` (`keelson-derive`): marks a type used in a
/// custom resource as having a structural schema, after checking its shape.
/// Through this crate, write `#[structural(crate = "::keelson::types")]`.
#[cfg(feature = "derive")]
pub use keelson_derive::StructuralSchema;
