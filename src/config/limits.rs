//! The allowed values of every numeric field, in one table.
//!
//! Validation checks each [`Num`] against its entry here and quotes the entry in its message,
//! so a range is written once. The bounds keep every time representable in integer
//! nanoseconds and every run finite: a step, think time or distribution parameter (a
//! constant, mean, median or max) is at most one day ([`MAX_DURATION_MS`]; draws from the
//! unbounded Exponential and Lognormal are truncated there by the model's sampler), an arrival
//! instant (a burst's `at_ms`, a replayed arrival) at most one year ([`MAX_ARRIVAL_MS`]), and
//! the time-series interval at least 1 us. `raw.rs`'s doc comments and the README's "Writing
//! an experiment" describe the same bounds.

use super::number::{show, Num};
use std::fmt;

/// Longest step, think time or distribution parameter (constant, mean, median, max), in ms:
/// one day, far beyond any function's timeout.
pub const MAX_DURATION_MS: f64 = 86_400_000.0;
/// [`MAX_DURATION_MS`] in nanoseconds: where sampled durations are truncated.
pub const MAX_DURATION_NS: u64 = 86_400_000_000_000;
/// Latest arrival instant (a burst's `at_ms`, a replayed arrival), in ms: one year (365 days,
/// 3.1536e10 ms).
pub const MAX_ARRIVAL_MS: f64 = 3.1536e10;
/// Shortest time-series sampling interval, in ms: 1 us.
pub const MIN_INTERVAL_MS: f64 = 0.001;
/// Longest arrival window or horizon, in seconds (about 11.6 days).
pub const MAX_S: f64 = 1e6;

/// Why a value is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A string or boolean where a number belongs.
    NotNumber,
    /// A fraction, NaN, infinity, string or boolean where a whole number belongs.
    NotWhole,
    /// A number outside the range.
    OutOfRange,
}

impl Fault {
    /// The fault as the end of a sentence about the value: "is not a whole number".
    pub fn what(self) -> &'static str {
        match self {
            Fault::NotNumber => "is not a number",
            Fault::NotWhole => "is not a whole number",
            Fault::OutOfRange => "is out of range",
        }
    }

    /// The fault of one parameter of a composite value: "has a median that is out of range".
    pub fn what_of(self, param: &str) -> String {
        format!("has a {param} that {}", self.what())
    }
}

/// Allowed values of a whole-number field: `min..=max`.
#[derive(Debug, Clone, Copy)]
pub struct Whole {
    /// Smallest allowed.
    pub min: u64,
    /// Largest allowed.
    pub max: u64,
    /// What the number means, and a hint (may be empty).
    pub note: &'static str,
}

impl Whole {
    /// The value, if it is a whole number in range. A float with no fraction (`1e6`) counts.
    pub fn check(&self, n: &Num) -> Result<u64, Fault> {
        let v: i128 = match n {
            Num::Int(i) => *i,
            Num::Float(x) if x.is_finite() && x.fract() == 0.0 => *x as i128,
            _ => return Err(Fault::NotWhole),
        };
        if v < i128::from(self.min) || v > i128::from(self.max) {
            return Err(Fault::OutOfRange);
        }
        Ok(v as u64)
    }
}

impl fmt::Display for Whole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.min, self.max)?;
        note(f, self.note)
    }
}

/// Allowed values of a real-number field: `min <= x <= max` (or `min < x` when `open_min`).
#[derive(Debug, Clone, Copy)]
pub struct Real {
    /// Lower bound.
    pub min: f64,
    /// The lower bound itself is not allowed.
    pub open_min: bool,
    /// Upper bound (allowed).
    pub max: f64,
    /// Unit or name of the quantity, as the message shows it (`ms`, `cores`).
    pub unit: &'static str,
    /// What the number means, and a hint (may be empty).
    pub note: &'static str,
}

impl Real {
    /// The value, if it is a finite number in range (whole numbers count).
    pub fn check(&self, n: &Num) -> Result<f64, Fault> {
        let v = match n {
            Num::Int(i) => *i as f64,
            Num::Float(x) => *x,
            _ => return Err(Fault::NotNumber),
        };
        if self.contains(v) {
            Ok(v)
        } else {
            Err(Fault::OutOfRange)
        }
    }

    /// Whether `v` is finite and in range.
    pub fn contains(&self, v: f64) -> bool {
        let above = if self.open_min {
            v > self.min
        } else {
            v >= self.min
        };
        v.is_finite() && above && v <= self.max
    }
}

