//! Thread time attributed to the function whose invocation a thread works for: how much of
//! the GIL, of the GIL queue and of the event loop each function's invocations took, where
//! several functions share a worker process.
//!
//! The model says where each stretch of a thread's time goes when the stretch starts (a
//! [`Slot`]: the function and what the thread does) and adds its length when it ends, so the
//! per-stretch cost is one addition; stretches that neither touch the GIL nor block the loop
//! go nowhere and cost nothing more.

/// What a stretch of a thread's time counts as in its function's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Holding the GIL: running Python, or handed it and waking up.
    HoldsGil,
    /// Waiting for the GIL.
    WaitsForGil,
    /// Neither (native code, a blocking call): counted only while it blocks the event loop.
    Other,
}

/// Kinds of stretch per function: the three uses, each also while blocking the event loop.
const KINDS: usize = 6;

/// Where a stretch of thread time is added, or nowhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(u32);

impl Slot {
    /// Time that goes to no function (idle threads, the worker's own work, and time that
    /// neither touches the GIL nor blocks the loop).
    pub const NONE: Slot = Slot(u32::MAX);

    /// Function `func`'s time of use `u`; `blocks_loop` when it is the event loop thread
    /// running one of the function's coroutines' own code.
    pub fn new(func: u16, u: Use, blocks_loop: bool) -> Slot {
        let kind = u as u32 + if blocks_loop { 3 } else { 0 };
        Slot(func as u32 * KINDS as u32 + kind)
    }
}

/// Thread time per function and kind of stretch, in ns summed over threads and processes,
/// and each function's invocations' time in flight.
#[derive(Debug, Clone, Default)]
pub struct CodeClock {
    ns: Vec<u64>,
    in_flight_ns: Vec<u64>,
}

impl CodeClock {
    /// A clock for `functions` functions.
    pub fn new(functions: usize) -> CodeClock {
        CodeClock {
            ns: vec![0; functions * KINDS],
            in_flight_ns: vec![0; functions],
        }
    }

    /// Adds a stretch of `ns` to `slot` (not [`Slot::NONE`]).
    #[inline]
    pub fn add(&mut self, slot: Slot, ns: u64) {
        self.ns[slot.0 as usize] += ns;
    }

    /// An invocation of `func` was in flight (arrival to response, or to the end of the run)
    /// for `ns`.
    pub fn add_in_flight(&mut self, func: u16, ns: u64) {
        self.in_flight_ns[func as usize] += ns;
    }

    /// The time of function `func`.
    pub fn time(&self, func: usize) -> CodeTime {
        let k = &self.ns[func * KINDS..(func + 1) * KINDS];
        CodeTime {
            gil_held_ns: k[0] + k[3],
            gil_wait_ns: k[1] + k[4],
            loop_blocked_ns: k[3] + k[4] + k[5],
            in_flight_ns: self.in_flight_ns[func],
        }
    }
}

/// Thread time spent working for one function's invocations (their bodies, and the worker's
/// dispatch path for them), in ns summed over threads and processes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeTime {
    /// Holding the GIL: running Python, or handed it and waking up.
    pub gil_held_ns: u64,
    /// Waiting for the GIL.
    pub gil_wait_ns: u64,
    /// On the event loop thread, running one of the function's coroutines' own code (Python,
    /// native or a blocking call), so that no other callback of that loop could run.
    pub loop_blocked_ns: u64,
    /// Its invocations' time in flight: arrival to response (or to the end of the run).
    pub in_flight_ns: u64,
}

/// [`CodeTime`] as shares, the way the per-process figures are given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CodeShares {
    /// Share of the run the GIL was held for the function, averaged over processes.
    pub gil_held: f64,
    /// Of its invocations' time in flight, the share their threads spent waiting for the GIL.
    pub gil_wait_share: f64,
    /// Share of the run the event loop ran the function's coroutines' own code, averaged over
    /// processes.
    pub loop_blocked: f64,
}

impl CodeTime {
    /// The shares over a run of `elapsed_ns` on `processes` worker processes.
    pub fn shares(&self, elapsed_ns: u64, processes: usize) -> CodeShares {
        let run = elapsed_ns.max(1) as f64 * processes.max(1) as f64;
        CodeShares {
            gil_held: self.gil_held_ns as f64 / run,
            gil_wait_share: if self.in_flight_ns > 0 {
                self.gil_wait_ns as f64 / self.in_flight_ns as f64
            } else {
                0.0
            },
            loop_blocked: self.loop_blocked_ns as f64 / run,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretches_add_up_by_function_and_use() {
        let mut clock = CodeClock::new(2);
        clock.add(Slot::new(1, Use::HoldsGil, true), 30);
        clock.add(Slot::new(1, Use::HoldsGil, false), 5);
        clock.add(Slot::new(1, Use::WaitsForGil, false), 20);
        clock.add(Slot::new(1, Use::Other, true), 50);
        clock.add_in_flight(1, 400);
        let t = clock.time(1);
        assert_eq!(
            (
                t.gil_held_ns,
                t.gil_wait_ns,
                t.loop_blocked_ns,
                t.in_flight_ns
            ),
            (35, 20, 80, 400)
        );
        assert_eq!(clock.time(0), CodeTime::default());
    }

    #[test]
    fn shares_average_over_processes_and_wait_is_a_share_of_time_in_flight() {
        let t = CodeTime {
            gil_held_ns: 50,
            gil_wait_ns: 25,
            loop_blocked_ns: 100,
            in_flight_ns: 100,
        };
        let s = t.shares(100, 2);
        assert_eq!(
            (s.gil_held, s.gil_wait_share, s.loop_blocked),
            (0.25, 0.25, 0.5)
        );
    }
}
