//! The serde mirror of the `scale` block: it only parses (unknown fields rejected, numbers
//! kept as written); [`super::check`] checks the values against `config::limits`.

use crate::config::number::Num;
use serde::{Deserialize, Serialize};

/// The `scale` block of an experiment; every field optional (see [`super::ScaleConfig`] for
/// the defaults and their sources).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scale")]
pub struct RawScale {
    /// TargetBased(..) (default), Http(..), Incremental(..) or Thresholds(..).
    #[serde(default)]
    pub mode: Option<RawScaleMode>,
    /// Seconds between decisions, 0 < s <= 3600 (default 10).
    #[serde(default)]
    pub decision_interval_s: Option<Num>,
    /// Fewest instances, 0..=1000 (default 0).
    #[serde(default)]
    pub min_instances: Option<Num>,
    /// Most instances, 1..=1000 (default 100).
    #[serde(default)]
    pub max_instances: Option<Num>,
    /// functionAppScaleLimit, 1..=1000 (omit: none).
    #[serde(default)]
    pub app_scale_limit: Option<Num>,
    /// Always-ready instances, 0..=1000 (default 0).
    #[serde(default)]
    pub always_ready: Option<Num>,
    /// Seconds between new instances for HTTP, 0 < s <= 3600 (default 1).
    #[serde(default)]
    pub http_rate_s: Option<Num>,
    /// Seconds between new instances for other triggers, 0 < s <= 3600 (default 30).
    #[serde(default)]
    pub other_rate_s: Option<Num>,
    /// What the rates count: ScaleOuts (default) or Instances.
    #[serde(default)]
    pub rate_counts: Option<RawRateCounts>,
    /// Idle seconds before scaling to zero, 0..=1e6 (default 1200).
    #[serde(default)]
    pub idle_to_zero_s: Option<Num>,
    /// Pre-warmed instances kept as a buffer beyond those in use, 0..=1000 (default 0;
    /// Premium's default is 1).
    #[serde(default)]
    pub prewarmed: Option<Num>,
    /// Whether a pre-warmed instance has also started its worker processes (default false).
    #[serde(default)]
    pub prewarmed_workers: Option<bool>,
    /// Seconds a draining instance's invocations may still run before they are cut,
    /// 0..=1e6 (default 600).
    #[serde(default)]
    pub drain_grace_s: Option<Num>,
    /// Instances drained per decision, 1..=1000 (omit: down to the target at once).
    #[serde(default)]
    pub max_drain_per_decision: Option<Num>,
    /// Target executions per instance by trigger.
    #[serde(default)]
    pub targets: Option<RawTargets>,
    /// The trigger of each function that is not HTTP-triggered.
    #[serde(default)]
    pub triggers: Vec<RawTrigger>,
    /// How long a new instance takes to start, phase by phase.
    #[serde(default)]
    pub cold_start: Option<RawColdStart>,
}

/// The phases of a new instance's start, each a duration distribution in ms (as in bodies).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "ColdStart")]
pub struct RawColdStart {
    /// Allocating the instance (skipped by always-ready ones).
    #[serde(default)]
    pub allocate_ms: Option<crate::config::raw::RawDist>,
    /// Starting the Functions host on it.
    #[serde(default)]
    pub host_start_ms: Option<crate::config::raw::RawDist>,
    /// Starting one worker process and importing the app (paid by every process).
    #[serde(default)]
    pub worker_start_ms: Option<crate::config::raw::RawDist>,
}

/// The scaling mode and its settings (omitted settings keep their defaults).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "ScaleMode")]
pub enum RawScaleMode {
    /// Target-based: ceil(length / target) per function.
    TargetBased {
        /// New instances per decision at most, 1..=1000 (default 4).
        #[serde(default)]
        max_step: Option<Num>,
        /// Sum (default, the docs) or Max (the SDK's ScaleManager).
        #[serde(default)]
        combine: Option<RawCombine>,
        /// Seconds without scale-in after a scale-out, 0..=1e6 (default 180).
        #[serde(default)]
        scale_in_hold_s: Option<Num>,
    },
    /// HTTP: ceil(concurrent requests / concurrency per instance) per function.
    Http {
        /// New instances per decision at most, 1..=1000 (default 4).
        #[serde(default)]
        max_step: Option<Num>,
        /// Sum (default) or Max.
        #[serde(default)]
        combine: Option<RawCombine>,
        /// Seconds without scale-in after a scale-out, 0..=1e6 (default 180).
        #[serde(default)]
        scale_in_hold_s: Option<Num>,
    },
    /// The legacy incremental monitor, +-1 per decision.
    Incremental {
        /// Samples per vote, 2..=100 (default 5).
        #[serde(default)]
        samples: Option<Num>,
        /// Out when length > this x instances, 1..=1e9 (default 1000).
        #[serde(default)]
        length_per_instance: Option<Num>,
    },
    /// A user's own thresholds (at least one of the first two).
    Thresholds {
        /// Out when length per instance > this, 1..=1e9.
        #[serde(default)]
        length_per_instance: Option<Num>,
        /// Out when the oldest message is older than this many seconds, 0 < s <= 1e6.
        #[serde(default)]
        oldest_age_s: Option<Num>,
        /// In after this many seconds without an out rule holding, 0 < s <= 1e6.
        quiet_s: Num,
        /// Instances per scale-out, 1..=1000 (default 1).
        #[serde(default)]
        step: Option<Num>,
    },
}

/// How several functions' wanted counts combine.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename = "Combine")]
pub enum RawCombine {
    /// Increases add up; the largest scale-in when nobody scales out.
    Sum,
    /// The largest wanted count.
    Max,
}

/// What the new-instance rates count.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename = "RateCounts")]
pub enum RawRateCounts {
    /// One scale-out per interval.
    ScaleOuts,
    /// One new instance per interval.
    Instances,
}

/// Target executions per instance by trigger, each 1..=1000000.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Targets")]
pub struct RawTargets {
    /// Storage queue (default 16).
    #[serde(default)]
    pub storage_queue: Option<Num>,
    /// Service Bus (default 16).
    #[serde(default)]
    pub service_bus: Option<Num>,
    /// Event Hubs (default 100).
    #[serde(default)]
    pub event_hubs: Option<Num>,
    /// HTTP concurrency per instance (default 1).
    #[serde(default)]
    pub http: Option<Num>,
}

/// The trigger of one function.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Trigger")]
pub struct RawTrigger {
    /// The function's name.
    pub function: String,
    /// Its trigger.
    pub kind: RawTriggerKind,
    /// Its own target executions per instance, 1..=1000000 (omit: the trigger's default).
    #[serde(default)]
    pub target_per_instance: Option<Num>,
}

/// What triggers a function.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename = "TriggerKind")]
pub enum RawTriggerKind {
    /// HTTP requests.
    Http,
    /// An Azure Storage queue.
    StorageQueue,
    /// A Service Bus queue or subscription.
    ServiceBus,
    /// An event hub with this many partitions (1..=1024).
    EventHubs {
        /// Partitions of the event hub.
        partitions: Num,
    },
}
