//! The Raft log in memory, as raft-rs reads it through its `Storage` trait.
//!
//! [`LogStorage`] holds what the node loop has appended (and written to the
//! [`Wal`](super::wal::Wal)): the entries after the snapshot point, the
//! hard state, the conf state and the snapshot point itself. Entries at or
//! below the snapshot point live only in the engine.

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use protobuf::Message;
use raft_rs::eraftpb::{ConfState, Entry, HardState, Snapshot, SnapshotMetadata};
use raft_rs::{Error, GetEntriesContext, RaftState, StorageError};

use super::wal::Recovered;

/// The Raft log, hard state and conf state in memory; cheap to clone (the
/// clones share one log). The node loop appends to it before it hands the
/// same entries to the [`Wal`](super::wal::Wal), as raft-rs requires.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogStorage {
    core: Arc<RwLock<Core>>,
}

#[derive(Debug, Default)]
struct Core {
    hard_state: HardState,
    conf_state: ConfState,
    /// Everything at or below its index is compacted; its term answers
    /// `term(index)`.
    snapshot: SnapshotMetadata,
    /// The entries after the snapshot point, consecutive: `entries[i]` has
    /// index `snapshot.index + 1 + i`.
    entries: Vec<Entry>,
}

impl Core {
    fn first_index(&self) -> u64 {
        self.snapshot.index + 1
    }

    fn last_index(&self) -> u64 {
        self.entries.last().map_or(self.snapshot.index, |e| e.index)
    }

    /// The position in `entries` of `index`, which must be in
    /// `first_index()..=last_index() + 1`.
    fn offset(&self, index: u64) -> usize {
        // Bounded by the number of entries held in memory.
        (index - self.first_index()) as usize
    }
}

/// An error for a request raft-rs never makes of a sound log.
fn other(message: String) -> Error {
    Error::Store(StorageError::Other(message.into()))
}

impl LogStorage {
    /// The log a [`Wal`](super::wal::Wal) replayed (or `Recovered::default()`
    /// for a log kept in memory only).
    ///
    /// The hard state's commit index and term are raised to the snapshot
    /// point's if they are below (the snapshot point is committed), as
    /// raft-rs requires; entries at or below the snapshot point, and any
    /// after a gap, are left out.
    pub(crate) fn new(recovered: Recovered) -> Self {
        let Recovered { mut hard_state, snapshot, conf_state, entries } = recovered;
        hard_state.commit = hard_state.commit.max(snapshot.index);
        hard_state.term = hard_state.term.max(snapshot.term);
        let mut expected = snapshot.index + 1;
        let entries = entries
            .into_iter()
            .skip_while(|e| e.index <= snapshot.index)
            .take_while(|e| {
                let next = e.index == expected;
                expected += 1;
                next
            })
            .collect();
        let core = Core { hard_state, conf_state, snapshot, entries };
        Self { core: Arc::new(RwLock::new(core)) }
    }

