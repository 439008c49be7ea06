//! `keelson store`: one store member serving the etcd v3 gRPC protocol.
//!
//! The flags are etcd's, and each maps onto [`server::Config`]:
//!
//! | flag | `server::Config` |
//! | --- | --- |
//! | `--name` | `name` |
//! | `--data-dir` | `data_dir` (in memory without it) |
//! | `--advertise-client-urls` | `client_urls` (the listen URL by default) |
//! | `--initial-advertise-peer-urls` | `peer_urls` |
//! | `--initial-cluster-token` | `member_id` and `cluster_id`, derived as etcd derives them |
//! | `--max-request-bytes` | `limits.max_request_bytes` |
//! | `--max-txn-ops` | `limits.max_txn_ops` |
//! | `--quota-backend-bytes` | `quota_backend_bytes` |
//! | `--heartbeat-interval` | `heartbeat_interval` (milliseconds) |
//! | `--election-timeout` | `election_timeout` (milliseconds) |
//! | `--snapshot-count` | `snapshot_count` |
//! | `--initial-cluster` | `initial_cluster` (IDs derived as etcd does) |
//! | `--listen-peer-urls` | `listen_peer_url` |
//!
//! A cluster of several members starts as in etcd: every member gets the
//! same `--initial-cluster name=URL,...` and `--initial-cluster-token`,
//! its own `--name` (which must be in the list: its peer URLs are taken
//! from there) and `--listen-peer-urls`. Only `--initial-cluster-state
//! new` is supported so far.
//!
//! `--listen-client-urls` is where this process listens; only plain
//! `http://` and a single URL for now. Port 0 lets the system pick a port.
//!
//! Once the member serves, one line goes to stdout: `store ready on
//! http://ADDRESS:PORT`, with the address actually bound. SIGINT (Ctrl-C)
//! or SIGTERM shuts it down gracefully: it stops accepting connections,
//! finishes the requests in flight and applies what was proposed, then
//! exits with status 0. A second signal during that exits at once, with
//! status 1 (writes that were acknowledged are on disk all the same).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use keelson_store::apply::Limits;
use keelson_store::server::{self, Server, etcd_cluster_id, etcd_member_id};
use tokio::net::TcpListener;

/// The flags of `keelson store`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Human-readable name for this member.
    #[arg(long, value_name = "NAME", default_value = "default")]
    name: String,

    /// Directory holding the member's database (store.redb) and its
    /// write-ahead log (wal/), created if missing. Without it, the data is
    /// kept in memory and lost on exit.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// URL to listen on for client traffic: http://HOST:PORT. Only one URL
    /// and only http:// for now (TLS is not supported yet). Port 0 picks a
    /// free port; the ready line names the address actually bound.
    #[arg(
        long,
        value_name = "URL",
        value_delimiter = ',',
        default_value = "http://localhost:2379"
    )]
    listen_client_urls: Vec<String>,

    /// Comma-separated client URLs to advertise to clients and to the rest
    /// of the cluster (the member list). Defaults to the listen URL, with
    /// the port actually bound when it was 0.
    #[arg(long, value_name = "URLS", value_delimiter = ',')]
    advertise_client_urls: Vec<String>,

    /// Comma-separated peer URLs of this member to advertise to the rest of
    /// the cluster, for a member alone (with --initial-cluster, its entry
    /// there gives them). With the cluster token, they determine the member
    /// ID.
    #[arg(
        long,
        value_name = "URLS",
        value_delimiter = ',',
        default_value = "http://localhost:2380"
    )]
    initial_advertise_peer_urls: Vec<String>,

    /// Initial cluster token: the member and cluster IDs are derived from
    /// it and the peer URLs as etcd derives them, so the defaults give
    /// etcd's default IDs.
    #[arg(long, value_name = "TOKEN", default_value = "etcd-cluster")]
    initial_cluster_token: String,

    /// Largest client request accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_request_bytes)]
    max_request_bytes: usize,

    /// Most operations (compares, or operations in one branch) a
    /// transaction may hold.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_txn_ops)]
    max_txn_ops: usize,

    /// Space quota of the database, in bytes: 0 for the default of 2 GiB,
    /// a negative value for none. A write that would take the database to
    /// it is refused and raises the NOSPACE alarm, which refuses writes
    /// until `etcdctl alarm disarm`.
    #[arg(long, value_name = "BYTES", default_value_t = 0, allow_negative_numbers = true)]
    quota_backend_bytes: i64,

    /// Time between a Raft leader's heartbeats, in milliseconds; also the
    /// Raft tick.
    #[arg(long, value_name = "MS", default_value_t = millis(server::Config::default().heartbeat_interval))]
    heartbeat_interval: u64,

    /// Time a follower waits for a leader before it starts an election, in
    /// milliseconds (randomized up to twice this); at least twice the
    /// heartbeat interval.
    #[arg(long, value_name = "MS", default_value_t = millis(server::Config::default().election_timeout))]
    election_timeout: u64,

    /// Applied Raft log entries kept before the log is compacted.
    #[arg(long, value_name = "N", default_value_t = server::Config::default().snapshot_count)]
    snapshot_count: u64,

    /// The members of a new cluster: NAME=PEER_URL, comma-separated (a name
    /// given twice has two URLs). Without it the member is alone.
    #[arg(long, value_name = "NAME=URL,...", value_delimiter = ',')]
    initial_cluster: Vec<String>,

    /// URL to listen on for the other members' Raft traffic:
    /// http://HOST:PORT. Needed with other members in --initial-cluster.
    #[arg(long, value_name = "URL")]
    listen_peer_urls: Option<String>,

    /// `new` to start a new cluster; joining an existing one (`existing`)
    /// is not supported yet.
    #[arg(long, value_name = "STATE", default_value = "new")]
    initial_cluster_state: String,
}

