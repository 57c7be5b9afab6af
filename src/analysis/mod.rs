//! Conclusions drawn from finished runs' summaries, never from the model: `compare` ranks the
//! variants of a compare run against its objective (a later sweep's `objective` belongs here
//! too).

pub mod compare;
pub mod stats;
pub mod sweep;
