//! Values of the wrong shape: unknown variants, text where a boolean belongs, folders where
//! files belong.

use super::*;

#[test]
fn an_unknown_variant_lists_the_valid_ones_and_names_the_field() {
    let fx = Fixture::new("variants");
    for (function, field, valid) in [
        (
            inline("f", "Synch", "Cpu(Constant(1.0))", "Burst(n: 1)"),
            "kind",
            "`Sync` or `Async`",
        ),
        (
            sync_fn("Cpuu(Constant(1.0))", "Burst(n: 1)"),
            "body",
            "`Cpu`, `NativeCpu`, `BlockingIo`",
        ),
        (
            sync_fn("Cpu(Konstant(1.0))", "Burst(n: 1)"),
            "body",
            "`Constant`, `Exponential`, `Lognormal`",
        ),
        (
            sync_fn("Cpu(Constant(1.0))", "Bursty(n: 1)"),
            "workload",
            "`Burst`, `Poisson`, `RateCurve`, `Pattern`, `OnOff`, `ClosedLoop`, or `Replay`",
        ),
    ] {
        let file = fx.write("x.ron", &experiment("x", "", &[function]));
        let run = check(&fx, &file);
        let err = input_error(&run);
        assert!(
            err.contains(&format!("{}:5:", file.display()))
                && err.contains(&format!("in `{field}`: Unexpected variant"))
                && err.contains(valid),
            "{err}"
        );
    }
}

#[test]
fn a_distribution_with_too_few_parameters_shows_its_schema_name() {
    let fx = Fixture::new("dist-arity");
    let f = sync_fn("Cpu(Lognormal(1.0))", "Burst(n: 1)");
    let run = check(&fx, &fx.write("x.ron", &experiment("x", "", &[f])));
    let err = input_error(&run);
    assert!(
        err.contains("Expected tuple variant Lognormal with 2 elements"),
        "{err}"
    );
    assert!(!err.contains("Raw"), "no internal type names: {err}");
}

#[test]
fn a_word_where_a_boolean_belongs_names_the_field() {
    let fx = Fixture::new("bool");
    let file = fx.write(
        "x.ron",
        &experiment("x", "free_threaded: yes", &[ok_function()]),
    );
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(
        err.contains(&format!("{}:3:", file.display())) && err.contains("in `free_threaded`"),
        "{err}"
    );
}

#[test]
fn a_folder_given_as_a_replay_file_says_it_is_a_folder() {
    let fx = Fixture::new("csv-folder");
    std::fs::create_dir_all(fx.dir.join("arrivals.csv")).unwrap();
    let f = sync_fn("Cpu(Constant(1.0))", "Replay(path: \"arrivals.csv\")");
    let file = fx.write("x.ron", &experiment("x", "", &[f]));
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, "functions[0].workload.path");
    assert!(line.contains("arrivals.csv is a folder"), "{line}");
}

#[test]
fn a_folder_given_as_the_experiment_says_it_is_a_folder() {
    let fx = Fixture::new("exp-folder");
    std::fs::create_dir_all(fx.dir.join("experiments")).unwrap();
    let run = check(&fx, &fx.dir.join("experiments"));
    let err = input_error(&run);
    assert!(err.contains("experiments is a folder, not a file"), "{err}");
    assert!(!err.contains("os error"), "{err}");
}
