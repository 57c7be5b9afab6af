//! thread_states.csv and tasks.csv: what every thread did over a window, consistent with the
//! run's own gauges (the GIL held by one thread at a time, its held time as summary.json
//! says), written only when asked for, the same bytes every time, and bad windows refused.

mod common;
use common::*;
use sim::metrics::thread_states::{StateRow, ThreadName, ThreadState};
use std::collections::BTreeMap;

/// (instance, process, thread) -> its stretches, by start.
fn lanes(rows: &[StateRow]) -> BTreeMap<(u32, u32, String), Vec<StateRow>> {
    let mut lanes: BTreeMap<_, Vec<StateRow>> = BTreeMap::new();
    for r in rows {
        let key = (
            r.place.instance,
            r.place.process,
            r.place.thread.to_string(),
        );
        lanes.entry(key).or_default().push(*r);
    }
    for v in lanes.values_mut() {
        v.sort_by_key(|r| r.start);
    }
    lanes
}

#[test]
fn a_threads_stretches_never_overlap_and_one_thread_per_process_holds_the_gil() {
    let out = run("mixed", &[]);
    assert!(out.thread_states.is_empty(), "not asked for: nothing kept");
    let mut exp = experiment("mixed", &[]);
    exp.output.thread_states = Some((0, 5_000_000_000));
    let out = sim::runner::run_experiment(&exp).unwrap();
    assert!(
        out.thread_states.len() > 1000,
        "{}",
        out.thread_states.len()
    );
    for (lane, rows) in lanes(&out.thread_states) {
        for w in rows.windows(2) {
            assert!(
                w[0].end <= w[1].start,
                "{lane:?}: {:?} then {:?}",
                w[0],
                w[1]
            );
        }
    }
    // The GIL: the Python stretches of one process never overlap across its threads.
    let mut by_process: BTreeMap<u32, Vec<(u64, u64)>> = BTreeMap::new();
    for r in out
        .thread_states
        .iter()
        .filter(|r| r.work.state == ThreadState::Python)
    {
        by_process
            .entry(r.place.process)
            .or_default()
            .push((r.start, r.end));
    }
    for (p, mut spans) in by_process {
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].1 <= w[1].0, "process {p}: two GIL holders {w:?}");
        }
    }
}

#[test]
fn the_python_stretches_add_up_to_the_gil_held_that_summary_reports() {
    let mut exp = experiment("cpu_bound", &[]);
    exp.output.thread_states = Some((0, u64::MAX / 2));
    let out = sim::runner::run_experiment(&exp).unwrap();
    let end_ns = out.summary.sim_end_ms * 1e6;
    for p in &out.summary.processes {
        let held: u64 = out
            .thread_states
            .iter()
            .filter(|r| r.place.process as usize == p.process)
            .filter(|r| r.work.state == ThreadState::Python)
            .map(|r| r.end - r.start)
            .sum();
        let share = held as f64 / end_ns;
        assert!(
            (share - p.gil_held).abs() < 0.01,
            "process {}: stretches {share:.4} vs gauge {:.4}",
            p.process,
            p.gil_held
        );
    }
}

#[test]
fn the_blocked_loop_is_marked_and_named_by_the_function_that_blocks_it() {
    let mut exp = experiment("async_pitfalls", &[]);
    exp.output.thread_states = Some((0, 30_000_000_000));
    let out = sim::runner::run_experiment(&exp).unwrap();
    let names = &out.function_names;
    let mut blocked_ms: BTreeMap<&str, f64> = BTreeMap::new();
    for r in out.thread_states.iter().filter(|r| r.work.blocks_loop) {
        assert_eq!(r.place.thread, ThreadName::Loop);
        let f = &names[r.work.function.expect("a coroutine's function") as usize];
        *blocked_ms.entry(f).or_default() += (r.end - r.start) as f64 / 1e6;
    }
    // time.sleep(0.5) in async def, ten times: the loop is blocked ~5 s; awaiting, ~0.
    assert!(
        (blocked_ms["blocking_in_async"] - 5000.0).abs() < 50.0,
        "{blocked_ms:?}"
    );
    assert!(blocked_ms["await_io"] < 5.0, "{blocked_ms:?}");
    // Every task has a span; executor calls have their coroutine as parent.
    assert_eq!(out.tasks.iter().filter(|t| t.parent.is_none()).count(), 40);
    let executor = out.tasks.iter().filter(|t| t.parent.is_some()).count();
    assert_eq!(
        executor, 10,
        "one run_in_executor call per invocation of the last burst"
    );
}

#[test]
fn the_files_are_written_only_when_asked_for_clipped_to_the_window_and_reproducible() {
    let dir = temp_dir("thread-states");
    let exp = root().join("experiments/async_pitfalls.ron");
    let exp = exp.to_str().unwrap();
    let plain = dir.join("plain");
    let run = sim_in(
        &dir,
        &["run", exp, "--out", plain.to_str().unwrap(), "--quiet"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!plain.join("thread_states.csv").exists());
    let summary = std::fs::read_to_string(plain.join("summary.json")).unwrap();
    assert!(!summary.contains("thread_states"));
    let mut copies = Vec::new();
    for name in ["a", "b"] {
        let out = dir.join(name);
        let args = [
            "run",
            exp,
            "--out",
            out.to_str().unwrap(),
            "--quiet",
            "--thread-states",
            "6..8",
        ];
        let run = sim_in(&dir, &args);
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let states = std::fs::read_to_string(out.join("thread_states.csv")).unwrap();
        for line in states.lines().skip(1) {
            let cells: Vec<&str> = line.split(',').collect();
            let (start, end): (f64, f64) = (cells[4].parse().unwrap(), cells[5].parse().unwrap());
            assert!(
                (6000.0..=8000.0).contains(&start) && end <= 8000.0 && start < end,
                "{line}"
            );
        }
        copies.push((states, bytes(&out.join("tasks.csv"))));
    }
    assert_eq!(copies[0], copies[1], "same experiment and seed, same bytes");
}

#[test]
fn an_empty_or_impossible_window_is_refused_with_the_field() {
    let dir = temp_dir("thread-states-bad");
    let exp = root().join("experiments/mixed.ron");
    let exp = exp.to_str().unwrap();
    for window in ["2..1", "-1..2", "0..x", "3"] {
        let flag = format!("--thread-states={window}");
        let run = sim_in(&dir, &["run", exp, "--out", "o", &flag]);
        assert_eq!(run.code, Some(2), "{window}: {}", run.stderr);
        assert!(run.stderr.contains("--thread-states"), "{}", run.stderr);
    }
    let text = std::fs::read_to_string(exp).unwrap().replace(
        "output: Output(",
        "output: Output(thread_states: (from_s: 5, to_s: 1), ",
    );
    let file = dir.join("bad_window.ron");
    std::fs::write(&file, text).unwrap();
    let run = sim_in(
        &root().join("experiments"),
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            dir.join("o").to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("output.thread_states.to_s"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("bad_window.ron:"),
        "file and line: {}",
        run.stderr
    );
    let cmp = root().join("experiments/premium_whatif.ron");
    let run = sim_in(
        &dir,
        &[
            "run",
            cmp.to_str().unwrap(),
            "--out",
            "o",
            "--thread-states",
            "0..1",
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("records one run"), "{}", run.stderr);
}
