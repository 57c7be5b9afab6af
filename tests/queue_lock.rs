//! The executors' work queue hands its lock on as CPython 3.11's `SimpleQueue` does: a pool
//! thread woken for an item wakes the next idle thread on its way out, and that one takes the
//! GIL, finds nothing and sleeps again (`notebooks/measurements/queue-lock-2026-12-06`). Its
//! wait for the GIL ends in a drop request that forces the running body off.

mod common;
use common::*;
use sim::metrics::thread_states::{StateRow, ThreadName, ThreadState};

const REQUESTS: usize = 20;

/// One client sending 20 ms pure-Python `def` requests 100 ms apart to one worker whose
/// `threads` pool threads are all started up front, with every thread's stretches kept.
fn isolated_bodies(threads: u32) -> String {
    format!(
        r#"Experiment(name: "isolated", host: Host(cores: 2.0, processes: 1, threads: {threads},
        prewarm_pools: true),
        functions: [FunctionUse(function: Inline(Function(name: "cpu", kind: Sync,
            body: [Cpu(Constant(20.0))])),
            workload: ClosedLoop(clients: 1, think: Constant(100.0),
                requests_per_client: {REQUESTS}))],
        output: Output(thread_states: Some((from_s: 0, to_s: 100))))"#
    )
}

fn is_pool(r: &StateRow) -> bool {
    matches!(r.place.thread, ThreadName::Pool(_))
}

/// Per body (a pool thread's Python for an invocation, first to last), how many other pool
/// threads waited for the GIL while it ran, and how often its own thread was forced off.
fn per_body(rows: &[StateRow]) -> Vec<(usize, usize)> {
    let mut bodies: Vec<(u64, ThreadName, u64, u64)> = Vec::new();
    for r in rows.iter().filter(|r| is_pool(r)) {
        let Some(inv) = r.work.invocation else {
            continue;
        };
        match bodies.iter_mut().find(|b| b.0 == inv) {
            Some(b) => {
                b.2 = b.2.min(r.start);
                b.3 = b.3.max(r.end);
            }
            None => bodies.push((inv, r.place.thread, r.start, r.end)),
        }
    }
    bodies
        .iter()
        .map(|&(inv, thread, start, end)| {
            let waits_beside = rows
                .iter()
                .filter(|r| is_pool(r) && r.place.thread != thread)
                .filter(|r| r.work.state == ThreadState::GilWait && r.work.invocation.is_none())
                .filter(|r| r.start < end && r.end > start)
                .count();
            let forced_off = rows
                .iter()
                .filter(|r| r.place.thread == thread && r.work.invocation == Some(inv))
                .filter(|r| r.work.state == ThreadState::GilWait && r.start > start)
                .count();
            (waits_beside, forced_off)
        })
        .collect()
}

#[test]
fn each_item_a_woken_thread_takes_wakes_one_more_idle_thread_for_nothing() {
    let out = run_text(&isolated_bodies(4), &[]);
    let bodies = per_body(&out.thread_states);
    assert_eq!(bodies.len(), REQUESTS, "{bodies:?}");
    for (i, &(waits_beside, forced_off)) in bodies.iter().enumerate() {
        // The next idle thread waits for the GIL the body holds, asks for it after a switch
        // interval and takes it for nothing, forcing the body off once.
        assert_eq!((waits_beside, forced_off), (1, 1), "body {i}: {bodies:?}");
    }
}

#[test]
fn a_pool_of_one_thread_has_no_one_to_hand_the_lock_to() {
    let out = run_text(&isolated_bodies(1), &[]);
    let bodies = per_body(&out.thread_states);
    assert_eq!(bodies.len(), REQUESTS, "{bodies:?}");
    assert!(bodies.iter().all(|&b| b == (0, 0)), "{bodies:?}");
}
