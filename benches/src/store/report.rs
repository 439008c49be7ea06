//! The results as markdown, and the section of `docs/benchmarks.md` they
//! go into.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use anyhow::bail;

use super::kv::VALUE_BYTES;
use super::stats::Throughput;
use super::watch::{FanOut, STREAMS_PER_CONNECTION, WATCHES_PER_STREAM};

/// The line before the harness's section of the docs.
pub(crate) const BEGIN: &str = "<!-- store-bench:begin -->";

/// The line after the harness's section of the docs.
pub(crate) const END: &str = "<!-- store-bench:end -->";

/// One measurement on both servers; `etcd` is `None` without etcd.
#[derive(Clone, Debug)]
pub(crate) struct Pair<T> {
    /// Keelson's.
    pub(crate) keelson: T,
    /// etcd's.
    pub(crate) etcd: Option<T>,
}

/// Everything one run measured, and where.
#[derive(Debug)]
pub(crate) struct Report {
    /// The command that produced it.
    pub(crate) command: String,
    /// The machine, in one line.
    pub(crate) machine: String,
    /// When it ran, as `YYYY-MM-DD`.
    pub(crate) date: String,
    /// etcd's version, or `None` when etcd was not found.
    pub(crate) etcd_version: Option<String>,
    /// Where etcd was looked for.
    pub(crate) etcd_path: String,
    /// A smoke-test run, too short and small to compare.
    pub(crate) quick: bool,
    /// How long each put and range run lasted.
    pub(crate) duration: Duration,
    /// The put and range runs.
    pub(crate) kv: Kv,
    /// Fan-out runs, by watchers.
    pub(crate) watch: Vec<Pair<FanOut>>,
}

/// The put and range runs, on one pair of servers.
#[derive(Debug)]
pub(crate) struct Kv {
    /// Put runs, by concurrent clients.
    pub(crate) put: Vec<(usize, Pair<Throughput>)>,
    /// Concurrent clients of the range run.
    pub(crate) range_clients: usize,
    /// Keys the range run reads from.
    pub(crate) range_keys: usize,
    /// The range run.
    pub(crate) range: Pair<Throughput>,
    /// The servers' resident memory, in bytes, once started.
    pub(crate) rss_started: Pair<u64>,
    /// The servers' resident memory, in bytes, after the runs.
    pub(crate) rss_after: Pair<u64>,
}

impl Report {
    /// The section of the docs, markers excluded.
    pub(crate) fn markdown(&self) -> String {
        let mut out = String::from("## Store: Keelson beside etcd\n\n");
        paragraph(
            &mut out,
            &format!(
                "A Keelson store member and a real etcd, each a one-member cluster in a \
                 process of its own on 127.0.0.1 with a fresh data directory, driven by \
                 the same gRPC client code in one run. Both make every acknowledged \
                 write durable before answering it: each fsyncs its write-ahead log once \
                 per batch of concurrent writes (etcd by default; Keelson's is its Raft \
                 log, in front of redb). Clients spread over HTTP/2 \
                 connections, {} to a connection.",
                super::client::CLIENTS_PER_CONNECTION
            ),
        );
        let _ = write!(out, "Command:\n\n```sh\n{}\n```\n\n", self.command);
        let etcd = match &self.etcd_version {
            Some(version) => format!("etcd {version} (`{}`)", self.etcd_path),
            None => format!("no etcd (`{}` was not found), so Keelson ran alone", self.etcd_path),
        };
        paragraph(&mut out, &format!("Machine: {}; {etcd}; run on {}.", self.machine, self.date));
        if self.quick {
            paragraph(
                &mut out,
                "**Smoke-test run (`--quick`): too short and too small to compare.**",
            );
        }
        paragraph(
            &mut out,
            "Ratios are Keelson ÷ etcd: above 1× is better for Keelson for throughputs, \
             below 1× is better for latencies and memory.",
        );
        self.put_table(&mut out);
        self.range_table(&mut out);
        self.watch_table(&mut out);
        self.memory_table(&mut out);
        out
    }

