//! `sim plot` and `sim run --plots`: the pictures exist, are valid PNG and SVG of the expected
//! size with their titles, are the same bytes every time, and bad input files are named with
//! exit code 2, the earlier plots kept.

mod common;

use common::{root, sim_in};
use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    common::scratch_dir("sim-plots", name)
}

/// Runs experiments/mixed.ron into `out` (with its plots when `plots`).
fn run_mixed(out: &Path, plots: bool) -> common::Run {
    let exp = root().join("experiments/mixed.ron");
    let mut args = vec![
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    if plots {
        args.push("--plots");
    }
    let run = sim_in(&root(), &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    run
}

fn plot(dir: &Path) -> common::Run {
    sim_in(&root(), &["plot", dir.to_str().unwrap()])
}

/// The width and height of a valid PNG file.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let mut reader = png::Decoder::new(bytes.as_slice()).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    (info.width, info.height)
}

/// Checks the SVG is one well-formed-looking document holding `title`.
fn check_svg(path: &Path, title: &str) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(text.trim_start().starts_with("<svg"), "{}", path.display());
    assert!(text.trim_end().ends_with("</svg>"), "{}", path.display());
    assert_eq!(
        text.matches('<').count(),
        text.matches('>').count(),
        "{}",
        path.display()
    );
    assert!(text.contains("<text"), "{}: no text", path.display());
    assert!(
        text.contains(title),
        "{}: no title {title:?}",
        path.display()
    );
}

#[test]
fn run_with_plots_draws_valid_png_and_svg() {
    let out = temp("run").join("mixed");
    run_mixed(&out, true);
    let plots = out.join("plots");
    assert_eq!(png_size(&plots.join("latency_cdf.png")), (1200, 700));
    assert_eq!(png_size(&plots.join("timeline.png")), (1200, 900));
    check_svg(
        &plots.join("latency_cdf.svg"),
        "mixed: response latency by function",
    );
    check_svg(&plots.join("timeline.svg"), "mixed: the run over time");
    assert!(!plots.join("gil_lanes.png").exists());
    let again = plot(&out);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert!(
        again.stdout.contains("skipped")
            && again.stdout.contains("gil_lanes: no thread_states.csv"),
        "{}",
        again.stdout
    );
    assert!(
        again
            .stdout
            .contains("timeline_scaling: the run does not scale"),
        "{}",
        again.stdout
    );
}

#[test]
fn the_same_folder_gives_the_same_bytes() {
    let out = temp("same").join("mixed");
    run_mixed(&out, true);
    let first: Vec<Vec<u8>> = [
        "latency_cdf.png",
        "latency_cdf.svg",
        "timeline.png",
        "timeline.svg",
    ]
    .iter()
    .map(|f| std::fs::read(out.join("plots").join(f)).unwrap())
    .collect();
    assert_eq!(plot(&out).code, Some(0));
    for (f, bytes) in [
        "latency_cdf.png",
        "latency_cdf.svg",
        "timeline.png",
        "timeline.svg",
    ]
    .iter()
    .zip(first)
    {
        assert_eq!(
            std::fs::read(out.join("plots").join(f)).unwrap(),
            bytes,
            "{f}"
        );
    }
}

#[test]
fn gil_lanes_are_drawn_from_thread_states_csv() {
    let out = temp("lanes").join("mixed");
    run_mixed(&out, false);
    let fixture = root().join("tests/fixtures/plots/thread_states.csv");
    std::fs::copy(fixture, out.join("thread_states.csv")).unwrap();
    let run = plot(&out);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let lanes = out.join("plots").join("gil_lanes.png");
    let (w, h) = png_size(&lanes);
    assert_eq!(w, 1200);
    assert!(h >= 500, "{h}");
    let svg = out.join("plots").join("gil_lanes.svg");
    check_svg(&svg, "mixed: what each thread does");
    let text = std::fs::read_to_string(svg).unwrap();
    for lane in [
        "p0 loop",
        "p1 pool-3",
        "event loop blocked",
        "waiting for the GIL",
    ] {
        assert!(text.contains(lane), "no {lane:?}");
    }
}

#[test]
fn a_bad_state_in_thread_states_csv_is_named_with_its_line() {
    let out = temp("bad-state").join("mixed");
    run_mixed(&out, false);
    let rows = "instance,process,thread,state,start_ms,end_ms,function,invocation,task,blocks_loop\n0,0,loop,python,0.1,0.2,,,,0\n0,0,loop,sleeping,0.3,0.4,,,,0\n";
    std::fs::write(out.join("thread_states.csv"), rows).unwrap();
    let run = plot(&out);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("thread_states.csv:3") && run.stderr.contains("sleeping"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_garbled_csv_fails_with_exit_2_naming_file_and_line_and_keeps_the_earlier_plots() {
    let out = temp("garbled").join("mixed");
    run_mixed(&out, true);
    let before = std::fs::read(out.join("plots/latency_cdf.png")).unwrap();
    let path = out.join("invocations.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text = text.replacen(
        "succeeded\n",
        "succeeded\n0,web_api,zero,1,2,3,0,pool-0,succeeded\n",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let run = plot(&out);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("invocations.csv:3") && run.stderr.contains("arrival_ms"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(out.join("plots/latency_cdf.png")).unwrap(),
        before
    );
    let names: Vec<String> = std::fs::read_dir(out.join("plots"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.starts_with('.')),
        "staging left: {names:?}"
    );
}

#[test]
fn a_missing_or_garbled_file_is_named_with_exit_2() {
    let empty = temp("empty");
    let run = plot(&empty);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("summary.json"), "{}", run.stderr);
    let out = temp("bad-json").join("mixed");
    run_mixed(&out, false);
    std::fs::write(out.join("summary.json"), "{\"experiment\": 3").unwrap();
    let run = plot(&out);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("summary.json"), "{}", run.stderr);
    std::fs::remove_file(out.join("timeseries.csv")).unwrap();
    std::fs::write(out.join("timeseries.csv"), "t_ms,in_flight\n1000,2\n").unwrap();
    std::fs::copy(
        root().join("tests/fixtures/plots/summary.json"),
        out.join("summary.json"),
    )
    .unwrap();
    let run = plot(&out);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("timeseries.csv:1") && run.stderr.contains("queued"),
        "{}",
        run.stderr
    );
}

