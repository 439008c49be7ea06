//! The watch hub: fans committed changes out to watchers, with etcd's
//! `watchableStore` semantics.
//!
//! ```
//! use keelson_store::mvcc;
//! use keelson_store::watch::{self, Hub, Request};
//!
//! let store = mvcc::Store::in_memory()?;
//! let mut w = store.write(1)?.expect("index 1 is new");
//! w.put("config/a", "1", 0)?;
//! w.commit()?; // revision 2, before anyone watched
//!
//! // A hub knows the store's revision; a stream is one consumer's queue.
//! let mut hub = Hub::new(store.current_revision(), watch::Config::default());
//! let stream = hub.add_stream(watch::VecSink::new(16));
//! let id = hub.watch(stream, Request::prefix("config/").start_revision(2))?;
//!
//! // Starting in the past, the watcher is caught up from history...
//! hub.sync_step(&store, 100)?;
//! // ...and then gets commits as they are notified.
//! let mut w = store.write(2)?.expect("index 2 is new");
//! w.put("config/b", "2", 0)?;
//! let (revision, events) = w.commit()?;
//! hub.notify(revision, events);
//!
//! let responses = hub.sink_mut(stream).expect("the stream is open").take();
//! assert!(responses[0].created);
//! let keys: Vec<&[u8]> = responses[1..].iter()
//!     .flat_map(|r| &r.events)
//!     .map(|e| e.kv().key.as_slice())
//!     .collect();
//! assert_eq!(keys, [&b"config/a"[..], b"config/b"]);
//! assert!(responses.iter().all(|r| r.watch_id == id));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Two layers, as everywhere in Keelson:
//!
//! - [`Hub`] is the pure core: no threads, no tokio. It holds the watchers,
//!   decides which of them get which events, and pushes [`Response`]s into
//!   each stream's [`Sink`].
//! - [`WatchHub`] is the async shell: the core behind a mutex, tokio
//!   channels as sinks, and a background task that catches unsynced
//!   watchers up from the [`mvcc::Store`](crate::mvcc::Store).
//!
//! # Synced and unsynced watchers
//!
//! As in etcd, a watcher is either *synced* — it has seen everything up to
//! the hub's current revision and gets new revisions from
//! [`Hub::notify`] — or *unsynced* — it is behind and is caught up from
//! history by [`Hub::sync_step`] in bounded batches. A watcher starts
//! unsynced when its start revision is at or below the current revision. A
//! synced watcher whose stream is full when a revision arrives becomes
//! unsynced again (etcd's "victim") and is later caught up from history: it
//! never loses an event and is never dropped for being slow. A watcher whose
//! next revision has been compacted away gets one response carrying the
//! compact revision, with `canceled` set, and is removed.
//!
//! # The caller's protocol
//!
//! 1. The caller MUST call [`Hub::notify`] once per committed revision, in
//!    revision order, after the revision is readable from the store.
//! 2. The caller MUST call [`Hub::sync_step`] (or the
//!    [`Hub::sync_window`] / [`Hub::apply_sync`] pair) while
//!    [`Hub::has_unsynced`] is true, and again some time later when a step
//!    made no progress (its consumers were full).
//! 3. Between [`Hub::sync_window`] and [`Hub::apply_sync`] the caller MAY
//!    release its lock on the hub and MAY call `notify`; it MUST pass
//!    [`Window::read`] of that same window to `apply_sync`.

mod event;
mod hub;
mod ranges;
mod shell;
mod sink;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use event::{Event, Response};
pub use hub::{Hub, Window};
pub use shell::WatchHub;
pub use sink::{Sent, Sink, VecSink};

/// The result type of the watch hub.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The watch id etcd uses for a response that belongs to no single watcher
/// (a stream-wide progress notification).
pub const NO_WATCH_ID: i64 = -1;

/// Identifies one stream (one consumer's queue) in a hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId(pub u64);

/// Identifies one watcher: its stream and its watch id in that stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id {
    /// The stream that receives its responses.
    pub stream: StreamId,
    /// The watch id, unique within the stream.
    pub watch_id: i64,
}

/// A kind of event a watcher does not want (etcd's `WatchCreateRequest`
/// filters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Filter {
    /// Drop puts.
    NoPut,
    /// Drop deletes.
    NoDelete,
}

/// What to watch and how: etcd's `WatchCreateRequest`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Request {
    /// The key, or the start of the range.
    pub key: Vec<u8>,
    /// The end of the range, exclusive: empty for the single `key`, `"\0"`
    /// for every key at or after `key`.
    pub range_end: Vec<u8>,
    /// The first revision to deliver; 0 for the revision after the current
    /// one.
    pub start_revision: i64,
    /// Kinds of events to leave out.
    pub filters: Vec<Filter>,
    /// Whether events carry the key's previous value.
    pub prev_kv: bool,
    /// Whether a large revision may be split into several responses.
    pub fragment: bool,
    /// Whether the watcher gets periodic progress notifications (see
    /// [`Hub::progress_notify`]).
    pub progress_notify: bool,
    /// The watch id to use; `None` picks the lowest free one from 0, as
    /// etcd's `AutoWatchID`.
    pub watch_id: Option<i64>,
}

