//! A real etcd for the tests that hold Keelson to etcd's answers.
//!
//! [`Etcd::start`] runs `/usr/bin/etcd` (Debian's `etcd-server`) as a
//! single-member cluster on two loopback ports that were free a moment
//! before, with a temporary data directory, and returns once it answers a
//! read. When the binary is absent it prints why and returns `None`, and the
//! test checks nothing. Dropping the [`Etcd`] kills the process, then
//! removes the directory.

use std::fs::File;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use keelson_store::pb::etcdserverpb::RangeRequest;
use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use tonic::transport::Channel;

/// Where Debian's `etcd-server` puts etcd.
const ETCD: &str = "/usr/bin/etcd";

/// How long etcd may take to start answering.
const START_DEADLINE: Duration = Duration::from_secs(30);

/// A running etcd child process.
pub(crate) struct Etcd {
    /// Its client URL, `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    child: Child,
    /// Holds its data directory and `etcd.log`; removed after the child is
    /// gone (fields drop after [`Drop::drop`] has killed it).
    dir: tempfile::TempDir,
}

impl Etcd {
    /// Starts etcd as the only member of a cluster, named `name`, with
    /// `flags` after the ones that place it (data directory, client and peer
    /// URLs), and waits until it answers a read.
    ///
    /// Returns `None`, after printing why, when etcd is not installed.
    /// Panics, with etcd's log, if it exits or stays silent for
    /// [`START_DEADLINE`].
    pub(crate) async fn start(name: &str, flags: &[String]) -> Option<Self> {
        if !Path::new(ETCD).exists() {
            println!("skipping: {ETCD} not found (install etcd-server)");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let (client_port, peer_port) = free_ports();
        let url = format!("http://127.0.0.1:{client_port}");
        let peer = format!("http://127.0.0.1:{peer_port}");
        let log = File::create(dir.path().join("etcd.log")).unwrap();
        let mut command = Command::new(ETCD);
        command
            .arg(format!("--name={name}"))
            .arg(format!("--data-dir={}", dir.path().join("data").display()))
            .arg(format!("--listen-client-urls={url}"))
            .arg(format!("--advertise-client-urls={url}"))
            .arg(format!("--listen-peer-urls={peer}"))
            .arg(format!("--initial-advertise-peer-urls={peer}"))
            .arg(format!("--initial-cluster={name}={peer}"))
            .args(flags)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        if std::env::consts::ARCH == "aarch64" {
            // etcd 3.4 refuses to start on arm64 unless told it is on purpose.
            command.env("ETCD_UNSUPPORTED_ARCH", "arm64");
        }
        let child = command.spawn().expect("etcd starts");
        let mut etcd = Self { url, child, dir };

        // Ready once it answers a read; polled until a deadline.
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Ok(channel) = Channel::from_shared(etcd.url.clone()).unwrap().connect().await {
                let probe = RangeRequest { key: b"ready".to_vec(), ..RangeRequest::default() };
                if KvClient::new(channel).range(probe).await.is_ok() {
                    return Some(etcd);
                }
            }
            if let Some(status) = etcd.child.try_wait().unwrap() {
                panic!("etcd exited with {status} before answering; its log:\n{}", etcd.log());
            }
            assert!(
                Instant::now() < deadline,
                "etcd did not answer within {START_DEADLINE:?}; its log:\n{}",
                etcd.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// What etcd has logged so far.
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("etcd.log")).unwrap_or_default()
    }
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two distinct loopback ports that were free a moment ago.
fn free_ports() -> (u16, u16) {
    let first = TcpListener::bind("127.0.0.1:0").unwrap();
    let second = TcpListener::bind("127.0.0.1:0").unwrap();
    (first.local_addr().unwrap().port(), second.local_addr().unwrap().port())
}
