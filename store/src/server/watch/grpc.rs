//! The Watch service over HTTP/2, served without the generated server's
//! per-stream codec buffers.
//!
//! The generated `WatchServer` gives every gRPC stream tonic's default
//! codec: an 8 KiB buffer for the requests and another for the responses,
//! kept as long as the stream is open and grown to the largest burst it
//! ever carried. With a hundred watchers on a stream that is more than
//! the watchers themselves. [`WatchServer`] speaks the same protocol on the
//! same path with less held per stream:
//!
//! 1. Requests are decoded straight from the body's chunks ([`Requests`]);
//!    only a message split across chunks is buffered, and that buffer is
//!    released as soon as the message is complete.
//! 2. Responses are encoded by tonic's [`EncodeBody`] into a buffer that
//!    starts empty and grows to the batch at hand; the [`Session`] flushes
//!    every few responses without events (`created` confirmations, say),
//!    so creating many watchers does not grow it, while events still go out
//!    in large batches.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use prost::Message;
use prost::bytes::{Buf, BytesMut};
use tokio_stream::Stream;
use tonic::Status;
use tonic::codec::{BufferSettings, EncodeBody};
use tonic::codegen::{Body as _, Service, http};
use tonic::server::NamedService;
use tonic_prost::ProstEncoder;

use super::{Session, WatchService};
use crate::pb::etcdserverpb::WatchRequest;

/// The only method of the service.
const WATCH_PATH: &str = "/etcdserverpb.Watch/Watch";

/// The largest request a client may send unless told otherwise: tonic's
/// default.
const DEFAULT_MAX_REQUEST_BYTES: usize = 4 << 20;

/// How many bytes of responses are batched into one HTTP/2 DATA frame at
/// most: tonic's default.
const BATCH_BYTES: usize = 32 << 10;

/// The gRPC message header: a compression flag and a big-endian length.
const HEADER_BYTES: usize = 5;

/// The Watch service as a tower service, for
/// [`tonic::transport::Server::add_service`].
#[derive(Clone, Debug)]
pub(in crate::server) struct WatchServer {
    service: WatchService,
    max_request_bytes: usize,
}

impl WatchServer {
    /// Serves `service`.
    pub(in crate::server) fn new(service: WatchService) -> Self {
        Self { service, max_request_bytes: DEFAULT_MAX_REQUEST_BYTES }
    }

    /// Refuses requests larger than `limit` bytes.
    #[must_use]
    pub(in crate::server) fn max_decoding_message_size(mut self, limit: usize) -> Self {
        self.max_request_bytes = limit;
        self
    }

    fn respond(
        &self,
        request: http::Request<tonic::body::Body>,
    ) -> http::Response<tonic::body::Body> {
        if request.uri().path() != WATCH_PATH {
            return Status::unimplemented(format!("no method {}", request.uri().path()))
                .into_http();
        }
        let encoding = request.headers().get("grpc-encoding");
        if let Some(encoding) = encoding.filter(|encoding| *encoding != "identity") {
            let message = format!("requests compressed with {encoding:?} are not supported");
            return Status::unimplemented(message).into_http();
        }
        let requests = Requests::new(request.into_body(), self.max_request_bytes);
        let session = Session::open(Arc::clone(&self.service.0), requests);
        let encoder = ProstEncoder::new(BufferSettings::new(0, BATCH_BYTES));
        let body = EncodeBody::new_server(encoder, session, None, Default::default(), None);
        let mut response = http::Response::new(tonic::body::Body::new(body));
        let grpc = http::HeaderValue::from_static("application/grpc");
        response.headers_mut().insert(http::header::CONTENT_TYPE, grpc);
        response
    }
}

impl NamedService for WatchServer {
    const NAME: &'static str = "etcdserverpb.Watch";
}

impl Service<http::Request<tonic::body::Body>> for WatchServer {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        std::future::ready(Ok(self.respond(request)))
    }
}

/// The client's requests, decoded from the request body as it arrives.
#[derive(Debug)]
pub(super) struct Requests {
    /// `None` once it ended.
    body: Option<tonic::body::Body>,
    frames: Frames,
}

impl Requests {
    fn new(body: tonic::body::Body, max_request_bytes: usize) -> Self {
        Self { body: Some(body), frames: Frames::new(max_request_bytes) }
    }
}

