//! KV cases: put, range, delete, txn (limits and duplicate keys included)
//! and compaction.

use super::{get, keys, prefix_end, put, range, revision_of, within};
use crate::pb::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use crate::pb::etcdserverpb::range_request::{SortOrder, SortTarget};
use crate::pb::etcdserverpb::{
    CompactionRequest, Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp,
    ResponseOp, TxnRequest, TxnResponse, request_op, response_op,
};
use crate::store::{Error, Store};

/// A comparison of `key`'s `target` with `operand`.
#[must_use]
pub fn compare(key: &str, target: TargetUnion, result: CompareResult) -> Compare {
    let kind = match target {
        TargetUnion::Version(_) => CompareTarget::Version,
        TargetUnion::CreateRevision(_) => CompareTarget::Create,
        TargetUnion::ModRevision(_) => CompareTarget::Mod,
        TargetUnion::Value(_) => CompareTarget::Value,
        TargetUnion::Lease(_) => CompareTarget::Lease,
    };
    Compare {
        result: result.into(),
        target: kind.into(),
        key: key.into(),
        target_union: Some(target),
        ..Compare::default()
    }
}

/// A put operation for a txn branch.
#[must_use]
pub fn put_op(key: &str, value: &str) -> RequestOp {
    let put = PutRequest { key: key.into(), value: value.into(), ..PutRequest::default() };
    RequestOp { request: Some(request_op::Request::RequestPut(put)) }
}

/// A single-key range operation for a txn branch.
#[must_use]
pub fn get_op(key: &str) -> RequestOp {
    let range = RangeRequest { key: key.into(), ..RangeRequest::default() };
    RequestOp { request: Some(request_op::Request::RequestRange(range)) }
}

/// Runs a txn that puts `key = "success"` if `compare` holds and
/// `key = "failure"` otherwise; returns whether it succeeded, after checking
/// the value it left.
///
/// # Panics
///
/// When the txn fails or leaves the wrong value.
pub async fn cas(store: &dyn Store, key: &str, compare: Compare) -> bool {
    let request = TxnRequest {
        compare: vec![compare],
        success: vec![put_op(key, "success")],
        failure: vec![put_op(key, "failure")],
    };
    let response = txn(store, request).await;
    let expected = if response.succeeded { "success" } else { "failure" };
    assert_eq!(
        get(store, key).await.as_deref(),
        Some(expected.as_bytes()),
        "the branch taken wrote"
    );
    assert!(
        matches!(
            response.responses[..],
            [ResponseOp { response: Some(response_op::Response::ResponsePut(_)) }]
        ),
        "one put response for the branch taken: {response:?}"
    );
    response.succeeded
}

async fn txn(store: &dyn Store, request: TxnRequest) -> TxnResponse {
    within("txn", store.txn(request)).await.unwrap_or_else(|error| panic!("txn: {error}"))
}

fn prefix(prefix: &str) -> RangeRequest {
    RangeRequest { key: prefix.into(), range_end: prefix_end(prefix), ..RangeRequest::default() }
}

/// A put creates a key at a new revision; a second one bumps its version
/// and mod revision and keeps its create revision.
pub async fn put_then_range(store: &dyn Store) {
    let first = revision_of(put(store, "foo", "bar").await.header.as_ref());
    let got = range(store, RangeRequest { key: "foo".into(), ..RangeRequest::default() }).await;
    assert_eq!(revision_of(got.header.as_ref()), first, "a read reports the current revision");
    assert_eq!((got.count, got.more), (1, false));
    let kv = &got.kvs[0];
    assert_eq!((&kv.key[..], &kv.value[..]), (&b"foo"[..], &b"bar"[..]));
    assert_eq!((kv.create_revision, kv.mod_revision, kv.version, kv.lease), (first, first, 1, 0));

    let second = revision_of(put(store, "foo", "baz").await.header.as_ref());
    assert_eq!(second, first + 1, "each write is one revision");
    let got = range(store, RangeRequest { key: "foo".into(), ..RangeRequest::default() }).await;
    let kv = &got.kvs[0];
    assert_eq!(kv.value, b"baz");
    assert_eq!((kv.create_revision, kv.mod_revision, kv.version), (first, second, 2));
    assert_eq!(get(store, "missing").await, None);
}

/// `prev_kv` returns the key as it was before the put, and nothing for a
/// new key.
pub async fn put_returns_prev_kv(store: &dyn Store) {
    let request =
        PutRequest { key: "k".into(), value: "v1".into(), prev_kv: true, ..PutRequest::default() };
    let created = within("put", store.put(request)).await.unwrap();
    assert_eq!(created.prev_kv, None, "a new key has no previous value");
    let first = revision_of(created.header.as_ref());
    let request =
        PutRequest { key: "k".into(), value: "v2".into(), prev_kv: true, ..PutRequest::default() };
    let updated = within("put", store.put(request)).await.unwrap();
    let prev = updated.prev_kv.expect("the previous value");
    assert_eq!((prev.value, prev.mod_revision, prev.version), (b"v1".to_vec(), first, 1));
    let plain = put(store, "k", "v3").await;
    assert_eq!(plain.prev_kv, None, "no prev_kv unless asked");
}

