//! Persistence on redb.
//!
//! Four tables:
//!
//! - `revisions`: `(main, sub)` → an encoded [`Entry`] (the key and either
//!   the key-value pair or a tombstone), one row per change;
//! - `leases`: lease id → its granted TTL in seconds, one row per live lease
//!   (the keys attached to a lease are the live keys whose stored `lease` is
//!   its id, so they need no table);
//! - `alarms`: `(member id, alarm type)` → nothing, one row per active
//!   alarm;
//! - `meta`: the current revision, the compact revision, the applied index,
//!   the highest lease id ever granted and the format version.
//!
//! Every write commits its rows, its lease grants and revocations, its
//! alarm changes and the meta values that change with it in one redb
//! transaction, so the applied index always matches the data. (A database
//! written before the `leases` or `alarms` table existed gets an empty one
//! when it is opened: same format version.)
//!
//! The size of the database ([`Backend::size`]) is the length of its file,
//! or of the memory an in-memory database holds: what a space quota is
//! measured against.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use redb::{
    Database, Durability, ReadOnlyTable, ReadableDatabase, ReadableTable, StorageBackend,
    TableDefinition, backends::InMemoryBackend,
};

use super::codec::{Crc32c, Entry};
use super::{Alarm, Error, KeyValue, Result, Revision};

const REVISIONS: TableDefinition<(i64, i64), &[u8]> = TableDefinition::new("revisions");
const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const LEASES: TableDefinition<i64, i64> = TableDefinition::new("leases");
const ALARMS: TableDefinition<(u64, i32), ()> = TableDefinition::new("alarms");

const FORMAT: &str = "format";
const FORMAT_VERSION: u64 = 1;
const CURRENT_REVISION: &str = "current_revision";
const COMPACT_REVISION: &str = "compact_revision";
const APPLIED_INDEX: &str = "applied_index";
const LAST_LEASE_ID: &str = "last_lease_id";

/// The persisted counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub(crate) current_revision: i64,
    pub(crate) compact_revision: i64,
    pub(crate) applied_index: u64,
    /// The highest lease id ever granted (0 for none): ids the store picks
    /// are above it.
    pub(crate) last_lease_id: i64,
}

impl Default for Meta {
    fn default() -> Self {
        // An empty store is at revision 1, as in etcd.
        Self { current_revision: 1, compact_revision: 0, applied_index: 0, last_lease_id: 0 }
    }
}

/// A lease grant (`Some(ttl)`) or revocation (`None`) of one write.
pub(crate) type LeaseChange = (i64, Option<i64>);

/// An alarm raised (`true`) or cleared (`false`) by one write.
pub(crate) type AlarmChange = (Alarm, bool);

/// What one write commits besides its changes to keys.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Side<'a> {
    /// Lease grants and revocations, in order.
    pub(crate) leases: &'a [LeaseChange],
    /// Alarms raised and cleared, in order.
    pub(crate) alarms: &'a [AlarmChange],
}

/// What a database holds, as read when it is opened.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    /// The counters.
    pub(crate) meta: Meta,
    /// The live leases: id → granted TTL.
    pub(crate) leases: BTreeMap<i64, i64>,
    /// The active alarms.
    pub(crate) alarms: BTreeSet<Alarm>,
}

/// The redb database of one store.
#[derive(Debug)]
pub(crate) struct Backend {
    db: Database,
    /// How many commits waited for the disk.
    syncs: AtomicU64,
    /// Where its size is measured.
    size: Size,
}

/// Where the size of a database is measured.
#[derive(Debug)]
enum Size {
    /// The length of its file, as last measured (after opening and after
    /// each commit: the file only changes length in a commit).
    File(PathBuf, AtomicU64),
    /// The length of its memory, as [`Measured`] records it.
    Memory(Arc<AtomicU64>),
}

/// redb's in-memory storage, recording its length where the store can read
/// it (the database owns its storage and does not tell).
#[derive(Debug)]
struct Measured {
    inner: InMemoryBackend,
    len: Arc<AtomicU64>,
}

impl StorageBackend for Measured {
    fn len(&self) -> std::io::Result<u64> {
        self.inner.len()
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
        self.inner.read(offset, out)
    }

    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.inner.set_len(len)?;
        self.len.store(len, Ordering::Relaxed);
        Ok(())
    }

    fn sync_data(&self) -> std::io::Result<()> {
        self.inner.sync_data()
    }

    fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.inner.write(offset, data)
    }
}

fn revision_u64(revision: i64) -> u64 {
    u64::try_from(revision).expect("revisions are never negative")
}