impl Stream for Requests {
    type Item = Result<WatchRequest, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            match this.frames.next() {
                Ok(Some(request)) => return Poll::Ready(Some(Ok(request))),
                Ok(None) => {}
                Err(status) => {
                    this.body = None;
                    this.frames.clear();
                    return Poll::Ready(Some(Err(status)));
                }
            }
            let Some(body) = this.body.as_mut() else { return Poll::Ready(None) };
            match ready!(Pin::new(body).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Trailers carry nothing for the server.
                    if let Ok(data) = frame.into_data() {
                        this.frames.push(&data);
                    }
                }
                Some(Err(status)) => {
                    this.body = None;
                    return Poll::Ready(Some(Err(status)));
                }
                None => {
                    this.body = None;
                    if !this.frames.is_empty() {
                        let truncated = "the watch stream ended in the middle of a message";
                        return Poll::Ready(Some(Err(Status::internal(truncated))));
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}

/// gRPC's length-prefixed messages, cut out of the bytes received.
#[derive(Debug)]
struct Frames {
    /// Received and not yet decoded; released whenever it empties.
    buffer: BytesMut,
    max_message_bytes: usize,
}

impl Frames {
    fn new(max_message_bytes: usize) -> Self {
        Self { buffer: BytesMut::new(), max_message_bytes }
    }

    fn push(&mut self, data: &[u8]) {
        self.buffer.extend_from_slice(data);
    }

    fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    fn clear(&mut self) {
        self.buffer = BytesMut::new();
    }

    /// The next complete message, if one has arrived.
    fn next(&mut self) -> Result<Option<WatchRequest>, Status> {
        let Some(mut header) = self.buffer.get(..HEADER_BYTES) else { return Ok(None) };
        let compressed = header.get_u8();
        let len = header.get_u32() as usize;
        if compressed != 0 {
            return Err(Status::internal("a compressed message on an uncompressed stream"));
        }
        if len > self.max_message_bytes {
            let limit = self.max_message_bytes;
            let message = format!("a request of {len} bytes is over the limit of {limit} bytes");
            return Err(Status::out_of_range(message));
        }
        if self.buffer.len() < HEADER_BYTES + len {
            return Ok(None);
        }
        let message = self.buffer.split_to(HEADER_BYTES + len);
        if self.buffer.is_empty() {
            // Nothing left to decode: let the allocation go with `message`.
            self.buffer = BytesMut::new();
        }
        WatchRequest::decode(&message[HEADER_BYTES..])
            .map(Some)
            .map_err(|error| Status::internal(format!("undecodable watch request: {error}")))
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::time::Duration;

    use tokio::net::TcpListener;
    use tokio::sync::{mpsc, oneshot};
    use tokio::task::JoinHandle;
    use tokio_stream::wrappers::ReceiverStream;
    use tonic::Code;
    use tonic::transport::server::TcpIncoming;
    use tonic::transport::{Channel, Endpoint};

    use super::*;
    use crate::pb::etcdserverpb::kv_client::KvClient;
    use crate::pb::etcdserverpb::kv_server::KvServer;
    use crate::pb::etcdserverpb::watch_client::WatchClient;
    use crate::pb::etcdserverpb::{
        PutRequest, WatchCancelRequest, WatchCreateRequest, WatchResponse, watch_request,
    };
    use crate::server::services::KvService;
    use crate::server::{Config, Server};

    const DEADLINE: Duration = Duration::from_secs(10);

    async fn within<F: Future>(future: F) -> F::Output {
        tokio::time::timeout(DEADLINE, future).await.expect("done before the deadline")
    }

    /// A gRPC message: header and encoding.
    fn framed(request: &WatchRequest) -> Vec<u8> {
        let body = request.encode_to_vec();
        let mut out = vec![0];
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(&body);
        out
    }

    fn create(key: &str) -> WatchRequest {
        let create = WatchCreateRequest { key: key.into(), ..WatchCreateRequest::default() };
        WatchRequest { request_union: Some(watch_request::RequestUnion::CreateRequest(create)) }
    }

    fn cancel(watch_id: i64) -> WatchRequest {
        let cancel = WatchCancelRequest { watch_id };
        WatchRequest { request_union: Some(watch_request::RequestUnion::CancelRequest(cancel)) }
    }

    #[test]
    fn messages_are_cut_out_however_the_bytes_arrive() {
        let requests = [create("a"), cancel(7), create(&"k".repeat(300))];
        let wire: Vec<u8> = requests.iter().flat_map(framed).collect();
        for chunk in [1, 2, 5, 6, 64, wire.len()] {
            let mut frames = Frames::new(1024);
            let mut got = Vec::new();
            for piece in wire.chunks(chunk) {
                frames.push(piece);
                while let Some(request) = frames.next().unwrap() {
                    got.push(request);
                }
            }
            assert_eq!(got, requests, "in chunks of {chunk} bytes");
            assert!(frames.is_empty());
            assert_eq!(frames.buffer.capacity(), 0, "nothing is kept once all is decoded");
        }
    }

    #[test]
    fn oversized_compressed_and_garbled_messages_are_refused() {
        let mut frames = Frames::new(8);
        frames.push(&framed(&create("a-key-too-long")));
        assert_eq!(frames.next().unwrap_err().code(), Code::OutOfRange);

        let mut frames = Frames::new(1024);
        let mut compressed = framed(&create("a"));
        compressed[0] = 1;
        frames.push(&compressed);
        assert_eq!(frames.next().unwrap_err().code(), Code::Internal);

        let mut frames = Frames::new(1024);
        frames.push(&[0, 0, 0, 0, 2, 0xff, 0xff]);
        assert_eq!(frames.next().unwrap_err().code(), Code::Internal);
    }

    /// A member whose Watch service is a [`WatchServer`], on loopback.
    struct Running {
        server: Server,
        address: SocketAddr,
        stop: oneshot::Sender<()>,
        serving: JoinHandle<Result<(), tonic::transport::Error>>,
    }

    async fn start(max_request_bytes: usize) -> Running {
        start_with(Config::default(), max_request_bytes).await
    }

    async fn start_with(config: Config, max_request_bytes: usize) -> Running {
        let server = Server::new(config).unwrap();
        let member = &server.member;
        let kv = KvServer::new(KvService(Arc::clone(member)));
        let watch = WatchServer::new(WatchService(Arc::clone(member)))
            .max_decoding_message_size(max_request_bytes);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(kv)
                .add_service(watch)
                .serve_with_incoming_shutdown(TcpIncoming::from(listener), async {
                    let _ = stopped.await;
                }),
        );
        Running { server, address, stop, serving }
    }

    impl Running {
        async fn channel(&self) -> Channel {
            let endpoint = Endpoint::from_shared(format!("http://{}", self.address)).unwrap();
            within(endpoint.connect()).await.unwrap()
        }

        async fn stop(self) {
            self.server.shutdown().await;
            let _ = self.stop.send(());
            within(self.serving).await.unwrap().unwrap();
        }
    }

    async fn next(responses: &mut tonic::Streaming<WatchResponse>) -> WatchResponse {
        within(responses.message()).await.unwrap().expect("the stream is open")
    }

    #[tokio::test]
    async fn watchers_are_created_fed_and_canceled_over_the_wire() {
        let running = start(DEFAULT_MAX_REQUEST_BYTES).await;
        let (requests, rx) = mpsc::channel(200);
        // A burst of creates, as a client opening many watches sends them.
        for i in 0..150 {
            requests.send(create(&format!("k{i}"))).await.unwrap();
        }
        let mut client = WatchClient::new(running.channel().await);
        let mut responses =
            within(client.watch(ReceiverStream::new(rx))).await.unwrap().into_inner();
        for i in 0..150 {
            let created = next(&mut responses).await;
            assert!(created.created && !created.canceled, "{created:?}");
            assert_eq!(created.watch_id, i);
        }
        let mut kv = KvClient::new(running.channel().await);
        let put = PutRequest { key: b"k7".to_vec(), value: b"v".to_vec(), ..Default::default() };
        let revision = kv.put(put).await.unwrap().into_inner().header.unwrap().revision;
        let event = next(&mut responses).await;
        assert_eq!((event.watch_id, event.events.len()), (7, 1));
        let kv = event.events[0].kv.as_ref().unwrap();
        assert_eq!((kv.key.as_slice(), kv.mod_revision), (&b"k7"[..], revision));
        assert_eq!(event.header.unwrap().revision, revision);

        requests.send(cancel(7)).await.unwrap();
        let canceled = next(&mut responses).await;
        assert!(canceled.canceled && canceled.watch_id == 7, "{canceled:?}");
        assert_eq!(running.server.member.hub.len(), 149);
        drop(requests);
        drop(responses);
        running.stop().await;
    }

    #[tokio::test]
    async fn an_oversized_request_ends_the_stream_with_its_status() {
        let running = start(64).await;
        let (requests, rx) = mpsc::channel(2);
        requests.send(create(&"k".repeat(100))).await.unwrap();
        let mut client = WatchClient::new(running.channel().await);
        let mut responses =
            within(client.watch(ReceiverStream::new(rx))).await.unwrap().into_inner();
        let status = within(responses.message()).await.unwrap_err();
        assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
        drop(requests);
        running.stop().await;
    }

    #[tokio::test]
    async fn other_paths_and_compressed_requests_are_unimplemented() {
        let server = Server::new(Config::default()).unwrap();
        let mut watch = WatchServer::new(WatchService(Arc::clone(&server.member)));
        let request = |path: &str, encoding: Option<&str>| {
            let mut request = http::Request::builder().method("POST").uri(path);
            if let Some(encoding) = encoding {
                request = request.header("grpc-encoding", encoding);
            }
            request.body(tonic::body::Body::empty()).unwrap()
        };
        let status = |response: http::Response<tonic::body::Body>| {
            Status::from_header_map(response.headers()).map(|status| status.code())
        };
        let other = watch.call(request("/etcdserverpb.Watch/Other", None)).await.unwrap();
        assert_eq!(status(other), Some(Code::Unimplemented));
        let gzip = watch.call(request(WATCH_PATH, Some("gzip"))).await.unwrap();
        assert_eq!(status(gzip), Some(Code::Unimplemented));
        let plain = watch.call(request(WATCH_PATH, Some("identity"))).await.unwrap();
        assert_eq!(status(plain), None, "served, the status comes at the end");
        server.shutdown().await;
    }
}
