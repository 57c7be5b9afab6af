//! `--out` never costs a user a file: sim replaces only the files its signed manifest lists,
//! refuses folders it cannot prove it wrote, and leaves the previous outputs as they were when
//! a run fails (a file in the way, an unwritable place, a full disk) or was killed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SMALL: &str = r#"Experiment(
    name: "small",
    host: Host(cores: 1.0, processes: 1, threads: 2),
    functions: [FunctionUse(
        function: Inline(Function(name: "f", kind: Sync, body: [BlockingIo(Constant(10.0))])),
        workload: Burst(n: 5),
    )],
)
"#;

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = common::temp_dir(&format!("out-{name}"));
        std::fs::write(d.join("small.ron"), SMALL).unwrap();
        Dir(d)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
    /// `sim run small.ron --out <out> <extra>` from this folder.
    fn run(&self, out: &str, extra: &[&str]) -> Output {
        self.run_in(&self.0, out, extra)
    }
    fn run_in(&self, cwd: &Path, out: &str, extra: &[&str]) -> Output {
        let exp = self.path("small.ron");
        Command::new(env!("CARGO_BIN_EXE_sim"))
            .current_dir(cwd)
            .args(["run", exp.to_str().unwrap(), "--out", out, "--quiet"])
            .args(extra)
            .output()
            .unwrap()
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(o));
}

const OUTPUTS: [&str; 4] = [
    "invocations.csv",
    "manifest.json",
    "summary.json",
    "timeseries.csv",
];

