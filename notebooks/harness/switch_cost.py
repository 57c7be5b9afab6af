#!/usr/bin/env python3
"""What one preemption costs a CPU-bound Python thread beyond the preempting thread's own work.

    python3 switch_cost.py [--cpu 1] [--trials 5] [--work-us 50] [--gap-us 1000]

A pure-Python loop of a fixed number of steps runs pinned to one CPU, alone (clean) and then
beside a disturbing process pinned to the same CPU that sleeps `--gap-us`, wakes (preempting
the loop), burns `--work-us` of its own CPU and sleeps again (disturbed). Trials alternate
clean and disturbed. Per disturbed trial the cost of one preemption is

    (wall_disturbed - wall_clean - disturber_cpu) / preemptions

where `preemptions` is the loop's involuntary context switches (`/proc/thread-self/status`),
`disturber_cpu` the disturbing process's CPU time during the trial and `wall_clean` the median
clean wall time: the two context switches and the cache the loop refills after each. sim
charges 2 x `host.context_switch_us` per preemption on full cores. Stdlib only (Linux).
"""

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time

STEPS = 30_000_000


def loop(steps):
    """The CPU-bound body: pure Python, no allocation in the loop."""
    x = 0
    for i in range(steps):
        x += i & 7
    return x


def involuntary_switches():
    with open("/proc/thread-self/status") as f:
        for line in f:
            if line.startswith("nonvoluntary_ctxt_switches"):
                return int(line.split()[1])
    raise RuntimeError("no nonvoluntary_ctxt_switches in /proc/thread-self/status")


def disturber(cpu, gap_s, work_s, stop, cpu_used):
    """Sleeps `gap_s`, then burns `work_s` of its own CPU, until `stop` is set; reports its CPU."""
    os.sched_setaffinity(0, {cpu})
    start = time.thread_time()
    while not stop.is_set():
        time.sleep(gap_s)
        t0 = time.thread_time()
        while time.thread_time() - t0 < work_s:
            pass
    cpu_used.value = time.thread_time() - start


def timed_loop():
    """(wall s, involuntary switches, the loop's own CPU s) of one run of the loop."""
    before = involuntary_switches()
    t0, c0 = time.perf_counter(), time.thread_time()
    loop(STEPS)
    return time.perf_counter() - t0, involuntary_switches() - before, time.thread_time() - c0


def disturbed_trial(cpu, gap_s, work_s):
    """(wall s, preemptions, disturber CPU s, the loop's own CPU s) of one loop run beside
    the disturber."""
    stop, used = mp.Event(), mp.Value("d", 0.0)
    proc = mp.Process(target=disturber, args=(cpu, gap_s, work_s, stop, used))
    proc.start()
    time.sleep(0.05)
    used_before = time.perf_counter()
    wall, switches, own = timed_loop()
    stop.set()
    proc.join()
    # The disturber ran a little before and after the loop: count only its share of the loop.
    share = wall / max(wall, time.perf_counter() - used_before + 0.05)
    return wall, switches, used.value * share, own


def cost_per_preemption(clean, disturbed):
    """Per disturbed trial, us per preemption: from the wall time (see the module doc), and
    from the loop's own CPU time alone (the refill and the part of the switches charged to it)."""
    wall0 = statistics.median(w for w, _n, _c in clean)
    own0 = statistics.median(c for _w, _n, c in clean)
    by_wall = [1e6 * (w - wall0 - d) / n for w, n, d, _o in disturbed if n > 0]
    by_own = [1e6 * (o - own0) / n for _w, n, _d, o in disturbed if n > 0]
    return by_wall, by_own


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cpu", type=int, default=1)
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--work-us", type=float, default=50.0)
    p.add_argument("--gap-us", type=float, default=1000.0)
    p.add_argument("--json", help="write the trials and the result here")
    opts = p.parse_args(argv)
    os.sched_setaffinity(0, {opts.cpu})
    loop(STEPS // 10)  # warm up
    clean, disturbed = [], []
    for _ in range(opts.trials):
        clean.append(timed_loop())
        disturbed.append(disturbed_trial(opts.cpu, opts.gap_us / 1e6, opts.work_us / 1e6))
    by_wall, by_own = cost_per_preemption(clean, disturbed)
    result = {
        "clean": [{"wall_s": w, "preemptions": n, "loop_cpu_s": c} for w, n, c in clean],
        "disturbed": [{"wall_s": w, "preemptions": n, "disturber_cpu_s": d, "loop_cpu_s": o}
                      for w, n, d, o in disturbed],
        "us_per_preemption_by_wall": by_wall,
        "us_per_preemption_by_loop_cpu": by_own,
    }
    print("clean loop: median %.3f s; disturbed: %s preemptions per trial"
          % (statistics.median(w for w, _n, _c in clean), [n for _w, n, _d, _o in disturbed]))
    for name, costs in (("wall time", by_wall), ("the loop's own CPU", by_own)):
        print("cost of one preemption beyond the preempting work, by %s: median %.1f us "
              "(trials: %s)" % (name, statistics.median(costs),
                                ", ".join("%.1f" % c for c in costs)))
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
