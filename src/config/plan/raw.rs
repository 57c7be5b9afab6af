//! The serde mirror of `models/plans.ron` and of an experiment's `plan_overrides`: it only
//! parses (unknown fields rejected, numbers kept as written). Every field is optional so that
//! an override names only what it changes; [`super::check`] requires what a plan's family
//! needs and checks the values against `config::limits`.

use crate::config::number::Num;
use crate::config::scale::raw::RawScale;
use serde::{Deserialize, Serialize};

/// The catalogue of plans (`models/plans.ron`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Plans")]
pub struct RawCatalogue {
    /// Every plan, each with a unique name.
    pub plans: Vec<RawPlan>,
}

/// One plan or SKU, or an experiment's overrides of one (same fields, each optional).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Plan")]
pub struct RawPlan {
    /// The name an experiment picks it by (`plan: "EP2"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How it is billed and scaled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<RawFamily>,
    /// The instances' operating system (limits differ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<RawOs>,
    /// vCPUs of an instance (sets `host.cores` unless the experiment sets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<Num>,
    /// Memory of an instance, MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<Num>,
    /// The instance sizes the family offers, MB (omit: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_sizes_mb: Option<Vec<Num>>,
    /// Most instances the plan allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_instances: Option<Num>,
    /// Fewest always-ready instances the plan keeps (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always_ready_min: Option<Num>,
    /// Most always-ready instances the plan allows (0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always_ready_max: Option<Num>,
    /// Largest pre-warmed buffer the plan allows (0: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prewarmed_max: Option<Num>,
    /// Whether the platform scales the app on events (default true; Dedicated: false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_scaling: Option<bool>,
    /// functionTimeout when the app sets none, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_timeout_default_s: Option<Num>,
    /// Largest functionTimeout allowed, seconds (omit: unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function_timeout_max_s: Option<Num>,
    /// Defaults of the experiment's `scale` block under this plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<RawScale>,
    /// Prices, with their currency, region, date and source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<RawPrice>,
}

/// How a plan is billed and scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Family")]
pub enum RawFamily {
    /// Consumption: GB-s of memory while executing, plus executions.
    Consumption,
    /// Flex Consumption: GB-s of the instance size while executing, plus executions;
    /// always-ready instances at their own rates.
    Flex,
    /// Elastic Premium: vCPU-hours and GiB-hours of every allocated instance.
    Premium,
    /// Dedicated (App Service): instance-hours.
    Dedicated,
}

/// An instance's operating system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Os")]
pub enum RawOs {
    /// Linux (where Python apps run).
    Linux,
    /// Windows.
    Windows,
}

/// A plan's prices; which rates are needed depends on the family (see [`super::Rates`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Price")]
pub struct RawPrice {
    /// Currency of every rate ("USD").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Azure region of the list prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// When the prices were read, and how sure that is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where they come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Consumption: per GB-s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gb_s: Option<Num>,
    /// Consumption: billed memory is rounded up to a multiple of this, MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_step_mb: Option<Num>,
    /// Consumption: the memory billed while executing, MB (omit: the instance's memory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billed_memory_mb: Option<Num>,
    /// Consumption and Flex: per million executions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_million_executions: Option<Num>,
    /// Consumption and Flex: GB-s free each month (on demand only on Flex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_gb_s: Option<Num>,
    /// Consumption and Flex: executions free each month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_executions: Option<Num>,
    /// Consumption and Flex: take the monthly free grant off the monthly cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apply_free_grant: Option<bool>,
    /// Flex: per GB-s of the instance size while executing on an on-demand instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_demand_gb_s: Option<Num>,
    /// Flex: per GB-s of every always-ready instance, all the time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always_ready_baseline_gb_s: Option<Num>,
    /// Flex: per GB-s while executing on an always-ready instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always_ready_execution_gb_s: Option<Num>,
    /// Flex: shortest billed execution period of an instance, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_period_ms: Option<Num>,
    /// Flex: longer periods are rounded up to a multiple of this, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_step_ms: Option<Num>,
    /// Premium: per vCPU-hour of an allocated instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcpu_hour: Option<Num>,
    /// Premium: per GiB-hour of an allocated instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gib_hour: Option<Num>,
    /// Dedicated: per instance-hour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_hour: Option<Num>,
}
