//! Checking plans: a plan's own fields (the catalogue's, with an experiment's overrides laid
//! over them), then whether the experiment fits the plan (instances, always-ready and
//! pre-warmed instances, event-driven scaling). Every problem names its field path and why.

use super::raw::*;
use super::*;
use crate::config::checker::Checker;
use crate::config::limits::{self, Real, Whole};
use crate::config::number::Num;
use crate::config::raw::RawExperiment;
use crate::config::scale::raw::RawScale;
use crate::config::scale::ScaleConfig;
use crate::config::source::parse_ron;
use crate::error::Result;
use std::path::Path;

/// The catalogue, parsed.
pub(super) fn catalogue() -> Result<RawCatalogue> {
    parse_ron(Path::new(CATALOGUE_PATH), CATALOGUE, CATALOGUE_PATH)
}

/// The plan an experiment picked, checked, with its defaults for the `scale` block.
pub(in crate::config) struct ChosenPlan {
    /// The plan.
    pub(in crate::config) config: PlanConfig,
    /// Its scale defaults (the experiment's `scale` block is laid over them).
    pub(in crate::config) scale: Option<RawScale>,
}

impl Checker {
    /// The experiment's plan with its overrides; `None` without `plan`, or when the plan is
    /// unknown or its overrides are not allowed (the problems are recorded). `timeout_s` is
    /// the experiment's own functionTimeout, already range-checked. `Err` only if the
    /// compiled-in catalogue does not parse.
    pub(in crate::config) fn plan(
        &mut self,
        raw: &RawExperiment,
        timeout_s: Option<f64>,
    ) -> Result<Option<ChosenPlan>> {
        let Some(name) = raw.plan.as_ref() else {
            if raw.plan_overrides.is_some() {
                self.problem(
                    "plan_overrides",
                    "Plan(..)",
                    "has no plan to change",
                    "a plan named in `plan` (e.g. plan: \"EP2\"); add one or remove plan_overrides",
                );
            }
            return Ok(None);
        };
        let catalogue = catalogue()?;
        let found = catalogue.plans.iter().find(|p| {
            p.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name.trim()))
        });
        let Some(base) = found else {
            let names: Vec<&str> = catalogue
                .plans
                .iter()
                .filter_map(|p| p.name.as_deref())
                .collect();
            self.problem(
                "plan",
                format!("{name:?}"),
                format!("is not a plan of {CATALOGUE_PATH}"),
                &format!("one of {}", names.join(", ")),
            );
            return Ok(None);
        };
        let merged = match &raw.plan_overrides {
            Some(top) => overlay(base, top),
            None => base.clone(),
        };
        let config = self.plan_config(&merged, "plan_overrides", timeout_s);
        Ok(config.map(|config| ChosenPlan {
            config,
            scale: merged.scale.clone(),
        }))
    }

    /// The typed plan; problems are recorded under `prefix` (`plan_overrides` for an
    /// experiment, `plans[i]` for the catalogue itself).
    pub(in crate::config) fn plan_config(
        &mut self,
        p: &RawPlan,
        prefix: &str,
        timeout_s: Option<f64>,
    ) -> Option<PlanConfig> {
        let before = self.problems.len();
        let at = |name: &str| format!("{prefix}.{name}");
        let name = self
            .required(&at("name"), p.name.clone())
            .unwrap_or_default();
        let family = self.required(&at("family"), p.family);
        let cores = self.need_real(&at("cores"), &p.cores, &limits::CORES);
        let memory_mb = self.need_whole(&at("memory_mb"), &p.memory_mb, &limits::PLAN_MEMORY_MB);
        let memory_sizes_mb = self.memory_sizes(p, &at("memory_sizes_mb"), memory_mb);
        let max_instances = self.need_whole(
            &at("max_instances"),
            &p.max_instances,
            &limits::SCALE_CEILING,
        );
        let always_ready_min = match &p.always_ready_min {
            Some(n) => self.whole(&at("always_ready_min"), n, &limits::SCALE_FLOOR),
            None => Some(0),
        };
        let always_ready_max = self.need_whole(
            &at("always_ready_max"),
            &p.always_ready_max,
            &limits::SCALE_FLOOR,
        );
        let prewarmed_max = self.need_whole(
            &at("prewarmed_max"),
            &p.prewarmed_max,
            &limits::SCALE_PREWARMED,
        );
        let (timeout_default, timeout_max) = self.timeouts(p, prefix);
        let price = family.and_then(|f| self.price(p.price.as_ref(), f, &at("price")));
        if let (Some(lo), Some(hi)) = (always_ready_min, always_ready_max) {
            if lo > hi {
                self.bad(
                    &at("always_ready_min"),
                    lo,
                    &format!("at most always_ready_max ({hi})"),
                );
            }
        }
        let timeout = timeout_s.or(timeout_default);
        if self.problems.len() > before {
            return None;
        }
        Some(PlanConfig {
            name,
            os: format!("{:?}", p.os.unwrap_or(RawOs::Linux)),
            cores: cores?,
            memory_mb: memory_mb? as u32,
            memory_sizes_mb,
            max_instances: max_instances? as u32,
            always_ready_min: always_ready_min? as u32,
            always_ready_max: always_ready_max? as u32,
            prewarmed_max: prewarmed_max? as u32,
            event_scaling: p.event_scaling.unwrap_or(true),
            function_timeout_default_s: timeout_default?,
            function_timeout_max_s: timeout_max,
            function_timeout_s: timeout?,
            price: price?,
        })
    }

    /// The sizes the plan offers, and whether its memory is one of them.
    fn memory_sizes(&mut self, p: &RawPlan, field: &str, memory_mb: Option<u64>) -> Vec<u32> {
        let sizes: Vec<u32> = p
            .memory_sizes_mb
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, n)| self.whole(&format!("{field}[{i}]"), n, &limits::PLAN_MEMORY_MB))
            .map(|v| v as u32)
            .collect();
        if let Some(mb) = memory_mb.filter(|mb| !sizes.is_empty() && !sizes.contains(&(*mb as u32)))
        {
            let list: Vec<String> = sizes.iter().map(u32::to_string).collect();
            let memory_field = field.replace("memory_sizes_mb", "memory_mb");
            self.problem(
                &memory_field,
                mb,
                "is not an instance size this plan offers",
                &format!(
                    "one of {} MB (ref §5); pick the nearest size, or the plan of that size",
                    list.join(", ")
                ),
            );
        }
        sizes
    }

    /// The plan's default and maximum functionTimeout, s.
    fn timeouts(&mut self, p: &RawPlan, prefix: &str) -> (Option<f64>, Option<f64>) {
        let default_field = format!("{prefix}.function_timeout_default_s");
        let default = self.need_real(
            &default_field,
            &p.function_timeout_default_s,
            &limits::FUNCTION_TIMEOUT_S,
        );
        let max = p.function_timeout_max_s.as_ref().and_then(|n| {
            self.real(
                &format!("{prefix}.function_timeout_max_s"),
                n,
                &limits::FUNCTION_TIMEOUT_S,
            )
        });
        if let (Some(d), Some(m)) = (default, max) {
            if d > m {
                self.bad(
                    &default_field,
                    show(d),
                    &format!("at most function_timeout_max_s ({})", show(m)),
                );
            }
        }
        (default, max)
    }

    /// The prices `family` bills by.
    fn price(&mut self, raw: Option<&RawPrice>, family: RawFamily, field: &str) -> Option<Price> {
        let r = self.required(field, raw.cloned())?;
        let at = |name: &str| format!("{field}.{name}");
        let currency = self.required(&at("currency"), r.currency.clone());
        let region = self.required(&at("region"), r.region.clone());
        let date = self.required(&at("date"), r.date.clone());
        let source = self.required(&at("source"), r.source.clone());
        let rates = match family {
            RawFamily::Consumption => self.consumption_rates(&r, field).map(Rates::Consumption),
            RawFamily::Flex => self.flex_rates(&r, field).map(Rates::Flex),
            RawFamily::Premium => Some(Rates::Premium(PremiumRates {
                vcpu_hour: self.need_real(&at("vcpu_hour"), &r.vcpu_hour, &limits::PRICE)?,
                gib_hour: self.need_real(&at("gib_hour"), &r.gib_hour, &limits::PRICE)?,
            })),
            RawFamily::Dedicated => Some(Rates::Dedicated(DedicatedRates {
                instance_hour: self.need_real(
                    &at("instance_hour"),
                    &r.instance_hour,
                    &limits::PRICE,
                )?,
            })),
        };
        Some(Price {
            currency: currency?,
            region: region?,
            date: date?,
            source: source?,
            rates: rates?,
        })
    }

    fn consumption_rates(&mut self, r: &RawPrice, field: &str) -> Option<ConsumptionRates> {
        let at = |name: &str| format!("{field}.{name}");
        let billed = r
            .billed_memory_mb
            .as_ref()
            .map(|n| self.whole(&at("billed_memory_mb"), n, &limits::PLAN_MEMORY_MB));
        if billed == Some(None) {
            return None;
        }
        Some(ConsumptionRates {
            gb_s: self.need_real(&at("gb_s"), &r.gb_s, &limits::PRICE)?,
            memory_step_mb: self.need_whole(
                &at("memory_step_mb"),
                &r.memory_step_mb,
                &limits::PLAN_MEMORY_MB,
            )? as u32,
            billed_memory_mb: billed.flatten().map(|mb| mb as u32),
            per_million_executions: self.need_real(
                &at("per_million_executions"),
                &r.per_million_executions,
                &limits::PRICE,
            )?,
            free: self.free_grant(r, field)?,
        })
    }

    fn flex_rates(&mut self, r: &RawPrice, field: &str) -> Option<FlexRates> {
        let at = |name: &str| format!("{field}.{name}");
        let mut rate = |name: &str, n: &Option<Num>| self.need_real(&at(name), n, &limits::PRICE);
        let on_demand = rate("on_demand_gb_s", &r.on_demand_gb_s);
        let baseline = rate("always_ready_baseline_gb_s", &r.always_ready_baseline_gb_s);
        let execution = rate(
            "always_ready_execution_gb_s",
            &r.always_ready_execution_gb_s,
        );
        let per_million = rate("per_million_executions", &r.per_million_executions);
        let min_period = self.need_real(
            &at("min_period_ms"),
            &r.min_period_ms,
            &limits::BILLED_PERIOD_MS,
        );
        let step = self.need_real(
            &at("period_step_ms"),
            &r.period_step_ms,
            &limits::BILLED_STEP_MS,
        );
        Some(FlexRates {
            on_demand_gb_s: on_demand?,
            always_ready_baseline_gb_s: baseline?,
            always_ready_execution_gb_s: execution?,
            per_million_executions: per_million?,
            min_period_ms: min_period?,
            period_step_ms: step?,
            free: self.free_grant(r, field)?,
        })
    }

    fn free_grant(&mut self, r: &RawPrice, field: &str) -> Option<FreeGrant> {
        let gb_s = self.need_real(
            &format!("{field}.free_gb_s"),
            &r.free_gb_s,
            &limits::FREE_GRANT,
        );
        let executions = self.need_real(
            &format!("{field}.free_executions"),
            &r.free_executions,
            &limits::FREE_GRANT,
        );
        Some(FreeGrant {
            gb_s: gb_s?,
            executions: executions?,
            applied: r.apply_free_grant.unwrap_or(false),
        })
    }

    /// Whether the experiment's fleet is one `plan` can run: instances within its limit,
    /// always-ready and pre-warmed instances only where it has them, and no event-driven
    /// scaling where it has none.
    pub(in crate::config) fn plan_fits(&mut self, plan: &PlanConfig, scale: Option<&ScaleConfig>) {
        let name = &plan.name;
        if let Some(max) = plan
            .function_timeout_max_s
            .filter(|max| plan.function_timeout_s > *max)
        {
            self.problem(
                "function_timeout_s",
                show(plan.function_timeout_s),
                format!("is above {name}'s maximum"),
                &format!("at most {} s on {name} (functionTimeout; ref §5: Consumption 10 min, the others unbounded); lower it or pick a plan without that maximum", show(max)),
            );
        }
        let Some(s) = scale else { return };
        let limit = plan.max_instances;
        for (field, value) in [
            ("max_instances", s.max_instances),
            ("app_scale_limit", s.app_scale_limit.unwrap_or(0)),
            ("min_instances", s.min_instances),
        ] {
            if value > limit {
                self.bad(
                    &format!("scale.{field}"),
                    value,
                    &format!("at most {limit} instances on {name} (its limit in {CATALOGUE_PATH}, ref §4); lower {field} or pick a plan that allows more"),
                );
            }
        }
        self.offered(
            "always_ready",
            s.always_ready,
            plan.always_ready_max,
            name,
            "always-ready instances (Premium and Flex Consumption keep them)",
        );
        self.offered(
            "prewarmed",
            s.prewarmed,
            plan.prewarmed_max,
            name,
            "a pre-warmed buffer (Premium has one)",
        );
        if s.always_ready < plan.always_ready_min {
            self.bad(
                "scale.always_ready",
                s.always_ready,
                &format!(
                    "at least {} on {name}: the plan always keeps (and bills) them (ref §4)",
                    plan.always_ready_min
                ),
            );
        }
        if !plan.event_scaling && s.ceiling() > s.floor() {
            self.problem(
                "scale.max_instances",
                s.ceiling(),
                format!("is above the {} instance(s) always kept", s.floor()),
                &format!("{} on {name}: it does not scale on events (ref §8; App Service autoscale is not modelled), so set max_instances to the instance count and always_ready to the same", s.floor()),
            );
        }
    }

    /// `scale.<field>` = `value` within the plan's `max` of it (0: the plan has none).
    fn offered(&mut self, field: &str, value: u32, max: u32, plan: &str, what: &str) {
        if value <= max {
            return;
        }
        let path = format!("scale.{field}");
        if max == 0 {
            self.problem(
                &path,
                value,
                format!("is not offered by {plan}"),
                &format!("0: {plan} has no {what}; remove {field} or pick such a plan"),
            );
        } else {
            self.bad(
                &path,
                value,
                &format!("at most {max} on {plan} ({CATALOGUE_PATH})"),
            );
        }
    }

    /// A field the plan must have: its value, or `None` after recording that it is missing.
    fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.problem(
                field,
                "(omitted)",
                "is missing",
                "every plan sets it (see models/plans.ron)",
            );
        }
        value
    }

    fn need_real(&mut self, field: &str, n: &Option<Num>, allowed: &Real) -> Option<f64> {
        let n = self.required(field, n.as_ref())?;
        self.real(field, n, allowed)
    }

    fn need_whole(&mut self, field: &str, n: &Option<Num>, allowed: &Whole) -> Option<u64> {
        let n = self.required(field, n.as_ref())?;
        self.whole(field, n, allowed)
    }
}

