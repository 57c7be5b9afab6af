#!/usr/bin/env python3
"""One measurement folder from several replays of the same cases: each repetition's median.

    python3 replay_median.py --out MEDIAN_DIR REPLAY_DIR REPLAY_DIR [REPLAY_DIR ...]

Each REPLAY_DIR is `measure.py`'s output for the same cases.json (a Poisson repetition replays
the same arrivals every time: `poisson_schedule` is seeded by the case and the repetition).
MEDIAN_DIR gets, per case, metric and repetition, the median over the replays (median, min and
max recomputed over those repetitions), so `sim validate MEDIAN_DIR` compares sim with a figure
carrying less of one run's noise. The cases, the invocation rows (the arrivals sim replays)
and the per-process counts are the first replay's; each repetition's host CPU per invocation
and idle dispatch probe (which sim validate reads) are the medians over the replays. The
machine's calibration (the Python loop's speed, which sets sim's dispatch path's) is the first
replay's, or with `--median-calibration` the replay's whose `iters_per_ms` is the median: for a
replay whose calibration ran in a slow moment that its cases' Python probes did not share; or
with `--least-disturbed-calibration` the replay's whose calibration is fastest against its own
cases' Python probes: for sittings where more than one calibration ran in a slow moment; or
with `--probe-calibration` that least-disturbed calibration scaled to the median of all the
replays' Python probes: the sitting's Python speed from its many probes, with the one
calibration least slowed against its own probes converting the probe's loop into the
calibration's.
Stdlib only.
"""

import argparse
import copy
import json
import os
import shutil
import statistics


def load(directory, name):
    with open(os.path.join(directory, name)) as f:
        return json.load(f)


def median_of_reps(stats):
    """{median, min, max, reps} whose every repetition is the median over `stats`' replays."""
    reps = [statistics.median(values) for values in zip(*(s["reps"] for s in stats))]
    return {"median": statistics.median(reps), "min": min(reps), "max": max(reps), "reps": reps}