impl fmt::Display for Real {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.open_min { "<" } else { "<=" };
        let (min, max) = (show(self.min), show(self.max));
        write!(f, "{min} {op} {} <= {max}", self.unit)?;
        note(f, self.note)
    }
}

fn note(f: &mut fmt::Formatter<'_>, note: &str) -> fmt::Result {
    if note.is_empty() {
        Ok(())
    } else {
        write!(f, " ({note})")
    }
}

const fn whole(min: u64, max: u64, note: &'static str) -> Whole {
    Whole { min, max, note }
}

const fn closed(min: f64, max: f64, unit: &'static str, note: &'static str) -> Real {
    Real {
        min,
        open_min: false,
        max,
        unit,
        note,
    }
}

const fn above(min: f64, max: f64, unit: &'static str, note: &'static str) -> Real {
    Real {
        min,
        open_min: true,
        max,
        unit,
        note,
    }
}

/// `seed`.
pub const SEED: Whole = whole(0, u64::MAX, "the seed of every random draw");
/// `horizon_s`.
pub const HORIZON_S: Real = above(
    0.0,
    MAX_S,
    "seconds",
    "omit to run until every invocation ends",
);
/// `output.timeseries_interval_ms`.
pub const TIMESERIES_INTERVAL_MS: Real =
    closed(MIN_INTERVAL_MS, MAX_DURATION_MS, "ms", "from 1 us to 1 day");

/// `output.thread_states.from_s` and `to_s` (`--thread-states A..B`).
pub const WINDOW_S: Real = closed(0.0, MAX_S, "seconds", "of simulated time, from 0");

/// `host.cores`.
pub const CORES: Real = closed(
    0.01,
    1024.0,
    "cores",
    "fractions allowed: Flex 512 MB has 0.25",
);
/// `host.processes` (Azure's limit).
pub const PROCESSES: Whole = whole(
    1,
    10,
    "FUNCTIONS_WORKER_PROCESS_COUNT: Azure's host refuses more than 10 worker processes",
);
/// `host.threads`.
pub const THREADS: Whole = whole(
    1,
    4096,
    "PYTHON_THREADPOOL_THREAD_COUNT; omit it for Python's default",
);
/// `host.cpu_count`.
pub const CPU_COUNT: Whole = whole(1, 1024, "os.cpu_count(); omit it for ceil(cores)");
/// `host.switch_interval_ms`.
pub const SWITCH_INTERVAL_MS: Real = above(0.0, 1000.0, "ms", "CPython's default is 5");
/// `host.process_start_interval_s`.
pub const PROCESS_START_INTERVAL_S: Real = closed(
    0.0,
    3600.0,
    "seconds",
    "Azure starts processes 10 s apart; 0 = all warm",
);
/// `host.context_switch_us`.
pub const CONTEXT_SWITCH_US: Real = closed(0.0, 1e4, "microseconds", "default 5.9");
/// Every `host.dispatch.*_us` cost.
pub const DISPATCH_US: Real = closed(0.0, 1e9, "microseconds", "");
/// `host.dispatch` shares and chances (`handover_*`, `syscall_loss*`).
pub const SHARE: Real = closed(0.0, 1.0, "probability", "");
/// `host.dispatch.jitter_sigma`.
pub const JITTER_SIGMA: Real = closed(0.0, 3.0, "sigma", "0 = constant costs");

/// `functions[i].fails`: the chance that an invocation raises.
pub const FAILS: Real = closed(
    0.0,
    1.0,
    "probability",
    "the chance that an invocation raises at the end of its body; 0 = never, 1 = always",
);

