//! The apply layer's behaviour, request by request.

use super::testing::{Fixture, delete_op, kv, put, put_op, range, range_op, txn_op};
use super::*;
use crate::mvcc::EventKind;
use crate::pb::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use crate::pb::etcdserverpb::{
    Compare, RequestOp, ResponseHeader, ResponseOp, request_op, response_op,
};
use crate::pb::mvccpb;

fn put_response(f: &Fixture, request: PutRequest) -> Result<PutResponse> {
    match f.apply(Request::Put(request))?.response {
        Response::Put(response) => Ok(response),
        other => panic!("not a put response: {other:?}"),
    }
}

fn delete(f: &Fixture, key: &str, range_end: &str, prev_kv: bool) -> DeleteRangeResponse {
    let request = DeleteRangeRequest { key: key.into(), range_end: range_end.into(), prev_kv };
    match f.apply(Request::DeleteRange(request)).unwrap().response {
        Response::DeleteRange(response) => response,
        other => panic!("not a delete response: {other:?}"),
    }
}

fn leased(key: &str, value: &str, lease: i64) -> mvccpb::KeyValue {
    mvccpb::KeyValue { lease, ..kv(key, value, 2, 2, 1) }
}

#[test]
fn put_options() {
    let f = Fixture::new();
    for id in [7, 9] {
        f.apply(Request::LeaseGrant(LeaseGrantRequest { id, ttl: 60 })).unwrap();
    }
    let first = put_response(&f, PutRequest { lease: 7, prev_kv: true, ..put("k", "a") }).unwrap();
    assert_eq!(first, PutResponse { header: Some(f.header.at(2)), prev_kv: None });
    assert_eq!(f.get("k"), Some(leased("k", "a", 7)));

    // prev_kv returns the key as it was; without it, nothing.
    let second = put_response(&f, PutRequest { prev_kv: true, ..put("k", "b") }).unwrap();
    assert_eq!(second.prev_kv, Some(leased("k", "a", 7)));
    assert_eq!(f.get("k"), Some(kv("k", "b", 2, 3, 2))); // the lease is not kept
    assert_eq!(put_response(&f, put("k", "c")).unwrap().prev_kv, None);

    // ignore_value keeps the value and takes the new lease.
    let keep_value = PutRequest { ignore_value: true, lease: 9, ..put("k", "") };
    put_response(&f, keep_value).unwrap();
    assert_eq!(f.get("k"), Some(mvccpb::KeyValue { lease: 9, ..kv("k", "c", 2, 5, 4) }));
    // ignore_lease keeps the lease and takes the new value.
    put_response(&f, PutRequest { ignore_lease: true, ..put("k", "d") }).unwrap();
    assert_eq!(f.get("k"), Some(mvccpb::KeyValue { lease: 9, ..kv("k", "d", 2, 6, 5) }));
    // Both: only the version and mod revision move.
    put_response(&f, PutRequest { ignore_value: true, ignore_lease: true, ..put("k", "") })
        .unwrap();
    assert_eq!(f.get("k"), Some(mvccpb::KeyValue { lease: 9, ..kv("k", "d", 2, 7, 6) }));
}

#[test]
fn put_errors_consume_the_index_and_change_nothing() {
    let f = Fixture::new();
    let cases = [
        (PutRequest { ignore_value: true, ..put("missing", "") }, "etcdserver: key not found"),
        (PutRequest { ignore_lease: true, ..put("missing", "v") }, "etcdserver: key not found"),
        (PutRequest { ignore_value: true, ..put("k", "v") }, "etcdserver: value is provided"),
        (
            PutRequest { ignore_lease: true, lease: 1, ..put("k", "") },
            "etcdserver: lease is provided",
        ),
        (put("", "v"), "etcdserver: key is not provided"),
    ];
    for (index, (request, message)) in (1..).zip(cases) {
        let error = f.applier().apply(index, Request::Put(request)).unwrap_err();
        assert_eq!(error.to_string(), message);
        assert_eq!(f.store.applied_index(), index, "{message}");
        assert_eq!(f.store.current_revision(), 1, "{message}");
    }
}

