//! Numbers of the wrong type or out of range, in every numeric field of the schema: each is
//! reported with the field, its place in the file, the type expected and the allowed range,
//! all at once.

use super::*;

/// An experiment with `V` in every numeric field (a second file sets the ClosedLoop
/// duration, which excludes requests_per_client).
const EVERY_NUMBER: &str = r#"Experiment(
    name: "numbers",
    seed: V,
    host: Host(cores: V, processes: V, threads: V, cpu_count: V, switch_interval_ms: V,
        process_start_interval_s: V, context_switch_us: V,
        dispatch: Dispatch(transport_us: V, receive_us: V, dispatch_us: V, executor_handoff_us: V,
            task_start_us: V, complete_us: V, respond_us: V, gil_handover_us: V,
            gil_handover_busy_us: V, timer_slack_us: V, jitter_sigma: V,
            handover_previous_holder: V, handover_longest_waiter: V, syscall_loss: V,
            syscall_loss_recent: V, syscall_recent_window_us: V, sleeper_wake_max_us: V,
            sleeper_wake_from_us: V, sleeper_wake_to_us: V)),
    functions: [
        FunctionUse(function: Inline(Function(name: "f", kind: Async, body: [
            Cpu(Constant(V)), Repeat(V, [Cpu(Constant(1))]), GatherN(V, [AwaitIo(Constant(1))]),
            Cpu(Exponential(V)), Cpu(Lognormal(V, 1)), Cpu(Lognormal(1, V)), Cpu(Uniform(V, 2)),
            Cpu(Uniform(0, V)), Cpu(Empirical([(V, 1), (100, 2)])), Cpu(Empirical([(0, 1), (100, V)])),
        ])), workload: Burst(n: V, at_ms: V)),
        FunctionUse(function: Inline(Function(name: "g", kind: Sync, body: [Cpu(Constant(1))])),
            workload: Poisson(rate_per_s: V, duration_s: V)),
        FunctionUse(function: Inline(Function(name: "h", kind: Sync, body: [Cpu(Constant(1))])),
            workload: ClosedLoop(clients: V, think: Constant(V), requests_per_client: V)),
        FunctionUse(function: Inline(Function(name: "i", kind: Sync, body: [Cpu(Constant(1))])),
            workload: ClosedLoop(clients: 1, think: Exponential(V), duration_s: V)),
    ],
    horizon_s: V,
    output: Output(timeseries_interval_ms: V),
)
"#;

/// Whole-number fields of [`EVERY_NUMBER`] and their ranges.
const WHOLE: &[(&str, &str)] = &[
    ("seed", "0..=18446744073709551615"),
    ("host.processes", "1..=10 (FUNCTIONS_WORKER_PROCESS_COUNT"),
    ("host.threads", "1..=4096 (PYTHON_THREADPOOL_THREAD_COUNT"),
    ("host.cpu_count", "1..=1024"),
    ("functions[0].workload.n", "1..=1000000000"),
    ("functions[2].workload.clients", "1..=1000000"),
    (
        "functions[2].workload.requests_per_client",
        "1..=18446744073709551615",
    ),
];

/// Real-number fields of [`EVERY_NUMBER`] and their ranges.
const REAL: &[(&str, &str)] = &[
    ("host.cores", "0.01 <= cores <= 1024"),
    ("host.switch_interval_ms", "0 < ms <= 1000"),
    ("host.process_start_interval_s", "0 <= seconds <= 3600"),
    ("host.context_switch_us", "0 <= microseconds <= 10000"),
    (
        "host.dispatch.transport_us",
        "0 <= microseconds <= 1000000000",
    ),
    ("host.dispatch.receive_us", "0 <= microseconds"),
    ("host.dispatch.dispatch_us", "0 <= microseconds"),
    ("host.dispatch.executor_handoff_us", "0 <= microseconds"),
    ("host.dispatch.task_start_us", "0 <= microseconds"),
    ("host.dispatch.complete_us", "0 <= microseconds"),
    ("host.dispatch.respond_us", "0 <= microseconds"),
    ("host.dispatch.gil_handover_us", "0 <= microseconds"),
    ("host.dispatch.gil_handover_busy_us", "0 <= microseconds"),
    ("host.dispatch.timer_slack_us", "0 <= microseconds"),
    (
        "host.dispatch.syscall_recent_window_us",
        "0 <= microseconds",
    ),
    ("host.dispatch.sleeper_wake_max_us", "0 <= microseconds"),
    ("host.dispatch.sleeper_wake_from_us", "0 <= microseconds"),
    ("host.dispatch.sleeper_wake_to_us", "0 <= microseconds"),
    ("host.dispatch.jitter_sigma", "0 <= sigma <= 3"),
    (
        "host.dispatch.handover_previous_holder",
        "0 <= probability <= 1",
    ),
    (
        "host.dispatch.handover_longest_waiter",
        "0 <= probability <= 1",
    ),
    ("host.dispatch.syscall_loss", "0 <= probability <= 1"),
    ("host.dispatch.syscall_loss_recent", "0 <= probability <= 1"),
    (
        "functions[0].workload.at_ms",
        "0 <= ms <= 3.1536e10 (at most 1 year)",
    ),
    (
        "functions[1].workload.rate_per_s",
        "0 < arrivals per second <= 1000000000",
    ),
    ("functions[1].workload.duration_s", "0 < seconds <= 1000000"),
    ("functions[3].workload.duration_s", "0 < seconds <= 1000000"),
    ("horizon_s", "0 < seconds <= 1000000"),
    (
        "output.timeseries_interval_ms",
        "0.001 <= ms <= 86400000 (from 1 us to 1 day)",
    ),
];

