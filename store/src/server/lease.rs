//! Leases on a member: its [`Lessor`] behind a mutex, the expiry task and
//! the Lease service.
//!
//! The member follows the [lease protocol](crate::lease#the-protocol); a
//! single member always owns writes, so:
//!
//! 1. On start, [`Leases::start`] restores the lessor from the store's
//!    leases and promotes it at once, with etcd's default election timeout
//!    ([`ELECTION_TIMEOUT`]) as the extension.
//! 2. The writer hands every applied lease change to [`Leases::observe`]
//!    right after applying its entry, before answering the proposal, so a
//!    granted lease can be kept alive as soon as its grant is answered.
//! 3. The [`Expiry`] task asks the lessor for expired leases every
//!    [`EXPIRY_INTERVAL`] and proposes a `LeaseRevoke` for each; it never
//!    deletes keys itself. It stops before the writer on shutdown.
//! 4. Keep-alives renew in the lessor and propose nothing.
//!
//! The lessor reads time only through the member's [`Clock`], which tests
//! replace to move time forward without sleeping.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::MissedTickBehavior;
use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use super::Member;
use super::proposer::Proposer;
use super::services::mismatch;
use crate::apply;
use crate::lease::{self, Change, Lessor, TimeToLive};
use crate::mvcc;
use crate::pb::etcdserverpb::lease_server::Lease;
use crate::pb::etcdserverpb::{
    LeaseGrantRequest, LeaseGrantResponse, LeaseKeepAliveRequest, LeaseKeepAliveResponse,
    LeaseLeasesRequest, LeaseLeasesResponse, LeaseRevokeRequest, LeaseRevokeResponse, LeaseStatus,
    LeaseTimeToLiveRequest, LeaseTimeToLiveResponse,
};

/// How often the expiry task looks for expired leases (etcd: 500 ms).
pub(super) const EXPIRY_INTERVAL: Duration = Duration::from_millis(500);

/// What promotion adds to every restored lease: etcd's default election
/// timeout, so that no lease runs out because the member restarted.
pub(super) const ELECTION_TIMEOUT: Duration = Duration::from_secs(1);

/// Where the member's lease time comes from.
#[derive(Clone)]
pub(super) struct Clock(Arc<dyn Fn() -> Instant + Send + Sync>);

impl Clock {
    /// The system's monotonic clock.
    pub(super) fn system() -> Self {
        Self(Arc::new(Instant::now))
    }

    /// A clock that reads `now`.
    #[cfg(test)]
    pub(super) fn new(now: impl Fn() -> Instant + Send + Sync + 'static) -> Self {
        Self(Arc::new(now))
    }

    fn now(&self) -> Instant {
        (self.0)()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

/// The member's lessor and its clock, shared by the writer, the expiry
/// task and the Lease service.
#[derive(Debug)]
pub(super) struct Leases {
    lessor: Mutex<Lessor>,
    config: lease::Config,
    clock: Clock,
}

impl Leases {
    /// The lessor for the leases in `store`, promoted (step 1 above).
    pub(super) fn start(config: lease::Config, store: &mvcc::Store, clock: Clock) -> Self {
        let now = clock.now();
        let mut lessor = Lessor::restore(config, store.leases(), now);
        lessor.promote(now, ELECTION_TIMEOUT);
        Self { lessor: Mutex::new(lessor), config, clock }
    }

    /// Follows this member's Raft role: the leader's lessor owns lease
    /// time (promoted, with every timer restarted and extended by the
    /// election timeout, so no lease expires because of the election), a
    /// follower's does not (demoted).
    pub(super) fn set_leader(&self, leader: bool, extend: Duration) {
        let mut lessor = self.lessor();
        if leader {
            lessor.promote(self.clock.now(), extend);
        } else {
            lessor.demote();
        }
    }

    fn lessor(&self) -> MutexGuard<'_, Lessor> {
        // The lessor's methods do not panic halfway.
        self.lessor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The lease settings, for the applier.
    pub(super) fn config(&self) -> lease::Config {
        self.config
    }

    /// Follows an applied lease change (step 2 above).
    pub(super) fn observe(&self, change: Change) {
        let now = self.clock.now();
        self.lessor().observe(change, now);
    }

    fn expired(&self) -> Vec<i64> {
        let now = self.clock.now();
        self.lessor().expired(now)
    }

    fn renew(&self, id: i64) -> lease::Result<i64> {
        let now = self.clock.now();
        self.lessor().renew(id, now)
    }

    fn time_to_live(&self, id: i64) -> lease::Result<TimeToLive> {
        let now = self.clock.now();
        self.lessor().time_to_live(id, now)
    }

    fn ids(&self) -> Vec<i64> {
        self.lessor().leases()
    }
}

/// The handle on the expiry task (step 3 above); see [`Expiry::stop`].
#[derive(Debug)]
pub(super) struct Expiry {
    task: JoinHandle<()>,
    stop: oneshot::Sender<()>,
}

impl Expiry {
    /// Starts the task on the current runtime.
    pub(super) fn start(leases: Arc<Leases>, proposer: Proposer) -> Self {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(expire(leases, proposer, stopped));
        Self { task, stop }
    }

    /// Stops the task, abandoning the revocations it is waiting for (they
    /// may still be applied), and waits for it to end. Dropping the handle
    /// stops it the same way, without waiting.
    pub(super) async fn stop(self) {
        let _ = self.stop.send(());
        // A panic in the task has nothing left to clean up.
        let _ = self.task.await;
    }
}

/// Every [`EXPIRY_INTERVAL`], proposes the revocation of each expired
/// lease, concurrently so that they share commits, until `stopped`.
async fn expire(leases: Arc<Leases>, proposer: Proposer, mut stopped: oneshot::Receiver<()>) {
    let mut ticks = tokio::time::interval(EXPIRY_INTERVAL);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut revoking = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            _ = &mut stopped => break,
            _ = ticks.tick() => {}
        }
        // Failed revocations (the lease was revoked meanwhile, the writer
        // is stopping) need nothing: the lessor reports a lease that is
        // still there again after its `revoke_retry`.
        while revoking.try_join_next().is_some() {}
        for id in leases.expired() {
            let proposer = proposer.clone();
            revoking.spawn(async move {
                let _ =
                    proposer.propose(apply::Request::LeaseRevoke(LeaseRevokeRequest { id })).await;
            });
        }
    }
    // Dropping `revoking` aborts the revocations still waiting.
}

