#!/usr/bin/env python3
"""The CPU a thread spends getting the GIL back while another thread holds it, per acquisition.

A waiter thread sleeps 1 ms (releasing the GIL), then needs the GIL for one line of Python, over
and over. Alone, it gets the GIL at once. Beside a thread spinning in Python, it waits in
CPython's timed wait (the 5 ms switch interval), asks for a forced switch, and is handed the GIL.
The waiter's own CPU clock (`time.thread_time`) per round, beside the spinner less alone, is what
waiting for the GIL costs the waiting thread: the timed wait's wake-up, the futex calls and the
hand-over, none of it Python. With `--foreign N`, N other processes spin in Python throughout,
so that with N >= 1 no CPU idles (on two cores) and every wake-up lands on a busy one. Run on
the idle machine; stdlib only.

    python3 probe.py [--seconds S] [--repeats R] [--foreign N]
"""

import argparse
import json
import multiprocessing
import statistics
import sys
import threading
import time

SLEEP_S = 0.001


def waiter_rounds(seconds, stop):
    """Rounds of sleep-then-Python for `seconds`; returns (rounds, the thread's CPU seconds)."""
    cpu0 = time.thread_time()
    end = time.perf_counter() + seconds
    rounds = 0
    while time.perf_counter() < end:
        time.sleep(SLEEP_S)
        rounds += 1
    cpu = time.thread_time() - cpu0
    stop.set()
    return rounds, cpu


def spin(stop):
    """Python bytecode until `stop` is set: the GIL's holder."""
    x = 0
    while not stop.is_set():
        x += 1


def spin_process(stop):
    """Another process's Python bytecode until `stop` is set: load on the cores."""
    x = 0
    while not stop.is_set():
        for _ in range(10_000):
            x += 1


def start_foreign(n):
    """`n` spinning processes and the event that stops them."""
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    procs = [ctx.Process(target=spin_process, args=(stop,), daemon=True) for _ in range(n)]
    for p in procs:
        p.start()
    time.sleep(0.3 if n else 0.0)  # let them start spinning
    return stop, procs


def one_run(seconds, with_spinner):
    """Rounds and CPU per round (us) of the waiter, alone or beside a spinner."""
    stop = threading.Event()
    spinner = threading.Thread(target=spin, args=(stop,)) if with_spinner else None
    if spinner:
        spinner.start()
    out = {}

    def body():
        out["rounds"], out["cpu_s"] = waiter_rounds(seconds, stop)

    waiter = threading.Thread(target=body)
    waiter.start()
    waiter.join()
    stop.set()
    if spinner:
        spinner.join()
    return {
        "rounds": out["rounds"],
        "cpu_us_per_round": out["cpu_s"] / max(out["rounds"], 1) * 1e6,
        "wall_us_per_round": seconds / max(out["rounds"], 1) * 1e6,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--foreign", type=int, default=0,
                    help="other processes spinning in Python throughout (default 0)")
    args = ap.parse_args(argv)
    runs = {"alone": [], "beside_spinner": []}
    stop, procs = start_foreign(args.foreign)
    try:
        for _ in range(args.repeats):
            runs["alone"].append(one_run(args.seconds, False))
            runs["beside_spinner"].append(one_run(args.seconds, True))
    finally:
        stop.set()
        for p in procs:
            p.join()
    med = {k: statistics.median(r["cpu_us_per_round"] for r in v) for k, v in runs.items()}
    wall = {k: statistics.median(r["wall_us_per_round"] for r in v) for k, v in runs.items()}
    summary = {
        "python": sys.version.split()[0],
        "switchinterval_s": sys.getswitchinterval(),
        "foreign_processes": args.foreign,
        "runs": runs,
        "median_cpu_us_per_round": med,
        "median_wall_us_per_round": wall,
        "gil_wait_cpu_us_per_acquisition": med["beside_spinner"] - med["alone"],
    }
    json.dump(summary, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
