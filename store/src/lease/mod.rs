//! Lease timers: etcd's *lessor*, as a pure core that never reads a clock.
//!
//! ```
//! use std::time::{Duration, Instant};
//!
//! use keelson_store::apply::{self, Applier, Request};
//! use keelson_store::lease::{self, Lessor};
//! use keelson_store::mvcc;
//! use keelson_store::pb::etcdserverpb::{LeaseGrantRequest, LeaseRevokeRequest, PutRequest};
//!
//! let store = mvcc::Store::in_memory()?;
//! let applier = Applier::new(&store); // min TTL 5 s, as lease::Config::default()
//! let start = Instant::now(); // the caller's clock; the lessor never reads one
//! let mut lessor = Lessor::restore(lease::Config::default(), store.leases(), start);
//! lessor.promote(start, Duration::ZERO); // this member owns writes
//!
//! // Grants are applied like any write, then handed to the lessor.
//! let grant = Request::LeaseGrant(LeaseGrantRequest { id: 0, ttl: 10 });
//! let applied = applier.apply(1, grant)?.expect("index 1 is new");
//! let change = applied.lease.expect("a grant changes a lease");
//! lessor.observe(change, start);
//! let lease::Change::Granted { id, ttl } = change else { unreachable!() };
//! assert_eq!((id, ttl), (1, 10)); // ids count up from 1
//!
//! let put = PutRequest { key: b"k".to_vec(), value: b"v".to_vec(), lease: id, ..Default::default() };
//! applier.apply(2, Request::Put(put))?;
//! assert_eq!(store.lease_keys(id), [b"k".to_vec()]);
//!
//! // A keep-alive restarts the TTL; time is whatever the caller says it is.
//! let later = start + Duration::from_secs(8);
//! assert_eq!(lessor.renew(id, later)?, 10);
//! assert_eq!(lessor.time_to_live(id, later)?.remaining_ttl, 10);
//! assert!(lessor.expired(later + Duration::from_secs(9)).is_empty());
//!
//! // Once it runs out, the owner of writes proposes its revocation.
//! let gone = later + Duration::from_secs(10);
//! assert_eq!(lessor.expired(gone), [id]);
//! let applied = applier.apply(3, Request::LeaseRevoke(LeaseRevokeRequest { id }))?.unwrap();
//! lessor.observe(applied.lease.unwrap(), gone);
//! assert_eq!(applied.events.len(), 1); // k deleted, for the watchers
//! assert!(lessor.leases().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Who does what
//!
//! Which leases exist, their granted TTLs and the keys attached to them are
//! replicated state: they change only by applying log entries
//! ([`apply::Request::LeaseGrant`](crate::apply::Request::LeaseGrant) and
//! [`LeaseRevoke`](crate::apply::Request::LeaseRevoke)), and the
//! [`mvcc`](crate::mvcc) engine persists them with the data. *When* a lease
//! runs out is not replicated: only the member that owns writes (the Raft
//! leader; a single member always) counts down, in its [`Lessor`]. Keep-alives
//! go to that member and never touch the log.
//!
//! # The protocol
//!
//! The member that drives the store:
//!
//! 1. MUST build its lessor on open with [`Lessor::restore`] from
//!    [`mvcc::Store::leases`](crate::mvcc::Store::leases), after replaying
//!    the log: every lease gets its full TTL again from `now`, as etcd does
//!    on restart (the time already spent is not persisted).
//! 2. MUST hand every [`Applied::lease`](crate::apply::Applied::lease) to
//!    [`Lessor::observe`], on every member, in log order, right after the
//!    entry is applied. A replayed entry (`Ok(None)` from the applier)
//!    changes nothing.
//! 3. MUST call [`Lessor::promote`] when it starts owning writes (becomes
//!    leader and has applied every entry of the previous terms), with the
//!    election timeout as `extend`: every lease is given its full TTL plus
//!    `extend` from then, so no lease expires because of the election.
//!    It MUST call [`Lessor::demote`] as soon as it stops owning writes.
//! 4. While primary, MUST call [`Lessor::expired`] periodically (etcd: every
//!    500 ms) and propose a `LeaseRevoke` for each id it returns, as an
//!    ordinary proposal. It MUST NOT delete the keys itself: every member
//!    deletes them when it applies the revocation, in one revision.
//!    `expired` does not report a lease again for
//!    [`Config::revoke_retry`] (etcd: 3 s), so a slow proposal is not
//!    duplicated; a lost one is retried.
//! 5. MUST answer keep-alives with [`Lessor::renew`] only while primary (it
//!    fails with [`Error::NotPrimary`] otherwise: forward to the leader),
//!    and MUST NOT propose anything for them.
//! 6. MUST use the same [`Config::min_ttl`] on every member: the applier
//!    raises granted TTLs to it, and that is replicated state.
//!
//! Unlike etcd, ids picked for `LeaseGrant { id: 0 }` are not random: the
//! applier picks one above the highest id ever granted, deterministically,
//! so every member picks the same one (see
//! [`mvcc::Write::next_lease_id`](crate::mvcc::Write::next_lease_id)).
//! etcd's lease checkpoints (persisting remaining TTLs) and its spreading
//! of expiries when a promotion would expire thousands of leases at once
//! are not implemented.

