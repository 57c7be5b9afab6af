#!/usr/bin/env python3
"""Where a body's wall time goes, sim against the machine, per case: its CPU, its waits for a
CPU, and its time off the CPUs.

    sim validate FOLDER --rows ROWS
    python3 body_parts.py FOLDER ROWS

The machine's rows must come from `measure.py` with `"schedstat": true` (the `rq_wait_ms`
column: the body thread's run-queue wait over the body, from /proc). For each such case, the
mean over its bodies of:
- the machine: wall time, CPU time (`cpu_ms`), run-queue wait, and the rest off the CPUs
  besides a CPU-then-sleep body's sleep (`io_ms`): waiting for the GIL, and waking up;
- sim (`ROWS/<case>.csv`): wall time, the body's CPU from cases.json, the wait for the GIL
  (`gil_wait_ms`, which includes waking up once handed it), and the rest besides the sleep:
  the slowdown of sharing the cores, sim's counterpart of the run-queue wait.
Then, where both have the receiver's path point (`rx_ms`: the harness's with "schedstat",
sim's always), the request's way in two legs: from its arrival to the receiver handling it
holding the GIL, and from there to the body's start; and where both have the loop's point
too (`dp_ms`: the loop beginning to dispatch the request), that second leg split at the loop.
Last, a CPU-then-sleep body's time (both always have its sleep's points): arrival to start,
the CPU part, the sleep and the way back to the GIL, and the rest.
Stdlib only.
"""

import argparse
import csv
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from body_stretch import ran_a_body  # noqa: E402
from worker_cpu import body_cpu_ms  # noqa: E402


def sleep_ms(case):
    """The blocking sleep in one body of `case` (a CPU-then-sleep body's), ms."""
    return float(case["body"].get("io_ms", 0.0))


def finished(rows):
    """The rows whose body started and ended."""
    return [r for r in rows if ran_a_body(r)]


def wall(r):
    return float(r["end_ms"]) - float(r["start_ms"])


def machine_parts(rows, case):
    """(wall, cpu, run-queue wait, off the CPUs) means, ms; None without the counters."""
    rows = [r for r in finished(rows) if r.get("rq_wait_ms") and r.get("cpu_ms")]
    if not rows:
        return None
    mean = statistics.fmean
    w, c = mean(map(wall, rows)), mean(float(r["cpu_ms"]) for r in rows)
    rq = mean(float(r["rq_wait_ms"]) for r in rows)
    return w, c, rq, w - c - rq - sleep_ms(case)


def sim_parts(rows, case):
    """(wall, cpu, sharing the cores, GIL wait) means, ms; None without `gil_wait_ms`."""
    rows = [r for r in finished(rows) if r.get("gil_wait_ms")]
    if not rows:
        return None
    mean = statistics.fmean
    w, g, c = mean(map(wall, rows)), mean(float(r["gil_wait_ms"]) for r in rows), body_cpu_ms(case)
    return w, c, w - c - g - sleep_ms(case), g


# The request's way, split at the dispatch path's points: one table per tuple, its points in
# order. A case gets a line in a table where both readings have every point of it. The last
# splits a CPU-then-sleep body at its sleep (`inner_start`, `inner_end`: the sleep's start, and
# the thread holding the GIL again after it), so its CPU part, its sleep with the way back to
# the GIL, and the wait for a pool thread before it each get a column.
LEG_TABLES = [
    ("arrival", "rx", "start"),
    ("rx", "dp", "start"),
    ("arrival", "start", "inner_start", "inner_end", "end"),
]


def legs(rows, points):
    """Mean time between each two consecutive `points` (column prefixes of `_ms`), ms; None
    where no finished row has them all."""
    cols = [p + "_ms" for p in points]
    rows = [r for r in finished(rows) if all(r.get(c) for c in cols)]
    if not rows:
        return None
    return tuple(statistics.fmean(float(r[b]) - float(r[a]) for r in rows)
                 for a, b in zip(cols, cols[1:]))


def means(values):
    """Means in a table's columns."""
    return " ".join("%6.2f" % v for v in values)


def legs_header(points):
    """The header of the legs table over `points`."""
    steps = "  ".join("%s->%s" % (a, b) for a, b in zip(points, points[1:]))
    return "%-36s machine: %s | sim: %s" % ("case (ms)", steps, steps)


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def report(folder, rows_dir):
    """One line per case with both readings."""
    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)["cases"]
    lines = ["%-36s %s | %s" % ("case (ms)", "machine: wall  cpu  run-queue  off-CPU",
                                "sim: wall  cpu  sharing  GIL wait")]
    tables = [[legs_header(points)] for points in LEG_TABLES]
    for case in cases:
        name = case["name"]
        measured = read_rows(os.path.join(folder, "invocations", name + ".csv"))
        simulated = read_rows(os.path.join(rows_dir, name + ".csv"))
        m, s = machine_parts(measured, case), sim_parts(simulated, case)
        if m and s:
            lines.append("%-36s %6.2f %5.2f %6.2f %6.2f | %6.2f %5.2f %6.2f %6.2f"
                         % ((name[:36],) + m + s))
        for table, points in zip(tables, LEG_TABLES):
            m, s = legs(measured, points), legs(simulated, points)
            if m and s:
                table.append("%-36s %s | %s" % (name[:36], means(m), means(s)))
    tables = [t for t in tables if len(t) > 1]
    return lines + [line for t in tables for line in [""] + t]


def folder_and_rows_cli(report_of, doc, argv=None):
    """The `FOLDER ROWS` command line of a tool whose `report_of(folder, rows)` gives its
    lines (this one's and `cpu_parts.py`'s)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("rows")
    args = ap.parse_args(argv)
    print("\n".join(report_of(args.folder, args.rows)))


def main(argv=None):
    folder_and_rows_cli(report, __doc__, argv)


if __name__ == "__main__":
    main()
