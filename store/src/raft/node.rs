//! The node loop: one task that owns raft-rs's `RawNode` and drives it in
//! the order raft-rs documents for asynchronous persistence.
//!
//! For every `Ready`:
//!
//! 1. messages that need nothing persisted first (a leader's appends and
//!    heartbeats) go to the [`Network`] at once;
//! 2. committed entries go to the state machine (the member's writer),
//!    which applies them in order and reports back how far it got
//!    ([`Progress`]), so that the node calls `advance_apply_to`;
//! 3. new entries and the hard state go into the in-memory [`LogStorage`]
//!    (raft-rs reads them from there at once) and to the write-ahead log
//!    thread, which appends every job waiting and syncs once, then reports
//!    the Ready's number back; only then are the messages that needed the
//!    persisted state (votes, a follower's append responses) sent, and
//!    `on_persist_ready` lets raft-rs count the entries as persisted.
//!
//! The loop never waits for the disk: proposals that arrive while the log
//! syncs are appended by the next Ready and share the next sync (group
//! commit), and applying overlaps syncing. A member whose writer falls
//! [`MAX_UNAPPLIED`] entries behind stops taking proposals until it
//! catches up.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use raft_rs::eraftpb::{ConfState, Entry, HardState, Message, SnapshotMetadata};
use raft_rs::{RawNode, StateRole, Storage as _};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::Network;
use super::storage::LogStorage;
use super::wal::{Recovered, Wal, WalError};

/// How many proposals the loop takes from its queue at a time.
const MAX_PROPOSALS: usize = 1024;
/// How many entries may be committed and not applied yet before the loop
/// stops taking proposals.
const MAX_UNAPPLIED: u64 = 8192;

/// How a member runs Raft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NodeConfig {
    /// This member's Raft id (its member id).
    pub(crate) id: u64,
    /// The voters of a new cluster; used only when the log is empty.
    pub(crate) voters: Vec<u64>,
    /// How often the node ticks.
    pub(crate) tick: Duration,
    /// Ticks without a leader's heartbeat before a follower campaigns (the
    /// timeout is randomized between this and twice this).
    pub(crate) election_ticks: usize,
    /// Ticks between a leader's heartbeats.
    pub(crate) heartbeat_ticks: usize,
    /// How many applied and durable entries the log keeps before it is
    /// compacted.
    pub(crate) compact_entries: u64,
    /// Where the write-ahead log lives; `None` keeps the log in memory
    /// only (for a member whose engine is in memory too, or that syncs
    /// every commit itself).
    pub(crate) wal_dir: Option<PathBuf>,
}

/// How far the state machine got: reported by the writer to the node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Progress {
    /// The index of the last entry applied (and visible to readers).
    pub(crate) applied: u64,
    /// The index of the last entry the engine holds durably: the log may
    /// be compacted up to it.
    pub(crate) durable: u64,
}

/// What the node says about itself, for `Status` and response headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NodeStatus {
    /// The leader's id, 0 if none is known.
    pub(crate) leader: u64,
    /// The current term.
    pub(crate) term: u64,
    /// The index of the last entry in the log.
    pub(crate) last_index: u64,
    /// The commit index.
    pub(crate) commit: u64,
    /// The index applied by the state machine, as last reported.
    pub(crate) applied: u64,
    /// Whether this member is the leader.
    pub(crate) is_leader: bool,
}

/// A linearizable read waiting for its read index: answered with the
/// commit index the leader confirmed it still leads at. Once the state
/// machine has applied up to it, the read sees every write acknowledged
/// before it started.
pub(crate) type ReadIndex = oneshot::Sender<u64>;

/// A proposal on its way into the log: its id (to answer it if it is
/// dropped) and the entry data.
#[derive(Debug)]
pub(crate) struct Proposed {
    /// The proposal's id.
    pub(crate) id: u64,
    /// The entry data.
    pub(crate) data: Vec<u8>,
}

