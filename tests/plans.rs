//! Plans and cost (issue 8, items 1, 4 and 7): picking a plan, what it sets, what it refuses,
//! and a hand-computed cost for each family on one fixed schedule.
//!
//! The schedule: 4 invocations of 1.25 s of blocking I/O at t = 0 and 2 more at t = 10 s, on
//! one instance with 4 threads and no dispatch costs, so the instance is busy 0-1.25 s and
//! 10-11.25 s (2.5 s; Flex bills each stretch in 100 ms steps: 1.3 + 1.3 = 2.6 s), the run
//! lasts 11.25 s, and 6 executions run. A month is 730 h = 233,600 such runs.

use sim::config::parse_experiment;
use sim::error::SimError;
use sim::metrics::Cost;
use sim::runner::run_experiment;
use std::path::Path;

const RUNS_PER_MONTH: f64 = 730.0 * 3600.0 / 11.25;

fn schedule(extra: &str) -> String {
    format!(
        r#"Experiment(
    name: "cost_schedule",
    host: Host(
        cores: 2.0, processes: 1, threads: 4,
        dispatch: Dispatch(transport_us: 0, receive_us: 0, dispatch_us: 0, executor_handoff_us: 0,
            task_start_us: 0, complete_us: 0, respond_us: 0, gil_handover_us: 0, timer_slack_us: 0,
            jitter_sigma: 0, sleeper_wake_max_us: 0, host_response_us: 0, host_request_us: 0),
    ),
    functions: [
        FunctionUse(function: Inline(Function(name: "first", kind: Sync, body: [BlockingIo(Constant(1250))])),
            workload: Burst(n: 4, at_ms: 0)),
        FunctionUse(function: Inline(Function(name: "second", kind: Sync, body: [BlockingIo(Constant(1250))])),
            workload: Burst(n: 2, at_ms: 10000)),
    ],
    output: Output(invocations: false),
    {extra}
)"#
    )
}

fn cost_of(extra: &str, sets: &[&str]) -> Cost {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let exp = parse_experiment(&schedule(extra), Path::new("schedule.ron"), &sets).unwrap();
    let out = run_experiment(&exp).unwrap();
    assert_eq!(out.summary.sim_end_ms, 11250.0, "the schedule's length");
    out.summary.cost.expect("a plan gives a cost")
}

/// Consumption with the billed memory fixed at the instance's 1536 MB.
const FIXED_1536: &str =
    r#"plan: "Consumption", plan_overrides: Plan(price: Price(billed_memory_mb: 1536)),"#;

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-6), "{a} != {b}");
}

