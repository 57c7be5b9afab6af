//! Durations, arrival instants and sampling intervals too large or too small to simulate are
//! refused at check time, with the field and its place in the file (or the CSV and its line).

use super::*;

/// `sim check` on a hostile file: the problem line about `field`.
fn hostile_problem(fx: &Fixture, name: &str, field: &str) -> String {
    let file = hostile(name);
    let run = check(fx, &file);
    problem_line(input_error(&run), &file, field).to_string()
}

#[test]
fn hostile_durations_and_intervals_are_refused_with_field_and_place() {
    let fx = Fixture::new("hostile-bounds");
    for (name, field, want) in [
        ("one_long.ron", "functions[0].function.body[0]", "one_long.ron:6:69: `functions[0].function.body[0]` = Constant(1000000000) has a duration that is out of range: allowed Constant(duration) with duration: 0.000001 <= ms <= 86400000 (at most 1 day"),
        ("lognormal_huge_tail.ron", "functions[0].function.body[0]", "= Lognormal(1000000000, 5) has a median that is out of range: allowed Lognormal(median, sigma) with median: 0.000001 <= ms <= 86400000"),
        ("ts_interval_tiny.ron", "output.timeseries_interval_ms", "ts_interval_tiny.ron:11:20: `output.timeseries_interval_ms` = 0.000001 is out of range: allowed 0.001 <= ms <= 86400000"),
    ] {
        let line = hostile_problem(&fx, name, field);
        assert!(line.contains(want), "{want}\n in {line}");
    }
}

#[test]
fn every_distribution_parameter_is_bounded_by_a_day() {
    let fx = Fixture::new("day-bounds");
    let day = "86400000";
    let over = "86400001";
    let body = |v: &str| {
        format!("Cpu(Exponential({v})), Cpu(Uniform(0, {v})), Cpu(Empirical([(0, 0), (100, {v})])), BlockingIo(Lognormal({v}, 1))")
    };
    let think =
        |v: &str| format!("ClosedLoop(clients: 1, think: Constant({v}), requests_per_client: 1)");
    let ok = experiment("day", "", &[sync_fn(&body(day), &think(day))]);
    let run = check(&fx, &fx.write("ok.ron", &ok));
    assert_eq!(
        run.code,
        Some(0),
        "the bound itself is allowed: {}",
        run.stderr
    );
    let text = experiment("day", "", &[sync_fn(&body(over), &think(over))]);
    let file = fx.write("over.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.contains("5 invalid values"), "{err}");
    for (field, what) in [
        (
            "functions[0].function.body[0]",
            "has a mean that is out of range",
        ),
        (
            "functions[0].function.body[1]",
            "has a max that is out of range",
        ),
        (
            "functions[0].function.body[2]",
            "has a duration that is out of range",
        ),
        (
            "functions[0].function.body[3]",
            "has a median that is out of range",
        ),
        (
            "functions[0].workload.think",
            "has a duration that is out of range",
        ),
    ] {
        let line = problem_line(err, &file, field);
        assert!(
            line.contains(what) && line.contains("<= ms <= 86400000"),
            "{line}"
        );
    }
}

#[test]
fn a_replayed_arrival_beyond_a_year_names_the_csv_line_and_column() {
    let fx = Fixture::new("replay-huge");
    let run = check(&fx, &hostile("replay_huge_ms.ron"));
    let err = input_error(&run);
    assert!(
        err.contains("huge.csv:3: `arrival_ms` (column 1) = 1e300 is out of range: allowed 0 <= ms <= 3.1536e10 (at most 1 year after the start)"),
        "{err}"
    );
}

#[test]
fn replay_rows_with_nan_negative_or_non_numeric_arrivals_are_refused() {
    let fx = Fixture::new("replay-rows");
    let ron = experiment(
        "replay",
        "",
        &[sync_fn(
            "Cpu(Constant(1.0))",
            "Replay(path: \"a.csv\", column: \"t_s\")",
        )],
    );
    let file = fx.write("replay.ron", &ron);
    for (cell, shown, what) in [
        ("NaN", "NaN", "is out of range"),
        ("-0.5", "-0.5", "is out of range"),
        ("4e7", "40000000", "is out of range"),
        ("12:00", "\"12:00\"", "is not a number"),
    ] {
        let csv = fx.write("a.csv", &format!("rep,t_s\n0,1\n0,{cell}\n"));
        let run = check(&fx, &file);
        let want = format!(
            "{}:3: `t_s` (column 2) = {shown} {what}: allowed 0 <= seconds <= 31536000",
            csv.display()
        );
        assert!(
            input_error(&run).contains(&want),
            "{want}\n in {}",
            run.stderr
        );
    }
}

#[test]
fn a_burst_later_than_a_year_is_refused() {
    let fx = Fixture::new("late-burst-year");
    let text = experiment(
        "late",
        "",
        &[sync_fn("Cpu(Constant(1.0))", "Burst(n: 1, at_ms: 3.2e10)")],
    );
    let file = fx.write("late.ron", &text);
    let line = problem_line(
        input_error(&check(&fx, &file)),
        &file,
        "functions[0].workload.at_ms",
    )
    .to_string();
    assert!(
        line.contains("= 3.2e10 is out of range: allowed 0 <= ms <= 3.1536e10 (at most 1 year)"),
        "{line}"
    );
}
