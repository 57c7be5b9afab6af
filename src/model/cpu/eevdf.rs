//! One CPU's run queue as Linux's EEVDF scheduler keeps it: each thread's *lag*, the CPU time
//! it is owed, and which thread runs next.
//!
//! All threads have the same weight (nice 0), so the CPU's virtual time V is the mean of its
//! members' virtual runtimes and a member's lag is V minus its own: a member waiting for the
//! CPU gains lag, the one running loses it, and the lags of a CPU's members add up to zero.
//! A member is *eligible* when its lag is not negative; among the eligible the earliest virtual
//! deadline runs, a deadline being where its current request (one base slice) ends
//! (`pick`). A thread that goes to sleep owing nothing (lag >= 0) leaves with its lag, which it
//! brings back when it wakes (PLACE_LAG); one that has run ahead (lag < 0) stays counted,
//! asleep, until it has caught up (DELAY_DEQUEUE), its lag then cleared (DELAY_ZERO). A thread
//! alone on its CPU has lag zero. This is the kernel's rule for the measured VM's Linux 6.18
//! (`kernel/sched/fair.c`: `place_entity`, `pick_eevdf`, `update_entity_lag`).

use super::super::ids::CoreSlot;

/// What a member of a CPU's run queue is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Standing {
    /// On the CPU (alone, or time-sharing it).
    Running,
    /// Runnable and waiting for the CPU, with the work left of its burst, ns.
    Waiting(u64),
    /// Asleep, still counted until its negative lag has caught up (delayed dequeue).
    Delayed,
    /// Woken only to run a moment and sleep again (a timed wait for a GIL), waiting for the
    /// CPU to do so.
    Briefly,
}

/// One thread on a CPU's run queue.
#[derive(Debug, Clone, Copy)]
struct Member {
    slot: CoreSlot,
    /// V minus its virtual runtime, ns (nice 0: virtual ns are CPU ns).
    lag: f64,
    standing: Standing,
    /// When it last started waiting for the CPU.
    waiting_since: u64,
}

/// A CPU's run queue: its members and their lags.
#[derive(Debug, Clone, Default)]
pub(super) struct CpuQueue {
    members: Vec<Member>,
    /// When the lags were last brought up to date.
    at: u64,
}

impl CpuQueue {
    /// Brings the lags up to `now`: over the time since, `sharers` threads (members running
    /// and the host's, which is no member) shared the CPU equally.
    pub(super) fn advance(&mut self, now: u64, sharers: usize) {
        let dt = now.saturating_sub(self.at) as f64;
        self.at = now;
        if dt == 0.0 || sharers == 0 || self.members.is_empty() {
            return;
        }
        let share = dt / sharers as f64;
        let running = self.count(|s| s == Standing::Running) as f64;
        let v_step = running * share / self.members.len() as f64;
        for m in self.members.iter_mut() {
            m.lag += v_step;
            if m.standing == Standing::Running {
                m.lag -= share;
            }
        }
        self.drop_caught_up();
    }

    /// Delayed sleepers that have caught up leave. The kernel dequeues one when it would be
    /// picked, at lag zero (DELAY_ZERO); whatever it gained past zero between two updates
    /// goes back to the others, so that the lags still add up to zero.
    fn drop_caught_up(&mut self) {
        while let Some(m) = self
            .members
            .iter()
            .find(|m| m.standing == Standing::Delayed && m.lag >= 0.0)
        {
            let slot = m.slot;
            self.remove(slot);
        }
    }

    fn count(&self, f: impl Fn(Standing) -> bool) -> usize {
        self.members.iter().filter(|m| f(m.standing)).count()
    }

    fn position(&self, slot: CoreSlot) -> Option<usize> {
        self.members.iter().position(|m| m.slot == slot)
    }

    /// Whether `slot` is a member.
    pub(super) fn holds(&self, slot: CoreSlot) -> bool {
        self.position(slot).is_some()
    }

