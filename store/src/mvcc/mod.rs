//! The multi-version key-value engine: etcd's data model on top of redb.
//!
//! Every write transaction gets exactly one new *main revision* of the whole
//! store; each change inside it gets a *sub-revision* (0, 1, 2, ...). Every
//! key remembers the revision that created it (`create_revision`), the one
//! that last modified it (`mod_revision`) and how often it was put since it
//! was created (`version`). Deleting a key writes a tombstone; putting it again
//! starts a new *generation* with a new `create_revision` and version 1.
//! Reads can ask for any revision that has not been compacted away.
//!
//! ```
//! use keelson_store::mvcc::{self, RangeOptions};
//!
//! let store = mvcc::Store::in_memory()?;
//! assert_eq!(store.current_revision(), 1); // an empty store is at revision 1, as in etcd
//!
//! // Each write names the log index it applies; index 1 has not been applied yet.
//! let mut write = store.write(1)?.expect("index 1 is new");
//! write.put("greeting", "hello", 0)?;
//! let (revision, _events) = write.commit()?;
//! assert_eq!(revision, 2);
//!
//! let now = store.range(&RangeOptions::key("greeting"))?;
//! assert_eq!(now.kvs[0].value, b"hello");
//!
//! let mut write = store.write(2)?.expect("index 2 is new");
//! write.delete_range(b"greeting", b"")?;
//! write.commit()?;
//! assert!(store.range(&RangeOptions::key("greeting"))?.kvs.is_empty());
//!
//! // History stays readable until it is compacted.
//! let then = store.range(&RangeOptions::key("greeting").revision(revision))?;
//! assert_eq!(then.kvs[0].value, b"hello");
//! # Ok::<(), mvcc::Error>(())
//! ```
//!
//! The engine is synchronous and knows nothing about networking, Raft or
//! lease timers: those layers call [`Store`] and feed the [`Event`]s that
//! [`Write::commit`] returns to watchers.
//!
//! # Leases
//!
//! A write can also grant and revoke leases ([`Write::grant_lease`],
//! [`Write::revoke_lease`]); they are persisted with its data and applied
//! index. Revoking a lease deletes every key attached to it inside the same
//! write, so the deletes share one revision. [`Store::leases`] lists the
//! granted leases (to restore the timers from after a restart) and
//! [`Store::lease_keys`] the keys attached to one. The engine does not check
//! that a put names a granted lease: the [`apply`](crate::apply) layer does.
//!
//! # Alarms and the database size
//!
//! A write can also raise and clear alarms ([`Write::activate_alarm`],
//! [`Write::deactivate_alarm`]): etcd's `AlarmMember`s, which member raised
//! which kind of alarm. They are persisted with the write's data and
//! applied index, and [`Store::alarms`] lists the active ones. The engine
//! gives them no meaning; the [`apply`](crate::apply) layer refuses writes
//! that grow the database while a NOSPACE alarm is active.
//! [`Store::db_size`] is the size a space quota is measured against.
//!
//! # Applying writes
//!
//! Writes are the *apply* step of propose → commit → apply. The caller:
//!
//! 1. MUST open each write with [`Store::write`] and the log index of the entry
//!    it applies. Writes are serialized: a second `write` waits until the
//!    first one is committed or dropped.
//! 2. MUST skip the entry when `write` returns `None`: its index is at or
//!    below [`Store::applied_index`], so it was applied before (a replay
//!    after a restart).
//! 3. MUST call [`Write::commit`] to apply it; dropping a [`Write`] discards
//!    its changes and leaves the applied index where it was.
//! 4. MUST NOT open another write or call [`Store::compact`] on the same
//!    thread while a [`Write`] is open: that waits for itself.
//! 5. MUST NOT treat a [`Error::is_fatal`] error as a failed request: the
//!    store could not reach its disk and should stop serving.
//!
//! A compaction is applied with [`Store::compact`] and carries no log index:
//! replaying one that was applied returns [`Error::Compacted`], which the
//! caller ignores.
//!
//! The data, the new revision and the applied index are committed in one
//! redb transaction with immediate durability, so a write acknowledged by
//! `commit` survives `kill -9` and is never applied twice.
//!
//! # Group commit
//!
//! [`Store::batch`] opens a [`Batch`]: writes opened with [`Batch::write`]
//! are applied one by one in memory, and [`Batch::commit`] writes all of
//! them to redb in one transaction with one fsync before readers see any
//! of them. A member applies the proposals that queued up
//! while it waited for the previous fsync as one batch.

mod alarm;
mod backend;
mod codec;
mod flush;
mod history;
mod index;
mod lease;
#[cfg(test)]
mod model;
mod range;
mod store;
#[cfg(test)]
mod testing;
mod write;

