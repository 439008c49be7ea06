//! Model-based test: random writes and compactions against a store and a
//! brute-force model that keeps a full copy of the keyspace per revision.

use std::collections::BTreeMap;

use proptest::collection::vec;
use proptest::prelude::*;

use super::store::tombstone;
use super::{Error, Event, EventKind, KeyValue, RangeOptions, Store};

const KEYS: [&str; 4] = ["a", "b", "c", "d"];

#[derive(Clone, Debug)]
enum Change {
    Put(usize, u8),
    Delete(usize),
    /// Deletes every key from this one on.
    DeleteFrom(usize),
}

#[derive(Clone, Debug)]
enum Op {
    Write(Vec<Change>),
    Compact(u8),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => (0..KEYS.len(), any::<u8>()).prop_map(|(k, v)| Change::Put(k, v)),
        1 => (0..KEYS.len()).prop_map(Change::Delete),
        1 => (0..KEYS.len()).prop_map(Change::DeleteFrom),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => vec(change(), 0..4).prop_map(Op::Write),
        1 => any::<u8>().prop_map(Op::Compact),
    ]
}

/// The keyspace at every revision, from revision 1.
struct Model {
    snapshots: Vec<BTreeMap<Vec<u8>, KeyValue>>,
    compacted: i64,
}

impl Model {
    fn current(&self) -> i64 {
        i64::try_from(self.snapshots.len()).unwrap()
    }

    fn at(&self, revision: i64) -> Vec<KeyValue> {
        self.snapshots[usize::try_from(revision - 1).unwrap()].values().cloned().collect()
    }

    /// Applies one write; returns its events.
    fn write(&mut self, changes: &[Change]) -> Vec<Event> {
        let revision = self.current() + 1;
        let mut state = self.snapshots.last().unwrap().clone();
        let mut events = Vec::new();
        for change in changes {
            match *change {
                Change::Put(k, v) => {
                    let key = KEYS[k].as_bytes().to_vec();
                    let prev = state.get(&key).cloned();
                    let kv = KeyValue {
                        key: key.clone(),
                        create_revision: prev.as_ref().map_or(revision, |p| p.create_revision),
                        mod_revision: revision,
                        version: prev.as_ref().map_or(1, |p| p.version + 1),
                        value: vec![v],
                        lease: i64::from(v),
                    };
                    state.insert(key, kv.clone());
                    events.push(Event { kind: EventKind::Put, kv, prev_kv: prev });
                }
                Change::Delete(k) | Change::DeleteFrom(k) => {
                    let from = KEYS[k].as_bytes().to_vec();
                    let doomed: Vec<Vec<u8>> = state
                        .range(from.clone()..)
                        .map(|(key, _)| key.clone())
                        .filter(|key| matches!(change, Change::DeleteFrom(_)) || *key == from)
                        .collect();
                    for key in doomed {
                        let prev = state.remove(&key);
                        events.push(Event {
                            kind: EventKind::Delete,
                            kv: tombstone(&key, revision),
                            prev_kv: prev,
                        });
                    }
                }
            }
        }
        if !events.is_empty() {
            self.snapshots.push(state);
        }
        events
    }
}

fn apply(store: &Store, index: u64, changes: &[Change]) -> (i64, Vec<Event>) {
    apply_to(store.write(index).unwrap().unwrap(), changes)
}

fn apply_to(mut w: super::Write<'_>, changes: &[Change]) -> (i64, Vec<Event>) {
    for change in changes {
        match *change {
            Change::Put(k, v) => {
                w.put(KEYS[k], vec![v], i64::from(v)).unwrap();
            }
            Change::Delete(k) => {
                w.delete_range(KEYS[k].as_bytes(), b"").unwrap();
            }
            Change::DeleteFrom(k) => {
                w.delete_range(KEYS[k].as_bytes(), b"\0").unwrap();
            }
        }
    }
    w.commit().unwrap()
}

