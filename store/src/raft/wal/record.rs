//! The record format of a segment file.
//!
//! A record is an 8-byte header — the length (`u32`, little-endian) of
//! what follows it and the CRC-32 (`u32`, little-endian) of those bytes —
//! then a type byte and a protobuf payload, padded with zeros so that the
//! next record starts at an 8-byte aligned offset. Since the length counts
//! the type byte, a record's length is never 0: an all-zero header marks
//! the end of the log.

use protobuf::Message;

/// Records start at multiples of this many bytes.
pub(super) const ALIGN: u64 = 8;

/// The length and checksum in front of every record.
const HEADER_LEN: usize = 8;

/// What a record holds; its number is the record's type byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// An `Entry` of the log.
    Entry = 1,
    /// The `HardState` from then on.
    HardState = 2,
    /// The `ConfState` from then on.
    ConfState = 3,
    /// A `SnapshotMetadata`: the log is compacted up to its index; later
    /// entries stay.
    Snapshot = 4,
    /// A `SnapshotMetadata` of a snapshot received from the leader: the
    /// whole log is replaced by it.
    SnapshotInstalled = 5,
}

impl Kind {
    /// The kind whose type byte is `byte`, if any.
    pub(super) fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => Self::Entry,
            2 => Self::HardState,
            3 => Self::ConfState,
            4 => Self::Snapshot,
            5 => Self::SnapshotInstalled,
            _ => return None,
        })
    }
}

/// Rounds `n` up to a multiple of `to` (a power of two or any positive
/// number).
pub(super) fn round_up(n: u64, to: u64) -> u64 {
    n.div_ceil(to) * to
}

/// Appends one record holding `message` to `buf`, whose length must be a
/// multiple of [`ALIGN`] (it stays one).
pub(super) fn encode<M: Message>(
    buf: &mut Vec<u8>,
    kind: Kind,
    message: &M,
) -> std::io::Result<()> {
    let start = buf.len();
    buf.extend_from_slice(&[0; HEADER_LEN]);
    buf.push(kind as u8);
    if let Err(e) = message.write_to_vec(buf) {
        buf.truncate(start);
        return Err(std::io::Error::other(e));
    }
    let body = &buf[start + HEADER_LEN..];
    let Ok(len) = u32::try_from(body.len()) else {
        buf.truncate(start);
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a record of 4 GiB or more cannot be written",
        ));
    };
    let crc = crc32fast::hash(body);
    buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
    buf[start + 4..start + HEADER_LEN].copy_from_slice(&crc.to_le_bytes());
    // `ALIGN` is a small constant: the cast cannot truncate.
    let padded = round_up((buf.len() - start) as u64, ALIGN) as usize;
    buf.resize(start + padded, 0);
    Ok(())
}

/// What is found at an offset of a segment.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Read<'a> {
    /// A whole record: its type byte, its payload and where the next record
    /// starts (which may be past the end of the data when the padding was
    /// cut off).
    Record {
        /// The type byte (not necessarily a known [`Kind`]).
        kind: u8,
        /// The protobuf payload.
        payload: &'a [u8],
        /// The offset of the next record.
        next: usize,
    },
    /// An all-zero header or the end of the data: the log ends here.
    End,
    /// Something that is not a record written whole, and why.
    Bad(&'static str),
}

/// Reads the record at `offset` (a multiple of [`ALIGN`]) of `data`.
pub(super) fn read(data: &[u8], offset: usize) -> Read<'_> {
    let Some(rest) = data.get(offset..) else {
        return Read::End;
    };
    if rest.is_empty() {
        return Read::End;
    }
    let Some(header) = rest.get(..HEADER_LEN) else {
        return if rest.iter().all(|&b| b == 0) {
            Read::End
        } else {
            Read::Bad("the record header is cut short")
        };
    };
    if header.iter().all(|&b| b == 0) {
        return Read::End;
    }
    let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if len == 0 {
        return Read::Bad("the record length is zero but its checksum is not");
    }
    let Some(body) = rest.get(HEADER_LEN..HEADER_LEN + len) else {
        return Read::Bad("the record runs past the end of the file");
    };
    if crc32fast::hash(body) != crc {
        return Read::Bad("the record's checksum does not match");
    }
    let next = offset + round_up((HEADER_LEN + len) as u64, ALIGN) as usize;
    Read::Record { kind: body[0], payload: &body[1..], next }
}

