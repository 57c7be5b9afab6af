//! The GIL of one process: who holds it, who waits, and the switch-interval timer.
//!
//! CPython (3.2+ "new GIL"): a thread that wants the GIL waits on a condition variable for the
//! switch interval (5 ms); if no hand-over happened meanwhile it sets a drop request, and the
//! holder releases the GIL at its next check and waits until another thread has taken it.
//! Blocking I/O and GIL-releasing C code drop it voluntarily. Which waiter wins is up to the OS
//! (the condition variable wakes an arbitrary one), so the winner here is drawn at random from
//! the waiters: this is what puts CPU-bound thread pools between FIFO and fair sharing, as the
//! ground truth measures, and what makes a thread returning from I/O wait several intervals
//! behind CPU-bound threads (the convoy effect).

use super::event::ThreadId;
use crate::kernel::SimRng;
use rand::Rng;

/// State of one GIL.
#[derive(Debug)]
pub struct Gil {
    /// The thread holding it (including one woken to take it and not yet running).
    pub holder: Option<ThreadId>,
    /// Threads waiting for it, in arrival order.
    pub waiters: Vec<ThreadId>,
    /// Generation of the armed switch timer; a timer event with another generation is stale.
    pub timer_gen: u32,
    /// A switch timer is pending.
    pub timer_armed: bool,
    rng: SimRng,
}

impl Gil {
    /// A free GIL drawing its hand-over choices from `rng`.
    pub fn new(rng: SimRng) -> Gil {
        Gil {
            holder: None,
            waiters: Vec::new(),
            timer_gen: 0,
            timer_armed: false,
            rng,
        }
    }

    /// Removes and returns the waiter the OS wakes: any of them, with equal chance.
    pub fn pick_waiter(&mut self) -> Option<ThreadId> {
        if self.waiters.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..self.waiters.len());
        Some(self.waiters.swap_remove(i))
    }

    /// Arms a new switch timer (invalidating any pending one) and returns its generation.
    pub fn arm(&mut self) -> u32 {
        self.timer_gen = self.timer_gen.wrapping_add(1);
        self.timer_armed = true;
        self.timer_gen
    }

    /// Cancels the pending switch timer.
    pub fn disarm(&mut self) {
        self.timer_gen = self.timer_gen.wrapping_add(1);
        self.timer_armed = false;
    }
}
