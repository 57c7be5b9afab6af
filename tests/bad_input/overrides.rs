//! `--set` paths that miss: list indices out of range, fields of a profile, step parameters.

use super::*;

/// `sim check FILE --set SPEC`: stderr of the failed check.
fn check_with_set(fx: &Fixture, file: &Path, spec: &str) -> String {
    input_error(&check_set(fx, file, &[spec])).to_string()
}

#[test]
fn an_index_past_the_end_of_a_list_says_which_indices_exist() {
    let fx = Fixture::new("set-index");
    let two = [
        ok_function(),
        inline("g", "Sync", "Cpu(Constant(1.0))", "Burst(n: 1)"),
    ];
    let file = fx.write("x.ron", &experiment("x", "", &two));
    for (spec, want) in [
        (
            "functions.2.workload.n=5",
            "`functions` is a list; it has 2 entries: use an index 0..=1, not `2`",
        ),
        (
            "functions.first.workload.n=5",
            "`functions` is a list; it has 2 entries: use an index 0..=1, not `first`",
        ),
        (
            "functions.0.function.body.1.0=5",
            "`functions.0.function.body` is a list; it has 1 entry: use the index 0, not `1`",
        ),
    ] {
        let err = check_with_set(&fx, &file, spec);
        assert!(
            err.contains(&format!("--set {spec}: {want}")),
            "{want}\n in {err}"
        );
    }
}

#[test]
fn a_field_of_a_profile_function_points_at_the_profile() {
    let fx = Fixture::new("set-profile");
    let profile = profile(&fx, "p", "");
    let file = fx.write(
        "experiments/x.ron",
        &experiment("x", "", std::slice::from_ref(&profile)),
    );
    let err = check_with_set(&fx, &file, "functions.0.function.body.0.0=5");
    assert!(
        err.contains("`functions.0.function` is Profile(\"../models/p.ron\"): its fields are set in that file")
            && err.contains("Inline(Function(..))"),
        "{err}"
    );
}

#[test]
fn a_step_parameter_set_out_of_range_is_blamed_on_the_set() {
    let fx = Fixture::new("set-step");
    let f = sync_fn(
        "Cpu(Constant(1.0)), BlockingIo(Lognormal(5.0, 0.5))",
        "Burst(n: 1)",
    );
    let file = fx.write("x.ron", &experiment("x", "", &[f]));
    let err = check_with_set(&fx, &file, "functions.0.function.body.1.1=9");
    let line = line_about(&err, "functions[0].function.body[1]");
    assert!(
        line.starts_with("--set functions.0.function.body.1.1=9: `functions[0].function.body[1]` = Lognormal(5, 9) has a sigma that is out of range: allowed Lognormal(median, sigma)"),
        "{line}"
    );
    let ok = check_set(&fx, &file, &["functions.0.function.body.1.Lognormal.0=20"]);
    assert_eq!(
        ok.code,
        Some(0),
        "variant names may be written: {}",
        ok.stderr
    );
}
