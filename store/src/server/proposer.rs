//! The write path of one member: propose → commit → apply.
//!
//! 1. *Propose*: [`Proposer::propose`] registers a waiter under a fresh
//!    proposal id and sends the request, tagged with that id, to the
//!    writer.
//! 2. *Commit*: the writer gives each proposal the next log index
//!    ([`Log::append`]). With one member this is immediate; Raft will put
//!    its replicated log here, and entries will carry the proposal id.
//! 3. *Apply*: the writer applies entries in index order with
//!    [`apply::Applier::apply_in`], hands the lease change to the lessor
//!    ([`Leases::observe`]) and the events to the watch hub, and
//!    answers the waiter registered under the entry's proposal id — never
//!    the proposal at the head of some queue, so answers reach the right
//!    caller whatever order entries come back in.
//!
//! The writer is one task. It takes whatever proposals are queued (up to
//! [`MAX_BATCH`]) and applies them on a blocking thread, since applying
//! waits for the disk, in one engine [`Batch`](mvcc::Batch), in memory,
//! and seals it. The flusher task writes each sealed batch to redb in one
//! transaction with one fsync ([`mvcc::Store::flush`]) while the writer
//! applies the next one: the proposals that queue up while a batch waits
//! for the disk share the next fsync (group commit), and applying overlaps
//! syncing (pipelining). A batch's answers, watch events and lease changes
//! are released only after its fsync, in log order.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::lease::Leases;
use crate::watch::WatchHub;
use crate::{apply, mvcc};

/// How many proposals the writer applies in one go at most.
const MAX_BATCH: usize = 256;
/// How many proposals may queue for the writer before proposers wait.
const QUEUE_CAPACITY: usize = 1024;

/// Why a proposal has no response.
#[derive(Debug)]
pub(super) enum Failed {
    /// Applying it failed: an etcd error answering the request, or a fatal
    /// storage error.
    Apply(apply::Error),
    /// The writer stopped before the proposal was applied.
    Stopped,
    /// The writer failed (panicked) while applying the proposal's batch.
    Panicked,
    /// Its log index had been applied before, so it was not applied.
    Replayed(u64),
    /// It was applied, but making its batch durable failed: whether it
    /// survives a restart is unknown.
    Unsynced(String),
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
            Failed::Replayed(index) => tonic::Status::internal(format!(
                "keelson-store: log index {index} was applied before; the request was not applied"
            )),
            Failed::Unsynced(detail) => tonic::Status::internal(format!(
                "keelson-store: {detail} while committing; the request may or may not be applied"
            )),
        }
    }
}

/// What a proposer waits for.
type Answer = Result<apply::Response, Failed>;

/// A request on its way to the log, tagged with its proposal id.
#[derive(Debug)]
struct Proposal {
    id: u64,
    request: apply::Request,
}

/// A committed proposal: its log index and what it carries.
#[derive(Debug, PartialEq)]
struct Entry {
    index: u64,
    id: u64,
    request: apply::Request,
}

/// The single member's log: hands out consecutive indexes. Pure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Log {
    last_index: u64,
}

impl Log {
    /// A log whose last entry is the last applied one.
    fn new(applied_index: u64) -> Self {
        Self { last_index: applied_index }
    }

    /// Commits a proposal at the next index.
    fn append(&mut self, proposal: Proposal) -> Entry {
        self.last_index += 1;
        Entry { index: self.last_index, id: proposal.id, request: proposal.request }
    }

    /// Forgets entries after `applied_index`: they were not applied (a
    /// fatal error), so their indexes are handed out again.
    fn truncate(&mut self, applied_index: u64) {
        self.last_index = applied_index;
    }
}

/// The callers waiting for their proposals, by proposal id (etcd's `wait`).
#[derive(Debug, Default)]
struct Waiters {
    next_id: AtomicU64,
    pending: Mutex<HashMap<u64, oneshot::Sender<Answer>>>,
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
    fn trigger(&self, id: u64, answer: Answer) {
        if let Some(tx) = self.pending().remove(&id) {
            // The caller may have gone away (its client hung up): fine.
            let _ = tx.send(answer);
        }
    }

