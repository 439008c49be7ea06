//! etcd's space quota and its alarms.
//!
//! A member keeps its database under a size quota the way etcd does:
//!
//! 1. Before proposing a put, a transaction or a lease grant, the member
//!    estimates what the request costs ([`cost`]) and asks its [`Quota`]
//!    whether the database, at its current size, has room for it
//!    ([`Quota::admits`]).
//! 2. If it has not, the member MUST NOT propose the request. It proposes an
//!    alarm instead (an [`AlarmRequest`] that activates NOSPACE for itself,
//!    applied with [`Applier::apply`] as [`Request::Alarm`] like any log entry, so every member
//!    applies and persists it) and answers the request with
//!    [`Error::NoSpace`].
//! 3. While any NOSPACE alarm is active, [`Applier::apply`] refuses every
//!    request that costs something with [`Error::NoSpace`] (the index is
//!    still applied, as a no-op), however small it is and whoever proposed
//!    it. Reads, deletes, compactions, lease revocations and transactions
//!    without puts go on, so space can be freed.
//! 4. Deactivating the alarm (etcd's `alarm disarm`) lets writes through
//!    again; if the database is still over its quota, the next write that
//!    costs something raises it again.
//!
//! Alarms are stored by the engine with the data ([`mvcc::Alarm`]), so they
//! survive a restart. A CORRUPT alarm can be raised and cleared, and is
//! listed, but refuses nothing (etcd refuses every write under it; nothing
//! here detects corruption yet).
//!
//! The cost is etcd's estimate, not the bytes the write will take: 256
//! bytes plus the key and value of a put; for a transaction, its puts in the
//! costlier branch, and as in etcd only its own puts, not those of nested
//! transactions (so a transaction whose puts are all nested costs nothing,
//! and is not refused); 64 bytes for a lease grant.

use super::{Applied, Applier, Error, Request, Response, Result};
use crate::mvcc;
use crate::pb::etcdserverpb::alarm_request::AlarmAction;
use crate::pb::etcdserverpb::{
    AlarmMember, AlarmRequest, AlarmResponse, AlarmType, PutRequest, RequestOp, request_op,
};

/// etcd's estimate of what storing a key's metadata costs, in bytes.
const KV_OVERHEAD: u64 = 256;
/// etcd's estimate of what storing a lease costs, in bytes.
const LEASE_OVERHEAD: u64 = 64;

/// What etcd estimates `request` adds to the database, in bytes; 0 for a
/// request that cannot grow it (a delete, a compaction, a revocation, a
/// transaction without puts of its own). See the [module docs](self).
#[must_use]
pub fn cost(request: &Request) -> u64 {
    match request {
        Request::Put(put) => cost_put(put),
        Request::Txn(txn) => cost_ops(&txn.success).max(cost_ops(&txn.failure)),
        Request::LeaseGrant(_) => LEASE_OVERHEAD,
        Request::DeleteRange(_)
        | Request::Compaction(_)
        | Request::LeaseRevoke(_)
        | Request::Alarm(_) => 0,
    }
}

fn cost_put(put: &PutRequest) -> u64 {
    let bytes = put.key.len().saturating_add(put.value.len());
    KV_OVERHEAD.saturating_add(u64::try_from(bytes).unwrap_or(u64::MAX))
}

/// The puts of one branch of a transaction; nested transactions cost
/// nothing, as in etcd.
fn cost_ops(ops: &[RequestOp]) -> u64 {
    ops.iter()
        .filter_map(|op| match &op.request {
            Some(request_op::Request::RequestPut(put)) => Some(cost_put(put)),
            _ => None,
        })
        .fold(0, u64::saturating_add)
}

/// The space quota of a member's database: etcd's `--quota-backend-bytes`.
///
/// ```
/// use keelson_store::apply::{Quota, Request};
/// use keelson_store::pb::etcdserverpb::{DeleteRangeRequest, PutRequest};
///
/// let quota = Quota::from_backend_bytes(100_000);
/// let put = Request::Put(PutRequest { key: b"k".to_vec(), value: vec![0; 100], ..Default::default() });
/// assert!(quota.admits(90_000, &put));
/// assert!(!quota.admits(99_700, &put)); // 99,700 + 256 + 1 + 100 reaches the quota
/// // A request that cannot grow the database always passes.
/// let delete = Request::DeleteRange(DeleteRangeRequest { key: b"k".to_vec(), ..Default::default() });
/// assert!(quota.admits(1 << 40, &delete));
///
/// assert_eq!(Quota::from_backend_bytes(0), Quota::default()); // 2 GiB, as etcd
/// assert_eq!(Quota::from_backend_bytes(-1).limit(), None); // no quota at all
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    limit: Option<u64>,
}

