//! Leases in the engine: which leases exist (with their granted TTL) and
//! which live keys are attached to each.
//!
//! The engine persists leases; it knows nothing about time. Expiry is the
//! [`lease`](crate::lease) module's business: it decides *when* a lease
//! ends, and the revocation reaches the engine as an ordinary write
//! ([`Write::revoke_lease`]).
//!
//! A key is attached to the lease its newest put names, so the attachments
//! are not stored apart from the keys: they are rebuilt from the history
//! when the store is opened, and kept up to date by every committed change.

use std::collections::{BTreeMap, BTreeSet};

use super::backend::LeaseChange;
use super::{Event, EventKind, KeyValue, Result, Store, Write};

/// A granted lease, as the engine persists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lease {
    /// The lease's id; never 0 (0 means "no lease" on a key).
    pub id: i64,
    /// The TTL it was granted with, in seconds.
    pub ttl: i64,
}

/// The engine's lease state in memory.
#[derive(Clone, Debug, Default)]
pub(crate) struct Leases {
    /// Granted leases: id → TTL.
    granted: BTreeMap<i64, i64>,
    /// Lease id → the live keys attached to it (whether or not the lease
    /// exists: the engine stores what it is given).
    attached: BTreeMap<i64, BTreeSet<Vec<u8>>>,
    /// The highest lease id ever granted; 0 for none.
    last_id: i64,
}

impl Leases {
    /// The state of a store opened with these granted leases, this highest
    /// granted id and these live keys (key → lease).
    pub(crate) fn restore(
        granted: BTreeMap<i64, i64>,
        last_id: i64,
        live: BTreeMap<Vec<u8>, i64>,
    ) -> Self {
        let mut attached: BTreeMap<i64, BTreeSet<Vec<u8>>> = BTreeMap::new();
        for (key, lease) in live.into_iter().filter(|&(_, lease)| lease != 0) {
            attached.entry(lease).or_default().insert(key);
        }
        Self { granted, attached, last_id }
    }

    fn detach(&mut self, lease: i64, key: &[u8]) {
        if let Some(keys) = self.attached.get_mut(&lease) {
            keys.remove(key);
            if keys.is_empty() {
                self.attached.remove(&lease);
            }
        }
    }

    /// Follows one committed change of a key.
    pub(crate) fn follow(&mut self, event: &Event) {
        if let Some(prev) = event.prev_kv.as_ref().filter(|prev| prev.lease != 0) {
            self.detach(prev.lease, &prev.key);
        }
        if event.kind == EventKind::Put && event.kv.lease != 0 {
            self.attached.entry(event.kv.lease).or_default().insert(event.kv.key.clone());
        }
    }

    /// Follows one committed grant or revocation.
    pub(crate) fn change(&mut self, (id, ttl): LeaseChange) {
        match ttl {
            Some(ttl) => {
                self.granted.insert(id, ttl);
                self.last_id = self.last_id.max(id);
            }
            None => {
                self.granted.remove(&id);
            }
        }
    }
}

impl Store {
    /// Every granted lease, by id: what a lessor is restored from when the
    /// store is opened (see [`lease::Lessor::restore`](crate::lease::Lessor::restore)).
    pub fn leases(&self) -> Vec<Lease> {
        let state = self.state();
        state.leases.granted.iter().map(|(&id, &ttl)| Lease { id, ttl }).collect()
    }

    /// The lease `id`, if it is granted.
    pub fn lease(&self, id: i64) -> Option<Lease> {
        self.state().leases.granted.get(&id).map(|&ttl| Lease { id, ttl })
    }

    /// The live keys attached to lease `id`, in key order.
    pub fn lease_keys(&self, id: i64) -> Vec<Vec<u8>> {
        let state = self.state();
        state.leases.attached.get(&id).map_or_else(Vec::new, |keys| keys.iter().cloned().collect())
    }
}

