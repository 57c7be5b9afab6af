//! Ground-truth cases as experiments, and the metrics both sides are compared on.
//!
//! A case's parameters (P, T, body kind, arrivals) become an [`Experiment`] with the calibrated
//! dispatch costs and warm pools, as the measurements had; Poisson cases replay each recorded
//! repetition's arrivals. Metrics are computed from per-invocation rows exactly as
//! measured.json computes them (latency = body end - arrival; makespan = last body end - first
//! arrival; percentiles by linear interpolation).

use crate::config::*;
use crate::error::{Result, SimError};
use crate::metrics::InvocationRecord;
use crate::workload::trace::ArrivalUnit;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The ground truth's pools were warm: every thread existed before t = 0.
const PREWARM: bool = true;

/// Metrics computed the same way for measurements and simulations.
#[derive(Debug, Clone, Default)]
pub struct CaseMetrics {
    /// Invocations.
    pub n: f64,
    /// Last body end - first arrival (ms).
    pub makespan_ms: f64,
    /// Mean of body end - arrival.
    pub lat_mean_ms: f64,
    /// Median.
    pub lat_p50_ms: f64,
    /// 99th percentile.
    pub lat_p99_ms: f64,
    /// Most bodies running at once.
    pub max_concurrency: f64,
    /// Invocations per process.
    pub per_process: BTreeMap<u16, u64>,
}

/// A JSON file of a ground-truth folder (cases, measurements, the harness log).
pub(super) fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|source| SimError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| SimError::GroundTruth {
        path: path.to_path_buf(),
        message: format!("not valid JSON: {e}"),
    })
}

/// The median of `v` (0 for none).
pub(super) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// Percentile with linear interpolation between order statistics (numpy's default).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The dispatch costs of a case, with the harness's load generator in them: for Poisson
/// cases it sleeps until each scheduled arrival, stamps the schedule as the arrival and sends
/// after waking, so every request leaves one timed wake-up late (`generator_sleeps`), which is
/// part of the measured latency. Bursts are sent at once and serial requests are stamped
/// after the wake-up, so they carry no such delay.
fn generator_dispatch(arrival_type: Option<&str>) -> DispatchCosts {
    DispatchCosts {
        generator_sleeps: arrival_type == Some("poisson"),
        ..DispatchCosts::CALIBRATED
    }
}

/// Metrics of one simulated run, from its per-invocation rows.
pub fn metrics_of(rows: &[InvocationRecord]) -> CaseMetrics {
    let mut lat: Vec<f64> = rows
        .iter()
        .filter_map(|r| r.end.map(|e| (e - r.arrival) as f64 / 1e6))
        .collect();
    lat.sort_by(f64::total_cmp);
    let mut edges: Vec<(u64, i32)> = Vec::new();
    for r in rows {
        if let (Some(s), Some(e)) = (r.start, r.end) {
            edges.push((s, 1));
            edges.push((e, -1));
        }
    }
    // Starts before ends at one instant, so an empty body still counts as running.
    edges.sort_by_key(|&(t, d)| (t, -d));
    let (mut cur, mut max) = (0, 0);
    for (_, d) in edges {
        cur += d;
        max = max.max(cur);
    }
    let mut per_process = BTreeMap::new();
    for r in rows {
        if let Some(p) = r.process {
            *per_process.entry(p).or_insert(0) += 1;
        }
    }
    CaseMetrics {
        n: rows.len() as f64,
        // As measured.json computes it: last body end - first arrival.
        makespan_ms: (rows.iter().filter_map(|r| r.end).max().unwrap_or(0)
            - rows.iter().map(|r| r.arrival).min().unwrap_or(0)) as f64
            / 1e6,
        lat_mean_ms: lat.iter().sum::<f64>() / lat.len().max(1) as f64,
        lat_p50_ms: percentile(&lat, 0.5),
        lat_p99_ms: percentile(&lat, 0.99),
        max_concurrency: max as f64,
        per_process,
    }
}

