//! `sim trace-events` and `sim run --trace-events`: every trace is checked against the Trace
//! Event Format's rules (valid JSON; each event has what its `ph` requires; complete events
//! have dur >= 0; async begins and ends pair up per id and category; counters carry numbers;
//! everything inside the window; processes and threads named), on a hand-made folder and on
//! real runs.

mod common;

use common::{root, sim_in};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    common::scratch_dir("sim-trace-events", name)
}

/// What a trace holds, by kind, once it passed [`check`].
#[derive(Debug, Default)]
struct Checked {
    events: Vec<Value>,
    by_ph: BTreeMap<String, usize>,
}

impl Checked {
    fn named(&self, ph: &str, name: &str) -> Vec<&Value> {
        let ph_name = |e: &&Value| e["ph"] == ph && e["name"].as_str() == Some(name);
        self.events.iter().filter(ph_name).collect()
    }
}

/// Checks `bytes` against the format's rules, with every timed event in `[from_s, to_s]`.
fn check(bytes: &[u8], from_s: f64, to_s: f64) -> Checked {
    let v: Value = serde_json::from_slice(bytes).expect("the trace is valid JSON");
    assert_eq!(v["displayTimeUnit"], "ms");
    assert!(v["metadata"].is_object(), "metadata is an object");
    let events = v["traceEvents"]
        .as_array()
        .expect("traceEvents is an array");
    let (lo, hi) = (from_s * 1e6 - 1e-3, to_s * 1e6 + 1e-3);
    let mut by_ph = BTreeMap::new();
    let mut open: BTreeMap<(String, u64), Vec<f64>> = BTreeMap::new();
    let mut spans: BTreeMap<(String, u64), Vec<(f64, f64)>> = BTreeMap::new();
    let mut processes = BTreeSet::new();
    let mut threads = BTreeSet::new();
    let mut used_pids = BTreeSet::new();
    let mut used_threads = BTreeSet::new();
    for e in events {
        let ph = e["ph"].as_str().unwrap_or_else(|| panic!("no ph: {e}"));
        *by_ph.entry(ph.to_string()).or_insert(0) += 1;
        let pid = e["pid"].as_u64().unwrap_or_else(|| panic!("no pid: {e}"));
        let tid = e["tid"].as_u64().unwrap_or_else(|| panic!("no tid: {e}"));
        assert!(e["name"].is_string(), "no name: {e}");
        let ts = e["ts"].as_f64().unwrap_or_else(|| panic!("no ts: {e}"));
        if ph == "M" {
            match e["name"].as_str().unwrap() {
                "process_name" => assert!(processes.insert(pid), "a process named twice"),
                "thread_name" => assert!(threads.insert((pid, tid)), "a thread named twice"),
                "process_sort_index" | "thread_sort_index" => {
                    assert!(e["args"]["sort_index"].is_i64(), "{e}")
                }
                other => panic!("unknown metadata event {other}"),
            }
            if e["name"].as_str().unwrap().ends_with("_name") {
                assert!(e["args"]["name"].is_string(), "{e}");
            }
            continue;
        }
        assert!(lo <= ts && ts <= hi, "outside the window: {e}");
        used_pids.insert(pid);
        match ph {
            "X" => {
                let dur = e["dur"].as_f64().unwrap_or_else(|| panic!("no dur: {e}"));
                assert!(dur >= 0.0, "negative dur: {e}");
                assert!(ts + dur <= hi, "ends outside the window: {e}");
                assert!(e["cat"].is_string(), "{e}");
                used_threads.insert((pid, tid));
            }
            "b" | "e" => {
                let cat = e["cat"].as_str().unwrap_or_else(|| panic!("no cat: {e}"));
                let id = e["id"].as_u64().unwrap_or_else(|| panic!("no id: {e}"));
                let key = (cat.to_string(), id);
                let stack = open.entry(key.clone()).or_default();
                if ph == "b" {
                    stack.push(ts);
                } else {
                    let begin = stack
                        .pop()
                        .unwrap_or_else(|| panic!("an end without begin: {e}"));
                    assert!(begin <= ts, "ends before it begins: {e}");
                    spans.entry(key).or_default().push((begin, ts));
                }
            }
            "C" => {
                let args = e["args"].as_object().unwrap_or_else(|| panic!("{e}"));
                assert!(
                    !args.is_empty() && args.values().all(Value::is_number),
                    "{e}"
                );
            }
            "i" => {
                let scope = e["s"].as_str().unwrap_or("t");
                assert!(["g", "p", "t"].contains(&scope), "{e}");
                if scope == "t" {
                    used_threads.insert((pid, tid));
                }
            }
            other => panic!("unexpected ph {other}: {e}"),
        }
    }
    assert!(open.values().all(Vec::is_empty), "unclosed async spans");
    for (key, mut list) in spans {
        // The spans of one id nest or are apart, never overlap.
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut enclosing: Vec<(f64, f64)> = Vec::new();
        for s in list {
            while enclosing.last().is_some_and(|o| o.1 <= s.0) {
                enclosing.pop();
            }
            if let Some(o) = enclosing.last() {
                assert!(s.1 <= o.1, "async spans {o:?} and {s:?} of {key:?} overlap");
            }
            enclosing.push(s);
        }
    }
    for pid in &used_pids {
        assert!(processes.contains(pid), "process {pid} has no process_name");
    }
    for t in &used_threads {
        assert!(threads.contains(t), "thread {t:?} has no thread_name");
    }
    Checked {
        events: events.clone(),
        by_ph,
    }
}