/// Why a node could not start.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NodeError {
    /// The write-ahead log could not be opened.
    #[error(transparent)]
    Wal(#[from] WalError),
    /// raft-rs refused the configuration or the recovered state.
    #[error("raft: {0}")]
    Raft(#[from] raft_rs::Error),
    /// The write-ahead log's thread could not be started.
    #[error("the write-ahead log thread could not start: {0}")]
    Thread(std::io::Error),
    /// The database is behind the log's compaction point: the entries it
    /// lacks are gone, so it does not belong with this log.
    #[error(
        "the database has applied the log up to index {applied}, but the log is compacted up \
         to {compacted}: the database is not the one this log was written for"
    )]
    Behind {
        /// The database's applied index.
        applied: u64,
        /// The log's compaction point.
        compacted: u64,
    },
}

/// What the node is connected to.
pub(crate) struct Wiring {
    /// Where messages to other members go.
    pub(crate) network: Arc<dyn Network>,
    /// Messages from other members.
    pub(crate) inbox: mpsc::Receiver<Message>,
    /// Committed entries, in order, to the state machine.
    pub(crate) committed: mpsc::UnboundedSender<Vec<Entry>>,
    /// The state machine's progress.
    pub(crate) progress: watch::Receiver<Progress>,
    /// Called with the id of each proposal raft-rs refused (no leader, or
    /// a leader transfer in progress).
    pub(crate) dropped: Box<dyn Fn(u64) + Send>,
}

impl std::fmt::Debug for Wiring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wiring").field("network", &self.network).finish_non_exhaustive()
    }
}

