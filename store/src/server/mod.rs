//! The etcd v3 gRPC server of one store member: KV, Watch, Lease,
//! Maintenance and Cluster over the [`mvcc`] engine.
//!
//! ```
//! use keelson_store::pb::etcdserverpb::kv_client::KvClient;
//! use keelson_store::pb::etcdserverpb::{PutRequest, RangeRequest};
//! use keelson_store::server::{self, Server};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A member that keeps its data in memory, on a port the system picks.
//! let server = Server::new(server::Config::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let address = listener.local_addr()?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let serving = tokio::spawn(server.serve(listener, async {
//!     let _ = stopped.await;
//! }));
//!
//! // Any etcd v3 client works; here, the generated one.
//! let mut kv = KvClient::connect(format!("http://{address}")).await?;
//! let put = PutRequest {
//!     key: b"greeting".to_vec(),
//!     value: b"hello".to_vec(),
//!     ..Default::default()
//! };
//! let revision = kv.put(put).await?.into_inner().header.unwrap().revision;
//! assert_eq!(revision, 2); // an empty store is at revision 1, as in etcd
//!
//! let got = kv.range(RangeRequest { key: b"greeting".to_vec(), ..Default::default() }).await?;
//! assert_eq!(got.into_inner().kvs[0].value, b"hello");
//!
//! // Shut down gracefully: stop accepting, finish requests, stop the writer.
//! drop(kv);
//! let _ = stop.send(());
//! serving.await??;
//! # Ok(())
//! # }
//! ```
//!
//! # How a member works
//!
//! - Reads (KV `Range`, Maintenance) are served from the local store.
//! - Writes (`Put`, `DeleteRange`, `Txn`, `Compact`) are checked against the
//!   space quota ([`Config::quota_backend_bytes`]) and etcd's checks, then
//!   go through propose → commit → apply on Raft (tikv/raft-rs): the
//!   member is a Raft node (alone in its cluster for now, so it elects
//!   itself at once); a proposal is appended to the Raft log, which a
//!   write-ahead log under [`Config::data_dir`] ([`WAL_DIR`]) makes
//!   durable with one `fdatasync` per batch; committed entries are applied
//!   with [`apply::Applier::apply_in`] by one writer task, which hands the
//!   changes to the watch hub and answers the proposal each belongs to.
//!   The engine then commits without waiting for the disk and syncs every
//!   second; on restart the entries after its last durable commit are
//!   applied again from the log. A member kept in memory has its log in
//!   memory too.
//! - The space quota works as in etcd (see [`apply::alarm`]): a write that
//!   would take the database to its quota is refused with `etcdserver:
//!   mvcc: database space exceeded` and proposes the member's NOSPACE
//!   alarm, which refuses every write that could grow the database, on
//!   every member, until it is disarmed (Maintenance `Alarm`, etcdctl's
//!   `alarm disarm`). Alarm requests go through the log like writes, and
//!   alarms persist with the data. `Status` lists the active alarms in
//!   `errors`.
//! - Each gRPC watch stream is one stream in the [`WatchHub`].
//! - Leases follow the [lease protocol](crate::lease#the-protocol): the
//!   member restores its lessor from the store on start and promotes it
//!   (one member always owns writes); the writer hands it every applied
//!   grant and revocation; an expiry task proposes the revocation of every
//!   lease that ran out, every 500 ms; keep-alives renew in the lessor and
//!   propose nothing.
//! - Every response header carries the cluster ID, the member ID, the
//!   revision the answer reflects and the Raft term.
//! - Errors carry etcd's gRPC codes and messages, so etcd clients react as
//!   they would to etcd. A storage failure answers `Internal`; the member
//!   keeps serving.
//!
//! # Shutting down
//!
//! When the `shutdown` future given to [`Server::serve`] completes, the
//! server:
//!
//! 1. stops accepting connections and ends every open watch and lease
//!    keep-alive stream;
//! 2. waits for the requests in flight, whose proposals are still applied;
//! 3. stops the lease expiry task;
//! 4. stops the Raft node once what was proposed is committed, and the
//!    writer once that is applied and synced to disk;
//! 5. stops the watch hub's task.

