//! What scripts and shells expect of the command line: completion scripts, `--json` printing
//! the run's own JSON file on stdout (and nothing else), no colour codes anywhere, and a
//! progress bar on a terminal only.

mod common;
use common::*;

#[test]
fn completions_cover_every_subcommand_for_each_shell() {
    let d = temp_dir("completions");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = sim_in(&d, &["completions", shell]);
        assert_eq!(r.code, Some(0), "{shell}: {}", r.stderr);
        for sub in ["run", "sweep", "merge", "validate", "trace"] {
            assert!(r.stdout.contains(sub), "{shell} completes {sub}");
        }
    }
    let r = sim_in(&d, &["completions", "tcsh"]);
    assert_eq!(r.code, Some(2), "an unknown shell is refused");
    assert!(r.stderr.contains("bash"), "{}", r.stderr);
}

#[test]
fn json_prints_the_summary_file_and_nothing_else() {
    let d = temp_dir("json-run");
    let exp = root().join("experiments/io_bound.ron");
    let out = d.join("out");
    let r = sim_in(
        &d,
        &[
            "run",
            exp.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let file = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert_eq!(r.stdout, file, "stdout is summary.json, byte for byte");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["invocations"]["arrived"].as_u64().unwrap() > 0);
}

#[test]
fn json_prints_a_sweep_s_summary_and_a_compare_s_ranking() {
    let d = temp_dir("json-blocks");
    let sweep = root().join("experiments/sweep_threads.ron");
    let r = sim_in(
        &d,
        &["sweep", sweep.to_str().unwrap(), "--out", "sw", "--json"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        std::fs::read_to_string(d.join("sw/sweep_summary.json")).unwrap()
    );
    let r = sim_in(
        &d,
        &[
            "sweep",
            sweep.to_str().unwrap(),
            "--out",
            "s0",
            "--json",
            "--shard",
            "0/2",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "a shard has no summary to print");
    let cmp = root().join("experiments/premium_whatif.ron");
    let r = sim_in(
        &d,
        &[
            "run",
            cmp.to_str().unwrap(),
            "--out",
            "cmp",
            "--json",
            "--set",
            "horizon_s=600",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v["ranking"]["objective"].is_object(), "{}", r.stdout);
}

#[test]
fn nothing_printed_carries_a_colour_code() {
    let d = temp_dir("no-colour");
    let exp = root().join("experiments/mixed.ron");
    let r = sim_in(&d, &["run", exp.to_str().unwrap(), "--out", "out"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(!r.stdout.contains('\u{1b}') && !r.stderr.contains('\u{1b}'));
}

/// Runs sim with `args` in `cwd` under a pseudo-terminal (Python's `pty`), returning its exit
/// code and everything it wrote there.
fn sim_on_a_terminal(cwd: &std::path::Path, args: &[&str]) -> (i32, String) {
    let script = r#"
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.chdir(sys.argv[1])
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(cwd)
        .arg(env!("CARGO_BIN_EXE_sim"))
        .args(args)
        .output()
        .expect("python3 (the README's set-up needs it) runs the pseudo-terminal");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_progress_bar_shows_on_a_terminal_only_and_not_when_quiet() {
    let d = temp_dir("progress-tty");
    let sweep = root().join("experiments/sweep_threads.ron");
    let sweep = sweep.to_str().unwrap();
    let (code, shown) = sim_on_a_terminal(&d, &["sweep", sweep, "--out", "tty"]);
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("/24 runs"),
        "a terminal shows the bar:\n{shown}"
    );
    let (code, quiet) = sim_on_a_terminal(&d, &["sweep", sweep, "--out", "q", "--quiet"]);
    assert_eq!(code, 0, "{quiet}");
    assert!(!quiet.contains(" runs "), "--quiet hides it:\n{quiet}");
    let r = sim_in(&d, &["sweep", sweep, "--out", "pipe"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        !r.stderr.contains(" runs "),
        "a pipe gets no bar:\n{}",
        r.stderr
    );
}
