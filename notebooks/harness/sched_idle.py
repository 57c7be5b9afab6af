#!/usr/bin/env python3
"""Idle CPU time and GIL hand-over placement in a `perf sched` record of one case.

    perf sched record -a -o perf.data -- python3 measure.py --cases C --only CASE --reps 1 \\
        --no-quiet-check --out DIR
    perf script -i perf.data -F comm,pid,tid,cpu,time,event,trace | gzip > sched.txt.gz
    python3 sched_idle.py sched.txt.gz [--last SECONDS] [--processes N]

The burst is the last stretch of worker activity: it starts where the last idle stretch of 20
ms or more before the last pool-thread run ends (the harness's idle check); with `--last`, the
last SECONDS before that end instead (a Poisson run has idle gaps of its own). The worker
processes are the two whose threads other than the main one used the most CPU; their pool
threads are those that used at least a quarter of the CPU of the process's busiest one (the
dispatch threads use far less; the harness host is left out; `--processes N` for a case of N
worker processes). Prints how long the CPUs idled and, of that, how long while a pool thread
was queued behind another thread (the capacity lost to where threads run: sim's
`cpu_idle_while_waiting`) in how many stretches (the stalls: sim's `cpu_stalls`), and how GIL
hand-overs placed the thread they woke: a pool thread woken by a pool thread of its own process
that then runs 0.5 ms or more is taken to be handed the GIL; it runs on the waker's CPU, or on
another, busy with another process's thread or idle. Stdlib only.
"""

import argparse
import gzip
import math
import os
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sched_placement  # noqa: E402  (its perf script parser)

QUIET_GAP_S = 0.020
HOLDER_MIN_RUN_S = 0.0005
POOL_SHARE = 0.25
JUST_RAN_S = 50e-6


def read_events(lines):
    """The sched_switch and sched_waking events, in time order, as
    `sched_placement.parse` reads them."""
    events = [ev for ev in map(sched_placement.parse, lines)
              if ev and ev["event"] in ("sched:sched_switch", "sched:sched_waking")]
    events.sort(key=lambda ev: ev["time"])
    return events


def runs_and_wakes(events):
    """Per thread its run intervals (start, end, cpu); every waking as (t, cpu, waker tid,
    wakee tid) (`sched_waking`'s target_cpu, the thread's CPU before the kernel picks one, is
    left out: where a woken thread runs is read from the switch events); the process (tgid) of
    every thread seen running a traced event."""
    on_cpu, runs, wakes, tgid_of = {}, defaultdict(list), [], {}
    for ev in events:
        t, cpu, tid = ev["time"], ev["cpu"], int(ev["tid"] or ev["pid"])
        tgid_of.setdefault(tid, int(ev["pid"]))
        if ev["event"] == "sched:sched_switch":
            if cpu in on_cpu:
                prev, since = on_cpu[cpu]
                runs[prev].append((since, t, cpu))
            on_cpu[cpu] = (int(ev["next"]["next_pid"]), t)
        else:
            fields = ev["fields"]
            wakes.append((t, cpu, tid, int(fields["pid"])))
    return runs, wakes, tgid_of


def cpu_time(runs):
    """CPU seconds per thread (idle, tid 0, left out)."""
    return {tid: sum(e - s for s, e, _c in iv) for tid, iv in runs.items() if tid}


def worker_pools(runs, tgid_of, count=2):
    """{pool thread: process} of the `count` processes whose threads other than the main one
    used the most CPU (the harness host's main thread is busy, its others are not)."""
    used = cpu_time(runs)
    per_process = defaultdict(float)
    for tid, v in used.items():
        if tid != tgid_of.get(tid):
            per_process[tgid_of.get(tid)] += v
    workers = sorted(per_process, key=lambda p: -per_process[p])[:count]
    pool = {}
    for p in workers:
        threads = [t for t in used if tgid_of.get(t) == p and t != p]
        top = max((used[t] for t in threads), default=0.0)
        pool.update({t: p for t in threads if used[t] >= POOL_SHARE * top})
    return pool


def burst_window(runs, pool):
    """(start, end) of the burst: from the end of the last long idle stretch to the last
    pool-thread run's end."""
    end = max(e for tid in pool for _s, e, _c in runs[tid])
    quiet_ends = [e for s, e, _c in runs.get(0, []) if e - s >= QUIET_GAP_S and e < end]
    return (max(quiet_ends) if quiet_ends else min(s for tid in pool for s, _e, _c in runs[tid]),
            end)


def idle_spans_on_cpus(runs, window):
    """Idle (start, end, CPU) of every CPU, clipped to the window."""
    lo, hi = window
    return [(max(s, lo), min(e, hi), c) for s, e, c in runs.get(0, [])
            if min(e, hi) > max(s, lo)]


def idle_spans(runs, window):
    """Idle (start, end) of every CPU, clipped to the window."""
    return [(a, b) for a, b, _c in idle_spans_on_cpus(runs, window)]