/// The handle on a running node.
#[derive(Debug)]
pub(crate) struct Node {
    proposals: mpsc::Sender<Proposed>,
    reads: mpsc::Sender<ReadIndex>,
    status: watch::Receiver<NodeStatus>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Node {
    /// Opens the log (replaying the write-ahead log, or bootstrapping a new
    /// cluster of [`NodeConfig::voters`]) and starts the loop on the
    /// current runtime. `applied` is the index the state machine holds
    /// durably: committed entries after it are handed to it again.
    pub(crate) fn start(
        config: NodeConfig,
        applied: u64,
        wiring: Wiring,
    ) -> Result<Self, NodeError> {
        let (wal, recovered) = match &config.wal_dir {
            Some(dir) => {
                let (wal, recovered) = Wal::open(dir)?;
                (Some(wal), recovered)
            }
            None => (None, Recovered::default()),
        };
        let fresh = recovered.hard_state == HardState::default()
            && recovered.entries.is_empty()
            && recovered.snapshot.index == 0
            && recovered.conf_state == ConfState::default();
        let mut recovered = recovered;
        if fresh {
            recovered.conf_state.voters = config.voters.clone();
            if applied > 0 {
                // A database without its log (one written before the log
                // existed): the log starts after what it holds, as if
                // compacted there.
                recovered.snapshot.index = applied;
                recovered.snapshot.term = 1;
                recovered.snapshot.set_conf_state(recovered.conf_state.clone());
                recovered.hard_state.term = 1;
                recovered.hard_state.commit = applied;
            }
        } else if applied < recovered.snapshot.index {
            return Err(NodeError::Behind { applied, compacted: recovered.snapshot.index });
        }
        let conf_state = recovered.conf_state.clone();
        // The hard state is saved with the Ready after the one whose
        // entries got committed, so the engine may have applied entries
        // above the commit index the log recorded: they were committed.
        let last_index = recovered.entries.last().map_or(recovered.snapshot.index, |e| e.index);
        let hard_commit = recovered.hard_state.commit;
        recovered.hard_state.commit = hard_commit.max(applied.min(last_index));
        let applied = applied.min(recovered.hard_state.commit);
        let recovered_snapshot = recovered.snapshot.clone();
        let initial_hard_state = recovered.hard_state.clone();
        let storage = LogStorage::new(recovered);
        let mut wal = wal;
        if fresh && let Some(wal) = &mut wal {
            if recovered_snapshot.index > 0 {
                wal.compact(&recovered_snapshot)?;
            }
            wal.set_conf_state(&conf_state)?;
            wal.append(&[], Some(&initial_hard_state))?;
            wal.sync()?;
        }

        let raft_config = raft_rs::Config {
            id: config.id,
            election_tick: config.election_ticks,
            heartbeat_tick: config.heartbeat_ticks,
            applied,
            max_size_per_msg: 1024 * 1024,
            max_inflight_msgs: 256,
            check_quorum: true,
            pre_vote: true,
            ..Default::default()
        };
        let logger = slog::Logger::root(slog::Discard, slog::o!());
        let mut raw = RawNode::new(&raft_config, storage, &logger)?;
        // A sole voter need not wait an election timeout to lead.
        if conf_state.voters == [config.id] && conf_state.learners.is_empty() {
            raw.campaign()?;
        }

        let (proposals_tx, proposals) = mpsc::channel(MAX_PROPOSALS);
        let (reads_tx, reads) = mpsc::channel(MAX_PROPOSALS);
        let (persisted_tx, persisted) = mpsc::unbounded_channel();
        let persister = match wal {
            Some(wal) => Persister::Wal(WalThread::start(wal, persisted_tx)?),
            None => Persister::Memory,
        };
        let (status_tx, status) = watch::channel(NodeStatus::default());
        let (stop, stopped) = oneshot::channel();
        let mut ticker = tokio::time::interval(config.tick);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let looped = Loop {
            raw,
            config,
            wiring,
            proposals,
            reads,
            pending_reads: HashMap::new(),
            next_read: 0,
            ticks: 0,
            persisted,
            persister,
            status: status_tx,
            ticker,
            applied,
            failed: None,
        };
        let task = tokio::spawn(looped.run(stopped));
        Ok(Self {
            proposals: proposals_tx,
            reads: reads_tx,
            status,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The queue of proposals into the log.
    pub(crate) fn proposals(&self) -> mpsc::Sender<Proposed> {
        self.proposals.clone()
    }

    /// The queue of linearizable reads waiting for a read index. A read
    /// whose sender is dropped unanswered could not get one (the node
    /// stopped); one that is never answered had no leader to confirm it:
    /// callers time out.
    pub(crate) fn reads(&self) -> mpsc::Sender<ReadIndex> {
        self.reads.clone()
    }

    /// The node's status, updated after every Ready.
    pub(crate) fn status(&self) -> watch::Receiver<NodeStatus> {
        self.status.clone()
    }

    /// Stops taking proposals, lets those already queued reach the state
    /// machine (for at most `grace`, in case they cannot commit), stops
    /// the write-ahead log after a last sync and waits for the loop to
    /// end. The state machine's queue is closed after that.
    pub(crate) async fn stop(mut self, grace: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let aborter = task.abort_handle();
            if tokio::time::timeout(grace, task).await.is_err() {
                aborter.abort();
            }
        }
    }
}

/// Where persisted state goes.
#[derive(Debug)]
enum Persister {
    /// Nowhere: the log lives in memory only, persisted as soon as it is
    /// appended.
    Memory,
    /// To the write-ahead log's thread.
    Wal(WalThread),
}

/// What the node loop owns.
struct Loop {
    /// The node, which owns the in-memory log (`raw.store()`).
    raw: RawNode<LogStorage>,
    config: NodeConfig,
    wiring: Wiring,
    proposals: mpsc::Receiver<Proposed>,
    reads: mpsc::Receiver<ReadIndex>,
    /// Reads waiting for a read index, by the context given to raft-rs.
    pending_reads: HashMap<u64, PendingRead>,
    next_read: u64,
    /// Ticks so far, to ask again for read indexes that got no answer.
    ticks: u64,
    persisted: mpsc::UnboundedReceiver<Result<Persisted, String>>,
    persister: Persister,
    status: watch::Sender<NodeStatus>,
    ticker: tokio::time::Interval,
    /// The last index applied, as reported by the state machine.
    applied: u64,
    /// Why the node stopped working, once it has.
    failed: Option<String>,
}

impl Loop {
    async fn run(mut self, mut stopped: oneshot::Receiver<()>) {
        let mut draining = false;
        let mut proposals_open = true;
        let mut inbox_open = true;
        let mut messages = Vec::new();
        let mut proposals = Vec::new();
        let mut reads = Vec::new();
        loop {
            let unapplied = self.raw.raft.raft_log.last_index().saturating_sub(self.applied);
            let take_proposals = self.failed.is_none() && unapplied < MAX_UNAPPLIED;
            tokio::select! {
                biased;
                _ = &mut stopped, if !draining => {
                    draining = true;
                    self.proposals.close();
                }
                persisted = self.persisted.recv(), if matches!(self.persister, Persister::Wal(_)) => {
                    match persisted {
                        Some(Ok(persisted)) => self.on_persisted(persisted),
                        Some(Err(why)) => self.fail(why),
                        None => self.fail("the write-ahead log thread ended".to_owned()),
                    }
                }
                changed = self.wiring.progress.changed() => {
                    if changed.is_err() {
                        // The state machine is gone: nothing more can be applied.
                        break;
                    }
                    let progress = *self.wiring.progress.borrow_and_update();
                    self.on_progress(progress);
                }
                _ = self.ticker.tick() => {
                    self.raw.tick();
                    self.ticks += 1;
                    // Reads whose callers gave up are forgotten.
                    self.pending_reads.retain(|_, pending| {
                        pending.waiting.retain(|read| !read.is_closed());
                        !pending.waiting.is_empty()
                    });
                    for id in self.wiring.network.take_unreachable() {
                        self.raw.report_unreachable(id);
                    }
                }
                n = self.wiring.inbox.recv_many(&mut messages, MAX_PROPOSALS), if inbox_open => {
                    if n == 0 {
                        // Nobody will send any more (a member alone).
                        inbox_open = false;
                    } else {
                        for message in messages.drain(..) {
                            // A message raft-rs refuses (from an unknown
                            // term or peer) is just dropped.
                            let _ = self.raw.step(message);
                        }
                    }
                }
                n = self.reads.recv_many(&mut reads, MAX_PROPOSALS), if self.failed.is_none() => {
                    if n > 0 {
                        // One read index for every read waiting.
                        self.next_read += 1;
                        let pending = PendingRead { waiting: std::mem::take(&mut reads), asked: None };
                        self.pending_reads.insert(self.next_read, pending);
                    }
                }
                n = self.proposals.recv_many(&mut proposals, MAX_PROPOSALS), if take_proposals && proposals_open => {
                    if n == 0 {
                        proposals_open = false;
                    }
                    for proposed in proposals.drain(..) {
                        if self.raw.propose(Vec::new(), proposed.data).is_err() {
                            (self.wiring.dropped)(proposed.id);
                        }
                    }
                }
            }
            if self.failed.is_none() {
                self.ask_read_indexes();
                self.on_ready();
            }
            self.publish_status();
            if draining && (!proposals_open || self.failed.is_some()) && self.settled() {
                break;
            }
        }
        // Stop the write-ahead log after its last sync.
        if let Persister::Wal(thread) = std::mem::replace(&mut self.persister, Persister::Memory) {
            thread.stop().await;
        }
    }

    /// Whether everything in the log is applied, or can never be (a
    /// member that is not the leader has no say over its proposals).
    fn settled(&self) -> bool {
        let log = &self.raw.raft.raft_log;
        self.failed.is_some()
            || self.raw.raft.state != StateRole::Leader
            || (self.applied >= log.last_index() && log.persisted >= log.last_index())
    }

    /// Asks raft-rs for a read index for every read waiting that was not
    /// asked for yet, or got no answer for [`READ_RETRY_TICKS`] (raft-rs
    /// drops a read it cannot serve: no leader known, or a new leader that
    /// has not committed an entry of its term yet).
    fn ask_read_indexes(&mut self) {
        let raft = &self.raw.raft;
        let ready = if raft.state == StateRole::Leader {
            raft.commit_to_current_term()
        } else {
            raft.leader_id != 0
        };
        if !ready || self.pending_reads.is_empty() {
            return;
        }
        let now = self.ticks;
        for (context, pending) in &mut self.pending_reads {
            if pending.asked.is_none_or(|asked| now >= asked + READ_RETRY_TICKS) {
                pending.asked = Some(now);
                self.raw.read_index(context.to_be_bytes().to_vec());
            }
        }
    }

    fn fail(&mut self, why: String) {
        self.failed.get_or_insert(why);
        // Nobody will take these any more.
        self.proposals.close();
    }

    /// Handles every Ready raft-rs has.
    fn on_ready(&mut self) {
        while self.raw.has_ready() {
            let mut ready = self.raw.ready();
            let messages = ready.take_messages();
            if !messages.is_empty() {
                self.wiring.network.send(messages);
            }
            if !ready.snapshot().is_empty() {
                // Installing a leader's snapshot comes with the transport
                // of snapshot data; until then a member that needs one
                // cannot go on.
                self.fail("installing a snapshot from the leader is not supported yet".to_owned());
                return;
            }
            for read in ready.take_read_states() {
                let context = read.request_ctx.as_slice().try_into().map(u64::from_be_bytes);
                if let Some(pending) = context.ok().and_then(|ctx| self.pending_reads.remove(&ctx))
                {
                    for waiter in pending.waiting {
                        let _ = waiter.send(read.index);
                    }
                }
            }
            let committed = ready.take_committed_entries();
            if !committed.is_empty() && self.wiring.committed.send(committed).is_err() {
                self.fail("the state machine is gone".to_owned());
                return;
            }
            let entries = ready.take_entries();
            if !entries.is_empty()
                && let Err(error) = self.raw.store().append(&entries)
            {
                self.fail(format!("appending to the log failed: {error}"));
                return;
            }
            let hard_state = ready.hs().cloned();
            if let Some(hard_state) = &hard_state {
                self.raw.store().set_hard_state(hard_state.clone());
            }
            let after = ready.take_persisted_messages();
            let number = ready.number();
            // New entries, a new term or vote must reach the disk before
            // anyone hears of them; a commit index alone need not (it is
            // learnt again after a crash).
            let sync = ready.must_sync();
            self.raw.advance_append_async(ready);
            match &self.persister {
                Persister::Memory => self.on_persisted(Persisted { number, messages: after }),
                Persister::Wal(_)
                    if entries.is_empty() && hard_state.is_none() && after.is_empty() => {}
                Persister::Wal(thread) => {
                    let job = Job::Persist { number, entries, hard_state, messages: after, sync };
                    if thread.send(job).is_err() {
                        self.fail("the write-ahead log thread ended".to_owned());
                        return;
                    }
                }
            }
        }
    }

    fn on_persisted(&mut self, persisted: Persisted) {
        self.raw.on_persist_ready(persisted.number);
        if !persisted.messages.is_empty() {
            self.wiring.network.send(persisted.messages);
        }
    }

    fn on_progress(&mut self, progress: Progress) {
        let committed = self.raw.raft.raft_log.committed;
        let applied = progress.applied.min(committed);
        if applied > self.applied {
            self.applied = applied;
            self.raw.advance_apply_to(applied);
        }
        self.compact(progress.durable.min(self.applied));
    }

    /// Compacts the log up to `durable` once it keeps
    /// [`NodeConfig::compact_entries`] entries at or below it.
    fn compact(&mut self, durable: u64) {
        let Ok(first) = self.raw.store().first_index() else { return };
        if durable < first || durable - first + 1 < self.config.compact_entries.max(1) {
            return;
        }
        match self.raw.store().compact(durable) {
            Ok(point) => {
                if let Persister::Wal(thread) = &self.persister
                    && thread.send(Job::Compact(point)).is_err()
                {
                    self.fail("the write-ahead log thread ended".to_owned());
                }
            }
            Err(error) => self.fail(format!("compacting the log failed: {error}")),
        }
    }

    fn publish_status(&self) {
        let raft = &self.raw.raft;
        let status = NodeStatus {
            leader: raft.leader_id,
            term: raft.term,
            last_index: raft.raft_log.last_index(),
            commit: raft.raft_log.committed,
            applied: self.applied,
            is_leader: raft.state == StateRole::Leader,
        };
        self.status.send_if_modified(|current| {
            let changed = *current != status;
            *current = status;
            changed
        });
    }
}

/// How many ticks a read index request may go unanswered before it is
/// asked for again.
const READ_RETRY_TICKS: u64 = 4;

/// Reads that share one read index request.
#[derive(Debug)]
struct PendingRead {
    waiting: Vec<ReadIndex>,
    /// The tick it was last asked for at, if it was.
    asked: Option<u64>,
}

/// A Ready whose state is durable, and the messages that waited for it.
#[derive(Debug)]
struct Persisted {
    number: u64,
    messages: Vec<Message>,
}

/// Work for the write-ahead log thread.
#[derive(Debug)]
enum Job {
    /// A Ready's entries and hard state; answered with [`Persisted`].
    Persist {
        number: u64,
        entries: Vec<Entry>,
        hard_state: Option<HardState>,
        messages: Vec<Message>,
        /// Whether it must be synced before it counts as persisted.
        sync: bool,
    },
    /// The log was compacted up to this point.
    Compact(SnapshotMetadata),
}

/// The thread that owns the [`Wal`]: it appends every job waiting, syncs
/// once and reports the last Ready number persisted.
#[derive(Debug)]
struct WalThread {
    jobs: std::sync::mpsc::Sender<Job>,
    thread: std::thread::JoinHandle<()>,
}

impl WalThread {
    fn start(
        wal: Wal,
        persisted: mpsc::UnboundedSender<Result<Persisted, String>>,
    ) -> Result<Self, NodeError> {
        let (jobs, queue) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("keelson-wal".into())
            .spawn(move || wal_thread(wal, &queue, &persisted))
            .map_err(NodeError::Thread)?;
        Ok(Self { jobs, thread })
    }

    fn send(&self, job: Job) -> Result<(), Job> {
        self.jobs.send(job).map_err(|error| error.0)
    }

    /// Ends the thread once it has synced every job sent.
    async fn stop(self) {
        let Self { jobs, thread } = self;
        drop(jobs);
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
    }
}

fn wal_thread(
    mut wal: Wal,
    queue: &std::sync::mpsc::Receiver<Job>,
    persisted: &mpsc::UnboundedSender<Result<Persisted, String>>,
) {
    while let Ok(first) = queue.recv() {
        let mut done = Persisted { number: 0, messages: Vec::new() };
        let mut any = false;
        let mut must_sync = false;
        let mut result = Ok(());
        for job in std::iter::once(first).chain(std::iter::from_fn(|| queue.try_recv().ok())) {
            if result.is_err() {
                break;
            }
            match job {
                Job::Persist { number, entries, hard_state, messages, sync } => {
                    result = wal.append(&entries, hard_state.as_ref());
                    done.number = number;
                    done.messages.extend(messages);
                    any = true;
                    must_sync |= sync;
                }
                Job::Compact(point) => result = wal.compact(&point),
            }
        }
        if must_sync && result.is_ok() {
            result = wal.sync();
        }
        let answer = match result {
            Ok(()) if any => Ok(done),
            Ok(()) => continue,
            Err(error) => Err(error.to_string()),
        };
        let failed = answer.is_err();
        if persisted.send(answer).is_err() || failed {
            return;
        }
    }
}
