//! Impossible trigger settings: each names the field under `functions[i].trigger`, its
//! line:column, the value and why it cannot be.

use super::*;

/// A valid function of 1 ms with `trigger` (the inside of the `trigger:` field), on line 5.
fn triggered(trigger: &str) -> String {
    format!("FunctionUse(function: Inline(Function(name: \"f\", kind: Sync, body: [Cpu(Constant(1.0))])), workload: Burst(n: 5), trigger: {trigger}),")
}

/// Checks a file whose one function has `trigger` on a host with `host`; returns the error
/// line about `functions[0].trigger.<field>` and where `needle` stands on line 5.
fn trigger_problem(
    name: &str,
    host: &str,
    trigger: &str,
    field: &str,
    needle: &str,
) -> (String, String) {
    let fx = Fixture::new(name);
    let text = experiment(name, host, &[triggered(trigger)]);
    let file = fx.write(&format!("{name}.ron"), &text);
    let run = check(&fx, &file);
    let path = format!("functions[0].trigger.{field}");
    let line = problem_line(input_error(&run), &file, &path).to_string();
    (line, loc(&text, 5, needle))
}

#[test]
fn a_batch_size_above_32_cites_azures_limit() {
    let (line, at) = trigger_problem(
        "b33",
        "",
        "StorageQueue(batch_size: 33)",
        "batch_size",
        "batch_size",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 33") && line.contains("1..=32") && line.contains("32 messages"),
        "{line}"
    );
}

#[test]
fn a_batch_size_of_0_is_refused() {
    let (line, _) = trigger_problem(
        "b0",
        "",
        "StorageQueue(batch_size: 0)",
        "batch_size",
        "batch_size",
    );
    assert!(line.contains("= 0") && line.contains("1..=32"), "{line}");
}

#[test]
fn a_threshold_above_batch_size_times_processors_is_refused() {
    let (line, at) = trigger_problem(
        "t",
        "cores: 2.0",
        "StorageQueue(batch_size: 8, new_batch_threshold: 17)",
        "new_batch_threshold",
        "new_batch_threshold",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 17") && line.contains("0..=16"),
        "8 x 2 cores: {line}"
    );
}

#[test]
fn a_max_dequeue_count_of_0_is_refused() {
    let (line, _) = trigger_problem(
        "d0",
        "",
        "StorageQueue(max_dequeue_count: 0)",
        "max_dequeue_count",
        "max_dequeue_count",
    );
    assert!(
        line.contains("= 0") && line.contains("at least once"),
        "{line}"
    );
}

#[test]
fn a_polling_maximum_below_its_minimum_is_refused() {
    let (line, _) = trigger_problem(
        "poll",
        "",
        "StorageQueue(min_polling_interval_ms: 500, max_polling_interval_ms: 200)",
        "max_polling_interval_ms",
        "max_polling_interval_ms",
    );
    assert!(
        line.contains("= 200") && line.contains("at least min_polling_interval_ms (500)"),
        "{line}"
    );
}

#[test]
fn zero_partitions_are_refused() {
    let (line, at) = trigger_problem(
        "p0",
        "",
        "EventHubs(partitions: 0)",
        "partitions",
        "partitions",
    );
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 0") && line.contains("at least one partition"),
        "{line}"
    );
}

#[test]
fn a_service_bus_lock_outside_5_s_to_5_min_is_refused() {
    let (line, _) = trigger_problem(
        "lock",
        "",
        "ServiceBus(lock_duration_s: 600)",
        "lock_duration_s",
        "lock_duration_s",
    );
    assert!(
        line.contains("= 600") && line.contains("5 s to 5 min"),
        "{line}"
    );
}

#[test]
fn fewer_outstanding_than_concurrent_requests_is_refused() {
    let (line, _) = trigger_problem(
        "http",
        "",
        "Http(max_concurrent_requests: 100, max_outstanding_requests: 50)",
        "max_outstanding_requests",
        "max_outstanding_requests",
    );
    assert!(
        line.contains("= 50") && line.contains("at least max_concurrent_requests (100)"),
        "{line}"
    );
}

#[test]
fn every_bad_trigger_value_is_reported_at_once() {
    let fx = Fixture::new("all");
    let text = experiment(
        "all",
        "",
        &[triggered(
            "StorageQueue(batch_size: 40, max_dequeue_count: 0, polling_jitter: 2)",
        )],
    );
    let file = fx.write("all.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    for field in ["batch_size", "max_dequeue_count", "polling_jitter"] {
        problem_line(err, &file, &format!("functions[0].trigger.{field}"));
    }
}

#[test]
fn an_unknown_trigger_field_names_the_valid_ones() {
    let fx = Fixture::new("unknown");
    let text = experiment("unknown", "", &[triggered("StorageQueue(batchsize: 4)")]);
    let file = fx.write("unknown.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(
        err.contains("batchsize") && err.contains("batch_size"),
        "{err}"
    );
}

#[test]
fn a_valid_trigger_is_accepted_and_a_function_without_one_still_is() {
    let fx = Fixture::new("ok");
    let text = experiment(
        "ok",
        "cores: 2.0",
        &[
            triggered("StorageQueue(batch_size: 32, new_batch_threshold: 64)"),
            inline("g", "Sync", "Cpu(Constant(1.0))", "Burst(n: 5)"),
        ],
    );
    let file = fx.write("ok.ron", &text);
    let run = check(&fx, &file);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}
