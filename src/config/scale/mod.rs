//! The scale controller's settings: the optional `scale` block of an experiment.
//!
//! `raw` is its serde mirror, `check` turns it into the typed [`ScaleConfig`] below (every value
//! checked against [`super::limits`], every problem reported with its field path). An experiment
//! without a `scale` block has `Experiment::scale == None` and runs on one instance, as before.
//!
//! Every fact about Azure's scale controller is a documented default here, never a constant in
//! the model (sources: `../shared/reference/azure-functions-python.md` sections 4 and 8;
//! UNVERIFIED where nobody could confirm it).
//!
//! A `scale` block, every field optional (shown with its default):
//! ```ron
//! scale: Scale(
//!     // TargetBased(..), Http(..), Incremental(..) or Thresholds(..); see ScaleMode.
//!     mode: TargetBased(max_step: 4, combine: Sum, scale_in_hold_s: 180),
//!     decision_interval_s: 10,      // how often the controller decides (UNVERIFIED)
//!     min_instances: 0,
//!     max_instances: 100,           // Flex's default cap; Linux Consumption's limit
//!     // app_scale_limit: 20,       // functionAppScaleLimit (omit: none)
//!     always_ready: 0,              // exist from t = 0, never removed
//!     http_rate_s: 1,               // at most one new instance per second for HTTP
//!     other_rate_s: 30,             // ... per 30 s for every other trigger
//!     rate_counts: ScaleOuts,       // or Instances (UNVERIFIED which one Azure does)
//!     idle_to_zero_s: 1200,         // measured 20-30 min on Consumption (UNVERIFIED)
//!     // max_drain_per_decision: 1, // omit: drain down to the target at once (UNVERIFIED)
//!     prewarmed: 0,                 // buffer of pre-warmed instances (Premium: 1)
//!     prewarmed_workers: false,     // the buffer has started its workers too (UNVERIFIED)
//!     drain_grace_s: 600,           // then a draining instance's work is cut (Premium: 3600)
//!     targets: Targets(storage_queue: 16, service_bus: 16, event_hubs: 100, http: 1),
//!     triggers: [
//!         Trigger(function: "orders", kind: StorageQueue),
//!         Trigger(function: "clicks", kind: EventHubs(partitions: 16), target_per_instance: 50),
//!     ],
//! ),
//! ```
//! Other modes: `Incremental(samples: 5, length_per_instance: 1000)`, `Http(max_step: 4,
//! combine: Sum)`, `Thresholds(length_per_instance: 100, oldest_age_s: 30, quiet_s: 300,
//! step: 1)`.

mod check;
pub mod raw;

use crate::config::Dist;
use serde::Serialize;

/// Nanoseconds in a second (the block is written in seconds, the model counts nanoseconds).
const NS_PER_S: u64 = 1_000_000_000;

