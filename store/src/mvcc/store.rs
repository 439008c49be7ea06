//! The engine: the key index in memory, the history in redb.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::backend::{AlarmChange, Backend, LeaseChange, Reader};
use super::codec::Entry;
use super::flush::Flushing;
use super::index::{self, Index};
use super::lease::Leases;
use super::range::{self, RangeOptions, RangeResult};
use super::write::Write;
use super::{Alarm, Error, KeyValue, Result, Revision};

/// What the engine holds in memory, behind one lock.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) index: Index,
    pub(crate) current_revision: i64,
    pub(crate) compact_revision: i64,
    pub(crate) applied_index: u64,
    pub(crate) leases: Leases,
    /// The active alarms.
    pub(crate) alarms: BTreeSet<Alarm>,
}

/// The writer's side of the store, behind the writer lock: how far writes
/// have been applied, including those of an open [`Batch`] that readers do
/// not see yet.
#[derive(Debug)]
pub(crate) struct Tail {
    /// The revision of the last applied write.
    pub(crate) revision: i64,
    /// The log index of the last applied write.
    pub(crate) applied_index: u64,
    /// What the writes applied since the last seal will write to redb.
    pub(crate) buffer: Buffer,
    /// How many batches have been sealed (see [`Sealed`](super::Sealed)).
    pub(crate) sealed: u64,
}

/// The writes of a batch, buffered for one redb transaction.
#[derive(Debug, Default)]
pub(crate) struct Buffer {
    /// Encoded changes, in revision order.
    pub(crate) rows: Vec<(Revision, Vec<u8>)>,
    /// The pairs the puts among them wrote, for later writes of the batch
    /// that read them before they reach redb.
    pub(crate) values: HashMap<Revision, KeyValue>,
    /// Lease grants and revocations, in order.
    pub(crate) leases: Vec<LeaseChange>,
    /// Alarms raised and cleared, in order.
    pub(crate) alarms: Vec<AlarmChange>,
    /// Whether a write was applied since the last flush (if only to record
    /// its index).
    pub(crate) applied: bool,
}

/// Changes of a [`Write`] not committed yet: the newest state of each key it
/// touched (`None` once deleted), visible at `revision`, on top of the
/// store as of `base` (the revision the write started from).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pending<'a> {
    pub(crate) revision: i64,
    pub(crate) base: i64,
    pub(crate) overlay: &'a BTreeMap<Vec<u8>, Option<KeyValue>>,
    /// The pairs written earlier in the batch, not in redb yet.
    pub(crate) unflushed: &'a HashMap<Revision, KeyValue>,
}

