//! A conformance suite that any [`Store`] implementation runs in a few
//! lines; it pins down etcd's semantics of every [`Store`] operation.
//!
//! Always compiled (it needs nothing beyond the crate's own dependencies),
//! so that other crates' tests can run it against their stores.
//!
//! Each case is a public `async fn(&dyn Store)` in [`kv`], [`watch`] or
//! [`lease`] that panics when the store breaks etcd's semantics. A case
//! MUST be given a fresh store, MUST NOT depend on absolute revision
//! numbers (it compares with the revisions earlier operations returned) and
//! MUST only rely on etcd's documented behaviour: the same suite runs
//! against a real etcd, which is what shows the semantics are etcd's.
//!
//! The store under test MUST run with etcd's default limits (requests of
//! at most 1.5 MiB, at most 128 operations per txn branch) and MUST send
//! watch progress notifications more often than [`STEP_DEADLINE`] (etcd:
//! `--experimental-watch-progress-notify-interval=200ms`; Keelson: the
//! `progress_notify_interval` of its [`watch::Config`](crate::watch::Config)),
//! since a case waits for one.
//!
//! [`conformance_tests!`](crate::conformance_tests) expands to one
//! `#[tokio::test]` per case. It is given an `async fn` making a fresh
//! store, which returns `Option<S>` where `&*s` is a `&dyn Store` or a
//! `&impl Store` (a `Box<dyn Store>`, an `Arc<..>`, or a guard that owns
//! the server and derefs to its client); `None` skips the case, after the
//! function printed why. The crate calling it needs `tokio` with the
//! `macros` and `rt` features.
//!
//! ```
//! mod conformance {
//!     use keelson_store::store::Store;
//!
//!     async fn make() -> Option<Box<dyn Store>> {
//!         // A real test returns a fresh store here.
//!         None
//!     }
//!
//!     keelson_store::conformance_tests!(make);
//! }
//! # fn main() {}
//! ```
//!
//! A store that lacks a group of operations so far can mark that group's
//! cases `#[ignore]` with a reason: `conformance_tests!(make, ignore lease
//! = "no Lease service yet");` (groups: `kv`, `watch`, `lease`).

pub mod kv;
pub mod lease;
pub mod watch;

use std::future::Future;
use std::time::Duration;

use crate::pb::etcdserverpb::WatchResponse;
use crate::pb::etcdserverpb::{PutRequest, PutResponse, RangeRequest, RangeResponse};
use crate::pb::mvccpb::Event;
use crate::store::{Store, WatchStream};

/// How long any single step of a case may take.
pub const STEP_DEADLINE: Duration = Duration::from_secs(10);

/// Runs `future`, failing the case if it takes longer than
/// [`STEP_DEADLINE`].
///
/// # Panics
///
/// When the deadline passes.
pub async fn within<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(STEP_DEADLINE, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: no answer within {STEP_DEADLINE:?}"),
    }
}

/// Puts `value` at `key` and returns the response.
///
/// # Panics
///
/// When the put fails.
pub async fn put(store: &dyn Store, key: &str, value: &str) -> PutResponse {
    let request = PutRequest { key: key.into(), value: value.into(), ..PutRequest::default() };
    within("put", store.put(request)).await.unwrap_or_else(|error| panic!("put {key}: {error}"))
}

/// The revision a put (or any write) committed at.
///
/// # Panics
///
/// When the response has no header.
pub fn revision_of(header: Option<&crate::pb::etcdserverpb::ResponseHeader>) -> i64 {
    header.expect("responses carry a header").revision
}

/// Reads `request`.
///
/// # Panics
///
/// When the read fails.
pub async fn range(store: &dyn Store, request: RangeRequest) -> RangeResponse {
    within("range", store.range(request)).await.unwrap_or_else(|error| panic!("range: {error}"))
}

/// Reads one key, returning its value if it exists.
///
/// # Panics
///
/// When the read fails.
pub async fn get(store: &dyn Store, key: &str) -> Option<Vec<u8>> {
    let response = range(store, RangeRequest { key: key.into(), ..RangeRequest::default() }).await;
    response.kvs.into_iter().next().map(|kv| kv.value)
}

/// The keys of `response`, as strings.
#[must_use]
pub fn keys(response: &RangeResponse) -> Vec<String> {
    response.kvs.iter().map(|kv| String::from_utf8_lossy(&kv.key).into_owned()).collect()
}

