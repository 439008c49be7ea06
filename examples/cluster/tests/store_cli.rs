//! `keelson store` as a process: it serves the etcd v3 protocol on the URL
//! it is given, says when it is ready, shuts down gracefully on SIGTERM,
//! keeps its data in `--data-dir` across restarts, enforces
//! `--quota-backend-bytes` with a NOSPACE alarm that survives a restart,
//! and refuses wrong flags with the configuration's own messages.

mod support;

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use keelson_store::pb::etcdserverpb::maintenance_client::MaintenanceClient;
use keelson_store::pb::etcdserverpb::{
    AlarmMember, AlarmRequest, AlarmType, PutRequest, RangeRequest, StatusRequest,
};

use support::Member;

/// How long a member may take to stop, and a stalled shutdown to begin.
const DEADLINE: Duration = Duration::from_secs(30);

// What these tests do with a member, beyond starting and reading it.
impl Member {
    async fn kv(&self) -> KvClient<tonic::transport::Channel> {
        KvClient::connect(self.url.clone()).await.expect("the member accepts clients")
    }

    async fn maintenance(&self) -> MaintenanceClient<tonic::transport::Channel> {
        MaintenanceClient::connect(self.url.clone()).await.expect("the member accepts clients")
    }

    /// Sends SIGTERM (through `kill(1)`: this crate has no unsafe code).
    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Waits for the process to exit, within [`DEADLINE`], without
    /// blocking the runtime (whose tasks run the clients' connections).
    async fn wait(&mut self) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for keelson") {
                return status;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "keelson did not exit; stderr:\n{}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn put(kv: &mut KvClient<tonic::transport::Channel>, key: &str, value: &str) -> i64 {
    let request = PutRequest { key: key.into(), value: value.into(), ..Default::default() };
    let response = kv.put(request).await.expect("put").into_inner();
    response.header.expect("a header").revision
}

/// The value and mod revision of `key`, if it exists.
async fn get(kv: &mut KvClient<tonic::transport::Channel>, key: &str) -> Option<(String, i64)> {
    let request = RangeRequest { key: key.into(), ..Default::default() };
    let response = kv.range(request).await.expect("range").into_inner();
    response
        .kvs
        .first()
        .map(|kv| (String::from_utf8_lossy(&kv.value).into_owned(), kv.mod_revision))
}

#[tokio::test]
async fn serves_shuts_down_on_sigterm_and_keeps_its_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("member");

    let mut member = Member::start(&data_dir);
    let mut kv = member.kv().await;
    assert_eq!(put(&mut kv, "/greeting", "hello").await, 2);
    assert_eq!(get(&mut kv, "/greeting").await, Some(("hello".into(), 2)));
    // The client stays connected: the member asks it to go away.
    member.terminate();
    let status = member.wait().await;
    let stderr = member.stderr();
    assert!(status.success(), "graceful shutdown exits 0, got {status}; stderr:\n{stderr}");
    assert!(stderr.contains("SIGTERM received, shutting down gracefully"), "{stderr}");
    assert!(stderr.contains("store stopped"), "{stderr}");
    assert!(data_dir.join("store.redb").is_file());

    // Same directory, new process (and port): the key is there, and writes
    // go on from the revision it reached.
    let mut member = Member::start(&data_dir);
    let mut kv = member.kv().await;
    assert_eq!(get(&mut kv, "/greeting").await, Some(("hello".into(), 2)));
    assert_eq!(put(&mut kv, "/second", "after restart").await, 3);

    // An acknowledged write survives SIGKILL too.
    member.child.kill().expect("SIGKILL");
    assert!(!member.wait().await.success());
    let member = Member::start(&data_dir);
    let mut kv = member.kv().await;
    assert_eq!(get(&mut kv, "/greeting").await, Some(("hello".into(), 2)));
    assert_eq!(get(&mut kv, "/second").await, Some(("after restart".into(), 3)));
}

#[tokio::test]
async fn a_second_sigterm_ends_a_shutdown_held_up_by_a_stalled_client() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut member = Member::start(dir.path());
    // A client that opens an HTTP/2 connection and then says nothing more
    // holds the graceful shutdown, which waits for every connection. The
    // server's SETTINGS frame shows that it has taken the connection on.
    let address = member.url.strip_prefix("http://").expect("an http URL");
    let mut stalled = std::net::TcpStream::connect(address).expect("connect");
    stalled.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").expect("preface");
    stalled.set_read_timeout(Some(DEADLINE)).expect("read timeout");
    let mut frame_header = [0; 9];
    stalled.read_exact(&mut frame_header).expect("the server's SETTINGS frame");
    assert_eq!(frame_header[3], 0x4, "a SETTINGS frame: {frame_header:?}");

    member.terminate();
    let started = Instant::now();
    while !member.stderr().contains("SIGTERM received, shutting down gracefully") {
        assert!(started.elapsed() < DEADLINE, "no shutdown:\n{}", member.stderr());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    member.terminate();
    let status = member.wait().await;
    let stderr = member.stderr();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "error: SIGTERM received again: exiting before the graceful shutdown finished"
        ),
        "{stderr}"
    );
    drop(stalled);
}

