//! The lessor: each lease's deadline, given by the caller's clock.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::{Change, Config, Error, Result};
use crate::mvcc;
use crate::pb::etcdserverpb::{LeaseTimeToLiveResponse, ResponseHeader};

/// One lease's timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Timer {
    /// The granted TTL in seconds.
    ttl: i64,
    /// When it runs out; `None` when that is too far away to represent.
    expiry: Option<Instant>,
    /// When [`Lessor::expired`] may report it again; `None` if it has not
    /// reported it since the last refresh.
    retry_at: Option<Instant>,
}

impl Timer {
    fn new(ttl: i64, now: Instant, extend: Duration) -> Self {
        let secs = Duration::from_secs(u64::try_from(ttl).unwrap_or(0));
        Self { ttl, expiry: now.checked_add(secs + extend), retry_at: None }
    }

    fn is_expired(&self, now: Instant) -> bool {
        self.expiry.is_some_and(|expiry| expiry <= now)
    }
}

/// How long a lease has left; from [`Lessor::time_to_live`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeToLive {
    /// The lease.
    pub id: i64,
    /// The TTL it was granted with, in seconds.
    pub granted_ttl: i64,
    /// Whole seconds until it runs out (rounded down, as etcd does); 0 once
    /// it has run out and its revocation is on its way.
    pub remaining_ttl: i64,
    /// The keys attached to it, when asked for with
    /// [`with_keys`](TimeToLive::with_keys); empty otherwise.
    pub keys: Vec<Vec<u8>>,
}

impl TimeToLive {
    /// Fills [`keys`](TimeToLive::keys) with the keys attached to the lease
    /// in `store` (etcd's `keys` flag of `LeaseTimeToLive`).
    #[must_use]
    pub fn with_keys(mut self, store: &mvcc::Store) -> Self {
        self.keys = store.lease_keys(self.id);
        self
    }

    /// The protocol's answer. (For a lease that does not exist, etcd
    /// answers with `ttl: -1` rather than an error.)
    #[must_use]
    pub fn response(self, header: ResponseHeader) -> LeaseTimeToLiveResponse {
        LeaseTimeToLiveResponse {
            header: Some(header),
            id: self.id,
            ttl: self.remaining_ttl,
            granted_ttl: self.granted_ttl,
            keys: self.keys,
        }
    }
}

/// The lease timers of one member: etcd's lessor without its goroutines.
/// See the [module docs](super) for who calls what, and when.
///
/// Every method that depends on time takes `now`; the lessor never reads a
/// clock, so its tests are exact.
#[derive(Clone, Debug)]
pub struct Lessor {
    config: Config,
    timers: BTreeMap<i64, Timer>,
    primary: bool,
}

impl Lessor {
    /// A lessor without leases that does not own writes.
    #[must_use]
    pub fn new(config: Config) -> Self {
        Self { config, timers: BTreeMap::new(), primary: false }
    }

    /// A lessor for the leases persisted in a store (from
    /// [`mvcc::Store::leases`]), each with its full TTL from `now`. It does
    /// not own writes until [`promote`](Lessor::promote)d.
    #[must_use]
    pub fn restore(
        config: Config,
        leases: impl IntoIterator<Item = mvcc::Lease>,
        now: Instant,
    ) -> Self {
        let timers = leases
            .into_iter()
            .map(|lease| (lease.id, Timer::new(lease.ttl, now, Duration::ZERO)))
            .collect();
        Self { config, timers, primary: false }
    }

    /// Its settings.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Whether this member owns writes and so counts lease time down.
    #[must_use]
    pub fn is_primary(&self) -> bool {
        self.primary
    }

    /// Starts the timer of a newly granted lease: it runs out `ttl` seconds
    /// (at least [`Config::min_ttl`]) from `now`. Returns the TTL granted.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for id 0 (no lease), [`Error::Exists`] if the id
    /// has a timer already.
    pub fn grant(&mut self, id: i64, ttl: i64, now: Instant) -> Result<i64> {
        if id == 0 {
            return Err(Error::NotFound);
        }
        if self.timers.contains_key(&id) {
            return Err(Error::Exists);
        }
        let ttl = self.config.granted_ttl(ttl);
        self.timers.insert(id, Timer::new(ttl, now, Duration::ZERO));
        Ok(ttl)
    }