    fn read(&self) -> RwLockReadGuard<'_, Core> {
        // Every method leaves the core consistent before it can panic, so
        // a poisoned lock still guards a sound log.
        self.core.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Core> {
        self.core.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends entries; where the first one's index is at or below the
    /// last index, the entries from there on are replaced. Entries at or
    /// below the snapshot point are skipped (they are committed, so they
    /// match). Entries that are not consecutive, or that would leave a gap
    /// after the last one, are refused and nothing changes.
    pub(crate) fn append(&self, entries: &[Entry]) -> raft_rs::Result<()> {
        if let Some(pair) = entries.windows(2).find(|w| w[1].index != w[0].index.wrapping_add(1)) {
            return Err(other(format!(
                "cannot append entry {} after entry {}: entries must be consecutive",
                pair[1].index, pair[0].index
            )));
        }
        let mut core = self.write();
        let entries = &entries[entries.partition_point(|e| e.index <= core.snapshot.index)..];
        let Some(first) = entries.first() else {
            return Ok(());
        };
        if first.index > core.last_index() + 1 {
            return Err(other(format!(
                "cannot append entry {}: the log ends at entry {}",
                first.index,
                core.last_index()
            )));
        }
        let keep = core.offset(first.index);
        core.entries.truncate(keep);
        core.entries.extend_from_slice(entries);
        Ok(())
    }

    /// Sets the hard state.
    pub(crate) fn set_hard_state(&self, hard_state: HardState) {
        self.write().hard_state = hard_state;
    }

    /// Sets the conf state.
    // For applying membership changes, which the node loop does not do yet.
    #[allow(dead_code)]
    pub(crate) fn set_conf_state(&self, conf_state: ConfState) {
        self.write().conf_state = conf_state;
    }

    /// The hard state.
    // The node loop keeps its own copy; tests and later callers read it here.
    #[allow(dead_code)]
    pub(crate) fn hard_state(&self) -> HardState {
        self.read().hard_state.clone()
    }

    /// Drops the entries at or below `index`, which must be applied, and
    /// makes `index` the snapshot point (its term kept for matching, the
    /// conf state as of now). Returns the new snapshot point.
    ///
    /// `index` at the current snapshot point changes nothing; below it the
    /// answer is [`StorageError::Compacted`], above the last entry
    /// [`StorageError::Unavailable`].
    pub(crate) fn compact(&self, index: u64) -> raft_rs::Result<SnapshotMetadata> {
        let mut core = self.write();
        if index < core.snapshot.index {
            return Err(Error::Store(StorageError::Compacted));
        }
        if index == core.snapshot.index {
            return Ok(core.snapshot.clone());
        }
        if index > core.last_index() {
            return Err(Error::Store(StorageError::Unavailable));
        }
        let upto = core.offset(index);
        let mut snapshot =
            SnapshotMetadata { index, term: core.entries[upto].term, ..Default::default() };
        snapshot.set_conf_state(core.conf_state.clone());
        core.entries.drain(..=upto);
        core.snapshot = snapshot.clone();
        Ok(snapshot)
    }

    /// Replaces the whole log by a snapshot point received from the leader:
    /// every entry is dropped, the conf state becomes the snapshot's, and
    /// the hard state's commit index (and term) are raised to the
    /// snapshot's if below. A snapshot older than the current snapshot
    /// point is refused ([`StorageError::SnapshotOutOfDate`]).
    // The node loop does not install leaders' snapshots yet; it will call
    // this when it does.
    #[allow(dead_code)]
    pub(crate) fn apply_snapshot(&self, snapshot: SnapshotMetadata) -> raft_rs::Result<()> {
        let mut core = self.write();
        if snapshot.index < core.snapshot.index {
            return Err(Error::Store(StorageError::SnapshotOutOfDate));
        }
        core.entries.clear();
        core.hard_state.commit = core.hard_state.commit.max(snapshot.index);
        core.hard_state.term = core.hard_state.term.max(snapshot.term);
        core.conf_state = snapshot.get_conf_state().clone();
        core.snapshot = snapshot;
        Ok(())
    }
}

impl raft_rs::Storage for LogStorage {
    fn initial_state(&self) -> raft_rs::Result<RaftState> {
        let core = self.read();
        Ok(RaftState::new(core.hard_state.clone(), core.conf_state.clone()))
    }

    /// The entries in `low..high`, as many as fit in `max_size` bytes
    /// (encoded) but at least one. Below the snapshot point the answer is
    /// [`StorageError::Compacted`]; past the last entry,
    /// [`StorageError::Unavailable`].
    fn entries(
        &self,
        low: u64,
        high: u64,
        max_size: impl Into<Option<u64>>,
        _context: GetEntriesContext,
    ) -> raft_rs::Result<Vec<Entry>> {
        let max_size = max_size.into().unwrap_or(u64::MAX);
        let core = self.read();
        if low > high {
            return Err(other(format!(
                "entries asked from {low} to {high}: the range is inverted"
            )));
        }
        if low < core.first_index() {
            return Err(Error::Store(StorageError::Compacted));
        }
        if high > core.last_index() + 1 {
            return Err(Error::Store(StorageError::Unavailable));
        }
        let range = &core.entries[core.offset(low)..core.offset(high)];
        let mut size = 0u64;
        let mut out = Vec::new();
        for entry in range {
            size = size.saturating_add(u64::from(entry.compute_size()));
            if !out.is_empty() && size > max_size {
                break;
            }
            out.push(entry.clone());
        }
        Ok(out)
    }

