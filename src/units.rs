//! Durations, sizes and counts in words a reader takes in at a glance.

/// A duration in the largest unit that keeps it readable.
pub fn duration(s: f64) -> String {
    match s {
        s if !s.is_finite() => "forever".into(),
        s if s < 1.0 => format!("{:.0} ms", s * 1e3),
        s if s < 120.0 => format!("{s:.1} s"),
        s if s < 7200.0 => format!("{:.0} min", s / 60.0),
        s if s < 172_800.0 => format!("{:.1} h", s / 3600.0),
        s if s < 3.2e9 => format!("{:.0} days", s / 86_400.0),
        s => format!("{:.1e} years", s / 3.15e7),
    }
}

/// A size in MiB, GiB or TiB (powers of two, as memory limits are given).
pub fn bytes(b: f64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    match b {
        b if !b.is_finite() => "unbounded".into(),
        b if b < MIB => format!("{:.0} KiB", b / 1024.0),
        b if b < 1024.0 * MIB => format!("{:.0} MiB", b / MIB),
        b if b < 1024.0 * 1024.0 * MIB => format!("{:.1} GiB", b / MIB / 1024.0),
        b => format!("{:.1e} GiB", b / MIB / 1024.0),
    }
}

/// A count: whole below a million, then in millions or billions, then in powers of ten.
pub fn count(n: f64) -> String {
    match n {
        n if !n.is_finite() => "unbounded".into(),
        n if n < 1e6 => format!("{n:.0}"),
        n if n < 1e9 => format!("{:.1} million", n / 1e6),
        n if n < 1e12 => format!("{:.1} billion", n / 1e9),
        n => format!("{n:.1e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_at_a_glance() {
        assert_eq!(duration(90.0), "90.0 s");
        assert_eq!(duration(0.0247), "25 ms");
        assert_eq!(bytes(300_000.0), "293 KiB");
        assert_eq!(duration(120_000.0), "33.3 h");
        assert_eq!(bytes(4.0 * 1024.0 * 1024.0 * 1024.0), "4.0 GiB");
        assert_eq!(bytes(1e21), "9.3e11 GiB");
        assert_eq!(count(12.0), "12");
        assert_eq!(count(2.5e7), "25.0 million");
        assert_eq!(count(1.2e10), "12.0 billion");
        assert_eq!(count(1e18), "1.0e18");
    }
}
