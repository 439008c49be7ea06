//! The writer task of one peer: dials it, sends what is queued for it and
//! dials again, with a growing pause, when the connection fails.

use std::sync::Arc;
use std::time::Duration;

use raft_rs::eraftpb::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::time::timeout;

use super::frame::{self, Handshake};
use super::{Error, QUEUE_CAPACITY, Result, Shared};

/// How long dialing and the handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one write may wait for the peer to take the bytes; past it
/// the peer is too slow and the connection is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// Encoded frames are written out whenever this many bytes are buffered,
/// so a batch of large messages does not sit in memory twice.
const WRITE_CHUNK: usize = 256 << 10;
/// A write buffer grown past this by a large batch is shrunk back.
const KEPT_BUFFER: usize = 1 << 20;

/// The pause before dialing again: 50 ms, doubling up to 2 s, back to
/// 50 ms once a connection has been made.
#[derive(Debug)]
struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(50);
    const MAX: Duration = Duration::from_secs(2);

    fn new() -> Self {
        Self { next: Self::FIRST }
    }

    /// The pause to take now; the one after it is twice as long.
    fn next(&mut self) -> Duration {
        let pause = self.next;
        self.next = (pause * 2).min(Self::MAX);
        pause
    }

    fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

/// What woke the sending loop.
enum Event {
    /// Messages were taken from the queue (none: the queue is closed).
    Queued(usize),
    /// The peer closed the connection, sent bytes, or reading failed.
    Closed,
}

/// Sends the messages queued for one peer over one connection at a time.
#[derive(Debug)]
pub(super) struct Writer {
    shared: Arc<Shared>,
    peer: u64,
    address: String,
    queue: mpsc::Receiver<Message>,
}

impl Writer {
    /// A writer for member `peer` at `address` (`host:port`).
    pub(super) fn new(
        shared: Arc<Shared>,
        peer: u64,
        address: String,
        queue: mpsc::Receiver<Message>,
    ) -> Self {
        Self { shared, peer, address, queue }
    }

    /// Runs until the queue is closed (or the task is aborted).
    pub(super) async fn run(mut self) {
        let mut backoff = Backoff::new();
        loop {
            match self.connect().await {
                Ok(stream) => {
                    backoff.reset();
                    if self.serve(stream).await.is_ok() {
                        return;
                    }
                }
                // What waited for this connection would be stale by the next
                // attempt; Raft sends again what still matters.
                Err(_) => while self.queue.try_recv().is_ok() {},
            }
            self.shared.mark_unreachable(self.peer);
            tokio::time::sleep(backoff.next()).await;
        }
    }

    /// Dials the peer and exchanges handshakes: the peer must answer from
    /// our cluster and with the member id we meant to reach.
    async fn connect(&self) -> Result<TcpStream> {
        let dial = async {
            let mut stream = TcpStream::connect(self.address.as_str()).await?;
            stream.set_nodelay(true)?;
            let ours = Handshake { member_id: self.shared.id, cluster_id: self.shared.cluster_id };
            stream.write_all(&ours.encode()).await?;
            let theirs = Handshake::read(&mut stream).await?;
            theirs.check_cluster(self.shared.cluster_id)?;
            if theirs.member_id != self.peer {
                return Err(Error::OtherMember(theirs.member_id));
            }
            Ok(stream)
        };
        timeout(CONNECT_TIMEOUT, dial).await.map_err(|_| Error::Timeout)?
    }

    /// Sends queued messages until the connection fails (an error) or the
    /// queue is closed (`Ok`).
    async fn serve(&mut self, stream: TcpStream) -> Result<()> {
        let (mut reader, mut writer) = stream.into_split();
        let mut batch = Vec::new();
        let mut buf = Vec::new();
        loop {
            let event = tokio::select! {
                taken = self.queue.recv_many(&mut batch, QUEUE_CAPACITY) => Event::Queued(taken),
                () = closed(&mut reader) => Event::Closed,
            };
            match event {
                Event::Queued(0) => return Ok(()),
                Event::Queued(_) => self.write_batch(&mut writer, &mut batch, &mut buf).await?,
                Event::Closed => return Err(Error::Closed),
            }
        }
    }

    /// Encodes the whole batch and writes it out with one flush (in chunks
    /// of [`WRITE_CHUNK`] bytes when it is large). A message too large for
    /// a frame is dropped and its peer reported unreachable.
    async fn write_batch(
        &self,
        writer: &mut OwnedWriteHalf,
        batch: &mut Vec<Message>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        buf.clear();
        if buf.capacity() > KEPT_BUFFER {
            buf.shrink_to(KEPT_BUFFER);
        }
        for message in batch.drain(..) {
            if frame::encode_message(&message, buf).is_err() {
                self.shared.mark_unreachable(self.peer);
            }
            if buf.len() >= WRITE_CHUNK {
                write(writer, buf).await?;
                buf.clear();
            }
        }
        write(writer, buf).await?;
        timeout(WRITE_TIMEOUT, writer.flush()).await.map_err(|_| Error::Timeout)??;
        Ok(())
    }
}

async fn write(writer: &mut OwnedWriteHalf, bytes: &[u8]) -> Result<()> {
    timeout(WRITE_TIMEOUT, writer.write_all(bytes)).await.map_err(|_| Error::Timeout)??;
    Ok(())
}

/// Completes when the peer closes the connection. The peer sends nothing
/// after its handshake, so bytes from it mean the connection is broken too.
async fn closed(reader: &mut OwnedReadHalf) {
    let mut byte = [0; 1];
    let _ = reader.read(&mut byte).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_limit_and_resets() {
        let mut backoff = Backoff::new();
        let pauses: Vec<u64> = (0..8).map(|_| backoff.next().as_millis() as u64).collect();
        assert_eq!(pauses, [50, 100, 200, 400, 800, 1600, 2000, 2000]);
        backoff.reset();
        assert_eq!(backoff.next(), Duration::from_millis(50));
    }
}
