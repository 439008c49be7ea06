//! History: compaction, replaying changes for watchers, and the history
//! hash.

use super::index;
use super::range;
use super::store::{Tail, tombstone};
use super::{Error, Event, EventKind, Result, Store};

impl Store {
    /// Compacts history at `revision`: reads and events below it fail with
    /// [`Error::Compacted`] from now on, and every change below it that is
    /// not the newest at `revision` of a live key is deleted from disk.
    /// Keys deleted at or before `revision` disappear from history.
    ///
    /// The deletion runs now, in one durable redb transaction; writes wait
    /// for it (etcd deletes in batches in the background, which can come
    /// later).
    ///
    /// # Errors
    ///
    /// [`Error::Compacted`] if `revision` is not above the compact revision,
    /// [`Error::FutureRevision`] if it is above the current revision, and
    /// the fatal storage errors.
    pub fn compact(&self, revision: i64) -> Result<()> {
        self.compact_locked(&mut self.lock_writer(), revision)
    }

    /// [`compact`](Store::compact) with the writer lock held; checks
    /// `revision` against the writer's tail, and first publishes the writes
    /// applied before it (a batch's), so that it compacts what is on disk.
    pub(crate) fn compact_locked(&self, tail: &mut Tail, revision: i64) -> Result<()> {
        {
            let state = self.state();
            if revision <= state.compact_revision {
                return Err(Error::Compacted { compact_revision: state.compact_revision });
            }
        }
        if revision > tail.revision {
            return Err(Error::FutureRevision { revision, current_revision: tail.revision });
        }
        self.publish(tail)?;
        let keep = {
            // The compact revision only changes under the writer lock, which
            // is held: the checks above still hold.
            let mut state = self.state_mut();
            state.compact_revision = revision;
            state.index.compact(revision)
        };
        // Readers that saw the old index hold snapshots from before this.
        self.backend().compact(revision, &keep)
    }

    /// The changes to keys in `[key, range_end)` with a main revision in
    /// `start_revision..=end_revision` (0 or past the current revision: up
    /// to the current revision), oldest first, each with its `prev_kv`.
    /// This is how a watcher that fell behind catches up. At the compact
    /// revision itself, only the changes compaction kept are left (the
    /// newest put of each live key), as in etcd.
    ///
    /// The index stays read-locked during the scan (for the `prev_kv`s), so
    /// a long replay delays the next write from becoming visible.
    ///
    /// # Errors
    ///
    /// [`Error::Compacted`] if `start_revision` is below the compact
    /// revision, and the fatal storage errors.
    pub fn events(
        &self,
        start_revision: i64,
        end_revision: i64,
        key: &[u8],
        range_end: &[u8],
    ) -> Result<Vec<Event>> {
        let state = self.state();
        if start_revision < state.compact_revision {
            return Err(Error::Compacted { compact_revision: state.compact_revision });
        }
        let end = match end_revision {
            e if e <= 0 || e > state.current_revision => state.current_revision,
            e => e,
        };
        let reader = self.backend().reader()?;
        let mut events = Vec::new();
        reader.scan(start_revision.max(1), end, |rev, entry| {
            let changed = entry.key();
            if !index::in_range(key, range_end, changed) {
                return Ok(());
            }
            let prev_kv = match state.index.prev(changed, rev) {
                Some(prev) => Some(reader.key_value(prev)?),
                None => None,
            };
            let (kind, kv) = match entry.to_key_value(rev) {
                Some(kv) => (EventKind::Put, kv),
                None => (EventKind::Delete, tombstone(changed, rev.main)),
            };
            events.push(Event { kind, kv, prev_kv });
            Ok(())
        })?;
        Ok(events)
    }