#[test]
fn delete_range_counts_and_prev_kvs() {
    let cases = [
        ("b", "", false, 1, ""),
        ("b", "", true, 1, "b"),
        ("x", "", true, 0, ""),
        ("a", "c", true, 3, "a,b,ba"),
        ("b", "\0", true, 3, "b,ba,c"),
        ("b", "c", false, 2, ""),
        ("\0", "\0", true, 4, "a,b,ba,c"),
    ];
    for (key, range_end, prev_kv, deleted, prev_keys) in cases {
        let f = Fixture::new();
        for key in ["a", "b", "ba", "c"] {
            f.put(key, key);
        }
        let response = delete(&f, key, range_end, prev_kv);
        let name = format!("delete [{key:?}, {range_end:?})");
        assert_eq!(response.deleted, deleted, "{name}");
        let keys: Vec<_> = response
            .prev_kvs
            .iter()
            .map(|kv| String::from_utf8_lossy(&kv.key).into_owned())
            .collect();
        assert_eq!(keys.join(","), prev_keys, "{name}");
        let revision = if deleted > 0 { 6 } else { 5 };
        assert_eq!(response.header, Some(f.header.at(revision)), "{name}");
    }
    let f = Fixture::new();
    f.put("a", "1");
    let response = delete(&f, "a", "", true);
    assert_eq!(response.prev_kvs, [kv("a", "1", 2, 2, 1)]);
}

fn compare(
    key: &str,
    target: CompareTarget,
    result: CompareResult,
    operand: TargetUnion,
) -> Compare {
    Compare {
        key: key.into(),
        target: target as i32,
        result: result as i32,
        target_union: Some(operand),
        ..Compare::default()
    }
}

fn when(compares: Vec<Compare>) -> TxnRequest {
    TxnRequest { compare: compares, success: Vec::new(), failure: Vec::new() }
}

#[test]
fn compares_each_target_and_result() {
    use CompareResult::{Equal, Greater, Less, NotEqual};
    let f = Fixture::new();
    f.put("k", "m"); // 2
    f.apply(Request::LeaseGrant(LeaseGrantRequest { id: 5, ttl: 60 })).unwrap(); // no revision
    f.apply(Request::Put(PutRequest { lease: 5, ..put("k", "m") })).unwrap(); // 3: version 2
    // Each target's found value, and operands below, at and above it.
    let targets = [
        (
            CompareTarget::Version,
            TargetUnion::Version(1),
            TargetUnion::Version(2),
            TargetUnion::Version(3),
        ),
        (
            CompareTarget::Create,
            TargetUnion::CreateRevision(1),
            TargetUnion::CreateRevision(2),
            TargetUnion::CreateRevision(3),
        ),
        (
            CompareTarget::Mod,
            TargetUnion::ModRevision(2),
            TargetUnion::ModRevision(3),
            TargetUnion::ModRevision(4),
        ),
        (
            CompareTarget::Value,
            TargetUnion::Value(b"l".to_vec()),
            TargetUnion::Value(b"m".to_vec()),
            TargetUnion::Value(b"n".to_vec()),
        ),
        (CompareTarget::Lease, TargetUnion::Lease(4), TargetUnion::Lease(5), TargetUnion::Lease(6)),
    ];
    // Found value against (below, at, above).
    let results = [
        (Equal, [false, true, false]),
        (NotEqual, [true, false, true]),
        (Greater, [true, false, false]),
        (Less, [false, false, true]),
    ];
    for (target, below, at, above) in targets {
        for (result, want) in results {
            for (operand, want) in [below.clone(), at.clone(), above.clone()].into_iter().zip(want)
            {
                let name = format!("{target:?} {result:?} {operand:?}");
                let response = f.txn(when(vec![compare("k", target, result, operand)])).unwrap();
                assert_eq!(response.succeeded, want, "{name}");
            }
        }
    }
    // Read-only transactions keep the revision.
    assert_eq!(f.store.current_revision(), 3);
}

