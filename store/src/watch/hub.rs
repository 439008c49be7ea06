//! The pure core: watchers, streams, and who gets which events.
//!
//! An idle watcher costs 24 bytes in its stream's list plus its share of
//! its key range, which watchers with the same range share (see
//! [`ranges`](super::ranges)).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::event::{self, Event, Response};
use super::ranges::{Matches, RangeId, Ranges};
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

/// One watcher, in its stream's list.
#[derive(Debug)]
struct Watcher {
    watch_id: i64,
    /// The first revision it has not been sent.
    next_revision: i64,
    range: RangeId,
    flags: u8,
}

impl Watcher {
    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Whether it leaves out changes of this kind.
    fn skips(&self, kind: EventKind) -> bool {
        self.has(match kind {
            EventKind::Put => NO_PUT,
            EventKind::Delete => NO_DELETE,
        })
    }

    /// Its view of `changes`, of which it wants those in its range and not
    /// filtered out.
    fn select<'a>(
        &self,
        ranges: &Ranges,
        changes: impl IntoIterator<Item = &'a Arc<mvcc::Event>>,
    ) -> Vec<Event> {
        let bounds = ranges.bounds(self.range);
        (changes.into_iter())
            .filter(|change| !self.skips(change.kind) && bounds.contains(&change.kv.key))
            .map(|change| Event::new(Arc::clone(change), self.has(PREV_KV)))
            .collect()
    }
}

#[derive(Debug)]
struct Stream<S> {
    sink: S,
    next_watch_id: i64,
    /// How many of its watchers are unsynced.
    unsynced: usize,
    /// Its watchers, by watch id.
    watchers: Vec<Watcher>,
}

impl<S> Stream<S> {
    /// Where the watcher with `watch_id` is, or would go.
    fn find(&self, watch_id: i64) -> std::result::Result<usize, usize> {
        self.watchers.binary_search_by_key(&watch_id, |w| w.watch_id)
    }

    fn watcher_mut(&mut self, watch_id: i64) -> Option<&mut Watcher> {
        let index = self.find(watch_id).ok()?;
        Some(&mut self.watchers[index])
    }

