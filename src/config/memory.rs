//! Checking the `memory` block: each figure in range, the limit from the plan unless set, and
//! an instance that can hold its host and every worker process at their base size (otherwise
//! the run would be one long OOM loop; Azure's answer is fewer processes or a bigger SKU).

use super::checker::Checker;
use super::limits;
use super::number::Num;
use super::plan::PlanConfig;
use super::raw::{RawExperiment, RawMemory};
use super::{FunctionSpec, HostConfig, MemoryConfig, HOST_MB, WORKER_BASE_MB};

impl Checker {
    /// The run's memory model: `Some` when the experiment has a `memory` block, a plan, a
    /// function with `memory_mb`, or a 2019 trace's app memory (`app_memory_mb`, which sets
    /// `imports_mb` unless the block does: see `super::trace_memory`).
    pub(super) fn memory(
        &mut self,
        raw: &RawExperiment,
        plan: Option<&PlanConfig>,
        functions: &[FunctionSpec],
        host: &HostConfig,
        app_memory_mb: Option<f64>,
    ) -> Option<MemoryConfig> {
        let any_invocation_memory = functions.iter().any(|f| f.memory_kib.is_some());
        let off = raw.memory.is_none() && plan.is_none() && app_memory_mb.is_none();
        if off && !any_invocation_memory {
            return None;
        }
        let m = raw.memory.clone().unwrap_or_default();
        let mut mb = |field: &str, n: &Option<Num>, default: f64| {
            n.as_ref()
                .and_then(|n| self.real(&format!("memory.{field}"), n, &limits::MEMORY_MB))
                .unwrap_or(default)
        };
        let host_mb = mb("host_mb", &m.host_mb, HOST_MB);
        let worker_base_mb = mb("worker_base_mb", &m.worker_base_mb, WORKER_BASE_MB);
        // A 2019 trace's app memory: what one instance holds, host and workers together.
        let from_trace = app_memory_mb.map_or(0.0, |app| {
            ((app - host_mb) / f64::from(host.processes.max(1)) - worker_base_mb).max(0.0)
        });
        let imports_mb = mb("imports_mb", &m.imports_mb, from_trace);
        let config = MemoryConfig {
            limit_mb: self.memory_limit(&m, plan),
            host_mb,
            worker_base_mb,
            imports_mb,
        };
        self.memory_fits(&config, host);
        Some(config)
    }

    /// `memory.limit_mb`, or the plan's memory.
    fn memory_limit(&mut self, m: &RawMemory, plan: Option<&PlanConfig>) -> Option<f64> {
        match &m.limit_mb {
            Some(n) => self.real("memory.limit_mb", n, &limits::MEMORY_LIMIT_MB),
            None => plan.map(|p| f64::from(p.memory_mb)),
        }
    }

    /// Refuses an instance too small for its host and every worker at base size.
    fn memory_fits(&mut self, m: &MemoryConfig, host: &HostConfig) {
        let Some(limit) = m.limit_mb else {
            return;
        };
        let base = m.host_mb + f64::from(host.processes) * m.process_mb();
        if base <= limit {
            return;
        }
        let fit = ((limit - m.host_mb) / m.process_mb().max(f64::MIN_POSITIVE)).floor();
        self.problem(
            "host.processes",
            host.processes,
            format!(
                "needs {base} MB at rest (host {} MB + {} x ({} MB worker + {} MB imports)), above the instance's {limit} MB",
                m.host_mb, host.processes, m.worker_base_mb, m.imports_mb
            ),
            &format!(
                "at most {} processes in {limit} MB: fewer processes, smaller imports, or a plan with more memory",
                fit.max(0.0)
            ),
        );
    }
}
