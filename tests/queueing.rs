//! Queueing-theory checks of the model: with every dispatch cost, the GIL hand-over time, the
//! timer slack and the jitter set to 0, one worker process is an ideal queue, so its mean
//! response time must match the textbook formulas:
//!
//! * M/M/c (Erlang C): a `def` whose body is exponential blocking I/O on T = c threads; a
//!   blocking call holds neither the GIL nor a core, so the threads are the c servers.
//! * M/M/1: a `def` whose body is exponential Python CPU. With T = 1 the single thread is the
//!   server; with T = 8 the GIL shares the process's CPU among the threads in 5 ms turns, and
//!   since any work-conserving discipline blind to job sizes keeps the M/M/1 mean with
//!   exponential service, the mean must still match.
//! * M/D/1 (Pollaczek-Khinchine): constant Python CPU, T = 1.
//!
//! The response time measured is body end - arrival, from the per-invocation rows. (The
//! response row lags the body end when the loop thread has to wait for the GIL held by a
//! CPU-bound body, even with zero costs, so it is not an ideal queue's departure.)
//!
//! Tolerances come from the sample: each run has about 1,000,000 Poisson arrivals, the
//! standard error of the mean is estimated by batch means over 30 batches of consecutive
//! invocations, and the simulated mean must lie within 4 standard errors (plus 1 µs) of
//! theory. Each check also asserts that the standard error is under 2% of theory, so the
//! comparison means something, and one test shows that a slightly wrong load is rejected by
//! the same tolerance.

use sim::config::{
    DispatchCosts, Dist, Experiment, FunctionKind, FunctionSpec, HostConfig, OutputConfig,
    Placement, Step, Workload,
};
use sim::runner::run_experiment;
use std::path::PathBuf;

/// Number of batches for the batch-means standard error.
const BATCHES: usize = 30;
/// Allowed distance from theory, in standard errors.
const Z: f64 = 4.0;
/// Absolute slack (ns) for rounding to whole nanoseconds.
const SLACK_NS: f64 = 1_000.0;

/// Probability that an arrival waits in an M/M/c queue (Erlang C), with `c` servers and
/// offered load `a` = lambda / mu erlangs (a < c). Computed through the Erlang B recursion
/// B(k) = a B(k-1) / (k + a B(k-1)), which never overflows, then C = c B / (c - a (1 - B)).
fn erlang_c(c: u32, a: f64) -> f64 {
    assert!(
        c >= 1 && a > 0.0 && a < c as f64,
        "a stable queue needs 0 < a < c"
    );
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (k as f64 + a * b);
    }
    c as f64 * b / (c as f64 - a * (1.0 - b))
}

/// Mean response time (wait + service) of an M/M/c queue with mean service `s`.
fn mmc_response(c: u32, rho: f64, s: f64) -> f64 {
    let a = rho * c as f64;
    let mu = 1.0 / s;
    erlang_c(c, a) / (c as f64 * mu - a * mu) + s
}

/// Mean response time of an M/D/1 queue (Pollaczek-Khinchine) with constant service `s`.
fn md1_response(rho: f64, s: f64) -> f64 {
    s + rho * s / (2.0 * (1.0 - rho))
}

#[test]
fn erlang_c_matches_known_values() {
    // Two servers, one erlang: a^2/2! * 2/(2-1) = 1 against 1 + 1 + 1 = 3 in all.
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    // One server: the waiting probability is the utilisation.
    assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
    // Textbook table value: c = 4, a = 3.2 (rho = 0.8) gives C = 0.5964.
    assert!(
        (erlang_c(4, 3.2) - 0.5964).abs() < 1e-4,
        "{}",
        erlang_c(4, 3.2)
    );
    // M/M/1 mean response is s / (1 - rho).
    assert!((mmc_response(1, 0.5, 10.0) - 20.0).abs() < 1e-9);
}

/// Sample mean and its batch-means standard error.
#[derive(Debug, Clone, Copy)]
struct Estimate {
    mean: f64,
    se: f64,
}

/// Splits `xs` (in arrival order) into [`BATCHES`] consecutive batches of equal size (the
/// remainder at the end is dropped) and returns the mean and the standard error of the mean.
fn batch_means(xs: &[f64]) -> Estimate {
    let size = xs.len() / BATCHES;
    assert!(
        size >= 1_000,
        "too few samples for batch means: {}",
        xs.len()
    );
    let means: Vec<f64> = xs
        .chunks_exact(size)
        .take(BATCHES)
        .map(|b| b.iter().sum::<f64>() / size as f64)
        .collect();
    let mean = means.iter().sum::<f64>() / BATCHES as f64;
    let var = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (BATCHES - 1) as f64;
    Estimate {
        mean,
        se: (var / BATCHES as f64).sqrt(),
    }
}

/// |estimate - theory| within the tolerance.
fn within(est: Estimate, theory: f64) -> bool {
    (est.mean - theory).abs() <= Z * est.se + SLACK_NS
}

/// Asserts the estimate is precise (standard error under 2% of theory) and matches theory.
fn assert_matches(what: &str, est: Estimate, theory: f64) {
    assert!(
        est.se < 0.02 * theory,
        "{what}: too noisy to check: {est:?}, theory {theory:.0} ns"
    );
    assert!(
        within(est, theory),
        "{what}: simulated mean {:.0} ns, theory {theory:.0} ns, off by {:.1} standard errors ({:.0} ns each)",
        est.mean,
        (est.mean - theory) / est.se,
        est.se
    );
}

