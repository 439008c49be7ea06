//! Helpers for the apply layer's unit tests.

use super::{Applied, Applier, Header, Request, Response, Result};
use crate::mvcc;
use crate::pb::etcdserverpb::{
    Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest, request_op,
};
use crate::pb::mvccpb;

/// A store in memory and the header its responses carry.
pub(crate) struct Fixture {
    pub(crate) store: mvcc::Store,
    pub(crate) header: Header,
}

impl Fixture {
    pub(crate) fn new() -> Self {
        let header = Header { cluster_id: 11, member_id: 22, raft_term: 33 };
        Self { store: mvcc::Store::in_memory().unwrap(), header }
    }

    pub(crate) fn applier(&self) -> Applier<'_> {
        Applier::new(&self.store).header(self.header)
    }

    /// Applies `request` at the next index.
    pub(crate) fn apply(&self, request: Request) -> Result<Applied> {
        let index = self.store.applied_index() + 1;
        Ok(self.applier().apply(index, request)?.expect("the next index is new"))
    }

    /// Puts `key` = `value` at the next index.
    pub(crate) fn put(&self, key: &str, value: &str) -> Applied {
        self.apply(Request::Put(put(key, value))).unwrap()
    }

    /// Applies a transaction and returns its response.
    pub(crate) fn txn(&self, txn: TxnRequest) -> Result<crate::pb::etcdserverpb::TxnResponse> {
        match self.apply(Request::Txn(txn))?.response {
            Response::Txn(response) => Ok(response),
            other => panic!("not a txn response: {other:?}"),
        }
    }

    /// The key now, if it exists.
    pub(crate) fn get(&self, key: &str) -> Option<mvccpb::KeyValue> {
        self.applier().range(&range(key, "")).unwrap().kvs.pop()
    }
}

/// A plain put.
pub(crate) fn put(key: &str, value: &str) -> PutRequest {
    PutRequest { key: key.into(), value: value.into(), ..PutRequest::default() }
}

/// A range request.
pub(crate) fn range(key: &str, range_end: &str) -> RangeRequest {
    RangeRequest { key: key.into(), range_end: range_end.into(), ..RangeRequest::default() }
}

/// A key-value pair without a lease, in the protocol's type.
pub(crate) fn kv(
    key: &str,
    value: &str,
    create: i64,
    modified: i64,
    version: i64,
) -> mvccpb::KeyValue {
    mvccpb::KeyValue {
        key: key.into(),
        create_revision: create,
        mod_revision: modified,
        version,
        value: value.into(),
        lease: 0,
    }
}

/// A put operation inside a transaction.
pub(crate) fn put_op(key: &str, value: &str) -> RequestOp {
    RequestOp { request: Some(request_op::Request::RequestPut(put(key, value))) }
}

/// A delete operation inside a transaction.
pub(crate) fn delete_op(key: &str, range_end: &str) -> RequestOp {
    let delete = DeleteRangeRequest {
        key: key.into(),
        range_end: range_end.into(),
        ..DeleteRangeRequest::default()
    };
    RequestOp { request: Some(request_op::Request::RequestDeleteRange(delete)) }
}

/// A range operation inside a transaction.
pub(crate) fn range_op(key: &str, range_end: &str) -> RequestOp {
    RequestOp { request: Some(request_op::Request::RequestRange(range(key, range_end))) }
}

/// A nested transaction operation.
pub(crate) fn txn_op(
    compare: Vec<Compare>,
    success: Vec<RequestOp>,
    failure: Vec<RequestOp>,
) -> RequestOp {
    RequestOp {
        request: Some(request_op::Request::RequestTxn(TxnRequest { compare, success, failure })),
    }
}