/// A number as a message shows it.
fn show(x: f64) -> String {
    crate::config::number::show(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn checker() -> Checker {
        Checker {
            file: PathBuf::from(CATALOGUE_PATH),
            text: CATALOGUE.to_string(),
            problems: Vec::new(),
            overrides: Vec::new(),
        }
    }

    #[test]
    fn every_plan_of_the_catalogue_is_valid_and_named_once() {
        let cat = catalogue().expect("models/plans.ron parses");
        let mut c = checker();
        let mut names = Vec::new();
        for (i, p) in cat.plans.iter().enumerate() {
            let plan = c.plan_config(p, &format!("plans[{i}]"), None);
            let defaults = p.scale.clone().unwrap_or_default();
            let scale = c.scale(&defaults, &[], None);
            if let Some(plan) = plan {
                c.plan_fits(&plan, Some(&scale));
                assert!(!names.contains(&plan.name), "{} twice", plan.name);
                names.push(plan.name);
            }
        }
        let problems: Vec<String> = c.problems.iter().map(|p| p.to_string()).collect();
        assert!(problems.is_empty(), "{problems:#?}");
        for wanted in [
            "Consumption",
            "ConsumptionWindows",
            "Flex512",
            "Flex2048",
            "Flex4096",
            "EP1",
            "EP2",
            "EP3",
            "P0v3",
            "P1v3",
            "P2v3",
        ] {
            assert!(names.iter().any(|n| n == wanted), "{wanted} missing");
        }
    }

    #[test]
    fn a_problem_in_the_catalogue_points_at_its_line() {
        let cat = catalogue().unwrap();
        let mut broken = cat.plans[2].clone();
        broken.memory_mb = Some(Num::Int(1000));
        let mut c = checker();
        assert!(c.plan_config(&broken, "plans[2]", None).is_none());
        let p = &c.problems[0];
        assert_eq!(p.field, "plans[2].memory_mb");
        assert!(p.location.is_some(), "{p}");
        assert!(p.allowed.contains("512, 2048, 4096"), "{p}");
    }
}