def idle_stretches(runs, window):
    """Idle stretches (s) of every CPU inside the window."""
    return [b - a for a, b in idle_spans(runs, window)]


def queued_waits(events, runs, pool):
    """Every wait of a pool thread queued behind another thread, as a dict: when it was
    queued (`t`), the thread (`tid`), `how` ("woken", a wake-up whose thread next ran on a CPU
    then busy with another thread; or "preempted", a switch-out while runnable, prev_state R),
    its `next` run (start, end, CPU), its `last` run's end, and the thread that took its CPU
    when it was preempted (`taker`, else None). (A thread woken onto an idle CPU is on its way,
    not queued.)"""
    out = []
    for ev in events:
        if ev["event"] == "sched:sched_waking":
            tid = int(ev["fields"]["pid"])
            if tid not in pool:
                continue
            nxt = run_after_wake(runs, tid, ev["time"])
            if nxt is None or occupant(runs, nxt[2], ev["time"]) in (0, None):
                continue
            before = [e for _s, e, _c in runs[tid] if e <= ev["time"]]
            out.append({"t": ev["time"], "tid": tid, "how": "woken", "next": nxt,
                        "last": before[-1] if before else -math.inf, "taker": None})
        elif ev["prev"].get("prev_state", "").startswith("R"):
            tid = int(ev["prev"]["prev_pid"])
            if tid not in pool:
                continue
            nxt = next(((s, e, c) for s, e, c in runs[tid] if s > ev["time"]), None)
            if nxt is not None:
                out.append({"t": ev["time"], "tid": tid, "how": "preempted", "next": nxt,
                            "last": ev["time"], "taker": int(ev["next"]["next_pid"])})
    return out


def waits(events, runs, pool):
    """Every wait of `queued_waits` as (queued at, ran at, CPU it ran on, its last run's
    end)."""
    return [(w["t"], w["next"][0], w["next"][2], w["last"])
            for w in queued_waits(events, runs, pool)]


def queued_stretches(events, runs, pool):
    """Merged (start, end) stretches in which some pool thread was runnable but queued behind
    another thread (its `waits`)."""
    merged = []
    for a, b, _cpu, _last in sorted(waits(events, runs, pool)):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return merged


def overlaps(idle, spans):
    """(index into `spans`, seconds) of every overlap of an idle stretch (`idle`, start and
    end) with one of `spans` ((start, end), sorted by start)."""
    for a, b in idle:
        for i, (x, y) in enumerate(spans):
            if x >= b:
                break
            overlap = min(b, y) - max(a, x)
            if overlap > 0:
                yield i, overlap


def stalls(idle, ready):
    """The lengths (s) of the stretches in which a CPU idled (`idle`, start and end) while some
    pool thread was queued (`ready`, merged and sorted): each overlap of the two."""
    return [overlap for _i, overlap in overlaps(idle, ready)]


def idle_while_queued(idle, ready):
    """Seconds of the idle stretches `idle` (start, end) during which some pool thread was
    queued (`ready`, merged and sorted)."""
    return sum(stalls(idle, ready))


def run_after_wake(runs, tid, t):
    """The run (start, end, cpu) a wake-up of `tid` at `t` led to: its first run from `t` on,
    or None if it was still on a CPU at `t` (the kernel reports the waking of a thread that has
    not yet switched out; it goes on running) or never ran again."""
    for s, e, c in runs.get(tid, []):
        if s < t < e:
            return None
        if s >= t:
            return (s, e, c)
    return None


def occupant(runs, cpu, t):
    """The thread running on `cpu` at `t` (0: idle, None: unknown)."""
    for tid, intervals in runs.items():
        for s, e, c in intervals:
            if c == cpu and s <= t < e:
                return tid
    return None


def handover_events(runs, wakes, pool, window):
    """Every GIL hand-over wake-up in the window as a dict: when (`t`), the `waker` and the
    `wakee`, where it ran (the waker's CPU, another CPU busy with another process's thread
    at the wake-up, another CPU idle, other: read from the switch events, since
    `sched_waking`'s target_cpu is the thread's CPU before the kernel chooses one), `delay`
    until the new holder ran (s), how long it then `ran` (s), and `just_ran`: the time
    since the new holder last ran on the CPU it lands on, if that run ended there (s; None
    otherwise)."""
    lo, hi = window
    out = []
    for t, cpu, waker, wakee in wakes:
        if not (lo <= t <= hi) or wakee not in pool or pool.get(waker) != pool[wakee]:
            continue
        nxt = run_after_wake(runs, wakee, t)
        if nxt is None or nxt[1] - nxt[0] < HOLDER_MIN_RUN_S:
            continue
        ran_on = nxt[2]
        if ran_on == cpu:
            where = "waker's CPU"
        else:
            there = occupant(runs, ran_on, t)
            if there == 0:
                where = "another CPU, idle"
            elif there in pool and pool[there] != pool[wakee]:
                where = "another CPU, busy with another process"
            else:
                where = "another CPU, other"
        before = [(s, e, c) for s, e, c in runs[wakee] if e <= t]
        just_ran = t - before[-1][1] if before and before[-1][2] == ran_on else None
        out.append({"t": t, "waker": waker, "wakee": wakee, "where": where,
                    "delay": nxt[0] - t, "ran": nxt[1] - nxt[0], "just_ran": just_ran})
    return out