/// `ignore_value` rewrites a key with its current value.
pub async fn put_ignore_value_keeps_value(store: &dyn Store) {
    put(store, "k", "kept").await;
    let request = PutRequest { key: "k".into(), ignore_value: true, ..PutRequest::default() };
    within("put", store.put(request)).await.unwrap();
    let got = range(store, RangeRequest { key: "k".into(), ..RangeRequest::default() }).await;
    assert_eq!((&got.kvs[0].value[..], got.kvs[0].version), (&b"kept"[..], 2));
}

/// `ignore_value` on a key that does not exist is etcd's "key not found".
pub async fn put_ignore_value_on_missing_key_is_key_not_found(store: &dyn Store) {
    let request = PutRequest { key: "missing".into(), ignore_value: true, ..PutRequest::default() };
    assert_eq!(within("put", store.put(request)).await.unwrap_err(), Error::KeyNotFound);
    let request = PutRequest {
        key: "k".into(),
        value: "v".into(),
        ignore_value: true,
        ..PutRequest::default()
    };
    assert_eq!(within("put", store.put(request)).await.unwrap_err(), Error::ValueProvided);
}

/// Put, range and delete refuse an empty key.
pub async fn empty_key_is_key_not_provided(store: &dyn Store) {
    let put =
        within("put", store.put(PutRequest { value: "v".into(), ..PutRequest::default() })).await;
    assert_eq!(put.unwrap_err(), Error::KeyNotProvided);
    let range = within("range", store.range(RangeRequest::default())).await;
    assert_eq!(range.unwrap_err(), Error::KeyNotProvided);
    let delete = within("delete", store.delete_range(DeleteRangeRequest::default())).await;
    assert_eq!(delete.unwrap_err(), Error::KeyNotProvided);
}

/// A prefix is `[prefix, prefix_end)`, in key order.
pub async fn range_prefix(store: &dyn Store) {
    for key in ["b/1", "a/2", "ab", "a/1", "a"] {
        put(store, key, key).await;
    }
    let got = range(store, prefix("a/")).await;
    assert_eq!(keys(&got), ["a/1", "a/2"]);
    assert_eq!(got.count, 2);
    let between =
        RangeRequest { key: "a".into(), range_end: "a/2".into(), ..RangeRequest::default() };
    assert_eq!(keys(&range(store, between).await), ["a", "a/1"], "range_end is exclusive");
}

/// `range_end = "\0"` means every key from `key` on; `key = range_end =
/// "\0"` every key.
pub async fn range_from_key(store: &dyn Store) {
    for key in ["b/1", "a/2", "ab", "a/1"] {
        put(store, key, key).await;
    }
    let from = RangeRequest { key: "a/2".into(), range_end: vec![0], ..RangeRequest::default() };
    assert_eq!(keys(&range(store, from).await), ["a/2", "ab", "b/1"]);
    let all = RangeRequest { key: vec![0], range_end: vec![0], ..RangeRequest::default() };
    assert_eq!(keys(&range(store, all).await), ["a/1", "a/2", "ab", "b/1"]);
}

/// `limit` cuts the answer, `more` says so and `count` counts all.
pub async fn range_limit_more_count(store: &dyn Store) {
    for key in ["p/3", "p/1", "p/2", "q"] {
        put(store, key, key).await;
    }
    let got = range(store, RangeRequest { limit: 2, ..prefix("p/") }).await;
    assert_eq!(keys(&got), ["p/1", "p/2"]);
    assert_eq!((got.more, got.count), (true, 3));
    let got = range(store, RangeRequest { limit: 3, ..prefix("p/") }).await;
    assert_eq!((got.kvs.len(), got.more, got.count), (3, false, 3));
    let got = range(store, RangeRequest { limit: 0, ..prefix("p/") }).await;
    assert_eq!((got.kvs.len(), got.more), (3, false), "limit 0 means no limit");
}

/// `revision` reads the keyspace as it was.
pub async fn range_at_past_revision(store: &dyn Store) {
    let first = revision_of(put(store, "k", "v1").await.header.as_ref());
    let second = revision_of(put(store, "k", "v2").await.header.as_ref());
    let request = DeleteRangeRequest { key: "k".into(), ..DeleteRangeRequest::default() };
    within("delete", store.delete_range(request)).await.unwrap();
    let at = |revision| RangeRequest { key: "k".into(), revision, ..RangeRequest::default() };
    let got = range(store, at(first)).await;
    assert_eq!(got.kvs[0].value, b"v1");
    assert_eq!(got.kvs[0].mod_revision, first);
    assert_eq!(range(store, at(second)).await.kvs[0].value, b"v2");
    assert!(range(store, at(0)).await.kvs.is_empty(), "revision 0 is the current one");
    assert!(range(store, at(first - 1)).await.kvs.is_empty(), "the key did not exist yet");
}