mod config;
mod embedded;
mod ids;
mod lease;
mod proposer;
mod services;
#[cfg(test)]
mod tests;
mod watch;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use tokio::net::TcpListener;
use tonic::transport::server::TcpIncoming;

pub use config::{Config, DB_FILE, Peer, WAL_DIR};
pub use embedded::EmbeddedStore;
pub use ids::{etcd_cluster_id, etcd_member_id};

use crate::pb::etcdserverpb::alarm_request::AlarmAction;
use crate::pb::etcdserverpb::cluster_server::ClusterServer;
use crate::pb::etcdserverpb::kv_server::KvServer;
use crate::pb::etcdserverpb::lease_server::LeaseServer;
use crate::pb::etcdserverpb::maintenance_server::MaintenanceServer;
use crate::pb::etcdserverpb::{AlarmRequest, AlarmResponse, AlarmType, ResponseHeader};
use crate::raft::node::{Node, NodeConfig, NodeStatus, Progress, ReadIndex};
use crate::raft::transport::Transport;
use crate::raft::{LoneNetwork, Network};
use crate::watch::WatchHub;
use crate::{apply, mvcc};
use lease::{Clock, Expiry, Leases};
use proposer::{Proposer, Waiters, Writer, WriterParts};

/// The etcd version a member reports in `Status`: the API it speaks.
pub const ETCD_VERSION: &str = "3.5.17";

/// What gRPC accepts on top of the largest request, for framing (etcd's
/// `grpcOverheadBytes`).
const GRPC_OVERHEAD_BYTES: usize = 512 * 1024;

