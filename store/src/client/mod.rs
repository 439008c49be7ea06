//! [`RemoteStore`]: a [`Store`] on the other end of an etcd v3 gRPC
//! connection — a Keelson store server or a real etcd.
//!
//! ```
//! use keelson_store::client::RemoteStore;
//! use keelson_store::store::Error;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // Nothing listens on port 1: connecting fails as a transport error,
//! // not as one of etcd's ordinary answers.
//! let error = RemoteStore::connect("http://127.0.0.1:1").await.unwrap_err();
//! assert!(matches!(error, Error::Unavailable { .. }));
//! assert!(!error.is_ordinary());
//! # }
//! ```
//!
//! It only relies on etcd's documented protocol:
//!
//! - each [`Store::watch`] opens its own `Watch` stream with one create
//!   request, and waits for the `created` response; dropping the
//!   [`WatchStream`] closes the stream, which cancels the watch;
//! - each [`Store::lease_keep_alive`] opens a `LeaseKeepAlive` stream,
//!   sends one request and reads one response (a TTL of 0 or less is etcd's
//!   "lease not found");
//! - errors are recognised by etcd's messages ([`Error::from_status`]).

use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::{Channel, Endpoint};

use crate::pb::etcdserverpb::kv_client::KvClient;
use crate::pb::etcdserverpb::lease_client::LeaseClient;
use crate::pb::etcdserverpb::watch_client::WatchClient;
use crate::pb::etcdserverpb::{
    CompactionRequest, CompactionResponse, DeleteRangeRequest, DeleteRangeResponse,
    LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveRequest, LeaseKeepAliveResponse,
    LeaseLeasesRequest, LeaseLeasesResponse, LeaseRevokeRequest, LeaseRevokeResponse,
    LeaseTimeToLiveRequest, LeaseTimeToLiveResponse, PutRequest, PutResponse, RangeRequest,
    RangeResponse, TxnRequest, TxnResponse, WatchCreateRequest, WatchRequest, WatchResponse,
    watch_request,
};
use crate::store::{self, Error, Result, Store, WatchStream};

/// The largest response accepted, as etcd's Go client (`math.MaxInt32`).
const MAX_RESPONSE_BYTES: usize = i32::MAX as usize;

/// A [`Store`] reached over the etcd v3 gRPC protocol; see the [module
/// docs](self).
///
/// Cloning is cheap and shares the connection.
#[derive(Debug, Clone)]
pub struct RemoteStore {
    kv: KvClient<Channel>,
    watch: WatchClient<Channel>,
    lease: LeaseClient<Channel>,
}

impl RemoteStore {
    /// Connects to an etcd-protocol endpoint such as
    /// `http://127.0.0.1:2379`.
    ///
    /// # Errors
    ///
    /// [`Error::Unavailable`] if the endpoint is malformed or cannot be
    /// reached.
    pub async fn connect(endpoint: impl Into<String>) -> Result<Self> {
        let endpoint = Endpoint::from_shared(endpoint.into())?;
        Ok(Self::new(endpoint.connect().await?))
    }

    /// A store on a channel the caller set up (TLS, timeouts, several
    /// endpoints, a lazy connection).
    #[must_use]
    pub fn new(channel: Channel) -> Self {
        Self {
            kv: KvClient::new(channel.clone()).max_decoding_message_size(MAX_RESPONSE_BYTES),
            watch: WatchClient::new(channel.clone()).max_decoding_message_size(MAX_RESPONSE_BYTES),
            lease: LeaseClient::new(channel).max_decoding_message_size(MAX_RESPONSE_BYTES),
        }
    }
}

#[async_trait::async_trait]
impl Store for RemoteStore {
    async fn range(&self, request: RangeRequest) -> Result<RangeResponse> {
        Ok(self.kv.clone().range(request).await?.into_inner())
    }

    async fn put(&self, request: PutRequest) -> Result<PutResponse> {
        Ok(self.kv.clone().put(request).await?.into_inner())
    }