/// A duration in whole milliseconds, for flag defaults.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Args {
    /// The member's configuration; the client URLs are the advertised ones,
    /// or the listen URLs when none are given.
    fn config(&self) -> anyhow::Result<server::Config> {
        if self.initial_cluster_state != "new" {
            bail!(
                "--initial-cluster-state {}: only `new` is supported (joining an existing \
                 cluster is not there yet)",
                self.initial_cluster_state
            );
        }
        let members = initial_cluster(&self.initial_cluster)?;
        let peer_urls = if members.is_empty() {
            self.initial_advertise_peer_urls.clone()
        } else {
            let Some((_, urls)) = members.iter().find(|(name, _)| *name == self.name) else {
                bail!("--initial-cluster does not name this member (--name {})", self.name);
            };
            urls.clone()
        };
        let member_id = etcd_member_id(&peer_urls, &self.initial_cluster_token);
        let peers: Vec<server::Peer> = members
            .iter()
            .map(|(name, urls)| server::Peer {
                id: etcd_member_id(urls, &self.initial_cluster_token),
                name: name.clone(),
                peer_urls: urls.clone(),
            })
            .collect();
        let ids: Vec<u64> =
            if peers.is_empty() { vec![member_id] } else { peers.iter().map(|p| p.id).collect() };
        let client_urls = if self.advertise_client_urls.is_empty() {
            &self.listen_client_urls
        } else {
            &self.advertise_client_urls
        };
        let config = server::Config::default()
            .name(self.name.clone())
            .member_id(member_id)
            .cluster_id(etcd_cluster_id(&ids))
            .client_urls(client_urls.iter().cloned())
            .peer_urls(peer_urls.iter().cloned())
            .limits(
                Limits::default()
                    .max_request_bytes(self.max_request_bytes)
                    .max_txn_ops(self.max_txn_ops),
            )
            .quota_backend_bytes(self.quota_backend_bytes)
            .raft_timing(
                Duration::from_millis(self.heartbeat_interval),
                Duration::from_millis(self.election_timeout),
            )
            .snapshot_count(self.snapshot_count);
        let config = server::Config {
            initial_cluster: peers,
            listen_peer_url: self.listen_peer_urls.clone(),
            ..config
        };
        Ok(match &self.data_dir {
            Some(dir) => config.data_dir(dir.clone()),
            None => config,
        })
    }
}

/// `--initial-cluster`: each name with its peer URLs, in the order given.
fn initial_cluster(entries: &[String]) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let mut members: Vec<(String, Vec<String>)> = Vec::new();
    for entry in entries.iter().filter(|entry| !entry.is_empty()) {
        let Some((name, url)) = entry.split_once('=') else {
            bail!("--initial-cluster: {entry:?} is not NAME=URL");
        };
        match members.iter_mut().find(|(known, _)| known == name) {
            Some((_, urls)) => urls.push(url.to_owned()),
            None => members.push((name.to_owned(), vec![url.to_owned()])),
        }
    }
    Ok(members)
}

