//! The in-memory key index: for every key, the revisions that changed it,
//! grouped into generations (etcd's `keyIndex`).
//!
//! A generation runs from the put that creates a key to the tombstone that
//! deletes it; the last generation of a key is open (no tombstone yet, and
//! empty after a delete). The index holds revisions only; values live in the
//! backend under their revision.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::{Bound, RangeBounds};

use super::Revision;

/// What a key looked like at some revision, as far as the index knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Visible {
    /// The revision of the change that is visible (the key's mod revision).
    pub(crate) modified: Revision,
    /// The main revision that created the visible generation.
    pub(crate) created: i64,
    /// The key's version at that point.
    pub(crate) version: i64,
}

/// The revisions of one key from a creation to its deletion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Generation {
    /// Puts in this generation so far, including the compacted ones and a
    /// tombstone.
    version: i64,
    /// The main revision of the put that created the generation.
    created: i64,
    /// The revisions still in history, oldest first; the last one is the
    /// tombstone in every generation but the last.
    revs: Vec<Revision>,
}

/// The history of one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyIndex {
    generations: Vec<Generation>,
}

impl KeyIndex {
    fn new() -> Self {
        Self { generations: vec![Generation::default()] }
    }

    fn last_mut(&mut self) -> &mut Generation {
        self.generations.last_mut().expect("a key index always has a generation")
    }

    fn put(&mut self, rev: Revision) {
        let g = self.last_mut();
        if g.revs.is_empty() {
            g.created = rev.main;
        }
        g.revs.push(rev);
        g.version += 1;
    }

    /// Ends the open generation with a tombstone; false if the key is not
    /// live.
    fn tombstone(&mut self, rev: Revision) -> bool {
        if self.last_mut().revs.is_empty() {
            return false;
        }
        self.put(rev);
        self.generations.push(Generation::default());
        true
    }

    /// Whether nothing of the key is left.
    fn is_empty(&self) -> bool {
        self.generations.len() == 1 && self.generations[0].revs.is_empty()
    }

    /// The generation that holds the key at revision `at`, if it is live then.
    fn find_generation(&self, at: i64) -> Option<&Generation> {
        let last = self.generations.len() - 1;
        for (i, g) in self.generations.iter().enumerate().rev() {
            let (Some(first), Some(newest)) = (g.revs.first(), g.revs.last()) else {
                continue;
            };
            if i != last && newest.main <= at {
                // Deleted at or before `at` (the newest revision is the tombstone).
                return None;
            }
            if first.main <= at {
                return Some(g);
            }
        }
        None
    }

    fn get(&self, at: i64) -> Option<Visible> {
        let g = self.find_generation(at)?;
        let n = g.revs.iter().rposition(|r| r.main <= at)?;
        let newer = i64::try_from(g.revs.len() - n - 1).expect("history fits in i64");
        Some(Visible { modified: g.revs[n], created: g.created, version: g.version - newer })
    }

    /// The change just before `rev` in the same generation.
    fn prev(&self, rev: Revision) -> Option<Revision> {
        self.generations.iter().find_map(|g| {
            let n = g.revs.binary_search(&rev).ok()?;
            n.checked_sub(1).map(|p| g.revs[p])
        })
    }

    /// Drops the history below `at`, keeping the newest revision at or below
    /// `at` of a live key (recorded in `keep`). Port of etcd's
    /// `keyIndex.compact`.
    fn compact(&mut self, at: i64, keep: &mut BTreeSet<Revision>) {
        if self.is_empty() {
            return;
        }
        let last = self.generations.len() - 1;
        // Skip the generations deleted at or before `at`.
        let mut gi = 0;
        while gi < last {
            let tombstone = self.generations[gi].revs.last().map_or(i64::MIN, |r| r.main);
            if tombstone > at {
                break;
            }
            gi += 1;
        }
        let g = &mut self.generations[gi];
        if let Some(n) = g.revs.iter().rposition(|r| r.main <= at) {
            keep.insert(g.revs[n]);
            g.revs.drain(..n);
        }
        if g.revs.len() == 1 && gi != last {
            // Only a tombstone is left: the generation is gone.
            keep.remove(&g.revs[0]);
            gi += 1;
        }
        self.generations.drain(..gi);
    }
}

/// Inclusive-or-exclusive bounds on keys.
pub(crate) type KeyBounds<'a> = (Bound<&'a [u8]>, Bound<&'a [u8]>);

