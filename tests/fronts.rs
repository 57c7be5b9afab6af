//! The trigger front ends on their own, driven by a tiny event loop, with numbers you can
//! check on paper: how many messages a listener holds, when a failed message returns, when it
//! is poisoned, where 429s start, who owns a partition.

use sim::config::StorageQueueConfig;
use sim::kernel::{EventQueue, RngStreams, SimRng, SimTime};
use sim::model::front::{InstanceSlot, MessageId, Outcome, QueueAction, QueueFront, Ticket};

const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;

/// What the queue driver waits for.
#[derive(Debug, Clone, Copy)]
enum QueueEvent {
    Poll(InstanceSlot, Ticket),
    Done(InstanceSlot, MessageId),
}

/// Drives a queue front end: each delivered message runs `service_ns` plus 1 us per message
/// number (so completions never tie) and ends as `fails(message, try)` says. Records the most messages in flight and every action.
struct QueueDriver {
    front: QueueFront,
    events: EventQueue<QueueEvent>,
    rng: SimRng,
    service_ns: u64,
    max_in_flight: usize,
    log: Vec<(u64, QueueAction)>,
}

impl QueueDriver {
    fn new(cfg: StorageQueueConfig, service_ns: u64) -> QueueDriver {
        QueueDriver {
            front: QueueFront::new(cfg),
            events: EventQueue::new(),
            rng: RngStreams::new(1).stream("front/queue"),
            service_ns,
            max_in_flight: 0,
            log: Vec::new(),
        }
    }

    fn act(&mut self, now: u64, actions: Vec<QueueAction>) {
        for a in actions {
            self.log.push((now, a));
            match a {
                QueueAction::Deliver {
                    instance, message, ..
                } => self.events.push(
                    SimTime(now + self.service_ns + message.0 * 1_000),
                    QueueEvent::Done(instance, message),
                ),
                QueueAction::PollAt {
                    instance,
                    at_ns,
                    ticket,
                } => self
                    .events
                    .push(SimTime(at_ns), QueueEvent::Poll(instance, ticket)),
                QueueAction::Poisoned { .. } => {}
            }
        }
    }

    /// Runs until `until_ns`; `fails(message, dequeue_count)` decides each outcome.
    fn run(&mut self, until_ns: u64, fails: impl Fn(MessageId, u32) -> bool) {
        while let Some(t) = self.events.peek_time() {
            if t.0 > until_ns {
                break;
            }
            let (now, ev) = self.events.pop().unwrap();
            let mut out = Vec::new();
            match ev {
                QueueEvent::Poll(i, ticket) => {
                    self.front.poll(now.0, i, ticket, &mut self.rng, &mut out)
                }
                QueueEvent::Done(i, m) => {
                    let tries = self.tries(m);
                    let outcome = if fails(m, tries) {
                        Outcome::Failed
                    } else {
                        Outcome::Succeeded
                    };
                    self.front.complete(now.0, i, m, outcome, &mut out)
                }
            }
            self.act(now.0, out);
            self.max_in_flight = self
                .max_in_flight
                .max(self.front.in_flight(InstanceSlot(0)));
        }
    }

    fn tries(&self, m: MessageId) -> u32 {
        self.deliveries(m).last().map_or(0, |d| d.1)
    }

    /// (time, dequeue count) of each delivery of `m`.
    fn deliveries(&self, m: MessageId) -> Vec<(u64, u32)> {
        self.log
            .iter()
            .filter_map(|(t, a)| match a {
                QueueAction::Deliver {
                    message,
                    dequeue_count,
                    ..
                } if *message == m => Some((*t, *dequeue_count)),
                _ => None,
            })
            .collect()
    }
}

fn start(d: &mut QueueDriver, now: u64) {
    let mut out = Vec::new();
    d.front.start_listener(now, InstanceSlot(0), &mut out);
    d.act(now, out);
}

