#!/usr/bin/env python3
"""How long a worker's thread woken onto an idle CPU waits to run, by how long that CPU had
been idle, from `perf` records with `sched_switch` and `sched_waking` events (a `perf sched`
record, or a GIL record of ../gil-timeline-2026-12-05 or -06).

    python3 idle_age.py RECORD:WORKERS [RECORD:WORKERS ...] > idle_age.txt

A wake-up counts if the woken thread (a thread of one of the WORKERS busiest processes, as
`sched_idle.worker_pools` finds them) ran next on another CPU than its waker's and that CPU
stayed idle from the wake-up until it ran there: the wait is the CPU's exit from idle. By the
waker (a thread of the same worker, or any other) and by how long the CPU had idled.
Stdlib only.
"""
import bisect
import gzip
import os
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness"))
import sched_idle  # noqa: E402

BUCKETS_US = ((0, 50), (50, 200), (200, 1000), (1000, 4000), (4000, None))


class IdleSpans:
    """Each CPU's idle stretches, sorted, to ask what a CPU was doing at an instant."""

    def __init__(self, runs):
        self.spans = defaultdict(list)
        for s, e, c in runs.get(0, []):
            self.spans[c].append((s, e))
        for v in self.spans.values():
            v.sort()
        self.starts = {c: [s for s, _e in v] for c, v in self.spans.items()}

    def around(self, cpu, t):
        """(idle since, idle until) of `cpu`'s idle stretch holding `t`, or None."""
        i = bisect.bisect_right(self.starts.get(cpu, []), t) - 1
        if i < 0:
            return None
        s, e = self.spans[cpu][i]
        return (s, e) if s <= t < e else None


def waits_by_idle_age(lines, workers):
    """{(same worker?, bucket): [wait, s]} over the wake-ups of the module doc."""
    runs, wakes, tgid_of = sched_idle.runs_and_wakes(sched_idle.read_events(lines))
    pool = sched_idle.worker_pools(runs, tgid_of, workers)
    procs = set(pool.values())
    idle = IdleSpans(runs)
    out = defaultdict(list)
    for t, cpu, waker, wakee in wakes:
        if tgid_of.get(wakee) not in procs or waker in (0, wakee):
            continue
        nxt = sched_idle.run_after_wake(runs, wakee, t)
        if nxt is None or nxt[2] == cpu or nxt[0] - t > 5e-3:
            continue
        span = idle.around(nxt[2], t)
        if span is None or abs(span[1] - nxt[0]) > 2e-6:
            continue
        age_us = (t - span[0]) * 1e6
        bucket = next(b for b in BUCKETS_US if age_us >= b[0] and (b[1] is None or age_us < b[1]))
        out[(tgid_of.get(waker) == tgid_of.get(wakee), bucket)].append(nxt[0] - t)
    return out


def main(args):
    for arg in args:
        path, workers = arg.rsplit(":", 1)
        with gzip.open(path, "rt") as f:
            table = waits_by_idle_age(f.readlines(), int(workers))
        print(path)
        for same in (True, False):
            for b in BUCKETS_US:
                v = table.get((same, b), [])
                if not v:
                    continue
                hi = "more" if b[1] is None else "%d us" % b[1]
                print("  woken by %-22s CPU idle %4d us to %-7s n=%5d  wait median %4.0f us, mean %4.0f us"
                      % ("its own worker" if same else "another process or host", b[0], hi,
                         len(v), statistics.median(v) * 1e6, statistics.mean(v) * 1e6))


if __name__ == "__main__":
    main(sys.argv[1:])