impl Backend {
    /// Opens the database file at `path`, creating it if it does not exist.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let db = Database::create(path).map_err(Error::storage("open the database file"))?;
        let size = Size::File(path.to_owned(), AtomicU64::new(0));
        let backend = Self::init(db, size)?;
        backend.measure();
        Ok(backend)
    }

    /// A database that lives in memory only.
    pub(crate) fn in_memory() -> Result<Self> {
        let len = Arc::new(AtomicU64::new(0));
        let storage = Measured { inner: InMemoryBackend::new(), len: Arc::clone(&len) };
        let db = Database::builder()
            .create_with_backend(storage)
            .map_err(Error::storage("create an in-memory database"))?;
        Self::init(db, Size::Memory(len))
    }

    /// Creates the tables of a new database, or checks the format of an
    /// existing one.
    fn init(db: Database, size: Size) -> Result<Self> {
        let txn = db.begin_write().map_err(Error::storage("begin a write"))?;
        {
            txn.open_table(REVISIONS).map_err(Error::storage("open the revisions table"))?;
            txn.open_table(LEASES).map_err(Error::storage("open the leases table"))?;
            txn.open_table(ALARMS).map_err(Error::storage("open the alarms table"))?;
            let mut meta = txn.open_table(META).map_err(Error::storage("open the meta table"))?;
            let format = meta
                .get(FORMAT)
                .map_err(Error::storage("read the format version"))?
                .map(|v| v.value());
            match format {
                None => {
                    meta.insert(FORMAT, FORMAT_VERSION)
                        .map_err(Error::storage("write the format version"))?;
                }
                Some(FORMAT_VERSION) => {}
                Some(other) => {
                    return Err(Error::corrupted(format!(
                        "unknown format version {other} (this engine writes {FORMAT_VERSION})"
                    )));
                }
            }
        }
        txn.commit().map_err(Error::storage("commit the table layout"))?;
        Ok(Self { db, syncs: AtomicU64::new(0), size })
    }

    /// Measures the length of the database file again (a stat, so once per
    /// commit rather than once per request); it stays as it was if the file
    /// cannot be examined.
    fn measure(&self) {
        if let Size::File(path, len) = &self.size
            && let Ok(meta) = std::fs::metadata(path)
        {
            len.store(meta.len(), Ordering::Relaxed);
        }
    }

    /// The size of the database in bytes: the length of its file, as of
    /// the last commit, or of its memory.
    pub(crate) fn size(&self) -> u64 {
        match &self.size {
            Size::File(_, len) => len.load(Ordering::Relaxed),
            Size::Memory(len) => len.load(Ordering::Relaxed),
        }
    }

    /// Reads the counters, the live leases and the active alarms, then
    /// hands every stored change to `f` in revision order (to rebuild the
    /// index).
    pub(crate) fn load(&self, mut f: impl FnMut(Revision, Entry<'_>)) -> Result<Loaded> {
        let txn = self.db.begin_read().map_err(Error::storage("begin a read"))?;
        let meta_table = txn.open_table(META).map_err(Error::storage("open the meta table"))?;
        let read = |name: &str| -> Result<Option<u64>> {
            Ok(meta_table
                .get(name)
                .map_err(Error::storage("read the meta table"))?
                .map(|v| v.value()))
        };
        let revision = |name: &str, default: i64| -> Result<i64> {
            read(name)?.map_or(Ok(default), |v| {
                i64::try_from(v).map_err(|_| Error::corrupted(format!("{name} {v} is too large")))
            })
        };
        let defaults = Meta::default();
        let meta = Meta {
            current_revision: revision(CURRENT_REVISION, defaults.current_revision)?,
            compact_revision: revision(COMPACT_REVISION, defaults.compact_revision)?,
            applied_index: read(APPLIED_INDEX)?.unwrap_or(defaults.applied_index),
            last_lease_id: revision(LAST_LEASE_ID, defaults.last_lease_id)?,
        };

        let leases_table =
            txn.open_table(LEASES).map_err(Error::storage("open the leases table"))?;
        let mut leases = BTreeMap::new();
        for row in leases_table.iter().map_err(Error::storage("scan the leases table"))? {
            let (id, ttl) = row.map_err(Error::storage("scan the leases table"))?;
            leases.insert(id.value(), ttl.value());
        }

        let alarms_table =
            txn.open_table(ALARMS).map_err(Error::storage("open the alarms table"))?;
        let mut alarms = BTreeSet::new();
        for row in alarms_table.iter().map_err(Error::storage("scan the alarms table"))? {
            let (key, _) = row.map_err(Error::storage("scan the alarms table"))?;
            let (member_id, alarm) = key.value();
            alarms.insert(Alarm { member_id, alarm });
        }

        let table =
            txn.open_table(REVISIONS).map_err(Error::storage("open the revisions table"))?;
        for row in table.iter().map_err(Error::storage("scan the revisions table"))? {
            let (k, v) = row.map_err(Error::storage("scan the revisions table"))?;
            let (main, sub) = k.value();
            let rev = Revision::new(main, sub);
            f(rev, decode(rev, v.value())?);
        }
        Ok(Loaded { meta, leases, alarms })
    }

    /// A snapshot of the stored changes.
    pub(crate) fn reader(&self) -> Result<Reader> {
        let txn = self.db.begin_read().map_err(Error::storage("begin a read"))?;
        let table =
            txn.open_table(REVISIONS).map_err(Error::storage("open the revisions table"))?;
        Ok(Reader { table })
    }

    /// Commits encoded changes, lease grants/revocations and alarm changes
    /// (of one write, or of a batch of them) with the applied index and,
    /// when there are changes, the new current revision, in one redb
    /// transaction; with an fsync when `sync` is set, otherwise it becomes
    /// durable with the next commit that syncs. Readers see it either way.
    pub(crate) fn commit(
        &self,
        changes: &[(Revision, Vec<u8>)],
        side: Side<'_>,
        current_revision: i64,
        applied_index: u64,
        sync: bool,
    ) -> Result<()> {
        let mut txn = self.db.begin_write().map_err(Error::storage("begin a write"))?;
        let durability = if sync { Durability::Immediate } else { Durability::None };
        txn.set_durability(durability).map_err(Error::storage("set the durability of a write"))?;
        if sync {
            self.syncs.fetch_add(1, Ordering::Relaxed);
        }
        {
            let mut table =
                txn.open_table(REVISIONS).map_err(Error::storage("open the revisions table"))?;
            for (rev, row) in changes {
                table
                    .insert((rev.main, rev.sub), row.as_slice())
                    .map_err(Error::storage("insert a revision"))?;
            }
            let mut meta = txn.open_table(META).map_err(Error::storage("open the meta table"))?;
            if !changes.is_empty() {
                meta.insert(CURRENT_REVISION, revision_u64(current_revision))
                    .map_err(Error::storage("write the current revision"))?;
            }
            meta.insert(APPLIED_INDEX, applied_index)
                .map_err(Error::storage("write the applied index"))?;
            if !side.leases.is_empty() {
                commit_leases(
                    &mut txn.open_table(LEASES).map_err(Error::storage("open the leases table"))?,
                    &mut meta,
                    side.leases,
                )?;
            }
            if !side.alarms.is_empty() {
                let mut table =
                    txn.open_table(ALARMS).map_err(Error::storage("open the alarms table"))?;
                for &(Alarm { member_id, alarm }, active) in side.alarms {
                    if active {
                        table
                            .insert((member_id, alarm), ())
                            .map_err(Error::storage("raise an alarm"))?;
                    } else {
                        table
                            .remove((member_id, alarm))
                            .map_err(Error::storage("clear an alarm"))?;
                    }
                }
            }
        }
        txn.commit().map_err(Error::storage("commit a write"))?;
        self.measure();
        Ok(())
    }

    /// How many commits have waited for the disk (fsync) so far.
    pub(crate) fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    /// Deletes every change at or below `at` that is not in `keep` and
    /// records `at` as the compact revision, in one durable transaction.
    pub(crate) fn compact(&self, at: i64, keep: &BTreeSet<Revision>) -> Result<()> {
        let txn = self.db.begin_write().map_err(Error::storage("begin a write"))?;
        self.syncs.fetch_add(1, Ordering::Relaxed);
        {
            let mut table =
                txn.open_table(REVISIONS).map_err(Error::storage("open the revisions table"))?;
            table
                .retain_in((i64::MIN, i64::MIN)..=(at, i64::MAX), |(main, sub), _| {
                    keep.contains(&Revision::new(main, sub))
                })
                .map_err(Error::storage("delete compacted revisions"))?;
            let mut meta = txn.open_table(META).map_err(Error::storage("open the meta table"))?;
            meta.insert(COMPACT_REVISION, revision_u64(at))
                .map_err(Error::storage("write the compact revision"))?;
        }
        txn.commit().map_err(Error::storage("commit a compaction"))?;
        self.measure();
        Ok(())
    }
}