#[test]
fn a_listener_with_batch_16_on_2_cores_holds_at_most_16_plus_16() {
    let cfg = StorageQueueConfig::defaults(2);
    assert_eq!((cfg.batch_size, cfg.new_batch_threshold), (16, 16));
    let mut d = QueueDriver::new(cfg, S);
    for _ in 0..1000 {
        d.front.enqueue(0);
    }
    start(&mut d, 0);
    d.run(100 * S, |_, _| false);
    assert_eq!(d.max_in_flight, 32);
    // Two polls at t = 0 take 32; each second the 32 finish and two more polls take 32.
    let at_zero = d
        .log
        .iter()
        .filter(|(t, a)| *t == 0 && matches!(a, QueueAction::Deliver { .. }));
    assert_eq!(at_zero.count(), 32);
    let stats = d.front.stats(40 * S);
    assert_eq!((stats.length, stats.poisoned), (0, 0));
}

#[test]
fn on_one_core_the_default_threshold_is_8_and_the_cap_24() {
    let mut d = QueueDriver::new(StorageQueueConfig::defaults(1), S);
    for _ in 0..200 {
        d.front.enqueue(0);
    }
    start(&mut d, 0);
    d.run(100 * S, |_, _| false);
    assert_eq!(d.max_in_flight, 24);
}

#[test]
fn an_empty_queue_is_polled_with_a_growing_delay_reset_by_a_message() {
    let cfg = StorageQueueConfig {
        polling_jitter: 0.0,
        ..StorageQueueConfig::defaults(1)
    };
    let mut d = QueueDriver::new(cfg, 10 * MS);
    start(&mut d, 0);
    d.run(3_000 * MS, |_, _| false);
    let polls: Vec<u64> = d
        .log
        .iter()
        .filter_map(|(_, a)| match a {
            QueueAction::PollAt { at_ns, .. } => Some(at_ns / MS),
            _ => None,
        })
        .collect();
    // Delays 100, 200, 300, 500, 900, 1700 ms after the first poll at 0.
    assert_eq!(polls, [0, 100, 300, 600, 1100, 2000, 3700]);
    // A message at 3.5 s is found by the poll at 3.7 s; the next empty poll waits 100 ms.
    d.front.enqueue(3_500 * MS);
    d.run(4_000 * MS, |_, _| false);
    let after: Vec<u64> = d
        .log
        .iter()
        .filter_map(|(t, a)| match a {
            QueueAction::PollAt { at_ns, .. } if *t >= 3_700 * MS => Some(at_ns / MS),
            _ => None,
        })
        .collect();
    // Found at 3.7 s, fetch again at once (empty), then 100, 200, 300 ms: the back-off
    // restarted.
    assert_eq!(after, [3700, 3800, 4000, 4300]);
}

