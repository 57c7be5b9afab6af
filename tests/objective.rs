//! The `objective` block: parsed and checked, ranking a sweep's configurations (each once:
//! ranked, uncertain or missing, consistently with its intervals) and a compare's variants,
//! written to ranking.csv and the JSON files, and `experiments/choose_plan.ron`'s grid.

mod common;
use common::*;
use sim::config::{parse_experiment, parse_sweep};
use std::path::Path;

/// A small sweep with an objective: 2 x 2 configurations, 3 replications.
const SWEEP: &str = r#"Experiment(
    name: "obj",
    seed: 3,
    host: Host(processes: 1, threads: 1),
    functions: [FunctionUse(
        function: Inline(Function(name: "api", kind: Sync,
            body: [Cpu(Exponential(5.0)), BlockingIo(Exponential(40.0))])),
        workload: Poisson(rate_per_s: 25.0, duration_s: 8.0),
    )],
    output: Output(timeseries_interval_ms: 1000.0),
    objective: Objective(p99_ms: 250.0, unanswered_share: 0.01, strategy: Speed),
    sweep: Sweep(
        grid: [
            Axis(path: "host.processes", values: [1, 2]),
            Axis(path: "host.threads", values: [1, 4]),
        ],
        replications: 3,
    ),
)
"#;

fn problems(text: &str) -> String {
    parse_experiment(text, Path::new("obj.ron"), &[])
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn the_block_is_checked_with_its_field_and_range() {
    let exp = parse_experiment(SWEEP, Path::new("obj.ron"), &[]).unwrap();
    let o = exp.objective.expect("an objective");
    assert_eq!(o.constraints.p99_ms, Some(250.0));
    assert_eq!(o.constraints.max_queue_age_s, None);
    let balanced = SWEEP.replace("strategy: Speed", "strategy: Balanced(0.3)");
    let exp = parse_experiment(&balanced, Path::new("obj.ron"), &[]).unwrap();
    assert_eq!(
        exp.objective.unwrap().strategy,
        sim::config::objective::Strategy::Balanced(0.3)
    );
    let err = problems(&SWEEP.replace("strategy: Speed", "strategy: Balanced(1.5)"));
    assert!(
        err.contains("objective.strategy") && err.contains("0 <= weight of cost <= 1"),
        "{err}"
    );
    let err = problems(&SWEEP.replace("unanswered_share: 0.01", "unanswered_share: 2"));
    assert!(err.contains("objective.unanswered_share"), "{err}");
    let err = problems(&SWEEP.replace("p99_ms: 250.0", "p99_ms: -1"));
    assert!(err.contains("objective.p99_ms"), "{err}");
}

#[test]
fn a_compare_block_needs_one_target_not_two() {
    let compare = |slo: &str, objective: &str| {
        SWEEP
            .replace(
                "    objective: Objective(p99_ms: 250.0, unanswered_share: 0.01, strategy: Speed),\n",
                objective,
            )
            .replace(
                "sweep: Sweep(\n        grid: [\n            Axis(path: \"host.processes\", values: [1, 2]),\n            Axis(path: \"host.threads\", values: [1, 4]),\n        ],\n        replications: 3,\n    ),",
                &format!("compare: Compare(variants: [Variant(name: \"a\"), Variant(name: \"b\", set: [\"host.threads=4\"])]{slo}),"),
            )
    };
    let both = compare(
        ", slo: Slo(p99_ms: 100.0)",
        "    objective: Objective(p99_ms: 250.0),\n",
    );
    let err = problems(&both);
    assert!(
        err.contains("compare.slo") && err.contains("not both"),
        "{err}"
    );
    let neither = problems(&compare("", ""));
    assert!(
        neither.contains("compare.slo") && neither.contains("objective: Objective"),
        "{neither}"
    );
    let slo = parse_experiment(
        &compare(", slo: Slo(p99_ms: 100.0)", ""),
        Path::new("o"),
        &[],
    );
    let o = slo.unwrap().objective.unwrap();
    assert_eq!(
        (o.constraints.p99_ms, o.constraints.unanswered_share),
        (Some(100.0), Some(0.01)),
        "an slo is p99 within it and at most 1% unanswered"
    );
}

/// ranking.csv's rows: (standing, position, configuration, p99 mean, p99 half-width).
fn ranking_rows(dir: &Path) -> Vec<(String, String, String, f64, Option<f64>)> {
    let text = std::fs::read_to_string(dir.join("ranking.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            let hw = c[4].parse().ok();
            (
                c[0].into(),
                c[1].into(),
                c[2].into(),
                c[3].parse().unwrap(),
                hw,
            )
        })
        .collect()
}

#[test]
fn a_sweep_ranks_every_configuration_once_by_its_intervals() {
    let d = temp_dir("objective-sweep");
    std::fs::write(d.join("obj.ron"), SWEEP).unwrap();
    let r = sim_in(&d, &["sweep", "obj.ron", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let rows = ranking_rows(&d.join("out"));
    assert_eq!(rows.len(), 4, "each configuration once");
    let mut names: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "processes=1 threads=1",
            "processes=1 threads=4",
            "processes=2 threads=1",
            "processes=2 threads=4"
        ]
    );
    let mut last_p99 = 0.0;
    for (standing, pos, name, p99, hw) in &rows {
        let hw = hw.expect("3 replications give an interval");
        match standing.as_str() {
            "ranked" => {
                assert!(p99 + hw <= 250.0, "{name}: ranked within the bound");
                assert!(*p99 >= last_p99, "Speed: the fastest first");
                last_p99 = *p99;
                assert!(!pos.is_empty());
            }
            "uncertain" => assert!(p99 - hw <= 250.0 && p99 + hw > 250.0, "{name}"),
            "miss" => assert!(p99 - hw > 250.0, "{name}: surely over"),
            other => panic!("standing {other}"),
        }
    }
    assert!(rows.iter().any(|r| r.0 == "ranked"), "{rows:?}");
    assert!(rows.iter().any(|r| r.0 != "ranked"), "{rows:?}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out/sweep_summary.json")).unwrap())
            .unwrap();
    let ranked = json["ranking"]["ranked"].as_array().unwrap();
    assert_eq!(ranked[0]["name"], rows[0].2.as_str());
    let printed = &r.stdout;
    assert!(
        printed.contains("fastest that meets p99 <= 250 ms, unanswered <= 1%: "),
        "{printed}"
    );
}

