//! What one member is: its identity, its addresses, where it keeps its data
//! and its limits.

use std::path::PathBuf;
use std::time::Duration;

use super::{Error, Result};
use crate::{apply, lease, watch};

/// The configuration of one store member.
///
/// The defaults are those of a fresh single-member etcd started without
/// flags: member `default` with etcd's default member and cluster IDs,
/// serving clients on `http://localhost:2379`, with its data in memory
/// (set [`data_dir`](Config::data_dir) to keep it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The cluster's ID, in every response header.
    pub cluster_id: u64,
    /// This member's ID, in every response header and in the member list.
    pub member_id: u64,
    /// This member's human-readable name (etcd's `--name`).
    pub name: String,
    /// The directory that holds the database file ([`DB_FILE`]), created if
    /// missing; `None` keeps the data in memory.
    pub data_dir: Option<PathBuf>,
    /// The URLs clients reach this member at, as the member list reports
    /// them (etcd's `--advertise-client-urls`).
    pub client_urls: Vec<String>,
    /// The URLs other members reach this member at, as the member list
    /// reports them (etcd's `--initial-advertise-peer-urls`).
    pub peer_urls: Vec<String>,
    /// Request size and transaction limits.
    pub limits: apply::Limits,
    /// The watch hub's limits and timings.
    pub watch: watch::Config,
    /// The lease settings (minimum TTL, revocation retry); every member
    /// MUST use the same ones.
    pub lease: lease::Config,
    /// The space quota of the database, in bytes, as etcd's
    /// `--quota-backend-bytes` sets it: 0 for etcd's default of 2 GiB
    /// ([`apply::Quota::DEFAULT_BYTES`]), a negative value for no quota.
    /// A put, a transaction with puts or a lease grant that would take the
    /// database to its quota is refused with `etcdserver: mvcc: database
    /// space exceeded` and raises the member's NOSPACE alarm, which refuses
    /// such writes until it is disarmed (see [`apply::alarm`]). Every value
    /// is valid, as in etcd; etcd warns above 8 GiB.
    pub quota_backend_bytes: i64,
    /// How often a leader sends heartbeats; also the Raft tick (etcd's
    /// `--heartbeat-interval`; 50 ms by default).
    pub heartbeat_interval: Duration,
    /// How long a follower waits without hearing from a leader before it
    /// starts an election, randomized up to twice this; a whole multiple of
    /// the heartbeat interval, at least twice it (etcd's
    /// `--election-timeout`; 300 ms by default, so that a new leader takes
    /// over well within a second on a local network).
    pub election_timeout: Duration,
    /// How many applied entries the Raft log keeps before it is compacted
    /// (etcd's `--snapshot-count`; 10,000 by default).
    pub snapshot_count: u64,
    /// The members of a new cluster, this one included (etcd's
    /// `--initial-cluster`); empty for a member alone. Used when the
    /// member's log is empty; afterwards the log knows the members.
    pub initial_cluster: Vec<Peer>,
    /// Where this member listens for the other members' Raft traffic
    /// (etcd's `--listen-peer-urls`, one `http://HOST:PORT` URL); needed
    /// when [`initial_cluster`](Config::initial_cluster) names others.
    pub listen_peer_url: Option<String>,
    /// How long a write waits to be applied before it is answered
    /// `etcdserver: request timed out` (it may still be applied later).
    pub request_timeout: Duration,
}

/// A member of a cluster, as another member knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    /// Its member ID.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// The URLs it serves Raft traffic on; the first one is dialled.
    pub peer_urls: Vec<String>,
}

/// The directory of the write-ahead log inside [`Config::data_dir`].
pub const WAL_DIR: &str = "wal";

/// The name of the database file inside [`Config::data_dir`].
pub const DB_FILE: &str = "store.redb";

impl Default for Config {
    fn default() -> Self {
        Self {
            cluster_id: 0xcdf8_1819_4e3a_8c32,
            member_id: 0x8e9e_05c5_2164_694d,
            name: "default".into(),
            data_dir: None,
            client_urls: vec!["http://localhost:2379".into()],
            peer_urls: vec!["http://localhost:2380".into()],
            limits: apply::Limits::default(),
            watch: watch::Config::default(),
            lease: lease::Config::default(),
            quota_backend_bytes: 0,
            heartbeat_interval: Duration::from_millis(50),
            election_timeout: Duration::from_millis(300),
            snapshot_count: 10_000,
            request_timeout: Duration::from_secs(7),
            initial_cluster: Vec::new(),
            listen_peer_url: None,
        }
    }
}

impl Config {
    /// Sets [`cluster_id`](Config::cluster_id).
    #[must_use]
    pub fn cluster_id(mut self, id: u64) -> Self {
        self.cluster_id = id;
        self
    }

    /// Sets [`member_id`](Config::member_id).
    #[must_use]
    pub fn member_id(mut self, id: u64) -> Self {
        self.member_id = id;
        self
    }