/// How the app scales out and in, with every default resolved.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScaleConfig {
    /// Which rule turns load into a wanted instance count.
    pub mode: ScaleMode,
    /// Time between two decisions, ns (also the incremental monitor's sample spacing).
    /// Default 10 s: the legacy monitor samples every 10 s [code QueueScaleMonitor.cs]; the
    /// interval of target-based and HTTP decisions is UNVERIFIED.
    pub decision_interval_ns: u64,
    /// Never fewer instances (counting starting ones). Default 0.
    pub min_instances: u32,
    /// Never more instances. Default 100: Flex Consumption's default cap and Linux
    /// Consumption's limit (Windows Consumption 200, Flex up to 1000) [doc functions-scale.md].
    pub max_instances: u32,
    /// functionAppScaleLimit: a per-app cap on top of `max_instances`; `None`: no cap.
    pub app_scale_limit: Option<u32>,
    /// Always-ready instances: exist from t = 0 and are never drained. Default 0 (Premium
    /// keeps at least 1, up to 20 per app) [doc functions-premium-plan.md].
    pub always_ready: u32,
    /// At most one new instance per this many ns when an HTTP function asks for them.
    /// Default 1 s [doc event-driven-scaling.md].
    pub http_rate_ns: u64,
    /// At most one new instance per this many ns for every other trigger. Default 30 s
    /// [doc event-driven-scaling.md].
    pub other_rate_ns: u64,
    /// What the two rates count. UNVERIFIED whether target-based "+4 per decision" obeys the
    /// 30 s rate: the default lets one scale-out of up to +4 through per interval.
    pub rate_counts: RateCounts,
    /// Go to zero instances only after the app has had no work for this long, ns. Default
    /// 20 min: measured 20-30 min on Consumption [3rd]; Flex and Premium UNVERIFIED.
    pub idle_to_zero_ns: u64,
    /// At most this many instances drained in one decision; `None` (the default): down to the
    /// target at once. Azure's scale-in pace is UNVERIFIED.
    pub max_drain_per_decision: Option<u32>,
    /// Pre-warmed instances: a buffer beyond the instances in use, already allocated with
    /// their host started, so a new instance taken from it skips both phases; once one is
    /// used, a replacement starts in the background (paying its own allocation and host
    /// start, seen by no request). The buffer counts towards the ceiling: none is pre-warmed
    /// beyond the maximum. It fills from the first decision that sees work (the docs: a
    /// pre-warmed instance is allocated as soon as the first trigger comes in, none while the
    /// app is idle) and stays filled. Default 0: Consumption and Flex have none; Premium's
    /// default is 1 [doc functions-premium-plan.md].
    pub prewarmed: u32,
    /// Whether a pre-warmed instance has also started its worker processes (then it is ready
    /// the moment it is used). Default false: it pays its workers' start, one after another.
    /// Which phases a pre-warmed instance has done beyond allocation is UNVERIFIED: the docs
    /// say only that it is "warmed" and "instantly provisioned".
    pub prewarmed_workers: bool,
    /// How long a draining instance's invocations may still run, ns; what is still running
    /// then is cut (recorded with the `Cut` outcome) and the instance removed. Default 600 s:
    /// Consumption's grace; Premium and Flex give 60 min [doc functions-premium-plan.md, as
    /// the reference sheet's section 4 reads it].
    pub drain_grace_ns: u64,
    /// Target executions per instance by trigger, for functions without their own.
    pub targets: TargetDefaults,
    /// How the controller sees each function (functions not listed are HTTP-triggered).
    pub triggers: Vec<ScaledFunction>,
    /// How long a new instance takes to start.
    pub cold_start: ColdStart,
}

/// The phases of a new instance's start (requested -> allocating -> host starting -> workers
/// starting -> ready), each a distribution. The defaults add up to the reference's typical
/// Consumption cold start of a few seconds (1-10 s typical, Linux 2018 average 4.5 s [3rd]),
/// with about 0.6 s of worker start before user code [code]; how the rest splits between
/// allocation and host start is UNVERIFIED. Each worker process pays `worker_start` itself,
/// one after another (the host starts them in turn), so extra processes start later.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ColdStart {
    /// Allocating the instance. Default log-normal, median 1.5 s, sigma 0.5.
    pub allocate: Dist,
    /// Starting the Functions host. Default log-normal, median 1 s, sigma 0.3.
    pub host_start: Dist,
    /// Starting one worker process with the app's imports. Default log-normal, median
    /// 0.6 s, sigma 0.3 [code: the worker's own imports].
    pub worker_start: Dist,
}

impl ColdStart {
    /// The defaults above.
    pub fn defaults() -> ColdStart {
        let lognormal = |median_s: f64, sigma: f64| Dist::Lognormal {
            mu: (median_s * NS_PER_S as f64).ln(),
            sigma,
        };
        ColdStart {
            allocate: lognormal(1.5, 0.5),
            host_start: lognormal(1.0, 0.3),
            worker_start: lognormal(0.6, 0.3),
        }
    }
}

