//! What one measured run comes to: operations per second and latency
//! percentiles.

use std::time::Duration;

/// The result of running one request kind for a while.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Throughput {
    /// Requests completed.
    pub(crate) ops: u64,
    /// From the start of the first request to the end of the last.
    pub(crate) elapsed: Duration,
    /// Median latency.
    pub(crate) p50: Duration,
    /// 99th-percentile latency.
    pub(crate) p99: Duration,
}

impl Throughput {
    /// Sums up a run from every request's latency, in any order.
    pub(crate) fn from_latencies(mut latencies: Vec<Duration>, elapsed: Duration) -> Self {
        latencies.sort_unstable();
        Self {
            ops: latencies.len() as u64,
            elapsed,
            p50: percentile(&latencies, 50.0),
            p99: percentile(&latencies, 99.0),
        }
    }

    /// Completed requests per second.
    pub(crate) fn ops_per_sec(&self) -> f64 {
        per_second(self.ops, self.elapsed)
    }
}

/// `count` things in `elapsed`, per second; 0 for no time.
pub(crate) fn per_second(count: u64, elapsed: Duration) -> f64 {
    let seconds = elapsed.as_secs_f64();
    if seconds > 0.0 { count as f64 / seconds } else { 0.0 }
}

/// The nearest-rank percentile `p` (0 < p ≤ 100) of `sorted`: the smallest
/// value that at least `p` % of the values are at or below. Zero when
/// there are no values.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    // The rank is 1-based; float to integer casts saturate, so the clamp
    // covers any p.
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&value| Duration::from_millis(value)).collect()
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let sorted = ms(&(1..=100).collect::<Vec<_>>());
        assert_eq!(percentile(&sorted, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&sorted, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&sorted, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&sorted, 0.0), Duration::from_millis(1));

        let few = ms(&[10, 20, 30]);
        assert_eq!(percentile(&few, 50.0), Duration::from_millis(20));
        assert_eq!(percentile(&few, 99.0), Duration::from_millis(30));
        assert_eq!(percentile(&ms(&[7]), 99.0), Duration::from_millis(7));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn a_run_is_summed_up_from_unsorted_latencies() {
        let run = Throughput::from_latencies(ms(&[5, 1, 4, 2, 3]), Duration::from_millis(500));
        assert_eq!(run.ops, 5);
        assert_eq!(run.p50, Duration::from_millis(3));
        assert_eq!(run.p99, Duration::from_millis(5));
        assert!((run.ops_per_sec() - 10.0).abs() < 1e-9);
        assert!(per_second(3, Duration::ZERO).abs() < f64::EPSILON);
    }
}