    /// Sets [`name`](Config::name).
    #[must_use]
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets [`data_dir`](Config::data_dir).
    #[must_use]
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Sets [`client_urls`](Config::client_urls).
    #[must_use]
    pub fn client_urls<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        self.client_urls = urls.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`peer_urls`](Config::peer_urls).
    #[must_use]
    pub fn peer_urls<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        self.peer_urls = urls.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`limits`](Config::limits).
    #[must_use]
    pub fn limits(mut self, limits: apply::Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets [`watch`](Config::watch).
    #[must_use]
    pub fn watch(mut self, watch: watch::Config) -> Self {
        self.watch = watch;
        self
    }

    /// Sets [`lease`](Config::lease).
    #[must_use]
    pub fn lease(mut self, lease: lease::Config) -> Self {
        self.lease = lease;
        self
    }

    /// Sets [`quota_backend_bytes`](Config::quota_backend_bytes).
    #[must_use]
    pub fn quota_backend_bytes(mut self, bytes: i64) -> Self {
        self.quota_backend_bytes = bytes;
        self
    }

    /// The space quota [`quota_backend_bytes`](Config::quota_backend_bytes)
    /// sets.
    #[must_use]
    pub fn quota(&self) -> apply::Quota {
        apply::Quota::from_backend_bytes(self.quota_backend_bytes)
    }

    /// What `Status` reports as the quota (`db_size_quota`): the quota in
    /// force in bytes, or the configured negative value when there is none.
    #[must_use]
    pub fn db_size_quota(&self) -> i64 {
        let limit = self.quota().limit().map(i64::try_from);
        limit.map_or(self.quota_backend_bytes, |bytes| bytes.unwrap_or(i64::MAX))
    }

    /// Sets [`heartbeat_interval`](Config::heartbeat_interval) and
    /// [`election_timeout`](Config::election_timeout).
    #[must_use]
    pub fn raft_timing(mut self, heartbeat_interval: Duration, election_timeout: Duration) -> Self {
        self.heartbeat_interval = heartbeat_interval;
        self.election_timeout = election_timeout;
        self
    }

    /// Sets [`initial_cluster`](Config::initial_cluster) and
    /// [`listen_peer_url`](Config::listen_peer_url).
    #[must_use]
    pub fn initial_cluster(
        mut self,
        members: Vec<Peer>,
        listen_peer_url: impl Into<String>,
    ) -> Self {
        self.initial_cluster = members;
        self.listen_peer_url = Some(listen_peer_url.into());
        self
    }

    /// The voters of a new cluster: the initial cluster's members, or this
    /// member alone.
    pub(crate) fn voters(&self) -> Vec<u64> {
        if self.initial_cluster.is_empty() {
            vec![self.member_id]
        } else {
            self.initial_cluster.iter().map(|peer| peer.id).collect()
        }
    }

    /// Sets [`snapshot_count`](Config::snapshot_count).
    #[must_use]
    pub fn snapshot_count(mut self, entries: u64) -> Self {
        self.snapshot_count = entries;
        self
    }

    /// The election timeout in heartbeat ticks.
    pub(crate) fn election_ticks(&self) -> usize {
        let ticks = self.election_timeout.as_nanos() / self.heartbeat_interval.as_nanos().max(1);
        usize::try_from(ticks).unwrap_or(usize::MAX)
    }

    /// The write-ahead log's directory, when the data is kept on disk.
    #[must_use]
    pub fn wal_dir(&self) -> Option<PathBuf> {
        self.data_dir.as_ref().map(|dir| dir.join(WAL_DIR))
    }

    /// The database file, when the data is kept on disk.
    #[must_use]
    pub fn db_path(&self) -> Option<PathBuf> {
        self.data_dir.as_ref().map(|dir| dir.join(DB_FILE))
    }

    /// Checks that the member can run with this configuration.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the first value that is wrong.
    pub fn validate(&self) -> Result<()> {
        let invalid = |message: String| Err(Error::InvalidConfig(message));
        if self.cluster_id == 0 {
            return invalid("cluster_id must not be 0".into());
        }
        if self.member_id == 0 {
            return invalid("member_id must not be 0 (etcd reserves it for \"no member\")".into());
        }
        if self.name.is_empty() {
            return invalid("name must not be empty".into());
        }
        if self.data_dir.as_ref().is_some_and(|dir| dir.as_os_str().is_empty()) {
            return invalid("data_dir must not be an empty path".into());
        }
        if self.client_urls.is_empty() {
            return invalid("client_urls must hold at least one URL".into());
        }
        for (field, urls) in [("client_urls", &self.client_urls), ("peer_urls", &self.peer_urls)] {
            if let Some(url) = urls.iter().find(|url| !is_http_url(url)) {
                return invalid(format!(
                    "{field}: {url:?} is not an http:// or https:// URL with a host"
                ));
            }
        }
        if self.heartbeat_interval.is_zero() {
            return invalid("heartbeat_interval must not be 0".into());
        }
        if self.election_ticks() < 2 {
            return invalid(format!(
                "election_timeout ({:?}) must be at least twice heartbeat_interval ({:?})",
                self.election_timeout, self.heartbeat_interval
            ));
        }
        if self.snapshot_count == 0 {
            return invalid("snapshot_count must not be 0".into());
        }
        if !self.initial_cluster.is_empty() {
            if !self.initial_cluster.iter().any(|peer| peer.id == self.member_id) {
                return invalid(format!(
                    "initial_cluster does not name this member ({:x})",
                    self.member_id
                ));
            }
            let mut ids: Vec<u64> = self.initial_cluster.iter().map(|peer| peer.id).collect();
            ids.sort_unstable();
            if ids.windows(2).any(|pair| pair[0] == pair[1]) || ids.contains(&0) {
                return invalid("initial_cluster: member IDs must be distinct and not 0".into());
            }
            for peer in &self.initial_cluster {
                if peer.id != self.member_id
                    && peer.peer_urls.first().is_none_or(|url| !is_http_url(url))
                {
                    return invalid(format!(
                        "initial_cluster: member {} has no http:// peer URL",
                        peer.name
                    ));
                }
            }
            if self.initial_cluster.len() > 1
                && self.listen_peer_url.as_ref().is_none_or(|url| !is_http_url(url))
            {
                return invalid(
                    "listen_peer_url must be an http:// URL when other members are named".into(),
                );
            }
        }
        if self.request_timeout.is_zero() {
            return invalid("request_timeout must not be 0".into());
        }
        if let Err(error) = self.limits.validate() {
            return invalid(error.to_string());
        }
        if let Err(error) = self.watch.validate() {
            return invalid(error.to_string());
        }
        if let Err(error) = self.lease.validate() {
            return invalid(error.to_string());
        }
        Ok(())
    }
}

