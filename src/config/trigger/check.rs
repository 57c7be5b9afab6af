//! Checking a function's `trigger:`: each value against its range (the table below), then the
//! combinations that cannot work (a threshold above what the listener can hold, more
//! outstanding than concurrent requests allowed), each reported with field path, value and why.

use super::raw::{RawHttpProfile, RawTrigger};
use super::{EventHubsConfig, HttpConfig, ServiceBusConfig, StorageQueueConfig, TriggerConfig};
use crate::config::checker::{ms_to_ns, Checker};
use crate::config::limits::{Real, Whole};
use crate::config::number::Num;

/// Seconds in a week: Azure Storage's longest visibility timeout.
const WEEK_S: f64 = 604_800.0;

const fn whole(min: u64, max: u64, note: &'static str) -> Whole {
    Whole { min, max, note }
}

const fn real(min: f64, open_min: bool, max: f64, unit: &'static str, note: &'static str) -> Real {
    Real {
        min,
        open_min,
        max,
        unit,
        note,
    }
}

/// `StorageQueue.batch_size`.
pub const BATCH_SIZE: Whole = whole(
    1,
    32,
    "batchSize: Azure Storage returns at most 32 messages per Get Messages call",
);
/// `processor_count` of a queue or Service Bus trigger.
pub const PROCESSOR_COUNT: Whole = whole(1, 1024, "omit it for host.cores rounded up");
/// `StorageQueue.min_polling_interval_ms`.
pub const MIN_POLLING_MS: Real = real(1.0, false, 60_000.0, "ms", "Azure: 100");
/// `StorageQueue.max_polling_interval_ms`.
pub const MAX_POLLING_MS: Real = real(
    100.0,
    false,
    86_400_000.0,
    "ms",
    "maxPollingInterval: the host refuses less than 100 ms",
);
/// `StorageQueue.polling_jitter`.
pub const POLLING_JITTER: Real = real(0.0, false, 0.9, "share", "Azure: 0.2");
/// `StorageQueue.visibility_timeout_s`.
pub const VISIBILITY_S: Real = real(0.0, false, WEEK_S, "seconds", "at most 7 days");
/// `StorageQueue.message_lease_s`.
pub const LEASE_S: Real = real(0.0, true, WEEK_S, "seconds", "Azure: 600");
/// `StorageQueue.max_dequeue_count`.
pub const MAX_DEQUEUE: Whole = whole(
    1,
    1_000_000,
    "maxDequeueCount: a message is tried at least once",
);
/// `ServiceBus.max_concurrent_calls`.
pub const MAX_CALLS: Whole = whole(1, 100_000, "maxConcurrentCalls");
/// `ServiceBus.max_delivery_count`.
pub const MAX_DELIVERY: Whole = whole(1, 1_000_000, "MaxDeliveryCount: at least one delivery");
/// `ServiceBus.lock_duration_s`.
pub const LOCK_S: Real = real(
    5.0,
    false,
    300.0,
    "seconds",
    "Service Bus allows 5 s to 5 min",
);
/// `EventHubs.partitions`.
pub const PARTITIONS: Whole = whole(
    1,
    2048,
    "an Event Hub has at least one partition; Standard allows up to 32, Dedicated 2048",
);
/// `EventHubs.max_event_batch_size`.
pub const EVENT_BATCH: Whole = whole(1, 1_000_000, "maxEventBatchSize");
/// `EventHubs.batch_checkpoint_frequency`.
pub const CHECKPOINT_EVERY: Whole = whole(1, 1_000_000, "batchCheckpointFrequency");
/// `Http.max_concurrent_requests` and `Http.max_outstanding_requests`.
pub const HTTP_REQUESTS: Whole = whole(1, 1_000_000, "omit it for no limit");
/// `Http.per_instance_concurrency`.
pub const FLEX_CONCURRENCY: Whole = whole(1, 1000, "Flex Consumption allows 1 to 1000");
/// `Http.response_cap_s`.
pub const RESPONSE_CAP_S: Real = real(0.0, true, 86_400.0, "seconds", "Azure: 230");

impl Checker {
    /// Checks `trigger` at `field` (`functions[0].trigger`) for an instance of `cores` cores;
    /// `None` after recording every problem.
    pub(in crate::config) fn trigger(
        &mut self,
        trigger: &RawTrigger,
        field: &str,
        cores: f64,
    ) -> Option<TriggerConfig> {
        let before = self.problems.len();
        let processors = cores.max(1.0).ceil() as u32;
        let out = match trigger {
            RawTrigger::StorageQueue { .. } => {
                TriggerConfig::StorageQueue(self.storage_queue(trigger, field, processors))
            }
            RawTrigger::ServiceBus { .. } => {
                TriggerConfig::ServiceBus(self.service_bus(trigger, field, processors))
            }
            RawTrigger::EventHubs { .. } => {
                TriggerConfig::EventHubs(self.event_hubs(trigger, field))
            }
            RawTrigger::Http { .. } => TriggerConfig::Http(self.http(trigger, field)),
        };
        (self.problems.len() == before).then_some(out)
    }