    fn forget(&self, id: u64) {
        self.pending().remove(&id);
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

/// Proposes requests to the writer; cheap to clone.
#[derive(Clone, Debug)]
pub(super) struct Proposer {
    tx: mpsc::Sender<Proposal>,
    waiters: Arc<Waiters>,
}

impl Proposer {
    /// Proposes `request` and waits until it is applied.
    pub(super) async fn propose(&self, request: apply::Request) -> Answer {
        let (id, answer) = self.waiters.register();
        let _registration = Registration { waiters: &self.waiters, id };
        self.tx.send(Proposal { id, request }).await.map_err(|_| Failed::Stopped)?;
        answer.await.map_err(|_| Failed::Stopped)?
    }
}

/// What the apply step needs; shared with the blocking threads.
#[derive(Debug)]
struct Apply {
    store: Arc<mvcc::Store>,
    hub: Arc<WatchHub>,
    waiters: Arc<Waiters>,
    leases: Arc<Leases>,
    header: apply::Header,
    limits: apply::Limits,
}

impl Apply {
    /// Commits and applies a batch of proposals in one engine batch, in
    /// memory. Returns the log after the batch, the sealed batch to flush
    /// (one redb transaction, one fsync) and the outcomes to
    /// [`release`](Apply::release) once it is flushed.
    fn batch(&self, mut log: Log, proposals: Vec<Proposal>) -> (Log, mvcc::Sealed, Outcomes) {
        let applier = (apply::Applier::new(&self.store).header(self.header))
            .limits(self.limits)
            .leases(self.leases.config());
        let mut batch = self.store.batch();
        let mut outcomes = Vec::with_capacity(proposals.len());
        for proposal in proposals {
            let entry = log.append(proposal);
            let outcome = match applier.apply_in(&mut batch, entry.index, entry.request) {
                Ok(Some(applied)) => Ok(applied),
                Ok(None) => {
                    log.truncate(batch.applied_index());
                    Err(Failed::Replayed(entry.index))
                }
                Err(error) => {
                    if error.is_fatal() {
                        log.truncate(batch.applied_index());
                    }
                    Err(Failed::Apply(error))
                }
            };
            outcomes.push((entry.id, outcome));
        }
        (log, batch.seal(), outcomes)
    }

    /// Answers the proposals of a batch once it is committed: hands the
    /// lease changes to the lessor and the events to the watchers, in log
    /// order, then answers the waiters. Nothing of a batch is released
    /// before it is durable; if committing it failed, its applied
    /// proposals are answered with [`Failed::Unsynced`].
    ///
    /// Runs on the writer's task rather than on the blocking thread, so
    /// that waking the callers does not cross threads one by one.
    fn release(&self, outcomes: Outcomes, committed: &Result<(), String>) {
        for (id, outcome) in outcomes {
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
            self.waiters.trigger(id, answer);
        }
    }
}

/// Each proposal's id and outcome, in log order, until they are released.
type Outcomes = Vec<(u64, Result<apply::Applied, Failed>)>;

/// The handle on the writer and flusher tasks; see [`Writer::stop`].
#[derive(Debug)]
pub(super) struct Writer {
    task: JoinHandle<()>,
    flusher: JoinHandle<()>,
    stop: oneshot::Sender<()>,
}

impl Writer {
    /// Starts the writer on the current runtime; its log resumes after the
    /// store's applied index.
    pub(super) fn start(
        store: Arc<mvcc::Store>,
        hub: Arc<WatchHub>,
        header: apply::Header,
        limits: apply::Limits,
        leases: Arc<Leases>,
    ) -> (Proposer, Self) {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let (stop, stopped) = oneshot::channel();
        let waiters = Arc::new(Waiters::default());
        let log = Log::new(store.applied_index());
        let apply = Apply { store, hub, waiters: Arc::clone(&waiters), leases, header, limits };
        let apply = Arc::new(apply);
        let (sealed, to_flush) = mpsc::channel(FLUSH_DEPTH);
        let flusher = tokio::spawn(flush(Arc::clone(&apply), to_flush));
        let task = tokio::spawn(Task { rx, stopped, apply, log, sealed }.run());
        (Proposer { tx, waiters }, Self { task, flusher, stop })
    }

    /// Refuses new proposals, applies the queued ones, flushes them and
    /// waits for the tasks to end. Dropping the handle stops them the same
    /// way, without waiting.
    pub(super) async fn stop(self) {
        let _ = self.stop.send(());
        // A panic in the tasks has already failed their proposals.
        let _ = self.task.await;
        let _ = self.flusher.await;
    }
}

/// How many sealed batches may wait for the flusher while it flushes: the
/// writer applies the next batches in memory while the disk syncs, and the
/// flusher flushes all that waited with one fsync.
const FLUSH_DEPTH: usize = 64;

/// A sealed batch and the outcomes to release once it is flushed.
type Flush = (mvcc::Sealed, Outcomes);

/// The flusher task: flushes sealed batches in order on a blocking thread,
/// all those waiting at once merged into one redb transaction with one
/// fsync, then releases their outcomes. Ends when the writer task is gone
/// and everything is flushed.
async fn flush(apply: Arc<Apply>, mut sealed: mpsc::Receiver<Flush>) {
    let mut waiting = Vec::new();
    while sealed.recv_many(&mut waiting, FLUSH_DEPTH).await > 0 {
        let mut group: Option<Flush> = None;
        for (next, more) in std::mem::take(&mut waiting) {
            group = Some(match group {
                None => (next, more),
                // The writer seals one batch after the other, so they merge;
                // if one did not, the group so far is flushed on its own.
                Some((mut batch, mut outcomes)) => match batch.merge(next) {
                    Ok(()) => {
                        outcomes.extend(more);
                        (batch, outcomes)
                    }
                    Err(next) => {
                        flush_one(&apply, batch, outcomes).await;
                        (next, more)
                    }
                },
            });
        }
        if let Some((batch, outcomes)) = group {
            flush_one(&apply, batch, outcomes).await;
        }
    }
}

/// Flushes one (possibly merged) sealed batch on a blocking thread, then
/// releases its outcomes.
async fn flush_one(apply: &Arc<Apply>, batch: mvcc::Sealed, outcomes: Outcomes) {
    let store = Arc::clone(&apply.store);
    let flushed = tokio::task::spawn_blocking(move || store.flush(batch)).await;
    let committed = match flushed {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("the flush panicked".to_owned()),
    };
    apply.release(outcomes, &committed);
}

/// Where the writer task is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Taking proposals.
    Running,
    /// Told to stop: applying what is queued, refusing the rest.
    Draining,
    /// Done.
    Stopped,
}

struct Task {
    rx: mpsc::Receiver<Proposal>,
    stopped: oneshot::Receiver<()>,
    apply: Arc<Apply>,
    log: Log,
    /// To the flusher task.
    sealed: mpsc::Sender<Flush>,
}

impl Task {
    async fn run(mut self) {
        let mut state = State::Running;
        while state != State::Stopped {
            state = self.step(state).await;
        }
    }

