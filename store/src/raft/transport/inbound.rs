//! The accepting side: the accept loop and one reader task per connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use raft_rs::eraftpb::Message;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio::time::timeout;

use super::frame::{Frame, Handshake};
use super::{Result, Shared, lock};

/// How long a new connection may take to send its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// The pause after a failed `accept` (out of file descriptors, say), so
/// that the loop does not spin.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

/// The inbound connection of each member: a member has one at a time, and
/// a newer one replaces the older, so connections that a dead process left
/// half open do not pile up.
#[derive(Debug, Default)]
pub(super) struct Connections {
    next_serial: u64,
    by_member: HashMap<u64, (u64, Arc<Notify>)>,
}

/// The place of one connection in [`Connections`]; leaves it on drop.
struct Registration<'a> {
    connections: &'a Mutex<Connections>,
    member_id: u64,
    serial: u64,
    replaced: Arc<Notify>,
}

impl<'a> Registration<'a> {
    /// Makes this the connection of `member_id`, closing the older one.
    fn new(connections: &'a Mutex<Connections>, member_id: u64) -> Self {
        let replaced = Arc::new(Notify::new());
        let mut all = lock(connections);
        let serial = all.next_serial;
        all.next_serial += 1;
        if let Some((_, older)) = all.by_member.insert(member_id, (serial, replaced.clone())) {
            older.notify_one();
        }
        Self { connections, member_id, serial, replaced }
    }
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        let mut all = lock(self.connections);
        if all.by_member.get(&self.member_id).is_some_and(|(serial, _)| *serial == self.serial) {
            all.by_member.remove(&self.member_id);
        }
    }
}

/// Accepts connections until the task is aborted, each served by a task
/// of its own.
pub(super) async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    inbox: mpsc::Sender<Message>,
) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let serving = serve(shared.clone(), stream, inbox.clone());
                if shared.spawn(serving).is_none() {
                    return;
                }
            }
            Err(_) => tokio::time::sleep(ACCEPT_PAUSE).await,
        }
    }
}

/// Serves one connection; any error closes it.
async fn serve(shared: Arc<Shared>, stream: TcpStream, inbox: mpsc::Sender<Message>) {
    let _ = receive(&shared, stream, &inbox).await;
}

/// Checks the dialer's handshake, answers with ours, then forwards the
/// messages addressed to this member to `inbox` until the connection ends,
/// the member dials again, or the inbox is closed (`Ok`).
async fn receive(
    shared: &Shared,
    mut stream: TcpStream,
    inbox: &mpsc::Sender<Message>,
) -> Result<()> {
    stream.set_nodelay(true)?;
    let handshake = async {
        let theirs = Handshake::read(&mut stream).await?;
        theirs.check_cluster(shared.cluster_id)?;
        let ours = Handshake { member_id: shared.id, cluster_id: shared.cluster_id };
        stream.write_all(&ours.encode()).await?;
        Ok::<_, super::Error>(theirs)
    };
    let theirs =
        timeout(HANDSHAKE_TIMEOUT, handshake).await.map_err(|_| super::Error::Timeout)??;
    let registration = Registration::new(&shared.connections, theirs.member_id);
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    loop {
        let frame = tokio::select! {
            () = registration.replaced.notified() => return Ok(()),
            frame = Frame::read(&mut reader, &mut buf) => frame?,
        };
        match frame {
            Frame::Message(message) if message.to == shared.id => {
                if inbox.send(message).await.is_err() {
                    return Ok(());
                }
            }
            Frame::Message(_) => {}
        }
    }
}
