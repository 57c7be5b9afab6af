//! The README's promises: its example experiment is valid, and CI runs its test command.

mod common;
use common::*;
use sim::config::parse_experiment;

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).unwrap()
}

#[test]
fn the_readme_example_experiment_is_valid() {
    let text = readme();
    let start = text.find("```ron\n").expect("a RON example") + "```ron\n".len();
    let end = start + text[start..].find("```").unwrap();
    let exp = parse_experiment(
        &text[start..end],
        &root().join("experiments/example.ron"),
        &[],
    )
    .unwrap_or_else(|e| panic!("README example: {e}"));
    assert_eq!((exp.host.processes, exp.host.threads), (2, 8));
}

#[test]
fn ci_runs_the_readme_test_command() {
    let text = readme();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let command = ci
        .lines()
        .find(|l| l.starts_with("cargo test"))
        .expect("a test command in .ci/run");
    assert!(text.contains(command), "README must show `{command}`");
}
