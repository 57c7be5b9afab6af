//! Where invocations come from: lazy, time-ordered arrival sources.
//!
//! Open-loop sources (burst, Poisson, rate curve, on/off bursts, replay, recorded trace) are iterators the
//! model pulls one arrival at a time, so the event queue holds one pending arrival per source,
//! never the whole trace (the heap degrades badly with millions of pending events).
//! Closed-loop clients are driven by the model itself, since their next request depends on
//! the previous response. Recorded traces are streamed: `trace_rows` reads rows in file
//! order (`azure2019` the 2019 trace's counts per minute and its durations), `trace_scan` is the first pass (functions, counts, lateness), `reorder` puts rows
//! in arrival order in bounded memory, `trace_stats` sums a trace up, `trace_feed` streams one
//! function's arrivals and recorded durations into a run; `trace_rest`, `day_spill` and
//! `day_group` replay the functions not kept as one grouped function.

pub mod azure2019;
pub mod curve;
pub mod day_group;
pub mod day_spill;
pub mod onoff;
pub mod reorder;
pub mod synthetic;
pub mod trace;
pub mod trace_feed;
pub mod trace_rest;
pub mod trace_rows;
pub mod trace_scan;
pub mod trace_stats;

pub use synthetic::ArrivalSource;
