//! `keelson store` under `kill -9`: every write it acknowledged survives,
//! at the revision it was acknowledged at.
//!
//! One data directory lives through [`ROUNDS`] rounds. Each round starts a
//! member on it and checks everything acknowledged so far, then lets
//! [`WRITERS`] concurrent writers put new keys, overwrite, delete and put
//! again their own keys, and write pairs of keys in transactions, until a
//! pseudo-random number of requests has been acknowledged; then it kills
//! the member with SIGKILL while they are still writing. A request in
//! flight at the kill may or may not have landed: the check after the
//! restart accepts either, but not half of one, and from then on holds the
//! member to what it found (what a restarted member serves came from disk).
//!
//! After each restart, the latest state of every key is checked (value and
//! mod revision, deleted keys absent, no other key), and reading a key at
//! the revision of a write gives what that write left, for every write not
//! read that way before and for a pseudo-random sample of the older ones;
//! after the last restart, for every write. (Reading all of the history
//! after every restart would make the test quadratic: minutes instead of
//! seconds.)
//!
//! The seed is printed; `KEELSON_CRASH_SEED=<seed>` replays the same
//! choices (how the writers interleave still varies from run to run).

mod support;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use keelson_store::pb::etcdserverpb::compare::{CompareResult, CompareTarget, TargetUnion};
use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use keelson_store::pb::etcdserverpb::request_op::Request;
use keelson_store::pb::etcdserverpb::{
    Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, ResponseHeader, TxnRequest,
};
use support::Member;
use tokio::sync::Notify;
use tonic::transport::Channel;

/// How many times the member is killed.
const ROUNDS: u64 = 24;
/// How many writers write at once in each round.
const WRITERS: u64 = 16;
/// How many connections the writers (and the checks) spread over.
const CONNECTIONS: usize = 8;
/// The fewest and most acknowledged requests before the kill in a round.
const KILL_AFTER: (u64, u64) = (50, 400);
/// How long a member may take to die, and a connection or request to
/// answer.
const DEADLINE: Duration = Duration::from_secs(30);
/// How many older writes each restart reads again at their revision.
const RECHECKS: u64 = 100;
/// Every key the test writes starts with this.
const PREFIX: &str = "/crash/";
/// The end of [`PREFIX`]'s range: `/` + 1 is `0`.
const PREFIX_END: &str = "/crash0";

// What the crash test does with a member, beyond starting and reading it.
impl Member {
    /// [`CONNECTIONS`] separate connections to the member.
    async fn connect(&self) -> Vec<KvClient<Channel>> {
        let mut clients = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            let endpoint = Channel::from_shared(self.url.clone()).expect("a valid URL");
            let channel = tokio::time::timeout(DEADLINE, endpoint.connect())
                .await
                .expect("connecting in time")
                .expect("the member accepts clients");
            clients.push(KvClient::new(channel));
        }
        clients
    }

    /// Sends SIGKILL and waits, within [`DEADLINE`], for the process to be
    /// gone, without blocking the runtime.
    async fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let started = Instant::now();
        while self.child.try_wait().expect("wait for keelson").is_none() {
            assert!(started.elapsed() < DEADLINE, "keelson survived SIGKILL");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// SplitMix64: a tiny seeded generator, enough to pick operations and the
/// moment of the kill reproducibly.
#[derive(Debug)]
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The seed of this run: `KEELSON_CRASH_SEED`, or the clock.
fn seed() -> u64 {
    match std::env::var("KEELSON_CRASH_SEED") {
        Ok(seed) => seed.trim().parse().expect("KEELSON_CRASH_SEED is a u64"),
        Err(_) => {
            let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).expect("clock");
            now.as_nanos() as u64
        }
    }
}

/// The value a key holds at a generation (0 when first put, one more at
/// each put after that): derived from both, so that every put of a key
/// writes a different value.
fn value(key: &str, generation: u64) -> String {
    format!("{key}@{generation}")
}

