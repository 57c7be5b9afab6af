#!/usr/bin/env python3
"""How long a blocked thread takes to run once woken, by sleep length and core load.

The dispatch path of a Python worker is a chain of wake-ups (host -> receiver thread -> event
loop -> pool thread -> sender), so what one wake-up costs on the machine at hand bounds how
fast that path can be. This probe measures it the way the path does it: a parent process
writes to a pipe, a child blocked in the read stamps ``time.perf_counter()`` when it returns
(the clock is system-wide on Linux) and sends the stamp back. Conditions:

* ``idle_ms``: how long parent and child slept before the wake-up (a short spell stays
  within the CPU's and hypervisor's polling windows; a long one lets the vCPU halt);
* ``spinners``: 0 .. cpu_count processes spinning on pure-Python loops meanwhile (no core
  idle once spinners >= cores).

Usage::

    python3 wake_latency.py [--wakes 150] [--json FILE]

Prints one line per condition (median and p90 in microseconds); ``--json`` also writes them.
Stdlib only; Linux or macOS (spawn start method).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time

from probe_output import write_results

IDLE_MS = (0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)


def spin(stop_at):
    """Keep one core busy with bytecode until ``stop_at`` (perf_counter seconds)."""
    x = 0
    while time.perf_counter() < stop_at:
        x += 1


def child(requests, replies):
    """Block in a pipe read; on each wake-up send back when it returned."""
    while True:
        msg = requests.recv_bytes()
        woke = time.perf_counter()
        if msg == b"q":
            return
        replies.send_bytes(repr(woke).encode())


def summarise(latencies_s):
    """Median and p90 of wake-up latencies, in microseconds."""
    ordered = sorted(latencies_s)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return {"n": len(ordered), "p50_us": round(statistics.median(ordered) * 1e6, 1),
            "p90_us": round(p90 * 1e6, 1)}


class Probe:
    """A child process blocked on a pipe, and the parent end that wakes it."""

    def __init__(self, ctx):
        child_requests, self.requests = ctx.Pipe(duplex=False)
        self.replies, child_replies = ctx.Pipe(duplex=False)
        self.process = ctx.Process(target=child, args=(child_requests, child_replies))
        self.process.start()
        self.wake_once()

    def wake_once(self):
        sent = time.perf_counter()
        self.requests.send_bytes(b"x")
        return float(self.replies.recv_bytes()) - sent

    def wakes_after(self, idle_ms, count):
        latencies = []
        for _ in range(count):
            time.sleep(idle_ms / 1000.0)
            latencies.append(self.wake_once())
        return summarise(latencies)

    def close(self):
        self.requests.send_bytes(b"q")
        self.process.join()


def with_spinners(ctx, spinners, seconds, measure):
    """Run ``measure()`` while ``spinners`` processes keep cores busy."""
    stop_at = time.perf_counter() + seconds
    procs = [ctx.Process(target=spin, args=(stop_at,)) for _ in range(spinners)]
    for p in procs:
        p.start()
    time.sleep(0.3 if spinners else 0.0)  # let them start spinning
    try:
        return measure()
    finally:
        for p in procs:
            p.terminate()
            p.join()


def run(wakes, idle_ms=IDLE_MS):
    """Every condition: {"spinners=S idle=I ms": {"n", "p50_us", "p90_us"}}."""
    ctx = multiprocessing.get_context("spawn")
    probe = Probe(ctx)
    results = {}
    try:
        for spinners in range(0, (os.cpu_count() or 1) + 1):
            for idle in idle_ms:
                count = wakes if idle < 5 else max(3, wakes // 3)
                seconds = 2 + count * (idle / 1000.0 + 0.001)
                key = "spinners=%d idle=%g ms" % (spinners, idle)
                results[key] = with_spinners(
                    ctx, spinners, seconds, lambda: probe.wakes_after(idle, count))
    finally:
        probe.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wakes", type=int, default=150,
                        help="wake-ups per condition below 5 ms idle (a third of it above)")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    results = run(args.wakes)
    for key, value in results.items():
        print("%-26s p50 %7.1f us  p90 %7.1f us" % (key, value["p50_us"], value["p90_us"]))
    if args.json:
        write_results(args.json, "wake_latency", results)


if __name__ == "__main__":
    main()
