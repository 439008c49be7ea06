//! Keelson's store: an MVCC key-value store with etcd's data model
//! (revisions, ranges, transactions, watches, leases), persisted on disk and
//! served over the etcd v3 gRPC protocol.
//!
//! ```
//! use keelson_store::pb::etcdserverpb::{PutRequest, RangeRequest, WatchCreateRequest};
//! use keelson_store::server::{self, Server};
//! use keelson_store::store::Store;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // One member, in memory; `Config::data_dir` keeps the data on disk.
//! let server = Server::new(server::Config::default())?;
//! // Used in-process through the `Store` trait (`RemoteStore` is the same
//! // trait over the network, for a Keelson member or a real etcd).
//! let store = server.embedded();
//!
//! let mut watch = store.watch(WatchCreateRequest { key: b"k".to_vec(), ..Default::default() }).await?;
//! let put = PutRequest { key: b"k".to_vec(), value: b"v".to_vec(), ..Default::default() };
//! let revision = store.put(put).await?.header.unwrap().revision;
//!
//! let changes = watch.next().await.expect("the watch goes on")?;
//! assert_eq!(changes.events[0].kv.as_ref().unwrap().mod_revision, revision);
//! let got = store.range(RangeRequest { key: b"k".to_vec(), ..Default::default() }).await?;
//! assert_eq!(got.kvs[0].value, b"v");
//!
//! drop(watch);
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! The modules, from the bottom up:
//!
//! - [`mvcc`]: the MVCC key-value engine.
//! - [`apply`]: etcd's request semantics (put, delete, txn, compaction,
//!   range) on top of the engine, with etcd's errors.
//! - [`pb`]: the etcd v3 gRPC protocol — etcd's messages with its field
//!   numbers, and tonic clients and servers for the KV, Watch, Lease, Cluster
//!   and Maintenance services — generated at build time from the `.proto`
//!   files in `store/proto/`.
//! - [`server`]: one store member — its propose → commit → apply write
//!   path with group commit, served over the etcd v3 gRPC protocol (KV,
//!   Watch, Lease, Maintenance, Cluster) and in-process as an
//!   [`EmbeddedStore`](server::EmbeddedStore).
//! - [`lease`]: lease timers — the lessor that decides when a lease runs
//!   out, as a pure core driven by the caller's clock; grants and
//!   revocations are applied and persisted like any write.
//! - [`store`]: the [`Store`](store::Store) trait — etcd's KV, Watch and
//!   Lease operations behind one object-safe interface (`Arc<dyn Store>`),
//!   with one [`store::Error`] that keeps etcd's ordinary answers apart from
//!   transport and fatal failures.
//! - [`client`]: [`RemoteStore`](client::RemoteStore), a `Store` over the
//!   etcd v3 gRPC protocol, for a Keelson store server or a real etcd.
//!   [`EmbeddedStore`](server::EmbeddedStore) is the same trait in-process.
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
mod raft;
pub mod server;
pub mod store;
pub mod watch;
