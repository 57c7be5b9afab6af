//! A rate that changes over the run: `RateCurve(points: [(0.0, 2.0), (3600.0, 10.0), ...])`,
//! (time in seconds, arrivals per second) points joined by straight lines. Arrivals follow a
//! non-homogeneous Poisson process with that rate (sampled exactly in `workload::curve`); the
//! rate is 0 before the first point and after the last, where arrivals stop.
//!
//! This module holds the checked curve and its integral (the expected arrivals, used by the
//! sampler, the run's estimate and the capacity warning), and the checks of the raw points.

use super::checker::Checker;
use super::limits;
use super::number::Num;
use serde::Serialize;

/// A checked rate curve: at least two points, times strictly increasing, rates finite and
/// >= 0, not all zero.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RateCurve {
    /// (time s, arrivals per second), times strictly increasing.
    points: Vec<(f64, f64)>,
}

impl RateCurve {
    /// The curve through `points`, if they make one (see the type's rules); the config check
    /// ([`Checker::rate_curve`]) says what is wrong otherwise.
    pub fn new(points: Vec<(f64, f64)>) -> Option<RateCurve> {
        let increasing = points.windows(2).all(|w| w[0].0 < w[1].0);
        let rates_ok = points
            .iter()
            .all(|&(t, r)| t.is_finite() && r.is_finite() && r >= 0.0);
        let some_rate = points.iter().any(|&(_, r)| r > 0.0);
        (points.len() >= 2 && increasing && rates_ok && some_rate).then_some(RateCurve { points })
    }

    /// The points, (time s, arrivals per second).
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// When the last point is, s: no arrival comes after it.
    pub fn end_s(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.0)
    }

    /// Expected arrivals over the whole curve (its integral).
    pub fn expected_arrivals(&self) -> f64 {
        self.points
            .windows(2)
            .map(|w| segment_area(w[0], w[1]))
            .sum()
    }

    /// Mean arrivals per second from t = 0 to the last point (as a replay's rate is counted).
    pub fn mean_rate(&self) -> f64 {
        let end = self.end_s();
        if end > 0.0 {
            self.expected_arrivals() / end
        } else {
            0.0
        }
    }
}

/// Expected arrivals between two points of a curve: the trapezoid under the line.
pub fn segment_area(a: (f64, f64), b: (f64, f64)) -> f64 {
    (b.0 - a.0) * (a.1 + b.1) / 2.0
}

impl Checker {
    /// Checks `points` of a `RateCurve` workload at `field`; the curve, or `None` after
    /// recording every problem.
    pub(super) fn rate_curve(&mut self, points: &[(Num, Num)], field: &str) -> Option<RateCurve> {
        let before = self.problems.len();
        let count = Num::Int(points.len() as i128);
        self.whole(&format!("{field}.points"), &count, &limits::CURVE_POINTS);
        let mut checked = Vec::with_capacity(points.len());
        let mut last_t: Option<f64> = None;
        for (i, (t, r)) in points.iter().enumerate() {
            let at = format!("{field}.points[{i}]");
            let t = self.real(&at, t, &limits::CURVE_TIME_S);
            let r = self.real(&at, r, &limits::CURVE_RATE);
            if let (Some(t), Some(prev)) = (t, last_t) {
                if t <= prev {
                    let allowed = format!("a time after the previous point's ({prev} s): times must increase strictly");
                    self.problem(&at, format!("({t}, ..)"), "is out of order", &allowed);
                }
            }
            last_t = t.or(last_t);
            checked.extend(t.zip(r));
        }
        if self.problems.len() > before {
            return None;
        }
        let curve = RateCurve::new(checked);
        if curve.is_none() {
            self.problem(
                &format!("{field}.points"),
                "every rate 0",
                "gives no arrivals",
                "at least one point with a rate above 0",
            );
        }
        curve
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_integral_adds_up_the_trapezoids() {
        let c = RateCurve::new(vec![(0.0, 2.0), (10.0, 4.0), (20.0, 0.0)]).unwrap();
        assert_eq!(c.expected_arrivals(), 30.0 + 20.0);
        assert_eq!(c.mean_rate(), 2.5);
        assert_eq!(c.end_s(), 20.0);
    }

    #[test]
    fn a_curve_needs_two_increasing_points_and_some_rate() {
        assert!(RateCurve::new(vec![(0.0, 1.0)]).is_none());
        assert!(RateCurve::new(vec![(0.0, 1.0), (0.0, 2.0)]).is_none());
        assert!(RateCurve::new(vec![(0.0, 0.0), (5.0, 0.0)]).is_none());
        assert!(RateCurve::new(vec![(0.0, -1.0), (5.0, 2.0)]).is_none());
        assert!(RateCurve::new(vec![(0.0, f64::NAN), (5.0, 2.0)]).is_none());
        assert!(RateCurve::new(vec![(0.0, 0.0), (5.0, 2.0)]).is_some());
    }
}