    fn term(&self, idx: u64) -> raft_rs::Result<u64> {
        let core = self.read();
        if idx == core.snapshot.index {
            return Ok(core.snapshot.term);
        }
        if idx < core.snapshot.index {
            return Err(Error::Store(StorageError::Compacted));
        }
        if idx > core.last_index() {
            return Err(Error::Store(StorageError::Unavailable));
        }
        Ok(core.entries[core.offset(idx)].term)
    }

    fn first_index(&self) -> raft_rs::Result<u64> {
        Ok(self.read().first_index())
    }

    fn last_index(&self) -> raft_rs::Result<u64> {
        Ok(self.read().last_index())
    }

    /// The snapshot point as a `Snapshot` whose data is EMPTY: the engine
    /// holds the state, and the node loop attaches it before sending the
    /// snapshot to a follower. If the snapshot point is below
    /// `request_index`, the answer is
    /// [`StorageError::SnapshotTemporarilyUnavailable`] (raft-rs asks
    /// again later).
    fn snapshot(&self, request_index: u64, _to: u64) -> raft_rs::Result<Snapshot> {
        let core = self.read();
        if core.snapshot.index < request_index {
            return Err(Error::Store(StorageError::SnapshotTemporarilyUnavailable));
        }
        let mut snapshot = Snapshot::default();
        snapshot.set_metadata(core.snapshot.clone());
        Ok(snapshot)
    }
}

#[cfg(test)]
mod tests {
    use raft_rs::{RawNode, StateRole, Storage};

    use super::super::wal::Wal;
    use super::*;

    fn entry(index: u64, term: u64) -> Entry {
        Entry {
            index,
            term,
            data: format!("entry {index}").into_bytes().into(),
            ..Default::default()
        }
    }

    fn entries(range: std::ops::RangeInclusive<u64>, term: u64) -> Vec<Entry> {
        range.map(|i| entry(i, term)).collect()
    }

    fn conf(voters: &[u64]) -> ConfState {
        ConfState { voters: voters.to_vec(), ..Default::default() }
    }

    fn point(index: u64, term: u64, voters: &[u64]) -> SnapshotMetadata {
        let mut meta = SnapshotMetadata { index, term, ..Default::default() };
        meta.set_conf_state(conf(voters));
        meta
    }

    fn get(
        storage: &LogStorage,
        low: u64,
        high: u64,
        max_size: Option<u64>,
    ) -> raft_rs::Result<Vec<Entry>> {
        storage.entries(low, high, max_size, GetEntriesContext::empty(false))
    }

    fn storage_error<T: std::fmt::Debug>(result: raft_rs::Result<T>) -> StorageError {
        match result {
            Err(Error::Store(error)) => error,
            other => panic!("expected a storage error, got {other:?}"),
        }
    }

    /// Snapshot point 3 (term 2), entries 4..=8 of term 3.
    fn sample() -> LogStorage {
        LogStorage::new(Recovered {
            hard_state: HardState { term: 3, vote: 1, commit: 6, ..Default::default() },
            snapshot: point(3, 2, &[1, 2, 3]),
            conf_state: conf(&[1, 2, 3]),
            entries: entries(4..=8, 3),
        })
    }

    #[test]
    fn an_empty_log() {
        let storage = LogStorage::new(Recovered::default());
        assert_eq!(storage.first_index().unwrap(), 1);
        assert_eq!(storage.last_index().unwrap(), 0);
        assert_eq!(storage.term(0).unwrap(), 0);
        assert_eq!(storage_error(storage.term(1)), StorageError::Unavailable);
        assert_eq!(get(&storage, 1, 1, None).unwrap(), vec![]);
        assert!(!storage.initial_state().unwrap().initialized());
    }

    #[test]
    fn indexes_terms_and_initial_state() {
        let storage = sample();
        assert_eq!(storage.first_index().unwrap(), 4);
        assert_eq!(storage.last_index().unwrap(), 8);
        assert_eq!(storage.term(3).unwrap(), 2, "the snapshot point's term is kept");
        assert_eq!(storage.term(4).unwrap(), 3);
        assert_eq!(storage.term(8).unwrap(), 3);
        assert_eq!(storage_error(storage.term(2)), StorageError::Compacted);
        assert_eq!(storage_error(storage.term(9)), StorageError::Unavailable);
        let state = storage.initial_state().unwrap();
        assert_eq!(state.hard_state.commit, 6);
        assert_eq!(state.conf_state, conf(&[1, 2, 3]));
    }