/// `Burst.n`.
pub const BURST_N: Whole = whole(1, 1_000_000_000, "invocations");
/// `Burst.at_ms`.
pub const AT_MS: Real = closed(0.0, MAX_ARRIVAL_MS, "ms", "at most 1 year");
/// `Poisson.rate_per_s`.
pub const RATE_PER_S: Real = above(0.0, 1e9, "arrivals per second", "");
/// `Poisson.duration_s` and `ClosedLoop.duration_s`.
pub const DURATION_S: Real = above(0.0, MAX_S, "seconds", "");
/// The number of points of a `RateCurve`.
pub const CURVE_POINTS: Whole = whole(2, 100_000, "points of the curve");
/// A `RateCurve` point's time.
pub const CURVE_TIME_S: Real = closed(
    0.0,
    MAX_S,
    "seconds",
    "times increase strictly from point to point",
);
/// A `RateCurve` point's rate: 0 allowed (a quiet stretch).
pub const CURVE_RATE: Real = closed(
    0.0,
    1e9,
    "arrivals per second",
    "0 = a quiet stretch; not every point may be 0",
);
/// The number of a compare block's variants.
pub const VARIANTS: Whole = whole(2, 100, "variants, each a run of its own");
/// A compare block's `slo.p99_ms`.
pub const SLO_MS: Real = above(0.0, MAX_DURATION_MS, "ms", "the p99 latency to stay within");
/// An objective's `max_queue_age_s`.
pub const QUEUE_AGE_BOUND_S: Real =
    closed(0.0, MAX_S, "s", "the longest wait before a body starts");
/// An objective's `unanswered_share`.
pub const UNANSWERED_SHARE: Real = closed(
    0.0,
    1.0,
    "share of the arrivals",
    "refused (429) or failed; 0.01 = 1%",
);
/// The weight of cost in an objective's `Balanced(w)` strategy.
pub const COST_WEIGHT: Real = closed(0.0, 1.0, "weight of cost", "the rest goes to p99 latency");
/// A sweep's `replications`.
pub const REPLICATIONS: Whole = whole(1, 1000, "runs per configuration, each with its own seed");
/// The values of one sweep axis.
pub const AXIS_VALUES: Whole = whole(1, 1000, "values");
/// The most configurations a sweep may have, even with `--yes` (each is checked and held as an
/// experiment before any runs).
pub const SWEEP_CONFIGURATIONS: usize = 1_000_000;
/// The most axes of a sweep, grid and zip together.
pub const SWEEP_AXES: usize = 32;
/// The most runs a sweep starts without `--yes`.
pub const SWEEP_RUNS: usize = 5000;
/// The longest a sweep may be estimated to take on its cores before it needs `--yes`, s.
pub const SWEEP_WALL_S: f64 = 1800.0;
/// `ClosedLoop.clients`.
pub const CLIENTS: Whole = whole(1, 1_000_000, "clients");
/// `ClosedLoop.requests_per_client`.
pub const REQUESTS_PER_CLIENT: Whole = whole(1, u64::MAX, "requests per client");

/// A replayed arrival, in the milliseconds of a column such as `arrival_ms`.
pub const REPLAY_MS: Real = closed(0.0, MAX_ARRIVAL_MS, "ms", "at most 1 year after the start");
/// A replayed arrival, in the seconds of a column whose name ends in `_s`.
pub const REPLAY_S: Real = closed(
    0.0,
    MAX_ARRIVAL_MS / 1e3,
    "seconds",
    "at most 1 year after the start",
);

/// A recorded invocation's duration in a trace, seconds (at most one day).
pub const TRACE_DURATION_S: Real = closed(0.0, MAX_DURATION_MS / 1e3, "seconds", "at most 1 day");
/// A recorded invocation's duration in a trace, ms (at most one day).
pub const TRACE_DURATION_MS: Real = closed(0.0, MAX_DURATION_MS, "ms", "at most 1 day");

/// The most functions one `trace` block replays: each streams its own arrivals from the
/// file, so each costs a pass over it ([`crate::workload::trace_feed`]).
pub const MAX_TRACE_FUNCTIONS: u64 = 500;
/// A `trace` block's `top`.
pub const TRACE_TOP: Whole = whole(
    1,
    MAX_TRACE_FUNCTIONS,
    "functions (the busiest in the window)",
);
/// The ends of a `trace` block's `window_s`, seconds of the trace.
pub const TRACE_WINDOW_S: Real = closed(
    0.0,
    MAX_ARRIVAL_MS / 1e3,
    "seconds",
    "at most 1 year into the trace",
);
/// A `trace` block's `scale`: arrivals come k times as densely (the window's times divided by k).
pub const TRACE_SCALE: Real = above(0.0, 1000.0, "x", "the arrival rate's multiplier");
/// A `trace` block's `sample_apps`: the share of the trace's apps kept.
pub const SAMPLE_APPS: Real = above(
    0.0,
    1.0,
    "share",
    "of the trace's apps kept, each drawn from the seed",
);
/// A `TraceBody`'s `cpu_share`: the share of each recorded duration spent in Python code.
pub const CPU_SHARE: Real = closed(
    0.0,
    1.0,
    "share",
    "of each duration spent in Python code, the rest in I/O",
);

