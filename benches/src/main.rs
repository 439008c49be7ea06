//! `keelson-benches`: the harness that measures Keelson beside its peers,
//! in one run on one machine.
//!
//! - `keelson-benches store` measures Keelson's store beside a real etcd
//!   (see the `store` module), prints the tables and writes them into
//!   `docs/benchmarks.md`.
//!
//! Run it in release mode:
//!
//! ```sh
//! cargo run --release -p keelson-benches -- store
//! ```

mod store;

use clap::{Parser, Subcommand};

/// Measures Keelson beside its peers.
#[derive(Debug, Parser)]
#[command(name = "keelson-benches", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// What to measure.
#[derive(Debug, Subcommand)]
enum Command {
    /// Keelson's store beside etcd: puts, ranges and watch fan-out, over the
    /// etcd v3 gRPC protocol.
    Store(store::Args),
    /// Runs one Keelson store member for `store` (started by the harness
    /// itself, in a process of its own so that its memory can be measured).
    #[command(hide = true)]
    StoreMember(store::member::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.command {
        Command::Store(args) => runtime.block_on(store::run(args)),
        Command::StoreMember(args) => runtime.block_on(store::member::run(args)),
    }
}
