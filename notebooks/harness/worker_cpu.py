#!/usr/bin/env python3
"""The workers' CPU per invocation outside the bodies, sim against the machine, per case and
repetition.

    sim validate FOLDER --rows ROWS
    python3 worker_cpu.py FOLDER ROWS

The machine's figure is what `measure.py` recorded for each repetition
(`worker_cpu_us_per_invocation` in FOLDER/harness_log.json: all the worker threads' CPU over
the run less the bodies' own CPU clocks). sim's is worked out the same way from each
simulated run's summary (ROWS/<case>.summaries.json, written by `sim validate --rows`): the
processes' `cpu_cores` over the run's length, less each answered invocation's body CPU
(`d_ms`, or `cpu_ms` of a CPU-then-sleep body), per answered invocation. Cases whose bodies
await (their CPU clocks overlap) and runs without a figure are left out. Stdlib only.
"""

import argparse
import json
import os
import sys

AWAITING_KINDS = ("async_io", "gather", "async_executor")


def body_cpu_ms(case):
    """The CPU of one body of `case`, ms."""
    body = case["body"]
    return float(body.get("d_ms", body.get("cpu_ms", 0.0)))


def sim_us_per_invocation(summary, body_ms):
    """sim's CPU per answered invocation outside the bodies, us, from one run's summary."""
    n = summary["invocations"]["succeeded"]
    if n == 0:
        return None
    cpu_us = sum(p["cpu_cores"] for p in summary["processes"]) * summary["sim_end_ms"] * 1e3
    return (cpu_us - n * body_ms * 1e3) / n


def machine_figures(log, name):
    """The recorded figure of each repetition of case `name` (None where not recorded)."""
    out = []
    for rep in log["cases"].get(name, {}).get("reps", []):
        attempt = rep["attempts"][rep.get("kept_attempt", 0)]
        out.append(attempt.get("worker_cpu_us_per_invocation"))
    return out


def rows(folder, rows_dir):
    """(case, [sim us per run], [machine us per repetition]) for every case with both."""
    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)["cases"]
    with open(os.path.join(folder, "harness_log.json")) as f:
        log = json.load(f)
    out = []
    for case in cases:
        path = os.path.join(rows_dir, case["name"] + ".summaries.json")
        if case["body"]["kind"] in AWAITING_KINDS or not os.path.exists(path):
            continue
        machine = [m for m in machine_figures(log, case["name"]) if m is not None]
        with open(path) as f:
            runs = json.load(f)
        sim = [s for s in (sim_us_per_invocation(r["summary"], body_cpu_ms(case))
                           for r in runs) if s is not None]
        if machine and sim:
            out.append((case["name"], sim, machine))
    return out


def report(folder, rows_dir, out=sys.stdout):
    table = rows(folder, rows_dir)
    if not table:
        print("no case with both figures (is worker_cpu_us_per_invocation recorded?)", file=out)
        return 1
    print("workers' CPU per invocation outside the bodies, us (sim runs | machine repetitions)",
          file=out)
    for name, sim, machine in table:
        print("  %-36s sim %-22s machine %s" % (
            name, " ".join("%.0f" % s for s in sim), " ".join("%.0f" % m for m in machine)),
            file=out)
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("folder", help="a measured folder: cases.json, harness_log.json")
    p.add_argument("rows", help="the folder `sim validate FOLDER --rows` wrote")
    opts = p.parse_args(argv)
    return report(opts.folder, opts.rows)


if __name__ == "__main__":
    sys.exit(main())