/// The offset of the first record of a known kind found at an aligned
/// offset at or after `from`, if any. Used to tell a torn tail (nothing
/// valid after it) from damage in the middle of the log.
pub(super) fn find_record_from(data: &[u8], from: usize) -> Option<usize> {
    let mut offset = round_up(from as u64, ALIGN) as usize;
    while offset + HEADER_LEN < data.len() {
        // Cheap checks first, so that scanning garbage stays linear in
        // practice: a known type byte and zero padding after the record.
        let len = u32::from_le_bytes([
            data[offset],
            data[offset + 1],
            data[offset + 2],
            data[offset + 3],
        ]) as usize;
        let plausible = len > 0
            && offset + HEADER_LEN + len <= data.len()
            && Kind::from_byte(data[offset + HEADER_LEN]).is_some()
            && {
                let end = offset + HEADER_LEN + len;
                let padded =
                    (offset + round_up((HEADER_LEN + len) as u64, ALIGN) as usize).min(data.len());
                data[end..padded].iter().all(|&b| b == 0)
            };
        if plausible && matches!(read(data, offset), Read::Record { .. }) {
            return Some(offset);
        }
        offset += ALIGN as usize;
    }
    None
}

#[cfg(test)]
mod tests {
    use raft_rs::eraftpb::{Entry, HardState};

    use super::*;

    fn entry(index: u64, data: &[u8]) -> Entry {
        Entry { index, term: 3, data: data.to_vec().into(), ..Default::default() }
    }

    #[test]
    fn records_are_aligned_and_read_back() {
        let mut buf = Vec::new();
        encode(&mut buf, Kind::Entry, &entry(7, b"hello")).unwrap();
        let second = buf.len();
        assert_eq!(second % ALIGN as usize, 0);
        let hs = HardState { term: 3, vote: 1, commit: 7, ..Default::default() };
        encode(&mut buf, Kind::HardState, &hs).unwrap();
        assert_eq!(buf.len() % ALIGN as usize, 0);

        let Read::Record { kind, payload, next } = read(&buf, 0) else { panic!("no record at 0") };
        assert_eq!(kind, Kind::Entry as u8);
        assert_eq!(Entry::parse_from_bytes(payload).unwrap(), entry(7, b"hello"));
        assert_eq!(next, second);
        let Read::Record { kind, payload, next } = read(&buf, second) else {
            panic!("no second record")
        };
        assert_eq!(kind, Kind::HardState as u8);
        assert_eq!(HardState::parse_from_bytes(payload).unwrap(), hs);
        assert_eq!(next, buf.len());
        assert_eq!(read(&buf, next), Read::End);
        buf.extend_from_slice(&[0; 16]);
        assert_eq!(read(&buf, next), Read::End);
    }

    #[test]
    fn damage_is_reported_as_bad() {
        let mut buf = Vec::new();
        encode(&mut buf, Kind::Entry, &entry(1, b"payload")).unwrap();
        let whole = buf.clone();

        buf[12] ^= 0x01;
        assert!(matches!(read(&buf, 0), Read::Bad(_)));
        assert_eq!(find_record_from(&buf, 0), None);

        assert!(matches!(read(&whole[..12], 0), Read::Bad(_)));
        assert!(matches!(read(&whole[..5], 0), Read::Bad(_)));

        let mut zero_len = whole.clone();
        zero_len[..4].copy_from_slice(&[0; 4]);
        assert!(matches!(read(&zero_len, 0), Read::Bad(_)));
    }

    #[test]
    fn find_record_skips_garbage_and_zeros() {
        let mut buf = vec![0xAB; 24];
        buf.extend_from_slice(&[0; 16]);
        let at = buf.len();
        encode(&mut buf, Kind::Snapshot, &raft_rs::eraftpb::SnapshotMetadata::default()).unwrap();
        assert_eq!(find_record_from(&buf, 0), Some(at));
        assert_eq!(find_record_from(&buf, at + 1), None);
    }
}
