//! The write path of one member: propose → commit → apply, on Raft.
//!
//! 1. *Propose*: [`Proposer::propose`] registers a waiter under a fresh
//!    proposal id and sends the request, encoded with that id and the
//!    member's id as a log entry ([`entry::Proposal`]), to the Raft node.
//! 2. *Commit*: the node ([`raft::node`]) appends it to the log, syncs the
//!    write-ahead log, replicates it, and hands committed entries to the
//!    writer in log order.
//! 3. *Apply*: the writer applies committed entries in index order with
//!    [`apply::Applier::apply_in`], hands the lease changes to the lessor
//!    ([`Leases::observe`]) and the events to the watch hub, and answers
//!    the waiter registered under the entry's proposal id, if this member
//!    proposed it — never the proposal at the head of some queue, so
//!    answers reach the right caller whatever order entries come back in.
//!
//! The writer is one task. It takes whatever committed entries are queued
//! and applies them on a blocking thread, in one engine
//! [`Batch`](mvcc::Batch), in memory, and seals it. The flusher task writes
//! each sealed batch to redb in one transaction while the writer applies
//! the next one (pipelining); a batch's answers, watch events and lease
//! changes are released after it is flushed, in log order, and the node
//! hears how far the writer got ([`Progress`]).
//!
//! With a write-ahead log, an entry is durable before it is applied, so
//! redb commits without an fsync and syncs at most every
//! [`SYNC_INTERVAL`]; on restart the node hands the entries after redb's
//! last durable commit to the writer again, and applying them is
//! idempotent by log index. Without one (a member in memory, or on a
//! store opened by the caller), every flush syncs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use raft_rs::eraftpb::{Entry, EntryType};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use super::lease::Leases;
use crate::raft::entry;
use crate::raft::node::{NodeStatus, Progress, Proposed};
use crate::watch::WatchHub;
use crate::{apply, mvcc};

/// How long redb may go without an fsync when a write-ahead log keeps the
/// entries durable.
pub(super) const SYNC_INTERVAL: Duration = Duration::from_secs(1);

/// Why a proposal has no response.
#[derive(Debug)]
pub(super) enum Failed {
    /// Applying it failed: an etcd error answering the request, or a fatal
    /// storage error.
    Apply(apply::Error),
    /// The member stopped before the proposal was applied.
    Stopped,
    /// The writer failed (panicked) while applying the proposal's batch.
    Panicked,
    /// It was applied, but making its batch durable failed: whether it
    /// survives a restart is unknown.
    Unsynced(String),
    /// Raft refused it: no leader is known (or one is being transferred).
    NoLeader,
    /// It was not applied within the request timeout (the leader may have
    /// changed and dropped it); it may still be applied later.
    TimedOut,
    /// The member stopped applying entries after a storage failure.
    Broken(String),
}

impl From<Failed> for tonic::Status {
    fn from(failed: Failed) -> Self {
        match failed {
            // Request errors keep etcd's code and message; fatal ones are Internal.
            Failed::Apply(error) => error.into(),
            Failed::Stopped => tonic::Status::unavailable("etcdserver: server stopped"),
            Failed::Panicked => tonic::Status::internal(
                "keelson-store: the writer failed while applying the request",
            ),
            Failed::Unsynced(detail) => tonic::Status::internal(format!(
                "keelson-store: {detail} while committing; the request may or may not be applied"
            )),
            Failed::NoLeader => tonic::Status::unavailable("etcdserver: no leader"),
            Failed::TimedOut => tonic::Status::unavailable("etcdserver: request timed out"),
            Failed::Broken(detail) => tonic::Status::internal(format!(
                "keelson-store: the member stopped applying after a storage failure: {detail}"
            )),
        }
    }
}

/// What a proposer waits for.
type Answer = Result<apply::Response, Failed>;

/// The callers waiting for their proposals, by proposal id (etcd's `wait`).
#[derive(Debug)]
pub(super) struct Waiters {
    next_id: AtomicU64,
    pending: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
}

impl Default for Waiters {
    /// Ids start from the clock, in milliseconds, shifted 20 bits up: ids
    /// of entries proposed before a restart (applied again after it) do not
    /// meet the new ones unless a member proposed a million requests per
    /// millisecond.
    fn default() -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        let millis = u64::try_from(now.as_millis()).unwrap_or(u64::MAX >> 20);
        Self { next_id: AtomicU64::new(millis << 20), pending: Mutex::default() }
    }
}

