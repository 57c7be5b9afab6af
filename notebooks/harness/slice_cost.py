#!/usr/bin/env python3
"""What time-slicing costs two CPU-bound Python processes that share one CPU.

    python3 slice_cost.py [--cpu 1] [--trials 5] [--sharers 2]

A pure-Python loop of a fixed number of steps runs pinned to one CPU, alone (clean), and then
in `--sharers` processes at once pinned to that CPU (shared), so the scheduler time-slices
them; the trials alternate. Per shared trial, the cost of one switch between them is

    (wall_shared - sharers x wall_clean) / switches

where `switches` is the sum of the loops' involuntary context switches
(`/proc/thread-self/status`): the switch itself and the cache each loop refills when it gets
the CPU back. The loops' own CPU times say how much of it is charged to them. sim charges each
time slice of threads that share a core `host.context_switch_us` (`cpu::cpu_share_with`); this
measures it where `switch_cost.py` measures a brief preemption. Stdlib only (Linux).
"""

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time

from switch_cost import STEPS, involuntary_switches, loop


def timed_loop(cpu, start, out, index):
    """Runs the loop pinned to `cpu` once `start` is set; puts (wall s, involuntary switches,
    own CPU s) in `out[index]`."""
    os.sched_setaffinity(0, {cpu})
    start.wait()
    before = involuntary_switches()
    t0, c0 = time.perf_counter(), time.thread_time()
    loop(STEPS)
    out[index] = (time.perf_counter() - t0, involuntary_switches() - before,
                  time.thread_time() - c0)


def trial(cpu, sharers):
    """(wall s until the last loop ends, involuntary switches summed, own CPU s summed) of
    `sharers` loops started together on `cpu`."""
    start, manager = mp.Event(), mp.Manager()
    out = manager.list([None] * sharers)
    procs = [mp.Process(target=timed_loop, args=(cpu, start, out, i)) for i in range(sharers)]
    for p in procs:
        p.start()
    time.sleep(0.2)
    t0 = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    results = list(out)
    manager.shutdown()
    return wall, sum(r[1] for r in results), sum(r[2] for r in results)


def cost_per_switch(clean, shared, sharers):
    """Per shared trial, us per switch from the wall time, and from the loops' own CPU."""
    wall0 = statistics.median(w for w, _n, _c in clean)
    own0 = statistics.median(c for _w, _n, c in clean)
    by_wall = [1e6 * (w - sharers * wall0) / n for w, n, _c in shared if n > 0]
    by_own = [1e6 * (c - sharers * own0) / n for _w, n, c in shared if n > 0]
    return by_wall, by_own


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cpu", type=int, default=1)
    p.add_argument("--trials", type=int, default=5)
    p.add_argument("--sharers", type=int, default=2)
    p.add_argument("--json", help="write the trials and the result here")
    opts = p.parse_args(argv)
    clean, shared = [], []
    for _ in range(opts.trials):
        clean.append(trial(opts.cpu, 1))
        shared.append(trial(opts.cpu, opts.sharers))
    by_wall, by_own = cost_per_switch(clean, shared, opts.sharers)
    print("clean loop: median %.3f s; %d sharing: %s switches per trial"
          % (statistics.median(w for w, _n, _c in clean), opts.sharers,
             [n for _w, n, _c in shared]))
    for name, costs in (("wall time", by_wall), ("the loops' own CPU", by_own)):
        print("cost of one time-slice switch, by %s: median %.1f us (trials: %s)"
              % (name, statistics.median(costs), ", ".join("%.1f" % c for c in costs)))
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"clean": clean, "shared": shared, "sharers": opts.sharers,
                       "us_per_switch_by_wall": by_wall,
                       "us_per_switch_by_loop_cpu": by_own}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
