//! sim's idle dispatch path set beside the machine's, from the harness's dispatch probe.
//!
//! Before the load starts, `measure.py` sends 25 empty invocations of the case's style (`def`
//! or `async def`) one at a time to an idle worker, each after the host slept 20 ms, and
//! records the median time from the send to the empty body's start
//! (`harness_log::IDLE_DISPATCH`). On that path a request wakes two or three threads that
//! slept long (the receiver, the loop, a pool thread), each after its sleeper wake-up latency
//! ([`DispatchCosts::sleeper_wake_ns`]), and runs the path's Python work at the Python probe's
//! speed (`machine.calibration.iters_per_ms`). `sim validate` sends sim the same probe on a
//! case's host and reports both medians, and the scale of sim's idle exits
//! ([`DispatchCosts::at_idle_exit_scale`]: the sleeper wake-up and the GIL hand-over to a
//! thread that wakes on an idle CPU) at which sim's would equal the machine's.
//!
//! It is also an input ([`SittingIdleExits`]): `sim validate` runs a folder's cases with the
//! idle exits of the sitting that measured them, the scale of each style's probe, as the
//! Python work runs at its Python probe's speed. A folder without the probe (the ground
//! truth's) keeps the calibrated idle exits. (In round 18, before the work queue's lock
//! hand-off was in the model, scaling each repetition to its own probe ran two processes of
//! several CPU threads, already low, lower still: `notebooks/measurements/cpu-load-2026-12-05j`.)

use super::cases::{experiment_for, median};
use super::harness_log::{RecordedFigure, IDLE_DISPATCH};
use crate::config::{DispatchCosts, Dist, Experiment, FunctionKind, Workload};
use crate::error::Result;
use crate::runner::run_experiment;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// The harness's sleep before each probe (`DISPATCH_PROBE_GAP_S` in measure.py).
const PROBE_GAP_NS: u64 = 20_000_000;
/// Probes sim sends: more than the harness's 25, so that sim's median carries little noise of
/// its own.
const SIM_PROBES: u64 = 301;

/// sim's probe beside the machine's, for the cases of one style of body.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeReport {
    /// `def` or `async def`.
    pub style: &'static str,
    /// Measured repetitions that recorded the probe.
    pub repetitions: usize,
    /// The machine's probe, the median over those repetitions, us (to 0.1 us).
    pub machine_us: f64,
    /// sim's probe on the first such case's host, with its calibrated idle exits, us (to
    /// 0.1 us).
    pub sim_us: f64,
    /// The scale of sim's idle exits at which its probe would equal the machine's (0 to 8).
    pub idle_exit_scale: f64,
}

impl ProbeReport {
    /// One line of `sim validate`'s text report.
    pub fn text(&self) -> String {
        format!(
            "dispatch probe, {}: the machine {:.1} us (median of {} repetitions), sim {:.1} us; \
             sim's idle exits would match at {:.2} of their calibrated values\n",
            self.style, self.machine_us, self.repetitions, self.sim_us, self.idle_exit_scale
        )
    }
}

/// The probe reports of a folder's `cases` (those whose name contains `only`), one per style
/// of body whose repetitions recorded the probe; none for a folder without it.
pub(super) fn report(
    dir: &Path,
    cases: &[Value],
    machine: &Value,
    file: &Path,
    only: Option<&str>,
) -> Result<Vec<ProbeReport>> {
    let probes = RecordedFigure::read(dir, IDLE_DISPATCH)?;
    let mut reports = Vec::new();
    for (style, kind) in [
        ("def", FunctionKind::Sync),
        ("async def", FunctionKind::Async),
    ] {
        let mut host = None;
        let mut measured = Vec::new();
        for case in cases {
            let name = case["name"].as_str().unwrap_or("");
            let recorded = probes.recorded(name);
            if only.is_some_and(|o| !name.contains(o)) || recorded.is_empty() {
                continue;
            }
            let exp = experiment_for(case, machine, 1, None, file)?;
            if exp.functions[0].kind == kind {
                host.get_or_insert(exp);
                measured.extend(recorded.iter().map(|&ns| ns as f64));
            }
        }
        if let Some(host) = host {
            reports.push(report_one(style, &host, measured)?);
        }
    }
    Ok(reports)
}

