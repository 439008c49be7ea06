//! The checks a request passes before it is proposed, which need no store:
//! etcd's `checkPutRequest`, `checkTxnRequest` and `checkIntervals`, and the
//! request size limit.

use std::collections::BTreeSet;

use prost::Message;

use super::{Error, Limits, Request, Result};
use crate::pb::etcdserverpb::{
    DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest, request_op,
};

impl Request {
    /// Checks what etcd checks before proposing a request: keys are given,
    /// put options agree, a transaction has at most
    /// [`Limits::max_txn_ops`] compares or operations per branch (nested
    /// transactions get what their parent leaves) and writes no key twice
    /// in one branch, a lease grant asks for at most
    /// [`lease::MAX_TTL`](crate::lease::MAX_TTL) seconds, and the encoded
    /// request fits in
    /// [`Limits::max_request_bytes`].
    ///
    /// [`Applier::apply`](super::Applier::apply) runs these checks too, so
    /// a request that slipped through is refused the same way on every
    /// member.
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`], [`Error::ValueProvided`],
    /// [`Error::LeaseProvided`], [`Error::TooManyOps`],
    /// [`Error::KeyNotFound`] (an empty operation in a transaction),
    /// [`Error::DuplicateKey`], [`Error::LeaseTtlTooLarge`] and
    /// [`Error::RequestTooLarge`].
    pub fn check(&self, limits: &Limits) -> Result<()> {
        let size = match self {
            Self::Put(put) => {
                check_put(put)?;
                put.encoded_len()
            }
            Self::DeleteRange(delete) => {
                check_delete(delete)?;
                delete.encoded_len()
            }
            Self::Txn(txn) => {
                check_txn(txn, limits.max_txn_ops)?;
                Writes::of(&txn.success)?;
                Writes::of(&txn.failure)?;
                txn.encoded_len()
            }
            Self::Compaction(compaction) => compaction.encoded_len(),
            Self::LeaseGrant(grant) => {
                if grant.ttl > crate::lease::MAX_TTL {
                    return Err(Error::LeaseTtlTooLarge);
                }
                grant.encoded_len()
            }
            Self::LeaseRevoke(revoke) => revoke.encoded_len(),
            Self::Alarm(alarm) => alarm.encoded_len(),
        };
        if size > limits.max_request_bytes {
            return Err(Error::RequestTooLarge);
        }
        Ok(())
    }
}

/// A range needs a key.
pub(super) fn check_range(range: &RangeRequest) -> Result<()> {
    if range.key.is_empty() {
        return Err(Error::KeyNotProvided);
    }
    Ok(())
}

fn check_put(put: &PutRequest) -> Result<()> {
    if put.key.is_empty() {
        return Err(Error::KeyNotProvided);
    }
    if put.ignore_value && !put.value.is_empty() {
        return Err(Error::ValueProvided);
    }
    if put.ignore_lease && put.lease != 0 {
        return Err(Error::LeaseProvided);
    }
    Ok(())
}

fn check_delete(delete: &DeleteRangeRequest) -> Result<()> {
    if delete.key.is_empty() {
        return Err(Error::KeyNotProvided);
    }
    Ok(())
}

/// etcd's `checkTxnRequest`: the widest of compares, success and failure
/// counts against `max_ops`; nested transactions get what is left.
fn check_txn(txn: &TxnRequest, max_ops: usize) -> Result<()> {
    let width = txn.compare.len().max(txn.success.len()).max(txn.failure.len());
    if width > max_ops {
        return Err(Error::TooManyOps);
    }
    if txn.compare.iter().any(|compare| compare.key.is_empty()) {
        return Err(Error::KeyNotProvided);
    }
    for op in txn.success.iter().chain(&txn.failure) {
        match &op.request {
            Some(request_op::Request::RequestRange(range)) => check_range(range)?,
            Some(request_op::Request::RequestPut(put)) => check_put(put)?,
            Some(request_op::Request::RequestDeleteRange(delete)) => check_delete(delete)?,
            Some(request_op::Request::RequestTxn(nested)) => check_txn(nested, max_ops - width)?,
            None => return Err(Error::KeyNotFound),
        }
    }
    Ok(())
}

/// The keys one list of operations may write, as etcd's `checkIntervals`
/// collects them: the keys it puts and the ranges it deletes, nested
/// transactions included.
#[derive(Debug, Default)]
struct Writes<'a> {
    puts: BTreeSet<&'a [u8]>,
    deletes: Vec<Deleted<'a>>,
}

/// A deleted key or range.
#[derive(Debug)]
struct Deleted<'a> {
    key: &'a [u8],
    range_end: &'a [u8],
}

impl Deleted<'_> {
    /// Whether a put of `key` overlaps this delete, as etcd's check sees
    /// it: a range is `[key, range_end)` compared byte by byte, so a range
    /// end of `"\0"` (every key from `key` on, when deleting) overlaps
    /// nothing here, nor does a range whose end is not after its key. etcd
    /// 3.4 accepts such a delete next to puts of keys it covers, and runs
    /// the operations in order; so do we, since every member must refuse
    /// exactly what etcd refuses.
    fn contains(&self, key: &[u8]) -> bool {
        match self.range_end {
            [] => self.key == key,
            end => self.key <= key && key < end,
        }
    }
}

impl<'a> Writes<'a> {
    /// Collects what `ops` writes, failing with [`Error::DuplicateKey`] when
    /// a key is put twice or put inside a deleted range. Deletes may
    /// overlap each other, and the two branches of a nested transaction may
    /// put the same key, since only one of them runs.
    fn of(ops: &'a [RequestOp]) -> Result<Self> {
        let mut writes = Self::default();
        for op in ops {
            if let Some(request_op::Request::RequestDeleteRange(delete)) = &op.request {
                writes.deletes.push(Deleted { key: &delete.key, range_end: &delete.range_end });
            }
        }
        for op in ops {
            let Some(request_op::Request::RequestTxn(nested)) = &op.request else { continue };
            let then = Self::of(&nested.success)?;
            let otherwise = Self::of(&nested.failure)?;
            for &key in &then.puts {
                writes.add_put(key)?;
            }
            for &key in &otherwise.puts {
                if !then.puts.contains(key) {
                    writes.add_put(key)?;
                } else if writes.is_deleted(key) {
                    return Err(Error::DuplicateKey);
                }
            }
            writes.deletes.extend(then.deletes);
            writes.deletes.extend(otherwise.deletes);
        }
        for op in ops {
            if let Some(request_op::Request::RequestPut(put)) = &op.request {
                writes.add_put(&put.key)?;
            }
        }
        Ok(writes)
    }

    fn is_deleted(&self, key: &[u8]) -> bool {
        self.deletes.iter().any(|deleted| deleted.contains(key))
    }

    fn add_put(&mut self, key: &'a [u8]) -> Result<()> {
        if self.is_deleted(key) || !self.puts.insert(key) {
            return Err(Error::DuplicateKey);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{delete_op, put_op, txn_op};
    use super::*;
    use crate::pb::etcdserverpb::{CompactionRequest, Compare};

    fn txn(success: Vec<RequestOp>, failure: Vec<RequestOp>) -> Request {
        Request::Txn(TxnRequest { compare: Vec::new(), success, failure })
    }

    fn check(request: &Request) -> Result<(), String> {
        request.check(&Limits::default()).map_err(|e| e.to_string())
    }

    const DUPLICATE: &str = "etcdserver: duplicate key given in txn request";

    #[test]
    fn duplicate_keys_in_a_branch_are_refused() {
        let nested = |s, f| txn_op(Vec::new(), s, f);
        let cases: Vec<(&str, Vec<RequestOp>, Result<(), &str>)> = vec![
            ("distinct puts", vec![put_op("a", "1"), put_op("b", "2")], Ok(())),
            ("put twice", vec![put_op("a", "1"), put_op("a", "2")], Err(DUPLICATE)),
            ("put and delete it", vec![put_op("a", "1"), delete_op("a", "")], Err(DUPLICATE)),
            ("delete then put", vec![delete_op("a", ""), put_op("a", "1")], Err(DUPLICATE)),
            ("put in deleted range", vec![put_op("b", "1"), delete_op("a", "c")], Err(DUPLICATE)),
            ("put at range end", vec![put_op("c", "1"), delete_op("a", "c")], Ok(())),
            // etcd's interval check sees no overlap with a "\0" range end.
            ("put after \\0 range", vec![put_op("z", "1"), delete_op("b", "\0")], Ok(())),
            ("put at \\0 range's key", vec![delete_op("b", "\0"), put_op("b", "1")], Ok(())),
            ("put before \\0 range", vec![put_op("a", "1"), delete_op("b", "\0")], Ok(())),
            ("put in inverted range", vec![put_op("b", "1"), delete_op("c", "a")], Ok(())),
            (
                "outer put beside nested \\0 delete",
                vec![put_op("z", "1"), nested(vec![delete_op("a", "\0")], vec![])],
                Ok(()),
            ),
            ("overlapping deletes", vec![delete_op("a", "c"), delete_op("b", "")], Ok(())),
            (
                "nested put twice",
                vec![put_op("a", "1"), nested(vec![put_op("a", "2")], vec![])],
                Err(DUPLICATE),
            ),
            (
                "nested put in outer delete",
                vec![delete_op("a", "c"), nested(vec![], vec![put_op("b", "2")])],
                Err(DUPLICATE),
            ),
            (
                "outer put in nested delete",
                vec![put_op("b", "1"), nested(vec![delete_op("a", "c")], vec![])],
                Err(DUPLICATE),
            ),
            (
                "same key in both nested branches",
                vec![nested(vec![put_op("a", "1")], vec![put_op("a", "2")])],
                Ok(()),
            ),
            (
                "two nested txns put one key",
                vec![
                    nested(vec![put_op("a", "1")], vec![]),
                    nested(vec![], vec![put_op("a", "2")]),
                ],
                Err(DUPLICATE),
            ),
            (
                "duplicate inside a nested branch",
                vec![nested(vec![put_op("a", "1"), put_op("a", "2")], vec![])],
                Err(DUPLICATE),
            ),
        ];
        for (name, ops, want) in cases {
            let want = want.map_err(str::to_owned);
            assert_eq!(check(&txn(ops.clone(), Vec::new())), want, "{name} (success)");
            assert_eq!(check(&txn(Vec::new(), ops)), want, "{name} (failure)");
        }
        // The two branches of one transaction never both run.
        assert_eq!(check(&txn(vec![put_op("a", "1")], vec![put_op("a", "2")])), Ok(()));
    }

    #[test]
    fn too_many_ops_counts_the_widest_part_and_nesting() {
        let limits = Limits::default().max_txn_ops(3);
        let puts = |n: usize| (0..n).map(|i| put_op(&format!("k{i}"), "v")).collect::<Vec<_>>();
        let ok = txn(puts(3), puts(3));
        assert!(ok.check(&limits).is_ok());
        let err = |r: &Request| r.check(&limits).unwrap_err().to_string();
        let many = "etcdserver: too many operations in txn request";
        assert_eq!(err(&txn(puts(4), Vec::new())), many);
        assert_eq!(err(&txn(Vec::new(), puts(4))), many);
        let compares = vec![Compare { key: b"k".to_vec(), ..Compare::default() }; 4];
        let wide = Request::Txn(TxnRequest { compare: compares, ..TxnRequest::default() });
        assert_eq!(err(&wide), many);
        // A nested transaction gets what its parent leaves: 3 - 2 = 1.
        let nested = txn_op(Vec::new(), vec![put_op("n1", "v")], Vec::new());
        assert!(txn(vec![put_op("a", "v"), nested], Vec::new()).check(&limits).is_ok());
        let nested = txn_op(Vec::new(), vec![put_op("n1", "v"), put_op("n2", "v")], Vec::new());
        assert_eq!(err(&txn(vec![put_op("a", "v"), nested], Vec::new())), many);
    }

    #[test]
    fn keys_and_put_options_are_checked() {
        let put = |key: &str, value: &str, lease, ignore_value, ignore_lease| {
            Request::Put(PutRequest {
                key: key.into(),
                value: value.into(),
                lease,
                ignore_value,
                ignore_lease,
                ..PutRequest::default()
            })
        };
        let cases = [
            (put("", "v", 0, false, false), Err("etcdserver: key is not provided")),
            (put("k", "v", 0, true, false), Err("etcdserver: value is provided")),
            (put("k", "", 7, false, true), Err("etcdserver: lease is provided")),
            (put("k", "", 0, true, true), Ok(())),
            (put("k", "v", 7, false, false), Ok(())),
            (
                Request::DeleteRange(DeleteRangeRequest::default()),
                Err("etcdserver: key is not provided"),
            ),
            (txn(vec![delete_op("", "")], Vec::new()), Err("etcdserver: key is not provided")),
            (
                Request::Txn(TxnRequest {
                    compare: vec![Compare::default()],
                    ..TxnRequest::default()
                }),
                Err("etcdserver: key is not provided"),
            ),
            (txn(vec![RequestOp { request: None }], Vec::new()), Err("etcdserver: key not found")),
            (Request::Compaction(CompactionRequest::default()), Ok(())),
        ];
        for (request, want) in cases {
            assert_eq!(check(&request), want.map_err(str::to_owned), "{request:?}");
        }
    }

    #[test]
    fn requests_over_the_size_limit_are_too_large() {
        let limits = Limits::default().max_request_bytes(100);
        let put = |n: usize| {
            Request::Put(PutRequest {
                key: b"k".to_vec(),
                value: vec![b'x'; n],
                ..PutRequest::default()
            })
        };
        // key: 2 + 1 bytes; value: 2 + n bytes (n < 128).
        assert!(put(95).check(&limits).is_ok());
        assert_eq!(
            put(96).check(&limits).unwrap_err().to_string(),
            "etcdserver: request is too large"
        );
        let big = txn(vec![put_op("k", &"x".repeat(200))], Vec::new());
        assert!(matches!(big.check(&limits), Err(Error::RequestTooLarge)));
        assert!(big.check(&Limits::default()).is_ok());
    }
}
