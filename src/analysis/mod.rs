//! Conclusions drawn from finished runs' summaries, never from the model: `compare` ranks the
//! variants of a compare run against its objective; `objective` ranks any set of
//! configurations (variants, or a sweep's configurations with their confidence intervals)
//! against constraints by a strategy.

pub mod compare;
pub mod objective;
