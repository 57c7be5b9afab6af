//! The GIL of one process: who holds it, who waits, and the switch-interval timer.
//!
//! CPython (3.2+ "new GIL"): a thread that wants the GIL waits on a condition variable for the
//! switch interval (5 ms); if no hand-over happened meanwhile it sets a drop request, and the
//! holder releases the GIL at its next check and waits until another thread has taken it.
//! Blocking I/O and GIL-releasing C code drop it voluntarily. Which waiter wins is up to the OS
//! (the condition variable wakes an arbitrary one), so the winner here is drawn at random from
//! the waiters: this is what puts CPU-bound thread pools between FIFO and fair sharing, as the
//! ground truth measures, and what makes a thread returning from I/O wait several intervals
//! behind CPU-bound threads (the convoy effect). The draw is not uniform: measured, the thread
//! that held the GIL before the current holder wins 28% of hand-overs and the longest waiter
//! 30% ([`HandoverPolicy`]). A release signals the condition variable, which wakes the waiter
//! asleep longest in its current timed wait ([`Gil::signalled_waiter`]); the model follows it
//! where that waiter does not get the GIL (a short syscall's release taken back, a hand-over
//! to another waiter with no core idle), and it starts a fresh timed wait
//! ([`Gil::restart_wait`]).

use super::ids::ThreadId;
use crate::kernel::SimRng;
use rand::Rng;

/// How the OS's choice of the waiter to wake is distributed (measured on CPython 3.11 and
/// glibc, see `HostConfig`): the thread that held the GIL before the current holder
/// ("ping-pong") with probability `previous_holder`, else the longest waiter with probability
/// `longest_waiter`, else any waiter with equal chance.
#[derive(Debug, Clone, Copy)]
pub struct HandoverPolicy {
    /// Share of hand-overs to the holder before the current one.
    pub previous_holder: f64,
    /// Share of hand-overs to the longest-waiting thread.
    pub longest_waiter: f64,
}

/// State of one GIL.
#[derive(Debug)]
pub struct Gil {
    /// The thread holding it (including one woken to take it and not yet running).
    pub holder: Option<ThreadId>,
    /// Threads waiting for it, longest-waiting first.
    pub waiters: Vec<ThreadId>,
    /// When each waiter's current run of timed waits began (parallel to `waiters`): when it
    /// began to wait, or when a release last woke it in vain ([`Gil::restart_wait`]).
    wait_since: Vec<u64>,
    /// Generation of the armed switch timer; a timer event with another generation is stale.
    pub timer_gen: u32,
    /// When the pending switch timer fires, if one is armed.
    pub armed_at: Option<u64>,
    /// When the GIL was last taken (ns), by any thread.
    pub last_handover: u64,
    /// When a thread other than the last holder last took it (ns): CPython's `switch_number`
    /// ticks only then, and the waiters' cycles watch it.
    last_switch: u64,
    /// When the thread it was handed to began (or begins) to run: one wake-up latency after
    /// the hand-over.
    holder_runs_at: u64,
    last_holder: Option<ThreadId>,
    previous_holder: Option<ThreadId>,
    /// The holder forced off by the last switch, until the thread it went to has taken the
    /// GIL (FORCE_SWITCHING: it waits on `switch_cond` for that, and only then queues up for
    /// the GIL again).
    pub forced_off: Option<ThreadId>,
    policy: HandoverPolicy,
    rng: SimRng,
}

impl Gil {
    /// A free GIL drawing its hand-over choices from `rng`.
    pub fn new(rng: SimRng, policy: HandoverPolicy) -> Gil {
        Gil {
            holder: None,
            waiters: Vec::new(),
            wait_since: Vec::new(),
            timer_gen: 0,
            armed_at: None,
            last_handover: 0,
            last_switch: 0,
            holder_runs_at: 0,
            last_holder: None,
            previous_holder: None,
            forced_off: None,
            policy,
            rng,
        }
    }

    /// Frees the GIL of a process whose threads were all stopped (its process restarts or its
    /// instance is shut down): no holder, no waiter, no switch timer armed (a pending one is
    /// stale from now on).
    pub fn reset(&mut self) {
        self.holder = None;
        self.waiters.clear();
        self.wait_since.clear();
        self.forced_off = None;
        self.timer_gen = self.timer_gen.wrapping_add(1);
        self.armed_at = None;
    }

    /// Records that `th` holds the GIL from `now` and runs from `runs_at` (later than `now`
    /// when it must first wake up).
    ///
    /// A take by another thread than the last holder is a switch for the waiters' cycles
    /// (CPython's `take_gil` bumps `switch_number` only when the taker is not `last_holder`):
    /// a thread taking it straight back after a short syscall does not restart them.
    pub fn take(&mut self, th: ThreadId, now: u64, runs_at: u64) {
        self.holder = Some(th);
        self.last_handover = now;
        self.holder_runs_at = runs_at;
        if self.last_holder != Some(th) {
            self.last_switch = now;
            self.previous_holder = self.last_holder;
            self.last_holder = Some(th);
        }
    }

