//! Simulated time: integer nanoseconds since the start of the run.
//!
//! Integers, not floats, so that event order never depends on rounding and a run is
//! reproducible bit for bit. `u64` nanoseconds cover 584 years.

use std::fmt;

/// An instant of simulated time, in nanoseconds since t = 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

/// Nanoseconds in one millisecond.
pub const NS_PER_MS: u64 = 1_000_000;
/// Nanoseconds in one second.
pub const NS_PER_S: u64 = 1_000_000_000;

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// The instant `ms` milliseconds after t = 0, rounded to the nearest nanosecond.
    pub fn from_ms(ms: f64) -> SimTime {
        SimTime(ms_to_ns(ms))
    }

    /// This instant in (fractional) milliseconds, for reports.
    pub fn as_ms(self) -> f64 {
        self.0 as f64 / NS_PER_MS as f64
    }

    /// This instant in (fractional) seconds, for reports.
    pub fn as_secs(self) -> f64 {
        self.0 as f64 / NS_PER_S as f64
    }

    /// The instant `ns` nanoseconds later (saturating: time never wraps).
    pub fn after(self, ns: u64) -> SimTime {
        SimTime(self.0.saturating_add(ns))
    }

    /// Nanoseconds from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

/// Converts a duration in milliseconds to whole nanoseconds (negative values become 0).
pub fn ms_to_ns(ms: f64) -> u64 {
    if ms <= 0.0 || ms.is_nan() {
        0
    } else {
        (ms * NS_PER_MS as f64).round() as u64
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6} ms", self.as_ms())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_round_trip_through_nanoseconds() {
        assert_eq!(SimTime::from_ms(1.5).0, 1_500_000);
        assert_eq!(SimTime::from_ms(1.5).as_ms(), 1.5);
        assert_eq!(ms_to_ns(-3.0), 0);
    }

    #[test]
    fn after_saturates_instead_of_wrapping() {
        assert_eq!(SimTime(u64::MAX - 1).after(10), SimTime(u64::MAX));
        assert_eq!(SimTime(5).since(SimTime(9)), 0);
    }
}
