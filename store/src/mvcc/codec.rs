//! The on-disk encoding of one change, and the CRC-32C that `hash_kv` uses.
//!
//! A change is stored under its revision (which gives its `mod_revision`);
//! the stored bytes are:
//!
//! ```text
//! put:       0x01 | varint(len(key)) | key | zigzag(create_revision) | zigzag(version) | zigzag(lease) | value
//! tombstone: 0x02 | key
//! ```
//!
//! Varints are LEB128 (7 bits per byte, low bits first); signed numbers are
//! zigzag-encoded first. The value runs to the end of the record.

use super::{KeyValue, Revision};

const PUT: u8 = 1;
const TOMBSTONE: u8 = 2;

/// One stored change, borrowing its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Entry<'a> {
    /// The key was put.
    Put { key: &'a [u8], create_revision: i64, version: i64, lease: i64, value: &'a [u8] },
    /// The key was deleted.
    Tombstone { key: &'a [u8] },
}

impl<'a> Entry<'a> {
    /// The entry for a key-value pair as written.
    pub(crate) fn put(kv: &'a KeyValue) -> Self {
        Self::Put {
            key: &kv.key,
            create_revision: kv.create_revision,
            version: kv.version,
            lease: kv.lease,
            value: &kv.value,
        }
    }

    /// The key the change is about.
    pub(crate) fn key(&self) -> &'a [u8] {
        match *self {
            Self::Put { key, .. } | Self::Tombstone { key } => key,
        }
    }

    /// The key-value pair a put wrote at `rev`; `None` for a tombstone.
    pub(crate) fn to_key_value(self, rev: Revision) -> Option<KeyValue> {
        match self {
            Self::Put { key, create_revision, version, lease, value } => Some(KeyValue {
                key: key.to_vec(),
                create_revision,
                mod_revision: rev.main,
                version,
                value: value.to_vec(),
                lease,
            }),
            Self::Tombstone { .. } => None,
        }
    }

    /// The stored bytes.
    pub(crate) fn encode(&self) -> Vec<u8> {
        match *self {
            Self::Put { key, create_revision, version, lease, value } => {
                let mut out = Vec::with_capacity(1 + 10 + key.len() + 30 + value.len());
                out.push(PUT);
                put_varint(&mut out, key.len() as u64);
                out.extend_from_slice(key);
                for n in [create_revision, version, lease] {
                    put_varint(&mut out, zigzag(n));
                }
                out.extend_from_slice(value);
                out
            }
            Self::Tombstone { key } => {
                let mut out = Vec::with_capacity(1 + key.len());
                out.push(TOMBSTONE);
                out.extend_from_slice(key);
                out
            }
        }
    }

    /// Reads stored bytes; `None` if they are not an entry.
    pub(crate) fn decode(bytes: &'a [u8]) -> Option<Self> {
        let (&tag, mut rest) = bytes.split_first()?;
        match tag {
            PUT => {
                let len = usize::try_from(get_varint(&mut rest)?).ok()?;
                if len > rest.len() {
                    return None;
                }
                let (key, mut rest) = rest.split_at(len);
                let create_revision = unzigzag(get_varint(&mut rest)?);
                let version = unzigzag(get_varint(&mut rest)?);
                let lease = unzigzag(get_varint(&mut rest)?);
                Some(Self::Put { key, create_revision, version, lease, value: rest })
            }
            TOMBSTONE => Some(Self::Tombstone { key: rest }),
            _ => None,
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n & 0x7f) as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn get_varint(buf: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = buf.split_first()?;
        *buf = rest;
        n |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(n);
        }
    }
    None
}

fn zigzag(n: i64) -> u64 {
    // Reinterpreting the bits is the point of zigzag encoding.
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum etcd
/// uses for `HashKV`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Crc32c(u32);

const CRC32C_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0x82F6_3B78 } else { crc >> 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

impl Crc32c {
    pub(crate) fn new() -> Self {
        Self(!0)
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = CRC32C_TABLE[((self.0 ^ u32::from(b)) & 0xff) as usize] ^ (self.0 >> 8);
        }
    }

    pub(crate) fn finish(self) -> u32 {
        !self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_put_has_the_documented_layout() {
        let kv = KeyValue {
            key: b"k".to_vec(),
            create_revision: 2,
            mod_revision: 3,
            version: -1,
            value: b"v".to_vec(),
            lease: 300,
        };
        // 300 zigzags to 600 = 0b100_1011000: 0xd8 0x04.
        assert_eq!(Entry::put(&kv).encode(), [1, 1, b'k', 4, 1, 0xd8, 0x04, b'v']);
        assert_eq!(Entry::Tombstone { key: b"k" }.encode(), [2, b'k']);
    }

    #[test]
    fn decoding_rejects_what_is_not_an_entry() {
        for bad in [&[][..], &[0], &[3, b'k'], &[1, 5, b'k'], &[1, 1, b'k', 2], &[1, 0x80]] {
            assert_eq!(Entry::decode(bad), None, "{bad:?}");
        }
        let eleven_byte_varint = [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1];
        assert_eq!(Entry::decode(&eleven_byte_varint), None);
    }

    #[test]
    fn entries_become_key_values_at_their_revision() {
        let stored = [1, 1, b'k', 4, 1, 0, b'v'];
        let entry = Entry::decode(&stored).unwrap();
        assert_eq!(entry.key(), b"k");
        assert_eq!(
            entry.to_key_value(Revision::new(9, 1)),
            Some(KeyValue {
                key: b"k".to_vec(),
                create_revision: 2,
                mod_revision: 9,
                version: -1,
                value: b"v".to_vec(),
                lease: 0,
            })
        );
        assert_eq!(Entry::Tombstone { key: b"k" }.to_key_value(Revision::new(9, 1)), None);
    }

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        let mut crc = Crc32c::new();
        crc.update(b"1234");
        crc.update(b"56789");
        assert_eq!(crc.finish(), 0xE306_9283);
        assert_eq!(Crc32c::new().finish(), 0);
    }

    proptest! {
        #[test]
        fn entries_round_trip(
            key in proptest::collection::vec(any::<u8>(), 0..40),
            value in proptest::collection::vec(any::<u8>(), 0..80),
            create_revision in any::<i64>(),
            version in any::<i64>(),
            lease in any::<i64>(),
            tombstone in any::<bool>(),
        ) {
            let entry = if tombstone {
                Entry::Tombstone { key: &key }
            } else {
                Entry::Put { key: &key, create_revision, version, lease, value: &value }
            };
            let bytes = entry.encode();
            prop_assert_eq!(Entry::decode(&bytes), Some(entry));
        }
    }
}
