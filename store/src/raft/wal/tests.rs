//! Tests of the write-ahead log: round trips, overwrites, rotation and
//! compaction, torn tails, corruption, and a model-based property test.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use raft_rs::eraftpb::{ConfState, Entry, HardState, SnapshotMetadata};

use super::record::{self, Read};
use super::{Options, Recovered, Wal, WalError};

/// Tiny segments, so that a few dozen entries span several of them.
fn small() -> Options {
    Options { segment_size: 512, chunk_size: 128 }
}

fn entry(index: u64, term: u64) -> Entry {
    Entry {
        index,
        term,
        data: format!("entry {index} of term {term}").into_bytes().into(),
        ..Default::default()
    }
}

fn entries(range: std::ops::RangeInclusive<u64>, term: u64) -> Vec<Entry> {
    range.map(|i| entry(i, term)).collect()
}

fn hard_state(term: u64, commit: u64) -> HardState {
    HardState { term, vote: 1, commit, ..Default::default() }
}

fn conf(voters: &[u64]) -> ConfState {
    ConfState { voters: voters.to_vec(), ..Default::default() }
}

fn point(index: u64, term: u64, conf_state: &ConfState) -> SnapshotMetadata {
    let mut meta = SnapshotMetadata { index, term, ..Default::default() };
    meta.set_conf_state(conf_state.clone());
    meta
}

fn segment_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wal"))
        .collect();
    files.sort();
    files
}

/// The offsets of the records of a segment file, and where they end.
fn record_offsets(path: &Path) -> (Vec<usize>, usize) {
    let data = std::fs::read(path).unwrap();
    let mut offsets = Vec::new();
    let mut at = 0;
    while let Read::Record { next, .. } = record::read(&data, at) {
        offsets.push(at);
        at = next;
    }
    (offsets, at)
}

fn reopen(dir: &Path, options: Options) -> (Wal, Recovered) {
    Wal::open_with(dir, options).unwrap()
}

fn expect_corrupted(dir: &Path, options: Options) -> (PathBuf, String) {
    match Wal::open_with(dir, options) {
        Err(WalError::Corrupted { path, detail }) => (path, detail),
        other => panic!("expected Corrupted, got {other:?}"),
    }
}

#[test]
fn a_new_log_is_empty_and_reopens_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal");
    let (wal, recovered) = Wal::open(&path).unwrap();
    assert_eq!(recovered, Recovered::default());
    drop(wal);
    let (_wal, recovered) = Wal::open(&path).unwrap();
    assert_eq!(recovered, Recovered::default());
    let files = segment_files(&path);
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].file_name().unwrap(), "0000000000000000-0000000000000001.wal");
    assert_eq!(std::fs::metadata(&files[0]).unwrap().len(), 1 << 20, "grown by one zeroed chunk");
}

#[test]
fn round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open(dir.path()).unwrap();
    wal.set_conf_state(&conf(&[1, 2, 3])).unwrap();
    wal.append(&entries(1..=5, 1), Some(&hard_state(1, 3))).unwrap();
    wal.append(&entries(6..=7, 2), None).unwrap();
    wal.append(&[], Some(&hard_state(2, 7))).unwrap();
    wal.sync().unwrap();
    drop(wal);

    let expected = Recovered {
        hard_state: hard_state(2, 7),
        snapshot: SnapshotMetadata::default(),
        conf_state: conf(&[1, 2, 3]),
        entries: [entries(1..=5, 1), entries(6..=7, 2)].concat(),
    };
    let (mut wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered, expected);

    // It goes on where it stopped.
    wal.append(&entries(8..=8, 2), Some(&hard_state(2, 8))).unwrap();
    wal.sync().unwrap();
    drop(wal);
    let (_wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered.entries, [entries(1..=5, 1), entries(6..=8, 2)].concat());
    assert_eq!(recovered.hard_state, hard_state(2, 8));
}

#[test]
fn an_overwritten_suffix_stays_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open(dir.path()).unwrap();
    wal.append(&entries(1..=10, 1), None).unwrap();
    wal.append(&entries(6..=8, 2), Some(&hard_state(2, 5))).unwrap();
    wal.sync().unwrap();
    drop(wal);

    let (mut wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered.entries, [entries(1..=5, 1), entries(6..=8, 2)].concat());
    // The next entry follows the overwrite, not the old tail.
    wal.append(&entries(9..=9, 2), None).unwrap();
    wal.append(&entries(3..=3, 3), None).unwrap();
    wal.sync().unwrap();
    drop(wal);
    let (_wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered.entries, [entries(1..=2, 1), entries(3..=3, 3)].concat());
}