#[test]
fn a_compare_ranks_its_variants_by_the_strategy_given() {
    let d = temp_dir("objective-compare");
    let text = SWEEP.replace(
        "sweep: Sweep(\n        grid: [\n            Axis(path: \"host.processes\", values: [1, 2]),\n            Axis(path: \"host.threads\", values: [1, 4]),\n        ],\n        replications: 3,\n    ),",
        "compare: Compare(variants: [Variant(name: \"one\"), Variant(name: \"four\", set: [\"host.threads=4\"])]),",
    );
    std::fs::write(d.join("obj.ron"), text).unwrap();
    let r = sim_in(&d, &["run", "obj.ron", "--out", "out"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let answer = r
        .stdout
        .lines()
        .find(|l| l.starts_with("fastest that meets") || l.starts_with("no variant"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        answer.contains(": four ("),
        "4 threads for 40 ms waits: {answer}"
    );
    let csv = std::fs::read_to_string(d.join("out/compare.csv")).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",meets_objective"));
}

#[test]
fn choose_plan_spans_the_plans_processes_threads_and_both_kinds() {
    let path = root().join("experiments/choose_plan.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    let sweep = parse_sweep(&text, &path, &[]).unwrap().expect("a sweep");
    assert_eq!(sweep.configs.len(), 6 * 10 * 6 * 2);
    let mut plans: Vec<String> = sweep
        .configs
        .iter()
        .map(|c| c.plan.as_ref().unwrap().name.clone())
        .collect();
    plans.sort();
    plans.dedup();
    assert_eq!(
        plans,
        ["Consumption", "EP1", "EP2", "EP3", "Flex2048", "Flex4096"]
    );
    let processes: Vec<u32> = sweep.configs.iter().map(|c| c.host.processes).collect();
    assert_eq!(processes.iter().min(), Some(&1));
    assert_eq!(processes.iter().max(), Some(&10));
    let threads: Vec<u32> = sweep.configs.iter().map(|c| c.host.threads).collect();
    assert_eq!(threads.iter().max(), Some(&32));
    let asyncs = sweep
        .configs
        .iter()
        .filter(|c| format!("{:?}", c.functions[0].kind) == "Async")
        .count();
    assert_eq!(asyncs * 2, sweep.configs.len(), "half def, half async def");
    assert!(sweep.base.objective.is_some());
}

#[test]
fn merged_shards_rank_as_one_machine_does() {
    let d = temp_dir("objective-merge");
    std::fs::write(d.join("obj.ron"), SWEEP).unwrap();
    for (out, extra) in [("one", None), ("s0", Some("0/2")), ("s1", Some("1/2"))] {
        let mut args = vec!["sweep", "obj.ron", "--out", out, "--quiet"];
        if let Some(shard) = extra {
            args.extend(["--shard", shard]);
        }
        let r = sim_in(&d, &args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
    }
    assert!(
        !d.join("s0/ranking.csv").exists(),
        "a shard alone ranks nothing"
    );
    let r = sim_in(&d, &["merge", "merged", "s0", "s1"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for f in ["ranking.csv", "sweep_summary.json"] {
        assert_eq!(
            bytes(&d.join("one").join(f)),
            bytes(&d.join("merged").join(f)),
            "{f}"
        );
    }
}