/// Runs `keelson store` until SIGINT or SIGTERM.
///
/// # Errors
///
/// A wrong flag (with [`server::Config::validate`]'s message), a listen
/// address that cannot be bound, a store that cannot be opened, or a
/// transport failure while serving.
pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    let listen = ListenUrl::parse_one(&args.listen_client_urls)?;
    let mut config = args.config()?;
    config.validate()?;

    let listener = TcpListener::bind(&listen.authority)
        .await
        .with_context(|| format!("cannot listen on {}", listen.url))?;
    let bound = format!("http://{}", listener.local_addr()?);
    if args.advertise_client_urls.is_empty() && listen.port == 0 {
        config.client_urls = vec![bound.clone()];
    }
    if config.data_dir.is_none() {
        tracing::warn!("no --data-dir: the data is kept in memory and lost on exit");
    }
    tracing::info!(
        name = %config.name,
        member_id = %format_args!("{:x}", config.member_id),
        cluster_id = %format_args!("{:x}", config.cluster_id),
        data_dir = ?config.data_dir,
        client_urls = ?config.client_urls,
        "starting store member"
    );

    let server = Server::new(config).context("cannot start the store member")?;
    // Listening for signals before saying "ready" means that a signal sent
    // from then on shuts down gracefully rather than killing the process.
    let mut signals = Signals::new().context("cannot listen for signals")?;
    tracing::info!(address = %bound, "store serving clients");
    println!("store ready on {bound}");

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = server.serve(listener, async {
        let _ = stopped.await;
    });
    tokio::pin!(serving);
    let signal = tokio::select! {
        served = &mut serving => {
            served.context("store member failed")?;
            bail!("store member stopped serving on its own");
        }
        signal = signals.next() => signal,
    };
    tracing::info!("{signal} received, shutting down gracefully (again to exit at once)");
    let _ = stop.send(());
    tokio::select! {
        served = &mut serving => served.context("store member failed")?,
        signal = signals.next() => {
            bail!("{signal} received again: exiting before the graceful shutdown finished")
        }
    }
    tracing::info!("store stopped");
    Ok(())
}

/// The signals that stop the member: SIGINT (Ctrl-C) and SIGTERM.
///
/// Listening from creation on, so that none is missed between two waits.
#[derive(Debug)]
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn new() -> std::io::Result<Self> {
        Ok(Self {})
    }

    /// The name of the next signal received.
    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    /// The name of the next signal received.
    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            Err(_) => std::future::pending().await,
        }
    }
}

/// A `--listen-client-urls` value this process can serve.
#[derive(Debug, PartialEq, Eq)]
struct ListenUrl {
    /// The URL as given.
    url: String,
    /// `HOST:PORT`, for binding.
    authority: String,
    /// The port; 0 lets the system pick one.
    port: u16,
}

impl ListenUrl {
    /// The single URL in `urls`.
    fn parse_one(urls: &[String]) -> anyhow::Result<Self> {
        match urls {
            [url] => Self::parse(url),
            [] => bail!("--listen-client-urls: a URL is required"),
            _ => bail!(
                "--listen-client-urls: listening on more than one URL is not supported yet (got {})",
                urls.join(",")
            ),
        }
    }