#[test]
fn gaps_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open(dir.path()).unwrap();
    wal.append(&entries(1..=3, 1), None).unwrap();
    let gap = wal.append(&entries(5..=6, 1), Some(&hard_state(1, 3)));
    assert!(matches!(gap, Err(WalError::Refused { .. })), "{gap:?}");
    let holes = wal.append(&[entry(4, 1), entry(6, 1)], None);
    assert!(matches!(holes, Err(WalError::Refused { .. })), "{holes:?}");
    // Still usable.
    wal.append(&entries(4..=4, 1), None).unwrap();
    wal.sync().unwrap();
    drop(wal);
    let (_wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered.entries, entries(1..=4, 1));
    assert_eq!(recovered.hard_state, HardState::default());
}

#[test]
fn segments_rotate_and_compaction_deletes_old_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open_with(dir.path(), small()).unwrap();
    wal.set_conf_state(&conf(&[1, 2])).unwrap();
    for start in (1..=60).step_by(3) {
        wal.append(&entries(start..=start + 2, 1), Some(&hard_state(1, start))).unwrap();
        wal.sync().unwrap();
    }
    let before = segment_files(dir.path());
    assert!(before.len() >= 5, "tiny segments rotate: {before:?}");
    for file in &before {
        let len = std::fs::metadata(file).unwrap().len();
        assert_eq!(len % 128, 0, "{} grows by chunks", file.display());
    }

    wal.compact(&point(40, 1, &conf(&[1, 2]))).unwrap();
    let after = segment_files(dir.path());
    assert!(after.len() < before.len(), "compaction deletes segments: {before:?} -> {after:?}");
    assert_eq!(after.last(), before.last(), "never the current segment");
    // Every deleted segment was older than every kept one.
    assert!(before[..before.len() - after.len()].iter().all(|f| !after.contains(f)));
    wal.set_conf_state(&conf(&[1, 2, 3])).unwrap();
    wal.sync().unwrap();
    drop(wal);

    let (mut wal, recovered) = reopen(dir.path(), small());
    assert_eq!(recovered.snapshot, point(40, 1, &conf(&[1, 2])));
    assert_eq!(recovered.conf_state, conf(&[1, 2, 3]));
    assert_eq!(recovered.hard_state, hard_state(1, 58));
    assert_eq!(recovered.entries, entries(41..=60, 1));

    // Compacting everything leaves the current segment only, and the
    // state restated in it.
    wal.append(&entries(61..=70, 2), Some(&hard_state(2, 70))).unwrap();
    wal.compact(&point(70, 2, &conf(&[1, 2, 3]))).unwrap();
    let files = segment_files(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    drop(wal);
    let (_wal, recovered) = reopen(dir.path(), small());
    assert_eq!(
        recovered,
        Recovered {
            hard_state: hard_state(2, 70),
            snapshot: point(70, 2, &conf(&[1, 2, 3])),
            conf_state: conf(&[1, 2, 3]),
            entries: vec![],
        }
    );
}

#[test]
fn segments_with_overwritten_entries_are_deleted_too() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open_with(dir.path(), small()).unwrap();
    wal.append(&entries(1..=30, 1), None).unwrap();
    wal.append(&entries(31..=40, 1), None).unwrap();
    // A new leader overwrites everything from 11 on, across segments.
    wal.append(&entries(11..=20, 2), None).unwrap();
    wal.append(&entries(21..=40, 2), None).unwrap();
    let before = segment_files(dir.path()).len();
    assert!(before >= 4, "{before}");
    wal.compact(&point(20, 2, &ConfState::default())).unwrap();
    let after = segment_files(dir.path()).len();
    assert!(after < before, "{before} -> {after}");
    drop(wal);
    let (_wal, recovered) = reopen(dir.path(), small());
    assert_eq!(recovered.entries, entries(21..=40, 2));
}

#[test]
fn compaction_beyond_the_last_entry_drops_every_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open(dir.path()).unwrap();
    wal.append(&entries(1..=5, 1), Some(&hard_state(1, 5))).unwrap();
    wal.compact(&point(10, 3, &conf(&[1]))).unwrap();
    // Entries covered by the snapshot point are skipped; the next one is 11.
    let gap = wal.append(&entries(12..=12, 3), None);
    assert!(matches!(gap, Err(WalError::Refused { .. })), "{gap:?}");
    wal.append(&entries(11..=12, 3), Some(&hard_state(3, 12))).unwrap();
    wal.sync().unwrap();
    drop(wal);

    let (_wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered.snapshot, point(10, 3, &conf(&[1])));
    assert_eq!(recovered.conf_state, conf(&[1]));
    assert_eq!(recovered.entries, entries(11..=12, 3));
    assert_eq!(recovered.hard_state, hard_state(3, 12));
}

