//! The program interpreter: starting a body, running a program's steps on the thread that
//! runs it (a coroutine on the loop, or sync code on a pool thread), gathers and
//! run_in_executor as child tasks, and what happens when a program ends.

use super::event::Event;
use super::ids::{InvId, ProcessId, ProgId, TaskId, ThreadId};
use super::pools::Executor;
use super::program::Instr;
use super::state::{Role, Task};
use super::threads::Op;
use super::worker::Job;
use super::world::World;
use crate::config::FunctionKind;
use crate::metrics::thread_states::TaskKind;
use crate::metrics::ThreadLabel;

impl World {
    /// The loop has converted the request: start the body as a task (`async def`) or submit it
    /// to the thread pool (`def`, via run_in_executor).
    pub(super) fn start_body(&mut self, p: ProcessId, inv: InvId) {
        let f = self.invs[inv].func;
        let task = self.tasks.insert(Task {
            inv,
            prog: self.functions[f].root,
            pc: 0,
            parent: None,
            pending: 0,
            root: true,
            started: false,
            launched: false,
            reacquire: false,
        });
        if self.thread_log.is_some() {
            self.log_task_created(task, p, TaskKind::Body);
        }
        match self.functions[f].kind {
            FunctionKind::Sync => self.submit(p, Executor::FunctionPool, task),
            FunctionKind::Async => self.post_to_loop(p, Job::Step(task)),
        }
    }

    /// The next op of a program: a body, a gather branch or an executor call.
    pub(super) fn task_op(&mut self, th: ThreadId, task: TaskId, coroutine: bool) -> Op {
        let now = self.now;
        let tk = &mut self.tasks[task];
        if tk.reacquire {
            tk.reacquire = false;
            return Op::Python(0);
        }
        let (inv, prog, pc) = (tk.inv, tk.prog, tk.pc as usize);
        if coroutine && !tk.launched {
            // create_task + the task's first __step, on the loop.
            tk.launched = true;
            let p = self.process_of(inv);
            return Op::Python(self.cost(p, self.costs.task_start_ns));
        }
        if !tk.started {
            if !(self.threads[th].holds_gil || self.free_threaded) {
                return Op::Python(0);
            }
            tk.started = true;
            if tk.root {
                let label = match self.threads[th].role {
                    Role::Pool(n) | Role::Executor(n) => ThreadLabel::Pool(
                        u16::try_from(n)
                            .expect("a pool has at most 4096 threads (limits::THREADS)"),
                    ),
                    _ => ThreadLabel::Loop,
                };
                let p = self.process_of(inv);
                let cold = !std::mem::replace(&mut self.processes[p].ran_a_body, true);
                let i = &mut self.invs[inv];
                i.start = Some(now);
                i.thread = Some(label);
                i.cold = cold;
                self.instance_of(p).queued.add(now, -1);
                self.memory_body_started(inv);
            }
        }
        let p = self.process_of(inv);
        let instrs = self.programs.instrs(prog);
        if pc == instrs.len() {
            return self.task_end(th, task, coroutine);
        }
        self.tasks[task].pc += 1;
        let recorded = self.recorded_ns.get(inv.index()).copied().unwrap_or(0);
        let rng = &mut self.invs[inv].rng;
        let slack = self.costs.timer_slack_ns;
        match &instrs[pc] {
            Instr::Cpu(d) => Op::Python(d.sample_for(rng, recorded)),
            Instr::Native(d) => Op::Native(d.sample_for(rng, recorded)),
            Instr::Blocking(d) => {
                let ns = d.sample_for(rng, recorded);
                self.tasks[task].reacquire = true;
                Op::Block(ns.saturating_add(slack))
            }
            Instr::Await(d) => {
                let ns = d.sample_for(rng, recorded);
                self.push(
                    now.saturating_add(ns).saturating_add(slack),
                    Event::AwaitDone { task },
                );
                Op::Yield
            }
            Instr::Gather(branches) => {
                let branches = branches.clone();
                self.tasks[task].pending = branches.len() as u32;
                for b in branches {
                    let child = self.child_task(task, inv, b, TaskKind::Branch);
                    self.post_to_loop(p, Job::Step(child));
                }
                Op::Yield
            }
            Instr::Executor(sub) => {
                let sub = *sub;
                self.tasks[task].pending = 1;
                let child = self.child_task(task, inv, sub, TaskKind::Executor);
                self.submit(p, Executor::Default, child);
                Op::Yield
            }
        }
    }

    fn child_task(&mut self, parent: TaskId, inv: InvId, prog: ProgId, kind: TaskKind) -> TaskId {
        let child = self.tasks.insert(Task {
            inv,
            prog,
            pc: 0,
            parent: Some(parent),
            pending: 0,
            root: false,
            started: false,
            launched: false,
            reacquire: false,
        });
        if self.thread_log.is_some() {
            let p = self.process_of(inv);
            self.log_task_created(child, p, kind);
        }
        child
    }

    /// A program ran its last step.
    fn task_end(&mut self, th: ThreadId, task: TaskId, coroutine: bool) -> Op {
        let tk = self.tasks[task];
        let p = self.process_of(tk.inv);
        if self.thread_log.is_some() {
            self.log_task_ended(task);
        }
        self.tasks.remove(task);
        if tk.root {
            self.invs[tk.inv].end = Some(self.now);
            if coroutine {
                // The dispatch coroutine awaited the body: it goes on in the same loop step.
                self.threads[th].assign(Job::Complete(tk.inv), 1);
                return Op::Python(self.cost(p, self.costs.complete_ns));
            }
            // future.set_result -> call_soon_threadsafe on the loop.
            self.post_to_loop(p, Job::Complete(tk.inv));
            return self.notify_loop(th);
        }
        let parent = tk.parent.expect("a branch has a parent");
        self.tasks[parent].pending -= 1;
        if self.tasks[parent].pending == 0 {
            self.post_to_loop(p, Job::Step(parent));
        }
        if coroutine {
            Op::Yield
        } else {
            // run_in_executor's future completes through call_soon_threadsafe too.
            self.notify_loop(th)
        }
    }

    /// A pool thread has posted to the loop: it writes the self-pipe before taking more work.
    pub(super) fn notify_loop(&mut self, th: ThreadId) -> Op {
        self.threads[th].assign(Job::Notify, 1);
        Op::Syscall(1)
    }
}