/// An MVCC key-value store with etcd's data model; see the [module
/// docs](super).
///
/// Reads run concurrently with each other and with writes; writes and
/// compactions run one at a time.
pub struct Store {
    backend: Backend,
    state: RwLock<State>,
    /// Held by the open [`Write`], [`Batch`] or compaction.
    writer: Mutex<Tail>,
    /// Sealed batches on their way to redb.
    pub(crate) flushing: Arc<Flushing>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("Store")
            .field("current_revision", &state.current_revision)
            .field("compact_revision", &state.compact_revision)
            .field("applied_index", &state.applied_index)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store in the redb file at `path`, creating it if it does
    /// not exist (its directory must), and rebuilds the key index from it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::with_backend(Backend::open(path.as_ref())?)
    }

    /// A store that lives in memory only.
    pub fn in_memory() -> Result<Self> {
        Self::with_backend(Backend::in_memory()?)
    }

    fn with_backend(backend: Backend) -> Result<Self> {
        let mut index = Index::default();
        // The lease of every live key, for the lease attachments.
        let mut live = BTreeMap::new();
        let loaded = backend.load(|rev, entry| match entry {
            Entry::Put { key, create_revision, version, lease, .. } => {
                index.restore(key, rev, create_revision, version);
                live.insert(key.to_vec(), lease);
            }
            Entry::Tombstone { key } => {
                // A tombstone whose put was compacted away has nothing to end.
                index.tombstone(key, rev);
                live.remove(key);
            }
        })?;
        let meta = loaded.meta;
        Ok(Self {
            backend,
            state: RwLock::new(State {
                index,
                current_revision: meta.current_revision,
                compact_revision: meta.compact_revision,
                applied_index: meta.applied_index,
                leases: Leases::restore(loaded.leases, meta.last_lease_id, live),
                alarms: loaded.alarms,
            }),
            writer: Mutex::new(Tail {
                revision: meta.current_revision,
                applied_index: meta.applied_index,
                buffer: Buffer::default(),
                sealed: 0,
            }),
            flushing: Arc::default(),
        })
    }

    /// Rebuilds the store from its database, as reopening it would.
    #[cfg(test)]
    pub(crate) fn reload(self) -> Result<Self> {
        Self::with_backend(self.backend)
    }

    pub(crate) fn state(&self) -> RwLockReadGuard<'_, State> {
        // Index updates cannot panic halfway, so a poisoned lock holds a
        // consistent state.
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn state_mut(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for the open write, batch or compaction to finish. The tail is
    /// only changed after the state it describes, so a poisoned lock holds
    /// a tail that is still right.
    pub(crate) fn lock_writer(&self) -> MutexGuard<'_, Tail> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// How many commits have waited for the disk since the store was
    /// opened: with group commit, fewer than the writes applied.
    pub fn durable_commits(&self) -> u64 {
        self.backend.syncs()
    }

    /// The size of the database in bytes, as a space quota measures it: the
    /// length of its file (0 if the file cannot be examined), or of the
    /// memory an in-memory store holds. It grows as history is written, in
    /// steps (the database allocates space ahead), and a compaction frees
    /// space inside it for later writes rather than shrinking it.
    pub fn db_size(&self) -> u64 {
        self.backend.size()
    }

    /// The revision of the last write; 1 for an empty store.
    pub fn current_revision(&self) -> i64 {
        self.state().current_revision
    }

    /// The revision of the last compaction; reads below it fail. 0 before
    /// the first compaction.
    pub fn compact_revision(&self) -> i64 {
        self.state().compact_revision
    }

    /// The log index of the last applied write; 0 for a new store.
    pub fn applied_index(&self) -> u64 {
        self.state().applied_index
    }

    /// Reads a range; see [`RangeOptions`] for the request and
    /// [`RangeResult`] for the answer.
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`] for an empty key, [`Error::Compacted`] or
    /// [`Error::FutureRevision`] for a revision that cannot be read, and the
    /// fatal storage errors.
    pub fn range(&self, opts: &RangeOptions) -> Result<RangeResult> {
        self.read_range(opts, None)
    }

    /// Reads a range, as the pending write would see it when given.
    pub(crate) fn read_range(
        &self,
        opts: &RangeOptions,
        pending: Option<Pending<'_>>,
    ) -> Result<RangeResult> {
        if opts.key.is_empty() {
            return Err(Error::KeyNotProvided);
        }
        let state = self.state();
        let current = pending.map_or(state.current_revision, |p| p.revision);
        let at = range::resolve_revision(opts.revision, current, state.compact_revision)?;
        // The pending changes are visible at the revision they will commit at.
        let overlay = pending.filter(|p| at > p.base).map(|p| p.overlay);
        let fetch = if opts.count_only { 0 } else { opts.fetch_limit().unwrap_or(usize::MAX) };
        let (count, sources) = select(&state.index, opts, at, overlay, fetch);
        if opts.count_only {
            return Ok(range::finish(opts, Vec::new(), count, current));
        }
        let Some(pending) = pending else {
            // Open the snapshot while the index is locked: it then holds
            // every revision the index points at, even if a compaction
            // follows.
            let reader = self.backend.reader()?;
            drop(state);
            let kvs = sources
                .into_iter()
                .map(|source| source.key_value(&reader))
                .collect::<Result<Vec<_>>>()?;
            return Ok(range::finish(opts, kvs, count, current));
        };
        // The writer reads what no reader sees yet: compactions wait for it,
        // and the snapshot is opened only after the unflushed writes were
        // looked at (see `Store::stored`).
        drop(state);
        let mut reader = None;
        let kvs = sources
            .into_iter()
            .map(|source| match source {
                Source::Stored(rev) => self.stored(pending.unflushed, &mut reader, rev),
                Source::Pending(kv) => Ok(kv.clone()),
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(range::finish(opts, kvs, count, current))
    }

    /// Opens the write transaction that applies the log entry at
    /// `applied_index`, or `None` if that index has been applied already
    /// (see the [module docs](super) for the protocol). Its commit is
    /// durable and visible when it returns. Waits while another write, a
    /// batch or a compaction is in progress.
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for checks such as a space quota.
    pub fn write(&self, applied_index: u64) -> Result<Option<Write<'_>>> {
        let tail = self.lock_writer();
        if applied_index <= tail.applied_index {
            return Ok(None);
        }
        Ok(Some(Write::new(self, WriterGuard::Own(tail), applied_index)))
    }

    /// Opens a batch: writes applied through it share one fsync (group
    /// commit). See [`Batch`]. Waits while another write, a batch or a
    /// compaction is in progress.
    pub fn batch(&self) -> Batch<'_> {
        Batch { store: self, tail: self.lock_writer() }
    }
}

/// Writes applied one after the other that share one durable commit: etcd's
/// batched backend transaction, and the group commit of a member that
/// applies many proposals at once.
///
/// Each [`Write`] opened with [`Batch::write`] is committed in order and
/// seen by the writes after it (its changes are kept in memory), but
/// readers of the store, its [`current_revision`](Store::current_revision)
/// and its history see none of them until [`Batch::commit`] has written
/// them all to redb in one transaction with one fsync. Answer the requests
/// a batch applied only after its commit.
///
/// A compaction inside a batch ([`Batch::compact`]) first commits the
/// writes before it the same way.
///
/// Dropping a batch without committing it leaves its writes applied but
/// neither durable nor visible until the next commit of the store; if the
/// process dies first they are lost, as is their applied index, so they
/// are applied again on restart.
///
/// ```
/// use keelson_store::mvcc::{self, RangeOptions};
///
/// let store = mvcc::Store::in_memory()?;
/// let mut batch = store.batch();
/// for (index, value) in [(1, "a"), (2, "b")] {
///     let mut write = batch.write(index)?.expect("a new index");
///     write.put("k", value, 0)?;
///     write.commit()?;
/// }
/// assert_eq!(batch.revision(), 3);
/// assert_eq!(store.current_revision(), 1, "nothing is visible before the commit");
/// batch.commit()?;
/// assert_eq!(store.range(&RangeOptions::key("k"))?.kvs[0].value, b"b");
/// assert_eq!((store.current_revision(), store.applied_index()), (3, 2));
/// # Ok::<(), mvcc::Error>(())
/// ```
#[derive(Debug)]
pub struct Batch<'a> {
    store: &'a Store,
    tail: MutexGuard<'a, Tail>,
}

