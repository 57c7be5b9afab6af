//! The grouped rest of a trace (`rest: Grouped`): every function not kept by name replayed as
//! one function from one shared stream, each invocation exactly once and with its own
//! function's duration; a 2019 day spilled by hour to files that are always removed.

mod common;

use common::{root, run_text, temp_dir};
use sim::config::trace::TraceSource;
use sim::config::{parse_experiment, Experiment, Workload};
use sim::kernel::RngStreams;
use sim::workload::azure2019::Spread;
use sim::workload::day_group::{GroupDay, GroupSpec};
use sim::workload::day_spill::DayFunction;
use sim::workload::trace_feed::TraceArrivals;
use sim::workload::trace_rest::RestFilter;
use sim::workload::trace_scan::app_sampled;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Functions in the generated day.
const FUNCTIONS: usize = 30;

/// Function `i`'s invocations in minute `m` of the generated day (spread over the whole day,
/// minute 1439 included, some functions busy and most quiet).
fn count(i: usize, m: usize) -> u32 {
    if (m * 7 + i * 11).is_multiple_of(3 + i) || m == 1439 {
        ((m + 3 * i) % 4) as u32 + u32::from(i < 3) * 5
    } else {
        0
    }
}

/// Function `i`'s key: apps a0..a5, functions f0..f29.
fn key(i: usize) -> String {
    format!("a{}/f{i}", i % 6)
}

/// Writes the day and its durations into `dir`: function i's percentiles are all 10 (i + 1)
/// ms, except f0 (no durations row) and f1 (10 to 50 ms).
fn day(dir: &Path) -> (PathBuf, PathBuf) {
    let mut inv = String::from("HashOwner,HashApp,HashFunction,Trigger");
    for m in 1..=1440 {
        inv += &format!(",{m}");
    }
    inv.push('\n');
    let mut dur = String::from("HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\n");
    for i in 0..FUNCTIONS {
        let k = key(i);
        let (app, func) = k.split_once('/').unwrap();
        inv += &format!("o,{app},{func},http");
        for m in 0..1440 {
            inv += &format!(",{}", count(i, m));
        }
        inv.push('\n');
        let ms = 10 * (i + 1);
        match i {
            0 => {}
            1 => dur += &format!("o,{app},{func},30,1,10,50,10,10,20,30,40,50,50\n"),
            _ => {
                dur +=
                    &format!("o,{app},{func},{ms},1,{ms},{ms},{ms},{ms},{ms},{ms},{ms},{ms},{ms}\n")
            }
        }
    }
    let (inv_path, dur_path) = (dir.join("day.csv"), dir.join("day_durations.csv"));
    std::fs::write(&inv_path, inv).unwrap();
    std::fs::write(&dur_path, dur).unwrap();
    (inv_path, dur_path)
}

/// The grouped arrivals of the day in `dir` with `kept` left out, seed `seed`, hour files
/// under `spill`: (instant, function, duration) in the order handed out.
fn group(
    inv: &Path,
    dur: &Path,
    kept: &[String],
    seed: u64,
    spill: &Path,
) -> Vec<(u64, DayFunction, Option<u64>)> {
    let spec = GroupSpec {
        path: inv,
        durations: Some(dur),
        filter: RestFilter::new(kept, None),
        window_ns: (0, u64::MAX),
        spread: Spread::Uniform,
        spill_parent: spill.to_path_buf(),
    };
    let mut g = GroupDay::open(spec, RngStreams::new(seed).stream("g")).unwrap();
    std::iter::from_fn(|| g.next_arrival()).collect()
}

/// The folders in `dir`.
fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn the_group_replays_every_count_of_the_rest_once_with_its_own_durations() {
    let dir = temp_dir("rest-once");
    let (inv, dur) = day(&dir);
    let spill = dir.join("spill");
    std::fs::create_dir_all(&spill).unwrap();
    let kept = vec![key(3), key(7)];
    let arrivals = group(&inv, &dur, &kept, 1, &spill);
    let mut seen: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for w in arrivals.windows(2) {
        assert!(w[0].0 <= w[1].0, "in time order");
    }
    for &(t, f, d) in &arrivals {
        let (i, m) = (f.index(), (t / 60_000_000_000) as usize);
        *seen.entry((i, m)).or_default() += 1;
        match i {
            0 => assert_eq!(d, None, "f0 has no durations row"),
            1 => {
                let d = d.unwrap();
                assert!((10_000_000..=50_000_000).contains(&d), "{d}");
            }
            _ => assert_eq!(d, Some(10_000_000 * (i as u64 + 1)), "f{i}"),
        }
    }
    let mut total = 0;
    for i in 0..FUNCTIONS {
        for m in 0..1440 {
            let want = if i == 3 || i == 7 { 0 } else { count(i, m) };
            total += want;
            assert_eq!(
                seen.get(&(i, m)).copied().unwrap_or(0),
                want,
                "f{i} minute {m}"
            );
        }
    }
    assert_eq!(arrivals.len() as u32, total);
    assert_eq!(entries(&spill), 0, "the hour files are removed");
}

