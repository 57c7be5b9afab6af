//! The model of one Azure Functions host instance running Python workers.
//!
//! [`World::build`] turns a validated experiment into processes, threads, programs and arrival
//! sources (all topology errors are caught before time starts); [`World::run`] drives the
//! kernel's event loop to the end and returns the [`RunResult`]. Module map: `event` (every
//! event), `cpu` (processor-sharing cores), `gil` (its state) and `gil_protocol` (how threads take and release it), `worker` (a process's threads and queues),
//! `program` (compiled bodies), `state` (threads, tasks, invocations), `results`, `threads` (what each thread does next: the Python semantics), `pools` (the executors),
//! `tasks` (the program interpreter),
//! `world` (building, routing, arrivals, sampling, results).

pub mod cpu;
pub mod event;
pub mod gil;
mod gil_protocol;
mod pools;
pub mod program;
mod results;
mod slab;
pub mod state;
mod tasks;
mod threads;
pub mod worker;
mod world;

pub use results::RunResult;
pub use world::World;
