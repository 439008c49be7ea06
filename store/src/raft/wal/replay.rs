//! Replaying the segment files of a log into a [`Recovered`].

use std::path::{Path, PathBuf};

use protobuf::Message;
use raft_rs::eraftpb::{ConfState, Entry, HardState, SnapshotMetadata};

use super::record::{self, Kind, Read};
use super::{Recovered, Segment, SegmentName, WalError, io_error};

/// Where the log ends in its last segment.
#[derive(Debug)]
pub(super) struct Tail {
    /// The offset where the next record goes.
    pub(super) end: u64,
    /// Where the records after the segment's header start (0 without a
    /// header).
    pub(super) body_start: u64,
    /// Whether bytes other than zeros follow `end` (a torn write, or pages
    /// of an unsynced write that reached the disk out of order): they must
    /// be zeroed before anything is written there.
    pub(super) stale_after_end: bool,
}

/// What replaying the segments found.
#[derive(Debug)]
pub(super) struct Replayed {
    /// The log's contents.
    pub(super) recovered: Recovered,
    /// The segments that hold the log, oldest first.
    pub(super) segments: Vec<Segment>,
    /// Where the last segment ends (`None` without segments).
    pub(super) tail: Option<Tail>,
    /// Segment files after a torn tail that hold no record (left by a
    /// crash while a segment was being created): to be removed.
    pub(super) leftovers: Vec<PathBuf>,
}

/// Replays `files` (sorted by sequence, with no gap) from `dir`.
pub(super) fn replay(dir: &Path, files: &[SegmentName]) -> Result<Replayed, WalError> {
    let mut state = State::default();
    let mut tail = None;
    let mut leftovers = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let data =
            std::fs::read(&file.path).map_err(|e| io_error(&file.path, "read a segment", e))?;
        state.segments.push(Segment {
            seq: file.seq,
            path: file.path.clone(),
            max_index: 0,
            has_header: false,
        });
        let scan = state.replay_segment(&data, &file.path)?;
        let is_last = i + 1 == files.len();
        let end = scan.end;
        let corrupted = |detail: String| WalError::Corrupted { path: file.path.clone(), detail };
        match scan.stop {
            Stop::Clean => {
                if !is_last && let Some(at) = record::find_record_from(&data, end + 8) {
                    return Err(corrupted(format!(
                        "the log ends at offset {end}, but a record follows at offset {at}"
                    )));
                }
            }
            Stop::Bad(reason) => {
                if let Some(at) = record::find_record_from(&data, end + 8) {
                    return Err(corrupted(format!(
                        "the record at offset {end} is damaged ({reason}), but a valid record follows at offset {at}"
                    )));
                }
                if !is_last {
                    for later in &files[i + 1..] {
                        let later_data = std::fs::read(&later.path)
                            .map_err(|e| io_error(&later.path, "read a segment", e))?;
                        if record::find_record_from(&later_data, 0).is_some() {
                            return Err(corrupted(format!(
                                "the record at offset {end} is damaged ({reason}), but the later segment {} holds records",
                                later.path.display()
                            )));
                        }
                        leftovers.push(later.path.clone());
                    }
                }
            }
        }
        if is_last || !leftovers.is_empty() {
            tail = Some(Tail {
                end: end as u64,
                body_start: scan.body_start as u64,
                stale_after_end: data.get(end..).is_some_and(|rest| rest.iter().any(|&b| b != 0)),
            });
            break;
        }
    }
    let State { snapshot, conf_state, hard_state, entries, segments, .. } = state;
    if let Some(first) = entries.first()
        && first.index != snapshot.index.saturating_add(1)
    {
        return Err(WalError::Corrupted {
            path: dir.to_path_buf(),
            detail: format!(
                "entries {} to {} are missing (the snapshot point is {}): was a segment file removed?",
                snapshot.index + 1,
                first.index - 1,
                snapshot.index
            ),
        });
    }
    Ok(Replayed {
        recovered: Recovered { hard_state, snapshot, conf_state, entries },
        segments,
        tail,
        leftovers,
    })
}

