#!/usr/bin/env python3
"""Per-case means of the scheduler counters that `measure.py --schedstat` records per body.

    python3 schedstat_summary.py DIR      (DIR holds invocations/<case>.csv)

For each case: the body's stretch (wall time - its own CPU time), how much of it the thread
spent runnable but waiting for a core (run-queue wait), the rest (blocked: waiting for the GIL
in a CPU body), voluntary and involuntary context switches per body, and the mean wait per
involuntary switch and per voluntary switch. Stdlib only.
"""
import csv
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from body_parts import machine_parts  # noqa: E402  (blocked: the rest besides CPU and waits)


def summarize(path):
    rows = list(csv.DictReader(open(path)))
    if not rows or "rq_wait_ms" not in rows[0]:
        return None
    wall, cpu, rq, blocked = machine_parts(rows, {"body": {}})
    m = statistics.mean
    col = lambda k: [float(r[k]) for r in rows]
    vol, invol = m(col("vol_cs")), m(col("invol_cs"))
    return (wall - cpu, rq, blocked, vol, invol,
            rq / invol * 1e3 if invol else float("nan"),
            blocked / vol * 1e3 if vol else float("nan"))


def main():
    folder = os.path.join(sys.argv[1], "invocations")
    print("%-34s %8s %8s %8s %6s %6s %9s %9s" % ("case", "stretch", "rq_wait", "blocked",
                                                "vol", "invol", "us/invol", "us/vol"))
    for name in sorted(os.listdir(folder)):
        s = summarize(os.path.join(folder, name))
        if s:
            print("%-34s %8.3f %8.3f %8.3f %6.2f %6.2f %9.0f %9.0f" % ((name[:-4][:34],) + s))


if __name__ == "__main__":
    main()