impl Waiters {
    fn pending(&self) -> MutexGuard<'_, HashMap<u64, oneshot::Sender<Answer>>> {
        // Map operations do not panic halfway.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh proposal id and the receiver of its answer.
    fn register(&self) -> (u64, oneshot::Receiver<Answer>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending().insert(id, tx);
        (id, rx)
    }

    /// Answers the proposal `id`, if anyone still waits for it.
    pub(super) fn trigger(&self, id: u64, answer: Answer) {
        if let Some(tx) = self.pending().remove(&id) {
            // The caller may have gone away (its client hung up): fine.
            let _ = tx.send(answer);
        }
    }

    fn forget(&self, id: u64) {
        self.pending().remove(&id);
    }

    /// Answers everyone still waiting with `answer`.
    fn fail_all(&self, answer: impl Fn() -> Failed) {
        for (_, tx) in self.pending().drain() {
            let _ = tx.send(Err(answer()));
        }
    }
}

/// Forgets a waiter whose caller stopped waiting.
struct Registration<'a> {
    waiters: &'a Waiters,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.waiters.forget(self.id);
    }
}

/// Proposes requests to the Raft node; cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct Proposer {
    member: u64,
    tx: mpsc::Sender<Proposed>,
    waiters: Arc<Waiters>,
    timeout: Duration,
}

impl Proposer {
    /// Proposes through `tx` as member `member`; answers come through
    /// `waiters`, or [`Failed::TimedOut`] after `timeout`.
    pub(super) fn new(
        member: u64,
        tx: mpsc::Sender<Proposed>,
        waiters: Arc<Waiters>,
        timeout: Duration,
    ) -> Self {
        Self { member, tx, waiters, timeout }
    }

    /// Proposes `request` and waits until it is applied.
    pub(super) async fn propose(&self, request: apply::Request) -> Answer {
        let (id, answer) = self.waiters.register();
        let _registration = Registration { waiters: &self.waiters, id };
        let data = entry::Proposal { member: self.member, id, request }.into_data();
        self.tx.send(Proposed { id, data }).await.map_err(|_| Failed::Stopped)?;
        match tokio::time::timeout(self.timeout, answer).await {
            Ok(answer) => answer.map_err(|_| Failed::Stopped)?,
            Err(_) => Err(Failed::TimedOut),
        }
    }
}

/// What the apply step needs; shared with the blocking threads.
#[derive(Debug)]
struct Apply {
    member: u64,
    store: Arc<mvcc::Store>,
    hub: Arc<WatchHub>,
    waiters: Arc<Waiters>,
    leases: Arc<Leases>,
    header: apply::Header,
    limits: apply::Limits,
    /// The node's status, for the term in response headers.
    node: watch::Receiver<NodeStatus>,
}

/// Each applied entry's waiter (if this member proposed it) and outcome,
/// in log order, until they are released.
type Outcomes = Vec<(Option<u64>, Result<apply::Applied, Failed>)>;

/// A batch applied in memory: the sealed engine batch, its outcomes and
/// the index of its last entry.
struct Applied {
    sealed: mvcc::Sealed,
    outcomes: Outcomes,
    last_index: u64,
}

impl Apply {
    /// Applies committed entries in one engine batch, in memory. Returns
    /// the batch to flush and the outcomes to [`release`](Apply::release)
    /// once it is flushed, or why applying must stop (a fatal storage
    /// error, or an entry that does not decode: applying anything after it
    /// would make this member differ from the others).
    fn batch(&self, entries: Vec<Entry>) -> (Applied, Option<String>) {
        let mut header = self.header;
        header.raft_term = self.node.borrow().term.max(1);
        let applier = (apply::Applier::new(&self.store).header(header))
            .limits(self.limits)
            .leases(self.leases.config());
        let mut batch = self.store.batch();
        let mut outcomes = Vec::with_capacity(entries.len());
        let mut last_index = 0;
        let mut broken: Option<String> = None;
        for entry in entries {
            let index = entry.index;
            if let Some(why) = &broken {
                // Not applied: applying stopped at an earlier entry.
                if let Some(id) = self.waiter_of(&entry) {
                    outcomes.push((Some(id), Err(Failed::Broken(why.clone()))));
                }
                continue;
            }
            if entry.get_entry_type() != EntryType::EntryNormal || entry.data.is_empty() {
                // A new leader's empty entry; membership changes are the
                // node's.
                last_index = index;
                continue;
            }
            let proposal = match entry::Proposal::decode(&entry.data) {
                Ok(proposal) => proposal,
                Err(error) => {
                    broken = Some(format!("log entry {index}: {error}"));
                    continue;
                }
            };
            let waiter = (proposal.member == self.member).then_some(proposal.id);
            let outcome = match applier.apply_in(&mut batch, index, proposal.request) {
                // Applied before a restart: nobody waits for it.
                Ok(None) => None,
                Ok(Some(applied)) => Some(Ok(applied)),
                Err(error) if error.is_fatal() => {
                    broken = Some(format!("log entry {index}: {error}"));
                    outcomes.push((waiter, Err(Failed::Apply(error))));
                    continue;
                }
                Err(error) => Some(Err(Failed::Apply(error))),
            };
            if let Some(outcome) = outcome {
                outcomes.push((waiter, outcome));
            }
            last_index = index;
        }
        (Applied { sealed: batch.seal(), outcomes, last_index }, broken)
    }

