//! The memory and restart sections of summary.json: what each instance held (peak and
//! time-weighted mean) against its limit, and how many worker processes were killed and
//! restarted, by cause. The model measures them (`model::memory`, `model::restart`); this is
//! only their exported form.

use super::summary::round6;
use serde::Serialize;

/// Memory over a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MemorySummary {
    /// The instance's limit, MB (`None`: no limit).
    pub limit_mb: Option<f64>,
    /// The host process, MB.
    pub host_mb: f64,
    /// A worker process at rest (base and the app's imports), MB.
    pub process_mb: f64,
    /// The most any instance held at once, MB.
    pub peak_mb: f64,
    /// `peak_mb` over the limit (`None`: no limit).
    pub peak_share: Option<f64>,
    /// Time-weighted mean over every instance's life, MB.
    pub mean_mb: f64,
    /// Worker processes killed at the limit.
    pub oom_kills: u64,
    /// Per instance, in instance order.
    pub instances: Vec<InstanceMemorySummary>,
}

/// One instance's memory over its life.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InstanceMemorySummary {
    /// Its index.
    pub instance: usize,
    /// The most it held at once, MB.
    pub peak_mb: f64,
    /// Time-weighted mean over its life, MB.
    pub mean_mb: f64,
}

/// One instance's figures as the model gives them: (peak MB, mean MB, life ns).
pub type InstanceFigures = (f64, f64, u64);

impl MemorySummary {
    /// The summary of instances with `figures`, each rounded for the file.
    pub fn new(
        limit_mb: Option<f64>,
        host_mb: f64,
        process_mb: f64,
        oom_kills: u64,
        figures: &[InstanceFigures],
    ) -> MemorySummary {
        let peak_mb = figures.iter().map(|f| f.0).fold(0.0, f64::max);
        let life: f64 = figures.iter().map(|f| f.2 as f64).sum();
        let weighted: f64 = figures.iter().map(|f| f.1 * f.2 as f64).sum();
        let mean_mb = if life > 0.0 { weighted / life } else { peak_mb };
        MemorySummary {
            limit_mb,
            host_mb: round6(host_mb),
            process_mb: round6(process_mb),
            peak_mb: round6(peak_mb),
            peak_share: limit_mb.map(|l| round6(peak_mb / l)),
            mean_mb: round6(mean_mb),
            oom_kills,
            instances: figures
                .iter()
                .enumerate()
                .map(|(instance, f)| InstanceMemorySummary {
                    instance,
                    peak_mb: round6(f.0),
                    mean_mb: round6(f.1),
                })
                .collect(),
        }
    }
}

/// Worker process restarts, by why the process died.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct RestartSummary {
    /// After a function timeout.
    pub timeout: u64,
    /// After an out-of-memory kill.
    pub out_of_memory: u64,
}

impl RestartSummary {
    /// Whether no process restarted (then summary.json leaves the section out).
    pub fn is_none(&self) -> bool {
        self.timeout + self.out_of_memory == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fleet_mean_weights_each_instance_by_its_life() {
        let s = MemorySummary::new(
            Some(1000.0),
            200.0,
            80.0,
            0,
            &[(500.0, 400.0, 3), (900.0, 800.0, 1)],
        );
        assert_eq!(s.peak_mb, 900.0);
        assert_eq!(s.peak_share, Some(0.9));
        assert_eq!(s.mean_mb, (400.0 * 3.0 + 800.0) / 4.0);
        assert_eq!(s.instances[1].instance, 1);
    }
}
