//! The README's promises: its example experiment is valid, its example output is what its
//! command prints, and CI runs its test command.

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

#[test]
fn the_readme_example_output_is_what_its_command_prints() {
    let text = readme();
    let start = text.find("```text\nio_bound:").expect("the example output") + "```text\n".len();
    let shown = &text[start..start + text[start..].find("```").unwrap()];
    let out = temp_dir("readme-example");
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["run", "experiments/io_bound.ron", "--out"])
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    let printed = String::from_utf8(printed.stdout).unwrap();
    // All but the last line, which names the output folder and the wall time.
    let report = |s: &str| -> Vec<String> {
        let lines: Vec<String> = s.lines().map(str::to_string).collect();
        lines[..lines.len() - 1].to_vec()
    };
    assert_eq!(
        report(shown),
        report(&printed),
        "regenerate the README example"
    );
}