    /// host.json's `extensions.http` limits belong to the host instance, shared by all its
    /// HTTP functions [code HttpOptionsSetup.cs; doc functions-host-json.md]: every HTTP
    /// trigger of the experiment must set the same ones. `functions` are the checked
    /// functions, in the order of the experiment's `functions`.
    pub(in crate::config) fn http_limits_agree(
        &mut self,
        functions: &[crate::config::FunctionSpec],
    ) {
        let mut first: Option<(usize, &HttpConfig)> = None;
        for (i, f) in functions.iter().enumerate() {
            let Some(TriggerConfig::Http(cfg)) = &f.trigger else {
                continue;
            };
            match first {
                None => first = Some((i, cfg)),
                Some((j, other)) if other != cfg => self.problem(
                    &format!("functions[{i}].trigger"),
                    format!("{cfg:?}"),
                    format!("sets other HTTP limits than functions[{j}].trigger ({other:?})"),
                    "the same limits on every HTTP trigger: host.json's extensions.http is per host instance, shared by all its HTTP functions; copy one trigger's profile and limits to the other",
                ),
                Some(_) => {}
            }
        }
    }

    /// An optional whole-number field, `default` when omitted or not allowed.
    fn whole_or(&mut self, field: &str, n: &Option<Num>, allowed: &Whole, default: u64) -> u64 {
        n.as_ref()
            .and_then(|n| self.whole(field, n, allowed))
            .unwrap_or(default)
    }

    /// An optional real-number field, `default` when omitted or not allowed.
    fn real_or(&mut self, field: &str, n: &Option<Num>, allowed: &Real, default: f64) -> f64 {
        n.as_ref()
            .and_then(|n| self.real(field, n, allowed))
            .unwrap_or(default)
    }

    fn storage_queue(&mut self, t: &RawTrigger, field: &str, cores: u32) -> StorageQueueConfig {
        let RawTrigger::StorageQueue {
            batch_size,
            processor_count,
            new_batch_threshold,
            min_polling_interval_ms,
            max_polling_interval_ms,
            polling_jitter,
            visibility_timeout_s,
            message_lease_s,
            max_dequeue_count,
            length_counts_invisible,
        } = t
        else {
            unreachable!("storage_queue is called for StorageQueue only")
        };
        let f = |name: &str| format!("{field}.{name}");
        let processors = self.whole_or(
            &f("processor_count"),
            processor_count,
            &PROCESSOR_COUNT,
            cores.into(),
        ) as u32;
        let d = StorageQueueConfig::defaults(processors);
        let batch = self.whole_or(&f("batch_size"), batch_size, &BATCH_SIZE, 16) as u32;
        let most = u64::from(batch) * u64::from(processors);
        let threshold_range = whole(
            0,
            most,
            "newBatchThreshold: at most batch_size x processor_count, so one instance holds at most twice that; a limit of sim's, the host itself accepts any value >= 0",
        );
        let threshold = self.whole_or(
            &f("new_batch_threshold"),
            new_batch_threshold,
            &threshold_range,
            u64::from(batch / 2 * processors),
        ) as u32;
        let min_ms = self.real_or(
            &f("min_polling_interval_ms"),
            min_polling_interval_ms,
            &MIN_POLLING_MS,
            100.0,
        );
        let max_ms = self.real_or(
            &f("max_polling_interval_ms"),
            max_polling_interval_ms,
            &MAX_POLLING_MS,
            60_000.0,
        );
        if max_ms < min_ms {
            self.bad(
                &f("max_polling_interval_ms"),
                crate::config::number::show(max_ms),
                &format!(
                    "at least min_polling_interval_ms ({}): the back-off grows from the minimum up to the maximum",
                    crate::config::number::show(min_ms)
                ),
            );
        }
        StorageQueueConfig {
            batch_size: batch,
            processor_count: processors,
            new_batch_threshold: threshold,
            min_polling_interval_ns: ms_to_ns(min_ms),
            max_polling_interval_ns: ms_to_ns(max_ms),
            polling_jitter: self.real_or(
                &f("polling_jitter"),
                polling_jitter,
                &POLLING_JITTER,
                d.polling_jitter,
            ),
            visibility_timeout_ns: seconds_to_ns(self.real_or(
                &f("visibility_timeout_s"),
                visibility_timeout_s,
                &VISIBILITY_S,
                0.0,
            )),
            message_lease_ns: seconds_to_ns(self.real_or(
                &f("message_lease_s"),
                message_lease_s,
                &LEASE_S,
                600.0,
            )),
            max_dequeue_count: self.whole_or(
                &f("max_dequeue_count"),
                max_dequeue_count,
                &MAX_DEQUEUE,
                d.max_dequeue_count.into(),
            ) as u32,
            length_counts_invisible: length_counts_invisible.unwrap_or(d.length_counts_invisible),
        }
    }

