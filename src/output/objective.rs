//! A ranking as written and printed: ranking.csv (every configuration, ranked ones first in
//! rank order, then the uncertain, then the misses nearest first), the JSON form that
//! compare.json and sweep_summary.json embed, the table, and the one-line answer.

use crate::analysis::objective::{Breach, Candidate, Estimate, Objective, Ranking, Strategy};
use serde::Serialize;
use std::fmt::Write;

/// Lines of each part the terminal shows; the files hold them all.
const SHOWN: usize = 10;

/// ranking.csv's header.
pub const CSV_HEADER: &str = "standing,position,configuration,p99_ms,p99_ci95,max_queue_age_s,max_queue_age_ci95,unanswered_share,unanswered_ci95,cost_per_month,cost_ci95,bounds";

/// A ranking with its objective, as JSON.
#[derive(Debug, Serialize)]
pub struct RankingFile<'a> {
    /// The objective.
    pub objective: &'a Objective,
    /// The objective in words.
    pub described: String,
    /// The configurations that meet it, best first.
    pub ranked: Vec<Entry<'a>>,
    /// Those whose interval straddles a bound.
    pub uncertain: Vec<Entry<'a>>,
    /// Those that break a bound, nearest first.
    pub misses: Vec<Entry<'a>>,
}

/// One configuration in a ranking: its figures and the bounds it breaks or straddles.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    /// Its figures.
    #[serde(flatten)]
    pub candidate: &'a Candidate,
    /// The bounds (empty for a ranked one).
    pub bounds: &'a [Breach],
}

impl<'a> RankingFile<'a> {
    /// The JSON form of `ranking` over `candidates`.
    pub fn new(
        objective: &'a Objective,
        candidates: &'a [Candidate],
        ranking: &'a Ranking,
    ) -> Self {
        let entries = |part: &'a [(usize, Vec<Breach>)]| {
            part.iter()
                .map(|(i, b)| Entry {
                    candidate: &candidates[*i],
                    bounds: b,
                })
                .collect()
        };
        RankingFile {
            objective,
            described: objective.describe(),
            ranked: ranking
                .ranked
                .iter()
                .map(|&i| Entry {
                    candidate: &candidates[i],
                    bounds: &[],
                })
                .collect(),
            uncertain: entries(&ranking.uncertain),
            misses: entries(&ranking.misses),
        }
    }
}

/// ranking.csv.
pub fn csv(candidates: &[Candidate], ranking: &Ranking) -> String {
    let mut o = format!("{CSV_HEADER}\n");
    for (pos, &i) in ranking.ranked.iter().enumerate() {
        csv_line(&mut o, "ranked", Some(pos + 1), &candidates[i], &[]);
    }
    for (i, b) in &ranking.uncertain {
        csv_line(&mut o, "uncertain", None, &candidates[*i], b);
    }
    for (i, b) in &ranking.misses {
        csv_line(&mut o, "miss", None, &candidates[*i], b);
    }
    o
}

fn csv_line(o: &mut String, standing: &str, pos: Option<usize>, c: &Candidate, b: &[Breach]) {
    let est = |e: Option<Estimate>| match e {
        None => ",".to_string(),
        Some(e) => format!(
            "{},{}",
            e.mean,
            e.half_width.map_or(String::new(), |h| h.to_string())
        ),
    };
    let bounds: Vec<String> = b.iter().map(breach_text).collect();
    let _ = writeln!(
        o,
        "{standing},{},{},{},{},{},{},\"{}\"",
        pos.map_or(String::new(), |p| p.to_string()),
        quoted(&c.name),
        est(Some(c.p99_ms)),
        est(Some(c.max_queue_age_s)),
        est(Some(c.unanswered_share)),
        est(c.cost_per_month),
        bounds.join("; ")
    );
}

