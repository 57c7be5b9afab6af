//! Conclusions drawn from finished runs' summaries, never from the model: `compare` ranks the
//! variants of a compare run against its objective; `sweep` turns a sweep's runs into rows and
//! each configuration's means and 95% intervals (`stats`), the form a later `objective` ranks.

pub mod compare;
pub mod stats;
pub mod sweep;