#[test]
fn the_group_is_deterministic_per_seed() {
    let dir = temp_dir("rest-seed");
    let (inv, dur) = day(&dir);
    let a = group(&inv, &dur, &[], 5, &dir);
    assert_eq!(a, group(&inv, &dur, &[], 5, &dir));
    assert_ne!(a, group(&inv, &dur, &[], 6, &dir));
}

#[test]
fn hour_files_live_in_their_own_folder_and_go_even_on_errors() {
    let dir = temp_dir("rest-spill");
    let (inv, dur) = day(&dir);
    let spill = dir.join("spill");
    std::fs::create_dir_all(&spill).unwrap();
    let open = |path: &Path, parent: PathBuf| {
        let spec = GroupSpec {
            path,
            durations: Some(&dur),
            filter: RestFilter::new(&[], None),
            window_ns: (0, u64::MAX),
            spread: Spread::Equidistant,
            spill_parent: parent,
        };
        GroupDay::open(spec, RngStreams::new(1).stream("g"))
    };
    let mut g = open(&inv, spill.clone()).unwrap();
    assert!(g.next_arrival().is_some());
    assert!(g.spill_folder().starts_with(&spill) && g.spill_folder().is_dir());
    assert_eq!(entries(&spill), 1);
    drop(g);
    assert_eq!(entries(&spill), 0, "dropped halfway: removed");
    // A row that no longer parses: the file, line, column and value; nothing left behind.
    let text = std::fs::read_to_string(&inv).unwrap();
    let broken: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(n, l)| {
            if n == 5 {
                l.replacen(",http,", ",http,x", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, broken.join("\n")).unwrap();
    let err = open(&bad, spill.clone()).err().unwrap().to_string();
    assert!(err.contains("bad.csv:6: `1` (column 5) = \"x"), "{err}");
    assert_eq!(entries(&spill), 0, "a failed pass removes its folder");
    let err = open(&inv, dir.join("no/such/folder"))
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("set TMPDIR to a writable folder"), "{err}");
}

/// The experiment replaying the day in `dir` with `more` options in its trace block.
fn experiment(inv: &Path, dur: &Path, more: &str) -> String {
    format!(
        r#"Experiment(name: "rest", host: Host(cores: 4.0, processes: 2, threads: 256),
            trace: Trace(path: "{}", format: Azure2019, durations: "{}",
                         body: TraceBody(cpu_share: 0.0){more}))"#,
        inv.display(),
        dur.display()
    )
}

fn parse(text: &str) -> Experiment {
    parse_experiment(text, &root().join("experiments/x.ron"), &[]).unwrap_or_else(|e| panic!("{e}"))
}

/// Invocations per function name in a run's rows.
fn per_function(out: &sim::runner::RunOutput) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for r in &out.rows {
        *m.entry(out.function_names[r.function as usize].clone())
            .or_default() += 1;
    }
    m
}

#[test]
fn top_plus_the_grouped_rest_replays_the_whole_day() {
    let dir = temp_dir("rest-run");
    let (inv, dur) = day(&dir);
    let day_total: u64 = (0..FUNCTIONS)
        .map(|i| (0..1440).map(|m| u64::from(count(i, m))).sum::<u64>())
        .sum();
    let text = experiment(&inv, &dur, ", top: 2, rest: Grouped");
    let exp = parse(&text);
    let names: Vec<&str> = exp.functions.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["a0/f0", "a1/f1", "(other functions)"]);
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded), (day_total, day_total));
    let per = per_function(&out);
    let f0: u64 = (0..1440).map(|m| u64::from(count(0, m))).sum();
    assert_eq!(per["a0/f0"], f0);
    assert_eq!(
        out.summary,
        run_text(&text, &[]).summary,
        "same seed, same run"
    );
    // Grouped alone: one function holding the whole day.
    let alone = experiment(&inv, &dur, ", rest: Grouped");
    assert_eq!(parse(&alone).functions.len(), 1);
    assert_eq!(run_text(&alone, &[]).summary.invocations.arrived, day_total);
    // A window: the minutes starting in it.
    let hour = experiment(&inv, &dur, ", rest: Grouped, window_s: (0, 3600)");
    let first: u64 = (0..FUNCTIONS)
        .map(|i| (0..60).map(|m| u64::from(count(i, m))).sum::<u64>())
        .sum();
    assert_eq!(run_text(&hour, &[]).summary.invocations.arrived, first);
}