impl Request {
    /// Watches the single `key`.
    pub fn key(key: impl Into<Vec<u8>>) -> Self {
        Self { key: key.into(), ..Self::default() }
    }

    /// Watches `[key, range_end)`.
    pub fn range(key: impl Into<Vec<u8>>, range_end: impl Into<Vec<u8>>) -> Self {
        Self { key: key.into(), range_end: range_end.into(), ..Self::default() }
    }

    /// Watches every key that starts with `prefix` (every key for `""`).
    pub fn prefix(prefix: impl Into<Vec<u8>>) -> Self {
        let prefix = prefix.into();
        if prefix.is_empty() {
            return Self::from_key(vec![0]);
        }
        let end = crate::mvcc::prefix_end(&prefix);
        Self::range(prefix, end)
    }

    /// Watches every key at or after `key`.
    pub fn from_key(key: impl Into<Vec<u8>>) -> Self {
        Self::range(key, vec![0])
    }

    /// Starts at `revision` (0: after the current revision).
    #[must_use]
    pub fn start_revision(mut self, revision: i64) -> Self {
        self.start_revision = revision;
        self
    }

    /// Leaves out one kind of event.
    #[must_use]
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Asks for previous values.
    #[must_use]
    pub fn prev_kv(mut self) -> Self {
        self.prev_kv = true;
        self
    }

    /// Allows splitting large revisions.
    #[must_use]
    pub fn fragment(mut self) -> Self {
        self.fragment = true;
        self
    }

    /// Asks for periodic progress notifications.
    #[must_use]
    pub fn progress_notify(mut self) -> Self {
        self.progress_notify = true;
        self
    }

    /// Uses this watch id.
    #[must_use]
    pub fn watch_id(mut self, watch_id: i64) -> Self {
        self.watch_id = Some(watch_id);
        self
    }
}

/// Limits and timings of the hub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Responses of fragmenting watchers are split to stay at or below this
    /// many bytes (estimated as etcd's protobuf encoding would be). The
    /// default is etcd's request limit, 1.5 MiB.
    pub max_response_bytes: usize,
    /// How many responses a [`WatchHub`] stream queues before its watchers
    /// fall behind and are caught up from history (etcd's 128).
    pub channel_capacity: usize,
    /// How many revisions of history one sync step reads at most (etcd's
    /// 1,000).
    pub sync_batch_revisions: i64,
    /// How often [`WatchHub`] retries catching up watchers whose consumers
    /// were full (etcd's 100 ms).
    pub sync_interval: Duration,
    /// How often [`WatchHub`] sends progress notifications to the watchers
    /// that asked for them (etcd's 10 minutes).
    pub progress_notify_interval: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            max_response_bytes: 3 * 512 * 1024,
            channel_capacity: 128,
            sync_batch_revisions: 1000,
            sync_interval: Duration::from_millis(100),
            progress_notify_interval: Duration::from_secs(600),
        }
    }
}

impl Config {
    /// Sets [`max_response_bytes`](Config::max_response_bytes).
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Sets [`channel_capacity`](Config::channel_capacity).
    #[must_use]
    pub fn channel_capacity(mut self, responses: usize) -> Self {
        self.channel_capacity = responses;
        self
    }

    /// Sets [`sync_batch_revisions`](Config::sync_batch_revisions).
    #[must_use]
    pub fn sync_batch_revisions(mut self, revisions: i64) -> Self {
        self.sync_batch_revisions = revisions;
        self
    }

    /// Sets [`sync_interval`](Config::sync_interval).
    #[must_use]
    pub fn sync_interval(mut self, interval: Duration) -> Self {
        self.sync_interval = interval;
        self
    }

    /// Sets [`progress_notify_interval`](Config::progress_notify_interval).
    #[must_use]
    pub fn progress_notify_interval(mut self, interval: Duration) -> Self {
        self.progress_notify_interval = interval;
        self
    }

    /// Checks the limits.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the first value out of range.
    pub fn validate(&self) -> Result<()> {
        let problem = if self.max_response_bytes == 0 {
            "max_response_bytes must be above 0"
        } else if self.channel_capacity == 0 {
            "channel_capacity must be above 0"
        } else if self.sync_batch_revisions <= 0 {
            "sync_batch_revisions must be above 0"
        } else if self.sync_interval.is_zero() {
            "sync_interval must be above 0"
        } else if self.progress_notify_interval.is_zero() {
            "progress_notify_interval must be above 0"
        } else {
            return Ok(());
        };
        Err(Error::InvalidConfig(problem.into()))
    }
}

/// Why a watch request was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The stream does not exist (it was removed, or its consumer left).
    #[error("watch stream {0:?} does not exist")]
    UnknownStream(StreamId),
    /// The stream already has a watcher with the requested id.
    #[error("watch id {0} is already in use on this stream")]
    DuplicateWatchId(i64),
    /// `range_end` is set but not after `key`, so nothing could match
    /// (etcd's `ErrEmptyWatcherRange`).
    #[error("watcher range is empty")]
    EmptyRange,
    /// A configuration value is out of range.
    #[error("invalid watch hub configuration: {0}")]
    InvalidConfig(String),
    /// The hub's background task has stopped.
    #[error("the watch hub is shut down")]
    Shutdown,
    /// Reading history failed.
    #[error(transparent)]
    Store(#[from] crate::mvcc::Error),
}