pub use alarm::Alarm;
pub use flush::Sealed;
pub use lease::Lease;
pub use range::{RangeOptions, RangeResult, SortOrder, SortTarget, prefix_end};
pub use store::{Batch, Store};
pub use write::Write;

/// The result type of the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A revision: the `main` revision of a write transaction and the `sub`
/// revision of one change inside it.
///
/// Revisions order by `main`, then `sub`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Revision {
    /// The store revision of the write transaction.
    pub main: i64,
    /// The position of the change inside its transaction, from 0.
    pub sub: i64,
}

impl Revision {
    /// The revision `main`.`sub`.
    #[must_use]
    pub const fn new(main: i64, sub: i64) -> Self {
        Self { main, sub }
    }
}

/// A key and its value as of some revision, with etcd's bookkeeping.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyValue {
    /// The key.
    pub key: Vec<u8>,
    /// The revision of the put that created this generation of the key.
    pub create_revision: i64,
    /// The revision of the last change to the key.
    pub mod_revision: i64,
    /// The number of puts since the key was (re)created: 1 on creation.
    pub version: i64,
    /// The value.
    pub value: Vec<u8>,
    /// The lease the key is attached to; 0 for none.
    pub lease: i64,
}

/// What a change did to its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// The key was created or its value replaced.
    Put,
    /// The key was deleted.
    Delete,
}

/// One change, as watchers see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Put or delete.
    pub kind: EventKind,
    /// For a put, the key as written. For a delete, only `key` and
    /// `mod_revision` (the revision of the delete) are set, as in etcd.
    pub kv: KeyValue,
    /// The key just before this change; `None` when the change created the
    /// key or when the previous version has been compacted away.
    pub prev_kv: Option<KeyValue>,
}

/// The engine's errors.
///
/// [`Compacted`](Error::Compacted), [`FutureRevision`](Error::FutureRevision)
/// and [`KeyNotProvided`](Error::KeyNotProvided) answer a request;
/// [`Storage`](Error::Storage) and [`Corrupted`](Error::Corrupted) are fatal
/// (see [`Error::is_fatal`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The requested revision is older than the compact revision, so its
    /// history is gone.
    #[error("required revision has been compacted (compact revision {compact_revision})")]
    Compacted {
        /// The oldest revision that can still be read.
        compact_revision: i64,
    },
    /// The requested revision is newer than the current revision.
    #[error(
        "required revision {revision} is a future revision (current revision {current_revision})"
    )]
    FutureRevision {
        /// The revision asked for.
        revision: i64,
        /// The store's current revision.
        current_revision: i64,
    },
    /// The request's key is empty where etcd requires one.
    #[error("key is not provided")]
    KeyNotProvided,
    /// Fatal: the database failed an operation.
    #[error("storage failed to {action}")]
    Storage {
        /// What the engine was doing, e.g. "commit a write".
        action: &'static str,
        /// The database's error.
        #[source]
        source: Box<redb::Error>,
    },
    /// Fatal: the database holds data this engine cannot read.
    #[error("storage is corrupted: {detail}")]
    Corrupted {
        /// What was wrong.
        detail: String,
    },
}

impl Error {
    /// Whether the store can no longer be trusted (its disk failed or holds
    /// data it cannot read), as opposed to an error that answers one request.
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::Storage { .. } | Self::Corrupted { .. })
    }

    /// A closure that wraps a redb error as [`Error::Storage`].
    fn storage<E: Into<redb::Error>>(action: &'static str) -> impl FnOnce(E) -> Self {
        move |source| Self::Storage { action, source: Box::new(source.into()) }
    }

    fn corrupted(detail: impl Into<String>) -> Self {
        Self::Corrupted { detail: detail.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_order_by_main_then_sub() {
        let mut revs = vec![Revision::new(3, 0), Revision::new(2, 1), Revision::new(2, 0)];
        revs.sort();
        assert_eq!(revs, [Revision::new(2, 0), Revision::new(2, 1), Revision::new(3, 0)]);
    }

    #[test]
    fn errors_say_what_happened_and_which_are_fatal() {
        let compacted = Error::Compacted { compact_revision: 7 };
        assert_eq!(
            compacted.to_string(),
            "required revision has been compacted (compact revision 7)"
        );
        assert!(!compacted.is_fatal());
        assert!(!Error::KeyNotProvided.is_fatal());
        let storage =
            Error::storage("commit a write")(redb::StorageError::Corrupted("bad page".into()));
        assert_eq!(storage.to_string(), "storage failed to commit a write");
        assert!(std::error::Error::source(&storage).is_some());
        assert!(storage.is_fatal());
        assert!(Error::corrupted("x").is_fatal());
    }

    #[test]
    fn the_store_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Store>();
    }
}
