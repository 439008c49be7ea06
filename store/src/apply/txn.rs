//! Executing writes inside one engine [`Write`]: puts, deletes and
//! transactions, in two phases as etcd does.
//!
//! 1. [`plan`]: before anything is written, evaluate every compare (nested
//!    transactions' compares too) against the store as it was when the
//!    request began, and check the operations of the branches that will
//!    run: a put with `ignore_value`/`ignore_lease` needs its key, a put's
//!    lease must be granted, a range needs a readable revision. The result
//!    is the path: which branch each transaction takes, in execution order.
//! 2. [`Exec`]: run the operations of that path in order. Writes cannot fail
//!    now except fatally, and reads see the writes before them.

use super::range::{self, key_value, nested_header};
use super::{Error, Result};
use crate::mvcc::{self, RangeOptions, Write};
use crate::pb::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use crate::pb::etcdserverpb::{
    Compare, DeleteRangeRequest, DeleteRangeResponse, PutRequest, PutResponse, RangeRequest,
    RequestOp, TxnRequest, TxnResponse, request_op, response_op,
};

/// Whether `compare` holds in the store as `write` sees it: for every key in
/// its range, or for a key with all zero fields when the range is empty
/// (then a VALUE compare fails, as in etcd: a missing value cannot be told
/// from an empty one).
fn holds(write: &Write<'_>, compare: &Compare) -> Result<bool> {
    let kvs =
        write.range(&RangeOptions::range(compare.key.clone(), compare.range_end.clone()))?.kvs;
    let target = CompareTarget::try_from(compare.target).unwrap_or(CompareTarget::Version);
    if kvs.is_empty() {
        return Ok(
            target != CompareTarget::Value && compare_kv(compare, &mvcc::KeyValue::default())
        );
    }
    Ok(kvs.iter().all(|kv| compare_kv(compare, kv)))
}

/// etcd's `compareKV`: the operand comes from `target_union` when its case
/// matches the target, and is zero (or empty) otherwise.
fn compare_kv(compare: &Compare, kv: &mvcc::KeyValue) -> bool {
    let int = |found: i64, operand: Option<i64>| found.cmp(&operand.unwrap_or(0));
    let union = compare.target_union.as_ref();
    let ordering = match CompareTarget::try_from(compare.target) {
        Ok(CompareTarget::Value) => {
            let operand = match union {
                Some(TargetUnion::Value(value)) => value.as_slice(),
                _ => &[],
            };
            kv.value.as_slice().cmp(operand)
        }
        Ok(CompareTarget::Create) => int(
            kv.create_revision,
            match union {
                Some(TargetUnion::CreateRevision(rev)) => Some(*rev),
                _ => None,
            },
        ),
        Ok(CompareTarget::Mod) => int(
            kv.mod_revision,
            match union {
                Some(TargetUnion::ModRevision(rev)) => Some(*rev),
                _ => None,
            },
        ),
        Ok(CompareTarget::Lease) => int(
            kv.lease,
            match union {
                Some(TargetUnion::Lease(lease)) => Some(*lease),
                _ => None,
            },
        ),
        Ok(CompareTarget::Version) | Err(_) => int(
            kv.version,
            match union {
                Some(TargetUnion::Version(version)) => Some(*version),
                _ => None,
            },
        ),
    };
    match CompareResult::try_from(compare.result) {
        Ok(CompareResult::Equal) => ordering.is_eq(),
        Ok(CompareResult::NotEqual) => ordering.is_ne(),
        Ok(CompareResult::Greater) => ordering.is_gt(),
        Ok(CompareResult::Less) => ordering.is_lt(),
        // etcd lets an unknown result hold.
        Err(_) => true,
    }
}

/// Phase 1 for a transaction: appends to `path` whether it (and each nested
/// transaction on its way, in execution order) succeeds, and checks the
/// operations that will run.
pub(super) fn plan(write: &Write<'_>, txn: &TxnRequest, path: &mut Vec<bool>) -> Result<()> {
    let mut succeeded = true;
    for compare in &txn.compare {
        if !holds(write, compare)? {
            succeeded = false;
            break;
        }
    }
    path.push(succeeded);
    let branch = if succeeded { &txn.success } else { &txn.failure };
    for op in branch {
        match &op.request {
            Some(request_op::Request::RequestPut(put)) => check_put(write, put)?,
            Some(request_op::Request::RequestRange(range)) => check_range(write, range)?,
            Some(request_op::Request::RequestTxn(nested)) => plan(write, nested, path)?,
            Some(request_op::Request::RequestDeleteRange(_)) => {}
            None => return Err(Error::KeyNotFound),
        }
    }
    Ok(())
}