/// The idle exits of the sitting that measured a folder, per style of body: the scale of
/// [`ProbeReport::idle_exit_scale`] at which sim's probe matches the median of the folder's
/// probes of that style; none for a style (or a folder) without them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct SittingIdleExits {
    /// The scale for `def` bodies.
    sync: Option<f64>,
    /// The scale for `async def` bodies.
    asynchronous: Option<f64>,
}

impl SittingIdleExits {
    /// The folder's scales, from its probe reports over every case (whatever `--only` picks).
    pub(super) fn of_reports(reports: &[ProbeReport]) -> SittingIdleExits {
        let mut exits = SittingIdleExits::default();
        for r in reports {
            match r.style {
                "def" => exits.sync = Some(r.idle_exit_scale),
                _ => exits.asynchronous = Some(r.idle_exit_scale),
            }
        }
        exits
    }

    /// `exp` with its idle exits at its style's scale, where the folder measured one.
    pub(super) fn applied(&self, mut exp: Experiment) -> Experiment {
        let scale = match exp.functions[0].kind {
            FunctionKind::Async => self.asynchronous,
            _ => self.sync,
        };
        if let Some(scale) = scale {
            exp.host.dispatch = exp.host.dispatch.at_idle_exit_scale(scale);
        }
        exp
    }
}

/// The report of one style: the machine's `measured` probes (ns) against sim's on `host`.
fn report_one(style: &'static str, host: &Experiment, measured: Vec<f64>) -> Result<ProbeReport> {
    let repetitions = measured.len();
    let machine_ns = median(measured);
    let rounded = |x: f64, step: f64| (x / step).round() * step;
    Ok(ProbeReport {
        style,
        repetitions,
        machine_us: rounded(machine_ns / 1e3, 0.1),
        sim_us: rounded(probe_start_ns(host, 1.0)? / 1e3, 0.1),
        idle_exit_scale: rounded(
            matching_idle_exit_scale(host, machine_ns.round() as u64)?,
            0.01,
        ),
    })
}

/// The smallest and the largest idle-exit scales searched; a probe beyond what they give
/// takes the nearer bound.
const SCALE_RANGE: (f64, f64) = (0.0, 8.0);
/// Halvings of the searched interval: the scale comes out within 0.0001.
const STEPS: u32 = 16;
/// The probe's seed, fixed, so that every step of the bisection simulates the same draws and
/// the probe's latency is a function of the scale alone.
const PROBE_SEED: u64 = 1;

/// The idle-exit scale at which sim's probe of `exp`'s host takes `measured_ns` from send to
/// an empty body's start, within [`SCALE_RANGE`].
fn matching_idle_exit_scale(exp: &Experiment, measured_ns: u64) -> Result<f64> {
    let measured = measured_ns as f64;
    let (mut quick, mut slow) = SCALE_RANGE;
    if probe_start_ns(exp, quick)? >= measured {
        return Ok(quick);
    }
    if probe_start_ns(exp, slow)? <= measured {
        return Ok(slow);
    }
    // The probe's latency rises with the scale.
    for _ in 0..STEPS {
        let mid = (quick + slow) / 2.0;
        if probe_start_ns(exp, mid)? < measured {
            quick = mid;
        } else {
            slow = mid;
        }
    }
    Ok((quick + slow) / 2.0)
}

/// sim's median time from send to an empty body's start over the probe, ns, with its idle
/// exits at `scale`.
fn probe_start_ns(exp: &Experiment, scale: f64) -> Result<f64> {
    let out = run_experiment(&probe_of(exp, scale))?;
    let waits = out
        .rows
        .iter()
        .filter_map(|r| r.start.map(|s| (s - r.arrival) as f64))
        .collect();
    Ok(median(waits))
}

