//! Checking the host: cores, FUNCTIONS_WORKER_PROCESS_COUNT, PYTHON_THREADPOOL_THREAD_COUNT and
//! its defaults by Python version, the GIL switch interval and the worker's dispatch costs.

use super::checker::{ms_to_ns, Checker};
use super::raw::RawHost;
use super::validate::{MAX_PROCESSES, MAX_THREADS};
use super::{DispatchCosts, HostConfig};

impl Checker {
    pub(super) fn host(&mut self, h: &RawHost) -> HostConfig {
        if !(h.cores.is_finite() && (0.01..=1024.0).contains(&h.cores)) {
            self.bad(
                "host.cores",
                h.cores,
                "0.01 <= cores <= 1024 (fractions allowed: Flex 512 MB has 0.25)",
            );
        }
        if h.processes == 0 || h.processes > MAX_PROCESSES {
            self.bad(
                "host.processes",
                h.processes,
                "1..=10 (FUNCTIONS_WORKER_PROCESS_COUNT: Azure's host refuses more than 10 worker processes)",
            );
        }
        let (minor, version_free_threaded) = match parse_python(&h.python) {
            Some(v) => v,
            None => {
                self.bad(
                    "host.python",
                    format!("{:?}", h.python),
                    "\"3.6\" .. \"3.14\" (a \"t\" suffix, e.g. \"3.13t\", means free-threaded)",
                );
                (11, false)
            }
        };
        let free_threaded = h.free_threaded || version_free_threaded;
        if free_threaded && minor < 13 {
            self.bad(
                "host.free_threaded",
                "true",
                "false below Python 3.13 (free-threaded builds exist from 3.13t)",
            );
        }
        let cpu_count = match h.cpu_count {
            Some(0) => {
                self.bad("host.cpu_count", 0, ">= 1 (omit to use ceil(cores))");
                1
            }
            Some(n) => n,
            None => h.cores.max(1.0).ceil().min(1024.0) as u32,
        };
        let pool_default = default_executor_threads(cpu_count);
        let (threads, threads_source) = match h.threads {
            Some(0) => {
                self.bad("host.threads", 0, format!("1..={MAX_THREADS} (PYTHON_THREADPOOL_THREAD_COUNT; omit it for Python's default)").as_str());
                (1, String::new())
            }
            Some(t) if t > MAX_THREADS => {
                self.bad(
                    "host.threads",
                    t,
                    format!("1..={MAX_THREADS} (PYTHON_THREADPOOL_THREAD_COUNT)").as_str(),
                );
                (1, String::new())
            }
            Some(t) if minor <= 7 && t > 32 => (
                32,
                format!("set to {t}, capped at 32 by Python 3.{minor}'s worker"),
            ),
            Some(t) => (t, "set (PYTHON_THREADPOOL_THREAD_COUNT)".to_string()),
            None => {
                let t = default_pool_threads(minor, cpu_count);
                let rule = if minor <= 8 {
                    "1"
                } else {
                    "min(32, cpu_count + 4)"
                };
                (t, format!("default for Python 3.{minor}: {rule} = {t}"))
            }
        };
        if !(h.switch_interval_ms.is_finite()
            && h.switch_interval_ms > 0.0
            && h.switch_interval_ms <= 1000.0)
        {
            self.bad(
                "host.switch_interval_ms",
                h.switch_interval_ms,
                "0 < ms <= 1000 (CPython's default is 5)",
            );
        }
        self.non_negative(
            "host.process_start_interval_s",
            h.process_start_interval_s,
            3600.0,
            "seconds (Azure starts processes 10 s apart; 0 = all warm)",
        );
        self.non_negative(
            "host.context_switch_us",
            h.context_switch_us,
            1e4,
            "microseconds",
        );
        let d = &h.dispatch;
        let cal = DispatchCosts::CALIBRATED;
        let mut us = |name: &str, v: Option<f64>, default: u64| -> u64 {
            match v {
                None => default,
                Some(x) if x.is_finite() && (0.0..=1e9).contains(&x) => (x * 1e3).round() as u64,
                Some(x) => {
                    self.bad(
                        &format!("host.dispatch.{name}"),
                        x,
                        "0 <= microseconds <= 1e9",
                    );
                    default
                }
            }
        };
        let dispatch = DispatchCosts {
            transport_ns: us("transport_us", d.transport_us, cal.transport_ns),
            receive_ns: us("receive_us", d.receive_us, cal.receive_ns),
            dispatch_ns: us("dispatch_us", d.dispatch_us, cal.dispatch_ns),
            executor_handoff_ns: us(
                "executor_handoff_us",
                d.executor_handoff_us,
                cal.executor_handoff_ns,
            ),
            task_start_ns: us("task_start_us", d.task_start_us, cal.task_start_ns),
            complete_ns: us("complete_us", d.complete_us, cal.complete_ns),
            respond_ns: us("respond_us", d.respond_us, cal.respond_ns),
            gil_handover_ns: us("gil_handover_us", d.gil_handover_us, cal.gil_handover_ns),
            gil_busy_wakeup_ns: us(
                "gil_busy_wakeup_us",
                d.gil_busy_wakeup_us,
                cal.gil_busy_wakeup_ns,
            ),
            timer_slack_ns: us("timer_slack_us", d.timer_slack_us, cal.timer_slack_ns),
            syscall_recent_window_ns: us(
                "syscall_recent_window_us",
                d.syscall_recent_window_us,
                cal.syscall_recent_window_ns,
            ),
            ..cal
        };
        let mut share = |name: &str, v: Option<f64>, default: f64| match v {
            None => default,
            Some(x) if (0.0..=1.0).contains(&x) => x,
            Some(x) => {
                self.bad(
                    &format!("host.dispatch.{name}"),
                    x,
                    "a probability, 0 ..= 1",
                );
                default
            }
        };
        let prev = share(
            "handover_previous_holder",
            d.handover_previous_holder,
            cal.handover_previous_holder,
        );
        let longest = share(
            "handover_longest_waiter",
            d.handover_longest_waiter,
            cal.handover_longest_waiter,
        );
        let syscall_loss = share("syscall_loss", d.syscall_loss, cal.syscall_loss);
        let syscall_loss_recent = share(
            "syscall_loss_recent",
            d.syscall_loss_recent,
            cal.syscall_loss_recent,
        );
        if prev + longest > 1.0 {
            self.bad(
                "host.dispatch.handover_longest_waiter",
                longest,
                "at most 1 - handover_previous_holder",
            );
        }
        let dispatch = DispatchCosts {
            handover_previous_holder: prev,
            handover_longest_waiter: longest,
            syscall_loss,
            syscall_loss_recent,
            ..dispatch
        };
        let dispatch = match d.jitter_sigma {
            None => dispatch,
            Some(s) if s.is_finite() && (0.0..=3.0).contains(&s) => DispatchCosts {
                jitter_sigma: s,
                ..dispatch
            },
            Some(s) => {
                self.bad(
                    "host.dispatch.jitter_sigma",
                    s,
                    "0 <= sigma <= 3 (0 = constant costs)",
                );
                dispatch
            }
        };
        HostConfig {
            cores: h.cores,
            processes: h.processes.clamp(1, MAX_PROCESSES),
            threads,
            threads_source,
            default_executor_threads: pool_default,
            cpu_count,
            python: h.python.clone(),
            free_threaded,
            switch_interval_ns: switch_interval_ns(h.switch_interval_ms),
            process_start_interval_ns: (h.process_start_interval_s.max(0.0) * 1e9) as u64,
            context_switch_ns: (h.context_switch_us.clamp(0.0, 1e4) * 1e3).round() as u64,
            prewarm_pools: h.prewarm_pools,
            dispatch,
        }
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
