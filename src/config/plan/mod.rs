//! Hosting plans and SKUs: `plan: "EP2"` in an experiment picks one from `models/plans.ron`.
//!
//! `raw` is the serde mirror of that file (and of an experiment's `plan_overrides`, which has
//! the same fields), `merge` lays an override over a plan field by field, and `check` turns
//! the result into the typed [`PlanConfig`] below and refuses experiments the plan cannot run
//! (always-ready instances on Consumption, a memory size Flex does not offer, a timeout above
//! the plan's maximum, more instances than it allows), each problem with its field path.
//!
//! A plan sets `host.cores` and the defaults of the `scale` block (its own `scale`); what the
//! experiment sets itself wins. An experiment without `plan` runs exactly as before. The
//! plan's prices feed `crate::billing`. Every figure and its source is in `models/plans.ron`,
//! compiled into sim ([`CATALOGUE`]), so a plan name always means the same figures.
//!
//! Extension points for issue 8's other items: `memory_mb` is the instance's memory limit the
//! memory model will enforce (and `check` is where "more processes than the SKU's memory can
//! hold at base size" belongs once a process has a base size); `function_timeout_s` is the
//! resolved functionTimeout the model enforces.

mod check;
mod merge;
pub mod raw;

pub use merge::overlay;
use serde::Serialize;

/// The catalogue of plans, `models/plans.ron`, as compiled into sim.
pub const CATALOGUE: &str = include_str!("../../../models/plans.ron");

/// Where the catalogue comes from, for messages.
pub const CATALOGUE_PATH: &str = "models/plans.ron";

/// A plan with every field resolved and checked (its `scale` defaults are already merged into
/// the experiment's `ScaleConfig`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanConfig {
    /// The name it was picked by, as the catalogue spells it.
    pub name: String,
    /// "Linux" or "Windows".
    pub os: String,
    /// vCPUs of an instance (what Premium bills; the host's cores unless the experiment sets
    /// `host.cores`).
    pub cores: f64,
    /// Memory of an instance, MB (what Flex and Premium bill).
    pub memory_mb: u32,
    /// The instance sizes the family offers, MB (empty: any).
    pub memory_sizes_mb: Vec<u32>,
    /// Most instances the plan allows.
    pub max_instances: u32,
    /// Fewest always-ready instances it keeps.
    pub always_ready_min: u32,
    /// Most always-ready instances it allows (0: none).
    pub always_ready_max: u32,
    /// Largest pre-warmed buffer it allows (0: none).
    pub prewarmed_max: u32,
    /// Whether the platform scales the app on events (Dedicated: no).
    pub event_scaling: bool,
    /// functionTimeout when the app sets none, s.
    pub function_timeout_default_s: f64,
    /// Largest functionTimeout allowed, s (`None`: unbounded).
    pub function_timeout_max_s: Option<f64>,
    /// The app's functionTimeout (`function_timeout_s`, or the plan's default), s, enforced by
    /// the model.
    pub function_timeout_s: f64,
    /// Prices.
    pub price: Price,
}

/// A plan's prices and where they come from.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Price {
    /// Currency of every rate.
    pub currency: String,
    /// Region of the list prices.
    pub region: String,
    /// When they were read, and how sure that is.
    pub date: String,
    /// Their source.
    pub source: String,
    /// The rates, by how the family bills.
    pub rates: Rates,
}

/// How a plan bills, with its rates (in the price's currency).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum Rates {
    /// Consumption: GB-s while executing plus executions.
    Consumption(ConsumptionRates),
    /// Flex Consumption: on-demand and always-ready GB-s plus executions.
    Flex(FlexRates),
    /// Elastic Premium: every allocated instance's vCPU-hours and GiB-hours.
    Premium(PremiumRates),
    /// Dedicated: instance-hours.
    Dedicated(DedicatedRates),
}

/// Consumption's rates.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConsumptionRates {
    /// Per GB-s.
    pub gb_s: f64,
    /// Billed memory is rounded up to a multiple of this, MB.
    pub memory_step_mb: u32,
    /// Memory billed while an instance executes, MB, before rounding, when the experiment
    /// fixes it (`billed_memory_mb`); `None`: the modelled memory of its worker processes,
    /// as Consumption samples it (see `model::memory`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed_memory_mb: Option<u32>,
    /// Per million executions.
    pub per_million_executions: f64,
    /// The monthly free grant.
    pub free: FreeGrant,
}

/// Flex Consumption's rates.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FlexRates {
    /// Per GB-s of the instance size while an on-demand instance executes.
    pub on_demand_gb_s: f64,
    /// Per GB-s of the instance size of every always-ready instance, all the time.
    pub always_ready_baseline_gb_s: f64,
    /// Per GB-s of the instance size while an always-ready instance executes.
    pub always_ready_execution_gb_s: f64,
    /// Per million executions.
    pub per_million_executions: f64,
    /// Shortest billed execution period, ms.
    pub min_period_ms: f64,
    /// Longer periods are rounded up to a multiple of this, ms.
    pub period_step_ms: f64,
    /// The monthly free grant (on-demand GB-s and executions).
    pub free: FreeGrant,
}

/// A monthly free grant.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct FreeGrant {
    /// GB-s free a month.
    pub gb_s: f64,
    /// Executions free a month.
    pub executions: f64,
    /// Whether the monthly cost takes it off (it is per subscription, shared by its apps).
    pub applied: bool,
}

/// Elastic Premium's rates.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct PremiumRates {
    /// Per vCPU-hour of an allocated instance.
    pub vcpu_hour: f64,
    /// Per GiB-hour of an allocated instance.
    pub gib_hour: f64,
}

/// Dedicated's rate.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct DedicatedRates {
    /// Per instance-hour.
    pub instance_hour: f64,
}

impl PlanConfig {
    /// The execution-period rounding the plan bills by (min, step) in ns: Flex's; `None` for
    /// plans that bill busy time as it is.
    pub fn busy_rounding_ns(&self) -> Option<(u64, u64)> {
        match &self.price.rates {
            Rates::Flex(f) => Some((ms_ns(f.min_period_ms), ms_ns(f.period_step_ms).max(1))),
            _ => None,
        }
    }

    /// The step billed memory is rounded up to, KiB, when the plan bills the memory used
    /// (Consumption: 128 MB).
    pub fn memory_step_kib(&self) -> Option<i64> {
        match &self.price.rates {
            Rates::Consumption(c) => Some(i64::from(c.memory_step_mb) * 1024),
            _ => None,
        }
    }
}

/// Milliseconds to whole nanoseconds (0 for anything not finite and positive).
fn ms_ns(ms: f64) -> u64 {
    crate::config::checker::ms_to_ns(ms)
}

/// The names of the catalogue's plans, in file order (empty if it does not parse).
pub fn plan_names() -> Vec<String> {
    check::catalogue()
        .map(|c| c.plans.iter().filter_map(|p| p.name.clone()).collect())
        .unwrap_or_default()
}
