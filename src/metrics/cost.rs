//! What a run cost, as summary.json writes it: the schema only; `crate::billing` works the
//! figures out from the plan's rates and the run's usage record.

use serde::Serialize;

/// A run's cost: summary.json's `cost` block.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Cost {
    /// The plan.
    pub plan: String,
    /// Currency of every figure.
    pub currency: String,
    /// Region of the list prices.
    pub region: String,
    /// When the prices were read.
    pub price_date: String,
    /// Where they come from.
    pub price_source: String,
    /// What the run cost (no free grant: it is monthly).
    pub run: f64,
    /// The run repeated back to back for `month_hours`, less the free grant if applied.
    pub per_month: f64,
    /// Hours in the month.
    pub month_hours: f64,
    /// Whether the monthly free grant was taken off.
    pub free_grant_applied: bool,
    /// What was billed, item by item.
    pub items: Vec<CostItem>,
}

/// One billed quantity.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CostItem {
    /// What is billed ("on-demand execution", "vCPU-hours", ...).
    pub what: String,
    /// Its unit ("GB-s", "million executions", "vCPU-hours").
    pub unit: String,
    /// Price per unit.
    pub rate: f64,
    /// Units the run used.
    pub quantity: f64,
    /// quantity x rate.
    pub run: f64,
    /// Units in a month of such runs.
    pub month_quantity: f64,
    /// Of them, free (the monthly grant, when applied).
    pub month_free: f64,
    /// (month_quantity - month_free) x rate.
    pub per_month: f64,
}