const STATES: &str =
    "instance,process,thread,state,start_ms,end_ms,function,invocation,task,blocks_loop
0,0,receiver,python,0.500000,0.520000,,,,0
0,0,loop,python,0.630000,0.700000,await_io,0,0,0
0,0,loop,python,10.000000,110.000000,cpu_in_async,1,1,1
0,0,pool-0,gil_wait,1.000000,3.000000,sync_fn,2,,0
0,0,pool-0,python,3.000000,5.000000,sync_fn,2,,0
0,0,pool-0,io,5.000000,25.000000,sync_fn,2,,0
0,1,pool-0,native,2.000000,900.000000,sync_fn,3,,0
0,0,loop,io,200.000000,1500.000000,sleepy,4,5,1
";
const TASKS: &str = "task,parent,invocation,function,instance,process,kind,start_ms,end_ms
2,0,0,await_io,0,0,branch,1.000000,40.000000
3,0,0,await_io,0,0,branch,2.000000,60.000000
1,,1,cpu_in_async,0,0,body,10.000000,110.000000
0,,0,await_io,0,0,body,0.630000,500.800000
5,,4,sleepy,0,0,body,200.000000,1500.000000
";
const INVOCATIONS: &str = "invocation,function,arrival_ms,start_ms,end_ms,response_ms,process,thread,outcome,instance,cold
0,await_io,0.000000,0.630000,500.800000,501.000000,0,loop,succeeded,0,true
1,cpu_in_async,5.000000,10.000000,110.000000,111.000000,0,loop,succeeded,0,false
2,sync_fn,0.900000,1.000000,25.000000,26.000000,0,pool-0,succeeded,0,false
3,sync_fn,1.500000,2.000000,900.000000,901.000000,1,pool-0,succeeded,0,true
6,sync_fn,30.000000,,,30.100000,,,rejected,,false
4,sleepy,150.000000,200.000000,1500.000000,1500.500000,0,loop,succeeded,0,false
";
const TIMESERIES: &str = "t_ms,in_flight,queued,busy_threads,gil_held,loop_blocked,cpu_utilisation,instances_ready,instances_starting,instances_draining,queue_length,oldest_age_ms,cold_starts,rejected_429
100.000000,3.000000,0.500000,2.000000,0.700000,0.100000,0.800000,1,0,0,4,12.000000,2,1
200.000000,2.000000,0.000000,1.000000,0.200000,0.000000,0.300000,1,1,0,2,5.000000,0,0
500.000000,1.000000,0.000000,1.000000,0.000000,0.000000,0.100000,2,0,0,0,0.000000,0,0
";
const SCALING: &str =
    "t_s,ready,starting,draining,queue_length,oldest_age_s,desired,add,drain,reason