impl Write<'_> {
    /// The lease `id` as this write sees it: granted before, or by this
    /// write, and not revoked by it.
    pub fn lease(&self, id: i64) -> Option<Lease> {
        match self.lease_changes.iter().rev().find(|(changed, _)| *changed == id) {
            Some(&(_, ttl)) => ttl.map(|ttl| Lease { id, ttl }),
            None => self.store.lease(id),
        }
    }

    /// The id the store picks for a lease granted without one: one above
    /// the highest id ever granted (this write's grants included), so a
    /// revoked id is not handed out again either. Only if that highest id is
    /// `i64::MAX` does it fall back to the smallest positive id not in use.
    pub fn next_lease_id(&self) -> i64 {
        let last = self.lease_changes.iter().filter(|(_, ttl)| ttl.is_some()).map(|&(id, _)| id);
        let last = last.fold(self.store.state().leases.last_id, i64::max);
        match last.checked_add(1) {
            Some(next) if next > 0 => next,
            _ => (1..).find(|&id| self.lease(id).is_none()).unwrap_or(1),
        }
    }

    /// Grants lease `id` with `ttl` seconds, committed with the rest of this
    /// write. Returns false, and does nothing, if `id` is 0 or already
    /// granted: the caller checks first and answers with its own error.
    pub fn grant_lease(&mut self, id: i64, ttl: i64) -> bool {
        if id == 0 || self.lease(id).is_some() {
            return false;
        }
        self.lease_changes.push((id, Some(ttl)));
        true
    }

    /// The live keys attached to lease `id` as this write sees them, in key
    /// order.
    pub fn lease_keys(&self, id: i64) -> Vec<Vec<u8>> {
        let mut keys: BTreeSet<Vec<u8>> = self.store.lease_keys(id).into_iter().collect();
        for (key, kv) in &self.overlay {
            if kv.as_ref().is_some_and(|kv| kv.lease == id) {
                keys.insert(key.clone());
            } else {
                keys.remove(key);
            }
        }
        keys.into_iter().collect()
    }

    /// Revokes lease `id`: deletes every key attached to it, in key order,
    /// within this write (so all the deletes share its one revision), and
    /// returns them as they were. `Ok(None)`, and nothing changed, if the
    /// lease is not granted.
    ///
    /// # Errors
    ///
    /// Only the fatal storage errors.
    pub fn revoke_lease(&mut self, id: i64) -> Result<Option<Vec<KeyValue>>> {
        if self.lease(id).is_none() {
            return Ok(None);
        }
        let mut deleted = Vec::new();
        for key in self.lease_keys(id) {
            deleted.extend(self.delete_range(&key, b"")?);
        }
        self.lease_changes.push((id, None));
        Ok(Some(deleted))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{get, keys, kv, put, write};
    use super::*;

    fn grant(store: &Store, id: i64, ttl: i64) {
        let mut w = write(store);
        assert!(w.grant_lease(id, ttl));
        w.commit().unwrap();
    }

    fn put_leased(store: &Store, key: &str, lease: i64) -> i64 {
        let mut w = write(store);
        w.put(key, "v", lease).unwrap();
        w.commit().unwrap().0
    }

    fn key_list(store: &Store, id: i64) -> Vec<String> {
        store.lease_keys(id).iter().map(|k| String::from_utf8_lossy(k).into_owned()).collect()
    }

    #[test]
    fn grants_need_no_revision_and_ids_count_up() {
        let store = Store::in_memory().unwrap();
        let mut w = write(&store);
        assert_eq!(w.next_lease_id(), 1);
        assert!(w.grant_lease(1, 10));
        assert!(!w.grant_lease(1, 20), "already granted by this write");
        assert!(!w.grant_lease(0, 20), "0 is no lease");
        assert_eq!(w.lease(1), Some(Lease { id: 1, ttl: 10 }));
        assert_eq!(w.next_lease_id(), 2);
        assert!(w.grant_lease(7, 30));
        assert_eq!(w.next_lease_id(), 8);
        assert!(!w.has_changes(), "no key changed");
        assert_eq!(store.lease(1), None, "not committed yet");
        assert_eq!(w.commit().unwrap(), (1, vec![]));
        assert_eq!(store.current_revision(), 1);
        assert_eq!(store.applied_index(), 1);
        assert_eq!(store.leases(), [Lease { id: 1, ttl: 10 }, Lease { id: 7, ttl: 30 }]);

        // Revoked ids are not reused.
        let mut w = write(&store);
        assert_eq!(w.revoke_lease(7).unwrap(), Some(vec![]));
        assert_eq!(w.lease(7), None);
        assert_eq!(w.revoke_lease(7).unwrap(), None, "revoked already");
        assert_eq!(w.next_lease_id(), 8);
        w.commit().unwrap();
        assert_eq!(store.leases(), [Lease { id: 1, ttl: 10 }]);
        assert_eq!(write(&store).next_lease_id(), 8);
    }

    #[test]
    fn a_dropped_write_grants_nothing() {
        let store = Store::in_memory().unwrap();
        let mut w = write(&store);
        assert!(w.grant_lease(3, 10));
        drop(w);
        assert!(store.leases().is_empty());
        assert_eq!(store.applied_index(), 0);
        assert_eq!(write(&store).next_lease_id(), 1);
    }

    #[test]
    fn keys_attach_to_the_lease_of_their_newest_put() {
        let store = Store::in_memory().unwrap();
        grant(&store, 1, 10);
        grant(&store, 2, 10);
        put_leased(&store, "a", 1);
        put_leased(&store, "b", 1);
        put_leased(&store, "c", 2);
        assert_eq!(key_list(&store, 1), ["a", "b"]);
        put_leased(&store, "b", 0); // detached
        put_leased(&store, "c", 1); // moved
        assert_eq!(key_list(&store, 1), ["a", "c"]);
        assert!(key_list(&store, 2).is_empty());
        let mut w = write(&store);
        w.delete_range(b"a", b"").unwrap();
        w.put("d", "v", 1).unwrap();
        assert_eq!(w.lease_keys(1), [b"c".to_vec(), b"d".to_vec()], "as the write sees them");
        w.commit().unwrap();
        assert_eq!(key_list(&store, 1), ["c", "d"]);
    }

    #[test]
    fn revoking_deletes_the_attached_keys_in_one_revision() {
        let store = Store::in_memory().unwrap();
        grant(&store, 5, 10);
        put_leased(&store, "b", 5); // 2
        put(&store, "x", "free"); // 3
        put_leased(&store, "a", 5); // 4
        let mut w = write(&store);
        w.put("c", "v", 5).unwrap(); // attached inside the revoking write
        let deleted = w.revoke_lease(5).unwrap().unwrap();
        assert_eq!(keys(&deleted), "a,b,c");
        let (revision, events) = w.commit().unwrap();
        assert_eq!(revision, 5);
        let kinds: Vec<_> = events.iter().map(|e| (e.kind, e.kv.mod_revision)).collect();
        assert_eq!(kinds[1..], [(EventKind::Delete, 5); 3]);
        assert_eq!(store.range(&super::super::RangeOptions::prefix("")).unwrap().kvs.len(), 1);
        assert_eq!(get(&store, "x", 0), Some(kv("x", "free", 3, 3, 1)));
        assert!(store.leases().is_empty());
        assert!(store.lease_keys(5).is_empty());
    }

    #[test]
    fn leases_and_attachments_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mvcc.redb");
        {
            let store = Store::open(&path).unwrap();
            grant(&store, 1, 10);
            grant(&store, 9, 60);
            put_leased(&store, "a", 1);
            put_leased(&store, "b", 9);
            put_leased(&store, "c", 9);
            put_leased(&store, "b", 1);
            put_leased(&store, "c", 0);
            let mut w = write(&store);
            w.revoke_lease(9).unwrap();
            w.commit().unwrap();
            store.compact(store.current_revision()).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.leases(), [Lease { id: 1, ttl: 10 }]);
        assert_eq!(key_list(&store, 1), ["a", "b"]);
        assert!(key_list(&store, 9).is_empty());
        assert_eq!(write(&store).next_lease_id(), 10, "the highest granted id survives");
    }
}
