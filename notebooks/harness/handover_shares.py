#!/usr/bin/env python3
"""Which waiting thread gets the GIL when a CPU-bound holder is forced to let it go, and how
long a holder keeps it: the shares sim's `host.dispatch.handover_previous_holder` and
`handover_longest_waiter` stand for, and the hold that the switch interval and the scheduler
make.

    python3 handover_shares.py [--threads N ...] [--seconds S] [--beside]

N threads in this one process burn CPU in pure Python for S seconds (so one core runs the
GIL's holder and the other is mostly idle, as in the ground truth's one-process cases). Each
notes, between chunks of about 10 us, when it finds that another thread ran last: that is a
hand-over to it. Over the sequence of holders it counts the hand-overs that went to the thread
that held the GIL before the one letting go ("previous holder") and to the thread that had
waited longest since its last hold ("longest waiter"), against what a uniform draw among the
N - 1 waiters gives. sim's policy (the previous holder with chance p, else the longest waiter
with chance q, else any waiter) gives them p + (1 - p - q) / (N - 1) and q + (1 - p - q) /
(N - 1). The time between hand-overs is a hold: its p10, median and p90 in ms.

With `--beside`, a second process runs the same N spinning threads at the same time, so that
every CPU is busy (as with two worker processes of CPU-bound threads on two cores); both
processes report. One JSON line per thread count (and process). Stdlib only.
"""

import argparse
import json
import multiprocessing
import sys
import threading
import time


def burn(me, state, stop):
    x = 0
    seq, times = state["seq"], state["times"]
    clock = time.perf_counter
    while not stop.is_set():
        for i in range(200):
            x += i
        if state["last"] != me:
            state["last"] = me
            seq.append(me)
            times.append(clock())


def holders(n, seconds):
    """The sequence of GIL holders of `n` spinning threads over `seconds`."""
    return timed_holders(n, seconds)[0]


def timed_holders(n, seconds):
    """The sequence of GIL holders of `n` spinning threads over `seconds`, and when each took
    the GIL (s, perf_counter)."""
    state = {"last": None, "seq": [], "times": []}
    stop = threading.Event()
    threads = [threading.Thread(target=burn, args=(i, state, stop)) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    # Drop the start-up, while threads were still being created.
    return state["seq"][n:], state["times"][n:]


def shares(seq, n):
    """(hand-overs, to the previous holder, to the longest waiter) over the sequence."""
    last_end = {}
    total = prev = longest = 0
    for k in range(2, len(seq)):
        giver, taker, before = seq[k - 1], seq[k], seq[k - 2]
        waiters = [t for t in range(n) if t != giver]
        if len(last_end) == n:
            total += 1
            prev += taker == before
            longest += taker == min(waiters, key=lambda t: last_end[t])
        last_end[giver] = k
    return total, prev, longest


def quantiles_ms(seconds):
    """(p10, median, p90) in ms of durations given in seconds; None if there are none."""
    v = sorted(x * 1e3 for x in seconds)
    if not v:
        return None
    return tuple(round(v[int(f * (len(v) - 1))], 2) for f in (0.1, 0.5, 0.9))


def holds_ms(times):
    """(p10, median, p90) of the times between successive takes, ms; None with fewer than
    two takes."""
    return quantiles_ms([b - a for a, b in zip(times, times[1:])])


def report(n, seconds):
    """One thread count's figures, as a dict."""
    seq, times = timed_holders(n, seconds)
    total, prev, longest = shares(seq, n)
    return {
        "threads": n, "handovers": total,
        "previous_holder": round(prev / max(total, 1), 3),
        "longest_waiter": round(longest / max(total, 1), 3),
        "uniform": round(1 / (n - 1), 3),
        "hold_ms_p10_p50_p90": holds_ms(times),
    }


def reports(n, seconds, beside):
    """This process's report, and with `beside` also that of a second process spinning the
    same threads at the same time."""
    if not beside:
        return [report(n, seconds)]
    with multiprocessing.Pool(1) as pool:
        other = pool.apply_async(report, (n, seconds))
        mine = report(n, seconds)
        return [dict(mine, process=0), dict(other.get(), process=1)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[3, 5, 7])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--beside", action="store_true",
                    help="run a second process of the same spinning threads at the same time")
    args = ap.parse_args(argv)
    print(json.dumps({"switch_interval_s": sys.getswitchinterval(), "beside": args.beside}))
    for n in args.threads:
        for r in reports(n, args.seconds, args.beside):
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
