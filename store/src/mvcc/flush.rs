//! Flushing batches to redb in order, possibly while the next batch is
//! being applied: [`Sealed`] and [`Store::flush`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};

use super::backend::{AlarmChange, LeaseChange, Side};
use super::store::{Batch, Buffer, Tail};
use super::{Error, KeyValue, Result, Revision, Store};

/// The batches sealed and not flushed yet, shared by the writer and
/// whoever flushes.
#[derive(Debug, Default)]
pub(crate) struct Flushing {
    /// The pairs the puts of sealed, unflushed batches wrote, for the
    /// writes after them to read before they reach redb.
    values: Mutex<BTreeMap<Revision, KeyValue>>,
    order: Mutex<Order>,
    /// Signalled after every flush.
    flushed: Condvar,
}

#[derive(Debug, Default)]
struct Order {
    /// The sequence number of the last batch flushed (or given up on).
    flushed: u64,
    /// Why flushing failed, once it has: no later batch is flushed.
    failed: Option<String>,
}

impl Flushing {
    fn values(&self) -> MutexGuard<'_, BTreeMap<Revision, KeyValue>> {
        // Map operations do not panic halfway.
        self.values.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn order(&self) -> MutexGuard<'_, Order> {
        self.order.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The pair written at `rev` by a sealed batch not flushed yet.
    pub(crate) fn value(&self, rev: Revision) -> Option<KeyValue> {
        self.values().get(&rev).cloned()
    }

    /// Waits until every batch before `seq` is flushed; returns the order
    /// with the lock held, so that the caller flushes `seq` next.
    fn turn(&self, seq: u64) -> MutexGuard<'_, Order> {
        let mut order = self.order();
        while order.flushed + 1 < seq {
            order = self.flushed.wait(order).unwrap_or_else(PoisonError::into_inner);
        }
        order
    }
}

/// A batch whose writes are applied in memory and that waits to be written
/// to redb by [`Store::flush`]: from [`Batch::seal`].
///
/// Sealing releases the writer, so that the next batch can be applied
/// while this one waits for the disk (the writes of the next batch see
/// this one's). Readers see a sealed batch once it is flushed. Sealed
/// batches MUST be flushed in the order they were sealed, each exactly
/// once; one that is dropped unflushed is lost, and the store refuses to
/// flush anything after it (its writes would be missing under theirs).
#[must_use = "a sealed batch is lost unless it is flushed"]
pub struct Sealed {
    /// Its place in the order of batches sealed on its store, from 1 (the
    /// first of the batches merged into it).
    first_seq: u64,
    /// The place of the last batch merged into it.
    seq: u64,
    rows: Vec<(Revision, Vec<u8>)>,
    leases: Vec<LeaseChange>,
    alarms: Vec<AlarmChange>,
    /// Whether it applied any write at all.
    applied: bool,
    /// Whether it changed anything that must be durable.
    sync: bool,
    revision: i64,
    applied_index: u64,
    /// Set once flushed or given up on.
    done: bool,
    /// The flush order of its store, to give up on it when dropped.
    flushing: Weak<Flushing>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("seq", &self.seq)
            .field("rows", &self.rows.len())
            .field("revision", &self.revision)
            .field("applied_index", &self.applied_index)
            .finish_non_exhaustive()
    }
}

impl Sealed {
    /// The revision of its last write.
    #[must_use]
    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// The log index of its last write.
    #[must_use]
    pub fn applied_index(&self) -> u64 {
        self.applied_index
    }

    /// Flushes it without an fsync: [`Store::flush`] then commits it to
    /// redb for readers, and it becomes durable with the next flush that
    /// syncs, or [`Store::sync`]. For a caller that keeps what it applied
    /// durable elsewhere (a write-ahead log) until then.
    pub fn defer_sync(&mut self) {
        self.sync = false;
    }

    /// Whether [`Store::flush`] will fsync it: it changed something and
    /// [`defer_sync`](Sealed::defer_sync) was not called.
    #[must_use]
    pub fn syncs(&self) -> bool {
        self.sync
    }

    /// Appends the batch sealed right after this one, so that both are
    /// flushed in one redb transaction with one fsync: a flusher that
    /// finds several sealed batches waiting flushes them together.
    ///
    /// # Errors
    ///
    /// `next` itself, unchanged, if it is not the batch sealed right after
    /// this one (or after the last one merged into it).
    pub fn merge(&mut self, mut next: Sealed) -> Result<(), Sealed> {
        if next.first_seq != self.seq + 1 {
            return Err(next);
        }
        next.done = true;
        self.seq = next.seq;
        self.rows.append(&mut next.rows);
        self.leases.append(&mut next.leases);
        self.alarms.append(&mut next.alarms);
        self.applied |= next.applied;
        // Merged batches sync if any of them would have.
        self.sync |= next.sync;
        self.revision = next.revision;
        self.applied_index = next.applied_index;
        Ok(())
    }
}

