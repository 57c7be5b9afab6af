//! The model of one Azure Functions host instance running Python workers.
//!
//! [`World::build`] turns a validated experiment into processes, threads, programs and arrival
//! sources (all topology errors are caught before time starts); [`World::run`] drives the
//! kernel's event loop to the end and returns the [`RunResult`].
//!
//! Module map:
//! * `event`: every event, one line each;
//! * `world`: building, routing, arrivals, closed-loop clients, the run loop;
//! * `sampling`: the time series;
//! * `state`: threads, tasks and invocations; `worker`: a process's threads, queues and gauges;
//! * `threads`: the op loop every thread runs and the worker's dispatch path;
//! * `attribution`: thread time attributed to the function whose invocation a thread works for;
//! * `tasks`: the program interpreter (bodies, gather, run_in_executor);
//! * `pools`: the ThreadPoolExecutors;
//! * `gil` (its state) and `gil_protocol` (how threads take, lose and hand it over);
//! * `cpu`: processor-sharing cores with context-switch costs;
//! * `program`: compiled bodies and duration sampling; `results`: what a run returns.

mod attribution;
pub mod cpu;
pub mod event;
pub mod gil;
mod gil_protocol;
mod ids;
mod pools;
pub mod program;
mod results;
mod sampling;
mod slab;
pub mod state;
mod tasks;
mod threads;
pub mod worker;
mod world;

pub use results::{Progress, RunResult};
pub use world::World;