/// The result type of the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a server could not start or serve.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is wrong (see [`Config::validate`]).
    #[error("invalid store server configuration: {0}")]
    InvalidConfig(String),
    /// The data directory could not be created.
    #[error("data directory {path} could not be created")]
    CreateDataDir {
        /// The directory.
        path: PathBuf,
        /// The file system's error.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error("store database {path} could not be opened")]
    OpenStore {
        /// The database file.
        path: PathBuf,
        /// The engine's error.
        #[source]
        source: mvcc::Error,
    },
    /// The Raft log could not be opened, or Raft refused its state.
    #[error("raft log in {path} could not be opened: {detail}")]
    OpenLog {
        /// The write-ahead log's directory (`:memory:` for none).
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The peer URL could not be listened on.
    #[error("cannot listen for peers on {url}")]
    ListenPeers {
        /// The URL.
        url: String,
        /// The socket's error.
        #[source]
        source: std::io::Error,
    },
    /// The watch hub could not start.
    #[error("watch hub could not start")]
    Watch(#[source] crate::watch::Error),
    /// The gRPC transport failed while serving.
    #[error("gRPC transport failed")]
    Transport(#[source] tonic::transport::Error),
}

/// What the services share: the member's identity, its store and its
/// write path.
#[derive(Debug)]
struct Member {
    config: Config,
    store: Arc<mvcc::Store>,
    hub: Arc<WatchHub>,
    proposer: Proposer,
    /// The lessor, shared with the writer and the expiry task.
    leases: Arc<Leases>,
    /// What the Raft node says about itself.
    node: tokio::sync::watch::Receiver<NodeStatus>,
    /// Linearizable reads, to the node for a read index.
    reads: tokio::sync::mpsc::Sender<ReadIndex>,
    /// How far the writer got: what readers see.
    progress: tokio::sync::watch::Receiver<Progress>,
    /// `true` once the server shuts down.
    stop: tokio::sync::watch::Receiver<bool>,
}

/// What response headers say about the member configured by `config`, in
/// Raft term `term`.
fn apply_header(config: &Config, term: u64) -> apply::Header {
    apply::Header { cluster_id: config.cluster_id, member_id: config.member_id, raft_term: term }
}

impl Member {
    fn apply_header(&self) -> apply::Header {
        apply_header(&self.config, self.node.borrow().term.max(1))
    }

    /// What the Raft node says about itself.
    fn node_status(&self) -> NodeStatus {
        *self.node.borrow()
    }

    /// The response header at the store's current revision.
    fn header(&self) -> ResponseHeader {
        self.header_at(self.store.current_revision())
    }

    fn header_at(&self, revision: i64) -> ResponseHeader {
        self.apply_header().at(revision)
    }

    fn applier(&self) -> apply::Applier<'_> {
        (apply::Applier::new(&self.store).header(self.apply_header()))
            .limits(self.config.limits)
            .leases(self.leases.config())
    }

    /// Waits until a read sees every write acknowledged before it started
    /// (etcd's linearizable read): asks the Raft node for a read index
    /// (the commit index, confirmed by a quorum to still be the leader's)
    /// and waits until the writer has applied up to it. A serializable
    /// read does not wait: it sees what this member has applied.
    async fn read_barrier(&self, serializable: bool) -> Result<(), tonic::Status> {
        if serializable {
            return Ok(());
        }
        let timed_out = || tonic::Status::from(proposer::Failed::TimedOut);
        let stopped = || tonic::Status::from(proposer::Failed::Stopped);
        let deadline = tokio::time::Instant::now() + self.config.request_timeout;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.reads.send(tx).await.map_err(|_| stopped())?;
        let index = match tokio::time::timeout_at(deadline, rx).await {
            Ok(Ok(index)) => index,
            Ok(Err(_)) => return Err(stopped()),
            Err(_) => return Err(timed_out()),
        };
        let mut progress = self.progress.clone();
        match tokio::time::timeout_at(deadline, progress.wait_for(|p| p.applied >= index)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(stopped()),
            Err(_) => Err(timed_out()),
        }
    }

    /// Ready when the server shuts down: streams then end, so that
    /// connections can drain.
    fn stopped(&self) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let mut stop = self.stop.clone();
        Box::pin(async move {
            // An error means the server is gone: stop as well.
            let _ = stop.wait_for(|stopped| *stopped).await;
        })
    }

    /// Checks a write against the space quota and etcd's checks, and
    /// proposes it; returns its response once applied.
    ///
    /// A write the database has no room for is not proposed: the member's
    /// NOSPACE alarm is, and the write is answered with
    /// [`apply::Error::NoSpace`] (see [`apply::alarm`]). As in etcd, the
    /// quota comes before the other checks.
    async fn propose(&self, request: apply::Request) -> Result<apply::Response, tonic::Status> {
        if !self.config.quota().admits(self.store.db_size(), &request) {
            self.raise_nospace().await;
            return Err(apply::Error::NoSpace.into());
        }
        request.check(&self.config.limits)?;
        Ok(self.proposer.propose(request).await?)
    }

    /// Proposes this member's NOSPACE alarm, unless it is active already,
    /// and waits until it is applied. Whether that worked does not change
    /// the answer to the write that raised it, so failures are ignored, as
    /// etcd ignores them.
    async fn raise_nospace(&self) {
        let alarm =
            mvcc::Alarm { member_id: self.config.member_id, alarm: AlarmType::Nospace as i32 };
        if self.store.alarms().contains(&alarm) {
            return;
        }
        let request = AlarmRequest {
            action: AlarmAction::Activate as i32,
            member_id: alarm.member_id,
            alarm: alarm.alarm,
        };
        let _ = self.proposer.propose(apply::Request::Alarm(request)).await;
    }

    /// Proposes an alarm request; returns its response once applied.
    async fn alarm(&self, request: AlarmRequest) -> Result<AlarmResponse, tonic::Status> {
        match self.proposer.propose(apply::Request::Alarm(request)).await? {
            apply::Response::Alarm(response) => Ok(response),
            other => Err(services::mismatch(&other)),
        }
    }

    /// The database's size, as `Status` reports it.
    fn db_size(&self) -> i64 {
        i64::try_from(self.store.db_size()).unwrap_or(i64::MAX)
    }
}

/// How a member reaches the other members of its cluster.
#[derive(Debug)]
struct Cluster {
    /// The voters of a new cluster (used when the log is empty).
    voters: Vec<u64>,
    /// Where Raft messages to the other members go.
    network: Arc<dyn Network>,
    /// Raft messages from the other members.
    inbox: tokio::sync::mpsc::Receiver<raft_rs::eraftpb::Message>,
}

impl Cluster {
    /// The cluster of one member, `id`.
    fn alone(id: u64) -> Self {
        // Nobody sends to a member alone: its inbox is closed.
        let (_, inbox) = tokio::sync::mpsc::channel(1);
        Self { voters: vec![id], network: Arc::new(LoneNetwork), inbox }
    }
}

/// How many Raft messages from other members may wait for the node.
const INBOX_CAPACITY: usize = 4096;

/// Listens on an `http://HOST:PORT` URL, from inside a tokio runtime.
fn listen(url: &str) -> std::io::Result<TcpListener> {
    let listener = std::net::TcpListener::bind(crate::raft::transport::peer_address(url))?;
    listener.set_nonblocking(true)?;
    TcpListener::from_std(listener)
}

/// Keeps the lessor in step with this member's Raft role (see
/// [`Leases::set_leader`]) until the node's status ends.
async fn follow_leadership(
    mut node: tokio::sync::watch::Receiver<NodeStatus>,
    leases: Arc<Leases>,
    extend: std::time::Duration,
) {
    let mut leading = true; // the lessor starts promoted
    loop {
        let now = node.borrow_and_update().is_leader;
        if now != leading {
            leading = now;
            leases.set_leader(leading, extend);
        }
        if node.changed().await.is_err() {
            return;
        }
    }
}

/// One store member serving the etcd v3 gRPC protocol; see the [module
/// docs](self).
///
/// It owns the store, the watch hub, the writer task and the lease expiry
/// task. Dropping it without serving stops them.
#[derive(Debug)]
pub struct Server {
    member: Arc<Member>,
    node: Node,
    /// The transport to the other members, if there are any.
    transport: Option<Arc<Transport>>,
    /// The task that promotes and demotes the lessor with the Raft role.
    leadership: tokio::task::JoinHandle<()>,
    writer: Writer,
    expiry: Expiry,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// Starts a member: opens the store in [`Config::data_dir`] (creating
    /// the directory), or in memory without one, and starts its writer,
    /// watch hub and lease expiry task.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`], [`Error::CreateDataDir`],
    /// [`Error::OpenStore`] and [`Error::OpenLog`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn new(config: Config) -> Result<Self> {
        config.validate()?;
        let store = match (&config.data_dir, config.db_path()) {
            (Some(dir), Some(path)) => {
                std::fs::create_dir_all(dir)
                    .map_err(|source| Error::CreateDataDir { path: dir.clone(), source })?;
                mvcc::Store::open(&path).map_err(|source| Error::OpenStore { path, source })?
            }
            _ => mvcc::Store::in_memory()
                .map_err(|source| Error::OpenStore { path: ":memory:".into(), source })?,
        };
        Self::with_store(config, Arc::new(store))
    }

    /// Starts a member on a store opened by the caller. Its write-ahead log
    /// is in the configured data directory ([`Config::wal_dir`]) if there
    /// is one, and the store's commits then wait for the disk only once a
    /// second; without one, the log is kept in memory and every commit of
    /// the store waits for the disk.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] (which covers the watch hub's
    /// configuration, so [`Error::Watch`] does not happen today) and
    /// [`Error::OpenLog`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn with_store(config: Config, store: Arc<mvcc::Store>) -> Result<Self> {
        Self::with_clock(config, store, Clock::system())
    }

    /// [`with_store`](Server::with_store) with lease time read from `clock`.
    fn with_clock(config: Config, store: Arc<mvcc::Store>, clock: Clock) -> Result<Self> {
        config.validate()?;
        if config.initial_cluster.len() <= 1 {
            let alone = Cluster::alone(config.member_id);
            return Self::in_cluster(config, store, clock, alone);
        }
        let url = config.listen_peer_url.clone().unwrap_or_default();
        let listener = listen(&url).map_err(|source| Error::ListenPeers { url, source })?;
        let (inbox_tx, inbox) = tokio::sync::mpsc::channel(INBOX_CAPACITY);
        let transport =
            Arc::new(Transport::start(config.member_id, config.cluster_id, listener, inbox_tx));
        for peer in config.initial_cluster.iter().filter(|peer| peer.id != config.member_id) {
            if let Some(url) = peer.peer_urls.first() {
                transport.set_peer(peer.id, url);
            }
        }
        let network: Arc<dyn Network> = Arc::clone(&transport) as Arc<dyn Network>;
        let cluster = Cluster { voters: config.voters(), network, inbox };
        let mut server = Self::in_cluster(config, store, clock, cluster)?;
        server.transport = Some(transport);
        Ok(server)
    }

    /// Starts a member of `cluster`.
    fn in_cluster(
        config: Config,
        store: Arc<mvcc::Store>,
        clock: Clock,
        cluster: Cluster,
    ) -> Result<Self> {
        config.validate()?;
        let hub = WatchHub::new(Arc::clone(&store), config.watch.clone()).map_err(Error::Watch)?;
        let hub = Arc::new(hub);
        let leases = Arc::new(Leases::start(config.lease, &store, clock));
        let waiters = Arc::new(Waiters::default());
        let (committed_tx, committed) = tokio::sync::mpsc::unbounded_channel();
        let (progress, progress_rx) = tokio::sync::watch::channel(Progress::default());
        let member_progress = progress_rx.clone();
        let Cluster { voters, network, inbox } = cluster;
        let wal_dir = config.wal_dir();
        let node_config = NodeConfig {
            id: config.member_id,
            voters,
            tick: config.heartbeat_interval,
            election_ticks: config.election_ticks(),
            heartbeat_ticks: 1,
            compact_entries: config.snapshot_count,
            wal_dir: wal_dir.clone(),
        };
        let dropped = {
            let waiters = Arc::clone(&waiters);
            Box::new(move |id| waiters.trigger(id, Err(proposer::Failed::NoLeader)))
        };
        let wiring = crate::raft::node::Wiring {
            network,
            inbox,
            committed: committed_tx,
            progress: progress_rx,
            dropped,
        };
        let node = Node::start(node_config, store.applied_index(), wiring).map_err(|error| {
            let path = wal_dir.clone().unwrap_or_else(|| ":memory:".into());
            Error::OpenLog { path, detail: error.to_string() }
        })?;
        let node_status = node.status();
        let writer = Writer::start(WriterParts {
            member: config.member_id,
            store: Arc::clone(&store),
            hub: Arc::clone(&hub),
            header: apply_header(&config, 1),
            limits: config.limits,
            leases: Arc::clone(&leases),
            waiters: Arc::clone(&waiters),
            committed,
            progress,
            node: node_status.clone(),
            wal: wal_dir.is_some(),
        });
        let proposer =
            Proposer::new(config.member_id, node.proposals(), waiters, config.request_timeout);
        let expiry = Expiry::start(Arc::clone(&leases), proposer.clone());
        let leadership = tokio::spawn(follow_leadership(
            node_status.clone(),
            Arc::clone(&leases),
            config.election_timeout.max(lease::ELECTION_TIMEOUT),
        ));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let member = Member {
            config,
            store,
            hub,
            proposer,
            leases,
            node: node_status,
            reads: node.reads(),
            progress: member_progress,
            stop: stopped,
        };
        let member = Arc::new(member);
        Ok(Self { member, node, transport: None, leadership, writer, expiry, stop })
    }

    /// The member's configuration.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.member.config
    }

    /// The member's store.
    #[must_use]
    pub fn store(&self) -> &Arc<mvcc::Store> {
        &self.member.store
    }

    /// The member as a [`Store`](crate::store::Store) used in-process, with
    /// no network hop; see [`EmbeddedStore`].
    #[must_use]
    pub fn embedded(&self) -> EmbeddedStore {
        EmbeddedStore::new(Arc::clone(&self.member))
    }

    /// The member's watch hub, for watching in-process without gRPC. A
    /// handle kept past [`serve`](Server::serve) keeps the hub's task
    /// running until it is dropped.
    #[must_use]
    pub fn watch_hub(&self) -> &Arc<WatchHub> {
        &self.member.hub
    }

    /// Serves clients on `listener` until `shutdown` completes, then shuts
    /// down gracefully (see the [module docs](self#shutting-down)).
    ///
    /// # Errors
    ///
    /// [`Error::Transport`] if serving failed; the member is shut down all
    /// the same.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<()> {
        let max_request =
            self.member.config.limits.max_request_bytes.saturating_add(GRPC_OVERHEAD_BYTES);
        let member = &self.member;
        let kv = KvServer::new(services::KvService(Arc::clone(member)));
        let watch = watch::grpc::WatchServer::new(watch::WatchService(Arc::clone(member)));
        let lease = LeaseServer::new(lease::LeaseService(Arc::clone(member)));
        let maintenance = MaintenanceServer::new(services::MaintenanceService(Arc::clone(member)));
        let cluster = ClusterServer::new(services::ClusterService(Arc::clone(member)));
        let stop = &self.stop;
        let signal = async move {
            shutdown.await;
            // Ends the watch and keep-alive streams, so that connections
            // can drain.
            stop.send_replace(true);
        };
        let served = tonic::transport::Server::builder()
            .add_service(kv.max_decoding_message_size(max_request))
            .add_service(watch.max_decoding_message_size(max_request))
            .add_service(lease.max_decoding_message_size(max_request))
            .add_service(maintenance.max_decoding_message_size(max_request))
            .add_service(cluster.max_decoding_message_size(max_request))
            .serve_with_incoming_shutdown(
                TcpIncoming::from(listener).with_nodelay(Some(true)),
                signal,
            )
            .await;
        self.shutdown().await;
        served.map_err(Error::Transport)
    }

    /// Shuts the member down without serving gRPC (as [`serve`] does once
    /// its `shutdown` future completes): ends the watch and keep-alive
    /// streams, stops the lease expiry task, the writer (after it applied
    /// what was proposed) and the watch hub. [`EmbeddedStore`] handles kept
    /// past this still read, and fail to write.
    ///
    /// [`serve`]: Server::serve
    pub async fn shutdown(self) {
        let Self { member, node, transport, leadership, writer, expiry, stop } = self;
        stop.send_replace(true);
        expiry.stop().await;
        leadership.abort();
        // The node lets what was proposed be applied, then closes the
        // writer's queue; the writer applies it and flushes.
        node.stop(member.config.request_timeout).await;
        writer.stop().await;
        // The node is gone, and with it the other handle on the transport.
        if let Some(transport) = transport.and_then(|transport| Arc::try_unwrap(transport).ok()) {
            transport.stop().await;
        }
        let hub = Arc::clone(&member.hub);
        drop(member);
        // The services and the writer are gone, so this is the last handle;
        // if not, dropping it stops the hub's task as well.
        if let Ok(hub) = Arc::try_unwrap(hub) {
            // Fails only if the task panicked, which has nothing left to stop.
            let _ = hub.shutdown().await;
        }
    }
}
