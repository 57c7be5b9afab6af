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

/// The README's row for one run of queue_burst.ron: the scale-outs, the most instances ready,
/// the last response, mean and p99 latency in s, and the instance-seconds.
fn queue_burst_row(label: &str, sets: &[&str]) -> String {
    let out = run("queue_burst", sets);
    let s = &out.summary;
    let sc = s.scaling.as_ref().expect("a scaled run");
    let outs: Vec<_> = sc.decisions.iter().filter(|d| d.add > 0).collect();
    let step = outs.first().map_or(0, |d| d.add);
    assert!(
        outs.iter().all(|d| d.add == step),
        "one step size: {outs:#?}"
    );
    let at: Vec<String> = outs.iter().map(|d| format!("{}", d.t_s)).collect();
    let f = &s.functions[0].latency_ms;
    format!(
        "| {label} | +{step} at {} s | {} | {:.1} s | {:.1} s | {:.1} s | {:.1} |",
        at.join(", "),
        sc.max_ready_instances,
        s.sim_end_ms / 1e3,
        f.mean / 1e3,
        f.p99 / 1e3,
        sc.instance_seconds
    )
}

#[test]
fn the_readme_table_of_target_based_vs_incremental_is_what_the_runs_give() {
    let text = readme();
    for row in [
        queue_burst_row("target-based (default)", &[]),
        queue_burst_row(
            "`--set scale.mode=Incremental`",
            &["scale.mode=Incremental"],
        ),
    ] {
        assert!(text.contains(&row), "README must show the row\n{row}");
    }
}

#[test]
fn the_readme_what_if_table_and_the_experiments_comments_are_what_the_run_prints() {
    let text = readme();
    let start = text
        .find("```text\npremium_whatif:")
        .expect("the what-if output")
        + "```text\n".len();
    let shown = &text[start..start + text[start..].find("```").unwrap()];
    let out = temp_dir("readme-whatif");
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["run", "experiments/premium_whatif.ron", "--out"])
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(printed.status.success(), "{printed:?}");
    let printed = String::from_utf8(printed.stdout).unwrap();
    // All but the last line, which names the output folder and the wall time.
    let report = |s: &str| -> Vec<String> {
        let lines: Vec<String> = s.lines().map(str::to_string).collect();
        lines[..lines.len() - 1].to_vec()
    };
    assert_eq!(
        report(shown),
        report(&printed),
        "regenerate the README's what-if table"
    );
    // The experiment's header shows the table's rows and the verdict as printed.
    let file = std::fs::read_to_string(root().join("experiments/premium_whatif.ron")).unwrap();
    let rows = printed.lines().skip(2).take(7);
    for line in rows.chain(printed.lines().filter(|l| l.starts_with("cheapest"))) {
        let shows = file
            .lines()
            .filter_map(|l| l.strip_prefix("//"))
            .any(|l| l.trim() == line.trim());
        assert!(shows, "premium_whatif.ron must show\n{line}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
