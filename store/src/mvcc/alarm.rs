//! Alarms in the engine: which member raised which alarm.
//!
//! The engine only keeps the set of active alarms, persisted with the data
//! and the applied index like lease grants are, so that an alarm raised by
//! an applied log entry survives a restart exactly when the entry does.
//! What an alarm means (NOSPACE refuses writes that grow the database) is
//! the [`apply`](crate::apply) layer's business.

use super::{Store, Write};

/// An active alarm: etcd's `AlarmMember`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Alarm {
    /// The member the alarm is about.
    pub member_id: u64,
    /// The kind of alarm, as etcd's `AlarmType` numbers it (1 for NOSPACE,
    /// 2 for CORRUPT). The engine stores whatever number it is given.
    pub alarm: i32,
}

impl Store {
    /// The active alarms, by member, then kind.
    pub fn alarms(&self) -> Vec<Alarm> {
        self.state().alarms.iter().copied().collect()
    }
}

impl Write<'_> {
    /// The active alarms as this write sees them (with the ones it raised
    /// and without the ones it cleared), by member, then kind.
    pub fn alarms(&self) -> Vec<Alarm> {
        let mut alarms = self.store.state().alarms.clone();
        for &(alarm, active) in &self.alarm_changes {
            if active {
                alarms.insert(alarm);
            } else {
                alarms.remove(&alarm);
            }
        }
        alarms.into_iter().collect()
    }

    /// Whether `alarm` is active as this write sees it.
    fn is_active(&self, alarm: Alarm) -> bool {
        match self.alarm_changes.iter().rev().find(|(changed, _)| *changed == alarm) {
            Some(&(_, active)) => active,
            None => self.store.state().alarms.contains(&alarm),
        }
    }

    /// Raises `alarm`, committed with the rest of this write. Returns false,
    /// and does nothing, if it is active already.
    pub fn activate_alarm(&mut self, alarm: Alarm) -> bool {
        if self.is_active(alarm) {
            return false;
        }
        self.alarm_changes.push((alarm, true));
        true
    }

    /// Clears `alarm`, committed with the rest of this write. Returns false,
    /// and does nothing, if it is not active.
    pub fn deactivate_alarm(&mut self, alarm: Alarm) -> bool {
        if !self.is_active(alarm) {
            return false;
        }
        self.alarm_changes.push((alarm, false));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{put, write};
    use super::*;

    const NOSPACE: i32 = 1;
    const CORRUPT: i32 = 2;

    fn alarm(member_id: u64, alarm: i32) -> Alarm {
        Alarm { member_id, alarm }
    }

    #[test]
    fn alarms_are_raised_and_cleared_with_their_write() {
        let store = Store::in_memory().unwrap();
        let mut w = write(&store);
        assert!(w.activate_alarm(alarm(7, NOSPACE)));
        assert!(!w.activate_alarm(alarm(7, NOSPACE)), "raised already by this write");
        assert!(w.activate_alarm(alarm(3, CORRUPT)));
        assert!(w.activate_alarm(alarm(3, NOSPACE)));
        assert!(w.deactivate_alarm(alarm(3, CORRUPT)));
        assert!(!w.deactivate_alarm(alarm(3, CORRUPT)), "cleared already by this write");
        assert_eq!(w.alarms(), [alarm(3, NOSPACE), alarm(7, NOSPACE)]);
        assert!(store.alarms().is_empty(), "not committed yet");
        assert!(!w.has_changes() && w.has_alarm_changes());
        assert_eq!(w.commit().unwrap(), (1, vec![]), "alarms need no revision");
        assert_eq!(store.applied_index(), 1);
        assert_eq!(store.alarms(), [alarm(3, NOSPACE), alarm(7, NOSPACE)]);

        let mut w = write(&store);
        assert!(!w.deactivate_alarm(alarm(9, NOSPACE)), "never raised");
        assert!(w.deactivate_alarm(alarm(7, NOSPACE)));
        assert!(w.activate_alarm(alarm(7, NOSPACE)), "raised again after clearing");
        assert!(w.deactivate_alarm(alarm(7, NOSPACE)));
        w.commit().unwrap();
        assert_eq!(store.alarms(), [alarm(3, NOSPACE)]);
    }

    #[test]
    fn a_dropped_write_raises_nothing() {
        let store = Store::in_memory().unwrap();
        let mut w = write(&store);
        assert!(w.activate_alarm(alarm(1, NOSPACE)));
        drop(w);
        assert!(store.alarms().is_empty());
        assert_eq!(store.applied_index(), 0);
    }

    #[test]
    fn later_writes_of_a_batch_see_the_alarms_of_earlier_ones() {
        let store = Store::in_memory().unwrap();
        let mut batch = store.batch();
        let mut w = batch.write(1).unwrap().unwrap();
        assert!(w.activate_alarm(alarm(1, NOSPACE)));
        w.commit().unwrap();
        let w = batch.write(2).unwrap().unwrap();
        assert_eq!(w.alarms(), [alarm(1, NOSPACE)]);
        w.commit().unwrap();
        batch.commit().unwrap();
        assert_eq!(store.alarms(), [alarm(1, NOSPACE)]);
    }

    #[test]
    fn alarms_survive_reopening_and_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mvcc.redb");
        {
            let store = Store::open(&path).unwrap();
            put(&store, "a", "1");
            let mut w = write(&store);
            w.activate_alarm(alarm(5, NOSPACE));
            w.activate_alarm(alarm(6, NOSPACE));
            w.put("b", "2", 0).unwrap();
            w.commit().unwrap();
            let mut w = write(&store);
            w.deactivate_alarm(alarm(6, NOSPACE));
            w.commit().unwrap();
            store.compact(store.current_revision()).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.alarms(), [alarm(5, NOSPACE)]);
        assert_eq!(store.applied_index(), 3);
    }

    #[test]
    fn the_database_size_grows_with_the_data() {
        let store = Store::in_memory().unwrap();
        let empty = store.db_size();
        assert!(empty > 0, "an empty database has its header and tables");
        for i in 0..64 {
            let mut w = write(&store);
            w.put(format!("k{i}"), vec![b'x'; 4096], 0).unwrap();
            w.commit().unwrap();
        }
        assert!(store.db_size() >= empty + 64 * 4096, "{} from {empty}", store.db_size());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mvcc.redb");
        let on_disk = Store::open(&path).unwrap();
        let file = || std::fs::metadata(&path).unwrap().len();
        assert_eq!(on_disk.db_size(), file());
        put(&on_disk, "k", &"x".repeat(100_000));
        assert!(on_disk.db_size() > 100_000);
        assert_eq!(on_disk.db_size(), file());
    }
}
