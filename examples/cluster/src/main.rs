//! `keelson`: Keelson's components as subcommands of one binary.
//!
//! Each subcommand is one component, run as its own process, so that the
//! same components can run together on one machine or spread over many:
//!
//! - `keelson store`: one store member serving the etcd v3 gRPC protocol
//!   ([`store`]).
//!
//! The binary only parses flags and wires libraries together: each
//! subcommand's flags map one to one onto its library's configuration
//! struct, whose `validate()` gives the error messages. Logs go to stderr
//! through `tracing`, filtered by `RUST_LOG` (`info` by default); see
//! [`logging`].

mod logging;
mod store;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Keelson: a Kubernetes-compatible control plane in Rust.
#[derive(Debug, Parser)]
#[command(name = "keelson", version, propagate_version = true)]
struct Cli {
    /// The component to run.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands, one per component.
#[derive(Debug, Subcommand)]
enum Command {
    /// Run one store member serving the etcd v3 gRPC protocol (KV, Watch,
    /// Maintenance, Cluster), with etcd's flag names.
    Store(store::Args),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init();
    let result = match cli.command {
        Command::Store(args) => store::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
