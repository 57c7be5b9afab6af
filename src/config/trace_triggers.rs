//! The triggers of a 2019 trace's functions (`triggers: FromTrace`): each function kept by name
//! gets the trigger its `Trigger` column names, where sim has one, with its default settings.
//!
//! | 2019 `Trigger` | sim trigger |
//! | --- | --- |
//! | `http` | `Http()` |
//! | `queue` | `StorageQueue()` |
//! | `event` | `EventHubs(max_event_batch_size: 1)`: one recorded invocation, one event |
//! | `timer`, `storage`, `orchestration`, `others`, anything else | `Http()`, the default |
//!
//! sim has no timer, blob-storage or Durable Functions trigger, so those functions' arrivals
//! come as HTTP requests. The grouped rest mixes triggers and is one function, so it gets the
//! default too. Every trigger needs a `scale` block (the instances it spreads work over).

use super::checker::Checker;
use super::trace::RawTrace;
use super::trigger::raw::RawTrigger;
use super::{FunctionSpec, Workload};
use crate::workload::trace_rows::TraceFormat;
use crate::workload::trace_scan::Scan;

/// The sim trigger, as RON, of a function whose 2019 `Trigger` column says `trace_trigger`.
pub fn sim_trigger(trace_trigger: &str) -> &'static str {
    match trace_trigger {
        "queue" => "StorageQueue()",
        "event" => "EventHubs(max_event_batch_size: 1)",
        _ => "Http()",
    }
}

impl Checker {
    /// Gives each of `specs` (the trace's functions, checked) the trigger its 2019 row names,
    /// checked for an instance of `cores` cores.
    pub(super) fn trace_triggers(
        &mut self,
        t: &RawTrace,
        s: &Scan,
        specs: &mut [FunctionSpec],
        cores: f64,
    ) {
        if t.format != TraceFormat::Azure2019 {
            self.bad(
                "trace.triggers",
                "FromTrace",
                "only with format: Azure2019 (the other formats record no trigger); give the functions triggers in `functions` instead",
            );
            return;
        }
        for spec in specs.iter_mut() {
            let Workload::Trace(src) = &spec.workload else {
                continue;
            };
            let named = s.functions.get(&src.key).map_or("", |f| f.trigger.as_str());
            let raw: RawTrigger =
                ron::from_str(sim_trigger(named)).expect("a default trigger parses");
            spec.trigger = self.trigger(&raw, "trace.triggers", cores);
        }
    }
}
