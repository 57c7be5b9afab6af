//! Checking the `scale` block: each value against its range in `config::limits`, then the
//! combinations no fleet can satisfy (min above max, an Event Hubs app asked for more
//! instances than it has partitions, a trigger for a function the experiment lacks).

use super::raw::*;
use super::*;
use crate::config::checker::Checker;
use crate::config::limits::{self, Real, Whole};
use crate::config::number::Num;

impl Checker {
    /// The typed scale settings; every problem is recorded, and defaults stand in for bad
    /// values so the rest is still checked. `functions` are the experiment's function names;
    /// `hub_partitions`, the largest event hub's partitions when every function carries an
    /// Event Hubs trigger of its own.
    pub(in crate::config) fn scale(
        &mut self,
        s: &RawScale,
        functions: &[String],
        hub_partitions: Option<u32>,
    ) -> ScaleConfig {
        let d = TargetDefaults::DEFAULT;
        let targets = s.targets.clone().unwrap_or_default();
        let config = ScaleConfig {
            mode: self.scale_mode(s.mode.as_ref()),
            decision_interval_ns: self.seconds_or(
                "decision_interval_s",
                &s.decision_interval_s,
                10.0,
                &limits::SCALE_INTERVAL_S,
            ),
            min_instances: self.count_or(
                "min_instances",
                &s.min_instances,
                0,
                &limits::SCALE_FLOOR,
            ),
            max_instances: self.count_or(
                "max_instances",
                &s.max_instances,
                100,
                &limits::SCALE_CEILING,
            ),
            app_scale_limit: s.app_scale_limit.as_ref().and_then(|n| {
                self.whole("scale.app_scale_limit", n, &limits::SCALE_CEILING)
                    .map(|v| v as u32)
            }),
            always_ready: self.count_or("always_ready", &s.always_ready, 0, &limits::SCALE_FLOOR),
            http_rate_ns: self.seconds_or(
                "http_rate_s",
                &s.http_rate_s,
                1.0,
                &limits::SCALE_INTERVAL_S,
            ),
            other_rate_ns: self.seconds_or(
                "other_rate_s",
                &s.other_rate_s,
                30.0,
                &limits::SCALE_INTERVAL_S,
            ),
            rate_counts: match s.rate_counts {
                Some(RawRateCounts::Instances) => RateCounts::Instances,
                _ => RateCounts::ScaleOuts,
            },
            idle_to_zero_ns: self.seconds_or(
                "idle_to_zero_s",
                &s.idle_to_zero_s,
                1200.0,
                &limits::SCALE_WAIT_S,
            ),
            max_drain_per_decision: s.max_drain_per_decision.as_ref().and_then(|n| {
                self.whole("scale.max_drain_per_decision", n, &limits::SCALE_CEILING)
                    .map(|v| v as u32)
            }),
            prewarmed: self.count_or("prewarmed", &s.prewarmed, 0, &limits::SCALE_PREWARMED),
            prewarmed_workers: s.prewarmed_workers.unwrap_or(false),
            drain_grace_ns: self.seconds_or(
                "drain_grace_s",
                &s.drain_grace_s,
                600.0,
                &limits::SCALE_GRACE_S,
            ),
            targets: TargetDefaults {
                storage_queue: self.count_or(
                    "targets.storage_queue",
                    &targets.storage_queue,
                    d.storage_queue,
                    &limits::SCALE_TARGET,
                ),
                service_bus: self.count_or(
                    "targets.service_bus",
                    &targets.service_bus,
                    d.service_bus,
                    &limits::SCALE_TARGET,
                ),
                event_hubs: self.count_or(
                    "targets.event_hubs",
                    &targets.event_hubs,
                    d.event_hubs,
                    &limits::SCALE_TARGET,
                ),
                http: self.count_or("targets.http", &targets.http, d.http, &limits::SCALE_TARGET),
            },
            triggers: self.scale_triggers(&s.triggers, functions),
            cold_start: self.cold_start(s.cold_start.as_ref()),
        };
        let partitions = all_event_hubs_partitions(&config, functions.len()).or(hub_partitions);
        self.fleet_bounds(s, &config, partitions);
        config
    }

    /// The cold-start phases, each omitted one at its default.
    fn cold_start(&mut self, c: Option<&RawColdStart>) -> ColdStart {
        let d = ColdStart::defaults();
        let Some(c) = c else { return d };
        let mut phase = |name: &str, raw: &Option<crate::config::raw::RawDist>, default: Dist| {
            raw.as_ref().map_or(default, |r| {
                self.dist(r, &format!("scale.cold_start.{name}"), true)
            })
        };
        ColdStart {
            allocate: phase("allocate_ms", &c.allocate_ms, d.allocate),
            host_start: phase("host_start_ms", &c.host_start_ms, d.host_start),
            worker_start: phase("worker_start_ms", &c.worker_start_ms, d.worker_start),
        }
    }

