//! Lease cases: grant, time-to-live, list, attach, keep-alive, revoke, and
//! `ignore_lease`.

use super::kv::{cas, compare};
use super::{collect_events, get, keys, prefix_end, put, range, revision_of, within};
use crate::pb::etcdserverpb::compare::{CompareResult, TargetUnion};
use crate::pb::etcdserverpb::{
    LeaseGrantRequest, LeaseKeepAliveRequest, LeaseLeasesRequest, LeaseRevokeRequest,
    LeaseTimeToLiveRequest, PutRequest, RangeRequest, WatchCreateRequest,
};
use crate::pb::mvccpb::event::EventType;
use crate::store::{Error, Store};

/// The TTL the cases grant: long enough never to run out during a case.
const TTL: i64 = 60;

/// Grants a lease of 60 seconds (long enough for any case) with an ID the
/// store picks.
///
/// # Panics
///
/// When the grant fails.
pub async fn grant(store: &dyn Store) -> i64 {
    let request = LeaseGrantRequest { ttl: TTL, id: 0 };
    let granted = within("grant", store.lease_grant(request)).await.unwrap();
    assert_ne!(granted.id, 0, "the store picks an ID");
    assert_eq!(granted.ttl, TTL);
    granted.id
}

async fn put_with_lease(store: &dyn Store, key: &str, lease: i64) -> Result<i64, Error> {
    let request = PutRequest { key: key.into(), value: "v".into(), lease, ..PutRequest::default() };
    let response = within("put", store.put(request)).await?;
    Ok(revision_of(response.header.as_ref()))
}

async fn leases(store: &dyn Store) -> Vec<i64> {
    let listed = within("leases", store.leases(LeaseLeasesRequest {})).await.unwrap();
    listed.leases.iter().map(|lease| lease.id).collect()
}

/// A granted lease has its TTL, counts down from it and is listed; an ID
/// can be asked for, once.
pub async fn lease_grant_and_time_to_live(store: &dyn Store) {
    let id = grant(store).await;
    let request = LeaseTimeToLiveRequest { id, keys: true };
    let live = within("time to live", store.lease_time_to_live(request)).await.unwrap();
    assert_eq!((live.id, live.granted_ttl), (id, TTL));
    assert!(0 < live.ttl && live.ttl <= TTL, "remaining TTL {}", live.ttl);
    assert!(live.keys.is_empty());
    assert!(leases(store).await.contains(&id));

    let chosen = 0x4b45_454c;
    let request = || LeaseGrantRequest { ttl: TTL, id: chosen };
    let granted = within("grant", store.lease_grant(request())).await.unwrap();
    assert_eq!(granted.id, chosen);
    let again = within("grant", store.lease_grant(request())).await.unwrap_err();
    assert_eq!(again, Error::LeaseExists);
    let mut listed = leases(store).await;
    listed.sort_unstable();
    let mut expected = vec![id, chosen];
    expected.sort_unstable();
    assert_eq!(listed, expected);
}