def handovers(runs, wakes, pool, window):
    """Delays (s) of GIL hand-over wake-ups by where they landed (see `handover_events`)."""
    placed = defaultdict(list)
    for ev in handover_events(runs, wakes, pool, window):
        placed[ev["where"]].append(ev["delay"])
    return placed


def busy_landings(events):
    """Of the hand-overs landing on a CPU busy with another process's thread: how many, how
    many of the new holders had run on that CPU within `JUST_RAN_S` before (a GIL waiter's
    brief timed wake-up), and the median time the new holder then ran (s)."""
    busy = [ev for ev in events if ev["where"] == "another CPU, busy with another process"]
    just = [ev for ev in busy if ev["just_ran"] is not None and ev["just_ran"] <= JUST_RAN_S]
    ran = statistics.median(ev["ran"] for ev in busy) if busy else 0.0
    return len(busy), len(just), ran


def report(lines, out=sys.stdout, last_s=None, processes=2):
    events = read_events(lines)
    runs, wakes, tgid_of = runs_and_wakes(events)
    pool = worker_pools(runs, tgid_of, processes)
    if not pool:
        print("no worker pool threads found (threads of a worker process other than its main "
              "one that used a quarter of the CPU of its busiest)", file=out)
        return 1
    window = burst_window(runs, pool)
    if last_s is not None:
        window = (window[1] - last_s, window[1])
    cpus = sorted({c for intervals in runs.values() for _s, _e, c in intervals})
    idle = idle_stretches(runs, window)
    length = window[1] - window[0]
    label = "burst" if last_s is None else "last %g s" % last_s
    print("%s: %.1f ms on %d CPUs, %d pool threads in %d processes"
          % (label, length * 1e3, len(cpus), len(pool), len(set(pool.values()))), file=out)
    if idle:
        print("idle: %.1f ms (%.0f%% of the CPUs' time) in %d stretches, median %.2f ms, "
              "longest %.2f ms" % (sum(idle) * 1e3, 100 * sum(idle) / (length * len(cpus)),
                                   len(idle), statistics.median(idle) * 1e3, max(idle) * 1e3),
              file=out)
        pieces = stalls(idle_spans(runs, window), queued_stretches(events, runs, pool))
        lost = sum(pieces)
        print("  of it while a pool thread was queued behind another thread: %.1f ms (%.1f%% "
              "of the CPUs' time)" % (lost * 1e3, 100 * lost / (length * len(cpus))), file=out)
        if pieces:
            print("    in %d stretches (%.0f a second), mean %.2f ms"
                  % (len(pieces), len(pieces) / length, lost / len(pieces) * 1e3), file=out)
    landings = handover_events(runs, wakes, pool, window)
    placed = handovers(runs, wakes, pool, window)
    total = sum(len(v) for v in placed.values())
    print("GIL hand-overs (a pool thread woken by its own process's, then running >= 0.5 ms):"
          " %d" % total, file=out)
    for where, delays in sorted(placed.items(), key=lambda kv: -len(kv[1])):
        print("  %-40s %3d, ran after a median of %.0f us"
              % (where, len(delays), statistics.median(delays) * 1e6), file=out)
    busy, just, ran = busy_landings(landings)
    if busy:
        print("  of the %d on a busy CPU: %d had run there within %.0f us before; the new "
              "holder then ran a median of %.2f ms" % (busy, just, JUST_RAN_S * 1e6, ran * 1e3),
              file=out)
    return 0


def add_trace_arguments(parser):
    """The record to read and `--last`, as this script and those built on it take them."""
    parser.add_argument("trace", help="perf script text (-F comm,pid,tid,cpu,time,event,trace), "
                                      "gzipped or not")
    parser.add_argument("--last", type=float, metavar="SECONDS",
                        help="read the last SECONDS before the last pool-thread run ends "
                             "instead of the burst (for a Poisson case, whose run has idle gaps)")
    parser.add_argument("--processes", type=int, default=2,
                        help="how many worker processes the case ran (their pool threads are "
                             "followed; 2 by default)")


def open_trace(path):
    """The `perf script` text at `path` as lines, gzipped or not."""
    opener = gzip.open if path.endswith(".gz") else open
    return opener(path, "rt")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_trace_arguments(p)
    opts = p.parse_args(argv)
    with open_trace(opts.trace) as f:
        return report(f, last_s=opts.last, processes=opts.processes)


if __name__ == "__main__":
    sys.exit(main())
