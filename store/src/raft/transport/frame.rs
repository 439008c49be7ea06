//! The wire format: length-delimited frames, the handshake that opens a
//! connection and the frames that carry Raft messages.
//!
//! Every frame is a 4-byte big-endian body length followed by the body; the
//! body's first byte says what the frame carries:
//!
//! | type | frame                | payload                                     |
//! |------|----------------------|---------------------------------------------|
//! | 0    | [`Handshake`]        | magic `KLRT`, version, member id, cluster id |
//! | 1    | [`Frame::Message`]   | one `eraftpb.Message`, protobuf-encoded     |
//! | 2    | reserved             | a chunk of a snapshot's data (to come)      |

use protobuf::{CodedOutputStream, Message as _};
use raft_rs::eraftpb::Message;
use tokio::io::{AsyncRead, AsyncReadExt};

use super::{Error, Result};

/// The largest frame body (type byte and payload) that is sent or
/// accepted: 64 MiB. A longer frame ends the connection.
pub(super) const MAX_FRAME_LEN: u32 = 64 << 20;

/// The bytes that open every handshake payload.
const MAGIC: [u8; 4] = *b"KLRT";
/// The version of this protocol, checked in the handshake.
const VERSION: u8 = 1;

/// The length prefix of every frame.
const PREFIX_LEN: usize = 4;
/// A handshake's body: type, magic, version, member id, cluster id.
const HANDSHAKE_BODY_LEN: usize = 1 + MAGIC.len() + 1 + 8 + 8;
/// A whole handshake frame on the wire.
pub(super) const HANDSHAKE_LEN: usize = PREFIX_LEN + HANDSHAKE_BODY_LEN;

/// A buffer grown past this by a large frame is shrunk back afterwards.
const KEPT_BUFFER: usize = 1 << 20;

/// The first byte of a frame's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum FrameType {
    /// Opens a connection, in both directions.
    Handshake = 0,
    /// One Raft message.
    Message = 1,
}

/// Who is at the other end of a connection: the first frame each side
/// sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Handshake {
    /// The sender's member id.
    pub(super) member_id: u64,
    /// The sender's cluster id.
    pub(super) cluster_id: u64,
}

impl Handshake {
    /// The whole frame, length prefix included.
    pub(super) fn encode(&self) -> [u8; HANDSHAKE_LEN] {
        let mut frame = [0; HANDSHAKE_LEN];
        let body_len = HANDSHAKE_BODY_LEN as u32;
        frame[..4].copy_from_slice(&body_len.to_be_bytes());
        frame[4] = FrameType::Handshake as u8;
        frame[5..9].copy_from_slice(&MAGIC);
        frame[9] = VERSION;
        frame[10..18].copy_from_slice(&self.member_id.to_be_bytes());
        frame[18..26].copy_from_slice(&self.cluster_id.to_be_bytes());
        frame
    }

    /// Reads a handshake frame. Anything but exactly one handshake of this
    /// version is refused, before more than [`HANDSHAKE_LEN`] bytes are read.
    pub(super) async fn read<R: AsyncRead + Unpin>(reader: &mut R) -> Result<Self> {
        let mut frame = [0; HANDSHAKE_LEN];
        reader.read_exact(&mut frame[..PREFIX_LEN]).await?;
        let body_len = u32::from_be_bytes(prefix(&frame));
        if body_len as usize != HANDSHAKE_BODY_LEN {
            return Err(Error::FrameLength(body_len.into()));
        }
        reader.read_exact(&mut frame[PREFIX_LEN..]).await?;
        Self::decode(&frame)
    }

    /// Decodes a whole handshake frame.
    fn decode(frame: &[u8; HANDSHAKE_LEN]) -> Result<Self> {
        let body_len = u32::from_be_bytes(prefix(frame));
        if body_len as usize != HANDSHAKE_BODY_LEN {
            return Err(Error::FrameLength(body_len.into()));
        }
        if frame[4] != FrameType::Handshake as u8 {
            return Err(Error::FrameType(frame[4]));
        }
        if frame[5..9] != MAGIC || frame[9] != VERSION {
            return Err(Error::Magic);
        }
        let id = |at: usize| u64::from_be_bytes(frame[at..at + 8].try_into().expect("8 bytes"));
        Ok(Self { member_id: id(10), cluster_id: id(18) })
    }