/// The bounds of etcd's `[key, range_end)`: an empty `range_end` means the
/// single key, `"\0"` means every key from `key` on; `None` when the range is
/// empty (`range_end <= key`).
pub(crate) fn key_bounds<'a>(key: &'a [u8], range_end: &'a [u8]) -> Option<KeyBounds<'a>> {
    match range_end {
        [] => Some((Bound::Included(key), Bound::Included(key))),
        [0] => Some((Bound::Included(key), Bound::Unbounded)),
        end if end <= key => None,
        end => Some((Bound::Included(key), Bound::Excluded(end))),
    }
}

/// Whether `candidate` is in etcd's `[key, range_end)`.
pub(crate) fn in_range(key: &[u8], range_end: &[u8], candidate: &[u8]) -> bool {
    key_bounds(key, range_end).is_some_and(|b| RangeBounds::<[u8]>::contains(&b, candidate))
}

/// All keys and their histories.
#[derive(Clone, Debug, Default)]
pub(crate) struct Index {
    keys: BTreeMap<Vec<u8>, KeyIndex>,
}

impl Index {
    /// Records a put of `key` at `rev`.
    pub(crate) fn put(&mut self, key: &[u8], rev: Revision) {
        match self.keys.get_mut(key) {
            Some(ki) => ki.put(rev),
            None => {
                let mut ki = KeyIndex::new();
                ki.put(rev);
                self.keys.insert(key.to_vec(), ki);
            }
        }
    }

    /// Records a delete of `key` at `rev`; false (and nothing recorded) if
    /// the key is not live.
    pub(crate) fn tombstone(&mut self, key: &[u8], rev: Revision) -> bool {
        self.keys.get_mut(key).is_some_and(|ki| ki.tombstone(rev))
    }

    /// Records a put read back from the backend, whose history before it
    /// may have been compacted: a put that opens a generation restores the
    /// generation's `created` revision and `version` from the stored value.
    pub(crate) fn restore(&mut self, key: &[u8], rev: Revision, created: i64, version: i64) {
        let ki = self.keys.entry(key.to_vec()).or_insert_with(KeyIndex::new);
        let g = ki.last_mut();
        if g.revs.is_empty() {
            *g = Generation { version, created, revs: vec![rev] };
        } else {
            ki.put(rev);
        }
    }

    /// The key at revision `at`, if it is live then.
    pub(crate) fn get(&self, key: &[u8], at: i64) -> Option<Visible> {
        self.keys.get(key)?.get(at)
    }

