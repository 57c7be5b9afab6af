//! A `trace` block replayed in a run: every recorded invocation arrives once, at its
//! recorded instant, and its body takes its recorded duration.

mod common;

use common::{root, run_text};
use sim::config::parse_experiment;
use sim::workload::trace_rows::{RowReader, TraceFormat};

/// The 199 real rows of the Azure 2021 trace, as seen from experiments/.
const EXCERPT: &str = "../../shared/data/azure2021_excerpt_199rows.csv";

fn experiment(trace: &str) -> String {
    format!(
        r#"Experiment(name: "t", host: Host(cores: 4.0, processes: 2, threads: 256),
            trace: Trace({trace}))"#
    )
}

/// The excerpt's rows: (arrival ns, duration ns).
fn recorded() -> Vec<(u64, u64)> {
    let path = root().join("experiments").join(EXCERPT);
    let mut r = RowReader::open(&path, TraceFormat::Azure2021).unwrap();
    let mut out = Vec::new();
    while let Some(row) = r.next_row().unwrap() {
        out.push((row.arrival_ns, row.duration_ns.unwrap()));
    }
    out.sort_unstable();
    out
}

#[test]
fn the_excerpt_replays_every_invocation_at_its_instant_for_its_duration() {
    let text = experiment(&format!(
        r#"path: "{EXCERPT}", format: Azure2021, body: TraceBody(cpu_share: 0.0)"#
    ));
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded, c.pending), (199, 199, 0));
    assert_eq!(out.summary.functions.len(), 31);
    let want = recorded();
    let mut got: Vec<(u64, u64)> = out
        .rows
        .iter()
        .map(|r| (r.arrival, r.end.unwrap() - r.start.unwrap()))
        .collect();
    got.sort_unstable();
    for ((a, d), (wa, wd)) in got.iter().zip(&want) {
        assert_eq!(a, wa, "arrival");
        // Pure blocking I/O on an idle thread: the recorded duration, plus the timer slack
        // and the dispatch path's few microseconds.
        assert!(*d >= *wd && *d - *wd < 2_000_000, "{d} against {wd}");
    }
    // One reader serves all 31 functions: each row's invocation is its own function's.
    let exp = parse_experiment(&text, &root().join("experiments/inline.ron"), &[]).unwrap();
    let mut by_function: Vec<(String, u64)> = out
        .rows
        .iter()
        .map(|r| {
            let f = &exp.functions[r.function as usize];
            let sim::config::Workload::Trace(src) = &f.workload else {
                panic!("a trace function")
            };
            (src.key.clone(), r.arrival)
        })
        .collect();
    by_function.sort();
    let mut rows = RowReader::open(
        &root().join("experiments").join(EXCERPT),
        TraceFormat::Azure2021,
    )
    .unwrap();
    let mut want = Vec::new();
    while let Some(row) = rows.next_row().unwrap() {
        want.push((row.function, row.arrival_ns));
    }
    want.sort();
    assert_eq!(
        by_function, want,
        "every row replayed as its own function's"
    );
}

#[test]
fn top_window_and_scale_choose_and_compress_the_arrivals() {
    let text = experiment(&format!(
        r#"path: "{EXCERPT}", format: Azure2021, top: 2, window_s: (0, 600), scale: 2.0"#
    ));
    let exp = parse_experiment(&text, &root().join("experiments/inline.ron"), &[]).unwrap();
    assert_eq!(exp.functions.len(), 2);
    let out = run_text(&text, &[]);
    let last = out.rows.iter().map(|r| r.arrival).max().unwrap();
    assert!(last < 300_000_000_000, "the 600 s window halved: {last}");
    let same = run_text(&text, &[]);
    assert_eq!(out.summary, same.summary, "deterministic");
}