/// Why a segment's records stop.
#[derive(Debug)]
enum Stop {
    /// An all-zero header or the end of the file.
    Clean,
    /// A record that was not written whole, and why.
    Bad(&'static str),
}

/// How one segment was read.
#[derive(Debug)]
struct Scan {
    /// The offset where the records stop.
    end: usize,
    /// Why they stop.
    stop: Stop,
    /// Where the records after the header start (0 without a header).
    body_start: usize,
}

/// The log as replayed so far.
#[derive(Debug, Default)]
struct State {
    snapshot: SnapshotMetadata,
    conf_state: ConfState,
    hard_state: HardState,
    /// A run of consecutive entries. Until the end of the replay it may
    /// start above `snapshot.index + 1`: segments whose entries are all at
    /// or below a snapshot point recorded later are deleted.
    entries: Vec<Entry>,
    /// The index of the last entry record replayed, to notice overwrites.
    last_written: u64,
    /// The segments read so far; the last one is being read.
    segments: Vec<Segment>,
}

impl State {
    /// Replays the records of one segment (the last of `self.segments`).
    fn replay_segment(&mut self, data: &[u8], path: &Path) -> Result<Scan, WalError> {
        const HEADER: [Kind; 3] = [Kind::Snapshot, Kind::ConfState, Kind::HardState];
        let mut offset = 0;
        let mut count = 0;
        let mut body_start = 0;
        let stop = loop {
            let (kind, payload, next) = match record::read(data, offset) {
                Read::Record { kind, payload, next } => (kind, payload, next),
                Read::End => break Stop::Clean,
                Read::Bad(reason) => break Stop::Bad(reason),
            };
            let corrupted = |detail: String| WalError::Corrupted {
                path: path.to_path_buf(),
                detail: format!("the record at offset {offset} {detail}"),
            };
            let Some(kind) = Kind::from_byte(kind) else {
                return Err(corrupted(format!("has the unknown type {kind}")));
            };
            self.apply(kind, payload).map_err(corrupted)?;
            if count < HEADER.len() && HEADER[count] == kind {
                count += 1;
                if count == HEADER.len() {
                    body_start = next;
                    if let Some(segment) = self.segments.last_mut() {
                        segment.has_header = true;
                    }
                }
            } else {
                count = usize::MAX;
            }
            offset = next;
        };
        Ok(Scan { end: offset, stop, body_start })
    }

    /// Applies one record; the error says what is wrong with it.
    fn apply(&mut self, kind: Kind, payload: &[u8]) -> Result<(), String> {
        fn parse<M: Message>(payload: &[u8], what: &str) -> Result<M, String> {
            M::parse_from_bytes(payload).map_err(|e| format!("does not decode as {what}: {e}"))
        }
        match kind {
            Kind::Entry => self.apply_entry(parse(payload, "an entry")?),
            Kind::HardState => {
                self.hard_state = parse(payload, "a hard state")?;
                Ok(())
            }
            Kind::ConfState => {
                self.conf_state = parse(payload, "a conf state")?;
                Ok(())
            }
            Kind::Snapshot => {
                let snapshot: SnapshotMetadata = parse(payload, "a snapshot point")?;
                if snapshot.index >= self.snapshot.index {
                    let keep_from = self.entries.partition_point(|e| e.index <= snapshot.index);
                    self.entries.drain(..keep_from);
                    self.conf_state = snapshot.get_conf_state().clone();
                    self.snapshot = snapshot;
                }
                Ok(())
            }
            Kind::SnapshotInstalled => {
                let snapshot: SnapshotMetadata = parse(payload, "an installed snapshot point")?;
                if snapshot.index >= self.snapshot.index {
                    self.entries.clear();
                    for segment in &mut self.segments {
                        segment.max_index = 0;
                    }
                    self.last_written = 0;
                    self.conf_state = snapshot.get_conf_state().clone();
                    self.snapshot = snapshot;
                }
                Ok(())
            }
        }
    }

    fn apply_entry(&mut self, entry: Entry) -> Result<(), String> {
        let index = entry.index;
        if index <= self.snapshot.index {
            // Covered by the snapshot point.
            return Ok(());
        }
        match (self.entries.first(), self.entries.last()) {
            (Some(_), Some(last)) if index > last.index.saturating_add(1) => {
                return Err(format!(
                    "holds entry {index}, but the log before it ends at entry {}",
                    last.index
                ));
            }
            (Some(first), Some(_)) if index >= first.index => {
                let keep = (index - first.index) as usize;
                self.entries.truncate(keep);
            }
            _ => self.entries.clear(),
        }
        if index <= self.last_written {
            // An overwrite: no segment holds a live entry from here on.
            for segment in &mut self.segments {
                segment.max_index = segment.max_index.min(index - 1);
            }
        }
        if let Some(segment) = self.segments.last_mut() {
            segment.max_index = segment.max_index.max(index);
        }
        self.last_written = index;
        self.entries.push(entry);
        Ok(())
    }
}