#[test]
fn compares_on_missing_keys_and_ranges() {
    use CompareResult::{Equal, Greater, Less, NotEqual};
    let f = Fixture::new();
    for (key, value) in [("a", "1"), ("b", "1"), ("c", "2")] {
        f.put(key, value); // 2, 3, 4
    }
    let ranged = |key: &str, end: &str, target, result, operand| Compare {
        range_end: end.into(),
        ..compare(key, target, result, operand)
    };
    let cases = [
        (
            "missing version = 0",
            compare("x", CompareTarget::Version, Equal, TargetUnion::Version(0)),
            true,
        ),
        (
            "missing create = 0",
            compare("x", CompareTarget::Create, Equal, TargetUnion::CreateRevision(0)),
            true,
        ),
        (
            "missing mod < 1",
            compare("x", CompareTarget::Mod, Less, TargetUnion::ModRevision(1)),
            true,
        ),
        (
            "missing lease = 0",
            compare("x", CompareTarget::Lease, Equal, TargetUnion::Lease(0)),
            true,
        ),
        (
            "missing value = \"\"",
            compare("x", CompareTarget::Value, Equal, TargetUnion::Value(Vec::new())),
            false,
        ),
        (
            "missing value != v",
            compare("x", CompareTarget::Value, NotEqual, TargetUnion::Value(b"v".to_vec())),
            false,
        ),
        (
            "range all value = 1",
            ranged("a", "c", CompareTarget::Value, Equal, TargetUnion::Value(b"1".to_vec())),
            true,
        ),
        (
            "range one differs",
            ranged("a", "d", CompareTarget::Value, Equal, TargetUnion::Value(b"1".to_vec())),
            false,
        ),
        (
            "range mod > 1 for all",
            ranged("a", "\0", CompareTarget::Mod, Greater, TargetUnion::ModRevision(1)),
            true,
        ),
        (
            "range mod > 2 not for a",
            ranged("a", "\0", CompareTarget::Mod, Greater, TargetUnion::ModRevision(2)),
            false,
        ),
        (
            "empty range version = 0",
            ranged("x", "z", CompareTarget::Version, Equal, TargetUnion::Version(0)),
            true,
        ),
        (
            "empty range value",
            ranged("x", "z", CompareTarget::Value, Less, TargetUnion::Value(b"z".to_vec())),
            false,
        ),
        // An operand of another kind counts as zero, as in etcd.
        (
            "mismatched operand",
            compare("a", CompareTarget::Version, Greater, TargetUnion::Lease(5)),
            true,
        ),
    ];
    for (name, compare, want) in cases {
        assert_eq!(f.txn(when(vec![compare])).unwrap().succeeded, want, "{name}");
    }
    // All compares must hold.
    let both = vec![
        compare("a", CompareTarget::Version, Equal, TargetUnion::Version(1)),
        compare("b", CompareTarget::Version, Equal, TargetUnion::Version(2)),
    ];
    assert!(!f.txn(when(both)).unwrap().succeeded);
}

fn range_response(op: &ResponseOp) -> &RangeResponse {
    match &op.response {
        Some(response_op::Response::ResponseRange(response)) => response,
        other => panic!("not a range response: {other:?}"),
    }
}

