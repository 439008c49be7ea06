//! The Watch service: one hub stream per gRPC stream.
//!
//! A gRPC watch stream is served by a [`Session`]: the response stream that
//! tonic polls. Polling it reads the client's create, cancel and progress
//! requests and hands them to the hub, and turns the hub's responses into
//! etcd's `WatchResponse`s. There is no task per stream and nothing per
//! watcher outside the hub, so idle watchers cost only their entry in the
//! hub. [`grpc::WatchServer`] serves it with small per-stream buffers.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::mpsc;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::Member;
use crate::mvcc::{self, EventKind};
use crate::pb::etcdserverpb::watch_create_request::FilterType;
use crate::pb::etcdserverpb::watch_server::Watch;
use crate::pb::etcdserverpb::{WatchCreateRequest, WatchRequest, WatchResponse, watch_request};
use crate::pb::mvccpb::{self, event::EventType};
use crate::watch::{self, Filter, Id, StreamId};

pub(super) mod grpc;

/// The Watch service.
#[derive(Clone, Debug)]
pub(super) struct WatchService(pub(super) Arc<Member>);

#[tonic::async_trait]
impl Watch for WatchService {
    type WatchStream = Session;

    async fn watch(
        &self,
        request: Request<Streaming<WatchRequest>>,
    ) -> Result<Response<Session>, Status> {
        Ok(Response::new(Session::open(Arc::clone(&self.0), request.into_inner())))
    }
}

/// One gRPC watch stream: the client's requests `R` in, the responses of
/// its watchers out. Dropping it closes its hub stream.
pub(super) struct Session<R = Streaming<WatchRequest>> {
    member: Arc<Member>,
    stream: StreamId,
    /// The hub's responses for this stream's watchers.
    responses: mpsc::Receiver<watch::Response>,
    /// The client's requests; `None` once the client closed its side (the
    /// watchers keep running, as in etcd).
    requests: Option<R>,
    /// Answers made here rather than by the hub (refused creates).
    replies: VecDeque<WatchResponse>,
    /// Ready when the server shuts down: the stream then ends.
    stopped: Pin<Box<dyn Future<Output = ()> + Send>>,
    /// Responses without events returned since the encoder last sent what
    /// it had (see [`FLUSH_AFTER`]).
    unsent: usize,
}

/// After this many responses without events in a row, a [`Session`]
/// returns `Pending` once, so that the encoder sends what it has. The
/// `created` answers to a burst of creates would otherwise be encoded into
/// one buffer as large as the burst, which the stream then keeps for good;
/// sending each on its own would instead leave a frame per answer queued in
/// the connection, whose queue keeps its size too. Events are not counted:
/// they go out in the encoder's large batches.
const FLUSH_AFTER: usize = 16;

impl<R> fmt::Debug for Session<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session").field("stream", &self.stream).finish_non_exhaustive()
    }
}

impl<R> Session<R> {
    fn open(member: Arc<Member>, requests: R) -> Self {
        let (stream, responses) = member.hub.open_stream();
        let stopped = member.stopped();
        Self {
            member,
            stream,
            responses,
            requests: Some(requests),
            replies: VecDeque::new(),
            stopped,
            unsent: 0,
        }
    }

    fn handle(&mut self, request: WatchRequest) {
        match request.request_union {
            Some(watch_request::RequestUnion::CreateRequest(create)) => self.create(create),
            Some(watch_request::RequestUnion::CancelRequest(cancel)) => {
                // The hub confirms with a `canceled` response; an unknown id
                // gets no answer, as in etcd.
                self.member.hub.cancel(Id { stream: self.stream, watch_id: cancel.watch_id });
            }
            Some(watch_request::RequestUnion::ProgressRequest(_)) => {
                // Fails only for a stream the hub dropped, which then ends.
                let _ = self.member.hub.request_progress(self.stream);
            }
            None => {}
        }
    }

    fn create(&mut self, create: WatchCreateRequest) {
        let request = create_request(create);
        if let Err(error) = self.member.hub.watch_on(self.stream, request) {
            // etcd answers a refused create with `created` and `canceled`
            // both set, watch id -1 and the reason.
            self.replies.push_back(WatchResponse {
                header: Some(self.member.header_at(self.member.hub.current_revision())),
                watch_id: watch::NO_WATCH_ID,
                created: true,
                canceled: true,
                cancel_reason: cancel_reason(&error),
                ..WatchResponse::default()
            });
        }
    }
}

impl<R> Drop for Session<R> {
    fn drop(&mut self) {
        self.member.hub.close_stream(self.stream);
    }
}

