#!/usr/bin/env python3
"""How long two CPU-bound processes stay on one CPU while another CPU idles.

Starts two busy-looping processes pinned to CPU 0, lets them share it for a moment, then
allows them every CPU and samples /proc/PID/stat (field 39, the CPU each last ran on) every
0.5 ms until they run on different CPUs: the time the kernel's balancing takes to pull one of
them to the idle CPU. A kernel with no balancing leaves them together (the trial times out).
Linux only; needs two or more CPUs and an otherwise idle machine.

With --when-idle the other CPU is busy first: a third spinner runs there and is stopped once
the two share CPU 0, so the time is from that CPU *going* idle (a CPU that goes idle looks for
work at once if the kernel balances on going idle, at a tick if it only balances then).

    python3 pull_latency.py --trials 30 --json out.json
    python3 pull_latency.py --trials 30 --when-idle --json out.json
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

SPIN = "import time\nt = time.time()\nwhile time.time() - t < %f: pass\n"


def cpu_of(pid):
    """The CPU `pid` last ran on."""
    with open("/proc/%d/stat" % pid) as f:
        return int(f.read().rsplit(")", 1)[1].split()[36])


def spinner(cpu, seconds):
    """A process busy-looping for `seconds`, started on `cpu` only."""
    return subprocess.Popen(["taskset", "-c", str(cpu), sys.executable, "-c", SPIN % seconds])


def one_trial(timeout_s, when_idle):
    """Seconds until two spinners released from CPU 0 run on different CPUs (None: never;
    nan: with --when-idle, the kernel had already moved one before the other CPU went idle)."""
    procs = [spinner(0, timeout_s + 1.5) for _ in range(2)]
    other = spinner(1, timeout_s + 1.5) if when_idle else None
    try:
        time.sleep(0.2)
        everyone = set(range(os.cpu_count()))
        for p in procs:
            os.sched_setaffinity(p.pid, everyone)
        if other is not None:
            time.sleep(0.1)
            if cpu_of(procs[0].pid) != cpu_of(procs[1].pid):
                return float("nan")
            other.kill()
            other.wait()
        start = time.perf_counter()
        while time.perf_counter() - start < timeout_s:
            if cpu_of(procs[0].pid) != cpu_of(procs[1].pid):
                return time.perf_counter() - start
            time.sleep(0.0005)
        return None
    finally:
        for p in procs + ([other] if other is not None else []):
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--timeout-s", type=float, default=2.0)
    ap.add_argument("--when-idle", action="store_true", help="time from the other CPU going idle")
    ap.add_argument("--json", help="write the trials and their summary here")
    args = ap.parse_args()
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("needs two or more CPUs")
    times = [one_trial(args.timeout_s, args.when_idle) for _ in range(args.trials)]
    moved_early = sum(1 for t in times if t is not None and t != t)
    times = [t for t in times if t is None or t == t]
    pulled = sorted(t * 1000 for t in times if t is not None)
    summary = {
        "mode": "when the other CPU goes idle" if args.when_idle else "with the other CPU idle",
        "trials": args.trials,
        "moved_before_the_other_cpu_went_idle": moved_early,
        "pulled": len(pulled),
        "median_ms": round(statistics.median(pulled), 2) if pulled else None,
        "p10_ms": round(pulled[len(pulled) // 10], 2) if pulled else None,
        "p90_ms": round(pulled[(len(pulled) * 9) // 10 - 1], 2) if pulled else None,
        "max_ms": round(pulled[-1], 2) if pulled else None,
        "kernel": os.uname().release,
    }
    print(json.dumps(summary))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "pull_ms": [None if t is None else round(t * 1000, 3) for t in times]}, f, indent=1)


if __name__ == "__main__":
    main()
