//! `keelson-benches store`: Keelson's store beside a real etcd.
//!
//! Both run as one-member clusters in child processes on 127.0.0.1, with
//! fresh data directories, and the same client code drives both:
//!
//! 1. Puts ([`kv::put`]): 1, 16, 64 and 256 concurrent clients putting
//!    distinct keys for a fixed time each; throughput, p50 and p99.
//! 2. Ranges ([`kv::range`]): 64 clients reading single keys written
//!    before, linearizable as both servers read by default.
//! 3. Watch fan-out ([`watch::fan_out`]): 1,000 and 10,000 watchers on a
//!    prefix; events delivered per second, and the memory an idle watcher
//!    costs the server.
//!
//! Each put and range run goes to Keelson, then to etcd, both servers
//! running; each fan-out runs on freshly started servers, so that memory
//! already held by earlier runs does not hide what watchers cost. The
//! results go to stdout as markdown and into `docs/benchmarks.md`, between
//! the markers [`report::BEGIN`] and [`report::END`].
//!
//! Without etcd (no binary at `--etcd`), Keelson runs alone and the tables
//! say so.

mod client;
mod kv;
pub(crate) mod member;
mod report;
mod server;
mod stats;
mod watch;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::Context;

use report::{Kv, Pair, Report};
use server::{Server, System};
use stats::Throughput;

/// The flags of `store`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Seconds each put and range run lasts [default: 5; 1 with --quick].
    #[arg(long, value_name = "SECS")]
    duration: Option<f64>,

    /// Concurrent clients of the put runs, comma-separated [default:
    /// 1,16,64,256; 1,16 with --quick].
    #[arg(long, value_name = "N,...", value_delimiter = ',')]
    clients: Option<Vec<usize>>,

    /// Watcher counts of the fan-out runs, comma-separated [default:
    /// 1000,10000; 100,1000 with --quick].
    #[arg(long, value_name = "N,...", value_delimiter = ',')]
    watchers: Option<Vec<usize>>,

    /// Print the tables only; leave docs/benchmarks.md alone.
    #[arg(long)]
    no_write_docs: bool,

    /// Short runs with small counts, for a smoke test; implies
    /// --no-write-docs.
    #[arg(long)]
    quick: bool,

    /// The etcd binary; without it, Keelson runs alone.
    #[arg(long, value_name = "PATH", default_value = "/usr/bin/etcd")]
    etcd: PathBuf,

    /// Runs the fan-out runs only, and prints their lines without the
    /// tables; implies --no-write-docs. For iterating on the watch path.
    #[arg(long)]
    fan_out_only: bool,

    /// Writes of each fan-out run, instead of about a million events'
    /// worth; 0 creates the watchers and measures their memory only.
    #[arg(long, value_name = "N")]
    watch_writes: Option<usize>,

    /// Runs the Keelson member under this program (a profiler such as a
    /// script around heaptrack), which gets the member's command line as its
    /// arguments and MUST print the member's ready line first on stdout and
    /// pass stdin on. Its memory readings are then the wrapper's.
    #[arg(long, value_name = "PROGRAM", hide = true)]
    member_wrapper: Option<PathBuf>,
}

/// The runs that [`Args`] ask for.
#[derive(Debug)]
struct Plan {
    duration: Duration,
    clients: Vec<usize>,
    range_clients: usize,
    range_keys: usize,
    watchers: Vec<usize>,
    watch_writes: Option<usize>,
    quick: bool,
}

impl Plan {
    fn new(args: &Args) -> anyhow::Result<Self> {
        let quick = args.quick;
        let seconds = args.duration.unwrap_or(if quick { 1.0 } else { 5.0 });
        let duration = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|duration| !duration.is_zero())
            .context("--duration must be a positive number of seconds")?;
        let default = |full: &[usize], small: &[usize]| if quick { small } else { full }.to_vec();
        let clients = args.clients.clone().unwrap_or_else(|| default(&[1, 16, 64, 256], &[1, 16]));
        let watchers =
            args.watchers.clone().unwrap_or_else(|| default(&[1_000, 10_000], &[100, 1_000]));
        anyhow::ensure!(
            clients.iter().chain(&watchers).all(|&n| n > 0),
            "--clients and --watchers must be positive"
        );
        Ok(Self {
            duration,
            clients,
            range_clients: if quick { 16 } else { 64 },
            range_keys: if quick { 1_000 } else { 10_000 },
            watchers,
            watch_writes: args.watch_writes,
            quick,
        })
    }

    /// Writes of the fan-out run with `watchers` watchers: about a million
    /// events in all (a hundred thousand with --quick), between 10 and
    /// 1,000 writes.
    fn watch_writes(&self, watchers: usize) -> usize {
        if let Some(writes) = self.watch_writes {
            return writes;
        }
        let events = if self.quick { 100_000 } else { 1_000_000 };
        (events / watchers).clamp(10, 1_000)
    }
}