impl ScaleConfig {
    /// The lowest instance count any decision may go to (always-ready instances are never
    /// removed).
    pub fn floor(&self) -> u32 {
        self.min_instances.max(self.always_ready)
    }

    /// The highest instance count any decision may go to: `max_instances`, and
    /// functionAppScaleLimit where set.
    pub fn ceiling(&self) -> u32 {
        self.app_scale_limit
            .map_or(self.max_instances, |cap| cap.min(self.max_instances))
    }

    /// The trigger of function `name` (HTTP when the `triggers` list does not name it).
    pub fn trigger_of(&self, name: &str) -> TriggerKind {
        self.listed(name).map_or(TriggerKind::Http, |f| f.kind)
    }

    /// Target executions per instance of function `name`: its own, or its trigger's default.
    pub fn target_of(&self, name: &str) -> u32 {
        let own = self.listed(name).and_then(|f| f.target_per_instance);
        own.unwrap_or_else(|| self.targets.of(self.trigger_of(name)))
    }

    /// Target executions per instance of function `name` triggered by `kind` (from its own
    /// trigger settings): its own target, or `kind`'s default.
    pub fn target_for(&self, name: &str, kind: TriggerKind) -> u32 {
        let own = self.listed(name).and_then(|f| f.target_per_instance);
        own.unwrap_or_else(|| self.targets.of(kind))
    }

    /// The target per instance set for function `name` in `triggers`, if any.
    pub fn own_target(&self, name: &str) -> Option<u32> {
        self.listed(name).and_then(|f| f.target_per_instance)
    }

    fn listed(&self, name: &str) -> Option<&ScaledFunction> {
        self.triggers.iter().find(|f| f.function == name)
    }
}

/// The rule that turns load into a wanted instance count.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub enum ScaleMode {
    /// Target-based scaling, the default since runtime 4.19: wanted = ceil(length / target
    /// per instance) per function [doc functions-target-based-scaling.md].
    TargetBased(TargetRules),
    /// HTTP scaling: wanted = ceil(requests in flight or waiting / concurrency per instance)
    /// (Flex per-instance concurrency; Consumption's own HTTP heuristic is UNVERIFIED).
    Http(TargetRules),
    /// The legacy incremental monitor: +-1 from length and oldest-age trends
    /// [code QueueScaleMonitor.cs, EventHubsScaleMonitor.cs].
    Incremental(IncrementalRules),
    /// Explicit thresholds a user chooses (no Azure mode: a what-if).
    Thresholds(ThresholdRules),
}

/// Settings of the target-based and HTTP modes.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct TargetRules {
    /// At most this many new instances per decision. Default 4 [doc
    /// functions-target-based-scaling.md].
    pub max_step: u32,
    /// How the wanted counts of several functions combine.
    pub combine: Combine,
    /// No scale-in for this long after any scale-out, ns. Default 180 s: the Event Hubs
    /// target scaler's hold [code EventHubsTargetScaler.cs]; sim applies it to the whole app
    /// (UNVERIFIED for other triggers); 0 turns it off.
    pub scale_in_hold_ns: u64,
}

impl TargetRules {
    /// The documented defaults.
    pub const DEFAULT: TargetRules = TargetRules {
        max_step: 4,
        combine: Combine::Sum,
        scale_in_hold_ns: 180 * NS_PER_S,
    };
}

/// How the wanted counts of several functions make one decision. Which one Azure's external
/// scale controller applies is UNVERIFIED.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum Combine {
    /// The docs: functions asking to scale out add their increases; scale-out beats
    /// scale-in; with only scale-in requests, the largest scale-in is used (the default).
    Sum,
    /// The WebJobs SDK's ScaleManager: the largest wanted count [code ScaleManager.cs].
    Max,
}

