//! Where the GIL hand-overs from one function body's thread to another ran: on the waker's
//! CPU, on another CPU that was busy, or on an idle one. The same three counts
//! `notebooks/harness/sched_idle.py` reads from a `perf sched` record of the machine, so that
//! where sim runs a new GIL holder can be compared with where Linux ran it (`gil_handovers` in
//! summary.json).

use serde::Serialize;

/// Counts of GIL hand-overs between body threads (pool or executor) of a process, by where the
/// new holder first ran.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct HandoverPlacement {
    /// On the CPU its waker ran on.
    pub waker_cpu: u64,
    /// On another CPU, beside a thread running there.
    pub busy_cpu: u64,
    /// On another CPU, alone.
    pub idle_cpu: u64,
}

impl HandoverPlacement {
    /// Counts one hand-over that ran on `cpu`, its waker having run on `waker_cpu`, with
    /// `sharers` threads on `cpu` (itself included).
    pub fn count(&mut self, cpu: u32, waker_cpu: u32, sharers: usize) {
        if cpu == waker_cpu {
            self.waker_cpu += 1;
        } else if sharers > 1 {
            self.busy_cpu += 1;
        } else {
            self.idle_cpu += 1;
        }
    }

    /// The counts of `self` and `other` together (over a fleet's instances).
    pub fn plus(self, other: HandoverPlacement) -> HandoverPlacement {
        HandoverPlacement {
            waker_cpu: self.waker_cpu + other.waker_cpu,
            busy_cpu: self.busy_cpu + other.busy_cpu,
            idle_cpu: self.idle_cpu + other.idle_cpu,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_over_is_counted_by_where_it_ran() {
        let mut p = HandoverPlacement::default();
        p.count(0, 0, 2);
        p.count(1, 0, 2);
        p.count(1, 0, 1);
        p.count(1, 0, 1);
        assert_eq!(
            p,
            HandoverPlacement {
                waker_cpu: 1,
                busy_cpu: 1,
                idle_cpu: 2
            }
        );
        assert_eq!(p.plus(p).idle_cpu, 4);
    }
}
