#!/usr/bin/env python3
"""The dispatch path's worker CPU per empty invocation, with the other CPU idle and with it busy.

The harness's dispatch probe (`measure.dispatch_probe`) sends empty invocations one at a time,
each after a 20 ms gap, through one worker of the case's style, and reads the worker threads'
on-CPU time over them (`idle_dispatch_cpu_us`). It runs on the idle machine, so every thread it
wakes wakes onto an idle CPU. Here the same probe runs beside N other processes spinning in
Python (`--foreign N`), so that its threads wake onto busy CPUs instead, as they do under load:
is the path's CPU per invocation the same on busy cores (what sim assumes: the calibrated
Python, no wake-up CPU), or more? Runs N = 0 and N = --foreign in alternation, R times each, on
a fresh worker per run. Run on the idle machine; stdlib only.

    python3 probe.py [--style def|async] [--foreign N] [--repeats R] [--probes K]
"""

import argparse
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness"))
sys.path.insert(0, os.path.join(HERE, "..", "gil-wait-cpu-2026-12-07"))
import measure  # noqa: E402  (the harness's own probe and worker)
from probe import start_foreign  # noqa: E402  (the GIL-wait probe's spinning processes)


def case_of(style):
    """A one-process case of `style` whose probe bodies are empty."""
    kind = "sync_cpu" if style == "def" else "async_cpu"
    return {"name": "dispatch_busy_" + style, "P": 1, "T": 1 if style == "def" else None,
            "body": {"kind": kind, "d_ms": 20}, "arrival": {"type": "burst", "n": 1},
            "python_version": "3.11"}


def one_run(case, probes, foreign):
    """The dispatch probe on a fresh worker beside `foreign` spinning processes."""
    stop, procs = start_foreign(foreign)
    host = measure.Host(case, 60.0)
    try:
        host.start()
        return measure.dispatch_probe(host, count=probes)
    finally:
        host.stop()
        stop.set()
        for p in procs:
            p.join()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--style", choices=("def", "async"), default="def")
    ap.add_argument("--foreign", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--probes", type=int, default=50)
    args = ap.parse_args(argv)
    case = case_of(args.style)
    runs = {0: [], args.foreign: []}
    for _ in range(args.repeats):
        for n in runs:
            runs[n].append(one_run(case, args.probes, n))
    med = {n: {k: statistics.median(r[k] for r in rs)
               for k in ("idle_dispatch_cpu_us", "idle_dispatch_us", "round_trip_us")}
           for n, rs in runs.items()}
    json.dump({"python": sys.version.split()[0], "style": args.style,
               "runs": {str(n): rs for n, rs in runs.items()},
               "median_by_foreign": {str(n): m for n, m in med.items()}},
              sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