/// The probe as an experiment: `exp`'s host with its idle exits at `scale` and the harness's
/// probe as the only load (one client, empty bodies, a 20 ms sleep before each; the send is
/// stamped after the sleep, so no generator wake-up is in it).
fn probe_of(exp: &Experiment, scale: f64) -> Experiment {
    let mut probe = exp.clone();
    probe.seed = PROBE_SEED;
    probe.host.dispatch = DispatchCosts {
        generator_sleeps: false,
        ..exp.host.dispatch
    }
    .at_idle_exit_scale(scale);
    let function = &mut probe.functions[0];
    function.body = Vec::new();
    function.workload = Workload::ClosedLoop {
        clients: 1,
        think: Dist::Constant(PROBE_GAP_NS),
        duration_ns: None,
        requests_per_client: Some(SIM_PROBES),
    };
    probe
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// One worker of six threads running 20 ms `def` CPU bodies, dispatch costs at speed 1.
    fn host() -> Experiment {
        let case = json!({"name": "c", "P": 1, "T": 6, "body": {"kind": "sync_cpu", "d_ms": 20},
            "arrival": {"type": "burst", "n": 4}});
        let machine = json!({"cpu_count": 2});
        experiment_for(&case, &machine, 1, None, std::path::Path::new("cases.json")).unwrap()
    }

    #[test]
    fn the_found_scale_reproduces_the_measured_probe() {
        let exp = host();
        let measured = (probe_start_ns(&exp, 1.0).unwrap() * 0.8) as u64;
        let scale = matching_idle_exit_scale(&exp, measured).unwrap();
        assert!(scale < 1.0, "quicker idle exits than calibrated: {scale}");
        let again = probe_start_ns(&exp, scale).unwrap();
        let off = (again - measured as f64).abs();
        assert!(off < 0.01 * measured as f64, "{again} vs {measured}");
    }

    #[test]
    fn a_slower_probe_gives_slower_idle_exits_and_the_bounds_hold() {
        let exp = host();
        let measured = (probe_start_ns(&exp, 1.0).unwrap() * 1.3) as u64;
        assert!(matching_idle_exit_scale(&exp, measured).unwrap() > 1.0);
        let (quickest, slowest) = SCALE_RANGE;
        assert_eq!(matching_idle_exit_scale(&exp, 1).unwrap(), quickest);
        assert_eq!(
            matching_idle_exit_scale(&exp, 1_000_000_000).unwrap(),
            slowest
        );
    }

    #[test]
    fn a_sittings_scale_applies_to_its_style_only() {
        let exits = SittingIdleExits {
            sync: Some(0.5),
            asynchronous: None,
        };
        let exp = host();
        let calibrated = exp.host.dispatch;
        let scaled = exits.applied(exp.clone());
        assert_eq!(
            scaled.host.dispatch.gil_handover_ns,
            calibrated.gil_handover_ns / 2
        );
        let mut coroutine = exp;
        coroutine.functions[0].kind = FunctionKind::Async;
        let kept = exits.applied(coroutine);
        assert_eq!(
            kept.host.dispatch, calibrated,
            "no async def probe: calibrated"
        );
    }

    #[test]
    fn a_report_sets_both_probes_side_by_side_with_the_matching_scale() {
        let exp = host();
        let sim_ns = probe_start_ns(&exp, 1.0).unwrap();
        let measured = vec![0.9 * sim_ns, 0.7 * sim_ns, 0.8 * sim_ns];
        let report = report_one("def", &exp, measured).unwrap();
        assert_eq!(report.repetitions, 3);
        // Both to 0.1 us.
        let off = |us: f64, ns: f64| (us - ns / 1e3).abs();
        assert!(off(report.machine_us, 0.8 * sim_ns) < 0.051, "the median");
        assert!(off(report.sim_us, sim_ns) < 0.051);
        assert!(report.idle_exit_scale < 1.0, "{}", report.idle_exit_scale);
        let line = report.text();
        assert!(
            line.starts_with("dispatch probe, def: the machine "),
            "{line}"
        );
        assert!(line.contains("median of 3 repetitions"), "{line}");
    }
}