    /// The proposal id of an entry this member proposed.
    fn waiter_of(&self, entry: &Entry) -> Option<u64> {
        if entry.data.is_empty() {
            return None;
        }
        let proposal = entry::Proposal::decode(&entry.data).ok()?;
        (proposal.member == self.member).then_some(proposal.id)
    }

    /// Answers the entries of a batch once it is flushed: hands the lease
    /// changes to the lessor and the events to the watchers, in log order,
    /// then answers the waiters. Nothing of a batch is released before it
    /// is visible; if flushing it failed, its waiters are answered with
    /// [`Failed::Unsynced`].
    fn release(&self, outcomes: Outcomes, committed: &Result<(), String>) {
        for (waiter, outcome) in outcomes {
            let answer = match (outcome, committed) {
                (Ok(applied), Ok(())) => {
                    if let Some(change) = applied.lease {
                        self.leases.observe(change);
                    }
                    self.hub.notify(applied.revision, applied.events);
                    Ok(applied.response)
                }
                (Ok(_), Err(detail)) => Err(Failed::Unsynced(detail.clone())),
                (Err(failed), _) => Err(failed),
            };
            if let Some(id) = waiter {
                self.waiters.trigger(id, answer);
            }
        }
    }
}

/// What the writer is wired to.
#[derive(Debug)]
pub(super) struct WriterParts {
    /// This member's id: entries it proposed are answered here.
    pub(super) member: u64,
    pub(super) store: Arc<mvcc::Store>,
    pub(super) hub: Arc<WatchHub>,
    pub(super) header: apply::Header,
    pub(super) limits: apply::Limits,
    pub(super) leases: Arc<Leases>,
    pub(super) waiters: Arc<Waiters>,
    /// Committed entries from the node.
    pub(super) committed: mpsc::UnboundedReceiver<Vec<Entry>>,
    /// Where the writer reports how far it got.
    pub(super) progress: watch::Sender<Progress>,
    /// The node's status.
    pub(super) node: watch::Receiver<NodeStatus>,
    /// Whether a write-ahead log keeps committed entries durable, so that
    /// redb may sync less often.
    pub(super) wal: bool,
}

/// The handle on the writer and flusher tasks; see [`Writer::stop`].
#[derive(Debug)]
pub(super) struct Writer {
    task: JoinHandle<()>,
    flusher: JoinHandle<()>,
}

impl Writer {
    /// Starts the writer on the current runtime.
    pub(super) fn start(parts: WriterParts) -> Self {
        let WriterParts {
            member,
            store,
            hub,
            header,
            limits,
            leases,
            waiters,
            committed,
            progress,
            node,
            wal,
        } = parts;
        let applied = store.applied_index();
        progress.send_replace(Progress { applied, durable: applied });
        let apply = Apply { member, store, hub, waiters, leases, header, limits, node };
        let apply = Arc::new(apply);
        let (sealed, to_flush) = mpsc::channel(FLUSH_DEPTH);
        let flusher = Flusher {
            apply: Arc::clone(&apply),
            progress,
            wal,
            last_sync: tokio::time::Instant::now(),
            unsynced: false,
        };
        let flusher = tokio::spawn(flusher.run(to_flush));
        let task = tokio::spawn(Task { committed, apply, sealed, broken: None }.run());
        Self { task, flusher }
    }

