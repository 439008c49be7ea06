//! The server on real loopback sockets, through the generated clients.

mod lease;
mod quota;
mod raft;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Channel;
use tonic::{Code, Streaming};

use super::{Config, ETCD_VERSION, Result, Server};
use crate::mvcc;
use crate::pb::etcdserverpb::cluster_client::ClusterClient;
use crate::pb::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use crate::pb::etcdserverpb::kv_client::KvClient;
use crate::pb::etcdserverpb::maintenance_client::MaintenanceClient;
use crate::pb::etcdserverpb::watch_client::WatchClient;
use crate::pb::etcdserverpb::{
    AlarmRequest, CompactionRequest, Compare, DeleteRangeRequest, HashKvRequest, MemberAddRequest,
    MemberListRequest, PutRequest, RangeRequest, RequestOp, StatusRequest, TxnRequest,
    WatchCancelRequest, WatchCreateRequest, WatchProgressRequest, WatchRequest, WatchResponse,
    request_op, response_op, watch_request,
};
use crate::pb::mvccpb::event::EventType;
use crate::watch::WatchHub;

/// How long anything may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(10);

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(DEADLINE, future).await.expect("done before the deadline")
}

/// A server serving on loopback in a task.
struct Running {
    address: SocketAddr,
    store: Arc<mvcc::Store>,
    /// Weak, so that shutdown still owns the hub.
    hub: Weak<WatchHub>,
    stop: oneshot::Sender<()>,
    serving: JoinHandle<Result<()>>,
}

async fn start(config: Config) -> Running {
    let server = Server::new(config).unwrap();
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
    async fn channel(&self) -> Channel {
        let endpoint = Channel::from_shared(format!("http://{}", self.address)).unwrap();
        within(endpoint.connect()).await.unwrap()
    }

    async fn kv(&self) -> KvClient<Channel> {
        KvClient::new(self.channel().await)
    }

    async fn watch(&self) -> Watch {
        let (requests, rx) = mpsc::channel(16);
        let mut client = WatchClient::new(self.channel().await);
        let responses = within(client.watch(ReceiverStream::new(rx))).await.unwrap().into_inner();
        Watch { requests, responses }
    }

    /// Shuts the server down and waits for it to finish.
    async fn stop(self) {
        let _ = self.stop.send(());
        within(self.serving).await.unwrap().unwrap();
    }
}

/// A client's watch stream.
struct Watch {
    requests: mpsc::Sender<WatchRequest>,
    responses: Streaming<WatchResponse>,
}

impl Watch {
    async fn send(&self, request: watch_request::RequestUnion) {
        self.requests.send(WatchRequest { request_union: Some(request) }).await.unwrap();
    }

    /// Creates a watcher and returns its id from the `created` response.
    async fn create(&mut self, create: WatchCreateRequest) -> i64 {
        self.send(watch_request::RequestUnion::CreateRequest(create)).await;
        let created = self.next().await;
        assert!(created.created && !created.canceled, "{created:?}");
        created.watch_id
    }

    async fn next(&mut self) -> WatchResponse {
        within(self.responses.message()).await.unwrap().expect("the stream is open")
    }
}

fn put(key: &str, value: &str) -> PutRequest {
    PutRequest { key: key.into(), value: value.into(), ..Default::default() }
}

fn range(key: &str) -> RangeRequest {
    RangeRequest { key: key.into(), ..Default::default() }
}

fn prefix(prefix: &str) -> (Vec<u8>, Vec<u8>) {
    (prefix.into(), mvcc::prefix_end(prefix.as_bytes()))
}

/// Puts and returns the revision of the put.
async fn put_rev(kv: &mut KvClient<Channel>, key: &str, value: &str) -> i64 {
    let response = kv.put(put(key, value)).await.unwrap().into_inner();
    response.header.unwrap().revision
}

