#!/usr/bin/env python3
"""How Linux shares busy CPUs among more CPU-bound processes than CPUs: how often its periodic
balance moves one from a CPU running two to a CPU running one.

Starts N busy-looping Python processes at once (3 on two CPUs: two share one CPU while one runs
alone on the other), lets them settle for a moment, then samples /proc/PID/stat (field 39, the
CPU each last ran on) every half millisecond and /proc/PID/schedstat (CPU time) every window.
A process whose CPU changed between two samples migrated. Reports, per trial, the gaps
between successive migrations of any of them (each one swaps which process runs alone), and
each process's share of a CPU over the whole trial and per window (one alone runs at 1, two
sharing a CPU at 1/2, so the windows show how long a split lasts). A kernel that never moves
a thread of an uneven split leaves the shares at 1, 1/2, 1/2 for good.

    python3 busy_balance.py --procs 3 --seconds 8 --trials 3 --json out.json

Linux only; needs an otherwise idle machine. Stdlib only.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pull_latency import SPIN, cpu_of  # noqa: E402  (the same spinner, the same /proc read)

SAMPLE_S = 0.0005
SETTLE_S = 0.5


def cpu_ns(pid):
    """Nanoseconds `pid` has run on a CPU."""
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def migrations(samples):
    """[(time, index of the process)] of every change of CPU in `samples`, a time-ordered list
    of (time, [CPU of each process])."""
    out = []
    for (_t0, before), (t1, after) in zip(samples, samples[1:]):
        out += [(t1, i) for i, (a, b) in enumerate(zip(before, after)) if a != b]
    return out


def gaps_ms(moves):
    """Milliseconds between successive migrations of `migrations`' list."""
    return [1e3 * (b[0] - a[0]) for a, b in zip(moves, moves[1:])]


def window_shares(readings, window_s):
    """Each process's share of a CPU in each window, from `readings`: a time-ordered list of
    (time, [CPU ns of each process]) taken every `window_s`."""
    out = []
    for (t0, a), (t1, b) in zip(readings, readings[1:]):
        out.append([(y - x) / 1e9 / (t1 - t0) for x, y in zip(a, b)])
    return out


def quantiles(values):
    """(p10, p50, p90) of `values`, or Nones."""
    if len(values) < 2:
        return (None, None, None)
    v = sorted(values)
    return tuple(v[min(len(v) - 1, int(q * len(v)))] for q in (0.1, 0.5, 0.9))


def one_trial(procs, seconds, window_s):
    """Samples `procs` spinners for `seconds` after they settle."""
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN % (seconds + SETTLE_S + 1.0)])
                for _ in range(procs)]
    try:
        time.sleep(SETTLE_S)
        pids = [p.pid for p in spinners]
        samples, readings = [], []
        start = time.perf_counter()
        next_reading = start
        while (now := time.perf_counter()) - start < seconds:
            samples.append((now, [cpu_of(pid) for pid in pids]))
            if now >= next_reading:
                readings.append((now, [cpu_ns(pid) for pid in pids]))
                next_reading += window_s
            time.sleep(SAMPLE_S)
        readings.append((time.perf_counter(), [cpu_ns(pid) for pid in pids]))
    finally:
        for p in spinners:
            p.kill()
            p.wait()
    moves = migrations(samples)
    windows = window_shares(readings, window_s)
    total = [(b - a) / 1e9 / (readings[-1][0] - readings[0][0])
             for a, b in zip(readings[0][1], readings[-1][1])]
    return {"migrations": len(moves), "gaps_ms": [round(g, 1) for g in gaps_ms(moves)],
            "shares": [round(s, 3) for s in total],
            "window_shares": [[round(s, 3) for s in w] for w in windows]}


def report(trials, window_s, out=sys.stdout):
    """Prints each trial's migrations, gaps and shares, and the gaps pooled."""
    pooled = []
    for i, t in enumerate(trials):
        g = t["gaps_ms"]
        pooled += g
        per_window = [s for w in t["window_shares"] for s in w]
        p10, p50, p90 = quantiles(g)
        print("trial %d: %d migrations, gap p10 %s p50 %s p90 %s ms; shares %s; per %.0f ms "
              "window p10 %.2f p50 %.2f p90 %.2f" % (
                  i, t["migrations"], p10, p50, p90, t["shares"], window_s * 1e3,
                  *quantiles(per_window)), file=out)
    if pooled:
        p10, p50, p90 = quantiles(pooled)
        print("pooled: %d gaps, mean %.1f ms, p10 %s p50 %s p90 %s" % (
            len(pooled), statistics.mean(pooled), p10, p50, p90), file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--procs", type=int, default=3, help="spinning processes (default 3)")
    ap.add_argument("--seconds", type=float, default=8.0, help="sampled seconds per trial")
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--window-ms", type=float, default=100.0,
                    help="window of the per-window shares (default 100)")
    ap.add_argument("--json", help="also write the trials here")
    args = ap.parse_args(argv)
    window_s = args.window_ms / 1e3
    trials = [one_trial(args.procs, args.seconds, window_s) for _ in range(args.trials)]
    report(trials, window_s)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"procs": args.procs, "seconds": args.seconds, "cpus": os.cpu_count(),
                       "window_ms": args.window_ms, "trials": trials}, f)
            f.write("\n")


if __name__ == "__main__":
    main()