    /// Waits for the tasks to end: they end once the node has stopped
    /// (closing the queue of committed entries) and everything it handed
    /// over is applied and flushed, with a last fsync.
    pub(super) async fn stop(self) {
        // A panic in the tasks has already failed their proposals.
        let _ = self.task.await;
        let _ = self.flusher.await;
    }
}

/// How many sealed batches may wait for the flusher while it flushes: the
/// writer applies the next batches in memory while the disk syncs, and the
/// flusher flushes all that waited at once.
const FLUSH_DEPTH: usize = 64;

/// A batch to flush, with what to release after.
type Flush = Applied;

/// The flusher task: flushes sealed batches in order on a blocking thread,
/// all those waiting at once merged into one redb transaction, then
/// releases their outcomes and reports progress. Ends when the writer task
/// is gone and everything is flushed.
///
/// With a write-ahead log, a flush syncs only if the last sync is
/// [`SYNC_INTERVAL`] old, and what was flushed since is synced after that
/// long without flushes.
struct Flusher {
    apply: Arc<Apply>,
    progress: watch::Sender<Progress>,
    /// Whether redb may defer its fsyncs.
    wal: bool,
    /// When redb last synced (or last tried to).
    last_sync: tokio::time::Instant,
    /// Whether something was flushed since without a sync.
    unsynced: bool,
}

impl Flusher {
    async fn run(mut self, mut sealed: mpsc::Receiver<Flush>) {
        let mut waiting = Vec::new();
        loop {
            let received = tokio::select! {
                n = sealed.recv_many(&mut waiting, FLUSH_DEPTH) => n,
                () = tokio::time::sleep_until(self.last_sync + SYNC_INTERVAL), if self.unsynced => {
                    // Nothing came for a while: make what was flushed durable.
                    self.sync().await;
                    continue;
                }
            };
            if received == 0 {
                break;
            }
            let mut group: Option<Flush> = None;
            for next in std::mem::take(&mut waiting) {
                group = Some(match group {
                    None => next,
                    // The writer seals one batch after the other, so they
                    // merge; if one did not, the group so far is flushed on
                    // its own.
                    Some(mut group) => match group.sealed.merge(next.sealed) {
                        Ok(()) => {
                            group.outcomes.extend(next.outcomes);
                            group.last_index = group.last_index.max(next.last_index);
                            group
                        }
                        Err(sealed) => {
                            self.flush_one(group).await;
                            Applied { sealed, ..next }
                        }
                    },
                });
            }
            if let Some(group) = group {
                self.flush_one(group).await;
            }
        }
        if self.unsynced {
            self.sync().await;
        }
    }

    /// Flushes one (possibly merged) batch on a blocking thread, syncing
    /// unless a write-ahead log keeps it durable and a sync is not due;
    /// releases its outcomes and reports progress.
    async fn flush_one(&mut self, mut batch: Flush) {
        if self.wal && self.last_sync.elapsed() < SYNC_INTERVAL {
            batch.sealed.defer_sync();
        }
        let synced = batch.sealed.syncs();
        let store = Arc::clone(&self.apply.store);
        let sealed = batch.sealed;
        let flushed = tokio::task::spawn_blocking(move || store.flush(sealed)).await;
        let committed = match flushed {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err("the flush panicked".to_owned()),
        };
        let ok = committed.is_ok();
        self.apply.release(batch.outcomes, &committed);
        if !ok {
            return;
        }
        // Without a write-ahead log every flush is durable (one that
        // changed nothing has nothing to sync).
        let durable = synced || !self.wal;
        self.progress.send_modify(|progress| {
            progress.applied = progress.applied.max(batch.last_index);
            if durable {
                progress.durable = progress.durable.max(batch.last_index);
            }
        });
        if synced {
            self.last_sync = tokio::time::Instant::now();
            self.unsynced = false;
        } else if self.wal {
            self.unsynced = true;
        }
    }

    /// Makes every flushed batch durable and reports it; after a failure
    /// it tries again an interval later.
    async fn sync(&mut self) {
        let store = Arc::clone(&self.apply.store);
        let synced = tokio::task::spawn_blocking(move || store.sync()).await;
        self.last_sync = tokio::time::Instant::now();
        if matches!(synced, Ok(Ok(()))) {
            self.unsynced = false;
            self.progress.send_modify(|progress| progress.durable = progress.applied);
        }
    }
}