mod lessor;

pub use lessor::{Lessor, TimeToLive};

use std::time::Duration;

/// The largest TTL a lease may be granted, in seconds (etcd's
/// `MaxLeaseTTL`, 9,000,000,000 s, about 285 years).
pub const MAX_TTL: i64 = 9_000_000_000;

/// The result type of the lessor.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Lease settings; every member MUST use the same ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The shortest TTL a lease is granted, in seconds: shorter requests are
    /// raised to it. etcd derives it from the election timeout (1.5 election
    /// timeouts, rounded up) so that a lease cannot expire during an
    /// election; 5 s by default here.
    pub min_ttl: i64,
    /// How long [`Lessor::expired`] waits before reporting an expired lease
    /// whose revocation has not been applied yet again (etcd's
    /// `expiredLeaseRetryInterval`, 3 s).
    pub revoke_retry: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self { min_ttl: 5, revoke_retry: Duration::from_secs(3) }
    }
}

/// Settings that make no sense.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid lease config: {0}")]
pub struct InvalidConfig(&'static str);

impl Config {
    /// Sets [`min_ttl`](Config::min_ttl), in seconds.
    #[must_use]
    pub fn min_ttl(mut self, seconds: i64) -> Self {
        self.min_ttl = seconds;
        self
    }

    /// Sets [`revoke_retry`](Config::revoke_retry).
    #[must_use]
    pub fn revoke_retry(mut self, retry: Duration) -> Self {
        self.revoke_retry = retry;
        self
    }

    /// Checks that the minimum TTL is a positive number of seconds no larger
    /// than [`MAX_TTL`] and the retry interval is not zero.
    ///
    /// # Errors
    ///
    /// [`InvalidConfig`] saying which setting is wrong.
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        if !(1..=MAX_TTL).contains(&self.min_ttl) {
            return Err(InvalidConfig("min_ttl must be between 1 and 9000000000 seconds"));
        }
        if self.revoke_retry.is_zero() {
            return Err(InvalidConfig("revoke_retry must be longer than zero"));
        }
        Ok(())
    }

    /// The TTL a lease asking for `ttl` seconds is granted: at least
    /// [`min_ttl`](Config::min_ttl), as etcd's lessor does.
    #[must_use]
    pub fn granted_ttl(&self, ttl: i64) -> i64 {
        ttl.max(self.min_ttl)
    }
}

/// What an applied entry did to the leases, for [`Lessor::observe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// A lease was granted.
    Granted {
        /// Its id.
        id: i64,
        /// Its TTL in seconds, after [`Config::min_ttl`] was applied.
        ttl: i64,
    },
    /// A lease was revoked (its keys were deleted by the same entry).
    Revoked {
        /// Its id.
        id: i64,
    },
}

/// The lessor's errors, with etcd's messages and gRPC codes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No such lease, or it has expired and its revocation is on its way.
    #[error("etcdserver: requested lease not found")]
    NotFound,
    /// A lease with this id exists already.
    #[error("etcdserver: lease already exists")]
    Exists,
    /// This member does not own writes, so it does not keep lease time:
    /// the request belongs to the leader.
    #[error("etcdserver: not leader")]
    NotPrimary,
}

impl Error {
    /// The gRPC status code etcd answers this error with.
    #[must_use]
    pub fn grpc_code(&self) -> tonic::Code {
        match self {
            Self::NotFound => tonic::Code::NotFound,
            Self::Exists | Self::NotPrimary => tonic::Code::FailedPrecondition,
        }
    }
}

impl From<Error> for tonic::Status {
    fn from(error: Error) -> Self {
        Self::new(error.grpc_code(), error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_defaults_builders_and_validation() {
        let config = Config::default();
        assert_eq!((config.min_ttl, config.revoke_retry), (5, Duration::from_secs(3)));
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(
            (config.granted_ttl(1), config.granted_ttl(5), config.granted_ttl(60)),
            (5, 5, 60)
        );
        assert_eq!(config.granted_ttl(-3), 5);
        let bad = |c: Config| c.validate().unwrap_err().to_string();
        assert_eq!(
            bad(config.min_ttl(0)),
            "invalid lease config: min_ttl must be between 1 and 9000000000 seconds"
        );
        assert!(config.min_ttl(MAX_TTL + 1).validate().is_err());
        assert_eq!(
            bad(config.revoke_retry(Duration::ZERO)),
            "invalid lease config: revoke_retry must be longer than zero"
        );
        assert_eq!(config.min_ttl(2).min_ttl, 2);
    }

    #[test]
    fn errors_are_etcds() {
        let cases = [
            (Error::NotFound, "etcdserver: requested lease not found", tonic::Code::NotFound),
            (Error::Exists, "etcdserver: lease already exists", tonic::Code::FailedPrecondition),
            (Error::NotPrimary, "etcdserver: not leader", tonic::Code::FailedPrecondition),
        ];
        for (error, message, code) in cases {
            let status = tonic::Status::from(error);
            assert_eq!((status.code(), status.message()), (code, message));
        }
    }
}
