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
//! Where the probe also recorded the workers' CPU per empty invocation
//! (`harness_log::IDLE_DISPATCH_CPU`), `sim validate` first finds the CPU a worker thread
//! spends on each of its wake-ups onto an idle CPU after a long sleep
//! ([`DispatchCosts::idle_wake_cpu_ns`]) at which sim's workers use as much CPU per probe,
//! and then the idle-exit scale with that CPU in place: the path's CPU and its wait are
//! matched to the machine's each on its own.
//!
//! Both are inputs ([`SittingDispatch`]): `sim validate` runs a folder's cases with the idle
//! exits and the wake-up CPU of the sitting that measured them, those of each style's probe,
//! as the Python work runs at its Python probe's speed. A folder without the probe (the ground
//! truth's) keeps the calibrated idle exits and wake-ups that cost no CPU. (In round 18, before
//! the work queue's lock hand-off was in the model, scaling each repetition to its own probe ran
//! two processes of several CPU threads, already low, lower still:
//! `notebooks/measurements/cpu-load-2026-12-05j`.)

use super::cases::{experiment_for, median};
use super::harness_log::{RecordedFigure, IDLE_DISPATCH, IDLE_DISPATCH_CPU};
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
    /// sim's probe on the first such case's host, with its calibrated idle exits and the
    /// sitting's wake-up CPU ([`ProbeReport::idle_wake_cpu_us`]), us (to 0.1 us).
    pub sim_us: f64,
    /// The scale of sim's idle exits at which its probe would equal the machine's (0 to 8).
    pub idle_exit_scale: f64,
    /// The machine's workers' CPU per probe, the median over the cases of each case's median
    /// over its repetitions, us (to 0.1 us); none where the harness did not record it.
    pub machine_cpu_us: Option<f64>,
    /// sim's workers' CPU per probe with wake-ups that cost no CPU, us (to 0.1 us).
    pub sim_cpu_us: f64,
    /// The CPU per wake-up onto an idle CPU at which sim's workers' CPU per probe equals the
    /// machine's, us (to 0.1 us, 0 to 1,000); none without the machine's figure.
    pub idle_wake_cpu_us: Option<f64>,
}

impl ProbeReport {
    /// One line of `sim validate`'s text report.
    pub fn text(&self) -> String {
        format!(
            "dispatch probe, {}: the machine {:.1} us (median of {} repetitions), sim {:.1} us; \
             sim's idle exits would match at {:.2} of their calibrated values\n",
            self.style, self.machine_us, self.repetitions, self.sim_us, self.idle_exit_scale
        ) + &self.cpu_text()
    }

    /// The line on the probe's CPU, where the machine recorded it.
    fn cpu_text(&self) -> String {
        let (Some(machine), Some(wake)) = (self.machine_cpu_us, self.idle_wake_cpu_us) else {
            return String::new();
        };
        format!(
            "dispatch probe CPU, {}: the machine's workers {machine:.1} us per probe, sim's \
             {:.1} us; sim's wake-ups onto idle CPUs would match at {wake:.1} us each\n",
            self.style, self.sim_cpu_us
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
    let cpus = RecordedFigure::read(dir, IDLE_DISPATCH_CPU)?;
    let mut reports = Vec::new();
    for (style, kind) in [
        ("def", FunctionKind::Sync),
        ("async def", FunctionKind::Async),
    ] {
        let mut probed = StyleProbes::default();
        for case in cases {
            let name = case["name"].as_str().unwrap_or("");
            let recorded = probes.recorded(name);
            if only.is_some_and(|o| !name.contains(o)) || recorded.is_empty() {
                continue;
            }
            let exp = experiment_for(case, machine, 1, None, file)?;
            if exp.functions[0].kind == kind {
                probed.add(exp, &recorded, &cpus.recorded(name));
            }
        }
        let StyleProbes {
            first_host,
            measured,
            cpu_by_case,
        } = probed;
        if let Some(host) = first_host {
            reports.push(report_one(style, &host, measured, &cpu_by_case)?);
        }
    }
    Ok(reports)
}

/// The probes of one style of body over a folder's cases.
#[derive(Default)]
struct StyleProbes {
    /// The first probed case's host, on which sim's probe is reported.
    first_host: Option<Experiment>,
    /// Every repetition's probe, ns.
    measured: Vec<f64>,
    /// Each case whose repetitions recorded the probe's CPU: its host and their median, ns.
    cpu_by_case: Vec<(Experiment, f64)>,
}

impl StyleProbes {
    /// A case on `host` whose repetitions recorded `probes` and `cpus` (ns; `cpus` may be
    /// empty).
    fn add(&mut self, host: Experiment, probes: &[u64], cpus: &[u64]) {
        self.measured.extend(probes.iter().map(|&ns| ns as f64));
        if !cpus.is_empty() {
            let cpu = median(cpus.iter().map(|&ns| ns as f64).collect());
            self.cpu_by_case.push((host.clone(), cpu));
        }
        self.first_host.get_or_insert(host);
    }
}

/// What a folder's sitting gives one style of body: the scale of its idle exits
/// ([`ProbeReport::idle_exit_scale`]) and, where the probe's CPU was recorded, the CPU of a
/// wake-up onto an idle CPU ([`ProbeReport::idle_wake_cpu_us`]), ns.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StyleSitting {
    idle_exit_scale: f64,
    idle_wake_cpu_ns: Option<u64>,
}

/// The dispatch path of the sitting that measured a folder, per style of body, as its probes
/// give it; none for a style (or a folder) without them.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct SittingDispatch {
    /// For `def` bodies.
    sync: Option<StyleSitting>,
    /// For `async def` bodies.
    asynchronous: Option<StyleSitting>,
}

