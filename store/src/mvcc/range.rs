//! Range requests: what to read, and how etcd filters, sorts and limits the
//! result.

use std::cmp::Ordering;

use super::{Error, KeyValue, Result};

/// The order of a range's result.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// Key order (the engine's natural order), unless the target is not the
    /// key: then ascending, as etcd does.
    #[default]
    None,
    /// Ascending by the sort target.
    Ascend,
    /// Descending by the sort target.
    Descend,
}

/// What a range's result is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortTarget {
    /// The key.
    #[default]
    Key,
    /// The version.
    Version,
    /// The create revision.
    Create,
    /// The mod revision.
    Mod,
    /// The value, byte-wise.
    Value,
}

/// A range request, etcd's `RangeRequest` without its transport.
///
/// Build one with [`key`](RangeOptions::key), [`range`](RangeOptions::range),
/// [`prefix`](RangeOptions::prefix) or [`from_key`](RangeOptions::from_key)
/// and the builder methods, or fill the fields directly.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeOptions {
    /// The first key of the range (the only one when `range_end` is empty).
    pub key: Vec<u8>,
    /// The end of the range, exclusive; empty for the single `key`; `"\0"`
    /// for every key from `key` on.
    pub range_end: Vec<u8>,
    /// The revision to read at; 0 for the current one.
    pub revision: i64,
    /// The most key-value pairs to return; 0 (or less) for no limit.
    pub limit: i64,
    /// Return the count only, no key-value pairs.
    pub count_only: bool,
    /// Return the key-value pairs without their values.
    pub keys_only: bool,
    /// The order of the result.
    pub sort_order: SortOrder,
    /// What the result is sorted by.
    pub sort_target: SortTarget,
    /// Drop pairs with a lower mod revision; 0 for no bound.
    pub min_mod_revision: i64,
    /// Drop pairs with a higher mod revision; 0 for no bound.
    pub max_mod_revision: i64,
    /// Drop pairs with a lower create revision; 0 for no bound.
    pub min_create_revision: i64,
    /// Drop pairs with a higher create revision; 0 for no bound.
    pub max_create_revision: i64,
}

/// The answer to a range request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RangeResult {
    /// The matching key-value pairs, filtered, sorted and limited.
    pub kvs: Vec<KeyValue>,
    /// How many keys the range holds at the revision read, before the
    /// revision filters and the limit are applied (etcd's `count`).
    pub count: i64,
    /// Whether the limit cut off more pairs.
    pub more: bool,
    /// The store's current revision when the range was read (etcd's header
    /// revision), not the revision read at.
    pub revision: i64,
}

/// The end of the range of every key that starts with `prefix`: `prefix`
/// with its last byte below 0xff incremented and what follows dropped; `"\0"`
/// (every key) when there is no such byte, as etcd's `GetPrefixRangeEnd`.
#[must_use]
pub fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    match prefix.iter().rposition(|&b| b < 0xff) {
        Some(i) => {
            let mut end = prefix[..=i].to_vec();
            end[i] += 1;
            end
        }
        None => vec![0],
    }
}

impl RangeOptions {
    /// The single key `key`.
    #[must_use]
    pub fn key(key: impl Into<Vec<u8>>) -> Self {
        Self::range(key, Vec::new())
    }

    /// The keys in `[key, range_end)`.
    #[must_use]
    pub fn range(key: impl Into<Vec<u8>>, range_end: impl Into<Vec<u8>>) -> Self {
        Self { key: key.into(), range_end: range_end.into(), ..Self::default() }
    }

    /// Every key that starts with `prefix`; every key at all for an empty
    /// prefix (as `etcdctl get --prefix ""`).
    #[must_use]
    pub fn prefix(prefix: impl Into<Vec<u8>>) -> Self {
        let prefix = prefix.into();
        if prefix.is_empty() {
            return Self::range(vec![0], vec![0]);
        }
        let end = prefix_end(&prefix);
        Self::range(prefix, end)
    }

    /// Every key from `key` on.
    #[must_use]
    pub fn from_key(key: impl Into<Vec<u8>>) -> Self {
        Self::range(key, vec![0])
    }

    /// Reads at `revision` (0 for the current revision).
    #[must_use]
    pub fn revision(mut self, revision: i64) -> Self {
        self.revision = revision;
        self
    }

    /// Returns at most `limit` pairs.
    #[must_use]
    pub fn limit(mut self, limit: i64) -> Self {
        self.limit = limit;
        self
    }

    /// Returns only the count.
    #[must_use]
    pub fn count_only(mut self) -> Self {
        self.count_only = true;
        self
    }

    /// Returns the pairs without values.
    #[must_use]
    pub fn keys_only(mut self) -> Self {
        self.keys_only = true;
        self
    }

    /// Sorts by `target` in `order`.
    #[must_use]
    pub fn sort(mut self, order: SortOrder, target: SortTarget) -> Self {
        self.sort_order = order;
        self.sort_target = target;
        self
    }