    /// Parses `http://HOST:PORT` (a trailing `/` is allowed).
    fn parse(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("https://") {
            bail!(
                "--listen-client-urls: {url:?} is https://, but TLS is not supported yet; \
                 use an http:// URL"
            );
        }
        let Some(rest) = url.strip_prefix("http://") else {
            bail!("--listen-client-urls: {url:?} is not an http:// URL (http://HOST:PORT)");
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        let port = match authority.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && !authority.contains('/') => port.parse().ok(),
            _ => None,
        };
        let Some(port) = port else {
            bail!("--listen-client-urls: {url:?} is not of the form http://HOST:PORT");
        };
        Ok(Self { url: url.to_owned(), authority: authority.to_owned(), port })
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn args(flags: &[&str]) -> Args {
        let argv = std::iter::once("store").chain(flags.iter().copied());
        Cli::try_parse_from(argv).expect("flags parse").args
    }

    #[test]
    fn no_flags_give_etcds_defaults_in_memory() {
        let config = args(&[]).config().unwrap();
        assert_eq!(config, server::Config::default());
        assert_eq!(config.client_urls, ["http://localhost:2379"]);
    }

    #[test]
    fn each_flag_sets_its_field() {
        let config = args(&[
            "--name=m1",
            "--data-dir=/var/lib/keelson",
            "--listen-client-urls=http://0.0.0.0:2379",
            "--advertise-client-urls=http://10.0.0.1:2379,http://m1:2379",
            "--initial-advertise-peer-urls=http://10.0.0.1:2380",
            "--initial-cluster-token=prod",
            "--max-request-bytes=1024",
            "--max-txn-ops=7",
            "--quota-backend-bytes=1048576",
        ])
        .config()
        .unwrap();
        let member_id = etcd_member_id(&["http://10.0.0.1:2380".into()], "prod");
        let expected = server::Config::default()
            .name("m1")
            .data_dir("/var/lib/keelson")
            .client_urls(["http://10.0.0.1:2379", "http://m1:2379"])
            .peer_urls(["http://10.0.0.1:2380"])
            .member_id(member_id)
            .cluster_id(etcd_cluster_id(&[member_id]))
            .limits(Limits::default().max_request_bytes(1024).max_txn_ops(7))
            .quota_backend_bytes(1 << 20);
        assert_eq!(config, expected);
        assert_ne!(member_id, server::Config::default().member_id);
    }

    #[test]
    fn a_negative_quota_disables_it_as_in_etcd() {
        let separate: &[&str] = &["--quota-backend-bytes", "-1"];
        for flags in [separate, &["--quota-backend-bytes=-1"]] {
            let config = args(flags).config().unwrap();
            assert_eq!(config.quota_backend_bytes, -1, "{flags:?}");
            assert_eq!(config.quota().limit(), None, "{flags:?}");
        }
    }

    #[test]
    fn the_client_urls_default_to_the_listen_url() {
        let config = args(&["--listen-client-urls", "http://127.0.0.1:12379"]).config().unwrap();
        assert_eq!(config.client_urls, ["http://127.0.0.1:12379"]);
    }

    #[test]
    fn listen_urls_are_plain_http_host_and_port() {
        let ok = |url: &str, authority: &str, port: u16| {
            let expected = ListenUrl { url: url.into(), authority: authority.into(), port };
            assert_eq!(ListenUrl::parse(url).map_err(|e| e.to_string()), Ok(expected));
        };
        ok("http://127.0.0.1:2379", "127.0.0.1:2379", 2379);
        ok("http://localhost:0/", "localhost:0", 0);
        ok("http://[::1]:2379", "[::1]:2379", 2379);
        let error = |url: &str| ListenUrl::parse(url).expect_err(url).to_string();
        assert_eq!(
            error("https://127.0.0.1:2379"),
            "--listen-client-urls: \"https://127.0.0.1:2379\" is https://, but TLS is not \
             supported yet; use an http:// URL"
        );
        assert_eq!(
            error("127.0.0.1:2379"),
            "--listen-client-urls: \"127.0.0.1:2379\" is not an http:// URL (http://HOST:PORT)"
        );
        for url in ["http://127.0.0.1", "http://:2379", "http://h:port", "http://h:1/path"] {
            assert_eq!(
                error(url),
                format!("--listen-client-urls: {url:?} is not of the form http://HOST:PORT")
            );
        }
        let two = ["http://a:1".to_owned(), "http://b:2".to_owned()];
        assert_eq!(
            ListenUrl::parse_one(&two).expect_err("two URLs").to_string(),
            "--listen-client-urls: listening on more than one URL is not supported yet \
             (got http://a:1,http://b:2)"
        );
    }

    #[test]
    fn an_initial_cluster_gives_every_member_etcds_ids() {
        let cluster = "a=http://127.0.0.1:2380,b=http://127.0.0.2:2380,c=http://127.0.0.3:2380";
        let flags = ["--name", "b", "--initial-cluster", cluster];
        let config = args(&[&flags[..], &["--listen-peer-urls", "http://127.0.0.2:2380"]].concat())
            .config()
            .unwrap();
        let ids: Vec<u64> = config.initial_cluster.iter().map(|peer| peer.id).collect();
        let expected: Vec<u64> =
            ["http://127.0.0.1:2380", "http://127.0.0.2:2380", "http://127.0.0.3:2380"]
                .iter()
                .map(|url| etcd_member_id(&[(*url).to_owned()], "etcd-cluster"))
                .collect();
        assert_eq!(ids, expected);
        assert_eq!(config.member_id, expected[1]);
        assert_eq!(config.peer_urls, ["http://127.0.0.2:2380"]);
        assert_eq!(config.cluster_id, etcd_cluster_id(&expected));
        assert_eq!(config.validate().map_err(|e| e.to_string()), Ok(()));

        let stranger = args(&["--name", "d", "--initial-cluster", cluster]).config();
        assert!(stranger.unwrap_err().to_string().contains("does not name this member"));
        let joining = args(&["--initial-cluster-state", "existing"]).config();
        assert!(joining.unwrap_err().to_string().contains("only `new`"));
        let malformed = args(&["--initial-cluster", "a"]).config();
        assert!(malformed.unwrap_err().to_string().contains("is not NAME=URL"));
    }
}
