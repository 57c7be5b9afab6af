//! Open-loop arrival sources, each a lazy iterator of ascending instants (ns).

use crate::config::Workload;
use crate::kernel::SimRng;
use rand_distr::{Distribution, Exp};

/// The next arrivals of one function, produced on demand.
pub enum ArrivalSource {
    /// `remaining` more invocations, all at `at_ns`.
    Burst {
        /// How many are left.
        remaining: u64,
        /// The instant.
        at_ns: u64,
    },
    /// Exponential gaps until `end_ns`.
    Poisson {
        /// The stream the gaps come from.
        rng: SimRng,
        /// Gap distribution, in ns.
        gap: Exp<f64>,
        /// Time of the previous arrival (fractional ns, so rounding never accumulates).
        last: f64,
        /// No arrival at or after this.
        end_ns: u64,
    },
    /// A non-homogeneous Poisson process along a rate curve.
    Curve(super::curve::CurveArrivals),
    /// On/off bursts (a Markov-modulated Poisson process).
    OnOff(super::onoff::OnOffArrivals),
    /// Instants read from a file.
    Replay {
        /// The instants.
        arrivals: std::sync::Arc<Vec<u64>>,
        /// The next one to hand out.
        next: usize,
    },
    /// One function of a recorded trace, streamed from its file, or the shared reader of
    /// several (see [`ArrivalSource::member`]).
    Trace(Box<super::trace_feed::TraceArrivals>),
    /// A trace function whose rows another function's shared reader hands out: the recorded
    /// duration of its arrival now being made.
    Follower {
        /// The recorded duration, ns.
        last_duration_ns: u64,
    },
    /// Nothing (closed-loop functions, whose arrivals the model makes).
    None,
}

impl ArrivalSource {
    /// The source for an open-loop workload, like [`ArrivalSource::new`], except that a
    /// trace's grouped rest that cannot be prepared (its hour files not written under the
    /// system's temporary folder, or its file changed since the check) is an error, not a
    /// source without arrivals.
    pub fn open(workload: &Workload, rng: SimRng) -> crate::error::Result<ArrivalSource> {
        match workload {
            Workload::Trace(src) => match &src.rest {
                Some(rest) => Ok(ArrivalSource::Trace(Box::new(
                    super::trace_feed::TraceArrivals::open_rest(
                        src,
                        rest,
                        rng,
                        &std::env::temp_dir(),
                    )?,
                ))),
                None => Ok(ArrivalSource::new(workload, rng)),
            },
            _ => Ok(ArrivalSource::new(workload, rng)),
        }
    }

    /// The source for an open-loop workload; `rng` is this function's arrival stream (a
    /// trace's grouped rest that cannot be prepared has no arrivals: see [`ArrivalSource::open`]).
    pub fn new(workload: &Workload, rng: SimRng) -> ArrivalSource {
        match workload {
            Workload::Burst { n, at_ns } => ArrivalSource::Burst {
                remaining: *n,
                at_ns: *at_ns,
            },
            Workload::Poisson {
                rate_per_s,
                duration_ns,
            } => ArrivalSource::Poisson {
                rng,
                gap: Exp::new(rate_per_s / 1e9).expect("validated rate > 0"),
                last: 0.0,
                end_ns: *duration_ns,
            },
            Workload::RateCurve(curve) => {
                ArrivalSource::Curve(super::curve::CurveArrivals::new(curve, rng))
            }
            Workload::OnOff {
                rate_per_s,
                on_ns,
                off_ns,
                duration_ns,
            } => ArrivalSource::OnOff(super::onoff::OnOffArrivals::new(
                *rate_per_s,
                *on_ns,
                *off_ns,
                *duration_ns,
                rng,
            )),
            Workload::Replay { arrivals_ns, .. } => ArrivalSource::Replay {
                arrivals: std::sync::Arc::new(arrivals_ns.clone()),
                next: 0,
            },
            Workload::Trace(src) if src.rest.is_some() => {
                ArrivalSource::open(workload, rng).unwrap_or(ArrivalSource::None)
            }
            Workload::Trace(src) => {
                ArrivalSource::Trace(Box::new(super::trace_feed::TraceArrivals::new(src, rng)))
            }
            Workload::ClosedLoop { .. } => ArrivalSource::None,
        }
    }

    /// The recorded duration of the arrival last handed out, ns, for a trace (`None` for
    /// other sources, whose durations come from the body's distributions).
    pub fn recorded_ns(&self) -> Option<u64> {
        match self {
            ArrivalSource::Trace(t) => Some(t.last_duration_ns()),
            ArrivalSource::Follower { last_duration_ns } => Some(*last_duration_ns),
            _ => None,
        }
    }

    /// The member of a shared trace reader whose arrival was last handed out (`None`: not a
    /// shared reader).
    pub fn member(&self) -> Option<u32> {
        match self {
            ArrivalSource::Trace(t) => t.last_member(),
            _ => None,
        }
    }
}

impl Iterator for ArrivalSource {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        match self {
            ArrivalSource::Burst { remaining, at_ns } => {
                if *remaining == 0 {
                    return None;
                }
                *remaining -= 1;
                Some(*at_ns)
            }
            ArrivalSource::Poisson {
                rng,
                gap,
                last,
                end_ns,
            } => {
                *last += gap.sample(rng);
                let t = last.round() as u64;
                (t < *end_ns).then_some(t)
            }
            ArrivalSource::Curve(curve) => curve.next(),
            ArrivalSource::OnOff(source) => source.next(),
            ArrivalSource::Replay { arrivals, next } => {
                let t = arrivals.get(*next).copied();
                *next += 1;
                t
            }
            ArrivalSource::Trace(t) => t.next(),
            ArrivalSource::Follower { .. } | ArrivalSource::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::RngStreams;

    #[test]
    fn poisson_count_matches_rate_times_duration() {
        let w = Workload::Poisson {
            rate_per_s: 1000.0,
            duration_ns: 100_000_000_000,
        };
        let arrivals: Vec<u64> = ArrivalSource::new(&w, RngStreams::new(3).stream("a")).collect();
        // 100,000 expected; the standard deviation is sqrt(100,000) ~ 316: 5 sigma.
        assert!(
            (arrivals.len() as f64 - 100_000.0).abs() < 1_600.0,
            "{}",
            arrivals.len()
        );
        assert!(arrivals.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn burst_yields_n_at_one_instant() {
        let w = Workload::Burst { n: 3, at_ns: 7 };
        let a: Vec<u64> = ArrivalSource::new(&w, RngStreams::new(0).stream("a")).collect();
        assert_eq!(a, vec![7, 7, 7]);
    }
}
