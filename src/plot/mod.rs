//! Plots drawn from an output folder's exported files only (never from the model), each as
//! PNG and SVG into the folder's `plots/`:
//!
//! - `latency_cdf`: the latency distribution per function (a compare: per variant);
//! - `timeline`: the run over time, with the scale controller's view when it scales;
//! - `gil_lanes`: one lane per thread, coloured by state (needs thread_states.csv);
//! - `whatif`: p99 latency against monthly cost per configuration (compare or sweep).
//!
//! Every figure is drawn in memory first; then each `plots/` folder is staged and moved into
//! place as the run's outputs are ([`crate::output::Staging`]), so a failure leaves the
//! earlier plots as they were.

pub mod files;
pub mod font;
pub mod gil_lanes;
mod gil_lanes_data;
use crate::output::read_back as input;
pub mod latency_cdf;
pub mod latency_data;
pub mod panels;
pub mod percentile_rows;
pub mod render;
pub mod style;
mod timeline_data;
pub mod whatif;
mod whatif_data;
mod write;

pub use write::{plot_folder, PlotReport};

/// A plot to draw, or why it is skipped.
pub enum Drawable<T> {
    /// Draw it.
    Draw(T),
    /// Skip it, for this reason.
    Skip(String),
}