/// (type, key, mod revision) of each event.
fn events(response: &WatchResponse) -> Vec<(EventType, String, i64)> {
    (response.events.iter())
        .map(|e| {
            let kv = e.kv.as_ref().unwrap();
            (e.r#type(), String::from_utf8_lossy(&kv.key).into_owned(), kv.mod_revision)
        })
        .collect()
}

#[tokio::test]
async fn put_and_get_with_prev_kv_and_headers() {
    let config = Config::default().cluster_id(11).member_id(22);
    let server = start(config).await;
    let mut kv = server.kv().await;
    let first = kv.put(PutRequest { prev_kv: true, ..put("a", "1") }).await.unwrap().into_inner();
    assert_eq!(first.prev_kv, None);
    let second = kv.put(PutRequest { prev_kv: true, ..put("a", "2") }).await.unwrap().into_inner();
    let prev = second.prev_kv.unwrap();
    assert_eq!((prev.value.as_slice(), prev.mod_revision, prev.version), (&b"1"[..], 2, 1));
    let header = second.header.unwrap();
    assert_eq!(
        (header.cluster_id, header.member_id, header.revision, header.raft_term),
        (11, 22, 3, 1)
    );

    let got = kv.range(range("a")).await.unwrap().into_inner();
    let a = &got.kvs[0];
    assert_eq!(
        (a.value.as_slice(), a.create_revision, a.mod_revision, a.version),
        (&b"2"[..], 2, 3, 2)
    );
    assert_eq!(got.header.unwrap().revision, 3);
    server.stop().await;
}

#[tokio::test]
async fn ranges_honor_prefix_and_limit() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    for key in ["p/1", "p/2", "p/3", "q"] {
        put_rev(&mut kv, key, "v").await;
    }
    let (key, range_end) = prefix("p/");
    let got = kv.range(RangeRequest { key, range_end, limit: 2, ..Default::default() });
    let got = got.await.unwrap().into_inner();
    let keys: Vec<&[u8]> = got.kvs.iter().map(|kv| kv.key.as_slice()).collect();
    assert_eq!(keys, [&b"p/1"[..], b"p/2"]);
    assert!(got.more);
    assert_eq!(got.count, 3);
    server.stop().await;
}

#[tokio::test]
async fn txn_compare_and_swap_succeeds_once() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    assert_eq!(put_rev(&mut kv, "k", "v1").await, 2);
    let cas = TxnRequest {
        compare: vec![Compare {
            key: b"k".to_vec(),
            target: CompareTarget::Mod.into(),
            result: CompareResult::Equal.into(),
            target_union: Some(TargetUnion::ModRevision(2)),
            ..Default::default()
        }],
        success: vec![RequestOp { request: Some(request_op::Request::RequestPut(put("k", "v2"))) }],
        failure: vec![RequestOp { request: Some(request_op::Request::RequestRange(range("k"))) }],
    };
    let won = kv.txn(cas.clone()).await.unwrap().into_inner();
    assert!(won.succeeded);
    assert_eq!(won.header.unwrap().revision, 3);
    let lost = kv.txn(cas).await.unwrap().into_inner();
    assert!(!lost.succeeded);
    assert_eq!(lost.header.unwrap().revision, 3, "a failed CAS writes nothing");
    let Some(response_op::Response::ResponseRange(read)) = &lost.responses[0].response else {
        panic!("the failure branch reads: {lost:?}");
    };
    assert_eq!(read.kvs[0].value, b"v2");
    server.stop().await;
}

#[tokio::test]
async fn delete_range_removes_a_prefix() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    for key in ["x/1", "x/2", "y"] {
        put_rev(&mut kv, key, "v").await;
    }
    let (key, range_end) = prefix("x/");
    let request =
        DeleteRangeRequest { key: key.clone(), range_end: range_end.clone(), prev_kv: true };
    let deleted = kv.delete_range(request).await.unwrap().into_inner();
    assert_eq!((deleted.deleted, deleted.prev_kvs.len()), (2, 2));
    assert_eq!(deleted.header.unwrap().revision, 5);
    let left = kv.range(RangeRequest { key, range_end, ..Default::default() }).await.unwrap();
    assert_eq!(left.into_inner().count, 0);
    assert_eq!(kv.range(range("y")).await.unwrap().into_inner().count, 1);
    server.stop().await;
}