impl Drop for Sealed {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some(flushing) = self.flushing.upgrade() {
            let mut order = flushing.turn(self.first_seq);
            order.failed.get_or_insert_with(|| {
                format!("the batch sealed at revision {} was dropped unflushed", self.revision)
            });
            order.flushed = self.seq;
            flushing.flushed.notify_all();
        }
    }
}

impl Store {
    /// Takes what the writer applied since the last flush out of `tail`, to
    /// be flushed.
    pub(crate) fn seal(&self, tail: &mut Tail) -> Sealed {
        let buffer = std::mem::take(&mut tail.buffer);
        tail.sealed += 1;
        let Buffer { rows, values, leases, alarms, applied } = buffer;
        let sync = !rows.is_empty() || !leases.is_empty() || !alarms.is_empty();
        if !values.is_empty() {
            self.flushing.values().extend(values);
        }
        Sealed {
            first_seq: tail.sealed,
            seq: tail.sealed,
            rows,
            leases,
            alarms,
            applied,
            sync,
            revision: tail.revision,
            applied_index: tail.applied_index,
            done: false,
            flushing: Arc::downgrade(&self.flushing),
        }
    }

    /// Writes a sealed batch to redb in one transaction, with one fsync if
    /// it changed anything, then makes it visible to readers. Waits until
    /// the batches sealed before it are flushed (by another thread).
    ///
    /// # Errors
    ///
    /// The fatal storage errors; whether the batch survives a restart is
    /// then unknown, and every later flush fails as well (with
    /// [`Error::Corrupted`] saying why), since the writes after it build on
    /// it.
    pub fn flush(&self, mut sealed: Sealed) -> Result<()> {
        sealed.done = true;
        let flushing = &self.flushing;
        let mut order = flushing.turn(sealed.first_seq);
        let result = match &order.failed {
            Some(why) => {
                Err(Error::Corrupted { detail: format!("an earlier flush failed: {why}") })
            }
            None if sealed.applied => {
                let side = Side { leases: &sealed.leases, alarms: &sealed.alarms };
                let (revision, index) = (sealed.revision, sealed.applied_index);
                self.backend().commit(&sealed.rows, side, revision, index, sealed.sync)
            }
            None => Ok(()),
        };
        match &result {
            Ok(()) => {
                let mut state = self.state_mut();
                state.current_revision = sealed.revision;
                state.applied_index = sealed.applied_index;
                drop(state);
                let mut values = flushing.values();
                let later = values.split_off(&Revision::new(sealed.revision + 1, 0));
                *values = later;
            }
            Err(error) => {
                order.failed.get_or_insert_with(|| error.to_string());
            }
        }
        order.flushed = sealed.seq;
        flushing.flushed.notify_all();
        result
    }

    /// Makes every flushed batch durable (one fsync), including those
    /// flushed after [`Sealed::defer_sync`]. Ordered with the flushes: it
    /// waits for a flush in progress, and covers exactly the batches
    /// flushed before it.
    ///
    /// # Errors
    ///
    /// The fatal storage errors, as [`Store::flush`].
    pub fn sync(&self) -> Result<()> {
        // Holding the order keeps flushes out while the applied index read
        // here is written back: a flush after it must not be overtaken.
        let order = self.flushing.order();
        if let Some(why) = &order.failed {
            return Err(Error::Corrupted { detail: format!("an earlier flush failed: {why}") });
        }
        let (revision, index) = {
            let state = self.state();
            (state.current_revision, state.applied_index)
        };
        let side = Side { leases: &[], alarms: &[] };
        self.backend().commit(&[], side, revision, index, true)
    }

    /// Writes every write applied so far to redb and makes it visible, in
    /// order after the batches sealed before.
    pub(crate) fn publish(&self, tail: &mut Tail) -> Result<()> {
        let sealed = self.seal(tail);
        self.flush(sealed)
    }
}

