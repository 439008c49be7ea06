//! The Lease service and lease expiry on loopback, with a clock the tests
//! move forward instead of sleeping.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use tonic::{Code, Streaming};

use super::super::lease::{Clock, ELECTION_TIMEOUT};
use super::{Running, put, range, within};
use crate::lease;
use crate::mvcc;
use crate::pb::etcdserverpb::lease_client::LeaseClient;
use crate::pb::etcdserverpb::{
    LeaseGrantRequest, LeaseKeepAliveRequest, LeaseKeepAliveResponse, LeaseLeasesRequest,
    LeaseRevokeRequest, LeaseTimeToLiveRequest, LeaseTimeToLiveResponse, PutRequest,
    WatchCreateRequest,
};
use crate::pb::mvccpb::event::EventType;
use crate::server::{Config, Server};

/// A clock that moves only when the test says so.
#[derive(Clone)]
struct TestClock(Arc<Mutex<Instant>>);

impl TestClock {
    fn new() -> Self {
        Self(Arc::new(Mutex::new(Instant::now())))
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }

    fn clock(&self) -> Clock {
        let now = Arc::clone(&self.0);
        Clock::new(move || *now.lock().unwrap())
    }
}

/// A server on loopback whose lease time is `clock`'s.
async fn start_at(config: Config, clock: &TestClock) -> Running {
    let store = match config.db_path() {
        Some(path) => {
            std::fs::create_dir_all(config.data_dir.as_ref().unwrap()).unwrap();
            mvcc::Store::open(&path).unwrap()
        }
        None => mvcc::Store::in_memory().unwrap(),
    };
    let server = Server::with_clock(config, Arc::new(store), clock.clock()).unwrap();
    let store = Arc::clone(server.store());
    let hub = Arc::downgrade(server.watch_hub());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Running { address, store, hub, stop, serving }
}

impl Running {
    async fn lease(&self) -> LeaseClient<Channel> {
        LeaseClient::new(self.channel().await)
    }
}

async fn grant(leases: &mut LeaseClient<Channel>, id: i64, ttl: i64) -> (i64, i64) {
    let granted = leases.lease_grant(LeaseGrantRequest { id, ttl }).await.unwrap().into_inner();
    (granted.id, granted.ttl)
}

async fn time_to_live(
    leases: &mut LeaseClient<Channel>,
    id: i64,
    keys: bool,
) -> LeaseTimeToLiveResponse {
    let request = LeaseTimeToLiveRequest { id, keys };
    leases.lease_time_to_live(request).await.unwrap().into_inner()
}

async fn list(leases: &mut LeaseClient<Channel>) -> Vec<i64> {
    let listed = leases.lease_leases(LeaseLeasesRequest {}).await.unwrap().into_inner();
    listed.leases.iter().map(|lease| lease.id).collect()
}

fn leased_put(key: &str, lease: i64) -> PutRequest {
    PutRequest { lease, ..put(key, "v") }
}

/// A client's keep-alive stream.
struct KeepAlive {
    requests: mpsc::Sender<LeaseKeepAliveRequest>,
    responses: Streaming<LeaseKeepAliveResponse>,
}

impl KeepAlive {
    async fn open(leases: &mut LeaseClient<Channel>) -> Self {
        let (requests, rx) = mpsc::channel(16);
        let responses = within(leases.lease_keep_alive(ReceiverStream::new(rx))).await;
        Self { requests, responses: responses.unwrap().into_inner() }
    }

    /// Renews `id`; returns the (id, ttl) answered.
    async fn renew(&mut self, id: i64) -> (i64, i64) {
        self.requests.send(LeaseKeepAliveRequest { id }).await.unwrap();
        let response = within(self.responses.message()).await.unwrap().expect("the stream is open");
        assert!(response.header.is_some());
        (response.id, response.ttl)
    }
}

