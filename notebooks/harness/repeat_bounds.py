#!/usr/bin/env python3
"""How well could any model pass sim's checks, given how the real system repeats itself?

    python3 repeat_bounds.py [--sim target/release/sim] A B [A B ...]

Each A B pair is one set of cases measured twice (same arrivals, e.g. `fit/` and
`fit-again/`). Both ways round (A against B and B against A) it runs
`sim validate A --repeat X --json -` and sums three scores on the same checks:

- sim: sim's own figures against A;
- repeat: B's figures against A, judged as if they were sim's (a measurement's noise twice:
  a pessimistic bound for a model that predicts the machine's expected value exactly);
- midpoint: the midpoint of A and B, repetition by repetition, against A (half the noise
  of one measurement: an optimistic bound for that perfect model, whose own error is one
  measurement's noise);
- sim vs midpoint: sim against the midpoint instead of A (a reference with less noise: if
  sim's misses were only the measurements' noise, this would rise toward the midpoint's).

A perfect model passes somewhere between the repeat's and the midpoint's score. Stdlib only.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile


def load_measured(directory):
    with open(os.path.join(directory, "measured.json")) as f:
        return json.load(f)


def midpoint(a, b):
    """measured.json content whose every per-repetition figure is the mean of A's and B's
    (median, min and max recomputed); other entries (counts, machine) are B's."""
    out = {"machine": b.get("machine", {}), "measured": {}}
    for case, metrics in b["measured"].items():
        mid = {}
        for name, v in metrics.items():
            other = a["measured"].get(case, {}).get(name)
            reps = v.get("reps") if isinstance(v, dict) else None
            numeric = reps and all(isinstance(r, (int, float)) for r in reps)
            if numeric and other and len(other.get("reps", [])) == len(reps):
                both = [(x + y) / 2 for x, y in zip(reps, other["reps"])]
                mid[name] = {"median": statistics.median(both), "min": min(both),
                             "max": max(both), "reps": both}
            else:
                mid[name] = v
        out["measured"][case] = mid
    return out


def validate_json(sim, *args):
    """The JSON report of `sim validate ARGS --json -` (a table with misses exits 1: fine)."""
    run = subprocess.run([sim, "validate", *args, "--json", "-"], capture_output=True, text=True)
    if run.returncode not in (0, 1):
        sys.exit(f"sim validate {' '.join(args)} failed:\n{run.stderr}")
    return json.loads(run.stdout)


def add(total, score):
    mean = score["metrics"]["lat_mean_ms"]
    for key, value in (("passed", score["passed"]), ("checks", score["checks"]),
                       ("mean_off", mean["misses"]), ("means", mean["checks"])):
        total[key] = total.get(key, 0) + value


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sim", default="target/release/sim")
    p.add_argument("dirs", nargs="+", help="pairs: A B [A B ...]")
    args = p.parse_args(argv)
    if len(args.dirs) % 2:
        p.error("give folders in pairs: A B [A B ...]")
    totals = {"sim": {}, "repeat": {}, "midpoint": {}, "sim vs midpoint": {}}
    pairs = list(zip(args.dirs[::2], args.dirs[1::2]))
    with tempfile.TemporaryDirectory() as tmp:
        for a, b in pairs:
            for first, again in ((a, b), (b, a)):
                with open(os.path.join(tmp, "measured.json"), "w") as f:
                    json.dump(midpoint(load_measured(first), load_measured(again)), f)
                rep = validate_json(args.sim, first, "--repeat", again)["repeat"]
                add(totals["sim"], rep["sim_on_same_checks"])
                add(totals["repeat"], rep["score"])
                mid = validate_json(args.sim, first, "--repeat", tmp)["repeat"]
                add(totals["midpoint"], mid["score"])
                # The same folder (cases, arrivals, harness log) with the midpoint measured.
                mid_dir = os.path.join(tmp, "mid")
                shutil.copytree(first, mid_dir, ignore=shutil.ignore_patterns("measured.json"))
                shutil.copy(os.path.join(tmp, "measured.json"), mid_dir)
                add(totals["sim vs midpoint"], validate_json(args.sim, mid_dir)["score"])
                shutil.rmtree(mid_dir)
    for label, t in totals.items():
        print(f"{label:15s} {t['passed']} of {t['checks']} checks "
              f"({100 * t['passed'] / t['checks']:.1f}%), "
              f"mean latency off in {t['mean_off']} of {t['means']}")


if __name__ == "__main__":
    main()
