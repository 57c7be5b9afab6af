//! Which function each thread's time goes to: a thread works for the invocation its job
//! carries (reading its request, converting its bindings, running its body or one of its
//! coroutine steps, branches or executor calls, writing its response). Each stretch of a
//! thread's time, from one change of its activity or job to the next, that holds the GIL,
//! waits for it or blocks the event loop goes to that invocation's function in the recorder.
//! The loop's rounds, self-pipe writes and the look for more work belong to no function.

use super::ids::ThreadId;
use super::state::{Activity, Role};
use super::worker::Job;
use super::world::World;
use crate::metrics::{Slot, Use};

impl World {
    /// Ends `th`'s current stretch now, adding it where it was going, and starts the next one,
    /// in activity `a` (the thread's own, passed in so that callers' constants fold), with the
    /// thread's job and loop state as they are now.
    #[inline(always)]
    pub(super) fn restart_stretch(&mut self, th: ThreadId, a: Activity) {
        let World {
            now,
            threads,
            processes,
            tasks,
            invs,
            recorder,
            free_threaded,
            ..
        } = self;
        let t = &mut threads[th];
        if t.slot != Slot::NONE {
            recorder.code.add(t.slot, *now - t.since);
        }
        let u = match a {
            Activity::Idle | Activity::Woken => {
                t.slot = Slot::NONE;
                return;
            }
            Activity::WaitGil | Activity::Rejoining => Use::WaitsForGil,
            Activity::Waking => Use::HoldsGil,
            Activity::OnCpu { gil: true } if !*free_threaded => Use::HoldsGil,
            Activity::OnCpu { .. } | Activity::Blocked => Use::Other,
        };
        let blocks_loop = t.role == Role::Loop && processes[t.process].loop_in_user_code;
        if u == Use::Other && !blocks_loop {
            t.slot = Slot::NONE;
            return;
        }
        if !t.code_known {
            t.code_known = true;
            t.code = match t.job {
                Job::Receive(inv) | Job::Dispatch(inv) | Job::Complete(inv) | Job::Respond(inv) => {
                    Some(invs[inv].func)
                }
                Job::Step(task) | Job::Run(task) => Some(invs[tasks[task].inv].func),
                Job::None | Job::Poll | Job::Notify => None,
            };
        }
        t.slot = t
            .code
            .map_or(Slot::NONE, |f| Slot::new(f.number(), u, blocks_loop));
        t.since = *now;
    }

    /// Ends every thread's current stretch at the end of the run.
    pub(super) fn attribute_open_stretches(&mut self) {
        for th in self.threads.ids() {
            let a = self.threads[th].activity;
            self.restart_stretch(th, a);
        }
    }
}