/// etcd's range end for "every key starting with `prefix`".
#[must_use]
pub fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    vec![0]
}

/// The next response of `watch` that has events, skipping progress
/// notifications.
///
/// # Panics
///
/// When the watch fails or ends, or nothing arrives in time.
pub async fn next_events(watch: &mut WatchStream) -> WatchResponse {
    loop {
        let response = within("watch", watch.next()).await;
        let response = response.expect("the watch goes on").expect("the watch delivers events");
        if !response.events.is_empty() {
            return response;
        }
    }
}

/// The next `count` events of `watch`, however the store splits them into
/// responses.
///
/// # Panics
///
/// As [`next_events`].
pub async fn collect_events(watch: &mut WatchStream, count: usize) -> Vec<Event> {
    let mut events = Vec::new();
    while events.len() < count {
        events.extend(next_events(watch).await.events);
    }
    assert_eq!(events.len(), count, "the watch delivers exactly the expected events");
    events
}

/// Expands to one `#[tokio::test]` per conformance case; see the [module
/// docs](crate::conformance).
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@kv $make, []);
        $crate::conformance_tests!(@watch $make, []);
        $crate::conformance_tests!(@lease $make, []);
    };
    ($make:path, ignore lease = $reason:literal) => {
        $crate::conformance_tests!(@kv $make, []);
        $crate::conformance_tests!(@watch $make, []);
        $crate::conformance_tests!(@lease $make, [#[ignore = $reason]]);
    };
    ($make:path, ignore watch = $reason:literal) => {
        $crate::conformance_tests!(@kv $make, []);
        $crate::conformance_tests!(@watch $make, [#[ignore = $reason]]);
        $crate::conformance_tests!(@lease $make, []);
    };
    (@kv $make:path, $attrs:tt) => {
        $crate::conformance_tests!(@cases $make, kv $attrs
            put_then_range,
            put_returns_prev_kv,
            put_ignore_value_keeps_value,
            put_ignore_value_on_missing_key_is_key_not_found,
            empty_key_is_key_not_provided,
            range_prefix,
            range_from_key,
            range_limit_more_count,
            range_at_past_revision,
            range_future_revision_is_an_error,
            range_keys_only_and_count_only,
            range_sort,
            range_revision_filters,
            delete_range_with_prev_kv,
            txn_compare_value,
            txn_compare_version,
            txn_compare_create_revision,
            txn_compare_mod_revision,
            txn_failure_branch_reads,
            compaction_drops_history,
            compact_errors,
            request_too_large,
            txn_too_many_ops,
            txn_duplicate_key,
            txn_delete_from_key_beside_puts,
            txn_nested,
            txn_compare_range,
            range_revision_filter_combinations,
            delete_from_key_with_prev_kv,
        );
    };
    (@watch $make:path, $attrs:tt) => {
        $crate::conformance_tests!(@cases $make, watch $attrs
            watch_live_events,
            watch_from_past_revision,
            watch_prefix,
            watch_prev_kv,
            watch_filters,
            watch_compacted_revision,
            watch_cancel,
            watch_progress_notify,
            watch_fragment,
            watch_slow_reader,
            watch_future_start_revision,
            watch_key_and_range,
        );
    };
    (@lease $make:path, $attrs:tt) => {
        $crate::conformance_tests!(@cases $make, lease $attrs
            lease_grant_and_time_to_live,
            lease_attach_and_revoke_deletes_keys,
            lease_keep_alive_renews,
            lease_expiry_deletes_keys,
            lease_unknown_is_lease_not_found,
            txn_compare_lease,
            lease_revoked_is_lease_not_found,
            lease_grant_ttl_too_large,
            put_ignore_lease_keeps_lease,
        );
    };
    (@cases $make:path, $group:ident $attrs:tt $($case:ident),* $(,)?) => {
        $( $crate::conformance_tests!(@case $make, $group $attrs $case); )*
    };
    (@case $make:path, $group:ident [$(#[$meta:meta])*] $case:ident) => {
        #[tokio::test]
        $(#[$meta])*
        async fn $case() {
            let Some(store) = $make().await else { return };
            $crate::conformance::$group::$case(&*store).await;
        }
    };
}
