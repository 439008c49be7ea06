//! What watchers receive: shared events and responses, and how a large
//! response is split into fragments.

use std::fmt;
use std::sync::Arc;

use crate::mvcc::{self, EventKind, KeyValue};

/// One change as a watcher sees it.
///
/// The change itself is shared (an [`Arc`]) by every watcher that gets it:
/// fanning out a revision to many watchers copies pointers, not values. A
/// watcher that did not ask for previous values sees no
/// [`prev_kv`](Event::prev_kv), even though the shared change has one.
#[derive(Clone)]
pub struct Event {
    change: Arc<mvcc::Event>,
    with_prev_kv: bool,
}

impl Event {
    /// The change as a watcher sees it; `prev_kv` says whether it asked
    /// for previous values.
    #[must_use]
    pub fn new(change: Arc<mvcc::Event>, prev_kv: bool) -> Self {
        Self { change, with_prev_kv: prev_kv }
    }

    /// Put or delete.
    #[must_use]
    pub fn kind(&self) -> EventKind {
        self.change.kind
    }

    /// The key after the change (for a delete, only the key and the
    /// revision, as in etcd).
    #[must_use]
    pub fn kv(&self) -> &KeyValue {
        &self.change.kv
    }

    /// The key before the change, when the watcher asked for it and it
    /// exists.
    #[must_use]
    pub fn prev_kv(&self) -> Option<&KeyValue> {
        self.change.prev_kv.as_ref().filter(|_| self.with_prev_kv)
    }

    /// The revision of the change.
    #[must_use]
    pub fn revision(&self) -> i64 {
        self.change.kv.mod_revision
    }

    /// The shared change, with its `prev_kv` whether asked for or not.
    #[must_use]
    pub fn change(&self) -> &Arc<mvcc::Event> {
        &self.change
    }

    /// About how many bytes the event takes in etcd's protobuf encoding.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        /// Tags, lengths and the four revision/version/lease varints.
        const OVERHEAD: usize = 48;
        let kv = |kv: &KeyValue| OVERHEAD + kv.key.len() + kv.value.len();
        kv(self.kv()) + self.prev_kv().map_or(0, kv)
    }
}

impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.kind() == other.kind() && self.kv() == other.kv() && self.prev_kv() == other.prev_kv()
    }
}

impl Eq for Event {}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("kind", &self.kind())
            .field("kv", self.kv())
            .field("prev_kv", &self.prev_kv())
            .finish()
    }
}

/// One message to a watcher: etcd's `WatchResponse` without its header,
/// of which only the revision is known here, and without a cancel reason:
/// the hub cancels a watcher only when asked to or when its history was
/// compacted, which `compact_revision` says. (Each stream's queue holds
/// these by value, in blocks of 32, so their size counts for idle streams.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    /// The watcher it is for; [`NO_WATCH_ID`](super::NO_WATCH_ID) for a
    /// stream-wide progress notification.
    pub watch_id: i64,
    /// Set on the first response of a watcher, which confirms its creation.
    pub created: bool,
    /// The events, oldest first. Every event of a revision is in the same
    /// response, unless the response is a fragment.
    pub events: Vec<Event>,
    /// Set when the watcher's start revision has been compacted: this is the
    /// compact revision, the response is the watcher's last and `canceled`
    /// is set.
    pub compact_revision: i64,
    /// Set on every fragment of a split revision but the last.
    pub fragment: bool,
    /// Set on a watcher's last response.
    pub canceled: bool,
    /// The hub's current revision when the response was made: every event up
    /// to it that the watcher should get has been sent (for a progress
    /// notification, the point of it).
    pub header_revision: i64,
}

impl Response {
    /// A response with nothing but the ids set.
    #[must_use]
    pub fn new(watch_id: i64, header_revision: i64) -> Self {
        Self { watch_id, header_revision, ..Self::default() }
    }

    /// Whether it carries no events and no news: a progress notification.
    #[must_use]
    pub fn is_progress_notify(&self) -> bool {
        self.events.is_empty()
            && !self.created
            && !self.canceled
            && self.compact_revision == 0
            && !self.fragment
    }
}

