//! thread_states.csv and tasks.csv: what every thread did and when each task lived, over the
//! window the run recorded (see [`crate::metrics::thread_states`]); the format is in the
//! README's "Output files".

use super::csv_export::OrBlank;
use crate::metrics::thread_states::{StateRow, TaskRow};
use std::io::{self, Write};

/// Header of thread_states.csv.
pub const STATES_HEADER: &str =
    "instance,process,thread,state,start_ms,end_ms,function,invocation,task,blocks_loop";
/// Header of tasks.csv.
pub const TASKS_HEADER: &str =
    "task,parent,invocation,function,instance,process,kind,start_ms,end_ms";

fn ms(ns: u64) -> String {
    format!("{:.6}", ns as f64 / 1e6)
}

/// One stretch of one thread.
pub fn write_state(out: &mut impl Write, r: &StateRow, names: &[String]) -> io::Result<()> {
    let w = &r.work;
    writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{}",
        r.place.instance,
        r.place.process,
        r.place.thread,
        w.state,
        ms(r.start),
        ms(r.end),
        OrBlank(w.function.map(|f| &names[f as usize])),
        OrBlank(w.invocation),
        OrBlank(w.task),
        u8::from(w.blocks_loop)
    )
}

/// One task's life.
pub fn write_task(out: &mut impl Write, r: &TaskRow, names: &[String]) -> io::Result<()> {
    writeln!(
        out,
        "{},{},{},{},{},{},{},{},{}",
        r.task,
        OrBlank(r.parent),
        r.invocation,
        names[r.function as usize],
        r.instance,
        r.process,
        r.kind,
        ms(r.start),
        ms(r.end)
    )
}
