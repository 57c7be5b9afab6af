//! The scale controller on numbers you can check on paper. Each test builds its settings
//! through the checked config path (an experiment with a `scale` block), feeds hand-made
//! snapshots every 10 s and plays the fleet as the World would: added instances start, and
//! drained ones leave.

mod common;
use sim::config::parse_experiment;
use sim::kernel::SimTime;
use sim::model::scale::{wants_next_decision, Decision, Fleet, Limit, ScaleController, Snapshot};
use std::path::Path;

const S: u64 = 1_000_000_000;

/// A controller for functions `names` (1 ms sync bodies) and the inside of `Scale(..)`.
fn controller(names: &[&str], scale: &str) -> ScaleController {
    let functions: Vec<String> = names
        .iter()
        .map(|n| format!("FunctionUse(function: Inline(Function(name: \"{n}\", kind: Sync, body: [Cpu(Constant(1.0))])), workload: Burst(n: 1)),"))
        .collect();
    let text = format!(
        "Experiment(name: \"scale\", host: Host(), functions: [{}], scale: Scale({scale}))",
        functions.join("\n")
    );
    let exp =
        parse_experiment(&text, Path::new("scale.ron"), &[]).unwrap_or_else(|e| panic!("{e}"));
    ScaleController::new(exp.scale.expect("a scale block"))
}

/// The controller's snapshot at `t_s` with `fleet`; each function `(name, queued, oldest_s,
/// in_flight)`.
fn snapshot(
    c: &ScaleController,
    t_s: u64,
    fleet: Fleet,
    loads: &[(&str, u64, u64, u64)],
) -> Snapshot {
    let functions = loads
        .iter()
        .map(|&(name, queued, oldest_s, in_flight)| {
            let mut f = c.load_of(name);
            f.queue_length = queued;
            f.oldest_age_ns = oldest_s * S;
            f.in_flight = in_flight;
            f
        })
        .collect();
    Snapshot {
        now: SimTime(t_s * S),
        functions,
        fleet,
    }
}

/// `n` ready instances.
fn ready(n: u32) -> Fleet {
    Fleet {
        ready: n,
        ..Fleet::default()
    }
}

/// Runs decisions every 10 s from t = 0 for `decisions` rounds with a constant load of one
/// function `f`, applying each to the fleet (new instances ready at once); returns them.
fn run_constant(c: &mut ScaleController, start: u32, decisions: u64, queued: u64) -> Vec<Decision> {
    let mut fleet = ready(start);
    (0..decisions)
        .map(|i| {
            let d = c.decide(&snapshot(c, i * 10, fleet, &[("f", queued, 0, 0)]));
            fleet.ready = fleet.ready + d.add - d.drain;
            d
        })
        .collect()
}

fn adds(ds: &[Decision]) -> Vec<u32> {
    ds.iter().map(|d| d.add).collect()
}

#[test]
fn a_1000_message_backlog_with_target_16_asks_for_63_and_gets_4_per_30_s() {
    let mut c = controller(
        &["f"],
        "triggers: [Trigger(function: \"f\", kind: StorageQueue)]",
    );
    let ds = run_constant(&mut c, 0, 7, 1000);
    assert!(ds.iter().all(|d| d.wanted == 63), "{:?}", ds[1]);
    // One scale-out of up to +4 per 30 s (the default reading of the UNVERIFIED rate).
    assert_eq!(adds(&ds), [4, 0, 0, 4, 0, 0, 4]);
    let first = ds[0].to_string();
    assert!(
        first.contains("t = 0.0 s: 0 -> 4 instances (+4)"),
        "{first}"
    );
    assert!(
        first.contains("f 1000 queued / 16 per instance = 63"),
        "{first}"
    );
    assert!(first.contains("at most +4 per decision"), "{first}");
    let second = ds[1].reason();
    assert!(
        second.contains("rate of one per 30 s allows +0 now (next at 30.0 s)"),
        "{second}"
    );
}

#[test]
fn counting_instances_the_rate_gives_one_new_instance_every_30_s() {
    let mut c = controller(
        &["f"],
        "rate_counts: Instances, triggers: [Trigger(function: \"f\", kind: StorageQueue)]",
    );
    let ds = run_constant(&mut c, 0, 7, 1000);
    assert_eq!(adds(&ds), [1, 0, 0, 1, 0, 0, 1]);
}

#[test]
fn without_a_binding_rate_the_step_of_4_reaches_63_in_16_decisions() {
    let mut c = controller(
        &["f"],
        "other_rate_s: 10, triggers: [Trigger(function: \"f\", kind: StorageQueue)]",
    );
    let ds = run_constant(&mut c, 0, 17, 1000);
    // 15 decisions of +4 make 60; the 16th adds the last 3; then 63 is held.
    assert_eq!(ds.iter().map(|d| d.add).sum::<u32>(), 63);
    assert_eq!(ds[15].add, 3);
    assert_eq!(ds[16].add, 0);
    assert!(ds[..15].iter().all(|d| d.add == 4));
}