impl SittingDispatch {
    /// The folder's sitting, from its probe reports over every case (whatever `--only` picks).
    pub(super) fn of_reports(reports: &[ProbeReport]) -> SittingDispatch {
        let mut sitting = SittingDispatch::default();
        for r in reports {
            let style = Some(StyleSitting {
                idle_exit_scale: r.idle_exit_scale,
                idle_wake_cpu_ns: r.idle_wake_cpu_us.map(|us| (us * 1e3).round() as u64),
            });
            match r.style {
                "def" => sitting.sync = style,
                _ => sitting.asynchronous = style,
            }
        }
        sitting
    }

    /// `exp` with its style's idle exits and wake-up CPU, where the folder measured them.
    pub(super) fn applied(&self, mut exp: Experiment) -> Experiment {
        let style = match exp.functions[0].kind {
            FunctionKind::Async => self.asynchronous,
            _ => self.sync,
        };
        if let Some(style) = style {
            exp.host.dispatch = exp.host.dispatch.at_idle_exit_scale(style.idle_exit_scale);
            if let Some(ns) = style.idle_wake_cpu_ns {
                exp.host.dispatch.idle_wake_cpu_ns = ns;
            }
        }
        exp
    }
}

/// The report of one style: the machine's `measured` probes (ns) against sim's on `host`, and,
/// where the probe's CPU was recorded, each case's median (`cpu_by_case`, on its own host,
/// whose threads decide how many idle threads a probe wakes).
fn report_one(
    style: &'static str,
    host: &Experiment,
    measured: Vec<f64>,
    cpu_by_case: &[(Experiment, f64)],
) -> Result<ProbeReport> {
    let repetitions = measured.len();
    let machine_ns = median(measured);
    let rounded = |x: f64, step: f64| (x / step).round() * step;
    let (machine_cpu_ns, wake_cpu_ns) = match cpu_by_case {
        [] => (None, None),
        cases => {
            let cpu = median(cases.iter().map(|(_, cpu)| *cpu).collect());
            let wake = median_wake_cpu_ns(cases)?;
            (Some(cpu), Some(rounded(wake, 100.0)))
        }
    };
    let mut host = host.clone();
    host.host.dispatch.idle_wake_cpu_ns = wake_cpu_ns.map_or(0, |ns| ns as u64);
    Ok(ProbeReport {
        style,
        repetitions,
        machine_us: rounded(machine_ns / 1e3, 0.1),
        sim_us: rounded(probe_start_ns(&host, 1.0)? / 1e3, 0.1),
        idle_exit_scale: rounded(
            matching_idle_exit_scale(&host, machine_ns.round() as u64)?,
            0.01,
        ),
        machine_cpu_us: machine_cpu_ns.map(|ns| rounded(ns / 1e3, 0.1)),
        sim_cpu_us: rounded(probe_cpu_ns(&with_wake_cpu(&host, 0.0))? / 1e3, 0.1),
        idle_wake_cpu_us: wake_cpu_ns.map(|ns| rounded(ns / 1e3, 0.1)),
    })
}

