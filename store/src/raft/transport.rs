//! The peer transport: Raft messages between members over TCP.
//!
//! Each member listens on its peer address and dials every other member;
//! a connection carries messages one way, from the dialer to the acceptor.
//! The protocol (frame layout in [`frame`]):
//!
//! 1. Every frame is a 4-byte big-endian body length, then the body: one
//!    byte of frame type and the payload. A body MUST NOT be empty or
//!    longer than 64 MiB ([`frame::MAX_FRAME_LEN`]); a receiver closes the
//!    connection on such a length before it reads the body.
//! 2. The dialer MUST send a handshake frame first: the magic bytes
//!    `KLRT`, the protocol version, its member id and its cluster id.
//! 3. The acceptor MUST close the connection, without answering, when the
//!    first frame is not a handshake of this version or names another
//!    cluster, or when it does not arrive within 5 s. Otherwise it answers
//!    with its own handshake.
//! 4. The dialer MUST close the connection when the answer names another
//!    cluster or another member than the one it meant to reach (a wrong
//!    address), and counts the member unreachable.
//! 5. Then the dialer sends message frames (type 1, one protobuf-encoded
//!    `eraftpb.Message` each) and the acceptor MUST NOT send anything. The
//!    acceptor closes the connection on an unknown frame type or a message
//!    that does not decode, and drops messages not addressed to it.
//! 6. A member keeps at most one inbound connection per dialing member: a
//!    new handshake from the same member closes the older connection.
//!
//! Frame type 2 is kept for chunks of a snapshot's data. Until those
//! exist, a message whose frame would exceed the 64 MiB limit (a large
//! snapshot) is dropped and its recipient reported unreachable.
//!
//! Sending never waits: each peer has a queue of [`QUEUE_CAPACITY`]
//! messages drained by a writer task of its own, which writes everything
//! queued with one flush. A message that finds the queue full is dropped.
//! When a connection breaks (a write fails or times out after 5 s, or the
//! peer closes it) the batch being written is lost; when dialing fails the
//! messages that waited for it are dropped. Either way the writer reports
//! the peer unreachable and dials again after 50 ms, doubling up to 2 s
//! while dialing keeps failing. Inbound connections each have a
//! reader task that forwards messages to the inbox; a full inbox slows
//! that connection only.

mod frame;
mod inbound;
mod outbound;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use raft_rs::eraftpb::Message;
use tokio::net::TcpListener;
use tokio::runtime::Handle;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use super::Network;

/// How many messages wait for one peer at most; more are dropped.
pub(crate) const QUEUE_CAPACITY: usize = 4096;

/// Why a connection was refused or ended. Nothing reports these yet: the
/// connection is dropped and, on the sending side, the peer counted
/// unreachable.
#[derive(Debug, thiserror::Error)]
enum Error {
    /// Reading from or writing to the connection failed.
    #[error("connection I/O failed")]
    Io(#[from] io::Error),
    /// The other side closed the connection, or sent bytes it must not.
    #[error("connection closed by the other side")]
    Closed,
    /// A frame's length was zero, over the limit, or not a handshake's.
    #[error("frame length of {0} bytes refused")]
    FrameLength(u64),
    /// A frame of an unknown type, or a handshake where none belongs.
    #[error("frame type {0} refused")]
    FrameType(u8),
    /// The handshake's magic bytes or version are not ours.
    #[error("handshake with wrong magic bytes or protocol version")]
    Magic,
    /// The other side belongs to another cluster.
    #[error("the other side belongs to cluster {0:#x}")]
    OtherCluster(u64),
    /// The dialed address answered as another member.
    #[error("member {0} answered at this address")]
    OtherMember(u64),
    /// A message did not encode or decode.
    #[error("message does not encode or decode")]
    Codec(#[source] protobuf::ProtobufError),
    /// Dialing, a handshake or a write took too long.
    #[error("timed out")]
    Timeout,
}

type Result<T, E = Error> = std::result::Result<T, E>;

/// Sends Raft messages to the other members and receives theirs.
///
/// Its tasks run on the Tokio runtime that [`start`](Transport::start) was
/// called on; the other methods may be called from any thread. Dropping it
/// aborts them without waiting; [`stop`](Transport::stop) waits.
#[derive(Debug)]
pub(crate) struct Transport {
    shared: Arc<Shared>,
}

/// What the transport and its tasks share.
#[derive(Debug)]
struct Shared {
    id: u64,
    cluster_id: u64,
    peers: Mutex<HashMap<u64, Peer>>,
    unreachable: Mutex<BTreeSet<u64>>,
    connections: Mutex<inbound::Connections>,
    tasks: Mutex<Tasks>,
}

/// A member messages are sent to.
#[derive(Debug)]
struct Peer {
    /// `host:port`.
    address: String,
    queue: mpsc::Sender<Message>,
    writer: AbortHandle,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.writer.abort();
    }
}

/// Every task of a transport: the accept loop, readers and writers.
#[derive(Debug)]
struct Tasks {
    runtime: Handle,
    set: JoinSet<()>,
    stopped: bool,
}

impl Shared {
    /// Spawns a task of this transport, unless it is stopping.
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) -> Option<AbortHandle> {
        let mut tasks = lock(&self.tasks);
        if tasks.stopped {
            return None;
        }
        // Forget the tasks that ended, so that the set does not grow.
        while tasks.set.try_join_next().is_some() {}
        let Tasks { runtime, set, .. } = &mut *tasks;
        Some(set.spawn_on(task, runtime))
    }