    /// The keys in `[key, range_end)` that are live at `at`, in key order.
    pub(crate) fn range<'a>(
        &'a self,
        key: &'a [u8],
        range_end: &'a [u8],
        at: i64,
    ) -> impl Iterator<Item = (&'a [u8], Visible)> + 'a {
        key_bounds(key, range_end)
            .into_iter()
            .flat_map(|bounds| self.keys.range::<[u8], _>(bounds))
            .filter_map(move |(k, ki)| ki.get(at).map(|v| (k.as_slice(), v)))
    }

    /// The change of `key` just before `rev` in the same generation: what a
    /// watcher gets as `prev_kv`. `None` when `rev` created the key or its
    /// predecessor was compacted.
    pub(crate) fn prev(&self, key: &[u8], rev: Revision) -> Option<Revision> {
        self.keys.get(key)?.prev(rev)
    }

    /// Drops history below `at` and returns the revisions at or below `at`
    /// that are still needed (the newest one of each key live at `at`);
    /// every other revision at or below `at` can be deleted from the backend.
    /// Keys deleted at or before `at` disappear.
    pub(crate) fn compact(&mut self, at: i64) -> BTreeSet<Revision> {
        let mut keep = BTreeSet::new();
        self.keys.retain(|_, ki| {
            ki.compact(at, &mut keep);
            !ki.is_empty()
        });
        keep
    }

    /// How many keys have any history.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn rev(main: i64, sub: i64) -> Revision {
        Revision::new(main, sub)
    }

    fn vis(modified: Revision, created: i64, version: i64) -> Option<Visible> {
        Some(Visible { modified, created, version })
    }

    /// etcd's test history for one key: three generations and an open one.
    fn history() -> KeyIndex {
        let mut ki = KeyIndex::new();
        ki.put(rev(2, 0));
        ki.put(rev(4, 0));
        assert!(ki.tombstone(rev(6, 0)));
        ki.put(rev(8, 0));
        ki.put(rev(10, 0));
        assert!(ki.tombstone(rev(12, 0)));
        ki.put(rev(14, 0));
        ki.put(rev(14, 1));
        assert!(ki.tombstone(rev(16, 0)));
        ki
    }

    #[test]
    fn get_sees_the_right_generation_and_version() {
        let ki = history();
        let cases = [
            (1, None),
            (2, vis(rev(2, 0), 2, 1)),
            (3, vis(rev(2, 0), 2, 1)),
            (4, vis(rev(4, 0), 2, 2)),
            (5, vis(rev(4, 0), 2, 2)),
            (6, None),
            (7, None),
            (8, vis(rev(8, 0), 8, 1)),
            (11, vis(rev(10, 0), 8, 2)),
            (12, None),
            (13, None),
            (14, vis(rev(14, 1), 14, 2)),
            (15, vis(rev(14, 1), 14, 2)),
            (16, None),
            (100, None),
        ];
        for (at, want) in cases {
            assert_eq!(ki.get(at), want, "at revision {at}");
        }
    }

    #[test]
    fn tombstone_needs_a_live_key() {
        let mut index = Index::default();
        assert!(!index.tombstone(b"a", rev(2, 0)));
        index.put(b"a", rev(2, 0));
        assert!(index.tombstone(b"a", rev(3, 0)));
        assert!(!index.tombstone(b"a", rev(4, 0)));
        assert_eq!(index.get(b"a", 4), None);
    }

    #[test]
    fn put_and_delete_in_one_revision_leave_nothing_visible() {
        let mut index = Index::default();
        index.put(b"a", rev(2, 0));
        assert!(index.tombstone(b"a", rev(2, 1)));
        index.put(b"b", rev(2, 2));
        assert_eq!(index.get(b"a", 2), None);
        assert_eq!(index.get(b"b", 2), vis(rev(2, 2), 2, 1));

        // Delete then re-create in one revision: a new generation at once.
        index.put(b"c", rev(3, 0));
        assert!(index.tombstone(b"c", rev(4, 0)));
        index.put(b"c", rev(4, 1));
        assert_eq!(index.get(b"c", 4), vis(rev(4, 1), 4, 1));
        assert_eq!(index.get(b"c", 3), vis(rev(3, 0), 3, 1));
    }

    /// The generations (as revision lists) and kept revisions after
    /// compacting `history()` at each revision, from etcd's
    /// `TestKeyIndexCompactAndKeep`.
    #[test]
    fn compact_keeps_the_newest_revision_at_or_below() {
        let g1 = vec![rev(2, 0), rev(4, 0), rev(6, 0)];
        let g2 = vec![rev(8, 0), rev(10, 0), rev(12, 0)];
        let g3 = vec![rev(14, 0), rev(14, 1), rev(16, 0)];
        type Case = (i64, Vec<Vec<Revision>>, Vec<Revision>);
        let cases: Vec<Case> = vec![
            (1, vec![g1.clone(), g2.clone(), g3.clone(), vec![]], vec![]),
            (2, vec![g1.clone(), g2.clone(), g3.clone(), vec![]], vec![rev(2, 0)]),
            (3, vec![g1.clone(), g2.clone(), g3.clone(), vec![]], vec![rev(2, 0)]),
            (4, vec![g1[1..].to_vec(), g2.clone(), g3.clone(), vec![]], vec![rev(4, 0)]),
            (5, vec![g1[1..].to_vec(), g2.clone(), g3.clone(), vec![]], vec![rev(4, 0)]),
            (6, vec![g2.clone(), g3.clone(), vec![]], vec![]),
            (7, vec![g2.clone(), g3.clone(), vec![]], vec![]),
            (8, vec![g2.clone(), g3.clone(), vec![]], vec![rev(8, 0)]),
            (9, vec![g2.clone(), g3.clone(), vec![]], vec![rev(8, 0)]),
            (10, vec![g2[1..].to_vec(), g3.clone(), vec![]], vec![rev(10, 0)]),
            (11, vec![g2[1..].to_vec(), g3.clone(), vec![]], vec![rev(10, 0)]),
            (12, vec![g3.clone(), vec![]], vec![]),
            (13, vec![g3.clone(), vec![]], vec![]),
            (14, vec![g3[1..].to_vec(), vec![]], vec![rev(14, 1)]),
            (15, vec![g3[1..].to_vec(), vec![]], vec![rev(14, 1)]),
            (16, vec![vec![]], vec![]),
            (17, vec![vec![]], vec![]),
        ];

        // Compacting a fresh copy, and compacting one copy step by step,
        // give the same histories.
        let mut stepwise = history();
        for (at, want_gens, want_keep) in cases {
            for ki in [&mut history(), &mut stepwise] {
                let mut keep = BTreeSet::new();
                ki.compact(at, &mut keep);
                let gens: Vec<Vec<Revision>> =
                    ki.generations.iter().map(|g| g.revs.clone()).collect();
                assert_eq!(gens, want_gens, "generations after compacting at {at}");
                if at >= 16 {
                    assert!(ki.is_empty());
                }
                // Step by step, a revision kept earlier is kept again.
                assert_eq!(keep.into_iter().collect::<Vec<_>>(), want_keep, "kept at {at}");
            }
        }
    }

    #[test]
    fn compaction_preserves_what_is_visible_at_and_after_it() {
        for at in 1..=17 {
            let full = history();
            let mut compacted = history();
            compacted.compact(at, &mut BTreeSet::new());
            for read in at..=18 {
                assert_eq!(compacted.get(read), full.get(read), "compact {at}, read {read}");
            }
        }
    }

    #[test]
    fn index_compaction_drops_deleted_keys_and_returns_what_to_keep() {
        let mut index = Index::default();
        index.put(b"a", rev(2, 0));
        index.put(b"b", rev(3, 0));
        index.put(b"a", rev(4, 0));
        assert!(index.tombstone(b"b", rev(5, 0)));
        index.put(b"c", rev(6, 0));

        let keep = index.compact(4);
        assert_eq!(keep.into_iter().collect::<Vec<_>>(), [rev(3, 0), rev(4, 0)]);
        assert_eq!(index.len(), 3);

        let keep = index.compact(5);
        assert_eq!(keep.into_iter().collect::<Vec<_>>(), [rev(4, 0)]);
        assert_eq!(index.len(), 2, "b was deleted at 5 and is gone");
        assert_eq!(index.get(b"b", 5), None);
        assert_eq!(index.get(b"a", 5), vis(rev(4, 0), 2, 2));
    }

    #[test]
    fn range_lists_live_keys_in_order() {
        let mut index = Index::default();
        for (i, k) in ["a", "b", "c", "d"].iter().enumerate() {
            index.put(k.as_bytes(), rev(2 + i64::try_from(i).unwrap(), 0));
        }
        assert!(index.tombstone(b"b", rev(6, 0)));

        let keys = |key: &[u8], end: &[u8], at| -> Vec<String> {
            index.range(key, end, at).map(|(k, _)| String::from_utf8(k.to_vec()).unwrap()).collect()
        };
        assert_eq!(keys(b"a", b"", 6), ["a"]);
        assert_eq!(keys(b"b", b"", 6), Vec::<String>::new());
        assert_eq!(keys(b"b", b"", 5), ["b"]);
        assert_eq!(keys(b"a", b"c", 6), ["a"]);
        assert_eq!(keys(b"a", b"c", 5), ["a", "b"]);
        assert_eq!(keys(b"b", b"\0", 6), ["c", "d"]);
        assert_eq!(keys(b"\0", b"\0", 3), ["a", "b"]);
        assert_eq!(keys(b"c", b"a", 6), Vec::<String>::new());
        assert_eq!(keys(b"c", b"c", 6), Vec::<String>::new());
        assert_eq!(keys(b"a", b"z", 1), Vec::<String>::new());
    }

    #[test]
    fn in_range_follows_etcds_range_end() {
        assert!(in_range(b"a", b"", b"a"));
        assert!(!in_range(b"a", b"", b"ab"));
        assert!(in_range(b"a", b"b", b"ab"));
        assert!(!in_range(b"a", b"b", b"b"));
        assert!(in_range(b"a", b"\0", b"zzz"));
        assert!(!in_range(b"b", b"\0", b"a"));
        assert!(!in_range(b"b", b"a", b"b"));
    }

    #[test]
    fn prev_is_the_previous_change_in_the_generation() {
        let ki = history();
        assert_eq!(ki.prev(rev(2, 0)), None, "a creation has no previous version");
        assert_eq!(ki.prev(rev(4, 0)), Some(rev(2, 0)));
        assert_eq!(ki.prev(rev(6, 0)), Some(rev(4, 0)), "a delete's previous is the put");
        assert_eq!(ki.prev(rev(8, 0)), None);
        assert_eq!(ki.prev(rev(14, 1)), Some(rev(14, 0)));
        assert_eq!(ki.prev(rev(15, 0)), None, "not a revision of the key");
    }

    #[test]
    fn restore_rebuilds_a_compacted_generation() {
        // On disk after compacting at 4: a@4 (version 2, created 2), a@5.
        let mut index = Index::default();
        index.restore(b"a", rev(4, 0), 2, 2);
        index.restore(b"a", rev(5, 0), 2, 3);
        assert!(index.tombstone(b"a", rev(6, 0)));
        index.restore(b"a", rev(7, 0), 7, 1);
        assert_eq!(index.get(b"a", 4), vis(rev(4, 0), 2, 2));
        assert_eq!(index.get(b"a", 5), vis(rev(5, 0), 2, 3));
        assert_eq!(index.get(b"a", 6), None);
        assert_eq!(index.get(b"a", 7), vis(rev(7, 0), 7, 1));
        index.put(b"a", rev(8, 0));
        assert_eq!(index.get(b"a", 8), vis(rev(8, 0), 7, 2));
    }
}
