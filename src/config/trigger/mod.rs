//! Triggers: how work reaches the app's instances, one front end per function.
//!
//! `raw` is the serde mirror of a function's `trigger:` field, `check` turns it into the typed
//! [`TriggerConfig`] below (every range in one table there, every problem reported with its
//! field path). A function without a trigger keeps today's direct delivery: each arrival is an
//! invocation on the (single) instance at once.
//!
//! Every number below is a documented default an experiment can override. Sources, as in
//! `shared/reference/azure-functions-python.md`: [code] = read in the public source
//! (azure-sdk-for-net storage / Service Bus / Event Hubs extensions, azure-functions-host),
//! [doc] = Microsoft's docs; UNVERIFIED = nobody could confirm it, so it is a setting.

mod check;
pub mod raw;

use serde::Serialize;

/// A function's trigger with every default resolved (what the manifest records).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum TriggerConfig {
    /// An Azure Storage queue, pulled by a listener on each instance.
    StorageQueue(StorageQueueConfig),
    /// A Service Bus queue, pushed to each instance up to maxConcurrentCalls.
    ServiceBus(ServiceBusConfig),
    /// An Event Hub: partitions owned by at most one instance each, read in batches.
    EventHubs(EventHubsConfig),
    /// HTTP requests, admitted per instance up to its limits (429 beyond).
    Http(HttpConfig),
}

/// The storage-queue listener of each instance (host.json `extensions.queues`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StorageQueueConfig {
    /// Messages fetched per poll (`batchSize`): default 16, at most 32, the most one Get
    /// Messages call returns. [code QueuesOptions.cs]
    pub batch_size: u32,
    /// What the host counts as its processors (`SkuUtility.ProcessorCount`): the instance's
    /// cores rounded up, 1 on the Consumption plan. [code]
    pub processor_count: u32,
    /// Fetch again once in-flight messages fall to this (`newBatchThreshold`): default
    /// batch_size / 2 x processor_count, so at most batch_size + threshold are in flight per
    /// instance. [code QueueListener.cs, QueuesOptions.cs]
    pub new_batch_threshold: u32,
    /// Shortest polling delay, and the step of the back-off (`QueuePollingIntervals.Minimum`,
    /// 100 ms). [code]
    pub min_polling_interval_ns: u64,
    /// Longest polling delay on an empty queue (`maxPollingInterval`, default 1 min). [code]
    pub max_polling_interval_ns: u64,
    /// Spread of each back-off step: the k-th empty poll in a row waits
    /// min + min x 2^(k-2) x U(1 - jitter, 1 + jitter) (the first waits min), capped at the
    /// max; 0.2 in `RandomizedExponentialBackoffStrategy`. [code]
    pub polling_jitter: f64,
    /// How long a failed message stays invisible before its retry (host.json
    /// `visibilityTimeout`, default 0: it is visible again at once). [code QueuesOptions.cs;
    /// doc] The reference sheet's "visibility timeout 10 min" is [`Self::message_lease_ns`].
    pub visibility_timeout_ns: u64,
    /// How long a fetched message is invisible while it is processed: 10 min, renewed at half
    /// time while the function runs, so it reappears only if its instance is lost (then
    /// between lease/2 and lease later). [code QueueListener.cs `_visibilityTimeout`]
    pub message_lease_ns: u64,
    /// Failed tries before a message goes to the poison queue (`maxDequeueCount`, default 5).
    /// [code QueueProcessor.cs]
    pub max_dequeue_count: u32,
    /// Whether the queue length (Azure's ApproximateMessagesCount, what the scale controller
    /// reads) counts invisible messages too: the count is documented as "not lower than the
    /// actual number of messages in the queue" [doc], and invisible messages are still in it;
    /// that they are counted is UNVERIFIED, so it is a setting (default true).
    pub length_counts_invisible: bool,
}

impl StorageQueueConfig {
    /// The defaults for an instance whose host reports `processor_count` processors.
    pub fn defaults(processor_count: u32) -> StorageQueueConfig {
        StorageQueueConfig {
            batch_size: 16,
            processor_count,
            new_batch_threshold: 16 / 2 * processor_count,
            min_polling_interval_ns: 100_000_000,
            max_polling_interval_ns: 60_000_000_000,
            polling_jitter: 0.2,
            visibility_timeout_ns: 0,
            message_lease_ns: 600_000_000_000,
            max_dequeue_count: 5,
            length_counts_invisible: true,
        }
    }

