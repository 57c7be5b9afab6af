//! Where invocations come from: lazy, time-ordered arrival sources.
//!
//! Open-loop sources (burst, Poisson, rate curve, replay) are iterators the model pulls one arrival at a
//! time, so the event queue holds one pending arrival per source, never the whole trace (the
//! heap degrades badly with millions of pending events). Closed-loop clients are driven by the
//! model itself, since their next request depends on the previous response.

pub mod curve;
pub mod synthetic;
pub mod trace;

pub use synthetic::ArrivalSource;