    fn put_table(&self, out: &mut String) {
        out.push_str("### Puts\n\n");
        paragraph(
            out,
            &format!(
                "Each client puts distinct keys with {VALUE_BYTES}-byte values, one \
                 request at a time, for {}.",
                seconds(self.duration)
            ),
        );
        header(out, "clients");
        for (clients, run) in &self.kv.put {
            throughput_rows(out, &clients.to_string(), run);
        }
        out.push('\n');
    }

    fn range_table(&self, out: &mut String) {
        let Kv { range_clients, range_keys, range, .. } = &self.kv;
        out.push_str("### Ranges\n\n");
        paragraph(
            out,
            &format!(
                "Single-key ranges with the default (linearizable) consistency over {} \
                 keys written before, in a pseudo-random order, one request at a time \
                 per client, for {}.",
                thousands(*range_keys as f64),
                seconds(self.duration)
            ),
        );
        header(out, "clients");
        throughput_rows(out, &range_clients.to_string(), range);
        out.push('\n');
    }

    fn watch_table(&self, out: &mut String) {
        out.push_str("### Watch fan-out\n\n");
        paragraph(
            out,
            &format!(
                "N watchers on one prefix, {WATCHES_PER_STREAM} to a watch stream and \
                 {STREAMS_PER_CONNECTION} streams to a connection; one writer puts \
                 {VALUE_BYTES}-byte values under the prefix, one at a time. Events/s are \
                 summed over the watchers, from the first write to the last event \
                 received. Memory per idle watcher is the server's resident memory with \
                 the watchers created and idle, less its resident memory before them, \
                 divided by N. Each N runs on freshly started servers."
            ),
        );
        header(out, "watchers");
        for run in &self.watch {
            let label = format!(
                "{} ({} writes)",
                thousands(run.keelson.watchers as f64),
                thousands(run.keelson.writes as f64)
            );
            let events = |run: &FanOut| {
                let rate = format!("{}/s", thousands(run.events_per_sec()));
                if run.complete() {
                    rate
                } else {
                    format!("{rate} (only {} of {} events)", run.delivered, run.expected())
                }
            };
            row(out, &label, "events delivered", run, events, FanOut::events_per_sec);
            let memory = |run: &FanOut| bytes(run.bytes_per_watcher());
            row(out, &label, "memory per idle watcher", run, memory, FanOut::bytes_per_watcher);
        }
        out.push('\n');
    }

    fn memory_table(&self, out: &mut String) {
        out.push_str("### Server memory\n\n");
        paragraph(out, "Resident memory (VmRSS) of the server processes of the puts and ranges.");
        header(out, "when");
        let resident = |rss: &u64| bytes(*rss as f64);
        let value = |rss: &u64| *rss as f64;
        let Kv { rss_started, rss_after, .. } = &self.kv;
        row(out, "started, empty", "resident memory", rss_started, resident, value);
        row(out, "after puts and ranges", "resident memory", rss_after, resident, value);
    }
}