    /// Removes a watcher, giving memory back once its list is mostly empty.
    fn remove(&mut self, watch_id: i64) -> Option<Watcher> {
        let watcher = self.watchers.remove(self.find(watch_id).ok()?);
        if self.watchers.capacity() > 4 * self.watchers.len().max(4) {
            self.watchers.shrink_to(2 * self.watchers.len());
        }
        Some(watcher)
    }
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
    /// The streams and their watchers, in id order: each revision goes to
    /// the watchers in [`Id`] order.
    streams: BTreeMap<StreamId, Stream<S>>,
    /// The number of watchers.
    watchers: usize,
    /// The watchers' key ranges.
    ranges: Ranges,
    /// Scratch of [`notify`](Hub::notify).
    matches: Matches,
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
            streams: BTreeMap::new(),
            watchers: 0,
            ranges: Ranges::default(),
            matches: Matches::default(),
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
        self.watchers
    }

    /// Whether there are no watchers.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.watchers == 0
    }

    fn watcher(&self, id: Id) -> Option<&Watcher> {
        let stream = self.streams.get(&id.stream)?;
        Some(&stream.watchers[stream.find(id.watch_id).ok()?])
    }

    /// Whether a watcher exists and is synced; `None` if it does not exist.
    #[must_use]
    pub fn is_synced(&self, id: Id) -> Option<bool> {
        self.watcher(id).map(|w| w.has(SYNCED))
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
        let stream = Stream { sink, next_watch_id: 0, unsynced: 0, watchers: Vec::new() };
        self.streams.insert(id, stream);
        id
    }

    /// The sink of a stream.
    pub fn sink_mut(&mut self, stream: StreamId) -> Option<&mut S> {
        self.streams.get_mut(&stream).map(|s| &mut s.sink)
    }

    /// Removes a stream and its watchers, sending nothing; returns how many
    /// watchers it had.
    pub fn remove_stream(&mut self, stream: StreamId) -> usize {
        self.progress_requested.remove(&stream);
        let Some(removed) = self.streams.remove(&stream) else { return 0 };
        if removed.unsynced > 0 {
            let ids = Id { stream, watch_id: i64::MIN }..=Id { stream, watch_id: i64::MAX };
            let unsynced: Vec<Id> = self.unsynced.range(ids).copied().collect();
            for id in &unsynced {
                self.unsynced.remove(id);
            }
        }
        for w in &removed.watchers {
            self.ranges.release(w.range);
        }
        self.watchers -= removed.watchers.len();
        removed.watchers.len()
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
        let watch_id = match request.watch_id {
            Some(watch_id) if st.find(watch_id).is_ok() => {
                return Err(Error::DuplicateWatchId(watch_id));
            }
            Some(watch_id) => watch_id,
            None => {
                let mut watch_id = st.next_watch_id;
                while st.find(watch_id).is_ok() {
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
        if next_revision > current && flags & CREATED_PENDING == 0 {
            flags |= SYNCED;
        } else {
            st.unsynced += 1;
            self.unsynced.insert(Id { stream, watch_id });
        }
        let range = self.ranges.acquire(request.key, request.range_end);
        let watcher = Watcher { watch_id, next_revision, range, flags };
        let at = st.find(watch_id).unwrap_or_else(|at| at);
        st.watchers.insert(at, watcher);
        self.watchers += 1;
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
        let Some(stream) = self.streams.get_mut(&id.stream) else { return false };
        let Some(watcher) = stream.remove(id.watch_id) else { return false };
        if self.unsynced.remove(&id) {
            stream.unsynced -= 1;
        }
        self.ranges.release(watcher.range);
        self.watchers -= 1;
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
        let Self { streams, ranges, matches, unsynced, .. } = self;
        matches.reset(ranges.slots());
        let mut closed = Vec::new();
        for (&stream_id, stream) in streams.iter_mut() {
            let Stream { sink, watchers, unsynced: stream_unsynced, .. } = stream;
            for w in watchers.iter_mut() {
                if !w.has(SYNCED) || w.next_revision > revision {
                    continue;
                }
                let in_range = matches.of(ranges, w.range, &changes).iter();
                let wanted: Vec<Event> = (in_range.map(|&index| &changes[index as usize]))
                    .filter(|change| !w.skips(change.kind))
                    .map(|change| Event::new(Arc::clone(change), w.has(PREV_KV)))
                    .collect();
                w.next_revision = revision + 1;
                if wanted.is_empty() {
                    continue;
                }
                let max_pieces = sink.max_batch();
                let batch = event::responses(
                    w.watch_id,
                    revision,
                    wanted,
                    w.has(FRAGMENT),
                    max_bytes,
                    max_pieces,
                );
                match sink.try_send_all(batch) {
                    Sent::Sent => {}
                    Sent::Full => {
                        // etcd's victim: caught up from history later.
                        w.next_revision = revision;
                        w.flags &= !SYNCED;
                        *stream_unsynced += 1;
                        unsynced.insert(Id { stream: stream_id, watch_id: w.watch_id });
                    }
                    Sent::Closed => {
                        // Its other watchers go with it.
                        closed.push(stream_id);
                        break;
                    }
                }
            }
        }
        matches.trim(ranges.slots());
        for stream in closed {
            self.remove_stream(stream);
        }
    }

    /// Sends a progress notification (no events, the current revision) to
    /// every synced watcher that asked for them, where there is room. The
    /// caller decides how often (etcd: every ten minutes).
    pub fn progress_notify(&mut self) {
        let current = self.current_revision;
        let due: Vec<Id> = (self.streams.iter())
            .flat_map(|(&stream, st)| {
                (st.watchers.iter())
                    .filter(|w| w.has(SYNCED) && w.has(PROGRESS_NOTIFY))
                    .map(move |w| Id { stream, watch_id: w.watch_id })
            })
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
            .filter_map(|&id| self.watcher(id))
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
        let Self { streams, ranges, unsynced, .. } = self;
        for id in unsynced.clone() {
            let Some(stream) = streams.get_mut(&id.stream) else { continue };
            let Ok(index) = stream.find(id.watch_id) else { continue };
            let Stream { sink, watchers, unsynced: stream_unsynced, .. } = stream;
            let w = &mut watchers[index];
            if w.next_revision < window.start {
                continue; // added after the window was chosen
            }
            if w.has(CREATED_PENDING) {
                // Alone, so that it fits even when the events do not.
                let created = Response { created: true, ..Response::new(id.watch_id, current) };
                match sink.try_send_all(vec![created]) {
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
                let wanted = w.select(ranges, &changes[from..]);
                if !wanted.is_empty() {
                    let max_pieces = sink.max_batch();
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
                match sink.try_send_all(batch) {
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
                *stream_unsynced -= 1;
                unsynced.remove(&id);
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
            .filter(|&&id| self.watcher(id).is_some_and(|w| w.next_revision < compact_revision))
            .copied()
            .collect();
        let mut progressed = false;
        for id in doomed {
            let created_pending = self.watcher(id).is_some_and(|w| w.has(CREATED_PENDING));
            if created_pending {
                let created = Response { created: true, ..Response::new(id.watch_id, current) };
                if self.send(id.stream, vec![created]) != Sent::Sent {
                    continue;
                }
                let stream = self.streams.get_mut(&id.stream);
                if let Some(w) = stream.and_then(|s| s.watcher_mut(id.watch_id)) {
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
    use super::*;
    use crate::watch::VecSink;

    #[test]
    fn an_idle_watcher_is_small() {
        // Its range is shared with the other watchers of the same range.
        assert_eq!(size_of::<Watcher>(), 24);
    }

    #[test]
    fn ranges_are_shared_and_released_with_their_last_watcher() {
        let mut hub = Hub::new(1, Config::default());
        let one = hub.add_stream(VecSink::new(1_000));
        let two = hub.add_stream(VecSink::new(1_000));
        for _ in 0..100 {
            hub.watch(one, Request::prefix("a")).unwrap();
            hub.watch(two, Request::prefix("a")).unwrap();
        }
        hub.watch(two, Request::key("b")).unwrap();
        assert_eq!((hub.len(), hub.ranges.len()), (201, 2));
        assert_eq!(hub.remove_stream(one), 100);
        assert_eq!(hub.ranges.len(), 2);
        assert!(hub.cancel(Id { stream: two, watch_id: 100 }));
        assert_eq!(hub.ranges.len(), 1, "the key range went with its only watcher");
        for watch_id in 0..99 {
            assert!(hub.cancel(Id { stream: two, watch_id }));
        }
        let stream = &hub.streams[&two];
        assert!(stream.watchers.capacity() <= 16, "the list shrank as it emptied");
        assert_eq!(hub.remove_stream(two), 1);
        assert_eq!((hub.len(), hub.ranges.len(), hub.ranges.slots()), (0, 0, 0));
    }
}