#[test]
fn a_folder_with_a_foreign_manifest_json_is_refused_and_untouched() {
    // The case from the reliability report: any manifest.json used to make a folder sim's.
    let d = Dir::new("foreign-manifest");
    d.write("p/manifest.json", r#"{"manifest_version":3}"#);
    d.write("p/src/app.js", "code");
    let run = d.run("p", &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(err.contains("not an earlier sim output"), "{err}");
    assert!(
        err.contains("manifest.json, src"),
        "names what is there: {err}"
    );
    assert_eq!(d.read("p/src/app.js"), "code");
    assert_eq!(d.read("p/manifest.json"), r#"{"manifest_version":3}"#);
    assert_eq!(entries(&d.path("p")), ["manifest.json", "src"]);
}

#[test]
fn files_a_user_adds_to_a_sim_output_survive_the_next_run() {
    let d = Dir::new("user-files");
    ok(&d.run("out", &[]));
    d.write("out/notes.txt", "my notes");
    d.write("out/plots/latency.png", "png");
    let before = d.read("out/summary.json");
    let rerun = d.run("out", &["--set", "host.threads=1"]);
    ok(&rerun);
    assert_eq!(d.read("out/notes.txt"), "my notes");
    assert_eq!(d.read("out/plots/latency.png"), "png");
    assert_ne!(
        d.read("out/summary.json"),
        before,
        "sim's own files are replaced"
    );
    let mut expected: Vec<&str> = OUTPUTS.to_vec();
    expected.extend(["notes.txt", "plots"]);
    expected.sort();
    assert_eq!(entries(&d.path("out")), expected, "no staging folder left");
}

#[test]
fn the_report_names_the_files_it_left_alone() {
    let d = Dir::new("report-kept");
    ok(&d.run("out", &[]));
    d.write("out/notes.txt", "mine");
    let exp = d.path("small.ron");
    let run = Command::new(env!("CARGO_BIN_EXE_sim"))
        .current_dir(&d.0)
        .args(["run", exp.to_str().unwrap(), "--out", "out"])
        .output()
        .unwrap();
    ok(&run);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        stdout.contains("left alone 1 file(s) sim did not write: notes.txt"),
        "{stdout}"
    );
}

#[test]
fn an_output_not_written_again_is_removed_but_only_if_sim_wrote_it() {
    let d = Dir::new("no-invocations");
    ok(&d.run("out", &[]));
    ok(&d.run("out", &["--no-invocations"]));
    assert_eq!(
        entries(&d.path("out")),
        ["manifest.json", "summary.json", "timeseries.csv"]
    );
    // Now invocations.csv is not sim's: a user's file of that name blocks a run that would
    // overwrite it.
    d.write("out/invocations.csv", "the user's own");
    let run = d.run("out", &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("`invocations.csv` that sim did not write"));
    assert_eq!(d.read("out/invocations.csv"), "the user's own");
}

#[test]
fn out_dot_writes_into_an_empty_folder_and_refuses_a_project_folder() {
    let d = Dir::new("dot");
    let empty = d.path("empty");
    std::fs::create_dir(&empty).unwrap();
    ok(&d.run_in(&empty, ".", &[]));
    assert_eq!(entries(&empty), OUTPUTS);
    ok(&d.run_in(&empty, ".", &[]));

    let project = d.path("project");
    d.write("project/Cargo.toml", "[package]");
    let run = d.run_in(&project, ".", &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert_eq!(entries(&project), ["Cargo.toml"]);
}

#[test]
fn a_file_in_the_path_is_named_in_the_error() {
    let d = Dir::new("file-path");
    d.write("notes.txt", "mine");
    for out in ["notes.txt", "notes.txt/sub"] {
        let run = d.run(out, &[]);
        assert_eq!(run.status.code(), Some(2), "{out}: {}", stderr(&run));
        let err = stderr(&run);
        assert!(
            err.contains("notes.txt") && err.contains("is a file"),
            "{err}"
        );
        assert!(!err.contains("File exists"), "{err}");
    }
    assert_eq!(d.read("notes.txt"), "mine");
}

#[test]
fn an_unwritable_place_fails_with_exit_1_before_the_run() {
    // /sys refuses new folders even to root, unlike a chmod-ed folder.
    let d = Dir::new("unwritable");
    let run = d.run("/sys/sim-output-test", &[]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("cannot write /sys/sim-output-test"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn a_full_disk_leaves_the_previous_outputs_byte_identical() {
    // A file-size limit makes writes fail as a full disk does (EFBIG instead of ENOSPC);
    // SIGXFSZ is ignored so the write returns the error instead of killing the process.
    let d = Dir::new("full-disk");
    ok(&d.run("out", &[]));
    let before: Vec<String> = OUTPUTS
        .iter()
        .map(|f| d.read(&format!("out/{f}")))
        .collect();
    let exp = d.path("small.ron");
    let script = format!(
        "trap '' XFSZ; ulimit -f 8; exec '{}' run '{}' --out out --quiet --set functions.0.workload.n=20000",
        env!("CARGO_BIN_EXE_sim"),
        exp.display()
    );
    let run = Command::new("sh")
        .current_dir(&d.0)
        .args(["-c", &script])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(stderr(&run).contains("cannot write"), "{}", stderr(&run));
    let after: Vec<String> = OUTPUTS
        .iter()
        .map(|f| d.read(&format!("out/{f}")))
        .collect();
    assert_eq!(before, after);
    assert_eq!(entries(&d.path("out")), OUTPUTS, "no staging folder left");
}

#[test]
fn a_killed_runs_staging_folder_is_removed_at_the_next_start() {
    let d = Dir::new("killed");
    ok(&d.run("out", &[]));
    // What a run killed with SIGKILL leaves: its staging folder, named after a process that
    // no longer exists.
    d.write("out/.sim-staging-4294967294/summary.json", "half");
    d.write("out/.sim-staging-4294967294/.sim-staging", "");
    ok(&d.run("out", &[]));
    assert_eq!(entries(&d.path("out")), OUTPUTS);
}

#[test]
fn a_users_folder_that_looks_like_a_staging_folder_is_never_removed() {
    // Only a folder holding sim's marker is a staging folder; in a folder sim refuses, not
    // even those are touched.
    let d = Dir::new("fake-staging");
    d.write("f1/.sim-staging-999999/data.txt", "precious");
    d.write("f1/notes.txt", "mine");
    let run = d.run("f1", &[]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert_eq!(d.read("f1/.sim-staging-999999/data.txt"), "precious");
    d.write("f2/.sim-staging-999999/data.txt", "precious");
    let run = d.run("f2", &[]);
    assert_eq!(run.status.code(), Some(2), "not empty: {}", stderr(&run));
    assert_eq!(d.read("f2/.sim-staging-999999/data.txt"), "precious");
}

#[test]
fn a_folder_in_the_way_of_an_output_fails_before_any_file_is_replaced() {
    let d = Dir::new("in-the-way");
    ok(&d.run("p", &[]));
    let before: Vec<String> = ["summary.json", "invocations.csv", "manifest.json"]
        .iter()
        .map(|f| d.read(&format!("p/{f}")))
        .collect();
    std::fs::remove_file(d.path("p/timeseries.csv")).unwrap();
    std::fs::create_dir(d.path("p/timeseries.csv")).unwrap();
    let run = d.run("p", &["--seed", "5"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(stderr(&run).contains("`timeseries.csv` there is a folder"));
    let after: Vec<String> = ["summary.json", "invocations.csv", "manifest.json"]
        .iter()
        .map(|f| d.read(&format!("p/{f}")))
        .collect();
    assert_eq!(before, after, "nothing replaced");
}

#[test]
fn a_refused_run_creates_no_output_folder() {
    let d = Dir::new("refused");
    let run = d.run("new/out", &["--set", "functions.0.workload.n=1000000000"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(!d.path("new").exists());
}
