#!/usr/bin/env python3
"""Which waiting thread gets the GIL when a CPU-bound holder is forced to let it go: the
shares sim's `host.dispatch.handover_previous_holder` and `handover_longest_waiter` stand for.

    python3 handover_shares.py [--threads N ...] [--seconds S]

N threads in this one process burn CPU in pure Python for S seconds (so one core runs the
GIL's holder and the other is mostly idle, as in the ground truth's one-process cases). Each
notes, between chunks of about 10 us, when it finds that another thread ran last: that is a
hand-over to it. Over the sequence of holders it counts the hand-overs that went to the thread
that held the GIL before the one letting go ("previous holder") and to the thread that had
waited longest since its last hold ("longest waiter"), against what a uniform draw among the
N - 1 waiters gives. sim's policy (the previous holder with chance p, else the longest waiter
with chance q, else any waiter) gives them p + (1 - p - q) / (N - 1) and q + (1 - p - q) /
(N - 1). One JSON line per thread count. Stdlib only.
"""

import argparse
import json
import sys
import threading
import time


def burn(me, state, stop):
    x = 0
    seq = state["seq"]
    while not stop.is_set():
        for i in range(200):
            x += i
        if state["last"] != me:
            state["last"] = me
            seq.append(me)


def holders(n, seconds):
    """The sequence of GIL holders of `n` spinning threads over `seconds`."""
    state = {"last": None, "seq": []}
    stop = threading.Event()
    threads = [threading.Thread(target=burn, args=(i, state, stop)) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return state["seq"][n:]  # drop the start-up, while threads were still being created


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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[3, 5, 7])
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args(argv)
    print(json.dumps({"switch_interval_s": sys.getswitchinterval()}))
    for n in args.threads:
        total, prev, longest = shares(holders(n, args.seconds), n)
        print(json.dumps({
            "threads": n, "handovers": total,
            "previous_holder": round(prev / max(total, 1), 3),
            "longest_waiter": round(longest / max(total, 1), 3),
            "uniform": round(1 / (n - 1), 3),
        }), flush=True)


if __name__ == "__main__":
    main()
