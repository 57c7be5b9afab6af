//! How long a `def` body waits to start when it arrives while another body of its process
//! runs pure-Python CPU and a pool thread is free: the request must pass the receiver, the
//! loop and a pool thread, each of which needs the GIL from the running body.
//!
//! With every CPU busy (two processes of CPU threads on two cores) the real worker pays one
//! switch interval for the whole chain: the holder forced off by the receiver must get a CPU
//! before it can queue for the GIL again, and the threads woken beside it run first, so the
//! GIL passes receiver -> loop -> pool thread without going back to the body. Measured on
//! CPython 3.11 (eighth round, `j_poisson_cpu20_P2_T2_rho75`, `r1`): a median of 5.4, 6.0 and
//! 5.4 ms over its three repetitions. With a CPU idle (one process), the forced-off body is
//! back in the queue at once and takes the GIL back between the hops: 12.9-14.8 ms
//! (`i_poisson_cpu25_P1_T2_rho90`, 2026-12-04e hold-out).

mod common;

/// Start delays (ms) of the bodies that arrive while exactly one body of their process runs,
/// with more than 12 ms of it left, and none waits; `other_busy`: only those arriving while
/// another process has a body running for 5 ms more (every CPU busy).
fn start_delays_ms(processes: u32, threads: u32, rate_per_s: f64, other_busy: bool) -> Vec<f64> {
    let text = format!(
        "Experiment(name: \"chain\", seed: 3,
            host: Host(cores: 2.0, processes: {processes}, threads: {threads}, python: \"3.11\"),
            functions: [FunctionUse(
                function: Inline(Function(name: \"cpu20\", kind: Sync, body: [Cpu(Constant(20.0))])),
                workload: Poisson(rate_per_s: {rate_per_s}, duration_s: 20.0),
            )])"
    );
    let out = common::run_text(&text, &[]);
    let ms = |ns: u64| ns as f64 / 1e6;
    let rows: Vec<(u16, f64, f64, f64)> = out
        .rows
        .iter()
        .map(|r| {
            let (start, end) = (r.start.unwrap(), r.end.unwrap());
            (r.process.unwrap(), ms(r.arrival), ms(start), ms(end))
        })
        .collect();
    let mut delays = Vec::new();
    for &(p, a, s, _) in &rows {
        let running: Vec<_> = rows
            .iter()
            .filter(|r| r.0 == p && r.2 <= a && a < r.3)
            .collect();
        let waiting = rows.iter().any(|r| r.0 == p && r.1 < a && r.2 > a);
        let busy_beside = rows.iter().any(|r| r.0 != p && r.2 <= a && r.3 > a + 5.0);
        if running.len() == 1 && running[0].3 - a > 12.0 && !waiting && busy_beside == other_busy {
            delays.push(s - a);
        }
    }
    delays
}

#[test]
fn with_every_cpu_busy_the_chain_pays_one_switch_interval() {
    let delays = start_delays_ms(2, 2, 75.0, true);
    assert!(delays.len() > 100, "{} bodies", delays.len());
    let median = common::median(&delays);
    assert!((5.0..7.0).contains(&median), "median {median:.2} ms");
}

#[test]
fn with_a_cpu_idle_the_forced_off_body_takes_the_gil_back_between_hops() {
    let delays = start_delays_ms(1, 2, 36.0, false);
    assert!(delays.len() > 30, "{} bodies", delays.len());
    let median = common::median(&delays);
    assert!(median > 10.0, "median {median:.2} ms");
}