/// Every readable revision reads as the model says; older ones are compacted.
fn check(store: &Store, model: &Model) -> Result<(), TestCaseError> {
    prop_assert_eq!(store.current_revision(), model.current());
    prop_assert_eq!(store.compact_revision(), model.compacted);
    for revision in 1..=model.current() {
        let read = store.range(&RangeOptions::prefix("").revision(revision));
        if revision < model.compacted {
            let compacted = matches!(read, Err(Error::Compacted { .. }));
            prop_assert!(compacted, "revision {} below {}", revision, model.compacted);
            continue;
        }
        let want = model.at(revision);
        let result = read.unwrap();
        prop_assert_eq!(result.count, i64::try_from(want.len()).unwrap());
        prop_assert_eq!(&result.kvs, &want, "at revision {}", revision);
        let limited = store.range(&RangeOptions::prefix("").revision(revision).limit(2)).unwrap();
        prop_assert_eq!(&limited.kvs[..], &want[..want.len().min(2)]);
        prop_assert_eq!(limited.more, want.len() > 2);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_store_behaves_like_a_copy_per_revision(ops in vec(op(), 1..24)) {
        let mut store = Store::in_memory().unwrap();
        let mut model = Model { snapshots: vec![BTreeMap::new()], compacted: 0 };
        let mut events_after_compaction = Vec::new();
        for (index, op) in (1..).zip(&ops) {
            match op {
                Op::Write(changes) => {
                    let want = model.write(changes);
                    let (revision, events) = apply(&store, index, changes);
                    prop_assert_eq!(revision, model.current());
                    prop_assert_eq!(&events, &want);
                    events_after_compaction.extend(want);
                }
                Op::Compact(pick) => {
                    let (low, high) = (model.compacted + 1, model.current());
                    if low > high {
                        continue;
                    }
                    let at = low + i64::from(*pick) % (high - low + 1);
                    store.compact(at).unwrap();
                    model.compacted = at;
                    events_after_compaction.retain(|e: &Event| e.kv.mod_revision > at);
                }
            }
            check(&store, &model)?;
        }
        // Replaying history after the compact revision gives the same events.
        let replayed = store.events(model.compacted + 1, 0, b"\0", b"\0").unwrap();
        prop_assert_eq!(&replayed, &events_after_compaction);

        // Rebuilding the index from disk changes nothing, and writes go on.
        store = store.reload().unwrap();
        check(&store, &model)?;
        prop_assert_eq!(store.events(model.compacted + 1, 0, b"\0", b"\0").unwrap(), replayed);
        let last = [Change::Put(0, 1), Change::Put(3, 2)];
        let want = model.write(&last);
        prop_assert_eq!(apply(&store, 1000, &last).1, want);
        check(&store, &model)?;
    }

    #[test]
    fn batches_behave_like_their_writes_one_by_one(
        ops in vec(op(), 1..24),
        sizes in vec(1usize..6, 24),
    ) {
        let store = Store::in_memory().unwrap();
        let mut model = Model { snapshots: vec![BTreeMap::new()], compacted: 0 };
        let mut ops = ops.iter();
        let mut index = 0;
        for size in sizes {
            let mut batch = store.batch();
            for op in ops.by_ref().take(size) {
                index += 1;
                match op {
                    Op::Write(changes) => {
                        let want = model.write(changes);
                        let (revision, events) =
                            apply_to(batch.write(index).unwrap().unwrap(), changes);
                        prop_assert_eq!(revision, model.current());
                        prop_assert_eq!(&events, &want);
                    }
                    Op::Compact(pick) => {
                        let (low, high) = (model.compacted + 1, model.current());
                        if low > high {
                            continue;
                        }
                        let at = low + i64::from(*pick) % (high - low + 1);
                        batch.compact(at).unwrap();
                        model.compacted = at;
                    }
                }
            }
            batch.commit().unwrap();
            check(&store, &model)?;
        }
        let store = store.reload().unwrap();
        check(&store, &model)?;
    }
}