/// Reading past the current revision is etcd's "future revision".
pub async fn range_future_revision_is_an_error(store: &dyn Store) {
    let current = revision_of(put(store, "k", "v").await.header.as_ref());
    let request =
        RangeRequest { key: "k".into(), revision: current + 1, ..RangeRequest::default() };
    assert_eq!(within("range", store.range(request)).await.unwrap_err(), Error::FutureRevision);
    let request = RangeRequest { key: "k".into(), revision: current, ..RangeRequest::default() };
    assert_eq!(range(store, request).await.kvs.len(), 1, "the current revision can be read");
}

/// `keys_only` leaves values out; `count_only` leaves key-values out.
pub async fn range_keys_only_and_count_only(store: &dyn Store) {
    for key in ["p/1", "p/2", "p/3"] {
        put(store, key, "value").await;
    }
    let got = range(store, RangeRequest { keys_only: true, ..prefix("p/") }).await;
    assert_eq!(keys(&got), ["p/1", "p/2", "p/3"]);
    assert!(got.kvs.iter().all(|kv| kv.value.is_empty() && kv.version == 1));
    let got = range(store, RangeRequest { count_only: true, ..prefix("p/") }).await;
    assert!(got.kvs.is_empty());
    assert_eq!(got.count, 3);
}

/// Sorting by key, create revision and value, both ways.
pub async fn range_sort(store: &dyn Store) {
    for (key, value) in [("s/c", "x"), ("s/a", "z"), ("s/b", "y")] {
        put(store, key, value).await;
    }
    let sorted = async |target: SortTarget, order: SortOrder| {
        let request =
            RangeRequest { sort_target: target.into(), sort_order: order.into(), ..prefix("s/") };
        keys(&range(store, request).await)
    };
    assert_eq!(sorted(SortTarget::Key, SortOrder::Descend).await, ["s/c", "s/b", "s/a"]);
    assert_eq!(sorted(SortTarget::Key, SortOrder::Ascend).await, ["s/a", "s/b", "s/c"]);
    assert_eq!(sorted(SortTarget::Create, SortOrder::Ascend).await, ["s/c", "s/a", "s/b"]);
    assert_eq!(sorted(SortTarget::Create, SortOrder::Descend).await, ["s/b", "s/a", "s/c"]);
    assert_eq!(sorted(SortTarget::Value, SortOrder::Ascend).await, ["s/c", "s/b", "s/a"]);
    assert_eq!(sorted(SortTarget::Mod, SortOrder::Descend).await, ["s/b", "s/a", "s/c"]);
}

/// The min/max mod and create revision filters.
pub async fn range_revision_filters(store: &dyn Store) {
    let a = revision_of(put(store, "f/a", "1").await.header.as_ref());
    let b = revision_of(put(store, "f/b", "1").await.header.as_ref());
    let c = revision_of(put(store, "f/c", "1").await.header.as_ref());
    let a2 = revision_of(put(store, "f/a", "2").await.header.as_ref());
    assert!(a < b && b < c && c < a2);
    let got = range(store, RangeRequest { min_mod_revision: c, ..prefix("f/") }).await;
    assert_eq!(keys(&got), ["f/a", "f/c"]);
    let got = range(store, RangeRequest { max_mod_revision: b, ..prefix("f/") }).await;
    assert_eq!(keys(&got), ["f/b"]);
    let got = range(store, RangeRequest { max_create_revision: b, ..prefix("f/") }).await;
    assert_eq!(keys(&got), ["f/a", "f/b"]);
    let got = range(store, RangeRequest { min_create_revision: b, ..prefix("f/") }).await;
    assert_eq!(keys(&got), ["f/b", "f/c"]);
}

/// A delete removes a range in one revision and returns what it removed.
pub async fn delete_range_with_prev_kv(store: &dyn Store) {
    put(store, "d/1", "one").await;
    put(store, "d/2", "two").await;
    let before = revision_of(put(store, "e", "kept").await.header.as_ref());
    let prefix_end = prefix_end("d/");
    let request = DeleteRangeRequest { key: "d/".into(), range_end: prefix_end, prev_kv: true };
    let deleted = within("delete", store.delete_range(request)).await.unwrap();
    assert_eq!(deleted.deleted, 2);
    assert_eq!(
        revision_of(deleted.header.as_ref()),
        before + 1,
        "one revision for the whole range"
    );
    let values: Vec<_> = deleted.prev_kvs.iter().map(|kv| kv.value.clone()).collect();
    assert_eq!(values, [b"one".to_vec(), b"two".to_vec()]);
    assert!(range(store, prefix("d/")).await.kvs.is_empty());
    assert_eq!(get(store, "e").await.as_deref(), Some(&b"kept"[..]));

    let request = DeleteRangeRequest { key: "d/1".into(), ..DeleteRangeRequest::default() };
    let none = within("delete", store.delete_range(request)).await.unwrap();
    assert_eq!((none.deleted, none.prev_kvs.len()), (0, 0));
    assert_eq!(revision_of(none.header.as_ref()), before + 1, "deleting nothing is no revision");
}