/// A `Diurnal` pattern's `peak_at_h`.
pub const PEAK_AT_H: Real = closed(0.0, 24.0, "hours", "after the start");
/// A `Diurnal` pattern's `days`.
pub const DIURNAL_DAYS: Whole = whole(1, 11, "days (the longest run is 1e6 s)");
/// An `OnOff` pattern's mean on or off period, seconds.
pub const ON_OFF_S: Real = above(
    0.0,
    MAX_S,
    "seconds",
    "the mean length of an on or off period",
);

/// The count of `GatherN(count, ..)`.
pub const GATHER_COUNT: Whole = whole(1, 100_000, "copies of the branch");
/// The count of `Repeat(count, ..)`.
pub const REPEAT_COUNT: Whole = whole(1, 1_000_000, "repetitions");
/// A body step's duration (`Constant`, and the mean, median or max of a distribution).
pub const STEP_MS: Real = closed(
    1e-6,
    MAX_DURATION_MS,
    "ms",
    "at most 1 day; a step that takes no time is no step: remove it",
);
/// A think time (`Constant` and `Uniform`/`Empirical` may be 0), or any distribution's min.
pub const THINK_MS: Real = closed(0.0, MAX_DURATION_MS, "ms", "at most 1 day");
/// A think time's mean or median (`Exponential`, `Lognormal`).
pub const THINK_MEAN_MS: Real = closed(1e-6, MAX_DURATION_MS, "ms", "at most 1 day");
/// `Lognormal`'s sigma.
pub const SIGMA: Real = closed(0.0, 5.0, "sigma", "");
/// An `Empirical` point's percentile.
pub const PERCENTILE: Real = closed(0.0, 100.0, "percentile", "");

/// `scale.decision_interval_s`, `scale.http_rate_s` and `scale.other_rate_s`: a rate of 0
/// would let the controller add instances without pause.
pub const SCALE_INTERVAL_S: Real = above(0.0, 3600.0, "seconds", "at most 1 hour");
/// `scale.min_instances` and `scale.always_ready`.
pub const SCALE_FLOOR: Whole = whole(0, 1000, "instances; Flex allows 1000 per group");
/// `scale.max_instances`, `scale.app_scale_limit` and `scale.max_drain_per_decision`.
pub const SCALE_CEILING: Whole = whole(1, 1000, "instances; Flex allows 1000 per group");
/// `scale.idle_to_zero_s` and `scale.mode.scale_in_hold_s`.
pub const SCALE_WAIT_S: Real = closed(0.0, MAX_S, "seconds", "0 = no wait");
/// `scale.mode.max_step` and `scale.mode.step`.
pub const SCALE_STEP: Whole = whole(1, 1000, "new instances per decision");
/// Every target executions per instance (`scale.targets.*`, `target_per_instance`).
pub const SCALE_TARGET: Whole = whole(
    1,
    1_000_000,
    "executions per instance; a target of 0 would ask for infinitely many instances",
);
/// `scale.mode.samples` of the incremental monitor.
pub const SCALE_SAMPLES: Whole = whole(2, 100, "samples per vote; Azure uses 5");
/// `scale.mode.length_per_instance` (incremental and thresholds).
pub const SCALE_LENGTH: Whole = whole(1, 1_000_000_000, "messages per instance");
/// `scale.mode.oldest_age_s` and `scale.mode.quiet_s` of the thresholds mode.
pub const SCALE_AGE_S: Real = above(0.0, MAX_S, "seconds", "");
/// `scale.prewarmed`.
pub const SCALE_PREWARMED: Whole = whole(0, 1000, "instances; Premium's default is 1");
/// `scale.drain_grace_s`: 0 cuts a drained instance's invocations at once.
pub const SCALE_GRACE_S: Real = closed(0.0, MAX_S, "seconds", "Consumption 600, Premium 3600");
/// `scale.triggers[i].kind.partitions`.
pub const PARTITIONS: Whole = whole(1, 1024, "partitions of the event hub");