impl Default for Quota {
    /// etcd's default quota, [`Quota::DEFAULT_BYTES`].
    fn default() -> Self {
        Self::new(Self::DEFAULT_BYTES)
    }
}

impl Quota {
    /// etcd's default quota: 2 GiB.
    pub const DEFAULT_BYTES: u64 = 2 * 1024 * 1024 * 1024;

    /// No quota: every request is admitted.
    pub const DISABLED: Self = Self { limit: None };

    /// A quota of `bytes`.
    #[must_use]
    pub const fn new(bytes: u64) -> Self {
        Self { limit: Some(bytes) }
    }

    /// The quota etcd's `--quota-backend-bytes` flag sets: the default for
    /// 0, none for a negative value, that many bytes otherwise.
    #[must_use]
    pub fn from_backend_bytes(bytes: i64) -> Self {
        match u64::try_from(bytes) {
            Ok(0) => Self::default(),
            Ok(bytes) => Self::new(bytes),
            Err(_) => Self::DISABLED,
        }
    }

    /// The largest database size, in bytes; `None` without a quota.
    #[must_use]
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }

    /// Whether a database of `db_size` bytes has room for `request`: it
    /// costs nothing, or the size plus its [`cost`] stays below the quota.
    #[must_use]
    pub fn admits(&self, db_size: u64, request: &Request) -> bool {
        let cost = cost(request);
        cost == 0 || self.limit.is_none_or(|limit| db_size.saturating_add(cost) < limit)
    }
}

/// Refuses a request that costs something while a NOSPACE alarm is active,
/// as `write` sees the alarms.
pub(super) fn check_capped(write: &mvcc::Write<'_>, request: &Request) -> Result<()> {
    let nospace = AlarmType::Nospace as i32;
    if cost(request) > 0 && write.alarms().iter().any(|alarm| alarm.alarm == nospace) {
        return Err(Error::NoSpace);
    }
    Ok(())
}

impl Applier<'_> {
    /// Applies the alarm request at log index `index` inside `batch`, for
    /// [`apply_in`](Applier::apply_in): `Ok(None)` if that index was
    /// applied before. The answer is a [`Response::Alarm`]:
    ///
    /// - GET lists the active alarms of the request's kind, or all of them
    ///   for `NONE`, whatever the member;
    /// - ACTIVATE raises the alarm of the request's member and kind, and
    ///   answers with it (also when it was active already);
    /// - DEACTIVATE clears it, and answers with it, or with nothing if it
    ///   was not active;
    /// - an unknown action changes nothing and answers with nothing.
    ///
    /// Only the fatal [`Error::Storage`] can fail it.
    pub(super) fn alarm_in(
        &self,
        batch: &mut mvcc::Batch<'_>,
        index: u64,
        request: &AlarmRequest,
    ) -> Result<Option<Applied>> {
        let Some(mut write) = batch.write(index)? else {
            return Ok(None);
        };
        let alarms = change(&mut write, request);
        let (revision, events) = write.commit()?;
        let response = AlarmResponse { header: Some(self.header.at(revision)), alarms };
        Ok(Some(Applied { response: Response::Alarm(response), events, revision, lease: None }))
    }
}

/// Runs an alarm request in `write`; returns the alarms it answers with.
fn change(write: &mut mvcc::Write<'_>, request: &AlarmRequest) -> Vec<AlarmMember> {
    let alarm = mvcc::Alarm { member_id: request.member_id, alarm: request.alarm };
    match AlarmAction::try_from(request.action) {
        Ok(AlarmAction::Get) => {
            let every = request.alarm == AlarmType::None as i32;
            let alarms = write.alarms().into_iter();
            alarms.filter(|active| every || active.alarm == request.alarm).map(member).collect()
        }
        Ok(AlarmAction::Activate) => {
            write.activate_alarm(alarm);
            vec![member(alarm)]
        }
        Ok(AlarmAction::Deactivate) if write.deactivate_alarm(alarm) => vec![member(alarm)],
        Ok(AlarmAction::Deactivate) | Err(_) => Vec::new(),
    }
}

fn member(alarm: mvcc::Alarm) -> AlarmMember {
    AlarmMember { member_id: alarm.member_id, alarm: alarm.alarm }
}

#[cfg(test)]
mod tests {
    use super::super::testing::Fixture;
    use super::*;
    use crate::pb::etcdserverpb::{
        CompactionRequest, DeleteRangeRequest, LeaseGrantRequest, LeaseRevokeRequest, TxnRequest,
    };