/// Settings of the incremental monitor (its samples are `decision_interval_ns` apart).
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct IncrementalRules {
    /// Samples a vote looks at. Default 5 [code QueueScaleMonitor.cs].
    pub samples: u32,
    /// Out when the latest length exceeds this many messages per instance. Default 1000.
    pub length_per_instance: u64,
}

impl IncrementalRules {
    /// The defaults read in the code.
    pub const DEFAULT: IncrementalRules = IncrementalRules {
        samples: 5,
        length_per_instance: 1000,
    };
}

/// A user's own thresholds: out when length per instance or oldest age is too high, in after
/// a quiet time.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct ThresholdRules {
    /// Out when a function's length per instance exceeds this (`None`: not a rule).
    pub length_per_instance: Option<u64>,
    /// Out when a function's oldest message is older than this, ns (`None`: not a rule).
    pub oldest_age_ns: Option<u64>,
    /// In (by one) once no out rule has held for this long, ns.
    pub quiet_ns: u64,
    /// Instances added per scale-out. Default 1.
    pub step: u32,
}

/// What the new-instance rates limit.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum RateCounts {
    /// One scale-out (of up to the mode's step) per rate interval (the default; UNVERIFIED).
    ScaleOuts,
    /// One new instance per rate interval, whatever the step.
    Instances,
}

/// Target executions per instance of each trigger, when a function sets none
/// [doc functions-target-based-scaling.md, functions-concurrency.md].
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct TargetDefaults {
    /// Storage queue. Default 16, the docs' batchSize; the code's QueueTargetScaler uses
    /// batchSize + newBatchThreshold (24 on one core): UNVERIFIED which one applies.
    pub storage_queue: u32,
    /// Service Bus: maxConcurrentCalls, default 16 (sessions 8, batches 1000).
    pub service_bus: u32,
    /// Event Hubs: maxEventBatchSize, default 100 (extension v5; v3: 10).
    pub event_hubs: u32,
    /// HTTP: concurrent requests per instance. Default 1: Flex's per-instance concurrency
    /// for Python apps.
    pub http: u32,
}

impl TargetDefaults {
    /// The documented defaults.
    pub const DEFAULT: TargetDefaults = TargetDefaults {
        storage_queue: 16,
        service_bus: 16,
        event_hubs: 100,
        http: 1,
    };

    /// The default target of `kind`.
    pub fn of(&self, kind: TriggerKind) -> u32 {
        match kind {
            TriggerKind::Http => self.http,
            TriggerKind::StorageQueue => self.storage_queue,
            TriggerKind::ServiceBus => self.service_bus,
            TriggerKind::EventHubs { .. } => self.event_hubs,
        }
    }
}

/// How the scale controller sees one function: its trigger and, optionally, its own target.
/// (Until the trigger front ends read their own settings, the trigger kind is written here.)
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScaledFunction {
    /// The function's name (one of the experiment's functions).
    pub function: String,
    /// Its trigger.
    pub kind: TriggerKind,
    /// Target executions per instance; `None`: the trigger's default.
    pub target_per_instance: Option<u32>,
}

/// What triggers a function, as far as scaling cares.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub enum TriggerKind {
    /// HTTP requests (rate limit 1 new instance per second).
    Http,
    /// An Azure Storage queue.
    StorageQueue,
    /// A Service Bus queue or subscription.
    ServiceBus,
    /// An event hub: at most one instance per partition.
    EventHubs {
        /// Partitions of the event hub.
        partitions: u32,
    },
}

impl TriggerKind {
    /// An HTTP trigger (which gets the faster new-instance rate).
    pub fn is_http(self) -> bool {
        self == TriggerKind::Http
    }
}

/// Seconds to whole nanoseconds (0 for anything not finite and positive).
fn secs_to_ns(s: f64) -> u64 {
    if s.is_finite() && s > 0.0 {
        (s * NS_PER_S as f64).round() as u64
    } else {
        0
    }
}