#[tokio::test]
async fn the_quota_flag_raises_an_alarm_that_outlives_the_process() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data_dir = dir.path().join("member");
    let quota = ["--quota-backend-bytes", "300000"];

    let mut member = Member::start_with(&data_dir, &quota);
    let mut kv = member.kv().await;
    let mut refused = None;
    for i in 0..2_000 {
        let put =
            PutRequest { key: format!("k{i}").into(), value: vec![0; 4096], ..Default::default() };
        if let Err(status) = kv.put(put).await {
            refused = Some(status);
            break;
        }
    }
    let refused = refused.expect("the quota refuses a put");
    assert_eq!(
        (refused.code(), refused.message()),
        (tonic::Code::ResourceExhausted, "etcdserver: mvcc: database space exceeded")
    );
    let mut maintenance = member.maintenance().await;
    let status = maintenance.status(StatusRequest {}).await.expect("status").into_inner();
    assert_eq!(status.db_size_quota, 300_000);
    let member_id = status.header.expect("a header").member_id;
    let nospace = AlarmMember { member_id, alarm: AlarmType::Nospace as i32 };
    assert_eq!(status.errors, [format!("memberID:{member_id} alarm:NOSPACE ")]);
    drop((kv, maintenance));
    member.terminate();
    assert!(member.wait().await.success(), "stderr:\n{}", member.stderr());

    // Without a quota, the alarm raised before still refuses writes.
    let member = Member::start_with(&data_dir, &["--quota-backend-bytes=-1"]);
    let mut kv = member.kv().await;
    let mut maintenance = member.maintenance().await;
    let list = maintenance.alarm(AlarmRequest::default()).await.expect("alarm list");
    assert_eq!(list.into_inner().alarms, [nospace]);
    let tiny = PutRequest { key: b"tiny".to_vec(), ..Default::default() };
    assert_eq!(kv.put(tiny.clone()).await.unwrap_err().code(), tonic::Code::ResourceExhausted);
    let disarm = AlarmRequest { action: 2, member_id, alarm: AlarmType::Nospace as i32 };
    maintenance.alarm(disarm).await.expect("alarm disarm");
    kv.put(tiny).await.expect("writes work once disarmed");
}

/// Runs `keelson store` with `flags`, expecting it to refuse them at once.
fn refused(flags: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_keelson"))
        .arg("store")
        .args(flags)
        .stdin(Stdio::null())
        .output()
        .expect("keelson runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{flags:?} was accepted; stderr:\n{stderr}");
    assert_eq!(output.status.code(), Some(1), "{flags:?}; stderr:\n{stderr}");
    assert!(output.stdout.is_empty(), "{flags:?} printed {:?}", output.stdout);
    stderr
}

#[test]
fn wrong_flags_exit_non_zero_with_the_validation_message() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--max-txn-ops", "0"],
            "error: invalid store server configuration: invalid store limits: \
             max_txn_ops must be at least 1",
        ),
        (
            &["--max-request-bytes", "0"],
            "error: invalid store server configuration: invalid store limits: \
             max_request_bytes must be at least 1",
        ),
        (
            &["--listen-client-urls", "https://127.0.0.1:2379"],
            "error: --listen-client-urls: \"https://127.0.0.1:2379\" is https://, but TLS is \
             not supported yet; use an http:// URL",
        ),
        (
            &["--listen-client-urls", "localhost:2379"],
            "error: --listen-client-urls: \"localhost:2379\" is not an http:// URL \
             (http://HOST:PORT)",
        ),
        (
            &["--listen-client-urls", "http://127.0.0.1:0", "--advertise-client-urls", "m1:2379"],
            "error: invalid store server configuration: client_urls: \"m1:2379\" is not an \
             http:// or https:// URL with a host",
        ),
        (
            &["--listen-client-urls", "http://127.0.0.1:0", "--name", ""],
            "error: invalid store server configuration: name must not be empty",
        ),
    ];
    for (flags, message) in cases {
        let stderr = refused(flags);
        assert!(stderr.contains(message), "{flags:?}: expected {message:?} in:\n{stderr}");
    }
}

#[test]
fn flags_clap_cannot_parse_are_refused_by_clap() {
    let output = Command::new(env!("CARGO_BIN_EXE_keelson"))
        .args(["store", "--max-txn-ops", "many"])
        .output()
        .expect("keelson runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("invalid value 'many' for '--max-txn-ops <N>'"), "{stderr}");
    let output = Command::new(env!("CARGO_BIN_EXE_keelson"))
        .args(["store", "--quota-backend-bytes", "2GiB"])
        .output()
        .expect("keelson runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid value '2GiB' for '--quota-backend-bytes <BYTES>'"),
        "{stderr}"
    );
}

#[test]
fn help_explains_every_flag() {
    let output = Command::new(env!("CARGO_BIN_EXE_keelson"))
        .args(["store", "--help"])
        .output()
        .expect("keelson runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--name <NAME>",
        "--data-dir <DIR>",
        "--listen-client-urls <URL>",
        "--advertise-client-urls <URLS>",
        "--initial-advertise-peer-urls <URLS>",
        "--initial-cluster-token <TOKEN>",
        "--max-request-bytes <BYTES>",
        "--max-txn-ops <N>",
        "--quota-backend-bytes <BYTES>",
    ] {
        let line = help.lines().position(|line| line.trim_start().starts_with(flag));
        let line = line.unwrap_or_else(|| panic!("{flag} missing from:\n{help}"));
        let explanation = help.lines().nth(line + 1).unwrap_or_default().trim();
        assert!(explanation.len() > 20, "{flag} is not explained:\n{help}");
    }
}
