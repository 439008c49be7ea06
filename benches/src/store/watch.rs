//! The watch fan-out workload: many watchers on one prefix, one writer.
//!
//! 1. The server's resident memory is read with no watcher.
//! 2. The watchers are created, [`WATCHES_PER_STREAM`] on each gRPC watch
//!    stream (one create request per watcher), [`STREAMS_PER_CONNECTION`]
//!    streams on each connection; once every watcher is confirmed and the
//!    server settled, its memory is read again. The difference divided by
//!    the number of watchers is the memory an idle watcher costs.
//! 3. One writer puts a fixed number of keys under the prefix, one after
//!    the other. Every watcher gets every write: the throughput is the
//!    events delivered, summed over the watchers, per second from the
//!    first write to the last event received.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use keelson_store::pb::etcdserverpb::watch_client::WatchClient;
use keelson_store::pb::etcdserverpb::{
    PutRequest, RangeRequest, WatchCreateRequest, WatchRequest, watch_request,
};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio_stream::wrappers::ReceiverStream;

use super::client::{self, Pool};
use super::kv::value;
use super::server::Server;
use super::stats::per_second;

/// Watchers created on one gRPC watch stream.
pub(crate) const WATCHES_PER_STREAM: usize = 100;

/// gRPC watch streams sharing one connection.
pub(crate) const STREAMS_PER_CONNECTION: usize = 10;

/// The prefix written and watched.
const PREFIX: &[u8] = b"/bench/watch/";

/// How long the server is left alone before its memory is read.
const SETTLE: Duration = Duration::from_secs(1);

/// How long creating the watchers, or delivering the events, may take.
const TIMEOUT: Duration = Duration::from_secs(180);

/// What one fan-out run measured.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FanOut {
    /// Watchers on the prefix.
    pub(crate) watchers: usize,
    /// Keys the writer put.
    pub(crate) writes: usize,
    /// Events received, summed over the watchers.
    pub(crate) delivered: u64,
    /// From the first write to the last event received (or the timeout).
    pub(crate) elapsed: Duration,
    /// The server's resident memory before the watchers, in bytes.
    pub(crate) rss_before: u64,
    /// The server's resident memory with the idle watchers, in bytes.
    pub(crate) rss_idle: u64,
}

impl FanOut {
    /// Every watcher got every write.
    pub(crate) fn complete(&self) -> bool {
        self.delivered >= self.expected()
    }

    /// The events the watchers should receive in all.
    pub(crate) fn expected(&self) -> u64 {
        (self.watchers * self.writes) as u64
    }

    /// Events delivered per second, summed over the watchers.
    pub(crate) fn events_per_sec(&self) -> f64 {
        per_second(self.delivered, self.elapsed)
    }

    /// The memory one idle watcher costs the server, in bytes (negative if
    /// the server happened to shrink).
    pub(crate) fn bytes_per_watcher(&self) -> f64 {
        (self.rss_idle as f64 - self.rss_before as f64) / self.watchers as f64
    }
}

/// What the stream readers report to the run.
#[derive(Debug, Default)]
struct Progress {
    created: AtomicU64,
    events: AtomicU64,
    /// Woken once when every watcher is created.
    all_created: Notify,
    /// Woken once when every event is delivered.
    all_delivered: Notify,
}

impl Progress {
    /// Adds `n` to `counter`, and wakes `notify` when that reaches `target`.
    fn add(counter: &AtomicU64, n: u64, target: u64, notify: &Notify) {
        let before = counter.fetch_add(n, Ordering::Relaxed);
        if before < target && before + n >= target {
            notify.notify_one();
        }
    }
}