    fn mark_unreachable(&self, id: u64) {
        lock(&self.unreachable).insert(id);
    }
}

impl Transport {
    /// Starts serving peers on `listener` (inbound messages for member `id`
    /// of cluster `cluster_id` go to `inbox`); sends to nobody until
    /// [`set_peer`](Transport::set_peer). Must be called within a Tokio
    /// runtime.
    pub(crate) fn start(
        id: u64,
        cluster_id: u64,
        listener: TcpListener,
        inbox: mpsc::Sender<Message>,
    ) -> Self {
        let tasks = Tasks { runtime: Handle::current(), set: JoinSet::new(), stopped: false };
        let shared = Arc::new(Shared {
            id,
            cluster_id,
            peers: Mutex::default(),
            unreachable: Mutex::default(),
            connections: Mutex::default(),
            tasks: Mutex::new(tasks),
        });
        shared.spawn(inbound::accept_loop(shared.clone(), listener, inbox));
        Self { shared }
    }

    /// Sends to member `id` at `address` (`host:port`, or an URL such as
    /// `http://127.0.0.1:2380`) from now on.
    ///
    /// A new address closes the connection to the old one and drops what
    /// was queued for it; the same address again changes nothing. This
    /// member's own id is ignored.
    pub(crate) fn set_peer(&self, id: u64, address: &str) {
        if id == self.shared.id {
            return;
        }
        let address = peer_address(address);
        let mut peers = lock(&self.shared.peers);
        if peers.get(&id).is_some_and(|peer| peer.address == address) {
            return;
        }
        let (queue, queued) = mpsc::channel(QUEUE_CAPACITY);
        let writer = outbound::Writer::new(self.shared.clone(), id, address.to_owned(), queued);
        let Some(writer) = self.shared.spawn(writer.run()) else { return };
        // Replacing the old peer aborts its writer.
        peers.insert(id, Peer { address: address.to_owned(), queue, writer });
    }

    /// Stops sending to member `id` and closes its connection.
    #[cfg_attr(not(test), expect(dead_code, reason = "removing a member is not there yet"))]
    pub(crate) fn remove_peer(&self, id: u64) {
        lock(&self.shared.peers).remove(&id);
    }

    /// Stops serving and sending; waits for the tasks to end.
    pub(crate) async fn stop(self) {
        let mut set = {
            let mut tasks = lock(&self.shared.tasks);
            tasks.stopped = true;
            std::mem::take(&mut tasks.set)
        };
        lock(&self.shared.peers).clear();
        set.shutdown().await;
    }
}

impl Drop for Transport {
    fn drop(&mut self) {
        let mut tasks = lock(&self.shared.tasks);
        tasks.stopped = true;
        tasks.set.abort_all();
    }
}

impl Network for Transport {
    fn send(&self, messages: Vec<Message>) {
        if messages.is_empty() {
            return;
        }
        let peers = lock(&self.shared.peers);
        for message in messages {
            let to = message.to;
            let queued = peers.get(&to).is_some_and(|peer| peer.queue.try_send(message).is_ok());
            if !queued {
                self.shared.mark_unreachable(to);
            }
        }
    }

    fn take_unreachable(&self) -> Vec<u64> {
        std::mem::take(&mut *lock(&self.shared.unreachable)).into_iter().collect()
    }
}

/// The `host:port` of a peer address given as such or as an URL
/// (`http://host:port/path`).
pub(crate) fn peer_address(address: &str) -> &str {
    let rest = address.split_once("://").map_or(address, |(_, rest)| rest);
    rest.split_once('/').map_or(rest, |(authority, _)| authority)
}

/// Locks a mutex, also when a panicking thread poisoned it: the data it
/// guards stays consistent between statements.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
