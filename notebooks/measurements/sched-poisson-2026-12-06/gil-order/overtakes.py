#!/usr/bin/env python3
"""How often a worker's later-started body finishes first, the machine against sims.

    python3 overtakes.py --threads _P2_T --sim NAME=BINARY [--sim ...] ROUND_FOLDER...

run from `notebooks/measurements`. For the Poisson cases of `def` CPU threads whose name holds
the `--threads` pattern with three or more threads (`_P2_T3`.. `_P2_T8`), reads the harness's
rows of each replay (`r1`-`r3`) and each sim's (`sim validate FOLDER/median --only PATTERN
--seeds-per-rep 25 --rows DIR`, one run per repetition), and counts, over each worker's bodies
in start order, the pairs of consecutive bodies that overlapped and of those the share where
the later-started one finished first. Bodies of one length under fair sharing finish in the
order they started; a GIL handed to waiters at random lets later ones overtake. Stdlib only.
"""

import argparse
import collections
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ticks"))
from wait_and_body import sim_rows, worker_spans  # noqa: E402

REPLAYS = ("r1", "r2", "r3")


def counts(path):
    """(overlapping consecutive pairs, of them finished out of order) of one rows file."""
    pairs = overtaken = 0
    for bodies in worker_spans(path).values():
        for (_s0, e0), (s1, e1) in zip(bodies, bodies[1:]):
            if s1 < e0:
                pairs += 1
                overtaken += e1 < e0
    return pairs, overtaken


def chosen(case, pattern):
    """Whether `case` is a Poisson `def` CPU case of three or more threads under `pattern`."""
    if "poisson_cpu" not in case or pattern not in case:
        return False
    return case.split(pattern)[1].split("_")[0] not in ("1", "2")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", default="_P2_T", help="the processes' part of the case names")
    p.add_argument("--sim", action="append", required=True, help="NAME=BINARY")
    p.add_argument("folders", nargs="+")
    args = p.parse_args(argv)
    sims = [tuple(s.split("=", 1)) for s in args.sim]
    totals = collections.defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as scratch:
        for folder in args.folders:
            cases = [c[:-4] for c in os.listdir(os.path.join(folder, "median", "invocations"))
                     if chosen(c[:-4], args.threads)]
            for name, binary in sims:
                out = os.path.join(scratch, name, os.path.basename(folder.rstrip("/")))
                sim_rows(binary, folder, out, args.threads)
                for case in cases:
                    pairs, over = counts(os.path.join(out, case + ".csv"))
                    totals[name][0] += len(REPLAYS) * pairs
                    totals[name][1] += len(REPLAYS) * over
            for case in cases:
                for replay in REPLAYS:
                    pairs, over = counts(os.path.join(folder, replay, "invocations", case + ".csv"))
                    totals["machine"][0] += pairs
                    totals["machine"][1] += over
    for name in ["machine"] + [n for n, _b in sims]:
        pairs, over = totals[name]
        print("%-8s the later-started body finished first in %.1f%% of %d overlapping pairs"
              % (name, 100 * over / pairs, pairs))


if __name__ == "__main__":
    main()
