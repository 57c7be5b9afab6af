#!/usr/bin/env python3
"""sim's error by class of case, over several measurement folders.

    python3 class_bias.py [--sim target/release/sim] [--seeds 5] [--metric lat_p99_ms]
                          [--speed LO:HI] [--by-length] DIR ...

Runs `sim validate DIR --json - --seeds-per-rep N --reps N` on each folder and groups one
metric's checks (the mean latency unless `--metric` names another: lat_p50_ms, lat_p99_ms,
makespan_ms, ...) by class, read from the case name (arrival, body kind, processes, and
threads as 1, 2 or many): per class the number of checks, the mean signed error (the bias),
the mean absolute error, and the checks off by more than 10%. `--speed LO:HI` keeps only the
folders measured on a machine whose Python ran LO to HI (excluded) loop iterations per ms
(`machine.calibration.iters_per_ms` in measured.json), to see a bias that follows the
machine's speed. `--by-length` splits each class by the body's length (its first figure in
ms: the CPU part of a CPU-then-sleep body), to see a bias that follows it. Stdlib only.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys

NAME = re.compile(r"[a-z]+_(burst|poisson|serial)\d*_([a-z]+)(\d*)(?:_\d+)?"
                  r"_P(\d)(?:_T([0-9]+|def))?")


def case_class(name, by_length=False):
    """'arrival kind Pn Tx' of a harness case name (then the body's length, ' 20 ms', with
    `by_length`), or None if it does not parse."""
    m = NAME.match(name.split("#")[0])
    if not m:
        return None
    arrival, kind, length, p, t = m.groups()
    threads = "-" if t is None else (t if t in ("1", "2") else "many")
    label = f"{arrival:7s} {kind:6s} P{p} T{threads:4s}"
    return f"{label} {length:>3s} ms" if by_length and length else label.rstrip()


def errors_by_class(checks, metric="lat_mean_ms", by_length=False):
    """{class: [relative errors]} of the checks of `metric` (classes split by the body's
    length with `by_length`)."""
    out = collections.defaultdict(list)
    for c in checks:
        key = case_class(c["case"], by_length) if c["metric"] == metric else None
        if key:
            out[key].append(c["simulated"] / c["measured"] - 1)
    return out


def machine_speed(folder):
    """The Python speed of the machine that measured `folder` (iterations per ms), or None."""
    try:
        with open(os.path.join(folder, "measured.json")) as f:
            machine = json.load(f).get("machine") or {}
    except OSError:
        return None
    return (machine.get("calibration") or {}).get("iters_per_ms")


def in_band(speed, band):
    """Whether `speed` lies in `band` ("LO:HI", LO included, HI excluded; None: any)."""
    if band is None:
        return True
    lo, hi = (float(x) for x in band.split(":"))
    return speed is not None and lo <= speed < hi


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sim", default="target/release/sim")
    p.add_argument("--seeds", default="5")
    p.add_argument("--metric", default="lat_mean_ms")
    p.add_argument("--speed", metavar="LO:HI", help="only folders measured at this speed")
    p.add_argument("--by-length", action="store_true", help="split classes by body length")
    p.add_argument("dirs", nargs="+")
    args = p.parse_args(argv)
    total = collections.defaultdict(list)
    for d in args.dirs:
        if not in_band(machine_speed(d), args.speed):
            continue
        run = subprocess.run([args.sim, "validate", d, "--json", "-", "--seeds-per-rep",
                              args.seeds, "--reps", args.seeds], capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"sim validate {d} failed:\n{run.stderr}")
        checks = json.loads(run.stdout)["checks"]
        for key, errs in errors_by_class(checks, args.metric, args.by_length).items():
            total[key].extend(errs)
    for key in sorted(total):
        print(summary_line(key, total[key]))
    every = [e for v in total.values() for e in v]
    if every:
        print(summary_line("all", every))


def summary_line(label, errs):
    """One class's (or all checks') count, bias, mean absolute error and checks off by > 10%."""
    return (f"{label:24s} n={len(errs):3d}  bias {100 * sum(errs) / len(errs):+6.1f}%  "
            f"mean |error| {100 * sum(map(abs, errs)) / len(errs):5.1f}%  "
            f"off by > 10%: {sum(1 for x in errs if abs(x) > 0.1)}")


if __name__ == "__main__":
    main()
