//! Helpers for the engine's unit tests.

use super::{KeyValue, RangeOptions, Store, Write};

/// A write at the next log index.
pub(crate) fn write(store: &Store) -> Write<'_> {
    store.write(store.applied_index() + 1).unwrap().expect("the next index is new")
}

/// Puts `key` = `value` in its own write; returns the new revision.
pub(crate) fn put(store: &Store, key: &str, value: &str) -> i64 {
    let mut w = write(store);
    w.put(key, value, 0).unwrap();
    w.commit().unwrap().0
}

/// Deletes `[key, range_end)` in its own write; returns the new revision.
pub(crate) fn delete(store: &Store, key: &str, range_end: &str) -> i64 {
    let mut w = write(store);
    w.delete_range(key.as_bytes(), range_end.as_bytes()).unwrap();
    w.commit().unwrap().0
}

/// The key at `revision` (0 for now).
pub(crate) fn get(store: &Store, key: &str, revision: i64) -> Option<KeyValue> {
    store.range(&RangeOptions::key(key).revision(revision)).unwrap().kvs.pop()
}

/// A key-value pair without a lease.
pub(crate) fn kv(key: &str, value: &str, create: i64, modified: i64, version: i64) -> KeyValue {
    KeyValue {
        key: key.into(),
        create_revision: create,
        mod_revision: modified,
        version,
        value: value.into(),
        lease: 0,
    }
}

/// The keys of a list of pairs, concatenated (single-letter keys read well).
pub(crate) fn keys(kvs: &[KeyValue]) -> String {
    kvs.iter().map(|kv| String::from_utf8_lossy(&kv.key).into_owned()).collect::<Vec<_>>().join(",")
}