    /// Refuses a member of another cluster.
    pub(super) fn check_cluster(&self, cluster_id: u64) -> Result<()> {
        if self.cluster_id == cluster_id {
            Ok(())
        } else {
            Err(Error::OtherCluster(self.cluster_id))
        }
    }
}

fn prefix(frame: &[u8]) -> [u8; PREFIX_LEN] {
    frame[..PREFIX_LEN].try_into().expect("a frame starts with its length")
}

/// A frame after the handshake.
#[derive(Debug, PartialEq)]
pub(super) enum Frame {
    /// One Raft message.
    Message(Message),
}

impl Frame {
    /// Reads the next frame, using `buf` for its body. A length of zero or
    /// over [`MAX_FRAME_LEN`], an unknown type or a message that does not
    /// decode is refused. The body buffer grows as bytes arrive, never
    /// ahead of them, so a bogus length costs no memory.
    pub(super) async fn read<R: AsyncRead + Unpin>(
        reader: &mut R,
        buf: &mut Vec<u8>,
    ) -> Result<Self> {
        let body_len = reader.read_u32().await?;
        if body_len == 0 || body_len > MAX_FRAME_LEN {
            return Err(Error::FrameLength(body_len.into()));
        }
        buf.clear();
        if buf.capacity() > KEPT_BUFFER {
            buf.shrink_to(KEPT_BUFFER);
        }
        let read = reader.take(body_len.into()).read_to_end(buf).await?;
        if read != body_len as usize {
            return Err(Error::Closed);
        }
        Self::decode(buf)
    }

    /// Decodes a frame's body (type byte and payload).
    fn decode(body: &[u8]) -> Result<Self> {
        match body.split_first() {
            Some((&kind, payload)) if kind == FrameType::Message as u8 => {
                Message::parse_from_bytes(payload).map(Frame::Message).map_err(Error::Codec)
            }
            Some((&kind, _)) => Err(Error::FrameType(kind)),
            None => Err(Error::FrameLength(0)),
        }
    }
}

/// Appends `message` to `out` as one frame. A message whose frame would be
/// over [`MAX_FRAME_LEN`] is refused and nothing is appended: a snapshot
/// that large has to travel in chunks.
pub(super) fn encode_message(message: &Message, out: &mut Vec<u8>) -> Result<()> {
    let body_len = u64::from(message.compute_size()) + 1;
    if body_len > u64::from(MAX_FRAME_LEN) {
        return Err(Error::FrameLength(body_len));
    }
    let start = out.len();
    out.reserve(PREFIX_LEN + body_len as usize);
    out.extend_from_slice(&(body_len as u32).to_be_bytes());
    out.push(FrameType::Message as u8);
    let written = {
        let mut stream = CodedOutputStream::vec(out);
        message.write_to_with_cached_sizes(&mut stream).and_then(|()| stream.flush())
    };
    if let Err(error) = written {
        out.truncate(start);
        return Err(Error::Codec(error));
    }
    debug_assert_eq!(out.len() - start, PREFIX_LEN + body_len as usize);
    Ok(())
}

#[cfg(test)]
mod tests {
    use raft_rs::eraftpb::{Entry, MessageType};

    use super::*;

    fn message() -> Message {
        let entry =
            Entry { index: 8, term: 3, data: b"put k v".to_vec().into(), ..Default::default() };
        Message {
            msg_type: MessageType::MsgAppend,
            to: 2,
            from: 1,
            term: 3,
            index: 7,
            log_term: 3,
            commit: 6,
            entries: vec![entry].into(),
            ..Default::default()
        }
    }

