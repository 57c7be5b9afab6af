//! The discrete-event kernel: integer-nanosecond time, a `(time, seq)`-ordered event queue and
//! seeded random substreams.
//!
//! It imports nothing from the rest of the crate and knows nothing of hosts, threads or Python:
//! a model owns a [`queue::EventQueue`] of its own event type and drives the loop itself
//! (`while let Some((now, ev)) = queue.pop() { model.handle(now, ev) }`), the way SimPy's core is
//! a heap plus `step`.
//!
//! **Tie-break rule.** Two events at the same instant are delivered in the order they were
//! scheduled (insertion sequence), so a run is a pure function of its inputs and seed.

pub mod queue;
pub mod rng;
pub mod time;

pub use queue::EventQueue;
pub use rng::{RngStreams, SimRng};
pub use time::SimTime;
