//! HTTP-triggered functions in a scaled run: 429s exactly at maxOutstandingRequests, one
//! request at a time per instance at per-instance concurrency 1, requests waiting for the cold
//! start of an app scaled to zero, the 230 s response cap, and conservation on
//! experiments/http_spike.ron. Numbers checkable on paper (constant bodies and cold-start
//! phases).

mod common;
use common::*;
use sim::metrics::{InvocationRecord, Outcome};
use sim::runner::run_experiment;

const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;

const FIXED_PHASES: &str =
    "cold_start: ColdStart(allocate_ms: Constant(1000), host_start_ms: Constant(500), worker_start_ms: Constant(200))";

/// An HTTP function `body` on 1-core instances of one process with 16 threads, `workload`
/// arrivals, the trigger `http` and `scale` as the Scale block.
fn http_app(body: &str, workload: &str, http: &str, scale: &str) -> String {
    format!(
        r#"Experiment(name: "h", host: Host(cores: 1.0, processes: 1, threads: 16),
        functions: [FunctionUse(function: Inline(Function(name: "api", kind: Sync,
            body: [{body}])), workload: {workload}, trigger: {http})],
        scale: {scale})"#
    )
}

/// Rows with `outcome`.
fn with_outcome(rows: &[InvocationRecord], outcome: Outcome) -> Vec<&InvocationRecord> {
    rows.iter().filter(|r| r.outcome == outcome).collect()
}

#[test]
fn rejections_start_exactly_at_max_outstanding_requests() {
    // One instance holding at most 10 requests; 15 arrive at once: the first 10 are held, the
    // last 5 get a 429 at once.
    let text = http_app(
        "BlockingIo(Constant(100.0))",
        "Burst(n: 15)",
        "Http(max_outstanding_requests: 10)",
        "Scale(min_instances: 1, max_instances: 1)",
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded, c.rejected), (15, 10, 5), "{c:?}");
    let rejected = with_outcome(&out.rows, Outcome::Rejected);
    let ids: Vec<u64> = rejected.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![10, 11, 12, 13, 14]);
    for r in rejected {
        assert_eq!(r.response, Some(r.arrival), "a 429 is immediate");
        assert_eq!((r.start, r.process), (None, None), "it never ran");
    }
}

#[test]
fn two_http_functions_share_one_instances_limits() {
    // host.json's limits are per host instance: "a" and "b" each send 3 requests at once to one
    // instance holding at most 4 requests (2 executing). Per function each would fit; together
    // the first 4 in arrival order (a0 b0 a1 b1: the two bursts interleave) are held and the
    // last two, a2 and b2, get a 429.
    let http = "Http(max_concurrent_requests: 2, max_outstanding_requests: 4)";
    let function = |name: &str| {
        format!(
            r#"FunctionUse(function: Inline(Function(name: "{name}", kind: Sync,
            body: [BlockingIo(Constant(100.0))])), workload: Burst(n: 3), trigger: {http})"#
        )
    };
    let text = format!(
        r#"Experiment(name: "h2", host: Host(cores: 1.0, processes: 1, threads: 16),
        functions: [{}, {}], scale: Scale(min_instances: 1, max_instances: 1))"#,
        function("a"),
        function("b")
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded, c.rejected), (6, 4, 2), "{c:?}");
    let refused: Vec<u16> = with_outcome(&out.rows, Outcome::Rejected)
        .iter()
        .map(|r| r.function)
        .collect();
    assert_eq!(refused, vec![0, 1], "the third of each function is refused");
    let mut starts: Vec<u64> = out.rows.iter().filter_map(|r| r.start).collect();
    starts.sort();
    let waves: Vec<u64> = starts.iter().map(|s| s / (100 * MS)).collect();
    assert_eq!(
        waves,
        vec![0, 0, 1, 1],
        "two at a time across both: {starts:?}"
    );
}

