//! The [`Store`] trait: etcd's KV, Watch and Lease operations behind one
//! object-safe interface, so that the API server can hold an
//! `Arc<dyn Store>` whether the store is in-process
//! ([`EmbeddedStore`](crate::server::EmbeddedStore)) or remote
//! ([`RemoteStore`](crate::client::RemoteStore), for a Keelson store
//! server or a real etcd).
//!
//! Requests and responses are etcd's own protocol messages ([`pb`]), with
//! etcd's meaning; errors are one [`Error`], which keeps etcd's ordinary
//! answers (compacted, lease not found, ...) apart from transport and fatal
//! failures.
//!
//! ```
//! use std::sync::Arc;
//!
//! use keelson_store::pb::etcdserverpb::{PutRequest, RangeRequest};
//! use keelson_store::store::{self, Store};
//!
//! /// Code that works with any store.
//! async fn greet(store: &dyn Store) -> store::Result<Vec<u8>> {
//!     let put = PutRequest { key: b"greeting".to_vec(), value: b"hello".to_vec(), ..Default::default() };
//!     store.put(put).await?;
//!     let got = store.range(RangeRequest { key: b"greeting".to_vec(), ..Default::default() }).await?;
//!     Ok(got.kvs.into_iter().next().map(|kv| kv.value).unwrap_or_default())
//! }
//!
//! // The trait is object-safe: stores are shared as `Arc<dyn Store>`.
//! fn share(store: Arc<dyn Store>) -> Arc<dyn Store> {
//!     store
//! }
//! # let _ = (greet, share);
//! ```
//!
//! [`pb`]: crate::pb

mod error;

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio_stream::{Stream, StreamExt};

pub use error::{Error, Result};

use crate::pb::etcdserverpb::{
    CompactionRequest, CompactionResponse, DeleteRangeRequest, DeleteRangeResponse,
    LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveRequest, LeaseKeepAliveResponse,
    LeaseLeasesRequest, LeaseLeasesResponse, LeaseRevokeRequest, LeaseRevokeResponse,
    LeaseTimeToLiveRequest, LeaseTimeToLiveResponse, PutRequest, PutResponse, RangeRequest,
    RangeResponse, TxnRequest, TxnResponse, WatchCreateRequest, WatchResponse,
};

/// etcd's KV, Watch and Lease operations; see the [module docs](self).
///
/// Every method has the meaning of the etcd v3 RPC of the same name, with
/// its request and response messages. Implementations MUST pass the
/// [conformance suite](crate::conformance), which pins that meaning down
/// and runs against a real etcd as well.
#[async_trait::async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Reads a key, a range or a prefix (etcd `KV.Range`).
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`], [`Error::Compacted`] and
    /// [`Error::FutureRevision`] for a `revision` outside the history.
    async fn range(&self, request: RangeRequest) -> Result<RangeResponse>;

    /// Writes a key (etcd `KV.Put`).
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`], [`Error::LeaseNotFound`],
    /// [`Error::KeyNotFound`] (`ignore_value` or `ignore_lease` on a missing
    /// key), [`Error::NoSpace`], [`Error::RequestTooLarge`].
    async fn put(&self, request: PutRequest) -> Result<PutResponse>;

    /// Deletes a key, a range or a prefix (etcd `KV.DeleteRange`).
    ///
    /// # Errors
    ///
    /// [`Error::KeyNotProvided`].
    async fn delete_range(&self, request: DeleteRangeRequest) -> Result<DeleteRangeResponse>;

    /// Compares, then runs the success or the failure branch, atomically
    /// (etcd `KV.Txn`).
    ///
    /// # Errors
    ///
    /// Those of the operations in the branch taken, and
    /// [`Error::TooManyOps`], [`Error::DuplicateKey`].
    async fn txn(&self, request: TxnRequest) -> Result<TxnResponse>;

    /// Drops the history below a revision (etcd `KV.Compact`).
    ///
    /// # Errors
    ///
    /// [`Error::Compacted`] if the store is already compacted at or past
    /// it, [`Error::FutureRevision`] if it is newer than the store's.
    async fn compact(&self, request: CompactionRequest) -> Result<CompactionResponse>;

    /// Starts watching (etcd `Watch.Watch` with one create request) and
    /// returns once the store confirmed the watch: every change committed
    /// after this returns is delivered.
    ///
    /// The watch is canceled when the returned [`WatchStream`] is dropped.
    ///
    /// # Errors
    ///
    /// [`Error::WatchCanceled`] if the store refused the watch; a watch
    /// from a compacted revision fails with [`Error::Compacted`] either
    /// here or as the first item of the stream (etcd does the latter).
    async fn watch(&self, request: WatchCreateRequest) -> Result<WatchStream>;

    /// Grants a lease (etcd `Lease.LeaseGrant`).
    ///
    /// # Errors
    ///
    /// [`Error::LeaseExists`], [`Error::LeaseTtlTooLarge`].
    async fn lease_grant(&self, request: LeaseGrantRequest) -> Result<LeaseGrantResponse>;

    /// Revokes a lease and deletes the keys attached to it, in one revision
    /// (etcd `Lease.LeaseRevoke`).
    ///
    /// # Errors
    ///
    /// [`Error::LeaseNotFound`].
    async fn lease_revoke(&self, request: LeaseRevokeRequest) -> Result<LeaseRevokeResponse>;

    /// Renews a lease once (one round of etcd's `Lease.LeaseKeepAlive`
    /// stream); the response carries the renewed TTL.
    ///
    /// # Errors
    ///
    /// [`Error::LeaseNotFound`] (etcd answers a TTL of 0 or less, which
    /// this method turns into the error).
    async fn lease_keep_alive(
        &self,
        request: LeaseKeepAliveRequest,
    ) -> Result<LeaseKeepAliveResponse>;

    /// A lease's remaining and granted TTL, and optionally its keys (etcd
    /// `Lease.LeaseTimeToLive`). As in etcd, a lease that does not exist is
    /// not an error: the response has a TTL of -1.
    ///
    /// # Errors
    ///
    /// Only transport and fatal ones.
    async fn lease_time_to_live(
        &self,
        request: LeaseTimeToLiveRequest,
    ) -> Result<LeaseTimeToLiveResponse>;

    /// The leases that exist (etcd `Lease.LeaseLeases`).
    ///
    /// # Errors
    ///
    /// Only transport and fatal ones.
    async fn leases(&self, request: LeaseLeasesRequest) -> Result<LeaseLeasesResponse>;
}