0.15,1,0,0,4,0.1,2,1,0,\"target-based: 4 queued / 2 per instance = 2, \"\"quoted\"\"\"
0.3,2,0,0,0,0,2,0,0,\"hold\"
";

/// A hand-made output folder in the format of a run's files.
fn fixture(name: &str) -> PathBuf {
    let d = temp(name).join("out");
    std::fs::create_dir_all(&d).unwrap();
    for (file, text) in [
        ("thread_states.csv", STATES),
        ("tasks.csv", TASKS),
        ("invocations.csv", INVOCATIONS),
        ("timeseries.csv", TIMESERIES),
        ("scaling.csv", SCALING),
        ("summary.json", "{\"experiment\": \"fixture\", \"thread_states\": {\"from_ms\": 0.0, \"to_ms\": 2000.0, \"rows\": 8, \"cut_at_ms\": null}}\n"),
    ] {
        std::fs::write(d.join(file), text).unwrap();
    }
    d
}

fn convert(dir: &Path, file: &Path, window: Option<&str>) -> common::Run {
    let mut args = vec![
        "trace-events",
        dir.to_str().unwrap(),
        file.to_str().unwrap(),
    ];
    if let Some(w) = window {
        args.extend(["--window", w]);
    }
    sim_in(&root(), &args)
}

/// `A..B` as seconds.
fn seconds(window: &str) -> (f64, f64) {
    let (a, b) = window.split_once("..").unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

/// The checked trace of the hand-made folder over `window`.
fn fixture_trace(name: &str, window: &str) -> Checked {
    let dir = fixture(name);
    let file = dir.parent().unwrap().join("trace.json");
    let run = convert(&dir, &file, Some(window));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("ui.perfetto.dev"), "{}", run.stdout);
    let (a, b) = seconds(window);
    check(&std::fs::read(&file).unwrap(), a, b)
}

