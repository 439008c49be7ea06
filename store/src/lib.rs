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
//! - [`store`]: the [`Store`](store::Store) trait — etcd's KV, Watch and
//!   Lease operations behind one object-safe interface (`Arc<dyn Store>`),
//!   with one [`store::Error`] that keeps etcd's ordinary answers apart from
//!   transport and fatal failures.
//! - [`client`]: [`RemoteStore`](client::RemoteStore), a `Store` over the
//!   etcd v3 gRPC protocol, for a Keelson store server or a real etcd.
//! - [`conformance`]: the conformance suite every `Store` implementation
//!   runs in a few lines ([`conformance_tests!`]); always compiled, so other
//!   crates can run it too.
//! - [`watch`]: the watch hub — fans committed changes out to watchers and
//!   catches up the ones that fell behind from history, as etcd does.

pub mod apply;
pub mod client;
pub mod conformance;
pub mod lease;
pub mod mvcc;
pub mod pb;
pub mod server;
pub mod store;
pub mod watch;
