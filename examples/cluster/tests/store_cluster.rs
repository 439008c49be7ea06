//! Three `keelson store` processes form one Raft cluster over TCP: a
//! write through any member is seen by the others, the cluster goes on
//! when its leader is killed, and the killed member catches up when it
//! comes back.

mod support;

use std::time::Duration;

use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use keelson_store::pb::etcdserverpb::maintenance_client::MaintenanceClient;
use keelson_store::pb::etcdserverpb::{PutRequest, RangeRequest, StatusRequest};
use support::Member;

/// How long the cluster may take to elect a leader or catch up.
const DEADLINE: Duration = Duration::from_secs(20);

/// A loopback port nobody listens on right now, for a peer URL that must
/// be known before the members start.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Puts `key` through the member at `url`, retrying while the cluster has
/// no leader; returns the revision.
async fn put(url: &str, key: &str, value: &str) -> i64 {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let attempt = async {
            let mut kv = KvClient::connect(url.to_owned()).await.map_err(|e| e.to_string())?;
            let put = PutRequest { key: key.into(), value: value.into(), ..Default::default() };
            let response = kv.put(put).await.map_err(|e| e.to_string())?.into_inner();
            Ok::<_, String>(response.header.unwrap().revision)
        };
        match tokio::time::timeout(Duration::from_secs(5), attempt).await {
            Ok(Ok(revision)) => return revision,
            Ok(Err(error)) => assert!(tokio::time::Instant::now() < deadline, "put: {error}"),
            Err(_) => assert!(tokio::time::Instant::now() < deadline, "put timed out"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value of `key` on the member at `url`, read linearizably or not.
async fn get(url: &str, key: &str, serializable: bool) -> Result<Option<Vec<u8>>, String> {
    let mut kv = KvClient::connect(url.to_owned()).await.map_err(|e| e.to_string())?;
    let range = RangeRequest { key: key.into(), serializable, ..Default::default() };
    let got = kv.range(range).await.map_err(|e| e.to_string())?.into_inner();
    Ok(got.kvs.into_iter().next().map(|kv| kv.value))
}

/// The (member ID, leader ID) the member at `url` reports.
async fn status(url: &str) -> Option<(u64, u64)> {
    let mut maintenance = MaintenanceClient::connect(url.to_owned()).await.ok()?;
    let status = maintenance.status(StatusRequest {}).await.ok()?.into_inner();
    Some((status.header?.member_id, status.leader))
}

#[tokio::test]
async fn three_processes_replicate_and_survive_the_loss_of_the_leader() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    let initial: Vec<String> =
        ports.iter().enumerate().map(|(i, port)| format!("n{i}=http://127.0.0.1:{port}")).collect();
    let initial = initial.join(",");
    let start = |i: usize| {
        let name = format!("n{i}");
        let peer = format!("http://127.0.0.1:{}", ports[i]);
        let flags = ["--name", &name, "--initial-cluster", &initial, "--listen-peer-urls", &peer];
        Member::start_with(dirs[i].path(), &flags)
    };
    let mut members: Vec<Option<Member>> = (0..3).map(|i| Some(start(i))).collect();
    let urls: Vec<String> = members.iter().map(|m| m.as_ref().unwrap().url.clone()).collect();

    // Written through one member, read linearizably through another.
    assert_eq!(put(&urls[0], "k", "1").await, 2);
    assert_eq!(get(&urls[1], "k", false).await.unwrap().as_deref(), Some(&b"1"[..]));

    // Find the leader, as every member reports it, and kill it.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let leader = loop {
        let mut ids = Vec::new();
        for url in &urls {
            ids.extend(status(url).await);
        }
        let leaders: Vec<u64> = ids.iter().map(|(_, leader)| *leader).collect();
        if ids.len() == 3 && leaders[0] != 0 && leaders.iter().all(|l| *l == leaders[0]) {
            break ids
                .iter()
                .position(|(id, _)| *id == leaders[0])
                .expect("the leader is a member");
        }
        assert!(tokio::time::Instant::now() < deadline, "no agreed leader: {ids:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    members[leader] = None; // SIGKILL

    // The other two elect a leader and go on.
    let rest: Vec<usize> = (0..3).filter(|&i| i != leader).collect();
    let revision = put(&urls[rest[0]], "k", "2").await;
    assert_eq!(revision, 3);
    assert_eq!(get(&urls[rest[1]], "k", false).await.unwrap().as_deref(), Some(&b"2"[..]));

    // The killed member comes back on its data directory and catches up.
    let back = start(leader);
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Ok(Some(value)) = get(&back.url, "k", true).await
            && value == b"2"
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the restarted member did not catch up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    members[leader] = Some(back);
}

#[tokio::test]
async fn a_member_without_an_initial_cluster_leads_alone() {
    let dir = tempfile::tempdir().unwrap();
    let member = Member::start(dir.path());
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        if let Some((id, leader)) = status(&member.url).await
            && leader == id
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "a member alone leads at once");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(put(&member.url, "k", "v").await, 2);
}
