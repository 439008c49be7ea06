//! Watch cases: live events, history replay, keys and ranges, `prev_kv`,
//! filters, compaction, cancellation, progress notifications, fragments
//! and slow readers.

use super::kv::put_op;
use super::{STEP_DEADLINE, collect_events, next_events, prefix_end, put, revision_of, within};
use crate::pb::etcdserverpb::watch_create_request::FilterType;
use crate::pb::etcdserverpb::{
    CompactionRequest, DeleteRangeRequest, PutRequest, TxnRequest, WatchCreateRequest,
};
use crate::pb::mvccpb::Event;
use crate::pb::mvccpb::event::EventType;
use crate::store::{Error, Store, WatchStream};

/// Starts a watch, failing the case if the store refuses it.
///
/// # Panics
///
/// When the watch cannot start.
pub async fn watch(store: &dyn Store, request: WatchCreateRequest) -> WatchStream {
    within("watch", store.watch(request)).await.unwrap_or_else(|error| panic!("watch: {error}"))
}

fn on_key(key: &str) -> WatchCreateRequest {
    WatchCreateRequest { key: key.into(), ..WatchCreateRequest::default() }
}

async fn delete(store: &dyn Store, key: &str) -> i64 {
    let request = DeleteRangeRequest { key: key.into(), ..DeleteRangeRequest::default() };
    let response = within("delete", store.delete_range(request)).await.unwrap();
    revision_of(response.header.as_ref())
}

