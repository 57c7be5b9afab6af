//! Which functions of a trace belong to its grouped rest: every function the trace block does
//! not keep by name (`top` or `functions`), among the apps `sample_apps` keeps.

use super::trace_scan::app_sampled;
use std::collections::{BTreeSet, HashMap};

/// Tells whether a trace function belongs to the grouped rest.
#[derive(Debug, Clone)]
pub struct RestFilter {
    kept: BTreeSet<String>,
    sample: Option<(f64, u64)>,
    /// Each app's sampling draw, once per app.
    apps: HashMap<String, bool>,
}

impl RestFilter {
    /// The rest of a trace whose functions `kept` replay on their own, with apps sampled
    /// with chance `share` from `seed` when `sample` is set.
    pub fn new(kept: &[String], sample: Option<(f64, u64)>) -> RestFilter {
        RestFilter {
            kept: kept.iter().cloned().collect(),
            sample,
            apps: HashMap::new(),
        }
    }

    /// Whether function `key` belongs to the rest.
    pub fn takes(&mut self, key: &str) -> bool {
        if self.kept.contains(key) {
            return false;
        }
        let Some((share, seed)) = self.sample else {
            return true;
        };
        let app = key.split('/').next().unwrap_or(key);
        if let Some(&kept) = self.apps.get(app) {
            return kept;
        }
        let kept = app_sampled(key, share, seed);
        self.apps.insert(app.to_string(), kept);
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rest_is_every_function_not_kept_of_the_sampled_apps() {
        let mut all = RestFilter::new(&["a/f".to_string()], None);
        assert!(!all.takes("a/f"));
        assert!(all.takes("a/g") && all.takes("b/f"));
        let mut half = RestFilter::new(&[], Some((0.5, 7)));
        for app in 0..50 {
            let (f, g) = (format!("app{app}/f"), format!("app{app}/g"));
            assert_eq!(half.takes(&f), app_sampled(&f, 0.5, 7));
            assert_eq!(half.takes(&g), half.takes(&f), "an app stays or goes whole");
        }
    }
}
