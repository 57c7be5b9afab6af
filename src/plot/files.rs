//! The parts of summary.json and compare.json the plots read (unknown fields ignored, so a
//! newer sim's files still plot).

use serde::Deserialize;

/// summary.json of a run.
#[derive(Debug, Deserialize)]
pub struct Summary {
    /// The experiment's name.
    pub experiment: String,
    /// Latency percentiles of every function together.
    #[serde(default)]
    pub latency_ms: Option<Percentiles>,
    /// Each function's figures.
    #[serde(default)]
    pub functions: Vec<Function>,
    /// The window of thread_states.csv, when it was written.
    #[serde(default)]
    pub thread_states: Option<ThreadStatesWindow>,
}

/// Latency percentiles, ms.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// One function of summary.json.
#[derive(Debug, Deserialize)]
pub struct Function {
    /// Its name.
    pub name: String,
    /// Its latency alone on an idle host, ms.
    #[serde(default)]
    pub ideal_latency_ms: Option<f64>,
    /// Its latency percentiles (absent when none succeeded).
    #[serde(default)]
    pub latency_ms: Option<Percentiles>,
}

/// summary.json's record of thread_states.csv.
#[derive(Debug, Deserialize)]
pub struct ThreadStatesWindow {
    /// The window's start, ms.
    #[serde(default)]
    pub from_ms: Option<f64>,
    /// The window's end, ms.
    #[serde(default)]
    pub to_ms: Option<f64>,
    /// Where recording was cut short by the row cap, ms (`None`: complete).
    #[serde(default)]
    pub cut_at_ms: Option<f64>,
}

/// compare.json.
#[derive(Debug, Deserialize)]
pub struct Compare {
    /// The experiment's name.
    pub experiment: String,
    /// One entry per variant, in the experiment's order.
    pub variants: Vec<CompareVariant>,
    /// The objective's ranking, when the experiment has one.
    #[serde(default)]
    pub ranking: Option<Ranking>,
}

/// One variant of compare.json.
#[derive(Debug, Deserialize)]
pub struct CompareVariant {
    /// Its name (and folder).
    pub variant: String,
    /// Median latency, ms.
    #[serde(default)]
    pub p50_ms: Option<f64>,
    /// 99th percentile latency, ms.
    #[serde(default)]
    pub p99_ms: Option<f64>,
    /// Cost per month (absent without a plan).
    #[serde(default)]
    pub cost_per_month: Option<f64>,
    /// Its currency.
    #[serde(default)]
    pub currency: Option<String>,
}

/// An objective's ranking (compare.json `ranking`, sweep_summary.json's).
#[derive(Debug, Deserialize)]
pub struct Ranking {
    /// The objective.
    pub objective: Objective,
    /// The objective in words.
    #[serde(default)]
    pub described: String,
    /// The configurations that meet it, best first.
    #[serde(default)]
    pub ranked: Vec<Ranked>,
}

/// The objective.
#[derive(Debug, Deserialize)]
pub struct Objective {
    /// Its bounds.
    pub constraints: Constraints,
}

/// The objective's bounds.
#[derive(Debug, Deserialize)]
pub struct Constraints {
    /// The p99 latency bound, ms.
    #[serde(default)]
    pub p99_ms: Option<f64>,
}

/// One ranked configuration.
#[derive(Debug, Deserialize)]
pub struct Ranked {
    /// Its name.
    pub name: String,
}
