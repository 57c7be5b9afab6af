//! The Trace Event Format's JSON, streamed one event at a time: `{"traceEvents": [...],
//! "displayTimeUnit": "ms", "metadata": {...}}`, times in microseconds with three decimals
//! (nanoseconds), so the same events give the same bytes.
//!
//! Process and thread ids are handed out in the order they are first asked for (the host's
//! pseudo-process is [`HOST_PID`]); each comes with its `process_name` / `thread_name` and sort
//! index metadata events the first time. Thread ids are unique over the whole trace.

use std::collections::BTreeMap;
use std::io::{self, Write};

/// The pseudo-process that holds the host's counters and instant events.
pub(super) const HOST_PID: u32 = 1;

/// A value of an event's `args`.
#[derive(Clone, Copy)]
pub(super) enum Arg<'a> {
    /// A string.
    Text(&'a str),
    /// A number (written as JSON's shortest form of the f64).
    Num(f64),
    /// A whole number.
    Int(u64),
}

/// Microseconds from milliseconds, with three decimals.
struct Us(f64);

impl std::fmt::Display for Us {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3}", self.0 * 1000.0)
    }
}

/// A trace being written to `out`.
pub(super) struct Trace<W: Write> {
    out: W,
    events: u64,
    processes: BTreeMap<(u64, u64), u32>,
    threads: BTreeMap<(u32, String), u32>,
    next_pid: u32,
    next_tid: u32,
}

/// The where and when of one event: process, thread, name, category and time (ms).
pub(super) struct At<'a> {
    /// The process id.
    pub pid: u32,
    /// The thread id.
    pub tid: u32,
    /// The event's name.
    pub name: &'a str,
    /// Its category.
    pub cat: &'a str,
    /// Its time, ms since t = 0.
    pub ms: f64,
}

impl<W: Write> Trace<W> {
    /// Opens the event list and names the host's pseudo-process.
    pub(super) fn start(mut out: W) -> io::Result<Trace<W>> {
        out.write_all(b"{\"traceEvents\":[\n")?;
        let mut trace = Trace {
            out,
            events: 0,
            processes: BTreeMap::new(),
            threads: BTreeMap::new(),
            next_pid: HOST_PID + 1,
            next_tid: 1,
        };
        trace.process_metadata(HOST_PID, "host", 0)?;
        Ok(trace)
    }

    /// How many events were written.
    pub(super) fn events(&self) -> u64 {
        self.events
    }

    /// The process id of worker process `process` of instance `instance`.
    pub(super) fn worker(&mut self, instance: u64, process: u64) -> io::Result<u32> {
        if let Some(&pid) = self.processes.get(&(instance, process)) {
            return Ok(pid);
        }
        let pid = self.next_pid;
        self.next_pid += 1;
        self.processes.insert((instance, process), pid);
        let name = format!("instance {instance} / worker {process}");
        let sort = (instance * 1000 + process + 1) as i64;
        self.process_metadata(pid, &name, sort)?;
        Ok(pid)
    }

    /// The thread id of thread `name` of process `pid`.
    pub(super) fn thread(&mut self, pid: u32, name: &str) -> io::Result<u32> {
        if let Some(&tid) = self.threads.get(&(pid, name.to_string())) {
            return Ok(tid);
        }
        let tid = self.next_tid;
        self.next_tid += 1;
        self.threads.insert((pid, name.to_string()), tid);
        self.metadata(pid, tid, "thread_name", |w| {
            w.write_all(b"\"name\":")?;
            serde_json::to_writer(&mut *w, name).map_err(io::Error::from)
        })?;
        let sort = thread_sort_index(name);
        self.metadata(pid, tid, "thread_sort_index", |w| {
            write!(w, "\"sort_index\":{sort}")
        })?;
        Ok(tid)
    }

    fn process_metadata(&mut self, pid: u32, name: &str, sort: i64) -> io::Result<()> {
        self.metadata(pid, 0, "process_name", |w| {
            w.write_all(b"\"name\":")?;
            serde_json::to_writer(&mut *w, name).map_err(io::Error::from)
        })?;
        self.metadata(pid, 0, "process_sort_index", |w| {
            write!(w, "\"sort_index\":{sort}")
        })
    }

    fn metadata(
        &mut self,
        pid: u32,
        tid: u32,
        name: &str,
        args: impl FnOnce(&mut W) -> io::Result<()>,
    ) -> io::Result<()> {
        self.head(
            "M",
            &At {
                pid,
                tid,
                name,
                cat: "__metadata",
                ms: 0.0,
            },
        )?;
        self.out.write_all(b",\"args\":{")?;
        args(&mut self.out)?;
        self.out.write_all(b"}}")
    }

    /// Writes `{"ph":..,"name":..,"cat":..,"pid":..,"tid":..,"ts":..` (the event left open).
    fn head(&mut self, ph: &str, at: &At) -> io::Result<()> {
        if self.events > 0 {
            self.out.write_all(b",\n")?;
        }
        self.events += 1;
        write!(self.out, "{{\"ph\":\"{ph}\",\"name\":")?;
        serde_json::to_writer(&mut self.out, at.name)?;
        self.out.write_all(b",\"cat\":")?;
        serde_json::to_writer(&mut self.out, at.cat)?;
        write!(
            self.out,
            ",\"pid\":{},\"tid\":{},\"ts\":{}",
            at.pid,
            at.tid,
            Us(at.ms)
        )
    }