/// A ground-truth case turned into an experiment (one per simulated repetition).
pub(super) fn experiment_for(
    case: &Value,
    machine: &Value,
    seed: u64,
    replay: Option<Vec<u64>>,
    file: &Path,
) -> Result<Experiment> {
    let bad = |what: &str| SimError::GroundTruth {
        path: file.to_path_buf(),
        message: format!("case {}: {what}", case["name"]),
    };
    let name = case["name"]
        .as_str()
        .ok_or_else(|| bad("no name"))?
        .to_string();
    let cpu_count = machine["cpu_count"].as_u64().unwrap_or(2) as u32;
    let processes = case["P"].as_u64().ok_or_else(|| bad("P missing"))? as u32;
    let python = case["python_version"]
        .as_str()
        .unwrap_or("3.11")
        .to_string();
    let minor: u32 = python.trim_start_matches("3.").parse().unwrap_or(11);
    if !(1..=10).contains(&processes) {
        return Err(bad(&format!("P = {processes} is out of range: 1..=10")));
    }
    let threads = match case["T"].as_u64() {
        Some(0) => return Err(bad("T = 0 is out of range: >= 1, or null for the default")),
        Some(t) => t as u32,
        None => default_pool_threads(minor, cpu_count),
    };
    let switch_ms = machine["switchinterval_s"].as_f64().unwrap_or(0.005) * 1e3;
    let body = &case["body"];
    let ms = |key: &str| -> Result<Dist> {
        let v = body[key]
            .as_f64()
            .ok_or_else(|| bad(&format!("body.{key} missing")))?;
        Ok(Dist::Constant((v * 1e6).round() as u64))
    };
    let kind_name = body["kind"]
        .as_str()
        .ok_or_else(|| bad("body.kind missing"))?;
    use Step::*;
    let (kind, steps) = match kind_name {
        "sync_io" => (FunctionKind::Sync, vec![BlockingIo(ms("d_ms")?)]),
        "sync_cpu" => (FunctionKind::Sync, vec![Cpu(ms("d_ms")?)]),
        "mixed" => (
            FunctionKind::Sync,
            vec![Cpu(ms("cpu_ms")?), BlockingIo(ms("io_ms")?)],
        ),
        "sync_noop" => (FunctionKind::Sync, vec![]),
        "async_io" => (FunctionKind::Async, vec![AwaitIo(ms("d_ms")?)]),
        "async_blocking" => (FunctionKind::Async, vec![BlockingIo(ms("d_ms")?)]),
        "async_cpu" => (FunctionKind::Async, vec![Cpu(ms("d_ms")?)]),
        "async_executor" => (
            FunctionKind::Async,
            vec![RunInExecutor(vec![BlockingIo(ms("d_ms")?)])],
        ),
        "async_noop" => (FunctionKind::Async, vec![]),
        "gather" => {
            let k = body["k"].as_u64().ok_or_else(|| bad("body.k missing"))? as usize;
            (
                FunctionKind::Async,
                vec![Gather(vec![vec![AwaitIo(ms("d_ms")?)]; k])],
            )
        }
        other => return Err(bad(&format!("unknown body kind {other:?}"))),
    };
    let arrival = &case["arrival"];
    let dispatch = generator_dispatch(arrival["type"].as_str());
    let dispatch = match machine["calibration"]["iters_per_ms"].as_f64() {
        Some(iters_per_ms) => dispatch.at_python_speed(iters_per_ms / CALIBRATION_ITERS_PER_MS),
        None => dispatch,
    };
    let workload = match (arrival["type"].as_str(), replay) {
        (_, Some(arrivals_ns)) => Workload::Replay {
            path: file.to_path_buf(),
            arrivals_ns,
        },
        (Some("burst"), None) => Workload::Burst {
            n: arrival["n"].as_u64().ok_or_else(|| bad("arrival.n"))?,
            at_ns: 0,
        },
        (Some("serial"), None) => Workload::ClosedLoop {
            clients: 1,
            think: Dist::Constant((arrival["gap_ms"].as_f64().unwrap_or(0.0) * 1e6) as u64),
            duration_ns: None,
            requests_per_client: Some(arrival["n"].as_u64().ok_or_else(|| bad("arrival.n"))?),
        },
        // Without the recorded sample paths: fresh Poisson arrivals, compared like a burst.
        (Some("poisson"), None) => Workload::Poisson {
            rate_per_s: arrival["rate_per_s"]
                .as_f64()
                .filter(|r| *r > 0.0)
                .ok_or_else(|| bad("arrival.rate_per_s"))?,
            duration_ns: (arrival["duration_s"]
                .as_f64()
                .ok_or_else(|| bad("arrival.duration_s"))?
                * 1e9) as u64,
        },
        (other, None) => {
            return Err(bad(&format!(
                "unknown arrival type {other:?} (known: burst, serial, poisson)"
            )))
        }
    };
    Ok(Experiment {
        name,
        description: String::new(),
        seed,
        host: HostConfig {
            cores: cpu_count as f64,
            processes,
            threads,
            threads_source: "ground truth".into(),
            default_executor_threads: default_executor_threads(cpu_count),
            cpu_count,
            python,
            free_threaded: false,
            switch_interval_ns: switch_interval_ns(switch_ms),
            process_start_interval_ns: 0,
            context_switch_ns: DEFAULT_CONTEXT_SWITCH_NS,
            placement: Placement::default(),
            prewarm_pools: PREWARM,
            dispatch,
        },
        functions: vec![FunctionSpec {
            name: "f".into(),
            kind,
            body: steps,
            workload,
            trigger: None,
            fails: 0.0,
            memory_kib: None,
        }],
        horizon_ns: None,
        output: OutputConfig {
            invocations: true,
            timeseries_interval_ns: 1_000_000_000,
            thread_states: None,
        },
        scale: None,
        plan: None,
        function_timeout_ns: None,
        worker_restart_delay_ns: 10_000_000_000,
        memory: None,
        compare: None,
        sweep: None,
        objective: None,
        source: file.to_path_buf(),
        as_given: None,
    })
}

/// Arrivals of each repetition of a recorded case (ns), from its invocations CSV.
pub(super) fn recorded_arrivals(path: &Path) -> Result<BTreeMap<u64, Vec<u64>>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| SimError::GroundTruth {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut reps: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    for (i, rec) in reader.deserialize::<BTreeMap<String, String>>().enumerate() {
        let line = i + 2;
        let bad = |m: String| SimError::Trace {
            file: path.to_path_buf(),
            line,
            message: m,
        };
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let rep: u64 = rec
            .get("rep")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad("`rep` is not an integer".into()))?;
        let cell = rec.get("arrival_ms").map_or("", String::as_str);
        let arrival_ns = ArrivalUnit::of("arrival_ms")
            .ns(cell)
            .map_err(|(value, what)| bad(format!("`arrival_ms` = {value} {what}")))?;
        reps.entry(rep).or_default().push(arrival_ns);
    }
    for v in reps.values_mut() {
        v.sort_unstable();
    }
    Ok(reps)
}
