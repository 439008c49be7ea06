use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use raft_rs::eraftpb::{Entry, Message, MessageType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, timeout};

use super::frame::{self, Handshake};
use super::{Network, QUEUE_CAPACITY, Transport, peer_address};

const CLUSTER: u64 = 0x6b65_656c;
/// How long a test waits for what should happen at once.
const PATIENCE: Duration = Duration::from_secs(10);

/// A transport on a loopback port, with its inbox.
struct Member {
    transport: Transport,
    inbox: mpsc::Receiver<Message>,
    address: SocketAddr,
}

impl Member {
    async fn start(id: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::on(id, listener)
    }

    fn on(id: u64, listener: TcpListener) -> Self {
        let address = listener.local_addr().unwrap();
        let (inbox_sender, inbox) = mpsc::channel(QUEUE_CAPACITY);
        let transport = Transport::start(id, CLUSTER, listener, inbox_sender);
        Self { transport, inbox, address }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The next `count` messages, failing the test past the deadline.
    async fn receive(&mut self, count: usize) -> Vec<Message> {
        let deadline = Instant::now() + PATIENCE;
        let mut received = Vec::with_capacity(count);
        while received.len() < count {
            match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                Ok(Some(message)) => received.push(message),
                Ok(None) => panic!("the inbox closed"),
                Err(_) => panic!("{} of {count} messages arrived in time", received.len()),
            }
        }
        received
    }
}

/// A message with most fields set, told apart by `index`.
fn message(from: u64, to: u64, index: u64) -> Message {
    let entry = Entry {
        term: 4,
        index: index + 1,
        data: format!("entry {index}").into_bytes().into(),
        context: vec![0, 1, 2].into(),
        ..Default::default()
    };
    Message {
        msg_type: if index.is_multiple_of(2) {
            MessageType::MsgAppend
        } else {
            MessageType::MsgHeartbeat
        },
        from,
        to,
        term: 4,
        log_term: 3,
        index,
        commit: index / 2,
        reject: index.is_multiple_of(3),
        reject_hint: index * 7,
        context: b"context".to_vec().into(),
        entries: vec![entry].into(),
        ..Default::default()
    }
}

fn messages(from: u64, to: u64, indexes: std::ops::Range<u64>) -> Vec<Message> {
    indexes.map(|index| message(from, to, index)).collect()
}