    /// A CRC-32C over every change kept in history at or below `revision`
    /// (0 for the current revision): its revision and its stored bytes (see
    /// `HashKV` in etcd). Two stores with the same history and the same
    /// compactions hash equal. Returns the hash and the compact revision.
    ///
    /// # Errors
    ///
    /// [`Error::Compacted`] or [`Error::FutureRevision`] for a revision that
    /// cannot be read, and the fatal storage errors.
    pub fn hash_kv(&self, revision: i64) -> Result<(u32, i64)> {
        let state = self.state();
        let at = range::resolve_revision(revision, state.current_revision, state.compact_revision)?;
        let compact_revision = state.compact_revision;
        let reader = self.backend().reader()?;
        drop(state);
        Ok((reader.hash(at)?, compact_revision))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{delete, get, kv, put, write};
    use super::super::{KeyValue, RangeOptions};
    use super::*;

    /// The revisions stored on disk.
    fn stored(store: &Store) -> Vec<(i64, i64)> {
        let mut revs = Vec::new();
        let reader = store.backend().reader().unwrap();
        reader
            .scan(0, i64::MAX, |rev, _| {
                revs.push((rev.main, rev.sub));
                Ok(())
            })
            .unwrap();
        revs
    }

    #[test]
    fn compaction_refuses_old_and_future_revisions() {
        let store = Store::in_memory().unwrap();
        assert!(matches!(store.compact(0), Err(Error::Compacted { compact_revision: 0 })));
        put(&store, "a", "1");
        assert!(matches!(
            store.compact(3),
            Err(Error::FutureRevision { revision: 3, current_revision: 2 })
        ));
        store.compact(2).unwrap();
        for revision in [1, 2] {
            assert!(matches!(
                store.compact(revision),
                Err(Error::Compacted { compact_revision: 2 })
            ));
        }
        assert_eq!(store.compact_revision(), 2);
    }

    #[test]
    fn compaction_keeps_what_is_visible_and_drops_the_rest() {
        let store = Store::in_memory().unwrap();
        put(&store, "a", "1"); // 2
        put(&store, "a", "2"); // 3
        put(&store, "b", "1"); // 4
        delete(&store, "b", ""); // 5
        put(&store, "c", "1"); // 6
        put(&store, "a", "3"); // 7

        store.compact(5).unwrap();
        assert_eq!(stored(&store), [(3, 0), (6, 0), (7, 0)]);
        assert_eq!(get(&store, "a", 5), Some(kv("a", "2", 2, 3, 2)));
        assert_eq!(get(&store, "b", 5), None);
        assert_eq!(get(&store, "c", 6), Some(kv("c", "1", 6, 6, 1)));
        assert!(matches!(
            store.range(&RangeOptions::key("a").revision(4)),
            Err(Error::Compacted { compact_revision: 5 })
        ));

        store.compact(7).unwrap();
        assert_eq!(stored(&store), [(6, 0), (7, 0)]);
        assert_eq!(get(&store, "a", 7), Some(kv("a", "3", 2, 7, 3)));
        assert_eq!(store.current_revision(), 7, "compaction is not a write");
        put(&store, "a", "4");
        assert_eq!(get(&store, "a", 0), Some(kv("a", "4", 2, 8, 4)));
    }

    fn event(kind: EventKind, kv: KeyValue, prev_kv: Option<KeyValue>) -> Event {
        Event { kind, kv, prev_kv }
    }

    fn deleted(key: &str, revision: i64) -> KeyValue {
        tombstone(key.as_bytes(), revision)
    }

    #[test]
    fn events_replay_history_with_previous_values() {
        use EventKind::{Delete, Put};
        let store = Store::in_memory().unwrap();
        put(&store, "a", "1"); // 2
        let mut w = write(&store);
        w.put("b", "1", 0).unwrap();
        w.put("a", "2", 0).unwrap();
        w.commit().unwrap(); // 3
        delete(&store, "a", ""); // 4
        put(&store, "a", "3"); // 5
        delete(&store, "a", "c"); // 6: a and b

        let a1 = kv("a", "1", 2, 2, 1);
        let a2 = kv("a", "2", 2, 3, 2);
        let a3 = kv("a", "3", 5, 5, 1);
        let b1 = kv("b", "1", 3, 3, 1);
        let all = [
            event(Put, a1.clone(), None),
            event(Put, b1.clone(), None),
            event(Put, a2.clone(), Some(a1)),
            event(Delete, deleted("a", 4), Some(a2)),
            event(Put, a3.clone(), None),
            event(Delete, deleted("a", 6), Some(a3.clone())),
            event(Delete, deleted("b", 6), Some(b1.clone())),
        ];
        assert_eq!(store.events(2, 0, b"\0", b"\0").unwrap(), all);
        assert_eq!(store.events(0, 100, b"a", b"\0").unwrap(), all, "clamped");
        assert_eq!(store.events(3, 4, b"\0", b"\0").unwrap(), all[1..4]);
        assert_eq!(store.events(2, 0, b"b", b"").unwrap(), [all[1].clone(), all[6].clone()]);
        assert_eq!(store.events(2, 0, b"a", b"b").unwrap().len(), 5);
        assert!(store.events(7, 0, b"\0", b"\0").unwrap().is_empty());

        store.compact(4).unwrap();
        assert!(matches!(
            store.events(3, 0, b"\0", b"\0"),
            Err(Error::Compacted { compact_revision: 4 })
        ));
        // The delete at 4 went with its generation; b's put at 3 is kept
        // for the prev_kv of its delete.
        assert_eq!(store.events(4, 0, b"\0", b"\0").unwrap(), all[4..]);
        assert_eq!(stored(&store), [(3, 0), (5, 0), (6, 0), (6, 1)]);
    }

    fn history(value: &str) -> Store {
        let store = Store::in_memory().unwrap();
        put(&store, "a", "1"); // 2
        put(&store, "b", value); // 3
        delete(&store, "a", ""); // 4
        put(&store, "a", "2"); // 5
        store
    }

    #[test]
    fn equal_histories_hash_equal() {
        let (one, two, other) = (history("x"), history("x"), history("y"));
        for revision in 0..=5 {
            let hash = one.hash_kv(revision).unwrap();
            assert_eq!(hash, two.hash_kv(revision).unwrap(), "at {revision}");
            assert_eq!(hash.1, 0);
            if revision == 0 || revision >= 3 {
                assert_ne!(hash, other.hash_kv(revision).unwrap(), "at {revision}");
            }
        }
        assert_ne!(one.hash_kv(2).unwrap(), one.hash_kv(3).unwrap());

        let at_five = one.hash_kv(5).unwrap();
        put(&one, "c", "1");
        assert_eq!(one.hash_kv(5).unwrap(), at_five, "later writes do not change it");
        assert_ne!(one.hash_kv(0).unwrap(), at_five);
        assert!(matches!(one.hash_kv(7), Err(Error::FutureRevision { revision: 7, .. })));

        one.compact(4).unwrap();
        two.compact(4).unwrap();
        put(&two, "c", "1");
        assert_eq!(one.hash_kv(5).unwrap(), two.hash_kv(5).unwrap());
        assert_eq!(one.hash_kv(0).unwrap().1, 4);
        assert!(matches!(one.hash_kv(3), Err(Error::Compacted { compact_revision: 4 })));
    }
}