    /// What `slot` is doing here, if it is a member.
    pub(super) fn standing(&self, slot: CoreSlot) -> Option<Standing> {
        self.position(slot).map(|i| self.members[i].standing)
    }

    /// `slot`'s lag, if it is a member.
    pub(super) fn lag(&self, slot: CoreSlot) -> Option<f64> {
        self.position(slot).map(|i| self.members[i].lag)
    }

    /// Sets what member `slot` is doing (it must be one).
    pub(super) fn set(&mut self, slot: CoreSlot, standing: Standing) {
        if let Some(i) = self.position(slot) {
            self.members[i].standing = standing;
        }
    }

    /// Member `slot`, switched out of the CPU at `now`, waits for it.
    pub(super) fn switched_out(&mut self, slot: CoreSlot, now: u64) {
        if let Some(i) = self.position(slot) {
            self.members[i].standing = Standing::Waiting(0);
            self.members[i].waiting_since = now;
        }
    }

    /// The member that has waited longest, if any waits, but those in `skip` (threads
    /// switched out this instant, whose work left is not yet known here).
    pub(super) fn longest_waiting(&self, skip: &[CoreSlot]) -> Option<CoreSlot> {
        self.members
            .iter()
            .filter(|m| matches!(m.standing, Standing::Waiting(_)) && !skip.contains(&m.slot))
            .min_by_key(|m| m.waiting_since)
            .map(|m| m.slot)
    }

    /// `slot` joins with the lag it brings: the others' lags move so that V stays their mean
    /// (with no one else here its lag is zero). A delayed member is already here: it only
    /// changes its standing.
    pub(super) fn join(&mut self, slot: CoreSlot, lag: f64, standing: Standing) {
        if let Some(i) = self.position(slot) {
            self.members[i].standing = standing;
            return;
        }
        let n = self.members.len();
        let lag = if n == 0 { 0.0 } else { lag };
        for m in self.members.iter_mut() {
            m.lag -= lag / n as f64;
        }
        self.members.push(Member {
            slot,
            lag,
            standing,
            waiting_since: self.at,
        });
    }

    /// `slot` leaves, for good or to another CPU: returns the lag it takes along.
    pub(super) fn remove(&mut self, slot: CoreSlot) -> f64 {
        let Some(i) = self.position(slot) else {
            return 0.0;
        };
        let lag = self.members.remove(i).lag;
        let n = self.members.len();
        if n > 0 {
            for m in self.members.iter_mut() {
                m.lag += lag / n as f64;
            }
        }
        lag
    }

    /// `slot` goes to sleep: it leaves with its lag (returned) if it owes nothing, else it
    /// stays counted as delayed and leaves nothing to bank (None).
    pub(super) fn sleep(&mut self, slot: CoreSlot) -> Option<f64> {
        let i = self.position(slot)?;
        if self.members[i].lag < 0.0 {
            self.members[i].standing = Standing::Delayed;
            return None;
        }
        Some(self.remove(slot))
    }

    /// Whether any member waits for the CPU.
    pub(super) fn any_waiting(&self) -> bool {
        self.members
            .iter()
            .any(|m| matches!(m.standing, Standing::Waiting(_) | Standing::Briefly))
    }

    /// The member to run next (EEVDF): among the eligible (lag >= 0) waiting members and the
    /// running `head`, the earliest virtual deadline. A waiting member's deadline is a base
    /// slice `slice_ns` past its virtual runtime, the head's `head_left_ns` of its current
    /// slice away: relative to V, `slice - lag` and `head_left - lag`. The head wins only with
    /// a strictly earlier deadline, the first to wait among equals. With no one eligible (a
    /// moment's rounding), the largest lag.
    pub(super) fn pick(
        &self,
        head: Option<CoreSlot>,
        head_left_ns: u64,
        slice_ns: u64,
    ) -> Option<CoreSlot> {
        let waiting = self
            .members
            .iter()
            .filter(|m| matches!(m.standing, Standing::Waiting(_) | Standing::Briefly));
        let deadline = |m: &Member, left: u64| left as f64 - m.lag;
        let earliest = waiting
            .clone()
            .filter(|m| m.lag >= 0.0)
            .min_by(|a, b| deadline(a, slice_ns).total_cmp(&deadline(b, slice_ns)));
        let head = head.and_then(|h| self.members.iter().find(|m| m.slot == h));
        let eligible_head = head.filter(|h| h.lag >= 0.0);
        let chosen = match (earliest, eligible_head) {
            (Some(w), Some(h)) if deadline(h, head_left_ns) < deadline(w, slice_ns) => h,
            (Some(w), _) => w,
            (None, Some(h)) => h,
            (None, None) => waiting.chain(head).max_by(|a, b| a.lag.total_cmp(&b.lag))?,
        };
        Some(chosen.slot)
    }