/// Splits `events` (for `watch_id`) into responses of at most
/// `max_bytes` each (at least one event each), with `fragment` set on all
/// but the last, into at most `max_pieces` responses (the last one takes
/// what is left). Without `fragment`, returns a single response.
pub(crate) fn responses(
    watch_id: i64,
    header_revision: i64,
    events: Vec<Event>,
    fragment: bool,
    max_bytes: usize,
    max_pieces: usize,
) -> Vec<Response> {
    let whole = |events| Response { events, ..Response::new(watch_id, header_revision) };
    let total: usize = events.iter().map(Event::encoded_len).sum();
    if !fragment || total <= max_bytes || events.len() < 2 || max_pieces < 2 {
        return vec![whole(events)];
    }
    let mut pieces: Vec<Response> = Vec::new();
    let mut current = Vec::new();
    let mut size = 0;
    for event in events {
        let len = event.encoded_len();
        let last_piece = pieces.len() + 1 == max_pieces;
        if !current.is_empty() && size + len > max_bytes && !last_piece {
            pieces.push(Response { fragment: true, ..whole(std::mem::take(&mut current)) });
            size = 0;
        }
        size += len;
        current.push(event);
    }
    pieces.push(whole(current));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, value_len: usize, revision: i64) -> Event {
        let kv = KeyValue {
            key: key.into(),
            value: vec![b'x'; value_len],
            mod_revision: revision,
            ..KeyValue::default()
        };
        let prev = KeyValue { value: vec![b'y'; 10], ..kv.clone() };
        Event::new(Arc::new(mvcc::Event { kind: EventKind::Put, kv, prev_kv: Some(prev) }), false)
    }

    #[test]
    fn prev_kv_is_seen_only_when_asked_for() {
        let without = put("a", 1, 2);
        assert_eq!(without.prev_kv(), None);
        let with = Event::new(without.change().clone(), true);
        assert_eq!(with.prev_kv().map(|kv| kv.value.len()), Some(10));
        assert_ne!(with, without);
        assert_eq!(without.encoded_len(), 48 + 1 + 1);
        assert_eq!(with.encoded_len(), 48 + 1 + 1 + 48 + 1 + 10);
    }

    /// The number of events in each piece, and which pieces are fragments.
    fn shape(responses: &[Response]) -> Vec<(usize, bool)> {
        responses.iter().map(|r| (r.events.len(), r.fragment)).collect()
    }

    #[test]
    fn fragments_hold_at_most_the_limit_and_at_least_one_event() {
        // Each event is 48 + 1 + 51 = 100 bytes.
        let events = |n| (0..n).map(|_| put("k", 51, 7)).collect::<Vec<_>>();
        let cases = [
            (5, false, 250, usize::MAX, vec![(5, false)]),
            (5, true, 500, usize::MAX, vec![(5, false)]),
            (5, true, 250, usize::MAX, vec![(2, true), (2, true), (1, false)]),
            (5, true, 50, usize::MAX, vec![(1, true), (1, true), (1, true), (1, true), (1, false)]),
            (5, true, 50, 2, vec![(1, true), (4, false)]),
            (1, true, 50, usize::MAX, vec![(1, false)]),
        ];
        for (n, fragment, max, pieces, want) in cases {
            let got = responses(3, 9, events(n), fragment, max, pieces);
            assert_eq!(shape(&got), want, "{n} events, fragment {fragment}, max {max}");
            assert!(got.iter().all(|r| r.watch_id == 3 && r.header_revision == 9));
        }
    }

    #[test]
    fn responses_are_small_as_streams_queue_them_by_value() {
        assert!(size_of::<Response>() <= 56, "{}", size_of::<Response>());
    }

    #[test]
    fn progress_notifications_are_empty_responses() {
        assert!(Response::new(1, 5).is_progress_notify());
        assert!(!Response { created: true, ..Response::new(1, 5) }.is_progress_notify());
        assert!(
            !Response { events: vec![put("a", 1, 5)], ..Response::new(1, 5) }.is_progress_notify()
        );
    }
}