/// The responses of one watch, after the store confirmed it; see
/// [`Store::watch`].
///
/// Each item is an etcd [`WatchResponse`] with events (or none, for a
/// progress notification). A response that cancels the watch becomes an
/// error and ends the stream: [`Error::Compacted`] with the compact
/// revision when the watch fell behind compaction, [`Error::WatchCanceled`]
/// otherwise. Dropping the stream cancels the watch.
pub struct WatchStream {
    /// The watch's ID, as the store assigned it.
    watch_id: i64,
    inner: Pin<Box<dyn Stream<Item = Result<WatchResponse>> + Send>>,
    done: bool,
}

impl WatchStream {
    /// Wraps the stream of responses after the create confirmation;
    /// canceling responses are turned into errors here, so implementations
    /// pass etcd's responses through as they are.
    pub fn new(
        watch_id: i64,
        responses: impl Stream<Item = Result<WatchResponse>> + Send + 'static,
    ) -> Self {
        Self { watch_id, inner: Box::pin(responses), done: false }
    }

    /// The watch's ID, as the store assigned it.
    #[must_use]
    pub fn watch_id(&self) -> i64 {
        self.watch_id
    }

    /// The next response, or `None` once the watch ended.
    pub async fn next(&mut self) -> Option<Result<WatchResponse>> {
        StreamExt::next(self).await
    }
}

impl fmt::Debug for WatchStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WatchStream").field("watch_id", &self.watch_id).finish_non_exhaustive()
    }
}

impl Stream for WatchStream {
    type Item = Result<WatchResponse>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let item = match self.inner.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(item) => item,
        };
        let item = match item {
            Some(Ok(response)) if response.canceled => Some(Err(canceled(&response))),
            other => other,
        };
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        Poll::Ready(item)
    }
}

/// The error a canceling watch response stands for.
pub(crate) fn canceled(response: &WatchResponse) -> Error {
    if response.compact_revision > 0 {
        Error::Compacted { compact_revision: Some(response.compact_revision) }
    } else {
        Error::WatchCanceled { reason: response.cancel_reason.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn canceling_responses_become_errors_and_end_the_stream() {
        let events = WatchResponse { watch_id: 3, ..WatchResponse::default() };
        let compacted = WatchResponse {
            watch_id: 3,
            canceled: true,
            compact_revision: 7,
            ..WatchResponse::default()
        };
        let after = WatchResponse { watch_id: 3, ..WatchResponse::default() };
        let responses = tokio_stream::iter([Ok(events.clone()), Ok(compacted), Ok(after)]);
        let mut stream = WatchStream::new(3, responses);
        assert_eq!(stream.watch_id(), 3);
        assert_eq!(stream.next().await, Some(Ok(events)));
        assert_eq!(stream.next().await, Some(Err(Error::Compacted { compact_revision: Some(7) })));
        assert_eq!(stream.next().await, None);
    }

    #[test]
    fn a_canceled_watch_keeps_its_reason() {
        let response = WatchResponse {
            canceled: true,
            cancel_reason: "permission denied".into(),
            ..WatchResponse::default()
        };
        assert_eq!(
            canceled(&response),
            Error::WatchCanceled { reason: "permission denied".into() }
        );
    }

    /// `dyn Store` must stay usable behind `Arc` across tasks.
    #[test]
    fn store_is_object_safe_and_shareable() {
        fn shareable<T: Send + Sync + ?Sized>() {}
        fn sendable<T: Send>() {}
        shareable::<dyn Store>();
        sendable::<WatchStream>();
    }
}