/// Compare-and-swap on the value, with = and !=.
pub async fn txn_compare_value(store: &dyn Store) {
    put(store, "k", "v1").await;
    assert!(
        cas(store, "k", compare("k", TargetUnion::Value("v1".into()), CompareResult::Equal)).await
    );
    assert!(
        !cas(store, "k", compare("k", TargetUnion::Value("v1".into()), CompareResult::Equal)).await
    );
    assert!(
        cas(store, "k", compare("k", TargetUnion::Value("v1".into()), CompareResult::NotEqual))
            .await
    );
    assert!(
        cas(store, "k", compare("k", TargetUnion::Value("a".into()), CompareResult::Greater)).await
    );
    assert!(
        !cas(store, "k", compare("k", TargetUnion::Value("a".into()), CompareResult::Less)).await
    );
}

/// Compare-and-swap on the version; version 0 is "does not exist", the
/// create-if-absent idiom.
pub async fn txn_compare_version(store: &dyn Store) {
    let absent = || compare("k", TargetUnion::Version(0), CompareResult::Equal);
    assert!(cas(store, "k", absent()).await, "a missing key has version 0");
    assert!(!cas(store, "k", absent()).await);
    // Two writes so far: version 2.
    assert!(cas(store, "k", compare("k", TargetUnion::Version(2), CompareResult::Equal)).await);
    assert!(cas(store, "k", compare("k", TargetUnion::Version(2), CompareResult::Greater)).await);
    assert!(!cas(store, "k", compare("k", TargetUnion::Version(4), CompareResult::Less)).await);
    assert!(cas(store, "k", compare("k", TargetUnion::Version(4), CompareResult::NotEqual)).await);
}

/// Compare-and-swap on the create revision.
pub async fn txn_compare_create_revision(store: &dyn Store) {
    let created = revision_of(put(store, "k", "v").await.header.as_ref());
    let on = |revision, result| compare("k", TargetUnion::CreateRevision(revision), result);
    assert!(cas(store, "k", on(created, CompareResult::Equal)).await);
    assert!(cas(store, "k", on(created, CompareResult::Equal)).await, "updates keep it");
    assert!(!cas(store, "k", on(created, CompareResult::NotEqual)).await);
    assert!(cas(store, "k", on(created + 1, CompareResult::Less)).await);
    assert!(!cas(store, "k", on(created, CompareResult::Greater)).await);
    let absent = compare("absent", TargetUnion::CreateRevision(0), CompareResult::Equal);
    assert!(cas(store, "absent", absent).await, "0 for a missing key");
}

/// Compare-and-swap on the mod revision: the optimistic-concurrency idiom.
pub async fn txn_compare_mod_revision(store: &dyn Store) {
    let first = revision_of(put(store, "k", "v1").await.header.as_ref());
    let second = revision_of(put(store, "k", "v2").await.header.as_ref());
    let on = |revision, result| compare("k", TargetUnion::ModRevision(revision), result);
    assert!(!cas(store, "k", on(first, CompareResult::Equal)).await, "a stale revision fails");
    // The failed txn wrote, so the key moved on from `second`.
    assert!(!cas(store, "k", on(second, CompareResult::Equal)).await);
    let current = range(store, RangeRequest { key: "k".into(), ..RangeRequest::default() }).await;
    let current = current.kvs[0].mod_revision;
    assert!(current > second);
    assert!(cas(store, "k", on(current, CompareResult::Equal)).await);
    assert!(cas(store, "k", on(current, CompareResult::Greater)).await);
    assert!(!cas(store, "k", on(first, CompareResult::Less)).await);
}

