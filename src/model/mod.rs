//! The model of an Azure Functions app: host instances running Python workers (one instance
//! today; the world is built to hold many).
//!
//! [`World::build`] turns a validated experiment into processes, threads, programs and arrival
//! sources (all topology errors are caught before time starts); [`World::run`] drives the
//! kernel's event loop to the end and returns the [`RunResult`].
//!
//! Module map:
//! * `event`: every event, one line each; `ids`: the typed ids and the vector they index;
//! * `build`: the topology checks ([`BuildError`]) and building the world;
//! * `world`: arrivals, closed-loop clients, the run loop;
//! * `instance`: one host instance (its cores, its processes, its round robin);
//! * `routing`: a request's way to an instance and a ready process; `answer`: a response
//!   leaving its worker (its outcome, the arrivals it settles, its row);
//! * `run_end`: when a run is over (no arrival to come, the fleet idle);
//! * `sampling`: the time series;
//! * `state`: threads, tasks and invocations; `worker`: a process's threads, queues and gauges;
//! * `threads`: the op loop every thread runs and the worker's dispatch path;
//! * `attribution`: thread time attributed to the function whose invocation a thread works for;
//! * `tasks`: the program interpreter (bodies, gather, run_in_executor);
//! * `pools`: the ThreadPoolExecutors;
//! * `gil` (its state) and `gil_protocol` (how threads take, lose and hand it over);
//! * `cpu`: processor-sharing cores with context-switch costs;
//! * `scale`: the scale controller, a pure decision module (wired into the run by `scaling`);
//! * `program`: compiled bodies and duration sampling; `results`: what a run returns;
//! * `front`: the trigger front ends (storage queue, Service Bus, Event Hubs, HTTP), pure state
//!   machines; `queue_trigger`, `servicebus_trigger`, `eventhubs_trigger` and `http_trigger`
//!   drive them in a scaled run (`fleet`: its instances; `scaling`: the controller's
//!   decisions in the run; `prewarm`: the pre-warmed buffer; `drain`: the grace period of a
//!   draining instance and cutting what outlives it);
//! * `timeout`: the function timeout, from an invocation's arrival at its worker;
//!   `restart`: a worker process killed with its invocations and started again; `memory`:
//!   what the host, its workers and their invocations hold, and the OOM kill at the limit.

mod answer;
mod attribution;
mod build;
pub mod cpu;
mod drain;
pub mod event;
mod eventhubs_trigger;
mod fleet;
mod fleet_totals;
pub mod front;
pub mod gil;
mod gil_protocol;
mod http_trigger;
pub mod ids;
mod instance;
pub mod memory;
mod pools;
mod prewarm;
pub mod program;
mod queue_trigger;
pub mod restart;
mod results;
mod routing;
mod run_end;
mod sampling;
pub mod scale;
pub mod scaling;
mod servicebus_trigger;
mod slab;
pub mod state;
mod tasks;
mod thread_log;
mod threads;
mod timeout;
mod trace_share;
pub mod worker;
mod world;

pub use build::BuildError;
pub use results::{Progress, RunResult};
pub use world::World;
