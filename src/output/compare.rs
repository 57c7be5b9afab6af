//! What a compare run writes and prints: compare.csv (one row per variant, in file order),
//! compare.json (the same rows with the objective's ranking), and the table on the terminal.
//! Built from the rows of `crate::analysis::compare` only; the ranking's own table and answer
//! line are `super::objective`'s.

use super::objective::RankingFile;
use crate::analysis::compare::CompareRow;
use serde::Serialize;
use std::fmt::Write;

/// compare.csv's header.
pub const CSV_HEADER: &str = "variant,plan,processes,threads,p50_ms,p99_ms,max_queue_age_s,rejected_429,failed,mean_instances,max_instances,cold_starts,cost_per_month,meets_objective";

/// compare.json.
#[derive(Debug, Serialize)]
pub struct CompareFile<'a> {
    /// The experiment's name.
    pub experiment: &'a str,
    /// The seed every variant ran with.
    pub seed: u64,
    /// One row per variant, in file order.
    pub variants: &'a [CompareRow],
    /// The variants against the objective: ranked, uncertain, missing.
    pub ranking: RankingFile<'a>,
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
            r.meets_objective
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
pub fn table(rows: &[CompareRow]) -> String {
    let widest = |cell: fn(&CompareRow) -> &str, title: &str| {
        rows.iter()
            .map(|r| cell(r).len())
            .fold(title.len(), usize::max)
    };
    let (name_w, plan_w) = (
        widest(|r| &r.variant, "variant"),
        widest(|r| &r.plan, "plan"),
    );
    let line = |name: &str, plan: &str, cells: Vec<String>, meets: &str| {
        let mut l = format!("  {name:<name_w$}  {plan:<plan_w$}");
        for ((_, w, _), cell) in COLUMNS.iter().zip(cells) {
            let _ = write!(l, "  {cell:>w$}");
        }
        format!("{l}  {meets}\n")
    };
    let titles = COLUMNS.iter().map(|c| c.0.to_string()).collect();
    let mut o = line("variant", "plan", titles, "meets");
    for r in rows {
        let cells = COLUMNS.iter().map(|c| (c.2)(r)).collect();
        let meets = if r.meets_objective { "yes" } else { "no" };
        o.push_str(&line(&r.variant, &r.plan, cells, meets));
    }
    let priced = rows.iter().find(|r| r.cost_per_month.is_some());
    let cost_note = priced.map_or("no plan, no cost".into(), |r| {
        format!("{} for a month of such runs", r.currency)
    });
    let _ = writeln!(
        o,
        "  (P x T: worker processes x threads each; latency from arrival to response over the answered requests;\n   queue s: longest wait before a body started; inst: allocated instances on average, max: most ready at once;\n   cold: cold starts; per month: {cost_note}; meets: within every bound of the objective)"
    );
    o
}
