//! Turns thread activity changes and task lives into the recorder's per-thread stretches and
//! task spans ([`crate::metrics::thread_states`]), when the run records them. Each thread has
//! one open stretch; it ends when what the thread does (its state, invocation, task, or
//! whether it blocks its loop) changes.

use super::ids::{Id, ProcessId, TaskId, ThreadId};
use super::state::{Activity, Role};
use super::worker::Job;
use super::world::World;
use crate::metrics::thread_states::{
    StateRow, StretchWork, TaskKind, TaskRow, ThreadName, ThreadPlace, ThreadState,
};

/// The open stretches and the live tasks' numbers.
#[derive(Debug, Default)]
pub(super) struct ThreadLog {
    /// Per thread (by index): what it does since when, while not idle.
    open: Vec<Option<(StretchWork, u64)>>,
    /// Per task slot: the live task's span so far.
    tasks: Vec<Option<TaskRow>>,
    next_task: u64,
}

impl World {
    /// `th`'s activity or job may have changed: ends its open stretch if what it does changed,
    /// and opens the next one.
    pub(super) fn log_thread(&mut self, th: ThreadId) {
        let now = self.now;
        if self
            .recorder
            .states
            .as_ref()
            .is_none_or(|s| s.over_after(now))
        {
            return;
        }
        let work = self.stretch_work(th);
        let Some(log) = self.thread_log.as_deref_mut() else {
            return;
        };
        let i = th.index();
        if log.open.len() <= i {
            log.open.resize(i + 1, None);
        }
        match log.open[i] {
            Some((open, _)) if Some(open) == work => return,
            Some((open, since)) => {
                let place = self.thread_place(th);
                self.recorder_state(place, open, since, now);
            }
            None => {}
        }
        if let Some(log) = self.thread_log.as_deref_mut() {
            log.open[i] = work.map(|w| (w, now));
        }
    }

    fn recorder_state(&mut self, place: ThreadPlace, work: StretchWork, start: u64, end: u64) {
        if let Some(states) = self.recorder.states.as_mut() {
            states.state(StateRow {
                place,
                work,
                start,
                end,
            });
        }
    }

    /// What `th` does now, as a stretch (None: idle).
    fn stretch_work(&self, th: ThreadId) -> Option<StretchWork> {
        let t = &self.threads[th];
        let state = match t.activity {
            Activity::Idle | Activity::Woken => return None,
            Activity::WaitGil | Activity::Waking | Activity::Rejoining => ThreadState::GilWait,
            Activity::OnCpu { gil: true } => ThreadState::Python,
            Activity::OnCpu { gil: false } => ThreadState::Native,
            Activity::Blocked => ThreadState::Io,
        };
        let (inv, task) = match t.job {
            Job::Receive(inv) | Job::Dispatch(inv) | Job::Complete(inv) | Job::Respond(inv) => {
                (Some(inv), None)
            }
            Job::Step(task) | Job::Run(task) => (Some(self.tasks[task].inv), Some(task)),
            Job::None | Job::Poll | Job::Notify => (None, None),
        };
        let inv = inv.filter(|i| self.invs.contains(*i));
        let log = self.thread_log.as_deref()?;
        Some(StretchWork {
            state,
            function: inv.map(|i| self.invs[i].func.number()),
            invocation: inv.map(|i| self.invs[i].id),
            task: task.and_then(|k| log.tasks.get(k.index()).copied().flatten().map(|r| r.task)),
            blocks_loop: t.role == Role::Loop && self.processes[t.process].loop_in_user_code,
        })
    }

    fn thread_place(&self, th: ThreadId) -> ThreadPlace {
        let t = &self.threads[th];
        ThreadPlace {
            instance: self.processes[t.process].instance.index() as u32,
            process: t.process.index() as u32,
            thread: match t.role {
                Role::Receiver => ThreadName::Receiver,
                Role::Loop => ThreadName::Loop,
                Role::Sender => ThreadName::Sender,
                Role::Pool(n) => ThreadName::Pool(n),
                Role::Executor(n) => ThreadName::Executor(n),
            },
        }
    }

    /// `task`, a `kind`, was created on process `p`: it gets the next run-wide number.
    pub(super) fn log_task_created(&mut self, task: TaskId, p: ProcessId, kind: TaskKind) {
        if self
            .recorder
            .states
            .as_ref()
            .is_none_or(|s| s.over_after(self.now))
        {
            return;
        }
        let instance = self.processes[p].instance.index() as u32;
        let tk = self.tasks[task];
        let inv = &self.invs[tk.inv];
        let (invocation, function) = (inv.id, inv.func.number());
        let now = self.now;
        let Some(log) = self.thread_log.as_deref_mut() else {
            return;
        };
        let parent = tk
            .parent
            .and_then(|pt| log.tasks.get(pt.index()).copied().flatten())
            .map(|r| r.task);
        let i = task.index();
        if log.tasks.len() <= i {
            log.tasks.resize(i + 1, None);
        }
        log.tasks[i] = Some(TaskRow {
            task: log.next_task,
            parent,
            invocation,
            function,
            instance,
            process: p.index() as u32,
            kind,
            start: now,
            end: now,
        });
        log.next_task += 1;
    }

    /// `task` ran its last step (or the run ended with it alive): its span is written.
    pub(super) fn log_task_ended(&mut self, task: TaskId) {
        let now = self.now;
        let Some(log) = self.thread_log.as_deref_mut() else {
            return;
        };
        let Some(mut row) = log.tasks.get_mut(task.index()).and_then(Option::take) else {
            return;
        };
        row.end = now;
        if let Some(states) = self.recorder.states.as_mut() {
            states.task(row);
        }
    }

    /// The run is over: the open stretches and the live tasks end now.
    pub(super) fn close_thread_log(&mut self) {
        let Some(log) = self.thread_log.take() else {
            return;
        };
        let now = self.now;
        for (i, open) in log.open.iter().enumerate() {
            if let Some((work, since)) = open {
                let place = self.thread_place(ThreadId::from_index(i));
                self.recorder_state(place, *work, *since, now);
            }
        }
        let Some(states) = self.recorder.states.as_mut() else {
            return;
        };
        for mut row in log.tasks.into_iter().flatten() {
            row.end = now;
            states.task(row);
        }
    }
}
