#!/usr/bin/env python3
"""sim's error by class of case, over several measurement folders.

    python3 class_bias.py [--sim target/release/sim] [--seeds 5] [--metric lat_p99_ms] DIR ...

Runs `sim validate DIR --json - --seeds-per-rep N --reps N` on each folder and groups one
metric's checks (the mean latency unless `--metric` names another: lat_p50_ms, lat_p99_ms,
makespan_ms, ...) by class, read from the case name (arrival, body kind, processes, and
threads as 1, 2 or many): per class the number of checks, the mean signed error (the bias),
the mean absolute error, and the checks off by more than 10%. Stdlib only.
"""

import argparse
import collections
import json
import re
import subprocess
import sys

NAME = re.compile(r"[a-z]_(burst|poisson|serial)\d*_([a-z]+)\d*(?:_\d+)?_P(\d)(?:_T([0-9]+|def))?")


def case_class(name):
    """'arrival kind Pn Tx' of a harness case name, or None if it does not parse."""
    m = NAME.match(name.split("#")[0])
    if not m:
        return None
    arrival, kind, p, t = m.groups()
    threads = "-" if t is None else (t if t in ("1", "2") else "many")
    return f"{arrival:7s} {kind:6s} P{p} T{threads}"


def errors_by_class(checks, metric="lat_mean_ms"):
    """{class: [relative errors]} of the checks of `metric`."""
    out = collections.defaultdict(list)
    for c in checks:
        key = case_class(c["case"]) if c["metric"] == metric else None
        if key:
            out[key].append(c["simulated"] / c["measured"] - 1)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sim", default="target/release/sim")
    p.add_argument("--seeds", default="5")
    p.add_argument("--metric", default="lat_mean_ms")
    p.add_argument("dirs", nargs="+")
    args = p.parse_args(argv)
    total = collections.defaultdict(list)
    for d in args.dirs:
        run = subprocess.run([args.sim, "validate", d, "--json", "-", "--seeds-per-rep",
                              args.seeds, "--reps", args.seeds], capture_output=True, text=True)
        if run.returncode not in (0, 1):
            sys.exit(f"sim validate {d} failed:\n{run.stderr}")
        checks = json.loads(run.stdout)["checks"]
        for key, errs in errors_by_class(checks, args.metric).items():
            total[key].extend(errs)
    for key in sorted(total):
        v = total[key]
        print(f"{key:24s} n={len(v):3d}  bias {100 * sum(v) / len(v):+6.1f}%  "
              f"mean |error| {100 * sum(map(abs, v)) / len(v):5.1f}%  "
              f"off by > 10%: {sum(1 for x in v if abs(x) > 0.1)}")


if __name__ == "__main__":
    main()