/// A failing txn runs its failure branch, reads included; a read-only txn
/// is no revision; branches may hold nested txns.
pub async fn txn_failure_branch_reads(store: &dyn Store) {
    let written = revision_of(put(store, "k", "v").await.header.as_ref());
    let request = TxnRequest {
        compare: vec![compare("k", TargetUnion::Value("other".into()), CompareResult::Equal)],
        success: vec![put_op("k", "never")],
        failure: vec![get_op("k"), get_op("missing")],
    };
    let response = txn(store, request).await;
    assert!(!response.succeeded);
    assert_eq!(revision_of(response.header.as_ref()), written, "reads are no revision");
    let ranges: Vec<_> = response
        .responses
        .iter()
        .map(|op| match &op.response {
            Some(response_op::Response::ResponseRange(range)) => keys(range),
            other => panic!("a range response, not {other:?}"),
        })
        .collect();
    assert_eq!(ranges, [vec!["k".to_owned()], vec![]]);

    let nested = TxnRequest {
        compare: vec![compare("k", TargetUnion::Value("v".into()), CompareResult::Equal)],
        success: vec![put_op("inner", "yes")],
        failure: vec![put_op("inner", "no")],
    };
    let request = TxnRequest {
        compare: vec![],
        success: vec![RequestOp { request: Some(request_op::Request::RequestTxn(nested)) }],
        failure: vec![],
    };
    let response = txn(store, request).await;
    assert!(response.succeeded, "no comparisons hold");
    assert_eq!(revision_of(response.header.as_ref()), written + 1);
    match &response.responses[..] {
        [ResponseOp { response: Some(response_op::Response::ResponseTxn(inner)) }] => {
            assert!(inner.succeeded);
        }
        other => panic!("one nested txn response, not {other:?}"),
    }
    assert_eq!(get(store, "inner").await.as_deref(), Some(&b"yes"[..]));
}

/// After compaction, revisions below it fail with "compacted"; the
/// compact revision itself and later ones can still be read.
pub async fn compaction_drops_history(store: &dyn Store) {
    let first = revision_of(put(store, "k", "v1").await.header.as_ref());
    let second = revision_of(put(store, "k", "v2").await.header.as_ref());
    put(store, "k", "v3").await;
    let request = CompactionRequest { revision: second, physical: true };
    within("compact", store.compact(request)).await.unwrap();
    let at = |revision| RangeRequest { key: "k".into(), revision, ..RangeRequest::default() };
    let old = within("range", store.range(at(first))).await.unwrap_err();
    assert!(matches!(old, Error::Compacted { .. }), "{old:?}");
    assert_eq!(range(store, at(second)).await.kvs[0].value, b"v2");
    assert_eq!(get(store, "k").await.as_deref(), Some(&b"v3"[..]));
    let got = range(store, RangeRequest { key: "k".into(), ..RangeRequest::default() }).await;
    assert_eq!(got.kvs[0].create_revision, first, "compaction keeps the live keys whole");
}

/// Compacting at or below the compact revision is "compacted"; above the
/// current revision, "future revision".
pub async fn compact_errors(store: &dyn Store) {
    let first = revision_of(put(store, "k", "v1").await.header.as_ref());
    let second = revision_of(put(store, "k", "v2").await.header.as_ref());
    let compact = |revision| CompactionRequest { revision, physical: false };
    let future = within("compact", store.compact(compact(second + 1))).await.unwrap_err();
    assert_eq!(future, Error::FutureRevision);
    within("compact", store.compact(compact(second))).await.unwrap();
    for revision in [second, first] {
        let again = within("compact", store.compact(compact(revision))).await.unwrap_err();
        assert!(matches!(again, Error::Compacted { .. }), "{again:?}");
    }
}

/// A delete operation for a txn branch (`range_end` as in
/// [`DeleteRangeRequest`]).
#[must_use]
pub fn delete_op(key: &str, range_end: &[u8]) -> RequestOp {
    let delete = DeleteRangeRequest {
        key: key.into(),
        range_end: range_end.to_vec(),
        ..DeleteRangeRequest::default()
    };
    RequestOp { request: Some(request_op::Request::RequestDeleteRange(delete)) }
}

/// A nested txn without comparisons (so its success branch runs) for a
/// txn branch.
#[must_use]
pub fn txn_op(success: Vec<RequestOp>, failure: Vec<RequestOp>) -> RequestOp {
    let nested = TxnRequest { compare: Vec::new(), success, failure };
    RequestOp { request: Some(request_op::Request::RequestTxn(nested)) }
}

async fn txn_error(store: &dyn Store, request: TxnRequest) -> Error {
    match within("txn", store.txn(request)).await {
        Ok(response) => panic!("the txn should fail, it answered {response:?}"),
        Err(error) => error,
    }
}

/// etcd's default limit on the size of one request (`--max-request-bytes`).
pub const MAX_REQUEST_BYTES: usize = 3 * 512 * 1024;

/// etcd's default limit on the operations of one txn branch
/// (`--max-txn-ops`).
pub const MAX_TXN_OPS: usize = 128;

