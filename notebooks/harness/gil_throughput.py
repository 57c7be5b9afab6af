#!/usr/bin/env python3
"""How much of its GIL a multi-threaded process gets to use, with the other cores idle or busy.

In the measured cases where a worker process runs two or more CPU-bound threads while other
processes keep the other cores busy (P = cores, T >= 2), real CPython keeps fewer of its
process's CPU-bound bodies running per second than sim predicts (about 0.88-0.94 of the
process's busy time spent in a body's own CPU, against sim's 0.96-0.98), while with a core
free (P = 1) the two agree. This probe measures that share directly, without the dispatch
path: T threads in one process each burn CPU (pure bytecode) for a fixed wall time, and the
probe sums their CPU time (``time.thread_time``) and divides by the wall time, so 1.0 means
the GIL was always held by a thread doing useful work. It also counts the forced switches
the interval implies and the threads' voluntary and involuntary context switches and
run-queue wait (Linux /proc). Conditions:

* ``threads``: 1, 2, 4, 8 CPU-bound threads in the measured process;
* ``others``: 0 .. cpu_count - 1 other processes spinning on bytecode meanwhile (no core
  idle once the measured process and the others fill them), each on one thread, or (``alike``)
  on as many threads as the measured process: P processes of T CPU-bound threads each, as a
  worker pool of P x T runs them.

Usage::

    python3 gil_throughput.py [--seconds 2] [--json FILE]

Prints one line per condition; ``--json`` also writes them. Stdlib only; Linux for the
scheduler counters (elsewhere they are left out). Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import threading
import time

from measure import thread_sched
from probe_output import write_results

THREADS = (1, 2, 4, 8)


def spin(stop_at, threads=1):
    """Keep one core busy with bytecode until ``stop_at`` (perf_counter seconds), on
    ``threads`` threads sharing this process's GIL."""
    def loop():
        x = 0
        while time.perf_counter() < stop_at:
            x += 1
    extra = [threading.Thread(target=loop) for _ in range(threads - 1)]
    for t in extra:
        t.start()
    loop()
    for t in extra:
        t.join()


def thread_counters():
    """(run-queue wait ns, voluntary, involuntary switches) of this thread, or None."""
    sched = thread_sched()
    return None if sched is None else (sched[0], sched[2], sched[3])


def burner(stop_at, out, index):
    """Burn CPU until ``stop_at``; record this thread's CPU time and scheduler counters."""
    before = thread_counters()
    cpu0 = time.thread_time()
    x = 0
    while time.perf_counter() < stop_at:
        x += 1
    cpu = time.thread_time() - cpu0
    after = thread_counters()
    delta = None if before is None or after is None else \
        tuple(b - a for a, b in zip(before, after))
    out[index] = (cpu, delta)


def measure_process(threads, seconds, queue):
    """In a fresh process: ``threads`` burners for ``seconds``; puts the summary on queue."""
    start = time.perf_counter() + 0.05
    stop_at = start + seconds
    out = [None] * threads
    workers = [threading.Thread(target=burner, args=(stop_at, out, i)) for i in range(threads)]
    while time.perf_counter() < start:
        pass
    t0 = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - t0
    cpu = sum(o[0] for o in out)
    deltas = [o[1] for o in out if o[1] is not None]
    summary = {"threads": threads, "wall_s": round(wall, 4), "cpu_s": round(cpu, 4),
               "gil_use": round(cpu / wall, 4),
               "forced_switches_expected": int(wall / sys.getswitchinterval())
               if threads > 1 else 0}
    if len(deltas) == threads:
        summary["rq_wait_ms"] = round(sum(d[0] for d in deltas) / 1e6, 3)
        summary["voluntary"] = sum(d[1] for d in deltas)
        summary["involuntary"] = sum(d[2] for d in deltas)
    queue.put(summary)


def one_condition(ctx, threads, others, seconds, alike=False):
    """Measure ``threads`` burners while ``others`` spinner processes run (each on as many
    threads as the measured process when ``alike``, else on one)."""
    stop_at = time.perf_counter() + seconds + 1.0
    other_threads = threads if alike else 1
    spinners = [ctx.Process(target=spin, args=(stop_at, other_threads)) for _ in range(others)]
    for p in spinners:
        p.start()
    time.sleep(0.3 if others else 0.0)
    queue = ctx.Queue()
    proc = ctx.Process(target=measure_process, args=(threads, seconds, queue))
    try:
        proc.start()
        result = queue.get(timeout=seconds + 30)
        proc.join()
    finally:
        for p in spinners:
            p.terminate()
            p.join()
    result["others"] = others
    result["other_threads"] = other_threads if others else 0
    return result


def run(seconds, threads=THREADS):
    """Every condition: {"threads=T others=O[ alike]": summary}."""
    ctx = multiprocessing.get_context("spawn")
    results = {}
    for others in range(0, max(1, os.cpu_count() or 1)):
        for t in threads:
            results["threads=%d others=%d" % (t, others)] = one_condition(ctx, t, others, seconds)
            if others and t > 1:
                results["threads=%d others=%d alike" % (t, others)] = \
                    one_condition(ctx, t, others, seconds, alike=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="wall time per condition")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    results = run(args.seconds)
    for key, r in results.items():
        extra = "" if "involuntary" not in r else \
            "  rq wait %8.2f ms  vol %6d  invol %6d" % (r["rq_wait_ms"], r["voluntary"],
                                                         r["involuntary"])
        print("%-26s GIL use %.4f  forced switches ~%5d%s" % (
            key, r["gil_use"], r["forced_switches_expected"], extra))
    if args.json:
        write_results(args.json, "gil_throughput", results)


if __name__ == "__main__":
    main()