/// `function_timeout_s` and a plan's `function_timeout_default_s` / `_max_s` (host.json's
/// functionTimeout).
pub const FUNCTION_TIMEOUT_S: Real = above(
    0.0,
    MAX_S,
    "seconds",
    "functionTimeout; Consumption allows at most 600, the other plans are unbounded",
);
/// `worker_restart_delay_s`.
pub const RESTART_DELAY_S: Real = closed(0.0, 3600.0, "seconds", "at most 1 hour");
/// A plan's `memory_mb`, `memory_sizes_mb`, a Consumption price's `billed_memory_mb` and
/// `memory_step_mb`.
pub const PLAN_MEMORY_MB: Whole = whole(1, 1_048_576, "MB");
/// Every rate of a plan's `price` (per GB-s, per million executions, per hour).
pub const PRICE: Real = closed(0.0, 1e6, "per unit", "in the price's currency");
/// A plan's monthly free grant (`free_gb_s`, `free_executions`).
pub const FREE_GRANT: Real = closed(0.0, 1e15, "per month", "");
/// Flex's `min_period_ms`: the shortest billed execution period (0: none).
pub const BILLED_PERIOD_MS: Real = closed(0.0, MAX_DURATION_MS, "ms", "Flex bills at least 1000");
/// Flex's `period_step_ms`: billed periods are rounded up to a multiple of it.
pub const BILLED_STEP_MS: Real =
    above(0.0, MAX_DURATION_MS, "ms", "Flex rounds up to 100 ms steps");

/// `memory.limit_mb`: the instance's memory, shared by the host and its workers.
pub const MEMORY_LIMIT_MB: Real = closed(
    1.0,
    1_048_576.0,
    "MB",
    "omit it for the plan's memory_mb (no limit without a plan)",
);
/// `memory.host_mb`, `memory.worker_base_mb`, `memory.imports_mb`.
pub const MEMORY_MB: Real = closed(0.0, 1_048_576.0, "MB", "at most 1 TiB");
/// A function's `memory_mb` parameter that may be 0 (a constant, a min, an empirical point).
pub const INVOCATION_MEMORY_MB: Real = closed(0.0, 1_048_576.0, "MB", "at most 1 TiB");
/// A function's `memory_mb` mean or median (`Exponential`, `Lognormal`).
pub const INVOCATION_MEMORY_MEAN_MB: Real = closed(1e-6, 1_048_576.0, "MB", "at most 1 TiB");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_are_checked_for_type_then_range() {
        assert_eq!(PROCESSES.check(&Num::Int(3)), Ok(3));
        assert_eq!(PROCESSES.check(&Num::Float(3.0)), Ok(3));
        assert_eq!(PROCESSES.check(&Num::Float(1.5)), Err(Fault::NotWhole));
        assert_eq!(
            PROCESSES.check(&Num::Text("two".into())),
            Err(Fault::NotWhole)
        );
        assert_eq!(PROCESSES.check(&Num::Int(-1)), Err(Fault::OutOfRange));
        assert_eq!(SEED.check(&Num::Int(u64::MAX.into())), Ok(u64::MAX));
        assert_eq!(SEED.check(&Num::Int(1 << 64)), Err(Fault::OutOfRange));
    }

    #[test]
    fn real_numbers_must_be_finite_and_in_range() {
        assert_eq!(CORES.check(&Num::Int(2)), Ok(2.0));
        assert_eq!(CORES.check(&Num::Float(f64::NAN)), Err(Fault::OutOfRange));
        assert_eq!(CORES.check(&Num::Bool(true)), Err(Fault::NotNumber));
        assert_eq!(
            SWITCH_INTERVAL_MS.check(&Num::Float(0.0)),
            Err(Fault::OutOfRange)
        );
    }

    #[test]
    fn ranges_read_as_written() {
        assert!(PROCESSES
            .to_string()
            .starts_with("1..=10 (FUNCTIONS_WORKER"));
        assert_eq!(SEED.check(&Num::Int(0)), Ok(0));
        assert!(SEED.to_string().starts_with("0..=18446744073709551615"));
        assert!(STEP_MS
            .to_string()
            .starts_with("0.000001 <= ms <= 86400000 (at most 1 day"));
        assert!(SWITCH_INTERVAL_MS.to_string().starts_with("0 < ms <= 1000"));
        assert!(REPLAY_MS.to_string().starts_with("0 <= ms <= 3.1536e10"));
        assert!(TIMESERIES_INTERVAL_MS
            .to_string()
            .starts_with("0.001 <= ms"));
        assert_eq!(MAX_DURATION_NS as f64, MAX_DURATION_MS * 1e6);
    }
}
