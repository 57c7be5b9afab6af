#!/usr/bin/env python3
"""How a body's wall time grows with the bodies of its own process already running, the
machine against sims.

    python3 body_walls.py --threads _P2_T --sim NAME=BINARY [--sim ...] ROUND_FOLDER...

run from `notebooks/measurements`. For the Poisson cases of `def` CPU threads whose name holds
the `--threads` pattern (`_P2_T` for two processes of any thread count but one or two, as
`overtakes.py` chooses them; `--any-threads` keeps every thread count), reads the harness's
rows of each replay (`r1`-`r3`) and each sim's (`sim validate FOLDER/median --only PATTERN
--seeds-per-rep 25 --rows DIR`, one run per repetition), and prints two tables:

- **walls by company**: each body's wall time (start to end) over its CPU (the case's length),
  grouped by how many other bodies of its worker were running when it started (0, 1, 2, 3 or
  more): their share, mean, p10, p50 and p90. Under the GIL a worker runs one body at a time,
  so the wall grows with the company; how fast it grows is how the worker's GIL and cores are
  shared.
- **capacity of a pair**: for two consecutive bodies of a worker that overlapped with no third
  body of that worker overlapping either, the cores the worker got while it had them: their
  CPU (twice the length) over the time from the first start to the last end. Grouped by how
  many bodies of the other workers were running on average meanwhile (under 0.5, under 1.5,
  more). A worker that loses its core for a while (waiting on a busy CPU beside an idle one)
  shows as a pair below 1.
- **capacity of a busy period**: over each stretch in which a worker had a body running (its
  bodies merged where they overlap), their CPU over the stretch's length, summed by the most
  bodies it had running at once in it (1, 2, 3, 4 or more): how the cores a worker gets change
  as it gets crowded.

Stdlib only.
"""

import argparse
import collections
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ticks"))
sys.path.insert(0, os.path.join(HERE, "..", "gil-order"))
from overtakes import chosen  # noqa: E402
from wait_and_body import body_ms, busy_periods, sim_rows, worker_spans  # noqa: E402

REPLAYS = ("r1", "r2", "r3")
COMPANY = ("0", "1", "2", "3+")
OTHERS = ("< 0.5", "< 1.5", ">= 1.5")
PEAKS = ("1", "2", "3", "4+")


def company_at_start(bodies, i):
    """How many of a worker's `bodies` (start, end) were running when the i-th started, as a
    `COMPANY` label."""
    start = bodies[i][0]
    n = sum(1 for s, e in bodies if s < start < e)
    return COMPANY[min(n, 3)]


def walls_by_company(spans, length):
    """{company label: [wall / length]} over every worker's bodies."""
    out = collections.defaultdict(list)
    for bodies in spans.values():
        for i, (s, e) in enumerate(bodies):
            out[company_at_start(bodies, i)].append((e - s) / length)
    return out


def running_meanwhile(bodies, lo, hi):
    """How many of `bodies` ran on average over [lo, hi]."""
    overlap = sum(max(0.0, min(e, hi) - max(s, lo)) for s, e in bodies)
    return overlap / (hi - lo)


def isolated_pairs(bodies):
    """(lo, hi) of each two consecutive overlapping bodies that no third body overlaps."""
    for i in range(len(bodies) - 1):
        (s0, e0), (s1, e1) = bodies[i], bodies[i + 1]
        if s1 >= e0:
            continue
        lo, hi = s0, max(e0, e1)
        if any(j not in (i, i + 1) and s < hi and e > lo for j, (s, e) in enumerate(bodies)):
            continue
        yield lo, hi


def pair_capacity(spans, length):
    """{other-load label: [cores the worker got]} over the isolated pairs of every worker."""
    out = collections.defaultdict(list)
    for (rep, worker), bodies in spans.items():
        others = [b for (r, w), bs in spans.items() if r == rep and w != worker for b in bs]
        for lo, hi in isolated_pairs(bodies):
            load = running_meanwhile(others, lo, hi)
            label = OTHERS[0] if load < 0.5 else OTHERS[1] if load < 1.5 else OTHERS[2]
            out[label].append(2 * length / (hi - lo))
    return out


def period_capacity(spans, length):
    """{peak label: [(bodies' CPU, stretch length)]} over every worker's busy periods."""
    out = collections.defaultdict(list)
    for bodies in spans.values():
        for start, end, count, peak in busy_periods(bodies):
            out[PEAKS[min(peak, 4) - 1]].append((count * length, end - start))
    return out


def add(into, path, length):
    """Adds one rows file's walls, pair capacities and busy periods to `into` (three dicts of
    lists)."""
    spans = worker_spans(path)
    for table, found in enumerate((walls_by_company(spans, length),
                                   pair_capacity(spans, length),
                                   period_capacity(spans, length))):
        for key, values in found.items():
            into[table][key].extend(values)


def quantile(values, q):
    """The `q` quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(label, values, total):
    """One table row: count, share of `total`, mean and p10 / p50 / p90."""
    return ("%-8s n %6d (%.3f)  mean %.3f  p10 %.3f  p50 %.3f  p90 %.3f"
            % (label, len(values), len(values) / total, statistics.fmean(values),
               quantile(values, 0.1), quantile(values, 0.5), quantile(values, 0.9)))


def report(found, names):
    """Prints both tables for the machine and each sim."""
    for table, keys, title in ((0, COMPANY, "wall / CPU by bodies of the worker already "
                                "running at the start"),
                               (1, OTHERS, "cores a worker got over an isolated pair, by "
                                "the other workers' bodies running meanwhile")):
        print(title + ":")
        for key in keys:
            for name in names:
                values = found[name][table][key]
                if values:
                    total = sum(len(v) for v in found[name][table].values())
                    print("  %-6s %s" % (key, line(name, values, total)))
    print("cores a worker got over its busy periods, by the most bodies running at once:")
    for key in PEAKS:
        for name in names:
            periods = found[name][2][key]
            if periods:
                work, span = (sum(p[i] for p in periods) for i in (0, 1))
                print("  %-6s %-8s %6d periods, %7.1f s: %.3f" % (key, name, len(periods),
                                                                  span / 1e3, work / span))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", default="_P2_T", help="the processes' part of the case names")
    p.add_argument("--any-threads", action="store_true", help="keep one and two threads too")
    p.add_argument("--sim", action="append", required=True, help="NAME=BINARY")
    p.add_argument("folders", nargs="+")
    args = p.parse_args(argv)
    sims = [tuple(s.split("=", 1)) for s in args.sim]
    found = collections.defaultdict(lambda: tuple(collections.defaultdict(list)
                                                  for _table in range(3)))
    with tempfile.TemporaryDirectory() as scratch:
        for folder in args.folders:
            cases = [c[:-4] for c in os.listdir(os.path.join(folder, "median", "invocations"))
                     if "poisson_cpu" in c and args.threads in c
                     and (args.any_threads or chosen(c[:-4], args.threads))]
            for name, binary in sims:
                out = os.path.join(scratch, name, os.path.basename(folder.rstrip("/")))
                sim_rows(binary, folder, out, args.threads)
                for case in cases:
                    add(found[name], os.path.join(out, case + ".csv"), body_ms(case))
            for case in cases:
                for replay in REPLAYS:
                    add(found["machine"], os.path.join(folder, replay, "invocations",
                                                       case + ".csv"), body_ms(case))
    report(found, ["machine"] + [n for n, _b in sims])


if __name__ == "__main__":
    main()
