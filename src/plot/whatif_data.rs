//! The what-if chart's data: a compare's compare.json, or a sweep's ranking.csv.

use super::files::Compare;
use super::input::{json, Csv};
use super::whatif::{Point, Standing, WhatIf};
use super::Drawable;
use crate::error::Result;
use std::path::Path;

/// The what-if chart of the compare in `dir`.
pub fn compare(dir: &Path) -> Result<Drawable<WhatIf>> {
    let cmp: Compare = json(&dir.join("compare.json"))?;
    let ranked: Vec<&str> = cmp
        .ranking
        .iter()
        .flat_map(|r| r.ranked.iter().map(|x| x.name.as_str()))
        .collect();
    let judged = cmp.ranking.is_some();
    let points: Vec<Point> = cmp
        .variants
        .iter()
        .filter_map(|v| {
            let standing = match (judged, ranked.contains(&v.variant.as_str())) {
                (false, _) => Standing::Unjudged,
                (true, true) => Standing::Meets,
                (true, false) => Standing::Misses,
            };
            Some(Point {
                label: v.variant.clone(),
                cost: v.cost_per_month?,
                p99: v.p99_ms?,
                standing,
            })
        })
        .collect();
    if points.is_empty() {
        return Ok(Drawable::Skip(
            "no variant has a cost (the variants have no plan)".into(),
        ));
    }
    let chosen = ranked
        .first()
        .and_then(|c| points.iter().position(|p| p.label == *c));
    let currency = cmp
        .variants
        .iter()
        .find_map(|v| v.currency.clone())
        .unwrap_or_else(|| "USD".into());
    Ok(Drawable::Draw(WhatIf {
        title: format!("{}: p99 latency against cost", cmp.experiment),
        subtitle: objective_note(
            cmp.ranking.as_ref().map(|r| r.described.as_str()),
            "compare.json",
        ),
        currency,
        bound: cmp
            .ranking
            .as_ref()
            .and_then(|r| r.objective.constraints.p99_ms),
        points,
        chosen,
    }))
}

fn objective_note(described: Option<&str>, file: &str) -> String {
    match described {
        Some(d) if !d.is_empty() => {
            format!("Each dot a configuration as measured ({file}); objective: {d}")
        }
        _ => format!("Each dot a configuration as measured ({file}); no objective"),
    }
}

/// The what-if chart of the sweep in `dir`, from its ranking.csv (written when the sweep has
/// an objective).
pub fn sweep(dir: &Path) -> Result<Drawable<WhatIf>> {
    let path = dir.join("ranking.csv");
    if !path.is_file() {
        return Ok(Drawable::Skip(
            "no ranking.csv (the sweep has no objective)".into(),
        ));
    }
    let mut csv = Csv::open(&path)?;
    let c = [
        "standing",
        "position",
        "configuration",
        "p99_ms",
        "cost_per_month",
    ]
    .iter()
    .map(|n| csv.column(n))
    .collect::<Result<Vec<_>>>()?;
    let (mut points, mut chosen) = (Vec::new(), None);
    csv.rows(|row| {
        let (Some(p99), Some(cost)) = (
            row.opt_num(c[3], "p99_ms")?,
            row.opt_num(c[4], "cost_per_month")?,
        ) else {
            return Ok(());
        };
        let standing = match row.text(c[0]) {
            "ranked" => Standing::Meets,
            "uncertain" => Standing::Uncertain,
            _ => Standing::Misses,
        };
        if row.text(c[1]) == "1" {
            chosen = Some(points.len());
        }
        points.push(Point {
            label: row.text(c[2]).to_string(),
            cost,
            p99,
            standing,
        });
        Ok(())
    })?;
    if points.is_empty() {
        return Ok(Drawable::Skip(
            "ranking.csv has no configuration with a cost".into(),
        ));
    }
    let summary: serde_json::Value = json(&dir.join("sweep_summary.json"))?;
    let ranking: Option<super::files::Ranking> = summary
        .get("ranking")
        .cloned()
        .and_then(|r| serde_json::from_value(r).ok());
    let name = summary
        .get("experiment")
        .and_then(|e| e.as_str())
        .unwrap_or("sweep");
    Ok(Drawable::Draw(WhatIf {
        title: format!("{name}: p99 latency against cost"),
        subtitle: objective_note(
            ranking.as_ref().map(|r| r.described.as_str()),
            "ranking.csv, means over replications",
        ),
        currency: "USD".into(),
        bound: ranking.and_then(|r| r.objective.constraints.p99_ms),
        points,
        chosen,
    }))
}