#[test]
fn http_functions_with_different_limits_are_refused() {
    let text = r#"Experiment(name: "h3", host: Host(cores: 1.0, processes: 1),
        functions: [
            FunctionUse(function: Inline(Function(name: "a", kind: Sync, body: [Cpu(Constant(1.0))])),
                workload: Burst(n: 1), trigger: Http(max_outstanding_requests: 4)),
            FunctionUse(function: Inline(Function(name: "b", kind: Sync, body: [Cpu(Constant(1.0))])),
                workload: Burst(n: 1), trigger: Http(max_outstanding_requests: 8)),
        ], scale: Scale())"#;
    let err = sim::config::parse_experiment(text, &root().join("experiments/inline.ron"), &[])
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("functions[1].trigger")
            && err.contains("functions[0].trigger")
            && err.contains("per host instance"),
        "{err}"
    );
}

#[test]
fn held_requests_wait_on_the_instance_and_only_the_excess_is_refused() {
    // 4 executing at once, 10 held: of 15, 4 start at once, 6 wait on the instance (starting
    // as slots free up, 100 ms apart per wave), 5 are refused.
    let text = http_app(
        "BlockingIo(Constant(100.0))",
        "Burst(n: 15)",
        "Http(max_concurrent_requests: 4, max_outstanding_requests: 10)",
        "Scale(min_instances: 1, max_instances: 1)",
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.succeeded, c.rejected), (10, 5), "{c:?}");
    let mut starts: Vec<u64> = out.rows.iter().filter_map(|r| r.start).collect();
    starts.sort();
    let waves: Vec<u64> = starts.iter().map(|s| s / (100 * MS)).collect();
    assert_eq!(waves, vec![0, 0, 0, 0, 1, 1, 1, 1, 2, 2], "{starts:?}");
}

#[test]
fn concurrency_one_admits_one_request_per_instance_at_a_time() {
    // Two instances at per-instance concurrency 1, six 100 ms requests at once: round robin
    // gives each instance three, run one after another.
    let text = http_app(
        "BlockingIo(Constant(100.0))",
        "Burst(n: 6)",
        "Http(per_instance_concurrency: 1)",
        "Scale(min_instances: 2, max_instances: 2)",
    );
    let out = run_text(&text, &[]);
    assert_eq!(out.summary.invocations.succeeded, 6);
    for p in [0u16, 1] {
        let mut mine: Vec<(u64, u64)> = out
            .rows
            .iter()
            .filter(|r| r.process == Some(p))
            .map(|r| (r.start.unwrap(), r.end.unwrap()))
            .collect();
        mine.sort();
        assert_eq!(mine.len(), 3, "process {p}: {mine:?}");
        for w in mine.windows(2) {
            assert!(w[1].0 >= w[0].1, "process {p} ran two at once: {mine:?}");
        }
        assert!(
            mine[2].0 >= 200 * MS,
            "the third waited for two bodies: {mine:?}"
        );
    }
}

#[test]
fn requests_to_an_app_scaled_to_zero_wait_for_its_first_instance() {
    // Three requests at 5 s to an app with no instance: the first asks for one (activation);
    // it is up 1 + 0.5 + 0.2 = 1.7 s later, and all three start then.
    let scale = format!("Scale({FIXED_PHASES})");
    let text = http_app(
        "Cpu(Constant(1.0))",
        "Burst(n: 3, at_ms: 5000)",
        "Http()",
        &scale,
    );
    let out = run_text(&text, &[]);
    let sc = out.summary.scaling.as_ref().unwrap();
    assert_eq!(sc.cold_starts, 1, "{:#?}", sc.decisions);
    assert_eq!(sc.decisions[0].t_s, 5.0);
    assert_eq!(out.summary.invocations.succeeded, 3);
    for r in &out.rows {
        let start = r.start.unwrap();
        assert!(
            start >= 6_700 * MS,
            "started at {start}, before the instance was up"
        );
        assert!(
            start < 6_710 * MS,
            "started at {start}, long after the instance was up"
        );
    }
}