    #[test]
    fn new_raises_the_commit_index_to_the_snapshot_point_and_drops_stray_entries() {
        let mut listed = entries(2..=6, 1);
        listed.remove(3); // a gap after entry 4
        let storage = LogStorage::new(Recovered {
            snapshot: point(2, 1, &[1]),
            conf_state: conf(&[1]),
            entries: listed,
            ..Default::default()
        });
        assert_eq!(storage.hard_state().commit, 2);
        assert_eq!(storage.hard_state().term, 1);
        assert_eq!(storage.first_index().unwrap(), 3);
        assert_eq!(storage.last_index().unwrap(), 4);
    }

    #[test]
    fn entries_in_range_and_errors() {
        let storage = sample();
        assert_eq!(get(&storage, 4, 9, None).unwrap(), entries(4..=8, 3));
        assert_eq!(get(&storage, 5, 7, None).unwrap(), entries(5..=6, 3));
        assert_eq!(get(&storage, 6, 6, None).unwrap(), vec![]);
        assert_eq!(storage_error(get(&storage, 3, 5, None)), StorageError::Compacted);
        assert_eq!(storage_error(get(&storage, 7, 10, None)), StorageError::Unavailable);
        assert!(get(&storage, 7, 5, None).is_err());
    }

    #[test]
    fn entries_honour_max_size_but_return_at_least_one() {
        let storage = sample();
        let one = u64::from(entry(4, 3).compute_size());
        assert_eq!(get(&storage, 4, 9, Some(0)).unwrap(), entries(4..=4, 3));
        assert_eq!(get(&storage, 4, 9, Some(one)).unwrap(), entries(4..=4, 3));
        assert_eq!(get(&storage, 4, 9, Some(2 * one)).unwrap(), entries(4..=5, 3));
        assert_eq!(get(&storage, 4, 9, Some(3 * one - 1)).unwrap(), entries(4..=5, 3));
        assert_eq!(get(&storage, 4, 9, Some(raft_rs::NO_LIMIT)).unwrap(), entries(4..=8, 3));
    }

    #[test]
    fn append_replaces_a_conflicting_suffix() {
        let storage = sample();
        storage.append(&entries(7..=10, 4)).unwrap();
        assert_eq!(
            get(&storage, 4, 11, None).unwrap(),
            [entries(4..=6, 3), entries(7..=10, 4)].concat()
        );
        storage.append(&entries(11..=11, 4)).unwrap();
        assert_eq!(storage.last_index().unwrap(), 11);
        storage.append(&[]).unwrap();
        assert_eq!(storage.last_index().unwrap(), 11);
        // Entries at or below the snapshot point are skipped.
        storage.append(&entries(2..=5, 5)).unwrap();
        assert_eq!(get(&storage, 4, 6, None).unwrap(), entries(4..=5, 5));
        assert_eq!(storage.last_index().unwrap(), 5);
    }

    #[test]
    fn append_refuses_gaps_and_changes_nothing() {
        let storage = sample();
        assert!(storage.append(&entries(10..=11, 3)).is_err());
        assert!(storage.append(&[entry(9, 3), entry(11, 3)]).is_err());
        assert!(storage.append(&[entry(6, 3), entry(5, 3)]).is_err());
        assert_eq!(storage.last_index().unwrap(), 8);
        assert_eq!(get(&storage, 4, 9, None).unwrap(), entries(4..=8, 3));
    }

