//! `apps` v1 kinds: the workload controllers ([`Deployment`], [`ReplicaSet`],
//! [`DaemonSet`], [`StatefulSet`]) and the [`ControllerRevision`] snapshots
//! they keep of their pod templates.

mod controller_revision;
mod daemon_set;
mod deployment;
mod replica_set;
mod stateful_set;

pub use controller_revision::*;
pub use daemon_set::*;
pub use deployment::*;
pub use replica_set::*;
pub use stateful_set::*;