/// Waits, no longer than the deadline, until the store has no key `key`.
async fn until_deleted(server: &Running, key: &str) {
    within(async {
        while !server.store.range(&mvcc::RangeOptions::key(key)).unwrap().kvs.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn grant_attach_time_to_live_and_revoke_deletes_the_keys() {
    let clock = TestClock::new();
    let server = start_at(Config::default().cluster_id(11).member_id(22), &clock).await;
    let mut leases = server.lease().await;
    let mut kv = server.kv().await;
    let granted = leases.lease_grant(LeaseGrantRequest { id: 0, ttl: 60 }).await.unwrap();
    let granted = granted.into_inner();
    assert_eq!((granted.id, granted.ttl), (1, 60));
    let header = granted.header.unwrap();
    assert_eq!((header.cluster_id, header.member_id, header.revision), (11, 22, 1));

    kv.put(leased_put("b", 1)).await.unwrap();
    kv.put(leased_put("a", 1)).await.unwrap();
    kv.put(put("c", "v")).await.unwrap();
    clock.advance(Duration::from_millis(2500));
    let ttl = time_to_live(&mut leases, 1, true).await;
    assert_eq!((ttl.id, ttl.granted_ttl, ttl.ttl), (1, 60, 57), "rounded down");
    assert_eq!(ttl.keys, [b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(ttl.header.unwrap().revision, 4);
    assert!(time_to_live(&mut leases, 1, false).await.keys.is_empty());

    let mut watch = server.watch().await;
    watch
        .create(WatchCreateRequest { key: vec![0], range_end: vec![0], ..Default::default() })
        .await;
    let revoked = leases.lease_revoke(LeaseRevokeRequest { id: 1 }).await.unwrap().into_inner();
    assert_eq!(revoked.header.unwrap().revision, 5, "both keys go in one revision");
    let deletes = watch.next().await;
    assert_eq!(
        super::events(&deletes),
        [(EventType::Delete, "a".into(), 5), (EventType::Delete, "b".into(), 5)]
    );
    let got = kv.range(range("a")).await.unwrap().into_inner();
    assert!(got.kvs.is_empty());
    assert_eq!(kv.range(range("c")).await.unwrap().into_inner().kvs.len(), 1);
    assert!(list(&mut leases).await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn unknown_leases_answer_as_etcd_does() {
    let clock = TestClock::new();
    let server = start_at(Config::default(), &clock).await;
    let mut leases = server.lease().await;
    let mut kv = server.kv().await;
    let ttl = time_to_live(&mut leases, 42, true).await;
    assert_eq!((ttl.id, ttl.ttl, ttl.granted_ttl), (42, -1, 0), "not an error");
    assert!(ttl.header.is_some());

    let missing = leases.lease_revoke(LeaseRevokeRequest { id: 42 }).await.unwrap_err();
    assert_eq!(
        (missing.code(), missing.message()),
        (Code::NotFound, "etcdserver: requested lease not found")
    );
    let missing = kv.put(leased_put("k", 42)).await.unwrap_err();
    assert_eq!(
        (missing.code(), missing.message()),
        (Code::NotFound, "etcdserver: requested lease not found")
    );
    assert_eq!(grant(&mut leases, 7, 30).await, (7, 30));
    let exists = leases.lease_grant(LeaseGrantRequest { id: 7, ttl: 30 }).await.unwrap_err();
    assert_eq!(
        (exists.code(), exists.message()),
        (Code::FailedPrecondition, "etcdserver: lease already exists")
    );
    let too_long = LeaseGrantRequest { id: 0, ttl: lease::MAX_TTL + 1 };
    let too_long = leases.lease_grant(too_long).await.unwrap_err();
    assert_eq!(too_long.message(), "etcdserver: too large lease TTL");

    let mut keep_alive = KeepAlive::open(&mut leases).await;
    assert_eq!(keep_alive.renew(42).await, (42, 0), "etcd answers TTL 0");
    assert_eq!(keep_alive.renew(7).await, (7, 30), "the stream goes on");
    server.stop().await;
}

#[tokio::test]
async fn short_ttls_are_raised_and_leases_are_listed() {
    let clock = TestClock::new();
    let server =
        start_at(Config::default().lease(lease::Config::default().min_ttl(3)), &clock).await;
    let mut leases = server.lease().await;
    assert_eq!(grant(&mut leases, 0, 1).await, (1, 3), "raised to the configured minimum");
    assert_eq!(grant(&mut leases, 10, 20).await, (10, 20));
    assert_eq!(grant(&mut leases, 0, 20).await, (11, 20));
    assert_eq!(list(&mut leases).await, [1, 10, 11]);
    leases.lease_revoke(LeaseRevokeRequest { id: 10 }).await.unwrap();
    assert_eq!(list(&mut leases).await, [1, 11]);
    server.stop().await;
}

#[tokio::test]
async fn keep_alives_renew_the_full_ttl() {
    let clock = TestClock::new();
    let server = start_at(Config::default(), &clock).await;
    let mut leases = server.lease().await;
    let mut kv = server.kv().await;
    assert_eq!(grant(&mut leases, 0, 10).await, (1, 10));
    kv.put(leased_put("k", 1)).await.unwrap();
    let mut keep_alive = KeepAlive::open(&mut leases).await;
    for _ in 0..3 {
        clock.advance(Duration::from_secs(8));
        assert_eq!(time_to_live(&mut leases, 1, false).await.ttl, 2);
        assert_eq!(keep_alive.renew(1).await, (1, 10));
        assert_eq!(time_to_live(&mut leases, 1, false).await.ttl, 10, "back to full");
    }
    // 24 s after the grant, the lease and its key are still there.
    assert_eq!(kv.range(range("k")).await.unwrap().into_inner().kvs.len(), 1);
    assert_eq!(list(&mut leases).await, [1]);
    server.stop().await;
}

#[tokio::test]
async fn an_expired_lease_is_revoked_and_its_keys_deleted() {
    let clock = TestClock::new();
    let server = start_at(Config::default(), &clock).await;
    let mut leases = server.lease().await;
    let mut kv = server.kv().await;
    assert_eq!(grant(&mut leases, 0, 5).await, (1, 5));
    assert_eq!(grant(&mut leases, 0, 60).await, (2, 60));
    kv.put(leased_put("short/a", 1)).await.unwrap();
    kv.put(leased_put("short/b", 1)).await.unwrap();
    kv.put(leased_put("long", 2)).await.unwrap();
    let mut watch = server.watch().await;
    let (key, range_end) = super::prefix("short/");
    watch.create(WatchCreateRequest { key, range_end, ..Default::default() }).await;

    clock.advance(Duration::from_secs(5));
    let ttl = time_to_live(&mut leases, 1, false).await;
    assert!(ttl.ttl == 0 || ttl.ttl == -1, "run out: {ttl:?}");
    let mut keep_alive = KeepAlive::open(&mut leases).await;
    assert_eq!(keep_alive.renew(1).await, (1, 0), "too late to keep it alive");
    until_deleted(&server, "short/b").await;
    let deletes = watch.next().await;
    assert_eq!(
        super::events(&deletes),
        [(EventType::Delete, "short/a".into(), 5), (EventType::Delete, "short/b".into(), 5)]
    );
    assert_eq!(time_to_live(&mut leases, 1, false).await.ttl, -1);
    assert_eq!(list(&mut leases).await, [2]);
    assert_eq!(kv.range(range("long")).await.unwrap().into_inner().kvs.len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn leases_survive_a_restart_with_their_full_ttl() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default().data_dir(dir.path().join("member"));
    let clock = TestClock::new();
    let server = start_at(config.clone(), &clock).await;
    let mut leases = server.lease().await;
    assert_eq!(grant(&mut leases, 0, 30).await, (1, 30));
    server.kv().await.put(leased_put("k", 1)).await.unwrap();
    clock.advance(Duration::from_secs(20));
    drop(leases);
    server.stop().await;

    let server = start_at(config, &clock).await;
    let mut leases = server.lease().await;
    let ttl = time_to_live(&mut leases, 1, true).await;
    let extended = 30 + i64::try_from(ELECTION_TIMEOUT.as_secs()).unwrap();
    assert_eq!((ttl.granted_ttl, ttl.ttl), (30, extended), "full TTL plus the election timeout");
    assert_eq!(ttl.keys, [b"k".to_vec()]);
    assert_eq!(grant(&mut leases, 0, 30).await.0, 2, "ids go on counting");
    server.stop().await;
}

#[tokio::test]
async fn shutdown_ends_open_keep_alive_streams() {
    let clock = TestClock::new();
    let server = start_at(Config::default(), &clock).await;
    let mut leases = server.lease().await;
    grant(&mut leases, 0, 10).await;
    let mut keep_alive = KeepAlive::open(&mut leases).await;
    assert_eq!(keep_alive.renew(1).await, (1, 10));
    server.stop().await;
    let end = within(keep_alive.responses.message()).await;
    assert!(matches!(end, Ok(None) | Err(_)), "the stream ended: {end:?}");
}