#[test]
fn a_txn_runs_its_branch_in_one_revision_and_reads_its_writes() {
    let f = Fixture::new();
    f.put("a", "0"); // 2
    let exists =
        compare("a", CompareTarget::Version, CompareResult::Greater, TargetUnion::Version(0));
    let txn = TxnRequest {
        compare: vec![exists],
        success: vec![
            range_op("a", "\0"),
            put_op("b", "1"),
            delete_op("a", ""),
            range_op("a", "\0"),
            put_op("c", "2"),
        ],
        failure: vec![put_op("z", "never")],
    };
    let applied = f.apply(Request::Txn(txn.clone())).unwrap();
    assert_eq!(applied.revision, 3);
    let kinds: Vec<_> =
        applied.events.iter().map(|e| (e.kind, e.kv.key.clone(), e.kv.mod_revision)).collect();
    assert_eq!(
        kinds,
        [
            (EventKind::Put, b"b".to_vec(), 3),
            (EventKind::Delete, b"a".to_vec(), 3),
            (EventKind::Put, b"c".to_vec(), 3),
        ]
    );
    let Response::Txn(response) = applied.response else { panic!("not a txn response") };
    assert!(response.succeeded);
    assert_eq!(response.header, Some(f.header.at(3)));
    assert_eq!(response.responses.len(), 5);
    let before = range_response(&response.responses[0]);
    assert_eq!(before.kvs, [kv("a", "0", 2, 2, 1)]);
    assert_eq!(before.header, Some(ResponseHeader { revision: 2, ..ResponseHeader::default() }));
    let after = range_response(&response.responses[3]);
    assert_eq!(after.kvs, [kv("b", "1", 3, 3, 1)]);
    assert_eq!(after.header, Some(ResponseHeader { revision: 3, ..ResponseHeader::default() }));
    assert_eq!(
        response.responses[2].response,
        Some(response_op::Response::ResponseDeleteRange(DeleteRangeResponse {
            header: Some(ResponseHeader { revision: 3, ..ResponseHeader::default() }),
            deleted: 1,
            prev_kvs: Vec::new(),
        }))
    );
    // "a" is gone now: the failure branch runs.
    let response = f.txn(txn).unwrap();
    assert!(!response.succeeded);
    assert_eq!(f.get("z"), Some(kv("z", "never", 4, 4, 1)));
}

#[test]
fn nested_txns_take_their_own_branch() {
    let f = Fixture::new();
    f.put("flag", "on"); // 2
    let flag_is = |value: &str| {
        compare(
            "flag",
            CompareTarget::Value,
            CompareResult::Equal,
            TargetUnion::Value(value.into()),
        )
    };
    let txn = TxnRequest {
        compare: vec![flag_is("on")],
        success: vec![
            put_op("flag", "off"),
            // Compares see the store as the request began: the flag is still on.
            txn_op(
                vec![flag_is("on")],
                vec![put_op("inner", "then")],
                vec![put_op("inner", "else")],
            ),
            txn_op(vec![flag_is("off")], vec![put_op("other", "then")], vec![range_op("flag", "")]),
        ],
        failure: Vec::new(),
    };
    let applied = f.apply(Request::Txn(txn)).unwrap();
    assert_eq!(applied.revision, 3);
    assert_eq!(applied.events.len(), 2);
    assert_eq!(f.get("inner"), Some(kv("inner", "then", 3, 3, 1)));
    assert_eq!(f.get("other"), None);
    let Response::Txn(response) = applied.response else { panic!("not a txn response") };
    let Some(response_op::Response::ResponseTxn(second)) = &response.responses[2].response else {
        panic!("not a txn response")
    };
    assert!(!second.succeeded);
    // Its range reads the outer put.
    assert_eq!(range_response(&second.responses[0]).kvs, [kv("flag", "off", 2, 3, 2)]);
}

#[test]
fn txn_errors_refuse_the_whole_request() {
    let f = Fixture::new();
    f.put("a", "1"); // 2
    f.put("a", "2"); // 3
    f.apply(Request::Compaction(CompactionRequest { revision: 3, physical: true })).unwrap();
    let at = |revision| RangeRequest { revision, ..range("a", "") };
    let in_txn = |op: RequestOp| TxnRequest {
        compare: Vec::new(),
        success: vec![put_op("b", "1"), op],
        failure: Vec::new(),
    };
    let ignore = RequestOp {
        request: Some(request_op::Request::RequestPut(PutRequest {
            ignore_value: true,
            ..put("x", "")
        })),
    };
    let cases = [
        (
            in_txn(RequestOp { request: Some(request_op::Request::RequestRange(at(2))) }),
            "etcdserver: mvcc: required revision has been compacted",
        ),
        (
            in_txn(RequestOp { request: Some(request_op::Request::RequestRange(at(4))) }),
            "etcdserver: mvcc: required revision is a future revision",
        ),
        (in_txn(ignore), "etcdserver: key not found"),
        (in_txn(put_op("b", "2")), "etcdserver: duplicate key given in txn request"),
    ];
    for (txn, message) in cases {
        assert_eq!(f.txn(txn).unwrap_err().to_string(), message);
        assert_eq!(f.get("b"), None, "{message}");
        assert_eq!(f.store.current_revision(), 3, "{message}");
    }
    // The branch not taken is not checked against the store.
    let untaken = TxnRequest {
        failure: in_txn(RequestOp { request: Some(request_op::Request::RequestRange(at(2))) })
            .success,
        ..TxnRequest::default()
    };
    assert!(f.txn(untaken).unwrap().succeeded);
}

