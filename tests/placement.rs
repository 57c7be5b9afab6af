//! Where woken threads run (`host.placement`): the capacity that per-CPU placement loses is
//! reported (`cpu_idle_while_waiting` in summary.json), and where GIL hand-overs ran
//! (`gil_handovers`), only where threads are placed.

mod common;

/// The CPU-bound burst of `experiments/cpu_bound.ron` with P processes of T threads.
fn burst(processes: u32, threads: u32, placement: &str) -> sim::metrics::summary::RunSummary {
    let sets = [
        format!("host.processes={processes}"),
        format!("host.threads={threads}"),
        format!("host.placement={placement}"),
    ];
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    common::run("cpu_bound", &sets).summary
}

#[test]
fn processor_sharing_loses_nothing_and_says_nothing() {
    let s = burst(2, 6, "Spread");
    assert_eq!(s.cpu_idle_while_waiting, None);
    assert_eq!(s.cpu_stalls, None);
    assert_eq!(s.gil_handovers, None);
    let json = serde_json::to_value(&s).unwrap();
    assert!(json.get("cpu_idle_while_waiting").is_none(), "{json}");
    assert!(json.get("cpu_stalls").is_none(), "{json}");
    assert!(json.get("gil_handovers").is_none(), "{json}");
}

#[test]
fn home_cpus_lose_cores_when_processes_of_several_cpu_threads_share_them() {
    // Two processes of six CPU-bound threads: GIL hand-overs wake threads on the other
    // process's CPU while their own idles (the 2 x 6 burst's perf sched record: 17% of the
    // CPUs' time).
    let many = burst(2, 6, "HomeCpu");
    let lost = many.cpu_idle_while_waiting.expect("reported with HomeCpu");
    assert!(lost > 0.05, "{lost}");
    assert!(
        lost <= 1.0 - many.cpu_utilisation + 1e-6,
        "{lost} of {}",
        many.cpu_utilisation
    );
    // One thread per process: each keeps its CPU, almost nothing is lost.
    let one = burst(2, 1, "HomeCpu").cpu_idle_while_waiting.unwrap();
    assert!(one < lost / 5.0, "{one} against {lost}");
}

#[test]
fn the_lost_capacity_is_counted_stall_by_stall() {
    // Two CPUs: one idles through each stall, so the stalls' wall time in all is the lost
    // share of the two CPUs' time.
    let s = burst(2, 6, "HomeCpu");
    let lost = s.cpu_idle_while_waiting.expect("reported");
    let stalls = s.cpu_stalls.expect("reported with HomeCpu");
    assert!(stalls.count > 1, "{stalls:?}");
    let stalled_ms = stalls.count as f64 * stalls.mean_ms;
    let lost_ms = lost * 2.0 * s.sim_end_ms;
    assert!(
        (stalled_ms - lost_ms).abs() <= 0.01 * lost_ms + 0.01,
        "{stalled_ms} ms stalled against {lost_ms} ms lost"
    );
    let per_s = stalls.count as f64 / (s.sim_end_ms / 1000.0);
    assert!((stalls.per_s - per_s).abs() < 1e-3, "{stalls:?}");
}

#[test]
fn where_gil_hand_overs_ran_is_reported_with_home_cpus() {
    // Two processes of six CPU-bound threads: every forced switch hands the GIL to a pool
    // thread, on the waker's CPU, beside the other process's holder, or on an idle CPU.
    let many = burst(2, 6, "HomeCpu").gil_handovers.expect("reported");
    let total = many.waker_cpu + many.busy_cpu + many.idle_cpu;
    assert!(total >= 20, "{many:?}");
    assert!(many.busy_cpu > 0 && many.waker_cpu > 0, "{many:?}");
    // One thread per process: no hand-over between body threads of a process (the dispatch
    // path's hand-overs to the pool thread are not counted, as in the `perf sched` reading).
    let one = burst(1, 1, "HomeCpu").gil_handovers.expect("reported");
    assert_eq!(one, Default::default(), "{one:?}");
}

/// The makespan of the CPU-bound burst with P processes of T threads, placed by `placement`,
/// when a GIL hand-over on full cores takes `busy_us`.
fn makespan_with_busy_handover(processes: u32, threads: u32, placement: &str, busy_us: u32) -> f64 {
    let sets = [
        format!("host.processes={processes}"),
        format!("host.threads={threads}"),
        format!("host.placement={placement}"),
        format!("host.dispatch.gil_handover_busy_us={busy_us}"),
    ];
    let sets: Vec<&str> = sets.iter().map(String::as_str).collect();
    common::run("cpu_bound", &sets).summary.makespan_ms
}

#[test]
fn a_hand_over_takes_the_busy_wake_up_unless_its_thread_wakes_an_idle_cpu() {
    // Two processes of two CPU-bound threads fill both CPUs: every forced switch wakes the new
    // holder on a busy CPU, so its wake-up is the busy figure.
    let quick = makespan_with_busy_handover(2, 2, "HomeCpu", 6);
    let slow = makespan_with_busy_handover(2, 2, "HomeCpu", 1000);
    assert!(slow > quick * 1.05, "{slow} against {quick}");
    // One process leaves a CPU idle beside most of its hand-overs. With home CPUs the woken
    // thread still runs at the busy figure when its home is the releaser's CPU (Linux switches
    // to it there as the releaser blocks); only one whose home idles pays the idle exit. So the
    // busy figure weighs on one process too.
    let one_quick = makespan_with_busy_handover(1, 2, "HomeCpu", 6);
    let one_slow = makespan_with_busy_handover(1, 2, "HomeCpu", 1000);
    assert!(
        one_slow > one_quick * 1.05,
        "one process: {one_slow} against {one_quick}"
    );
    // Processor sharing places no thread: with a core idle the woken thread runs there, after
    // the idle exit, so for one process the busy figure applies to nearly none.
    let shared_quick = makespan_with_busy_handover(1, 2, "Spread", 6);
    let shared_slow = makespan_with_busy_handover(1, 2, "Spread", 1000);
    assert!(
        shared_slow - shared_quick < (slow - quick) / 3.0,
        "one process shared: {shared_slow} against {shared_quick}; two: {slow} against {quick}"
    );
    // Processor sharing has no CPUs to place threads on, but full cores are full cores: the
    // busy figure applies there too.
    let spread_quick = makespan_with_busy_handover(2, 2, "Spread", 6);
    let spread_slow = makespan_with_busy_handover(2, 2, "Spread", 1000);
    assert!(
        spread_slow > spread_quick * 1.05,
        "{spread_slow} against {spread_quick}"
    );
}
