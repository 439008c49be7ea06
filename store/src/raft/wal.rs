//! The write-ahead log: the Raft log, hard state and conf state on disk.
//!
//! The engine commits without syncing, so this log is what makes an
//! acknowledged write durable. The node loop uses it like this:
//!
//! 1. [`Wal::open`] replays the log into a [`Recovered`], from which the
//!    in-memory [`LogStorage`](super::storage::LogStorage) is built.
//! 2. For each `Ready`, the loop calls [`Wal::append`] (entries and hard
//!    state, possibly several times) and [`Wal::set_conf_state`], then
//!    [`Wal::sync`] once. It MUST NOT send a message that depends on those
//!    records, nor acknowledge a write, before `sync` returns.
//! 3. Once the engine has made entries durable itself, the loop calls
//!    [`Wal::compact`] with the snapshot point; when a snapshot from the
//!    leader is installed, [`Wal::apply_snapshot`] instead.
//! 4. After any error from a write or a sync the log refuses further
//!    writes ([`WalError::Poisoned`]): the member MUST stop and reopen it,
//!    because whether the failed bytes reached the disk is unknown.
//!
//! # On disk
//!
//! The directory holds segment files named `{seq:016x}-{first:016x}.wal`
//! (the sequence number, then the index the next entry had when the
//! segment was created), read in sequence order; files with other names
//! are ignored. Each record is `[u32 length][u32 crc32][u8 type][payload]`
//! (see `record.rs`), padded to an 8-byte boundary; an all-zero header
//! ends the log. The payloads are rust-protobuf encodings of raft-rs's
//! messages.
//!
//! A segment grows by chunks of zeros ([`Options::chunk_size`]): writing
//! and syncing into space that already holds synced zeros is about twice
//! as fast as extending the file, so the file is extended (in the same
//! write as the records that need the room) once per chunk only. Past
//! [`Options::segment_size`] a new segment is started; it opens with the
//! current snapshot point, conf state and hard state, so that older
//! segments can be deleted without losing them.
//!
//! On replay, a record that is cut short or fails its checksum at the end
//! of the log is a write torn by a crash before it was synced (so never
//! acknowledged): the log ends there, and the rest of the segment is
//! zeroed so that stale bytes can never be read as records. A damaged
//! record followed by valid ones is corruption ([`WalError::Corrupted`]):
//! acknowledged data is never dropped silently.

mod record;
mod replay;
#[cfg(test)]
mod tests;

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use protobuf::Message;
use raft_rs::eraftpb::{ConfState, Entry, HardState, SnapshotMetadata};

use record::{Kind, round_up};

/// Why the write-ahead log failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum WalError {
    /// Reading or writing a file failed.
    #[error("write-ahead log {path}: {action} failed")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        action: &'static str,
        /// The file system's error.
        #[source]
        source: std::io::Error,
    },
    /// The log holds something it cannot have written itself.
    #[error("write-ahead log {path} is corrupted: {detail}")]
    Corrupted {
        /// The file.
        path: PathBuf,
        /// What is wrong, and where.
        detail: String,
    },
    /// The caller asked for a write that would break the log (entries that
    /// leave a gap, a snapshot older than the current one). Nothing was
    /// written.
    #[error("write-ahead log {path} refused a write: {detail}")]
    Refused {
        /// The log's directory.
        path: PathBuf,
        /// What was wrong with the write.
        detail: String,
    },
    /// An earlier write or sync failed, so what is on disk is unknown; the
    /// log must be reopened.
    #[error("write-ahead log {path} is unusable after an earlier failure; reopen it")]
    Poisoned {
        /// The log's directory.
        path: PathBuf,
    },
}

/// What a replayed log holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Recovered {
    /// The last hard state saved (default if none).
    pub hard_state: HardState,
    /// The last snapshot point recorded by [`Wal::compact`] or
    /// [`Wal::apply_snapshot`] (index 0 if none): the log holds no entries
    /// at or below its index, and its conf state is the membership as of
    /// that point.
    pub snapshot: SnapshotMetadata,
    /// The last conf state saved with [`Wal::set_conf_state`] (or the
    /// snapshot's, whichever came later; default if none).
    pub conf_state: ConfState,
    /// Every entry after the snapshot point, in index order, gap-free:
    /// where a later append overwrote a suffix, the later entries win.
    pub entries: Vec<Entry>,
}