/// One write request as the model sees it: what it does to each key.
#[derive(Clone, Debug)]
struct Write {
    /// Names the request, unique over the whole test.
    request: String,
    /// Each key it writes and its value afterwards (`None`: deleted).
    changes: Vec<(String, Option<String>)>,
}

/// A write the member acknowledged, with the revision of its header.
#[derive(Debug)]
struct Acked {
    write: Write,
    revision: i64,
}

/// What a writer did in one round, in order.
#[derive(Debug, Default)]
struct WriterLog {
    acked: Vec<Acked>,
    /// The request sent and never answered, if any.
    in_flight: Option<Write>,
    /// Why the writer stopped, if not because of the kill.
    error: Option<String>,
    /// How many of the acknowledged requests were transactions and deletes.
    txns: u64,
    deletes: u64,
}

/// What one writer sends next.
#[derive(Debug)]
enum Plan {
    /// Put `key` at `generation`; `previous` is the value it holds now.
    Put { key: String, generation: u64, previous: Option<String> },
    /// Create two new keys in one transaction (if the first is new).
    Txn { keys: [String; 2] },
    /// Delete `key`, which holds its value at `generation`.
    Delete { key: String, generation: u64 },
}

impl Plan {
    fn write(&self, request: String) -> Write {
        let changes = match self {
            Self::Put { key, generation, .. } => {
                vec![(key.clone(), Some(value(key, *generation)))]
            }
            Self::Txn { keys } => {
                keys.iter().map(|key| (key.clone(), Some(value(key, 0)))).collect()
            }
            Self::Delete { key, .. } => vec![(key.clone(), None)],
        };
        Write { request, changes }
    }
}

/// What the writers of one round share with the test.
#[derive(Debug)]
struct Round {
    number: u64,
    /// Requests acknowledged so far this round.
    acknowledged: AtomicU64,
    /// After how many acknowledgements the member is killed.
    kill_after: u64,
    /// Wakes the test: time to kill, or a writer failed.
    wake: Notify,
    /// Set just before the kill: from then on, a request may fail.
    killing: AtomicBool,
}

/// One of the concurrent writers of a round. It writes only its own keys,
/// one request at a time, so the order of its acknowledgements is the
/// order of its writes.
#[derive(Debug)]
struct Writer {
    index: u64,
    kv: KvClient<Channel>,
    rng: Prng,
    round: Arc<Round>,
    /// Requests sent so far.
    sent: u64,
    /// Keys created so far.
    created: u64,
    /// Its keys that exist, with their generation.
    live: Vec<(String, u64)>,
    /// Its keys that were deleted, with the generation they last had.
    deleted: Vec<(String, u64)>,
}

impl Writer {
    fn new_key(&mut self) -> String {
        self.created += 1;
        format!("{PREFIX}r{:02}/w{:02}/{:05}", self.round.number, self.index, self.created)
    }

    /// Picks the next request and updates the writer's keys as if it
    /// succeeds: a writer stops at its first request without an answer,
    /// so they are never used after one that failed.
    fn plan(&mut self) -> Plan {
        let roll = self.rng.below(100);
        if roll < 12 {
            return Plan::Txn { keys: [self.new_key(), self.new_key()] };
        }
        if roll < 27 && !self.live.is_empty() {
            let picked = self.rng.below(self.live.len() as u64) as usize;
            let (key, generation) = self.live.swap_remove(picked);
            self.deleted.push((key.clone(), generation));
            return Plan::Delete { key, generation };
        }
        if roll < 39 && !self.live.is_empty() {
            let picked = self.rng.below(self.live.len() as u64) as usize;
            let (key, generation) = &mut self.live[picked];
            let previous = Some(value(key, *generation));
            *generation += 1;
            return Plan::Put { key: key.clone(), generation: *generation, previous };
        }
        if roll < 47 && !self.deleted.is_empty() {
            let picked = self.rng.below(self.deleted.len() as u64) as usize;
            let (key, generation) = self.deleted.swap_remove(picked);
            self.live.push((key.clone(), generation + 1));
            return Plan::Put { key, generation: generation + 1, previous: None };
        }
        let key = self.new_key();
        self.live.push((key.clone(), 0));
        Plan::Put { key, generation: 0, previous: None }
    }