#[test]
fn http_functions_get_the_1_s_rate() {
    // 10 concurrent requests, 1 per instance: the HTTP rate lets +4 through every decision.
    let mut c = controller(&["f"], "mode: Http()");
    let mut fleet = ready(0);
    let mut added = Vec::new();
    for i in 0..3 {
        let d = c.decide(&snapshot(&c, i * 10, fleet, &[("f", 6, 0, 4)]));
        fleet.ready += d.add;
        added.push(d.add);
    }
    assert_eq!(added, [4, 4, 2]);
}

#[test]
fn scale_in_waits_180_s_after_a_scale_out() {
    let mut c = controller(
        &["f"],
        "idle_to_zero_s: 0, other_rate_s: 10, triggers: [Trigger(function: \"f\", kind: StorageQueue)]",
    );
    let d = c.decide(&snapshot(&c, 0, ready(0), &[("f", 64, 1, 0)]));
    assert_eq!(d.add, 4);
    // Empty from t = 10 s: held until 180 s, then straight to zero (idle_to_zero_s: 0).
    for t in (10..180).step_by(10) {
        let d = c.decide(&snapshot(&c, t, ready(4), &[("f", 0, 0, 0)]));
        assert_eq!((d.desired, d.drain), (4, 0), "t = {t}");
        assert_eq!(
            d.limits,
            [Limit::Hold {
                until: SimTime(180 * S)
            }]
        );
    }
    let d = c.decide(&snapshot(&c, 180, ready(4), &[("f", 0, 0, 0)]));
    assert_eq!((d.desired, d.drain), (0, 4), "{d}");
}

#[test]
fn the_last_instance_goes_only_after_the_idle_time() {
    let mut c = controller(
        &["f"],
        "idle_to_zero_s: 60, mode: TargetBased(scale_in_hold_s: 0)",
    );
    // Work running at t = 0 keeps one instance; idle from t = 10 s; zero at t = 70 s.
    let d = c.decide(&snapshot(&c, 0, ready(1), &[("f", 0, 0, 1)]));
    assert_eq!(d.desired, 1);
    let mut zero_at = None;
    for t in (10..=100).step_by(10) {
        let d = c.decide(&snapshot(&c, t, ready(1), &[("f", 0, 0, 0)]));
        if d.desired == 0 {
            zero_at = Some(t);
            break;
        }
        assert!(d.reason().contains("before scaling to zero"), "{d}");
    }
    assert_eq!(zero_at, Some(70));
}

#[test]
fn thresholds_scale_in_one_at_a_time_after_the_quiet_time() {
    let mut c = controller(
        &["f"],
        "mode: Thresholds(length_per_instance: 100, quiet_s: 60), triggers: [Trigger(function: \"f\", kind: StorageQueue)], other_rate_s: 10",
    );
    // 500 queued on 3 instances is 166 each: out by one.
    let d = c.decide(&snapshot(&c, 0, ready(3), &[("f", 500, 0, 0)]));
    assert_eq!(d.add, 1);
    let mut fleet = ready(4);
    let mut drained_at = Vec::new();
    for t in (10..=130).step_by(10) {
        let d = c.decide(&snapshot(&c, t, fleet, &[("f", 0, 0, 0)]));
        if d.drain > 0 {
            drained_at.push(t);
            fleet.ready -= d.drain;
        }
    }
    assert_eq!(drained_at, [60, 120]);
    assert_eq!(fleet.ready, 2);
}

#[test]
fn thresholds_scale_out_on_the_oldest_message_age() {
    let mut c = controller(
        &["f"],
        "mode: Thresholds(oldest_age_s: 30, quiet_s: 60), triggers: [Trigger(function: \"f\", kind: StorageQueue)]",
    );
    let young = c.decide(&snapshot(&c, 0, ready(1), &[("f", 5, 30, 0)]));
    assert_eq!(young.add, 0);
    let old = c.decide(&snapshot(&c, 10, ready(1), &[("f", 5, 31, 0)]));
    assert_eq!(old.add, 1);
}

