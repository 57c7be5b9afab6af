//! What a run costs on its plan, and per month: the plan's rates (`config::plan`) applied to
//! the run's usage record (`metrics::usage`: instance lives, busy stretches, executions), never
//! to the model's state.
//!
//! - Consumption: GB-s while an instance executes (at least one invocation placed on it and
//!   not answered), at the memory its worker processes hold (concurrent invocations share
//!   the worker's memory, as Consumption measures it [ref §8]; `model::memory`: base,
//!   imports and each running invocation's `memory_mb`), rounded up to 128 MB at each
//!   instant, plus executions. `plan_overrides: Plan(price: Price(billed_memory_mb: ..))`
//!   fixes the billed memory instead (your app's measured working set).
//! - Flex Consumption: GB-s of the instance size while it executes, each busy stretch billed
//!   at least 1 s and then in 100 ms steps, at the on-demand rate, or at the always-ready
//!   execution rate on an always-ready instance, which also pays the baseline rate for its
//!   whole life; plus executions.
//! - Premium: vCPU-hours and GiB-hours of every allocated instance, from its request to its
//!   removal, busy or idle, always-ready ones included, plus the pre-warmed buffer.
//! - Dedicated: instance-hours.
//!
//! Per month: the run repeated back to back for [`MONTH_HOURS`]; the free grant (monthly, per
//! subscription) comes off only there, and only when the plan's `apply_free_grant` says so.
//! Without a `scale` block the one instance exists for the whole run and is on demand.

mod items;

use crate::config::plan::{PlanConfig, Rates};
use crate::metrics::{Cost, CostItem, Usage};

/// Hours in a billing month: Azure's pricing pages price a month as 730 hours (the
/// reference's monthly Premium figures, EP1 about $157.7, are 730 h x ($0.173 + 3.5 x
/// $0.0123) [ref §8]).
pub const MONTH_HOURS: f64 = 730.0;

/// The cost of a run with `usage` on `plan`.
pub fn cost(plan: &PlanConfig, usage: &Usage) -> Cost {
    let span_h = usage.span_ns as f64 / 3.6e12;
    let months_per_run = if span_h > 0.0 {
        MONTH_HOURS / span_h
    } else {
        0.0
    };
    let (lines, free_applied) = match &plan.price.rates {
        Rates::Consumption(r) => (items::consumption(r, usage), r.free.applied),
        Rates::Flex(r) => (items::flex(r, plan.memory_mb, usage), r.free.applied),
        Rates::Premium(r) => (items::premium(r, plan, usage), false),
        Rates::Dedicated(r) => (items::dedicated(r, usage), false),
    };
    let items: Vec<CostItem> = lines
        .into_iter()
        .map(|l| l.priced(months_per_run, free_applied))
        .collect();
    Cost {
        plan: plan.name.clone(),
        currency: plan.price.currency.clone(),
        region: plan.price.region.clone(),
        price_date: plan.price.date.clone(),
        price_source: plan.price.source.clone(),
        run: tidy(items.iter().map(|i| i.run).sum()),
        per_month: tidy(items.iter().map(|i| i.per_month).sum()),
        month_hours: MONTH_HOURS,
        free_grant_applied: free_applied,
        items,
    }
}

/// A billed quantity before pricing.
struct Line {
    what: &'static str,
    unit: &'static str,
    rate: f64,
    quantity: f64,
    /// Units free each month.
    free: f64,
}

impl Line {
    fn priced(self, months_per_run: f64, free_applied: bool) -> CostItem {
        let month_quantity = self.quantity * months_per_run;
        let month_free = if free_applied {
            self.free.min(month_quantity)
        } else {
            0.0
        };
        CostItem {
            what: self.what.to_string(),
            unit: self.unit.to_string(),
            rate: self.rate,
            quantity: tidy(self.quantity),
            run: tidy(self.quantity * self.rate),
            month_quantity: tidy(month_quantity),
            month_free: tidy(month_free),
            per_month: tidy((month_quantity - month_free) * self.rate),
        }
    }
}

/// Rounds to 1e-9 (of a currency unit, or of a unit billed): a run's cost is often a few
/// millionths, so summary.json keeps nine decimals, exactly reproducible.
fn tidy(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::plan::{PremiumRates, Price};
    use crate::metrics::UsageMeter;

    const HOUR_NS: u64 = 3_600_000_000_000;

    fn ep2() -> PlanConfig {
        PlanConfig {
            name: "EP2".into(),
            os: "Linux".into(),
            cores: 2.0,
            memory_mb: 7168,
            memory_sizes_mb: Vec::new(),
            max_instances: 100,
            always_ready_min: 1,
            always_ready_max: 20,
            prewarmed_max: 1000,
            event_scaling: true,
            function_timeout_default_s: 1800.0,
            function_timeout_max_s: None,
            function_timeout_s: 1800.0,
            price: Price {
                currency: "USD".into(),
                region: "East US".into(),
                date: "2026-10-02".into(),
                source: "ref §8".into(),
                rates: Rates::Premium(PremiumRates {
                    vcpu_hour: 0.173,
                    gib_hour: 0.0123,
                }),
            },
        }
    }

    #[test]
    fn premium_bills_always_ready_pre_warmed_and_scaled_out_instances_even_idle() {
        // An always-ready instance for 1 h, the buffer for the last half hour, and an
        // instance scaled out for 15 minutes that never ran anything: 1.75 instance-hours.
        let mut m = UsageMeter::default();
        m.created(0, 0);
        m.always_ready(0);
        m.buffer(HOUR_NS / 2, 1);
        m.created(1, HOUR_NS / 4);
        m.removed(1, HOUR_NS / 2);
        let c = cost(&ep2(), &m.usage(HOUR_NS));
        assert_eq!(c.items[0].quantity, 3.5, "1.75 h x 2 vCPU");
        assert_eq!(c.items[1].quantity, 12.25, "1.75 h x 7 GiB");
        assert_eq!(c.run, tidy(3.5 * 0.173 + 12.25 * 0.0123));
        assert_eq!(c.per_month, tidy(730.0 * (3.5 * 0.173 + 12.25 * 0.0123)));
    }

    #[test]
    fn a_run_of_no_length_costs_nothing_a_month() {
        let c = cost(&ep2(), &UsageMeter::default().usage(0));
        assert_eq!((c.run, c.per_month), (0.0, 0.0));
    }
}