#[test]
fn sampled_apps_leave_the_group_whole() {
    let dir = temp_dir("rest-apps");
    let (inv, dur) = day(&dir);
    let text = experiment(&inv, &dur, ", top: 1, rest: Grouped, sample_apps: 0.5");
    let exp = parse(&text);
    let want: u64 = (0..FUNCTIONS)
        .filter(|&i| app_sampled(&key(i), 0.5, exp.seed))
        .map(|i| (0..1440).map(|m| u64::from(count(i, m))).sum::<u64>())
        .sum();
    assert!(want > 0);
    assert_eq!(run_text(&text, &[]).summary.invocations.arrived, want);
}

/// The trace source of `exp`'s grouped rest.
fn rest_source(exp: &Experiment) -> &TraceSource {
    match &exp.functions.last().unwrap().workload {
        Workload::Trace(src) if src.rest.is_some() => src,
        _ => panic!("no grouped rest"),
    }
}

#[test]
fn a_plain_csv_rest_is_the_rows_of_the_functions_not_kept() {
    let dir = temp_dir("rest-csv");
    let path = dir.join("t.csv");
    let mut text = String::from("timestamp_ms,function,duration_ms\n");
    // Function g<k> has 1 + k rows, each lasting k + 1 ms.
    for k in 0..8u64 {
        for j in 0..=k {
            text += &format!("{},g{k},{}\n", 100 * j + k, k + 1);
        }
    }
    std::fs::write(&path, text).unwrap();
    let ron = format!(
        r#"Experiment(name: "c", host: Host(cores: 2.0, processes: 1, threads: 64),
            trace: Trace(path: "{}", format: Csv, top: 1, rest: Grouped, body: TraceBody(cpu_share: 0.0)))"#,
        path.display()
    );
    let exp = parse(&ron);
    assert_eq!(exp.functions[0].name, "g7");
    let src = rest_source(&exp);
    assert_eq!(src.count, (1..=7).sum::<u64>());
    let rest = src.rest.as_ref().unwrap();
    let mut arrivals =
        TraceArrivals::open_rest(src, rest, RngStreams::new(1).stream("a"), &dir).unwrap();
    let mut per_duration: BTreeMap<u64, u64> = BTreeMap::new();
    while arrivals.next().is_some() {
        *per_duration
            .entry(arrivals.last_duration_ns() / 1_000_000)
            .or_default() += 1;
    }
    let want: BTreeMap<u64, u64> = (0..7).map(|k| (k + 1, k + 1)).collect();
    assert_eq!(
        per_duration, want,
        "each of g0..g6's rows once, with its own duration"
    );
    // In a run the rest shares the kept function's reader: its rows, each with its duration.
    let out = run_text(&ron, &[]);
    assert_eq!(out.summary.invocations.arrived, 36);
    let rest = out
        .function_names
        .iter()
        .position(|n| n == "(other functions)")
        .unwrap() as u16;
    let mut per_ms: BTreeMap<u64, u64> = BTreeMap::new();
    for r in out.rows.iter().filter(|r| r.function == rest) {
        *per_ms
            .entry((r.end.unwrap() - r.start.unwrap()) / 1_000_000)
            .or_default() += 1;
    }
    assert_eq!(per_ms, want, "the body lasts its own row's duration");
}

#[test]
fn a_bad_row_is_named_before_a_grouped_run() {
    let dir = temp_dir("rest-bad");
    let (inv, dur) = day(&dir);
    let text = std::fs::read_to_string(&inv)
        .unwrap()
        .replacen(",http,", ",http,-1", 1);
    std::fs::write(&inv, text).unwrap();
    let err = parse_experiment(
        &experiment(&inv, &dur, ", rest: Grouped"),
        &root().join("experiments/x.ron"),
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("day.csv:2: `1` (column 5) = \"-1"), "{err}");
}

#[test]
fn a_grouped_run_writes_the_same_bytes_twice() {
    let dir = temp_dir("rest-bytes");
    let (inv, dur) = day(&dir);
    let file = dir.join("rest.ron");
    std::fs::write(
        &file,
        experiment(&inv, &dur, ", top: 3, rest: Grouped, spread: Poisson"),
    )
    .unwrap();
    let run = |name: &str| {
        let out = dir.join(name);
        let args = [
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ];
        let r = common::sim_in(&root(), &args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        (
            common::bytes(&out.join("invocations.csv")),
            common::bytes(&out.join("summary.json")),
        )
    };
    assert_eq!(run("one"), run("two"));
}
