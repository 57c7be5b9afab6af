//! What a compare run writes and prints: compare.csv (one row per variant, in file order),
//! compare.json (the same rows with the objective and the verdict), and the table and verdict
//! line on the terminal. Built from the rows of `crate::analysis::compare` only.

use crate::analysis::compare::{CompareRow, Verdict, MAX_UNANSWERED_SHARE};
use crate::config::compare::Slo;
use serde::Serialize;
use std::fmt::Write;

/// compare.csv's header.
pub const CSV_HEADER: &str = "variant,plan,processes,threads,p50_ms,p99_ms,max_queue_age_s,rejected_429,failed,mean_instances,max_instances,cold_starts,cost_per_month,meets_slo";

/// compare.json.
#[derive(Debug, Serialize)]
pub struct CompareFile<'a> {
    /// The experiment's name.
    pub experiment: &'a str,
    /// The seed every variant ran with.
    pub seed: u64,
    /// The objective.
    pub slo: Slo,
    /// The largest share of requests a variant may leave unanswered and still meet it.
    pub max_unanswered_share: f64,
    /// One row per variant, in file order.
    pub variants: &'a [CompareRow],
    /// The cheapest variant that meets the objective, if any.
    pub cheapest: Option<&'a str>,
    /// Otherwise the closest, and how far its p99 is above the target, ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closest: Option<Closest<'a>>,
}

/// The variant that came closest when none meets the objective.
#[derive(Debug, Serialize)]
pub struct Closest<'a> {
    /// Its name.
    pub variant: &'a str,
    /// Its p99 minus the target, ms.
    pub over_ms: f64,
}

impl<'a> CompareFile<'a> {
    /// compare.json's content.
    pub fn new(
        experiment: &'a str,
        seed: u64,
        slo: Slo,
        rows: &'a [CompareRow],
        verdict: Option<Verdict<'a>>,
    ) -> Self {
        let (cheapest, closest) = match verdict {
            Some(Verdict::Cheapest(r)) => (Some(r.variant.as_str()), None),
            Some(Verdict::NoneMeets { closest, over_ms }) => (
                None,
                Some(Closest {
                    variant: &closest.variant,
                    over_ms,
                }),
            ),
            None => (None, None),
        };
        CompareFile {
            experiment,
            seed,
            slo,
            max_unanswered_share: MAX_UNANSWERED_SHARE,
            variants: rows,
            cheapest,
            closest,
        }
    }
}

/// compare.csv: the header and one line per row.
pub fn csv(rows: &[CompareRow]) -> String {
    let mut o = format!("{CSV_HEADER}\n");
    for r in rows {
        let cost = r.cost_per_month.map_or(String::new(), |c| c.to_string());
        let _ = writeln!(
            o,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.variant,
            r.plan,
            r.processes,
            r.threads,
            r.p50_ms,
            r.p99_ms,
            r.max_queue_age_s,
            r.rejected_429,
            r.failed,
            r.mean_instances,
            r.max_instances,
            r.cold_starts,
            cost,
            r.meets_slo
        );
    }
    o
}

/// The printed table's right-aligned columns, between the variant and plan on the left and the
/// SLO on the right: title, width, and a row's cell.
type Column = (&'static str, usize, fn(&CompareRow) -> String);

const COLUMNS: [Column; 10] = [
    ("P x T", 6, |r| format!("{} x {}", r.processes, r.threads)),
    ("p50 ms", 8, |r| format!("{:.1}", r.p50_ms)),
    ("p99 ms", 8, |r| format!("{:.1}", r.p99_ms)),
    ("queue s", 7, |r| format!("{:.1}", r.max_queue_age_s)),
    ("429s", 6, |r| r.rejected_429.to_string()),
    ("failed", 6, |r| r.failed.to_string()),
    ("inst", 6, |r| format!("{:.2}", r.mean_instances)),
    ("max", 4, |r| r.max_instances.to_string()),
    ("cold", 5, |r| r.cold_starts.to_string()),
    ("per month", 10, |r| {
        r.cost_per_month.map_or("-".into(), |c| format!("{c:.2}"))
    }),
];

/// The table as printed: a header, one line per row, a legend.
pub fn table(rows: &[CompareRow], slo: &Slo) -> String {
    let widest = |cell: fn(&CompareRow) -> &str, title: &str| {
        rows.iter()
            .map(|r| cell(r).len())
            .fold(title.len(), usize::max)
    };
    let (name_w, plan_w) = (
        widest(|r| &r.variant, "variant"),
        widest(|r| &r.plan, "plan"),
    );
    let line = |name: &str, plan: &str, cells: Vec<String>, slo: &str| {
        let mut l = format!("  {name:<name_w$}  {plan:<plan_w$}");
        for ((_, w, _), cell) in COLUMNS.iter().zip(cells) {
            let _ = write!(l, "  {cell:>w$}");
        }
        format!("{l}  {slo}\n")
    };
    let titles = COLUMNS.iter().map(|c| c.0.to_string()).collect();
    let mut o = line("variant", "plan", titles, "SLO");
    for r in rows {
        let cells = COLUMNS.iter().map(|c| (c.2)(r)).collect();
        o.push_str(&line(
            &r.variant,
            &r.plan,
            cells,
            if r.meets_slo { "yes" } else { "no" },
        ));
    }
    let priced = rows.iter().find(|r| r.cost_per_month.is_some());
    let cost_note = priced.map_or("no plan, no cost".into(), |r| {
        format!("{} for a month of such runs", r.currency)
    });
    let _ = writeln!(
        o,
        "  (P x T: worker processes x threads each; latency from arrival to response over the answered requests;\n   queue s: longest wait before a body started; inst: allocated instances on average, max: most ready at once;\n   cold: cold starts; per month: {cost_note}; SLO: p99 <= {} ms with at most {}% of requests refused or failed)",
        slo.p99_ms,
        MAX_UNANSWERED_SHARE * 100.0
    );
    o
}

/// The verdict in one line.
pub fn verdict_line(verdict: Option<Verdict>, slo: &Slo) -> String {
    match verdict {
        Some(Verdict::Cheapest(r)) => {
            let cost = r.cost_per_month.map_or("no plan, no cost".into(), |c| {
                format!("{} {c:.2} a month", r.currency)
            });
            format!(
                "cheapest that meets p99 <= {} ms: {} ({cost}, p99 {:.1} ms)",
                slo.p99_ms, r.variant, r.p99_ms
            )
        }
        Some(Verdict::NoneMeets { closest, over_ms }) => {
            let mut line = format!(
                "no variant meets p99 <= {} ms; closest: {} at p99 {:.1} ms",
                slo.p99_ms, closest.variant, closest.p99_ms
            );
            if over_ms > 0.0 {
                let _ = write!(line, ", {over_ms:.1} ms over");
            }
            let share = closest.unanswered_share();
            if share > MAX_UNANSWERED_SHARE {
                let _ = write!(
                    line,
                    ", {:.1}% of its requests refused or failed",
                    share * 100.0
                );
            }
            line
        }
        None => "no variant ran".to_string(),
    }
}
