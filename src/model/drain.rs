//! The end of a drain: a draining instance takes no new work and its running invocations get
//! `scale.drain_grace_s`; whatever still runs then is cut and the instance is shut down.
//!
//! The grace period's end is a periodic event (`DrainDeadline`): an instance that finished its
//! work earlier is already removed and the event does nothing; once the run is over it is
//! dropped unhandled, so it never keeps a finished run alive.
//!
//! Cutting an instance: every pending event of its processes, threads and start (bursts on its
//! cores, blocking calls, awaited I/O, GIL hand-overs, requests on their way to a receiver,
//! process starts) is taken out of the event queue, its threads leave its cores and go idle,
//! and each invocation on it ends:
//! - a request (HTTP or direct) fails at the cut with the reason [`FailReason::DrainCut`]
//!   (`failed:drain_cut`), and its closed-loop client, if any, sends its next request after
//!   its think time; an Event Hubs batch fails the same way and is not retried (its
//!   partition moves on, as after any failed batch);
//! - a storage-queue or Service Bus message was not completed, so it goes back to its queue
//!   through the front end's `lose_instance` (visible again when its lease or lock runs out)
//!   and is tried again: no row for the cut try, the message's last try gives its outcome,
//!   and the scaling summary counts it in `messages_returned`.

use super::event::Event;
use super::fleet::slot_of;
use super::ids::{IdVec, InstanceId, InvId, ProcessId, TaskId, ThreadId};
use super::instance::InstanceState;
use super::slab::Slab;
use super::state::{Activity, Inv, Task, Thread};
use super::worker::{Job, Process};
use super::world::World;
use crate::metrics::{FailReason, Outcome};

impl World {
    /// `instance` has begun draining: its grace period starts now.
    pub(super) fn start_drain_grace(&mut self, id: InstanceId) {
        if self.instances[id].state != InstanceState::Draining {
            return;
        }
        let grace = self.scale_rt().controller.config().drain_grace_ns;
        let at = self.now.saturating_add(grace);
        self.schedule_periodic(at, Event::DrainDeadline { instance: id });
    }

    /// The grace period of `instance` is over: if it still has work, that work is cut.
    pub(super) fn drain_deadline(&mut self, id: InstanceId) {
        if self.instances[id].state == InstanceState::Draining {
            self.cut_instance(id);
        }
    }

    /// Shuts `instance` down with everything still on it (see the module docs).
    fn cut_instance(&mut self, id: InstanceId) {
        let (threads, processes, tasks, invs) =
            (&self.threads, &self.processes, &self.tasks, &self.invs);
        self.queue
            .retain(|ev| owner(ev, threads, processes, tasks, invs) != Some(id));
        self.stop_threads_of(id);
        let mut on_instance: Vec<InvId> = self
            .invs
            .live_ids()
            .into_iter()
            .filter(|&inv| self.invocation_instance(inv) == Some(id))
            .collect();
        on_instance.extend(self.instances[id].take_waiting());
        on_instance.sort_by_key(|&inv| self.invs[inv].id);
        self.lose_messages_of(id);
        self.eventhubs_instance_gone(id);
        for inv in on_instance {
            self.cut_invocation(inv, id);
        }
        self.set_state(id, InstanceState::Removed);
        let inst = &mut self.instances[id];
        inst.in_flight = 0;
        let now = self.now;
        inst.queued.set(now, 0);
        inst.busy_threads.set(now, 0);
        self.note_existing(-1);
        self.recorder.usage.removed(id.index(), now);
    }

    /// The instance of the process `inv` was placed on, if it was placed.
    fn invocation_instance(&self, inv: InvId) -> Option<InstanceId> {
        self.invs[inv].process.map(|p| self.processes[p].instance)
    }

    /// The threads of `instance`'s processes leave its cores, let go of their GILs and go idle.
    fn stop_threads_of(&mut self, id: InstanceId) {
        for th in self.threads.ids() {
            if self.processes[self.threads[th].process].instance == id {
                self.stop_thread(th);
            }
        }
        for p in self.instances[id].processes.clone() {
            self.free_gil(p);
        }
        self.note_cpu_touched(id);
    }