/// The median over `cases` (each a host and its measured CPU per probe, ns) of the CPU per
/// wake-up at which sim's probe on that host uses that CPU.
fn median_wake_cpu_ns(cases: &[(Experiment, f64)]) -> Result<f64> {
    let found = cases
        .iter()
        .map(|(host, cpu)| matching_wake_cpu_ns(host, *cpu))
        .collect::<Result<Vec<f64>>>()?;
    Ok(median(found))
}

/// The largest CPU per wake-up searched, ns; a probe beyond what it gives takes it.
const MAX_WAKE_CPU_NS: f64 = 1_000_000.0;

/// The CPU per wake-up onto an idle CPU (ns, 0 to [`MAX_WAKE_CPU_NS`]) at which sim's workers
/// use `measured_ns` of CPU per probe of `exp`'s host.
fn matching_wake_cpu_ns(exp: &Experiment, measured_ns: f64) -> Result<f64> {
    // The probe's CPU rises with each wake-up's.
    rising_root((0.0, MAX_WAKE_CPU_NS), measured_ns, |ns| {
        probe_cpu_ns(&with_wake_cpu(exp, ns))
    })
}

/// `exp` with each wake-up onto an idle CPU costing the woken thread `ns` of CPU.
fn with_wake_cpu(exp: &Experiment, ns: f64) -> Experiment {
    let mut exp = exp.clone();
    exp.host.dispatch.idle_wake_cpu_ns = ns.round() as u64;
    exp
}

/// The smallest and the largest idle-exit scales searched; a probe beyond what they give
/// takes the nearer bound.
const SCALE_RANGE: (f64, f64) = (0.0, 8.0);
/// Halvings of the searched interval: the scale comes out within 0.0001, a wake-up's CPU
/// within 16 ns.
const STEPS: u32 = 16;
/// The probe's seed, fixed, so that every step of the bisection simulates the same draws and
/// the probe's latency and CPU are functions of the searched parameter alone.
const PROBE_SEED: u64 = 1;

/// The idle-exit scale at which sim's probe of `exp`'s host takes `measured_ns` from send to
/// an empty body's start, within [`SCALE_RANGE`].
fn matching_idle_exit_scale(exp: &Experiment, measured_ns: u64) -> Result<f64> {
    // The probe's latency rises with the scale.
    rising_root(SCALE_RANGE, measured_ns as f64, |scale| {
        probe_start_ns(exp, scale)
    })
}

