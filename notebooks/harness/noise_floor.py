#!/usr/bin/env python3
"""How close a round's checks let any model come: the machine against itself, a model with no
error, and sim, on the same checks.

    python3 noise_floor.py [--sim target/release/sim] [--seeds 25] ROUND_DIR [ROUND_DIR ...]

A ROUND_DIR holds replays of the same cases (`r1/`, `r2/`, ... from `measure.py`), their
`cases.json`, and `median/` (`replay_median.py`). For each round it prints:

- **the machine against itself**: each replay judged by sim's rules against the median of the
  other replays (`sim validate OTHERS --repeat REPLAY`), beside sim against the same median;
- **a model with no error**: the checks it would still miss against `median/`, expected from
  the replays' own spread, and of them the mean latencies (with the chance that it has none
  off by more than 10%, the bar's second clause). Per class of case and metric the replays'
  relative variance is pooled; the median of n replays then carries a noise of that spread
  times 0.707 (n = 2, a mean), 0.670 (n = 3) or sqrt(pi / 2n), and a perfect prediction misses
  when that noise alone is beyond the tolerance. Checks without a tolerance
  (`max_concurrency`'s range, the per-process counts) count as passed, so this is a ceiling;
- **sim against `median/`** with `--seeds` seeds per repetition, its misses split between
  *noisy* checks (at least one replay missed the median of the others) and *stable* ones,
  by class (`class_bias.case_class`): misses on stable checks are the model's error.

Stdlib only.
"""

import argparse
import collections
import json
import math
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from class_bias import case_class  # noqa: E402
import replay_median  # noqa: E402
from repeat_bounds import load_measured, validate_json  # noqa: E402

# sim validate's relative tolerances (`validate::METRIC_RULES`); the other metrics are ranges.
TOLERANCE = {"makespan_ms": 0.05, "lat_mean_ms": 0.10, "lat_p50_ms": 0.10, "lat_p99_ms": 0.10}


def replay_dirs(round_dir):
    """The round's replays: its `r<N>` folders with a measured.json, in order."""
    names = [n for n in os.listdir(round_dir) if n.startswith("r") and n[1:].isdigit()]
    names = [n for n in names if os.path.exists(os.path.join(round_dir, n, "measured.json"))]
    return [os.path.join(round_dir, n) for n in sorted(names, key=lambda n: int(n[1:]))]


def poisson_cases(round_dir):
    """The names of the round's cases whose repetitions sim replays one by one."""
    with open(os.path.join(round_dir, "cases.json")) as f:
        cases = json.load(f)["cases"]
    return {c["name"] for c in cases if c["arrival"]["type"] == "poisson"}


def replay_values(measured, poisson):
    """{(check label, metric): [value per replay]} of the metrics with a tolerance, labelled as
    sim labels its checks (`case#rep` for a Poisson case, `case` for the rest)."""
    out = collections.defaultdict(list)
    for m in measured:
        for case, stats in m["measured"].items():
            for metric in TOLERANCE:
                if metric not in stats:
                    continue
                if case in poisson:
                    for i, v in enumerate(stats[metric]["reps"]):
                        out[(f"{case}#{i}", metric)].append(v)
                else:
                    out[(case, metric)].append(stats[metric]["median"])
    return out


def median_noise_factor(n):
    """The noise of the median of `n` replays over one replay's (normal noise)."""
    return {1: 1.0, 2: math.sqrt(0.5), 3: math.sqrt(0.449)}.get(n, math.sqrt(math.pi / (2 * n)))