/// A request over the 1.5 MiB default limit is "request is too large" and
/// writes nothing; a large request under it is served.
pub async fn request_too_large(store: &dyn Store) {
    let huge = PutRequest {
        key: "big".into(),
        value: vec![b'x'; MAX_REQUEST_BYTES + 1024],
        ..PutRequest::default()
    };
    assert_eq!(within("put", store.put(huge)).await.unwrap_err(), Error::RequestTooLarge);
    // Each put fits; the txn holding both does not.
    let half = |key: &str| {
        let value = vec![b'x'; MAX_REQUEST_BYTES / 2 + 1024];
        let put = PutRequest { key: key.into(), value, ..PutRequest::default() };
        RequestOp { request: Some(request_op::Request::RequestPut(put)) }
    };
    let both = TxnRequest {
        compare: Vec::new(),
        success: vec![half("half")],
        failure: vec![half("other")],
    };
    assert_eq!(txn_error(store, both).await, Error::RequestTooLarge);
    assert_eq!(get(store, "big").await, None, "the refused put wrote nothing");
    assert_eq!(get(store, "half").await, None, "the refused txn wrote nothing");

    let mebibyte = vec![b'x'; 1024 * 1024];
    let large = PutRequest { key: "big".into(), value: mebibyte.clone(), ..PutRequest::default() };
    within("put", store.put(large)).await.expect("1 MiB is under the limit");
    assert_eq!(get(store, "big").await, Some(mebibyte));
}

/// A txn may hold 128 compares or operations per branch; one more is "too
/// many operations", whichever part it is in, and a nested txn gets what
/// its parent's widest part leaves.
pub async fn txn_too_many_ops(store: &dyn Store) {
    let puts = |n: usize| (0..n).map(|i| put_op(&format!("k/{i:03}"), "v")).collect::<Vec<_>>();
    let full = TxnRequest { success: puts(MAX_TXN_OPS), ..TxnRequest::default() };
    let response = txn(store, full).await;
    assert_eq!(response.responses.len(), MAX_TXN_OPS);
    assert_eq!(range(store, prefix("k/")).await.count, 128);

    let many = MAX_TXN_OPS + 1;
    let success = TxnRequest { success: puts(many), ..TxnRequest::default() };
    assert_eq!(txn_error(store, success).await, Error::TooManyOps);
    // Refused even though the failure branch would not run.
    let failure = TxnRequest { failure: puts(many), ..TxnRequest::default() };
    assert_eq!(txn_error(store, failure).await, Error::TooManyOps);
    let compares = (0..many)
        .map(|i| compare(&format!("k/{i:03}"), TargetUnion::Version(0), CompareResult::Greater))
        .collect();
    let compares = TxnRequest { compare: compares, ..TxnRequest::default() };
    assert_eq!(txn_error(store, compares).await, Error::TooManyOps);
    assert_eq!(get(store, "k/128").await, None, "the refused txns wrote nothing");

    // 127 puts and a nested txn fill the branch: the nested txn gets none.
    let mut branch = puts(MAX_TXN_OPS - 1);
    branch.push(txn_op(vec![put_op("nested", "v")], Vec::new()));
    let nested = TxnRequest { success: branch, ..TxnRequest::default() };
    assert_eq!(txn_error(store, nested).await, Error::TooManyOps);
    let mut branch = puts(MAX_TXN_OPS - 1);
    branch.push(txn_op(Vec::new(), Vec::new()));
    let empty_nested = TxnRequest { success: branch, ..TxnRequest::default() };
    assert_eq!(txn(store, empty_nested).await.responses.len(), MAX_TXN_OPS);
    assert_eq!(get(store, "nested").await, None);
}

/// A branch that writes one key twice — two puts, a put and a delete
/// covering it, nested txns included — is "duplicate key", checked in both
/// branches whichever runs; writes that cannot both happen are allowed.
pub async fn txn_duplicate_key(store: &dyn Store) {
    let written = revision_of(put(store, "b", "old").await.header.as_ref());
    let refused = [
        ("put twice", vec![put_op("a", "1"), put_op("a", "2")]),
        ("put then delete it", vec![put_op("b", "1"), delete_op("b", b"")]),
        ("delete then put it", vec![delete_op("b", b""), put_op("b", "1")]),
        ("put inside a deleted range", vec![delete_op("a", b"c"), put_op("b", "1")]),
        (
            "nested put of an outer put",
            vec![put_op("a", "1"), txn_op(vec![put_op("a", "2")], vec![])],
        ),
        (
            "nested put inside an outer delete",
            vec![delete_op("a", b"c"), txn_op(vec![], vec![put_op("b", "2")])],
        ),
        (
            "outer put inside a nested delete",
            vec![put_op("b", "1"), txn_op(vec![delete_op("a", b"c")], vec![])],
        ),
        (
            "two nested txns put one key",
            vec![txn_op(vec![put_op("a", "1")], vec![]), txn_op(vec![], vec![put_op("a", "2")])],
        ),
    ];
    for (what, ops) in refused {
        let success = TxnRequest { success: ops.clone(), ..TxnRequest::default() };
        assert_eq!(txn_error(store, success).await, Error::DuplicateKey, "{what}");
        let failure = TxnRequest { failure: ops, ..TxnRequest::default() };
        assert_eq!(txn_error(store, failure).await, Error::DuplicateKey, "{what}, failure branch");
    }
    assert_eq!(get(store, "b").await.as_deref(), Some(&b"old"[..]), "nothing was written");
    assert_eq!(get(store, "a").await, None);
    let now = range(store, RangeRequest { key: "b".into(), ..RangeRequest::default() }).await;
    assert_eq!(revision_of(now.header.as_ref()), written, "the refused txns were no revision");

    let allowed = [
        ("put at a deleted range's end", vec![delete_op("a", b"b"), put_op("b", "1")]),
        ("overlapping deletes", vec![delete_op("a", b"c"), delete_op("b", b"")]),
        (
            "one key in both branches of a nested txn",
            vec![txn_op(vec![put_op("a", "1")], vec![put_op("a", "2")])],
        ),
    ];
    for (what, ops) in allowed {
        let request = TxnRequest { success: ops, ..TxnRequest::default() };
        let response = within("txn", store.txn(request)).await;
        assert!(response.is_ok(), "{what}: {response:?}");
    }
    let request = TxnRequest {
        compare: Vec::new(),
        success: vec![put_op("a", "then")],
        failure: vec![put_op("a", "else")],
    };
    txn(store, request).await;
    assert_eq!(get(store, "a").await.as_deref(), Some(&b"then"[..]));
}