/// Polls `take_unreachable` until all of `ids` are among the members
/// reported; returns all those reported.
async fn reported_unreachable(transport: &Transport, ids: &[u64]) -> BTreeSet<u64> {
    let deadline = Instant::now() + PATIENCE;
    let mut reported = BTreeSet::new();
    loop {
        reported.extend(transport.take_unreachable());
        if ids.iter().all(|id| reported.contains(id)) {
            return reported;
        }
        assert!(
            Instant::now() < deadline,
            "{ids:?} were not all reported unreachable: {reported:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Whether the other side closes the connection after `bytes` (a reset
/// counts); whatever it sends before closing is returned too.
async fn closed_after(address: SocketAddr, bytes: &[u8]) -> (bool, Vec<u8>) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    // The acceptor may close before it has read everything: a failed write
    // is part of being refused.
    let _ = stream.write_all(bytes).await;
    let mut received = Vec::new();
    match timeout(PATIENCE, stream.read_to_end(&mut received)).await {
        Ok(_) => (true, received),
        Err(_) => (false, received),
    }
}

#[test]
fn peer_addresses_are_host_and_port() {
    assert_eq!(peer_address("127.0.0.1:2380"), "127.0.0.1:2380");
    assert_eq!(peer_address("http://127.0.0.1:2380"), "127.0.0.1:2380");
    assert_eq!(peer_address("https://member-1.example:2380/"), "member-1.example:2380");
    assert_eq!(peer_address("http://[::1]:2380/raft/peers"), "[::1]:2380");
}

#[tokio::test]
async fn messages_arrive_in_order_both_ways() {
    let mut a = Member::start(1).await;
    let mut b = Member::start(2).await;
    a.transport.set_peer(2, &b.url());
    b.transport.set_peer(1, &a.address.to_string());

    let to_b = messages(1, 2, 0..300);
    let to_a = messages(2, 1, 1000..1300);
    for chunk in to_b.chunks(7) {
        a.transport.send(chunk.to_vec());
    }
    for chunk in to_a.chunks(11) {
        b.transport.send(chunk.to_vec());
    }
    assert_eq!(b.receive(to_b.len()).await, to_b);
    assert_eq!(a.receive(to_a.len()).await, to_a);
    assert_eq!(a.transport.take_unreachable(), Vec::<u64>::new());
    assert_eq!(b.transport.take_unreachable(), Vec::<u64>::new());
    a.transport.stop().await;
    b.transport.stop().await;
}

#[tokio::test]
async fn full_queues_sent_in_one_go_all_arrive() {
    let a = Member::start(1).await;
    let mut b = Member::start(2).await;
    a.transport.set_peer(2, &b.url());
    // Three rounds of a full queue each: 12,288 messages.
    for round in 0..3 {
        let start = round * QUEUE_CAPACITY as u64;
        let batch = messages(1, 2, start..start + QUEUE_CAPACITY as u64);
        a.transport.send(batch.clone());
        assert_eq!(b.receive(batch.len()).await, batch, "round {round}");
    }
    assert_eq!(a.transport.take_unreachable(), Vec::<u64>::new());
    a.transport.stop().await;
    b.transport.stop().await;
}

#[tokio::test]
async fn messages_past_a_full_queue_are_dropped_and_reported() {
    let a = Member::start(1).await;
    let mut b = Member::start(2).await;
    a.transport.set_peer(2, &b.url());
    // On this single-threaded runtime the writer cannot run while `send`
    // queues, so exactly the messages past the capacity find it full.
    let sent = messages(1, 2, 0..QUEUE_CAPACITY as u64 + 10);
    a.transport.send(sent.clone());
    assert_eq!(a.transport.take_unreachable(), [2]);
    assert_eq!(b.receive(QUEUE_CAPACITY).await, sent[..QUEUE_CAPACITY]);
    // The dropped ones never come: the next message is the next to arrive.
    let next = message(1, 2, 99_999);
    a.transport.send(vec![next.clone()]);
    assert_eq!(b.receive(1).await, [next]);
    a.transport.stop().await;
    b.transport.stop().await;
}

#[tokio::test]
async fn a_dead_peer_is_reported_and_does_not_hold_up_a_live_one() {
    let a = Member::start(1).await;
    let mut b = Member::start(2).await;
    let c = Member::start(3).await;
    let dead = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    };
    a.transport.set_peer(2, &b.url());
    a.transport.set_peer(4, &dead.to_string());
    // A wrong address: member 3 answers where member 5 was expected.
    a.transport.set_peer(5, &c.url());

    let mut to_b = Vec::new();
    for index in 0..200 {
        let live = message(1, 2, index);
        to_b.push(live.clone());
        a.transport.send(vec![message(1, 4, index), live, message(1, 5, index)]);
    }
    assert_eq!(b.receive(to_b.len()).await, to_b);
    let reported = reported_unreachable(&a.transport, &[4, 5]).await;
    assert!(!reported.contains(&2), "the live member was reported: {reported:?}");

    // An unknown member is reported once per failed send.
    a.transport.send(vec![message(1, 9, 0)]);
    assert!(a.transport.take_unreachable().contains(&9));
    assert!(!a.transport.take_unreachable().contains(&9));
    a.transport.stop().await;
    b.transport.stop().await;
    c.transport.stop().await;
}

#[tokio::test]
async fn a_restarted_peer_receives_again() {
    let a = Member::start(1).await;
    let mut b = Member::start(2).await;
    a.transport.set_peer(2, &b.url());
    a.transport.send(vec![message(1, 2, 0)]);
    assert_eq!(b.receive(1).await, [message(1, 2, 0)]);

    b.transport.stop().await;
    let listener = TcpListener::bind(b.address).await.unwrap();
    let mut restarted = Member::on(2, listener);
    // Messages sent while the connection is down may be lost: keep sending
    // until one arrives.
    let deadline = Instant::now() + PATIENCE;
    let mut index = 1;
    let arrived = loop {
        a.transport.send(vec![message(1, 2, index)]);
        if let Ok(Some(message)) = timeout(Duration::from_millis(20), restarted.inbox.recv()).await
        {
            break message;
        }
        assert!(Instant::now() < deadline, "nothing arrived after the restart");
        index += 1;
    };
    assert!((1..=index).contains(&arrived.index));
    assert_eq!(arrived, message(1, 2, arrived.index));
    // And the connection keeps working.
    let next = message(1, 2, index + 1);
    a.transport.send(vec![next.clone()]);
    let mut following = restarted.receive(1).await;
    while following[0].index != next.index {
        following = restarted.receive(1).await;
    }
    a.transport.stop().await;
    restarted.transport.stop().await;
}

#[tokio::test]
async fn changing_and_removing_a_peer() {
    let a = Member::start(1).await;
    let mut b = Member::start(2).await;
    let mut moved = Member::start(2).await;
    a.transport.set_peer(2, &b.url());
    a.transport.send(vec![message(1, 2, 0)]);
    assert_eq!(b.receive(1).await, [message(1, 2, 0)]);

    a.transport.set_peer(2, &moved.address.to_string());
    a.transport.send(vec![message(1, 2, 1)]);
    assert_eq!(moved.receive(1).await, [message(1, 2, 1)]);

    a.transport.remove_peer(2);
    a.transport.send(vec![message(1, 2, 2)]);
    assert_eq!(a.transport.take_unreachable(), [2]);
    a.transport.stop().await;
    b.transport.stop().await;
    moved.transport.stop().await;
}

#[tokio::test]
async fn bad_connections_are_refused_and_others_still_served() {
    let a = Member::start(1).await;
    let mut b = Member::start(2).await;

    let other_cluster = Handshake { member_id: 1, cluster_id: CLUSTER + 1 }.encode();
    assert_eq!(closed_after(b.address, &other_cluster).await, (true, Vec::new()));
    let mut wrong_magic = Handshake { member_id: 1, cluster_id: CLUSTER }.encode();
    wrong_magic[5] = b'X';
    assert_eq!(closed_after(b.address, &wrong_magic).await, (true, Vec::new()));
    let http = b"GET / HTTP/1.1\r\nHost: member-2\r\n\r\n";
    assert_eq!(closed_after(b.address, http).await, (true, Vec::new()));
    let noise: Vec<u8> =
        (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    assert_eq!(closed_after(b.address, &noise).await, (true, Vec::new()));

    // After a good handshake: a length over the limit, then garbage.
    let ours = Handshake { member_id: 1, cluster_id: CLUSTER }.encode();
    let answer = Handshake { member_id: 2, cluster_id: CLUSTER }.encode().to_vec();
    let mut over_limit = ours.to_vec();
    over_limit.extend_from_slice(&(frame::MAX_FRAME_LEN + 1).to_be_bytes());
    assert_eq!(closed_after(b.address, &over_limit).await, (true, answer.clone()));
    let mut bad_message = ours.to_vec();
    bad_message.extend_from_slice(&[0, 0, 0, 3, 1, 0x08, 0xff]);
    assert_eq!(closed_after(b.address, &bad_message).await, (true, answer.clone()));

    // A well-behaved dialer written by hand: its message for member 2
    // arrives, the one for member 7 is dropped.
    let mut stream = TcpStream::connect(b.address).await.unwrap();
    let mut wire = ours.to_vec();
    frame::encode_message(&message(1, 7, 0), &mut wire).unwrap();
    frame::encode_message(&message(1, 2, 1), &mut wire).unwrap();
    stream.write_all(&wire).await.unwrap();
    let mut answered = vec![0; answer.len()];
    timeout(PATIENCE, stream.read_exact(&mut answered)).await.unwrap().unwrap();
    assert_eq!(answered, answer);
    assert_eq!(b.receive(1).await, [message(1, 2, 1)]);

    // And a transport still gets through.
    a.transport.set_peer(2, &b.url());
    a.transport.send(vec![message(1, 2, 2)]);
    assert_eq!(b.receive(1).await, [message(1, 2, 2)]);
    // Its connection, from member 1 too, replaced the hand-written one.
    let read = timeout(PATIENCE, stream.read(&mut [0; 1])).await;
    assert!(matches!(read, Ok(Ok(0) | Err(_))), "the older connection of member 1 is still open");
    a.transport.stop().await;
    b.transport.stop().await;
}