impl<R> Stream for Session<R>
where
    R: Stream<Item = Result<WatchRequest, Status>> + Unpin,
{
    type Item = Result<WatchResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.unsent >= FLUSH_AFTER {
            this.unsent = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        loop {
            if this.stopped.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            if let Some(reply) = this.replies.pop_front() {
                this.unsent += 1;
                return Poll::Ready(Some(Ok(reply)));
            }
            match this.responses.poll_recv(cx) {
                Poll::Ready(Some(response)) => {
                    this.unsent += usize::from(response.events.is_empty());
                    return Poll::Ready(Some(Ok(watch_response(&this.member, response))));
                }
                // The hub is gone: the server is stopping.
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => {}
            }
            let Some(requests) = this.requests.as_mut() else {
                this.unsent = 0;
                return Poll::Pending;
            };
            match Pin::new(requests).poll_next(cx) {
                Poll::Ready(Some(Ok(request))) => this.handle(request),
                // The client's side broke (reset, undecodable or oversized
                // message): the stream ends with why.
                Poll::Ready(Some(Err(status))) => {
                    this.requests = None;
                    return Poll::Ready(Some(Err(status)));
                }
                Poll::Ready(None) => this.requests = None,
                Poll::Pending => {
                    this.unsent = 0;
                    return Poll::Pending;
                }
            }
        }
    }
}

/// etcd's `WatchCreateRequest` as a hub request, with etcd's conventions: an
/// empty key means `"\0"`, the smallest key, and watch id 0 picks one.
pub(super) fn create_request(create: WatchCreateRequest) -> watch::Request {
    let key = if create.key.is_empty() { vec![0] } else { create.key };
    let filters = (create.filters.iter())
        .filter_map(|filter| match FilterType::try_from(*filter) {
            Ok(FilterType::Noput) => Some(Filter::NoPut),
            Ok(FilterType::Nodelete) => Some(Filter::NoDelete),
            Err(_) => None,
        })
        .collect();
    watch::Request {
        key,
        range_end: create.range_end,
        start_revision: create.start_revision,
        filters,
        prev_kv: create.prev_kv,
        fragment: create.fragment,
        progress_notify: create.progress_notify,
        watch_id: (create.watch_id != 0).then_some(create.watch_id),
    }
}

/// etcd's words for a refused watch.
pub(super) fn cancel_reason(error: &watch::Error) -> String {
    match error {
        watch::Error::DuplicateWatchId(_) => {
            "mvcc: duplicate watch ID provided on the WatchStream".into()
        }
        watch::Error::EmptyRange => "mvcc: watcher range is empty".into(),
        other => other.to_string(),
    }
}

/// A hub response as etcd's `WatchResponse`.
pub(super) fn watch_response(member: &Member, response: watch::Response) -> WatchResponse {
    WatchResponse {
        header: Some(member.header_at(response.header_revision)),
        watch_id: response.watch_id,
        created: response.created,
        canceled: response.canceled,
        compact_revision: response.compact_revision,
        cancel_reason: String::new(),
        fragment: response.fragment,
        events: response.events.iter().map(event).collect(),
    }
}

fn event(event: &watch::Event) -> mvccpb::Event {
    let kind = match event.kind() {
        EventKind::Put => EventType::Put,
        EventKind::Delete => EventType::Delete,
    };
    mvccpb::Event {
        r#type: kind.into(),
        kv: Some(key_value(event.kv())),
        prev_kv: event.prev_kv().map(key_value),
    }
}

fn key_value(kv: &mvcc::KeyValue) -> mvccpb::KeyValue {
    mvccpb::KeyValue {
        key: kv.key.clone(),
        create_revision: kv.create_revision,
        mod_revision: kv.mod_revision,
        version: kv.version,
        value: kv.value.clone(),
        lease: kv.lease,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_requests_follow_etcds_conventions() {
        let create = WatchCreateRequest {
            key: Vec::new(),
            range_end: vec![0],
            start_revision: 4,
            filters: vec![FilterType::Nodelete.into(), 7],
            prev_kv: true,
            ..WatchCreateRequest::default()
        };
        let want =
            watch::Request::from_key(vec![0]).start_revision(4).filter(Filter::NoDelete).prev_kv();
        assert_eq!(create_request(create), want);
        let create = WatchCreateRequest {
            key: b"a".to_vec(),
            watch_id: 5,
            fragment: true,
            progress_notify: true,
            ..WatchCreateRequest::default()
        };
        assert_eq!(
            create_request(create),
            watch::Request::key("a").watch_id(5).fragment().progress_notify()
        );
    }

    #[test]
    fn refusals_use_etcds_reasons() {
        assert_eq!(
            cancel_reason(&watch::Error::DuplicateWatchId(3)),
            "mvcc: duplicate watch ID provided on the WatchStream"
        );
        assert_eq!(cancel_reason(&watch::Error::EmptyRange), "mvcc: watcher range is empty");
    }
}
