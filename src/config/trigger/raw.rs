//! The serde mirror of a function's `trigger:` field: it only parses. Every field may be
//! omitted for its default; the allowed ranges are in `check.rs` and quoted here.

use crate::config::number::Num;
use serde::{Deserialize, Serialize};

/// How a function's invocations reach the app's instances. Omit `trigger` for direct delivery
/// (each arrival runs at once on the one instance, as before triggers existed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Trigger")]
pub enum RawTrigger {
    /// An Azure Storage queue: arrivals are messages, each instance's listener pulls them.
    StorageQueue {
        /// Messages per poll, 1..=32 (default 16).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        batch_size: Option<Num>,
        /// Processors the host counts, 1..=1024 (default: host.cores rounded up; 1 on
        /// Consumption).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        processor_count: Option<Num>,
        /// Fetch again at this many in flight, 0..=batch_size x processor_count (default
        /// batch_size / 2 x processor_count).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        new_batch_threshold: Option<Num>,
        /// First back-off delay and its step, 1 <= ms <= 60000 (default 100).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_polling_interval_ms: Option<Num>,
        /// Longest back-off delay, 100 <= ms <= 86400000 and at least the minimum (default
        /// 60000).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_polling_interval_ms: Option<Num>,
        /// Random spread of each back-off step, 0..=0.9 (default 0.2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        polling_jitter: Option<Num>,
        /// Delay before a failed message is retried, 0 <= s <= 604800 (default 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visibility_timeout_s: Option<Num>,
        /// Invisibility of a message being processed, 0 < s <= 604800 (default 600).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_lease_s: Option<Num>,
        /// Tries before the poison queue, 1..=1000000 (default 5).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_dequeue_count: Option<Num>,
        /// Queue length counts invisible messages (default true).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        length_counts_invisible: Option<bool>,
    },
    /// A Service Bus queue: the broker pushes messages to free slots of the instances.
    ServiceBus {
        /// Messages at once per instance (or per processor, see `per_core`), 1..=100000
        /// (default 16).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_concurrent_calls: Option<Num>,
        /// Multiply by the processor count, as the code does (default true; the docs say 16).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        per_core: Option<bool>,
        /// Processors the host counts, 1..=1024 (default: host.cores rounded up).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        processor_count: Option<Num>,
        /// Deliveries before dead-lettering, 1..=1000000 (default 10).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_delivery_count: Option<Num>,
        /// Lock of a delivered message, 5 <= s <= 300 (default 60).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lock_duration_s: Option<Num>,
    },
    /// An Event Hub: arrivals are events spread round robin over the partitions.
    EventHubs {
        /// Partitions, 1..=2048 (default 4).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        partitions: Option<Num>,
        /// Events per invocation, 1..=1000000 (default 100).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_event_batch_size: Option<Num>,
        /// Batches per checkpoint, 1..=1000000 (default 1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        batch_checkpoint_frequency: Option<Num>,
    },
    /// HTTP requests with per-instance limits.
    Http {
        /// Defaults to start from (default Unbounded); the fields below override them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        profile: Option<RawHttpProfile>,
        /// Requests executing per instance, 1..=1000000 (default unbounded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_concurrent_requests: Option<Num>,
        /// Requests held per instance, 1..=1000000, at least max_concurrent_requests
        /// (default unbounded).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_outstanding_requests: Option<Num>,
        /// Flex per-instance concurrency, 1..=1000 (default: none, or 1 with FlexPython).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        per_instance_concurrency: Option<Num>,
        /// Response cap, 0 < s <= 86400 (default 230).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_cap_s: Option<Num>,
    },
}

/// Plan defaults for HTTP admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "HttpProfile")]
pub enum RawHttpProfile {
    /// No limits (Linux Consumption, Premium, Dedicated).
    Unbounded,
    /// Windows Consumption: maxConcurrentRequests 100, maxOutstandingRequests 200.
    WindowsConsumption,
    /// Flex Consumption running Python: per-instance concurrency 1.
    FlexPython,
}
