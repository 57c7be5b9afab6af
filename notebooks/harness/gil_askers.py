#!/usr/bin/env python3
"""When the GIL waiter that asks for a hand-over gets a CPU to ask, in a `perf sched` record of
processes of spinning threads (`handover_shares.py`, one thread count).

    perf sched record -a -o perf.data -- python3 handover_shares.py --threads 3 --seconds 3 \\
        --beside
    perf script -i perf.data -F comm,pid,tid,cpu,time,event,trace | gzip > sched.txt.gz
    python3 gil_askers.py sched.txt.gz [--processes 2]

CPython's waiter sets the drop request only once its timed wait has run out *and* it runs: with
every CPU busy it first waits for a CPU. The record gives, per process, the GIL's holders (a
spinning thread's run of 0.3 ms or more; a hand-over is the next such run by another thread of
the process), the hold between hand-overs, and for each hand-over its asker: the thread of the
process other than the old holder whose brief run (under 0.3 ms) ended last before the old
holder stopped, at most 0.2 ms before. Of the askers it reports how long each waited from its
wake-up to its run, when it woke and ran after the previous hand-over, whether it ran on the
old holder's CPU or on the other process's, and the CPU time idle while it waited; of the
hand-overs, whether the new holder ran on the old holder's CPU and how long the old holder,
forced off, waited from the new holder's first run to its own next run (after which it starts
the timed wait that makes it the next asker); of the whole record, the CPUs' idle share.
Stdlib only.
"""

import argparse
import bisect
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sched_idle  # noqa: E402  (its event reader and run builder)
from handover_shares import quantiles_ms  # noqa: E402

HOLD_MIN_S = 0.0003
ASK_BEFORE_DROP_S = 0.0002
TRIM_S = 0.1


def window(runs, pool):
    """(start, end) in which every spinning thread was running: from the last thread's first
    run to the first thread's last run, less TRIM_S at each end."""
    first = max(runs[t][0][0] for t in pool)
    last = min(runs[t][-1][1] for t in pool)
    return first + TRIM_S, last - TRIM_S


def process_runs(runs, pool, process, span):
    """The runs (start, end, cpu, tid) of `process`'s spinning threads inside `span`, in time
    order."""
    lo, hi = span
    out = [(s, e, c, t) for t, p in pool.items() if p == process
           for s, e, c in runs[t] if lo <= s and e <= hi]
    return sorted(out)


def handovers(pruns):
    """Each hand-over of a process's runs as (old holder's last run, new holder's run): two
    successive holds (runs of HOLD_MIN_S or more) by different threads."""
    holds = [r for r in pruns if r[1] - r[0] >= HOLD_MIN_S]
    out, prev = [], None
    for r in holds:
        if prev is not None and r[3] != prev[3]:
            out.append((last_before(pruns, prev[3], r[0]), r))
        prev = r
    return out


def last_before(pruns, tid, t):
    """`tid`'s last run in `pruns` starting before `t`."""
    return [r for r in pruns if r[3] == tid and r[0] < t][-1]


def asker_of(pruns, old, new_start):
    """The brief run of a thread other than the old holder that ended last before the old
    holder's run `old` ended, at most ASK_BEFORE_DROP_S before, and began before the new
    holder's run (at `new_start`); None if there is none."""
    drop = old[1]
    brief = [r for r in pruns if r[1] - r[0] < HOLD_MIN_S and r[3] != old[3]
             and drop - ASK_BEFORE_DROP_S <= r[1] <= drop and r[0] < new_start]
    return brief[-1] if brief else None


def woke_at(wakes_of, tid, t):
    """When `tid` was last woken before `t` (None if never)."""
    times = wakes_of.get(tid, [])
    i = bisect.bisect_right(times, t) - 1
    return times[i] if i >= 0 else None


def idle_between(idle, a, b):
    """CPU seconds idle (summed over CPUs) between `a` and `b`."""
    return sum(max(0.0, min(e, b) - max(s, a)) for s, e, _c in idle)


def rejoin_wait(pruns, old, new):
    """How long the old holder, forced off, waited from the new holder's first run to its own
    next run (where it starts its timed wait for the GIL), or None."""
    later = [r for r in pruns if r[3] == old[3] and r[0] >= new[0]]
    return later[0][0] - new[0] if later else None


def analyse(lines, processes=2):
    """The summary dict of one record."""
    events = sched_idle.read_events(lines)
    runs, wakes, tgid_of = sched_idle.runs_and_wakes(events)
    pool = sched_idle.worker_pools(runs, tgid_of, processes)
    span = window(runs, pool)
    idle = sched_idle.idle_spans_on_cpus(runs, span)
    wakes_of = {}
    for t, _cpu, _waker, wakee in wakes:
        wakes_of.setdefault(wakee, []).append(t)
    cpus = len({c for iv in runs.values() for _s, _e, c in iv})
    out = {"cpus": cpus, "seconds": round(span[1] - span[0], 3),
           "cpu_idle_share": round(idle_between(idle, *span) / (cpus * (span[1] - span[0])), 4),
           "processes": []}
    for p in sorted(set(pool.values())):
        out["processes"].append(process_summary(runs, pool, p, span, wakes_of, idle))
    return out


def process_summary(runs, pool, p, span, wakes_of, idle):
    """One process's hand-overs, holds and askers, as a dict."""
    pruns = process_runs(runs, pool, p, span)
    hos = handovers(pruns)
    starts = [new[0] for _old, new in hos]
    holds = [b - a for a, b in zip(starts, starts[1:])]
    rejoins = [w for w in (rejoin_wait(pruns, o, n) for o, n in hos) if w is not None]
    waits, woke_after, ran_after, idle_waiting, on_own = [], [], [], 0.0, 0
    for k in range(1, len(hos)):
        old, new = hos[k]
        ask = asker_of(pruns, old, new[0])
        w = woke_at(wakes_of, ask[3], ask[0]) if ask else None
        if w is None or w < starts[k - 1]:
            continue
        waits.append(ask[0] - w)
        woke_after.append(w - starts[k - 1])
        ran_after.append(ask[0] - starts[k - 1])
        idle_waiting += idle_between(idle, w, ask[0])
        on_own += ask[2] == old[2]
    n = len(waits)
    same_cpu = sum(new[2] == old[2] for old, new in hos)
    return {
        "process": p, "threads": sum(1 for q in pool.values() if q == p),
        "handovers": len(hos), "hold_ms_p10_p50_p90": quantiles_ms(holds),
        "new_holder_on_old_holders_cpu": round(same_cpu / max(len(hos), 1), 3),
        "forced_off_waits_ms_p10_p50_p90": quantiles_ms(rejoins),
        "askers_found": n,
        "asker_wait_ms_p10_p50_p90": quantiles_ms(waits),
        "asker_woke_after_handover_ms": quantiles_ms(woke_after),
        "asker_ran_after_handover_ms": quantiles_ms(ran_after),
        "asker_on_old_holders_cpu": round(on_own / max(n, 1), 3),
        "cpu_idle_ms_per_asker_wait": round(idle_waiting * 1e3 / max(n, 1), 4),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("record", help="perf script text (.gz or plain)")
    ap.add_argument("--processes", type=int, default=2)
    args = ap.parse_args(argv)
    opener = gzip.open if args.record.endswith(".gz") else open
    with opener(args.record, "rt") as f:
        print(json.dumps(analyse(f, args.processes), indent=1))


if __name__ == "__main__":
    main()