    /// Keeps pairs with a mod revision in `min..=max` (0 for no bound).
    #[must_use]
    pub fn mod_revisions(mut self, min: i64, max: i64) -> Self {
        self.min_mod_revision = min;
        self.max_mod_revision = max;
        self
    }

    /// Keeps pairs with a create revision in `min..=max` (0 for no bound).
    #[must_use]
    pub fn create_revisions(mut self, min: i64, max: i64) -> Self {
        self.min_create_revision = min;
        self.max_create_revision = max;
        self
    }

    /// The order the result needs, given that pairs come in key order: etcd
    /// sorts ascending when only a target other than the key is given, and
    /// does not re-sort for ascending by key.
    fn effective_order(&self) -> SortOrder {
        match (self.sort_order, self.sort_target) {
            (SortOrder::None, SortTarget::Key) | (SortOrder::Ascend, SortTarget::Key) => {
                SortOrder::None
            }
            (SortOrder::None, _) => SortOrder::Ascend,
            (order, _) => order,
        }
    }

    fn has_filters(&self) -> bool {
        self.min_mod_revision != 0
            || self.max_mod_revision != 0
            || self.min_create_revision != 0
            || self.max_create_revision != 0
    }

    /// How many pairs (in key order) the engine must read: all of them when
    /// the result is filtered or re-sorted, otherwise one more than the
    /// limit, to know whether there are more.
    pub(crate) fn fetch_limit(&self) -> Option<usize> {
        if self.limit <= 0 || self.has_filters() || self.effective_order() != SortOrder::None {
            return None;
        }
        Some(usize::try_from(self.limit).map_or(usize::MAX, |l| l.saturating_add(1)))
    }
}

/// The revision a read at `requested` happens at: the current one for 0;
/// an error for a future or compacted revision.
pub(crate) fn resolve_revision(requested: i64, current: i64, compacted: i64) -> Result<i64> {
    if requested > current {
        return Err(Error::FutureRevision { revision: requested, current_revision: current });
    }
    let at = if requested <= 0 { current } else { requested };
    if at < compacted {
        return Err(Error::Compacted { compact_revision: compacted });
    }
    Ok(at)
}

fn compare(target: SortTarget, a: &KeyValue, b: &KeyValue) -> Ordering {
    match target {
        SortTarget::Key => a.key.cmp(&b.key),
        SortTarget::Version => a.version.cmp(&b.version),
        SortTarget::Create => a.create_revision.cmp(&b.create_revision),
        SortTarget::Mod => a.mod_revision.cmp(&b.mod_revision),
        SortTarget::Value => a.value.cmp(&b.value),
    }
}

