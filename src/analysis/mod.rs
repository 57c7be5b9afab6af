//! Conclusions drawn from finished runs' summaries, never from the model: `advice` reads a
//! run for what limits it; `compare` ranks the
//! variants of a compare run against its objective; `objective` ranks any set of
//! configurations (variants, or a sweep's configurations with their confidence intervals)
//! against constraints by a strategy; `sweep` turns a sweep's runs into rows and each
//! configuration's means and 95% intervals (`stats`).

pub mod advice;
pub mod compare;
pub mod objective;
pub mod stats;
pub mod sweep;