/// Parameters of steps and distributions in [`EVERY_NUMBER`]: the step, the parameter's
/// phrase, and the rule of that parameter.
const PARTS: &[(&str, &str, &str)] = &[
    (
        "body[0]",
        "has a duration that is not a number",
        "duration: 0.000001 <= ms <= ",
    ),
    (
        "body[1]",
        "has a count that is not a whole number",
        "count 1..=1000000",
    ),
    (
        "body[2]",
        "has a count that is not a whole number",
        "count 1..=100000",
    ),
    (
        "body[3]",
        "has a mean that is not a number",
        "mean: 0.000001 <= ms <= ",
    ),
    (
        "body[4]",
        "has a median that is not a number",
        "median: 0.000001 <= ms <= ",
    ),
    (
        "body[5]",
        "has a sigma that is not a number",
        "sigma: 0 <= sigma <= 5",
    ),
    (
        "body[6]",
        "has a min that is not a number",
        "min: 0 <= ms <= ",
    ),
    (
        "body[7]",
        "has a max that is not a number",
        "max: 0.000001 <= ms <= ",
    ),
    (
        "body[8]",
        "has a percentile that is not a number",
        "percentile: 0 <= percentile <= 100",
    ),
    (
        "body[9]",
        "has a duration that is not a number",
        "duration: 0 <= ms <= ",
    ),
];

/// Checks [`EVERY_NUMBER`] with `value` in every numeric field; returns the file and stderr.
fn check_every_number(name: &str, value: &str) -> (PathBuf, String, Fixture) {
    let fx = Fixture::new(name);
    let text = EVERY_NUMBER.replace('V', value);
    let file = fx.write("numbers.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run).to_string();
    (file, err, fx)
}

#[test]
fn a_word_in_every_numeric_field_names_each_field_its_type_and_range() {
    let (file, err, _fx) = check_every_number("words", "\"two\"");
    let total = WHOLE.len() + REAL.len() + PARTS.len() + 2; // + ClosedLoop think times
    assert!(err.contains(&format!("{total} invalid values")), "{err}");
    for (field, range) in WHOLE {
        let line = problem_line(&err, &file, field);
        let want = format!("`{field}` = \"two\" is not a whole number: allowed {range}");
        assert!(line.contains(&want), "{want}\n in {line}");
    }
    for (field, range) in REAL {
        let line = problem_line(&err, &file, field);
        let want = format!("`{field}` = \"two\" is not a number: allowed {range}");
        assert!(line.contains(&want), "{want}\n in {line}");
    }
    for (step, what, rule) in PARTS {
        let line = problem_line(&err, &file, &format!("functions[0].function.{step}"));
        assert!(line.contains("\"two\"") && line.contains(what), "{line}");
        assert!(
            line.contains("allowed ") && line.contains(rule),
            "{rule}\n in {line}"
        );
    }
    let think = problem_line(&err, &file, "functions[3].workload.think");
    assert!(
        think.contains("Exponential(\"two\") has a mean that is not a number"),
        "{think}"
    );
}

#[test]
fn every_numeric_field_points_at_its_own_line_and_column() {
    let (file, err, _fx) = check_every_number("where", "\"two\"");
    let text = EVERY_NUMBER.replace('V', "\"two\"");
    for (field, _) in WHOLE.iter().chain(REAL) {
        let line = problem_line(&err, &file, field);
        let name = field.rsplit('.').next().unwrap();
        let (l, col) = text
            .lines()
            .enumerate()
            .filter_map(|(l, t)| field_column(t, name).map(|c| (l, c)))
            .nth(field.starts_with("functions[3]") as usize)
            .unwrap();
        assert!(
            line.contains(&format!("numbers.ron:{}:{col}:", l + 1)),
            "{line}"
        );
    }
}

#[test]
fn negative_and_too_large_whole_numbers_are_out_of_range_not_type_errors() {
    for (name, value) in [("negative", "-1"), ("u32-overflow", "4294967296")] {
        let (file, err, _fx) = check_every_number(name, value);
        for (field, range) in WHOLE {
            if *field == "seed" || field.ends_with("requests_per_client") {
                continue; // 4294967296 is a fine seed
            }
            let line = problem_line(&err, &file, field);
            let want = format!("`{field}` = {value} is out of range: allowed {range}");
            assert!(line.contains(&want), "{want}\n in {line}");
        }
    }
}

#[test]
fn a_fractional_seed_is_not_a_whole_number() {
    let fx = Fixture::new("seed-float");
    let file = hostile("seed_float.ron");
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, "seed");
    assert!(
        line.contains("seed_float.ron:3:5: `seed` = 1.5 is not a whole number: allowed 0..=18446744073709551615"),
        "{line}"
    );
}