/// The sizes of a log's segment files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    /// A segment that a write would take past this many bytes is closed
    /// and a new one started (default 64 MiB). A single write larger than
    /// this still goes whole into one segment.
    pub(crate) segment_size: u64,
    /// A segment file grows by this many bytes of zeros at a time (default
    /// 1 MiB; rounded up to a multiple of 8).
    pub(crate) chunk_size: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self { segment_size: 64 << 20, chunk_size: 1 << 20 }
    }
}

impl Options {
    fn normalized(self) -> Self {
        Self {
            segment_size: self.segment_size.max(1),
            chunk_size: round_up(self.chunk_size.max(record::ALIGN), record::ALIGN),
        }
    }
}

/// A segment file found in the directory.
#[derive(Debug)]
struct SegmentName {
    seq: u64,
    path: PathBuf,
}

/// A segment of the log.
#[derive(Debug)]
struct Segment {
    seq: u64,
    path: PathBuf,
    /// The highest index of an entry in this segment that no later record
    /// overwrote or dropped (0 if none): once the snapshot point reaches
    /// it, the segment holds nothing needed.
    max_index: u64,
    /// Whether it opens with the snapshot point, conf state and hard state
    /// as of its creation (every segment this code creates does).
    has_header: bool,
}

/// The segment being written.
#[derive(Debug)]
struct Current {
    file: File,
    /// Where the next record goes.
    pos: u64,
    /// The end of the file: everything from `pos` to here is zeros.
    zeroed_end: u64,
    /// Where the records after the header start.
    body_start: u64,
}

/// The write-ahead log in one directory.
pub(crate) struct Wal {
    dir: PathBuf,
    options: Options,
    /// Oldest first; the last one is being written (`current`).
    segments: Vec<Segment>,
    current: Current,
    /// Reused for the records of each write.
    buf: Vec<u8>,
    snapshot: SnapshotMetadata,
    conf_state: ConfState,
    hard_state: HardState,
    /// The last entry's index, or the snapshot point's if it is higher.
    last_index: u64,
    /// Whether something was written since the last sync.
    dirty: bool,
    /// Whether a write or sync failed (see [`WalError::Poisoned`]).
    poisoned: bool,
}

impl std::fmt::Debug for Wal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wal")
            .field("dir", &self.dir)
            .field("segments", &self.segments.len())
            .field("pos", &self.current.pos)
            .field("snapshot_index", &self.snapshot.index)
            .field("last_index", &self.last_index)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

impl Wal {
    /// Opens the log in `dir` (creating the directory and a first segment
    /// if needed) and replays it.
    pub(crate) fn open(dir: &Path) -> Result<(Self, Recovered), WalError> {
        Self::open_with(dir, Options::default())
    }

    /// [`Wal::open`] with other segment sizes.
    pub(crate) fn open_with(dir: &Path, options: Options) -> Result<(Self, Recovered), WalError> {
        let options = options.normalized();
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the directory", e))?;
        let names = list_segments(dir)?;
        let replay::Replayed { recovered, mut segments, tail, leftovers } =
            replay::replay(dir, &names)?;
        for path in &leftovers {
            std::fs::remove_file(path).map_err(|e| io_error(path, "remove an empty segment", e))?;
            sync_dir(dir)?;
        }
        let last_index = recovered.entries.last().map_or(recovered.snapshot.index, |e| e.index);
        let current = match (segments.last(), tail) {
            (Some(last), Some(tail)) => open_tail(&last.path, &tail)?,
            _ => {
                let seq = segments.last().map_or(0, |s| s.seq.saturating_add(1));
                let (segment, current) = create_segment(
                    dir,
                    seq,
                    last_index.saturating_add(1),
                    (&recovered.snapshot, &recovered.conf_state, &recovered.hard_state),
                    options.chunk_size,
                )?;
                segments.push(segment);
                current
            }
        };
        let needs_header = segments.last().is_some_and(|s| !s.has_header);
        let mut wal = Wal {
            dir: dir.to_path_buf(),
            options,
            segments,
            current,
            buf: Vec::new(),
            snapshot: recovered.snapshot.clone(),
            conf_state: recovered.conf_state.clone(),
            hard_state: recovered.hard_state.clone(),
            last_index,
            dirty: false,
            poisoned: false,
        };
        if needs_header {
            // Only a log damaged by hand gets here; start a segment that
            // restates the state, so that older ones can be deleted.
            wal.rotate()?;
        }
        Ok((wal, recovered))
    }