#[test]
fn consumption_bills_gb_s_while_busy_at_the_rounded_memory_plus_executions() {
    // The modelled memory: one worker of 80 MB (its invocations hold nothing), billed as
    // 128 MB: 2.5 s busy x 0.125 GB = 0.3125 GB-s.
    close(
        cost_of(r#"plan: "Consumption","#, &[]).items[0].quantity,
        0.3125,
    );
    // With 300 MB of imports: 380 MB, billed as 384 MB (3 x 128): 2.5 s x 0.375 GB.
    let imports = cost_of(
        r#"plan: "Consumption", memory: Memory(imports_mb: 300),"#,
        &[],
    );
    close(imports.items[0].quantity, 0.9375);
    // The billed memory fixed at the instance's 1536 MB (1.5 GB): 2.5 s x 1.5 = 3.75 GB-s;
    // 6 executions.
    let c = cost_of(FIXED_1536, &[]);
    close(c.items[0].quantity, 3.75);
    close(c.items[1].quantity, 6e-6);
    close(c.run, 3.75 * 0.000016 + 6e-6 * 0.20);
    close(
        c.per_month,
        (3.75 * 0.000016 + 6e-6 * 0.20) * RUNS_PER_MONTH,
    );
    // 200 MB is billed as 256 MB: 2.5 s x 0.25 GB.
    let small = cost_of(
        r#"plan: "Consumption", plan_overrides: Plan(price: Price(billed_memory_mb: 200)),"#,
        &[],
    );
    close(small.items[0].quantity, 0.625);
}

#[test]
fn the_free_grant_comes_off_the_month_only_when_asked() {
    let c = cost_of(
        r#"plan: "Consumption", plan_overrides: Plan(price: Price(billed_memory_mb: 1536, apply_free_grant: true)),"#,
        &[],
    );
    // A month: 876,000 GB-s - 400,000 free; 1.4016 M executions - 1 M free.
    close(c.items[0].month_quantity, 876_000.0);
    close(c.items[0].month_free, 400_000.0);
    close(c.per_month, 476_000.0 * 0.000016 + 0.4016 * 0.20);
    close(c.run, 3.75 * 0.000016 + 6e-6 * 0.20);
    assert!(c.free_grant_applied);
}

#[test]
fn flex_bills_each_busy_stretch_in_100_ms_steps_of_the_instance_size() {
    let c = cost_of(r#"plan: "Flex2048","#, &[]);
    // (1.3 + 1.3) s x 2 GB = 5.2 GB-s on demand.
    close(c.items[0].quantity, 5.2);
    close(c.run, 5.2 * 0.000026 + 6e-6 * 0.40);
    close(c.per_month, (5.2 * 0.000026 + 6e-6 * 0.40) * RUNS_PER_MONTH);
}

#[test]
fn flex_always_ready_pays_its_baseline_all_run_and_the_lower_rate_while_busy() {
    let c = cost_of(
        r#"plan: "Flex2048", scale: Scale(always_ready: 1, max_instances: 1),"#,
        &[],
    );
    let item = |what: &str| c.items.iter().find(|i| i.what == what).unwrap().quantity;
    close(item("on-demand execution"), 0.0);
    close(item("always-ready baseline"), 11.25 * 2.0);
    close(item("always-ready execution"), 5.2);
    close(c.run, 22.5 * 0.000004 + 5.2 * 0.000016 + 6e-6 * 0.40);
}

#[test]
fn premium_bills_the_allocated_instance_busy_or_idle() {
    let c = cost_of(r#"plan: "EP1","#, &[]);
    let hours = 11.25 / 3600.0;
    close(c.items[0].quantity, hours);
    close(c.items[1].quantity, hours * 3.5);
    close(c.run, hours * (0.173 + 3.5 * 0.0123));
    // A month of one EP1 instance: 730 h x ($0.173 + 3.5 x $0.0123) = $157.7165 [ref §8].
    close(c.per_month, 157.7165);
}

#[test]
fn dedicated_bills_instance_hours() {
    let c = cost_of(r#"plan: "P1v3","#, &[]);
    close(c.items[0].quantity, 11.25 / 3600.0);
    close(c.per_month, 730.0 * 0.155);
}

#[test]
fn an_experiment_without_a_plan_has_no_cost() {
    let exp = parse_experiment(&schedule(""), Path::new("schedule.ron"), &[]).unwrap();
    assert!(exp.plan.is_none());
    assert!(run_experiment(&exp).unwrap().summary.cost.is_none());
}

#[test]
fn a_plan_sets_the_cores_and_the_scale_defaults_and_the_experiment_wins() {
    let text =
        schedule("plan: \"EP2\", scale: Scale(drain_grace_s: 60),").replace("cores: 2.0, ", "");
    let exp = parse_experiment(&text, Path::new("x.ron"), &[]).unwrap();
    assert_eq!(exp.host.cores, 2.0, "EP2 has 2 vCPUs");
    let scale = exp.scale.unwrap();
    assert_eq!(
        (scale.always_ready, scale.prewarmed),
        (1, 1),
        "Premium's defaults"
    );
    assert_eq!(
        scale.drain_grace_ns, 60_000_000_000,
        "the experiment's own value"
    );
    let plan = exp.plan.unwrap();
    assert_eq!(plan.function_timeout_s, 1800.0);
    assert_eq!(exp.function_timeout_ns, Some(1_800_000_000_000));
    let over = parse_experiment(&text, Path::new("x.ron"), &["host.cores=3".into()]).unwrap();
    assert_eq!(over.host.cores, 3.0);
}

fn problems(extra: &str, sets: &[&str]) -> Vec<String> {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    match parse_experiment(&schedule(extra), Path::new("bad.ron"), &sets) {
        Err(SimError::Invalid(p)) => p.iter().map(|p| p.to_string()).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn an_unknown_plan_lists_the_valid_ones() {
    let p = problems(r#"plan: "EP9","#, &[]);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("bad.ron:16:"), "{}", p[0]);
    assert!(p[0].contains("`plan` = \"EP9\" is not a plan"), "{}", p[0]);
    for name in ["Consumption", "Flex2048", "EP1", "EP3", "P1v3"] {
        assert!(p[0].contains(name), "{}", p[0]);
    }
}

#[test]
fn impossible_combinations_are_refused_with_their_place_and_why() {
    let p = problems(
        r#"plan: "Consumption",
    function_timeout_s: 900,
    scale: Scale(always_ready: 2, max_instances: 150),"#,
        &[],
    );
    let find = |field: &str| {
        p.iter()
            .find(|m| m.contains(field))
            .cloned()
            .unwrap_or_default()
    };
    let timeout = find("`function_timeout_s` = 900");
    assert!(
        timeout.starts_with("bad.ron:17:") && timeout.contains("at most 600 s"),
        "{p:#?}"
    );
    let ready = find("`scale.always_ready` = 2");
    assert!(
        ready.starts_with("bad.ron:18:") && ready.contains("no always-ready"),
        "{p:#?}"
    );
    let most = find("`scale.max_instances` = 150");
    assert!(
        most.contains("at most 100 instances on Consumption"),
        "{p:#?}"
    );
}

#[test]
fn a_memory_size_flex_does_not_offer_is_refused() {
    let p = problems(
        r#"plan: "Flex2048", plan_overrides: Plan(memory_mb: 1024),"#,
        &[],
    );
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("`plan_overrides.memory_mb` = 1024"),
        "{}",
        p[0]
    );
    assert!(p[0].contains("512, 2048, 4096"), "{}", p[0]);
    let by_set = problems(r#"plan: "Flex2048","#, &["plan_overrides.memory_mb=1000"]);
    assert!(
        by_set[0].starts_with("--set plan_overrides.memory_mb=1000"),
        "{}",
        by_set[0]
    );
}

#[test]
fn premium_keeps_an_always_ready_instance_and_dedicated_does_not_scale_on_events() {
    let p = problems(r#"plan: "EP1", scale: Scale(always_ready: 0),"#, &[]);
    assert!(p[0].contains("at least 1 on EP1"), "{p:?}");
    let p = problems(r#"plan: "P1v3", scale: Scale(max_instances: 4),"#, &[]);
    assert!(p[0].contains("does not scale on events"), "{p:?}");
    let p = problems(r#"plan: "Consumption", scale: Scale(prewarmed: 1),"#, &[]);
    assert!(
        p[0].contains("no a pre-warmed buffer") || p[0].contains("pre-warmed"),
        "{p:?}"
    );
}

#[test]
fn set_picks_a_plan_by_name() {
    let exp = parse_experiment(&schedule(""), Path::new("x.ron"), &["plan=ep3".into()]).unwrap();
    assert_eq!(exp.plan.unwrap().name, "EP3");
}