    /// Writes until a request goes unanswered: after the kill, or at the
    /// first failure, which wakes the test.
    async fn run(mut self) -> WriterLog {
        let mut log = WriterLog::default();
        loop {
            let plan = self.plan();
            self.sent += 1;
            let request =
                format!("round {} writer {} request {}", self.round.number, self.index, self.sent);
            let write = plan.write(request);
            log.in_flight = Some(write.clone());
            let answer = tokio::time::timeout(DEADLINE, send(&mut self.kv, &plan)).await;
            let failure = match answer {
                Ok(Ok(Ok(revision))) => {
                    match plan {
                        Plan::Txn { .. } => log.txns += 1,
                        Plan::Delete { .. } => log.deletes += 1,
                        Plan::Put { .. } => {}
                    }
                    log.acked.push(Acked { write, revision });
                    log.in_flight = None;
                    let acknowledged = self.round.acknowledged.fetch_add(1, Ordering::SeqCst) + 1;
                    if acknowledged == self.round.kill_after {
                        self.round.wake.notify_one();
                    }
                    continue;
                }
                // An answer, but a wrong one: a failure, kill or not.
                Ok(Ok(Err(wrong))) => wrong,
                Ok(Err(_)) if self.round.killing.load(Ordering::SeqCst) => return log,
                Ok(Err(status)) => format!("{}: {status}", write.request),
                Err(_) => format!("{}: no answer within {DEADLINE:?}", write.request),
            };
            log.error = Some(failure);
            self.round.wake.notify_one();
            return log;
        }
    }
}

/// The revision a response header carries.
fn revision(header: Option<ResponseHeader>) -> Result<i64, String> {
    header.map(|header| header.revision).ok_or_else(|| "a response without a header".to_owned())
}

fn put_request(key: &str, generation: u64) -> PutRequest {
    PutRequest {
        key: key.into(),
        value: value(key, generation).into(),
        prev_kv: true,
        ..Default::default()
    }
}

/// Sends `plan`: the revision it was acknowledged at, an error if the
/// answer is wrong, or the status if there was no answer.
async fn send(
    kv: &mut KvClient<Channel>,
    plan: &Plan,
) -> Result<Result<i64, String>, tonic::Status> {
    let lossy = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok(match plan {
        Plan::Put { key, generation, previous } => {
            let response = kv.put(put_request(key, *generation)).await?.into_inner();
            let found = response.prev_kv.map(|kv| lossy(&kv.value));
            if found != *previous {
                Err(format!("put {key}: previous value {found:?}, expected {previous:?}"))
            } else {
                revision(response.header)
            }
        }
        Plan::Txn { keys } => {
            let compare = Compare {
                result: CompareResult::Equal as i32,
                target: CompareTarget::Version as i32,
                key: keys[0].clone().into(),
                target_union: Some(TargetUnion::Version(0)),
                ..Default::default()
            };
            let success = keys
                .iter()
                .map(|key| RequestOp { request: Some(Request::RequestPut(put_request(key, 0))) })
                .collect();
            let request = TxnRequest { compare: vec![compare], success, failure: Vec::new() };
            let response = kv.txn(request).await?.into_inner();
            if !response.succeeded || response.responses.len() != 2 {
                Err(format!("txn {keys:?}: {response:?}"))
            } else {
                revision(response.header)
            }
        }
        Plan::Delete { key, generation } => {
            let request =
                DeleteRangeRequest { key: key.clone().into(), prev_kv: true, ..Default::default() };
            let response = kv.delete_range(request).await?.into_inner();
            let found: Vec<_> = response.prev_kvs.iter().map(|kv| lossy(&kv.value)).collect();
            if response.deleted != 1 || found != [value(key, *generation)] {
                Err(format!("delete {key} at generation {generation}: {response:?}"))
            } else {
                revision(response.header)
            }
        }
    })
}

