//! Members of one cluster in one process, joined by a network that can cut
//! them off: replication, forwarding, linearizable reads and the loss of
//! a leader.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use raft_rs::eraftpb::Message;
use tokio::sync::mpsc;

use super::super::lease::Clock;
use super::super::{Cluster, Config, Server};
use crate::mvcc;
use crate::pb::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use crate::pb::etcdserverpb::{
    Compare, PutRequest, RangeRequest, RequestOp, TxnRequest, request_op,
};
use crate::raft::Network;
use crate::raft::linearizability::{Budget, KvInput, KvModel, KvOutput, Recorder, Verdict, check};
use crate::store::Store as _;

/// Routes Raft messages between in-process members; an isolated member
/// neither sends nor receives. With [`Faults`], messages are also
/// dropped, duplicated and delayed (which reorders them).
#[derive(Debug, Default)]
struct TestNet {
    inboxes: Mutex<HashMap<u64, mpsc::Sender<Message>>>,
    isolated: Mutex<HashSet<u64>>,
    faults: Faults,
    random: Random,
}

/// What a [`TestNet`] does to messages, in thousandths.
#[derive(Clone, Copy, Debug, Default)]
struct Faults {
    drop: u64,
    duplicate: u64,
    /// The longest delay, in milliseconds; each message gets a random one.
    max_delay_ms: u64,
}

/// A small seeded generator (xorshift64*), shared behind a lock.
#[derive(Debug, Default)]
struct Random(Mutex<u64>);

impl Random {
    fn seeded(seed: u64) -> Self {
        Self(Mutex::new(seed | 1))
    }

    /// A number below `bound` (> 0).
    fn below(&self, bound: u64) -> u64 {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d) % bound.max(1)
    }
}

impl TestNet {
    fn with_faults(seed: u64, faults: Faults) -> Self {
        Self { faults, random: Random::seeded(seed), ..Self::default() }
    }

    /// Member `id`'s way into the network, and its inbox.
    fn join(self: &Arc<Self>, id: u64) -> (Arc<dyn Network>, mpsc::Receiver<Message>) {
        let (tx, rx) = mpsc::channel(4096);
        self.inboxes.lock().unwrap_or_else(PoisonError::into_inner).insert(id, tx);
        (Arc::new(Endpoint { net: Arc::clone(self), id }), rx)
    }

    fn isolate(&self, id: u64) {
        self.isolated.lock().unwrap_or_else(PoisonError::into_inner).insert(id);
    }

    fn heal(&self) {
        self.isolated.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}

#[derive(Debug)]
struct Endpoint {
    net: Arc<TestNet>,
    id: u64,
}

impl Network for Endpoint {
    fn send(&self, messages: Vec<Message>) {
        let isolated = self.net.isolated.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let inboxes = self.net.inboxes.lock().unwrap_or_else(PoisonError::into_inner);
        let (faults, random) = (self.net.faults, &self.net.random);
        for message in messages {
            if isolated.contains(&self.id) || isolated.contains(&message.to) {
                continue;
            }
            if random.below(1000) < faults.drop {
                continue;
            }
            let Some(inbox) = inboxes.get(&message.to) else { continue };
            let copies = if random.below(1000) < faults.duplicate { 2 } else { 1 };
            for _ in 0..copies {
                let delay = random.below(faults.max_delay_ms + 1);
                if delay == 0 {
                    // A full inbox loses the message, as a network would.
                    let _ = inbox.try_send(message.clone());
                } else {
                    let (inbox, message) = (inbox.clone(), message.clone());
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                        let _ = inbox.try_send(message);
                    });
                }
            }
        }
    }

    fn take_unreachable(&self) -> Vec<u64> {
        Vec::new()
    }
}

/// Starts members 1..=n of one cluster, each on a store in memory, with
/// `timeout` as their request timeout.
fn cluster(net: &Arc<TestNet>, n: u64, timeout: Duration) -> Vec<Server> {
    (1..=n).map(|id| member(net, id, n, timeout, None)).collect()
}