/// etcd's duplicate check reads a delete's range end "\0" (every key from
/// `key` on) as an empty range, so such a delete may share a branch with
/// puts of keys it covers; the operations then run in order.
pub async fn txn_delete_from_key_beside_puts(store: &dyn Store) {
    put(store, "a", "kept").await;
    put(store, "b", "old").await;
    let request = TxnRequest {
        success: vec![put_op("z", "new"), delete_op("b", b"\0")],
        ..TxnRequest::default()
    };
    let response = txn(store, request).await;
    match &response.responses[..] {
        [_, ResponseOp { response: Some(response_op::Response::ResponseDeleteRange(deleted)) }] => {
            assert_eq!(deleted.deleted, 2, "the delete also removed the key put before it");
        }
        other => panic!("a put and a delete response, not {other:?}"),
    }
    assert_eq!(keys(&range(store, from_key("a")).await), ["a"]);

    let request = TxnRequest {
        success: vec![delete_op("a", b"\0"), put_op("a", "new")],
        ..TxnRequest::default()
    };
    txn(store, request).await;
    assert_eq!(keys(&range(store, from_key("a")).await), ["a"]);
    assert_eq!(get(store, "a").await.as_deref(), Some(&b"new"[..]), "the put ran last");

    // The same holds for such a delete in a nested txn.
    let request = TxnRequest {
        success: vec![put_op("y", "new"), txn_op(vec![delete_op("x", b"\0")], Vec::new())],
        ..TxnRequest::default()
    };
    txn(store, request).await;
    assert_eq!(keys(&range(store, from_key("a")).await), ["a"], "the nested delete ran last");
}

fn from_key(key: &str) -> RangeRequest {
    RangeRequest { key: key.into(), range_end: vec![0], ..RangeRequest::default() }
}

/// Nested txns: every comparison, nested ones included, is evaluated
/// before the txn writes anything; operations run in order, reads seeing
/// the writes before them; everything is one revision; the responses nest
/// as the requests do.
pub async fn txn_nested(store: &dyn Store) {
    use response_op::Response;

    let before = revision_of(put(store, "k", "old").await.header.as_ref());
    let nested = TxnRequest {
        compare: vec![compare("k", TargetUnion::Value("old".into()), CompareResult::Equal)],
        success: vec![get_op("k"), put_op("inner", "then")],
        failure: vec![put_op("inner", "else")],
    };
    let request = TxnRequest {
        compare: Vec::new(),
        success: vec![
            put_op("k", "new"),
            RequestOp { request: Some(request_op::Request::RequestTxn(nested)) },
            get_op("inner"),
        ],
        failure: Vec::new(),
    };
    let response = txn(store, request).await;
    let written = revision_of(response.header.as_ref());
    assert_eq!(written, before + 1, "one revision for the whole txn");
    let value = |range: &crate::pb::etcdserverpb::RangeResponse| {
        range.kvs.first().map(|kv| String::from_utf8_lossy(&kv.value).into_owned())
    };
    match &response.responses[..] {
        [
            ResponseOp { response: Some(Response::ResponsePut(_)) },
            ResponseOp { response: Some(Response::ResponseTxn(inner)) },
            ResponseOp { response: Some(Response::ResponseRange(after)) },
        ] => {
            assert!(inner.succeeded, "the nested comparison saw k before the outer put");
            match &inner.responses[..] {
                [
                    ResponseOp { response: Some(Response::ResponseRange(seen)) },
                    ResponseOp { response: Some(Response::ResponsePut(_)) },
                ] => assert_eq!(value(seen).as_deref(), Some("new"), "reads see earlier writes"),
                other => panic!("a range and a put response, not {other:?}"),
            }
            assert_eq!(value(after).as_deref(), Some("then"));
        }
        other => panic!("put, txn and range responses, not {other:?}"),
    }
    let inner = range(store, RangeRequest { key: "inner".into(), ..RangeRequest::default() }).await;
    assert_eq!(inner.kvs[0].mod_revision, written);
}