    fn service_bus(&mut self, t: &RawTrigger, field: &str, cores: u32) -> ServiceBusConfig {
        let RawTrigger::ServiceBus {
            max_concurrent_calls,
            per_core,
            processor_count,
            max_delivery_count,
            lock_duration_s,
        } = t
        else {
            unreachable!("service_bus is called for ServiceBus only")
        };
        let f = |name: &str| format!("{field}.{name}");
        let processors = self.whole_or(
            &f("processor_count"),
            processor_count,
            &PROCESSOR_COUNT,
            cores.into(),
        ) as u32;
        let d = ServiceBusConfig::defaults(processors);
        ServiceBusConfig {
            max_concurrent_calls: self.whole_or(
                &f("max_concurrent_calls"),
                max_concurrent_calls,
                &MAX_CALLS,
                d.max_concurrent_calls.into(),
            ) as u32,
            per_core: per_core.unwrap_or(d.per_core),
            processor_count: processors,
            max_delivery_count: self.whole_or(
                &f("max_delivery_count"),
                max_delivery_count,
                &MAX_DELIVERY,
                d.max_delivery_count.into(),
            ) as u32,
            lock_duration_ns: seconds_to_ns(self.real_or(
                &f("lock_duration_s"),
                lock_duration_s,
                &LOCK_S,
                60.0,
            )),
        }
    }

    fn event_hubs(&mut self, t: &RawTrigger, field: &str) -> EventHubsConfig {
        let RawTrigger::EventHubs {
            partitions,
            max_event_batch_size,
            batch_checkpoint_frequency,
        } = t
        else {
            unreachable!("event_hubs is called for EventHubs only")
        };
        let f = |name: &str| format!("{field}.{name}");
        let d = EventHubsConfig::default();
        EventHubsConfig {
            partitions: self.whole_or(
                &f("partitions"),
                partitions,
                &PARTITIONS,
                d.partitions.into(),
            ) as u32,
            max_event_batch_size: self.whole_or(
                &f("max_event_batch_size"),
                max_event_batch_size,
                &EVENT_BATCH,
                d.max_event_batch_size.into(),
            ) as u32,
            batch_checkpoint_frequency: self.whole_or(
                &f("batch_checkpoint_frequency"),
                batch_checkpoint_frequency,
                &CHECKPOINT_EVERY,
                d.batch_checkpoint_frequency.into(),
            ) as u32,
        }
    }

    fn http(&mut self, t: &RawTrigger, field: &str) -> HttpConfig {
        let RawTrigger::Http {
            profile,
            max_concurrent_requests,
            max_outstanding_requests,
            per_instance_concurrency,
            response_cap_s,
        } = t
        else {
            unreachable!("http is called for Http only")
        };
        let f = |name: &str| format!("{field}.{name}");
        let d = http_profile(profile.unwrap_or(RawHttpProfile::Unbounded));
        let mut optional =
            |name: &str, n: &Option<Num>, allowed: &Whole, default: Option<u32>| match n {
                Some(n) => self.whole(&f(name), n, allowed).map(|v| v as u32),
                None => default,
            };
        let concurrent = optional(
            "max_concurrent_requests",
            max_concurrent_requests,
            &HTTP_REQUESTS,
            d.max_concurrent_requests,
        );
        let outstanding = optional(
            "max_outstanding_requests",
            max_outstanding_requests,
            &HTTP_REQUESTS,
            d.max_outstanding_requests,
        );
        let flex = optional(
            "per_instance_concurrency",
            per_instance_concurrency,
            &FLEX_CONCURRENCY,
            d.per_instance_concurrency,
        );
        if let (Some(c), Some(o)) = (concurrent, outstanding) {
            if o < c {
                self.bad(
                    &f("max_outstanding_requests"),
                    o,
                    &format!("at least max_concurrent_requests ({c}): outstanding requests include the executing ones, so a smaller value leaves max_concurrent_requests unreachable"),
                );
            }
        }
        HttpConfig {
            max_concurrent_requests: concurrent,
            max_outstanding_requests: outstanding,
            per_instance_concurrency: flex,
            response_cap_ns: seconds_to_ns(self.real_or(
                &f("response_cap_s"),
                response_cap_s,
                &RESPONSE_CAP_S,
                230.0,
            )),
        }
    }
}

/// The HTTP limits a plan starts from. [code HttpOptionsSetup.cs; doc functions-concurrency.md]
pub fn http_profile(profile: RawHttpProfile) -> HttpConfig {
    let unbounded = HttpConfig::default();
    match profile {
        RawHttpProfile::Unbounded => unbounded,
        RawHttpProfile::WindowsConsumption => HttpConfig {
            max_concurrent_requests: Some(100),
            max_outstanding_requests: Some(200),
            ..unbounded
        },
        RawHttpProfile::FlexPython => HttpConfig {
            per_instance_concurrency: Some(1),
            ..unbounded
        },
    }
}

/// Seconds to whole nanoseconds (0 for anything not finite and positive).
fn seconds_to_ns(s: f64) -> u64 {
    ms_to_ns(s * 1e3)
}