/// Whether `url` is `http://` or `https://` followed by a host.
fn is_http_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
    rest.and_then(|rest| rest.split(['/', ':']).next()).is_some_and(|host| !host.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_valid_and_in_memory() {
        let config = Config::default();
        assert_eq!(config.validate().map_err(|e| e.to_string()), Ok(()));
        assert_eq!(config.db_path(), None);
        let on_disk = config.data_dir("/var/lib/keelson");
        assert_eq!(on_disk.db_path(), Some(PathBuf::from("/var/lib/keelson/store.redb")));
    }

    #[test]
    fn validate_names_the_first_wrong_value() {
        let cases = [
            (Config::default().cluster_id(0), "cluster_id must not be 0"),
            (
                Config::default().member_id(0),
                "member_id must not be 0 (etcd reserves it for \"no member\")",
            ),
            (Config::default().name(""), "name must not be empty"),
            (Config::default().data_dir(""), "data_dir must not be an empty path"),
            (
                Config::default().client_urls(Vec::<String>::new()),
                "client_urls must hold at least one URL",
            ),
            (
                Config::default().client_urls(["localhost:2379"]),
                "client_urls: \"localhost:2379\" is not an http:// or https:// URL with a host",
            ),
            (
                Config::default().peer_urls(["http://:2380"]),
                "peer_urls: \"http://:2380\" is not an http:// or https:// URL with a host",
            ),
            (
                Config::default().limits(apply::Limits::default().max_txn_ops(0)),
                "invalid store limits: max_txn_ops must be at least 1",
            ),
            (
                Config::default().watch(watch::Config::default().channel_capacity(0)),
                "invalid watch hub configuration: channel_capacity must be above 0",
            ),
            (
                Config::default().lease(lease::Config::default().min_ttl(0)),
                "invalid lease config: min_ttl must be between 1 and 9000000000 seconds",
            ),
        ];
        for (config, message) in cases {
            let error = config.validate().expect_err(message);
            assert_eq!(error.to_string(), format!("invalid store server configuration: {message}"));
        }
    }

    #[test]
    fn every_quota_is_valid_and_maps_as_etcds_flag() {
        let cases = [
            (0, Some(apply::Quota::DEFAULT_BYTES), 2_147_483_648),
            (1, Some(1), 1),
            (16 << 30, Some(16 << 30), 16 << 30),
            (-1, None, -1),
            (i64::MIN, None, i64::MIN),
        ];
        for (bytes, limit, reported) in cases {
            let config = Config::default().quota_backend_bytes(bytes);
            assert!(config.validate().is_ok(), "{bytes}");
            assert_eq!(config.quota().limit(), limit, "{bytes}");
            assert_eq!(config.db_size_quota(), reported, "{bytes}");
        }
        assert_eq!(Config::default().quota(), apply::Quota::default());
    }

    #[test]
    fn builders_set_their_fields() {
        let config = Config::default()
            .cluster_id(7)
            .member_id(9)
            .name("m1")
            .client_urls(["https://10.0.0.1:2379", "http://m1"])
            .peer_urls(["http://10.0.0.1:2380"]);
        assert_eq!((config.cluster_id, config.member_id, config.name.as_str()), (7, 9, "m1"));
        assert_eq!(config.client_urls, ["https://10.0.0.1:2379", "http://m1"]);
        assert_eq!(config.peer_urls, ["http://10.0.0.1:2380"]);
        assert!(config.validate().is_ok());
    }
}
