//! The space quota and the NOSPACE alarm inside one member: where the quota
//! is checked, what the alarm refuses, and that the in-process
//! [`EmbeddedStore`](crate::server::EmbeddedStore) answers as gRPC does.
//! (`tests/quota.rs` runs the same scenarios against a real etcd.)

use crate::apply;
use crate::pb::etcdserverpb::alarm_request::AlarmAction;
use crate::pb::etcdserverpb::maintenance_client::MaintenanceClient;
use crate::pb::etcdserverpb::{
    AlarmMember, AlarmRequest, AlarmType, DeleteRangeRequest, LeaseGrantRequest,
    LeaseRevokeRequest, PutRequest, RangeRequest, StatusRequest,
};
use crate::server::{Config, Server};
use crate::store::{self, Store};

use super::start;

fn put(key: &str, value_len: usize) -> PutRequest {
    PutRequest { key: key.into(), value: vec![b'v'; value_len], ..Default::default() }
}

fn nospace(member_id: u64) -> crate::mvcc::Alarm {
    crate::mvcc::Alarm { member_id, alarm: AlarmType::Nospace as i32 }
}

/// Puts 4 KiB values until the quota refuses one; returns how many fit.
async fn fill(store: &dyn Store) -> usize {
    for i in 0..2_000 {
        match store.put(put(&format!("fill/{i:04}"), 4096)).await {
            Ok(_) => {}
            Err(store::Error::NoSpace) => return i,
            Err(error) => panic!("put {i} failed: {error}"),
        }
    }
    panic!("2,000 puts of 4 KiB fit in the quota");
}

#[tokio::test]
async fn the_write_that_reaches_the_quota_is_refused_and_raises_the_alarm() {
    let config = Config::default().quota_backend_bytes(300_000);
    let member = config.member_id;
    let server = Server::new(config).unwrap();
    let store = server.embedded();
    let empty = server.store().db_size();
    assert!(empty < 300_000, "an empty database is {empty} bytes");

    let fitted = fill(&store).await;
    assert!(fitted > 0, "some writes fit");
    let size = server.store().db_size();
    assert!(size + 256 + 9 + 4096 >= 300_000, "refused at {size} bytes");
    assert_eq!(server.store().alarms(), [nospace(member)]);
    let applied = server.store().applied_index();

    // Refused before anything is proposed, before the request's own
    // checks (as etcd does), and without proposing the alarm again.
    assert!(matches!(store.put(PutRequest::default()).await, Err(store::Error::NoSpace)));
    let grant = LeaseGrantRequest { ttl: 60, id: 0 };
    assert!(matches!(store.lease_grant(grant).await, Err(store::Error::NoSpace)));
    assert_eq!(server.store().applied_index(), applied);

    // Reads and deletes go on.
    let first = RangeRequest { key: b"fill/0000".to_vec(), ..Default::default() };
    assert_eq!(store.range(first).await.unwrap().kvs[0].value.len(), 4096);
    let every = DeleteRangeRequest {
        key: b"fill/".to_vec(),
        range_end: b"fill0".to_vec(),
        ..Default::default()
    };
    let deleted = store.delete_range(every).await.unwrap().deleted;
    assert_eq!(deleted, i64::try_from(fitted).unwrap());
    server.shutdown().await;
}

#[tokio::test]
async fn an_active_alarm_refuses_growth_at_apply_time_whatever_the_quota() {
    // No quota at all: only the alarm refuses.
    let config = Config::default().quota_backend_bytes(-1);
    let member = config.member_id;
    let server = Server::new(config).unwrap();
    let store = server.embedded();
    let granted = store.lease_grant(LeaseGrantRequest { ttl: 60, id: 0 }).await.unwrap();
    store.put(put("kept", 1)).await.unwrap();

    let activate = AlarmRequest {
        action: AlarmAction::Activate as i32,
        member_id: member,
        alarm: AlarmType::Nospace as i32,
    };
    let raised = server.member.alarm(activate).await.unwrap();
    let header = raised.header.unwrap();
    assert_eq!((header.member_id, header.revision), (member, 2));
    assert_eq!(raised.alarms, [AlarmMember { member_id: member, alarm: 1 }]);

    let applied = server.store().applied_index();
    assert!(matches!(store.put(put("tiny", 0)).await, Err(store::Error::NoSpace)));
    assert_eq!(server.store().applied_index(), applied + 1, "refused when applied");
    let grant = LeaseGrantRequest { ttl: 60, id: 0 };
    assert!(matches!(store.lease_grant(grant).await, Err(store::Error::NoSpace)));
    // Revoking a lease frees space, so it goes on.
    store.lease_revoke(LeaseRevokeRequest { id: granted.id }).await.unwrap();
    let kept = RangeRequest { key: b"kept".to_vec(), ..Default::default() };
    assert_eq!(store.range(kept).await.unwrap().count, 1);

    let deactivate = AlarmRequest { action: AlarmAction::Deactivate as i32, ..activate };
    let cleared = server.member.alarm(deactivate).await.unwrap();
    assert_eq!(cleared.alarms, [AlarmMember { member_id: member, alarm: 1 }]);
    assert!(server.store().alarms().is_empty());
    store.put(put("tiny", 0)).await.expect("writes work again");
    server.shutdown().await;
}

#[tokio::test]
async fn status_reports_the_size_the_quota_and_the_alarms() {
    let config = Config::default().member_id(6).quota_backend_bytes(1 << 20);
    let server = start(config).await;
    let mut maintenance = MaintenanceClient::new(server.channel().await);
    let status = maintenance.status(StatusRequest {}).await.unwrap().into_inner();
    assert_eq!(status.db_size, i64::try_from(server.store.db_size()).unwrap());
    assert!(status.db_size > 0, "the in-memory database is measured too");
    assert_eq!(status.db_size_in_use, status.db_size);
    assert_eq!(status.db_size_quota, 1 << 20);
    assert!(status.errors.is_empty());

    for (member_id, alarm) in [(6, AlarmType::Nospace), (9, AlarmType::Corrupt)] {
        let request =
            AlarmRequest { action: AlarmAction::Activate as i32, member_id, alarm: alarm as i32 };
        maintenance.alarm(request).await.unwrap();
    }
    let status = maintenance.status(StatusRequest {}).await.unwrap().into_inner();
    assert_eq!(status.errors, ["memberID:6 alarm:NOSPACE ", "memberID:9 alarm:CORRUPT "]);
    let list = maintenance.alarm(AlarmRequest::default()).await.unwrap().into_inner();
    assert_eq!(list.alarms.len(), 2);
    assert_eq!(list.header.unwrap().member_id, 6);

    let refused =
        maintenance.alarm(AlarmRequest { action: 9, ..Default::default() }).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    server.stop().await;
}

#[test]
fn the_quota_is_etcds_flag() {
    assert_eq!(Config::default().quota(), apply::Quota::default());
    assert_eq!(Config::default().quota_backend_bytes(-1).quota(), apply::Quota::DISABLED);
}