    /// `th` leaves its core (if on one), lets go of the GIL, drops its job and goes idle.
    pub(super) fn stop_thread(&mut self, th: ThreadId) {
        let now = self.now;
        let p = self.threads[th].process;
        let id = self.processes[p].instance;
        if matches!(
            self.threads[th].activity,
            Activity::OnCpu { .. } | Activity::Rejoining
        ) {
            let core = self.threads[th].core;
            self.instances[id].cores.stop(core, now);
        }
        let t = &mut self.threads[th];
        t.holds_gil = false;
        if std::mem::replace(&mut t.busy, false) {
            self.instances[id].busy_threads.add(now, -1);
        }
        self.set_activity(th, Activity::Idle);
        let t = &mut self.threads[th];
        t.assign(Job::None, 0);
        t.pending_ns = 0;
    }

    /// The GIL of `p`, whose threads are stopped, is free with no waiter.
    pub(super) fn free_gil(&mut self, p: ProcessId) {
        let now = self.now;
        let pr = &mut self.processes[p];
        pr.gil.reset();
        pr.gil_held.set(now, 0);
        pr.gil_waiters.set(now, 0);
    }

    /// The queue and Service Bus messages `instance` holds go back to their queues.
    fn lose_messages_of(&mut self, id: InstanceId) {
        let now = self.now;
        let rt = self.scale_rt();
        let mut returned = 0;
        for q in rt.queues.fronts_mut() {
            returned += q.in_flight(slot_of(id)) as u64;
            q.lose_instance(now, slot_of(id));
        }
        rt.messages_returned += returned;
        self.servicebus_lose_instance(id);
    }

    /// `inv`, on `instance`, is cut: a request (or an Event Hubs batch, which is not retried)
    /// fails with [`FailReason::DrainCut`]; a queue or Service Bus message's try ends without
    /// a row (its message is back in its queue).
    fn cut_invocation(&mut self, inv: InvId, id: InstanceId) {
        let now = self.now;
        let func = self.invs[inv].func;
        self.forget_tasks_of(inv);
        let held = self.arrivals_held(inv);
        let rt = self.scale_rt();
        rt.func_in_flight[func] = rt.func_in_flight[func].saturating_sub(1);
        let message = rt.queues.forget(inv) || rt.servicebus.forget(inv);
        rt.http.forget(inv);
        self.note_answered(now, held);
        if !message {
            let settles = self.eventhubs_invocation_done(inv).unwrap_or(1);
            self.in_flight.add(now, -i64::from(settles));
            let i = &self.invs[inv];
            let (client, arrival) = (i.client, i.arrival);
            let cut = Outcome::Failed(FailReason::DrainCut);
            let row = i.record(Some(now), cut, Some(id), settles);
            self.recorder
                .code
                .add_in_flight(func.number(), now - arrival);
            self.recorder.finished(row);
            if let Some(client) = client {
                self.client_answered(func, client, now);
            }
        }
        self.invs.remove(inv);
    }

    /// Frees the tasks (body, branches, executor calls) of `inv`.
    pub(super) fn forget_tasks_of(&mut self, inv: InvId) {
        for task in self.tasks.live_ids() {
            if self.tasks[task].inv == inv {
                self.tasks.remove(task);
            }
        }
    }
}

/// The instance whose work `ev` is, if it is an instance's work (its start, its cores, or the
/// work of one of its processes: see [`process_owner`]).
fn owner(
    ev: &Event,
    threads: &IdVec<ThreadId, Thread>,
    processes: &IdVec<ProcessId, Process>,
    tasks: &Slab<TaskId, Task>,
    invs: &Slab<InvId, Inv>,
) -> Option<InstanceId> {
    match *ev {
        Event::CpuTick { instance } | Event::InstancePhase { instance } => Some(instance),
        _ => process_owner(ev, threads, tasks, invs).map(|p| processes[p].instance),
    }
}

/// The worker process whose work `ev` is, if it is one's: its start, its threads' blocking
/// calls, wake-ups and GIL hand-overs, awaited I/O of its invocations' tasks, or a request on
/// its way to it.
pub(super) fn process_owner(
    ev: &Event,
    threads: &IdVec<ThreadId, Thread>,
    tasks: &Slab<TaskId, Task>,
    invs: &Slab<InvId, Inv>,
) -> Option<ProcessId> {
    match *ev {
        Event::SleepDone { thread }
        | Event::AwakeAfterSleep { thread }
        | Event::GilGranted { thread } => Some(threads[thread].process),
        Event::GilSwitch { process, .. } | Event::ProcessReady { process } => Some(process),
        Event::Deliver { inv } => invs[inv].process,
        Event::AwaitDone { task } => invs[tasks[task].inv].process,
        _ => None,
    }
}