    /// Most messages one instance holds at once: batch_size + new_batch_threshold.
    pub fn max_in_flight(&self) -> u32 {
        self.batch_size + self.new_batch_threshold
    }
}

/// The Service Bus message pump of each instance (host.json `extensions.serviceBus`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceBusConfig {
    /// Concurrent messages per instance (`maxConcurrentCalls`), before `per_core`.
    pub max_concurrent_calls: u32,
    /// Multiply `max_concurrent_calls` by `processor_count`: the code's default is 16 x
    /// processors (ServiceBusOptions.cs), the docs say 16. Default true (the code).
    pub per_core: bool,
    /// Processors the host counts (cores rounded up; 1 on Consumption).
    pub processor_count: u32,
    /// Deliveries before the broker dead-letters a message (entity `MaxDeliveryCount`,
    /// default 10). [doc]
    pub max_delivery_count: u32,
    /// How long a delivered message stays locked if its instance is lost (entity
    /// `LockDuration`, default 1 min; renewed while the function runs). [doc]
    pub lock_duration_ns: u64,
}

impl ServiceBusConfig {
    /// The defaults for an instance whose host reports `processor_count` processors.
    pub fn defaults(processor_count: u32) -> ServiceBusConfig {
        ServiceBusConfig {
            max_concurrent_calls: 16,
            per_core: true,
            processor_count,
            max_delivery_count: 10,
            lock_duration_ns: 60_000_000_000,
        }
    }

    /// Messages one instance processes at once.
    pub fn concurrency_per_instance(&self) -> u32 {
        if self.per_core {
            self.max_concurrent_calls * self.processor_count
        } else {
            self.max_concurrent_calls
        }
    }
}

/// An Event Hub read by the app's instances (host.json `extensions.eventHubs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventHubsConfig {
    /// Partitions of the hub (fixed at creation: 1..=32 Standard, up to 2048 Dedicated). [doc]
    pub partitions: u32,
    /// Most events per invocation (`maxEventBatchSize`, default 100 in extension v5, 10 in
    /// v3). [doc]
    pub max_event_batch_size: u32,
    /// Batches between checkpoints (`batchCheckpointFrequency`, default 1): a partition that
    /// changes owner is read again from its last checkpoint. [doc]
    pub batch_checkpoint_frequency: u32,
}

impl Default for EventHubsConfig {
    fn default() -> Self {
        EventHubsConfig {
            partitions: 4,
            max_event_batch_size: 100,
            batch_checkpoint_frequency: 1,
        }
    }
}

/// HTTP admission on each instance (host.json `extensions.http`, Flex per-instance
/// concurrency). The limits are the host's, shared by all the app's HTTP functions, so every
/// HTTP trigger of an experiment must set the same ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HttpConfig {
    /// Requests executing at once per instance (`maxConcurrentRequests`); the rest wait on
    /// the instance. None = unbounded (the default everywhere but Windows Consumption: 100).
    /// [code HttpOptionsSetup.cs; doc]
    pub max_concurrent_requests: Option<u32>,
    /// Requests held per instance, executing or waiting (`maxOutstandingRequests`); one more
    /// is refused with 429. None = unbounded (Windows Consumption: 200). [code; doc]
    pub max_outstanding_requests: Option<u32>,
    /// Flex Consumption per-instance concurrency (1 for Python apps by default): the HTTP
    /// scale target, and sim also holds each instance to it as a cap on executing requests.
    /// How Flex enforces it on an instance is UNVERIFIED. None = not a Flex app. [doc]
    pub per_instance_concurrency: Option<u32>,
    /// Longest wait for a response (230 s, the front end's limit); the function may keep
    /// running after. [doc]
    pub response_cap_ns: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_concurrent_requests: None,
            max_outstanding_requests: None,
            per_instance_concurrency: None,
            response_cap_ns: 230_000_000_000,
        }
    }
}

impl HttpConfig {
    /// Requests one instance executes at once: the tighter of maxConcurrentRequests and the
    /// Flex per-instance concurrency (None = unbounded).
    pub fn executing_cap(&self) -> Option<u32> {
        match (self.max_concurrent_requests, self.per_instance_concurrency) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
