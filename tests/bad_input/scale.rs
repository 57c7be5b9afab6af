//! Impossible `scale` blocks: each is refused with the field, its line:column, the value and
//! why; a good block passes `sim check`.

use super::*;

/// An experiment with one valid function `f` and `Scale(<scale>)` on line 7.
fn with_scale(name: &str, scale: &str) -> String {
    let text = experiment(name, "", &[ok_function()]);
    text.replace(
        "    ],\n)\n",
        &format!("    ],\n    scale: Scale({scale}),\n)\n"),
    )
}

/// `sim check` on `Scale(<scale>)`: the problem line about `field` and where `at` stands on
/// line 7.
fn scale_problem(name: &str, scale: &str, field: &str, at: &str) -> (String, String) {
    let fx = Fixture::new(name);
    let text = with_scale(name, scale);
    let file = fx.write(&format!("{name}.ron"), &text);
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, field).to_string();
    (line, loc(&text, 7, at))
}

#[test]
fn a_good_scale_block_passes() {
    let fx = Fixture::new("scale-ok");
    let scale =
        "mode: TargetBased(max_step: 4, combine: Max), min_instances: 1, max_instances: 16, \
        triggers: [Trigger(function: \"f\", kind: EventHubs(partitions: 16))]";
    let file = fx.write("ok.ron", &with_scale("ok", scale));
    let run = check(&fx, &file);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn min_above_max_instances_is_refused() {
    let (line, at) = scale_problem(
        "minmax",
        "min_instances: 5, max_instances: 3",
        "scale.min_instances",
        "min_instances",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 5") && line.contains("at most max_instances (3)"),
        "{line}"
    );
}

#[test]
fn always_ready_above_the_app_scale_limit_is_refused() {
    let (line, _) = scale_problem(
        "ar",
        "always_ready: 4, app_scale_limit: 2",
        "scale.always_ready",
        "always_ready",
    );
    assert!(
        line.contains("= 4") && line.contains("at most app_scale_limit (2)"),
        "{line}"
    );
}

#[test]
fn a_target_of_zero_is_refused() {
    let (line, at) = scale_problem(
        "target0",
        "triggers: [Trigger(function: \"f\", kind: StorageQueue, target_per_instance: 0)]",
        "scale.triggers[0].target_per_instance",
        "target_per_instance",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 0") && line.contains("1..=1000000") && line.contains("infinitely many"),
        "{line}"
    );
    let (line, _) = scale_problem(
        "target0b",
        "targets: Targets(storage_queue: 0)",
        "scale.targets.storage_queue",
        "storage_queue",
    );
    assert!(line.contains("1..=1000000"), "{line}");
}

#[test]
fn a_rate_of_zero_is_refused() {
    let (line, at) = scale_problem(
        "rate0",
        "other_rate_s: 0",
        "scale.other_rate_s",
        "other_rate_s",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 0") && line.contains("0 < seconds <= 3600"),
        "{line}"
    );
}

#[test]
fn more_instances_than_partitions_is_refused_only_when_asked_for() {
    let hub = "triggers: [Trigger(function: \"f\", kind: EventHubs(partitions: 8))]";
    let (line, at) = scale_problem(
        "hub",
        &format!("max_instances: 20, {hub}"),
        "scale.max_instances",
        "max_instances",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 20") && line.contains("at most 8, the event hub's partitions"),
        "{line}"
    );
    // The default max_instances (100) is no request: the controller stops at 8 by itself.
    let fx = Fixture::new("hub-default");
    let run = check(&fx, &fx.write("hub.ron", &with_scale("hub", hub)));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn more_instances_than_partitions_is_refused_for_a_function_s_own_event_hubs_trigger() {
    // experiments/event_hubs_stream.ron: its one function reads an event hub of 8 partitions
    // through `trigger: EventHubs(...)`, with no `scale.triggers` list.
    let fx = Fixture::new("hub-own-trigger");
    let file = common::root().join("experiments/event_hubs_stream.ron");
    let file = file.to_str().unwrap();
    let run = sim(&fx.dir, &["check", file, "--set", "scale.max_instances=20"]);
    let err = input_error(&run);
    assert!(
        err.contains("`scale.max_instances` = 20")
            && err.contains("at most 8, the event hub's partitions"),
        "{err}"
    );
}

#[test]
fn a_trigger_for_a_missing_function_is_refused() {
    let (line, _) = scale_problem(
        "nofn",
        "triggers: [Trigger(function: \"g\", kind: ServiceBus)]",
        "scale.triggers[0].function",
        "function",
    );
    assert!(
        line.contains("\"g\" is not a function of this experiment") && line.contains("[\"f\"]"),
        "{line}"
    );
}

#[test]
fn thresholds_without_an_out_rule_are_refused() {
    let (line, _) = scale_problem("thr", "mode: Thresholds(quiet_s: 60)", "scale.mode", "mode");
    assert!(
        line.contains("has no rule to scale out by")
            && line.contains("length_per_instance or oldest_age_s"),
        "{line}"
    );
}

#[test]
fn every_scale_problem_is_reported_at_once() {
    let fx = Fixture::new("scale-all");
    let scale = "max_step_typo: 1";
    let file = fx.write("typo.ron", &with_scale("typo", scale));
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains("max_step_typo"), "{err}");
    let scale = "min_instances: 2000, http_rate_s: 0, mode: TargetBased(max_step: 0)";
    let file = fx.write("all.ron", &with_scale("all", scale));
    let run = check(&fx, &file);
    let err = input_error(&run);
    for field in [
        "scale.min_instances",
        "scale.http_rate_s",
        "scale.mode.max_step",
    ] {
        problem_line(err, &file, field);
    }
}

#[test]
fn a_prewarmed_buffer_with_no_room_under_the_maximum_is_refused() {
    let (line, at) = scale_problem(
        "prewarm",
        "always_ready: 1, max_instances: 2, prewarmed: 2",
        "scale.prewarmed",
        "prewarmed",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 2")
            && line.contains("at most max_instances (2) - the instances always kept (1) = 1")
            && line.contains("lower prewarmed or raise max_instances"),
        "{line}"
    );
}

#[test]
fn a_negative_drain_grace_is_refused_with_its_range() {
    let (line, at) = scale_problem(
        "grace",
        "drain_grace_s: -1",
        "scale.drain_grace_s",
        "drain_grace_s",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= -1") && line.contains("Consumption 600"),
        "{line}"
    );
}