/// What a key held from a revision on.
#[derive(Debug)]
struct Event {
    /// `None`: deleted.
    value: Option<String>,
    /// Unknown only for a delete that was in flight at a kill and landed.
    revision: Option<i64>,
    /// Whether reading the key at `revision` has been checked already.
    checked: bool,
}

/// Everything the test knows the member must keep.
#[derive(Debug)]
struct Model {
    seed: u64,
    /// Picks the older writes each restart reads again.
    rng: Prng,
    /// Each key's history, oldest first.
    keys: BTreeMap<String, Vec<Event>>,
    /// The request each known revision belongs to.
    revisions: HashMap<i64, String>,
    /// Writes in flight at the last kill: whether they landed is found out
    /// after the restart.
    in_flight: Vec<Write>,
    acked: u64,
    txns: u64,
    deletes: u64,
    landed: u64,
    lost: u64,
    /// Reads at a past revision so far.
    reads: u64,
}

/// What a key holds now: its value and mod revision.
type Observed = BTreeMap<String, (String, i64)>;

impl Model {
    fn new(seed: u64) -> Self {
        Self {
            seed,
            rng: Prng(seed ^ 0xC4EC),
            keys: BTreeMap::new(),
            revisions: HashMap::new(),
            in_flight: Vec::new(),
            acked: 0,
            txns: 0,
            deletes: 0,
            landed: 0,
            lost: 0,
            reads: 0,
        }
    }

    #[track_caller]
    fn fail(&self, message: impl std::fmt::Display) -> ! {
        let seed = self.seed;
        panic!("{message}\n(seed {seed}: replay with KEELSON_CRASH_SEED={seed})")
    }

    /// The value `key` holds according to what is known.
    fn latest(&self, key: &str) -> Option<&String> {
        self.keys.get(key).and_then(|events| events.last()).and_then(|event| event.value.as_ref())
    }

    /// Adds a write the member made: acknowledged, or found after a kill.
    fn add(&mut self, write: &Write, revision: Option<i64>) {
        if let Some(revision) = revision
            && let Some(other) = self.revisions.insert(revision, write.request.clone())
        {
            self.fail(format!(
                "revision {revision} was given to two requests: {other} and {}",
                write.request
            ));
        }
        for (key, value) in &write.changes {
            let events = self.keys.entry(key.clone()).or_default();
            let before = events.iter().rev().find_map(|event| event.revision);
            if let (Some(before), Some(revision)) = (before, revision)
                && before >= revision
            {
                let request = &write.request;
                self.fail(format!(
                    "{request} wrote {key} at {revision}, after a write at {before}"
                ));
            }
            events.push(Event { value: value.clone(), revision, checked: false });
        }
    }

    /// Adds what the writers of a round did; `floor` is the revision the
    /// member had when the round started.
    fn record(&mut self, floor: i64, logs: Vec<WriterLog>) {
        for log in logs {
            let mut last = floor;
            for acked in &log.acked {
                if acked.revision <= last {
                    self.fail(format!(
                        "{} was acknowledged at revision {}, not after {last} (the member's \
                         revision at start, or the writer's previous write)",
                        acked.write.request, acked.revision
                    ));
                }
                last = acked.revision;
                self.add(&acked.write, Some(acked.revision));
            }
            self.acked += log.acked.len() as u64;
            self.txns += log.txns;
            self.deletes += log.deletes;
            self.in_flight.extend(log.in_flight);
        }
    }

