//! Logging: `tracing` events to stderr, filtered like `RUST_LOG`
//! (`RUST_LOG=debug`, `RUST_LOG=keelson_store=trace,info`, ...), at `info`
//! when it is unset or cannot be parsed. Colours only on a terminal.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The filter used when `RUST_LOG` is unset or invalid.
const DEFAULT_FILTER: &str = "info";

/// Installs the global subscriber; stdout stays free for the lines a
/// subcommand prints for scripts (such as "store ready on ...").
pub(crate) fn init() {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
