//! "What limits this app": each limit found in the experiment that shows it, with the setting
//! to try; a balanced app gets none; `--advise` runs the suggestion beside the original.

mod common;
use common::*;
use sim::analysis::advice::{advise, Advice};

fn advice_of(name: &str, sets: &[&str]) -> Vec<Advice> {
    let exp = experiment(name, sets);
    let out = run(name, sets);
    advise(&exp, &out.summary)
}

fn find<'a>(advice: &'a [Advice], limit: &str) -> &'a Advice {
    advice
        .iter()
        .find(|a| a.limit == limit)
        .unwrap_or_else(|| panic!("{limit} in {advice:?}"))
}

#[test]
fn cpu_bound_python_on_one_process_is_gil_bound_and_more_processes_help() {
    let advice = advice_of("cpu_bound", &[]);
    let a = find(&advice, "GIL-bound");
    assert_eq!(a.try_sets, ["host.processes=2"]);
    assert_eq!(advice[0].limit, "GIL-bound", "the one to try first");
}

#[test]
fn io_bound_waits_for_pool_threads_while_the_cores_idle() {
    let advice = advice_of("io_bound", &[]);
    let a = find(&advice, "thread pool saturated");
    assert_eq!(a.try_sets, ["host.threads=64"]);
    assert!(advice.iter().all(|a| a.limit != "GIL-bound"), "{advice:?}");
    // With enough threads for the load the pool no longer limits it.
    let enough = advice_of("io_bound", &["host.threads=64"]);
    assert!(
        enough.iter().all(|a| a.limit != "thread pool saturated"),
        "{enough:?}"
    );
}

#[test]
fn a_blocking_call_in_async_def_is_named_with_its_loop_share() {
    let advice = advice_of("async_pitfalls", &[]);
    let a = find(&advice, "event loop blocked");
    assert!(a.evidence.contains("`blocking_in_async`"), "{}", a.evidence);
}

#[test]
fn memory_and_scaling_limits_are_found_where_they_bind() {
    let oom = advice_of("memory_oom", &[]);
    assert_eq!(oom[0].limit, "memory near its limit", "{oom:?}");
    assert_eq!(oom[0].try_sets, ["host.processes=3"]);
    let burst = advice_of("queue_burst", &[]);
    let a = find(&burst, "scale-limited");
    assert!(a.try_sets[0].starts_with("scale.max_instances="), "{a:?}");
}

#[test]
fn a_balanced_app_gets_no_advice() {
    assert_eq!(advice_of("mixed", &[]), Vec::<Advice>::new());
}

#[test]
fn advise_runs_the_suggestion_beside_the_original() {
    let d = temp_dir("advise");
    let exp = root().join("experiments/cpu_bound.ron");
    let r = sim_in(
        &d,
        &["run", exp.to_str().unwrap(), "--out", "out", "--advise"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("advised (GIL-bound)"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    let p99 = |l: &str| {
        l.split_whitespace()
            .rev()
            .nth(3)
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    let (before, after) = (lines[at + 2], lines[at + 3]);
    assert!(before.trim_start().starts_with("as run") && after.contains("host.processes=2"));
    assert!(
        p99(after) < p99(before),
        "two processes beat one GIL:\n{before}\n{after}"
    );
    assert!(
        !d.join("out/advised").exists(),
        "the advised run writes no files"
    );
}
