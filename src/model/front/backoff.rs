//! The storage-queue listener's polling delay: randomized exponential back-off while polls
//! find the queue empty, back to the minimum once one finds a message.
//!
//! The rule of the WebJobs SDK's `RandomizedExponentialBackoffStrategy` [code], with the
//! minimum as both start and step: after a poll that found messages since the last delay the
//! delay is `min`; otherwise the k-th delay in a row is `min + min x 2^(k-2) x U(1-j, 1+j)`
//! (k >= 2), and once that reaches `max` it stays at `max`. With min 100 ms and j = 0: 100,
//! 200, 300, 500, 900, 1700 ms, ... (the increments double), capped at maxPollingInterval.

use crate::config::StorageQueueConfig;
use crate::kernel::SimRng;
use rand::Rng;

/// One listener's back-off state.
#[derive(Debug, Clone)]
pub struct PollingBackoff {
    min_ns: u64,
    max_ns: u64,
    jitter: f64,
    current_ns: u64,
    /// 0 before the first delay; then the exponent of the next increment, plus one.
    exponent: u32,
}

impl PollingBackoff {
    /// A fresh back-off with the listener's settings.
    pub fn new(cfg: &StorageQueueConfig) -> PollingBackoff {
        PollingBackoff {
            min_ns: cfg.min_polling_interval_ns,
            max_ns: cfg.max_polling_interval_ns.max(cfg.min_polling_interval_ns),
            jitter: cfg.polling_jitter,
            current_ns: 0,
            exponent: 0,
        }
    }

    /// The delay before the next poll, after an empty poll; `found_since_last_delay` says
    /// whether any poll since the previous delay found messages (which resets the back-off).
    pub fn next_delay_ns(&mut self, found_since_last_delay: bool, rng: &mut SimRng) -> u64 {
        if found_since_last_delay {
            self.current_ns = self.min_ns;
            self.exponent = 1;
        } else if self.current_ns != self.max_ns {
            self.grow(rng);
        }
        self.current_ns
    }

    fn grow(&mut self, rng: &mut SimRng) {
        let mut next = self.min_ns as f64;
        if self.exponent > 0 {
            let factor = if self.jitter > 0.0 {
                rng.random_range(1.0 - self.jitter..1.0 + self.jitter)
            } else {
                1.0
            };
            next += factor * 2f64.powi(self.exponent as i32 - 1) * self.min_ns as f64;
        }
        if next < self.max_ns as f64 {
            self.current_ns = next as u64;
            self.exponent += 1;
        } else {
            self.current_ns = self.max_ns;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::RngStreams;

    fn backoff(jitter: f64, max_ms: u64) -> PollingBackoff {
        PollingBackoff::new(&StorageQueueConfig {
            polling_jitter: jitter,
            max_polling_interval_ns: max_ms * 1_000_000,
            ..StorageQueueConfig::defaults(1)
        })
    }

    fn empty_polls(b: &mut PollingBackoff, n: usize) -> Vec<u64> {
        let mut rng = RngStreams::new(1).stream("backoff");
        (0..n)
            .map(|_| b.next_delay_ns(false, &mut rng) / 1_000_000)
            .collect()
    }

    #[test]
    fn without_jitter_the_increments_double_up_to_the_cap() {
        let mut b = backoff(0.0, 2_000);
        assert_eq!(
            empty_polls(&mut b, 8),
            [100, 200, 300, 500, 900, 1700, 2000, 2000]
        );
    }

    #[test]
    fn with_jitter_each_step_stays_within_its_bounds() {
        let mut b = backoff(0.2, 60_000);
        let delays = empty_polls(&mut b, 14);
        assert_eq!(delays[0], 100);
        for (k, d) in delays.iter().enumerate().skip(1) {
            let step = 100.0 * 2f64.powi(k as i32 - 1);
            let (lo, hi) = (100.0 + 0.8 * step, 100.0 + 1.2 * step);
            let d = *d as f64;
            assert!(
                d == 60_000.0 || (lo - 1.0 <= d && d <= hi),
                "delay {k}: {d}"
            );
        }
        assert_eq!(
            *delays.last().unwrap(),
            60_000,
            "capped at maxPollingInterval"
        );
    }

    #[test]
    fn a_poll_that_found_messages_resets_to_the_minimum() {
        let mut b = backoff(0.0, 60_000);
        empty_polls(&mut b, 5);
        let mut rng = RngStreams::new(1).stream("backoff");
        assert_eq!(b.next_delay_ns(true, &mut rng), 100_000_000);
        assert_eq!(b.next_delay_ns(false, &mut rng), 200_000_000);
    }
}
