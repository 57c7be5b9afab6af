//! Values out of their range: each names the field, its line:column and the allowed range.

use super::*;

/// Checks a file whose `Host(..)` holds `host`; returns the error line about `host.<field>`
/// and where `field` stands in the file (line 3).
fn host_problem(name: &str, host: &str, field: &str) -> (String, String) {
    let fx = Fixture::new(name);
    let text = experiment(name, host, &[ok_function()]);
    let file = fx.write(&format!("{name}.ron"), &text);
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, &format!("host.{field}")).to_string();
    (line, loc(&text, 3, field))
}

#[test]
fn zero_processes_names_the_field_value_and_range() {
    let (line, at) = host_problem("p0", "processes: 0", "processes");
    assert!(line.contains(&at), "{line}");
    assert!(line.contains("= 0") && line.contains("1..=10"), "{line}");
}

#[test]
fn eleven_processes_cites_azures_limit_of_ten() {
    let (line, at) = host_problem("p11", "processes: 11", "processes");
    assert!(line.contains(&at), "{line}");
    assert!(line.contains("= 11") && line.contains("1..=10"), "{line}");
    assert!(line.contains("Azure") && line.contains("10"), "{line}");
}

#[test]
fn a_sleeper_wake_ramp_that_ends_before_it_starts_is_refused() {
    let fx = Fixture::new("ramp");
    let host = "dispatch: Dispatch(sleeper_wake_from_us: 5000, sleeper_wake_to_us: 5000)";
    let text = experiment("ramp", host, &[ok_function()]);
    let file = fx.write("ramp.ron", &text);
    let run = check(&fx, &file);
    let field = "host.dispatch.sleeper_wake_to_us";
    let line = problem_line(input_error(&run), &file, field);
    assert!(
        line.contains(&loc(&text, 3, "sleeper_wake_to_us")),
        "{line}"
    );
    assert!(
        line.contains("= 5000") && line.contains("more than sleeper_wake_from_us"),
        "{line}"
    );
}

#[test]
fn zero_threads_names_the_field_value_and_range() {
    let (line, at) = host_problem("t0", "threads: 0", "threads");
    assert!(line.contains(&at), "{line}");
    assert!(line.contains("= 0") && line.contains("1..=4096"), "{line}");
}

#[test]
fn zero_cores_names_the_field_value_and_range() {
    let (line, at) = host_problem("c0", "cores: 0.0", "cores");
    assert!(line.contains(&at), "{line}");
    assert!(
        line.contains("= 0") && line.contains("0.01 <= cores"),
        "{line}"
    );
}

#[test]
fn zero_and_negative_step_durations_are_both_reported() {
    let fx = Fixture::new("steps");
    let body = "Cpu(Constant(0.0)), BlockingIo(Constant(-5.0))";
    let text = experiment("steps", "", &[inline("f", "Sync", body, "Burst(n: 1)")]);
    let file = fx.write("steps.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    let zero = problem_line(err, &file, "functions[0].function.body[0]");
    assert!(
        zero.contains(&loc(&text, 5, "Cpu("))
            && zero.contains("Constant(0)")
            && zero.contains("0.000001 <= ms"),
        "{zero}"
    );
    let negative = problem_line(err, &file, "functions[0].function.body[1]");
    assert!(
        negative.contains(&loc(&text, 5, "BlockingIo("))
            && negative.contains("Constant(-5)")
            && negative.contains("0.000001 <= ms"),
        "{negative}"
    );
}

#[test]
fn a_non_positive_poisson_rate_names_the_field_value_and_range() {
    let fx = Fixture::new("rate");
    let functions = [
        inline(
            "f",
            "Sync",
            "Cpu(Constant(1.0))",
            "Poisson(rate_per_s: 0.0, duration_s: 1.0)",
        ),
        inline(
            "g",
            "Sync",
            "Cpu(Constant(1.0))",
            "Poisson(rate_per_s: -3.0, duration_s: 1.0)",
        ),
    ];
    let text = experiment("rate", "", &functions);
    let file = fx.write("rate.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    let zero = problem_line(err, &file, "functions[0].workload.rate_per_s");
    assert!(zero.contains(&loc(&text, 5, "rate_per_s")), "{zero}");
    assert!(
        zero.contains("= 0") && zero.contains("0 < arrivals per second"),
        "{zero}"
    );
    let negative = problem_line(err, &file, "functions[1].workload.rate_per_s");
    assert!(
        negative.contains("= -3") && negative.contains("0 < arrivals per second"),
        "{negative}"
    );
}

#[test]
fn a_problem_in_the_second_function_points_at_its_own_line() {
    let fx = Fixture::new("second");
    let functions = [
        inline(
            "f",
            "Sync",
            "Cpu(Constant(1.0))",
            "Poisson(rate_per_s: 5.0, duration_s: 1.0)",
        ),
        inline(
            "g",
            "Sync",
            "Cpu(Constant(1.0))",
            "Poisson(rate_per_s: -3.0, duration_s: 1.0)",
        ),
    ];
    let text = experiment("second", "", &functions);
    let file = fx.write("second.ron", &text);
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, "functions[1].workload.rate_per_s");
    assert!(
        line.contains(&loc(&text, 6, "rate_per_s")),
        "points at line 6: {line}"
    );
}

#[test]
fn several_problems_in_one_file_are_all_reported_at_once() {
    let fx = Fixture::new("many");
    let text = experiment(
        "many",
        "cores: 0.0, processes: 0, threads: 0",
        &[inline(
            "f",
            "Sync",
            "Cpu(Constant(0.0))",
            "Poisson(rate_per_s: 0.0, duration_s: 1.0)",
        )],
    );
    let file = fx.write("many.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains("5 invalid values"), "{err}");
    for field in [
        "host.cores",
        "host.processes",
        "host.threads",
        "functions[0].function.body[0]",
        "functions[0].workload.rate_per_s",
    ] {
        problem_line(err, &file, field);
    }
}

#[test]
fn a_bad_value_in_a_profile_names_the_profile_file() {
    let fx = Fixture::new("profile-bad");
    let model = fx.write("models/bad.ron", "Function(\n    name: \"bad\",\n    kind: Sync,\n    body: [\n        Cpu(Constant(-1.0)),\n    ],\n)\n");
    let text = experiment(
        "x",
        "",
        &[
            "FunctionUse(function: Profile(\"../models/bad.ron\"), workload: Burst(n: 1)),"
                .to_string(),
        ],
    );
    let file = fx.write("experiments/x.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    let line = err
        .lines()
        .find(|l| l.contains("`body[0]`"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("bad.ron:5:9:") && line.contains("Constant(-1)"),
        "points at the step itself: {line}"
    );
    assert!(model.exists());
}
