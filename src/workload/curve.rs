//! Arrivals of a non-homogeneous Poisson process whose rate is a piecewise-linear curve,
//! sampled exactly by inverting the integrated rate.
//!
//! With Λ(t) the expected arrivals up to t, the arrival instants of the process are
//! Λ⁻¹(E₁), Λ⁻¹(E₁ + E₂), ... for independent unit exponentials Eₖ (the time-change theorem).
//! On a segment from (t₀, r₀) with slope s, Λ grows by r₀u + su²/2 after u seconds, so the
//! instant where it has grown by `a` is u = 2a / (r₀ + √(r₀² + 2sa)): the root of the
//! quadratic written so that it stays exact for s = 0 (u = a / r₀), for s < 0 and for r₀ = 0.
//! No draw is rejected, so each arrival costs one exponential draw, whatever the curve.

use crate::config::curve::segment_area;
use crate::config::RateCurve;
use crate::kernel::SimRng;
use rand_distr::{Distribution, Exp1};

/// The next arrivals of a rate curve, produced on demand.
pub struct CurveArrivals {
    /// The stream the unit exponentials come from.
    rng: SimRng,
    /// (time s, rate per s), times strictly increasing.
    points: Vec<(f64, f64)>,
    /// The segment the last arrival fell in: from `points[seg]` to `points[seg + 1]`.
    seg: usize,
    /// Expected arrivals before `points[seg]`.
    area_before: f64,
    /// Λ at the last arrival: the sum of the unit exponentials drawn so far.
    reached: f64,
}

impl CurveArrivals {
    /// The arrivals of `curve`, drawn from `rng` (the function's arrival stream).
    pub fn new(curve: &RateCurve, rng: SimRng) -> CurveArrivals {
        CurveArrivals {
            rng,
            points: curve.points().to_vec(),
            seg: 0,
            area_before: 0.0,
            reached: 0.0,
        }
    }

    /// The instant, s, where Λ reaches `self.reached`; `None` past the last point.
    fn invert(&mut self) -> Option<f64> {
        loop {
            let (a, b) = (*self.points.get(self.seg)?, *self.points.get(self.seg + 1)?);
            let area = segment_area(a, b);
            let left = self.reached - self.area_before;
            if left <= area {
                let slope = (b.1 - a.1) / (b.0 - a.0);
                let root = (a.1 * a.1 + 2.0 * slope * left).max(0.0).sqrt();
                let u = if left > 0.0 {
                    2.0 * left / (a.1 + root)
                } else {
                    0.0
                };
                return Some(a.0 + u.clamp(0.0, b.0 - a.0));
            }
            self.area_before += area;
            self.seg += 1;
        }
    }
}

impl Iterator for CurveArrivals {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let e: f64 = Exp1.sample(&mut self.rng);
        self.reached += e;
        self.invert().map(|t| (t * 1e9).round() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::RngStreams;

    fn arrivals(points: &[(f64, f64)], seed: u64) -> Vec<u64> {
        let curve = RateCurve::new(points.to_vec()).unwrap();
        CurveArrivals::new(&curve, RngStreams::new(seed).stream("arrivals/f")).collect()
    }

    /// `n` within 5 standard deviations of a Poisson count of mean `mean` (variance = mean).
    fn near(n: usize, mean: f64) -> bool {
        (n as f64 - mean).abs() <= 5.0 * mean.sqrt()
    }

    #[test]
    fn the_count_over_the_curve_matches_its_integral() {
        // A day-like shape: a trough, a ramp, a peak, a spike, a quiet stretch at 0.
        let points = [
            (0.0, 20.0),
            (100.0, 200.0),
            (150.0, 200.0),
            (151.0, 2000.0),
            (160.0, 2000.0),
            (161.0, 0.0),
            (200.0, 0.0),
            (300.0, 50.0),
        ];
        let curve = RateCurve::new(points.to_vec()).unwrap();
        let a = arrivals(&points, 1);
        assert!(
            near(a.len(), curve.expected_arrivals()),
            "{} against {}",
            a.len(),
            curve.expected_arrivals()
        );
        assert!(a.windows(2).all(|w| w[0] <= w[1]), "ascending");
        assert!(*a.last().unwrap() <= 300_000_000_000);
        // Each stretch gets its own share: its trapezoid, within 5 sigma.
        for w in points.windows(2) {
            let (from, to) = ((w[0].0 * 1e9) as u64, (w[1].0 * 1e9) as u64);
            let n = a.iter().filter(|&&t| t >= from && t < to).count();
            let mean = segment_area(w[0], w[1]);
            assert!(near(n, mean), "{w:?}: {n} against {mean}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_arrivals() {
        let points = [(0.0, 5.0), (60.0, 50.0)];
        assert_eq!(arrivals(&points, 7), arrivals(&points, 7));
        assert_ne!(arrivals(&points, 7), arrivals(&points, 8));
    }

    #[test]
    fn a_constant_curve_is_a_poisson_process() {
        // Rate 1000/s for 100 s: 100,000 expected, and the gaps' mean is 1 ms.
        let a = arrivals(&[(0.0, 1000.0), (100.0, 1000.0)], 3);
        assert!(near(a.len(), 100_000.0), "{}", a.len());
        let mean_gap = (a[a.len() - 1] - a[0]) as f64 / (a.len() - 1) as f64;
        assert!((mean_gap / 1e6 - 1.0).abs() < 0.02, "{mean_gap}");
    }

    #[test]
    fn nothing_arrives_before_the_first_point_or_where_the_rate_is_0() {
        let a = arrivals(&[(10.0, 0.0), (11.0, 0.0), (12.0, 100.0)], 5);
        assert!(a.iter().all(|&t| t >= 11_000_000_000), "{:?}", &a[..3]);
        assert!(near(a.len(), 50.0), "{}", a.len());
    }
}
