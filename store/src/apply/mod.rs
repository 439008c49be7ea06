//! etcd's request semantics on top of the [`mvcc`] engine: the apply step of
//! propose → commit → apply, in etcd's own protocol messages.
//!
//! ```
//! use keelson_store::apply::{self, Applier, Request, Response};
//! use keelson_store::mvcc;
//! use keelson_store::pb::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
//! use keelson_store::pb::etcdserverpb::{
//!     Compare, PutRequest, RangeRequest, RequestOp, TxnRequest, request_op,
//! };
//!
//! let store = mvcc::Store::in_memory()?;
//! let header = apply::Header { cluster_id: 1, member_id: 2, raft_term: 3 };
//! let applier = Applier::new(&store).header(header);
//! let put = |value: &str| PutRequest {
//!     key: b"k".to_vec(),
//!     value: value.into(),
//!     ..Default::default()
//! };
//!
//! // Each request names the log index it applies.
//! let applied = applier.apply(1, Request::Put(put("v1")))?.expect("index 1 is new");
//! assert_eq!(applied.revision, 2);
//! assert_eq!(applied.events.len(), 1); // for the watchers
//!
//! // Compare-and-swap: put v2 only if k is still at mod revision 2.
//! let cas = TxnRequest {
//!     compare: vec![Compare {
//!         key: b"k".to_vec(),
//!         target: CompareTarget::Mod as i32,
//!         result: CompareResult::Equal as i32,
//!         target_union: Some(TargetUnion::ModRevision(2)),
//!         ..Default::default()
//!     }],
//!     success: vec![RequestOp { request: Some(request_op::Request::RequestPut(put("v2"))) }],
//!     failure: vec![],
//! };
//! let applied = applier.apply(2, Request::Txn(cas.clone()))?.expect("index 2 is new");
//! let Response::Txn(response) = applied.response else { unreachable!() };
//! assert!(response.succeeded);
//! let Response::Txn(response) = applier.apply(3, Request::Txn(cas))?.unwrap().response else {
//!     unreachable!()
//! };
//! assert!(!response.succeeded); // k is at mod revision 3 now
//!
//! // Reads need no log index.
//! let got = applier.range(&RangeRequest { key: b"k".to_vec(), ..Default::default() })?;
//! assert_eq!(got.kvs[0].value, b"v2");
//! assert_eq!(got.header.unwrap().revision, 3);
//!
//! // An index that was applied before is skipped.
//! assert!(applier.apply(3, Request::Put(put("v3")))?.is_none());
//! # Ok::<(), apply::Error>(())
//! ```
//!
//! # Applying requests
//!
//! The layer above (the Raft driver, or a single member's proposer):
//!
//! 1. MUST call [`Request::check`] before proposing a request and answer
//!    its error without proposing; [`Applier::apply`] checks again, so a
//!    member refuses what any other member refuses.
//! 2. MUST apply committed entries with [`Applier::apply`] in log order,
//!    from one thread; reads ([`Applier::range`]) may run anywhere. To
//!    share one fsync among many entries, apply them with
//!    [`Applier::apply_in`] inside one [`mvcc::Batch`] and answer them
//!    after [`mvcc::Batch::commit`].
//! 3. MUST treat `Ok(None)` as "applied before": the entry's index is at or
//!    below the store's applied index (a replay after a restart), and
//!    nothing happened.
//! 4. MUST treat an error other than a fatal one ([`Error::is_fatal`]) as
//!    the request's answer. The entry is still applied, as a no-op: its
//!    index is recorded, so it is not applied again.
//! 5. MUST hand [`Applied::events`] to the watchers in index order.
//!
//! Every write request, a transaction with nested ones included, is one
//! engine [`Write`](mvcc::Write): its changes share one new revision, and a
//! transaction that only reads keeps the revision as it was.
//!
//! A compaction is not an engine write and carries no index in the engine:
//! its index is recorded by an empty write after it. If the process dies in
//! between, the replayed compaction fails with [`Error::Compacted`], which
//! nobody waits for.
//!
//! # Leases
//!
//! [`Request::LeaseGrant`] and [`Request::LeaseRevoke`] change which leases
//! exist; they are persisted with the data like any write. A grant needs no
//! revision of its own; a revocation deletes every key attached to the
//! lease in one revision, and its [`Applied::events`] are those deletes.
//! Each applied grant or revocation is reported in [`Applied::lease`] for
//! the member's [`lease::Lessor`](crate::lease::Lessor), which keeps lease
//! time (see the [`lease`](crate::lease) module for that protocol). A put
//! (also inside a transaction) naming a lease that is not granted fails
//! with [`Error::LeaseNotFound`].
//!
//! # Space quota and alarms
//!
//! [`Quota`] and [`cost`] decide, before a request is proposed, whether the
//! database has room for it; if not, the member proposes a NOSPACE alarm
//! ([`Request::Alarm`], applied like any request) instead. While a NOSPACE alarm is active,
//! [`Applier::apply`] refuses every request that could grow the database
//! with [`Error::NoSpace`]. The [`alarm`] module has the whole protocol.

