//! The hidden `store-member` subcommand: one Keelson store member, run by
//! the harness in a child process of its own.
//!
//! The protocol with the parent:
//!
//! 1. The member opens its store and write-ahead log in `--data-dir`
//!    (every acknowledged write is fsynced first, as in etcd) and listens
//!    on a port of 127.0.0.1 that the system picks.
//! 2. Once it serves, it prints one line to stdout: `ready http://ADDRESS`.
//! 3. It shuts down gracefully when its stdin closes, so it never outlives
//!    the harness, even one that crashed.

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use keelson_store::server::{self, Server};
use tokio::net::TcpListener;

/// The prefix of the line the member prints once it serves.
pub(crate) const READY: &str = "ready ";

/// The flags of `store-member`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Directory of the member's database, created if missing.
    #[arg(long, value_name = "DIR")]
    data_dir: PathBuf,
}

/// Serves until stdin closes.
///
/// # Errors
///
/// The store cannot be opened, the port cannot be bound, or serving failed.
pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    let config = server::Config::default().data_dir(args.data_dir);
    let server = Server::new(config).context("cannot start the store member")?;
    let listener = TcpListener::bind("127.0.0.1:0").await.context("cannot listen")?;
    let address = listener.local_addr()?;

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    // A plain thread: reading stdin blocks, and it ends with the process.
    std::thread::spawn(move || {
        let mut sink = [0; 64];
        let mut stdin = std::io::stdin();
        while stdin.read(&mut sink).is_ok_and(|read| read > 0) {}
        let _ = stop.send(());
    });

    let mut stdout = std::io::stdout();
    writeln!(stdout, "{READY}http://{address}")?;
    stdout.flush()?;
    server
        .serve(listener, async {
            let _ = stopped.await;
        })
        .await
        .context("store member failed")
}