#[test]
fn a_failing_message_returns_after_the_visibility_timeout_and_is_poisoned_after_5_tries() {
    let cfg = StorageQueueConfig {
        visibility_timeout_ns: 30 * S,
        polling_jitter: 0.0,
        max_polling_interval_ns: S,
        ..StorageQueueConfig::defaults(1)
    };
    let mut d = QueueDriver::new(cfg, 2 * S);
    let m = d.front.enqueue(0);
    start(&mut d, 0);
    d.run(1_000 * S, |_, _| true);
    let tries = d.deliveries(m);
    assert_eq!(tries.len(), 5, "{tries:?}");
    assert_eq!(
        tries.iter().map(|t| t.1).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    for w in tries.windows(2) {
        let gap = w[1].0 - w[0].0;
        // 2 s of work, 30 s invisible, then found by a poll at most 1 s later.
        assert!((32 * S..=33 * S).contains(&gap), "gap {gap}");
    }
    let poisoned: Vec<_> = d
        .log
        .iter()
        .filter(|(_, a)| matches!(a, QueueAction::Poisoned { .. }))
        .collect();
    assert_eq!(poisoned.len(), 1);
    assert_eq!(
        poisoned[0].0,
        tries[4].0 + 2 * S,
        "poisoned when the 5th try fails"
    );
    assert_eq!(
        poisoned[0].1,
        QueueAction::Poisoned {
            message: m,
            dequeue_count: 5,
            untried: false
        }
    );
    let stats = d.front.stats(1_000 * S);
    assert_eq!((stats.length, stats.poisoned), (0, 1));
}

#[test]
fn while_it_waits_out_the_timeout_a_failed_message_counts_in_the_length_but_not_the_age() {
    let cfg = StorageQueueConfig {
        visibility_timeout_ns: 30 * S,
        ..StorageQueueConfig::defaults(1)
    };
    let mut d = QueueDriver::new(cfg, S);
    d.front.enqueue(0);
    start(&mut d, 0);
    d.run(10 * S, |_, _| true);
    let s = d.front.stats(10 * S);
    assert_eq!((s.length, s.visible, s.invisible), (1, 0, 1));
    assert_eq!(s.oldest_visible_age_ns, 0);
    // Visible again at 31 s, still carrying its enqueue time 0.
    let s = d.front.stats(31 * S);
    assert_eq!((s.visible, s.oldest_visible_age_ns), (1, 31 * S));
}

#[test]
fn the_queue_length_counts_invisible_messages_only_when_set_to() {
    let cfg = StorageQueueConfig {
        length_counts_invisible: false,
        ..StorageQueueConfig::defaults(1)
    };
    let mut d = QueueDriver::new(cfg, 10 * S);
    for _ in 0..30 {
        d.front.enqueue(0);
    }
    start(&mut d, 0);
    d.run(S, |_, _| false);
    let s = d.front.stats(S);
    assert_eq!((s.visible, s.invisible, s.length), (14, 16, 14));
    assert_eq!(s.oldest_visible_age_ns, S);
}

#[test]
fn messages_of_a_lost_instance_return_when_their_lease_runs_out() {
    let cfg = StorageQueueConfig::defaults(1);
    let lease = cfg.message_lease_ns;
    let mut d = QueueDriver::new(cfg, 3_600 * S);
    let m = d.front.enqueue(0);
    start(&mut d, 0);
    d.run(S, |_, _| false);
    // Lost at 7 min: the last renewal was at 5 min, so the message is visible at 15 min.
    d.front.lose_instance(7 * 60 * S, InstanceSlot(0));
    assert_eq!(d.front.stats(15 * 60 * S - 1).visible, 0);
    assert_eq!(d.front.stats(15 * 60 * S).visible, 1);
    assert_eq!(lease, 600 * S);
    // A late completion from the lost instance is ignored.
    let mut out = Vec::new();
    d.front.complete(
        16 * 60 * S,
        InstanceSlot(0),
        m,
        Outcome::Succeeded,
        &mut out,
    );
    assert!(out.is_empty());
    assert_eq!(d.front.stats(16 * 60 * S).length, 1);
}

#[test]
fn a_stale_poll_ticket_and_an_unknown_instance_do_nothing() {
    let mut d = QueueDriver::new(StorageQueueConfig::defaults(1), S);
    d.front.enqueue(0);
    let mut out = Vec::new();
    d.front
        .poll(0, InstanceSlot(3), Ticket(0), &mut d.rng, &mut out);
    d.front
        .complete(0, InstanceSlot(3), MessageId(0), Outcome::Failed, &mut out);
    d.front.lose_instance(0, InstanceSlot(3));
    d.front.stop_listener(InstanceSlot(3));
    assert!(out.is_empty());
    start(&mut d, 0);
    d.front
        .poll(0, InstanceSlot(0), Ticket(99), &mut d.rng, &mut out);
    assert!(out.is_empty());
}

// ---- HTTP admission ----

use sim::config::HttpConfig;
use sim::model::front::{HttpAction, HttpFront, RequestId};

fn http(cfg: HttpConfig, ready: &[u32]) -> HttpFront {
    let mut front = HttpFront::new(cfg);
    for i in ready {
        front.instance_ready(0, InstanceSlot(*i), &mut Vec::new());
    }
    front
}

fn arrive_all(front: &mut HttpFront, now: u64, ids: std::ops::Range<u64>) -> Vec<HttpAction> {
    let mut out = Vec::new();
    for id in ids {
        front.arrive(now, RequestId(id), &mut out);
    }
    out
}

fn count(actions: &[HttpAction], pick: fn(&HttpAction) -> bool) -> usize {
    actions.iter().filter(|a| pick(a)).count()
}

#[test]
fn windows_consumption_limits_start_100_hold_200_and_refuse_the_201st() {
    let cfg = HttpConfig {
        max_concurrent_requests: Some(100),
        max_outstanding_requests: Some(200),
        ..HttpConfig::default()
    };
    let mut front = http(cfg, &[0]);
    let out = arrive_all(&mut front, 0, 0..250);
    assert_eq!(
        count(&out[..100], |a| matches!(a, HttpAction::Start { .. })),
        100
    );
    assert_eq!(
        count(&out[100..200], |a| matches!(a, HttpAction::Queued { .. })),
        100
    );
    assert_eq!(
        out[200],
        HttpAction::Rejected {
            request: RequestId(200),
            instance: InstanceSlot(0)
        },
        "the first 429 is request 201"
    );
    assert_eq!(
        count(&out, |a| matches!(a, HttpAction::Rejected { .. })),
        50
    );
    assert_eq!(
        (
            front.executing(InstanceSlot(0)),
            front.outstanding(InstanceSlot(0))
        ),
        (100, 200)
    );
    // One finishes: the first queued request (100) starts, and there is room for one more.
    let mut out = Vec::new();
    front.complete(S, InstanceSlot(0), &mut out);
    assert!(matches!(
        out[0],
        HttpAction::Start {
            request: RequestId(100),
            ..
        }
    ));
    let out = arrive_all(&mut front, S, 250..252);
    assert!(matches!(out[0], HttpAction::Queued { .. }));
    assert!(matches!(out[1], HttpAction::Rejected { .. }));
    assert_eq!(front.rejected(), 51);
}

#[test]
fn flex_python_runs_one_request_per_instance_and_queues_the_rest() {
    let cfg = HttpConfig {
        per_instance_concurrency: Some(1),
        ..HttpConfig::default()
    };
    let mut front = http(cfg, &[0]);
    let out = arrive_all(&mut front, 0, 0..3);
    assert!(matches!(out[0], HttpAction::Start { .. }));
    assert!(
        matches!(out[1], HttpAction::Queued { .. }) && matches!(out[2], HttpAction::Queued { .. })
    );
    let mut out = Vec::new();
    front.complete(MS, InstanceSlot(0), &mut out);
    assert!(matches!(
        out[..],
        [HttpAction::Start {
            request: RequestId(1),
            ..
        }]
    ));
}

#[test]
fn unbounded_admission_never_refuses() {
    let mut front = http(HttpConfig::default(), &[0]);
    let out = arrive_all(&mut front, 0, 0..10_000);
    assert_eq!(
        count(&out, |a| matches!(a, HttpAction::Start { .. })),
        10_000
    );
}

#[test]
fn requests_before_any_ready_instance_wait_for_the_first_one() {
    let mut front = http(HttpConfig::default(), &[]);
    let out = arrive_all(&mut front, 0, 0..5);
    assert_eq!(
        count(&out, |a| matches!(a, HttpAction::WaitForInstance { .. })),
        5
    );
    assert_eq!(front.waiting_for_instance(), 5);
    let mut out = Vec::new();
    front.instance_ready(3 * S, InstanceSlot(7), &mut out);
    assert_eq!(out.len(), 5);
    for a in &out {
        assert!(
            matches!(a, HttpAction::Start { instance: InstanceSlot(7), respond_by_ns, .. } if *respond_by_ns == 230 * S),
            "{a:?}"
        );
    }
    assert_eq!(front.waiting_for_instance(), 0);
}

#[test]
fn a_request_that_waits_past_the_230_s_cap_times_out() {
    let mut front = http(HttpConfig::default(), &[]);
    arrive_all(&mut front, 0, 0..1);
    arrive_all(&mut front, 10 * S, 1..2);
    let mut out = Vec::new();
    front.instance_ready(231 * S, InstanceSlot(0), &mut out);
    assert_eq!(
        out[0],
        HttpAction::TimedOut {
            request: RequestId(0),
            at_ns: 230 * S
        }
    );
    assert!(matches!(
        out[1],
        HttpAction::Start {
            request: RequestId(1),
            ..
        }
    ));
}

#[test]
fn requests_go_round_robin_and_a_drained_instance_hands_its_queue_on() {
    let cfg = HttpConfig {
        max_concurrent_requests: Some(1),
        ..HttpConfig::default()
    };
    let mut front = http(cfg, &[0, 1]);
    let out = arrive_all(&mut front, 0, 0..4);
    let instances: Vec<u32> = out
        .iter()
        .map(|a| match a {
            HttpAction::Start { instance, .. } | HttpAction::Queued { instance, .. } => instance.0,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(instances, [0, 1, 0, 1]);
    let mut out = Vec::new();
    front.instance_gone(S, InstanceSlot(0), &mut out);
    assert_eq!(
        out,
        [HttpAction::Queued {
            request: RequestId(2),
            instance: InstanceSlot(1)
        }]
    );
    assert_eq!(front.ready_instances(), 1);
    let mut out = Vec::new();
    front.instance_gone(S, InstanceSlot(1), &mut out);
    assert_eq!(
        count(&out, |a| matches!(a, HttpAction::WaitForInstance { .. })),
        2
    );
}

// ---- Service Bus ----

use sim::config::ServiceBusConfig;
use sim::model::front::{ServiceBusAction, ServiceBusFront};

fn deliveries(out: &[ServiceBusAction]) -> Vec<(InstanceSlot, MessageId, u32)> {
    out.iter()
        .filter_map(|a| match a {
            ServiceBusAction::Deliver {
                instance,
                message,
                delivery_count,
                ..
            } => Some((*instance, *message, *delivery_count)),
            _ => None,
        })
        .collect()
}

#[test]
fn service_bus_runs_16_per_core_by_the_code_and_16_by_the_docs() {
    for (per_core, expected) in [(true, 32), (false, 16)] {
        let cfg = ServiceBusConfig {
            per_core,
            ..ServiceBusConfig::defaults(2)
        };
        let mut front = ServiceBusFront::new(cfg);
        let mut out = Vec::new();
        for _ in 0..100 {
            front.enqueue(0, &mut out);
        }
        assert!(out.is_empty(), "nobody receives yet");
        front.add_instance(0, InstanceSlot(0), &mut out);
        assert_eq!(deliveries(&out).len(), expected);
        assert_eq!(front.in_flight(InstanceSlot(0)), expected);
        assert_eq!(front.stats(0).active, 100 - expected);
    }
}

#[test]
fn a_failing_service_bus_message_is_dead_lettered_after_10_deliveries() {
    let mut front = ServiceBusFront::new(ServiceBusConfig::defaults(1));
    let mut out = Vec::new();
    front.add_instance(0, InstanceSlot(0), &mut out);
    let m = front.enqueue(0, &mut out);
    for n in 1..=10u32 {
        assert_eq!(deliveries(&out).last(), Some(&(InstanceSlot(0), m, n)));
        out.clear();
        front.complete(
            u64::from(n) * S,
            InstanceSlot(0),
            m,
            Outcome::Failed,
            &mut out,
        );
    }
    assert_eq!(
        out,
        [ServiceBusAction::DeadLettered {
            message: m,
            delivery_count: 10,
            untried: false
        }]
    );
    assert_eq!(front.stats(11 * S).dead_lettered, 1);
}

#[test]
fn a_lost_instances_messages_go_to_another_when_their_locks_run_out() {
    let cfg = ServiceBusConfig {
        max_concurrent_calls: 1,
        ..ServiceBusConfig::defaults(1)
    };
    let mut front = ServiceBusFront::new(cfg);
    let mut out = Vec::new();
    front.add_instance(0, InstanceSlot(0), &mut out);
    let m = front.enqueue(0, &mut out);
    front.add_instance(S, InstanceSlot(1), &mut out);
    out.clear();
    front.lose_instance(2 * S, InstanceSlot(0), &mut out);
    assert_eq!(out, [ServiceBusAction::WakeAt { at_ns: 62 * S }]);
    out.clear();
    front.wake(62 * S, &mut out);
    assert_eq!(deliveries(&out), [(InstanceSlot(1), m, 2)]);
    // The lost instance's late completion changes nothing.
    out.clear();
    front.complete(63 * S, InstanceSlot(0), m, Outcome::Succeeded, &mut out);
    assert!(out.is_empty());
    assert_eq!(front.stats(63 * S).locked, 1);
}

// ---- Event Hubs ----

use sim::config::EventHubsConfig;
use sim::model::front::{valid_worker_counts, EventHubsAction, EventHubsFront, PartitionId};
use std::collections::HashMap;

fn hub(partitions: u32, batch: u32, checkpoint_every: u32) -> EventHubsFront {
    EventHubsFront::new(EventHubsConfig {
        partitions,
        max_event_batch_size: batch,
        batch_checkpoint_frequency: checkpoint_every,
    })
}

fn batches(out: &[EventHubsAction]) -> Vec<(InstanceSlot, PartitionId, MessageId, u32)> {
    out.iter()
        .map(
            |EventHubsAction::Deliver {
                 instance,
                 partition,
                 batch,
                 events,
                 ..
             }| { (*instance, *partition, *batch, *events) },
        )
        .collect()
}

#[test]
fn partitions_are_shared_ceil_then_floor_and_extra_instances_own_none() {
    let mut front = hub(8, 100, 1);
    let mut out = Vec::new();
    for i in 0..3 {
        front.add_instance(InstanceSlot(i), &mut out);
    }
    let owned: Vec<usize> = (0..3).map(|i| front.owned_by(InstanceSlot(i))).collect();
    assert_eq!(owned, [3, 3, 2]);
    for i in 3..10 {
        front.add_instance(InstanceSlot(i), &mut out);
    }
    let owned: Vec<usize> = (0..10).map(|i| front.owned_by(InstanceSlot(i))).collect();
    assert_eq!(owned, [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    front.lose_instance(InstanceSlot(0), &mut out);
    assert_eq!(
        (0..8)
            .filter(|p| front.owner(PartitionId(*p)).is_some())
            .count(),
        8
    );
    assert_eq!(valid_worker_counts(8), [1, 2, 3, 4, 8]);
    assert_eq!(valid_worker_counts(1), [1]);
    assert_eq!(
        valid_worker_counts(32),
        [1, 2, 3, 4, 5, 6, 7, 8, 11, 16, 32]
    );
}

#[test]
fn a_partition_is_read_in_batches_in_order_and_checkpointed_after_each() {
    let mut front = hub(1, 100, 1);
    let mut out = Vec::new();
    for t in 0..250 {
        front.enqueue(t, &mut out);
    }
    assert!(out.is_empty(), "no owner yet");
    front.add_instance(InstanceSlot(0), &mut out);
    let mut sizes = Vec::new();
    let mut unprocessed = vec![front.unprocessed(PartitionId(0))];
    while let Some((_, _, batch, events)) = batches(&out).first().copied() {
        sizes.push(events);
        out.clear();
        front.complete(batch, &mut out);
        unprocessed.push(front.unprocessed(PartitionId(0)));
    }
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(unprocessed, [250, 150, 50, 0]);
}

#[test]
fn a_moved_partition_is_read_again_from_its_checkpoint() {
    let mut front = hub(1, 10, 2);
    let mut out = Vec::new();
    for t in 0..30 {
        front.enqueue(t, &mut out);
    }
    front.add_instance(InstanceSlot(0), &mut out);
    let first = batches(&out)[0].2;
    out.clear();
    front.complete(first, &mut out); // 10 read, no checkpoint yet (every 2 batches)
    assert_eq!(front.unprocessed(PartitionId(0)), 30);
    let second = batches(&out)[0];
    out.clear();
    front.lose_instance(InstanceSlot(0), &mut out);
    front.add_instance(InstanceSlot(1), &mut out);
    let third = batches(&out)[0];
    assert_eq!((third.0, third.3), (InstanceSlot(1), 10));
    let EventHubsAction::Deliver {
        oldest_enqueued_ns, ..
    } = out[0];
    assert_eq!(oldest_enqueued_ns, 0, "events 0..10 again: at least once");
    out.clear();
    front.complete(second.2, &mut out);
    assert!(out.is_empty(), "the lost instance's batch is gone");
}

#[test]
fn two_instances_never_process_one_partition_at_once() {
    // A fixed pseudo-random walk of arrivals, instances coming and going, and completions.
    let mut rng = RngStreams::new(7).stream("walk");
    use rand::Rng;
    let mut front = hub(6, 5, 1);
    let mut running: HashMap<PartitionId, (InstanceSlot, MessageId)> = HashMap::new();
    let mut present: Vec<u32> = Vec::new();
    for step in 0..20_000u64 {
        let mut out = Vec::new();
        match rng.random_range(0..10) {
            0..=4 => {
                front.enqueue(step, &mut out);
            }
            5 => {
                let i = rng.random_range(0..12);
                if !present.contains(&i) {
                    present.push(i);
                    front.add_instance(InstanceSlot(i), &mut out);
                }
            }
            6 if !present.is_empty() => {
                let i = present.swap_remove(rng.random_range(0..present.len()));
                if rng.random_bool(0.5) {
                    front.stop_instance(InstanceSlot(i), &mut out);
                } else {
                    front.lose_instance(InstanceSlot(i), &mut out);
                    running.retain(|_, (owner, _)| owner.0 != i);
                }
            }
            _ => {
                let mut keys: Vec<PartitionId> = running.keys().copied().collect();
                keys.sort();
                if let Some(p) = keys.first() {
                    let (_, batch) = running.remove(p).unwrap();
                    front.complete(batch, &mut out);
                }
            }
        }
        for (instance, partition, batch, _) in batches(&out) {
            assert!(
                !running.contains_key(&partition),
                "step {step}: {partition:?} given to {instance:?} while {:?} runs it",
                running[&partition]
            );
            assert_eq!(front.owner(partition), Some(instance));
            running.insert(partition, (instance, batch));
        }
    }
}

// ---- the resolved configuration ----

#[test]
fn an_omitted_setting_resolves_to_its_documented_default() {
    let text = r#"Experiment(
        name: "t",
        host: Host(cores: 2.0),
        functions: [
            FunctionUse(
                function: Inline(Function(name: "f", kind: Sync, body: [Cpu(Constant(1.0))])),
                workload: Burst(n: 1),
                trigger: StorageQueue(),
            ),
            FunctionUse(
                function: Inline(Function(name: "g", kind: Sync, body: [Cpu(Constant(1.0))])),
                workload: Burst(n: 1),
                trigger: Http(profile: WindowsConsumption),
            ),
            FunctionUse(
                function: Inline(Function(name: "h", kind: Sync, body: [Cpu(Constant(1.0))])),
                workload: Burst(n: 1),
            ),
        ],
    )"#;
    let exp = sim::config::parse_experiment(text, std::path::Path::new("t.ron"), &[]).unwrap();
    use sim::config::TriggerConfig;
    assert_eq!(
        exp.functions[0].trigger,
        Some(TriggerConfig::StorageQueue(StorageQueueConfig::defaults(2)))
    );
    let Some(TriggerConfig::Http(h)) = &exp.functions[1].trigger else {
        panic!("{:?}", exp.functions[1].trigger)
    };
    assert_eq!(
        (h.max_concurrent_requests, h.max_outstanding_requests),
        (Some(100), Some(200))
    );
    assert_eq!(h.response_cap_ns, 230 * S);
    assert_eq!(exp.functions[2].trigger, None, "direct delivery, as before");
}
