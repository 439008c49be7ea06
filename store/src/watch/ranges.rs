//! Key ranges shared by the watchers that watch them.
//!
//! Many watchers watch the same range (every client of a resource type
//! watches its prefix). The hub keeps each distinct range once, in a slot
//! of [`Ranges`] counted by the watchers that use it, and a watcher holds
//! only the slot's number. Fanning out a revision then checks each range
//! once ([`Matches`]) rather than once per watcher.

use std::collections::HashMap;
use std::sync::Arc;

use crate::mvcc;

/// A range's slot in [`Ranges`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RangeId(u32);

/// etcd's `[key, range_end)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Bounds {
    key: Box<[u8]>,
    end: Box<[u8]>,
}

impl Bounds {
    /// Whether `candidate` is in the range: `key` alone when `end` is empty,
    /// every key from `key` on when `end` is `"\0"`.
    pub(super) fn contains(&self, candidate: &[u8]) -> bool {
        match &*self.end {
            [] => candidate == &*self.key,
            [0] => candidate >= &*self.key,
            end => candidate >= &*self.key && candidate < end,
        }
    }
}

/// A range in use, and how many watchers use it.
#[derive(Debug)]
struct Slot {
    bounds: Arc<Bounds>,
    watchers: usize,
}

/// The distinct ranges of a hub's watchers.
#[derive(Debug, Default)]
pub(super) struct Ranges {
    /// By [`RangeId`]; `None` for a free slot.
    slots: Vec<Option<Slot>>,
    /// The free slots, reused first.
    free: Vec<u32>,
    /// The slot of each range in use.
    index: HashMap<Arc<Bounds>, u32>,
}

impl Ranges {
    /// The slot of `[key, end)` for one more watcher.
    pub(super) fn acquire(&mut self, key: Vec<u8>, end: Vec<u8>) -> RangeId {
        let bounds = Bounds { key: key.into_boxed_slice(), end: end.into_boxed_slice() };
        if let Some(&slot) = self.index.get(&bounds) {
            if let Some(used) = &mut self.slots[slot as usize] {
                used.watchers += 1;
            }
            return RangeId(slot);
        }
        let bounds = Arc::new(bounds);
        let used = Some(Slot { bounds: Arc::clone(&bounds), watchers: 1 });
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = used;
                slot
            }
            None => {
                let slot = u32::try_from(self.slots.len()).expect("fewer than 2^32 ranges");
                self.slots.push(used);
                slot
            }
        };
        self.index.insert(bounds, slot);
        RangeId(slot)
    }

    /// One watcher less for `range`; the last one frees its slot.
    pub(super) fn release(&mut self, range: RangeId) {
        let entry = &mut self.slots[range.0 as usize];
        let Some(used) = entry else { return };
        used.watchers -= 1;
        if used.watchers > 0 {
            return;
        }
        if let Some(Slot { bounds, .. }) = entry.take() {
            self.index.remove(&bounds);
        }
        self.free.push(range.0);
        if self.index.is_empty() {
            // No range left: give the tables' memory back.
            *self = Self::default();
        }
    }

    /// The bounds of a range in use.
    pub(super) fn bounds(&self, range: RangeId) -> &Bounds {
        match &self.slots[range.0 as usize] {
            Some(used) => &used.bounds,
            None => unreachable!("a watcher's range is in use"),
        }
    }

    /// The number of slots, used or free: every [`RangeId`] is below it.
    pub(super) fn slots(&self) -> usize {
        self.slots.len()
    }

    /// The number of distinct ranges in use.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.index.len()
    }
}

/// Which changes of one revision each range contains, found once per range
/// on first use. A scratch kept by the hub between revisions.
#[derive(Debug, Default)]
pub(super) struct Matches {
    /// By [`RangeId`]: `flat[start..end]` once found.
    spans: Vec<Option<(u32, u32)>>,
    /// Indexes into the revision's changes.
    flat: Vec<u32>,
}

