//! On/off bursts: a two-state Markov-modulated Poisson process. The source starts on; while
//! on, arrivals are Poisson at the on rate; each on and off period is exponential with its
//! mean. Since the exponential is memoryless, the gap running when an on period ends is
//! dropped and a fresh one drawn when the next begins. In the long run the rate is
//! `rate x on / (on + off)`.

use crate::kernel::SimRng;
use rand_distr::{Distribution, Exp};

/// The next arrivals of an on/off source, produced on demand.
pub struct OnOffArrivals {
    rng: SimRng,
    gap: Exp<f64>,
    on: Exp<f64>,
    off: Exp<f64>,
    /// The last arrival, or the start of the current on period, ns.
    t: f64,
    /// When the current on period ends, ns.
    on_until: f64,
    end_ns: f64,
}

impl OnOffArrivals {
    /// Arrivals at `rate_per_s` while on, on and off periods of means `on_ns` and `off_ns`,
    /// until `end_ns`, drawn from `rng`.
    pub fn new(rate_per_s: f64, on_ns: f64, off_ns: f64, end_ns: u64, mut rng: SimRng) -> Self {
        let on = Exp::new(1.0 / on_ns).expect("validated on period > 0");
        let on_until = on.sample(&mut rng);
        OnOffArrivals {
            gap: Exp::new(rate_per_s / 1e9).expect("validated rate > 0"),
            off: Exp::new(1.0 / off_ns).expect("validated off period > 0"),
            on,
            rng,
            t: 0.0,
            on_until,
            end_ns: end_ns as f64,
        }
    }
}

impl Iterator for OnOffArrivals {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        loop {
            if self.t >= self.end_ns {
                return None;
            }
            let next = self.t + self.gap.sample(&mut self.rng);
            if next < self.on_until {
                self.t = next;
                return (next < self.end_ns).then(|| next.round() as u64);
            }
            self.t = self.on_until + self.off.sample(&mut self.rng);
            self.on_until = self.t + self.on.sample(&mut self.rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::RngStreams;

    #[test]
    fn the_long_run_rate_is_the_on_share_of_the_on_rate() {
        // 100/s while on, on 1 s and off 3 s on average, for 20,000 s: 500,000 expected.
        let rng = RngStreams::new(4).stream("a");
        let a: Vec<u64> = OnOffArrivals::new(100.0, 1e9, 3e9, 20_000_000_000_000, rng).collect();
        assert!(a.windows(2).all(|w| w[0] <= w[1]));
        let n = a.len() as f64;
        // The on/off count varies more than a Poisson count: 2% covers ~5 sigma here.
        assert!((n / 500_000.0 - 1.0).abs() < 0.02, "{n}");
        // Bursty: many gaps far longer than the on rate's 10 ms mean.
        let long = a.windows(2).filter(|w| w[1] - w[0] > 500_000_000).count();
        assert!(long > 1000, "{long}");
    }
}
