//! Shared by the tests that run the `keelson` binary: a `keelson store`
//! member as a child process.
//!
//! [`Member::start`] runs `keelson store` on a data directory and a
//! loopback port the system picks, and returns once the member has printed
//! its ready line, `store ready on URL`, on stdout. Its stderr is collected
//! as it comes, for assertions and failure messages. Dropping a [`Member`]
//! kills the process (SIGKILL) and reaps it, so a test that fails midway
//! leaves nothing running.
//!
//! To start one differently, take [`Member::command`], add flags,
//! environment variables or another stdin to it, and hand it to
//! [`Member::spawn`]; [`Member::start_with`] does that for flags.
//!
//! What only one test file does with a member (its clients, SIGTERM,
//! waiting for the exit) lives in that file, in an `impl Member` block of
//! its own, so that every test crate uses all of this module.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// How long a member may take to print its ready line.
const START_DEADLINE: Duration = Duration::from_secs(30);

/// A running `keelson store` child, killed when dropped.
pub(crate) struct Member {
    /// The `keelson store` process.
    pub(crate) child: Child,
    /// The URL from its ready line, `http://127.0.0.1:PORT`.
    pub(crate) url: String,
    /// Everything it logged so far, appended by a reader thread.
    stderr: Arc<Mutex<String>>,
}

impl Member {
    /// Starts a member on `data_dir` and waits for its ready line.
    pub(crate) fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[])
    }

    /// [`start`](Member::start) with more flags.
    pub(crate) fn start_with(data_dir: &Path, flags: &[&str]) -> Self {
        let mut command = Self::command(data_dir);
        command.args(flags);
        Self::spawn(command)
    }

    /// What [`start`](Member::start) runs: `keelson store --data-dir
    /// DATA_DIR --listen-client-urls http://127.0.0.1:0`, with
    /// `RUST_LOG=info` and stdin from `/dev/null`.
    pub(crate) fn command(data_dir: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_keelson"));
        command
            .arg("store")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen-client-urls", "http://127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null());
        command
    }

    /// Runs `command` (a [`command`](Member::command), changed or not) and
    /// waits, within [`START_DEADLINE`], for the ready line, which must be
    /// the first line on stdout and give a loopback URL with a real port.
    ///
    /// Its stdout and stderr are always piped, whatever `command` said.
    /// Panics, with what the member logged, if it does not get ready.
    pub(crate) fn spawn(mut command: Command) -> Self {
        let mut child =
            command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("keelson starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut stream = child.stderr.take().expect("piped stderr");
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buffer = [0; 4096];
            while let Ok(read @ 1..) = stream.read(&mut buffer) {
                collected.lock().unwrap().push_str(&String::from_utf8_lossy(&buffer[..read]));
            }
        });
        let received = lines(child.stdout.take().expect("piped stdout"));
        let mut member = Self { child, url: String::new(), stderr };
        let ready = received.recv_timeout(START_DEADLINE).unwrap_or_else(|error| {
            panic!("no ready line ({error}); stderr:\n{}", member.stderr())
        });
        let url = ready.strip_prefix("store ready on ").unwrap_or_else(|| {
            panic!("unexpected first line {ready:?}; stderr:\n{}", member.stderr())
        });
        assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"), "{url}");
        member.url = url.to_owned();
        member
    }

    /// Everything the member has logged so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `stream`, read on a thread of its own until the stream ends
/// or the receiver is dropped.
pub(crate) fn lines(stream: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}
