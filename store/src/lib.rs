//! Keelson's store: an MVCC key-value store with etcd's data model
//! (revisions, ranges, transactions, watches, leases), persisted on disk and
//! served over the etcd v3 gRPC protocol.
//!
//! Being built; see the modules for what exists so far:
//!
//! - [`mvcc`]: the MVCC key-value engine.
//! - [`apply`]: etcd's request semantics (put, delete, txn, compaction,
//!   range) on top of the engine, with etcd's errors.
//! - [`pb`]: the etcd v3 gRPC protocol — etcd's messages with its field
//!   numbers, and tonic clients and servers for the KV, Watch, Lease, Cluster
//!   and Maintenance services — generated at build time from the `.proto`
//!   files in `store/proto/`.
//! - [`server`]: the etcd v3 gRPC server of one member (KV, Watch,
//!   Maintenance, Cluster), with its propose → commit → apply write path.
//! - [`lease`]: lease timers — the lessor that decides when a lease runs
//!   out, as a pure core driven by the caller's clock; grants and
//!   revocations are applied and persisted like any write.
//! - [`watch`]: the watch hub — fans committed changes out to watchers and
//!   catches up the ones that fell behind from history, as etcd does.

pub mod apply;
pub mod lease;
pub mod mvcc;
pub mod pb;
pub mod server;
pub mod watch;
