//! The space quota and the NOSPACE alarm over gRPC, against a Keelson
//! member and against a real etcd (`/usr/bin/etcd`; each etcd case prints
//! why it skips when the binary is absent): the same scenario runs on both,
//! so the answers checked are etcd's.
//!
//! The database sizes differ (etcd's bbolt file starts at 20 KiB, redb's at
//! 72 KiB, and both grow in steps), so a scenario fills the database until
//! the quota refuses a write rather than counting writes.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use keelson_store::pb::etcdserverpb::alarm_request::AlarmAction;
use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use keelson_store::pb::etcdserverpb::lease_client::LeaseClient;
use keelson_store::pb::etcdserverpb::maintenance_client::MaintenanceClient;
use keelson_store::pb::etcdserverpb::{
    AlarmMember, AlarmRequest, AlarmType, CompactionRequest, DeleteRangeRequest, LeaseGrantRequest,
    PutRequest, RangeRequest, RequestOp, StatusRequest, StatusResponse, TxnRequest, request_op,
};
use keelson_store::server::{self, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::Code;
use tonic::transport::Channel;

/// etcd's answer to a write the quota refuses.
const NO_SPACE: &str = "etcdserver: mvcc: database space exceeded";

/// A store serving on loopback: a Keelson member in a task, or an etcd
/// child process; dropping it stops the store.
struct Endpoint {
    /// Its client URL.
    url: String,
    channel: Channel,
    _running: Running,
}

enum Running {
    /// Stops the member when sent or dropped; the task ends once it has
    /// shut down.
    Keelson(oneshot::Sender<()>, JoinHandle<server::Result<()>>),
    Etcd(support::Etcd),
}

impl Endpoint {
    /// Connects to the store serving at `url`.
    async fn connect(url: String, running: Running) -> Self {
        let channel = Channel::from_shared(url.clone()).unwrap().connect().await.expect("connects");
        Self { url, channel, _running: running }
    }

    /// Stops the store and waits until it has shut down.
    async fn stop(self) {
        let Self { channel, _running: running, .. } = self;
        drop(channel);
        match running {
            Running::Keelson(stop, serving) => {
                let _ = stop.send(());
                serving.await.expect("the member does not panic").expect("it serves");
            }
            Running::Etcd(etcd) => drop(etcd),
        }
    }

    fn kv(&self) -> KvClient<Channel> {
        KvClient::new(self.channel.clone())
    }

    fn maintenance(&self) -> MaintenanceClient<Channel> {
        MaintenanceClient::new(self.channel.clone())
    }

    async fn status(&self) -> StatusResponse {
        self.maintenance().status(StatusRequest {}).await.expect("status").into_inner()
    }

    /// The member's ID, from a response header.
    async fn member_id(&self) -> u64 {
        self.status().await.header.expect("a header").member_id
    }

    async fn alarm(
        &self,
        action: AlarmAction,
        member_id: u64,
        alarm: AlarmType,
    ) -> Vec<AlarmMember> {
        let request = AlarmRequest { action: action as i32, member_id, alarm: alarm as i32 };
        self.maintenance().alarm(request).await.expect("alarm").into_inner().alarms
    }

    /// The active alarms (etcdctl's `alarm list`).
    async fn alarms(&self) -> Vec<AlarmMember> {
        self.alarm(AlarmAction::Get, 0, AlarmType::None).await
    }

    async fn put(&self, key: &str, value_len: usize) -> Result<i64, tonic::Status> {
        let request =
            PutRequest { key: key.into(), value: vec![b'v'; value_len], ..Default::default() };
        let response = self.kv().put(request).await?.into_inner();
        Ok(response.header.expect("a header").revision)
    }

    /// Puts 4 KiB values until the quota refuses one; returns that error.
    async fn fill(&self) -> tonic::Status {
        for i in 0..2_000 {
            if let Err(status) = self.put(&format!("fill/{i:04}"), 4096).await {
                return status;
            }
        }
        panic!("2,000 puts of 4 KiB fit in the quota");
    }

    async fn get(&self, key: &str) -> Vec<u8> {
        let request = RangeRequest { key: key.into(), ..Default::default() };
        let response = self.kv().range(request).await.expect("range").into_inner();
        response.kvs.first().map(|kv| kv.value.clone()).unwrap_or_default()
    }
}

fn nospace(member_id: u64) -> AlarmMember {
    AlarmMember { member_id, alarm: AlarmType::Nospace as i32 }
}

fn assert_no_space(status: &tonic::Status, what: &str) {
    assert_eq!((status.code(), status.message()), (Code::ResourceExhausted, NO_SPACE), "{what}");
}

fn txn(ops: Vec<request_op::Request>) -> TxnRequest {
    let success = ops.into_iter().map(|op| RequestOp { request: Some(op) }).collect();
    TxnRequest { compare: Vec::new(), success, failure: Vec::new() }
}

fn put_op(key: &str) -> request_op::Request {
    request_op::Request::RequestPut(PutRequest {
        key: key.into(),
        value: b"v".to_vec(),
        ..Default::default()
    })
}

fn delete_op(key: &str) -> request_op::Request {
    request_op::Request::RequestDeleteRange(DeleteRangeRequest {
        key: key.into(),
        ..Default::default()
    })
}

fn range_op(key: &str) -> request_op::Request {
    request_op::Request::RequestRange(RangeRequest { key: key.into(), ..Default::default() })
}

async fn keelson_with(config: server::Config) -> Endpoint {
    let server = Server::new(config).expect("the member starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    Endpoint::connect(format!("http://{address}"), Running::Keelson(stop, serving)).await
}

async fn keelson(quota_backend_bytes: i64) -> Option<Endpoint> {
    Some(keelson_with(server::Config::default().quota_backend_bytes(quota_backend_bytes)).await)
}

async fn etcd(quota_backend_bytes: i64) -> Option<Endpoint> {
    let flags = [format!("--quota-backend-bytes={quota_backend_bytes}")];
    let etcd = support::Etcd::start("quota", &flags).await?;
    Some(Endpoint::connect(etcd.url.clone(), Running::Etcd(etcd)).await)
}

/// An alarm raised by hand refuses every write that could grow the
/// database, however small, while reads, deletes, transactions without
/// puts and compaction go on; disarming it lets writes through again.
async fn an_armed_alarm_refuses_growth_until_disarmed(store: Endpoint) {
    let member = store.member_id().await;
    store.put("kept", 10).await.expect("under the quota");
    store.put("doomed", 10).await.expect("under the quota");
    assert!(store.alarms().await.is_empty());
    assert!(store.status().await.errors.is_empty());

    let raised = store.alarm(AlarmAction::Activate, member, AlarmType::Nospace).await;
    assert_eq!(raised, [nospace(member)]);
    let again = store.alarm(AlarmAction::Activate, member, AlarmType::Nospace).await;
    assert_eq!(again, [nospace(member)], "activating it again answers with it");
    assert_eq!(store.alarms().await, [nospace(member)]);
    let only_nospace = store.alarm(AlarmAction::Get, 0, AlarmType::Nospace).await;
    assert_eq!(only_nospace, [nospace(member)]);
    assert!(store.alarm(AlarmAction::Get, 0, AlarmType::Corrupt).await.is_empty());
    let text = format!("memberID:{member} alarm:NOSPACE ");
    assert_eq!(store.status().await.errors, [text]);

    assert_no_space(&store.put("tiny", 0).await.unwrap_err(), "a tiny put");
    let mut kv = store.kv();
    let refused = kv.txn(txn(vec![range_op("kept"), put_op("x")])).await.unwrap_err();
    assert_no_space(&refused, "a txn with a put");
    let grant = LeaseGrantRequest { ttl: 60, id: 0 };
    let refused = LeaseClient::new(store.channel.clone()).lease_grant(grant).await.unwrap_err();
    assert_no_space(&refused, "a lease grant");

    assert_eq!(store.get("kept").await, vec![b'v'; 10]);
    let read = kv.txn(txn(vec![range_op("kept")])).await.expect("a read-only txn").into_inner();
    assert!(read.succeeded);
    let deleted = kv.txn(txn(vec![delete_op("doomed")])).await.expect("a txn that deletes");
    let revision = deleted.into_inner().header.unwrap().revision;
    let delete = DeleteRangeRequest { key: b"kept".to_vec(), ..Default::default() };
    assert_eq!(kv.delete_range(delete).await.expect("a delete").into_inner().deleted, 1);
    kv.compact(CompactionRequest { revision, physical: true }).await.expect("compaction");

    let cleared = store.alarm(AlarmAction::Deactivate, member, AlarmType::Nospace).await;
    assert_eq!(cleared, [nospace(member)]);
    assert!(store.alarm(AlarmAction::Deactivate, member, AlarmType::Nospace).await.is_empty());
    assert!(store.alarms().await.is_empty());
    assert!(store.status().await.errors.is_empty());
    store.put("tiny", 0).await.expect("writes work again");
}

/// Filling the database to its quota refuses the write that would reach it
/// and raises the member's NOSPACE alarm; disarming it while the database
/// is still over its quota only lets the next write raise it again.
async fn writes_over_the_quota_raise_the_alarm(store: Endpoint) {
    let member = store.member_id().await;
    assert_no_space(&store.fill().await, "the write that reaches the quota");
    assert_eq!(store.alarms().await, [nospace(member)]);
    assert_eq!(store.status().await.errors, [format!("memberID:{member} alarm:NOSPACE ")]);
    assert_no_space(&store.put("tiny", 0).await.unwrap_err(), "a tiny put");
    assert_eq!(store.get("fill/0000").await.len(), 4096, "reads go on");

    let cleared = store.alarm(AlarmAction::Deactivate, member, AlarmType::Nospace).await;
    assert_eq!(cleared, [nospace(member)]);
    assert!(store.alarms().await.is_empty());
    assert_no_space(&store.put("big", 4096).await.unwrap_err(), "still over the quota");
    assert_eq!(store.alarms().await, [nospace(member)], "raised again");
}

/// Runs `$scenario` against a Keelson member and a real etcd, both with a
/// quota of `$quota` bytes.
macro_rules! on_both {
    ($scenario:ident, $quota:expr) => {
        mod $scenario {
            #[tokio::test]
            async fn keelson() {
                let store = super::keelson($quota).await.expect("keelson starts");
                super::$scenario(store).await;
            }

            #[tokio::test]
            async fn etcd() {
                if let Some(store) = super::etcd($quota).await {
                    super::$scenario(store).await;
                }
            }
        }
    };
}

on_both!(an_armed_alarm_refuses_growth_until_disarmed, 0);
on_both!(writes_over_the_quota_raise_the_alarm, 300_000);

#[tokio::test]
async fn keelson_reports_its_quota_and_size_in_status() {
    let store = keelson(300_000).await.unwrap();
    let status = store.status().await;
    assert_eq!(status.db_size_quota, 300_000);
    assert!(status.db_size > 0 && status.db_size < 300_000, "{}", status.db_size);
    let store = keelson(0).await.unwrap();
    assert_eq!(store.status().await.db_size_quota, 2 << 30);
}

#[tokio::test]
async fn the_alarm_survives_a_restart_until_disarmed() {
    let dir = tempfile::tempdir().unwrap();
    let config = server::Config::default().data_dir(dir.path().join("member"));
    let member = config.member_id;

    let store = keelson_with(config.clone().quota_backend_bytes(300_000)).await;
    assert_no_space(&store.fill().await, "the write that reaches the quota");
    store.stop().await;

    // Even with no quota at all, the alarm still refuses writes after the
    // restart, until it is disarmed.
    let store = keelson_with(config.quota_backend_bytes(-1)).await;
    assert_eq!(store.alarms().await, [nospace(member)]);
    assert_no_space(&store.put("tiny", 0).await.unwrap_err(), "a put after the restart");
    store.alarm(AlarmAction::Deactivate, member, AlarmType::Nospace).await;
    store.put("tiny", 0).await.expect("writes work once disarmed");
    store.stop().await;
}

/// Where Debian's `etcd-client` puts etcdctl.
const ETCDCTL: &str = "/usr/bin/etcdctl";

/// What `etcdctl ARGS` prints against `store`, with the member's ID
/// replaced by `<member>`.
async fn etcdctl(store: &Endpoint, args: &[&str]) -> String {
    let member = store.member_id().await.to_string();
    let mut command = Command::new(ETCDCTL);
    command.env("ETCDCTL_API", "3");
    command.args(["--endpoints", &store.url, "--command-timeout=10s"]).args(args);
    command.stdin(Stdio::null());
    // On a thread of its own: a Keelson member serves on this test's runtime.
    let output = tokio::task::spawn_blocking(move || command.output());
    let output = output.await.unwrap().expect("etcdctl runs");
    let stdout = String::from_utf8_lossy(&output.stdout).replace(&member, "<member>");
    assert!(output.status.success(), "etcdctl {args:?}: {output:?}");
    stdout
}

/// `etcdctl alarm list` and `alarm disarm` print the same for Keelson as
/// for etcd.
#[tokio::test]
async fn etcdctl_lists_and_disarms_alarms_as_for_etcd() {
    if !Path::new(ETCDCTL).exists() {
        println!("skipping: {ETCDCTL} not found (install etcd-client)");
        return;
    }
    let Some(etcd) = etcd(0).await else { return };
    let keelson = keelson(0).await.unwrap();
    let mut printed = Vec::new();
    for store in [&etcd, &keelson] {
        let member = store.member_id().await;
        store.alarm(AlarmAction::Activate, member, AlarmType::Nospace).await;
        let list = etcdctl(store, &["alarm", "list"]).await;
        let disarm = etcdctl(store, &["alarm", "disarm"]).await;
        let after = etcdctl(store, &["alarm", "list"]).await;
        printed.push((list, disarm, after));
    }
    let expected = "memberID:<member> alarm:NOSPACE \n".to_owned();
    assert_eq!(printed[0], (expected.clone(), expected, String::new()), "etcd");
    assert_eq!(printed[1], printed[0], "keelson prints what etcd prints");
}