    /// Removes and returns the waiter the OS wakes (see [`HandoverPolicy`]).
    pub fn pick_waiter(&mut self) -> Option<ThreadId> {
        if self.waiters.is_empty() {
            return None;
        }
        let r: f64 = self.rng.random();
        let previous = self
            .previous_holder
            .and_then(|p| self.waiters.iter().position(|&w| w == p));
        let i = match previous {
            Some(i) if r < self.policy.previous_holder => i,
            _ if r < self.policy.previous_holder + self.policy.longest_waiter => 0,
            _ => self.rng.random_range(0..self.waiters.len()),
        };
        self.wait_since.remove(i);
        Some(self.waiters.remove(i))
    }

    /// The thread that took the GIL last: with the GIL free, the one that let it go.
    pub fn last_holder(&self) -> Option<ThreadId> {
        self.last_holder
    }

    /// The thread that held the GIL before its holder took it (the one that handed it over,
    /// waking it), if another.
    pub fn handed_over_by(&self) -> Option<ThreadId> {
        self.previous_holder.filter(|&p| Some(p) != self.holder)
    }

    /// `th` starts waiting at `now`.
    pub fn push_waiter(&mut self, th: ThreadId, now: u64) {
        self.waiters.push(th);
        self.wait_since.push(now);
    }

    /// The waiter a `drop_gil` signal wakes, if any: the one that has slept longest in its
    /// current timed wait (glibc's condition variable and the futex under it wake in arrival
    /// order, and a waiter re-arrives at the end of each timed wait). Ties go to the first
    /// queued.
    pub fn signalled_waiter(&self, now: u64, interval: u64) -> Option<ThreadId> {
        let current_wait = |since: u64| since + (now.saturating_sub(since) / interval) * interval;
        let (i, _) = self
            .wait_since
            .iter()
            .enumerate()
            .min_by_key(|&(i, &since)| (current_wait(since), i))?;
        Some(self.waiters[i])
    }

    /// `th`, woken by a `drop_gil` signal, found the GIL taken (back by the thread that let
    /// go of it for a syscall, or by another that ran first) and starts a fresh timed wait at
    /// `now`: its switch-interval cycle restarts.
    pub fn restart_wait(&mut self, th: ThreadId, now: u64) {
        if let Some(i) = self.waiters.iter().position(|&w| w == th) {
            self.wait_since[i] = now;
        }
    }

    /// When a waiter will ask the holder to drop the GIL, as CPython's `take_gil` does: each
    /// waiter waits in cycles of the switch interval from when it started waiting (or was last
    /// woken in vain, [`Gil::restart_wait`]), and at the
    /// end of a cycle sets the drop request only if no hand-over happened during that cycle.
    /// So a waiter that started after the last hand-over asks one interval after it started;
    /// one that was already waiting asks at the end of its first full cycle after it.
    ///
    /// The cycles are timed from the hand-over, but the holder it went to sees a request only
    /// once it runs, and `take_gil` clears a request made before it took the GIL: a request
    /// takes effect no earlier than [`Gil::first_request`].
    pub fn next_drop_request(&self, interval: u64) -> Option<u64> {
        self.request_times(interval)
            .min()
            .map(|at| at.max(self.first_request(interval)))
    }

    /// The waiter whose timed wait makes [`Gil::next_drop_request`] (the first of equals).
    pub fn next_requester(&self, interval: u64) -> Option<ThreadId> {
        let (i, _) = self
            .request_times(interval)
            .enumerate()
            .min_by_key(|&(i, at)| (at, i))?;
        Some(self.waiters[i])
    }

