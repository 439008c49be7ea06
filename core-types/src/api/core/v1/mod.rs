//! core/v1 kinds (`apiVersion: v1`).

mod affinity;
mod binding;
mod config_map;
mod container;
mod endpoints;
mod event;
mod limit_range;
mod namespace;
mod node;
mod persistent_volume;
mod pod;
mod reference;
mod replication_controller;
mod resource_quota;
mod secret;
mod service;
mod service_account;
mod volume;

pub use affinity::*;
pub use binding::*;
pub use config_map::*;
pub use container::*;
pub use endpoints::*;
pub use event::*;
pub use limit_range::*;
pub use namespace::*;
pub use node::*;
pub use persistent_volume::*;
pub use pod::*;
pub use reference::*;
pub use replication_controller::*;
pub use resource_quota::*;
pub use secret::*;
pub use service::*;
pub use service_account::*;
pub use volume::*;
