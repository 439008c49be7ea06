//! The servers under test: a Keelson store member or an etcd, each in a
//! child process with a fresh data directory, on 127.0.0.1.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use keelson_store::pb::etcdserverpb::RangeRequest;
use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use tempfile::TempDir;

use super::client;
use super::member::READY;

/// How long a server may take to answer its first Range.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a Keelson member may take to shut down gracefully once asked.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Which store a server is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum System {
    /// A Keelson store member (this binary's `store-member`).
    Keelson,
    /// A real etcd.
    Etcd,
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Keelson => "Keelson",
            Self::Etcd => "etcd",
        })
    }
}

/// A running server. Dropping it stops the process and removes its data.
#[derive(Debug)]
pub(crate) struct Server {
    system: System,
    child: Child,
    /// The Keelson member's stdin: closing it shuts the member down.
    stdin: Option<ChildStdin>,
    url: String,
    /// The data directory and the log; removed after the process stopped.
    dir: TempDir,
}

impl Server {
    /// Starts a Keelson member by running this binary's `store-member`
    /// (under `wrapper`, if any), and waits until it answers a Range.
    pub(crate) async fn keelson(wrapper: Option<&Path>) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("keelson-bench-").tempdir()?;
        let exe = std::env::current_exe().context("cannot find the harness's own binary")?;
        let mut command = match wrapper {
            Some(wrapper) => {
                let mut command = Command::new(wrapper);
                command.arg(exe);
                command
            }
            None => Command::new(exe),
        };
        let mut child = command
            .arg("store-member")
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log_file(dir.path())?)
            .spawn()
            .context("cannot start a Keelson store member")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no stdout")?;
        // Reading the ready line blocks; the member prints it or exits.
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).map(|_| line)
        })
        .await??;
        let mut server = Self { system: System::Keelson, child, stdin, url: String::new(), dir };
        let Some(url) = line.trim().strip_prefix(READY) else {
            bail!("the Keelson member did not start: {}", server.log_tail());
        };
        server.url = url.to_owned();
        server.wait_ready().await?;
        Ok(server)
    }

    /// Starts `etcd` (the binary at `path`) as a one-member cluster on free
    /// ports of 127.0.0.1, and waits until it answers a Range.
    pub(crate) async fn etcd(path: &Path) -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("etcd-bench-").tempdir()?;
        let client_url = format!("http://127.0.0.1:{}", free_port()?);
        let peer_url = format!("http://127.0.0.1:{}", free_port()?);
        let child = Command::new(path)
            .args(["--name", "default", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--listen-client-urls", &client_url, "--advertise-client-urls", &client_url])
            .args(["--listen-peer-urls", &peer_url, "--initial-advertise-peer-urls", &peer_url])
            .args(["--initial-cluster", &format!("default={peer_url}")])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file(dir.path())?)
            .spawn()
            .with_context(|| format!("cannot start {}", path.display()))?;
        let mut server = Self { system: System::Etcd, child, stdin: None, url: client_url, dir };
        server.wait_ready().await?;
        Ok(server)
    }

    /// Which store this is.
    pub(crate) fn system(&self) -> System {
        self.system
    }

    /// The client URL: `http://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The resident set size of the server's process, in bytes.
    pub(crate) fn rss_bytes(&self) -> anyhow::Result<u64> {
        let path = format!("/proc/{}/status", self.child.id());
        let status =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
        parse_vm_rss(&status).with_context(|| format!("no VmRSS in {path}"))
    }

    /// Polls with a Range until one succeeds, the process exits, or the
    /// deadline passes.
    async fn wait_ready(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("{} exited with {status} while starting: {}", self.system, self.log_tail());
            }
            if self.answers_range().await {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} did not answer within {START_TIMEOUT:?}: {}",
                    self.system,
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn answers_range(&self) -> bool {
        let Ok(channel) = client::connect(&self.url).await else { return false };
        let request = RangeRequest { key: b"/bench/ready".to_vec(), ..Default::default() };
        KvClient::new(channel).range(request).await.is_ok()
    }

    /// The last lines of the server's log, for error messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(10)..].join("\n");
        if tail.is_empty() {
            "(its log is empty)".to_owned()
        } else {
            format!("its log ends:\n{tail}")
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A Keelson member stops gracefully when its stdin closes; etcd,
        // whose data is thrown away, is killed.
        if self.stdin.take().is_some() {
            let deadline = Instant::now() + STOP_TIMEOUT;
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The file that takes the server's stderr.
fn log_file(dir: &Path) -> anyhow::Result<File> {
    let path: PathBuf = dir.join("server.log");
    File::create(&path).with_context(|| format!("cannot create {}", path.display()))
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// The `VmRSS` line of a `/proc/PID/status` file, in bytes.
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?;
    let kib = line.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
    Some(kib * 1024)
}

/// The version `etcd --version` reports, such as `3.4.23`.
pub(crate) fn etcd_version(path: &Path) -> Option<String> {
    let output = Command::new(path).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.lines().find_map(|line| line.strip_prefix("etcd Version:"))?;
    Some(version.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vm_rss_is_read_in_bytes() {
        let status = "Name:\tetcd\nVmPeak:\t  99999 kB\nVmRSS:\t   51200 kB\nRssAnon:\t 1 kB\n";
        assert_eq!(parse_vm_rss(status), Some(51200 * 1024));
        assert_eq!(parse_vm_rss("Name:\tkthreadd\n"), None);
        assert_eq!(parse_vm_rss("VmRSS:\tlots\n"), None);
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        assert!(parse_vm_rss(&status).unwrap() > 0);
    }
}