/// Runs the benchmark and reports it.
///
/// # Errors
///
/// A server that does not start, or a request that fails.
pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    let plan = Plan::new(&args)?;
    let etcd_version = server::etcd_version(&args.etcd);
    let etcd = etcd_version.is_some().then_some(args.etcd.as_path());
    if etcd.is_none() {
        eprintln!("{} not found or not runnable: Keelson runs alone", args.etcd.display());
    }

    let wrapper = args.member_wrapper.as_deref();
    let kv = if args.fan_out_only { None } else { Some(run_kv(&plan, etcd, wrapper).await?) };
    let mut watch = Vec::new();
    for &watchers in &plan.watchers {
        let writes = plan.watch_writes(watchers);
        watch.push(on_each(etcd, wrapper, async |server: Server| {
            let run = watch::fan_out(&server, watchers, writes).await?;
            eprintln!(
                "fan-out, {watchers} watchers, {writes} writes: {}: {:.0} events/s, {:.0} B per idle watcher",
                server.system(),
                run.events_per_sec(),
                run.bytes_per_watcher()
            );
            Ok(run)
        })
        .await?);
    }
    let Some(kv) = kv else { return Ok(()) };

    let report = Report {
        command: command(),
        machine: machine(),
        date: report::date(SystemTime::now()),
        etcd_version,
        etcd_path: args.etcd.display().to_string(),
        quick: plan.quick,
        duration: plan.duration,
        kv,
        watch,
    };
    let markdown = report.markdown();
    println!("{markdown}");
    if !(args.no_write_docs || plan.quick) {
        let path = docs_path();
        let doc = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let written = report::replace_section(&doc, &markdown)
            .with_context(|| format!("cannot update {}", path.display()))?;
        std::fs::write(&path, written)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("written into {}", path.display());
    }
    Ok(())
}

/// The put and range runs, on one Keelson member and one etcd.
async fn run_kv(plan: &Plan, etcd: Option<&Path>, wrapper: Option<&Path>) -> anyhow::Result<Kv> {
    let keelson = Server::keelson(wrapper).await?;
    let etcd = match etcd {
        Some(path) => Some(Server::etcd(path).await?),
        None => None,
    };
    let servers: Vec<&Server> = std::iter::once(&keelson).chain(&etcd).collect();
    let rss = async |server: &Server| server.rss_bytes();
    let rss_started = each(&servers, rss).await?;

    let mut put = Vec::new();
    for &clients in &plan.clients {
        let prefix = format!("/bench/put/{clients}/");
        let runs = each(&servers, async |server: &Server| {
            let run = kv::put(server.url(), &prefix, clients, plan.duration).await?;
            log("put", clients, server.system(), &run);
            Ok(run)
        })
        .await?;
        put.push((clients, runs));
    }

    let prefix = "/bench/range/";
    let (clients, keys) = (plan.range_clients, plan.range_keys);
    each(&servers, async |server: &Server| kv::preload(server.url(), prefix, keys, clients).await)
        .await?;
    let range = each(&servers, async |server: &Server| {
        let run = kv::range(server.url(), prefix, keys, clients, plan.duration).await?;
        log("range", clients, server.system(), &run);
        Ok(run)
    })
    .await?;
    let rss_after = each(&servers, rss).await?;
    Ok(Kv { put, range_clients: clients, range_keys: keys, range, rss_started, rss_after })
}

/// Runs `work` on each of `servers` (Keelson first), one after the other.
async fn each<T>(
    servers: &[&Server],
    work: impl AsyncFn(&Server) -> anyhow::Result<T>,
) -> anyhow::Result<Pair<T>> {
    let keelson = work(servers[0]).await?;
    let etcd = match servers.get(1) {
        Some(etcd) => Some(work(etcd).await?),
        None => None,
    };
    Ok(Pair { keelson, etcd })
}

/// Runs `work` on a freshly started Keelson member, then on a freshly
/// started etcd (at `etcd`, if any); each is stopped after its run. The
/// member runs under `wrapper`, if any.
async fn on_each<T>(
    etcd: Option<&Path>,
    wrapper: Option<&Path>,
    work: impl AsyncFn(Server) -> anyhow::Result<T>,
) -> anyhow::Result<Pair<T>> {
    let keelson = work(Server::keelson(wrapper).await?).await?;
    let etcd = match etcd {
        Some(path) => Some(work(Server::etcd(path).await?).await?),
        None => None,
    };
    Ok(Pair { keelson, etcd })
}