    #[test]
    fn handshake_bytes_are_fixed() {
        let handshake = Handshake { member_id: 0x0102, cluster_id: 0xabcd };
        let mut expected = vec![0, 0, 0, 22, 0, b'K', b'L', b'R', b'T', 1];
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0x01, 0x02]);
        expected.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0xab, 0xcd]);
        assert_eq!(handshake.encode().to_vec(), expected);
        assert_eq!(Handshake::decode(&handshake.encode()).unwrap(), handshake);
    }

    #[tokio::test]
    async fn handshakes_that_are_not_this_protocol_are_refused() {
        let good = Handshake { member_id: 1, cluster_id: 9 }.encode();
        let mut magic = good;
        magic[6] = b'X';
        let mut version = good;
        version[9] = 2;
        let mut kind = good;
        kind[4] = FrameType::Message as u8;
        let mut long = good;
        long[3] = 23;
        assert!(matches!(Handshake::read(&mut &magic[..]).await, Err(Error::Magic)));
        assert!(matches!(Handshake::read(&mut &version[..]).await, Err(Error::Magic)));
        assert!(matches!(Handshake::read(&mut &kind[..]).await, Err(Error::FrameType(1))));
        assert!(matches!(Handshake::read(&mut &long[..]).await, Err(Error::FrameLength(23))));
        let http = b"GET / HTTP/1.1\r\n\r\n";
        assert!(matches!(
            Handshake::read(&mut &http[..]).await,
            Err(Error::FrameLength(0x4745_5420))
        ));
        assert!(matches!(Handshake::read(&mut &good[..10]).await, Err(Error::Io(_))));
        assert_eq!(
            Handshake::read(&mut &good[..]).await.unwrap(),
            Handshake { member_id: 1, cluster_id: 9 }
        );
    }

    #[test]
    fn the_cluster_is_checked() {
        let handshake = Handshake { member_id: 1, cluster_id: 9 };
        assert!(handshake.check_cluster(9).is_ok());
        assert!(matches!(handshake.check_cluster(8), Err(Error::OtherCluster(9))));
    }

    #[tokio::test]
    async fn messages_round_trip_through_frames() {
        let first = message();
        let mut second = message();
        second.index = 8;
        second.context = b"ctx".to_vec().into();
        let mut wire = Vec::new();
        encode_message(&first, &mut wire).unwrap();
        encode_message(&second, &mut wire).unwrap();
        let body_len = u32::from_be_bytes(prefix(&wire)) as usize;
        assert_eq!(wire[4], FrameType::Message as u8);
        assert_eq!(Message::parse_from_bytes(&wire[5..4 + body_len]).unwrap(), first);

        let mut reader = &wire[..];
        let mut buf = Vec::new();
        assert_eq!(Frame::read(&mut reader, &mut buf).await.unwrap(), Frame::Message(first));
        assert_eq!(Frame::read(&mut reader, &mut buf).await.unwrap(), Frame::Message(second));
        assert!(matches!(Frame::read(&mut reader, &mut buf).await, Err(Error::Io(_))));
    }

    #[tokio::test]
    async fn bad_frames_are_refused() {
        let mut buf = Vec::new();
        let over = (MAX_FRAME_LEN + 1).to_be_bytes();
        let result = Frame::read(&mut &over[..], &mut buf).await;
        assert!(
            matches!(result, Err(Error::FrameLength(len)) if len == u64::from(MAX_FRAME_LEN) + 1)
        );
        assert!(buf.capacity() < 1024, "a bogus length allocates nothing");
        let empty = 0u32.to_be_bytes();
        assert!(matches!(Frame::read(&mut &empty[..], &mut buf).await, Err(Error::FrameLength(0))));
        // Announces 100 bytes, sends 3 and closes.
        let short = [0, 0, 0, 100, 1, 2, 3];
        assert!(matches!(Frame::read(&mut &short[..], &mut buf).await, Err(Error::Closed)));
        let unknown = [0, 0, 0, 2, 7, 0];
        assert!(matches!(Frame::read(&mut &unknown[..], &mut buf).await, Err(Error::FrameType(7))));
        let handshake = Handshake { member_id: 1, cluster_id: 9 }.encode();
        assert!(matches!(
            Frame::read(&mut &handshake[..], &mut buf).await,
            Err(Error::FrameType(0))
        ));
        // Field 1 (msg_type) as a varint that never ends.
        let garbage = [0, 0, 0, 3, 1, 0x08, 0xff];
        assert!(matches!(Frame::read(&mut &garbage[..], &mut buf).await, Err(Error::Codec(_))));
    }

    #[test]
    fn messages_over_the_limit_are_not_encoded() {
        let mut huge = message();
        huge.entries[0].data = vec![0; MAX_FRAME_LEN as usize].into();
        let mut out = vec![9];
        assert!(matches!(encode_message(&huge, &mut out), Err(Error::FrameLength(_))));
        assert_eq!(out, [9], "nothing is appended");
    }
}