impl<'a> Batch<'a> {
    pub(super) fn store(&self) -> &'a Store {
        self.store
    }

    pub(super) fn tail_mut(&mut self) -> &mut Tail {
        &mut self.tail
    }
}

impl Batch<'_> {
    /// Opens the write that applies the log entry at `applied_index` inside
    /// this batch, or `None` if that index has been applied already (by the
    /// store or earlier in this batch). Its [`Write::commit`] is seen by
    /// later writes of the batch, and by readers after [`Batch::commit`].
    ///
    /// # Errors
    ///
    /// None today, as [`Store::write`].
    pub fn write(&mut self, applied_index: u64) -> Result<Option<Write<'_>>> {
        if applied_index <= self.tail.applied_index {
            return Ok(None);
        }
        Ok(Some(Write::new(self.store, WriterGuard::Batch(&mut self.tail), applied_index)))
    }

    /// Compacts history at `revision`, as [`Store::compact`], checking it
    /// against the revision the batch has reached.
    ///
    /// # Errors
    ///
    /// As [`Store::compact`].
    pub fn compact(&mut self, revision: i64) -> Result<()> {
        self.store.compact_locked(&mut self.tail, revision)
    }

    /// The revision of the last write applied, in this batch or before it.
    #[must_use]
    pub fn revision(&self) -> i64 {
        self.tail.revision
    }

    /// The log index of the last write applied, in this batch or before it.
    #[must_use]
    pub fn applied_index(&self) -> u64 {
        self.tail.applied_index
    }

    /// Makes the batch's writes durable with one fsync, then visible to
    /// readers.
    ///
    /// # Errors
    ///
    /// The fatal storage errors; whether the batch's writes survive a
    /// restart is then unknown.
    pub fn commit(mut self) -> Result<()> {
        self.store.publish(&mut self.tail)
    }
}