    fn scale_mode(&mut self, mode: Option<&RawScaleMode>) -> ScaleMode {
        match mode {
            None => ScaleMode::TargetBased(TargetRules::DEFAULT),
            Some(RawScaleMode::TargetBased {
                max_step,
                combine,
                scale_in_hold_s,
            }) => ScaleMode::TargetBased(self.target_rules(max_step, combine, scale_in_hold_s)),
            Some(RawScaleMode::Http {
                max_step,
                combine,
                scale_in_hold_s,
            }) => ScaleMode::Http(self.target_rules(max_step, combine, scale_in_hold_s)),
            Some(RawScaleMode::Incremental {
                samples,
                length_per_instance,
            }) => ScaleMode::Incremental(self.incremental(samples, length_per_instance)),
            Some(RawScaleMode::Thresholds {
                length_per_instance,
                oldest_age_s,
                quiet_s,
                step,
            }) => ScaleMode::Thresholds(self.thresholds(
                length_per_instance,
                oldest_age_s,
                quiet_s,
                step,
            )),
        }
    }

    fn target_rules(
        &mut self,
        max_step: &Option<Num>,
        combine: &Option<RawCombine>,
        hold_s: &Option<Num>,
    ) -> TargetRules {
        let d = TargetRules::DEFAULT;
        TargetRules {
            max_step: self.count_or("mode.max_step", max_step, d.max_step, &limits::SCALE_STEP),
            combine: match combine {
                Some(RawCombine::Max) => Combine::Max,
                _ => Combine::Sum,
            },
            scale_in_hold_ns: self.seconds_or(
                "mode.scale_in_hold_s",
                hold_s,
                180.0,
                &limits::SCALE_WAIT_S,
            ),
        }
    }

    fn incremental(&mut self, samples: &Option<Num>, length: &Option<Num>) -> IncrementalRules {
        let d = IncrementalRules::DEFAULT;
        IncrementalRules {
            samples: self.count_or("mode.samples", samples, d.samples, &limits::SCALE_SAMPLES),
            length_per_instance: self
                .optional_whole("mode.length_per_instance", length, &limits::SCALE_LENGTH)
                .unwrap_or(d.length_per_instance),
        }
    }

    fn thresholds(
        &mut self,
        length: &Option<Num>,
        age_s: &Option<Num>,
        quiet_s: &Num,
        step: &Option<Num>,
    ) -> ThresholdRules {
        if length.is_none() && age_s.is_none() {
            self.problem(
                "scale.mode",
                "Thresholds(..)",
                "has no rule to scale out by",
                "at least one of length_per_instance or oldest_age_s",
            );
        }
        let age = age_s.as_ref().and_then(|n| {
            self.real("scale.mode.oldest_age_s", n, &limits::SCALE_AGE_S)
                .map(secs_to_ns)
        });
        let quiet = self.real("scale.mode.quiet_s", quiet_s, &limits::SCALE_AGE_S);
        ThresholdRules {
            length_per_instance: self.optional_whole(
                "mode.length_per_instance",
                length,
                &limits::SCALE_LENGTH,
            ),
            oldest_age_ns: age,
            quiet_ns: quiet.map_or(NS_PER_S, secs_to_ns),
            step: self.count_or("mode.step", step, 1, &limits::SCALE_STEP),
        }
    }