/// Writes lease grants and revocations, and raises the highest granted id.
fn commit_leases(
    table: &mut redb::Table<'_, i64, i64>,
    meta: &mut redb::Table<'_, &str, u64>,
    leases: &[LeaseChange],
) -> Result<()> {
    let mut last = meta
        .get(LAST_LEASE_ID)
        .map_err(Error::storage("read the last lease id"))?
        .map_or(0, |v| v.value());
    for &(id, ttl) in leases {
        match ttl {
            Some(ttl) => {
                table.insert(id, ttl).map_err(Error::storage("insert a lease"))?;
                last = last.max(u64::try_from(id).unwrap_or(0));
            }
            None => {
                table.remove(id).map_err(Error::storage("remove a lease"))?;
            }
        }
    }
    meta.insert(LAST_LEASE_ID, last).map_err(Error::storage("write the last lease id"))?;
    Ok(())
}

fn decode(rev: Revision, bytes: &[u8]) -> Result<Entry<'_>> {
    Entry::decode(bytes).ok_or_else(|| {
        Error::corrupted(format!(
            "revision {}.{} holds {} bytes that are not a change",
            rev.main,
            rev.sub,
            bytes.len()
        ))
    })
}

/// A consistent snapshot of the revisions table.
#[derive(Debug)]
pub(crate) struct Reader {
    table: ReadOnlyTable<(i64, i64), &'static [u8]>,
}

