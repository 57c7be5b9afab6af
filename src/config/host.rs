//! Checking the host: cores, FUNCTIONS_WORKER_PROCESS_COUNT, PYTHON_THREADPOOL_THREAD_COUNT and
//! its defaults by Python version, the GIL switch interval and the worker's dispatch costs.

use super::checker::{ms_to_ns, Checker};
use super::limits::{self, Real};
use super::number::Num;
use super::raw::{RawDispatch, RawHost};
use super::{DispatchCosts, HostConfig};

/// vCPUs of an instance when neither the experiment nor a plan sets them.
const DEFAULT_CORES: f64 = 1.0;

impl Checker {
    /// The host; `plan_cores` are the plan's, used when `host.cores` is omitted (else 1).
    pub(super) fn host(&mut self, h: &RawHost, plan_cores: Option<f64>) -> HostConfig {
        let cores = match &h.cores {
            Some(n) => self.real("host.cores", n, &limits::CORES).unwrap_or(1.0),
            None => plan_cores.unwrap_or(DEFAULT_CORES),
        };
        let processes = self
            .whole("host.processes", &h.processes, &limits::PROCESSES)
            .unwrap_or(1) as u32;
        let (minor, version_free_threaded) = self.python(&h.python);
        let free_threaded = h.free_threaded || version_free_threaded;
        if free_threaded && minor < 13 {
            self.bad(
                "host.free_threaded",
                "true",
                "false below Python 3.13 (free-threaded builds exist from 3.13t)",
            );
        }
        let cpu_count = match &h.cpu_count {
            Some(n) => self.whole("host.cpu_count", n, &limits::CPU_COUNT),
            None => None,
        }
        .map_or(cores.max(1.0).ceil() as u32, |n| n as u32);
        let (threads, threads_source) = self.threads(h.threads.as_ref(), minor, cpu_count);
        let switch_interval_ms = self
            .real(
                "host.switch_interval_ms",
                &h.switch_interval_ms,
                &limits::SWITCH_INTERVAL_MS,
            )
            .unwrap_or(5.0);
        let start_s = self
            .real(
                "host.process_start_interval_s",
                &h.process_start_interval_s,
                &limits::PROCESS_START_INTERVAL_S,
            )
            .unwrap_or(0.0);
        let context_switch_us = self
            .real(
                "host.context_switch_us",
                &h.context_switch_us,
                &limits::CONTEXT_SWITCH_US,
            )
            .unwrap_or(0.0);
        HostConfig {
            cores,
            processes,
            threads,
            threads_source,
            default_executor_threads: default_executor_threads(cpu_count),
            cpu_count,
            python: h.python.clone(),
            free_threaded,
            switch_interval_ns: switch_interval_ns(switch_interval_ms),
            process_start_interval_ns: (start_s * 1e9) as u64,
            context_switch_ns: (context_switch_us * 1e3).round() as u64,
            placement: h.placement,
            prewarm_pools: h.prewarm_pools,
            dispatch: self.dispatch(&h.dispatch),
        }
    }

    /// The Python minor version and whether the version names a free-threaded build.
    fn python(&mut self, v: &str) -> (u32, bool) {
        parse_python(v).unwrap_or_else(|| {
            self.bad(
                "host.python",
                format!("{v:?}"),
                "\"3.6\" .. \"3.14\" (a \"t\" suffix, e.g. \"3.13t\", means free-threaded)",
            );
            (11, false)
        })
    }

    /// The thread-pool size and where it came from (set, capped, or the version's default).
    fn threads(&mut self, set: Option<&Num>, minor: u32, cpu_count: u32) -> (u32, String) {
        let Some(n) = set else {
            let t = default_pool_threads(minor, cpu_count);
            let rule = if minor <= 8 {
                "1"
            } else {
                "min(32, cpu_count + 4)"
            };
            return (t, format!("default for Python 3.{minor}: {rule} = {t}"));
        };
        match self.whole("host.threads", n, &limits::THREADS) {
            None => (1, String::new()),
            Some(t) if minor <= 7 && t > 32 => (
                32,
                format!("set to {t}, capped at 32 by Python 3.{minor}'s worker"),
            ),
            Some(t) => (t as u32, "set (PYTHON_THREADPOOL_THREAD_COUNT)".to_string()),
        }
    }