    /// Appends `entries` (whose first index may be at or below the last
    /// one appended: those later entries are overwritten) and, if given,
    /// the hard state, in one write. Not durable until [`Wal::sync`].
    ///
    /// Entries at or below the snapshot point are skipped; entries that
    /// are not consecutive, or that would leave a gap after the last
    /// entry, are refused.
    pub(crate) fn append(
        &mut self,
        entries: &[Entry],
        hard_state: Option<&HardState>,
    ) -> Result<(), WalError> {
        self.check_usable()?;
        if let Some(pair) = entries.windows(2).find(|w| w[1].index != w[0].index.wrapping_add(1)) {
            return Err(self.refused(format!(
                "entry {} follows entry {}: entries must be consecutive",
                pair[1].index, pair[0].index
            )));
        }
        let entries = &entries[entries.partition_point(|e| e.index <= self.snapshot.index)..];
        if let Some(first) = entries.first()
            && first.index > self.last_index.saturating_add(1)
        {
            return Err(self.refused(format!(
                "entry {} would leave a gap after the last entry {}",
                first.index, self.last_index
            )));
        }
        self.buf.clear();
        for entry in entries {
            self.encode(Kind::Entry, entry)?;
        }
        if let Some(hard_state) = hard_state {
            self.encode(Kind::HardState, hard_state)?;
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        self.write_buf()?;
        if let (Some(first), Some(last)) = (entries.first(), entries.last()) {
            if first.index <= self.last_index {
                // An overwrite: the entries from `first` on are dead wherever
                // they were.
                for segment in &mut self.segments {
                    segment.max_index = segment.max_index.min(first.index - 1);
                }
            }
            if let Some(segment) = self.segments.last_mut() {
                segment.max_index = segment.max_index.max(last.index);
            }
            self.last_index = last.index;
        }
        if let Some(hard_state) = hard_state {
            self.hard_state = hard_state.clone();
        }
        Ok(())
    }

    /// Saves the conf state (after a membership change is applied). Not
    /// durable until [`Wal::sync`].
    pub(crate) fn set_conf_state(&mut self, conf_state: &ConfState) -> Result<(), WalError> {
        self.check_usable()?;
        self.buf.clear();
        self.encode(Kind::ConfState, conf_state)?;
        self.write_buf()?;
        self.conf_state = conf_state.clone();
        Ok(())
    }

    /// Makes everything appended so far durable (one `fdatasync`; none if
    /// nothing was written since the last one).
    pub(crate) fn sync(&mut self) -> Result<(), WalError> {
        self.check_usable()?;
        if !self.dirty {
            return Ok(());
        }
        if let Err(e) = self.current.file.sync_data() {
            self.poisoned = true;
            return Err(io_error(self.current_path(), "sync a segment", e));
        }
        self.dirty = false;
        Ok(())
    }

    /// Records (durably) that everything up to `snapshot.index` is kept
    /// elsewhere (the engine has applied it durably), and deletes the
    /// segments that hold nothing after it. Entries after it stay; if it
    /// is past the last entry, all entries are dropped and the next one
    /// appended is `snapshot.index + 1`. Syncs everything appended
    /// before. A snapshot point older than the current one, or the same,
    /// changes nothing (and syncs nothing).
    pub(crate) fn compact(&mut self, snapshot: &SnapshotMetadata) -> Result<(), WalError> {
        self.check_usable()?;
        if snapshot.index < self.snapshot.index || *snapshot == self.snapshot {
            return Ok(());
        }
        self.buf.clear();
        self.encode(Kind::Snapshot, snapshot)?;
        self.write_buf()?;
        self.sync()?;
        self.conf_state = snapshot.get_conf_state().clone();
        self.snapshot = snapshot.clone();
        self.last_index = self.last_index.max(snapshot.index);
        self.remove_compacted()
    }

    /// Records (durably) that a snapshot received from the leader replaced
    /// the whole log: every entry is dropped, whatever its index, and the
    /// next one appended is `snapshot.index + 1`. Unlike
    /// [`Wal::compact`], entries after the point do not survive (they may
    /// conflict with the leader's). A snapshot older than the current
    /// snapshot point is refused. Syncs everything appended before.
    // The node loop does not install leaders' snapshots yet; it will call
    // this when it does.
    #[allow(dead_code)]
    pub(crate) fn apply_snapshot(&mut self, snapshot: &SnapshotMetadata) -> Result<(), WalError> {
        self.check_usable()?;
        if snapshot.index < self.snapshot.index {
            return Err(self.refused(format!(
                "the snapshot at {} is older than the snapshot point {}",
                snapshot.index, self.snapshot.index
            )));
        }
        self.buf.clear();
        self.encode(Kind::SnapshotInstalled, snapshot)?;
        self.write_buf()?;
        self.sync()?;
        for segment in &mut self.segments {
            segment.max_index = 0;
        }
        self.conf_state = snapshot.get_conf_state().clone();
        self.snapshot = snapshot.clone();
        self.last_index = snapshot.index;
        self.remove_compacted()
    }

    fn check_usable(&self) -> Result<(), WalError> {
        if self.poisoned { Err(WalError::Poisoned { path: self.dir.clone() }) } else { Ok(()) }
    }

    fn refused(&self, detail: String) -> WalError {
        WalError::Refused { path: self.dir.clone(), detail }
    }

    fn current_path(&self) -> &Path {
        self.segments.last().map_or(&self.dir, |s| &s.path)
    }

    /// Adds a record to [`Wal::buf`].
    fn encode<M: Message>(&mut self, kind: Kind, message: &M) -> Result<(), WalError> {
        record::encode(&mut self.buf, kind, message)
            .map_err(|e| io_error(&self.dir, "encode a record", e))
    }

    /// Writes the records in [`Wal::buf`] at the end of the log, starting
    /// a new segment first if the current one would grow too large, and
    /// extending the file by a chunk of zeros if needed (in the same
    /// write).
    fn write_buf(&mut self) -> Result<(), WalError> {
        let len = self.buf.len() as u64;
        if self.current.pos > self.current.body_start
            && self.current.pos + len > self.options.segment_size
        {
            self.rotate()?;
        }
        let pos = self.current.pos;
        let end = pos + len;
        if end > self.current.zeroed_end {
            let zeros = round_up(end, self.options.chunk_size) - end;
            self.buf.resize(self.buf.len() + zeros as usize, 0);
        }
        if let Err(e) = self.current.file.write_all_at(&self.buf, pos) {
            self.poisoned = true;
            return Err(io_error(self.current_path(), "write records", e));
        }
        self.current.pos = end;
        self.current.zeroed_end = self.current.zeroed_end.max(pos + self.buf.len() as u64);
        self.dirty = true;
        let keep = 2 * self.options.chunk_size as usize;
        if self.buf.capacity() > keep {
            self.buf = Vec::with_capacity(keep.min(1 << 20));
        }
        Ok(())
    }

    /// Closes the current segment (synced) and starts the next one.
    fn rotate(&mut self) -> Result<(), WalError> {
        self.sync()?;
        let seq = self.segments.last().map_or(0, |s| s.seq.saturating_add(1));
        let created = create_segment(
            &self.dir,
            seq,
            self.last_index.saturating_add(1),
            (&self.snapshot, &self.conf_state, &self.hard_state),
            self.options.chunk_size,
        );
        let (segment, current) = created.inspect_err(|_| self.poisoned = true)?;
        self.segments.push(segment);
        self.current = current;
        Ok(())
    }

    /// Deletes, oldest first, the segments before the current one that
    /// hold no entry after the snapshot point, as long as the segment after
    /// each restates the state.
    fn remove_compacted(&mut self) -> Result<(), WalError> {
        let removable = self
            .segments
            .windows(2)
            .take_while(|w| w[0].max_index <= self.snapshot.index && w[1].has_header)
            .count();
        for _ in 0..removable {
            let segment = self.segments.remove(0);
            if let Err(e) = std::fs::remove_file(&segment.path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                let error = io_error(&segment.path, "delete a compacted segment", e);
                self.segments.insert(0, segment);
                return Err(error);
            }
            // One at a time, so that a crash leaves the segments gap-free.
            sync_dir(&self.dir)?;
        }
        Ok(())
    }
}

/// Creates segment `seq` holding the header, extended to a chunk of zeros,
/// synced, with the directory synced.
fn create_segment(
    dir: &Path,
    seq: u64,
    first_index: u64,
    (snapshot, conf_state, hard_state): (&SnapshotMetadata, &ConfState, &HardState),
    chunk_size: u64,
) -> Result<(Segment, Current), WalError> {
    let path = dir.join(format!("{seq:016x}-{first_index:016x}.wal"));
    let mut bytes = Vec::new();
    record::encode(&mut bytes, Kind::Snapshot, snapshot)
        .and_then(|()| record::encode(&mut bytes, Kind::ConfState, conf_state))
        .and_then(|()| record::encode(&mut bytes, Kind::HardState, hard_state))
        .map_err(|e| io_error(&path, "encode the segment header", e))?;
    let body_start = bytes.len() as u64;
    bytes.resize(round_up(body_start, chunk_size) as usize, 0);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| io_error(&path, "create a segment", e))?;
    file.write_all_at(&bytes, 0).map_err(|e| io_error(&path, "write a segment header", e))?;
    file.sync_data().map_err(|e| io_error(&path, "sync a new segment", e))?;
    sync_dir(dir)?;
    let current = Current { file, pos: body_start, zeroed_end: bytes.len() as u64, body_start };
    Ok((Segment { seq, path, max_index: 0, has_header: true }, current))
}