#[test]
fn a_folder_becomes_a_trace_that_follows_the_formats_rules() {
    let t = fixture_trace("rules", "0..2");
    let blocked = t.named("X", "loop BLOCKED by cpu_in_async");
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0]["cname"], "terrible");
    assert_eq!(blocked[0]["dur"].as_f64(), Some(100_000.0));
    assert_eq!(blocked[0]["args"]["invocation"], 1);
    assert_eq!(
        t.named("X", "loop BLOCKED by sleepy")[0]["args"]["state"],
        "io"
    );
    for state in ["Python (GIL held)", "GIL wait", "I/O", "native"] {
        assert!(!t.named("X", state).is_empty(), "{state}");
    }
    assert_eq!(t.by_ph["b"], 5, "one span per task");
    let branches = t.named("b", "await_io #0 gather branch");
    let ids: Vec<u64> = branches.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert_eq!(
        ids,
        [0, 3],
        "the first nests under its body, the overlapping second apart"
    );
    assert_eq!(branches[0]["args"]["parent"], 0);
    assert_eq!(t.named("i", "arrival: sync_fn").len(), 3);
    assert_eq!(t.named("i", "429: sync_fn").len(), 1);
    assert_eq!(t.named("i", "cold start: await_io").len(), 1);
    let scale = t.named("i", "scale out +1");
    assert_eq!(scale.len(), 1, "only decisions that add or drain");
    assert!(scale[0]["args"]["reason"]
        .as_str()
        .unwrap()
        .contains("\"quoted\""));
    assert_eq!(scale[0]["ts"].as_f64(), Some(150_000.0));
    let instances = t.named("C", "instances");
    assert_eq!(instances[0]["args"]["starting"].as_f64(), Some(0.0));
    // The 200..500 ms rows skip an idle stretch: in flight drops to 0 at 200 ms.
    let in_flight: Vec<(f64, f64)> = t
        .named("C", "in flight")
        .iter()
        .map(|e| {
            (
                e["ts"].as_f64().unwrap(),
                e["args"]["invocations"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        in_flight,
        [
            (0.0, 3.0),
            (100_000.0, 2.0),
            (200_000.0, 0.0),
            (400_000.0, 1.0),
            (500_000.0, 0.0)
        ]
    );
    let names: BTreeSet<&str> = t
        .events
        .iter()
        .filter(|e| e["name"] == "process_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    let expected = ["host", "instance 0 / worker 0", "instance 0 / worker 1"];
    assert_eq!(names, BTreeSet::from(expected));
    let loop_sort = t.events.iter().find(|e| {
        e["name"] == "thread_sort_index"
            && t.events.iter().any(|n| {
                n["name"] == "thread_name" && n["args"]["name"] == "loop" && n["tid"] == e["tid"]
            })
    });
    assert_eq!(
        loop_sort.unwrap()["args"]["sort_index"],
        0,
        "the loop comes first"
    );
}

#[test]
fn a_window_keeps_what_overlaps_it_clipped() {
    let t = fixture_trace("window", "0.05..0.3");
    let blocked = t.named("X", "loop BLOCKED by cpu_in_async");
    assert_eq!(blocked[0]["ts"].as_f64(), Some(50_000.0));
    assert_eq!(blocked[0]["dur"].as_f64(), Some(60_000.0));
    let sleepy = t.named("X", "loop BLOCKED by sleepy");
    assert_eq!(
        sleepy[0]["dur"].as_f64(),
        Some(100_000.0),
        "cut at the window's end"
    );
    assert!(t.named("X", "GIL wait").is_empty(), "before the window");
    assert!(t.named("i", "arrival: sync_fn").is_empty());
    assert_eq!(t.named("i", "arrival: sleepy").len(), 1);
}

#[test]
fn the_same_folder_gives_the_same_bytes() {
    let dir = fixture("same");
    let (a, b) = (dir.join("../a.json"), dir.join("../b.json"));
    assert_eq!(convert(&dir, &a, None).code, Some(0));
    assert_eq!(convert(&dir, &b, None).code, Some(0));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn a_bad_row_names_its_file_and_line_and_keeps_the_previous_trace() {
    let dir = fixture("bad");
    let file = dir.parent().unwrap().join("trace.json");
    std::fs::write(&file, "previous").unwrap();
    let bad = STATES.replace("0,0,pool-0,io,5.000000", "0,0,pool-0,sleeping,5.000000");
    std::fs::write(dir.join("thread_states.csv"), bad).unwrap();
    let run = convert(&dir, &file, None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("thread_states.csv:7:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sleeping"), "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous");
    let left: Vec<_> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(left.len(), 2, "no partial file left: {left:?}");

    std::fs::write(dir.join("tasks.csv"), "task,parent\n0,\n").unwrap();
    std::fs::write(dir.join("thread_states.csv"), STATES).unwrap();
    let run = convert(&dir, &file, None);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("tasks.csv:1:"), "{}", run.stderr);

    std::fs::remove_file(dir.join("timeseries.csv")).unwrap();
    std::fs::write(dir.join("tasks.csv"), TASKS).unwrap();
    let run = convert(&dir, &file, None);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("timeseries.csv"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous");
}

#[test]
fn bad_windows_and_targets_are_refused_before_any_work() {
    let dir = fixture("args");
    for w in ["2..1", "a..b", "-1..2", "3"] {
        let run = convert(&dir, &dir.join("../t.json"), Some(w));
        assert_eq!(run.code, Some(2), "{w}: {}", run.stderr);
    }
    let run = convert(&dir, &dir, None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let run = convert(&dir.join("missing"), &dir.join("../t.json"), None);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("missing"), "{}", run.stderr);
}

/// `sim run experiments/NAME.ron --out DIR/out --trace-events DIR/trace.json`: the output
/// folder, the trace file and what the run did.
fn run_traced(name: &str, window: Option<&str>) -> (PathBuf, PathBuf, common::Run) {
    let d = temp(&format!("run-{name}"));
    let (out, file) = (d.join("out"), d.join("trace.json"));
    let ron = root().join("experiments").join(format!("{name}.ron"));
    let mut args = vec![
        "run",
        ron.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--trace-events",
        file.to_str().unwrap(),
    ];
    if let Some(w) = window {
        args.extend(["--trace-window", w]);
    }
    let run = sim_in(&root(), &args);
    (out, file, run)
}

/// `sim run NAME --trace-events`: the run's folder and its checked trace.
fn traced_run(name: &str, window: Option<&str>) -> (PathBuf, Checked) {
    let (out, file, run) = run_traced(name, window);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("trace.json"), "{}", run.stdout);
    let (from, to) = window.map_or((0.0, 10.0), seconds);
    (out, check(&std::fs::read(&file).unwrap(), from, to))
}

#[test]
fn the_async_pitfalls_trace_shows_the_blocked_loop() {
    let (out, t) = traced_run("async_pitfalls", Some("0..20"));
    assert!(!t.named("C", "loop blocked").is_empty());
    assert!(!t.named("i", "arrival: blocking_in_async").is_empty());
    if !out.join("thread_states.csv").exists() {
        eprintln!(
            "this sim writes no thread_states.csv yet: the lanes are checked on fixtures only"
        );
        return;
    }
    let blocked_us = |f: &str| -> f64 {
        let blocked = t.named("X", &format!("loop BLOCKED by {f}"));
        assert!(blocked.iter().all(|e| e["cname"] == "terrible"));
        blocked.iter().map(|e| e["dur"].as_f64().unwrap()).sum()
    };
    // Act 2 sleeps 10 x 0.5 s on the loop, act 3 computes 10 x 0.1 s on it; act 1's
    // coroutines only step between awaits.
    let (sleeping, computing) = (
        blocked_us("blocking_in_async"),
        blocked_us("async_no_await"),
    );
    assert!(
        sleeping >= 4.9e6,
        "blocking_in_async blocks the loop {sleeping} us"
    );
    assert!(
        computing >= 0.9e6,
        "async_no_await blocks the loop {computing} us"
    );
    assert!(blocked_us("await_io") < 0.05 * computing);
    assert!(t.by_ph.get("b").is_some_and(|&n| n > 0), "task spans");
}

#[test]
fn the_queue_burst_trace_shows_instances_and_scale_decisions() {
    let (_, t) = traced_run("queue_burst", Some("0..30"));
    assert!(!t.named("C", "instances").is_empty());
    assert!(!t.named("C", "queue length").is_empty());
    let decisions = t
        .events
        .iter()
        .filter(|e| e["ph"] == "i" && e["cat"] == "scale")
        .count();
    assert!(decisions > 0, "scale decisions");
    assert!(!t.named("i", "cold start: process_order").is_empty());
}

#[test]
fn compare_and_sweep_experiments_refuse_trace_events() {
    for name in ["premium_whatif", "sweep_threads"] {
        let (out, _, run) = run_traced(name, None);
        assert_eq!(run.code, Some(2), "{name}: {}", run.stderr);
        assert!(run.stderr.contains("--trace-events"), "{}", run.stderr);
        assert!(!out.exists(), "refused before the run");
    }
}

#[test]
fn a_recording_cut_at_its_row_cap_is_said() {
    let dir = fixture("cut");
    let summary = "{\"experiment\": \"fixture\", \"thread_states\": {\"cut_at_ms\": 1500.0}}";
    std::fs::write(dir.join("summary.json"), summary).unwrap();
    let run = convert(&dir, &dir.join("../t.json"), None);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("thread states at 1500 ms"),
        "{}",
        run.stdout
    );
}