    /// Drops the timer of a revoked lease.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] if it has none.
    pub fn revoke(&mut self, id: i64) -> Result<()> {
        self.timers.remove(&id).map(drop).ok_or(Error::NotFound)
    }

    /// Follows what an applied entry did to the leases (step 2 of the
    /// [protocol](super#the-protocol)). The store is the source of truth: a
    /// grant of an id that has a timer restarts it with the new TTL, and a
    /// revocation of an unknown id is ignored.
    pub fn observe(&mut self, change: Change, now: Instant) {
        match change {
            Change::Granted { id, ttl } => {
                self.timers.insert(id, Timer::new(ttl, now, Duration::ZERO));
            }
            Change::Revoked { id } => {
                self.timers.remove(&id);
            }
        }
    }

    /// A keep-alive: the lease runs out its full TTL from `now` again.
    /// Returns the TTL.
    ///
    /// # Errors
    ///
    /// [`Error::NotPrimary`] on a member that does not own writes,
    /// [`Error::NotFound`] for an unknown lease, or one that has run out (its
    /// revocation is on its way: etcd answers so once it is applied).
    pub fn renew(&mut self, id: i64, now: Instant) -> Result<i64> {
        if !self.primary {
            return Err(Error::NotPrimary);
        }
        let timer = self.timers.get_mut(&id).ok_or(Error::NotFound)?;
        if timer.is_expired(now) {
            return Err(Error::NotFound);
        }
        *timer = Timer::new(timer.ttl, now, Duration::ZERO);
        Ok(timer.ttl)
    }

    /// The lease's granted and remaining TTL at `now`. Only the member that
    /// owns writes counts down, so only its answer is authoritative (etcd
    /// forwards the request to the leader).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown lease.
    pub fn time_to_live(&self, id: i64, now: Instant) -> Result<TimeToLive> {
        let timer = self.timers.get(&id).ok_or(Error::NotFound)?;
        let remaining = timer.expiry.map_or(timer.ttl, |expiry| {
            let secs = expiry.saturating_duration_since(now).as_secs();
            i64::try_from(secs).unwrap_or(i64::MAX)
        });
        Ok(TimeToLive { id, granted_ttl: timer.ttl, remaining_ttl: remaining, keys: Vec::new() })
    }

    /// The ids of every lease, in order.
    #[must_use]
    pub fn leases(&self) -> Vec<i64> {
        self.timers.keys().copied().collect()
    }

    /// The leases that have run out at `now`, soonest first, for the owner
    /// of writes to propose their revocation (step 4 of the
    /// [protocol](super#the-protocol)). A lease reported once is not
    /// reported again for [`Config::revoke_retry`] unless it is renewed or
    /// the lessor is promoted. Empty on a member that does not own writes.
    pub fn expired(&mut self, now: Instant) -> Vec<i64> {
        if !self.primary {
            return Vec::new();
        }
        let retry = self.config.revoke_retry;
        let mut due: Vec<(Instant, i64)> = Vec::new();
        for (&id, timer) in &mut self.timers {
            let Some(expiry) = timer.expiry.filter(|&expiry| expiry <= now) else { continue };
            if timer.retry_at.is_some_and(|retry_at| retry_at > now) {
                continue;
            }
            timer.retry_at = Some(now + retry);
            due.push((expiry, id));
        }
        due.sort_unstable();
        due.into_iter().map(|(_, id)| id).collect()
    }

    /// This member now owns writes: every lease runs out its full TTL plus
    /// `extend` from `now` (etcd's `Promote`: the remaining time is refreshed
    /// to the whole TTL, so no lease expires because of an election; etcd
    /// passes the election timeout as `extend`).
    pub fn promote(&mut self, now: Instant, extend: Duration) {
        self.primary = true;
        for timer in self.timers.values_mut() {
            *timer = Timer::new(timer.ttl, now, extend);
        }
    }