pub mod alarm;
mod check;
mod error;
mod lease;
mod range;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod txn;

pub use alarm::{Quota, cost};
pub use error::{Error, Result};

use crate::pb::etcdserverpb::{
    AlarmRequest, AlarmResponse, CompactionRequest, CompactionResponse, DeleteRangeRequest,
    DeleteRangeResponse, LeaseGrantRequest, LeaseGrantResponse, LeaseRevokeRequest,
    LeaseRevokeResponse, PutRequest, PutResponse, RangeRequest, RangeResponse, TxnRequest,
    TxnResponse,
};
use crate::{lease as lessor, mvcc};

/// etcd's request limits.
///
/// Every member MUST use the same limits: [`Applier::apply`] checks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The largest encoded request accepted, in bytes (etcd's
    /// `--max-request-bytes`; 1.5 MiB by default).
    pub max_request_bytes: usize,
    /// The most compares, or operations in one branch, a transaction may
    /// have (etcd's `--max-txn-ops`; 128 by default).
    pub max_txn_ops: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_request_bytes: 1_572_864, max_txn_ops: 128 }
    }
}

/// Limits that make no sense.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid store limits: {0}")]
pub struct InvalidLimits(&'static str);

impl Limits {
    /// Sets [`max_request_bytes`](Limits::max_request_bytes).
    #[must_use]
    pub fn max_request_bytes(mut self, bytes: usize) -> Self {
        self.max_request_bytes = bytes;
        self
    }

    /// Sets [`max_txn_ops`](Limits::max_txn_ops).
    #[must_use]
    pub fn max_txn_ops(mut self, ops: usize) -> Self {
        self.max_txn_ops = ops;
        self
    }

    /// Checks that every request could fit and every transaction could
    /// hold an operation.
    ///
    /// # Errors
    ///
    /// [`InvalidLimits`] saying which limit is zero.
    pub fn validate(&self) -> Result<(), InvalidLimits> {
        if self.max_request_bytes == 0 {
            return Err(InvalidLimits("max_request_bytes must be at least 1"));
        }
        if self.max_txn_ops == 0 {
            return Err(InvalidLimits("max_txn_ops must be at least 1"));
        }
        Ok(())
    }
}

/// What every response header says about the member that answers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The cluster's ID.
    pub cluster_id: u64,
    /// This member's ID.
    pub member_id: u64,
    /// The Raft term the member is in.
    pub raft_term: u64,
}

/// A request that changes the store: what Raft proposes.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Put one key.
    Put(PutRequest),
    /// Delete a key or a range.
    DeleteRange(DeleteRangeRequest),
    /// A transaction.
    Txn(TxnRequest),
    /// Compact history.
    Compaction(CompactionRequest),
    /// Grant a lease: with the given id, or (id 0) one the store picks
    /// above every id granted before, the same on every member; its TTL is
    /// raised to [`lease::Config::min_ttl`](crate::lease::Config::min_ttl).
    LeaseGrant(LeaseGrantRequest),
    /// Revoke a lease and delete the keys attached to it, in one revision.
    LeaseRevoke(LeaseRevokeRequest),
    /// List, raise or clear an alarm (see [`alarm`]); the member proposes
    /// its NOSPACE alarm itself when a write finds no room.
    Alarm(AlarmRequest),
}

