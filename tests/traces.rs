//! Recorded traces: the streaming readers, the reorder, bad rows, `sim trace stats`.

mod common;

use common::{root, sim_in, temp_dir};
use sim::workload::trace_rows::{RowReader, TraceFormat};
use sim::workload::trace_scan::{ordered, scan};
use std::path::{Path, PathBuf};

/// The whole trace as the window.
const ALL: (u64, u64) = (0, u64::MAX);

/// The 199 real rows of the Azure 2021 trace kept beside the repository.
fn excerpt() -> PathBuf {
    let p = root().join("../shared/data/azure2021_excerpt_199rows.csv");
    assert!(
        p.is_file(),
        "CI must have ../shared/data beside the repository"
    );
    p
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Every row of `path` in arrival order: (arrival ns, function).
fn in_order(path: &Path, format: TraceFormat) -> (Vec<(u64, String)>, usize) {
    let s = scan(path, format, ALL).unwrap();
    let mut rows = ordered(path, format, &s).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next_row().unwrap() {
        out.push((r.arrival_ns, r.function));
    }
    (out, rows.peak_held())
}

#[test]
fn the_2021_excerpt_reads_all_its_rows_in_arrival_order() {
    let (rows, _) = in_order(&excerpt(), TraceFormat::Azure2021);
    assert_eq!(rows.len(), 199);
    assert!(rows.windows(2).all(|w| w[0].0 <= w[1].0));
    let s = scan(&excerpt(), TraceFormat::Azure2021, ALL).unwrap();
    assert_eq!(s.functions.len(), 31);
    assert_eq!(s.functions.values().map(|f| f.count).sum::<u64>(), 199);
    // The first row: end 0.07949090003967285 s, duration 0.078 s.
    let mut r = RowReader::open(&excerpt(), TraceFormat::Azure2021).unwrap();
    let first = r.next_row().unwrap().unwrap();
    assert_eq!(first.arrival_ns, 1_490_900);
    assert_eq!(first.duration_ns, Some(78_000_000));
    assert_eq!(first.line, 2);
}

#[test]
fn rows_written_in_end_order_come_out_in_arrival_order_holding_only_the_window() {
    // 2,000 invocations every 0.5 s, durations cycling 0..=9.5 s, written in end order: the
    // reorder must hold at most the rows of the longest duration's window.
    let dir = temp_dir("end-order");
    let mut rows: Vec<(f64, f64, usize)> = (0..2000)
        .map(|i| {
            let arrival = i as f64 * 0.5;
            let d = (i % 20) as f64 * 0.5;
            (arrival + d, d, i)
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    let mut text = String::from("app,func,end_timestamp,duration\n");
    for (end, d, i) in &rows {
        text.push_str(&format!("a{},f,{end},{d}\n", i % 3));
    }
    let p = write(&dir, "t.csv", &text);
    let (out, peak) = in_order(&p, TraceFormat::Azure2021);
    assert_eq!(out.len(), 2000, "every row once");
    assert!(out.windows(2).all(|w| w[0].0 <= w[1].0), "arrival order");
    let expected: Vec<u64> = (0..2000).map(|i| i as u64 * 500_000_000).collect();
    assert_eq!(out.iter().map(|r| r.0).collect::<Vec<_>>(), expected);
    // The window is 9.5 s of a row every 0.5 s: about 20 rows, never the file.
    assert!(peak <= 40, "held {peak} rows at once");
}

#[test]
fn held_rows_stay_flat_as_the_trace_grows() {
    let dir = temp_dir("flat");
    let peak = |n: usize| {
        let mut text = String::from("timestamp_s,function,duration_ms\n");
        for i in 0..n {
            // Each pair swapped: lateness 1 s.
            let t = (i ^ 1) as f64;
            text.push_str(&format!("{t},f{},5\n", i % 4));
        }
        let p = write(&dir, &format!("t{n}.csv"), &text);
        let (out, peak) = in_order(&p, TraceFormat::Csv);
        assert_eq!(out.len(), n);
        assert!(out.windows(2).all(|w| w[0].0 <= w[1].0));
        peak
    };
    let (small, large) = (peak(1_000), peak(100_000));
    assert!(small <= 3 && large <= 3, "{small} {large}");
}

#[test]
fn a_plain_csv_reads_seconds_or_ms_with_an_optional_duration() {
    let dir = temp_dir("plain");
    let p = write(
        &dir,
        "a.csv",
        "function,timestamp_ms,extra\napi,1.5,x\njob,0.5,y\n",
    );
    let (rows, _) = in_order(&p, TraceFormat::Csv);
    assert_eq!(
        rows,
        vec![(500_000, "job".into()), (1_500_000, "api".into())]
    );
    let p = write(
        &dir,
        "b.csv",
        "timestamp_s,function,duration_s\n2,api,0.25\n",
    );
    let row = RowReader::open(&p, TraceFormat::Csv)
        .unwrap()
        .next_row()
        .unwrap()
        .unwrap();
    assert_eq!(row.arrival_ns, 2_000_000_000);
    assert_eq!(row.duration_ns, Some(250_000_000));
}

#[test]
fn a_bad_row_names_file_line_column_and_value() {
    let dir = temp_dir("bad-rows");
    let cases = [
        (
            "app,func,end_timestamp,duration\na,f,1,0.5\na,f,soon,0.5\n",
            TraceFormat::Azure2021,
            "t.csv:3: `end_timestamp` (column 3) = \"soon\" is not a number: allowed 0 <= seconds",
        ),
        (
            "app,func,end_timestamp,duration\na,f,1,-2\n",
            TraceFormat::Azure2021,
            "t.csv:2: `duration` (column 4) = -2 is out of range: allowed 0 <= seconds <= 86400",
        ),
        (
            "app,func,end_timestamp,duration\na,f,1\n",
            TraceFormat::Azure2021,
            "t.csv:2: `duration` (column 4) is missing",
        ),
        (
            "timestamp_ms,function\n1,\n",
            TraceFormat::Csv,
            "t.csv:2: `function` (column 2) = ",
        ),
    ];
    for (text, format, want) in cases {
        let p = write(&dir, "t.csv", text);
        let err = scan(&p, format, ALL).unwrap_err().to_string();
        assert!(err.contains(want), "{err}\nwanted: {want}");
    }
}

#[test]
fn missing_columns_are_named_with_the_header_the_file_has() {
    let dir = temp_dir("missing");
    let p = write(&dir, "t.csv", "app,end_timestamp\na,1\n");
    let err = scan(&p, TraceFormat::Azure2021, ALL)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("t.csv:1: missing column(s) func, duration for the Azure2021 format; the header has: app, end_timestamp"),
        "{err}"
    );
    let p = write(&dir, "u.csv", "time,function\n1,a\n");
    let err = scan(&p, TraceFormat::Csv, ALL).unwrap_err().to_string();
    assert!(err.contains("timestamp_s or timestamp_ms"), "{err}");
}

#[test]
fn trace_stats_sums_the_excerpt_up() {
    let run = sim_in(
        &root(),
        &[
            "trace",
            "stats",
            excerpt().to_str().unwrap(),
            "--format",
            "azure2021",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains("invocations 199  functions 31"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("per minute: mean"), "{}", run.stdout);
    assert!(run.stdout.contains("duration ms: p50"), "{}", run.stdout);
    let dir = temp_dir("stats-bad");
    let p = write(&dir, "t.csv", "app,func,end_timestamp,duration\na,f,x,1\n");
    let run = sim_in(&root(), &["trace", "stats", p.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("t.csv:2"), "{}", run.stderr);
}

#[test]
fn cells_padded_with_spaces_read_as_their_values() {
    let d = temp_dir("padded-cells");
    let p = write(
        &d,
        "padded.csv",
        "app,func,end_timestamp,duration\n a , f , 10.5 , 0.5 \napp2,g,3,1\n",
    );
    let (rows, _) = in_order(&p, TraceFormat::Azure2021);
    assert_eq!(
        rows,
        [
            (2_000_000_000, "app2/g".to_string()),
            (10_000_000_000, "a/f".to_string())
        ]
    );
    let minutes: Vec<String> = (1..=1440).map(|m| m.to_string()).collect();
    let mut counts = vec!["0".to_string(); 1440];
    counts[0] = " 3 ".into();
    let day = format!(
        "HashOwner,HashApp,HashFunction,Trigger,{}\no, a , f , http ,{}\n",
        minutes.join(","),
        counts.join(",")
    );
    let p = write(&d, "day.csv", &day);
    let mut r = sim::workload::azure2019::DayReader::open(&p).unwrap();
    let row = r.next_row().unwrap().unwrap();
    assert_eq!(
        (row.key.as_str(), row.trigger.as_str(), row.counts[0]),
        ("a/f", "http", 3)
    );
}
