//! The stalls of per-CPU placement: stretches in which a CPU idles while a runnable thread
//! waits for its busy home CPU or time-shares one. Their share of the CPUs' time is
//! `cpu_idle_while_waiting`; counted one by one, their number and length compare with the
//! machine's (`notebooks/harness/gil_phases.py`'s stalls: many short ones, or a few long).

use serde::Serialize;

/// Stall stretches so far: how many began, and their wall time in all.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct StallTally {
    /// Stretches that began.
    pub count: u64,
    /// Their wall time in all, ns.
    pub ns: u64,
}

impl StallTally {
    /// The tallies of `self` and `other` together (over a fleet's instances).
    pub fn plus(self, other: StallTally) -> StallTally {
        StallTally {
            count: self.count + other.count,
            ns: self.ns + other.ns,
        }
    }
}

/// The stalls of a run (`cpu_stalls` in summary.json, with `placement: HomeCpu`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CpuStalls {
    /// Stretches in which a CPU idled while a runnable thread waited or time-shared a CPU.
    pub count: u64,
    /// How many began per second of the run.
    pub per_s: f64,
    /// Their mean length, ms.
    pub mean_ms: f64,
}

impl CpuStalls {
    /// The stalls of `tally` over a run of `elapsed_ns`.
    pub fn new(tally: StallTally, elapsed_ns: u64) -> CpuStalls {
        let per_s = if elapsed_ns > 0 {
            tally.count as f64 / (elapsed_ns as f64 / 1e9)
        } else {
            0.0
        };
        let mean_ms = if tally.count > 0 {
            tally.ns as f64 / tally.count as f64 / 1e6
        } else {
            0.0
        };
        CpuStalls {
            count: tally.count,
            per_s,
            mean_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stalls_per_second_and_their_mean_length() {
        let s = CpuStalls::new(
            StallTally {
                count: 4,
                ns: 2_000_000,
            },
            2_000_000_000,
        );
        assert_eq!((s.count, s.per_s, s.mean_ms), (4, 2.0, 0.5));
        let none = CpuStalls::new(StallTally::default(), 0);
        assert_eq!((none.per_s, none.mean_ms), (0.0, 0.0));
    }
}