#[test]
fn compaction_keeps_later_entries_and_ignores_older_points() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open(dir.path()).unwrap();
    wal.append(&entries(1..=9, 1), None).unwrap();
    wal.compact(&point(6, 1, &conf(&[1]))).unwrap();
    wal.compact(&point(4, 1, &conf(&[7]))).unwrap();
    drop(wal);
    let (_wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered.snapshot, point(6, 1, &conf(&[1])));
    assert_eq!(recovered.entries, entries(7..=9, 1));
}

#[test]
fn an_installed_snapshot_drops_later_entries() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open_with(dir.path(), small()).unwrap();
    wal.append(&entries(1..=30, 1), None).unwrap();
    wal.apply_snapshot(&point(12, 4, &conf(&[1, 2, 3]))).unwrap();
    assert_eq!(segment_files(dir.path()).len(), 1, "nothing before the install is needed");
    let stale = wal.apply_snapshot(&point(11, 4, &conf(&[1])));
    assert!(matches!(stale, Err(WalError::Refused { .. })), "{stale:?}");
    wal.append(&entries(13..=14, 4), Some(&hard_state(4, 14))).unwrap();
    wal.sync().unwrap();
    drop(wal);
    let (_wal, recovered) = reopen(dir.path(), small());
    assert_eq!(recovered.snapshot, point(12, 4, &conf(&[1, 2, 3])));
    assert_eq!(recovered.conf_state, conf(&[1, 2, 3]));
    assert_eq!(recovered.entries, entries(13..=14, 4));
}

/// Writes entries 1..=6 in three synced batches; returns the segment file
/// and the offset of the last record.
fn three_batches(dir: &Path) -> (PathBuf, usize) {
    let (mut wal, _) = Wal::open(dir).unwrap();
    wal.append(&entries(1..=2, 1), None).unwrap();
    wal.append(&entries(3..=4, 1), None).unwrap();
    wal.append(&entries(5..=6, 1), None).unwrap();
    wal.sync().unwrap();
    drop(wal);
    let file = segment_files(dir).pop().unwrap();
    let (offsets, _) = record_offsets(&file);
    (file, *offsets.last().unwrap())
}

/// After a torn tail: the log lost the last entry only, appends fine, and
/// reopens cleanly.
fn check_recovery_after_torn_tail(dir: &Path, file: &Path, torn_at: usize) {
    let (mut wal, recovered) = Wal::open(dir).unwrap();
    assert_eq!(recovered.entries, entries(1..=5, 1));
    let data = std::fs::read(file).unwrap();
    assert!(data[torn_at..].iter().all(|&b| b == 0), "the torn tail is zeroed");

    // A shorter record than the torn one, then more.
    wal.append(&[Entry { index: 6, term: 2, ..Default::default() }], None).unwrap();
    wal.append(&entries(7..=8, 2), Some(&hard_state(2, 8))).unwrap();
    wal.sync().unwrap();
    drop(wal);
    let (_wal, recovered) = Wal::open(dir).unwrap();
    let mut expected = entries(1..=5, 1);
    expected.push(Entry { index: 6, term: 2, ..Default::default() });
    expected.extend(entries(7..=8, 2));
    assert_eq!(recovered.entries, expected);
    assert_eq!(recovered.hard_state, hard_state(2, 8));
}

#[test]
fn a_record_cut_short_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (file, last) = three_batches(dir.path());
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(last as u64 + 13).unwrap();
    drop(f);
    check_recovery_after_torn_tail(dir.path(), &file, last);
}

#[test]
fn a_scribbled_last_record_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (file, last) = three_batches(dir.path());
    let mut data = std::fs::read(&file).unwrap();
    for (i, b) in data[last + 8..last + 30].iter_mut().enumerate() {
        *b ^= 0x5A ^ i as u8;
    }
    std::fs::write(&file, &data).unwrap();
    check_recovery_after_torn_tail(dir.path(), &file, last);
}

#[test]
fn a_zeroed_header_in_the_last_segment_ends_the_log_there() {
    // Pages of an unsynced write can reach the disk out of order: the
    // record headers before them read as zeros.
    let dir = tempfile::tempdir().unwrap();
    let (file, last) = three_batches(dir.path());
    let mut data = std::fs::read(&file).unwrap();
    data[last..last + 8].fill(0);
    std::fs::write(&file, &data).unwrap();
    check_recovery_after_torn_tail(dir.path(), &file, last);
}