/// Keys carry their lease; revoking it deletes them all in one revision.
pub async fn lease_attach_and_revoke_deletes_keys(store: &dyn Store) {
    let id = grant(store).await;
    put_with_lease(store, "l/a", id).await.unwrap();
    put_with_lease(store, "l/b", id).await.unwrap();
    put(store, "l/c", "kept").await;
    let got = range(store, RangeRequest { key: "l/a".into(), ..RangeRequest::default() }).await;
    assert_eq!(got.kvs[0].lease, id);
    let live = within("ttl", store.lease_time_to_live(LeaseTimeToLiveRequest { id, keys: true }))
        .await
        .unwrap();
    let mut attached = live.keys.clone();
    attached.sort();
    assert_eq!(attached, [b"l/a".to_vec(), b"l/b".to_vec()]);

    let watch = WatchCreateRequest {
        key: "l/".into(),
        range_end: prefix_end("l/"),
        ..WatchCreateRequest::default()
    };
    let mut watch = within("watch", store.watch(watch)).await.unwrap();
    within("revoke", store.lease_revoke(LeaseRevokeRequest { id })).await.unwrap();
    let events = collect_events(&mut watch, 2).await;
    let deleted: Vec<_> = events
        .iter()
        .map(|event| {
            assert_eq!(event.r#type, i32::from(EventType::Delete));
            let kv = event.kv.clone().unwrap_or_default();
            (kv.key, kv.mod_revision)
        })
        .collect();
    assert_eq!(deleted[0].1, deleted[1].1, "one revision deletes every key of the lease");
    let request =
        RangeRequest { key: "l/".into(), range_end: prefix_end("l/"), ..RangeRequest::default() };
    assert_eq!(keys(&range(store, request).await), ["l/c"]);

    let gone = within("ttl", store.lease_time_to_live(LeaseTimeToLiveRequest { id, keys: true }))
        .await
        .unwrap();
    assert_eq!(gone.ttl, -1, "a revoked lease has TTL -1");
    assert!(!leases(store).await.contains(&id));
    let again = within("revoke", store.lease_revoke(LeaseRevokeRequest { id })).await.unwrap_err();
    assert_eq!(again, Error::LeaseNotFound);
}

/// A lease that is not kept alive runs out: its keys are deleted and it
/// is gone. (etcd raises short TTLs to its minimum, about 2 s; the
/// case waits for the deletion up to the step deadline.)
pub async fn lease_expiry_deletes_keys(store: &dyn Store) {
    let request = LeaseGrantRequest { ttl: 1, id: 0 };
    let granted = within("grant", store.lease_grant(request)).await.unwrap();
    assert!(granted.ttl >= 1, "granted TTL {}", granted.ttl);
    let id = granted.id;
    let watch = WatchCreateRequest { key: "k".into(), ..WatchCreateRequest::default() };
    let mut watch = within("watch", store.watch(watch)).await.unwrap();
    put_with_lease(store, "k", id).await.unwrap();
    put(store, "kept", "v").await;
    let events = collect_events(&mut watch, 2).await;
    assert_eq!(events[0].r#type, i32::from(EventType::Put));
    assert_eq!(events[1].r#type, i32::from(EventType::Delete), "the key went with its lease");
    assert_eq!(get(store, "k").await, None);
    assert_eq!(get(store, "kept").await.as_deref(), Some(&b"v"[..]));
    let gone = within("ttl", store.lease_time_to_live(LeaseTimeToLiveRequest { id, keys: false }))
        .await
        .unwrap();
    assert_eq!(gone.ttl, -1, "an expired lease is gone");
}

/// A keep-alive renews a lease to its granted TTL.
pub async fn lease_keep_alive_renews(store: &dyn Store) {
    let id = grant(store).await;
    let renewed =
        within("keep alive", store.lease_keep_alive(LeaseKeepAliveRequest { id })).await.unwrap();
    assert_eq!((renewed.id, renewed.ttl), (id, TTL));
    let live = within("ttl", store.lease_time_to_live(LeaseTimeToLiveRequest { id, keys: false }))
        .await
        .unwrap();
    assert!(0 < live.ttl && live.ttl <= TTL, "remaining TTL {}", live.ttl);
}

/// Using a lease that does not exist is etcd's "lease not found", except
/// for time-to-live, which answers TTL -1.
pub async fn lease_unknown_is_lease_not_found(store: &dyn Store) {
    let unknown = 0x0bad_1ea5e;
    assert_eq!(put_with_lease(store, "k", unknown).await.unwrap_err(), Error::LeaseNotFound);
    assert_eq!(get(store, "k").await, None, "the put did not happen");
    let keep_alive = store.lease_keep_alive(LeaseKeepAliveRequest { id: unknown });
    assert_eq!(within("keep alive", keep_alive).await.unwrap_err(), Error::LeaseNotFound);
    let revoke = store.lease_revoke(LeaseRevokeRequest { id: unknown });
    assert_eq!(within("revoke", revoke).await.unwrap_err(), Error::LeaseNotFound);
    let ttl = store.lease_time_to_live(LeaseTimeToLiveRequest { id: unknown, keys: false });
    assert_eq!(within("ttl", ttl).await.unwrap().ttl, -1);
}

/// Compare-and-swap on a key's lease.
pub async fn txn_compare_lease(store: &dyn Store) {
    let id = grant(store).await;
    put_with_lease(store, "k", id).await.unwrap();
    let on = |lease, result| compare("k", TargetUnion::Lease(lease), result);
    // The CAS's own puts carry no lease, so each comparison sets it up again.
    assert!(cas(store, "k", on(id, CompareResult::Equal)).await);
    assert!(
        cas(store, "k", on(0, CompareResult::Equal)).await,
        "the put without a lease detached it"
    );
    put_with_lease(store, "k", id).await.unwrap();
    assert!(!cas(store, "k", on(id, CompareResult::NotEqual)).await);
}

/// A revoked lease is gone for every use: keep-alive and attaching keys
/// are "lease not found", time-to-live answers TTL -1, and it is no longer
/// listed.
pub async fn lease_revoked_is_lease_not_found(store: &dyn Store) {
    let id = grant(store).await;
    let kept = grant(store).await;
    within("revoke", store.lease_revoke(LeaseRevokeRequest { id })).await.unwrap();
    let keep_alive = store.lease_keep_alive(LeaseKeepAliveRequest { id });
    assert_eq!(within("keep alive", keep_alive).await.unwrap_err(), Error::LeaseNotFound);
    assert_eq!(put_with_lease(store, "k", id).await.unwrap_err(), Error::LeaseNotFound);
    assert_eq!(get(store, "k").await, None, "the put did not happen");
    let ttl = store.lease_time_to_live(LeaseTimeToLiveRequest { id, keys: true });
    let ttl = within("ttl", ttl).await.unwrap();
    assert_eq!((ttl.ttl, ttl.keys.len()), (-1, 0));
    assert_eq!(leases(store).await, [kept], "only the other lease is left");
    let renewed = store.lease_keep_alive(LeaseKeepAliveRequest { id: kept });
    assert_eq!(within("keep alive", renewed).await.unwrap().ttl, TTL);
}

/// etcd's largest lease TTL is 9,000,000,000 seconds; above it a grant is
/// "too large lease TTL".
pub async fn lease_grant_ttl_too_large(store: &dyn Store) {
    const MAX_TTL: i64 = 9_000_000_000;
    let request = LeaseGrantRequest { ttl: MAX_TTL + 1, id: 0 };
    let refused = within("grant", store.lease_grant(request)).await.unwrap_err();
    assert_eq!(refused, Error::LeaseTtlTooLarge);
    assert!(leases(store).await.is_empty(), "nothing was granted");
    let request = LeaseGrantRequest { ttl: MAX_TTL, id: 0 };
    let granted = within("grant", store.lease_grant(request)).await.unwrap();
    assert_eq!(granted.ttl, MAX_TTL);
    let request = LeaseTimeToLiveRequest { id: granted.id, keys: false };
    let live = within("ttl", store.lease_time_to_live(request)).await.unwrap();
    assert_eq!(live.granted_ttl, MAX_TTL);
    assert!(0 < live.ttl && live.ttl <= MAX_TTL, "remaining TTL {}", live.ttl);
}

/// `ignore_lease` rewrites a key keeping its lease; it refuses a lease
/// given with it and a key that does not exist. A plain put detaches the
/// key from its lease.
pub async fn put_ignore_lease_keeps_lease(store: &dyn Store) {
    let id = grant(store).await;
    put_with_lease(store, "k", id).await.unwrap();
    let rewrite = |value: &str, lease| PutRequest {
        key: "k".into(),
        value: value.into(),
        lease,
        ignore_lease: true,
        ..PutRequest::default()
    };
    within("put", store.put(rewrite("v2", 0))).await.unwrap();
    let got = range(store, RangeRequest { key: "k".into(), ..RangeRequest::default() }).await;
    assert_eq!((&got.kvs[0].value[..], got.kvs[0].lease), (&b"v2"[..], id));
    let live = within("ttl", store.lease_time_to_live(LeaseTimeToLiveRequest { id, keys: true }))
        .await
        .unwrap();
    assert_eq!(live.keys, [b"k".to_vec()]);

    let with_lease = within("put", store.put(rewrite("v3", id))).await.unwrap_err();
    assert_eq!(with_lease, Error::LeaseProvided);
    let missing = PutRequest { key: "missing".into(), ..rewrite("v", 0) };
    assert_eq!(within("put", store.put(missing)).await.unwrap_err(), Error::KeyNotFound);

    put(store, "k", "v4").await;
    let got = range(store, RangeRequest { key: "k".into(), ..RangeRequest::default() }).await;
    assert_eq!(got.kvs[0].lease, 0, "a plain put detaches the key");
    let live = within("ttl", store.lease_time_to_live(LeaseTimeToLiveRequest { id, keys: true }))
        .await
        .unwrap();
    assert!(live.keys.is_empty(), "the lease lost its key: {:?}", live.keys);
}
