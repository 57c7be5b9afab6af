//! The compare block: each refusal names the field, its line:column, the value and the rule;
//! a variant that cannot run is reported under its name, with the override to blame.

use super::*;

/// An experiment on EP1 whose compare block (from line 6 on) is `block`.
fn with_compare(name: &str, scale: &str, block: &str) -> String {
    format!(
        "Experiment(\n    name: \"{name}\",\n    host: Host(processes: 1),\n    functions: [{}],\n    plan: \"EP1\", scale: Scale({scale}),\n    compare: Compare(\n{block}\n    ),\n)\n",
        sync_fn("Cpu(Constant(1.0))", "Burst(n: 5)").trim_end_matches(',')
    )
}

/// `sim check` of the experiment; the error and the file's text.
fn compare_error(name: &str, scale: &str, block: &str) -> (String, String, PathBuf) {
    let fx = Fixture::new(name);
    let text = with_compare(name, scale, block);
    let file = fx.write(&format!("{name}.ron"), &text);
    let run = check(&fx, &file);
    (input_error(&run).to_string(), text, file)
}

#[test]
fn two_variants_of_one_name_are_refused_at_the_second() {
    let block = r#"        variants: [Variant(name: "EP1", set: ["plan=EP1"]),
            Variant(name: "ep1", set: ["plan=EP2"])],
        slo: Slo(p99_ms: 500),"#;
    let (err, text, file) = compare_error("dup", "", block);
    let line = problem_line(&err, &file, "compare.variants[1].name");
    assert!(line.contains(&loc(&text, 8, "name")), "{line}");
    assert!(
        line.contains("\"ep1\" is also the name of compare.variants[0]"),
        "{line}"
    );
}

#[test]
fn a_variant_name_must_be_a_folder_name_and_not_one_of_the_compare_files() {
    let block = r#"        variants: [Variant(name: "a/b"), Variant(name: "compare.csv")],
        slo: Slo(p99_ms: 500),"#;
    let (err, _, file) = compare_error("names", "", block);
    let line = problem_line(&err, &file, "compare.variants[0].name");
    assert!(line.contains("cannot name a folder"), "{line}");
    let line = problem_line(&err, &file, "compare.variants[1].name");
    assert!(
        line.contains("is taken") && line.contains("compare.json"),
        "{line}"
    );
}

#[test]
fn one_variant_and_a_bad_slo_are_refused_with_their_ranges() {
    let block = r#"        variants: [Variant(name: "only", set: ["plan=EP2"])],
        slo: Slo(p99_ms: 0),"#;
    let (err, text, file) = compare_error("few", "", block);
    let line = problem_line(&err, &file, "compare.variants");
    assert!(line.contains("= 1") && line.contains("2..=100"), "{line}");
    let line = problem_line(&err, &file, "compare.slo.p99_ms");
    assert!(line.contains(&loc(&text, 8, "p99_ms")), "{line}");
    assert!(
        line.contains("= 0") && line.contains("0 < ms <= 86400000"),
        "{line}"
    );
}

#[test]
fn a_variant_may_not_change_the_seed_and_a_set_needs_path_and_value() {
    let block = r#"        variants: [Variant(name: "a", set: ["seed=2"]), Variant(name: "b", set: ["EP2"])],
        slo: Slo(p99_ms: 500),"#;
    let (err, _, file) = compare_error("seed", "", block);
    let line = problem_line(&err, &file, "compare.variants[0].set[0]");
    assert!(line.contains("common random numbers"), "{line}");
    let line = problem_line(&err, &file, "compare.variants[1].set[0]");
    assert!(
        line.contains("is not an override") && line.contains("path=value"),
        "{line}"
    );
}

#[test]
fn an_unknown_override_path_names_the_variant_the_override_and_the_valid_fields() {
    let block = r#"        variants: [Variant(name: "a", set: ["host.threadz=4"]), Variant(name: "b")],
        slo: Slo(p99_ms: 500),"#;
    let (err, _, _) = compare_error("path", "", block);
    assert!(err.contains("1 compare variant cannot run"), "{err}");
    assert!(err.contains("variant \"a\":"), "{err}");
    let line = line_about(&err, "host");
    assert!(
        line.contains("compare variant \"a\", set \"host.threadz=4\"")
            && line.contains("no field `threadz`")
            && line.contains("threads"),
        "{line}"
    );
}

#[test]
fn a_plan_a_variant_picks_that_refuses_the_files_settings_points_at_the_file() {
    // The file's pre-warmed buffer is Premium's: the Consumption variant cannot run with it.
    let block = r#"        variants: [Variant(name: "premium"), Variant(name: "cons", set: ["plan=Consumption"])],
        slo: Slo(p99_ms: 500),"#;
    let (err, text, file) = compare_error("plan", "prewarmed: 1", block);
    assert!(err.contains("variant \"cons\":"), "{err}");
    assert!(!err.contains("variant \"premium\""), "{err}");
    let line = problem_line(&err, &file, "scale.prewarmed");
    assert!(line.contains(&loc(&text, 5, "prewarmed")), "{line}");
    assert!(line.contains("not offered by Consumption"), "{line}");
}

#[test]
fn a_variant_blamed_for_a_value_out_of_range_is_named_with_its_override() {
    let block = r#"        variants: [Variant(name: "a", set: ["host.processes=11"]), Variant(name: "b")],
        slo: Slo(p99_ms: 500),"#;
    let (err, _, _) = compare_error("range", "", block);
    let line = line_about(&err, "host.processes");
    assert!(
        line.starts_with("compare variant \"a\", set \"host.processes=11\": ")
            && line.contains("1..=10"),
        "{line}"
    );
}