    fn args(&mut self, args: &[(&str, Arg)]) -> io::Result<()> {
        self.out.write_all(b",\"args\":{")?;
        for (i, (key, value)) in args.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
            }
            serde_json::to_writer(&mut self.out, key)?;
            self.out.write_all(b":")?;
            match value {
                Arg::Text(t) => serde_json::to_writer(&mut self.out, t)?,
                Arg::Num(v) => serde_json::to_writer(&mut self.out, v)?,
                Arg::Int(v) => write!(self.out, "{v}")?,
            }
        }
        self.out.write_all(b"}")
    }

    /// A complete event (`X`) from `at.ms` to `end_ms`, in reserved colour `cname`.
    pub(super) fn complete(
        &mut self,
        at: &At,
        end_ms: f64,
        cname: &str,
        args: &[(&str, Arg)],
    ) -> io::Result<()> {
        self.head("X", at)?;
        write!(
            self.out,
            ",\"dur\":{},\"cname\":\"{cname}\"",
            Us(end_ms - at.ms)
        )?;
        self.args(args)?;
        self.out.write_all(b"}")
    }

    /// An instant event (`i`) on its thread's track.
    pub(super) fn instant(&mut self, at: &At, args: &[(&str, Arg)]) -> io::Result<()> {
        self.head("i", at)?;
        self.out.write_all(b",\"s\":\"t\"")?;
        self.args(args)?;
        self.out.write_all(b"}")
    }

    /// A counter event (`C`): each of `values` a series of the counter `at.name`.
    pub(super) fn counter(&mut self, at: &At, values: &[(&str, f64)]) -> io::Result<()> {
        self.head("C", at)?;
        let args: Vec<_> = values.iter().map(|&(k, v)| (k, Arg::Num(v))).collect();
        self.args(&args)?;
        self.out.write_all(b"}")
    }

    /// The begin (`b`) of a nestable async span with id `id` in category `at.cat`; spans of
    /// one id nest: end them last begun, first ended.
    pub(super) fn async_begin(&mut self, at: &At, id: u64, args: &[(&str, Arg)]) -> io::Result<()> {
        self.head("b", at)?;
        write!(self.out, ",\"id\":{id}")?;
        self.args(args)?;
        self.out.write_all(b"}")
    }

    /// The end (`e`) of the async span `id` last begun.
    pub(super) fn async_end(&mut self, at: &At, id: u64) -> io::Result<()> {
        self.head("e", at)?;
        write!(self.out, ",\"id\":{id}}}")
    }

    /// Closes the event list, adds `metadata` and returns the writer.
    pub(super) fn finish(mut self, metadata: &serde_json::Value) -> io::Result<W> {
        self.out
            .write_all(b"\n],\n\"displayTimeUnit\":\"ms\",\n\"metadata\":")?;
        serde_json::to_writer(&mut self.out, metadata)?;
        self.out.write_all(b"}\n")?;
        Ok(self.out)
    }
}

/// Where a thread's lane goes in its process: the loop first, then the worker's receiver and
/// sender, the pool's threads, the executor's, anything else.
fn thread_sort_index(name: &str) -> i64 {
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|n| n.parse::<i64>().ok())
    };
    match name {
        "loop" => 0,
        "receiver" => 1,
        "sender" => 2,
        _ => numbered("pool-")
            .map(|n| 10 + n.min(1_000_000))
            .or_else(|| numbered("executor-").map(|n| 2_000_000 + n.min(1_000_000)))
            .unwrap_or(4_000_000),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stream_as_one_json_object() {
        let mut t = Trace::start(Vec::new()).unwrap();
        let pid = t.worker(0, 1).unwrap();
        let tid = t.thread(pid, "pool-0").unwrap();
        assert_eq!(t.thread(pid, "pool-0").unwrap(), tid, "ids are kept");
        let at = At {
            pid,
            tid,
            name: "GIL \"wait\"",
            cat: "gil_wait",
            ms: 1.5,
        };
        t.complete(
            &at,
            2.0,
            "thread_state_runnable",
            &[("function", Arg::Text("f"))],
        )
        .unwrap();
        let bytes = t.finish(&serde_json::json!({"k": 1})).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let events = v["traceEvents"].as_array().unwrap();
        let x = events.iter().find(|e| e["ph"] == "X").unwrap();
        assert_eq!(x["ts"].as_f64(), Some(1500.0));
        assert_eq!(x["dur"].as_f64(), Some(500.0));
        assert_eq!(x["name"], "GIL \"wait\"");
        assert_eq!(v["displayTimeUnit"], "ms");
        let named = |n: &str| events.iter().any(|e| e["args"]["name"] == n);
        assert!(named("host") && named("instance 0 / worker 1") && named("pool-0"));
    }

    #[test]
    fn the_loop_sorts_first_and_pool_threads_in_number_order() {
        let order = [
            "loop",
            "receiver",
            "sender",
            "pool-2",
            "pool-10",
            "executor-0",
            "x",
        ];
        let keys: Vec<_> = order.iter().map(|n| thread_sort_index(n)).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:?}");
    }
}