    fn put(key: &str, value_len: usize) -> PutRequest {
        PutRequest { key: key.into(), value: vec![b'v'; value_len], ..Default::default() }
    }

    fn op(request: request_op::Request) -> RequestOp {
        RequestOp { request: Some(request) }
    }

    fn put_op(key: &str, value_len: usize) -> RequestOp {
        op(request_op::Request::RequestPut(put(key, value_len)))
    }

    fn delete_op(key: &str) -> RequestOp {
        let delete = DeleteRangeRequest { key: key.into(), ..Default::default() };
        op(request_op::Request::RequestDeleteRange(delete))
    }

    fn txn(success: Vec<RequestOp>, failure: Vec<RequestOp>) -> TxnRequest {
        TxnRequest { compare: Vec::new(), success, failure }
    }

    #[test]
    fn costs_are_etcds_estimates() {
        let nested = txn(vec![put_op("n", 1000)], vec![]);
        let cases = [
            ("put", Request::Put(put("key", 10)), 256 + 3 + 10),
            ("empty put", Request::Put(PutRequest::default()), 256),
            ("lease grant", Request::LeaseGrant(LeaseGrantRequest::default()), 64),
            ("delete", Request::DeleteRange(DeleteRangeRequest::default()), 0),
            ("compaction", Request::Compaction(CompactionRequest::default()), 0),
            ("revocation", Request::LeaseRevoke(LeaseRevokeRequest::default()), 0),
            ("read-only txn", Request::Txn(txn(vec![delete_op("a")], vec![])), 0),
            (
                "txn: the costlier branch",
                Request::Txn(txn(
                    vec![put_op("a", 1), put_op("b", 1), delete_op("c")],
                    vec![put_op("c", 300)],
                )),
                256 + 1 + 300,
            ),
            (
                "txn: the success branch",
                Request::Txn(txn(vec![put_op("a", 1), put_op("b", 1)], vec![put_op("c", 10)])),
                2 * (256 + 2),
            ),
            (
                "nested puts cost nothing, as in etcd",
                Request::Txn(txn(vec![op(request_op::Request::RequestTxn(nested))], vec![])),
                0,
            ),
        ];
        for (name, request, expected) in cases {
            assert_eq!(cost(&request), expected, "{name}");
        }
    }

    #[test]
    fn the_quota_admits_what_stays_below_it() {
        let quota = Quota::new(10_000);
        let small = Request::Put(put("k", 43)); // costs 300
        assert!(quota.admits(0, &small));
        assert!(quota.admits(9_699, &small));
        assert!(!quota.admits(9_700, &small), "reaching the quota is over it, as in etcd");
        assert!(!quota.admits(u64::MAX, &small));
        let delete = Request::DeleteRange(DeleteRangeRequest::default());
        assert!(quota.admits(u64::MAX, &delete), "free requests always pass");
        assert!(Quota::DISABLED.admits(u64::MAX, &small));
        assert!(!Quota::new(0).admits(0, &small));
    }

    #[test]
    fn the_flag_maps_as_etcds() {
        let cases = [
            (0, Some(Quota::DEFAULT_BYTES)),
            (1, Some(1)),
            (8 << 30, Some(8 << 30)),
            (i64::MAX, Some(i64::MAX.unsigned_abs())),
            (-1, None),
            (i64::MIN, None),
        ];
        for (flag, limit) in cases {
            assert_eq!(Quota::from_backend_bytes(flag).limit(), limit, "{flag}");
        }
        assert_eq!(Quota::default().limit(), Some(2_147_483_648));
    }

    fn alarm(action: AlarmAction, member_id: u64, alarm: AlarmType) -> AlarmRequest {
        AlarmRequest { action: action as i32, member_id, alarm: alarm as i32 }
    }

    /// Applies an alarm request at the next index; returns the alarms it
    /// answered with.
    fn apply_alarm(fixture: &Fixture, request: &AlarmRequest) -> Vec<AlarmMember> {
        let index = fixture.store.applied_index() + 1;
        let applied = fixture.applier().apply(index, Request::Alarm(*request)).unwrap().unwrap();
        assert!(applied.events.is_empty() && applied.lease.is_none());
        let Response::Alarm(response) = applied.response else { panic!("an alarm response") };
        assert_eq!(response.header, Some(fixture.header.at(applied.revision)));
        response.alarms
    }

    fn member(member_id: u64, alarm: AlarmType) -> AlarmMember {
        AlarmMember { member_id, alarm: alarm as i32 }
    }