/// Runs the workload on a fresh `server` with `watchers` watchers and
/// `writes` writes.
pub(crate) async fn fan_out(
    server: &Server,
    watchers: usize,
    writes: usize,
) -> anyhow::Result<FanOut> {
    let url = server.url();
    let mut kv = KvClient::new(client::connect(url).await?);
    // One write and one read first, so that neither server pays for its
    // first request below.
    let warm_up =
        PutRequest { key: b"/bench/warm-up".to_vec(), value: value(), ..Default::default() };
    kv.put(warm_up).await?;
    kv.range(RangeRequest { key: b"/bench/warm-up".to_vec(), ..Default::default() }).await?;
    tokio::time::sleep(SETTLE).await;
    let rss_before = server.rss_bytes()?;

    let expected = (watchers * writes) as u64;
    let progress = Arc::new(Progress::default());
    let streams = watchers.div_ceil(WATCHES_PER_STREAM);
    let pool = Pool::connect(url, streams.div_ceil(STREAMS_PER_CONNECTION)).await?;
    let mut tasks = JoinSet::new();
    // The request sides stay open until the run ends: etcd ends a watch
    // stream whose client closed its side.
    let mut requests = Vec::with_capacity(streams);
    for stream in 0..streams {
        let watches = WATCHES_PER_STREAM.min(watchers - stream * WATCHES_PER_STREAM);
        let (sender, receiver) = mpsc::channel(watches);
        for _ in 0..watches {
            sender.try_send(create_request()).context("the create queue is full")?;
        }
        requests.push(sender);
        let mut client = WatchClient::new(pool.channel(stream));
        let progress = Arc::clone(&progress);
        tasks.spawn(async move {
            let mut responses = client.watch(ReceiverStream::new(receiver)).await?.into_inner();
            while let Some(response) = responses.message().await? {
                if response.canceled {
                    bail!("a watcher was canceled: {}", response.cancel_reason);
                }
                if response.created {
                    let target = watchers as u64;
                    Progress::add(&progress.created, 1, target, &progress.all_created);
                }
                let events = response.events.len() as u64;
                Progress::add(&progress.events, events, expected, &progress.all_delivered);
            }
            bail!("a watch stream ended")
        });
    }
    if !wait(&mut tasks, &progress.all_created, Instant::now() + TIMEOUT).await? {
        let created = progress.created.load(Ordering::Relaxed);
        bail!("only {created} of {watchers} watchers were created within {TIMEOUT:?}");
    }
    tokio::time::sleep(SETTLE).await;
    let rss_idle = server.rss_bytes()?;

    let start = Instant::now();
    if writes == 0 {
        drop(requests);
        let fan_out = FanOut {
            watchers,
            writes,
            delivered: 0,
            elapsed: Duration::ZERO,
            rss_before,
            rss_idle,
        };
        return Ok(fan_out);
    }
    for index in 0..writes {
        let mut key = PREFIX.to_vec();
        key.extend_from_slice(format!("{index:08}").as_bytes());
        kv.put(PutRequest { key, value: value(), ..Default::default() }).await?;
    }
    wait(&mut tasks, &progress.all_delivered, start + TIMEOUT).await?;
    let elapsed = start.elapsed();
    drop(requests);
    Ok(FanOut {
        watchers,
        writes,
        delivered: progress.events.load(Ordering::Relaxed),
        elapsed,
        rss_before,
        rss_idle,
    })
}

/// A request for a watcher on [`PREFIX`], from the current revision on.
fn create_request() -> WatchRequest {
    let create = WatchCreateRequest {
        key: PREFIX.to_vec(),
        range_end: prefix_end(PREFIX),
        ..Default::default()
    };
    WatchRequest { request_union: Some(watch_request::RequestUnion::CreateRequest(create)) }
}

/// The end of the range of keys starting with `prefix`: the prefix with its
/// last byte below 0xff incremented (and the bytes after it dropped).
fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return end;
        }
    }
    // Every byte was 0xff: etcd's "no end" ("\0").
    vec![0]
}

/// Waits until `done` is woken (`true`) or `deadline` passes (`false`);
/// fails if a stream reader does.
async fn wait(
    tasks: &mut JoinSet<anyhow::Result<()>>,
    done: &Notify,
    deadline: Instant,
) -> anyhow::Result<bool> {
    tokio::select! {
        () = done.notified() => Ok(true),
        Some(ended) = tasks.join_next() => {
            ended??;
            bail!("a watch stream ended early")
        }
        () = tokio::time::sleep_until(deadline.into()) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_ends_increment_the_last_byte_that_can_be() {
        assert_eq!(prefix_end(b"/bench/watch/"), b"/bench/watch0");
        assert_eq!(prefix_end(b"a\xff\xff"), b"b");
        assert_eq!(prefix_end(b"\xff"), b"\0");
    }

    #[test]
    fn a_run_reports_rates_per_watcher_and_second() {
        let run = FanOut {
            watchers: 1_000,
            writes: 10,
            delivered: 10_000,
            elapsed: Duration::from_millis(250),
            rss_before: 10 << 20,
            rss_idle: (10 << 20) + 2_048_000,
        };
        assert!(run.complete());
        assert!((run.events_per_sec() - 40_000.0).abs() < 1e-6);
        assert!((run.bytes_per_watcher() - 2_048.0).abs() < 1e-9);
        let short = FanOut { delivered: 9_999, ..run };
        assert!(!short.complete());
    }
}
