//! Exact-output tests of the pure core: each test drives a [`Hub`] with a
//! [`VecSink`] and compares the responses, written one per line as
//! `<watch id> <flags and events> @<header revision>`.

use std::fmt::Write as _;

use super::*;
use crate::mvcc::{self, EventKind};

/// A store, a hub notified of its commits, and one stream.
struct Fixture {
    store: mvcc::Store,
    hub: Hub<VecSink>,
    stream: StreamId,
}

impl Fixture {
    fn new(capacity: usize) -> Self {
        Self::with_config(capacity, Config::default())
    }

    fn with_config(capacity: usize, config: Config) -> Self {
        let store = mvcc::Store::in_memory().unwrap();
        let mut hub = Hub::new(store.current_revision(), config);
        let stream = hub.add_stream(VecSink::new(capacity));
        Self { store, hub, stream }
    }

    /// Commits one write and notifies the hub; returns the revision.
    fn commit(&mut self, f: impl FnOnce(&mut mvcc::Write<'_>)) -> i64 {
        let (revision, events) = self.commit_quietly(f);
        self.hub.notify(revision, events);
        revision
    }

    /// Commits one write without notifying the hub.
    fn commit_quietly(&self, f: impl FnOnce(&mut mvcc::Write<'_>)) -> (i64, Vec<mvcc::Event>) {
        let mut w = self.store.write(self.store.applied_index() + 1).unwrap().unwrap();
        f(&mut w);
        w.commit().unwrap()
    }

    fn put(&mut self, key: &str, value: &str) -> i64 {
        self.commit(|w| {
            w.put(key, value, 0).unwrap();
        })
    }

    fn delete(&mut self, key: &str, range_end: &str) -> i64 {
        self.commit(|w| {
            w.delete_range(key.as_bytes(), range_end.as_bytes()).unwrap();
        })
    }

    fn watch(&mut self, request: Request) -> i64 {
        self.hub.watch(self.stream, request).unwrap()
    }

    fn id(&self, watch_id: i64) -> Id {
        Id { stream: self.stream, watch_id }
    }

    /// Runs sync steps until nothing moves.
    fn sync(&mut self) {
        while self.hub.sync_step(&self.store, 100).unwrap() {}
    }

    /// Takes the stream's responses, shown one per line.
    fn take(&mut self) -> Vec<String> {
        self.hub.sink_mut(self.stream).unwrap().take().iter().map(show).collect()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn show_event(e: &Event) -> String {
    let mut out = match e.kind() {
        EventKind::Put => format!("P {}={}", text(&e.kv().key), text(&e.kv().value)),
        EventKind::Delete => format!("D {}", text(&e.kv().key)),
    };
    if let Some(prev) = e.prev_kv() {
        write!(out, " ({}={})", text(&prev.key), text(&prev.value)).unwrap();
    }
    out
}

fn show(r: &Response) -> String {
    let mut out = r.watch_id.to_string();
    for (set, flag) in [(r.created, " created"), (r.canceled, " canceled"), (r.fragment, " +frag")]
    {
        if set {
            out.push_str(flag);
        }
    }
    if r.compact_revision != 0 {
        write!(out, " compacted={}", r.compact_revision).unwrap();
    }
    for e in &r.events {
        write!(out, " {}", show_event(e)).unwrap();
    }
    write!(out, " @{}", r.header_revision).unwrap();
    out
}

/// Revisions 2..=8: puts, a delete, a two-key transaction and a range
/// delete.
fn history(f: &mut Fixture) {
    f.put("a", "1"); // 2
    f.put("b", "1"); // 3
    f.put("ab", "1"); // 4
    f.delete("a", ""); // 5
    f.put("c", "1"); // 6
    f.commit(|w| {
        w.put("a", "2", 0).unwrap();
        w.put("b", "2", 0).unwrap();
    }); // 7
    f.delete("a", "c"); // 8: a, ab, b
}

#[test]
fn watchers_get_exactly_the_events_they_asked_for_live_and_from_history() {
    let cases: [(Request, &[&str]); 9] = [
        (Request::key("a"), &["0 P a=1 @2", "0 D a @5", "0 P a=2 @7", "0 D a @8"]),
        (
            Request::prefix("a"),
            &["0 P a=1 @2", "0 P ab=1 @4", "0 D a @5", "0 P a=2 @7", "0 D a D ab @8"],
        ),
        (Request::range("ab", "c"), &["0 P b=1 @3", "0 P ab=1 @4", "0 P b=2 @7", "0 D ab D b @8"]),
        (Request::from_key("b"), &["0 P b=1 @3", "0 P c=1 @6", "0 P b=2 @7", "0 D b @8"]),
        (
            Request::prefix(""),
            &[
                "0 P a=1 @2",
                "0 P b=1 @3",
                "0 P ab=1 @4",
                "0 D a @5",
                "0 P c=1 @6",
                "0 P a=2 P b=2 @7",
                "0 D a D ab D b @8",
            ],
        ),
        (Request::prefix("").filter(Filter::NoPut), &["0 D a @5", "0 D a D ab D b @8"]),
        (
            Request::prefix("a").filter(Filter::NoDelete),
            &["0 P a=1 @2", "0 P ab=1 @4", "0 P a=2 @7"],
        ),
        (
            Request::key("a").prev_kv(),
            &["0 P a=1 @2", "0 D a (a=1) @5", "0 P a=2 @7", "0 D a (a=2) @8"],
        ),
        (Request::key("zz"), &[]),
    ];
    for (request, want) in cases {
        // Live: watching from the start.
        let mut live = Fixture::new(100);
        live.watch(request.clone());
        history(&mut live);
        let mut got = live.take();
        assert_eq!(got.remove(0), "0 created @1");
        assert_eq!(got, want, "live {request:?}");

        // From history: the same events, caught up in one response.
        let mut replayed = Fixture::new(100);
        history(&mut replayed);
        replayed.watch(request.clone().start_revision(2));
        assert_eq!(replayed.hub.is_synced(replayed.id(0)), Some(false));
        replayed.sync();
        assert_eq!(replayed.hub.is_synced(replayed.id(0)), Some(true));
        let got = replayed.take();
        assert_eq!(got[0], "0 created @8");
        let events = |lines: &[&str]| {
            lines.iter().map(|l| l[2..l.len() - 3].to_string()).collect::<Vec<_>>().join(" ")
        };
        let got_events = got[1..].iter().map(String::as_str).collect::<Vec<_>>();
        assert_eq!(events(&got_events), events(want), "replayed {request:?}");
        assert!(got.len() <= 2, "one response for the window: {got:?}");
    }
}

#[test]
fn history_then_live_has_no_gap_and_no_duplicate() {
    let mut f = Fixture::new(100);
    f.put("a", "1"); // 2
    f.put("a", "2"); // 3
    f.put("a", "3"); // 4
    f.watch(Request::key("a").start_revision(3));
    f.put("a", "4"); // 5: the watcher is unsynced, so not live
    let window = f.hub.sync_window(100).unwrap();
    assert_eq!(window, Window { start: 3, end: 5 });
    let history = window.read(&f.store);
    f.put("a", "5"); // 6: committed while the window was being read
    assert!(f.hub.apply_sync(window, history).unwrap());
    assert_eq!(f.hub.is_synced(f.id(0)), Some(false), "6 is still to come");
    f.sync();
    f.put("a", "6"); // 7: live
    assert_eq!(f.take(), ["0 created @4", "0 P a=2 P a=3 P a=4 @6", "0 P a=5 @6", "0 P a=6 @7"]);
}

#[test]
fn sync_reads_history_in_bounded_windows() {
    let mut f = Fixture::new(100);
    for i in 0..5 {
        f.put("k", &i.to_string()); // 2..=6
    }
    f.watch(Request::key("k").start_revision(2));
    let steps: Vec<Window> = std::iter::from_fn(|| {
        let window = f.hub.sync_window(2)?;
        let history = window.read(&f.store);
        f.hub.apply_sync(window, history).unwrap();
        Some(window)
    })
    .collect();
    assert_eq!(
        steps,
        [Window { start: 2, end: 3 }, Window { start: 4, end: 5 }, Window { start: 6, end: 6 }]
    );
    assert_eq!(f.take(), ["0 created @6", "0 P k=0 P k=1 @6", "0 P k=2 P k=3 @6", "0 P k=4 @6"]);
}

#[test]
fn a_watch_from_a_compacted_revision_is_canceled_with_the_compact_revision() {
    let mut f = Fixture::new(100);
    f.put("a", "1"); // 2
    f.put("a", "2"); // 3
    f.put("b", "1"); // 4
    f.store.compact(3).unwrap();
    f.watch(Request::key("a").start_revision(2));
    f.watch(Request::key("b").start_revision(4));
    f.sync();
    assert_eq!(
        f.take(),
        ["0 created @4", "1 created @4", "0 canceled compacted=3 @4", "1 P b=1 @4"]
    );
    assert_eq!(f.hub.is_synced(f.id(0)), None, "removed");
    assert_eq!(f.hub.len(), 1);
}

#[test]
fn a_canceled_watcher_gets_nothing_more() {
    let mut f = Fixture::new(100);
    let id = f.watch(Request::key("a"));
    f.put("a", "1");
    assert!(f.hub.cancel(f.id(id)));
    assert!(!f.hub.cancel(f.id(id)));
    f.put("a", "2");
    assert_eq!(f.take(), ["0 created @1", "0 P a=1 @2", "0 canceled @2"]);
    assert!(f.hub.is_empty());
    assert!(!f.hub.has_unsynced());
}

#[test]
fn a_slow_consumer_becomes_unsynced_and_is_caught_up_in_order() {
    let mut f = Fixture::new(3);
    f.watch(Request::key("k"));
    for i in 2..=7 {
        f.put("k", &i.to_string());
    }
    // The queue held created, 2 and 3; 4 found it full.
    assert_eq!(f.hub.is_synced(f.id(0)), Some(false));
    assert!(!f.hub.sync_step(&f.store, 100).unwrap(), "no room: nothing read");
    assert_eq!(f.take(), ["0 created @1", "0 P k=2 @2", "0 P k=3 @3"]);
    f.sync();
    assert_eq!(f.hub.is_synced(f.id(0)), Some(true));
    f.put("k", "8");
    assert_eq!(f.take(), ["0 P k=4 P k=5 P k=6 P k=7 @7", "0 P k=8 @8"]);
}

#[test]
fn progress_notifications() {
    let mut f = Fixture::new(100);
    f.watch(Request::key("a").progress_notify());
    f.watch(Request::key("b"));
    f.put("a", "1"); // 2
    f.hub.progress_notify();
    f.hub.request_progress(f.stream).unwrap();
    assert_eq!(f.take(), ["0 created @1", "1 created @1", "0 P a=1 @2", "0 @2", "-1 @2"]);

    // With an unsynced watcher, the stream's progress waits for it.
    f.watch(Request::key("a").start_revision(2));
    f.hub.request_progress(f.stream).unwrap();
    f.hub.progress_notify();
    assert_eq!(f.take(), ["2 created @2", "0 @2"], "not the unsynced one, no -1 yet");
    f.sync();
    assert_eq!(f.take(), ["2 P a=1 @2", "-1 @2"]);
    assert!(!f.hub.has_unsynced());
    let unknown = StreamId(99);
    assert!(
        matches!(f.hub.request_progress(unknown), Err(Error::UnknownStream(s)) if s == unknown)
    );
}

#[test]
fn a_large_revision_is_fragmented_for_watchers_that_allow_it() {
    // Each event is 48 + 2 + 50 = 100 bytes.
    let mut f = Fixture::with_config(100, Config::default().max_response_bytes(250));
    f.watch(Request::prefix("k").fragment());
    f.watch(Request::prefix("k"));
    let value = "v".repeat(50);
    f.commit(|w| {
        for i in 1..=5 {
            w.put(format!("k{i}"), value.as_str(), 0).unwrap();
        }
    }); // 2
    f.watch(Request::prefix("k").fragment().start_revision(2));
    f.sync();
    // Each response as `<watch id>:<number of events>`, `+` for a fragment.
    let shapes: Vec<String> = (f.take().iter())
        .map(|line| {
            let (id, _) = line.split_once(' ').unwrap();
            let fragment = if line.contains("+frag") { "+" } else { "" };
            format!("{id}:{}{fragment}", line.matches(" P ").count())
        })
        .collect();
    assert_eq!(shapes, ["0:0", "1:0", "0:2+", "0:2+", "0:1", "1:5", "2:0", "2:2+", "2:2+", "2:1"]);
}

#[test]
fn watch_ids_and_errors() {
    let mut f = Fixture::new(100);
    assert_eq!(f.watch(Request::key("a").watch_id(1)), 1);
    assert_eq!(f.watch(Request::key("a")), 0);
    assert_eq!(f.watch(Request::key("a")), 2, "1 is taken");
    let stream = f.stream;
    let cases = [
        (Request::key("a").watch_id(2), "watch id 2 is already in use on this stream"),
        (Request::range("b", "a"), "watcher range is empty"),
        (Request::range("b", "b"), "watcher range is empty"),
    ];
    for (request, want) in cases {
        assert_eq!(f.hub.watch(stream, request).unwrap_err().to_string(), want);
    }
    assert!(matches!(f.hub.watch(StreamId(7), Request::key("a")), Err(Error::UnknownStream(_))));

    // A stream whose consumer left is removed with its watchers.
    let other = f.hub.add_stream(VecSink::new(10));
    f.hub.watch(other, Request::key("a")).unwrap();
    f.hub.sink_mut(other).unwrap().close();
    f.put("a", "1");
    assert!(f.hub.sink_mut(other).is_none());
    assert_eq!(f.hub.len(), 3);
    assert_eq!(f.hub.remove_stream(stream), 3);
    assert!(f.hub.is_empty());
}

#[test]
fn a_future_start_revision_waits_for_it() {
    let mut f = Fixture::new(100);
    f.watch(Request::key("a").start_revision(4));
    assert_eq!(f.hub.is_synced(f.id(0)), Some(true));
    for i in 2..=5 {
        f.put("a", &i.to_string());
    }
    assert_eq!(f.take(), ["0 created @1", "0 P a=4 @4", "0 P a=5 @5"]);
}

#[test]
fn a_created_response_that_did_not_fit_goes_first_when_there_is_room() {
    let mut f = Fixture::new(1);
    f.watch(Request::key("a"));
    f.watch(Request::key("a")); // its created finds the queue full
    f.put("a", "1"); // 2: for 0, the queue is full too
    assert_eq!(f.take(), ["0 created @1"]);
    f.sync();
    assert_eq!(f.take(), ["0 P a=1 @2"]);
    f.sync();
    assert_eq!(f.take(), ["1 created @2"]);
    f.sync();
    assert_eq!(f.take(), ["1 P a=1 @2"]);
    assert!(!f.hub.has_unsynced());
}

#[test]
fn watchers_sharing_a_range_each_get_their_view_in_watch_id_order() {
    let mut f = Fixture::new(100);
    // Out of order, so that the stream's list is kept sorted by insertion.
    assert_eq!(f.watch(Request::prefix("a").watch_id(5)), 5);
    assert_eq!(f.watch(Request::prefix("a").watch_id(2).prev_kv()), 2);
    assert_eq!(f.watch(Request::prefix("a").watch_id(9).filter(Filter::NoPut)), 9);
    assert_eq!(f.watch(Request::key("b").watch_id(1)), 1);
    f.take();
    f.put("a", "1"); // 2
    f.commit(|w| {
        w.put("ab", "1", 0).unwrap();
        w.put("b", "1", 0).unwrap();
        w.put("a", "2", 0).unwrap();
    }); // 3
    f.delete("a", "b"); // 4
    assert_eq!(
        f.take(),
        [
            "2 P a=1 @2",
            "5 P a=1 @2",
            "1 P b=1 @3",
            "2 P ab=1 P a=2 (a=1) @3",
            "5 P ab=1 P a=2 @3",
            "2 D a (a=2) D ab (ab=1) @4",
            "5 D a D ab @4",
            "9 D a D ab @4",
        ]
    );
    assert!(f.hub.cancel(f.id(5)));
    assert!(!f.hub.cancel(f.id(5)), "gone");
    f.put("ab", "2"); // 5
    assert_eq!(f.take(), ["5 canceled @4", "2 P ab=2 @5"]);
    assert_eq!(f.hub.len(), 3);
}