#[test]
fn a_trace_block_refuses_what_it_cannot_replay() {
    for (trace, want) in [
        (
            r#"path: "nothing.csv", format: Azure2021"#,
            "a trace file that exists",
        ),
        (
            &*format!(r#"path: "{EXCERPT}", format: Azure2021, top: 0"#),
            "trace.top",
        ),
        (
            &*format!(r#"path: "{EXCERPT}", format: Azure2021, functions: ["a/b"]"#),
            "trace.functions[0]",
        ),
        (
            &*format!(r#"path: "{EXCERPT}", format: Azure2021, window_s: (5, 1)"#),
            "from < to",
        ),
        (
            &*format!(r#"path: "{EXCERPT}", format: Azure2021, body: TraceBody(cpu_share: 2)"#),
            "trace.body.cpu_share",
        ),
    ] {
        let err = parse_experiment(
            &experiment(trace),
            &root().join("experiments/inline.ron"),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(want), "{err}\nwanted: {want}");
    }
}

#[test]
fn sampling_apps_keeps_or_drops_each_app_whole() {
    let keys = |share: &str| -> Vec<String> {
        let text = experiment(&format!(
            r#"path: "{EXCERPT}", format: Azure2021, sample_apps: {share}"#
        ));
        let exp = parse_experiment(&text, &root().join("experiments/inline.ron"), &[]).unwrap();
        exp.functions
            .iter()
            .map(|f| match &f.workload {
                sim::config::Workload::Trace(t) => t.key.clone(),
                _ => unreachable!(),
            })
            .collect()
    };
    assert_eq!(keys("1.0").len(), 31);
    let half = keys("0.5");
    let app = |k: &String| k.split('/').next().unwrap().to_string();
    let kept: std::collections::BTreeSet<String> = half.iter().map(app).collect();
    assert!(
        !kept.is_empty() && kept.len() < 13,
        "{} of 13 apps",
        kept.len()
    );
    let whole = keys("1.0");
    let expected: Vec<&String> = whole.iter().filter(|k| kept.contains(&app(k))).collect();
    assert_eq!(
        half.iter().collect::<Vec<_>>(),
        expected,
        "every function of a kept app"
    );
    assert_eq!(half, keys("0.5"), "the same apps for the same seed");
}

#[test]
fn a_map_gives_chosen_trace_functions_a_program_of_their_own() {
    let plain = experiment(&format!(r#"path: "{EXCERPT}", format: Azure2021"#));
    let exp = parse_experiment(&plain, &root().join("experiments/inline.ron"), &[]).unwrap();
    let key = |i: usize| match &exp.functions[i].workload {
        sim::config::Workload::Trace(src) => src.key.clone(),
        _ => panic!("a trace function"),
    };
    let (first, second) = (key(0), key(1));
    let app = first.split('/').next().unwrap().to_string();
    let mapped = experiment(&format!(
        r#"path: "{EXCERPT}", format: Azure2021, body: TraceBody(cpu_share: 0.0),
           map: [TraceMap(functions: ["{first}"], function: Profile("../models/cpu_50ms_sync.ron"))]"#
    ));
    let exp = parse_experiment(&mapped, &root().join("experiments/inline.ron"), &[]).unwrap();
    let profile = parse_experiment(
        r#"Experiment(name: "p", host: Host(), functions: [FunctionUse(function: Profile("../models/cpu_50ms_sync.ron"), workload: Burst(n: 1))])"#,
        &root().join("experiments/inline.ron"),
        &[],
    )
    .unwrap();
    let body = |f: &sim::config::FunctionSpec| format!("{:?}", f.body);
    let program = body(&profile.functions[0]);
    assert_eq!(body(&exp.functions[0]), program, "{first} runs the program");
    assert_ne!(
        body(&exp.functions[1]),
        program,
        "{second} keeps its recorded durations"
    );
    // The mapped function's invocations take the program's 50 ms of CPU, not their records
    // (the others only wait on I/O, so nothing holds the GIL long).
    let out = run_text(&mapped, &[]);
    let ran: Vec<u64> = out
        .rows
        .iter()
        .filter(|r| r.function == 0)
        .map(|r| r.end.unwrap() - r.start.unwrap())
        .collect();
    assert!(!ran.is_empty());
    assert!(
        ran.iter().all(|&d| (50_000_000..60_000_000).contains(&d)),
        "{ran:?}"
    );
    // A prefix names every function of an app; a pattern that names none is refused.
    let prefix = mapped.replace(&format!("[\"{first}\"]"), &format!("[\"{app}/*\"]"));
    assert!(parse_experiment(&prefix, &root().join("experiments/inline.ron"), &[]).is_ok());
    let typo = mapped.replace(&format!("[\"{first}\"]"), "[\"nope/none\"]");
    let err = parse_experiment(&typo, &root().join("experiments/inline.ron"), &[])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("trace.map[0].functions[0]") && err.contains("prefix ending in *"),
        "{err}"
    );
}