    #[test]
    fn alarm_requests_raise_list_and_clear_alarms() {
        use AlarmAction::{Activate, Deactivate, Get};
        use AlarmType::{Corrupt, Nospace};
        let f = Fixture::new();
        let cases = [
            (alarm(Get, 0, AlarmType::None), vec![]),
            (alarm(Activate, 7, Nospace), vec![member(7, Nospace)]),
            (alarm(Activate, 7, Nospace), vec![member(7, Nospace)]),
            (alarm(Activate, 3, Corrupt), vec![member(3, Corrupt)]),
            (alarm(Get, 0, AlarmType::None), vec![member(3, Corrupt), member(7, Nospace)]),
            (alarm(Get, 3, Nospace), vec![member(7, Nospace)]),
            (alarm(Deactivate, 3, Nospace), vec![]),
            (alarm(Deactivate, 3, Corrupt), vec![member(3, Corrupt)]),
            (AlarmRequest { action: 9, member_id: 7, alarm: 1 }, vec![]),
            (alarm(Get, 0, AlarmType::None), vec![member(7, Nospace)]),
        ];
        for (index, (request, expected)) in (1..).zip(cases) {
            assert_eq!(apply_alarm(&f, &request), expected, "{request:?}");
            assert_eq!(f.store.applied_index(), index);
        }
        assert_eq!(f.store.alarms(), [mvcc::Alarm { member_id: 7, alarm: 1 }]);
        assert!(
            f.applier().apply(3, Request::Alarm(alarm(Get, 0, AlarmType::None))).unwrap().is_none()
        );
    }

    #[test]
    fn nospace_refuses_what_could_grow_the_database_when_applied() {
        let f = Fixture::new();
        f.put("a", "1");
        let granted = f.apply(Request::LeaseGrant(LeaseGrantRequest { ttl: 60, id: 5 })).unwrap();
        assert!(granted.lease.is_some());
        apply_alarm(&f, &alarm(AlarmAction::Activate, 1, AlarmType::Nospace));
        let revision = f.store.current_revision();

        let refused = [
            Request::Put(put("tiny", 0)),
            Request::Txn(txn(vec![delete_op("a")], vec![put_op("b", 1)])),
            Request::LeaseGrant(LeaseGrantRequest { ttl: 60, id: 0 }),
        ];
        for request in refused {
            let index = f.store.applied_index();
            let error = f.apply(request.clone()).expect_err("refused");
            assert!(matches!(error, Error::NoSpace), "{request:?}: {error:?}");
            assert_eq!(f.store.applied_index(), index + 1, "{request:?} still uses its index");
        }
        assert_eq!(f.store.current_revision(), revision, "nothing was written");

        let nested = txn(vec![put_op("n", 1)], vec![]);
        let allowed = [
            Request::Txn(txn(vec![delete_op("zzz")], vec![])),
            Request::Txn(txn(vec![op(request_op::Request::RequestTxn(nested))], vec![])),
            Request::LeaseRevoke(LeaseRevokeRequest { id: 5 }),
            Request::DeleteRange(DeleteRangeRequest { key: b"a".to_vec(), ..Default::default() }),
            Request::Compaction(CompactionRequest { revision: 2, physical: true }),
        ];
        for request in allowed {
            f.apply(request.clone()).unwrap_or_else(|error| panic!("{request:?}: {error}"));
        }
        assert!(f.get("n").is_some(), "a nested put slips through, as in etcd");
        assert!(f.get("a").is_none());

        apply_alarm(&f, &alarm(AlarmAction::Deactivate, 1, AlarmType::Nospace));
        f.put("tiny", "");
        // A CORRUPT alarm is only recorded: it refuses nothing.
        apply_alarm(&f, &alarm(AlarmAction::Activate, 1, AlarmType::Corrupt));
        f.put("tiny", "again");
    }

    #[test]
    fn an_alarm_applied_earlier_in_a_batch_refuses_the_writes_after_it() {
        let f = Fixture::new();
        let applier = f.applier();
        let mut batch = f.store.batch();
        let raise = alarm(AlarmAction::Activate, 2, AlarmType::Nospace);
        applier.apply_in(&mut batch, 1, Request::Alarm(raise)).unwrap().unwrap();
        let refused = applier.apply_in(&mut batch, 2, Request::Put(put("k", 1)));
        assert!(matches!(refused, Err(Error::NoSpace)));
        batch.commit().unwrap();
        assert_eq!(f.store.applied_index(), 2);
        assert!(f.get("k").is_none());
    }
}