#[test]
fn max_instances_and_the_app_scale_limit_cap_the_count() {
    let loose = "other_rate_s: 10, mode: TargetBased(max_step: 1000), triggers: [Trigger(function: \"f\", kind: StorageQueue)]";
    let mut c = controller(&["f"], &format!("max_instances: 10, {loose}"));
    let d = c.decide(&snapshot(&c, 0, ready(0), &[("f", 1000, 0, 0)]));
    assert_eq!((d.wanted, d.desired), (63, 10));
    assert_eq!(
        d.limits,
        [Limit::Ceiling {
            setting: "max_instances",
            value: 10
        }]
    );
    let mut c = controller(
        &["f"],
        &format!("max_instances: 10, app_scale_limit: 5, {loose}"),
    );
    let d = c.decide(&snapshot(&c, 0, ready(0), &[("f", 1000, 0, 0)]));
    assert_eq!(d.desired, 5);
    assert!(d.reason().contains("capped at app_scale_limit = 5"), "{d}");
}

#[test]
fn min_instances_and_always_ready_are_never_drained() {
    let mut c = controller(
        &["f"],
        "min_instances: 2, mode: TargetBased(scale_in_hold_s: 0)",
    );
    assert_eq!(c.initial_instances(), 2);
    let d = c.decide(&snapshot(&c, 0, ready(5), &[("f", 0, 0, 0)]));
    assert_eq!((d.desired, d.drain), (2, 3));
    assert!(d.reason().contains("kept min_instances = 2"), "{d}");
    let mut c = controller(&["f"], "min_instances: 2, always_ready: 3");
    assert_eq!(c.initial_instances(), 3);
    let d = c.decide(&snapshot(&c, 0, ready(3), &[("f", 0, 0, 0)]));
    assert_eq!(d.drain, 0);
}

#[test]
fn event_hubs_round_up_to_valid_worker_counts_and_stop_at_the_partitions() {
    let hub = "other_rate_s: 10, mode: TargetBased(max_step: 1000), triggers: [Trigger(function: \"f\", kind: EventHubs(partitions: 16))]";
    for (events, want) in [
        (100, 1),
        (300, 3),
        (500, 6),
        (700, 8),
        (900, 16),
        (5000, 16),
    ] {
        let mut c = controller(&["f"], hub);
        let d = c.decide(&snapshot(&c, 0, ready(0), &[("f", events, 0, 0)]));
        assert_eq!(d.desired, want, "{events} events: {d}");
    }
}

#[test]
fn sum_adds_each_functions_increase_and_max_takes_the_largest() {
    let two = "triggers: [Trigger(function: \"a\", kind: StorageQueue), Trigger(function: \"b\", kind: StorageQueue)], other_rate_s: 10";
    // 2 instances; a wants ceil(96/16) = 6 (+4), b wants ceil(80/16) = 5 (+3).
    let load = [("a", 96, 0, 0), ("b", 80, 0, 0)];
    let mut sum = controller(
        &["a", "b"],
        &format!("mode: TargetBased(max_step: 100), {two}"),
    );
    assert_eq!(sum.decide(&snapshot(&sum, 0, ready(2), &load)).desired, 9);
    let mut max = controller(
        &["a", "b"],
        &format!("mode: TargetBased(max_step: 100, combine: Max), {two}"),
    );
    assert_eq!(max.decide(&snapshot(&max, 0, ready(2), &load)).desired, 6);
    // Only scale-in on 10 instances: a wants 4, b wants 2: sum takes the largest scale-in.
    let load = [("a", 64, 0, 0), ("b", 32, 0, 0)];
    let mut sum = controller(
        &["a", "b"],
        &format!("mode: TargetBased(scale_in_hold_s: 0), {two}"),
    );
    assert_eq!(sum.decide(&snapshot(&sum, 0, ready(10), &load)).desired, 2);
    let mut max = controller(
        &["a", "b"],
        &format!("mode: TargetBased(scale_in_hold_s: 0, combine: Max), {two}"),
    );
    assert_eq!(max.decide(&snapshot(&max, 0, ready(10), &load)).desired, 4);
}

#[test]
fn incremental_adds_one_once_five_samples_show_a_rising_queue() {
    let mut c = controller(
        &["f"],
        "mode: Incremental(), triggers: [Trigger(function: \"f\", kind: StorageQueue)], other_rate_s: 10",
    );
    let lengths = [10, 20, 40, 80, 100, 150];
    let adds: Vec<u32> = lengths
        .iter()
        .zip(0..)
        .map(|(&n, i)| {
            c.decide(&snapshot(&c, i * 10, ready(1), &[("f", n, 1, 0)]))
                .add
        })
        .collect();
    // Samples 1-4: too few; sample 5: rising in every sample -> +1; sample 6 again.
    assert_eq!(adds, [0, 0, 0, 0, 1, 1]);
}

