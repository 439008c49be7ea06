//! Where a stream's responses go: a bounded queue owned by its consumer.

use std::collections::VecDeque;

use tokio::sync::mpsc;

use super::Response;

/// What became of a batch handed to a [`Sink`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// Every response was queued.
    Sent,
    /// None was queued: there was no room for all of them.
    Full,
    /// None was queued: the consumer is gone for good.
    Closed,
}

/// A stream's bounded queue of responses, as the [`Hub`](super::Hub) sees it.
///
/// The hub is its only producer. Implementations:
///
/// 1. MUST queue a batch whole or not at all ([`Sent::Full`]), so that the
///    events of a revision are never split by a full queue.
/// 2. MUST accept a batch of up to [`max_batch`](Sink::max_batch) responses
///    once their consumer has emptied the queue.
/// 3. SHOULD report [`Sent::Closed`] once the consumer is gone: the hub then
///    removes the stream and its watchers.
pub trait Sink {
    /// Queues `responses` whole, or none of them.
    fn try_send_all(&mut self, responses: Vec<Response>) -> Sent;

    /// Whether the queue has room for at least one response now. The hub
    /// does not read history for watchers whose stream has none.
    fn has_room(&self) -> bool {
        true
    }

    /// The most responses one batch may hold: fragmenting never splits a
    /// revision into more pieces than this.
    fn max_batch(&self) -> usize {
        usize::MAX
    }
}

/// A tokio channel: the sink of [`WatchHub`](super::WatchHub)'s streams.
impl Sink for mpsc::Sender<Response> {
    fn try_send_all(&mut self, responses: Vec<Response>) -> Sent {
        if self.is_closed() {
            return Sent::Closed;
        }
        // The hub is the only sender and holds `&mut self`: the room seen here
        // can only grow until the sends below.
        if self.capacity() < responses.len() {
            return Sent::Full;
        }
        for response in responses {
            match self.try_send(response) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Closed(_)) => return Sent::Closed,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    unreachable!("the room was checked and only this sender fills the channel")
                }
            }
        }
        Sent::Sent
    }

    fn has_room(&self) -> bool {
        self.capacity() > 0
    }

    fn max_batch(&self) -> usize {
        self.max_capacity()
    }
}

/// An in-memory bounded queue, for driving a [`Hub`](super::Hub) by hand
/// (tests, examples, simulations).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VecSink {
    queue: VecDeque<Response>,
    capacity: usize,
    closed: bool,
}

impl VecSink {
    /// A queue that holds up to `capacity` responses.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self { queue: VecDeque::new(), capacity, closed: false }
    }

    /// Takes every queued response, oldest first, making room.
    pub fn take(&mut self) -> Vec<Response> {
        self.queue.drain(..).collect()
    }

    /// The number of queued responses.
    #[must_use]
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is queued.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Marks the consumer as gone: later sends report [`Sent::Closed`].
    pub fn close(&mut self) {
        self.closed = true;
    }
}

impl Sink for VecSink {
    fn try_send_all(&mut self, responses: Vec<Response>) -> Sent {
        if self.closed {
            Sent::Closed
        } else if self.queue.len() + responses.len() > self.capacity {
            Sent::Full
        } else {
            self.queue.extend(responses);
            Sent::Sent
        }
    }

    fn has_room(&self) -> bool {
        self.queue.len() < self.capacity
    }

    fn max_batch(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(n: i64) -> Vec<Response> {
        (0..n).map(|id| Response::new(id, 1)).collect()
    }

    #[test]
    fn a_vec_sink_queues_whole_batches_only() {
        let mut sink = VecSink::new(3);
        assert_eq!(sink.try_send_all(batch(2)), Sent::Sent);
        assert!(sink.has_room());
        assert_eq!(sink.try_send_all(batch(2)), Sent::Full);
        assert_eq!(sink.len(), 2, "nothing of the refused batch");
        assert_eq!(sink.take().len(), 2);
        assert!(sink.is_empty());
        assert_eq!(sink.try_send_all(batch(3)), Sent::Sent);
        assert!(!sink.has_room());
        sink.close();
        assert_eq!(sink.try_send_all(batch(0)), Sent::Closed);
    }

    #[test]
    fn a_channel_queues_whole_batches_and_reports_its_consumer_gone() {
        let (mut tx, mut rx) = mpsc::channel(3);
        assert_eq!(tx.max_batch(), 3);
        assert_eq!(tx.try_send_all(batch(2)), Sent::Sent);
        assert_eq!(tx.try_send_all(batch(2)), Sent::Full);
        assert!(tx.has_room());
        assert_eq!(rx.try_recv().map(|r| r.watch_id), Ok(0));
        assert_eq!(tx.try_send_all(batch(2)), Sent::Sent);
        assert!(!tx.has_room());
        drop(rx);
        assert_eq!(tx.try_send_all(batch(1)), Sent::Closed);
    }
}
