#!/usr/bin/env python3
"""Where two processes of many threads spend an invocation's time, the machine against sims.

    python3 wait_and_body.py --sim NAME=BINARY [--sim NAME=BINARY ...] ROUND_FOLDER...

run from `notebooks/measurements`. For every Poisson case of two processes of three or more
`def` CPU threads (`_P2_T3`.. `_P2_T8`, not `_acpu`/`_mixed`) in each round folder, reads the
harness's rows of its three replays (`r1`, `r2`, `r3`) and each sim's rows (`sim validate
FOLDER/median --only _P2_T --seeds-per-rep 25 --rows DIR`, run here into a temporary folder),
and splits each repetition's mean latency (arrival to the body's end) into the wait for a
pool thread (arrival to start) and the body's wall time (start to end): the machine's as the
median of its replays, each sim's as the mean over its 25 seeds. Prints, summed over all
repetitions, the machine's mean of each and each sim's error against it. Then the capacity a
worker process gets while it has work: the bodies' CPU (the case's, from its name) over the
time in which at least one of its bodies was running, summed over every worker and replay
(for sim, the rows it writes). Stdlib only.
"""

import argparse
import collections
import csv
import os
import statistics
import subprocess
import tempfile

REPLAYS = ("r1", "r2", "r3")


def means_by_rep(path):
    """{rep: (mean wait, mean body wall)} of one rows file (ms)."""
    waits, bodies = collections.defaultdict(list), collections.defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            arrival, start, end = (float(row[k]) for k in ("arrival_ms", "start_ms", "end_ms"))
            waits[row["rep"]].append(start - arrival)
            bodies[row["rep"]].append(end - start)
    return {rep: (statistics.mean(waits[rep]), statistics.mean(bodies[rep])) for rep in waits}


def worker_spans(path):
    """{(repetition, worker): [(start, end) of each body, ms], in start order} of one rows file
    (the harness's or sim's)."""
    spans = collections.defaultdict(list)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            spans[(row["rep"], row["worker"])].append((float(row["start_ms"]),
                                                       float(row["end_ms"])))
    for bodies in spans.values():
        bodies.sort()
    return spans


def busy_periods(bodies):
    """(start, end, bodies, most running at once) of each stretch in which some of `bodies`
    (start, end, in start order) ran."""
    i = 0
    while i < len(bodies):
        start, end = bodies[i]
        running, peak, j = [end], 1, i + 1
        while j < len(bodies) and bodies[j][0] < end:
            running = [e for e in running if e > bodies[j][0]] + [bodies[j][1]]
            peak = max(peak, len(running))
            end = max(end, bodies[j][1])
            j += 1
        yield start, end, j - i, peak
        i = j


def busy_share(path, body_ms):
    """(bodies' CPU, time with a body in progress) of every worker in one rows file (ms)."""
    periods = [(count, end - start) for intervals in worker_spans(path).values()
               for start, end, count, _peak in busy_periods(intervals)]
    return body_ms * sum(c for c, _s in periods), sum(s for _c, s in periods)


def body_ms(case):
    """The body's CPU of a `poisson_cpuNN_...` case, ms."""
    return float(case.split("_cpu")[1].split("_")[0])


def many_def_threads(case):
    """Whether `case` is a Poisson case of two processes of three or more `def` CPU threads."""
    if "poisson_cpu" not in case or "_P2_T" not in case:
        return False
    threads = case.split("_P2_T")[1].split("_")[0]
    return threads not in ("1", "2")


def sim_rows(binary, folder, out, only="_P2_T"):
    """Runs `binary` on the folder's cases whose name holds `only` (25 seeds a repetition),
    its rows into `out`."""
    subprocess.run([binary, "validate", os.path.join(folder, "median"), "--only", only,
                    "--seeds-per-rep", "25", "--rows", out], capture_output=True, check=False)


def collect(folder, sims, scratch):
    """(machine, {sim: value}) per (repetition, part) of the folder's cases."""
    rows = {}
    for name, binary in sims:
        rows[name] = os.path.join(scratch, name, os.path.basename(folder.rstrip("/")))
        sim_rows(binary, folder, rows[name])
    cases = sorted(c[:-4] for c in os.listdir(os.path.join(folder, "median", "invocations"))
                   if many_def_threads(c[:-4]))
    out = []
    for case in cases:
        for replay in REPLAYS:
            out.append((2, *busy_share(os.path.join(folder, replay, "invocations", case + ".csv"),
                                       body_ms(case)), None))
        for name, d in rows.items():
            out.append((2, *busy_share(os.path.join(d, case + ".csv"), body_ms(case)), name))
        replays = [means_by_rep(os.path.join(folder, r, "invocations", case + ".csv"))
                   for r in REPLAYS]
        simulated = {name: means_by_rep(os.path.join(d, case + ".csv")) for name, d in rows.items()}
        for rep in replays[0]:
            for part in (0, 1):
                machine = statistics.median(r[rep][part] for r in replays)
                out.append((part, machine, {n: s[rep][part] for n, s in simulated.items()}))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sim", action="append", required=True, help="NAME=BINARY")
    p.add_argument("folders", nargs="+")
    args = p.parse_args(argv)
    sims = [tuple(s.split("=", 1)) for s in args.sim]
    totals = collections.defaultdict(lambda: collections.defaultdict(float))
    count = collections.Counter()
    shares = collections.defaultdict(lambda: [0.0, 0.0])
    with tempfile.TemporaryDirectory() as scratch:
        for folder in args.folders:
            for entry in collect(folder, sims, scratch):
                if entry[0] == 2:
                    _part, work, busy, name = entry
                    shares[name or "machine"][0] += work
                    shares[name or "machine"][1] += busy
                    continue
                part, machine, simulated = entry
                count[part] += 1
                totals[part]["machine"] += machine
                for name, value in simulated.items():
                    totals[part][name] += value
    for part, label in ((0, "wait for a pool thread"), (1, "body wall time")):
        machine = totals[part]["machine"]
        errors = "  ".join("%s %+.1f%%" % (n, 100 * (totals[part][n] / machine - 1))
                           for n, _b in sims)
        print("%-24s %d repetitions, the machine %.1f ms: %s"
              % (label, count[part], machine / count[part], errors))
    print("body CPU per ms a worker has a body running: the machine %.3f, %s"
          % (shares["machine"][0] / shares["machine"][1],
             ", ".join("%s %.3f" % (n, shares[n][0] / shares[n][1]) for n, _b in sims)))


if __name__ == "__main__":
    main()
