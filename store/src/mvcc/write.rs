//! Write transactions: every change inside one gets the same main revision.

use std::collections::BTreeMap;

use super::backend::{AlarmChange, LeaseChange};
use super::codec::Entry;
use super::range::{RangeOptions, RangeResult};
use super::store::{Pending, Store, WriterGuard, tombstone};
use super::{Error, Event, EventKind, KeyValue, Result, Revision};

/// An open write transaction, from [`Store::write`] or [`Batch::write`]:
/// etcd's `TxnWrite`.
///
/// Its changes are buffered until [`commit`](Write::commit), which gives them
/// all one new main revision (sub-revisions 0, 1, 2, ... in the order they
/// were made) and persists them with the applied index (durably at once, or
/// with its batch's commit). Lease grants and revocations
/// ([`grant_lease`](Write::grant_lease), [`revoke_lease`](Write::revoke_lease))
/// and alarm changes ([`activate_alarm`](Write::activate_alarm),
/// [`deactivate_alarm`](Write::deactivate_alarm)) are committed in the same
/// redb transaction; they are not key changes and need no revision of their
/// own. Its reads see its own earlier changes, as the operations of an etcd
/// `Txn` do. Dropping it discards everything.
///
/// It holds the store's writer lock: the same thread MUST NOT call
/// [`Store::write`], [`Store::batch`] or [`Store::compact`] while it is
/// open.
///
/// [`Batch::write`]: super::Batch::write
#[derive(Debug)]
pub struct Write<'a> {
    pub(super) store: &'a Store,
    writer: WriterGuard<'a>,
    applied_index: u64,
    begin_revision: i64,
    /// The newest state of every key changed so far; `None` once deleted.
    pub(super) overlay: BTreeMap<Vec<u8>, Option<KeyValue>>,
    /// The changes in order; their position is their sub-revision.
    events: Vec<Event>,
    /// Lease grants (`Some(ttl)`) and revocations (`None`), in order.
    pub(super) lease_changes: Vec<LeaseChange>,
    /// Alarms raised (`true`) and cleared (`false`), in order.
    pub(super) alarm_changes: Vec<AlarmChange>,
}

impl<'a> Write<'a> {
    pub(crate) fn new(store: &'a Store, writer: WriterGuard<'a>, applied_index: u64) -> Self {
        let begin_revision = writer.tail_ref().revision;
        Self {
            store,
            writer,
            applied_index,
            begin_revision,
            overlay: BTreeMap::new(),
            events: Vec::new(),
            lease_changes: Vec::new(),
            alarm_changes: Vec::new(),
        }
    }

    /// The log index this write applies.
    pub fn applied_index(&self) -> u64 {
        self.applied_index
    }

    /// The revision its changes get: one past the store's revision when it
    /// was opened.
    pub fn revision(&self) -> i64 {
        self.begin_revision + 1
    }

    /// Whether it has changed any key yet (lease grants and revocations
    /// are not key changes: see [`has_lease_changes`](Write::has_lease_changes)).
    pub fn has_changes(&self) -> bool {
        !self.events.is_empty()
    }

    /// Whether it has granted or revoked a lease.
    pub fn has_lease_changes(&self) -> bool {
        !self.lease_changes.is_empty()
    }

    /// Whether it has raised or cleared an alarm.
    pub fn has_alarm_changes(&self) -> bool {
        !self.alarm_changes.is_empty()
    }

