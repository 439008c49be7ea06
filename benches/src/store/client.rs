//! gRPC connections to the server under test, the same for Keelson and
//! etcd.

use std::time::Duration;

use tonic::transport::{Channel, Endpoint};

/// How many concurrent clients share one HTTP/2 connection: one connection
/// serializes much of its traffic, so many clients spread over several.
pub(crate) const CLIENTS_PER_CONNECTION: usize = 16;

/// The HTTP/2 flow-control window of each stream.
const STREAM_WINDOW_BYTES: u32 = 4 << 20;

/// The HTTP/2 flow-control window of each connection.
const CONNECTION_WINDOW_BYTES: u32 = 64 << 20;

/// Opens one HTTP/2 connection to `url`.
pub(crate) async fn connect(url: &str) -> Result<Channel, tonic::transport::Error> {
    Endpoint::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_secs(5))
        .tcp_nodelay(true)
        // Windows wide enough that flow control does not hold back watch
        // streams. The connection window also sets how much framing
        // overhead of unread small DATA frames the client (h2) tolerates
        // before it ends the connection with ENHANCE_YOUR_CALM (half the
        // window): etcd sends each watch response as DATA frames of its
        // own, which pile up while the client, sharing the CPUs with the
        // server, reads behind.
        .initial_stream_window_size(STREAM_WINDOW_BYTES)
        .initial_connection_window_size(CONNECTION_WINDOW_BYTES)
        .connect()
        .await
}

/// Connections to one server, shared round-robin by numbered users.
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    channels: Vec<Channel>,
}

impl Pool {
    /// Opens `connections` connections (at least one) to `url`.
    pub(crate) async fn connect(url: &str, connections: usize) -> anyhow::Result<Self> {
        let mut channels = Vec::with_capacity(connections.max(1));
        for _ in 0..connections.max(1) {
            channels.push(connect(url).await?);
        }
        Ok(Self { channels })
    }

    /// Opens enough connections for `clients` concurrent clients.
    pub(crate) async fn for_clients(url: &str, clients: usize) -> anyhow::Result<Self> {
        Self::connect(url, clients.div_ceil(CLIENTS_PER_CONNECTION)).await
    }

    /// The connection of user `index`.
    pub(crate) fn channel(&self, index: usize) -> Channel {
        self.channels[index % self.channels.len()].clone()
    }
}