#[test]
fn damage_before_valid_records_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let (file, _) = three_batches(dir.path());
    let (offsets, _) = record_offsets(&file);
    // The header is three records; the fourth is entry 1.
    let first_entry = offsets[3];
    let mut data = std::fs::read(&file).unwrap();
    data[first_entry + 12] ^= 0x01;
    std::fs::write(&file, &data).unwrap();

    let (path, detail) = expect_corrupted(dir.path(), Options::default());
    assert_eq!(path, file);
    assert!(detail.contains(&format!("offset {first_entry}")), "{detail}");
    // Opening again still refuses: nothing was "repaired".
    expect_corrupted(dir.path(), Options::default());
}

/// A log of 40 entries, one per append, in at least three small segments.
fn forty_entries_in_small_segments() -> (tempfile::TempDir, Vec<std::path::PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open_with(dir.path(), small()).unwrap();
    for i in 1..=40 {
        wal.append(&entries(i..=i, 1), None).unwrap();
    }
    wal.sync().unwrap();
    drop(wal);
    let files = segment_files(dir.path());
    assert!(files.len() >= 3);
    (dir, files)
}

#[test]
fn damage_before_a_later_segment_is_corruption() {
    let (dir, files) = forty_entries_in_small_segments();
    let (offsets, _) = record_offsets(&files[0]);
    let last = *offsets.last().unwrap();
    let mut data = std::fs::read(&files[0]).unwrap();
    data[last + 9] ^= 0xFF;
    std::fs::write(&files[0], &data).unwrap();
    let (path, detail) = expect_corrupted(dir.path(), small());
    assert_eq!(path, files[0]);
    assert!(detail.contains("later segment"), "{detail}");
}

#[test]
fn a_zeroed_record_before_valid_ones_in_an_older_segment_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open_with(dir.path(), small()).unwrap();
    wal.append(&entries(1..=40, 1), None).unwrap();
    wal.append(&entries(41..=41, 1), None).unwrap();
    wal.sync().unwrap();
    drop(wal);
    let files = segment_files(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    let (offsets, _) = record_offsets(&files[0]);
    let mut data = std::fs::read(&files[0]).unwrap();
    data[offsets[5]..offsets[5] + 8].fill(0);
    std::fs::write(&files[0], &data).unwrap();
    let (path, _) = expect_corrupted(dir.path(), small());
    assert_eq!(path, files[0]);
}

#[test]
fn an_unknown_record_type_is_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let (file, last) = three_batches(dir.path());
    let mut data = std::fs::read(&file).unwrap();
    let mut record = Vec::new();
    record::encode(&mut record, record::Kind::Entry, &entry(6, 1)).unwrap();
    record[8] = 42;
    let crc = crc32fast::hash(
        &record[8..8 + u32::from_le_bytes(record[..4].try_into().unwrap()) as usize],
    );
    record[4..8].copy_from_slice(&crc.to_le_bytes());
    data[last..last + record.len()].copy_from_slice(&record);
    std::fs::write(&file, &data).unwrap();
    let (_, detail) = expect_corrupted(dir.path(), Options::default());
    assert!(detail.contains("unknown type 42"), "{detail}");
}

#[test]
fn a_missing_segment_is_corruption() {
    let (dir, files) = forty_entries_in_small_segments();
    std::fs::remove_file(&files[1]).unwrap();
    let (path, detail) = expect_corrupted(dir.path(), small());
    assert_eq!(path, dir.path());
    assert!(detail.contains("missing"), "{detail}");

    // Losing the oldest segment loses entries: also refused.
    std::fs::remove_file(&files[0]).unwrap();
    let (_, detail) = expect_corrupted(dir.path(), small());
    assert!(detail.contains("missing"), "{detail}");
}

#[test]
fn stray_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open(dir.path()).unwrap();
    wal.append(&entries(1..=3, 1), None).unwrap();
    wal.sync().unwrap();
    drop(wal);
    std::fs::write(dir.path().join("notes.txt"), b"hello").unwrap();
    std::fs::write(dir.path().join("backup.wal"), b"\x01\x02\x03").unwrap();
    std::fs::write(dir.path().join("0000000000000001.wal"), b"\x01\x02\x03").unwrap();
    let (_wal, recovered) = Wal::open(dir.path()).unwrap();
    assert_eq!(recovered.entries, entries(1..=3, 1));
}

