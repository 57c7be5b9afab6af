//! The billed quantities of each family, from a run's usage record (see the module above for
//! what each family bills and why).

use super::Line;
use crate::config::plan::{ConsumptionRates, DedicatedRates, FlexRates, PlanConfig, PremiumRates};
use crate::metrics::Usage;

/// ns per s.
const NS_PER_S: f64 = 1e9;
/// ns per hour.
const NS_PER_H: f64 = 3.6e12;
/// MB per GB (GiB): Azure bills 1,536 MB as 1.5 GB.
const MB_PER_GB: f64 = 1024.0;
/// KiB per GB (GiB).
const KIB_PER_GB: f64 = 1024.0 * 1024.0;

/// Consumption: GB-s while executing, at the workers' memory rounded up to the step (or the
/// fixed `billed_memory_mb`, rounded the same way); executions.
pub(super) fn consumption(r: &ConsumptionRates, u: &Usage) -> Vec<Line> {
    let gb_s = match r.billed_memory_mb {
        Some(mb) => {
            let step = r.memory_step_mb.max(1);
            let billed_mb = mb.div_ceil(step) * step;
            let busy_s: f64 = u.instances.iter().map(|i| i.busy_ns as f64).sum::<f64>() / NS_PER_S;
            busy_s * f64::from(billed_mb) / MB_PER_GB
        }
        None => {
            let kib_ns: f64 = u
                .instances
                .iter()
                .map(|i| i.busy_memory_kib_ns as f64)
                .sum();
            kib_ns / KIB_PER_GB / NS_PER_S
        }
    };
    vec![
        Line {
            what: "execution time",
            unit: "GB-s",
            rate: r.gb_s,
            quantity: gb_s,
            free: r.free.gb_s,
        },
        executions(r.per_million_executions, r.free.executions, u),
    ]
}

/// Flex: on-demand and always-ready GB-s of the instance size, the always-ready baseline, and
/// executions.
pub(super) fn flex(r: &FlexRates, memory_mb: u32, u: &Usage) -> Vec<Line> {
    let gb = f64::from(memory_mb) / MB_PER_GB;
    let gb_s = |always_ready: bool, ns: &dyn Fn(&crate::metrics::usage::InstanceUsage) -> u64| {
        let total: f64 = u
            .instances
            .iter()
            .filter(|i| i.always_ready == always_ready)
            .map(|i| ns(i) as f64)
            .sum();
        total / NS_PER_S * gb
    };
    let mut lines = vec![Line {
        what: "on-demand execution",
        unit: "GB-s",
        rate: r.on_demand_gb_s,
        quantity: gb_s(false, &|i| i.billed_busy_ns),
        free: r.free.gb_s,
    }];
    if u.instances.iter().any(|i| i.always_ready) {
        lines.push(Line {
            what: "always-ready baseline",
            unit: "GB-s",
            rate: r.always_ready_baseline_gb_s,
            quantity: gb_s(true, &|i| i.life_ns(u.span_ns)),
            free: 0.0,
        });
        lines.push(Line {
            what: "always-ready execution",
            unit: "GB-s",
            rate: r.always_ready_execution_gb_s,
            quantity: gb_s(true, &|i| i.billed_busy_ns),
            free: 0.0,
        });
    }
    lines.push(executions(r.per_million_executions, r.free.executions, u));
    lines
}

/// Premium: vCPU-hours and GiB-hours of every allocated instance and of the pre-warmed buffer.
pub(super) fn premium(r: &PremiumRates, plan: &PlanConfig, u: &Usage) -> Vec<Line> {
    let hours = instance_hours(u) + u.buffer_ns as f64 / NS_PER_H;
    vec![
        Line {
            what: "allocated vCPU",
            unit: "vCPU-hours",
            rate: r.vcpu_hour,
            quantity: hours * plan.cores,
            free: 0.0,
        },
        Line {
            what: "allocated memory",
            unit: "GiB-hours",
            rate: r.gib_hour,
            quantity: hours * f64::from(plan.memory_mb) / MB_PER_GB,
            free: 0.0,
        },
    ]
}

/// Dedicated: instance-hours.
pub(super) fn dedicated(r: &DedicatedRates, u: &Usage) -> Vec<Line> {
    vec![Line {
        what: "instances",
        unit: "instance-hours",
        rate: r.instance_hour,
        quantity: instance_hours(u),
        free: 0.0,
    }]
}

/// Executions, in millions.
fn executions(per_million: f64, free: f64, u: &Usage) -> Line {
    Line {
        what: "executions",
        unit: "million executions",
        rate: per_million,
        quantity: u.executions as f64 / 1e6,
        free: free / 1e6,
    }
}

/// Every instance's life, in hours.
fn instance_hours(u: &Usage) -> f64 {
    let ns: f64 = u
        .instances
        .iter()
        .map(|i| i.life_ns(u.span_ns) as f64)
        .sum();
    ns / NS_PER_H
}
