//! The real `etcdctl` (v3 API) against a `keelson store` process: the
//! commands people type — put, get, del, txn, watch, lease, compaction,
//! endpoint status, member list — work unchanged and print what they print
//! against etcd.
//!
//! Each test starts its own member and drives the `etcdctl` found on `PATH`
//! (CI installs etcd 3.4's from Debian); without one, each test says why
//! and passes without checking anything. Every `etcdctl` run has
//! `--command-timeout` and a deadline of its own, so nothing hangs.

mod support;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long one `etcdctl` run may take, beyond its own `--command-timeout`.
const COMMAND_DEADLINE: Duration = Duration::from_secs(20);

/// The `etcdctl` on `PATH`, or `None` after printing why `test` checks
/// nothing.
fn etcdctl_or_skip(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path).map(|dir| dir.join("etcdctl")).find(|file| file.is_file())
    });
    if found.is_none() {
        println!("{test}: skipped, no etcdctl on PATH (install etcd-client to run it)");
    }
    found
}

/// Reads `stream` to its end on a thread of its own.
fn read_all(mut stream: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for `child` to exit within `deadline`, killing it if it does not.
fn wait_for(child: &mut Child, deadline: Duration, what: &dyn Fn() -> String) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            return status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{} did not exit within {deadline:?}", what());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A `keelson store` member on a temporary data directory, and the
/// `etcdctl` that drives it.
struct Member {
    /// Killed when dropped, before the data directory goes.
    keelson: support::Member,
    /// Removed after the member is gone.
    _data_dir: tempfile::TempDir,
    /// The `etcdctl` program.
    program: PathBuf,
}

impl Member {
    /// Starts a member on a port the system picks and waits for its ready
    /// line; or, without an `etcdctl` on `PATH`, returns `None` after
    /// printing why `test` checks nothing.
    fn start(test: &str) -> Option<Self> {
        let program = etcdctl_or_skip(test)?;
        let data_dir = tempfile::tempdir().expect("temp dir");
        let keelson = support::Member::start(data_dir.path());
        Some(Self { keelson, _data_dir: data_dir, program })
    }

    /// The URL from its ready line.
    fn url(&self) -> &str {
        &self.keelson.url
    }

    /// `etcdctl` pointed at this member by its URL, as users write it.
    fn etcdctl(&self) -> Etcdctl {
        Etcdctl { program: self.program.clone(), endpoint: self.url().to_owned() }
    }

    /// `etcdctl` pointed at this member by `HOST:PORT`, without the scheme.
    fn etcdctl_by_address(&self) -> Etcdctl {
        let address = self.url().strip_prefix("http://").expect("an http URL");
        Etcdctl { program: self.program.clone(), endpoint: address.to_owned() }
    }
}

/// What one `etcdctl` run printed.
#[derive(Debug)]
struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// `etcdctl` with the v3 API, talking to one endpoint.
#[derive(Debug)]
struct Etcdctl {
    program: PathBuf,
    endpoint: String,
}

impl Etcdctl {
    /// `etcdctl ARGS` against the endpoint, its stdout and stderr piped.
    fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut command = Command::new(&self.program);
        // Only the flags given here: no endpoints or TLS settings from the
        // environment of whoever runs the tests.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ETCDCTL_") {
                command.env_remove(name);
            }
        }
        command
            .env("ETCDCTL_API", "3")
            .arg("--endpoints")
            .arg(&self.endpoint)
            .args(["--dial-timeout=5s", "--command-timeout=10s"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs `etcdctl ARGS` with `input` on its stdin, within
    /// [`COMMAND_DEADLINE`].
    fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self.command(args).stdin(Stdio::piped()).spawn().expect("etcdctl starts");
        let stdout = read_all(child.stdout.take().expect("piped stdout"));
        let stderr = read_all(child.stderr.take().expect("piped stderr"));
        let mut stdin = child.stdin.take().expect("piped stdin");
        // etcdctl may exit before reading it all; the exit status says why.
        let _ = stdin.write_all(input.as_bytes());
        drop(stdin);
        let status = wait_for(&mut child, COMMAND_DEADLINE, &|| format!("etcdctl {args:?}"));
        Output {
            status,
            stdout: stdout.join().expect("stdout reader"),
            stderr: stderr.join().expect("stderr reader"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, "")
    }

    /// Runs `etcdctl ARGS`, which must succeed, and returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(output.status.success(), "etcdctl {args:?} failed: {output:?}");
        output.stdout
    }

    /// Runs `etcdctl ARGS`, which must fail, and returns its stderr.
    fn fails(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(!output.status.success(), "etcdctl {args:?} succeeded: {output:?}");
        output.stderr
    }

    /// `etcdctl put KEY VALUE`: the revision of the write.
    fn put(&self, key: &str, value: &str) -> i64 {
        let json = self.ok(&["put", key, value, "-w", "json"]);
        json_i64(&json, "revision")
    }

    /// Starts a long-running `etcdctl ARGS` (a watch) whose stdout is read
    /// line by line.
    fn spawn(&self, args: &[&str]) -> Running {
        let mut child = self.command(args).stdin(Stdio::null()).spawn().expect("etcdctl starts");
        let lines = support::lines(child.stdout.take().expect("piped stdout"));
        let stderr = Some(read_all(child.stderr.take().expect("piped stderr")));
        Running { child, lines, stderr }
    }
}