/// (type, key, value, mod revision) of an event.
fn describe(event: &Event) -> (EventType, String, String, i64) {
    let kv = event.kv.clone().unwrap_or_default();
    let kind = EventType::try_from(event.r#type).expect("a known event type");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (kind, text(&kv.key), text(&kv.value), kv.mod_revision)
}

fn put_event(key: &str, value: &str, revision: i64) -> (EventType, String, String, i64) {
    (EventType::Put, key.to_owned(), value.to_owned(), revision)
}

/// A watch from now delivers each later put and delete once, in order.
pub async fn watch_live_events(store: &dyn Store) {
    put(store, "before", "x").await;
    let mut watch = watch(store, on_key("k")).await;
    let put_at = revision_of(put(store, "k", "v1").await.header.as_ref());
    put(store, "other", "x").await;
    let deleted_at = delete(store, "k").await;
    let events = collect_events(&mut watch, 2).await;
    assert_eq!(describe(&events[0]), put_event("k", "v1", put_at));
    let deletion = describe(&events[1]);
    assert_eq!((deletion.0, &deletion.1[..], deletion.3), (EventType::Delete, "k", deleted_at));
    assert!(events[0].prev_kv.is_none(), "no prev_kv unless asked");
}

/// A watch from a past revision replays history from it, then goes live.
pub async fn watch_from_past_revision(store: &dyn Store) {
    put(store, "k", "v1").await;
    let second = revision_of(put(store, "k", "v2").await.header.as_ref());
    let third = revision_of(put(store, "k", "v3").await.header.as_ref());
    let request = WatchCreateRequest { start_revision: second, ..on_key("k") };
    let mut watch = watch(store, request).await;
    let replayed = collect_events(&mut watch, 2).await;
    let replayed: Vec<_> = replayed.iter().map(describe).collect();
    assert_eq!(replayed, [put_event("k", "v2", second), put_event("k", "v3", third)]);
    let fourth = revision_of(put(store, "k", "v4").await.header.as_ref());
    let live = next_events(&mut watch).await;
    assert_eq!(describe(&live.events[0]), put_event("k", "v4", fourth));
}

/// A prefix watch sees the keys under the prefix and nothing else.
pub async fn watch_prefix(store: &dyn Store) {
    let request = WatchCreateRequest { range_end: prefix_end("a/"), ..on_key("a/") };
    let mut watch = watch(store, request).await;
    put(store, "b/1", "x").await;
    let first = revision_of(put(store, "a/1", "one").await.header.as_ref());
    put(store, "a", "x").await;
    put(store, "ab", "x").await;
    let second = revision_of(put(store, "a/2", "two").await.header.as_ref());
    let events = collect_events(&mut watch, 2).await;
    let events: Vec<_> = events.iter().map(describe).collect();
    assert_eq!(events, [put_event("a/1", "one", first), put_event("a/2", "two", second)]);
}

/// `prev_kv` delivers the key as it was before each event.
pub async fn watch_prev_kv(store: &dyn Store) {
    put(store, "k", "v1").await;
    let mut watch = watch(store, WatchCreateRequest { prev_kv: true, ..on_key("k") }).await;
    put(store, "k", "v2").await;
    delete(store, "k").await;
    let events = collect_events(&mut watch, 2).await;
    let prev = |event: &Event| event.prev_kv.clone().expect("a prev_kv").value;
    assert_eq!(prev(&events[0]), b"v1");
    assert_eq!(prev(&events[1]), b"v2");
}

/// NOPUT and NODELETE filters leave those events out.
pub async fn watch_filters(store: &dyn Store) {
    let no_put = WatchCreateRequest { filters: vec![FilterType::Noput.into()], ..on_key("k") };
    let mut deletes = watch(store, no_put).await;
    let no_delete =
        WatchCreateRequest { filters: vec![FilterType::Nodelete.into()], ..on_key("k") };
    let mut puts = watch(store, no_delete).await;
    let put_at = revision_of(put(store, "k", "v").await.header.as_ref());
    let deleted_at = delete(store, "k").await;
    let deletion = describe(&next_events(&mut deletes).await.events[0]);
    assert_eq!((deletion.0, deletion.3), (EventType::Delete, deleted_at));
    let event = next_events(&mut puts).await.events;
    assert_eq!(event.iter().map(describe).collect::<Vec<_>>(), [put_event("k", "v", put_at)]);
}

/// A watch from a compacted revision fails with "compacted" and the
/// compact revision (on etcd, as the first response after `created`).
pub async fn watch_compacted_revision(store: &dyn Store) {
    let first = revision_of(put(store, "k", "v1").await.header.as_ref());
    put(store, "k", "v2").await;
    let third = revision_of(put(store, "k", "v3").await.header.as_ref());
    within("compact", store.compact(CompactionRequest { revision: third, physical: true }))
        .await
        .unwrap();
    let request = WatchCreateRequest { start_revision: first, ..on_key("k") };
    let error = match within("watch", store.watch(request)).await {
        Err(error) => error,
        Ok(mut watch) => loop {
            match within("watch", watch.next()).await {
                Some(Err(error)) => break error,
                Some(Ok(response)) => {
                    assert!(response.events.is_empty(), "no events from compacted history");
                }
                None => panic!("the watch ended without saying it was compacted"),
            }
        },
    };
    assert_eq!(error, Error::Compacted { compact_revision: Some(third) });

    // A watch from the compact revision itself works.
    let request = WatchCreateRequest { start_revision: third, ..on_key("k") };
    let mut watch = watch(store, request).await;
    assert_eq!(describe(&next_events(&mut watch).await.events[0]), put_event("k", "v3", third));
}

/// Dropping a [`WatchStream`] cancels its watch and leaves the others
/// alone: watches started before and after it go on, and a new watch on
/// the same keys gets its own events only.
pub async fn watch_cancel(store: &dyn Store) {
    let mut before = watch(store, on_key("k")).await;
    let prefix = WatchCreateRequest { range_end: prefix_end("c/"), ..on_key("c/") };
    let mut canceled = watch(store, prefix.clone()).await;
    let first = revision_of(put(store, "c/1", "x").await.header.as_ref());
    assert_eq!(describe(&next_events(&mut canceled).await.events[0]), put_event("c/1", "x", first));
    drop(canceled);

    let mut after = watch(store, on_key("k")).await;
    put(store, "c/2", "x").await;
    let written = revision_of(put(store, "k", "v1").await.header.as_ref());
    for watch in [&mut before, &mut after] {
        let events = next_events(watch).await.events;
        assert_eq!(
            events.iter().map(describe).collect::<Vec<_>>(),
            [put_event("k", "v1", written)]
        );
    }

    // A new watch on the canceled one's prefix starts afresh.
    let mut again = watch(store, prefix).await;
    let third = revision_of(put(store, "c/3", "x").await.header.as_ref());
    let events = next_events(&mut again).await.events;
    assert_eq!(events.iter().map(describe).collect::<Vec<_>>(), [put_event("c/3", "x", third)]);
}

/// A watch with `progress_notify` receives, with nothing to report,
/// responses without events whose header revision tells how far the store
/// has come: past writes to keys it does not watch. (The store MUST send
/// them more often than [`STEP_DEADLINE`]; see the [module docs](super).)
pub async fn watch_progress_notify(store: &dyn Store) {
    put(store, "k", "v").await;
    let request = WatchCreateRequest { progress_notify: true, ..on_key("k") };
    let mut watch = watch(store, request).await;
    let written = revision_of(put(store, "other", "x").await.header.as_ref());
    let notified = tokio::time::timeout(STEP_DEADLINE, async {
        loop {
            let response = watch.next().await.expect("the watch goes on").expect("no error");
            assert!(response.events.is_empty(), "nothing was written to k: {response:?}");
            assert!(!response.canceled && !response.created && !response.fragment);
            let revision = revision_of(response.header.as_ref());
            if revision >= written {
                break revision;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no progress notification within {STEP_DEADLINE:?}"));
    assert!(notified >= written);

    // Notifications do not stand in for events.
    let put_at = revision_of(put(store, "k", "v2").await.header.as_ref());
    assert_eq!(describe(&next_events(&mut watch).await.events[0]), put_event("k", "v2", put_at));
}

/// The value size of the fragmenting case: four such values take more than
/// the 1.5 MiB request limit, two of them too.
const LARGE_VALUE: usize = 1_000_000;

/// A revision whose events exceed the request limit reaches a `fragment`
/// watch in several responses, `fragment` set on all but the last; a watch
/// without it gets the revision in one response.
pub async fn watch_fragment(store: &dyn Store) {
    for i in 0..4 {
        let request = PutRequest {
            key: format!("f/{i}").into(),
            value: vec![b'0' + i; LARGE_VALUE],
            ..PutRequest::default()
        };
        within("put", store.put(request)).await.unwrap();
    }
    let prefix =
        || WatchCreateRequest { range_end: prefix_end("f/"), prev_kv: true, ..on_key("f/") };
    let mut fragmenting = watch(store, WatchCreateRequest { fragment: true, ..prefix() }).await;
    let mut whole = watch(store, prefix()).await;
    let request =
        DeleteRangeRequest { key: "f/".into(), range_end: prefix_end("f/"), prev_kv: false };
    let deleted = within("delete", store.delete_range(request)).await.unwrap();
    let deleted_at = revision_of(deleted.header.as_ref());

    let check = |events: &[Event]| {
        let seen: Vec<_> = events
            .iter()
            .map(|event| {
                let (kind, key, _, revision) = describe(event);
                let prev = event.prev_kv.as_ref().expect("a prev_kv");
                (kind, key, revision, prev.value.len(), prev.value[0])
            })
            .collect();
        let want: Vec<_> = (0..4)
            .map(|i| (EventType::Delete, format!("f/{i}"), deleted_at, LARGE_VALUE, b'0' + i))
            .collect();
        assert_eq!(seen, want);
    };

    let mut pieces = Vec::new();
    loop {
        let response = next_events(&mut fragmenting).await;
        let last = !response.fragment;
        pieces.push(response);
        if last {
            break;
        }
    }
    assert!(pieces.len() > 1, "the revision was split");
    let events: Vec<Event> = pieces.iter().flat_map(|piece| piece.events.clone()).collect();
    check(&events);

    let response = next_events(&mut whole).await;
    assert!(!response.fragment);
    check(&response.events);
}

/// A watcher that does not read while many revisions are written loses
/// nothing: once it reads, it gets every event, in order, and then goes on
/// live.
///
/// 500 revisions of 16 KiB (8 MiB in all) are far more than a store buffers
/// for one watcher (gRPC windows of a few MiB, queues of 128 responses), so
/// the store has to stop sending and catch the watcher up from history.
pub async fn watch_slow_reader(store: &dyn Store) {
    const PUTS: usize = 500;
    let value = "v".repeat(16 * 1024);
    let request = WatchCreateRequest { range_end: prefix_end("s/"), ..on_key("s/") };
    let mut watch = watch(store, request).await;
    let mut written = Vec::with_capacity(PUTS);
    for i in 0..PUTS {
        let key = format!("s/{}", i % 7);
        written.push((key.clone(), revision_of(put(store, &key, &value).await.header.as_ref())));
    }
    let mut seen = Vec::with_capacity(PUTS);
    while seen.len() < PUTS {
        for event in next_events(&mut watch).await.events {
            let (kind, key, value_seen, revision) = describe(&event);
            assert_eq!((kind, value_seen.len()), (EventType::Put, value.len()));
            seen.push((key, revision));
        }
    }
    assert_eq!(seen, written, "every event once, in order");
    let live = revision_of(put(store, "s/live", "x").await.header.as_ref());
    assert_eq!(describe(&next_events(&mut watch).await.events[0]), put_event("s/live", "x", live));
}

/// A watch from a revision the store has not reached yet gets the events
/// from that revision on, once they happen.
pub async fn watch_future_start_revision(store: &dyn Store) {
    let now = revision_of(put(store, "k", "v0").await.header.as_ref());
    let request = WatchCreateRequest { start_revision: now + 3, ..on_key("k") };
    let mut watch = watch(store, request).await;
    let mut revisions = Vec::new();
    for value in ["v1", "v2", "v3", "v4"] {
        revisions.push(revision_of(put(store, "k", value).await.header.as_ref()));
    }
    assert_eq!(revisions, [now + 1, now + 2, now + 3, now + 4], "each put is one revision");
    let events = collect_events(&mut watch, 2).await;
    let events: Vec<_> = events.iter().map(describe).collect();
    assert_eq!(events, [put_event("k", "v3", now + 3), put_event("k", "v4", now + 4)]);
}

/// A watch on a key sees that key only; one with a range end sees
/// `[key, range_end)`; one with range end "\0" every key from `key` on.
pub async fn watch_key_and_range(store: &dyn Store) {
    let mut single = watch(store, on_key("a")).await;
    let mut between =
        watch(store, WatchCreateRequest { range_end: "c".into(), ..on_key("a") }).await;
    let mut from = watch(store, WatchCreateRequest { range_end: vec![0], ..on_key("b") }).await;
    let mut written = Vec::new();
    for key in ["0", "a", "ab", "b", "c", "zz"] {
        written.push(put_event(key, "x", revision_of(put(store, key, "x").await.header.as_ref())));
    }
    // Each watcher sees one of these last; nothing else may come before it.
    let request = TxnRequest {
        success: vec![put_op("a", "end"), put_op("zzz", "end")],
        ..TxnRequest::default()
    };
    let end = within("txn", store.txn(request)).await.unwrap();
    let end = revision_of(end.header.as_ref());
    let pick = |keys: &[&str]| {
        let mut events: Vec<_> =
            written.iter().filter(|event| keys.contains(&event.1.as_str())).cloned().collect();
        events.push(put_event(if keys.contains(&"a") { "a" } else { "zzz" }, "end", end));
        events
    };
    for (watch, keys) in [
        (&mut single, &["a"][..]),
        (&mut between, &["a", "ab", "b"][..]),
        (&mut from, &["b", "c", "zz"][..]),
    ] {
        let want = pick(keys);
        let got = collect_events(watch, want.len()).await;
        assert_eq!(got.iter().map(describe).collect::<Vec<_>>(), want, "watching {keys:?}");
    }
}
