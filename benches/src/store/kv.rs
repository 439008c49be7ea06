//! The KV workloads: puts of distinct keys, and single-key ranges over keys
//! written before, by concurrent clients for a fixed time.
//!
//! Every client sends one request at a time and measures each from send to
//! answer. Ranges use the default, linearizable consistency on both
//! servers.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use keelson_store::pb::etcdserverpb::kv_client::KvClient;
use keelson_store::pb::etcdserverpb::{PutRequest, RangeRequest};
use tokio::task::JoinSet;

use super::client::Pool;
use super::stats::Throughput;

/// Bytes in every value written.
pub(crate) const VALUE_BYTES: usize = 256;

/// A value of [`VALUE_BYTES`] bytes.
pub(crate) fn value() -> Vec<u8> {
    (0..VALUE_BYTES).map(|i| b'a' + (i % 26) as u8).collect()
}

/// `clients` clients put distinct keys under `prefix` for `duration`.
pub(crate) async fn put(
    url: &str,
    prefix: &str,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Throughput> {
    let prefix = prefix.to_owned();
    run_clients(url, clients, duration, move |client, seq| {
        let key = format!("{prefix}{client:04}/{seq:010}");
        Request::Put(PutRequest { key: key.into_bytes(), value: value(), ..Default::default() })
    })
    .await
}

/// Writes `count` keys under `prefix` (named by [`range_key`]) with
/// `clients` concurrent clients, for [`range`] to read.
pub(crate) async fn preload(
    url: &str,
    prefix: &str,
    count: usize,
    clients: usize,
) -> anyhow::Result<()> {
    let pool = Pool::for_clients(url, clients).await?;
    let mut tasks = JoinSet::new();
    for client in 0..clients {
        let mut kv = KvClient::new(pool.channel(client));
        let prefix = prefix.to_owned();
        tasks.spawn(async move {
            for index in (client..count).step_by(clients) {
                let key = range_key(&prefix, index).into_bytes();
                kv.put(PutRequest { key, value: value(), ..Default::default() }).await?;
            }
            anyhow::Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

/// `clients` clients read single keys among the `count` ones [`preload`]
/// wrote under `prefix`, in a pseudo-random order, for `duration`.
pub(crate) async fn range(
    url: &str,
    prefix: &str,
    count: usize,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<Throughput> {
    let prefix = prefix.to_owned();
    run_clients(url, clients, duration, move |client, seq| {
        let index = scatter(client as u64, seq) % count as u64;
        let key = range_key(&prefix, index as usize).into_bytes();
        Request::Range(RangeRequest { key, ..Default::default() })
    })
    .await
}

/// The name of the `index`th key [`preload`] writes.
fn range_key(prefix: &str, index: usize) -> String {
    format!("{prefix}{index:08}")
}

/// A well-spread number for the `seq`th request of `client` (SplitMix64's
/// finalizer), so that clients read keys in different orders.
fn scatter(client: u64, seq: u64) -> u64 {
    let mut x = client.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ seq;
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// One request of a workload.
enum Request {
    Put(PutRequest),
    Range(RangeRequest),
}

/// Runs `clients` clients of the server at `url`, each sending
/// `request(client, seq)` one after the other until `duration` has passed,
/// and sums up their latencies.
async fn run_clients(
    url: &str,
    clients: usize,
    duration: Duration,
    request: impl Fn(usize, u64) -> Request + Clone + Send + 'static,
) -> anyhow::Result<Throughput> {
    let pool = Pool::for_clients(url, clients).await?;
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = JoinSet::new();
    for client in 0..clients {
        let mut kv = KvClient::new(pool.channel(client));
        let request = request.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut seq = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match request(client, seq) {
                    Request::Put(put) => {
                        kv.put(put).await.context("put failed")?;
                    }
                    Request::Range(range) => {
                        let found = kv.range(range).await.context("range failed")?;
                        ensure!(found.into_inner().kvs.len() == 1, "a preloaded key is missing");
                    }
                }
                latencies.push(sent.elapsed());
                seq += 1;
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::new();
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done??);
    }
    Ok(Throughput::from_latencies(latencies, start.elapsed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_the_advertised_size() {
        assert_eq!(value().len(), VALUE_BYTES);
        assert!(value().starts_with(b"abcdefghijklmnopqrstuvwxyzab"));
    }

    #[test]
    fn scattered_reads_reach_every_key() {
        let count = 100;
        let mut seen = vec![false; count];
        for seq in 0..2_000 {
            seen[(scatter(3, seq) % count as u64) as usize] = true;
        }
        assert!(seen.iter().all(|&seen| seen));
        assert_ne!(scatter(0, 1), scatter(1, 1));
    }
}
