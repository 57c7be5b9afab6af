//! `sim validate` arguments that would make CI pass without checking anything.

use super::*;

/// A ground-truth folder with two cases (nothing is simulated before the arguments pass).
fn ground_truth(fx: &Fixture) -> PathBuf {
    let cases = r#"{"cases": [{"name": "burst_a"}, {"name": "burst_b"}]}"#;
    fx.write("gt/cases.json", cases);
    fx.write("gt/measured.json", r#"{"machine": {}, "measured": {}}"#);
    fx.dir.join("gt")
}

#[test]
fn only_matching_no_case_is_an_error_listing_the_cases() {
    let fx = Fixture::new("only-nomatch");
    let dir = ground_truth(&fx);
    let run = sim(
        &fx.dir,
        &["validate", dir.to_str().unwrap(), "--only", "nomatch"],
    );
    let err = input_error(&run);
    assert!(
        err.contains("--only \"nomatch\" matches no case in")
            && err.contains("cases.json: its 2 cases are burst_a, burst_b"),
        "{err}"
    );
    assert!(run.stdout.is_empty(), "no table: {}", run.stdout);
}

#[test]
fn zero_or_too_many_repetitions_are_refused() {
    let fx = Fixture::new("reps");
    let dir = ground_truth(&fx);
    for reps in ["0", "101"] {
        let run = sim(
            &fx.dir,
            &["validate", dir.to_str().unwrap(), "--reps", reps],
        );
        assert_eq!(run.code, Some(2), "--reps {reps}: {}", run.stderr);
        assert!(
            run.stderr.contains("--reps") && run.stderr.contains("1..=100"),
            "{}",
            run.stderr
        );
    }
}