    async fn step(&mut self, state: State) -> State {
        let mut batch = Vec::new();
        match state {
            State::Running => tokio::select! {
                biased;
                _ = &mut self.stopped => {
                    self.rx.close();
                    State::Draining
                }
                n = self.rx.recv_many(&mut batch, MAX_BATCH) => {
                    if n == 0 {
                        return State::Stopped; // every proposer is gone
                    }
                    self.apply(batch).await;
                    State::Running
                }
            },
            State::Draining => {
                if self.rx.recv_many(&mut batch, MAX_BATCH).await == 0 {
                    return State::Stopped;
                }
                self.apply(batch).await;
                State::Draining
            }
            State::Stopped => State::Stopped,
        }
    }

    /// Applies a batch on a blocking thread, in order, and hands it to the
    /// flusher; waits only if the flusher is [`FLUSH_DEPTH`] batches
    /// behind.
    async fn apply(&mut self, batch: Vec<Proposal>) {
        let ids: Vec<u64> = batch.iter().map(|proposal| proposal.id).collect();
        let apply = Arc::clone(&self.apply);
        let log = self.log;
        let applied = tokio::task::spawn_blocking(move || apply.batch(log, batch)).await;
        match applied {
            Ok((log, sealed, outcomes)) => {
                self.log = log;
                if let Err(mpsc::error::SendError((_, outcomes))) =
                    self.sealed.send((sealed, outcomes)).await
                {
                    // The flusher is gone (it panicked): nothing is flushed
                    // any more.
                    self.apply.release(outcomes, &Err("the flusher stopped".to_owned()));
                }
            }
            Err(_) => {
                // A panic: answer everyone, and carry on from what the store
                // has applied (in memory: the next batch flushes it).
                for id in ids {
                    self.apply.waiters.trigger(id, Err(Failed::Panicked));
                }
                let store = Arc::clone(&self.apply.store);
                let applied = tokio::task::spawn_blocking(move || store.batch().applied_index());
                self.log = Log::new(applied.await.unwrap_or(self.log.last_index));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lease::Clock;
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
    fn the_log_hands_out_consecutive_indexes_and_rewinds_after_a_failure() {
        let mut log = Log::new(5);
        let first = log.append(Proposal { id: 40, request: put("a") });
        let second = log.append(Proposal { id: 41, request: put("b") });
        assert_eq!((first.index, first.id), (6, 40));
        assert_eq!((second.index, second.id), (7, 41));
        assert_eq!(first.request, put("a"));
        log.truncate(6);
        assert_eq!(log.append(Proposal { id: 42, request: put("c") }).index, 7);
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
        assert_eq!(status(Failed::Replayed(3)).code(), tonic::Code::Internal);
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
        waiters.trigger(b, Err(Failed::Replayed(2)));
        waiters.trigger(a, Err(Failed::Replayed(1)));
        assert!(matches!(rx_a.await, Ok(Err(Failed::Replayed(1)))));
        assert!(matches!(rx_b.await, Ok(Err(Failed::Replayed(2)))));
        let (c, _rx) = waiters.register();
        drop(Registration { waiters: &waiters, id: c });
        assert!(waiters.pending().is_empty(), "a caller that left is forgotten");
    }

    #[tokio::test]
    async fn the_writer_resumes_after_the_applied_index_and_refuses_after_stop() {
        let store = Arc::new(mvcc::Store::in_memory().unwrap());
        for index in 1..=3 {
            store.write(index).unwrap().unwrap().commit().unwrap();
        }
        let hub = Arc::new(WatchHub::new(Arc::clone(&store), Default::default()).unwrap());
        let leases = Leases::start(Default::default(), &store, Clock::system());
        let (proposer, writer) = Writer::start(
            Arc::clone(&store),
            hub,
            apply::Header::default(),
            Default::default(),
            Arc::new(leases),
        );
        let Ok(apply::Response::Put(response)) = proposer.propose(put("a")).await else {
            panic!("the put is applied");
        };
        assert_eq!(response.header.unwrap().revision, 2);
        assert_eq!(store.applied_index(), 4);
        let refused = proposer.propose(apply::Request::Put(PutRequest::default())).await;
        let status = tonic::Status::from(refused.unwrap_err());
        assert_eq!(status.message(), "etcdserver: key is not provided");
        assert_eq!(store.applied_index(), 5, "a refused request still uses its index");
        writer.stop().await;
        let status = tonic::Status::from(proposer.propose(put("b")).await.unwrap_err());
        assert_eq!(
            (status.code(), status.message()),
            (tonic::Code::Unavailable, "etcdserver: server stopped")
        );
    }

    #[tokio::test]
    async fn concurrent_proposals_share_one_fsync() {
        let store = Arc::new(mvcc::Store::in_memory().unwrap());
        let hub = Arc::new(WatchHub::new(Arc::clone(&store), Default::default()).unwrap());
        let leases = Arc::new(Leases::start(Default::default(), &store, Clock::system()));
        let (proposer, writer) =
            Writer::start(Arc::clone(&store), hub, Default::default(), Default::default(), leases);
        let before = store.durable_commits();
        // On this single-threaded runtime every proposal is queued before
        // the writer runs again.
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
        assert!(syncs < 8, "64 concurrent puts took {syncs} fsyncs");
        assert_eq!(store.current_revision(), 65);
        writer.stop().await;
    }
}
