//! The grouped rest of a trace block (`rest: Grouped`): every function of the trace that the
//! block does not keep by name becomes part of one function of the run, "(other functions)".
//!
//! Its arrivals come from one shared stream (the rows of the non-kept functions for Azure
//! 2021 and plain CSV; for Azure 2019 the day's nonzero counts, spilled by hour: see
//! `workload::day_group`), never one reader per function, so a day of 40,000 functions
//! replays in memory flat in the trace's length. Each invocation keeps its own function's
//! duration: the recorded one, or one drawn from its function's 2019 percentiles. The body's
//! mean (for estimates) is the invocation-weighted mean of those durations.

use super::trace::{span_ns, trace_body, Options, RawTrace, RestSource, TraceSource};
use super::{Dist, FunctionSpec, Workload};
use crate::error::Result;
use crate::workload::azure2019::{each_percentiles, PERCENTILE_PROBS};
use crate::workload::trace_scan::Scan;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The name reports give the grouped rest.
pub const REST_NAME: &str = "(other functions)";

/// The function replaying every function of `s` not in `kept` (`s` holds only the sampled
/// apps' functions), or `None` when none of them has an invocation in the window.
pub(super) fn rest_function(
    path: &Path,
    t: &RawTrace,
    s: &Scan,
    kept: &[String],
    o: &Options,
    sample: Option<(f64, u64)>,
    durations: Option<PathBuf>,
) -> Result<Option<FunctionSpec>> {
    let kept_set: BTreeSet<&str> = kept.iter().map(String::as_str).collect();
    let grouped =
        |key: &str| !kept_set.contains(key) && s.functions.get(key).is_some_and(|f| f.count > 0);
    let (mut count, mut functions) = (0u64, 0u64);
    for f in s
        .functions
        .iter()
        .filter(|(k, _)| grouped(k))
        .map(|(_, f)| f)
    {
        count += f.count;
        functions += 1;
    }
    if count == 0 {
        return Ok(None);
    }
    let mean_ns = mean_duration_ns(s, &grouped, durations.as_deref(), o.default_duration_ns)?;
    Ok(Some(FunctionSpec {
        name: REST_NAME.to_string(),
        kind: o.kind,
        body: trace_body(o, mean_ns),
        workload: Workload::Trace(TraceSource {
            path: path.to_path_buf(),
            format: t.format,
            key: REST_NAME.to_string(),
            lateness_ns: s.lateness_ns,
            window_ns: o.window_ns,
            scale: o.scale,
            default_duration_ns: o.default_duration_ns,
            count,
            span_ns: span_ns(s, o),
            spread: t.spread.unwrap_or_default(),
            percentiles: None,
            rest: Some(RestSource {
                kept: kept.to_vec(),
                sample,
                durations,
                functions,
            }),
        }),
        trigger: None,
        fails: 0.0,
        memory_kib: None,
    }))
}

/// The grouped functions' mean duration, weighted by their invocations in the window: from
/// the 2019 `durations` file's percentiles when given, else from the recorded durations;
/// `default_ns` for invocations with neither.
fn mean_duration_ns(
    s: &Scan,
    grouped: &dyn Fn(&str) -> bool,
    durations: Option<&Path>,
    default_ns: u64,
) -> Result<f64> {
    let (mut sum, mut weight) = (0.0f64, 0u64);
    match durations {
        Some(file) => each_percentiles(file, grouped, |key, ns| {
            let n = s.functions[key].count;
            let points: Vec<(f64, f64)> = PERCENTILE_PROBS.iter().copied().zip(ns).collect();
            sum += n as f64 * Dist::Empirical(points).mean_ns();
            weight += n;
        })?,
        None => {
            for f in s
                .functions
                .iter()
                .filter(|(k, _)| grouped(k))
                .map(|(_, f)| f)
            {
                sum += f.duration_sum_ns as f64;
                weight += f.with_duration;
            }
        }
    }
    let total: u64 = s
        .functions
        .iter()
        .filter(|(k, _)| grouped(k))
        .map(|(_, f)| f.count)
        .sum();
    let without = total.saturating_sub(weight);
    Ok((sum + without as f64 * default_ns as f64) / total.max(1) as f64)
}
