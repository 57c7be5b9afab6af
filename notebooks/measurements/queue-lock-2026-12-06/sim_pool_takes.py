#!/usr/bin/env python3
"""How sim's pool threads come to each body, from a run's thread_states.csv: the machine's
side is `body_starts.py`.

    python3 sim_pool_takes.py OUT   (OUT: a `sim run` output folder with thread_states.csv)

A body start is a pool thread's first `python` row of an invocation. Walking back over that
thread's adjoining rows of the same invocation and of no invocation (waiting for the GIL with
no job yet), it is "continuing" if the walk reaches its previous body's last row with no gap
(it went from one body to the next without sleeping), and "lock-woken" if the walk stops at a
gap (it slept on the work queue). Per invocation, as `summary.json` counts them.
"""
import collections
import csv
import json
import os
import sys


def adjoins(before, after):
    """Whether row `after` starts where row `before` ends: no sleep between them."""
    return float(after["start_ms"]) - float(before["end_ms"]) <= 1e-6


def pool_threads(rows):
    """Each pool thread's rows, in time order."""
    by = collections.defaultdict(list)
    for r in rows:
        if r["thread"].startswith("pool"):
            by[(r["process"], r["thread"])].append(r)
    for rs in by.values():
        rs.sort(key=lambda r: float(r["start_ms"]))
    return by.values()


def body_starts(rows):
    """(lock-woken, continuing) counts over the pool threads' rows."""
    woken = continuing = 0
    for rs in pool_threads(rows):
        seen = set()
        for i, r in enumerate(rs):
            inv = r["invocation"]
            if r["state"] != "python" or not inv or inv in seen:
                continue
            seen.add(inv)
            j = i - 1
            while j >= 0 and rs[j]["invocation"] in (inv, "") and adjoins(rs[j], rs[j + 1]):
                j -= 1
            if j >= 0 and adjoins(rs[j], rs[j + 1]):
                continuing += 1
            else:
                woken += 1
    return woken, continuing


def woken_with_nothing(rows):
    """Pool threads' waits for the GIL of no invocation that neither follow a body's end nor
    lead to a body: a thread woken on the queue that found nothing (its hold is not written)."""
    count = 0
    for rs in pool_threads(rows):
        for i, r in enumerate(rs):
            if r["state"] != "gil_wait" or r["invocation"]:
                continue
            leads_on = i + 1 < len(rs) and adjoins(r, rs[i + 1])
            follows = i > 0 and adjoins(rs[i - 1], r)
            count += not leads_on and not follows
    return count


def main(out):
    rows = list(csv.DictReader(open(os.path.join(out, "thread_states.csv"))))
    n = json.load(open(os.path.join(out, "summary.json")))["invocations"]["succeeded"]
    woken, continuing = body_starts(rows)
    print("%s: %d invocations; body starts lock-woken %.2f per invocation, continuing %.2f; "
          "woken with nothing to do %.2f"
          % (out, n, woken / n, continuing / n, woken_with_nothing(rows) / n))


if __name__ == "__main__":
    main(sys.argv[1])
