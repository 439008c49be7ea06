//! Keelson's store: an MVCC key-value store with etcd's data model
//! (revisions, ranges, transactions, watches, leases), persisted on disk and
//! served over the etcd v3 gRPC protocol.
//!
//! Being built; see the modules for what exists so far:
//!
//! - [`mvcc`]: the MVCC key-value engine.
//! - [`pb`]: the etcd v3 gRPC protocol — etcd's messages with its field
//!   numbers, and tonic clients and servers for the KV, Watch, Lease, Cluster
//!   and Maintenance services — generated at build time from the `.proto`
//!   files in `store/proto/`.

pub mod mvcc;
pub mod pb;