/// How a [`Write`] holds the writer lock: its own, or its batch's.
#[derive(Debug)]
pub(crate) enum WriterGuard<'a> {
    /// A write of its own, durable and visible when committed.
    Own(MutexGuard<'a, Tail>),
    /// A write inside a [`Batch`].
    Batch(&'a mut Tail),
}

impl WriterGuard<'_> {
    pub(crate) fn tail(&mut self) -> &mut Tail {
        match self {
            Self::Own(guard) => guard,
            Self::Batch(tail) => tail,
        }
    }

    pub(crate) fn tail_ref(&self) -> &Tail {
        match self {
            Self::Own(guard) => guard,
            Self::Batch(tail) => tail,
        }
    }
}

/// A delete as watchers see it: only the key and the revision, as in etcd.
pub(crate) fn tombstone(key: &[u8], revision: i64) -> KeyValue {
    KeyValue { key: key.to_vec(), mod_revision: revision, ..KeyValue::default() }
}

/// The number of keys in the range at `at`, and where to read the first
/// `fetch` of them, in key order, with the pending changes laid over the
/// index when given.
fn select<'a>(
    index: &Index,
    opts: &RangeOptions,
    at: i64,
    overlay: Option<&'a BTreeMap<Vec<u8>, Option<KeyValue>>>,
    fetch: usize,
) -> (usize, Vec<Source<'a>>) {
    let (key, end) = (opts.key.as_slice(), opts.range_end.as_slice());
    let bounds = index::key_bounds(key, end);
    let pending = overlay
        .zip(bounds)
        .map(|(o, b)| o.range::<[u8], _>(b))
        .filter(|changes| changes.clone().next().is_some());
    let Some(pending) = pending else {
        let mut count = 0;
        let mut sources = Vec::new();
        for (_, visible) in index.range(key, end, at) {
            if count < fetch {
                sources.push(Source::Stored(visible.modified));
            }
            count += 1;
        }
        return (count, sources);
    };
    let mut merged: BTreeMap<&[u8], Source<'a>> =
        index.range(key, end, at).map(|(k, v)| (k, Source::Stored(v.modified))).collect();
    for (k, kv) in pending {
        match kv {
            Some(kv) => merged.insert(k, Source::Pending(kv)),
            None => merged.remove(k.as_slice()),
        };
    }
    (merged.len(), merged.into_values().take(fetch).collect())
}

/// Where a pair in a range comes from.
#[derive(Clone, Copy, Debug)]
enum Source<'a> {
    /// Committed: read it from the backend at this revision.
    Stored(super::Revision),
    /// Written by the open transaction.
    Pending(&'a KeyValue),
}

impl Source<'_> {
    fn key_value(self, reader: &Reader) -> Result<KeyValue> {
        match self {
            Self::Stored(rev) => reader.key_value(rev),
            Self::Pending(kv) => Ok(kv.clone()),
        }
    }
}

impl Store {
    /// The pair written at `rev`, as the writer reads it: from the writes
    /// of the open batch (`unflushed`), of sealed batches not flushed yet,
    /// or from redb. The snapshot (`reader`) is opened after the sealed
    /// batches were looked at, so that a batch flushed meanwhile is in it.
    pub(crate) fn stored(
        &self,
        unflushed: &HashMap<Revision, KeyValue>,
        reader: &mut Option<Reader>,
        rev: Revision,
    ) -> Result<KeyValue> {
        if let Some(kv) = unflushed.get(&rev) {
            return Ok(kv.clone());
        }
        if let Some(kv) = self.flushing.value(rev) {
            return Ok(kv);
        }
        let reader = match reader {
            Some(reader) => reader,
            None => reader.insert(self.backend.reader()?),
        };
        reader.key_value(rev)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{delete, get, keys, kv, put, write};
    use super::super::{SortOrder, SortTarget};
    use super::*;

    #[test]
    fn revisions_versions_and_generations_are_exact() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.current_revision(), 1);
        assert_eq!(put(&store, "a", "1"), 2);
        assert_eq!(put(&store, "a", "2"), 3);
        assert_eq!(put(&store, "b", "1"), 4);
        assert_eq!(delete(&store, "a", ""), 5);
        assert_eq!(put(&store, "a", "3"), 6);
        assert_eq!(store.current_revision(), 6);

