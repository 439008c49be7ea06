//! Watch cases: live events, history replay, prefixes, `prev_kv`, filters
//! and compaction.

use super::{collect_events, next_events, prefix_end, put, revision_of, within};
use crate::pb::etcdserverpb::watch_create_request::FilterType;
use crate::pb::etcdserverpb::{CompactionRequest, DeleteRangeRequest, WatchCreateRequest};
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