def median_calibration(replays):
    """The calibration of the replay whose `iters_per_ms` is the median (the lower middle one
    of an even count), kept whole so its min and max go with it."""
    ranked = sorted((r["machine"]["calibration"] for r in replays), key=lambda c: c["iters_per_ms"])
    return ranked[(len(ranked) - 1) // 2]


def probe_median(log):
    """The median of a replay's Python probes (us), one per kept repetition (harness_log.json),
    or None if it recorded none."""
    probes = probes_of(log)
    return statistics.median(probes) if probes else None


def speed_against_probes(replay, log):
    """A replay's calibration times its probes' median: larger the less a slow moment slowed
    the calibration against the replay's own probes."""
    return replay["machine"]["calibration"]["iters_per_ms"] * (probe_median(log) or 0.0)


def least_disturbed(replays, logs):
    """The (measured.json, harness log) pair of the replay whose `iters_per_ms` times its
    probes' median is the largest: the one whose calibration a slow moment slowed least
    against its own cases' Python probes."""
    return max(zip(replays, logs), key=lambda pair: speed_against_probes(*pair))


def least_disturbed_calibration(replays, logs):
    """The calibration of the `least_disturbed` replay. A slow moment only ever slows a
    measurement, and one calibration (five 50 ms runs at a replay's start) can fall in one
    where the replay's dozens of probes, spread over its cases, mostly do not."""
    replay, _ = least_disturbed(replays, logs)
    return replay["machine"]["calibration"]


def probes_of(log):
    """A replay's Python probes (us), one per kept repetition that recorded one."""
    probes = [figure_of(r["attempts"][r.get("kept_attempt", 0)], ("speed", "python_probe_us"))
              for entry in log["cases"].values() for r in entry["reps"]]
    return [p for p in probes if p]


def probe_calibration(replays, logs):
    """`least_disturbed_calibration` at the sitting's Python speed: its `iters_per_ms` times
    its own replay's probe median over the median of every replay's probes. One calibration
    lasts 250 ms; the probes, dozens per replay, span the sitting, so the speed sim's
    dispatch path runs at is theirs, and the calibration only says how many of its loop's
    iterations one probe is worth."""
    replay, log = least_disturbed(replays, logs)
    sitting_probe_us = statistics.median([p for lg in logs for p in probes_of(lg)])
    own = replay["machine"]["calibration"]
    own_probe_us = probe_median(log)
    calibration = dict(own)
    for rate in ("iters_per_ms", "iters_per_ms_cpu_min", "iters_per_ms_cpu_max"):
        if rate in calibration:
            calibration[rate] = round(calibration[rate] * own_probe_us / sitting_probe_us, 1)
    calibration["scaled_from"] = {"iters_per_ms": own["iters_per_ms"],
                                  "probe_median_us": own_probe_us,
                                  "sitting_probe_median_us": round(sitting_probe_us, 1)}
    return calibration


def median_measured(replays, calibration=None):
    """measured.json content: per case and scalar metric, each repetition's median over the
    replays (`replays`: the replays' measured.json contents, the first one leading); the
    machine's calibration is the first replay's, or `calibration` where one is given (one of
    `CALIBRATION_OPTIONS`' choices)."""
    first = replays[0]
    machine = dict(first["machine"], replays=len(replays))
    if calibration is not None:
        machine["calibration"] = calibration
    out = {"machine": machine, "measured": {}}
    for case, metrics in first["measured"].items():
        merged = {}
        for name, v in metrics.items():
            stats = [r["measured"][case][name] for r in replays]
            scalar = isinstance(v, dict) and "median" in v
            merged[name] = median_of_reps(stats) if scalar else v
        out["measured"][case] = merged
    return out


# The per-repetition figures of the harness log taken as the median over the replays: the two
# sim validate reads (`validate::harness_log`), the host's CPU per invocation and the idle
# dispatch probe's latency, the probe's round trip and the workers' CPU per probe, which go with
# its latency, and the forced GIL hand-over's transit (median and mean of all; the mean of those
# that woke on another CPU, which sim validate reads as the sitting's hand-over to an idle CPU).
MEDIAN_FIGURES = (("host_cpu_us_per_invocation",), ("speed", "dispatch_probe", "idle_dispatch_us"),
                  ("speed", "dispatch_probe", "round_trip_us"),
                  ("speed", "dispatch_probe", "idle_dispatch_cpu_us"),
                  ("speed", "gil_handover_probe", "median_us"),
                  ("speed", "gil_handover_probe", "mean_us"),
                  ("speed", "gil_handover_probe", "elsewhere_mean_us"))


def kept_attempt_of(log, case, rep):
    """The attempt a harness log kept for a case's repetition (None if it has none)."""
    for r in log["cases"][case]["reps"]:
        if r["rep"] == rep:
            return r["attempts"][r.get("kept_attempt", 0)]
    return None


def figure_of(attempt, path):
    """A figure at `path` (keys) in an attempt, or None where not recorded."""
    for key in path:
        if not isinstance(attempt, dict):
            return None
        attempt = attempt.get(key)
    return attempt


def median_log(logs):
    """The first replay's harness log with each kept attempt's `MEDIAN_FIGURES` the median over
    the replays (those that recorded them); its other figures are the first replay's."""
    out = copy.deepcopy(logs[0])
    for case, entry in out["cases"].items():
        for r in entry["reps"]:
            kept = r["attempts"][r.get("kept_attempt", 0)]
            for path in MEDIAN_FIGURES:
                figures = [figure_of(kept_attempt_of(log, case, r["rep"]), path) for log in logs]
                figures = [f for f in figures if f is not None]
                if figures:
                    holder = kept
                    for key in path[:-1]:
                        holder = holder.setdefault(key, {})
                    holder[path[-1]] = round(statistics.median(figures), 1)
    return out


def write_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


# The calibration options (`--NAME-calibration`): how the machine's calibration is taken from
# the replays' measured.json and harness logs, and whether it needs their Python probes.
CALIBRATION_OPTIONS = {
    "median": ("take the calibration of the replay with the median Python speed",
               lambda replays, _logs: median_calibration(replays), False),
    "least-disturbed": ("take the calibration of the replay whose calibration is fastest "
                        "against its own cases' Python probes", least_disturbed_calibration, True),
    "probe": ("take the least-disturbed calibration scaled to the median of all the replays' "
              "Python probes", probe_calibration, True),
}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    options = p.add_mutually_exclusive_group()
    for name, (help_text, _, _) in CALIBRATION_OPTIONS.items():
        options.add_argument(f"--{name}-calibration", dest="calibration", action="store_const",
                             const=name, help=help_text)
    p.add_argument("replays", nargs="+")
    args = p.parse_args(argv)
    if len(args.replays) < 2:
        p.error("give at least two replays")
    first = args.replays[0]
    if load(first, "cases.json") != load(args.replays[1], "cases.json"):
        p.error("the replays measured different cases")
    measured = [load(d, "measured.json") for d in args.replays]
    option = args.calibration and f"--{args.calibration}-calibration"
    if option and any("calibration" not in m["machine"] for m in measured):
        p.error(f"{option}: a replay's measured.json has no machine.calibration "
                "(measured before the harness calibrated); leave the option out")
    logs = [load(d, "harness_log.json") for d in args.replays]
    _, chooser, needs_probes = CALIBRATION_OPTIONS.get(args.calibration, (None, None, False))
    if needs_probes and any(probe_median(log) is None for log in logs):
        p.error(f"{option}: a replay's harness_log.json has no Python probe "
                "(speed.python_probe_us); leave the option out")
    chosen = chooser(measured, logs) if chooser else None
    os.makedirs(args.out, exist_ok=True)
    shutil.copy(os.path.join(first, "cases.json"), args.out)
    shutil.copytree(os.path.join(first, "invocations"), os.path.join(args.out, "invocations"),
                    dirs_exist_ok=True)
    write_json(os.path.join(args.out, "measured.json"),
               median_measured(measured, calibration=chosen))
    write_json(os.path.join(args.out, "harness_log.json"), median_log(logs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
