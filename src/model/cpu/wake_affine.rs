//! Wake-affine placement under [`Placement::HomeCpu`](crate::config::Placement::HomeCpu): how
//! often Linux runs a thread woken by another thread of its process beside its waker instead
//! of on the CPU it last ran on.
//!
//! The kernel weighs the two CPUs' loads with the woken thread's own (`wake_affine_weight`):
//! a thread that runs function bodies carries a high load and stays on its last CPU, a thread
//! of the dispatch path (receiver, event loop, sender) carries almost none and follows its
//! waker far more often. The chances below are read from three `perf sched` records by
//! `notebooks/harness/sched_wake_cpu.py` (the 2 x 3 CPU Poisson case at rho 0.8, the 2 x
//! default case at rho 0.65, `notebooks/measurements/sched-wakers-2026-12-04`, and the 2 x 6
//! burst, `notebooks/measurements/sched-burst-2026-12-04`): of the wake-ups of a thread by a
//! thread of its own process running on another CPU than the woken one's last, the part run
//! on the waker's CPU within 0.2 ms, by the two threads' kinds and by whether that last CPU was
//! busy or idle. A body thread's wake-up by a body thread counts only GIL hand-overs (the woken
//! thread then runs 0.5 ms or more) in [`waker_cpu_chance`]; the brief wake-ups around them (a
//! GIL waiter signalled in vain, which runs a moment and waits again) follow their waker more
//! often and are placed by [`brief_waker_cpu_chance`], from five records. Over a burst, those
//! moments gather each process's pool threads on one CPU, as the records of
//! `notebooks/measurements/sched-burst-2026-12-06` show.

use super::super::ids::CoreSlot;

/// What a worker's thread does, which sets how its wake-ups are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadKind {
    /// A thread-pool or executor thread: it runs function bodies.
    Body,
    /// The dispatch path: the receiver, the event loop, the sender.
    Dispatch,
}

/// A wake-up whose waker is known (a GIL hand-over): the waker's seat and both threads' kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WokenBy {
    /// The waker's seat on the cores.
    pub waker: CoreSlot,
    /// What the waker does.
    pub waker_kind: ThreadKind,
    /// What the woken thread does.
    pub wakee_kind: ThreadKind,
}

/// A measured share: placed beside the waker `placed` times of `of`.
#[derive(Debug, Clone, Copy)]
struct Share {
    placed: u32,
    of: u32,
}

impl Share {
    fn chance(self) -> f64 {
        f64::from(self.placed) / f64::from(self.of)
    }
}

/// (last CPU busy, last CPU idle) for each (waker kind, wakee kind), pooled over the three
/// records (per record in `notebooks/measurements/sched-wakers-2026-12-04/README.md`).
const BODY_BY_BODY: (Share, Share) = (Share { placed: 6, of: 62 }, Share { placed: 11, of: 71 });
const BODY_BY_DISPATCH: (Share, Share) = (
    Share {
        placed: 16,
        of: 306,
    },
    Share {
        placed: 11,
        of: 740,
    },
);
const DISPATCH_BY_BODY: (Share, Share) = (
    Share {
        placed: 110,
        of: 410,
    },
    Share {
        placed: 25,
        of: 135,
    },
);
const DISPATCH_BY_DISPATCH: (Share, Share) = (
    Share {
        placed: 60,
        of: 369,
    },
    Share {
        placed: 39,
        of: 315,
    },
);

/// (last CPU busy, last CPU idle) for a body thread woken only a moment by a body thread of
/// its process on another CPU (a GIL waiter signalled in vain: it wakes, finds the GIL held and
/// waits again), pooled over five `perf sched` records read by
/// `notebooks/harness/sched_wake_cpu.py` ("brief"): the two Poisson records of
/// `notebooks/measurements/sched-wakers-2026-12-04` (11 of 50, 2 of 40; 32 of 143, 4 of 111)
/// and the 2 x 6 bursts of `notebooks/measurements/sched-burst-2026-12-04` (7 of 31, 0 of 17)
/// and `sched-burst-2026-12-06` (5 of 18, 9 of 27; 6 of 12, 10 of 21; 7 of 25, 6 of 29).
const BRIEF_BODY_BY_BODY: (Share, Share) = (
    Share {
        placed: 68,
        of: 279,
    },
    Share {
        placed: 31,
        of: 245,
    },
);

/// The chance that a body thread woken a moment by a body thread of its process (`by`) runs
/// it on its waker's CPU, its own last CPU busy or idle; none for other kinds (not measured).
pub(super) fn brief_waker_cpu_chance(by: &WokenBy, last_busy: bool) -> f64 {
    if (by.waker_kind, by.wakee_kind) != (ThreadKind::Body, ThreadKind::Body) {
        return 0.0;
    }
    let (busy, idle) = BRIEF_BODY_BY_BODY;
    if last_busy {
        busy.chance()
    } else {
        idle.chance()
    }
}

/// The chance that a thread woken as `by` says runs on its waker's CPU, its own last CPU
/// being busy (`last_busy`) or idle.
pub(super) fn waker_cpu_chance(by: &WokenBy, last_busy: bool) -> f64 {
    let (busy, idle) = match (by.waker_kind, by.wakee_kind) {
        (ThreadKind::Body, ThreadKind::Body) => BODY_BY_BODY,
        (ThreadKind::Dispatch, ThreadKind::Body) => BODY_BY_DISPATCH,
        (ThreadKind::Body, ThreadKind::Dispatch) => DISPATCH_BY_BODY,
        (ThreadKind::Dispatch, ThreadKind::Dispatch) => DISPATCH_BY_DISPATCH,
    };
    if last_busy {
        busy.chance()
    } else {
        idle.chance()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by(waker_kind: ThreadKind, wakee_kind: ThreadKind) -> WokenBy {
        WokenBy {
            waker: CoreSlot::HOST,
            waker_kind,
            wakee_kind,
        }
    }

    #[test]
    fn dispatch_threads_follow_their_waker_more_often_than_body_threads() {
        use ThreadKind::{Body, Dispatch};
        for busy in [true, false] {
            let body = waker_cpu_chance(&by(Body, Body), busy);
            let dispatch = waker_cpu_chance(&by(Body, Dispatch), busy);
            assert!(dispatch > body, "busy {busy}: {dispatch} vs {body}");
        }
        // A body thread woken by the dispatch path almost never moves to it.
        assert!(waker_cpu_chance(&by(Dispatch, Body), false) < 0.02);
        assert!((waker_cpu_chance(&by(Body, Body), true) - 6.0 / 62.0).abs() < 1e-12);
    }

    #[test]
    fn a_waiter_signalled_in_vain_on_a_busy_cpu_follows_its_waker_more_than_one_handed_the_gil() {
        use ThreadKind::{Body, Dispatch};
        // With its own CPU busy: 68 of 279 moments against 6 of 62 hand-overs. With it idle
        // the two are alike (31 of 245 against 11 of 71).
        let brief = brief_waker_cpu_chance(&by(Body, Body), true);
        assert!((brief - 68.0 / 279.0).abs() < 1e-12);
        assert!(brief > 2.0 * waker_cpu_chance(&by(Body, Body), true));
        assert!(brief > brief_waker_cpu_chance(&by(Body, Body), false));
        // The dispatch path's moments were not measured, so they are not placed.
        for (waker, wakee) in [(Body, Dispatch), (Dispatch, Body), (Dispatch, Dispatch)] {
            assert_eq!(brief_waker_cpu_chance(&by(waker, wakee), true), 0.0);
        }
    }
}