    /// Checks a freshly started member against everything known, after
    /// finding out which writes in flight at the kill landed; `everything`
    /// reads every write at its revision, not only the new ones and a
    /// sample. Returns the member's revision.
    async fn verify(&mut self, member: &Member, everything: bool) -> i64 {
        let mut clients = member.connect().await;
        let request =
            RangeRequest { key: PREFIX.into(), range_end: PREFIX_END.into(), ..Default::default() };
        let response = tokio::time::timeout(DEADLINE, clients[0].range(request))
            .await
            .expect("the range answers in time")
            .expect("range of every key")
            .into_inner();
        let current = revision(response.header).unwrap_or_else(|error| self.fail(error));
        let observed: Observed = response
            .kvs
            .into_iter()
            .map(|kv| {
                let key = String::from_utf8(kv.key).expect("UTF-8 key");
                (key, (String::from_utf8_lossy(&kv.value).into_owned(), kv.mod_revision))
            })
            .collect();

        self.resolve_in_flight(&observed);
        self.check_latest(&observed);
        if let Some(highest) = self.revisions.keys().max()
            && *highest > current
        {
            self.fail(format!(
                "the member is at revision {current}, but {highest} was acknowledged"
            ));
        }
        self.check_history(&mut clients, everything).await;
        current
    }

    /// Finds out, for each write in flight at the last kill, whether it
    /// landed — all of it or none of it — and adds those that did.
    fn resolve_in_flight(&mut self, observed: &Observed) {
        for write in std::mem::take(&mut self.in_flight) {
            let now = |key: &String| observed.get(key).map(|(value, _)| value);
            let landed = write.changes.iter().all(|(key, value)| now(key) == value.as_ref());
            let untouched = write.changes.iter().all(|(key, _)| now(key) == self.latest(key));
            if untouched {
                self.lost += 1;
                continue;
            }
            if !landed {
                let found: Vec<_> = write.changes.iter().map(|(key, _)| (key, now(key))).collect();
                self.fail(format!(
                    "{} (in flight at the kill) was applied in part: it writes {:?}, found {found:?}",
                    write.request, write.changes
                ));
            }
            let mut revisions: Vec<i64> = write
                .changes
                .iter()
                .filter_map(|(key, _)| observed.get(key).map(|(_, revision)| *revision))
                .collect();
            revisions.dedup();
            if revisions.len() > 1 {
                self.fail(format!("{} landed at several revisions: {revisions:?}", write.request));
            }
            self.landed += 1;
            self.add(&write, revisions.first().copied());
        }
    }

    /// Each key holds what its last known write left, and no other key
    /// exists.
    fn check_latest(&self, observed: &Observed) {
        for (key, events) in &self.keys {
            let expected = events.last().expect("a key has events");
            match (&expected.value, observed.get(key)) {
                (None, None) => {}
                (Some(value), Some((found, revision)))
                    if found == value && expected.revision.is_none_or(|r| r == *revision) => {}
                (_, found) => self.fail(format!(
                    "{key} holds {found:?} (value, mod revision), expected {:?} at {:?}",
                    expected.value, expected.revision
                )),
            }
        }
        if let Some((key, found)) = observed.iter().find(|(key, _)| !self.keys.contains_key(*key)) {
            self.fail(format!("{key} holds {found:?}, but it was never written"));
        }
    }