#[tokio::test]
async fn errors_carry_etcds_codes_and_messages() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    for value in ["1", "2", "3"] {
        put_rev(&mut kv, "a", value).await; // revisions 2, 3, 4
    }
    let compacted = kv.compact(CompactionRequest { revision: 3, physical: true }).await.unwrap();
    assert_eq!(compacted.into_inner().header.unwrap().revision, 4);
    let status = kv.range(RangeRequest { revision: 2, ..range("a") }).await.unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange);
    assert_eq!(status.message(), "etcdserver: mvcc: required revision has been compacted");
    let at_three = kv.range(RangeRequest { revision: 3, ..range("a") }).await.unwrap();
    assert_eq!(at_three.into_inner().kvs[0].value, b"2");

    let status = kv.put(put("", "v")).await.unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::InvalidArgument, "etcdserver: key is not provided")
    );
    let status = kv.range(range("")).await.unwrap_err();
    assert_eq!(
        (status.code(), status.message()),
        (Code::InvalidArgument, "etcdserver: key is not provided")
    );
    // Refused requests do not stop the member.
    assert_eq!(put_rev(&mut kv, "b", "v").await, 5);
    server.stop().await;
}

#[tokio::test]
async fn a_prefix_watch_sees_puts_and_deletes() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    let mut watch = server.watch().await;
    let (key, range_end) = prefix("w/");
    let id = watch
        .create(WatchCreateRequest { key, range_end, prev_kv: true, ..Default::default() })
        .await;

    assert_eq!(put_rev(&mut kv, "w/a", "1").await, 2);
    assert_eq!(put_rev(&mut kv, "elsewhere", "1").await, 3);
    kv.delete_range(DeleteRangeRequest { key: b"w/a".to_vec(), ..Default::default() })
        .await
        .unwrap();

    let put_event = watch.next().await;
    assert_eq!(put_event.watch_id, id);
    assert_eq!(events(&put_event), [(EventType::Put, "w/a".into(), 2)]);
    assert_eq!(put_event.header.unwrap().revision, 2);
    let delete_event = watch.next().await;
    assert_eq!(events(&delete_event), [(EventType::Delete, "w/a".into(), 4)]);
    let prev = delete_event.events[0].prev_kv.as_ref().expect("prev_kv was asked for");
    assert_eq!(prev.value, b"1");
    let header = delete_event.header.unwrap();
    assert_eq!((header.member_id, header.revision), (Config::default().member_id, 4));
    server.stop().await;
}

#[tokio::test]
async fn a_watch_from_an_old_revision_replays_history_then_goes_live() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    put_rev(&mut kv, "h", "1").await; // 2
    put_rev(&mut kv, "h", "2").await; // 3
    let mut watch = server.watch().await;
    let create = WatchCreateRequest { key: b"h".to_vec(), start_revision: 2, ..Default::default() };
    watch.create(create).await;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        seen.extend(events(&watch.next().await).into_iter().map(|(_, _, rev)| rev));
    }
    assert_eq!(seen, [2, 3]);
    put_rev(&mut kv, "h", "3").await;
    assert_eq!(events(&watch.next().await), [(EventType::Put, "h".into(), 4)]);
    server.stop().await;
}