/// Turns the pairs read (in key order, `count` keys in the range) into the
/// answer: revision filters, then sorting, then the limit, as etcd's
/// `applierV3.Range`. Sorting is stable: ties stay in key order.
pub(crate) fn finish(
    opts: &RangeOptions,
    mut kvs: Vec<KeyValue>,
    count: usize,
    revision: i64,
) -> RangeResult {
    let bound = |b: i64| (b != 0).then_some(b);
    if let Some(max) = bound(opts.max_mod_revision) {
        kvs.retain(|kv| kv.mod_revision <= max);
    }
    if let Some(min) = bound(opts.min_mod_revision) {
        kvs.retain(|kv| kv.mod_revision >= min);
    }
    if let Some(max) = bound(opts.max_create_revision) {
        kvs.retain(|kv| kv.create_revision <= max);
    }
    if let Some(min) = bound(opts.min_create_revision) {
        kvs.retain(|kv| kv.create_revision >= min);
    }
    match opts.effective_order() {
        SortOrder::None => {}
        SortOrder::Ascend => kvs.sort_by(|a, b| compare(opts.sort_target, a, b)),
        SortOrder::Descend => kvs.sort_by(|a, b| compare(opts.sort_target, b, a)),
    }
    let mut more = false;
    if let Ok(limit) = usize::try_from(opts.limit)
        && limit > 0
        && kvs.len() > limit
    {
        kvs.truncate(limit);
        more = true;
    }
    if opts.keys_only {
        for kv in &mut kvs {
            kv.value = Vec::new();
        }
    }
    RangeResult { kvs, count: i64::try_from(count).unwrap_or(i64::MAX), more, revision }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(key: &str, create: i64, modified: i64, version: i64, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            create_revision: create,
            mod_revision: modified,
            version,
            value: value.into(),
            lease: 0,
        }
    }

    /// Four keys in key order, each with a different rank per target.
    fn sample() -> Vec<KeyValue> {
        vec![
            kv("a", 5, 9, 2, "z"),
            kv("b", 2, 6, 4, "x"),
            kv("c", 4, 7, 1, "y"),
            kv("d", 3, 8, 3, "w"),
        ]
    }

    fn keys(result: &RangeResult) -> String {
        result.kvs.iter().map(|kv| String::from_utf8_lossy(&kv.key).into_owned()).collect()
    }

    #[test]
    fn prefix_end_increments_the_last_byte_below_0xff() {
        assert_eq!(prefix_end(b"abc"), b"abd");
        assert_eq!(prefix_end(b"a\xff\xff"), b"b");
        assert_eq!(prefix_end(b"\xff"), b"\0");
        assert_eq!(prefix_end(b""), b"\0");
        assert_eq!(RangeOptions::prefix("").key, b"\0");
        assert_eq!(RangeOptions::prefix("a/").range_end, b"a0");
        assert_eq!(RangeOptions::from_key("m").range_end, b"\0");
    }

    #[test]
    fn revisions_resolve_like_etcd() {
        assert_eq!(resolve_revision(0, 9, 0).unwrap(), 9);
        assert_eq!(resolve_revision(4, 9, 4).unwrap(), 4, "the compact revision is readable");
        assert!(matches!(resolve_revision(3, 9, 4), Err(Error::Compacted { compact_revision: 4 })));
        assert!(matches!(
            resolve_revision(10, 9, 4),
            Err(Error::FutureRevision { revision: 10, current_revision: 9 })
        ));
    }

    #[test]
    fn each_sort_order_and_target() {
        use SortOrder::{Ascend, Descend, None};
        use SortTarget::{Create, Key, Mod, Value, Version};
        let cases = [
            (None, Key, "abcd"),
            (Ascend, Key, "abcd"),
            (Descend, Key, "dcba"),
            (None, Version, "cadb"),
            (Ascend, Version, "cadb"),
            (Descend, Version, "bdac"),
            (Ascend, Create, "bdca"),
            (Descend, Create, "acdb"),
            (Ascend, Mod, "bcda"),
            (Descend, Mod, "adcb"),
            (None, Value, "dbca"),
            (Descend, Value, "acbd"),
        ];
        for (order, target, want) in cases {
            let opts = RangeOptions::prefix("").sort(order, target);
            assert_eq!(keys(&finish(&opts, sample(), 4, 9)), want, "{order:?} {target:?}");
        }
    }

    #[test]
    fn ties_keep_key_order() {
        let kvs = vec![kv("a", 2, 2, 1, ""), kv("b", 3, 3, 1, ""), kv("c", 4, 4, 2, "")];
        let opts = RangeOptions::prefix("").sort(SortOrder::Descend, SortTarget::Version);
        assert_eq!(keys(&finish(&opts, kvs, 3, 4)), "cab");
    }

    #[test]
    fn each_filter() {
        let cases = [
            (RangeOptions::prefix("").mod_revisions(7, 0), "acd"),
            (RangeOptions::prefix("").mod_revisions(0, 7), "bc"),
            (RangeOptions::prefix("").mod_revisions(7, 8), "cd"),
            (RangeOptions::prefix("").create_revisions(3, 0), "acd"),
            (RangeOptions::prefix("").create_revisions(0, 3), "bd"),
            (RangeOptions::prefix("").create_revisions(3, 4), "cd"),
            (RangeOptions::prefix("").mod_revisions(7, 0).create_revisions(0, 4), "cd"),
        ];
        for (opts, want) in cases {
            let result = finish(&opts, sample(), 4, 9);
            assert_eq!(keys(&result), want, "{opts:?}");
            assert_eq!(result.count, 4, "count is taken before the filters");
        }
    }

    #[test]
    fn limit_applies_after_filters_and_sorting() {
        let opts = RangeOptions::prefix("")
            .mod_revisions(7, 0)
            .sort(SortOrder::Descend, SortTarget::Mod)
            .limit(2);
        assert_eq!(opts.fetch_limit(), Option::None, "filtered: read everything");
        let result = finish(&opts, sample(), 4, 9);
        assert_eq!(keys(&result), "ad");
        assert!(result.more);
        assert_eq!(result.count, 4);

        let exact = finish(&RangeOptions::prefix("").limit(4), sample(), 4, 9);
        assert!(!exact.more, "a limit equal to the result is not cut off");
    }

    #[test]
    fn fetch_limit_reads_one_extra_only_in_key_order() {
        assert_eq!(RangeOptions::prefix("").fetch_limit(), Option::None);
        assert_eq!(RangeOptions::prefix("").limit(3).fetch_limit(), Some(4));
        let ascending = RangeOptions::prefix("").limit(3).sort(SortOrder::Ascend, SortTarget::Key);
        assert_eq!(ascending.fetch_limit(), Some(4));
        let by_value = RangeOptions::prefix("").limit(3).sort(SortOrder::None, SortTarget::Value);
        assert_eq!(by_value.fetch_limit(), Option::None);
        // The largest limit does not overflow.
        let huge = RangeOptions::prefix("").limit(i64::MAX).fetch_limit().unwrap();
        assert!(huge > usize::try_from(i64::MAX).unwrap_or(usize::MAX - 1));
    }

    #[test]
    fn keys_only_drops_values_and_keeps_the_rest() {
        let result = finish(&RangeOptions::prefix("").keys_only(), sample(), 4, 9);
        assert_eq!(result.kvs.len(), 4);
        assert!(result.kvs.iter().all(|kv| kv.value.is_empty()));
        assert_eq!(result.kvs[1].version, 4);
        assert_eq!(result.revision, 9);
    }
}