/// One process with `threads` threads on `cores` cores, and nothing but the body costing time.
fn ideal_host(threads: u32, cores: f64) -> HostConfig {
    HostConfig {
        cores,
        processes: 1,
        threads,
        threads_source: "queueing test".into(),
        default_executor_threads: 1,
        cpu_count: 1,
        python: "3.11".into(),
        free_threaded: false,
        switch_interval_ns: 5_000_000,
        process_start_interval_ns: 0,
        dispatch: DispatchCosts::ZERO,
        context_switch_ns: 0,
        placement: Placement::Spread,
        prewarm_pools: false,
    }
}

/// A `def` with `body`, fed about `arrivals` Poisson arrivals at `rate_per_s`.
fn experiment(
    name: &str,
    host: HostConfig,
    body: Vec<Step>,
    rate_per_s: f64,
    arrivals: u64,
    seed: u64,
) -> Experiment {
    Experiment {
        name: name.into(),
        description: String::new(),
        seed,
        host,
        functions: vec![FunctionSpec {
            name: "f".into(),
            kind: FunctionKind::Sync,
            body,
            workload: Workload::Poisson {
                rate_per_s,
                duration_ns: (arrivals as f64 / rate_per_s * 1e9) as u64,
            },
            trigger: None,
            fails: 0.0,
            memory_kib: None,
        }],
        horizon_ns: None,
        output: OutputConfig {
            invocations: true,
            timeseries_interval_ns: 60_000_000_000,
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
        source: PathBuf::from(file!()),
        as_given: None,
    }
}

/// Response times (body end - arrival, ns) in arrival order; every invocation must finish.
fn response_times(exp: &Experiment) -> Vec<f64> {
    let out = run_experiment(exp).expect("the experiment builds");
    assert!(out.rows.len() > 1_000, "{} rows", out.rows.len());
    out.rows
        .iter()
        .map(|r| {
            let end = r
                .end
                .unwrap_or_else(|| panic!("invocation {} never ended", r.id));
            (end - r.arrival) as f64
        })
        .collect()
}

const MS: f64 = 1e6;

/// M/M/c: exponential blocking I/O on `c` threads at utilisation `rho`.
fn check_mmc(c: u32, rho: f64, arrivals: u64, seed: u64) {
    let s = 10.0 * MS;
    let rate = rho * c as f64 / (s / 1e9);
    let exp = experiment(
        "mmc",
        ideal_host(c, 1.0),
        vec![Step::BlockingIo(Dist::Exponential(s))],
        rate,
        arrivals,
        seed,
    );
    let est = batch_means(&response_times(&exp));
    assert_matches(
        &format!("M/M/{c} at rho = {rho}"),
        est,
        mmc_response(c, rho, s),
    );
}

#[test]
fn blocking_io_on_four_threads_is_erlang_c() {
    check_mmc(4, 0.8, 1_000_000, 11);
}

#[test]
fn blocking_io_on_one_thread_is_mm1() {
    check_mmc(1, 0.8, 1_000_000, 12);
}

#[test]
fn blocking_io_on_eight_threads_is_erlang_c() {
    check_mmc(8, 0.8, 1_000_000, 13);
}

#[test]
fn with_zero_costs_the_response_leaves_when_an_io_body_ends() {
    let exp = experiment(
        "io",
        ideal_host(4, 1.0),
        vec![Step::BlockingIo(Dist::Exponential(10.0 * MS))],
        320.0,
        5_000,
        14,
    );
    let out = run_experiment(&exp).expect("the experiment builds");
    assert!(out.rows.len() > 4_000);
    for r in &out.rows {
        assert_eq!(r.response, r.end, "invocation {}", r.id);
    }
}

#[test]
fn python_cpu_on_one_thread_is_mm1_and_a_wrong_load_is_rejected() {
    let (rho, s) = (0.7, 10.0 * MS);
    let exp = experiment(
        "mm1",
        ideal_host(1, 1.0),
        vec![Step::Cpu(Dist::Exponential(s))],
        rho / (s / 1e9),
        1_000_000,
        21,
    );
    let est = batch_means(&response_times(&exp));
    assert_matches("M/M/1, T = 1, rho = 0.7", est, mmc_response(1, rho, s));
    // Negative control: the same tolerance tells rho = 0.7 from rho = 0.71 (34.5 ms against
    // 33.3 ms), so the check above can fail.
    let wrong = mmc_response(1, 0.71, s);
    assert!(
        !within(est, wrong),
        "a 1.4% error in the load would pass: {est:?} against {wrong:.0} ns"
    );
}

#[test]
fn python_cpu_shared_by_eight_threads_through_the_gil_keeps_the_mm1_mean() {
    let (rho, s) = (0.7, 10.0 * MS);
    let exp = experiment(
        "mm1-gil",
        ideal_host(8, 1.0),
        vec![Step::Cpu(Dist::Exponential(s))],
        rho / (s / 1e9),
        1_000_000,
        22,
    );
    let est = batch_means(&response_times(&exp));
    assert_matches(
        "M/M/1, T = 8 (GIL turns), rho = 0.7",
        est,
        mmc_response(1, rho, s),
    );
}

#[test]
fn constant_python_cpu_on_one_thread_is_md1() {
    let (rho, s) = (0.8, 10.0 * MS);
    let exp = experiment(
        "md1",
        ideal_host(1, 1.0),
        vec![Step::Cpu(Dist::Constant(s as u64))],
        rho / (s / 1e9),
        1_000_000,
        31,
    );
    let est = batch_means(&response_times(&exp));
    assert_matches("M/D/1, rho = 0.8", est, md1_response(rho, s));
}