    /// When each waiter's timed wait next ends with no hand-over in its cycle.
    fn request_times(&self, interval: u64) -> impl Iterator<Item = u64> + '_ {
        let last = self.last_switch;
        self.wait_since.iter().map(move |&since| {
            if since >= last {
                since + interval
            } else {
                let cycles = (last - since) / interval + 1;
                since + cycles * interval + interval
            }
        })
    }

    /// The earliest instant a drop request can reach the current holder: after it has run
    /// for the shorter of a switch interval and its wake-up latency. In CPython the thread
    /// forced off starts its own wait only once the new holder has taken the GIL, so the new
    /// holder always runs before it is asked to drop it; the model times the cycles from the
    /// hand-over instead, which only matters when the interval is within about twice the
    /// wake-up latency (at 5 ms and 105 us this bound never binds). Below the wake-up latency
    /// each holder runs one interval per hand-over and the hand-overs dominate, as in CPython.
    fn first_request(&self, interval: u64) -> u64 {
        let waking = self.holder_runs_at.saturating_sub(self.last_handover);
        self.holder_runs_at + interval.min(waking)
    }

    /// A draw in [0, 1) from this GIL's stream (for races decided by the OS).
    pub fn chance(&mut self) -> f64 {
        self.rng.random()
    }

    /// Arms a new switch timer at `at` (invalidating any pending one); returns its generation.
    pub fn arm(&mut self, at: u64) -> u32 {
        self.timer_gen = self.timer_gen.wrapping_add(1);
        self.armed_at = Some(at);
        self.timer_gen
    }

    /// Cancels the pending switch timer.
    pub fn disarm(&mut self) {
        self.timer_gen = self.timer_gen.wrapping_add(1);
        self.armed_at = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::RngStreams;
    use crate::model::ids::Id;

    const US: u64 = 1_000;

    /// A GIL held by thread 0 since t = 0, with thread 1 waiting since t = 0, handed to thread
    /// 1 at 1 ms; thread 1 runs after a 60 us wake-up and thread 0 waits again from 1 ms.
    fn handed_over() -> Gil {
        let policy = HandoverPolicy {
            previous_holder: 0.0,
            longest_waiter: 1.0,
        };
        let mut gil = Gil::new(RngStreams::new(1).stream("gil"), policy);
        let (t0, t1) = (ThreadId::from_index(0), ThreadId::from_index(1));
        gil.take(t0, 0, 0);
        gil.push_waiter(t1, 0);
        let now = 1_000 * US;
        assert_eq!(gil.pick_waiter(), Some(t1));
        gil.take(t1, now, now + 60 * US);
        gil.push_waiter(t0, now);
        gil
    }

    #[test]
    fn at_normal_intervals_requests_come_one_interval_after_the_hand_over() {
        assert_eq!(
            handed_over().next_drop_request(5_000 * US),
            Some(6_000 * US)
        );
    }

    #[test]
    fn a_holder_runs_before_a_request_can_reach_it() {
        let gil = handed_over();
        // Below the wake-up latency: one interval after the new holder began to run.
        assert_eq!(gil.next_drop_request(10 * US), Some(1_070 * US));
        // Between one and two latencies: one latency after it began to run.
        assert_eq!(gil.next_drop_request(100 * US), Some(1_120 * US));
        // From two latencies up, the request one interval after the hand-over comes later.
        assert_eq!(gil.next_drop_request(150 * US), Some(1_150 * US));
    }

    /// Thread 0 has waited since 0 and thread 2 since 3 ms: at 6 ms thread 0's current timed
    /// wait began at 5 ms (its first ran out at 5), thread 2's at 3 ms, so a release signals
    /// thread 2, the longest asleep; at 4 ms thread 0's first wait has not run out, so it is
    /// signalled.
    #[test]
    fn a_release_signals_the_waiter_longest_asleep_in_its_current_timed_wait() {
        let mut gil = handed_over();
        let (t0, t2) = (ThreadId::from_index(0), ThreadId::from_index(2));
        gil.waiters.clear();
        gil.wait_since.clear();
        gil.push_waiter(t0, 0);
        gil.push_waiter(t2, 3_000 * US);
        assert_eq!(gil.signalled_waiter(6_000 * US, 5_000 * US), Some(t2));
        assert_eq!(gil.signalled_waiter(4_000 * US, 5_000 * US), Some(t0));
    }

    /// Thread 0 waits from 1 ms; thread 2 takes the GIL at 3 ms, so thread 0's cycle straddles
    /// the take and it would ask at 11 ms. Signalled in vain at 4 ms, it waits afresh and asks
    /// at 9 ms.
    #[test]
    fn a_waiter_signalled_in_vain_asks_one_interval_after_the_signal() {
        let mut gil = handed_over();
        let (t0, t2) = (ThreadId::from_index(0), ThreadId::from_index(2));
        gil.take(t2, 3_000 * US, 3_000 * US);
        assert_eq!(gil.next_drop_request(5_000 * US), Some(11_000 * US));
        gil.restart_wait(t0, 4_000 * US);
        assert_eq!(gil.next_drop_request(5_000 * US), Some(9_000 * US));
    }

    /// CPython's `take_gil` bumps `switch_number` only for a new holder: thread 1 letting go
    /// for a syscall at 2 ms and taking the GIL straight back leaves thread 0's cycle (from
    /// 1 ms) alone, so it still asks at 6 ms, not one interval after the re-take.
    #[test]
    fn a_holder_taking_the_gil_back_does_not_restart_the_waiters_cycles() {
        let mut gil = handed_over();
        let t1 = ThreadId::from_index(1);
        gil.holder = None;
        gil.take(t1, 2_000 * US, 2_000 * US);
        assert_eq!(gil.next_drop_request(5_000 * US), Some(6_000 * US));
        // A new holder does restart them: thread 0's cycle then straddles it.
        let t2 = ThreadId::from_index(2);
        gil.take(t2, 3_000 * US, 3_000 * US);
        assert_eq!(gil.next_drop_request(5_000 * US), Some(11_000 * US));
    }
}
