//! Lease grants and revocations: etcd's `LeaseGrant` and `LeaseRevoke` as
//! they are applied.

use super::{Error, Response, Result};
use crate::lease::{Change, Config};
use crate::mvcc::Write;
use crate::pb::etcdserverpb::{
    LeaseGrantRequest, LeaseGrantResponse, LeaseRevokeRequest, LeaseRevokeResponse,
};

/// Grants a lease in `write`: the requested id, or the store's next one for
/// id 0, with the TTL raised to the minimum.
pub(super) fn grant(
    write: &mut Write<'_>,
    request: &LeaseGrantRequest,
    config: &Config,
) -> Result<(Response, Option<Change>)> {
    let id = if request.id == 0 { write.next_lease_id() } else { request.id };
    let ttl = config.granted_ttl(request.ttl);
    if !write.grant_lease(id, ttl) {
        return Err(Error::LeaseExists);
    }
    let response = LeaseGrantResponse { header: None, id, ttl, error: String::new() };
    Ok((Response::LeaseGrant(response), Some(Change::Granted { id, ttl })))
}

/// Revokes a lease in `write`, deleting its keys.
pub(super) fn revoke(
    write: &mut Write<'_>,
    request: &LeaseRevokeRequest,
) -> Result<(Response, Option<Change>)> {
    if write.revoke_lease(request.id)?.is_none() {
        return Err(Error::LeaseNotFound);
    }
    let response = LeaseRevokeResponse { header: None };
    Ok((Response::LeaseRevoke(response), Some(Change::Revoked { id: request.id })))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, kv, put, put_op};
    use super::super::{Applied, Request};
    use super::*;
    use crate::lease::{self, Lessor};
    use crate::mvcc::{self, EventKind};
    use crate::pb::etcdserverpb::{PutRequest, TxnRequest};
    use crate::pb::mvccpb;

    fn grant(f: &Fixture, id: i64, ttl: i64) -> Result<Applied> {
        f.apply(Request::LeaseGrant(LeaseGrantRequest { id, ttl }))
    }

    fn revoke(f: &Fixture, id: i64) -> Result<Applied> {
        f.apply(Request::LeaseRevoke(LeaseRevokeRequest { id }))
    }

    fn leased_put(key: &str, value: &str, lease: i64) -> Request {
        Request::Put(PutRequest { lease, ..put(key, value) })
    }

    fn leased(kv: mvccpb::KeyValue, lease: i64) -> mvccpb::KeyValue {
        mvccpb::KeyValue { lease, ..kv }
    }

    #[test]
    fn grants_pick_ids_raise_ttls_and_refuse_duplicates() {
        let f = Fixture::new();
        let applied = grant(&f, 0, 60).unwrap();
        let want = LeaseGrantResponse {
            header: Some(f.header.at(1)),
            id: 1,
            ttl: 60,
            error: String::new(),
        };
        assert_eq!(applied.response, Response::LeaseGrant(want));
        assert_eq!((applied.revision, applied.events.len()), (1, 0), "no revision of its own");
        assert_eq!(applied.lease, Some(Change::Granted { id: 1, ttl: 60 }));

        let applied = grant(&f, 10, 1).unwrap();
        assert_eq!(applied.lease, Some(Change::Granted { id: 10, ttl: 5 }), "raised to 5 s");
        let applied = grant(&f, 0, 7).unwrap();
        assert_eq!(applied.lease, Some(Change::Granted { id: 11, ttl: 7 }), "above every id");
        revoke(&f, 11).unwrap();
        let applied = grant(&f, 0, 7).unwrap();
        assert_eq!(applied.lease, Some(Change::Granted { id: 12, ttl: 7 }), "11 is not reused");

        let error = grant(&f, 10, 30).unwrap_err();
        assert_eq!(error.to_string(), "etcdserver: lease already exists");
        assert_eq!(error.grpc_code(), tonic::Code::FailedPrecondition);
        let error = grant(&f, 20, lease::MAX_TTL + 1).unwrap_err();
        assert_eq!(error.to_string(), "etcdserver: too large lease TTL");
        let ids: Vec<i64> = f.store.leases().iter().map(|l| l.id).collect();
        assert_eq!(ids, [1, 10, 12]);
        assert_eq!(f.store.applied_index(), 7, "failed requests use up their index");

        let custom = f.applier().leases(lease::Config::default().min_ttl(30));
        let applied = custom.apply(8, Request::LeaseGrant(LeaseGrantRequest { id: 0, ttl: 10 }));
        assert_eq!(applied.unwrap().unwrap().lease, Some(Change::Granted { id: 13, ttl: 30 }));
    }

    #[test]
    fn puts_need_a_granted_lease() {
        let f = Fixture::new();
        let error = f.apply(leased_put("k", "v", 5)).unwrap_err();
        assert_eq!(error.to_string(), "etcdserver: requested lease not found");
        assert_eq!(error.grpc_code(), tonic::Code::NotFound);
        assert_eq!((f.store.applied_index(), f.store.current_revision()), (1, 1));
        // Inside a transaction too, before anything is written.
        let mut bad = put_op("k", "v");
        if let Some(crate::pb::etcdserverpb::request_op::Request::RequestPut(p)) = &mut bad.request
        {
            p.lease = 5;
        }
        let txn = TxnRequest { success: vec![put_op("j", "v"), bad], ..TxnRequest::default() };
        assert!(matches!(f.txn(txn), Err(Error::LeaseNotFound)));
        assert_eq!((f.get("j"), f.store.current_revision()), (None, 1));

        grant(&f, 5, 10).unwrap();
        f.apply(leased_put("k", "v", 5)).unwrap();
        assert_eq!(f.get("k"), Some(leased(kv("k", "v", 2, 2, 1), 5)));
        assert_eq!(f.store.lease_keys(5), [b"k".to_vec()]);
    }

    #[test]
    fn ignore_lease_keeps_it_and_a_plain_put_detaches() {
        let f = Fixture::new();
        grant(&f, 5, 10).unwrap();
        f.apply(leased_put("k", "1", 5)).unwrap(); // 2
        f.apply(Request::Put(PutRequest { ignore_lease: true, ..put("k", "2") })).unwrap();
        assert_eq!(f.get("k"), Some(leased(kv("k", "2", 2, 3, 2), 5)));
        assert_eq!(f.store.lease_keys(5), [b"k".to_vec()]);
        f.put("k", "3");
        assert_eq!(f.get("k"), Some(kv("k", "3", 2, 4, 3)));
        assert!(f.store.lease_keys(5).is_empty());
        // Revoking it now leaves the detached key alone.
        let applied = revoke(&f, 5).unwrap();
        assert!(applied.events.is_empty());
        assert_eq!(applied.revision, 4);
        assert_eq!(f.get("k"), Some(kv("k", "3", 2, 4, 3)));
    }

    #[test]
    fn revoking_deletes_exactly_the_attached_keys_in_one_revision() {
        let f = Fixture::new();
        grant(&f, 5, 10).unwrap();
        grant(&f, 6, 10).unwrap();
        f.apply(leased_put("b", "1", 5)).unwrap(); // 2
        f.apply(leased_put("a", "1", 5)).unwrap(); // 3
        f.apply(leased_put("c", "1", 6)).unwrap(); // 4
        f.put("d", "1"); // 5
        let applied = revoke(&f, 5).unwrap();
        let want = LeaseRevokeResponse { header: Some(f.header.at(6)) };
        assert_eq!(applied.response, Response::LeaseRevoke(want));
        assert_eq!(applied.revision, 6);
        assert_eq!(applied.lease, Some(Change::Revoked { id: 5 }));
        let deletes: Vec<(EventKind, &[u8], i64)> = applied
            .events
            .iter()
            .map(|e| (e.kind, e.kv.key.as_slice(), e.kv.mod_revision))
            .collect();
        assert_eq!(deletes, [(EventKind::Delete, &b"a"[..], 6), (EventKind::Delete, b"b", 6)]);
        let prev: Vec<i64> =
            applied.events.iter().map(|e| e.prev_kv.as_ref().unwrap().lease).collect();
        assert_eq!(prev, [5, 5]);
        assert_eq!((f.get("a"), f.get("b")), (None, None));
        assert_eq!(f.get("c"), Some(leased(kv("c", "1", 4, 4, 1), 6)));
        assert_eq!(f.get("d"), Some(kv("d", "1", 5, 5, 1)));
        let ids: Vec<i64> = f.store.leases().iter().map(|l| l.id).collect();
        assert_eq!(ids, [6]);
        // The same events replay from history for watchers that fell behind.
        assert_eq!(f.store.events(6, 6, b"\0", b"\0").unwrap(), applied.events);

        let error = revoke(&f, 5).unwrap_err();
        assert_eq!(error.to_string(), "etcdserver: requested lease not found");
        assert_eq!(f.store.current_revision(), 6);
    }

    #[test]
    fn replayed_grants_and_revokes_are_skipped() {
        let f = Fixture::new();
        let applier = f.applier();
        let grant_at =
            |index| applier.apply(index, Request::LeaseGrant(LeaseGrantRequest { id: 0, ttl: 10 }));
        assert_eq!(grant_at(1).unwrap().unwrap().lease, Some(Change::Granted { id: 1, ttl: 10 }));
        assert!(grant_at(1).unwrap().is_none(), "a replay grants no second lease");
        applier.apply(2, leased_put("k", "v", 1)).unwrap().unwrap();
        let revoke_at =
            |index| applier.apply(index, Request::LeaseRevoke(LeaseRevokeRequest { id: 1 }));
        assert_eq!(revoke_at(3).unwrap().unwrap().events.len(), 1);
        assert!(revoke_at(3).unwrap().is_none());
        assert!(grant_at(2).unwrap().is_none());
        assert!(f.store.leases().is_empty());
        assert_eq!((f.store.applied_index(), f.store.current_revision()), (3, 3));
    }

    #[test]
    fn leases_survive_reopening_and_restart_their_full_ttl() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let t0 = std::time::Instant::now();
        {
            let store = mvcc::Store::open(&path).unwrap();
            let applier = super::super::Applier::new(&store);
            let mut lessor = Lessor::new(lease::Config::default());
            lessor.promote(t0, std::time::Duration::ZERO);
            for (index, request) in [
                (1, Request::LeaseGrant(LeaseGrantRequest { id: 0, ttl: 30 })),
                (2, Request::LeaseGrant(LeaseGrantRequest { id: 0, ttl: 60 })),
                (3, leased_put("a", "1", 1)),
                (4, leased_put("b", "1", 2)),
                (5, leased_put("c", "1", 2)),
            ] {
                let applied = applier.apply(index, request).unwrap().unwrap();
                if let Some(change) = applied.lease {
                    lessor.observe(change, t0);
                }
            }
            let t1 = t0 + std::time::Duration::from_secs(20);
            assert_eq!(lessor.time_to_live(1, t1).unwrap().remaining_ttl, 10);
        }
        let store = mvcc::Store::open(&path).unwrap();
        let t2 = t0 + std::time::Duration::from_secs(100);
        let lessor = Lessor::restore(lease::Config::default(), store.leases(), t2);
        assert_eq!(lessor.leases(), [1, 2]);
        let ttl = lessor.time_to_live(1, t2).unwrap().with_keys(&store);
        assert_eq!((ttl.granted_ttl, ttl.remaining_ttl), (30, 30), "the full TTL again");
        assert_eq!(ttl.keys, [b"a".to_vec()]);
        assert_eq!(store.lease_keys(2), [b"b".to_vec(), b"c".to_vec()]);

        // Revocation after reopening deletes the attached keys.
        let applier = super::super::Applier::new(&store);
        let applied =
            applier.apply(6, Request::LeaseRevoke(LeaseRevokeRequest { id: 2 })).unwrap().unwrap();
        let keys: Vec<&[u8]> = applied.events.iter().map(|e| e.kv.key.as_slice()).collect();
        assert_eq!(keys, [&b"b"[..], b"c"]);
        let next = applier.apply(7, Request::LeaseGrant(LeaseGrantRequest { id: 0, ttl: 5 }));
        assert_eq!(next.unwrap().unwrap().lease, Some(Change::Granted { id: 3, ttl: 5 }));
    }
}
