#!/usr/bin/env python3
"""Per round: the sitting's Python probe and dispatch-probe idle-exit scale beside sim's
mean-latency bias by class, and the correlations over the rounds.

    for d in ROUNDS; do sim validate $d/median --seeds-per-rep 25 --json $JSON/$d.json; done
    python3 sitting_bias.py --json-dir $JSON ROUNDS        # from notebooks/measurements

With `--worker-cpu-dir DIR` (DIR/ROUND.txt, the output of `worker_cpu.py ROUND/median ROWS`
after `sim validate ROUND/median --seeds-per-rep 5 --rows ROWS`) it adds each round's median
over its Poisson `def` CPU cases of the machine's workers' CPU per invocation outside the bodies
over sim's, and its correlations with the biases. Stdlib only (Python 3.10 or later).
"""

import argparse
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../harness"))
import class_bias  # noqa: E402  (the case classes)

GROUPS = ("P2many", "P3", "P1", "rest", "all")
WORKER_CPU_LINE = re.compile(r"\s+(\S+)\s+sim (.*) machine (.*)")


def group_of(case_class):
    """The group a `class_bias.case_class` label falls in (None for a burst: only in "all")."""
    arrival, kind, processes, threads = case_class.split()
    if arrival == "burst":
        return None
    if arrival == "poisson" and kind == "cpu":
        if processes == "P2" and threads == "Tmany":
            return "P2many"
        if processes in ("P1", "P3"):
            return processes
    return "rest"


def biases(checks):
    """{group: mean relative error} of the mean latencies in `checks`, over `GROUPS`."""
    errors = {g: [] for g in GROUPS}
    for label, errs in class_bias.errors_by_class(checks).items():
        errors["all"].extend(errs)
        group = group_of(label)
        if group:
            errors[group].extend(errs)
    return {g: statistics.mean(e) for g, e in errors.items() if e}


def def_idle_exit_scale(validated):
    """The idle-exit scale of the round's `def` dispatch probe, or None without the probe."""
    probes = validated.get("dispatch_probe") or []
    return next((p["idle_exit_scale"] for p in probes if p["style"] == "def"), None)


def python_probe_us(round_dir):
    """The median over the round's repetitions of the harness's Python probe, us."""
    with open(os.path.join(round_dir, "median", "harness_log.json")) as f:
        log = json.load(f)
    kept = (r["attempts"][r.get("kept_attempt", 0)] for c in log["cases"].values()
            for r in c["reps"])
    return statistics.median(v for a in kept if (v := a.get("speed", {}).get("python_probe_us")))


def worker_cpu_ratio(path):
    """Median over the Poisson `def` CPU cases of machine / sim workers' CPU per invocation
    outside the bodies (each side's median over its repetitions or runs)."""
    ratios = []
    with open(path) as f:
        for line in f:
            m = WORKER_CPU_LINE.match(line)
            if m and "poisson_cpu" in m.group(1):
                sim, machine = (statistics.median(float(x) for x in g.split())
                                for g in m.group(2, 3))
                ratios.append(machine / sim)
    return statistics.median(ratios)


def round_row(round_dir, json_dir, worker_cpu_dir):
    """(round, Python probe, idle-exit scale, workers' CPU ratio or None, biases)."""
    with open(os.path.join(json_dir, round_dir + ".json")) as f:
        validated = json.load(f)
    ratio = (worker_cpu_ratio(os.path.join(worker_cpu_dir, round_dir + ".txt"))
             if worker_cpu_dir else None)
    return (round_dir, python_probe_us(round_dir), def_idle_exit_scale(validated), ratio,
            biases(validated["checks"]))


def print_report(rows):
    print("%-22s %7s %6s %6s " % ("round", "pyprobe", "scale", "wcpu")
          + " ".join("%7s" % g for g in GROUPS))
    for name, probe, scale, ratio, bias in rows:
        print("%-22s %7.0f %6s %6s " % (name, probe, "-" if scale is None else "%.2f" % scale,
                                        "-" if ratio is None else "%.2f" % ratio)
              + " ".join("%+6.1f%%" % (100 * bias[g]) for g in GROUPS))
    for g in GROUPS:
        ys = [row[4][g] for row in rows]
        scaled = [(row[2], row[4][g]) for row in rows if row[2] is not None]
        print("%-7s r(pyprobe) %+.2f over %d rounds; r(scale) %+.2f over %d" % (
            g, statistics.correlation([row[1] for row in rows], ys), len(rows),
            statistics.correlation(*zip(*scaled)), len(scaled)))
        if all(row[3] is not None for row in rows):
            print("        r(workers' CPU ratio) %+.2f over %d" % (
                statistics.correlation([row[3] for row in rows], ys), len(rows)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json-dir", required=True, help="where `sim validate --json` wrote ROUND.json")
    p.add_argument("--worker-cpu-dir",
                   help="where worker_cpu.py's output for each round is, as ROUND.txt")
    p.add_argument("rounds", nargs="+")
    opts = p.parse_args(argv)
    print_report([round_row(d, opts.json_dir, opts.worker_cpu_dir) for d in opts.rounds])
    return 0


if __name__ == "__main__":
    sys.exit(main())
