//! `World::build` refuses a topology the model cannot run, before time starts, with a message
//! naming the field and the fix; the checked config path never gets that far, so these
//! experiments are changed in code, as benchmarks and `sim validate` build theirs.

mod common;

use sim::error::SimError;
use sim::model::{BuildError, World};
use sim::runner::run_experiment;

/// A change made to a checked experiment.
type Change = fn(&mut sim::config::Experiment);

#[test]
fn zero_processes_threads_cores_or_intervals_are_refused_with_the_fix() {
    let cases: [(Change, BuildError, &str); 5] = [
        (
            |e| e.host.processes = 0,
            BuildError::NoProcesses,
            "host.processes to 1 or more",
        ),
        (
            |e| e.host.threads = 0,
            BuildError::NoThreads,
            "host.threads to 1 or more",
        ),
        (
            |e| e.host.cores = 0.0,
            BuildError::NoCores(0.0),
            "positive, finite number of cores",
        ),
        (
            |e| e.host.switch_interval_ns = 0,
            BuildError::NoSwitchInterval,
            "CPython's default is 5 ms",
        ),
        (
            |e| e.output.timeseries_interval_ns = 0,
            BuildError::NoSampleInterval,
            "needs a positive interval",
        ),
    ];
    for (change, expected, hint) in cases {
        let mut exp = common::experiment("io_bound", &[]);
        change(&mut exp);
        let err = World::build(&exp).err().expect("refused");
        assert_eq!(err, expected);
        assert!(err.to_string().contains(hint), "{err}");
        assert_eq!(run_experiment(&exp).err(), Some(expected));
    }
}

#[test]
fn a_refused_build_is_an_input_error() {
    let err = SimError::from(BuildError::NoProcesses);
    assert_eq!(err.exit_code(), 2);
    assert!(err
        .to_string()
        .starts_with("cannot build the model: host.processes = 0"));
}

#[test]
fn a_free_threaded_build_needs_no_switch_interval() {
    let mut exp = common::experiment("io_bound", &[]);
    exp.host.free_threaded = true;
    exp.host.switch_interval_ns = 0;
    assert!(World::build(&exp).is_ok());
}