    /// Reading a key at the revision of a write gives what that write
    /// left: for every write if `everything`, else for those not checked
    /// so yet and [`RECHECKS`] older ones picked at random.
    async fn check_history(&mut self, clients: &mut [KvClient<Channel>], everything: bool) {
        let events = self.keys.values().flatten().filter(|event| event.revision.is_some());
        let older = events.filter(|event| event.checked).count() as u64;
        let mut checks: Vec<Vec<(String, i64, Option<String>)>> = vec![Vec::new(); clients.len()];
        let mut picked = 0;
        for (key, events) in &mut self.keys {
            for event in events {
                let Some(revision) = event.revision else { continue };
                if everything || !event.checked || self.rng.below(older) < RECHECKS {
                    event.checked = true;
                    checks[picked % clients.len()].push((
                        key.clone(),
                        revision,
                        event.value.clone(),
                    ));
                    picked += 1;
                }
            }
        }
        self.reads += picked as u64;
        let tasks: Vec<_> = clients
            .iter()
            .cloned()
            .zip(checks)
            .map(|(mut kv, checks)| {
                tokio::spawn(async move {
                    for (key, revision, value) in checks {
                        let request =
                            RangeRequest { key: key.clone().into(), revision, ..Default::default() };
                        let response = match tokio::time::timeout(DEADLINE, kv.range(request)).await {
                            Ok(Ok(response)) => response.into_inner(),
                            Ok(Err(status)) => return Err(format!("range {key} at {revision}: {status}")),
                            Err(_) => return Err(format!("range {key} at {revision}: no answer")),
                        };
                        let found: Vec<_> = response
                            .kvs
                            .iter()
                            .map(|kv| (String::from_utf8_lossy(&kv.value).into_owned(), kv.mod_revision))
                            .collect();
                        let expected: Vec<_> = value.iter().map(|value| (value.clone(), revision)).collect();
                        if found != expected {
                            return Err(format!(
                                "{key} at revision {revision} reads {found:?} (value, mod revision), \
                                 expected {expected:?}"
                            ));
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for task in tasks {
            if let Err(error) = task.await.expect("a check task") {
                self.fail(error);
            }
        }
    }
}

/// Runs one round's writers against `member` and kills it after
/// `kill_after` acknowledgements, while they are still writing.
async fn crash(member: &mut Member, number: u64, kill_after: u64, seed: u64) -> Vec<WriterLog> {
    let round = Arc::new(Round {
        number,
        acknowledged: AtomicU64::new(0),
        kill_after,
        wake: Notify::new(),
        killing: AtomicBool::new(false),
    });
    let clients = member.connect().await;
    let writers: Vec<_> = (0..WRITERS)
        .map(|index| {
            let writer = Writer {
                index,
                kv: clients[index as usize % clients.len()].clone(),
                rng: Prng(seed ^ (number << 32) ^ (index << 16) ^ 0x5EED),
                round: Arc::clone(&round),
                sent: 0,
                created: 0,
                live: Vec::new(),
                deleted: Vec::new(),
            };
            tokio::spawn(writer.run())
        })
        .collect();
    drop(clients);
    let woken = tokio::time::timeout(DEADLINE, round.wake.notified()).await;
    round.killing.store(true, Ordering::SeqCst);
    member.kill().await;
    assert!(
        woken.is_ok(),
        "round {number}: {kill_after} writes not acknowledged within {DEADLINE:?} (seed {seed})"
    );
    let mut logs = Vec::with_capacity(writers.len());
    for writer in writers {
        let log = tokio::time::timeout(DEADLINE, writer)
            .await
            .expect("writers stop once the member is gone")
            .expect("a writer task");
        if let Some(error) = &log.error {
            panic!(
                "round {number}: {error}\n(seed {seed}: replay with KEELSON_CRASH_SEED={seed})\n\
                 member's stderr:\n{}",
                member.stderr()
            );
        }
        logs.push(log);
    }
    logs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_at_their_revisions() {
    let seed = seed();
    println!("crash test seed: {seed} (replay with KEELSON_CRASH_SEED={seed})");
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("member");
    let mut rng = Prng(seed);
    let mut model = Model::new(seed);

    for number in 0..ROUNDS {
        let mut member = Member::start(&data_dir);
        let floor = model.verify(&member, false).await;
        let kill_after = KILL_AFTER.0 + rng.below(KILL_AFTER.1 - KILL_AFTER.0 + 1);
        let logs = crash(&mut member, number, kill_after, seed).await;
        let acked: usize = logs.iter().map(|log| log.acked.len()).sum();
        assert!(acked as u64 >= kill_after, "round {number}: the kill came early");
        model.record(floor, logs);
    }
    // The last round's writes, checked after one more restart.
    let member = Member::start(&data_dir);
    let current = model.verify(&member, true).await;

    println!(
        "{ROUNDS} kills; {} writes acknowledged ({} transactions, {} deletes) over {} keys, up \
         to revision {current}; of the writes in flight at a kill, {} landed and {} did not; \
         {} reads at a past revision",
        model.acked,
        model.txns,
        model.deletes,
        model.keys.len(),
        model.landed,
        model.lost,
        model.reads
    );
    assert!(model.txns > 0 && model.deletes > 0, "every kind of write was tried");
}