/// A compare folder by hand: compare.json and two variants, each a run folder.
fn compare_folder(dir: &Path) {
    let fixtures = root().join("tests/fixtures/plots");
    std::fs::copy(fixtures.join("compare.json"), dir.join("compare.json")).unwrap();
    for v in ["small", "large"] {
        std::fs::create_dir_all(dir.join(v)).unwrap();
        std::fs::copy(
            fixtures.join("summary.json"),
            dir.join(v).join("summary.json"),
        )
        .unwrap();
    }
}

#[test]
fn a_compare_draws_the_whatif_chart_and_overlaid_percentiles() {
    let dir = temp("compare");
    compare_folder(&dir);
    let run = plot(&dir);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(png_size(&dir.join("plots/whatif.png")), (1200, 700));
    check_svg(
        &dir.join("plots/whatif.svg"),
        "tiny: p99 latency against cost",
    );
    let svg = std::fs::read_to_string(dir.join("plots/whatif.svg")).unwrap();
    assert!(
        svg.contains("chosen: small") && svg.contains("objective: p99 &lt;= 150 ms"),
        "chosen and bound marked"
    );
    check_svg(
        &dir.join("plots/latency_cdf.svg"),
        "tiny: response latency by configuration",
    );
    let svg = std::fs::read_to_string(dir.join("plots/latency_cdf.svg")).unwrap();
    assert!(
        svg.contains("percentiles from its summary.json") && svg.contains("\nlarge\n"),
        "percentiles side by side"
    );
    assert!(dir.join("small/plots/latency_cdf.png").is_file());
}

#[test]
fn a_scaled_run_draws_its_scaling_timeline() {
    let out = temp("scaled").join("queue_burst");
    let exp = root().join("experiments/queue_burst.ron");
    let args = [
        "run",
        exp.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--plots",
    ];
    let run = sim_in(&root(), &args);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        png_size(&out.join("plots/timeline_scaling.png")),
        (1200, 900)
    );
    check_svg(
        &out.join("plots/timeline_scaling.svg"),
        "queue_burst: scaling over time",
    );
    let svg = std::fs::read_to_string(out.join("plots/timeline_scaling.svg")).unwrap();
    for label in [
        "starting",
        "queue length",
        "oldest message age",
        "cold starts so far",
        "scale out",
    ] {
        assert!(svg.contains(label), "no {label:?}");
    }
}

#[test]
fn a_rerun_retires_the_plots_drawn_from_the_files_it_replaces() {
    let out = temp("rerun").join("mixed");
    run_mixed(&out, true);
    assert!(out.join("plots/latency_cdf.png").is_file());
    let run = run_mixed(&out, false);
    assert!(!run.stdout.contains("left alone"), "{}", run.stdout);
    assert!(
        !out.join("plots").exists(),
        "stale plots removed with the files they were drawn from"
    );
    run_mixed(&out, true);
    std::fs::write(out.join("plots/mine.txt"), "mine").unwrap();
    run_mixed(&out, true);
    assert_eq!(
        std::fs::read_to_string(out.join("plots/mine.txt")).unwrap(),
        "mine"
    );
    assert!(out.join("plots/timeline.svg").is_file());
}

#[test]
fn a_sweep_draws_its_whatif_chart_from_ranking_csv() {
    let dir = temp("sweep");
    for f in ["ranking.csv", "sweep_summary.json"] {
        let from = root().join("tests/fixtures/plots/sweep").join(f);
        std::fs::copy(from, dir.join(f)).unwrap();
    }
    let run = plot(&dir);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    check_svg(
        &dir.join("plots/whatif.svg"),
        "tiny_sweep: p99 latency against cost",
    );
    let svg = std::fs::read_to_string(dir.join("plots/whatif.svg")).unwrap();
    assert!(
        svg.contains("chosen: processes=1 plan=EP1"),
        "the first ranked is chosen"
    );
    assert!(
        svg.contains("objective: p99 &lt;= 700 ms"),
        "the bound is drawn"
    );
    assert!(svg.contains("misses the objective") && svg.contains("uncertain"));
    check_svg(&dir.join("plots/latency_cdf.svg"), "processes=2 plan=EP1");
    std::fs::write(dir.join("ranking.csv"), "standing,position\nranked,1\n").unwrap();
    let run = plot(&dir);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("ranking.csv:1") && run.stderr.contains("configuration"),
        "{}",
        run.stderr
    );
}