    /// The work a waiting member has left, if `slot` waits here.
    pub(super) fn waiting_work(&self, slot: CoreSlot) -> Option<u64> {
        match self.standing(slot)? {
            Standing::Waiting(work) => Some(work),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ids::Id;

    const A: CoreSlot = CoreSlot::HOST; // any two distinct seats
    fn b() -> CoreSlot {
        CoreSlot::from_index(1)
    }
    const SLICE: u64 = 1_400_000;

    /// A CPU where A runs and B, bringing `b_lag`, waits for it.
    fn a_running_b_waiting(b_lag: f64) -> CpuQueue {
        let mut q = CpuQueue::default();
        q.join(A, 0.0, Standing::Running);
        q.join(b(), b_lag, Standing::Waiting(10));
        q
    }

    #[test]
    fn a_thread_alone_owes_and_is_owed_nothing() {
        let mut q = CpuQueue::default();
        q.join(A, 5_000.0, Standing::Running);
        q.advance(1_000_000, 1);
        assert_eq!(q.lag(A), Some(0.0));
    }

    #[test]
    fn a_waiting_thread_gains_half_the_time_on_a_cpu_of_two() {
        let mut q = a_running_b_waiting(0.0);
        q.advance(1_000_000, 1);
        assert_eq!(q.lag(b()), Some(500_000.0));
        assert_eq!(q.lag(A), Some(-500_000.0), "the lags add up to zero");
    }

    #[test]
    fn a_thread_woken_with_lag_makes_the_running_one_ineligible() {
        let q = a_running_b_waiting(200_000.0);
        assert_eq!(q.lag(A), Some(-200_000.0));
        assert_eq!(q.pick(Some(A), 0, SLICE), Some(b()));
    }

    #[test]
    fn a_thread_woken_owing_nothing_waits_for_the_running_one_s_deadline() {
        let mut q = a_running_b_waiting(0.0);
        assert_eq!(q.pick(Some(A), 300_000, SLICE), Some(A));
        q.advance(300_000, 1);
        // At A's deadline B is owed 150 us and A has run 150 us ahead: B runs.
        assert_eq!(q.pick(Some(A), SLICE, SLICE), Some(b()));
    }

    #[test]
    fn a_sleeper_that_ran_ahead_stays_counted_until_it_has_caught_up() {
        let mut q = CpuQueue::default();
        q.join(A, 0.0, Standing::Waiting(10));
        q.join(b(), 0.0, Standing::Running);
        q.advance(400_000, 1);
        assert_eq!(q.sleep(b()), None, "B ran 200 us ahead");
        q.set(A, Standing::Running);
        q.advance(600_000, 1);
        assert!(q.holds(b()), "200 us later it is 100 us behind still");
        q.advance(800_000, 1);
        assert!(!q.holds(b()), "400 us later it has caught up and left");
        assert_eq!(q.lag(A), Some(0.0));
    }

    #[test]
    fn a_sleeper_owed_time_takes_its_lag_along() {
        let mut q = a_running_b_waiting(0.0);
        q.advance(400_000, 1);
        assert_eq!(q.sleep(b()), Some(200_000.0));
        assert_eq!(q.lag(A), Some(0.0));
    }
}