/// The Lease service.
#[derive(Clone, Debug)]
pub(super) struct LeaseService(pub(super) Arc<Member>);

type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl Lease for LeaseService {
    type LeaseKeepAliveStream = KeepAlive;

    async fn lease_grant(&self, request: Request<LeaseGrantRequest>) -> Answer<LeaseGrantResponse> {
        match self.0.propose(apply::Request::LeaseGrant(request.into_inner())).await? {
            apply::Response::LeaseGrant(response) => Ok(Response::new(response)),
            other => Err(mismatch(&other)),
        }
    }

    async fn lease_revoke(
        &self,
        request: Request<LeaseRevokeRequest>,
    ) -> Answer<LeaseRevokeResponse> {
        match self.0.propose(apply::Request::LeaseRevoke(request.into_inner())).await? {
            apply::Response::LeaseRevoke(response) => Ok(Response::new(response)),
            other => Err(mismatch(&other)),
        }
    }

    async fn lease_keep_alive(
        &self,
        request: Request<Streaming<LeaseKeepAliveRequest>>,
    ) -> Answer<KeepAlive> {
        let member = Arc::clone(&self.0);
        let stopped = member.stopped();
        Ok(Response::new(KeepAlive { member, requests: request.into_inner(), stopped }))
    }

    async fn lease_time_to_live(
        &self,
        request: Request<LeaseTimeToLiveRequest>,
    ) -> Answer<LeaseTimeToLiveResponse> {
        let LeaseTimeToLiveRequest { id, keys } = request.into_inner();
        let member = &self.0;
        let response = match member.leases.time_to_live(id) {
            Ok(ttl) if keys => ttl.with_keys(&member.store).response(member.header()),
            Ok(ttl) => ttl.response(member.header()),
            // etcd answers an unknown lease with TTL -1, not an error.
            Err(lease::Error::NotFound) => LeaseTimeToLiveResponse {
                header: Some(member.header()),
                id,
                ttl: -1,
                ..LeaseTimeToLiveResponse::default()
            },
            Err(error) => return Err(error.into()),
        };
        Ok(Response::new(response))
    }

    async fn lease_leases(&self, _: Request<LeaseLeasesRequest>) -> Answer<LeaseLeasesResponse> {
        let leases = self.0.leases.ids().into_iter().map(|id| LeaseStatus { id }).collect();
        Ok(Response::new(LeaseLeasesResponse { header: Some(self.0.header()), leases }))
    }
}

/// One keep-alive stream: each request renews its lease and is answered
/// with the TTL, 0 for a lease that is unknown or has run out (as etcd
/// does). It ends when the client closes its side or the server shuts
/// down.
pub(super) struct KeepAlive {
    member: Arc<Member>,
    requests: Streaming<LeaseKeepAliveRequest>,
    /// Ready when the server shuts down.
    stopped: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl fmt::Debug for KeepAlive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeepAlive").finish_non_exhaustive()
    }
}

/// Renews lease `id` once, as one round of a keep-alive stream: the
/// answer carries the renewed TTL, or 0 for a lease that is unknown or has
/// run out (as etcd answers).
pub(super) fn keep_alive(member: &Member, id: i64) -> Result<LeaseKeepAliveResponse, Status> {
    let ttl = match member.leases.renew(id) {
        Ok(ttl) => ttl,
        Err(lease::Error::NotFound) => 0,
        Err(error) => return Err(error.into()),
    };
    Ok(LeaseKeepAliveResponse { header: Some(member.header()), id, ttl })
}

impl Stream for KeepAlive {
    type Item = Result<LeaseKeepAliveResponse, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.requests).poll_next(cx) {
            Poll::Ready(Some(Ok(request))) => {
                Poll::Ready(Some(keep_alive(&this.member, request.id)))
            }
            // The client closed its side, or it broke: nobody reads on.
            Poll::Ready(Some(Err(_)) | None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}