/// Appends `text` as a paragraph, its lines wrapped at [`WIDTH`] columns
/// where it has spaces, as the rest of the docs are.
fn paragraph(out: &mut String, text: &str) {
    let mut line = 0;
    for word in text.split_whitespace() {
        let width = word.chars().count();
        if line > 0 && line + 1 + width > WIDTH {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += width;
    }
    out.push_str("\n\n");
}

/// How wide the docs' prose lines are at most.
const WIDTH: usize = 80;

/// A table's header: a first column named `first`, the metric, the two
/// servers and the ratio.
fn header(out: &mut String, first: &str) {
    let _ = writeln!(out, "| {first} | metric | Keelson | etcd | Keelson ÷ etcd |");
    out.push_str("|---|---|---|---|---|\n");
}

/// Throughput, p50 and p99 rows of one run.
fn throughput_rows(out: &mut String, label: &str, run: &Pair<Throughput>) {
    let rate = |run: &Throughput| format!("{} ops/s", thousands(run.ops_per_sec()));
    row(out, label, "throughput", run, rate, Throughput::ops_per_sec);
    let p50 = |run: &Throughput| latency(run.p50);
    row(out, label, "p50 latency", run, p50, |run| run.p50.as_secs_f64());
    let p99 = |run: &Throughput| latency(run.p99);
    row(out, label, "p99 latency", run, p99, |run| run.p99.as_secs_f64());
}

/// One row: `show` renders each server's value, `value` gives the number
/// the ratio divides.
fn row<T>(
    out: &mut String,
    label: &str,
    metric: &str,
    pair: &Pair<T>,
    show: impl Fn(&T) -> String,
    value: impl Fn(&T) -> f64,
) {
    let (etcd, ratio) = match &pair.etcd {
        Some(etcd) => (show(etcd), ratio(value(&pair.keelson), value(etcd))),
        None => ("—".to_owned(), "—".to_owned()),
    };
    let _ = writeln!(out, "| {label} | {metric} | {} | {etcd} | {ratio} |", show(&pair.keelson));
}

/// `ours ÷ theirs` as `1.23×`; `—` when it means nothing.
fn ratio(ours: f64, theirs: f64) -> String {
    if theirs > 0.0 && ours >= 0.0 { format!("{:.2}×", ours / theirs) } else { "—".to_owned() }
}

/// A number rounded to an integer, with thousands separated by commas.
fn thousands(value: f64) -> String {
    let rounded = value.round();
    let digits = format!("{}", rounded.abs() as u64);
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if rounded < 0.0 { format!("-{out}") } else { out }
}

/// A latency in the unit that reads best.
fn latency(duration: Duration) -> String {
    let micros = duration.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 10_000.0 {
        format!("{:.2} ms", micros / 1_000.0)
    } else {
        format!("{:.1} ms", micros / 1_000.0)
    }
}

/// A byte count in B, KiB or MiB.
fn bytes(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude < 1024.0 {
        format!("{value:.0} B")
    } else if magnitude < 1024.0 * 1024.0 {
        format!("{:.1} KiB", value / 1024.0)
    } else {
        format!("{:.1} MiB", value / (1024.0 * 1024.0))
    }
}

/// A duration in seconds, as `5 s` or `0.5 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// `doc` with the text between [`BEGIN`] and [`END`] replaced by `section`,
/// or with the markers and `section` appended when the markers are not
/// there yet. Everything outside the markers is kept as it is.
///
/// # Errors
///
/// The markers are not a single begin followed by a single end.
pub(crate) fn replace_section(doc: &str, section: &str) -> anyhow::Result<String> {
    let section = section.trim_end();
    let (begins, ends) = (doc.matches(BEGIN).count(), doc.matches(END).count());
    match (doc.find(BEGIN), doc.find(END)) {
        (None, None) => Ok(format!("{}\n\n{BEGIN}\n{section}\n{END}\n", doc.trim_end())),
        (Some(begin), Some(end)) if begin < end && begins == 1 && ends == 1 => {
            Ok(format!("{}{BEGIN}\n{section}\n{END}{}", &doc[..begin], &doc[end + END.len()..]))
        }
        _ => bail!("the markers {BEGIN} and {END} are not one begin followed by one end"),
    }
}

/// The civil date (UTC) of `time`, as `YYYY-MM-DD`.
pub(crate) fn date(time: SystemTime) -> String {
    let days =
        time.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_secs() / 86_400);
    // Howard Hinnant's days-to-civil algorithm, on eras of 400 years
    // starting on March 1st.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_section_is_appended_when_there_are_no_markers() {
        let doc = "# Benchmarks\n\n## Codec\n\ntable\n";
        let written = replace_section(doc, "## Store\n\nnew\n").unwrap();
        assert_eq!(
            written,
            format!("# Benchmarks\n\n## Codec\n\ntable\n\n{BEGIN}\n## Store\n\nnew\n{END}\n")
        );
    }

    #[test]
    fn only_the_text_between_the_markers_is_replaced() {
        let doc = format!("# B\n\nbefore\n\n{BEGIN}\n## Store\n\nold\n{END}\n\n## After\n\nkept\n");
        let written = replace_section(&doc, "## Store\n\nnew").unwrap();
        assert_eq!(
            written,
            format!("# B\n\nbefore\n\n{BEGIN}\n## Store\n\nnew\n{END}\n\n## After\n\nkept\n")
        );
        // Writing the same section again changes nothing.
        assert_eq!(replace_section(&written, "## Store\n\nnew").unwrap(), written);
    }

    #[test]
    fn markers_out_of_order_or_repeated_are_refused() {
        for doc in [
            format!("{END}\n{BEGIN}\n"),
            format!("{BEGIN}\n"),
            format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n"),
        ] {
            assert!(replace_section(&doc, "x").is_err(), "{doc}");
        }
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(999.5), "1,000");
        assert_eq!(thousands(12.0), "12");
        assert_eq!(thousands(-1_500.0), "-1,500");
        assert_eq!(latency(Duration::from_micros(850)), "850 µs");
        assert_eq!(latency(Duration::from_micros(1_234)), "1.23 ms");
        assert_eq!(latency(Duration::from_micros(25_250)), "25.2 ms");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1_536.0), "1.5 KiB");
        assert_eq!(bytes(-2_048.0), "-2.0 KiB");
        assert_eq!(bytes(3.0 * 1024.0 * 1024.0), "3.0 MiB");
        assert_eq!(ratio(3.0, 2.0), "1.50×");
        assert_eq!(ratio(3.0, 0.0), "—");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
    }

    #[test]
    fn paragraphs_wrap_at_spaces() {
        let mut out = String::new();
        let words = ["word"; 20].join(" ");
        paragraph(&mut out, &words);
        let line = ["word"; 16].join(" ");
        assert_eq!(out, format!("{line}\nword word word word\n\n"));
        let mut long = String::new();
        paragraph(&mut long, &"x".repeat(90));
        assert_eq!(long, format!("{}\n\n", "x".repeat(90)));
    }

    #[test]
    fn dates_are_civil_utc() {
        let at = |secs: u64| date(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01");
        assert_eq!(at(951_782_400), "2000-02-29");
        assert_eq!(at(1_709_251_199), "2024-02-29");
        assert_eq!(at(1_798_761_600), "2027-01-01");
    }

    #[test]
    fn a_report_without_etcd_says_so() {
        let run = Throughput {
            ops: 10,
            elapsed: Duration::from_secs(1),
            p50: Duration::from_micros(500),
            p99: Duration::from_millis(2),
        };
        fn alone<T>(value: T) -> Pair<T> {
            Pair { keelson: value, etcd: None }
        }
        let report = Report {
            command: "cargo run --release -p keelson-benches -- store".into(),
            machine: "2 × CPU".into(),
            date: "2026-01-02".into(),
            etcd_version: None,
            etcd_path: "/usr/bin/etcd".into(),
            quick: false,
            duration: Duration::from_secs(5),
            kv: Kv {
                put: vec![(1, alone(run.clone()))],
                range_clients: 64,
                range_keys: 1_000,
                range: alone(run),
                rss_started: alone(1 << 20),
                rss_after: alone(2 << 20),
            },
            watch: vec![],
        };
        let markdown = report.markdown();
        let machine = "Machine: 2 × CPU; no etcd (`/usr/bin/etcd` was not found), so Keelson ran \
                       alone;\nrun on 2026-01-02.\n";
        assert!(markdown.contains(machine), "{markdown}");
        let mut prose = markdown.lines().filter(|line| !line.starts_with('|'));
        assert!(prose.all(|line| line.chars().count() <= WIDTH), "{markdown}");
        assert!(markdown.contains("| 1 | throughput | 10 ops/s | — | — |"), "{markdown}");
        assert!(markdown.contains("| 1 | p99 latency | 2.00 ms | — | — |"), "{markdown}");
        assert!(markdown.contains("| after puts and ranges | resident memory | 2.0 MiB | — | — |"));
    }
}
