#!/usr/bin/env python3
"""How many of sim's misses fall inside the real system's own spread.

    sim validate DIR_A --json a.json; sim validate DIR_B --json b.json
    python3 span_check.py a.json b.json

DIR_A and DIR_B hold the same cases measured twice (same arrivals). A check of A that misses
is counted again as inside the spread when sim's value for A lies within the tolerance of the
span of both measurements, [min(a, b) x (1 - tol), max(a, b) x (1 + tol)]. Makespan and the
latency metrics only (the others are not relative). Stdlib only.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import TOLERANCE  # noqa: E402  (sim's own tolerances)


def load_checks(path):
    with open(path) as f:
        return json.load(f)["checks"]


def span_counts(checks_a, checks_b):
    """(checks judged, passing against A, passing against the span of A and B)."""
    judged = passing = in_span = 0
    by_key = {(c["case"], c["metric"]): c for c in checks_b}
    for a in checks_a:
        tol = TOLERANCE.get(a["metric"])
        b = by_key.get((a["case"], a["metric"]))
        if tol is None or b is None:
            continue
        judged += 1
        lo = min(a["measured"], b["measured"]) * (1 - tol)
        hi = max(a["measured"], b["measured"]) * (1 + tol)
        passing += bool(a["pass"])
        in_span += bool(a["pass"]) or lo <= a["simulated"] <= hi
    return judged, passing, in_span


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("a", help="sim validate --json of the measurement compared")
    p.add_argument("b", help="sim validate --json of the same cases measured again")
    opts = p.parse_args(argv)
    judged, passing, in_span = span_counts(load_checks(opts.a), load_checks(opts.b))
    print("%d checks (makespan and latencies): %d pass against the first measurement, %d "
          "within the tolerance of the span of both" % (judged, passing, in_span))
    return 0


if __name__ == "__main__":
    sys.exit(main())
