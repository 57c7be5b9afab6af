//! The Azure Functions 2019 format: per-minute counts joined with duration percentiles,
//! on files written here and by `sim trace gen`.

mod common;

use common::{root, run_text, sim_in, temp_dir, trace_gen};
use sim::config::parse_experiment;
use std::path::{Path, PathBuf};

/// A day with three functions: `a/f1` (http) 3 in minute 1 and 60 in minute 3 (61 with f2), `a/f2`
/// (timer) 1 in each of minutes 1..=10, `b/f3` (queue) 5 in minute 1440; durations for f1
/// (all percentiles 200 ms) and f2 (10..50 ms).
fn day(dir: &Path) -> (PathBuf, PathBuf) {
    let minutes: Vec<String> = (1..=1440).map(|m| m.to_string()).collect();
    let row = |owner: &str, app: &str, func: &str, trigger: &str, counts: &[(usize, u32)]| {
        let mut c = vec![0u32; 1440];
        for &(m, n) in counts {
            c[m - 1] = n;
        }
        let c: Vec<String> = c.iter().map(u32::to_string).collect();
        format!("{owner},{app},{func},{trigger},{}\n", c.join(","))
    };
    let mut inv = format!(
        "HashOwner,HashApp,HashFunction,Trigger,{}\n",
        minutes.join(",")
    );
    inv += &row("o", "a", "f1", "http", &[(1, 3), (3, 60)]);
    let ten: Vec<(usize, u32)> = (1..=10).map(|m| (m, 1)).collect();
    inv += &row("o", "a", "f2", "timer", &ten);
    inv += &row("o", "b", "f3", "queue", &[(1440, 5)]);
    let inv_path = dir.join("invocations_per_function_md.anon.d01.csv");
    std::fs::write(&inv_path, inv).unwrap();
    let dur = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\n\
               o,a,f1,200,63,200,200,200,200,200,200,200,200,200\n\
               o,a,f2,30,10,10,50,10,10,20,30,40,50,50\n";
    let dur_path = dir.join("function_durations_percentiles.anon.d01.csv");
    std::fs::write(&dur_path, dur).unwrap();
    (inv_path, dur_path)
}

fn experiment(inv: &Path, dur: &Path, more: &str) -> String {
    format!(
        r#"Experiment(name: "d", host: Host(cores: 4.0, processes: 2, threads: 128),
            trace: Trace(path: "{}", format: Azure2019, durations: "{}", body: TraceBody(cpu_share: 0.0){more}))"#,
        inv.display(),
        dur.display()
    )
}