/// Reports a finished run on stderr, to show progress.
fn log(workload: &str, clients: usize, system: System, run: &Throughput) {
    eprintln!(
        "{workload}, {clients} clients: {system}: {:.0} ops/s, p50 {:?}, p99 {:?}",
        run.ops_per_sec(),
        run.p50,
        run.p99
    );
}

/// The command that runs this benchmark as it was run.
fn command() -> String {
    let release = if cfg!(debug_assertions) { "" } else { " --release" };
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!("cargo run{release} -p keelson-benches -- {}", args.join(" "))
}

/// `docs/benchmarks.md` of the workspace this harness was built from.
fn docs_path() -> PathBuf {
    let benches = Path::new(env!("CARGO_MANIFEST_DIR"));
    benches.parent().unwrap_or(benches).join("docs/benchmarks.md")
}

/// The machine in one line: CPUs, memory, kernel, compiler, and the file
/// system holding the data directories.
fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpus = cpuinfo.lines().filter(|line| line.starts_with("processor")).count();
    let model = field(&cpuinfo, "model name").unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = field(&read("/proc/meminfo"), "MemTotal")
        .and_then(|kib| kib.trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(
            || "unknown memory".to_owned(),
            |kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0),
        );
    let kernel = read("/proc/sys/kernel/osrelease");
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|version| version.split_whitespace().nth(1).map(str::to_owned))
        .map_or_else(|| "rustc unknown".to_owned(), |version| format!("rustc {version}"));
    let file_system = file_system(&std::env::temp_dir(), &read("/proc/mounts"))
        .map_or_else(String::new, |fs| format!(", data directories on {fs}"));
    format!("{cpus} × {model}, {memory}, Linux {}, {rustc}{file_system}", kernel.trim())
}

/// The value of the first `name: value` line of a `/proc` file.
fn field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim().to_owned())
    })
}

/// The type of the file system holding `path`, from `/proc/mounts`: the
/// one mounted at the longest prefix of `path`.
fn file_system(path: &Path, mounts: &str) -> Option<String> {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let (_device, mount, kind) = (fields.next()?, fields.next()?, fields.next()?);
            path.starts_with(mount).then(|| (mount.len(), kind.to_owned()))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn plan(flags: &[&str]) -> anyhow::Result<Plan> {
        let argv = std::iter::once("store").chain(flags.iter().copied());
        Plan::new(&Cli::try_parse_from(argv)?.args)
    }

    #[test]
    fn flags_make_the_plan() {
        let full = plan(&[]).unwrap();
        assert_eq!(full.duration, Duration::from_secs(5));
        assert_eq!(full.clients, [1, 16, 64, 256]);
        assert_eq!(full.watchers, [1_000, 10_000]);
        assert_eq!((full.watch_writes(1_000), full.watch_writes(10_000)), (1_000, 100));

        let quick = plan(&["--quick", "--clients", "2,3"]).unwrap();
        assert_eq!(quick.duration, Duration::from_secs(1));
        assert_eq!(quick.clients, [2, 3]);
        assert_eq!(quick.watchers, [100, 1_000]);

        let set = plan(&["--duration", "0.5", "--watchers=7", "--watch-writes", "0"]).unwrap();
        assert_eq!(set.duration, Duration::from_millis(500));
        assert_eq!(set.watchers, [7]);
        assert_eq!(set.watch_writes(7), 0);
        assert!(plan(&["--duration", "0"]).is_err());
        assert!(plan(&["--clients", "0"]).is_err());
    }

    #[test]
    fn proc_fields_and_file_systems_are_found() {
        let cpuinfo = "processor\t: 0\nmodel name\t: Some CPU @ 2.80GHz\nprocessor\t: 1\n";
        assert_eq!(field(cpuinfo, "model name").as_deref(), Some("Some CPU @ 2.80GHz"));
        assert_eq!(field(cpuinfo, "flags"), None);
        let mounts = "/dev/vda / ext4 rw 0 0\ntmpfs /tmp tmpfs rw 0 0\nproc /proc proc rw 0 0\n";
        let at = |path: &str| file_system(Path::new(path), mounts);
        assert_eq!(at("/tmp/x").as_deref(), Some("tmpfs"));
        assert_eq!(at("/work/main").as_deref(), Some("ext4"));
    }
}