        let cases = [
            ("a", 1, None),
            ("a", 2, Some(kv("a", "1", 2, 2, 1))),
            ("a", 3, Some(kv("a", "2", 2, 3, 2))),
            ("a", 4, Some(kv("a", "2", 2, 3, 2))),
            ("b", 3, None),
            ("b", 4, Some(kv("b", "1", 4, 4, 1))),
            ("a", 5, None),
            ("a", 6, Some(kv("a", "3", 6, 6, 1))),
            ("a", 0, Some(kv("a", "3", 6, 6, 1))),
            ("b", 0, Some(kv("b", "1", 4, 4, 1))),
        ];
        for (key, revision, want) in cases {
            assert_eq!(get(&store, key, revision), want, "{key} at {revision}");
        }
    }

    fn five_keys() -> Store {
        let store = Store::in_memory().unwrap();
        for (i, key) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            put(&store, key, &i.to_string());
        }
        store
    }

    #[test]
    fn ranges_limits_counts_and_more() {
        let store = five_keys();
        let all = || RangeOptions::prefix("");
        let cases = [
            (all(), "a,b,c,d,e", 5, false),
            (all().limit(2), "a,b", 5, true),
            (all().limit(5), "a,b,c,d,e", 5, false),
            (all().limit(9), "a,b,c,d,e", 5, false),
            (all().revision(4), "a,b,c", 3, false),
            (all().revision(4).limit(2), "a,b", 3, true),
            (RangeOptions::range("b", "d"), "b,c", 2, false),
            (RangeOptions::range("b", "d").limit(1), "b", 2, true),
            (RangeOptions::from_key("c"), "c,d,e", 3, false),
            (RangeOptions::key("c"), "c", 1, false),
            (RangeOptions::key("x"), "", 0, false),
            (RangeOptions::range("d", "b"), "", 0, false),
            (RangeOptions::prefix("c"), "c", 1, false),
        ];
        for (opts, want, count, more) in cases {
            let result = store.range(&opts).unwrap();
            assert_eq!(keys(&result.kvs), want, "{opts:?}");
            assert_eq!(result.count, count, "{opts:?}");
            assert_eq!(result.more, more, "{opts:?}");
            assert_eq!(result.revision, 6, "the header revision is the current one");
        }

        let counted = store.range(&all().count_only().revision(5)).unwrap();
        assert_eq!((counted.kvs.len(), counted.count, counted.more), (0, 4, false));
        let keys_only = store.range(&all().keys_only()).unwrap();
        assert_eq!(keys(&keys_only.kvs), "a,b,c,d,e");
        assert!(keys_only.kvs.iter().all(|kv| kv.value.is_empty()));
        assert_eq!(keys_only.kvs[4].mod_revision, 6);
    }

    #[test]
    fn filters_apply_before_sorting_and_the_limit() {
        let store = five_keys(); // a..e at revisions 2..6
        put(&store, "b", "again"); // 7
        put(&store, "b", "more"); // 8
        put(&store, "a", "x"); // 9

        let all = || RangeOptions::prefix("");
        let cases = [
            (all().mod_revisions(6, 0), "a,b,e", false),
            (all().mod_revisions(6, 0).limit(2), "a,b", true),
            (all().mod_revisions(6, 0).limit(3), "a,b,e", false),
            (all().mod_revisions(0, 5), "c,d", false),
            (all().create_revisions(3, 4), "b,c", false),
            (all().create_revisions(0, 3).mod_revisions(9, 9), "a", false),
            (all().sort(SortOrder::Descend, SortTarget::Mod), "a,b,e,d,c", false),
            (all().sort(SortOrder::Descend, SortTarget::Mod).limit(2), "a,b", true),
            (all().sort(SortOrder::None, SortTarget::Version), "c,d,e,a,b", false),
            (all().sort(SortOrder::Descend, SortTarget::Version), "b,a,c,d,e", false),
            (all().sort(SortOrder::Descend, SortTarget::Create), "e,d,c,b,a", false),
            (all().sort(SortOrder::Ascend, SortTarget::Value), "c,d,e,b,a", false),
            (all().sort(SortOrder::Descend, SortTarget::Key).limit(3), "e,d,c", true),
        ];
        for (opts, want, more) in cases {
            let result = store.range(&opts).unwrap();
            assert_eq!(keys(&result.kvs), want, "{opts:?}");
            assert_eq!(result.more, more, "{opts:?}");
            assert_eq!(result.count, 5, "count ignores the filters, as in etcd: {opts:?}");
        }
    }

    #[test]
    fn range_errors() {
        let store = five_keys();
        assert!(matches!(store.range(&RangeOptions::key("")), Err(Error::KeyNotProvided)));
        assert!(matches!(
            store.range(&RangeOptions::key("a").revision(7)),
            Err(Error::FutureRevision { revision: 7, current_revision: 6 })
        ));
        store.compact(4).unwrap();
        assert!(matches!(
            store.range(&RangeOptions::key("a").revision(3)),
            Err(Error::Compacted { compact_revision: 4 })
        ));
        assert_eq!(get(&store, "a", 4), Some(kv("a", "0", 2, 2, 1)));
    }

    #[test]
    fn everything_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mvcc.redb");
        let before = {
            let store = Store::open(&path).unwrap();
            put(&store, "a", "1"); // 2
            put(&store, "a", "2"); // 3
            put(&store, "b", "1"); // 4
            delete(&store, "b", ""); // 5
            put(&store, "b", "2"); // 6
            put(&store, "a", "3"); // 7
            let mut w = write(&store);
            w.put("c", "1", 42).unwrap();
            w.delete_range(b"a", b"").unwrap();
            w.commit().unwrap(); // 8
            store.compact(3).unwrap();
            // A write that changes nothing still records its index.
            let noop = store.write(20).unwrap().unwrap();
            assert_eq!(noop.commit().unwrap(), (8, vec![]));
            let history: Vec<RangeResult> = (3..=8)
                .map(|rev| store.range(&RangeOptions::prefix("").revision(rev)).unwrap())
                .collect();
            (history, store.events(3, 0, b"\0", b"\0").unwrap())
        };

        let store = Store::open(&path).unwrap();
        assert_eq!(store.current_revision(), 8);
        assert_eq!(store.compact_revision(), 3);
        assert_eq!(store.applied_index(), 20);
        assert!(store.write(20).unwrap().is_none(), "index 20 was applied");
        let history: Vec<RangeResult> = (3..=8)
            .map(|rev| store.range(&RangeOptions::prefix("").revision(rev)).unwrap())
            .collect();
        assert_eq!(history, before.0);
        assert_eq!(store.events(3, 0, b"\0", b"\0").unwrap(), before.1);
        assert_eq!(get(&store, "c", 0).unwrap().lease, 42);

        // Versions continue from the compacted history.
        put(&store, "b", "3");
        assert_eq!(get(&store, "b", 0), Some(kv("b", "3", 6, 9, 2)));
        put(&store, "a", "4");
        assert_eq!(get(&store, "a", 0), Some(kv("a", "4", 10, 10, 1)));
    }

    #[test]
    fn compaction_before_reopening_keeps_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mvcc.redb");
        {
            let store = Store::open(&path).unwrap();
            for i in 0..4 {
                put(&store, "k", &i.to_string()); // 2..=5
            }
            store.compact(5).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(get(&store, "k", 5), Some(kv("k", "3", 2, 5, 4)));
        put(&store, "k", "4");
        assert_eq!(get(&store, "k", 0), Some(kv("k", "4", 2, 6, 5)));
    }

    #[test]
    fn readers_see_whole_writes_while_writing() {
        let store = Store::in_memory().unwrap();
        std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut last = 0;
                for _ in 0..200 {
                    let result = store.range(&RangeOptions::prefix("")).unwrap();
                    // Each write adds two keys at once.
                    assert_eq!(result.count % 2, 0, "saw half a write");
                    assert!(result.revision >= last);
                    last = result.revision;
                }
            });
            for i in 0..100 {
                let mut w = write(&store);
                w.put(format!("{i:03}a"), "x", 0).unwrap();
                w.put(format!("{i:03}b"), "y", 0).unwrap();
                w.commit().unwrap();
            }
            reader.join().unwrap();
        });
        assert_eq!(store.range(&RangeOptions::prefix("")).unwrap().count, 200);
        assert_eq!(store.current_revision(), 101);
    }

    #[test]
    fn a_batch_is_seen_by_its_own_writes_and_by_readers_after_its_commit() {
        let store = Store::in_memory().unwrap();
        put(&store, "a", "0"); // 2, index 1
        let mut batch = store.batch();
        let mut w = batch.write(2).unwrap().unwrap();
        w.put("a", "1", 0).unwrap();
        assert_eq!(w.commit().unwrap().0, 3);
        assert!(batch.write(2).unwrap().is_none(), "index 2 was applied in the batch");
        let mut w = batch.write(3).unwrap().unwrap();
        assert_eq!(w.revision(), 4);
        // The next write sees the one before it, now and in history.
        let seen = w.range(&RangeOptions::key("a")).unwrap();
        assert_eq!(seen.kvs, [kv("a", "1", 2, 3, 2)]);
        let then = w.range(&RangeOptions::key("a").revision(2)).unwrap();
        assert_eq!(then.kvs, [kv("a", "0", 2, 2, 1)]);
        assert_eq!(w.put("a", "2", 0).unwrap(), Some(kv("a", "1", 2, 3, 2)));
        w.put("b", "1", 0).unwrap();
        w.commit().unwrap();
        // Readers on other threads see none of it yet.
        std::thread::scope(|s| {
            s.spawn(|| {
                assert_eq!((store.current_revision(), store.applied_index()), (2, 1));
                let now = store.range(&RangeOptions::prefix("")).unwrap();
                assert_eq!((now.kvs, now.revision), (vec![kv("a", "0", 2, 2, 1)], 2));
                assert!(matches!(
                    store.range(&RangeOptions::key("a").revision(3)),
                    Err(Error::FutureRevision { revision: 3, current_revision: 2 })
                ));
                assert!(store.events(3, 0, b"\0", b"\0").unwrap().is_empty());
            });
        });
        assert_eq!((batch.revision(), batch.applied_index()), (4, 3));
        batch.commit().unwrap();
        assert_eq!((store.current_revision(), store.applied_index()), (4, 3));
        assert_eq!(store.durable_commits(), 2, "one for the put, one for the batch");
        assert_eq!(keys(&store.range(&RangeOptions::prefix("")).unwrap().kvs), "a,b");
        assert_eq!(store.events(3, 0, b"\0", b"\0").unwrap().len(), 3);
    }

    #[test]
    fn a_compaction_inside_a_batch_checks_and_publishes_the_batch() {
        let store = Store::in_memory().unwrap();
        put(&store, "a", "0"); // 2
        let mut batch = store.batch();
        let mut w = batch.write(2).unwrap().unwrap();
        w.put("a", "1", 0).unwrap();
        w.commit().unwrap(); // 3
        assert!(matches!(
            batch.compact(4),
            Err(Error::FutureRevision { revision: 4, current_revision: 3 })
        ));
        // Compacting at the batch's own revision is allowed, as it is
        // applied in order, and makes what came before visible.
        batch.compact(3).unwrap();
        assert_eq!((store.current_revision(), store.compact_revision()), (3, 3));
        assert_eq!(get(&store, "a", 0), Some(kv("a", "1", 2, 3, 2)));
        batch.commit().unwrap();
    }

    #[test]
    fn batches_and_single_writes_persist_across_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let store = Store::open(&path).unwrap();
        let mut batch = store.batch();
        for (index, value) in (1..=3).zip(["x", "y", "z"]) {
            let mut w = batch.write(index).unwrap().unwrap();
            w.put(value, value, 0).unwrap();
            w.commit().unwrap();
        }
        batch.commit().unwrap();
        // A batch dropped without its commit is carried by the next write.
        let mut batch = store.batch();
        let mut w = batch.write(4).unwrap().unwrap();
        w.put("dropped", "1", 0).unwrap();
        w.commit().unwrap();
        drop(batch);
        assert_eq!(store.current_revision(), 4, "a dropped batch is not visible");
        let mut w = store.write(5).unwrap().unwrap();
        w.put("single", "1", 0).unwrap();
        assert_eq!(w.commit().unwrap().0, 6);
        assert_eq!((store.current_revision(), store.applied_index()), (6, 5));
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!((store.current_revision(), store.applied_index()), (6, 5));
        assert_eq!(
            keys(&store.range(&RangeOptions::prefix("")).unwrap().kvs),
            "dropped,single,x,y,z"
        );
    }
}