/// Phase 1 for a put (etcd's `checkRequestPut`): `ignore_value` and
/// `ignore_lease` need the key, and a lease must be granted.
pub(super) fn check_put(write: &Write<'_>, put: &PutRequest) -> Result<()> {
    if (put.ignore_value || put.ignore_lease) && latest(write, &put.key)?.is_none() {
        return Err(Error::KeyNotFound);
    }
    if put.lease != 0 && write.lease(put.lease).is_none() {
        return Err(Error::LeaseNotFound);
    }
    Ok(())
}

/// Phase 1 for a range inside a transaction: its revision must be readable
/// before the transaction writes anything.
fn check_range(write: &Write<'_>, range: &RangeRequest) -> Result<()> {
    if range.revision != 0 {
        let probe = RangeOptions::key(range.key.clone()).revision(range.revision).count_only();
        write.range(&probe)?;
    }
    Ok(())
}

fn latest(write: &Write<'_>, key: &[u8]) -> Result<Option<mvcc::KeyValue>> {
    Ok(write.range(&RangeOptions::key(key))?.kvs.pop())
}

/// Phase 2: runs planned operations on a write.
#[derive(Debug)]
pub(super) struct Exec<'w, 'a> {
    /// The write everything goes into.
    pub(super) write: &'w mut Write<'a>,
    /// The path from [`plan`], consumed in order.
    pub(super) path: std::vec::IntoIter<bool>,
}

impl Exec<'_, '_> {
    /// The revision a response inside the write reports: the new one once
    /// something changed.
    fn revision(&self) -> i64 {
        let write = &*self.write;
        if write.has_changes() { write.revision() } else { write.revision() - 1 }
    }

    /// Runs a put; its header is filled by the caller.
    pub(super) fn put(&mut self, put: &PutRequest) -> Result<PutResponse> {
        let mut value = put.value.clone();
        let mut lease = put.lease;
        if put.ignore_value || put.ignore_lease {
            let prev = latest(self.write, &put.key)?.ok_or(Error::KeyNotFound)?;
            if put.ignore_value {
                value = prev.value;
            }
            if put.ignore_lease {
                lease = prev.lease;
            }
        }
        let prev = self.write.put(put.key.clone(), value, lease)?;
        Ok(PutResponse { header: None, prev_kv: prev.filter(|_| put.prev_kv).map(key_value) })
    }

    /// Runs a delete; its header is filled by the caller.
    pub(super) fn delete(&mut self, delete: &DeleteRangeRequest) -> Result<DeleteRangeResponse> {
        let deleted = self.write.delete_range(&delete.key, &delete.range_end)?;
        let count = i64::try_from(deleted.len()).unwrap_or(i64::MAX);
        let prev_kvs =
            if delete.prev_kv { deleted.into_iter().map(key_value).collect() } else { Vec::new() };
        Ok(DeleteRangeResponse { header: None, deleted: count, prev_kvs })
    }

    /// Runs the planned branch of a transaction; its header is filled by the
    /// caller.
    pub(super) fn txn(&mut self, txn: &TxnRequest) -> Result<TxnResponse> {
        let succeeded = self.path.next().unwrap_or(false);
        let branch = if succeeded { &txn.success } else { &txn.failure };
        let responses = branch.iter().map(|op| self.op(op)).collect::<Result<Vec<_>>>()?;
        Ok(TxnResponse { header: None, succeeded, responses })
    }

    fn op(&mut self, op: &RequestOp) -> Result<crate::pb::etcdserverpb::ResponseOp> {
        use response_op::Response;
        let response = match &op.request {
            Some(request_op::Request::RequestRange(range)) => {
                let result = self.write.range(&range::options(range))?;
                let revision = result.revision;
                let mut response = range::response(result, Default::default());
                response.header = nested_header(revision);
                Response::ResponseRange(response)
            }
            Some(request_op::Request::RequestPut(put)) => {
                let mut response = self.put(put)?;
                response.header = nested_header(self.revision());
                Response::ResponsePut(response)
            }
            Some(request_op::Request::RequestDeleteRange(delete)) => {
                let mut response = self.delete(delete)?;
                response.header = nested_header(self.revision());
                Response::ResponseDeleteRange(response)
            }
            Some(request_op::Request::RequestTxn(nested)) => {
                let mut response = self.txn(nested)?;
                response.header = nested_header(self.revision());
                Response::ResponseTxn(response)
            }
            None => return Err(Error::KeyNotFound),
        };
        Ok(crate::pb::etcdserverpb::ResponseOp { response: Some(response) })
    }
}