/// `text`, quoted for CSV when it holds a comma or a quote.
fn quoted(text: &str) -> String {
    if text.contains([',', '"']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// "p99_ms 593.1 > 575 (+3.1%)".
fn breach_text(b: &Breach) -> String {
    format!(
        "{} {} > {} ({:+.1}%)",
        b.constraint,
        round_for_text(b.value),
        b.limit,
        b.excess() * 100.0
    )
}

/// "p99_ms 690.2, its interval straddles 700".
fn straddle_text(b: &Breach) -> String {
    format!(
        "{} {}, its interval straddles {}",
        b.constraint,
        round_for_text(b.value),
        b.limit
    )
}

fn round_for_text(v: f64) -> String {
    if v.is_infinite() {
        "none answered".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// The ranked table, the uncertain and the nearest misses, as printed; `currency` names the
/// costs ("USD").
pub fn table(
    objective: &Objective,
    candidates: &[Candidate],
    ranking: &Ranking,
    currency: &str,
) -> String {
    let width = candidates
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0)
        .clamp(13, 60);
    let mut o = format!("objective: {}\n", objective.describe());
    let cost_title = if currency.is_empty() {
        "cost/month".to_string()
    } else {
        format!("{currency}/month")
    };
    let _ = writeln!(
        o,
        "{:>4}  {:<width$}  {:>16}  {:>12}  {:>14}  {:>18}",
        "rank", "configuration", "p99 ms", "queue s", "unanswered", cost_title
    );
    for (pos, &i) in ranking.ranked.iter().enumerate().take(SHOWN) {
        let c = &candidates[i];
        let _ = writeln!(
            o,
            "{:>4}  {:<width$}  {:>16}  {:>12}  {:>14}  {:>18}",
            pos + 1,
            c.name,
            estimate_text(c.p99_ms, 1, 1.0),
            estimate_text(c.max_queue_age_s, 2, 1.0),
            format!("{}%", estimate_text(c.unanswered_share, 2, 100.0)),
            c.cost_per_month
                .map_or("-".into(), |e| estimate_text(e, 2, 1.0)),
        );
    }
    more(&mut o, ranking.ranked.len());
    let title = "uncertain (an interval straddles a bound; more replications would tell):";
    part(&mut o, title, candidates, &ranking.uncertain, straddle_text);
    part(
        &mut o,
        "nearest misses:",
        candidates,
        &ranking.misses,
        breach_text,
    );
    o
}

/// A part of configurations with their bounds, under `title`, when not empty.
fn part(
    o: &mut String,
    title: &str,
    candidates: &[Candidate],
    items: &[(usize, Vec<Breach>)],
    text: fn(&Breach) -> String,
) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(o, "{title}");
    for (i, b) in items.iter().take(SHOWN) {
        let bounds: Vec<String> = b.iter().map(text).collect();
        let _ = writeln!(o, "      {}: {}", candidates[*i].name, bounds.join("; "));
    }
    more(o, items.len());
}

fn more(o: &mut String, n: usize) {
    if n > SHOWN {
        let _ = writeln!(o, "      ... and {} more (ranking.csv)", n - SHOWN);
    }
}

/// "547.6" or "547.6 ± 12.1", scaled by `scale`.
fn estimate_text(e: Estimate, decimals: usize, scale: f64) -> String {
    if e.mean.is_infinite() {
        return "-".into();
    }
    match e.half_width {
        Some(h) => format!("{:.decimals$} ± {:.decimals$}", e.mean * scale, h * scale),
        None => format!("{:.decimals$}", e.mean * scale),
    }
}

/// The answer in one line: the best configuration that meets the objective, or why none does;
/// `what` names the configurations ("variant", "configuration").
pub fn answer_line(
    objective: &Objective,
    candidates: &[Candidate],
    ranking: &Ranking,
    what: &str,
    currency: &str,
) -> String {
    let bounds = objective.describe();
    let bounds = bounds.split(';').next().unwrap_or("");
    if let Some(&best) = ranking.ranked.first() {
        let c = &candidates[best];
        let lead = match objective.strategy {
            Strategy::Cost => "cheapest",
            Strategy::Speed => "fastest",
            Strategy::Balanced(_) => "best balanced",
        };
        let cost = c.cost_per_month.map_or("no plan".into(), |e| {
            format!("{currency} {:.2} a month", e.mean)
        });
        return format!(
            "{lead} that meets {bounds}: {} ({cost}, p99 {:.1} ms)",
            c.name, c.p99_ms.mean
        );
    }
    if let Some((i, _)) = ranking.uncertain.first() {
        return format!(
            "no {what} surely meets {bounds}; {} uncertain, the first {} (more replications would tell)",
            ranking.uncertain.len(),
            candidates[*i].name
        );
    }
    match ranking.misses.first() {
        Some((i, b)) => {
            let bounds_broken: Vec<String> = b.iter().map(breach_text).collect();
            format!(
                "no {what} meets {bounds}: the nearest is {} ({})",
                candidates[*i].name,
                bounds_broken.join("; ")
            )
        }
        None => format!("no {what} to rank"),
    }
}
