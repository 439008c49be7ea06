//! The pure core: watchers, streams, and who gets which events.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::event::{self, Event, Response};
use super::{Config, Error, Filter, Id, NO_WATCH_ID, Request, Result, Sent, Sink, StreamId};
use crate::mvcc::{self, EventKind};

/// The watcher's flags, in one byte to keep idle watchers small.
const PREV_KV: u8 = 1;
const FRAGMENT: u8 = 1 << 1;
const PROGRESS_NOTIFY: u8 = 1 << 2;
const NO_PUT: u8 = 1 << 3;
const NO_DELETE: u8 = 1 << 4;
/// It has been sent everything up to the current revision.
const SYNCED: u8 = 1 << 5;
/// Its `created` response is still to be sent (its stream was full).
const CREATED_PENDING: u8 = 1 << 6;

/// One watcher: about 48 bytes plus its key and range end.
#[derive(Debug)]
struct Watcher {
    key: Box<[u8]>,
    range_end: Box<[u8]>,
    /// The first revision it has not been sent.
    next_revision: i64,
    flags: u8,
}

impl Watcher {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    fn wants(&self, change: &mvcc::Event) -> bool {
        let skip = match change.kind {
            EventKind::Put => NO_PUT,
            EventKind::Delete => NO_DELETE,
        };
        !self.has(skip) && in_range(&self.key, &self.range_end, &change.kv.key)
    }

    /// Its view of the changes it wants.
    fn select(&self, changes: &[Arc<mvcc::Event>]) -> Vec<Event> {
        changes
            .iter()
            .filter(|change| self.wants(change))
            .map(|change| Event::new(Arc::clone(change), self.has(PREV_KV)))
            .collect()
    }
}

/// Whether `candidate` is in etcd's `[key, range_end)`.
fn in_range(key: &[u8], range_end: &[u8], candidate: &[u8]) -> bool {
    match range_end {
        [] => candidate == key,
        [0] => candidate >= key,
        end => candidate >= key && candidate < end,
    }
}

#[derive(Debug)]
struct Stream<S> {
    sink: S,
    next_watch_id: i64,
    /// How many of its watchers are unsynced.
    unsynced: usize,
}

/// Revisions of history to read for one [`Hub::sync_step`]:
/// `start..=end`, nothing when `start > end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The lowest next revision of an unsynced watcher.
    pub start: i64,
    /// The last revision to read: at most the hub's current revision.
    pub end: i64,
}

impl Window {
    /// Reads the window's history of every key from `store`: what
    /// [`Hub::apply_sync`] expects.
    ///
    /// # Errors
    ///
    /// [`mvcc::Error::Compacted`] (which `apply_sync` turns into compacted
    /// responses) and the fatal storage errors.
    pub fn read(&self, store: &mvcc::Store) -> mvcc::Result<Vec<mvcc::Event>> {
        if self.start > self.end {
            return Ok(Vec::new());
        }
        store.events(self.start, self.end, b"\0", b"\0")
    }
}

/// The watch hub's pure core: see the [module docs](super).
///
/// `S` is the [`Sink`] of each stream: a tokio channel in
/// [`WatchHub`](super::WatchHub), a [`VecSink`](super::VecSink) in tests.
#[derive(Debug)]
pub struct Hub<S> {
    config: Config,
    current_revision: i64,
    next_stream: u64,
    streams: HashMap<StreamId, Stream<S>>,
    watchers: BTreeMap<Id, Watcher>,
    unsynced: BTreeSet<Id>,
    /// Streams owed a stream-wide progress notification.
    progress_requested: BTreeSet<StreamId>,
}

impl<S: Sink> Hub<S> {
    /// A hub for a store at `current_revision`.
    #[must_use]
    pub fn new(current_revision: i64, config: Config) -> Self {
        Self {
            config,
            current_revision,
            next_stream: 0,
            streams: HashMap::new(),
            watchers: BTreeMap::new(),
            unsynced: BTreeSet::new(),
            progress_requested: BTreeSet::new(),
        }
    }