    async fn delete_range(&self, request: DeleteRangeRequest) -> Result<DeleteRangeResponse> {
        Ok(self.kv.clone().delete_range(request).await?.into_inner())
    }

    async fn txn(&self, request: TxnRequest) -> Result<TxnResponse> {
        Ok(self.kv.clone().txn(request).await?.into_inner())
    }

    async fn compact(&self, request: CompactionRequest) -> Result<CompactionResponse> {
        Ok(self.kv.clone().compact(request).await?.into_inner())
    }

    async fn watch(&self, request: WatchCreateRequest) -> Result<WatchStream> {
        // The request side stays open as long as the watch: etcd ends the
        // whole stream when the client closes its side.
        let (requests, rx) = mpsc::channel(1);
        let create = WatchRequest {
            request_union: Some(watch_request::RequestUnion::CreateRequest(request)),
        };
        requests.send(create).await.map_err(|_| internal("watch request channel closed"))?;
        let mut responses = self.watch.clone().watch(ReceiverStream::new(rx)).await?.into_inner();
        let first = responses.message().await?.ok_or_else(|| Error::Unavailable {
            message: "watch stream ended before the watch was created".into(),
        })?;
        if first.canceled {
            return Err(store::canceled(&first));
        }
        if !first.created {
            return Err(internal("the first watch response does not confirm the watch"));
        }
        let responses = responses.map(move |response: Result<WatchResponse, tonic::Status>| {
            // Owned by the stream, so that dropping it closes the request side.
            let _requests = &requests;
            response.map_err(Error::from)
        });
        Ok(WatchStream::new(first.watch_id, responses))
    }

    async fn lease_grant(&self, request: LeaseGrantRequest) -> Result<LeaseGrantResponse> {
        let response = self.lease.clone().lease_grant(request).await?.into_inner();
        if !response.error.is_empty() {
            return Err(Error::from_status(&tonic::Status::invalid_argument(response.error)));
        }
        Ok(response)
    }

    async fn lease_revoke(&self, request: LeaseRevokeRequest) -> Result<LeaseRevokeResponse> {
        Ok(self.lease.clone().lease_revoke(request).await?.into_inner())
    }

    async fn lease_keep_alive(
        &self,
        request: LeaseKeepAliveRequest,
    ) -> Result<LeaseKeepAliveResponse> {
        let (requests, rx) = mpsc::channel(1);
        requests.send(request).await.map_err(|_| internal("keep-alive channel closed"))?;
        let mut responses =
            self.lease.clone().lease_keep_alive(ReceiverStream::new(rx)).await?.into_inner();
        let response = responses.message().await?.ok_or_else(|| Error::Unavailable {
            message: "keep-alive stream ended without an answer".into(),
        })?;
        drop(requests);
        if response.ttl <= 0 {
            return Err(Error::LeaseNotFound);
        }
        Ok(response)
    }

    async fn lease_time_to_live(
        &self,
        request: LeaseTimeToLiveRequest,
    ) -> Result<LeaseTimeToLiveResponse> {
        Ok(self.lease.clone().lease_time_to_live(request).await?.into_inner())
    }

    async fn leases(&self, request: LeaseLeasesRequest) -> Result<LeaseLeasesResponse> {
        Ok(self.lease.clone().lease_leases(request).await?.into_inner())
    }
}

fn internal(message: &str) -> Error {
    Error::Internal { message: message.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_or_malformed_endpoint_is_unavailable() {
        // Port 1 on loopback: nothing listens there.
        let refused = RemoteStore::connect("http://127.0.0.1:1").await.unwrap_err();
        assert!(matches!(refused, Error::Unavailable { .. }), "{refused:?}");
        assert!(!refused.is_ordinary());
        let malformed = RemoteStore::connect("not a url").await.unwrap_err();
        assert!(matches!(malformed, Error::Unavailable { .. }), "{malformed:?}");
    }
}