/// A long-running `etcdctl`, killed when dropped.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Option<JoinHandle<String>>,
}

impl Running {
    /// Reads `want.len()` more lines within [`COMMAND_DEADLINE`] and checks
    /// that they are `want`.
    fn expect_lines(&mut self, want: &[&str]) {
        let started = Instant::now();
        let mut got = Vec::new();
        while got.len() < want.len() {
            let left = COMMAND_DEADLINE.saturating_sub(started.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => got.push(line),
                Err(error) => {
                    let stderr = self.stop();
                    panic!("wanted {want:?}, got only {got:?} ({error}); stderr:\n{stderr}");
                }
            }
        }
        assert_eq!(got, want);
    }

    /// Kills the process and returns what it wrote on stderr.
    fn stop(&mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr.take().map(|reader| reader.join().expect("stderr reader")).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The raw value of the first `"name":` field in `json` (etcdctl's JSON is
/// flat enough that the first match is the one wanted, headers first).
fn json_field<'a>(json: &'a str, name: &str) -> &'a str {
    let pattern = format!("\"{name}\":");
    let start = json.find(&pattern).unwrap_or_else(|| panic!("no {name:?} in {json}"));
    let rest = &json[start + pattern.len()..];
    let end = rest.find([',', '}', ']']).unwrap_or(rest.len());
    &rest[..end]
}

fn json_i64(json: &str, name: &str) -> i64 {
    let raw = json_field(json, name);
    raw.parse().unwrap_or_else(|_| panic!("{name} is {raw:?}, not a number, in {json}"))
}

fn json_u64(json: &str, name: &str) -> u64 {
    let raw = json_field(json, name);
    raw.parse().unwrap_or_else(|_| panic!("{name} is {raw:?}, not a number, in {json}"))
}

#[test]
fn put_get_and_del() {
    let Some(member) = Member::start("put_get_and_del") else { return };
    let etcdctl = member.etcdctl();

    assert_eq!(etcdctl.ok(&["put", "a", "first"]), "OK\n");
    let old = etcdctl.put("foo", "bar");
    let new = etcdctl.put("foo", "baz");
    assert_eq!(new, old + 1);
    let last = etcdctl.put("foo2", "x");

    assert_eq!(etcdctl.ok(&["get", "foo"]), "foo\nbaz\n");
    assert_eq!(etcdctl.ok(&["get", "missing"]), "");
    let json = etcdctl.ok(&["get", "foo", "-w", "json"]);
    assert_eq!(json_i64(&json, "revision"), last, "{json}");
    assert_eq!(json_i64(&json, "create_revision"), old, "{json}");
    assert_eq!(json_i64(&json, "mod_revision"), new, "{json}");
    assert_eq!(json_i64(&json, "version"), 2, "{json}");
    assert_eq!(json_i64(&json, "count"), 1, "{json}");

    // An older revision shows the older value.
    assert_eq!(etcdctl.ok(&["get", "foo", &format!("--rev={old}")]), "foo\nbar\n");
    assert_eq!(etcdctl.ok(&["get", "foo2", &format!("--rev={old}")]), "");

    assert_eq!(etcdctl.ok(&["get", "--prefix", "foo"]), "foo\nbaz\nfoo2\nx\n");
    assert_eq!(etcdctl.ok(&["get", "--prefix", "foo", "--keys-only"]), "foo\n\nfoo2\n\n");
    assert_eq!(etcdctl.ok(&["get", "--prefix", "foo", "--limit=1"]), "foo\nbaz\n");
    let json = etcdctl.ok(&["get", "--prefix", "foo", "--limit=1", "-w", "json"]);
    assert_eq!(json_field(&json, "more"), "true", "{json}");
    assert_eq!(json_i64(&json, "count"), 2, "{json}");
    // Every key from "foo" on, in key order: not "a".
    assert_eq!(etcdctl.ok(&["get", "--from-key", "foo"]), "foo\nbaz\nfoo2\nx\n");
    assert_eq!(etcdctl.ok(&["get", "--from-key", "foo2"]), "foo2\nx\n");
    assert_eq!(etcdctl.ok(&["get", "--from-key", ""]), "a\nfirst\nfoo\nbaz\nfoo2\nx\n");

    // `del` prints how many keys it deleted.
    assert_eq!(etcdctl.ok(&["del", "foo2"]), "1\n");
    assert_eq!(etcdctl.ok(&["del", "foo2"]), "0\n");
    etcdctl.put("foo3", "y");
    assert_eq!(etcdctl.ok(&["del", "--prefix", "foo"]), "2\n");
    assert_eq!(etcdctl.ok(&["get", "--prefix", "foo"]), "");
    assert_eq!(etcdctl.ok(&["get", "--from-key", ""]), "a\nfirst\n");
}

#[test]
fn txn_runs_the_branch_its_compares_choose() {
    let Some(member) = Member::start("txn_runs_the_branch_its_compares_choose") else { return };
    let etcdctl = member.etcdctl();
    let revision = etcdctl.put("foo", "v1");

    // Compares, a blank line, success ops, a blank line, failure ops, a
    // blank line.
    let script = format!("mod(\"foo\") = \"{revision}\"\n\nput foo tx\n\nput foo fail\n\n");
    let output = etcdctl.run_with_input(&["txn"], &script);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(output.stdout, "SUCCESS\n\nOK\n");
    assert_eq!(etcdctl.ok(&["get", "foo"]), "foo\ntx\n");

    let script = "value(\"foo\") = \"nope\"\n\nput foo no\n\nput foo failed\nget foo\n\n";
    let output = etcdctl.run_with_input(&["txn"], script);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(output.stdout, "FAILURE\n\nOK\n\nfoo\nfailed\n");

    // Create-if-absent: the first run creates, the second only reads.
    let script = "create(\"lock\") = \"0\"\n\nput lock mine\n\nget lock\n\n";
    let output = etcdctl.run_with_input(&["txn"], script);
    assert_eq!(output.stdout, "SUCCESS\n\nOK\n", "{output:?}");
    let script = "create(\"lock\") = \"0\"\n\nput lock theirs\n\nget lock\n\n";
    let output = etcdctl.run_with_input(&["txn"], script);
    assert_eq!(output.stdout, "FAILURE\n\nlock\nmine\n", "{output:?}");

    // Several compares must all hold; a delete in the success branch.
    let script = "version(\"foo\") > \"2\"\nvalue(\"lock\") = \"mine\"\n\ndel foo\n\nput x y\n\n";
    let output = etcdctl.run_with_input(&["txn"], script);
    assert_eq!(output.stdout, "SUCCESS\n\n1\n", "{output:?}");
    assert_eq!(etcdctl.ok(&["get", "foo"]), "");
    assert_eq!(etcdctl.ok(&["get", "x"]), "");
}

#[test]
fn watch_replays_history_then_follows_live_changes() {
    let Some(member) = Member::start("watch_replays_history_then_follows_live_changes") else {
        return;
    };
    let etcdctl = member.etcdctl();
    etcdctl.put("k/before", "ignored");
    let start = etcdctl.put("k/a", "1");
    etcdctl.put("k/b", "2");
    assert_eq!(etcdctl.ok(&["del", "k/a"]), "1\n");

    let mut watch = etcdctl.spawn(&["watch", "--prefix", "k/", &format!("--rev={start}")]);
    // History from --rev, in order; a delete prints an empty value.
    watch.expect_lines(&["PUT", "k/a", "1", "PUT", "k/b", "2", "DELETE", "k/a", ""]);
    // Then live changes under the prefix only.
    etcdctl.put("other", "x");
    etcdctl.put("k/c", "3");
    watch.expect_lines(&["PUT", "k/c", "3"]);
    assert_eq!(etcdctl.ok(&["del", "--prefix", "k/"]), "3\n");
    watch.expect_lines(&["DELETE", "k/b", "", "DELETE", "k/before", "", "DELETE", "k/c", ""]);
    let stderr = watch.stop();
    assert!(!stderr.contains("Error"), "{stderr}");
}

#[test]
fn leases_grant_attach_keep_alive_and_revoke() {
    let Some(member) = Member::start("leases_grant_attach_keep_alive_and_revoke") else { return };
    let etcdctl = member.etcdctl();

    let granted = etcdctl.ok(&["lease", "grant", "60"]);
    let id = granted
        .strip_prefix("lease ")
        .and_then(|rest| rest.strip_suffix(" granted with TTL(60s)\n"))
        .unwrap_or_else(|| panic!("unexpected grant output {granted:?}"));
    // etcdctl prints lease ids as 16 hex digits.
    assert_eq!(id.len(), 16, "{granted:?}");
    let decimal = i64::from_str_radix(id, 16).expect("a hex lease id");
    assert_ne!(decimal, 0);

    let lease = format!("--lease={id}");
    assert_eq!(etcdctl.ok(&["put", &lease, "l/one", "1"]), "OK\n");
    assert_eq!(etcdctl.ok(&["put", &lease, "l/two", "2"]), "OK\n");
    let json = etcdctl.ok(&["get", "l/one", "-w", "json"]);
    assert_eq!(json_i64(&json, "lease"), decimal, "{json}");

    let ttl = etcdctl.ok(&["lease", "timetolive", "--keys", id]);
    let remaining = ttl
        .strip_prefix(&format!("lease {id} granted with TTL(60s), remaining("))
        .and_then(|rest| rest.strip_suffix("s), attached keys([l/one l/two])\n"))
        .unwrap_or_else(|| panic!("unexpected timetolive output {ttl:?}"));
    let remaining: i64 = remaining.parse().expect("remaining seconds");
    assert!((1..=60).contains(&remaining), "{ttl:?}");
    let json = etcdctl.ok(&["lease", "timetolive", "--keys", id, "-w", "json"]);
    assert_eq!(json_i64(&json, "id"), decimal, "{json}");
    assert_eq!(json_i64(&json, "granted-ttl"), 60, "{json}");

    assert_eq!(
        etcdctl.ok(&["lease", "keep-alive", "--once", id]),
        format!("lease {id} keepalived with TTL(60)\n")
    );
    assert_eq!(etcdctl.ok(&["lease", "list"]), format!("found 1 leases\n{id}\n"));

    assert_eq!(etcdctl.ok(&["lease", "revoke", id]), format!("lease {id} revoked\n"));
    // The attached keys went with it.
    assert_eq!(etcdctl.ok(&["get", "--prefix", "l/"]), "");
    assert_eq!(etcdctl.ok(&["lease", "list"]), "found 0 leases\n");
    assert_eq!(etcdctl.ok(&["lease", "timetolive", id]), format!("lease {id} already expired\n"));
    let stderr = etcdctl.fails(&["lease", "revoke", id]);
    assert!(stderr.contains("etcdserver: requested lease not found"), "{stderr}");
    let stderr = etcdctl.fails(&["put", &lease, "l/three", "3"]);
    assert!(stderr.contains("etcdserver: requested lease not found"), "{stderr}");
}

#[test]
fn compaction_discards_older_revisions() {
    let Some(member) = Member::start("compaction_discards_older_revisions") else { return };
    let etcdctl = member.etcdctl();
    let first = etcdctl.put("k", "v1");
    let second = etcdctl.put("k", "v2");
    etcdctl.put("k", "v3");

    assert_eq!(
        etcdctl.ok(&["compaction", &second.to_string()]),
        format!("compacted revision {second}\n")
    );
    let stderr = etcdctl.fails(&["get", "k", &format!("--rev={first}")]);
    assert!(stderr.contains("etcdserver: mvcc: required revision has been compacted"), "{stderr}");
    // The compacted revision itself is still readable.
    assert_eq!(etcdctl.ok(&["get", "k", &format!("--rev={second}")]), "k\nv2\n");
    assert_eq!(etcdctl.ok(&["get", "k"]), "k\nv3\n");

    let stderr = etcdctl.fails(&["compaction", &first.to_string()]);
    assert!(stderr.contains("etcdserver: mvcc: required revision has been compacted"), "{stderr}");
    let stderr = etcdctl.fails(&["compaction", "1000"]);
    assert!(
        stderr.contains("etcdserver: mvcc: required revision is a future revision"),
        "{stderr}"
    );

    // A watch from before the compaction is cancelled with the reason.
    let output = etcdctl.run(&["watch", "k", &format!("--rev={first}")]);
    assert!(!output.status.success(), "{output:?}");
    assert_eq!(output.stdout, "", "{output:?}");
    assert_eq!(
        output.stderr,
        "watch was canceled (etcdserver: mvcc: required revision has been compacted)\n\
         Error: watch is canceled by the server\n",
        "{output:?}"
    );
}

#[test]
fn endpoint_status_and_member_list_describe_the_member() {
    let Some(member) = Member::start("endpoint_status_and_member_list_describe_the_member") else {
        return;
    };
    let etcdctl = member.etcdctl();
    let revision = etcdctl.put("k", "v");

    // ID, status, name, peer URLs, client URLs, is learner.
    let list = etcdctl.ok(&["member", "list"]);
    let fields: Vec<&str> = list.trim_end().split(", ").collect();
    let [id, "started", "default", peer_urls, client_urls, "false"] = fields[..] else {
        panic!("unexpected member list {list:?}");
    };
    assert_eq!(id.len(), 16, "{list:?}");
    let member_id = u64::from_str_radix(id, 16).expect("a hex member id");
    assert!(peer_urls.starts_with("http://"), "{list:?}");
    assert_eq!(client_urls, member.url(), "{list:?}");
    let json = etcdctl.ok(&["member", "list", "-w", "json"]);
    assert_eq!(json_u64(&json, "member_id"), member_id, "{json}");
    assert_eq!(json_u64(&json, "ID"), member_id, "{json}");
    assert_eq!(json_field(&json, "clientURLs"), format!("[\"{}\"", member.url()), "{json}");

    // etcdctl reports health on stderr.
    let health = etcdctl.run(&["endpoint", "health"]);
    assert!(health.status.success(), "{health:?}");
    let healthy = format!("{} is healthy: successfully committed proposal", member.url());
    assert!(health.stderr.starts_with(&healthy), "{health:?}");

    // etcdctl 3.4 dials each endpoint of `endpoint status` on its own with
    // the endpoint as the HTTP/2 authority, which must then be HOST:PORT
    // (see `endpoint_status_by_url`).
    let etcdctl = member.etcdctl_by_address();
    let address = &etcdctl.endpoint;
    let json = etcdctl.ok(&["endpoint", "status", "-w", "json"]);
    assert!(json.starts_with(&format!("[{{\"Endpoint\":\"{address}\"")), "{json}");
    assert_eq!(json_i64(&json, "revision"), revision, "{json}");
    assert_eq!(json_u64(&json, "member_id"), member_id, "{json}");
    assert_eq!(json_u64(&json, "leader"), member_id, "{json}");
    let term = json_u64(&json, "raft_term");
    assert!(term >= 1, "{json}");
    assert_eq!(json_u64(&json, "raftTerm"), term, "{json}");
    assert!(json_u64(&json, "raftIndex") >= 1, "{json}");
    assert!(json_u64(&json, "raftAppliedIndex") >= 1, "{json}");
    assert!(json_u64(&json, "dbSize") > 0, "{json}");
    assert!(json_u64(&json, "dbSizeInUse") > 0, "{json}");
    let version = json_field(&json, "version");
    assert!(version.len() > 2 && version.starts_with("\"3."), "{json}");

    // Endpoint, ID, version, DB size, is leader, is learner, raft term,
    // raft index, raft applied index, errors.
    let table = etcdctl.ok(&["endpoint", "status"]);
    let fields: Vec<&str> = table.strip_suffix('\n').unwrap_or(&table).split(", ").collect();
    assert_eq!(fields.len(), 10, "{table:?}");
    assert_eq!(fields[..2], [address.as_str(), id], "{table:?}");
    assert_eq!(format!("\"{}\"", fields[2]), version, "{table:?}");
    assert_eq!(fields[4..7], ["true", "false", &term.to_string()], "{table:?}");
}

/// `endpoint status`, `endpoint hashkv` and `defrag` with the endpoint
/// given as a URL: etcdctl 3.4 dials `passthrough:///http://HOST:PORT` and
/// grpc-go sends `http://HOST:PORT` as the `:authority`, which etcd's Go
/// server accepts and hyper's `h2` refuses (RST_STREAM PROTOCOL_ERROR,
/// "malformed authority") before the request reaches the service.
#[test]
#[ignore = "needs the HTTP/2 server to accept etcdctl 3.4's `http://HOST:PORT` :authority"]
fn endpoint_status_by_url() {
    let Some(member) = Member::start("endpoint_status_by_url") else { return };
    let etcdctl = member.etcdctl();
    let json = etcdctl.ok(&["endpoint", "status", "-w", "json"]);
    assert!(json.starts_with(&format!("[{{\"Endpoint\":\"{}\"", member.url())), "{json}");
    let hashes = etcdctl.ok(&["endpoint", "hashkv"]);
    assert!(hashes.starts_with(&format!("{}, ", member.url())), "{hashes:?}");
    assert_eq!(
        etcdctl.ok(&["defrag"]),
        format!("Finished defragmenting etcd member[{}]\n", member.url())
    );
}