#[test]
fn stats_count_the_day_per_trigger() {
    let dir = temp_dir("d19-stats");
    let (inv, _) = day(&dir);
    let run = sim_in(
        &root(),
        &[
            "trace",
            "stats",
            inv.to_str().unwrap(),
            "--format",
            "azure2019",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("invocations 78  functions 3"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("peak 61"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("per trigger: http 63, queue 5, timer 10"),
        "{}",
        run.stdout
    );
}

#[test]
fn equidistant_arrivals_replay_each_minutes_count_with_its_durations() {
    let dir = temp_dir("d19-run");
    let (inv, dur) = day(&dir);
    let out = run_text(&experiment(&inv, &dur, ", spread: Equidistant"), &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded), (78, 78));
    let f1 = out.function_names.iter().position(|n| n == "a/f1").unwrap() as u16;
    let mut a: Vec<u64> = out
        .rows
        .iter()
        .filter(|r| r.function == f1)
        .map(|r| r.arrival)
        .collect();
    a.sort_unstable();
    // Minute 1: 3 at 10, 30, 50 s; minute 3: 60 at 120.5, 121.5, ... s.
    assert_eq!(
        &a[..4],
        &[
            10_000_000_000,
            30_000_000_000,
            50_000_000_000,
            120_500_000_000
        ]
    );
    for r in &out.rows {
        let body = r.end.unwrap() - r.start.unwrap();
        let (lo, hi) = if r.function == f1 {
            (200e6, 202e6)
        } else if out.function_names[r.function as usize] == "a/f2" {
            (10e6, 52e6)
        } else {
            (100e6, 102e6)
        };
        assert!(body as f64 >= lo && (body as f64) < hi, "{body}");
    }
}

#[test]
fn uniform_keeps_counts_poisson_varies_them_and_both_are_deterministic() {
    let dir = temp_dir("d19-spread");
    let (inv, dur) = day(&dir);
    let uniform = run_text(&experiment(&inv, &dur, ""), &[]);
    assert_eq!(uniform.summary.invocations.arrived, 78);
    assert_eq!(
        uniform.summary,
        run_text(&experiment(&inv, &dur, ""), &[]).summary
    );
    let poisson = run_text(&experiment(&inv, &dur, ", spread: Poisson"), &[]);
    let n = poisson.summary.invocations.arrived as f64;
    assert!((n - 78.0).abs() < 5.0 * 78f64.sqrt(), "{n}");
}

#[test]
fn top_window_and_scale_apply_to_the_day() {
    let dir = temp_dir("d19-top");
    let (inv, dur) = day(&dir);
    let text = experiment(&inv, &dur, ", top: 1, window_s: (0, 600), scale: 2.0");
    let exp = parse_experiment(&text, &root().join("experiments/x.ron"), &[]).unwrap();
    assert_eq!(exp.functions.len(), 1);
    assert_eq!(exp.functions[0].name, "a/f1");
    let out = run_text(&text, &[]);
    assert_eq!(out.summary.invocations.arrived, 63);
    assert!(out.rows.iter().all(|r| r.arrival < 90_000_000_000));
}

/// Why `text` is refused.
fn refusal(text: &str) -> String {
    parse_experiment(text, &root().join("experiments/x.ron"), &[])
        .unwrap_err()
        .to_string()
}

#[test]
fn a_bad_count_names_its_line_column_and_value() {
    let dir = temp_dir("d19-bad");
    let (inv, dur) = day(&dir);
    let text = std::fs::read_to_string(&inv)
        .unwrap()
        .replacen(",http,3,", ",http,x3,", 1);
    std::fs::write(&inv, text).unwrap();
    let err = refusal(&experiment(&inv, &dur, ""));
    assert!(
        err.contains("d01.csv:2: `1` (column 5) = \"x3\" is not a count"),
        "{err}"
    );
    std::fs::write(&inv, "HashOwner,HashApp,Trigger,1\n").unwrap();
    let err = refusal(&experiment(&inv, &dur, ""));
    assert!(
        err.contains("d01.csv:1: missing or misplaced column(s) HashFunction"),
        "{err}"
    );
}

#[test]
fn trace_gen_writes_a_day_a_run_replays() {
    let dir = temp_dir("d19-gen");
    let inv = dir.join("day.csv");
    let n = trace_gen(&[
        "--pattern",
        "ramp",
        "--rate",
        "0.5",
        "--peak",
        "2",
        "--duration-s",
        "1200",
        "--functions",
        "2",
        "--format",
        "azure2019",
        "--out",
        inv.to_str().unwrap(),
    ]);
    let dur = dir.join("day_durations.csv");
    let out = run_text(&experiment(&inv, &dur, ""), &[]);
    assert_eq!(out.summary.invocations.arrived, n);
    assert_eq!(out.summary.invocations.succeeded, n);
}

#[test]
fn from_trace_triggers_map_each_function_s_trigger_column() {
    use sim::config::trace_triggers::sim_trigger;
    use sim::config::TriggerConfig;
    assert_eq!(sim_trigger("event"), "EventHubs(max_event_batch_size: 1)");
    for other in ["timer", "storage", "orchestration", "others", ""] {
        assert_eq!(sim_trigger(other), "Http()", "{other}");
    }
    let dir = temp_dir("d19-triggers");
    let (inv, dur) = day(&dir);
    let text = experiment(&inv, &dur, ", triggers: FromTrace").replace(
        "threads: 128),",
        "threads: 128), scale: Scale(min_instances: 1, max_instances: 1),",
    );
    let exp = parse_experiment(&text, &root().join("experiments/x.ron"), &[]).unwrap();
    let kinds: Vec<(&str, &str)> = exp
        .functions
        .iter()
        .map(|f| {
            let kind = match &f.trigger {
                Some(TriggerConfig::Http(_)) => "http",
                Some(TriggerConfig::StorageQueue(_)) => "queue",
                other => panic!("{other:?}"),
            };
            (f.name.as_str(), kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [("a/f1", "http"), ("a/f2", "http"), ("b/f3", "queue")]
    );
    let out = run_text(&text, &[]);
    assert_eq!(out.summary.invocations.arrived, 78);
    let csv = refusal(&format!(
        r#"Experiment(name: "c", host: Host(), trace: Trace(path: "{}", format: Azure2021, triggers: FromTrace))"#,
        root()
            .join("../shared/data/azure2021_excerpt_199rows.csv")
            .display()
    ));
    assert!(
        csv.contains("trace.triggers") && csv.contains("only with format: Azure2019"),
        "{csv}"
    );
}

/// An app memory file for the day: app `a` averages 460 MB, `b` a bad cell when `bad`.
fn app_memory(dir: &Path, bad: bool) -> PathBuf {
    let b = if bad { "lots" } else { "300" };
    let text = format!(
        "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\n\
         o,a,10,460,400,410,440,460,470,490,500,510\n\
         o,b,10,{b},1,1,1,1,1,1,1,1\n"
    );
    let p = dir.join("app_memory_percentiles.anon.d01.csv");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn the_kept_app_s_memory_sets_what_each_worker_holds_at_rest() {
    let d = temp_dir("app-memory");
    let (inv, dur) = day(&d);
    let mem = app_memory(&d, false);
    let with = |more: &str| {
        experiment(
            &inv,
            &dur,
            &format!(", app_memory: \"{}\"{more}", mem.display()),
        )
    };
    let path = root().join("experiments/inline.ron");
    let exp = parse_experiment(&with(r#", functions: ["a/f1", "a/f2"]"#), &path, &[]).unwrap();
    let m = exp.memory.expect("the memory model is on");
    // 460 MB per instance: 200 for the host, 130 per worker of the 2: 80 bare + 50 imports.
    assert_eq!(m.imports_mb, 50.0);
    let err = |more: &str| {
        parse_experiment(&with(more), &path, &[])
            .unwrap_err()
            .to_string()
    };
    let two_apps = err("");
    assert!(
        two_apps.contains("trace.app_memory") && two_apps.contains("come from 2"),
        "{two_apps}"
    );
    let grouped = err(r#", functions: ["a/f1"], rest: Grouped"#);
    assert!(grouped.contains("without rest: Grouped"), "{grouped}");
    app_memory(&d, true);
    let bad = err(r#", functions: ["b/f3"]"#);
    assert!(
        bad.contains("app_memory_percentiles.anon.d01.csv:3") && bad.contains("\"lots\""),
        "{bad}"
    );
}
