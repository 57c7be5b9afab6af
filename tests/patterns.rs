//! Synthetic load: each pattern's count against its curve's integral, `sim trace gen`
//! writing them, and a generated trace replayed in a run.

mod common;

use common::{root, run_text, sim_in, temp_dir, trace_gen};
use sim::config::{parse_experiment, Workload};
use sim::kernel::RngStreams;
use sim::workload::ArrivalSource;

fn workload(text: &str) -> Workload {
    let exp = format!(
        r#"Experiment(name: "p", host: Host(), functions: [FunctionUse(
            function: Inline(Function(name: "f", kind: Sync, body: [Cpu(Constant(1))])),
            workload: {text})])"#
    );
    let exp = parse_experiment(&exp, &root().join("experiments/p.ron"), &[])
        .unwrap_or_else(|e| panic!("{e}"));
    exp.functions[0].workload.clone()
}

fn arrivals(w: &Workload, seed: u64) -> Vec<u64> {
    ArrivalSource::new(w, RngStreams::new(seed).stream("arrivals/f")).collect()
}

#[test]
fn each_shaped_pattern_gives_its_curves_integral() {
    for text in [
        "Pattern(Diurnal(trough_per_s: 1, peak_per_s: 9))",
        "Pattern(Diurnal(trough_per_s: 0, peak_per_s: 3, peak_at_h: 2, days: 2))",
        "Pattern(Ramp(from_per_s: 0, to_per_s: 100, duration_s: 600))",
        "Pattern(Step(before_per_s: 5, after_per_s: 50, at_s: 300, duration_s: 600))",
        "Pattern(Spike(base_per_s: 5, peak_per_s: 500, at_s: 100, length_s: 20, duration_s: 600))",
    ] {
        let w = workload(text);
        let Workload::RateCurve(curve) = &w else {
            panic!("{text}: a rate curve")
        };
        let mean = curve.expected_arrivals();
        let a = arrivals(&w, 3);
        assert!(a.windows(2).all(|p| p[0] <= p[1]), "{text}: ascending");
        let n = a.len() as f64;
        assert!(
            (n - mean).abs() <= 5.0 * mean.sqrt(),
            "{text}: {n} against {mean}"
        );
        assert_eq!(a, arrivals(&w, 3), "{text}: deterministic");
    }
}

#[test]
fn a_step_and_a_spike_change_the_rate_where_they_say() {
    let a = arrivals(
        &workload("Pattern(Spike(base_per_s: 10, peak_per_s: 1000, at_s: 100, length_s: 10, duration_s: 200))"),
        5,
    );
    let s = 1_000_000_000u64;
    let during = a.iter().filter(|&&t| t >= 100 * s && t < 110 * s).count() as f64;
    let before = a.iter().filter(|&&t| t < 100 * s).count() as f64;
    assert!((during - 10_000.0).abs() < 500.0, "{during}");
    assert!((before - 1_000.0).abs() < 160.0, "{before}");
}

#[test]
fn on_off_bursts_average_the_on_share_of_their_rate() {
    let w = workload("OnOff(rate_per_s: 50, on_s: 2, off_s: 6, duration_s: 40000)");
    let n = arrivals(&w, 1).len() as f64;
    assert!((n / 500_000.0 - 1.0).abs() < 0.03, "{n}");
}

#[test]
fn a_pattern_that_does_not_fit_is_refused_with_its_field() {
    let exp = r#"Experiment(name: "p", host: Host(), functions: [FunctionUse(
        function: Inline(Function(name: "f", kind: Sync, body: [Cpu(Constant(1))])),
        workload: Pattern(Spike(base_per_s: 1, peak_per_s: 5, at_s: 700, length_s: 5, duration_s: 600)))])"#;
    let err = parse_experiment(exp, &root().join("experiments/p.ron"), &[])
        .unwrap_err()
        .to_string();
    assert!(err.contains("functions[0].workload.at_s"), "{err}");
    assert!(err.contains("below"), "{err}");
}

#[test]
fn trace_gen_writes_a_trace_a_run_replays_whole() {
    let dir = temp_dir("gen");
    let file = dir.join("spike.csv");
    let n = trace_gen(&[
        "--pattern",
        "spike",
        "--rate",
        "2",
        "--peak",
        "40",
        "--duration-s",
        "120",
        "--functions",
        "3",
        "--format",
        "azure2021",
        "--out",
        file.to_str().unwrap(),
    ]);
    let stats = sim_in(&root(), &["trace", "stats", file.to_str().unwrap()]);
    assert!(
        stats
            .stdout
            .contains(&format!("invocations {n}  functions 3")),
        "{}",
        stats.stdout
    );
    let text = format!(
        r#"Experiment(name: "g", host: Host(cores: 4.0, processes: 4, threads: 64),
            trace: Trace(path: "{}", format: Azure2021))"#,
        file.display()
    );
    let out = run_text(&text, &[]);
    assert_eq!(out.summary.invocations.arrived, n);
    assert_eq!(out.summary.invocations.succeeded, n);
}

#[test]
fn trace_gen_from_an_experiment_mixes_its_functions_patterns() {
    let dir = temp_dir("gen-mix");
    let exp = dir.join("mix.ron");
    std::fs::write(
        &exp,
        r#"Experiment(name: "mix", host: Host(), functions: [
            FunctionUse(function: Inline(Function(name: "api", kind: Sync, body: [Cpu(Constant(5))])),
                workload: Pattern(Ramp(from_per_s: 1, to_per_s: 20, duration_s: 60))),
            FunctionUse(function: Inline(Function(name: "job", kind: Sync, body: [BlockingIo(Constant(50))])),
                workload: OnOff(rate_per_s: 30, on_s: 2, off_s: 2, duration_s: 60)),
        ])"#,
    )
    .unwrap();
    let file = dir.join("mix.csv");
    let run = sim_in(
        &root(),
        &[
            "trace",
            "gen",
            "--from",
            exp.to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "timestamp_ms,function,duration_ms");
    let times: Vec<f64> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "merged in time order"
    );
    assert!(text.contains(",api,5.000000") && text.contains(",job,50.000000"));
}
