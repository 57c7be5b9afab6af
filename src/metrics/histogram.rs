//! A log-linear histogram of nanosecond values: fixed relative precision (buckets 1/1024 of
//! their value wide, so a quantile is within 1/2048 of its exact value), memory independent
//! of the number of samples, exact count, sum, min and max.

/// Values below this are counted exactly.
const LINEAR: u64 = 2048;
/// Sub-buckets per power of two above `LINEAR` (relative width 2^-10).
const SUB_BITS: u32 = 10;

/// Streaming distribution of durations in ns.
#[derive(Debug, Clone, Default)]
pub struct LogHistogram {
    counts: Vec<u64>,
    n: u64,
    sum: u128,
    min: u64,
    max: u64,
}

impl LogHistogram {
    /// The largest relative error of a quantile: each order statistic is its bucket's
    /// midpoint, at most half a bucket (2^-11 of the value) away, and interpolating between
    /// two of them keeps that bound; values below 2048 ns are exact.
    pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << (SUB_BITS + 1)) as f64;

    /// Records one value.
    pub fn record(&mut self, v: u64) {
        let i = bucket(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        if self.n == 0 || v < self.min {
            self.min = v;
        }
        self.max = self.max.max(v);
        self.n += 1;
        self.sum += v as u128;
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Exact mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum as f64 / self.n as f64
        }
    }

    /// Exact maximum.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Exact minimum.
    pub fn min(&self) -> u64 {
        self.min
    }

    /// The q-quantile (0..=1), interpolating linearly between order statistics as numpy does;
    /// each order statistic is within [`Self::RELATIVE_ERROR`] of its exact value; clamped to
    /// [min, max].
    pub fn quantile(&self, q: f64) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let pos = q.clamp(0.0, 1.0) * (self.n - 1) as f64;
        let (lo, hi) = (pos.floor() as u64, pos.ceil() as u64);
        let (a, b) = (self.order_statistic(lo), self.order_statistic(hi));
        a + (b - a) * (pos - lo as f64)
    }

    /// The value of rank `rank` (0-based), as its bucket's midpoint.
    fn order_statistic(&self, rank: u64) -> f64 {
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen > rank {
                let (lo, hi) = bounds(i);
                let mid = (lo as f64 + hi as f64) / 2.0;
                return mid.clamp(self.min as f64, self.max as f64);
            }
        }
        self.max as f64
    }
}

fn bucket(v: u64) -> usize {
    if v < LINEAR {
        return v as usize;
    }
    let exp = 63 - v.leading_zeros();
    let shift = exp - SUB_BITS;
    let mantissa = (v >> shift) as usize & ((1 << SUB_BITS) - 1);
    LINEAR as usize + ((exp - 11) as usize) * (1 << SUB_BITS) + mantissa
}

/// The [lo, hi] value range of bucket `i`.
fn bounds(i: usize) -> (u64, u64) {
    if i < LINEAR as usize {
        return (i as u64, i as u64);
    }
    let k = i - LINEAR as usize;
    let exp = (k >> SUB_BITS) as u32 + 11;
    let mantissa = (k & ((1 << SUB_BITS) - 1)) as u64;
    let shift = exp - SUB_BITS;
    let lo = (1u64 << exp) | (mantissa << shift);
    (lo, lo + (1u64 << shift) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_the_stated_resolution() {
        let mut h = LogHistogram::default();
        for v in 1..=100_000u64 {
            h.record(v * 1000);
        }
        for q in [0.5, 0.9, 0.99] {
            let exact = q * 99_999.0 * 1000.0 + 1000.0;
            assert!(
                (h.quantile(q) - exact).abs() / exact <= LogHistogram::RELATIVE_ERROR,
                "q={q}: {} vs {exact}",
                h.quantile(q)
            );
        }
        assert_eq!(h.max(), 100_000_000);
        assert_eq!(h.mean(), 50_000_500.0);
    }

    #[test]
    fn every_value_falls_inside_its_bucket() {
        for v in [
            0,
            1,
            2047,
            2048,
            2049,
            1 << 20,
            (1 << 40) + 12345,
            u64::MAX / 3,
        ] {
            let (lo, hi) = bounds(bucket(v));
            assert!(lo <= v && v <= hi, "{v}: [{lo}, {hi}]");
        }
    }
}
