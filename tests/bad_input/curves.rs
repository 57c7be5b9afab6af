//! A `RateCurve` workload's points: each refusal names the point, its line:column, the value
//! and the rule.

use super::*;

/// Checks a sync function with workload `RateCurve(points: [points])`; the error text and the
/// file's text (the function is on line 5).
fn curve_error(name: &str, points: &str) -> (String, String, PathBuf) {
    let fx = Fixture::new(name);
    let workload = format!("RateCurve(points: [{points}])");
    let text = experiment(name, "", &[sync_fn("Cpu(Constant(1.0))", &workload)]);
    let file = fx.write(&format!("{name}.ron"), &text);
    let run = check(&fx, &file);
    let err = input_error(&run).to_string();
    // The fixture's folder goes when `fx` does; the text and path are what the asserts need.
    (err, text, file)
}

#[test]
fn a_time_out_of_order_names_the_point_and_says_times_must_increase() {
    let (err, text, file) = curve_error("order", "(0.0, 1.0), (60.0, 5.0), (30.0, 2.0)");
    let line = problem_line(&err, &file, "functions[0].workload.points[2]");
    assert!(line.contains(&loc(&text, 5, "(30.0")), "{line}");
    assert!(
        line.contains("out of order") && line.contains("60 s"),
        "{line}"
    );
}

#[test]
fn a_negative_or_infinite_rate_names_the_point_and_the_range() {
    let (err, text, file) = curve_error("negative", "(0.0, 1.0), (60.0, -5.0)");
    let line = problem_line(&err, &file, "functions[0].workload.points[1]");
    assert!(line.contains(&loc(&text, 5, "(60.0")), "{line}");
    assert!(
        line.contains("= -5") && line.contains("0 <= arrivals per second <= 1000000000"),
        "{line}"
    );
    let (err, _, file) = curve_error("infinite", "(0.0, 1.0), (60.0, inf)");
    let line = problem_line(&err, &file, "functions[0].workload.points[1]");
    assert!(line.contains("out of range"), "{line}");
}

#[test]
fn one_point_or_every_rate_0_is_refused() {
    let (err, _, file) = curve_error("one", "(0.0, 1.0)");
    let line = problem_line(&err, &file, "functions[0].workload.points");
    assert!(
        line.contains("= 1") && line.contains("2..=100000"),
        "{line}"
    );
    let (err, _, file) = curve_error("zeros", "(0.0, 0.0), (60.0, 0.0)");
    let line = problem_line(&err, &file, "functions[0].workload.points");
    assert!(
        line.contains("gives no arrivals") && line.contains("above 0"),
        "{line}"
    );
}

#[test]
fn a_time_beyond_the_longest_run_is_refused_with_the_range() {
    let (err, _, file) = curve_error("late", "(0.0, 1.0), (2e6, 1.0)");
    let line = problem_line(&err, &file, "functions[0].workload.points[1]");
    assert!(line.contains("0 <= seconds <= 1000000"), "{line}");
}