impl Batch<'_> {
    /// Ends the batch without waiting for the disk: its writes stay
    /// applied in memory, seen by the writes that follow, and the returned
    /// [`Sealed`] batch is written to redb by [`Store::flush`] — possibly
    /// on another thread while the next batch is applied (pipelining).
    /// [`Batch::commit`] is `seal` then `flush`.
    pub fn seal(mut self) -> Sealed {
        let store = self.store();
        store.seal(self.tail_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::super::RangeOptions;
    use super::super::testing::{get, kv};
    use super::*;

    fn put_in(batch: &mut Batch<'_>, index: u64, key: &str, value: &str) -> Option<KeyValue> {
        let mut write = batch.write(index).unwrap().unwrap();
        let prev = write.put(key, value, 0).unwrap();
        write.commit().unwrap();
        prev
    }

    #[test]
    fn the_next_batch_builds_on_a_sealed_one_before_it_is_flushed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let store = Store::open(&path).unwrap();
        let mut first = store.batch();
        put_in(&mut first, 1, "a", "1"); // 2
        let first = first.seal();
        assert_eq!((first.revision(), first.applied_index()), (2, 1));

        // The next batch reads the sealed one's writes, from memory.
        let mut second = store.batch();
        assert_eq!(put_in(&mut second, 2, "a", "2"), Some(kv("a", "1", 2, 2, 1)));
        let mut write = second.write(3).unwrap().unwrap();
        let then = write.range(&RangeOptions::key("a").revision(2)).unwrap();
        assert_eq!(then.kvs, [kv("a", "1", 2, 2, 1)]);
        write.put("b", "1", 0).unwrap();
        write.commit().unwrap(); // 4
        let second = second.seal();
        assert_eq!(store.current_revision(), 1, "nothing is flushed yet");

        // Flushed from two threads, in either order of calls: the order of
        // sealing wins.
        std::thread::scope(|s| {
            let later = s.spawn(|| store.flush(second));
            store.flush(first).unwrap();
            later.join().unwrap().unwrap();
        });
        assert_eq!((store.current_revision(), store.applied_index()), (4, 3));
        assert_eq!(get(&store, "a", 0), Some(kv("a", "2", 2, 3, 2)));
        assert_eq!(store.durable_commits(), 2, "one fsync per batch");
        assert!(store.flushing.values().is_empty(), "flushed values are forgotten");
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!((store.current_revision(), store.applied_index()), (4, 3));
        assert_eq!(get(&store, "b", 0), Some(kv("b", "1", 4, 4, 1)));
    }

    #[test]
    fn a_deferred_sync_is_visible_at_once_and_durable_after_sync() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let store = Store::open(&path).unwrap();
        let mut batch = store.batch();
        put_in(&mut batch, 1, "a", "1"); // 2
        let mut sealed = batch.seal();
        assert!(sealed.syncs());
        sealed.defer_sync();
        assert!(!sealed.syncs());
        let before = store.durable_commits();
        store.flush(sealed).unwrap();
        assert_eq!(store.durable_commits(), before, "no fsync");
        assert_eq!(get(&store, "a", 0), Some(kv("a", "1", 2, 2, 1)));
        store.sync().unwrap();
        assert_eq!(store.durable_commits(), before + 1);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!((store.current_revision(), store.applied_index()), (2, 1));
        assert_eq!(get(&store, "a", 0), Some(kv("a", "1", 2, 2, 1)));
    }

    #[test]
    fn a_compaction_waits_for_the_sealed_batches_before_it() {
        let store = Store::in_memory().unwrap();
        let mut batch = store.batch();
        put_in(&mut batch, 1, "a", "1"); // 2
        put_in(&mut batch, 2, "a", "2"); // 3
        let sealed = batch.seal();
        std::thread::scope(|s| {
            let compaction = s.spawn(|| store.compact(3));
            store.flush(sealed).unwrap();
            compaction.join().unwrap().unwrap();
        });
        assert_eq!(store.compact_revision(), 3);
        assert_eq!(get(&store, "a", 0), Some(kv("a", "2", 2, 3, 2)));
    }

    #[test]
    fn consecutive_sealed_batches_merge_into_one_flush() {
        let store = Store::in_memory().unwrap();
        let mut sealed = Vec::new();
        for (index, value) in (1..=3).zip(["1", "2", "3"]) {
            let mut batch = store.batch();
            put_in(&mut batch, index, "a", value);
            sealed.push(batch.seal());
        }
        let mut sealed = sealed.into_iter();
        let mut first = sealed.next().unwrap();
        let (second, third) = (sealed.next().unwrap(), sealed.next().unwrap());
        let third = first.merge(third).expect_err("not the next one");
        first.merge(second).unwrap();
        first.merge(third).unwrap();
        assert_eq!((first.revision(), first.applied_index()), (4, 3));
        let before = store.durable_commits();
        store.flush(first).unwrap();
        assert_eq!(store.durable_commits() - before, 1);
        assert_eq!((store.current_revision(), store.applied_index()), (4, 3));
        assert_eq!(get(&store, "a", 0), Some(kv("a", "3", 2, 4, 3)));
        // The order goes on after the merged batches.
        let mut batch = store.batch();
        put_in(&mut batch, 4, "a", "4");
        batch.commit().unwrap();
        assert_eq!(store.current_revision(), 5);
    }

    #[test]
    fn nothing_is_flushed_after_a_sealed_batch_that_was_dropped() {
        let store = Store::in_memory().unwrap();
        let mut batch = store.batch();
        put_in(&mut batch, 1, "a", "1");
        let lost = batch.seal();
        let mut batch = store.batch();
        put_in(&mut batch, 2, "b", "1");
        let next = batch.seal();
        drop(lost);
        let error = store.flush(next).unwrap_err();
        assert!(error.is_fatal());
        assert!(error.to_string().contains("dropped unflushed"), "{error}");
        assert_eq!(store.current_revision(), 1);
    }
}
