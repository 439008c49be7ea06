//! Raft replication of the store (tikv/raft-rs): the log, its
//! write-ahead log on disk, the transport between members and the node
//! loop that drives `RawNode`.
//!
//! Every member, a single one included, runs its writes through Raft:
//! propose → append to the log (one `fdatasync` of the write-ahead log per
//! batch) → commit → apply to the engine. The engine commits without
//! syncing; the write-ahead log is what makes an acknowledged write
//! durable, and entries after the engine's last durable commit are applied
//! again from it on restart (applying is idempotent by log index).

pub(crate) mod entry;
#[cfg(test)]
pub(crate) mod linearizability;
pub(crate) mod node;
pub(crate) mod storage;
pub(crate) mod transport;
pub(crate) mod wal;

use raft_rs::eraftpb::Message;

/// Where a member's Raft messages go: the TCP [`transport::Transport`], or
/// an in-process test network that can drop, delay and reorder them.
pub(crate) trait Network: Send + Sync + std::fmt::Debug + 'static {
    /// Queues `messages` for their recipients (`Message::to`). Never
    /// blocks: a message that cannot be queued is dropped (Raft sends it
    /// again), and its recipient is reported by
    /// [`take_unreachable`](Network::take_unreachable).
    fn send(&self, messages: Vec<Message>);

    /// The members that could not be reached since the last call, for
    /// `RawNode::report_unreachable`.
    fn take_unreachable(&self) -> Vec<u64>;
}

/// The network of a member alone in its cluster: there is nobody to send
/// anything to.
#[derive(Debug)]
pub(crate) struct LoneNetwork;

impl Network for LoneNetwork {
    fn send(&self, _: Vec<Message>) {}

    fn take_unreachable(&self) -> Vec<u64> {
        Vec::new()
    }
}