#[test]
fn a_segment_left_empty_by_a_crash_is_written_into() {
    let dir = tempfile::tempdir().unwrap();
    let (mut wal, _) = Wal::open_with(dir.path(), small()).unwrap();
    wal.append(&entries(1..=5, 1), Some(&hard_state(1, 5))).unwrap();
    wal.sync().unwrap();
    drop(wal);
    // A crash right after the next segment was created: an empty file.
    std::fs::write(dir.path().join("0000000000000001-0000000000000006.wal"), b"").unwrap();
    let (mut wal, recovered) = reopen(dir.path(), small());
    assert_eq!(recovered.entries, entries(1..=5, 1));
    // It gets a segment with a header before anything else.
    assert_eq!(segment_files(dir.path()).len(), 3);
    wal.append(&entries(6..=7, 1), None).unwrap();
    wal.compact(&point(7, 1, &ConfState::default())).unwrap();
    drop(wal);
    let (_wal, recovered) = reopen(dir.path(), small());
    assert_eq!(recovered.hard_state, hard_state(1, 5));
    assert_eq!(recovered.snapshot.index, 7);
}

/// An operation of the property test, in terms relative to the log so that
/// every generated one is valid.
#[derive(Clone, Debug)]
enum Op {
    /// Entries from `back` before the next index (an overwrite if > 0).
    Append {
        back: u64,
        count: u64,
        with_hard_state: bool,
    },
    SetConf(u64),
    /// Compacts `back` entries before the last one (never below the
    /// current snapshot point).
    Compact {
        back: u64,
    },
    CompactBeyond(u64),
    Install(u64),
    Sync,
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0..4u64, 0..5u64, any::<bool>())
            .prop_map(|(back, count, with_hard_state)| Op::Append { back, count, with_hard_state }),
        1 => (1..4u64).prop_map(Op::SetConf),
        2 => (0..6u64).prop_map(|back| Op::Compact { back }),
        1 => (1..4u64).prop_map(Op::CompactBeyond),
        1 => (0..4u64).prop_map(Op::Install),
        1 => Just(Op::Sync),
        2 => Just(Op::Reopen),
    ]
}

/// What the log should hold.
fn last_index(model: &Recovered) -> u64 {
    model.entries.last().map_or(model.snapshot.index, |e| e.index)
}

fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let options = small();
    let (mut wal, recovered) = Wal::open_with(dir.path(), options).unwrap();
    let mut model = recovered;
    for (step, op) in ops.iter().enumerate() {
        // A fresh term per step makes every entry written unique.
        let term = step as u64 + 1;
        match *op {
            Op::Append { back, count, with_hard_state } => {
                let start =
                    (last_index(&model) + 1).saturating_sub(back).max(model.snapshot.index + 1);
                let new: Vec<Entry> = (start..start + count).map(|i| entry(i, term)).collect();
                let hs = with_hard_state.then(|| hard_state(term, start.saturating_sub(1)));
                wal.append(&new, hs.as_ref()).unwrap();
                if !new.is_empty() {
                    model.entries.retain(|e| e.index < start);
                    model.entries.extend(new);
                }
                if let Some(hs) = hs {
                    model.hard_state = hs;
                }
            }
            Op::SetConf(n) => {
                let cs = conf(&(1..=n).collect::<Vec<_>>());
                wal.set_conf_state(&cs).unwrap();
                model.conf_state = cs;
            }
            Op::Compact { back } => {
                let index = last_index(&model).saturating_sub(back).max(model.snapshot.index);
                let at = model
                    .entries
                    .iter()
                    .find(|e| e.index == index)
                    .map_or(model.snapshot.term, |e| e.term);
                let meta = point(index, at, &model.conf_state);
                wal.compact(&meta).unwrap();
                model.entries.retain(|e| e.index > index);
                model.snapshot = meta;
            }
            Op::CompactBeyond(ahead) => {
                let meta = point(last_index(&model) + ahead, term, &model.conf_state);
                wal.compact(&meta).unwrap();
                model.entries.clear();
                model.snapshot = meta;
            }
            Op::Install(ahead) => {
                let meta = point(model.snapshot.index + ahead, term, &conf(&[9, ahead]));
                wal.apply_snapshot(&meta).unwrap();
                model.entries.clear();
                model.conf_state = meta.get_conf_state().clone();
                model.snapshot = meta;
            }
            Op::Sync => wal.sync().unwrap(),
            Op::Reopen => {
                drop(wal);
                let (reopened, recovered) = Wal::open_with(dir.path(), options).unwrap();
                wal = reopened;
                prop_assert_eq!(&recovered, &model, "after step {}: {:?}", step, op);
            }
        }
    }
    wal.sync().unwrap();
    drop(wal);
    let (_wal, recovered) = Wal::open_with(dir.path(), options).unwrap();
    prop_assert_eq!(&recovered, &model);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn replay_matches_a_model(ops in proptest::collection::vec(op(), 1..40)) {
        run(&ops)?;
    }
}