def relative_variance(values):
    """The sample variance of `values` over their mean squared (0 for fewer than two)."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return var / (mean * mean) if mean else 0.0


def perfect_miss_chances(values):
    """{(label, metric): the chance that a model with no error misses that check against the
    median of the replays}: that the median's noise (the class's and metric's pooled spread)
    exceeds the tolerance."""
    pooled = collections.defaultdict(list)
    for (label, metric), vals in values.items():
        pooled[(case_class(label), metric)].append(relative_variance(vals))
    chances = {}
    for (label, metric), vals in values.items():
        spread = pooled[(case_class(label), metric)]
        sd = math.sqrt(sum(spread) / len(spread)) * median_noise_factor(len(vals))
        chances[(label, metric)] = math.erfc(TOLERANCE[metric] / sd / math.sqrt(2)) if sd else 0.0
    return chances


def expected_perfect_misses(values):
    """Checks a model with no error is expected to miss against the median of the replays."""
    return sum(perfect_miss_chances(values).values())


def mean_latency_clause(values):
    """For the bar's second clause, no mean latency off by more than 10%: how many mean
    latencies a model with no error is expected to have off, and the chance it has none."""
    chances = [p for (_, metric), p in perfect_miss_chances(values).items()
               if metric == "lat_mean_ms"]
    return sum(chances), math.prod(1.0 - p for p in chances)


def median_of(replays, out):
    """Writes the median of `replays` to `out` (`replay_median.py`)."""
    shutil.rmtree(out, ignore_errors=True)
    replay_median.main(["--out", out] + replays)


def leave_one_out(sim, replays, seeds, scratch):
    """Per replay: (its name, the machine's passed checks, sim's, the checks) against the
    median of the other replays, and {(label, metric): times the machine missed itself}."""
    rows, self_misses = [], collections.Counter()
    for r in replays:
        others = os.path.join(scratch, "others")
        median_of([x for x in replays if x != r], others)
        result = validate_json(sim, others, "--seeds-per-rep", str(seeds), "--repeat", r)
        rep = result["repeat"]
        for c in rep["checks"]:
            self_misses[(c["case"], c["metric"])] += not c["pass"]
        rows.append((os.path.basename(r), rep["score"]["passed"], result["score"]["passed"],
                     result["score"]["checks"]))
    return rows, self_misses


def split_misses(checks, self_misses):
    """{class: [stable checks, sim's misses there, noisy checks, sim's misses there]}."""
    out = collections.defaultdict(lambda: [0, 0, 0, 0])
    for c in checks:
        row = out[case_class(c["case"]) or c["case"]]
        noisy = self_misses[(c["case"], c["metric"])] > 0
        row[2 * noisy] += 1
        row[2 * noisy + 1] += not c["pass"]
    return out


def report(name, rows, perfect, mean_off, sim_score, split, seeds, out=sys.stdout):
    checks = sim_score["checks"]
    out.write(f"{name}\n")
    for replay, machine, sim, n in rows:
        out.write(f"  {replay} against the median of the others: machine {machine} of {n}"
                  f" ({100 * machine / n:.1f}%), sim {sim} ({100 * sim / n:.1f}%)\n")
    out.write(f"  a model with no error against median/: {perfect:.1f} misses expected, "
              f"{100 * (checks - perfect) / checks:.1f}% at most\n")
    off, none_off = mean_off
    out.write(f"  ... of them {off:.1f} mean latencies off by more than 10%: none off with a "
              f"chance of {100 * none_off:.0f}%\n")
    out.write(f"  sim against median/ ({seeds} seeds): {sim_score['passed']} of {checks} "
              f"({100 * sim_score['passed'] / checks:.1f}%)\n")
    out.write("  sim's misses by class: stable checks | noisy checks (the machine missed "
              "itself)\n")
    for key in sorted(split, key=lambda k: -(split[k][1] + split[k][3])):
        s_n, s_m, n_n, n_m = split[key]
        if s_m + n_m:
            out.write(f"    {key:26s} {s_m:3d} of {s_n:3d} | {n_m:3d} of {n_n:3d}\n")
    total = [sum(v[i] for v in split.values()) for i in range(4)]
    out.write(f"    {'all':26s} {total[1]:3d} of {total[0]:3d} | {total[3]:3d} of {total[2]:3d}\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sim", default="target/release/sim")
    p.add_argument("--seeds", type=int, default=25)
    p.add_argument("rounds", nargs="+")
    args = p.parse_args(argv)
    for round_dir in args.rounds:
        replays = replay_dirs(round_dir)
        if len(replays) < 2:
            sys.exit(f"{round_dir}: needs at least two replays (r1/, r2/, ...), "
                     f"found {len(replays)}")
        with tempfile.TemporaryDirectory() as scratch:
            rows, self_misses = leave_one_out(args.sim, replays, args.seeds, scratch)
        values = replay_values([load_measured(r) for r in replays], poisson_cases(round_dir))
        median = validate_json(args.sim, os.path.join(round_dir, "median"), "--seeds-per-rep",
                               str(args.seeds))
        split = split_misses(median["checks"], self_misses)
        report(round_dir, rows, expected_perfect_misses(values), mean_latency_clause(values),
               median["score"], split, args.seeds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
