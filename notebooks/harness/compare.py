#!/usr/bin/env python3
"""Compare two measurement directories (e.g. this machine vs shared/ground-truth).

    python3 compare.py MEASURED_DIR REFERENCE_DIR [--metrics makespan_ms lat_mean_ms ...]
                       [--per-rep]

Prints, for every case present in both, each metric's median in both and the
relative difference, and flags a difference beyond the tolerance sim itself
must meet (makespan 5 %, latencies 10 %, unless inside the reference's
min..max).  With --per-rep, Poisson cases are compared repetition by
repetition, as `sim validate` compares them (both directories measured the
same cases, whose repetitions replay the same arrivals), so the count of
differences is how often the real system misses sim's own tolerance against
itself.  Stdlib only.
"""

import argparse
import json
import os
import sys

DEFAULT_METRICS = ["makespan_ms", "lat_mean_ms", "lat_p50_ms", "lat_p99_ms", "max_concurrency"]
TOLERANCE = {"makespan_ms": 0.05, "lat_mean_ms": 0.10, "lat_p50_ms": 0.10, "lat_p99_ms": 0.10}


def load_measured(directory):
    with open(os.path.join(directory, "measured.json")) as f:
        return json.load(f)["measured"]


def within(metric, value, ref):
    """The acceptance rule of the ground-truth README, applied to a median;
    None for metrics that rule does not judge (p90, max, queue)."""
    lo, hi = ref.get("min", ref["median"]), ref.get("max", ref["median"])
    if metric == "max_concurrency" or metric == "n":
        return lo <= value <= hi
    tol = TOLERANCE.get(metric)
    if tol is None:
        return None
    return lo <= value <= hi or abs(value - ref["median"]) <= tol * abs(ref["median"])


def compare(measured, reference, metrics):
    """Yields (case, metric, ours, theirs, relative difference or None, ok)."""
    for case in measured:
        if case not in reference:
            continue
        for metric in metrics:
            ours, ref = measured[case].get(metric), reference[case].get(metric)
            if not ours or not ref:
                continue
            theirs = ref["median"]
            rel = (ours["median"] - theirs) / theirs if theirs else None
            yield case, metric, ours["median"], theirs, rel, within(metric, ours["median"], ref)


def compare_per_rep(measured, reference, metrics, poisson):
    """Like compare, but each repetition of a Poisson case (names in `poisson`) on its own,
    with the plain relative tolerance (one value per repetition has no range)."""
    for case in measured:
        if case not in reference:
            continue
        if case not in poisson:
            for row in compare({case: measured[case]}, {case: reference[case]}, metrics):
                yield row
            continue
        for metric in metrics:
            ours, ref = measured[case].get(metric), reference[case].get(metric)
            if not ours or not ref or "reps" not in ours or "reps" not in ref:
                continue
            for rep, (mine, theirs) in enumerate(zip(ours["reps"], ref["reps"])):
                rel = (mine - theirs) / theirs if theirs else None
                tol = TOLERANCE.get(metric)
                if metric == "max_concurrency":
                    ok = mine == theirs
                elif tol is None or rel is None:
                    ok = None
                else:
                    ok = abs(rel) <= tol
                yield "%s#%d" % (case, rep), metric, mine, theirs, rel, ok


def poisson_cases(directory):
    """Names of the Poisson cases in a measurement directory's cases.json."""
    with open(os.path.join(directory, "cases.json")) as f:
        cases = json.load(f)["cases"]
    return {c["name"] for c in cases if c.get("arrival", {}).get("type") == "poisson"}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("measured")
    p.add_argument("reference")
    p.add_argument("--metrics", nargs="+", default=DEFAULT_METRICS)
    p.add_argument("--per-rep", action="store_true",
                   help="compare Poisson cases repetition by repetition (same arrivals)")
    opts = p.parse_args(argv)
    measured, reference = load_measured(opts.measured), load_measured(opts.reference)
    if opts.per_rep:
        rows = list(compare_per_rep(measured, reference, opts.metrics,
                                    poisson_cases(opts.reference)))
    else:
        rows = list(compare(measured, reference, opts.metrics))
    print("%-36s %-16s %12s %12s %8s  %s" % ("case", "metric", "here", "reference", "diff", "ok"))
    for case, metric, ours, theirs, rel, ok in rows:
        diff = "%+.1f%%" % (100 * rel) if rel is not None else "-"
        flag = {True: "", False: "<-- off", None: "(not judged)"}[ok]
        print("%-36s %-16s %12s %12s %8s  %s" % (case, metric, ours, theirs, diff, flag))
    judged = [r for r in rows if r[5] is not None]
    off = sum(1 for r in judged if not r[5])
    print("%d of %d judged comparisons outside tolerance" % (off, len(judged)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