    /// The dispatch-path costs, each omitted one at its calibrated default.
    fn dispatch(&mut self, d: &RawDispatch) -> DispatchCosts {
        let cal = DispatchCosts::CALIBRATED;
        let mut us = |name: &str, v: &Option<Num>, default: u64| {
            self.optional(name, v, &limits::DISPATCH_US)
                .map_or(default, |x| (x * 1e3).round() as u64)
        };
        let costs = DispatchCosts {
            transport_ns: us("transport_us", &d.transport_us, cal.transport_ns),
            receive_ns: us("receive_us", &d.receive_us, cal.receive_ns),
            dispatch_ns: us("dispatch_us", &d.dispatch_us, cal.dispatch_ns),
            executor_handoff_ns: us(
                "executor_handoff_us",
                &d.executor_handoff_us,
                cal.executor_handoff_ns,
            ),
            task_start_ns: us("task_start_us", &d.task_start_us, cal.task_start_ns),
            complete_ns: us("complete_us", &d.complete_us, cal.complete_ns),
            respond_ns: us("respond_us", &d.respond_us, cal.respond_ns),
            gil_handover_ns: us("gil_handover_us", &d.gil_handover_us, cal.gil_handover_ns),
            gil_handover_busy_ns: us(
                "gil_handover_busy_us",
                &d.gil_handover_busy_us,
                cal.gil_handover_busy_ns,
            ),
            timer_slack_ns: us("timer_slack_us", &d.timer_slack_us, cal.timer_slack_ns),
            syscall_recent_window_ns: us(
                "syscall_recent_window_us",
                &d.syscall_recent_window_us,
                cal.syscall_recent_window_ns,
            ),
            sleeper_wake_max_ns: us(
                "sleeper_wake_max_us",
                &d.sleeper_wake_max_us,
                cal.sleeper_wake_max_ns,
            ),
            sleeper_wake_from_ns: us(
                "sleeper_wake_from_us",
                &d.sleeper_wake_from_us,
                cal.sleeper_wake_from_ns,
            ),
            sleeper_wake_to_ns: us(
                "sleeper_wake_to_us",
                &d.sleeper_wake_to_us,
                cal.sleeper_wake_to_ns,
            ),
            idle_wake_cpu_ns: us(
                "idle_wake_cpu_us",
                &d.idle_wake_cpu_us,
                cal.idle_wake_cpu_ns,
            ),
            host_request_ns: us("host_request_us", &d.host_request_us, cal.host_request_ns),
            host_response_ns: us(
                "host_response_us",
                &d.host_response_us,
                cal.host_response_ns,
            ),
            ..cal
        };
        if costs.sleeper_wake_to_ns <= costs.sleeper_wake_from_ns {
            self.bad(
                "host.dispatch.sleeper_wake_to_us",
                costs.sleeper_wake_to_ns as f64 / 1e3,
                "more than sleeper_wake_from_us",
            );
        }
        let mut share = |name: &str, v: &Option<Num>, default: f64| {
            self.optional(name, v, &limits::SHARE).unwrap_or(default)
        };
        let prev = share(
            "handover_previous_holder",
            &d.handover_previous_holder,
            cal.handover_previous_holder,
        );
        let longest = share(
            "handover_longest_waiter",
            &d.handover_longest_waiter,
            cal.handover_longest_waiter,
        );
        let syscall_loss = share("syscall_loss", &d.syscall_loss, cal.syscall_loss);
        let syscall_loss_recent = share(
            "syscall_loss_recent",
            &d.syscall_loss_recent,
            cal.syscall_loss_recent,
        );
        if prev + longest > 1.0 {
            self.bad(
                "host.dispatch.handover_longest_waiter",
                longest,
                "at most 1 - handover_previous_holder",
            );
        }
        let jitter_sigma = self
            .optional("jitter_sigma", &d.jitter_sigma, &limits::JITTER_SIGMA)
            .unwrap_or(cal.jitter_sigma);
        DispatchCosts {
            handover_previous_holder: prev,
            handover_longest_waiter: longest,
            syscall_loss,
            syscall_loss_recent,
            jitter_sigma,
            ..costs
        }
    }

    /// An optional `host.dispatch` field: `None` when omitted or not allowed.
    fn optional(&mut self, name: &str, v: &Option<Num>, allowed: &Real) -> Option<f64> {
        let n = v.as_ref()?;
        self.real(&format!("host.dispatch.{name}"), n, allowed)
    }
}

/// "3.11" -> (11, false); "3.13t" -> (13, true); anything outside 3.6..=3.14 -> None.
fn parse_python(v: &str) -> Option<(u32, bool)> {
    let (v, ft) = match v.strip_suffix('t') {
        Some(rest) => (rest, true),
        None => (v, false),
    };
    let minor: u32 = v.strip_prefix("3.")?.parse().ok()?;
    (6..=14).contains(&minor).then_some((minor, ft))
}

/// PYTHON_THREADPOOL_THREAD_COUNT when unset: 1 on Python 3.6-3.8, Python's own
/// ThreadPoolExecutor default min(32, cpu_count + 4) from 3.9 (azure-functions-python-worker).
pub fn default_pool_threads(python_minor: u32, cpu_count: u32) -> u32 {
    if python_minor <= 8 {
        1
    } else {
        default_executor_threads(cpu_count)
    }
}

/// Size of asyncio's default executor (and of ThreadPoolExecutor()): min(32, cpu_count + 4).
pub fn default_executor_threads(cpu_count: u32) -> u32 {
    (cpu_count + 4).min(32)
}

/// The switch interval CPython uses for `sys.setswitchinterval` of `ms` milliseconds: it keeps
/// whole microseconds (truncated) and waits at least 1 us, so anything below 1 us acts as 1 us.
pub fn switch_interval_ns(ms: f64) -> u64 {
    (ms_to_ns(ms) / 1_000).max(1) * 1_000
}