/// Starts member `id` of the cluster of members 1..=n: in memory, or with
/// its database and write-ahead log in `data_dir`.
fn member(
    net: &Arc<TestNet>,
    id: u64,
    n: u64,
    timeout: Duration,
    data_dir: Option<&std::path::Path>,
) -> Server {
    let config = Config::default()
        .cluster_id(7)
        .member_id(id)
        .name(format!("m{id}"))
        .raft_timing(Duration::from_millis(50), Duration::from_millis(300));
    let config = Config { request_timeout: timeout, data_dir: data_dir.map(Into::into), ..config };
    let (network, inbox) = net.join(id);
    let cluster = Cluster { voters: (1..=n).collect(), network, inbox };
    let store = match config.db_path() {
        Some(path) => mvcc::Store::open(path).unwrap(),
        None => mvcc::Store::in_memory().unwrap(),
    };
    Server::in_cluster(config, Arc::new(store), Clock::system(), cluster).unwrap()
}

/// Waits until one of `members` (by index) leads and the others that are
/// listed know it; returns its index.
async fn leader(servers: &[Server], members: &[usize]) -> usize {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let statuses: Vec<_> = members.iter().map(|&i| servers[i].member.node_status()).collect();
        if let Some(at) = statuses.iter().position(|status| status.is_leader) {
            let id = servers[members[at]].config().member_id;
            if statuses.iter().all(|status| status.leader == id) {
                return members[at];
            }
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no leader among {members:?}: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until every listed member has applied up to `revision`.
async fn converge(servers: &[Server], members: &[usize], revision: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while members.iter().any(|&i| servers[i].store().current_revision() < revision) {
        assert!(tokio::time::Instant::now() < deadline, "members did not reach {revision}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn put(key: &str, value: &str) -> PutRequest {
    PutRequest { key: key.into(), value: value.into(), ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_replicate_and_elect_a_new_leader_when_the_old_one_is_cut_off() {
    let net = Arc::new(TestNet::default());
    let servers = cluster(&net, 3, Duration::from_secs(2));
    let first = leader(&servers, &[0, 1, 2]).await;
    let follower = (first + 1) % 3;

    // A write sent to a follower is forwarded to the leader, and every
    // member applies it at the same revision.
    let store = servers[follower].embedded();
    let revision = store.put(put("k", "1")).await.unwrap().header.unwrap().revision;
    assert_eq!(revision, 2);
    converge(&servers, &[0, 1, 2], 2).await;

    // A linearizable read on the third member sees it.
    let third = (first + 2) % 3;
    let reader = servers[third].embedded();
    let got = reader.range(RangeRequest { key: b"k".to_vec(), ..Default::default() }).await;
    assert_eq!(got.unwrap().kvs[0].value, b"1");

    // The leader is cut off: the other two elect one of themselves and
    // go on writing; the old leader cannot commit.
    net.isolate(servers[first].config().member_id);
    let rest: Vec<usize> = (0..3).filter(|&i| i != first).collect();
    let second = leader(&servers, &rest).await;
    assert_ne!(second, first);
    let revision = servers[second].embedded().put(put("k", "2")).await.unwrap().header.unwrap();
    assert_eq!(revision.revision, 3);
    assert!(revision.raft_term > 1, "a new term: {revision:?}");
    let stuck = servers[first].embedded().put(put("lost", "x")).await;
    assert!(stuck.is_err(), "a leader cut off from its quorum cannot commit");

    // Back on the network, the old leader steps down, drops what it could
    // not commit and catches up: every member has the same history.
    net.heal();
    let third_leader = leader(&servers, &[0, 1, 2]).await;
    let at = servers[third_leader].embedded().put(put("k", "3")).await.unwrap();
    let last = at.header.unwrap().revision;
    converge(&servers, &[0, 1, 2], last).await;
    let hashes: Vec<_> =
        servers.iter().map(|server| server.store().hash_kv(last).unwrap()).collect();
    assert!(hashes.windows(2).all(|pair| pair[0] == pair[1]), "{hashes:?}");
    let old = servers[first].embedded();
    let lost = old.range(RangeRequest { key: b"lost".to_vec(), ..Default::default() }).await;
    let lost = lost.unwrap();
    // The cut-off leader's write either never committed or was committed
    // later as a whole (raft-rs may keep a proposal a follower forwarded),
    // but every member agrees on it.
    for server in &servers {
        let got = server.store().range(&mvcc::RangeOptions::key("lost")).unwrap();
        assert_eq!(got.kvs.len(), lost.kvs.len());
    }

    for server in servers {
        server.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_restarted_on_its_data_directory_catches_up() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let net = Arc::new(TestNet::default());
    let timeout = Duration::from_secs(2);
    let start = |i: usize| member(&net, i as u64 + 1, 3, timeout, Some(dirs[i].path()));
    let mut servers: Vec<Server> = (0..3).map(start).collect();
    let first = leader(&servers, &[0, 1, 2]).await;
    for i in 0..10 {
        servers[first].embedded().put(put(&format!("a{i}"), "1")).await.unwrap();
    }
    let follower = (first + 1) % 3;
    converge(&servers, &[0, 1, 2], 11).await;

    // The follower stops; the other two go on without it.
    let stopped = servers.remove(follower);
    net.isolate(stopped.config().member_id);
    stopped.shutdown().await;
    let rest: Vec<usize> = (0..2).collect();
    let at = leader(&servers, &rest).await;
    for i in 0..10 {
        servers[at].embedded().put(put(&format!("b{i}"), "1")).await.unwrap();
    }
    let last = servers[at].store().current_revision();
    assert_eq!(last, 21);

    // Back on its data directory, it replays its own log and receives the
    // entries it missed.
    net.heal();
    servers.insert(follower, start(follower));
    converge(&servers, &[0, 1, 2], last).await;
    let hashes: Vec<_> =
        servers.iter().map(|server| server.store().hash_kv(last).unwrap()).collect();
    assert!(hashes.windows(2).all(|pair| pair[0] == pair[1]), "{hashes:?}");
    let reader = servers[follower].embedded();
    let got = reader.range(RangeRequest { key: b"b9".to_vec(), ..Default::default() }).await;
    assert_eq!(got.unwrap().kvs[0].mod_revision, last, "a linearizable read there sees it");
    for server in servers {
        server.shutdown().await;
    }
}

/// The history the clients of the fault test record.
type History = Recorder<KvInput<String, u64>, KvOutput<u64>>;

/// One client operation through `server`, recorded: a write whose answer
/// is an error stays unknown (it may have happened); a read that failed is
/// discarded (it changed nothing).
async fn operate(server: &Server, history: &History, client: u64, input: KvInput<String, u64>) {
    let store = server.embedded();
    let id = history.call(client, input.clone());
    match input {
        KvInput::Put { key, value } => {
            let put = put(&key, &value.to_string());
            if store.put(put).await.is_ok() {
                history.returned(id, KvOutput::Written);
            }
        }
        KvInput::Get { key } => {
            match store.range(RangeRequest { key: key.into(), ..Default::default() }).await {
                Ok(got) => {
                    let value = got.kvs.first().map(|kv| {
                        String::from_utf8_lossy(&kv.value)
                            .parse::<u64>()
                            .expect("values are numbers")
                    });
                    history.returned(id, KvOutput::Value(value));
                }
                Err(_) => history.discard(id),
            }
        }
        KvInput::Cas { key, expected, new } => {
            let (target, union) = match expected {
                Some(value) => (CompareTarget::Value, TargetUnion::Value(value.to_string().into())),
                None => (CompareTarget::Create, TargetUnion::CreateRevision(0)),
            };
            let compare = Compare {
                key: key.clone().into(),
                target: target as i32,
                result: CompareResult::Equal as i32,
                target_union: Some(union),
                ..Default::default()
            };
            let write = request_op::Request::RequestPut(put(&key, &new.to_string()));
            let txn = TxnRequest {
                compare: vec![compare],
                success: vec![RequestOp { request: Some(write) }],
                failure: vec![],
            };
            if let Ok(response) = store.txn(txn).await {
                history.returned(id, KvOutput::Swapped(response.succeeded));
            }
        }
        KvInput::Delete { .. } => unreachable!("the fault test does not delete"),
    }
}

/// How many clients the fault test runs, and how many operations each.
const CLIENTS: usize = 6;
const OPERATIONS: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn histories_under_faults_are_linearizable_and_members_agree() {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |since| since.as_nanos() as u64);
    println!("fault test seed: {seed}");
    let faults = Faults { drop: 30, duplicate: 30, max_delay_ms: 4 };
    let net = Arc::new(TestNet::with_faults(seed, faults));
    // Short timeouts, so that a client stuck on a member cut off moves on.
    let servers = Arc::new(cluster(&net, 3, Duration::from_millis(500)));
    leader(&servers, &[0, 1, 2]).await;
    let history = Arc::new(History::default());
    let random = Arc::new(Random::seeded(seed.rotate_left(17)));
    let finished = Arc::new(std::sync::atomic::AtomicUsize::new(0));

    // Clients: a fixed number of operations each (puts of unique values,
    // linearizable gets and CAS on three keys) through any member, however
    // long the faults make them take.
    let mut clients = tokio::task::JoinSet::new();
    for client in 0..CLIENTS as u64 {
        let (servers, history, random) =
            (Arc::clone(&servers), Arc::clone(&history), Arc::clone(&random));
        let finished = Arc::clone(&finished);
        clients.spawn(async move {
            let mut written = 0u64;
            for _ in 0..OPERATIONS {
                let member = usize::try_from(random.below(3)).unwrap();
                let key = format!("k{}", random.below(3));
                written += 1;
                let value = client * 1_000_000 + written;
                let input = match random.below(3) {
                    0 => KvInput::Put { key, value },
                    1 => KvInput::Get { key },
                    _ => {
                        let expected =
                            (random.below(2) == 0).then(|| client * 1_000_000 + written - 1);
                        KvInput::Cas { key, expected, new: value }
                    }
                };
                operate(&servers[member], &history, client, input).await;
            }
            finished.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
    }
    // The nemesis: cuts one member off (the leader, more often than not)
    // for a while, then heals, until the clients are done.
    while finished.load(std::sync::atomic::Ordering::SeqCst) < CLIENTS {
        let victim = match servers.iter().position(|server| server.member.node_status().is_leader) {
            Some(leader) if random.below(3) != 0 => leader,
            _ => usize::try_from(random.below(3)).unwrap(),
        };
        net.isolate(servers[victim].config().member_id);
        tokio::time::sleep(Duration::from_millis(300)).await;
        net.heal();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    while let Some(done) = clients.join_next().await {
        done.unwrap();
    }
    net.heal();

    // Every member ends with the same history.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let last = loop {
        let at = leader(&servers, &[0, 1, 2]).await;
        // Leadership may still move after the heal: try again then.
        match servers[at].embedded().put(put("end", "0")).await {
            Ok(put) => break put.header.unwrap().revision,
            Err(error) => assert!(tokio::time::Instant::now() < deadline, "{error}"),
        }
    };
    converge(&servers, &[0, 1, 2], last).await;
    let hashes: Vec<_> =
        servers.iter().map(|server| server.store().hash_kv(last).unwrap()).collect();
    assert!(hashes.windows(2).all(|pair| pair[0] == pair[1]), "{hashes:?}");

    // And what the clients saw is linearizable.
    let history = history.history();
    let returned = history.iter().filter(|op| op.completion().is_some()).count();
    // Most operations get an answer: a cluster that was never available
    // would leave a history with nothing to check.
    assert!(
        returned * 3 >= history.len(),
        "only {returned} of {} returned (seed {seed})",
        history.len()
    );
    println!("{returned} of {} operations returned", history.len());
    match check(&KvModel::default(), &history, Budget::default()) {
        Verdict::Ok => {}
        Verdict::Illegal(violation) => panic!("not linearizable (seed {seed}): {violation}"),
        Verdict::Unknown(why) => println!("linearizability undecided within budget: {why}"),
    }

    let servers = Arc::try_unwrap(servers).expect("the clients are done");
    for server in servers {
        server.shutdown().await;
    }
}
