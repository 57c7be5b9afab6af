//! Names that become folder names or CSV fields are refused at check time, before any work.

use super::*;

#[test]
fn a_300_character_experiment_name_is_refused_by_check_and_run() {
    let fx = Fixture::new("name-long");
    let file = hostile("name_long.ron");
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, "name").to_string();
    assert!(
        line.contains("name_long.ron:2:5: `name` = \"aaaaaaaaaaaaaaaaaaaa...\" (300 characters) cannot name a folder: allowed 1..=100 characters: letters, digits, '_', '-' and '.'"),
        "{line}"
    );
    let run = sim(&fx.dir, &["run", file.to_str().unwrap(), "--quiet"]);
    input_error(&run);
    assert!(Fixture::entries(&fx.dir).is_empty(), "nothing written");
}

#[test]
fn experiment_names_must_be_portable_folder_names() {
    let fx = Fixture::new("names");
    for name in ["", ".hidden", "a b", "a/b", "con", "LPT1.x", "end."] {
        let file = fx.write("x.ron", &experiment(name, "", &[ok_function()]));
        let run = check(&fx, &file);
        let line = problem_line(input_error(&run), &file, "name");
        assert!(line.contains(":2:5:") && line.contains("Windows"), "{line}");
    }
    let ok = fx.write(
        "ok.ron",
        &experiment(&"a".repeat(100), "", &[ok_function()]),
    );
    assert_eq!(check(&fx, &ok).code, Some(0));
}

#[test]
fn function_names_that_would_break_invocations_csv_are_refused() {
    let fx = Fixture::new("fn-names");
    for name in [
        "a,b",
        "say \\\"hi\\\"",
        "two\\nlines",
        "cr\\r",
        " padded",
        "",
    ] {
        let text = experiment(
            "x",
            "",
            &[inline(name, "Sync", "Cpu(Constant(1.0))", "Burst(n: 1)")],
        );
        let file = fx.write("x.ron", &text);
        let run = check(&fx, &file);
        let line = problem_line(input_error(&run), &file, "functions[0].function.name");
        assert!(
            line.contains(&loc(&text, 5, "name:"))
                && line.contains("cannot name a function: allowed 1..=100 characters without commas, quotes, control characters"),
            "{line}"
        );
    }
}

#[test]
fn a_duplicate_function_name_points_at_the_second_definition() {
    let fx = Fixture::new("dup");
    let profile = profile(&fx, "f", "");
    let text = experiment("dup", "", &[ok_function(), ok_function(), profile]);
    let file = fx.write("experiments/dup.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    let inline = problem_line(err, &file, "functions[1].function.name");
    assert!(
        inline.contains(&loc(&text, 6, "name:"))
            && inline.contains("= \"f\" is also the name of functions[0]"),
        "{inline}"
    );
    let from_profile = problem_line(err, &file, "functions[2].function");
    assert!(
        from_profile.contains(&loc(&text, 7, "function:")),
        "{from_profile}"
    );
}

#[test]
fn an_empty_functions_list_says_what_is_needed() {
    let fx = Fixture::new("no-functions");
    let text = experiment("none", "", &[]);
    let file = fx.write("x.ron", &text);
    let run = check(&fx, &file);
    let line = problem_line(input_error(&run), &file, "functions");
    assert!(
        line.contains(&loc(&text, 4, "functions")) && line.contains("at least one"),
        "{line}"
    );
}

#[test]
fn thousands_of_problems_are_listed_fifty_at_a_time_and_counted() {
    // Placing every problem in a huge file was quadratic; the first fifty are placed and
    // listed, the rest counted.
    let fx = Fixture::new("many-problems");
    let functions = vec![ok_function(); 1000];
    let text = experiment("many", "", &functions);
    let file = fx.write("experiments/many.ron", &text);
    let run = check(&fx, &file);
    let err = input_error(&run);
    assert!(err.starts_with("error: 999 invalid values"), "{err}");
    assert_eq!(
        err.matches("is also the name of functions[0]").count(),
        50,
        "{err}"
    );
    assert!(err.contains("... and 949 more"), "{err}");
}