/// Opens the last segment for writing at the end of its records, zeroing
/// whatever follows them first.
fn open_tail(path: &Path, tail: &replay::Tail) -> Result<Current, WalError> {
    let file = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| io_error(path, "open a segment", e))?;
    let len = file.metadata().map_err(|e| io_error(path, "read a segment's size", e))?.len();
    if tail.stale_after_end && tail.end < len {
        let zeros = vec![0; (len - tail.end).min(1 << 20) as usize];
        let mut at = tail.end;
        while at < len {
            let n = (len - at).min(zeros.len() as u64) as usize;
            file.write_all_at(&zeros[..n], at)
                .map_err(|e| io_error(path, "zero a torn tail", e))?;
            at += n as u64;
        }
        file.sync_data().map_err(|e| io_error(path, "sync a zeroed tail", e))?;
    }
    Ok(Current { file, pos: tail.end, zeroed_end: len, body_start: tail.body_start })
}

/// The segment files in `dir`, in sequence order; a gap or a duplicate in
/// the sequence is corruption.
fn list_segments(dir: &Path) -> Result<Vec<SegmentName>, WalError> {
    let mut names = Vec::new();
    for item in std::fs::read_dir(dir).map_err(|e| io_error(dir, "list the directory", e))? {
        let item = item.map_err(|e| io_error(dir, "list the directory", e))?;
        let Some(seq) = item.file_name().to_str().and_then(parse_segment_name) else {
            continue;
        };
        names.push(SegmentName { seq, path: item.path() });
    }
    names.sort_by_key(|n| n.seq);
    for pair in names.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.seq.checked_add(1) != Some(b.seq) {
            let detail = if a.seq == b.seq {
                format!(
                    "{} and {} have the same sequence number",
                    a.path.display(),
                    b.path.display()
                )
            } else {
                format!(
                    "the segments between {} and {} are missing",
                    a.path.display(),
                    b.path.display()
                )
            };
            return Err(WalError::Corrupted { path: dir.to_path_buf(), detail });
        }
    }
    Ok(names)
}

/// The sequence number of a segment file named `{seq:016x}-{first:016x}.wal`.
fn parse_segment_name(name: &str) -> Option<u64> {
    let (seq, first) = name.strip_suffix(".wal")?.split_once('-')?;
    let hex = |s: &str| {
        (s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u64::from_str_radix(s, 16).ok())
            .flatten()
    };
    hex(first)?;
    hex(seq)
}

fn io_error(path: &Path, action: &'static str, source: std::io::Error) -> WalError {
    WalError::Io { path: path.to_path_buf(), action, source }
}

/// Makes the directory's entries (files created or deleted) durable.
fn sync_dir(dir: &Path) -> Result<(), WalError> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_error(dir, "sync the directory", e))
}
