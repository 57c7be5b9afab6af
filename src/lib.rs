//! # sim: a discrete-event simulator of an Azure Functions host running Python
//!
//! sim predicts what one host instance does with a load: how its worker processes
//! (FUNCTIONS_WORKER_PROCESS_COUNT), their thread pools (PYTHON_THREADPOOL_THREAD_COUNT), the
//! GIL and the asyncio event loop turn arrivals into latencies.
//!
//! ## Pipeline
//! ```text
//! experiments/*.ron -> config (raw -> validated Experiment) -> model::World::build
//!   -> World::run (kernel event loop) -> metrics (Recorder, RunSummary) -> output (files, report)
//! ```
//! An experiment with a compare block runs each variant that way, in parallel
//! (`config::variants` -> `runner`), and `analysis::compare` ranks the finished runs. An
//! experiment with a sweep block runs every configuration x replication in parallel
//! (`config::sweep_runs` -> `app::sweep`), one row per run, and `analysis::sweep` summarises
//! each configuration with means and 95% intervals (`analysis::stats`).
//!
//! `kernel` knows no domain; `config` imports neither kernel nor model; `output` never touches
//! the model or the kernel.
//!
//! ## Determinism contract
//! Time is integer nanoseconds; events at one instant run in scheduling order; every random
//! draw comes from the experiment's seed through a named substream. The same experiment and
//! seed give byte-identical summary.json and CSV files, whatever the machine or thread count.

#![warn(missing_docs)]

pub mod analysis;
pub mod app;
pub mod bench;
pub mod billing;
pub mod cli;
pub mod config;
pub mod error;
pub mod kernel;
pub mod metrics;
pub mod model;
pub mod output;
pub mod plot;
pub mod preflight;
pub mod runner;
#[cfg(test)]
pub(crate) mod test_support;
pub mod units;
pub mod validate;
pub mod workload;