impl Matches {
    /// Forgets the previous revision's matches.
    pub(super) fn reset(&mut self, slots: usize) {
        self.spans.clear();
        self.spans.resize(slots, None);
        self.flat.clear();
    }

    /// The indexes of the `changes` that `range` contains.
    pub(super) fn of(
        &mut self,
        ranges: &Ranges,
        range: RangeId,
        changes: &[Arc<mvcc::Event>],
    ) -> &[u32] {
        let (start, end) = match self.spans[range.0 as usize] {
            Some(span) => span,
            None => {
                let bounds = ranges.bounds(range);
                let start = self.flat.len();
                for (index, change) in changes.iter().enumerate() {
                    if bounds.contains(&change.kv.key) {
                        self.flat.push(index as u32);
                    }
                }
                let span = (start as u32, self.flat.len() as u32);
                self.spans[range.0 as usize] = Some(span);
                span
            }
        };
        &self.flat[start as usize..end as usize]
    }

    /// Gives the scratch memory back, when it grew past what one revision
    /// of `slots` ranges and a few changes needs.
    pub(super) fn trim(&mut self, slots: usize) {
        if self.spans.capacity() > 2 * slots.max(16) || self.flat.capacity() > 4096 {
            *self = Self::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(key: &[u8], end: &[u8]) -> Bounds {
        Bounds { key: key.into(), end: end.into() }
    }

    #[test]
    fn ranges_follow_etcds_range_end() {
        assert!(bounds(b"a", b"").contains(b"a"));
        assert!(!bounds(b"a", b"").contains(b"ab"));
        assert!(bounds(b"a", b"b").contains(b"ab"));
        assert!(!bounds(b"a", b"b").contains(b"b"));
        assert!(bounds(b"a", b"\0").contains(b"zzz"));
        assert!(bounds(b"\0", b"\0").contains(b"\0"));
        assert!(!bounds(b"b", b"\0").contains(b"a"));
    }

    #[test]
    fn equal_ranges_share_a_slot_until_the_last_watcher_leaves() {
        let mut ranges = Ranges::default();
        let a = ranges.acquire(b"a".to_vec(), b"b".to_vec());
        let a2 = ranges.acquire(b"a".to_vec(), b"b".to_vec());
        let key = ranges.acquire(b"a".to_vec(), Vec::new());
        assert_eq!(a, a2);
        assert_ne!(a, key);
        assert_eq!(ranges.len(), 2);
        ranges.release(a);
        assert_eq!(ranges.bounds(a2), &bounds(b"a", b"b"));
        ranges.release(a2);
        assert_eq!(ranges.len(), 1);
        // The freed slot is reused.
        let c = ranges.acquire(b"c".to_vec(), Vec::new());
        assert_eq!(c, a);
        assert_eq!(ranges.slots(), 2);
        ranges.release(c);
        ranges.release(key);
        assert_eq!((ranges.len(), ranges.slots()), (0, 0), "all memory given back");
    }

    #[test]
    fn matches_are_found_once_per_range_and_revision() {
        let mut ranges = Ranges::default();
        let prefix = ranges.acquire(b"a".to_vec(), b"b".to_vec());
        let single = ranges.acquire(b"c".to_vec(), Vec::new());
        let change = |key: &str| {
            let kv = mvcc::KeyValue { key: key.into(), ..mvcc::KeyValue::default() };
            Arc::new(mvcc::Event { kind: mvcc::EventKind::Put, kv, prev_kv: None })
        };
        let changes = [change("a1"), change("c"), change("a2"), change("b")];
        let mut matches = Matches::default();
        matches.reset(ranges.slots());
        assert_eq!(matches.of(&ranges, prefix, &changes), [0, 2]);
        assert_eq!(matches.of(&ranges, single, &changes), [1]);
        assert_eq!(matches.of(&ranges, prefix, &changes), [0, 2]);
        matches.reset(ranges.slots());
        assert_eq!(matches.of(&ranges, single, &changes[2..]), [] as [u32; 0]);
    }
}
