//! The [`Store`] conformance suite against:
//!
//! - `embedded`: a Keelson store member in memory, used in-process as an
//!   `EmbeddedStore`, one per case;
//! - `keelson`: [`RemoteStore`] talking to a Keelson store server started
//!   in-process on loopback, in memory, one per case;
//! - `etcd`: [`RemoteStore`] talking to a real etcd (`/usr/bin/etcd`,
//!   Debian's `etcd-server`) started on loopback with a temporary data
//!   directory, one per case; each case prints why it skips when the
//!   binary is absent.
//!
//! All run with their default limits, and send watch progress
//! notifications every [`PROGRESS_NOTIFY_INTERVAL`], well within what the
//! progress case waits.
//!
//! [`Store`]: keelson_store::store::Store

mod support;

use std::ops::Deref;
use std::time::Duration;

use keelson_store::client::RemoteStore;
use keelson_store::server::{self, EmbeddedStore, Server};
use keelson_store::watch;
use tokio::sync::oneshot;

/// A Keelson store server serving in a task, and a client of it; dropping
/// it shuts the server down.
struct Keelson {
    store: RemoteStore,
    _stop: oneshot::Sender<()>,
}

impl Deref for Keelson {
    type Target = RemoteStore;

    fn deref(&self) -> &RemoteStore {
        &self.store
    }
}

/// How often both stores send watch progress notifications.
const PROGRESS_NOTIFY_INTERVAL: Duration = Duration::from_millis(200);

async fn keelson() -> Option<Keelson> {
    let watch = watch::Config::default().progress_notify_interval(PROGRESS_NOTIFY_INTERVAL);
    let config = server::Config::default().watch(watch);
    let server = Server::new(config).expect("an in-memory server starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve(listener, async {
        let _ = stopped.await;
    }));
    let store = RemoteStore::connect(format!("http://{address}")).await.expect("connects");
    Some(Keelson { store, _stop: stop })
}

mod keelson {
    keelson_store::conformance_tests!(super::keelson);
}

/// A Keelson store member used in-process, with no network hop; dropping it
/// stops the member.
struct Embedded {
    store: EmbeddedStore,
    _server: Server,
}

impl Deref for Embedded {
    type Target = EmbeddedStore;

    fn deref(&self) -> &EmbeddedStore {
        &self.store
    }
}

async fn embedded() -> Option<Embedded> {
    let watch = watch::Config::default().progress_notify_interval(PROGRESS_NOTIFY_INTERVAL);
    let server = Server::new(server::Config::default().watch(watch)).expect("a member starts");
    Some(Embedded { store: server.embedded(), _server: server })
}

mod embedded {
    keelson_store::conformance_tests!(super::embedded);
}

/// A real etcd and a client of it; dropping it kills etcd and removes its
/// data directory.
struct Etcd {
    store: RemoteStore,
    _etcd: support::Etcd,
}

impl Deref for Etcd {
    type Target = RemoteStore;

    fn deref(&self) -> &RemoteStore {
        &self.store
    }
}

async fn etcd() -> Option<Etcd> {
    let interval = PROGRESS_NOTIFY_INTERVAL.as_millis();
    let flags = [format!("--experimental-watch-progress-notify-interval={interval}ms")];
    let etcd = support::Etcd::start("conformance", &flags).await?;
    let store = RemoteStore::connect(etcd.url.clone()).await.expect("connects to etcd");
    Some(Etcd { store, _etcd: etcd })
}

mod etcd {
    keelson_store::conformance_tests!(super::etcd);
}
