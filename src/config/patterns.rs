//! Synthetic load patterns: a daily cycle, a ramp, a step and a spike, each a [`RateCurve`]
//! (a non-homogeneous Poisson process), and on/off bursts (a two-state Markov-modulated
//! Poisson process, [`Workload::OnOff`]).
//!
//! A step or spike edge is a straight line 1 ms long (a curve's times increase strictly);
//! the daily cycle is a cosine from trough to peak sampled every 5 minutes, so its integral,
//! the expected arrivals, is the curve's own.

use super::checker::Checker;
use super::limits;
use super::number::Num;
use super::{RateCurve, Workload};
use serde::{Deserialize, Serialize};

/// How long an edge of a step or spike takes, s.
const EDGE_S: f64 = 0.001;
/// The daily cycle's sampling step, s.
const DIURNAL_STEP_S: f64 = 300.0;
/// Seconds in a day.
const DAY_S: f64 = 86_400.0;

/// A synthetic load pattern (a `Workload` variant in the file).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Pattern")]
pub enum RawPattern {
    /// A daily cycle: the rate follows a cosine from `trough_per_s` up to `peak_per_s` at
    /// `peak_at_h` (hours after the start, 0..24, default 14) and back, for `days` (1..=11).
    Diurnal {
        /// The lowest rate, arrivals per second (0..=1e9).
        trough_per_s: Num,
        /// The highest rate, arrivals per second (0..=1e9).
        peak_per_s: Num,
        /// When the peak comes, hours after the start (default 14).
        #[serde(default)]
        peak_at_h: Option<Num>,
        /// How many days (default 1).
        #[serde(default)]
        days: Option<Num>,
    },
    /// The rate goes in a straight line from `from_per_s` to `to_per_s` over `duration_s`.
    Ramp {
        /// The rate at the start.
        from_per_s: Num,
        /// The rate at the end.
        to_per_s: Num,
        /// Seconds (0 < s <= 1e6).
        duration_s: Num,
    },
    /// `before_per_s` until `at_s`, then `after_per_s` until `duration_s`.
    Step {
        /// The rate before the step.
        before_per_s: Num,
        /// The rate after it.
        after_per_s: Num,
        /// When it steps, s (before `duration_s`).
        at_s: Num,
        /// Seconds (0 < s <= 1e6).
        duration_s: Num,
    },
    /// `base_per_s`, with `peak_per_s` from `at_s` for `length_s`, until `duration_s`.
    Spike {
        /// The rate outside the spike.
        base_per_s: Num,
        /// The rate during it.
        peak_per_s: Num,
        /// When it starts, s.
        at_s: Num,
        /// How long it lasts, s (it must end before `duration_s`).
        length_s: Num,
        /// Seconds (0 < s <= 1e6).
        duration_s: Num,
    },
}

/// Which of the rates checked by `rates` are the named fields.
type Named<'a> = [(&'a str, &'a Num)];