    /// This member no longer owns writes: it stops reporting expired leases
    /// and refuses keep-alives until it is promoted again, which restarts
    /// every timer (etcd's `Demote` sets every expiry to "forever").
    pub fn demote(&mut self) {
        self.primary = false;
        for timer in self.timers.values_mut() {
            timer.retry_at = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    fn ttl(lessor: &Lessor, id: i64, now: Instant) -> (i64, i64) {
        let t = lessor.time_to_live(id, now).unwrap();
        (t.granted_ttl, t.remaining_ttl)
    }

    fn primary() -> (Lessor, Instant) {
        let t0 = Instant::now();
        let mut lessor = Lessor::new(Config::default());
        lessor.promote(t0, Duration::ZERO);
        (lessor, t0)
    }

    #[test]
    fn grant_renew_expire_revoke() {
        let (mut lessor, t0) = primary();
        assert_eq!(lessor.grant(1, 10, t0), Ok(10));
        assert_eq!(lessor.grant(2, 30, t0 + secs(1)), Ok(30));
        assert_eq!(lessor.grant(1, 10, t0), Err(Error::Exists));
        assert_eq!(lessor.grant(0, 10, t0), Err(Error::NotFound));
        assert_eq!(lessor.leases(), [1, 2]);

        assert_eq!(ttl(&lessor, 1, t0), (10, 10));
        assert_eq!(ttl(&lessor, 1, t0 + Duration::from_millis(2500)), (10, 7), "rounded down");
        assert_eq!(lessor.expired(t0 + Duration::from_millis(9999)), Vec::<i64>::new());
        assert_eq!(lessor.renew(1, t0 + secs(9)), Ok(10));
        assert_eq!(ttl(&lessor, 1, t0 + secs(9)), (10, 10));
        assert_eq!(lessor.expired(t0 + secs(18)), Vec::<i64>::new());
        assert_eq!(lessor.expired(t0 + secs(19)), [1]);
        assert_eq!(ttl(&lessor, 1, t0 + secs(20)), (10, 0));
        assert_eq!(lessor.renew(1, t0 + secs(19)), Err(Error::NotFound), "revocation pending");
        assert_eq!(lessor.renew(3, t0), Err(Error::NotFound));
        assert_eq!(lessor.time_to_live(3, t0), Err(Error::NotFound));

        assert_eq!(lessor.revoke(1), Ok(()));
        assert_eq!(lessor.revoke(1), Err(Error::NotFound));
        assert_eq!(lessor.expired(t0 + secs(31)), [2]);
        assert_eq!(lessor.leases(), [2]);
    }

    #[test]
    fn expired_reports_soonest_first_and_retries_after_a_while() {
        let (mut lessor, t0) = primary();
        lessor.grant(3, 5, t0).unwrap(); // ends at 5
        lessor.grant(1, 7, t0).unwrap(); // ends at 7
        lessor.grant(2, 6, t0).unwrap(); // ends at 6
        lessor.grant(4, 6, t0).unwrap(); // ends at 6
        assert_eq!(lessor.expired(t0 + secs(6)), [3, 2, 4]);
        assert_eq!(lessor.expired(t0 + secs(7)), [1], "the others are being revoked");
        assert_eq!(lessor.expired(t0 + secs(8)), Vec::<i64>::new());
        // Their revocations were lost: report them again after revoke_retry.
        assert_eq!(lessor.expired(t0 + secs(9)), [3, 2, 4]);
        assert_eq!(lessor.expired(t0 + secs(10)), [1]);
    }

    #[test]
    fn short_ttls_are_raised_to_the_minimum() {
        let mut lessor = Lessor::new(Config::default().min_ttl(7));
        let t0 = Instant::now();
        assert_eq!(lessor.grant(1, 1, t0), Ok(7));
        assert_eq!(lessor.grant(2, 0, t0), Ok(7));
        assert_eq!(lessor.grant(3, 8, t0), Ok(8));
        assert_eq!(ttl(&lessor, 2, t0 + secs(2)), (7, 5));
    }

    #[test]
    fn promotion_restarts_every_lease_with_the_extension() {
        let (mut lessor, t0) = primary();
        lessor.grant(1, 10, t0).unwrap();
        lessor.grant(2, 60, t0).unwrap();
        assert_eq!(lessor.expired(t0 + secs(10)), [1]);
        lessor.demote();
        assert!(!lessor.is_primary());
        // A member that does not own writes neither expires nor renews.
        assert_eq!(lessor.expired(t0 + secs(100)), Vec::<i64>::new());
        assert_eq!(lessor.renew(2, t0 + secs(50)), Err(Error::NotPrimary));

        // Elected at 100 with a 2 s election timeout: full TTL plus 2 s.
        let t1 = t0 + secs(100);
        lessor.promote(t1, secs(2));
        assert!(lessor.is_primary());
        assert_eq!(ttl(&lessor, 1, t1), (10, 12));
        assert_eq!(ttl(&lessor, 2, t1), (60, 62));
        assert_eq!(lessor.expired(t1 + secs(11)), Vec::<i64>::new());
        assert_eq!(lessor.expired(t1 + secs(12)), [1]);
        // A renewal after promotion is the plain TTL again.
        assert_eq!(lessor.renew(2, t1 + secs(1)), Ok(60));
        assert_eq!(ttl(&lessor, 2, t1 + secs(1)), (60, 60));
    }

    #[test]
    fn restored_leases_start_over_with_their_full_ttl() {
        let t0 = Instant::now();
        let leases = [mvcc::Lease { id: 4, ttl: 30 }, mvcc::Lease { id: 9, ttl: 10 }];
        let mut lessor = Lessor::restore(Config::default(), leases, t0);
        assert!(!lessor.is_primary());
        assert_eq!(lessor.leases(), [4, 9]);
        assert_eq!(ttl(&lessor, 4, t0 + secs(5)), (30, 25));
        assert_eq!(lessor.expired(t0 + secs(40)), Vec::<i64>::new(), "not primary yet");
        lessor.promote(t0, Duration::ZERO);
        assert_eq!(lessor.expired(t0 + secs(10)), [9]);
    }

    #[test]
    fn observe_follows_the_store() {
        let t0 = Instant::now();
        let mut lessor = Lessor::new(Config::default());
        lessor.observe(Change::Granted { id: 5, ttl: 20 }, t0);
        assert_eq!(ttl(&lessor, 5, t0), (20, 20));
        lessor.observe(Change::Granted { id: 5, ttl: 40 }, t0 + secs(1));
        assert_eq!(ttl(&lessor, 5, t0 + secs(1)), (40, 40));
        lessor.observe(Change::Revoked { id: 5 }, t0);
        lessor.observe(Change::Revoked { id: 6 }, t0);
        assert!(lessor.leases().is_empty());
    }

    #[test]
    fn time_to_live_answers_with_keys_when_asked() {
        let store = mvcc::Store::in_memory().unwrap();
        let mut w = store.write(1).unwrap().unwrap();
        assert!(w.grant_lease(3, 10));
        w.put("b", "1", 3).unwrap();
        w.put("a", "1", 3).unwrap();
        w.commit().unwrap();
        let t0 = Instant::now();
        let lessor = Lessor::restore(Config::default(), store.leases(), t0);
        let plain = lessor.time_to_live(3, t0 + secs(4)).unwrap();
        assert!(plain.keys.is_empty());
        let header = ResponseHeader { revision: 2, ..ResponseHeader::default() };
        let response = plain.with_keys(&store).response(header);
        assert_eq!(
            response,
            LeaseTimeToLiveResponse {
                header: Some(header),
                id: 3,
                ttl: 6,
                granted_ttl: 10,
                keys: vec![b"a".to_vec(), b"b".to_vec()],
            }
        );
    }

    #[test]
    fn huge_ttls_never_run_out() {
        let (mut lessor, t0) = primary();
        lessor.grant(1, super::super::MAX_TTL, t0).unwrap();
        assert_eq!(ttl(&lessor, 1, t0).0, super::super::MAX_TTL);
        assert!(lessor.expired(t0 + secs(1_000_000)).is_empty());
    }
}
