#!/usr/bin/env python3
"""What the machine's stalls are: who waits while a CPU idles, and who took its CPU, from
`perf sched` records.

    python3 stall_kinds.py [--processes 2] RECORD [RECORD ...]

run from `notebooks/measurements`. In the last 5 s of each record (`sched_idle.py --last 5`'s
window), every overlap of a CPU's idle stretch with a pool thread's wait behind another thread
(`sched_idle.queued_waits`: the stalls `sched_idle.py` counts) is put down to that wait's kind:
how the thread came to wait (woken onto a CPU busy with another thread, or switched out while
runnable: preempted) and what it then ran (a moment under the migration cost, 0.5 ms: a GIL
waiter checking and sleeping again, or a holder forced off queuing up; or longer: a body).
Prints, per record, each kind's overlaps and share of the stalled time. A second line splits
the stalled time of the preempted waits by the thread that took the CPU: a pool thread or a
dispatch thread of the same worker or of another, or another thread (the host, the kernel),
and whether it then ran a moment or longer. A third line follows the preempted threads whose
CPU was taken by another worker's thread that ran on, in a wait that overlapped a stall: how
many got their own CPU back and how many ran next on another, with each group's median wait.
An overlap with two waits counts for both. Stdlib only.
"""

import argparse
import collections
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "harness"))
import sched_idle  # noqa: E402

MOMENT_S = 0.0005
KINDS = (("woken", "moment"), ("woken", "longer"), ("preempted", "moment"),
         ("preempted", "longer"))


def moment_or_longer(seconds):
    """"moment" for a run under the migration cost, else "longer"."""
    return "moment" if seconds < MOMENT_S else "longer"


def kind_of(wait):
    """A wait's kind: how it came to wait, and what it then ran."""
    start, end, _cpu = wait["next"]
    return wait["how"], moment_or_longer(end - start)


def taker_of(wait, runs, tgid_of, pool, workers):
    """Who took a preempted wait's CPU: (role and worker, what it ran), None if woken.
    `workers` is the set of the worker processes."""
    taker = wait["taker"]
    if taker is None:
        return None
    run = next((e - s for s, e, _c in runs.get(taker, []) if abs(s - wait["t"]) < 1e-6), None)
    ran = moment_or_longer(run) if run is not None else "longer"
    process = tgid_of.get(taker)
    if taker in pool:
        role = "pool thread"
    elif process in workers:
        role = "dispatch thread"
    else:
        return "another thread", ran
    worker = "same worker" if process == pool[wait["tid"]] else "other worker"
    return "%s, %s" % (role, worker), ran


def stalled_seconds(stalled, keys):
    """Counter of overlaps and Counter of stalled seconds by key, over the overlaps
    `stalled` ((wait index, seconds)) and each wait's key in `keys` (None: left out)."""
    count, seconds = collections.Counter(), collections.Counter()
    for i, overlap in stalled:
        if keys[i] is not None:
            count[keys[i]] += 1
            seconds[keys[i]] += overlap
    return count, seconds


def displaced_holders(stalled, waits, takers, runs):
    """{"back on its CPU" or "on another CPU": [waits, s]} of the preempted waits that
    overlapped a stall and whose CPU another worker's thread took and ran on."""
    out = collections.defaultdict(list)
    for i in sorted({i for i, _overlap in stalled}):
        if takers[i] != ("pool thread, other worker", "longer"):
            continue
        wait = waits[i]
        was_on = [c for _s, e, c in runs[wait["tid"]] if abs(e - wait["t"]) < 1e-6]
        back = bool(was_on) and was_on[0] == wait["next"][2]
        out["back on its CPU" if back else "on another CPU"].append(wait["next"][0] - wait["t"])
    return out


def shares(seconds):
    """Each key's share of the seconds, in percent (of 1 s if there are none)."""
    total = sum(seconds.values()) or 1.0
    return {key: 100 * s / total for key, s in seconds.items()}


def report(path, processes, out=sys.stdout):
    """One record's three lines."""
    with sched_idle.open_trace(path) as lines:
        events = sched_idle.read_events(lines)
    runs, _wakes, tgid_of = sched_idle.runs_and_wakes(events)
    pool = sched_idle.worker_pools(runs, tgid_of, processes)
    end = sched_idle.burst_window(runs, pool)[1]
    idle = sched_idle.idle_spans(runs, (end - 5.0, end))
    waits = sorted(sched_idle.queued_waits(events, runs, pool), key=lambda w: w["t"])
    stalled = list(sched_idle.overlaps(idle, [(w["t"], w["next"][0]) for w in waits]))
    count, seconds = stalled_seconds(stalled, [kind_of(w) for w in waits])
    share = shares(seconds)
    parts = ["%s then a %s: %d (%.0f%%)" % (how, ran, count[(how, ran)],
                                            share.get((how, ran), 0.0))
             for how, ran in KINDS]
    print("%s: %s" % (path, "; ".join(parts)), file=out)
    workers = set(pool.values())
    takers = [taker_of(w, runs, tgid_of, pool, workers) for w in waits]
    share = shares(stalled_seconds(stalled, takers)[1])
    parts = ["%s then a %s %.0f%%" % (who, ran, pct)
             for (who, ran), pct in sorted(share.items(), key=lambda kv: -kv[1])]
    print("  preempted by: %s" % "; ".join(parts), file=out)
    held = displaced_holders(stalled, waits, takers, runs)
    parts = ["%s %d, after a median of %.2f ms" % (where, len(held[where]),
                                                   statistics.median(held[where]) * 1e3)
             for where in ("back on its CPU", "on another CPU") if held[where]]
    print("  displaced by the other worker's thread that ran on: %s" % "; ".join(parts),
          file=out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("records", nargs="+")
    args = p.parse_args(argv)
    for path in args.records:
        report(path, args.processes)


if __name__ == "__main__":
    main()