    #[test]
    fn compact_moves_the_snapshot_point() {
        let storage = sample();
        storage.set_conf_state(conf(&[1, 2]));
        let meta = storage.compact(6).unwrap();
        assert_eq!(meta, point(6, 3, &[1, 2]));
        assert_eq!(storage.first_index().unwrap(), 7);
        assert_eq!(storage.last_index().unwrap(), 8);
        assert_eq!(storage.term(6).unwrap(), 3);
        assert_eq!(storage_error(storage.term(5)), StorageError::Compacted);
        assert_eq!(storage_error(get(&storage, 6, 8, None)), StorageError::Compacted);
        assert_eq!(get(&storage, 7, 9, None).unwrap(), entries(7..=8, 3));

        assert_eq!(storage.compact(6).unwrap(), meta, "at the snapshot point: nothing changes");
        assert_eq!(storage_error(storage.compact(5)), StorageError::Compacted);
        assert_eq!(storage_error(storage.compact(9)), StorageError::Unavailable);
        assert_eq!(storage.last_index().unwrap(), 8);

        // Compacting everything leaves an empty log after the point.
        let all = storage.compact(8).unwrap();
        assert_eq!(all.index, 8);
        assert_eq!(storage.first_index().unwrap(), 9);
        assert_eq!(storage.last_index().unwrap(), 8);
        assert_eq!(storage.term(8).unwrap(), 3);
        storage.append(&entries(9..=9, 4)).unwrap();
        assert_eq!(storage.last_index().unwrap(), 9);
    }

    #[test]
    fn apply_snapshot_replaces_everything() {
        let storage = sample();
        storage.apply_snapshot(point(20, 5, &[4, 5])).unwrap();
        assert_eq!(storage.first_index().unwrap(), 21);
        assert_eq!(storage.last_index().unwrap(), 20);
        assert_eq!(storage.term(20).unwrap(), 5);
        let state = storage.initial_state().unwrap();
        assert_eq!(state.conf_state, conf(&[4, 5]));
        assert_eq!(state.hard_state.commit, 20);
        assert_eq!(state.hard_state.term, 5);

        // One inside the old log drops the later entries too.
        let storage = sample();
        storage.apply_snapshot(point(5, 4, &[1])).unwrap();
        assert_eq!(storage.last_index().unwrap(), 5);
        assert_eq!(storage.term(5).unwrap(), 4);
        assert_eq!(storage.hard_state().commit, 6, "a higher commit index stays");
        assert_eq!(
            storage_error(storage.apply_snapshot(point(4, 4, &[1]))),
            StorageError::SnapshotOutOfDate
        );
    }

    #[test]
    fn snapshot_is_the_snapshot_point_without_data() {
        let storage = sample();
        let snapshot = storage.snapshot(0, 2).unwrap();
        assert_eq!(snapshot.get_metadata(), &point(3, 2, &[1, 2, 3]));
        assert!(snapshot.data.is_empty());
        assert_eq!(storage.snapshot(3, 2).unwrap().get_metadata().index, 3);
        assert_eq!(
            storage_error(storage.snapshot(4, 2)),
            StorageError::SnapshotTemporarilyUnavailable
        );
    }

    #[test]
    fn clones_share_the_log() {
        let storage = sample();
        let clone = storage.clone();
        clone.append(&entries(9..=9, 3)).unwrap();
        clone.set_hard_state(HardState { term: 4, ..Default::default() });
        assert_eq!(storage.last_index().unwrap(), 9);
        assert_eq!(storage.hard_state().term, 4);
    }

    /// A single-voter `RawNode` over a `LogStorage`, driven the way the node
    /// loop does, optionally persisting to a `Wal`.
    struct Driver {
        node: RawNode<LogStorage>,
        storage: LogStorage,
        wal: Option<Wal>,
        applied: Vec<Vec<u8>>,
        applied_index: u64,
    }

    impl Driver {
        fn new(storage: LogStorage, wal: Option<Wal>, applied_index: u64) -> Self {
            let config = raft_rs::Config { id: 1, applied: applied_index, ..Default::default() };
            let logger = slog::Logger::root(slog::Discard, slog::o!());
            let mut node = RawNode::new(&config, storage.clone(), &logger).unwrap();
            node.campaign().unwrap();
            let mut driver = Self { node, storage, wal, applied: Vec::new(), applied_index };
            driver.drive();
            assert_eq!(driver.node.raft.state, StateRole::Leader);
            driver
        }

        fn apply(&mut self, committed: Vec<Entry>) {
            for entry in committed {
                assert_eq!(entry.index, self.applied_index + 1, "applied in order");
                self.applied_index = entry.index;
                if !entry.data.is_empty() {
                    self.applied.push(entry.data.to_vec());
                }
            }
        }

