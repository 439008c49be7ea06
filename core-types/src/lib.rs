//! Keelson's object model: every Kubernetes kind as a Rust type that
//! serializes exactly as Kubernetes does, with the metadata, selectors,
//! quantities and validation rules that come with them.
//!
//! Build a Deployment, find the pods its selector picks, and print it as the
//! YAML `kubectl apply -f` reads:
//!
//! ```
//! use keelson_core_types::api::apps::v1::{Deployment, DeploymentSpec};
//! use keelson_core_types::api::core::v1::{Container, PodSpec, PodTemplateSpec, ResourceRequirements};
//! use keelson_core_types::labels::{LabelSelector, Selector};
//! use keelson_core_types::meta::ObjectMeta;
//! use keelson_core_types::quantity::Quantity;
//! use keelson_core_types::{codec, validation};
//!
//! let labels = [("app".to_string(), "web".to_string())];
//! let deployment = Deployment {
//!     metadata: ObjectMeta::named("web").in_namespace("shop"),
//!     spec: Some(DeploymentSpec {
//!         replicas: Some(3),
//!         selector: LabelSelector { match_labels: labels.clone().into(), ..Default::default() },
//!         template: PodTemplateSpec {
//!             metadata: Some(ObjectMeta { labels: labels.into(), ..Default::default() }),
//!             spec: Some(PodSpec {
//!                 containers: vec![Container {
//!                     name: "web".into(),
//!                     image: Some("nginx:1.27".into()),
//!                     resources: Some(ResourceRequirements {
//!                         requests: [("cpu".to_string(), "250m".parse::<Quantity>().unwrap())].into(),
//!                         ..Default::default()
//!                     }),
//!                     ..Default::default()
//!                 }],
//!                 ..Default::default()
//!             }),
//!         },
//!         ..Default::default()
//!     }),
//!     status: None,
//! };
//!
//! // The selector, in both its object and its string form.
//! let selector = Selector::try_from(&deployment.spec.as_ref().unwrap().selector).unwrap();
//! assert_eq!(selector.to_string(), "app=web");
//! let pod_labels = [("app".to_string(), "web".to_string()), ("tier".to_string(), "front".to_string())];
//! assert!(selector.matches(&std::collections::BTreeMap::from(pod_labels)));
//! assert!(!"app in (api, db)".parse::<Selector>().unwrap().matches(&deployment.metadata));
//!
//! // Names follow Kubernetes' rules.
//! assert!(validation::names::is_dns1123_subdomain("web").is_empty());
//!
//! let yaml = codec::to_yaml(&deployment).unwrap();
//! assert!(yaml.starts_with("apiVersion: apps/v1\nkind: Deployment\n"));
//! let back: Deployment = codec::from_yaml(&yaml).unwrap();
//! assert_eq!(back, deployment);
//! println!("{yaml}");
//! ```
//!
//! The rest of the crate, by module:
//!
//! - [`api`]: the kinds, by group and version (`api::core::v1::Pod`).
//! - [`meta`]: `ObjectMeta`, `Status` and the other shared metadata.
//! - [`labels`] and [`fields`]: label and field selectors, with parsers.
//! - [`quantity`], [`intstr`], [`time`], [`bytes`]: the value types.
//! - [`validation`]: Kubernetes' naming and metadata rules, with errors that
//!   name the field.
//! - [`codec`]: JSON and YAML, strict decoding.
//! - [`resource`], [`dynamic`], [`list`], [`registry`]: the `Resource` trait,
//!   untyped objects, lists, and the table of built-in kinds.
//! - [`schema`]: structural OpenAPI v3 schemas.
//!
//! No I/O and no async runtime: this crate is the vocabulary every other
//! Keelson crate speaks. See `docs/object-model.md` for the conventions the
//! kinds follow.

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

#[cfg(test)]
mod test_support;

pub use dynamic::DynamicObject;
pub use list::List;
pub use resource::{ApiResource, Resource, ResourceExt, Scope, StaticResource};
