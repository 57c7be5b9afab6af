#!/usr/bin/env python3
"""sim's side of `dispatch_path.py`: per invocation, arrival -> body start in a `sim run`
output folder's `thread_states.csv` and `invocations.csv`, by hop.

    sim run ../gil-timeline-2026-12-05/m_poisson_cpu25_P2_T6_rho70.ron --out OUT --quiet
    python3 sim_dispatch_path.py OUT

Hops (each invocation's first `python` row of the receiver, then of the loop):
arrival -> the receiver's first hold (its wait for the GIL; sim has no separate wake-up row);
the receiver's hold; its end -> the loop's first hold; the loop's hold; its end -> the body's
start. mean, p50, p90 in ms, and the share of 4 ms or more (about a switch interval).
Stdlib only.
"""
import collections
import csv
import os
import statistics
import sys


def first_holds(rows):
    """{invocation: {role: (start, end) of its first `python` row}}."""
    first = collections.defaultdict(dict)
    for r in sorted(rows, key=lambda r: float(r["start_ms"])):
        if r["state"] != "python" or not r["invocation"]:
            continue
        role = r["thread"].split("-")[0]
        first[r["invocation"]].setdefault(role, (float(r["start_ms"]), float(r["end_ms"])))
    return first


def hops(out):
    """{hop name: [ms per invocation]}."""
    rows = list(csv.DictReader(open(os.path.join(out, "thread_states.csv"))))
    inv = {r["invocation"]: r for r in csv.DictReader(open(os.path.join(out, "invocations.csv")))}
    h = collections.defaultdict(list)
    for k, f in first_holds(rows).items():
        if k not in inv or not {"receiver", "loop", "pool"} <= f.keys():
            continue
        a, s = float(inv[k]["arrival_ms"]), float(inv[k]["start_ms"])
        (rs, re_), (ls, le) = f["receiver"], f["loop"]
        h["arrival -> receiver's hold"].append(rs - a)
        h["receiver's hold"].append(re_ - rs)
        h["receiver's end -> loop's hold"].append(ls - re_)
        h["loop's hold"].append(le - ls)
        h["loop's end -> body start"].append(s - le)
        h["arrival -> body start"].append(s - a)
    return h


def main(out):
    for name, v in hops(out).items():
        q = statistics.quantiles(v, n=10)
        print("%-32s n=%d mean %6.3f p50 %6.3f p90 %6.3f  4 ms or more %.2f"
              % (name, len(v), statistics.mean(v), q[4], q[8], sum(x >= 4 for x in v) / len(v)))


if __name__ == "__main__":
    main(sys.argv[1])