#[test]
fn incremental_scales_in_only_when_every_function_agrees() {
    let two = "mode: Incremental(), triggers: [Trigger(function: \"a\", kind: StorageQueue), Trigger(function: \"b\", kind: StorageQueue)]";
    let mut c = controller(&["a", "b"], two);
    let mut last = None;
    for i in 0..5 {
        // a is empty throughout (in), b steady at 50 (none): no scale-in.
        last = Some(c.decide(&snapshot(
            &c,
            i * 10,
            ready(3),
            &[("a", 0, 0, 0), ("b", 50, 1, 0)],
        )));
    }
    assert_eq!(last.take().unwrap().drain, 0);
    let mut c = controller(&["a", "b"], two);
    for i in 0..5 {
        last = Some(c.decide(&snapshot(
            &c,
            i * 10,
            ready(3),
            &[("a", 0, 0, 0), ("b", 50 - i * 10, 1, 1)],
        )));
    }
    assert_eq!(last.unwrap().drain, 1);
}

#[test]
fn decisions_stop_when_no_arrival_remains_and_nothing_runs() {
    let c = controller(&["f"], "");
    let idle = snapshot(&c, 0, ready(2), &[("f", 0, 0, 0)]);
    assert!(!wants_next_decision(false, &idle));
    assert!(wants_next_decision(true, &idle));
    let running = snapshot(&c, 0, ready(2), &[("f", 0, 0, 1)]);
    assert!(wants_next_decision(false, &running));
}

#[test]
fn the_first_instance_comes_for_waiting_work_whatever_the_mode_says() {
    // Incremental needs five samples, but work waiting on no instance gets one at once.
    let mut c = controller(&["f"], "mode: Incremental()");
    let d = c.decide(&snapshot(&c, 0, ready(0), &[("f", 3, 0, 0)]));
    assert_eq!(d.add, 1);
    assert!(
        d.reason().contains("work waits and no instance exists"),
        "{d}"
    );
}

#[test]
fn the_resolved_scale_settings_are_written_to_the_manifest() {
    let dir = common::temp_dir("scale-manifest");
    let file = dir.join("exp.ron");
    let text = "Experiment(name: \"m\", host: Host(), functions: [FunctionUse(
        function: Inline(Function(name: \"f\", kind: Sync, body: [Cpu(Constant(1.0))])),
        workload: Burst(n: 2))], scale: Scale(max_instances: 7))";
    std::fs::write(&file, text).unwrap();
    let run = common::sim_in(
        &dir,
        &["run", file.to_str().unwrap(), "--out", "out", "--quiet"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let manifest = std::fs::read_to_string(dir.join("out/manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let scale = &json["resolved_scale"];
    assert_eq!(scale["max_instances"], 7);
    assert_eq!(scale["other_rate_ns"], 30_000_000_000u64);
    assert_eq!(scale["mode"]["TargetBased"]["max_step"], 4);
    // Without a block, nothing about scaling appears (manifests stay as they were).
    let plain = text.replace(", scale: Scale(max_instances: 7)", "");
    std::fs::write(&file, plain).unwrap();
    let run = common::sim_in(
        &dir,
        &["run", file.to_str().unwrap(), "--out", "out2", "--quiet"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let manifest = std::fs::read_to_string(dir.join("out2/manifest.json")).unwrap();
    assert!(
        !manifest.contains("resolved_scale") && !manifest.contains("\"scale\""),
        "{manifest}"
    );
}

#[test]
fn the_scale_block_in_the_config_docs_is_valid_and_shows_the_defaults() {
    let docs = std::fs::read_to_string(common::root().join("src/config/scale/mod.rs")).unwrap();
    let start = docs.find("//! ```ron\n").expect("a RON snippet") + "//! ```ron\n".len();
    let end = start + docs[start..].find("//! ```").unwrap();
    let block: String = docs[start..end]
        .lines()
        .map(|l| l.trim_start_matches("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let function = |n: &str| {
        format!("FunctionUse(function: Inline(Function(name: \"{n}\", kind: Sync, body: [Cpu(Constant(1.0))])), workload: Burst(n: 1)),")
    };
    let text = format!(
        "Experiment(name: \"doc\", host: Host(), functions: [{}{}], {block})",
        function("orders"),
        function("clicks")
    );
    let exp = parse_experiment(&text, Path::new("doc.ron"), &[]).unwrap_or_else(|e| panic!("{e}"));
    let written = exp.scale.unwrap();
    // The snippet writes the defaults (and two triggers): the same as a bare block.
    let bare = format!(
        "Experiment(name: \"doc\", host: Host(), functions: [{}{}], scale: Scale(triggers: {}))",
        function("orders"),
        function("clicks"),
        "[Trigger(function: \"orders\", kind: StorageQueue), Trigger(function: \"clicks\", kind: EventHubs(partitions: 16), target_per_instance: 50)]"
    );
    let defaults = parse_experiment(&bare, Path::new("doc.ron"), &[])
        .unwrap()
        .scale
        .unwrap();
    assert_eq!(written, defaults);
}
