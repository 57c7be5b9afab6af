//! Means and 95% confidence intervals over a configuration's replications: Student's t with
//! n - 1 degrees of freedom (the replications are independent runs, each with its own seed).
//!
//! The t quantile comes from a table for 1..=30 degrees of freedom and from the
//! Cornish-Fisher series around the normal quantile beyond (within 1e-5 of the exact value
//! from 30 up); with one replication there is no interval.

use serde::Serialize;

/// t(0.975, df) for df = 1..=30 (two-sided 95%), to 6 decimals.
const T975: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157,
    2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922,
    2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831,
    2.048407, 2.045230, 2.042272,
];

/// The normal distribution's 0.975 quantile.
const Z975: f64 = 1.959_963_984_540_054;

/// Student's t 0.975 quantile with `df` >= 1 degrees of freedom.
pub fn t975(df: usize) -> f64 {
    assert!(df >= 1, "a t quantile needs at least one degree of freedom");
    if df <= T975.len() {
        return T975[df - 1];
    }
    let (z, n) = (Z975, df as f64);
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * n)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92160.0 * n.powi(4))
}

/// A mean over replications and its 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MeanCi {
    /// How many replications gave a value.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Half the interval's width (t x s / sqrt(n)); `None` with one replication.
    pub ci95: Option<f64>,
    /// mean - ci95.
    pub low: Option<f64>,
    /// mean + ci95.
    pub high: Option<f64>,
}

impl MeanCi {
    /// The mean and interval of `values`, summed in order; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<MeanCi> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let ci95 = (n > 1).then(|| {
            let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t975(n - 1) * (var / n as f64).sqrt()
        });
        Some(MeanCi {
            n,
            mean,
            ci95,
            low: ci95.map(|h| mean - h),
            high: ci95.map(|h| mean + h),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_series_continues_the_table() {
        // Exact values (R: qt(0.975, df)).
        for (df, t) in [
            (31, 2.039513),
            (40, 2.021075),
            (60, 2.000298),
            (120, 1.979930),
        ] {
            assert!((t975(df) - t).abs() < 1e-5, "df {df}: {}", t975(df));
        }
        assert!((t975(10_000) - 1.960201).abs() < 1e-5);
    }
}