/// The answer to a [`Request`], of the same kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// The answer to [`Request::Put`].
    Put(PutResponse),
    /// The answer to [`Request::DeleteRange`].
    DeleteRange(DeleteRangeResponse),
    /// The answer to [`Request::Txn`].
    Txn(TxnResponse),
    /// The answer to [`Request::Compaction`].
    Compaction(CompactionResponse),
    /// The answer to [`Request::LeaseGrant`]: the lease's id and granted TTL.
    LeaseGrant(LeaseGrantResponse),
    /// The answer to [`Request::LeaseRevoke`].
    LeaseRevoke(LeaseRevokeResponse),
    /// The answer to [`Request::Alarm`].
    Alarm(AlarmResponse),
}

/// An applied request.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// The answer for the client.
    pub response: Response,
    /// The changes it made, in order, for the watchers.
    pub events: Vec<mvcc::Event>,
    /// The store's revision after it (unchanged if it changed nothing).
    pub revision: i64,
    /// The lease it granted or revoked, for the member's
    /// [`Lessor::observe`](crate::lease::Lessor::observe).
    pub lease: Option<lessor::Change>,
}

/// Applies etcd requests to a store; see the [module docs](self).
#[derive(Clone, Copy, Debug)]
pub struct Applier<'a> {
    store: &'a mvcc::Store,
    header: Header,
    limits: Limits,
    leases: lessor::Config,
}

impl<'a> Applier<'a> {
    /// An applier on `store` with default limits and a zero header.
    #[must_use]
    pub fn new(store: &'a mvcc::Store) -> Self {
        Self {
            store,
            header: Header::default(),
            limits: Limits::default(),
            leases: lessor::Config::default(),
        }
    }

    /// Sets what response headers say about this member.
    #[must_use]
    pub fn header(mut self, header: Header) -> Self {
        self.header = header;
        self
    }

    /// Sets the request limits.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the lease settings (the minimum TTL a grant gets).
    #[must_use]
    pub fn leases(mut self, config: lessor::Config) -> Self {
        self.leases = config;
        self
    }