impl Checker {
    /// The rate curve of `p`, checked; `None` after reporting a problem.
    pub(super) fn pattern(&mut self, p: &RawPattern, field: &str) -> Option<Workload> {
        let before = self.problems.len();
        let points = match p {
            RawPattern::Diurnal {
                trough_per_s,
                peak_per_s,
                peak_at_h,
                days,
            } => {
                let r = self.rates(
                    field,
                    &[("trough_per_s", trough_per_s), ("peak_per_s", peak_per_s)],
                );
                let at = peak_at_h
                    .as_ref()
                    .and_then(|n| self.real(&format!("{field}.peak_at_h"), n, &limits::PEAK_AT_H))
                    .unwrap_or(14.0);
                let days = days
                    .as_ref()
                    .and_then(|n| self.whole(&format!("{field}.days"), n, &limits::DIURNAL_DAYS))
                    .unwrap_or(1);
                diurnal(r[0], r[1], at * 3600.0, days as f64 * DAY_S)
            }
            RawPattern::Ramp {
                from_per_s,
                to_per_s,
                duration_s,
            } => {
                let r = self.rates(field, &[("from_per_s", from_per_s), ("to_per_s", to_per_s)]);
                let d = self.length(field, duration_s);
                vec![(0.0, r[0]), (d, r[1])]
            }
            RawPattern::Step {
                before_per_s,
                after_per_s,
                at_s,
                duration_s,
            } => {
                let r = self.rates(
                    field,
                    &[("before_per_s", before_per_s), ("after_per_s", after_per_s)],
                );
                let d = self.length(field, duration_s);
                let at = self.inside(field, "at_s", at_s, d);
                vec![(0.0, r[0]), (at, r[0]), (at + EDGE_S, r[1]), (d, r[1])]
            }
            RawPattern::Spike {
                base_per_s,
                peak_per_s,
                at_s,
                length_s,
                duration_s,
            } => {
                let r = self.rates(
                    field,
                    &[("base_per_s", base_per_s), ("peak_per_s", peak_per_s)],
                );
                let d = self.length(field, duration_s);
                let at = self.inside(field, "at_s", at_s, d);
                let end = at + self.inside(field, "length_s", length_s, d - at);
                vec![
                    (0.0, r[0]),
                    (at, r[0]),
                    (at + EDGE_S, r[1]),
                    (end, r[1]),
                    (end + EDGE_S, r[0]),
                    (d, r[0]),
                ]
            }
        };
        if self.problems.len() > before {
            return None;
        }
        let mut points = points;
        points.dedup_by(|b, a| b.0 <= a.0 && b.1 == a.1);
        match RateCurve::new(points) {
            Some(curve) => Some(Workload::RateCurve(curve)),
            None => {
                self.bad(
                    field,
                    "the pattern",
                    "a rate above 0 somewhere, and edges inside the duration",
                );
                None
            }
        }
    }

    /// The named rates, checked (0 where not allowed).
    fn rates(&mut self, field: &str, named: &Named) -> Vec<f64> {
        named
            .iter()
            .map(|(name, n)| {
                self.real(&format!("{field}.{name}"), n, &limits::CURVE_RATE)
                    .unwrap_or(0.0)
            })
            .collect()
    }

    /// A pattern's `duration_s`, checked (1 s where not allowed).
    fn length(&mut self, field: &str, n: &Num) -> f64 {
        self.real(&format!("{field}.duration_s"), n, &limits::DURATION_S)
            .unwrap_or(1.0)
    }

    /// A time inside a span of `span` seconds, leaving room for the edges after it.
    fn inside(&mut self, field: &str, name: &str, n: &Num, span: f64) -> f64 {
        let at = format!("{field}.{name}");
        let Some(v) = self.real(&at, n, &limits::CURVE_TIME_S) else {
            return 0.0;
        };
        if v <= EDGE_S || v + 2.0 * EDGE_S >= span {
            self.bad(
                &at,
                v,
                &format!(
                    "a time above {EDGE_S} s and below {} s (the duration, less the edges)",
                    span - 2.0 * EDGE_S
                ),
            );
        }
        v
    }
}

/// The daily cycle's points over `length` seconds: trough + (peak - trough) x (1 +
/// cos(2 pi (t - peak_at) / day)) / 2, every 5 minutes.
fn diurnal(trough: f64, peak: f64, peak_at: f64, length: f64) -> Vec<(f64, f64)> {
    let steps = (length / DIURNAL_STEP_S).ceil() as usize;
    (0..=steps)
        .map(|i| {
            let t = (i as f64 * DIURNAL_STEP_S).min(length);
            let phase = 2.0 * std::f64::consts::PI * (t - peak_at) / DAY_S;
            (t, trough + (peak - trough) * (1.0 + phase.cos()) / 2.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_peaks_at_its_hour_and_averages_between_trough_and_peak() {
        let p = diurnal(2.0, 10.0, 14.0 * 3600.0, DAY_S);
        assert_eq!(p.len(), 289);
        let top = p
            .iter()
            .cloned()
            .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a });
        assert_eq!(top.0, 14.0 * 3600.0);
        let curve = RateCurve::new(p).unwrap();
        assert!(
            (curve.mean_rate() - 6.0).abs() < 0.01,
            "{}",
            curve.mean_rate()
        );
    }
}