        fn save_hard_state(&mut self, hard_state: &HardState) {
            self.storage.set_hard_state(hard_state.clone());
            if let Some(wal) = &mut self.wal {
                wal.append(&[], Some(hard_state)).unwrap();
            }
        }

        fn drive(&mut self) {
            while self.node.has_ready() {
                let mut ready = self.node.ready();
                assert!(ready.snapshot().get_metadata().index == 0, "no snapshot for a sole voter");
                assert!(ready.messages().is_empty() && ready.persisted_messages().is_empty());
                self.apply(ready.take_committed_entries());
                self.storage.append(ready.entries()).unwrap();
                if let Some(wal) = &mut self.wal {
                    wal.append(ready.entries(), None).unwrap();
                }
                if let Some(hard_state) = ready.hs() {
                    self.save_hard_state(&hard_state.clone());
                }
                if let Some(wal) = &mut self.wal {
                    wal.sync().unwrap();
                }
                let mut light = self.node.advance(ready);
                if let Some(commit) = light.commit_index() {
                    let mut hard_state = self.storage.hard_state();
                    hard_state.commit = commit;
                    self.save_hard_state(&hard_state);
                }
                self.apply(light.take_committed_entries());
                self.node.advance_apply();
            }
        }

        fn propose(&mut self, data: &[u8]) {
            self.node.propose(vec![], data.to_vec()).unwrap();
            self.drive();
        }
    }

    #[test]
    fn raft_rs_runs_a_single_voter_over_it() {
        let storage = LogStorage::new(Recovered { conf_state: conf(&[1]), ..Default::default() });
        let mut driver = Driver::new(storage.clone(), None, 0);
        for i in 0..5u8 {
            driver.propose(&[b'a' + i]);
        }
        assert_eq!(driver.applied, [b"a", b"b", b"c", b"d", b"e"].map(|d| d.to_vec()));
        // The empty entry of the election, then the five proposals.
        assert_eq!(driver.applied_index, 6);
        assert_eq!(storage.last_index().unwrap(), 6);
        assert_eq!(storage.hard_state().commit, 6);

        // Compacted up to what is applied, it keeps going.
        let point = storage.compact(driver.applied_index).unwrap();
        assert_eq!(point.index, 6);
        assert_eq!(storage.first_index().unwrap(), 7);
        driver.propose(b"f");
        driver.propose(b"g");
        assert_eq!(driver.applied.len(), 7);
        assert_eq!(storage.last_index().unwrap(), 8);
        assert_eq!(get(&storage, 7, 9, None).unwrap().len(), 2);
    }

    #[test]
    fn raft_rs_restarts_from_the_write_ahead_log() {
        let dir = tempfile::tempdir().unwrap();
        let (mut wal, recovered) = Wal::open(dir.path()).unwrap();
        wal.set_conf_state(&conf(&[1])).unwrap();
        wal.sync().unwrap();
        let storage = LogStorage::new(Recovered { conf_state: conf(&[1]), ..recovered });
        let mut driver = Driver::new(storage.clone(), Some(wal), 0);
        for data in [b"x", b"y", b"z"] {
            driver.propose(data);
        }
        let point = storage.compact(3).unwrap();
        let wal = driver.wal.as_mut().unwrap();
        wal.compact(&point).unwrap();
        let term = driver.node.raft.term;
        let applied = driver.applied_index;
        assert_eq!(applied, 4);
        drop(driver);

        let (wal, recovered) = Wal::open(dir.path()).unwrap();
        assert_eq!(recovered.snapshot.index, 3);
        assert_eq!(recovered.entries.len(), 1);
        assert_eq!(recovered.entries[0].data.as_ref(), b"z");
        assert_eq!(recovered.hard_state.commit, 4);
        let storage = LogStorage::new(recovered);
        let mut driver = Driver::new(storage.clone(), Some(wal), applied);
        assert!(driver.node.raft.term > term, "a new election after the restart");
        driver.propose(b"w");
        assert_eq!(driver.applied, vec![b"w".to_vec()]);
        assert_eq!(storage.last_index().unwrap(), 6);
    }
}