#[test]
fn whole_numbers_may_be_written_as_floats_and_strings() {
    let fx = Fixture::new("lenient");
    let host = "processes: 2.0, threads: \"3\"";
    let text = experiment(
        "lenient",
        host,
        &[sync_fn("Cpu(Constant(1))", "Burst(n: 1e3)")],
    );
    let run = check(&fx, &fx.write("x.ron", &text));
    assert_eq!(run.code, Some(0), "stderr:\n{}", run.stderr);
    assert!(
        run.stdout.contains("2 process(es) x 3 thread(s)"),
        "{}",
        run.stdout
    );
}

#[test]
fn an_unquoted_word_in_a_numeric_field_names_the_field() {
    let fx = Fixture::new("bare-word");
    let text = experiment("bare", "processes: two", &[ok_function()]);
    let file = fx.write("x.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(
        err.contains(&format!("{}:3:", file.display()))
            && err.contains("in `processes`: Expected a number"),
        "{err}"
    );
}

#[test]
fn nan_in_the_file_is_blamed_on_the_file_whatever_else_is_set() {
    let fx = Fixture::new("nan-set");
    let nan = hostile("set_on_nan_file.ron");
    let inf = fx.write(
        "inf.ron",
        &std::fs::read_to_string(&nan)
            .unwrap()
            .replace("NaN", "-inf"),
    );
    for (file, shown) in [(&nan, "NaN"), (&inf, "-inf")] {
        let run = check_set(&fx, file, &["seed=2"]);
        let line = problem_line(input_error(&run), file, "host.cores");
        assert!(
            line.contains(":4:16: `host.cores` = ")
                && line.contains(&format!(
                    "= {shown} is out of range: allowed 0.01 <= cores <= 1024"
                )),
            "{line}"
        );
        assert!(!run.stderr.contains("--set seed=2"), "{}", run.stderr);
        let out = fx.dir.join("out");
        let fixed = sim(
            &fx.dir,
            &[
                "run",
                file.to_str().unwrap(),
                "--set",
                "host.cores=2",
                "--set",
                "seed=2",
                "--out",
                out.to_str().unwrap(),
                "--quiet",
            ],
        );
        assert_eq!(fixed.code, Some(0), "stderr:\n{}", fixed.stderr);
    }
}

#[test]
fn a_set_value_of_the_wrong_type_names_the_field_and_range() {
    let fx = Fixture::new("set-word");
    let file = fx.write("ok.ron", &experiment("ok", "", &[ok_function()]));
    let run = check_set(&fx, &file, &["host.processes=two", "seed=-3"]);
    let err = input_error(&run);
    for want in [
        "--set host.processes=two: `host.processes` = \"two\" is not a whole number: allowed 1..=10",
        "--set seed=-3: `seed` = -3 is out of range: allowed 0..=18446744073709551615",
    ] {
        assert!(err.contains(want), "{want}\n in {err}");
    }
}

/// 1-based column of `name: ` used as a field on `line` (not the end of a longer name).
fn field_column(line: &str, name: &str) -> Option<usize> {
    let needle = format!("{name}: ");
    line.match_indices(&needle)
        .map(|(i, _)| i)
        .find(|&i| {
            i == 0
                || !line.as_bytes()[i - 1].is_ascii_alphanumeric() && line.as_bytes()[i - 1] != b'_'
        })
        .map(|i| i + 1)
}
