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

/// The README's output block that starts with `first` and what `sim run experiments/<file>`
/// prints, each without its last line (it names the output folder and the wall time); and
/// the whole print.
fn shown_and_printed(first: &str, file: &str) -> (Vec<String>, Vec<String>, String) {
    let text = readme();
    let marker = format!("```text\n{first}");
    let start = text.find(&marker).expect("the output block") + "```text\n".len();
    let shown = &text[start..start + text[start..].find("```").unwrap()];
    let out = temp_dir(&format!("readme-{file}"));
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_sim"))
        .args(["run", &format!("experiments/{file}"), "--out"])
        .arg(&out)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(printed.status.success(), "{printed:?}");
    let printed = String::from_utf8(printed.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&out);
    let report = |s: &str| -> Vec<String> {
        let lines: Vec<String> = s.lines().map(str::to_string).collect();
        lines[..lines.len() - 1].to_vec()
    };
    (report(shown), report(&printed), printed)
}

#[test]
fn the_readme_example_output_is_what_its_command_prints() {
    let (shown, printed, _) = shown_and_printed("io_bound:", "io_bound.ron");
    assert_eq!(shown, printed, "regenerate the README example");
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
    let (shown, printed, whole) = shown_and_printed("premium_whatif:", "premium_whatif.ron");
    assert_eq!(shown, printed, "regenerate the README's what-if table");
    // The experiment's header shows the table's rows and the verdict as printed.
    let file = std::fs::read_to_string(root().join("experiments/premium_whatif.ron")).unwrap();
    let rows = whole.lines().skip(2).take(7);
    for line in rows.chain(whole.lines().filter(|l| l.starts_with("cheapest"))) {
        let shows = file
            .lines()
            .filter_map(|l| l.strip_prefix("//"))
            .any(|l| l.trim() == line.trim());
        assert!(shows, "premium_whatif.ron must show\n{line}");
    }
}
