//! One reader per trace file: the functions a row trace (Azure 2021, plain CSV) contributes
//! share the first one's reader, which reads the file once and names the function of each row
//! (its member number is the function's id), instead of each function reading the whole file
//! for its own rows. The others' sources become followers; an arrival from the reader goes to
//! the row's function with the row's recorded duration (`World::arrival_target`).
//!
//! A row trace's grouped rest is a member too: it takes every row of a function not kept.
//! A 2019 function reads its own row of per-minute counts, so it keeps its own source (the
//! 2019 grouped rest reads its spilled hours).

use super::ids::{FuncId, Id};
use super::state::FunctionRt;
use super::world::World;
use crate::config::trace::TraceSource;
use crate::config::{FunctionSpec, Workload};
use crate::kernel::RngStreams;
use crate::workload::trace_feed::TraceArrivals;
use crate::workload::trace_rest::RestFilter;
use crate::workload::trace_rows::TraceFormat;
use crate::workload::ArrivalSource;
use std::collections::HashMap;

/// What makes two trace functions' rows come from the same reading of the same file.
fn reading(src: &TraceSource) -> Option<String> {
    (src.format != TraceFormat::Azure2019).then(|| {
        format!(
            "{}|{:?}|{}|{:?}|{}|{}",
            src.path.display(),
            src.format,
            src.lateness_ns,
            src.window_ns,
            src.scale,
            src.default_duration_ns
        )
    })
}

/// Gives the functions of each row trace file one shared reader (`specs` and `functions` in
/// the same order).
pub(super) fn share_readers(
    specs: &[FunctionSpec],
    functions: &mut [FunctionRt],
    streams: &RngStreams,
) {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, f) in specs.iter().enumerate() {
        let Workload::Trace(src) = &f.workload else {
            continue;
        };
        let Some(key) = reading(src) else { continue };
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => groups.push((key, vec![i])),
        }
    }
    for (_, members) in groups.into_iter().filter(|(_, m)| m.len() > 1) {
        let leader = members[0];
        let Workload::Trace(src) = &specs[leader].workload else {
            unreachable!("grouped from trace workloads")
        };
        let mut keys: HashMap<String, u32> = HashMap::new();
        let mut rest = None;
        for &i in &members {
            match &specs[i].workload {
                Workload::Trace(TraceSource { rest: Some(r), .. }) => {
                    rest = Some((RestFilter::new(&r.kept, r.sample), i as u32))
                }
                _ => {
                    keys.insert(trace_key(&specs[i]), i as u32);
                }
            }
        }
        let rng = streams.stream(&format!("arrivals/{}", specs[leader].name));
        functions[leader].source =
            ArrivalSource::Trace(Box::new(TraceArrivals::shared(src, rng, keys, rest)));
        for &i in &members[1..] {
            functions[i].source = ArrivalSource::Follower {
                last_duration_ns: 0,
            };
        }
    }
}

/// The key of a trace function's rows.
fn trace_key(f: &FunctionSpec) -> String {
    match &f.workload {
        Workload::Trace(src) => src.key.clone(),
        _ => unreachable!("a trace function"),
    }
}

impl World {
    /// The function an arrival of `func`'s source belongs to: `func` itself, or for a shared
    /// reader the row's function, which then holds the row's recorded duration.
    pub(super) fn arrival_target(&mut self, func: FuncId) -> FuncId {
        let source = &self.functions[func].source;
        let Some(member) = source.member().map(|m| FuncId::from_index(m as usize)) else {
            return func;
        };
        if member != func {
            let recorded = source.recorded_ns().unwrap_or(0);
            if let ArrivalSource::Follower { last_duration_ns } = &mut self.functions[member].source
            {
                *last_duration_ns = recorded;
            }
        }
        member
    }
}