    fn pending(&self) -> Pending<'_> {
        Pending {
            // Like etcd, the current revision inside a transaction moves to
            // the new one with its first change.
            revision: if self.has_changes() { self.revision() } else { self.begin_revision },
            base: self.begin_revision,
            overlay: &self.overlay,
            unflushed: &self.writer.tail_ref().buffer.values,
        }
    }

    /// Reads a range as of this transaction: at the current revision it
    /// sees the changes made so far; the current revision is
    /// [`revision`](Write::revision) once something has changed.
    ///
    /// # Errors
    ///
    /// As [`Store::range`].
    pub fn range(&self, opts: &RangeOptions) -> Result<RangeResult> {
        self.store.read_range(opts, Some(self.pending()))
    }

    /// The key as this transaction sees it now.
    fn latest(&self, key: &[u8]) -> Result<Option<KeyValue>> {
        if let Some(kv) = self.overlay.get(key) {
            return Ok(kv.clone());
        }
        let state = self.store.state();
        let Some(visible) = state.index.get(key, self.begin_revision) else {
            return Ok(None);
        };
        drop(state);
        let unflushed = &self.writer.tail_ref().buffer.values;
        self.store.stored(unflushed, &mut None, visible.modified).map(Some)
    }

    /// Puts `value` under `key`, attached to `lease` (0 for none), and
    /// returns the key's previous state if it was live.
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`] for an empty key, and the fatal storage
    /// errors.
    pub fn put(
        &mut self,
        key: impl Into<Vec<u8>>,
        value: impl Into<Vec<u8>>,
        lease: i64,
    ) -> Result<Option<KeyValue>> {
        let key = key.into();
        if key.is_empty() {
            return Err(Error::KeyNotProvided);
        }
        let prev = self.latest(&key)?;
        let revision = self.revision();
        let kv = KeyValue {
            key: key.clone(),
            create_revision: prev.as_ref().map_or(revision, |p| p.create_revision),
            mod_revision: revision,
            version: prev.as_ref().map_or(1, |p| p.version + 1),
            value: value.into(),
            lease,
        };
        self.overlay.insert(key, Some(kv.clone()));
        self.events.push(Event { kind: EventKind::Put, kv, prev_kv: prev.clone() });
        Ok(prev)
    }

    /// Deletes the live keys in `[key, range_end)` (see
    /// [`RangeOptions::range_end`]) and returns them as they were, in key
    /// order. Deleting nothing is not a change.
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`] for an empty key, and the fatal storage
    /// errors.
    pub fn delete_range(&mut self, key: &[u8], range_end: &[u8]) -> Result<Vec<KeyValue>> {
        let deleted = self.range(&RangeOptions::range(key, range_end))?.kvs;
        let revision = self.revision();
        for kv in &deleted {
            self.overlay.insert(kv.key.clone(), None);
            self.events.push(Event {
                kind: EventKind::Delete,
                kv: tombstone(&kv.key, revision),
                prev_kv: Some(kv.clone()),
            });
        }
        Ok(deleted)
    }

    /// Commits the changes, lease grants and revocations, alarm changes and
    /// the applied index. Returns the store's revision after the write
    /// (unchanged if no key changed) and the changes as watchers get them.
    ///
    /// A write from [`Store::write`] is written to redb in one durable
    /// transaction and visible to readers when this returns. One from a
    /// [`Batch`](super::Batch) is seen by the later writes of the batch at
    /// once, and written to redb with all of them in one transaction and
    /// one fsync by the batch's commit.
    ///
    /// Writes that change neither keys, leases nor alarms record their
    /// applied index without waiting for the disk; the next durable commit
    /// carries it. If the process dies first, the entry is applied again on
    /// restart and again changes nothing, since nothing durable happened
    /// after it.
    ///
    /// # Errors
    ///
    /// Only the fatal storage errors (of a write of its own; a batch's
    /// commit reports them for a batch). The write is then applied but not
    /// durable: the next successful commit of the store carries it, and if
    /// the process dies first it is lost and applied again on restart.
    pub fn commit(self) -> Result<(i64, Vec<Event>)> {
        let Self {
            store,
            mut writer,
            applied_index,
            begin_revision,
            events,
            lease_changes,
            alarm_changes,
            ..
        } = self;
        let revision = if events.is_empty() { begin_revision } else { begin_revision + 1 };
        let own = matches!(writer, WriterGuard::Own(_));
        let tail = writer.tail();
        let buffer = &mut tail.buffer;
        let mut state = store.state_mut();
        for (event, sub) in events.iter().zip(0..) {
            let rev = Revision::new(revision, sub);
            let key = &event.kv.key;
            match event.kind {
                EventKind::Put => {
                    buffer.rows.push((rev, Entry::put(&event.kv).encode()));
                    buffer.values.insert(rev, event.kv.clone());
                    state.index.put(key, rev);
                }
                EventKind::Delete => {
                    buffer.rows.push((rev, Entry::Tombstone { key }.encode()));
                    let live = state.index.tombstone(key, rev);
                    debug_assert!(live, "a write deletes only live keys");
                }
            }
            state.leases.follow(event);
        }
        for &change in &lease_changes {
            state.leases.change(change);
        }
        for &(alarm, active) in &alarm_changes {
            if active {
                state.alarms.insert(alarm);
            } else {
                state.alarms.remove(&alarm);
            }
        }
        drop(state);
        buffer.leases.extend(lease_changes);
        buffer.alarms.extend(alarm_changes);
        buffer.applied = true;
        tail.revision = revision;
        tail.applied_index = applied_index;
        // A write of its own is flushed and synced now; a batch's with the
        // batch. If the flush fails, the write stays buffered: the next
        // flush carries it (or the process dies and it is applied again).
        if own {
            store.publish(tail)?;
        }
        Ok((revision, events))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{get, keys, kv, put, write};
    use super::super::{SortOrder, SortTarget};
    use super::*;

    fn put_event(kv: KeyValue, prev_kv: Option<KeyValue>) -> Event {
        Event { kind: EventKind::Put, kv, prev_kv }
    }

    fn delete_event(key: &str, revision: i64, prev_kv: KeyValue) -> Event {
        Event {
            kind: EventKind::Delete,
            kv: tombstone(key.as_bytes(), revision),
            prev_kv: Some(prev_kv),
        }
    }

    #[test]
    fn many_changes_share_one_revision() {
        let store = Store::in_memory().unwrap();
        put(&store, "a", "0"); // 2
        let mut w = write(&store);
        assert_eq!(w.revision(), 3);
        assert_eq!(w.put("a", "1", 0).unwrap(), Some(kv("a", "0", 2, 2, 1)));
        assert_eq!(w.put("b", "1", 7).unwrap(), None);
        assert_eq!(w.put("a", "2", 0).unwrap(), Some(kv("a", "1", 2, 3, 2)));
        let (revision, events) = w.commit().unwrap();
        assert_eq!(revision, 3);
        assert_eq!(store.current_revision(), 3);
        let b = KeyValue { lease: 7, ..kv("b", "1", 3, 3, 1) };
        assert_eq!(
            events,
            [
                put_event(kv("a", "1", 2, 3, 2), Some(kv("a", "0", 2, 2, 1))),
                put_event(b.clone(), None),
                put_event(kv("a", "2", 2, 3, 3), Some(kv("a", "1", 2, 3, 2))),
            ]
        );
        assert_eq!(get(&store, "a", 0), Some(kv("a", "2", 2, 3, 3)));
        assert_eq!(get(&store, "b", 0), Some(b));
        assert_eq!(get(&store, "a", 2), Some(kv("a", "0", 2, 2, 1)));
        // The replayed history is what the commit returned.
        assert_eq!(store.events(3, 3, b"\0", b"\0").unwrap(), events);
    }

    #[test]
    fn reads_inside_a_write_see_its_changes() {
        let store = Store::in_memory().unwrap();
        for key in ["x1", "x2", "x3"] {
            put(&store, key, "old"); // 2, 3, 4
        }
        let mut w = write(&store);
        let all = || RangeOptions::prefix("x");
        assert!(matches!(
            w.range(&all().revision(5)),
            Err(Error::FutureRevision { revision: 5, current_revision: 4 })
        ));
        assert_eq!(w.delete_range(b"x2", b"").unwrap(), [kv("x2", "old", 3, 3, 1)]);
        w.put("x4", "new", 0).unwrap();
        w.put("x1", "new", 0).unwrap();

        let now = w.range(&all()).unwrap();
        assert_eq!(keys(&now.kvs), "x1,x3,x4");
        assert_eq!(now.kvs[0], kv("x1", "new", 2, 5, 2));
        assert_eq!((now.count, now.revision), (3, 5));
        let limited = w.range(&all().limit(2)).unwrap();
        assert_eq!((keys(&limited.kvs).as_str(), limited.count, limited.more), ("x1,x3", 3, true));
        assert_eq!(w.range(&all().count_only()).unwrap().count, 3);
        let sorted = w.range(&all().sort(SortOrder::Descend, SortTarget::Mod)).unwrap();
        assert_eq!(keys(&sorted.kvs), "x1,x4,x3");
        let untouched = w.range(&RangeOptions::key("x3")).unwrap();
        assert_eq!(untouched.kvs, [kv("x3", "old", 4, 4, 1)]);

        // Older revisions, and other readers, do not see the open write.
        let before = w.range(&all().revision(4)).unwrap();
        assert_eq!(keys(&before.kvs), "x1,x2,x3");
        assert_eq!(get(&store, "x1", 0), Some(kv("x1", "old", 2, 2, 1)));
        assert_eq!(store.range(&all()).unwrap().revision, 4);

        // Deleting the range deletes what the write sees.
        let deleted = w.delete_range(b"x", b"y").unwrap();
        assert_eq!(keys(&deleted), "x1,x3,x4");
        assert!(w.range(&all()).unwrap().kvs.is_empty());
        let (revision, events) = w.commit().unwrap();
        assert_eq!((revision, events.len()), (5, 6));
        assert!(store.range(&all()).unwrap().kvs.is_empty());
    }

    #[test]
    fn put_then_delete_in_one_write_leaves_nothing() {
        let store = Store::in_memory().unwrap();
        let mut w = write(&store);
        w.put("a", "1", 0).unwrap();
        assert_eq!(w.delete_range(b"a", b"").unwrap(), [kv("a", "1", 2, 2, 1)]);
        let (revision, events) = w.commit().unwrap();
        assert_eq!(revision, 2);
        assert_eq!(
            events,
            [put_event(kv("a", "1", 2, 2, 1), None), delete_event("a", 2, kv("a", "1", 2, 2, 1)),]
        );
        assert_eq!(get(&store, "a", 0), None);
        assert_eq!(store.events(2, 0, b"a", b"").unwrap(), events);
        // The key can be created again, in a new generation.
        put(&store, "a", "2");
        assert_eq!(get(&store, "a", 0), Some(kv("a", "2", 3, 3, 1)));
    }

    #[test]
    fn delete_then_put_in_one_write_starts_a_generation() {
        let store = Store::in_memory().unwrap();
        put(&store, "a", "1"); // 2
        put(&store, "a", "2"); // 3
        let mut w = write(&store);
        w.delete_range(b"a", b"").unwrap();
        assert_eq!(w.put("a", "3", 0).unwrap(), None, "the key was deleted");
        let (_, events) = w.commit().unwrap();
        assert_eq!(
            events,
            [delete_event("a", 4, kv("a", "2", 2, 3, 2)), put_event(kv("a", "3", 4, 4, 1), None),]
        );
        assert_eq!(get(&store, "a", 0), Some(kv("a", "3", 4, 4, 1)));
        assert_eq!(get(&store, "a", 3), Some(kv("a", "2", 2, 3, 2)));
    }

    #[test]
    fn a_write_that_changes_nothing_keeps_the_revision() {
        let store = Store::in_memory().unwrap();
        put(&store, "a", "1"); // 2, index 1
        let mut w = store.write(2).unwrap().unwrap();
        assert!(w.range(&RangeOptions::key("a")).unwrap().kvs.len() == 1);
        assert!(w.delete_range(b"missing", b"").unwrap().is_empty());
        assert!(!w.has_changes());
        assert_eq!(w.commit().unwrap(), (2, vec![]));
        assert_eq!(store.current_revision(), 2);
        assert_eq!(store.applied_index(), 2);
        assert_eq!(put(&store, "b", "1"), 3, "the next change gets the next revision");
    }

    #[test]
    fn a_dropped_write_changes_nothing() {
        let store = Store::in_memory().unwrap();
        let mut w = store.write(5).unwrap().unwrap();
        w.put("a", "1", 0).unwrap();
        drop(w);
        assert_eq!(store.current_revision(), 1);
        assert_eq!(store.applied_index(), 0);
        assert_eq!(get(&store, "a", 0), None);
        assert!(store.events(0, 0, b"\0", b"\0").unwrap().is_empty());
    }

    #[test]
    fn applying_an_index_twice_is_skipped() {
        let store = Store::in_memory().unwrap();
        assert!(store.write(0).unwrap().is_none(), "log indexes start at 1");
        let mut w = store.write(1).unwrap().unwrap();
        w.put("a", "1", 0).unwrap();
        assert_eq!(w.applied_index(), 1);
        w.commit().unwrap();
        assert_eq!(store.applied_index(), 1);
        assert!(store.write(1).unwrap().is_none());
        // Indexes may skip (entries that are not writes), never go back.
        let mut w = store.write(4).unwrap().unwrap();
        w.put("a", "2", 0).unwrap();
        w.commit().unwrap();
        for index in [1, 2, 3, 4] {
            assert!(store.write(index).unwrap().is_none(), "index {index}");
        }
        assert_eq!(get(&store, "a", 0), Some(kv("a", "2", 2, 3, 2)));
    }

    #[test]
    fn empty_keys_are_refused() {
        let store = Store::in_memory().unwrap();
        let mut w = write(&store);
        assert!(matches!(w.put("", "v", 0), Err(Error::KeyNotProvided)));
        assert!(matches!(w.delete_range(b"", b"\0"), Err(Error::KeyNotProvided)));
        assert!(matches!(w.range(&RangeOptions::key("")), Err(Error::KeyNotProvided)));
        assert!(!w.has_changes());
    }
}