struct Task {
    committed: mpsc::UnboundedReceiver<Vec<Entry>>,
    apply: Arc<Apply>,
    /// To the flusher task.
    sealed: mpsc::Sender<Flush>,
    /// Why applying stopped, once it has.
    broken: Option<String>,
}

impl Task {
    async fn run(mut self) {
        let mut batches = Vec::new();
        while self.committed.recv_many(&mut batches, 64).await > 0 {
            let entries: Vec<Entry> = batches.drain(..).flatten().collect();
            self.apply(entries).await;
        }
        // Nothing more will be applied: answer whoever still waits.
        drop(self.sealed);
        let broken = self.broken.take();
        self.apply.waiters.fail_all(|| match &broken {
            Some(why) => Failed::Broken(why.clone()),
            None => Failed::Stopped,
        });
    }

    /// Applies entries on a blocking thread, in order, and hands the batch
    /// to the flusher; waits only if the flusher is [`FLUSH_DEPTH`]
    /// batches behind.
    async fn apply(&mut self, entries: Vec<Entry>) {
        if let Some(why) = &self.broken {
            for entry in &entries {
                if let Some(id) = self.apply.waiter_of(entry) {
                    self.apply.waiters.trigger(id, Err(Failed::Broken(why.clone())));
                }
            }
            return;
        }
        let apply = Arc::clone(&self.apply);
        let applied = tokio::task::spawn_blocking(move || apply.batch(entries)).await;
        match applied {
            Ok((applied, broken)) => {
                self.broken = broken;
                if let Err(mpsc::error::SendError(applied)) = self.sealed.send(applied).await {
                    // The flusher is gone (it panicked): nothing is flushed
                    // any more.
                    self.apply.release(applied.outcomes, &Err("the flusher stopped".to_owned()));
                }
            }
            Err(_) => {
                // A panic: the engine batch is lost, so nothing can be
                // applied on top of it; whoever waits will not be answered.
                self.apply.waiters.fail_all(|| Failed::Panicked);
                self.broken = Some("the writer panicked".to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, DB_FILE, Server, WAL_DIR};
    use super::*;
    use crate::pb::etcdserverpb::PutRequest;

    fn put(key: &str) -> apply::Request {
        apply::Request::Put(PutRequest {
            key: key.into(),
            value: b"v".to_vec(),
            ..Default::default()
        })
    }

    #[test]
    fn failures_answer_with_etcds_codes_and_fatal_ones_with_internal() {
        let status = |failed| tonic::Status::from(failed);
        let refused = status(Failed::Apply(apply::Error::KeyNotProvided));
        assert_eq!(refused.code(), tonic::Code::InvalidArgument);
        let fatal = apply::Error::from(mvcc::Error::Corrupted { detail: "bad page".into() });
        let fatal = status(Failed::Apply(fatal));
        assert_eq!(
            (fatal.code(), fatal.message()),
            (tonic::Code::Internal, "storage is corrupted: bad page")
        );
        assert_eq!(status(Failed::Stopped).code(), tonic::Code::Unavailable);
        assert_eq!(status(Failed::Panicked).code(), tonic::Code::Internal);
        let no_leader = status(Failed::NoLeader);
        assert_eq!(
            (no_leader.code(), no_leader.message()),
            (tonic::Code::Unavailable, "etcdserver: no leader")
        );
        let timed_out = status(Failed::TimedOut);
        assert_eq!(timed_out.message(), "etcdserver: request timed out");
        assert_eq!(status(Failed::Broken("x".into())).code(), tonic::Code::Internal);
        let unsynced =
            status(Failed::Unsynced("storage failed to commit a batch of writes".into()));
        assert_eq!(unsynced.code(), tonic::Code::Internal);
        assert!(unsynced.message().contains("may or may not be applied"), "{}", unsynced.message());
    }

    #[tokio::test]
    async fn answers_go_to_the_proposal_they_belong_to() {
        let waiters = Waiters::default();
        let (a, rx_a) = waiters.register();
        let (b, rx_b) = waiters.register();
        assert_ne!(a, b);
        // Answer in the opposite order of registration.
        waiters.trigger(b, Err(Failed::NoLeader));
        waiters.trigger(a, Err(Failed::TimedOut));
        assert!(matches!(rx_a.await, Ok(Err(Failed::TimedOut))));
        assert!(matches!(rx_b.await, Ok(Err(Failed::NoLeader))));
        let (c, _rx) = waiters.register();
        drop(Registration { waiters: &waiters, id: c });
        assert!(waiters.pending().is_empty(), "a caller that left is forgotten");
        let (_, rx) = waiters.register();
        waiters.fail_all(|| Failed::Stopped);
        assert!(matches!(rx.await, Ok(Err(Failed::Stopped))));
    }

    #[test]
    fn ids_start_from_the_clock_so_that_a_restart_does_not_reuse_them() {
        let before = Waiters::default();
        let (first, _rx) = before.register();
        std::thread::sleep(Duration::from_millis(2)); // the clock must move on
        let after = Waiters::default();
        let (second, _rx) = after.register();
        assert!(second > first + (1 << 20), "{first} then {second}");
    }

    #[tokio::test]
    async fn the_member_resumes_after_the_applied_index_and_refuses_after_stop() {
        let store = Arc::new(mvcc::Store::in_memory().unwrap());
        for index in 1..=3 {
            store.write(index).unwrap().unwrap().commit().unwrap();
        }
        let server = Server::with_store(Config::default(), Arc::clone(&store)).unwrap();
        let proposer = server.member.proposer.clone();
        let answer = proposer.propose(put("a")).await;
        let Ok(apply::Response::Put(response)) = answer else {
            panic!("the put is applied: {answer:?}");
        };
        assert_eq!(response.header.unwrap().revision, 2);
        let after_put = store.applied_index();
        assert!(after_put > 3, "the log goes on after the applied index: {after_put}");
        let refused = proposer.propose(apply::Request::Put(PutRequest::default())).await;
        let status = tonic::Status::from(refused.unwrap_err());
        assert_eq!(status.message(), "etcdserver: key is not provided");
        assert_eq!(store.applied_index(), after_put + 1, "a refused request still uses its index");
        server.shutdown().await;
        let status = tonic::Status::from(proposer.propose(put("b")).await.unwrap_err());
        assert_eq!(
            (status.code(), status.message()),
            (tonic::Code::Unavailable, "etcdserver: server stopped")
        );
    }

    #[tokio::test]
    async fn concurrent_proposals_share_one_append_and_one_commit() {
        let store = Arc::new(mvcc::Store::in_memory().unwrap());
        let server = Server::with_store(Config::default(), Arc::clone(&store)).unwrap();
        let proposer = server.member.proposer.clone();
        let before = store.durable_commits();
        // On this single-threaded runtime every proposal is queued before
        // the node runs again.
        let mut proposals = tokio::task::JoinSet::new();
        for i in 0..64 {
            let proposer = proposer.clone();
            proposals.spawn(async move { proposer.propose(put(&format!("k{i:02}"))).await });
        }
        let mut revisions = Vec::new();
        while let Some(answer) = proposals.join_next().await {
            let Ok(Ok(apply::Response::Put(response))) = answer else {
                panic!("every put is applied");
            };
            revisions.push(response.header.unwrap().revision);
        }
        revisions.sort_unstable();
        assert_eq!(revisions, (2..66).collect::<Vec<i64>>(), "one revision each");
        let syncs = store.durable_commits() - before;
        assert!(syncs < 8, "64 concurrent puts took {syncs} engine commits");
        assert_eq!(store.current_revision(), 65);
        server.shutdown().await;
    }

    #[tokio::test]
    async fn writes_are_durable_through_the_write_ahead_log_and_replayed_on_restart() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::default().data_dir(dir.path());
        let server = Server::new(config.clone()).unwrap();
        let proposer = server.member.proposer.clone();
        for i in 0..20 {
            proposer.propose(put(&format!("k{i:02}"))).await.unwrap();
        }
        let store = Arc::clone(server.store());
        assert_eq!(store.current_revision(), 21);
        // Stop without the shutdown's last sync: the engine may be behind,
        // the log is not.
        std::mem::forget(server);
        drop(store);
        // (The forgotten member still holds the database open; open a copy.)
        let copy = tempfile::tempdir().unwrap();
        std::fs::copy(dir.path().join(DB_FILE), copy.path().join(DB_FILE)).unwrap();
        copy_dir(&dir.path().join(WAL_DIR), &copy.path().join(WAL_DIR));
        let server = Server::new(Config::default().data_dir(copy.path())).unwrap();
        let store = Arc::clone(server.store());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while store.current_revision() < 21 {
            assert!(tokio::time::Instant::now() < deadline, "the log is replayed");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(store.current_revision(), 21, "replayed once, not twice");
        server.shutdown().await;
    }

    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}