#[tokio::test]
async fn canceled_and_refused_watchers_get_etcds_answers() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    let mut watch = server.watch().await;
    let first = watch.create(WatchCreateRequest { key: b"a".to_vec(), ..Default::default() }).await;
    watch
        .send(watch_request::RequestUnion::CancelRequest(WatchCancelRequest { watch_id: first }))
        .await;
    let canceled = watch.next().await;
    assert!(canceled.canceled && canceled.watch_id == first, "{canceled:?}");

    let create = WatchCreateRequest { key: b"b".to_vec(), watch_id: 7, ..Default::default() };
    assert_eq!(watch.create(create.clone()).await, 7);
    watch.send(watch_request::RequestUnion::CreateRequest(create)).await;
    let duplicate = watch.next().await;
    assert!(duplicate.created && duplicate.canceled && duplicate.watch_id == -1);
    assert_eq!(duplicate.cancel_reason, "mvcc: duplicate watch ID provided on the WatchStream");
    let backwards =
        WatchCreateRequest { key: b"z".to_vec(), range_end: b"a".to_vec(), ..Default::default() };
    watch.send(watch_request::RequestUnion::CreateRequest(backwards)).await;
    assert_eq!(watch.next().await.cancel_reason, "mvcc: watcher range is empty");

    // The canceled watcher is silent: the next event is the live one's.
    put_rev(&mut kv, "a", "1").await;
    put_rev(&mut kv, "b", "1").await;
    let next = watch.next().await;
    assert_eq!((next.watch_id, events(&next)), (7, vec![(EventType::Put, "b".into(), 3)]));

    watch.send(watch_request::RequestUnion::ProgressRequest(WatchProgressRequest {})).await;
    let progress = watch.next().await;
    assert_eq!((progress.watch_id, progress.header.unwrap().revision), (-1, 3));
    assert!(progress.events.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_watch_from_a_compacted_revision_is_canceled_with_the_compact_revision() {
    let server = start(Config::default()).await;
    let mut kv = server.kv().await;
    for value in ["1", "2", "3"] {
        put_rev(&mut kv, "c", value).await;
    }
    kv.compact(CompactionRequest { revision: 3, physical: false }).await.unwrap();
    let mut watch = server.watch().await;
    let create = WatchCreateRequest { key: b"c".to_vec(), start_revision: 2, ..Default::default() };
    let id = watch.create(create).await;
    let compacted = watch.next().await;
    assert_eq!((compacted.watch_id, compacted.compact_revision), (id, 3));
    assert!(compacted.canceled);
    server.stop().await;
}

#[tokio::test]
async fn status_member_list_and_maintenance_describe_the_member() {
    let config = Config::default()
        .cluster_id(5)
        .member_id(6)
        .name("m1")
        .client_urls(["http://127.0.0.1:2379"])
        .peer_urls(["http://127.0.0.1:2380"]);
    let server = start(config).await;
    let mut kv = server.kv().await;
    put_rev(&mut kv, "a", "1").await;
    let mut maintenance = MaintenanceClient::new(server.channel().await);
    let status = maintenance.status(StatusRequest {}).await.unwrap().into_inner();
    let header = status.header.unwrap();
    assert_eq!(
        (header.cluster_id, header.member_id, header.revision, header.raft_term),
        (5, 6, 2, 1)
    );
    assert_eq!(status.version, ETCD_VERSION);
    assert_eq!((status.leader, status.raft_term), (6, 1));
    // The member's first entry is its own, as a new leader; the put is next.
    assert_eq!((status.raft_index, status.raft_applied_index), (2, 2));
    assert_eq!(status.db_size, i64::try_from(server.store.db_size()).unwrap());
    assert_eq!(status.db_size_quota, 2 << 30, "etcd's default");
    assert!(status.errors.is_empty());

    let hash = maintenance.hash_kv(HashKvRequest { revision: 0 }).await.unwrap().into_inner();
    assert_eq!((hash.hash, hash.compact_revision), server.store.hash_kv(2).unwrap());
    assert_eq!(hash.hash_revision, 2);
    let alarms = maintenance.alarm(AlarmRequest::default()).await.unwrap().into_inner();
    assert!(alarms.alarms.is_empty());

    let mut cluster = ClusterClient::new(server.channel().await);
    let list = cluster.member_list(MemberListRequest::default()).await.unwrap().into_inner();
    let header = list.header.unwrap();
    assert_eq!(
        (header.cluster_id, header.member_id, header.revision, header.raft_term),
        (5, 6, 2, 1)
    );
    let [member] = list.members.as_slice() else { panic!("one member: {:?}", list.members) };
    assert_eq!((member.id, member.name.as_str()), (6, "m1"));
    assert_eq!(
        (member.client_ur_ls.as_slice(), member.peer_ur_ls.as_slice()),
        (&["http://127.0.0.1:2379".to_string()][..], &["http://127.0.0.1:2380".to_string()][..])
    );
    let refused = cluster.member_add(MemberAddRequest::default()).await.unwrap_err();
    assert_eq!(refused.code(), Code::Unimplemented);
    assert!(refused.message().contains("needs Raft replication"), "{}", refused.message());
    server.stop().await;
}

#[tokio::test]
async fn concurrent_puts_get_distinct_consecutive_revisions() {
    const TASKS: i64 = 16;
    const PUTS: i64 = 8;
    let server = start(Config::default()).await;
    let channel = server.channel().await;
    let writers: Vec<_> = (0..TASKS)
        .map(|task| {
            let mut kv = KvClient::new(channel.clone());
            tokio::spawn(async move {
                let mut revisions = Vec::new();
                for i in 0..PUTS {
                    revisions.push(put_rev(&mut kv, &format!("k/{task}/{i}"), "v").await);
                }
                revisions
            })
        })
        .collect();
    let mut revisions = Vec::new();
    for writer in writers {
        revisions.extend(within(writer).await.unwrap());
    }
    revisions.sort_unstable();
    assert_eq!(revisions, (2..2 + TASKS * PUTS).collect::<Vec<_>>());
    // One log entry each, after the leader's own first one.
    assert_eq!(server.store.applied_index(), (TASKS * PUTS) as u64 + 1);
    server.stop().await;
}

#[tokio::test]
async fn a_restarted_member_keeps_its_data_revision_and_log() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::default().data_dir(dir.path().join("member"));
    let server = start(config.clone()).await;
    let mut kv = server.kv().await;
    put_rev(&mut kv, "a", "1").await;
    assert_eq!(put_rev(&mut kv, "a", "2").await, 3);
    drop(kv);
    server.stop().await;

    let server = start(config).await;
    // Log entries: the new leader's own, then the two puts.
    assert_eq!(server.store.applied_index(), 3);
    let mut kv = server.kv().await;
    let got = kv.range(range("a")).await.unwrap().into_inner();
    assert_eq!((got.kvs[0].value.as_slice(), got.header.unwrap().revision), (&b"2"[..], 3));
    assert_eq!(put_rev(&mut kv, "a", "3").await, 4);
    // The restarted leader's own entry is 4, the put 5.
    assert_eq!(server.store.applied_index(), 5, "the log resumed after the last index");
    let mut maintenance = MaintenanceClient::new(server.channel().await);
    let status = maintenance.status(StatusRequest {}).await.unwrap().into_inner();
    assert!(status.db_size > 0, "the database file is measured");
    server.stop().await;
}

#[tokio::test]
async fn a_closed_watch_stream_removes_its_watchers() {
    let server = start(Config::default()).await;
    let mut watch = server.watch().await;
    watch.create(WatchCreateRequest { key: b"a".to_vec(), ..Default::default() }).await;
    watch.create(WatchCreateRequest { key: b"b".to_vec(), ..Default::default() }).await;
    let hub = server.hub.upgrade().unwrap();
    assert_eq!(hub.len(), 2);
    drop(watch);
    // The server learns of the reset from the network: wait for it, no longer
    // than the deadline.
    within(async {
        while !hub.is_empty() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    drop(hub);
    server.stop().await;
}

#[tokio::test]
async fn shutdown_ends_open_watch_streams() {
    let server = start(Config::default()).await;
    let mut watch = server.watch().await;
    watch.create(WatchCreateRequest { key: b"a".to_vec(), ..Default::default() }).await;
    server.stop().await;
    let end = within(watch.responses.message()).await;
    assert!(matches!(end, Ok(None) | Err(_)), "the stream ended: {end:?}");
}
