//! [`EmbeddedStore`]: a member used in-process through the [`Store`]
//! trait, with no network hop.
//!
//! Each operation runs the same code as the gRPC service of the same name
//! (so both answer alike, errors included); only the transport is gone.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc;
use tokio_stream::Stream;
use tonic::Request;

use super::Member;
use super::lease::{LeaseService, keep_alive};
use super::services::KvService;
use super::watch::{cancel_reason, create_request, watch_response};
use crate::pb::etcdserverpb::kv_server::Kv;
use crate::pb::etcdserverpb::lease_server::Lease;
use crate::pb::etcdserverpb::{
    CompactionRequest, CompactionResponse, DeleteRangeRequest, DeleteRangeResponse,
    LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveRequest, LeaseKeepAliveResponse,
    LeaseLeasesRequest, LeaseLeasesResponse, LeaseRevokeRequest, LeaseRevokeResponse,
    LeaseTimeToLiveRequest, LeaseTimeToLiveResponse, PutRequest, PutResponse, RangeRequest,
    RangeResponse, TxnRequest, TxnResponse, WatchCreateRequest, WatchResponse,
};
use crate::store::{Error, Result, Store, WatchStream};
use crate::watch::{self, StreamId};

/// A store member used in-process: the [`Store`] trait on a
/// [`Server`](super::Server)'s store, writer, watch hub and leases, with no
/// network hop. Get one with [`Server::embedded`](super::Server::embedded);
/// it is cheap to clone.
///
/// It works as long as the server runs, whether or not the server also
/// serves gRPC clients: once the server is shut down, writes fail with
/// [`Error::Unavailable`], watches and keep-alives end, and reads still
/// answer from the store.
///
/// ```
/// use keelson_store::pb::etcdserverpb::{PutRequest, RangeRequest};
/// use keelson_store::server::{self, Server};
/// use keelson_store::store::Store;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // A member that keeps its data in memory (give `data_dir` to persist).
/// let server = Server::new(server::Config::default())?;
/// let store = server.embedded();
///
/// let put = PutRequest { key: b"k".to_vec(), value: b"v".to_vec(), ..Default::default() };
/// let revision = store.put(put).await?.header.unwrap().revision;
/// let got = store.range(RangeRequest { key: b"k".to_vec(), ..Default::default() }).await?;
/// assert_eq!((got.kvs[0].value.as_slice(), got.kvs[0].mod_revision), (&b"v"[..], revision));
///
/// server.shutdown().await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct EmbeddedStore {
    member: Arc<Member>,
}

impl fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("member_id", &self.member.config.member_id)
            .finish_non_exhaustive()
    }
}

impl EmbeddedStore {
    pub(super) fn new(member: Arc<Member>) -> Self {
        Self { member }
    }

    fn kv(&self) -> KvService {
        KvService(Arc::clone(&self.member))
    }

    fn lease(&self) -> LeaseService {
        LeaseService(Arc::clone(&self.member))
    }
}

#[async_trait::async_trait]
impl Store for EmbeddedStore {
    async fn range(&self, request: RangeRequest) -> Result<RangeResponse> {
        Ok(self.kv().range(Request::new(request)).await?.into_inner())
    }

    async fn put(&self, request: PutRequest) -> Result<PutResponse> {
        Ok(self.kv().put(Request::new(request)).await?.into_inner())
    }

    async fn delete_range(&self, request: DeleteRangeRequest) -> Result<DeleteRangeResponse> {
        Ok(self.kv().delete_range(Request::new(request)).await?.into_inner())
    }

    async fn txn(&self, request: TxnRequest) -> Result<TxnResponse> {
        Ok(self.kv().txn(Request::new(request)).await?.into_inner())
    }

    async fn compact(&self, request: CompactionRequest) -> Result<CompactionResponse> {
        Ok(self.kv().compact(Request::new(request)).await?.into_inner())
    }

    async fn watch(&self, request: WatchCreateRequest) -> Result<WatchStream> {
        let member = Arc::clone(&self.member);
        let (stream, responses) = member.hub.open_stream();
        let stopped = member.stopped();
        let mut watch = Watch { member, stream, responses, stopped };
        if let Err(error) = watch.member.hub.watch_on(stream, create_request(request)) {
            return Err(Error::WatchCanceled { reason: cancel_reason(&error) });
        }
        let first = std::future::poll_fn(|cx| Pin::new(&mut watch).poll_next(cx)).await;
        let first = first
            .ok_or_else(|| Error::Unavailable { message: "etcdserver: server stopped".into() })??;
        if first.canceled {
            return Err(crate::store::canceled(&first));
        }
        if !first.created {
            return Err(Error::Internal {
                message: "the first watch response does not confirm the watch".into(),
            });
        }
        Ok(WatchStream::new(first.watch_id, watch))
    }

    async fn lease_grant(&self, request: LeaseGrantRequest) -> Result<LeaseGrantResponse> {
        Ok(self.lease().lease_grant(Request::new(request)).await?.into_inner())
    }

    async fn lease_revoke(&self, request: LeaseRevokeRequest) -> Result<LeaseRevokeResponse> {
        Ok(self.lease().lease_revoke(Request::new(request)).await?.into_inner())
    }

    async fn lease_keep_alive(
        &self,
        request: LeaseKeepAliveRequest,
    ) -> Result<LeaseKeepAliveResponse> {
        if *self.member.stop.borrow() {
            return Err(Error::Unavailable { message: "etcdserver: server stopped".into() });
        }
        let response = keep_alive(&self.member, request.id)?;
        // A TTL of 0 is etcd's "no such lease", as `RemoteStore` reads it.
        if response.ttl <= 0 {
            return Err(Error::LeaseNotFound);
        }
        Ok(response)
    }

    async fn lease_time_to_live(
        &self,
        request: LeaseTimeToLiveRequest,
    ) -> Result<LeaseTimeToLiveResponse> {
        Ok(self.lease().lease_time_to_live(Request::new(request)).await?.into_inner())
    }

    async fn leases(&self, request: LeaseLeasesRequest) -> Result<LeaseLeasesResponse> {
        Ok(self.lease().lease_leases(Request::new(request)).await?.into_inner())
    }
}

/// One in-process watch: its own hub stream, closed when dropped. It ends
/// when the server shuts down.
struct Watch {
    member: Arc<Member>,
    stream: StreamId,
    responses: mpsc::Receiver<watch::Response>,
    stopped: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.member.hub.close_stream(self.stream);
    }
}

impl Stream for Watch {
    type Item = Result<WatchResponse>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        this.responses
            .poll_recv(cx)
            .map(|response| response.map(|response| Ok(watch_response(&this.member, response))))
    }
}