    /// The last revision notified (or the one the hub was created at).
    #[must_use]
    pub fn current_revision(&self) -> i64 {
        self.current_revision
    }

    /// The number of watchers.
    #[must_use]
    pub fn len(&self) -> usize {
        self.watchers.len()
    }

    /// Whether there are no watchers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.watchers.is_empty()
    }

    /// Whether a watcher exists and is synced; `None` if it does not exist.
    #[must_use]
    pub fn is_synced(&self, id: Id) -> Option<bool> {
        self.watchers.get(&id).map(|w| w.has(SYNCED))
    }

    /// Whether [`sync_step`](Hub::sync_step) has work: unsynced watchers or
    /// a progress notification owed.
    #[must_use]
    pub fn has_unsynced(&self) -> bool {
        !self.unsynced.is_empty() || !self.progress_requested.is_empty()
    }

    /// Opens a stream whose responses go to `sink`.
    pub fn add_stream(&mut self, sink: S) -> StreamId {
        let id = StreamId(self.next_stream);
        self.next_stream += 1;
        self.streams.insert(id, Stream { sink, next_watch_id: 0, unsynced: 0 });
        id
    }

    /// The sink of a stream.
    pub fn sink_mut(&mut self, stream: StreamId) -> Option<&mut S> {
        self.streams.get_mut(&stream).map(|s| &mut s.sink)
    }

    /// Removes a stream and its watchers, sending nothing; returns how many
    /// watchers it had.
    pub fn remove_stream(&mut self, stream: StreamId) -> usize {
        self.streams.remove(&stream);
        self.progress_requested.remove(&stream);
        let ids: Vec<Id> = self.stream_watchers(stream).collect();
        for id in &ids {
            self.watchers.remove(id);
            self.unsynced.remove(id);
        }
        ids.len()
    }

    fn stream_watchers(&self, stream: StreamId) -> impl Iterator<Item = Id> + '_ {
        let ids = Id { stream, watch_id: i64::MIN }..=Id { stream, watch_id: i64::MAX };
        self.watchers.range(ids).map(|(id, _)| *id)
    }

    /// Adds a watcher to `stream` and queues its `created` response;
    /// returns its watch id.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownStream`], [`Error::DuplicateWatchId`] and
    /// [`Error::EmptyRange`].
    pub fn watch(&mut self, stream: StreamId, request: Request) -> Result<i64> {
        let st = self.streams.get_mut(&stream).ok_or(Error::UnknownStream(stream))?;
        let (key, end) = (&request.key, &request.range_end);
        if !end.is_empty() && end.as_slice() != [0] && end <= key {
            return Err(Error::EmptyRange);
        }
        let taken = |watch_id| self.watchers.contains_key(&Id { stream, watch_id });
        let watch_id = match request.watch_id {
            Some(watch_id) if taken(watch_id) => return Err(Error::DuplicateWatchId(watch_id)),
            Some(watch_id) => watch_id,
            None => {
                let mut watch_id = st.next_watch_id;
                while taken(watch_id) {
                    watch_id += 1;
                }
                st.next_watch_id = watch_id + 1;
                watch_id
            }
        };
        let mut flags = 0;
        for (wanted, flag) in [
            (request.prev_kv, PREV_KV),
            (request.fragment, FRAGMENT),
            (request.progress_notify, PROGRESS_NOTIFY),
            (request.filters.contains(&Filter::NoPut), NO_PUT),
            (request.filters.contains(&Filter::NoDelete), NO_DELETE),
        ] {
            if wanted {
                flags |= flag;
            }
        }
        let current = self.current_revision;
        let created = Response { created: true, ..Response::new(watch_id, current) };
        match st.sink.try_send_all(vec![created]) {
            Sent::Sent => {}
            Sent::Full => flags |= CREATED_PENDING,
            Sent::Closed => {
                self.remove_stream(stream);
                return Err(Error::UnknownStream(stream));
            }
        }
        let next_revision =
            if request.start_revision <= 0 { current + 1 } else { request.start_revision };
        let id = Id { stream, watch_id };
        if next_revision > current && flags & CREATED_PENDING == 0 {
            flags |= SYNCED;
        } else {
            st.unsynced += 1;
            self.unsynced.insert(id);
        }
        let watcher = Watcher {
            key: request.key.into_boxed_slice(),
            range_end: request.range_end.into_boxed_slice(),
            next_revision,
            flags,
        };
        self.watchers.insert(id, watcher);
        Ok(watch_id)
    }

    /// Removes a watcher and queues its `canceled` response if its stream
    /// has room (a consumer that cancels knows anyway); false if there was
    /// no such watcher. No response for it follows.
    pub fn cancel(&mut self, id: Id) -> bool {
        if !self.remove_watcher(id) {
            return false;
        }
        let canceled =
            Response { canceled: true, ..Response::new(id.watch_id, self.current_revision) };
        self.send(id.stream, vec![canceled]);
        true
    }

    /// Removes a watcher, keeping the counts right.
    fn remove_watcher(&mut self, id: Id) -> bool {
        if self.watchers.remove(&id).is_none() {
            return false;
        }
        if self.unsynced.remove(&id)
            && let Some(stream) = self.streams.get_mut(&id.stream)
        {
            stream.unsynced -= 1;
        }
        true
    }

    /// Sends a batch to a stream, removing the stream if its consumer left.
    fn send(&mut self, stream: StreamId, batch: Vec<Response>) -> Sent {
        let Some(st) = self.streams.get_mut(&stream) else { return Sent::Closed };
        let sent = st.sink.try_send_all(batch);
        if sent == Sent::Closed {
            self.remove_stream(stream);
        }
        sent
    }

    /// Delivers the changes of a committed `revision` to the synced
    /// watchers that want them, one response per watcher (or its fragments).
    /// A watcher whose stream is full becomes unsynced, to be caught up from
    /// history. A revision at or below the current one is ignored (a write
    /// that changed nothing reports the revision it started at).
    pub fn notify(&mut self, revision: i64, events: Vec<mvcc::Event>) {
        if revision <= self.current_revision {
            debug_assert!(events.is_empty(), "revision {revision} notified twice or out of order");
            return;
        }
        self.current_revision = revision;
        if events.is_empty() {
            return;
        }
        let changes: Vec<Arc<mvcc::Event>> = events.into_iter().map(Arc::new).collect();
        let max_bytes = self.config.max_response_bytes;
        let mut closed = Vec::new();
        for (id, w) in &mut self.watchers {
            if !w.has(SYNCED) || w.next_revision > revision {
                continue;
            }
            let Some(stream) = self.streams.get_mut(&id.stream) else { continue };
            let wanted = w.select(&changes);
            w.next_revision = revision + 1;
            if wanted.is_empty() {
                continue;
            }
            let max_pieces = stream.sink.max_batch();
            let batch = event::responses(
                id.watch_id,
                revision,
                wanted,
                w.has(FRAGMENT),
                max_bytes,
                max_pieces,
            );
            match stream.sink.try_send_all(batch) {
                Sent::Sent => {}
                Sent::Full => {
                    // etcd's victim: caught up from history later.
                    w.next_revision = revision;
                    w.flags &= !SYNCED;
                    stream.unsynced += 1;
                    self.unsynced.insert(*id);
                }
                Sent::Closed => closed.push(id.stream),
            }
        }
        for stream in closed {
            self.remove_stream(stream);
        }
    }

    /// Sends a progress notification (no events, the current revision) to
    /// every synced watcher that asked for them, where there is room. The
    /// caller decides how often (etcd: every ten minutes).
    pub fn progress_notify(&mut self) {
        let current = self.current_revision;
        let due: Vec<Id> = (self.watchers.iter())
            .filter(|(_, w)| w.has(SYNCED) && w.has(PROGRESS_NOTIFY))
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            self.send(id.stream, vec![Response::new(id.watch_id, current)]);
        }
    }

    /// etcd's `WatchProgressRequest`: one response with watch id
    /// [`NO_WATCH_ID`], no events and the current revision, sent once every
    /// watcher of the stream is synced — now, or when
    /// [`sync_step`](Hub::sync_step) has caught them up.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownStream`].
    pub fn request_progress(&mut self, stream: StreamId) -> Result<()> {
        if !self.streams.contains_key(&stream) {
            return Err(Error::UnknownStream(stream));
        }
        self.progress_requested.insert(stream);
        self.flush_progress();
        Ok(())
    }

    /// Sends the owed progress notifications of streams whose watchers are
    /// all synced, where there is room; returns whether it sent any.
    /// [`sync_step`](Hub::sync_step) and [`apply_sync`](Hub::apply_sync)
    /// call it; a caller driving [`sync_window`](Hub::sync_window) itself
    /// calls it when that returns `None`.
    pub fn flush_progress(&mut self) -> bool {
        let current = self.current_revision;
        let ready: Vec<StreamId> = (self.progress_requested.iter())
            .filter(|s| self.streams.get(s).is_none_or(|st| st.unsynced == 0))
            .copied()
            .collect();
        let mut progressed = false;
        for stream in ready {
            if self.send(stream, vec![Response::new(NO_WATCH_ID, current)]) != Sent::Full {
                self.progress_requested.remove(&stream);
                progressed = true;
            }
        }
        progressed
    }

    /// The history to read to catch up unsynced watchers: from the lowest
    /// next revision of an unsynced watcher whose stream has room, at most
    /// `max_revisions` revisions, up to the current revision. `None` when
    /// no unsynced watcher can take anything now.
    #[must_use]
    pub fn sync_window(&self, max_revisions: i64) -> Option<Window> {
        let start = (self.unsynced.iter())
            .filter(|id| self.streams.get(&id.stream).is_some_and(|s| s.sink.has_room()))
            .filter_map(|id| self.watchers.get(id))
            .map(|w| w.next_revision)
            .min()?;
        let end = self.current_revision.min(start.saturating_add(max_revisions.max(1) - 1));
        Some(Window { start, end })
    }

    /// Catches unsynced watchers up with `history`, the changes of every key
    /// in `window` (as [`mvcc::Store::events`] returns them). A watcher that
    /// reaches the current revision becomes synced; one whose next revision
    /// was compacted gets its compacted response and is removed. Returns
    /// whether anything moved.
    ///
    /// # Errors
    ///
    /// The fatal store errors in `history`.
    pub fn apply_sync(
        &mut self,
        window: Window,
        history: mvcc::Result<Vec<mvcc::Event>>,
    ) -> Result<bool> {
        let changes: Vec<Arc<mvcc::Event>> = match history {
            Ok(events) => events.into_iter().map(Arc::new).collect(),
            Err(mvcc::Error::Compacted { compact_revision }) => {
                let progressed = self.cancel_compacted(compact_revision);
                return Ok(self.flush_progress() || progressed);
            }
            Err(error) => return Err(error.into()),
        };
        let current = self.current_revision;
        let max_bytes = self.config.max_response_bytes;
        let mut progressed = false;
        let mut closed = Vec::new();
        for id in self.unsynced.clone() {
            let (Some(w), Some(stream)) =
                (self.watchers.get_mut(&id), self.streams.get_mut(&id.stream))
            else {
                continue;
            };
            if w.next_revision < window.start {
                continue; // added after the window was chosen
            }
            if w.has(CREATED_PENDING) {
                // Alone, so that it fits even when the events do not.
                let created = Response { created: true, ..Response::new(id.watch_id, current) };
                match stream.sink.try_send_all(vec![created]) {
                    Sent::Sent => {
                        w.flags &= !CREATED_PENDING;
                        progressed = true;
                    }
                    Sent::Full => continue,
                    Sent::Closed => {
                        closed.push(id.stream);
                        continue;
                    }
                }
            }
            let mut batch = Vec::new();
            if w.next_revision <= window.end {
                let from = changes.partition_point(|c| c.kv.mod_revision < w.next_revision);
                let wanted = w.select(&changes[from..]);
                if !wanted.is_empty() {
                    let max_pieces = stream.sink.max_batch();
                    let fragment = w.has(FRAGMENT);
                    batch.extend(event::responses(
                        id.watch_id,
                        current,
                        wanted,
                        fragment,
                        max_bytes,
                        max_pieces,
                    ));
                }
            }
            let next = w.next_revision.max(window.end + 1);
            let moves = next != w.next_revision || next > current || !batch.is_empty();
            if !batch.is_empty() {
                match stream.sink.try_send_all(batch) {
                    Sent::Sent => {}
                    Sent::Full => continue,
                    Sent::Closed => {
                        closed.push(id.stream);
                        continue;
                    }
                }
            }
            progressed |= moves;
            w.next_revision = next;
            if next > current {
                w.flags |= SYNCED;
                stream.unsynced -= 1;
                self.unsynced.remove(&id);
            }
        }
        for stream in closed {
            self.remove_stream(stream);
        }
        Ok(self.flush_progress() || progressed)
    }

    /// Sends the compacted response to unsynced watchers that need history
    /// below `compact_revision`, and removes them.
    fn cancel_compacted(&mut self, compact_revision: i64) -> bool {
        let current = self.current_revision;
        let doomed: Vec<Id> = (self.unsynced.iter())
            .filter(|id| self.watchers.get(id).is_some_and(|w| w.next_revision < compact_revision))
            .copied()
            .collect();
        let mut progressed = false;
        for id in doomed {
            let created_pending = self.watchers.get(&id).is_some_and(|w| w.has(CREATED_PENDING));
            if created_pending {
                let created = Response { created: true, ..Response::new(id.watch_id, current) };
                if self.send(id.stream, vec![created]) != Sent::Sent {
                    continue;
                }
                if let Some(w) = self.watchers.get_mut(&id) {
                    w.flags &= !CREATED_PENDING;
                }
                progressed = true;
            }
            let compacted = Response {
                compact_revision,
                canceled: true,
                ..Response::new(id.watch_id, current)
            };
            if self.send(id.stream, vec![compacted]) == Sent::Sent {
                self.remove_watcher(id);
                progressed = true;
            }
        }
        progressed
    }

    /// One round of catching up: reads the [`sync_window`](Hub::sync_window)
    /// of `store`'s history (at most `max_revisions` revisions) and
    /// [applies](Hub::apply_sync) it. Returns whether anything moved; call
    /// it again while it does and [`has_unsynced`](Hub::has_unsynced) holds.
    ///
    /// # Errors
    ///
    /// The fatal store errors.
    pub fn sync_step(&mut self, store: &mvcc::Store, max_revisions: i64) -> Result<bool> {
        let Some(window) = self.sync_window(max_revisions) else {
            return Ok(self.flush_progress());
        };
        let history = window.read(store);
        self.apply_sync(window, history)
    }
}

#[cfg(test)]
mod unit {
    use super::{Watcher, in_range};

    #[test]
    fn an_idle_watcher_is_small() {
        // Plus its key, its range end and its map entry's id (16 bytes).
        assert!(size_of::<Watcher>() <= 48, "{}", size_of::<Watcher>());
    }

    #[test]
    fn ranges_follow_etcds_range_end() {
        assert!(in_range(b"a", b"", b"a"));
        assert!(!in_range(b"a", b"", b"ab"));
        assert!(in_range(b"a", b"b", b"ab"));
        assert!(!in_range(b"a", b"b", b"b"));
        assert!(in_range(b"a", b"\0", b"zzz"));
        assert!(in_range(b"\0", b"\0", b"\0"));
        assert!(!in_range(b"b", b"\0", b"a"));
    }
}
