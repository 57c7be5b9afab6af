//! Outputs of runs refused for bad input: the previous outputs stay byte-identical, no folder is
//! created, and a folder of other files is never replaced.

use super::*;

#[test]
fn a_failed_run_leaves_the_previous_outputs_byte_identical() {
    let fx = Fixture::new("outputs");
    let good = fx.write(
        "good.ron",
        &experiment("good", "cores: 1.0, threads: 2", &[ok_function()]),
    );
    let bad = fx.write(
        "bad.ron",
        &experiment("good", "cores: 1.0, threads: 0", &[ok_function()]),
    );
    let out = fx.dir.join("results").join("out");
    let out_arg = out.to_str().unwrap();

    let first = sim(&fx.dir, &["run", good.to_str().unwrap(), "--out", out_arg]);
    assert_eq!(first.code, Some(0), "stderr:\n{}", first.stderr);
    assert!(first.stdout.contains("wrote"), "{}", first.stdout);
    let files = [
        "invocations.csv",
        "manifest.json",
        "summary.json",
        "timeseries.csv",
    ];
    assert_eq!(Fixture::entries(&out), files);
    let before: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(out.join(f)).unwrap())
        .collect();
    assert!(before.iter().all(|bytes| !bytes.is_empty()));
    let csv = String::from_utf8(before[0].clone()).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 5,
        "a header and one row per invocation"
    );

    // An invalid file, and a valid file with an invalid override, both at the same --out.
    let second = sim(&fx.dir, &["run", bad.to_str().unwrap(), "--out", out_arg]);
    input_error(&second);
    let third = sim(
        &fx.dir,
        &[
            "run",
            good.to_str().unwrap(),
            "--out",
            out_arg,
            "--set",
            "host.cores=0",
        ],
    );
    input_error(&third);

    assert_eq!(Fixture::entries(&out), files);
    for (f, bytes) in files.iter().zip(&before) {
        assert_eq!(&std::fs::read(out.join(f)).unwrap(), bytes, "{f} changed");
    }
    let siblings = Fixture::entries(out.parent().unwrap());
    assert_eq!(
        siblings,
        ["out"],
        "no staging (.out.partial-*) or .old folder is left behind"
    );
}

#[test]
fn a_failed_run_without_out_creates_no_outputs_folder() {
    let fx = Fixture::new("no-outputs");
    let bad = fx.write(
        "bad.ron",
        &experiment("bad", "processes: 0", &[ok_function()]),
    );
    let run = sim(&fx.dir, &["run", bad.to_str().unwrap()]);
    input_error(&run);
    assert_eq!(Fixture::entries(&fx.dir), ["bad.ron"]);
}

#[test]
fn check_exits_0_on_a_valid_file_and_2_on_an_invalid_one() {
    let fx = Fixture::new("check");
    let good = fx.write(
        "good.ron",
        &experiment("good", "processes: 2, threads: 3", &[ok_function()]),
    );
    let bad = fx.write(
        "bad.ron",
        &experiment("bad", "processes: 11", &[ok_function()]),
    );

    let ok = check(&fx, &good);
    assert_eq!(ok.code, Some(0), "stderr:\n{}", ok.stderr);
    assert!(
        ok.stdout
            .contains("ok (1 function(s), 2 process(es) x 3 thread(s))"),
        "{}",
        ok.stdout
    );
    assert!(ok.stderr.is_empty(), "{}", ok.stderr);

    let not_ok = check(&fx, &bad);
    problem_line(input_error(&not_ok), &bad, "host.processes");
    assert!(not_ok.stdout.is_empty(), "{}", not_ok.stdout);

    assert_eq!(
        Fixture::entries(&fx.dir),
        ["bad.ron", "good.ron"],
        "check writes nothing"
    );
}

#[test]
fn out_never_replaces_a_folder_that_is_not_a_sim_output() {
    let fx = Fixture::new("out-foreign");
    let file = fx.write("ok.ron", &experiment("ok", "", &[ok_function()]));
    let foreign = fx.dir.join("notes");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let run = sim(
        &fx.dir,
        &[
            "run",
            file.to_str().unwrap(),
            "--out",
            foreign.to_str().unwrap(),
        ],
    );
    let err = input_error(&run);
    assert!(err.contains("not an earlier sim output"), "{err}");
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(Fixture::entries(&foreign), ["notes.txt"]);
}
