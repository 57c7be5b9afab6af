#!/usr/bin/env python3
"""How much each CPU-bound body was stretched: its wall time over its CPU time.

    python3 body_stretch.py MEASURED_FOLDER CASE [SIM_ROWS_DIR]

Reads the harness's `invocations/CASE.csv` (start_ms, end_ms, cpu_ms per invocation) and, if
given, sim's rows of the same case (`sim validate MEASURED_FOLDER --only CASE --rows DIR`,
which have no CPU column: the case's body CPU from cases.json is used). Prints per repetition
the stretch's quantiles and how many bodies ran at about full speed (under 1.2x) or at about
half (1.8x or more), then the mean wall time of a body and, where requests queued (the next
one, by id, had arrived before a body ended), how long after that end the next body started:
the service a request costs beyond its body's CPU shows in these two.

With more busy processes than cores, processor sharing gives every body the same share of a
core (3 processes on 2 cores: 1.5x each), while per-CPU run queues give some a core of their
own (1x) and make others share one (2x) until one sleeps: the stretch's spread is what
decides the latency's tail. Stdlib only.
"""

import argparse
import csv
import json
import os


def quantile(sorted_values, q):
    """The value at position q * (n - 1) of a sorted list (nearest below)."""
    return sorted_values[int(q * (len(sorted_values) - 1))]


def ran_a_body(row):
    """Whether a row's invocation ran its body (it has a start and an end)."""
    return bool(row.get("start_ms") and row.get("end_ms"))


def stretches_by_rep(rows, body_cpu_ms=None):
    """{rep: sorted [wall / cpu]} of rows with a body (cpu_ms from the row, else body_cpu_ms)."""
    out = {}
    for r in rows:
        if not ran_a_body(r):
            continue
        cpu = float(r["cpu_ms"]) if r.get("cpu_ms") else body_cpu_ms
        if not cpu:
            continue
        wall = float(r["end_ms"]) - float(r["start_ms"])
        out.setdefault(r["rep"], []).append(wall / cpu)
    return {rep: sorted(v) for rep, v in out.items()}


def walls_by_rep(rows):
    """{rep: [end - start]} of the rows that ran a body."""
    out = {}
    for r in rows:
        if ran_a_body(r):
            out.setdefault(r["rep"], []).append(float(r["end_ms"]) - float(r["start_ms"]))
    return out


def queued_gaps_by_rep(rows):
    """{rep: [next start - end]} over consecutive ids whose next request arrived before the
    body ended (it was queued, so the gap is the hand-on's cost, not an idle wait)."""
    by_rep = {}
    for r in rows:
        if ran_a_body(r):
            by_rep.setdefault(r["rep"], []).append(r)
    out = {}
    for rep, rs in by_rep.items():
        rs.sort(key=lambda r: int(r["id"]))
        out[rep] = [float(b["start_ms"]) - float(a["end_ms"]) for a, b in zip(rs, rs[1:])
                    if float(b["arrival_ms"]) < float(a["end_ms"])]
    return out


def summary(values):
    """Quantiles and the shares near 1x and 2x of one repetition's stretches."""
    n = len(values)
    return {
        "n": n,
        "p10": quantile(values, 0.1),
        "p50": quantile(values, 0.5),
        "p90": quantile(values, 0.9),
        "max": values[-1],
        "full_speed": sum(1 for x in values if x < 1.2) / n,
        "half_speed": sum(1 for x in values if x >= 1.8) / n,
    }


def body_cpu_ms(folder, case):
    """The CPU per body of `case` in the folder's cases.json (mixed bodies: their CPU part)."""
    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)["cases"]
    body = next(c for c in cases if c["name"] == case)["body"]
    return float(body.get("d_ms") or body.get("cpu_ms"))


def mean(values):
    return sum(values) / len(values) if values else float("nan")


def print_table(label, rows, body_cpu=None):
    by_rep = stretches_by_rep(rows, body_cpu)
    walls, gaps = walls_by_rep(rows), queued_gaps_by_rep(rows)
    for rep in sorted(by_rep):
        s = summary(by_rep[rep])
        print(f"{label:8s} rep {rep}: n={s['n']:4d}  stretch p10 {s['p10']:.2f} p50 {s['p50']:.2f} "
              f"p90 {s['p90']:.2f} max {s['max']:.2f}  under 1.2x {100 * s['full_speed']:3.0f}%  "
              f"1.8x or more {100 * s['half_speed']:3.0f}%")
        g = gaps.get(rep, [])
        print(f"{'':8s}        mean wall {mean(walls[rep]):.3f} ms; queued: next body after "
              f"{mean(g):.3f} ms on average (n={len(g)})")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("folder")
    p.add_argument("case")
    p.add_argument("sim_rows", nargs="?")
    args = p.parse_args(argv)
    with open(os.path.join(args.folder, "invocations", args.case + ".csv")) as f:
        print_table("machine", list(csv.DictReader(f)))
    if args.sim_rows:
        with open(os.path.join(args.sim_rows, args.case + ".csv")) as f:
            print_table("sim", list(csv.DictReader(f)), body_cpu_ms(args.folder, args.case))


if __name__ == "__main__":
    main()