/// A comparison with a range end holds only if it holds for every key in
/// the range; over an empty range it compares a key with zero fields.
pub async fn txn_compare_range(store: &dyn Store) {
    put(store, "p/1", "a").await;
    put(store, "p/2", "b").await;
    put(store, "q", "a").await;
    let over = |prefix: &str, target, result| Compare {
        range_end: prefix_end(prefix),
        ..compare(prefix, target, result)
    };
    assert!(cas(store, "r", over("p/", TargetUnion::Version(0), CompareResult::Greater)).await);
    assert!(
        !cas(store, "r", over("p/", TargetUnion::Value("a".into()), CompareResult::Equal)).await
    );
    assert!(cas(store, "r", over("p/", TargetUnion::Value("c".into()), CompareResult::Less)).await);
    assert!(
        cas(store, "r", over("none/", TargetUnion::Version(0), CompareResult::Equal)).await,
        "an empty range has version 0"
    );
}

/// Revision filters combine with each other, with sorting and with
/// `limit` (which applies after them); `count` counts the keys in the range
/// before the filters.
pub async fn range_revision_filter_combinations(store: &dyn Store) {
    let a = revision_of(put(store, "f/a", "1").await.header.as_ref());
    let b = revision_of(put(store, "f/b", "1").await.header.as_ref());
    let c = revision_of(put(store, "f/c", "1").await.header.as_ref());
    let a2 = revision_of(put(store, "f/a", "2").await.header.as_ref());
    let d = revision_of(put(store, "f/d", "1").await.header.as_ref());
    assert!(a < b && b < c && c < a2 && a2 < d);
    // f/a: created a, modified a2; f/b, f/c, f/d: created = modified.
    let f = || prefix("f/");
    let got = range(store, RangeRequest { min_mod_revision: c, max_create_revision: c, ..f() });
    let got = got.await;
    assert_eq!(keys(&got), ["f/a", "f/c"]);
    assert_eq!(got.count, 4, "count is taken before the filters");
    let filtered = async |request| keys(&range(store, request).await);
    let request = RangeRequest { min_create_revision: b, max_mod_revision: c, ..f() };
    assert_eq!(filtered(request).await, ["f/b", "f/c"]);
    let request = RangeRequest { min_mod_revision: b, max_mod_revision: a2, ..f() };
    assert_eq!(filtered(request).await, ["f/a", "f/b", "f/c"]);
    let request = RangeRequest { min_create_revision: b, max_create_revision: c, ..f() };
    assert_eq!(filtered(request).await, ["f/b", "f/c"]);

    let request = RangeRequest { min_mod_revision: c, limit: 2, ..prefix("f/") };
    let got = range(store, request).await;
    assert_eq!(keys(&got), ["f/a", "f/c"], "the limit applies to what the filters keep");
    assert!(got.more, "f/d was cut off");
    let request = RangeRequest { min_create_revision: b, limit: 3, ..prefix("f/") };
    let got = range(store, request).await;
    assert_eq!((keys(&got), got.more), (vec!["f/b".into(), "f/c".into(), "f/d".into()], false));
    let request = RangeRequest {
        min_create_revision: b,
        sort_target: SortTarget::Mod.into(),
        sort_order: SortOrder::Descend.into(),
        limit: 2,
        ..prefix("f/")
    };
    let got = range(store, request).await;
    assert_eq!((keys(&got), got.more), (vec!["f/d".into(), "f/c".into()], true));
    let request = RangeRequest { min_mod_revision: d, count_only: true, ..prefix("f/") };
    let got = range(store, request).await;
    assert_eq!((got.kvs.len(), got.count), (0, 4));
}

/// A delete with range end "\0" removes every key from `key` on and
/// returns them in key order.
pub async fn delete_from_key_with_prev_kv(store: &dyn Store) {
    for (key, value) in [("c", "3"), ("a", "1"), ("b", "2"), ("d", "4")] {
        put(store, key, value).await;
    }
    let request = DeleteRangeRequest { key: "b".into(), range_end: vec![0], prev_kv: true };
    let deleted = within("delete", store.delete_range(request)).await.unwrap();
    assert_eq!(deleted.deleted, 3);
    let prev: Vec<_> =
        deleted.prev_kvs.iter().map(|kv| (kv.key.clone(), kv.value.clone())).collect();
    let want = [("b", "2"), ("c", "3"), ("d", "4")].map(|(k, v)| (k.into(), v.into()));
    assert_eq!(prev, want);
    assert_eq!(keys(&range(store, from_key("a")).await), ["a"]);
}