#[test]
fn a_response_later_than_230_s_is_a_timeout_at_the_cap() {
    // A body of 240 s at concurrency 1: the first request runs to its end but its client gave
    // up at 230 s; the second waited on the instance and its cap passed before it could start.
    let text = http_app(
        "BlockingIo(Constant(240000.0))",
        "Burst(n: 2)",
        "Http(per_instance_concurrency: 1)",
        "Scale(min_instances: 1, max_instances: 1)",
    );
    let out = run_text(&text, &[]);
    let c = &out.summary.invocations;
    assert_eq!((c.arrived, c.succeeded, c.timed_out), (2, 0, 2), "{c:?}");
    let ran = out.rows.iter().find(|r| r.id == 0).unwrap();
    assert_eq!(ran.outcome, Outcome::TimedOut);
    assert_eq!(ran.response, Some(230 * S), "the client gave up at the cap");
    assert!(ran.end.unwrap() >= 240 * S, "the body kept running");
    let waited = out.rows.iter().find(|r| r.id == 1).unwrap();
    assert_eq!(waited.outcome, Outcome::TimedOut);
    assert_eq!((waited.start, waited.response), (None, Some(230 * S)));
}

#[test]
fn a_response_within_the_cap_succeeds() {
    let text = http_app(
        "BlockingIo(Constant(220000.0))",
        "Burst(n: 1)",
        "Http()",
        "Scale(min_instances: 1, max_instances: 1)",
    );
    let out = run_text(&text, &[]);
    assert_eq!(out.summary.invocations.succeeded, 1);
    assert_eq!(out.summary.invocations.timed_out, 0);
}

#[test]
fn the_http_spike_conserves_every_request_and_writes_its_429s() {
    let out = run("http_spike", &[]);
    let c = &out.summary.invocations;
    assert_eq!(
        c.arrived,
        c.succeeded + c.rejected + c.timed_out + c.pending
    );
    assert_eq!(out.rows.len() as u64, c.arrived);
    assert_eq!(c.pending, 0);
    assert!(c.rejected > 0, "the spike meets the limit: {c:?}");
    let count = |o| with_outcome(&out.rows, o).len() as u64;
    assert_eq!(count(Outcome::Rejected), c.rejected);
    assert_eq!(count(Outcome::Succeeded), c.succeeded);
    let sc = out.summary.scaling.as_ref().unwrap();
    assert!(sc.max_ready_instances > 4, "{}", sc.max_ready_instances);
    assert!(sc.decisions.iter().any(|d| d.reason.contains("concurrent")));

    let dir = temp_dir("http-spike");
    let run = sim_in(
        &root(),
        &[
            "run",
            "experiments/http_spike.ron",
            "--out",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("rejected (429)"), "{}", run.stdout);
    let csv = String::from_utf8(bytes(&dir.join("invocations.csv"))).unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",outcome,instance,cold"));
    let fields: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let written = fields.iter().filter(|f| f[8] == "rejected").count() as u64;
    assert_eq!(written, c.rejected);
    // A 429 never reached an instance; every answered request names the one it ran on.
    for f in &fields {
        if f[8] == "rejected" {
            assert!(f[9].is_empty(), "{f:?}");
        }
        if f[8] == "succeeded" {
            assert!(!f[9].is_empty(), "{f:?}");
        }
    }
    let series = String::from_utf8(bytes(&dir.join("timeseries.csv"))).unwrap();
    assert!(series.lines().next().unwrap().ends_with(",rejected_429"));
    let per_interval: u64 = series
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(per_interval, c.rejected, "the intervals' 429s add up");
    assert_eq!(sc.rejected_429, c.rejected);
}

#[test]
fn an_http_trigger_without_a_scale_block_is_refused_before_time_starts() {
    let text = r#"Experiment(name: "h", host: Host(cores: 1.0, processes: 1, threads: 1),
        functions: [FunctionUse(function: Inline(Function(name: "h", kind: Sync,
            body: [Cpu(Constant(1.0))])), workload: Burst(n: 1), trigger: Http())])"#;
    let exp = sim::config::parse_experiment(text, &root().join("experiments/h.ron"), &[]).unwrap();
    let err = run_experiment(&exp).expect_err("refused").to_string();
    assert!(
        err.contains("functions[0].trigger = Http")
            && err.contains("scale: Scale(min_instances: 1, max_instances: 1)"),
        "{err}"
    );
}
