//! The scale controller: a pure state machine that turns a [`Snapshot`] of the app's load and
//! fleet into a [`Decision`] (how many instances, how many to add or drain, and why).
//!
//! It reads nothing of the World and schedules nothing itself. How the World wires it:
//! 1. at build, `ScaleController::new(experiment.scale.clone())` and
//!    [`ScaleController::initial_instances`] instances ready at t = 0 (always-ready and
//!    min_instances);
//! 2. every [`ScaleController::interval_ns`], a `ScaleDecision` event: fill a [`Snapshot`]
//!    (start each function's entry from [`ScaleController::load_of`]), call
//!    [`ScaleController::decide`], request `add` instances and drain `drain` (never an
//!    always-ready one), write the decision to `scaling.csv` and the log. The World must carry
//!    out every decision: the controller records its scale-outs for the rate limit and hold;
//! 3. schedule the next decision only if [`wants_next_decision`] says so, so periodic
//!    decisions never keep a finished run alive.
//!
//! Modes (one file each): `target` (target-based and HTTP), `incremental` (the legacy
//! monitor), `thresholds` (a user's own); `bounds` applies the limits every mode shares;
//! `event_hubs` holds the valid worker counts. Facts and their sources are on the settings,
//! in `config::scale`.

mod bounds;
mod decision;
pub mod event_hubs;
pub mod incremental;
mod snapshot;
mod target;
mod thresholds;

pub use decision::{Decision, Limit};
pub use snapshot::{wants_next_decision, Fleet, FunctionLoad, Snapshot};

use crate::config::scale::{ScaleConfig, ScaleMode};
use bounds::{History, ModeLimits};
use incremental::Monitor;
use target::Load;
use thresholds::Quiet;

/// What a mode's rule asks for, before the limits.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Wanted {
    /// Instances wanted.
    pub(crate) count: u32,
    /// The rule with its numbers.
    pub(crate) rule: String,
    /// An HTTP function asks for more (the 1 s rate applies instead of 30 s).
    pub(crate) http: bool,
}

/// The app's scale controller: its settings and what it remembers between decisions.
#[derive(Debug, Clone)]
pub struct ScaleController {
    config: ScaleConfig,
    history: History,
    monitor: Monitor,
    quiet: Quiet,
}

impl ScaleController {
    /// A controller with `config`'s mode and limits, before its first decision.
    pub fn new(config: ScaleConfig) -> ScaleController {
        ScaleController {
            config,
            history: History::default(),
            monitor: Monitor::default(),
            quiet: Quiet::default(),
        }
    }

    /// Its settings.
    pub fn config(&self) -> &ScaleConfig {
        &self.config
    }

    /// Time between decisions, ns.
    pub fn interval_ns(&self) -> u64 {
        self.config.decision_interval_ns
    }

    /// Instances to have ready at t = 0: always-ready and min_instances.
    pub fn initial_instances(&self) -> u32 {
        self.config.floor()
    }

    /// An idle entry for function `name`, with its trigger and target from the settings;
    /// the World fills in its queue length, oldest age and in-flight count.
    pub fn load_of(&self, name: &str) -> FunctionLoad {
        FunctionLoad {
            name: name.to_string(),
            trigger: self.config.trigger_of(name),
            target_per_instance: self.config.target_of(name),
            queue_length: 0,
            oldest_age_ns: 0,
            in_flight: 0,
        }
    }

    /// One periodic decision.
    pub fn decide(&mut self, snapshot: &Snapshot) -> Decision {
        let (mode, wanted, step, hold_ns) = self.mode_wants(snapshot);
        let limits_in = ModeLimits {
            step,
            hold_ns,
            http: wanted.http,
        };
        let mut limits = Vec::new();
        let desired = bounds::bound(
            &self.config,
            &mut self.history,
            snapshot,
            wanted.count,
            &limits_in,
            &mut limits,
        );
        let active = snapshot.fleet.active();
        Decision {
            at: snapshot.now,
            mode,
            active,
            wanted: wanted.count,
            desired,
            add: desired.saturating_sub(active),
            drain: active.saturating_sub(desired),
            rule: wanted.rule,
            limits,
        }
    }

    /// The mode's name, want, step and scale-in hold.
    fn mode_wants(&mut self, snapshot: &Snapshot) -> (&'static str, Wanted, Option<u32>, u64) {
        match &self.config.mode {
            ScaleMode::TargetBased(r) => (
                "target-based",
                target::wanted(snapshot, r.combine, Load::EventSource),
                Some(r.max_step),
                r.scale_in_hold_ns,
            ),
            ScaleMode::Http(r) => (
                "http",
                target::wanted(snapshot, r.combine, Load::Concurrency),
                Some(r.max_step),
                r.scale_in_hold_ns,
            ),
            ScaleMode::Incremental(r) => ("incremental", self.monitor.wanted(snapshot, r), None, 0),
            ScaleMode::Thresholds(r) => ("thresholds", self.quiet.wanted(snapshot, r), None, 0),
        }
    }
}