/// The `x` within `range` at which `f`, which rises with `x`, equals `target`, to within
/// [`STEPS`] halvings of the range; a target beyond what the range gives takes the nearer
/// bound.
fn rising_root(
    range: (f64, f64),
    target: f64,
    mut f: impl FnMut(f64) -> Result<f64>,
) -> Result<f64> {
    let (mut low, mut high) = range;
    if f(low)? >= target {
        return Ok(low);
    }
    if f(high)? <= target {
        return Ok(high);
    }
    for _ in 0..STEPS {
        let mid = (low + high) / 2.0;
        if f(mid)? < target {
            low = mid;
        } else {
            high = mid;
        }
    }
    Ok((low + high) / 2.0)
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

/// sim's workers' CPU per probe, ns, with calibrated idle exits: like the harness's figure,
/// all the workers' CPU over the probe's run, divided by the probes sent.
fn probe_cpu_ns(exp: &Experiment) -> Result<f64> {
    let summary = run_experiment(&probe_of(exp, 1.0))?.summary;
    let cores: f64 = summary.processes.iter().map(|p| p.cpu_cores).sum();
    Ok(cores * summary.sim_end_ms * 1e6 / SIM_PROBES as f64)
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
    fn a_sittings_dispatch_applies_to_its_style_only() {
        let sitting = SittingDispatch {
            sync: Some(StyleSitting {
                idle_exit_scale: 0.5,
                idle_wake_cpu_ns: Some(80_000),
            }),
            asynchronous: None,
        };
        let exp = host();
        let calibrated = exp.host.dispatch;
        let scaled = sitting.applied(exp.clone());
        assert_eq!(
            scaled.host.dispatch.gil_handover_ns,
            calibrated.gil_handover_ns / 2
        );
        assert_eq!(scaled.host.dispatch.idle_wake_cpu_ns, 80_000);
        let mut coroutine = exp;
        coroutine.functions[0].kind = FunctionKind::Async;
        let kept = sitting.applied(coroutine);
        assert_eq!(
            kept.host.dispatch, calibrated,
            "no async def probe: calibrated"
        );
    }

    #[test]
    fn each_thread_on_the_path_woken_after_the_gap_pays_its_wake_up() {
        // A `def` probe wakes five threads that slept through the 20 ms gap: the receiver
        // (woken by the host), the loop, a pool thread, the next idle pool thread, which the
        // work queue's lock goes to, and the sender; and the loop once more after a moment's
        // sleep, which costs nothing. An `async def` probe wakes three (the receiver, the
        // loop, the sender). With one pool thread there is no next idle one: four.
        let sync = host();
        let mut one_thread = host();
        one_thread.host.threads = 1;
        let mut coroutine = host();
        coroutine.functions[0].kind = FunctionKind::Async;
        for (exp, wakes) in [(sync, 5.0), (one_thread, 4.0), (coroutine, 3.0)] {
            let free = probe_cpu_ns(&with_wake_cpu(&exp, 0.0)).unwrap();
            let paid = probe_cpu_ns(&with_wake_cpu(&exp, 50_000.0)).unwrap();
            let per_probe = paid - free;
            assert!(
                (per_probe - wakes * 50_000.0).abs() < 0.05 * wakes * 50_000.0,
                "{per_probe} ns more per probe, for {wakes} wake-ups"
            );
        }
    }

    #[test]
    fn a_woken_thread_pays_its_wake_up_before_it_takes_the_gil() {
        use crate::metrics::thread_states::{ThreadName, ThreadState};
        let mut exp = with_wake_cpu(&host(), 200_000.0);
        exp.host.dispatch.jitter_sigma = 0.0;
        let mut probe = probe_of(&exp, 1.0);
        probe.output.thread_states = Some((0, u64::MAX));
        let out = run_experiment(&probe).unwrap();
        let long_stretches = |name: ThreadName, state: ThreadState| {
            out.thread_states
                .iter()
                .filter(|r| r.place.thread == name && r.work.state == state)
                .filter(|r| r.end - r.start >= 190_000)
                .count() as u64
        };
        // The receiver, the loop and the sender each pay one GIL-free stretch per probe after
        // the first, whose threads had not slept yet; none holds the GIL that long.
        for name in [ThreadName::Receiver, ThreadName::Loop, ThreadName::Sender] {
            assert_eq!(
                long_stretches(name, ThreadState::Native),
                SIM_PROBES - 1,
                "{name:?}"
            );
            assert_eq!(long_stretches(name, ThreadState::Python), 0, "{name:?}");
        }
    }

    #[test]
    fn the_found_wake_up_cpu_reproduces_the_measured_cpu_and_leaves_the_idle_exits_the_rest() {
        let exp = host();
        let free_cpu = probe_cpu_ns(&exp).unwrap();
        let free_start = probe_start_ns(&exp, 1.0).unwrap();
        let measured_cpu = free_cpu + 300_000.0;
        let cases = [(exp.clone(), measured_cpu)];
        let report = report_one("def", &exp, vec![free_start; 3], &cases).unwrap();
        let wake_us = report.idle_wake_cpu_us.unwrap();
        // 300 us over the five wake-ups of a `def` probe.
        assert!((55.0..70.0).contains(&wake_us), "{wake_us} us per wake-up");
        let again = probe_cpu_ns(&with_wake_cpu(&exp, wake_us * 1e3)).unwrap();
        assert!(
            (again - measured_cpu).abs() < 0.01 * measured_cpu,
            "{again} vs {measured_cpu}"
        );
        assert!(
            report.idle_exit_scale <= 1.0,
            "the wake-ups' CPU takes some of the probe's time: {}",
            report.idle_exit_scale
        );
        assert!(
            report.text().contains("would match at "),
            "{}",
            report.text()
        );
        assert!(report_one("def", &exp, vec![free_start], &[])
            .unwrap()
            .idle_wake_cpu_us
            .is_none());
    }

    #[test]
    fn a_report_sets_both_probes_side_by_side_with_the_matching_scale() {
        let exp = host();
        let sim_ns = probe_start_ns(&exp, 1.0).unwrap();
        let measured = vec![0.9 * sim_ns, 0.7 * sim_ns, 0.8 * sim_ns];
        let report = report_one("def", &exp, measured, &[]).unwrap();
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
