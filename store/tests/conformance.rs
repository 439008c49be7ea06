//! The [`Store`] conformance suite against:
//!
//! - `embedded`: a Keelson store member in memory, used in-process as an
//!   `EmbeddedStore`, one per case;
//! - `keelson`: [`RemoteStore`] talking to a Keelson store server started
//!   in-process on loopback, in memory, one per case;
//! - `etcd`: [`RemoteStore`] talking to a real etcd (`/usr/bin/etcd`,
//!   Debian's `etcd-server`) started on loopback with a temporary data
//!   directory, one per case; each case prints why it skips when the
//!   binary is absent.
//!
//! All run with their default limits, and send watch progress
//! notifications every [`PROGRESS_NOTIFY_INTERVAL`], well within what the
//! progress case waits.
//!
//! [`Store`]: keelson_store::store::Store

use std::fs::File;
use std::net::TcpListener;
use std::ops::Deref;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use keelson_store::client::RemoteStore;
use keelson_store::pb::etcdserverpb::RangeRequest;
use keelson_store::server::{self, EmbeddedStore, Server};
use keelson_store::store::Store;
use keelson_store::watch;
use tokio::sync::oneshot;

/// A Keelson store server serving in a task, and a client of it; dropping
/// it shuts the server down.
struct Keelson {
    store: RemoteStore,
    _stop: oneshot::Sender<()>,
}

impl Deref for Keelson {
    type Target = RemoteStore;

    fn deref(&self) -> &RemoteStore {
        &self.store
    }
}

/// How often both stores send watch progress notifications.
const PROGRESS_NOTIFY_INTERVAL: Duration = Duration::from_millis(200);

async fn keelson() -> Option<Keelson> {
    let watch = watch::Config::default().progress_notify_interval(PROGRESS_NOTIFY_INTERVAL);
    let config = server::Config::default().watch(watch);
    let server = Server::new(config).expect("an in-memory server starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    let store = RemoteStore::connect(format!("http://{address}")).await.expect("connects");
    Some(Keelson { store, _stop: stop })
}

mod keelson {
    keelson_store::conformance_tests!(super::keelson);
}

/// A Keelson store member used in-process, with no network hop; dropping it
/// stops the member.
struct Embedded {
    store: EmbeddedStore,
    _server: Server,
}

impl Deref for Embedded {
    type Target = EmbeddedStore;

    fn deref(&self) -> &EmbeddedStore {
        &self.store
    }
}

async fn embedded() -> Option<Embedded> {
    let watch = watch::Config::default().progress_notify_interval(PROGRESS_NOTIFY_INTERVAL);
    let server = Server::new(server::Config::default().watch(watch)).expect("a member starts");
    Some(Embedded { store: server.embedded(), _server: server })
}

mod embedded {
    keelson_store::conformance_tests!(super::embedded);
}

/// Where Debian's `etcd-server` puts etcd.
const ETCD: &str = "/usr/bin/etcd";

/// How long etcd may take to start answering.
const ETCD_START_DEADLINE: Duration = Duration::from_secs(30);

/// A real etcd child process and a client of it; dropping it kills etcd
/// and removes its data directory.
struct Etcd {
    store: RemoteStore,
    _process: EtcdProcess,
}

/// Kills the child on drop, before the data directory goes.
struct EtcdProcess {
    child: Child,
    dir: tempfile::TempDir,
}

impl EtcdProcess {
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("etcd.log")).unwrap_or_default()
    }
}

impl Drop for EtcdProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Deref for Etcd {
    type Target = RemoteStore;

    fn deref(&self) -> &RemoteStore {
        &self.store
    }
}

/// Two loopback ports that were free a moment ago.
fn free_ports() -> (u16, u16) {
    let first = TcpListener::bind("127.0.0.1:0").unwrap();
    let second = TcpListener::bind("127.0.0.1:0").unwrap();
    (first.local_addr().unwrap().port(), second.local_addr().unwrap().port())
}

async fn etcd() -> Option<Etcd> {
    if !Path::new(ETCD).exists() {
        println!("skipping: {ETCD} not found (install etcd-server)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let (client_port, peer_port) = free_ports();
    let client = format!("http://127.0.0.1:{client_port}");
    let peer = format!("http://127.0.0.1:{peer_port}");
    let log = File::create(dir.path().join("etcd.log")).unwrap();
    let mut command = Command::new(ETCD);
    command
        .arg("--name=conformance")
        .arg(format!("--data-dir={}", dir.path().join("data").display()))
        .arg(format!("--listen-client-urls={client}"))
        .arg(format!("--advertise-client-urls={client}"))
        .arg(format!("--listen-peer-urls={peer}"))
        .arg(format!("--initial-advertise-peer-urls={peer}"))
        .arg(format!("--initial-cluster=conformance={peer}"))
        .arg(format!(
            "--experimental-watch-progress-notify-interval={}ms",
            PROGRESS_NOTIFY_INTERVAL.as_millis()
        ))
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    if std::env::consts::ARCH == "aarch64" {
        // etcd 3.4 refuses to start on arm64 unless told it is on purpose.
        command.env("ETCD_UNSUPPORTED_ARCH", "arm64");
    }
    let child = command.spawn().expect("etcd starts");
    let mut process = EtcdProcess { child, dir };

    // Ready once it answers a read; polled until a deadline.
    let deadline = Instant::now() + ETCD_START_DEADLINE;
    loop {
        if let Ok(store) = RemoteStore::connect(client.clone()).await {
            let probe = RangeRequest { key: b"ready".to_vec(), ..RangeRequest::default() };
            if store.range(probe).await.is_ok() {
                return Some(Etcd { store, _process: process });
            }
        }
        if let Some(status) = process.child.try_wait().unwrap() {
            panic!("etcd exited with {status} before answering; its log:\n{}", process.log());
        }
        assert!(
            Instant::now() < deadline,
            "etcd did not answer within {ETCD_START_DEADLINE:?}; its log:\n{}",
            process.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

mod etcd {
    keelson_store::conformance_tests!(super::etcd);
}