    /// Each trigger entry: a function of the experiment, named once, its kind and target.
    fn scale_triggers(&mut self, raw: &[RawTrigger], functions: &[String]) -> Vec<ScaledFunction> {
        let mut out: Vec<ScaledFunction> = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            let field = format!("scale.triggers[{i}]");
            if !functions.contains(&t.function) {
                self.problem(
                    &format!("{field}.function"),
                    format!("{:?}", t.function),
                    "is not a function of this experiment",
                    &format!("one of the names in `functions`: {functions:?}"),
                );
            } else if let Some(j) = out.iter().position(|f| f.function == t.function) {
                self.problem(
                    &format!("{field}.function"),
                    format!("{:?}", t.function),
                    format!("is also named by scale.triggers[{j}]"),
                    "one trigger per function: remove one of the two entries",
                );
            }
            let kind = match &t.kind {
                RawTriggerKind::Http => TriggerKind::Http,
                RawTriggerKind::StorageQueue => TriggerKind::StorageQueue,
                RawTriggerKind::ServiceBus => TriggerKind::ServiceBus,
                RawTriggerKind::EventHubs { partitions } => TriggerKind::EventHubs {
                    partitions: self
                        .whole(
                            &format!("{field}.kind.partitions"),
                            partitions,
                            &limits::PARTITIONS,
                        )
                        .unwrap_or(1) as u32,
                },
            };
            let target = t.target_per_instance.as_ref().and_then(|n| {
                self.whole(
                    &format!("{field}.target_per_instance"),
                    n,
                    &limits::SCALE_TARGET,
                )
                .map(|v| v as u32)
            });
            out.push(ScaledFunction {
                function: t.function.clone(),
                kind,
                target_per_instance: target,
            });
        }
        out
    }

    /// Floors above ceilings, and an all-Event-Hubs app (`partitions`: its largest event hub's)
    /// asked explicitly for more instances than that (an instance without a partition has
    /// nothing to read).
    fn fleet_bounds(&mut self, s: &RawScale, c: &ScaleConfig, partitions: Option<u32>) {
        let ceiling = c.ceiling();
        let ceiling_name = if c.app_scale_limit.is_some_and(|cap| cap < c.max_instances) {
            "app_scale_limit"
        } else {
            "max_instances"
        };
        for (name, value) in [
            ("min_instances", c.min_instances),
            ("always_ready", c.always_ready),
        ] {
            if value > ceiling {
                self.bad(
                    &format!("scale.{name}"),
                    value,
                    &format!("at most {ceiling_name} ({ceiling}): a fleet cannot keep more instances than it may have; raise {ceiling_name} or lower {name}"),
                );
            }
        }
        self.prewarmed_room(c, ceiling_name);
        let Some(partitions) = partitions else {
            return;
        };
        let explicit = [
            ("max_instances", s.max_instances.is_some(), c.max_instances),
            (
                "app_scale_limit",
                s.app_scale_limit.is_some(),
                c.app_scale_limit.unwrap_or(0),
            ),
            ("min_instances", s.min_instances.is_some(), c.min_instances),
            ("always_ready", s.always_ready.is_some(), c.always_ready),
        ];
        for (name, set, value) in explicit {
            if set && value > partitions {
                self.bad(
                    &format!("scale.{name}"),
                    value,
                    &format!("at most {partitions}, the event hub's partitions: every function is Event Hubs-triggered and each partition is read by one instance at a time, so more instances would sit idle; lower {name} or add partitions"),
                );
            }
        }
    }

    /// The pre-warmed buffer counts towards the ceiling and sits beyond the instances always
    /// kept, so it needs room above the floor: a buffer that could never be filled (or used)
    /// is refused rather than silently shrunk.
    fn prewarmed_room(&mut self, c: &ScaleConfig, ceiling_name: &str) {
        let (floor, ceiling) = (c.floor(), c.ceiling());
        if c.prewarmed > 0 && floor.saturating_add(c.prewarmed) > ceiling {
            let room = ceiling.saturating_sub(floor);
            self.bad(
                "scale.prewarmed",
                c.prewarmed,
                &format!("at most {ceiling_name} ({ceiling}) - the instances always kept ({floor}) = {room}: pre-warmed instances are a buffer beyond the instances in use and none is pre-warmed beyond the maximum [doc functions-premium-plan.md]; lower prewarmed or raise {ceiling_name}"),
            );
        }
    }

    /// `scale.<name>` as a whole number, or `default` when omitted or not allowed.
    fn count_or(&mut self, name: &str, n: &Option<Num>, default: u32, allowed: &Whole) -> u32 {
        self.optional_whole(name, n, allowed)
            .map_or(default, |v| v as u32)
    }

    /// `scale.<name>` as a whole number when given and allowed.
    fn optional_whole(&mut self, name: &str, n: &Option<Num>, allowed: &Whole) -> Option<u64> {
        let n = n.as_ref()?;
        self.whole(&format!("scale.{name}"), n, allowed)
    }

    /// `scale.<name>` in seconds as nanoseconds, or `default_s` when omitted or not allowed.
    fn seconds_or(&mut self, name: &str, n: &Option<Num>, default_s: f64, allowed: &Real) -> u64 {
        let s = match n {
            Some(n) => self
                .real(&format!("scale.{name}"), n, allowed)
                .unwrap_or(default_s),
            None => default_s,
        };
        secs_to_ns(s)
    }
}

/// The largest partition count when every function of the app is Event Hubs-triggered (all
/// `functions` listed in `triggers` as EventHubs), else `None`.
fn all_event_hubs_partitions(c: &ScaleConfig, functions: usize) -> Option<u32> {
    if functions == 0 || c.triggers.len() != functions {
        return None;
    }
    c.triggers
        .iter()
        .map(|f| match f.kind {
            TriggerKind::EventHubs { partitions } => Some(partitions),
            _ => None,
        })
        .try_fold(0, |most, p| p.map(|p| most.max(p)))
}