#[test]
fn limits_are_enforced_on_apply() {
    let f = Fixture::new();
    let applier = f.applier().limits(Limits::default().max_txn_ops(1).max_request_bytes(64));
    let two =
        TxnRequest { success: vec![put_op("a", "1"), put_op("b", "1")], ..TxnRequest::default() };
    let error = applier.apply(1, Request::Txn(two)).unwrap_err();
    assert_eq!(error.to_string(), "etcdserver: too many operations in txn request");
    let error = applier.apply(2, Request::Put(put("k", &"x".repeat(64)))).unwrap_err();
    assert_eq!(error.to_string(), "etcdserver: request is too large");
    assert_eq!((f.store.applied_index(), f.store.current_revision()), (2, 1));
}

#[test]
fn compaction_and_its_errors() {
    let f = Fixture::new();
    f.put("a", "1"); // 2
    f.put("a", "2"); // 3
    let compact = |revision| Request::Compaction(CompactionRequest { revision, physical: false });
    let applied = f.apply(compact(2)).unwrap();
    assert_eq!(
        applied,
        Applied {
            response: Response::Compaction(CompactionResponse { header: Some(f.header.at(3)) }),
            events: Vec::new(),
            revision: 3,
            lease: None,
        }
    );
    assert_eq!(f.store.compact_revision(), 2);
    let cases = [
        (2, "etcdserver: mvcc: required revision has been compacted"),
        (1, "etcdserver: mvcc: required revision has been compacted"),
        (4, "etcdserver: mvcc: required revision is a future revision"),
    ];
    for (revision, message) in cases {
        let index = f.store.applied_index() + 1;
        let error = f.applier().apply(index, compact(revision)).unwrap_err();
        assert_eq!(error.to_string(), message, "compact {revision}");
        assert_eq!(f.store.applied_index(), index, "compact {revision} is applied as a no-op");
    }
    let error = f.applier().range(&RangeRequest { revision: 1, ..range("a", "") }).unwrap_err();
    assert!(matches!(error, Error::Compacted { compact_revision: 2 }));
}

#[test]
fn replayed_indexes_are_skipped() {
    let f = Fixture::new();
    let applier = f.applier();
    assert!(applier.apply(5, Request::Put(put("a", "1"))).unwrap().is_some());
    let replays = [
        Request::Put(put("a", "2")),
        Request::DeleteRange(DeleteRangeRequest { key: b"a".to_vec(), ..Default::default() }),
        Request::Txn(TxnRequest { success: vec![put_op("b", "1")], ..TxnRequest::default() }),
        Request::Compaction(CompactionRequest { revision: 2, physical: false }),
        Request::Put(put("", "invalid, but skipped first")),
    ];
    for index in [4, 5] {
        for request in replays.clone() {
            assert_eq!(
                applier.apply(index, request.clone()).unwrap(),
                None,
                "{index}: {request:?}"
            );
        }
    }
    assert_eq!(f.get("a"), Some(kv("a", "1", 2, 2, 1)));
    assert_eq!((f.store.current_revision(), f.store.compact_revision()), (2, 0));
}

#[test]
fn limits_validate() {
    assert_eq!(Limits::default(), Limits { max_request_bytes: 1_572_864, max_txn_ops: 128 });
    assert_eq!(Limits::default().validate(), Ok(()));
    let error = Limits::default().max_txn_ops(0).validate().unwrap_err();
    assert_eq!(error.to_string(), "invalid store limits: max_txn_ops must be at least 1");
    let error = Limits::default().max_request_bytes(0).validate().unwrap_err();
    assert_eq!(error.to_string(), "invalid store limits: max_request_bytes must be at least 1");
}
