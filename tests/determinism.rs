//! The determinism contract: same experiment and seed, same bytes out, on any thread count;
//! and conservation: every arrival ends in exactly one outcome.

mod common;
use common::*;
use proptest::prelude::*;
use sim::runner::{run_all, run_experiment};
use std::process::Command;

fn sim_run(args: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(args)
        .arg("--quiet")
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn same_experiment_and_seed_give_byte_identical_files() {
    let dir = temp_dir("determinism");
    let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
    let run_into = |out: &std::path::Path, seed: &str| {
        let mut args = vec![
            "run",
            "experiments/mixed.ron",
            "--set",
            "functions.0.workload.duration_s=5",
        ];
        args.extend(["--seed", seed, "--out", out.to_str().unwrap()]);
        sim_run(&args);
    };
    run_into(&a, "7");
    run_into(&b, "7");
    run_into(&c, "99");
    for f in ["summary.json", "invocations.csv", "timeseries.csv"] {
        assert_eq!(
            bytes(&a.join(f)),
            bytes(&b.join(f)),
            "{f} differs between identical runs"
        );
    }
    assert_ne!(
        bytes(&a.join("invocations.csv")),
        bytes(&c.join("invocations.csv")),
        "the seed must matter"
    );
}

#[test]
fn results_do_not_depend_on_the_number_of_worker_threads() {
    let exps: Vec<_> = (1..=4)
        .map(|s| {
            experiment(
                "mixed",
                &["functions.0.workload.duration_s=3", &format!("seed={s}")],
            )
        })
        .collect();
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
    };
    let one = pool(1).install(|| run_all(&exps).expect("the experiments build"));
    let two = pool(2).install(|| run_all(&exps).expect("the experiments build"));
    for ((a, b), exp) in one.iter().zip(&two).zip(&exps) {
        assert_eq!(a.summary, b.summary);
        assert_eq!(a.rows, b.rows);
        assert_eq!(
            a.summary,
            run_experiment(exp).expect("the experiment builds").summary,
            "parallel equals sequential"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random hosts, bodies and loads, with and without a horizon: the counts add up and every
    /// invocation's times are ordered.
    #[test]
    fn every_arrival_ends_in_exactly_one_outcome(
        processes in 1u32..=4, threads in 1u32..=8, cores in 0.25f64..4.0,
        cpu in 0.1f64..20.0, io in 0.1f64..50.0, rate in 5.0f64..400.0,
        asynchronous in any::<bool>(), horizon in prop::option::of(0.2f64..3.0),
    ) {
        let (kind, body) = if asynchronous {
            ("Async", format!("[Cpu(Exponential({cpu})), AwaitIo(Exponential({io})), BlockingIo(Constant(0.5)), RunInExecutor([BlockingIo(Exponential({io}))])]"))
        } else {
            ("Sync", format!("[Cpu(Exponential({cpu})), BlockingIo(Exponential({io})), NativeCpu(Constant(1.0))]"))
        };
        let horizon = horizon.map_or(String::new(), |h| format!("horizon_s: {h},"));
        let text = format!(r#"Experiment(name: "p", {horizon} host: Host(cores: {cores}, processes: {processes}, threads: {threads}),
            functions: [FunctionUse(function: Inline(Function(name: "f", kind: {kind}, body: {body})),
            workload: Poisson(rate_per_s: {rate}, duration_s: 2.0))])"#);
        let out = run_text(&text, &[]);
        let c = &out.summary.invocations;
        prop_assert_eq!(c.arrived, c.succeeded + c.pending);
        prop_assert_eq!(out.rows.len() as u64, c.arrived);
        let routed: u64 = out.summary.processes.iter().map(|p| p.invocations).sum();
        prop_assert_eq!(routed, c.arrived);
        for r in &out.rows {
            if let Some(s) = r.start { prop_assert!(r.arrival <= s); }
            if let (Some(s), Some(e)) = (r.start, r.end) { prop_assert!(s <= e); }
            if let (Some(e), Some(resp)) = (r.end, r.response) { prop_assert!(e <= resp); }
            prop_assert_eq!(r.response.is_some(), r.outcome == sim::metrics::Outcome::Succeeded);
        }
        if horizon.is_empty() { prop_assert_eq!(c.pending, 0); }
    }
}
