//! Time-weighted gauges: a value that changes at instants, integrated over time.

/// A step function of time with its running integral (value x ns), in exact integers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gauge {
    value: i64,
    area: i128,
    last: u64,
}

impl Gauge {
    /// Adds `delta` to the value at `now`.
    pub fn add(&mut self, now: u64, delta: i64) {
        self.settle(now);
        self.value += delta;
    }

    /// Sets the value at `now`.
    pub fn set(&mut self, now: u64, value: i64) {
        self.settle(now);
        self.value = value;
    }

    /// The current value.
    pub fn value(&self) -> i64 {
        self.value
    }

    /// The integral from 0 to `now` (value x ns).
    pub fn area(&self, now: u64) -> i128 {
        self.area + self.value as i128 * now.saturating_sub(self.last) as i128
    }

    fn settle(&mut self, now: u64) {
        self.area = self.area(now);
        self.last = now.max(self.last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_a_step_function() {
        let mut g = Gauge::default();
        g.add(10, 2);
        g.add(20, -1);
        assert_eq!(g.area(30), 2 * 10 + 10);
        assert_eq!(g.value(), 1);
    }
}