impl Reader {
    /// The key-value pair put at `rev`. The index only points at puts, so a
    /// missing row or a tombstone means the database and index disagree.
    pub(crate) fn key_value(&self, rev: Revision) -> Result<KeyValue> {
        let row = self
            .table
            .get((rev.main, rev.sub))
            .map_err(Error::storage("read a revision"))?
            .ok_or_else(|| {
            Error::corrupted(format!("revision {}.{} is missing", rev.main, rev.sub))
        })?;
        decode(rev, row.value())?.to_key_value(rev).ok_or_else(|| {
            Error::corrupted(format!(
                "revision {}.{} is a tombstone where a put was expected",
                rev.main, rev.sub
            ))
        })
    }

    /// Hands every change with a main revision in `start..=end` to `f`, in
    /// revision order.
    pub(crate) fn scan(
        &self,
        start: i64,
        end: i64,
        mut f: impl FnMut(Revision, Entry<'_>) -> Result<()>,
    ) -> Result<()> {
        let rows = self
            .table
            .range((start, i64::MIN)..=(end, i64::MAX))
            .map_err(Error::storage("scan the revisions table"))?;
        for row in rows {
            let (k, v) = row.map_err(Error::storage("scan the revisions table"))?;
            let (main, sub) = k.value();
            let rev = Revision::new(main, sub);
            f(rev, decode(rev, v.value())?)?;
        }
        Ok(())
    }

    /// CRC-32C over every stored change with a main revision at or below
    /// `at`: for each, its revision (main then sub, 8 bytes big-endian each)
    /// and its stored bytes.
    pub(crate) fn hash(&self, at: i64) -> Result<u32> {
        let mut crc = Crc32c::new();
        let rows = self
            .table
            .range(..=(at, i64::MAX))
            .map_err(Error::storage("scan the revisions table"))?;
        for row in rows {
            let (k, v) = row.map_err(Error::storage("scan the revisions table"))?;
            let (main, sub) = k.value();
            crc.update(&main.to_be_bytes());
            crc.update(&sub.to_be_bytes());
            crc.update(v.value());
        }
        Ok(crc.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(key: &str, value: &str, create_revision: i64, version: i64) -> KeyValue {
        KeyValue {
            key: key.into(),
            create_revision,
            mod_revision: 0,
            version,
            value: value.into(),
            lease: 0,
        }
    }

    /// Each stored change, as text.
    type Rows = Vec<(Revision, String)>;

    fn loaded(backend: &Backend) -> (Meta, Rows) {
        loaded_with_leases(backend).0
    }

    fn loaded_with_leases(backend: &Backend) -> ((Meta, Rows), BTreeMap<i64, i64>) {
        let mut rows = Vec::new();
        let loaded = backend
            .load(|rev, entry| {
                let text = match entry {
                    Entry::Put { key, value, .. } => format!(
                        "put {}={}",
                        String::from_utf8_lossy(key),
                        String::from_utf8_lossy(value)
                    ),
                    Entry::Tombstone { key } => format!("del {}", String::from_utf8_lossy(key)),
                };
                rows.push((rev, text));
            })
            .unwrap();
        ((loaded.meta, rows), loaded.leases)
    }

    #[test]
    fn an_empty_database_starts_at_revision_one() {
        let backend = Backend::in_memory().unwrap();
        let (meta, rows) = loaded(&backend);
        assert_eq!(meta, Meta::default());
        assert_eq!(meta.current_revision, 1);
        assert!(rows.is_empty());
    }

    fn encoded(changes: &[(Revision, Entry<'_>)]) -> Vec<(Revision, Vec<u8>)> {
        changes.iter().map(|(rev, entry)| (*rev, entry.encode())).collect()
    }

    #[test]
    fn commits_and_compactions_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let a = kv("a", "1", 2, 1);
        let b = kv("b", "2", 2, 1);
        let a2 = kv("a", "3", 2, 2);
        {
            let backend = Backend::open(&path).unwrap();
            let changes =
                [(Revision::new(2, 0), Entry::put(&a)), (Revision::new(2, 1), Entry::put(&b))];
            backend.commit(&encoded(&changes), Side::default(), 2, 7, true).unwrap();
            let changes = [
                (Revision::new(3, 0), Entry::put(&a2)),
                (Revision::new(3, 1), Entry::Tombstone { key: b"b" }),
            ];
            let leases = [(5, Some(10)), (3, Some(60))];
            backend
                .commit(&encoded(&changes), Side { leases: &leases, alarms: &[] }, 3, 8, true)
                .unwrap();
            // A no-op write moves only the applied index.
            backend.commit(&[], Side { leases: &[(3, None)], alarms: &[] }, 3, 9, true).unwrap();
            let reader = backend.reader().unwrap();
            let mut got = reader.key_value(Revision::new(3, 0)).unwrap();
            got.mod_revision = 0;
            assert_eq!(got, a2);
            assert!(reader.key_value(Revision::new(3, 1)).unwrap_err().is_fatal());
            assert!(reader.key_value(Revision::new(4, 0)).unwrap_err().is_fatal());
        }
        let backend = Backend::open(&path).unwrap();
        let ((meta, rows), leases) = loaded_with_leases(&backend);
        let expect_meta =
            Meta { current_revision: 3, compact_revision: 0, applied_index: 9, last_lease_id: 5 };
        assert_eq!(meta, expect_meta);
        assert_eq!(leases, BTreeMap::from([(5, 10)]), "lease 3 was revoked");
        let texts: Vec<&str> = rows.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(texts, ["put a=1", "put b=2", "put a=3", "del b"]);

        let keep = BTreeSet::from([Revision::new(3, 0)]);
        backend.compact(3, &keep).unwrap();
        drop(backend);
        let (meta, rows) = loaded(&Backend::open(&path).unwrap());
        assert_eq!(meta.compact_revision, 3);
        assert_eq!(rows, [(Revision::new(3, 0), "put a=3".to_string())]);
    }

    #[test]
    fn scan_and_hash_cover_whole_main_revisions() {
        let backend = Backend::in_memory().unwrap();
        let values: Vec<KeyValue> = (0..3).map(|i| kv("k", &i.to_string(), 2, i + 1)).collect();
        for (i, v) in values.iter().enumerate() {
            let main = 2 + i64::try_from(i).unwrap();
            let changes = [
                (Revision::new(main, 0), Entry::put(v)),
                (Revision::new(main, 1), Entry::Tombstone { key: b"x" }),
            ];
            backend
                .commit(&encoded(&changes), Side::default(), main, main.unsigned_abs(), true)
                .unwrap();
        }
        let reader = backend.reader().unwrap();
        let mut seen = Vec::new();
        reader
            .scan(3, 4, |rev, _| {
                seen.push(rev);
                Ok(())
            })
            .unwrap();
        let expected = [(3, 0), (3, 1), (4, 0), (4, 1)].map(|(m, s)| Revision::new(m, s));
        assert_eq!(seen, expected);

        let hashes: Vec<u32> = (1..=4).map(|at| reader.hash(at).unwrap()).collect();
        assert_eq!(hashes[0], Crc32c::new().finish(), "nothing at or below 1");
        assert!(hashes.windows(2).all(|w| w[0] != w[1]), "{hashes:?}");
        let mut manual = Crc32c::new();
        manual.update(&2i64.to_be_bytes());
        manual.update(&0i64.to_be_bytes());
        manual.update(&Entry::put(&values[0]).encode());
        manual.update(&2i64.to_be_bytes());
        manual.update(&1i64.to_be_bytes());
        manual.update(&Entry::Tombstone { key: b"x" }.encode());
        assert_eq!(hashes[1], manual.finish());
    }
}