    /// Reads a range, as of now or of `request.revision`.
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`], [`Error::Compacted`],
    /// [`Error::FutureRevision`], and the fatal [`Error::Storage`].
    pub fn range(&self, request: &RangeRequest) -> Result<RangeResponse> {
        check::check_range(request)?;
        let result = self.store.range(&range::options(request))?;
        let header = self.header.at(result.revision);
        Ok(range::response(result, header))
    }

    /// Applies the log entry at `index`: `Ok(None)` if that index was
    /// applied before (see the [module docs](self) for the protocol). The
    /// write is durable when this returns; to apply many entries with one
    /// fsync, use [`apply_in`](Applier::apply_in).
    ///
    /// # Errors
    ///
    /// The errors of [`Request::check`], [`Error::KeyNotFound`] for a put
    /// with `ignore_value` or `ignore_lease` on a missing key,
    /// [`Error::LeaseNotFound`] for a put naming a lease that is not granted
    /// or a revocation of one, [`Error::LeaseExists`] for a grant of an id
    /// in use, [`Error::NoSpace`] for a request that could grow the database
    /// while a NOSPACE alarm is active (see [`alarm`]),
    /// [`Error::Compacted`] and [`Error::FutureRevision`] for a range in a
    /// transaction or a compaction at a revision that cannot be read, and
    /// the fatal [`Error::Storage`]. Only the fatal error leaves the index
    /// unapplied.
    pub fn apply(&self, index: u64, request: Request) -> Result<Option<Applied>> {
        let mut batch = self.store.batch();
        let applied = self.apply_in(&mut batch, index, request);
        if applied.as_ref().is_err_and(Error::is_fatal) {
            return applied;
        }
        batch.commit()?;
        applied
    }

    /// Applies the log entry at `index` inside `batch` (a batch of
    /// `self`'s store), as [`apply`](Applier::apply) does: its changes are
    /// durable and visible once the batch is committed, and the answer
    /// MUST NOT reach the client before that.
    ///
    /// # Errors
    ///
    /// As [`apply`](Applier::apply).
    pub fn apply_in(
        &self,
        batch: &mut mvcc::Batch<'_>,
        index: u64,
        request: Request,
    ) -> Result<Option<Applied>> {
        match &request {
            Request::Compaction(compaction) => {
                return Self::compact(batch, index, compaction, self.header);
            }
            Request::Alarm(alarm) => return self.alarm_in(batch, index, alarm),
            _ => {}
        }
        let Some(mut write) = batch.write(index)? else {
            return Ok(None);
        };
        let outcome = (request.check(&self.limits))
            .and_then(|()| alarm::check_capped(&write, &request))
            .and_then(|()| execute(&mut write, &request, &self.leases));
        let (response, lease) = match outcome {
            Ok(outcome) => outcome,
            Err(error) if error.is_fatal() => return Err(error),
            Err(error) => {
                // Record the index without the request's changes. Checks
                // run before anything is written, so there should be none.
                if write.has_changes() || write.has_lease_changes() || write.has_alarm_changes() {
                    drop(write);
                    record(batch, index)?;
                } else {
                    write.commit()?;
                }
                return Err(error);
            }
        };
        let (revision, events) = write.commit()?;
        let header = Some(self.header.at(revision));
        let response = match response {
            Response::Put(r) => Response::Put(PutResponse { header, ..r }),
            Response::DeleteRange(r) => Response::DeleteRange(DeleteRangeResponse { header, ..r }),
            Response::Txn(r) => Response::Txn(TxnResponse { header, ..r }),
            Response::Compaction(_) => Response::Compaction(CompactionResponse { header }),
            Response::LeaseGrant(r) => Response::LeaseGrant(LeaseGrantResponse { header, ..r }),
            Response::LeaseRevoke(_) => Response::LeaseRevoke(LeaseRevokeResponse { header }),
            Response::Alarm(r) => Response::Alarm(AlarmResponse { header, ..r }),
        };
        Ok(Some(Applied { response, events, revision, lease }))
    }

    fn compact(
        batch: &mut mvcc::Batch<'_>,
        index: u64,
        request: &CompactionRequest,
        header: Header,
    ) -> Result<Option<Applied>> {
        if batch.write(index)?.is_none() {
            return Ok(None);
        }
        // The write above is dropped: compaction takes the writer itself.
        // `physical` needs nothing more: compaction is done when it returns.
        let compacted = batch.compact(request.revision);
        record(batch, index)?;
        compacted?;
        let revision = batch.revision();
        let response = CompactionResponse { header: Some(header.at(revision)) };
        let response = Response::Compaction(response);
        Ok(Some(Applied { response, events: Vec::new(), revision, lease: None }))
    }
}

/// Records `index` as applied with an empty write.
fn record(batch: &mut mvcc::Batch<'_>, index: u64) -> Result<()> {
    if let Some(write) = batch.write(index)? {
        write.commit()?;
    }
    Ok(())
}

/// Runs a checked write request in `write`; response headers are left to
/// the caller. Also says what it did to the leases.
fn execute(
    write: &mut mvcc::Write<'_>,
    request: &Request,
    leases: &lessor::Config,
) -> Result<(Response, Option<lessor::Change>)> {
    let mut path = Vec::new();
    match request {
        Request::Put(put) => txn::check_put(write, put)?,
        Request::Txn(txn) => txn::plan(write, txn, &mut path)?,
        Request::LeaseGrant(grant) => return lease::grant(write, grant, leases),
        Request::LeaseRevoke(revoke) => return lease::revoke(write, revoke),
        Request::DeleteRange(_) | Request::Compaction(_) | Request::Alarm(_) => {}
    }
    let mut exec = txn::Exec { write, path: path.into_iter() };
    let response = match request {
        Request::Put(put) => Response::Put(exec.put(put)?),
        Request::DeleteRange(delete) => Response::DeleteRange(exec.delete(delete)?),
        Request::Txn(txn) => Response::Txn(exec.txn(txn)?),
        // Compactions and alarms are applied by `Applier::apply_in`,
        // leases above.
        Request::Compaction(_)
        | Request::Alarm(_)
        | Request::LeaseGrant(_)
        | Request::LeaseRevoke(_) => Response::Compaction(CompactionResponse::default()),
    };
    Ok((response, None))
}
