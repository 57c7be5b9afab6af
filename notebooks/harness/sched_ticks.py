#!/usr/bin/env python3
"""How often the scheduler tick moves a waiting pool thread to an idle CPU, hot or cold.

    python3 sched_ticks.py sched.txt.gz [--last SECONDS] [--processes 2] [--tick-ms 4]
                           [--by-waiting]

reads the same `perf script` text as `sched_idle.py` (a `perf sched record` of one case).
While a CPU idles and a pool thread waits on the other, busy CPU (queued behind another
thread), the idle CPU can take it only when it balances, at a scheduler tick. At each tick
inside such an idle stretch this counts whether the thread that has waited there since
longest ago (by its last run) was cache-hot (it ran less than the migration cost, 0.5 ms,
before the tick: Linux's `task_hot`) or cold, and whether the idle CPU then pulled a waiting
thread (one started on it within 0.3 ms of the tick, ending the idle stretch). The ticks fall
at a fixed phase of every 4 ms (CONFIG_HZ=250), read from the pulls themselves: the median
phase of idle stretches ended by a thread that was queued before the stretch began.

sim's tick balance (`src/model/cpu/run_queues/settle.rs`) sets one chance per tick for a hot
waiting thread and one for a cold one; this gives the machine's. Stdlib only.
"""

import argparse
import collections
import math
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sched_idle  # noqa: E402  (its parser, pools, waits and burst window)

MIGRATION_COST_S = 0.0005
PULL_WITHIN_S = 0.0003
SAME_INSTANT_S = 1e-7


def pulled_at_end(span, queued):
    """Whether the idle stretch `span` ended with one of the waits `queued` running on its
    CPU: the idle CPU pulled it."""
    _a, b, cpu = span
    return any(abs(ran - b) < SAME_INSTANT_S and on == cpu for _q, ran, on, _l in queued)


def tick_phase(spans, all_waits, tick_s):
    """The ticks' phase within `tick_s`: the median of the ends of idle stretches that pulled
    a thread queued before the stretch began (None if none did)."""
    phases = [b % tick_s for a, b, c in spans
              if pulled_at_end((a, b, c), [w for w in all_waits if w[0] < a < w[1]])]
    return statistics.median(phases) if phases else None


def waiting_label(queued):
    """How many pool threads wait at a tick: "1", "2" or "3+"."""
    return str(len(queued)) if len(queued) < 3 else "3+"


def tick_outcomes(spans, all_waits, phase, tick_s):
    """Counter of (hot or cold, how many wait, pulled) over the ticks inside idle stretches at
    which some pool thread waited (on a busy CPU: one waiting where a CPU idles would run),
    hot or cold by the thread that has waited since longest ago; a stretch's ticks stop at its
    pull."""
    outcomes = collections.Counter()
    for a, b, cpu in spans:
        tick = phase + math.ceil((a - phase) / tick_s) * tick_s
        while tick <= b:
            queued = [w for w in all_waits if w[0] < tick <= w[1]]
            if queued:
                oldest = min(queued, key=lambda w: w[3])
                hot = "hot" if tick - oldest[3] < MIGRATION_COST_S else "cold"
                pulled = b - tick < PULL_WITHIN_S and pulled_at_end((a, b, cpu), queued)
                outcomes[(hot, waiting_label(queued), pulled)] += 1
                if pulled:
                    break
            tick += tick_s
    return outcomes


def report(lines, out=sys.stdout, last_s=None, tick_s=0.004, processes=2, by_waiting=False):
    events = sched_idle.read_events(lines)
    runs, _wakes, tgid_of = sched_idle.runs_and_wakes(events)
    pool = sched_idle.worker_pools(runs, tgid_of, processes)
    if not pool:
        print("no worker pool threads found", file=out)
        return 1
    window = sched_idle.burst_window(runs, pool)
    if last_s is not None:
        window = (window[1] - last_s, window[1])
    spans = sched_idle.idle_spans_on_cpus(runs, window)
    all_waits = sched_idle.waits(events, runs, pool)
    phase = tick_phase(spans, all_waits, tick_s)
    if phase is None:
        print("no idle CPU pulled a waiting thread: the ticks' phase is unknown", file=out)
        return 1
    outcomes = tick_outcomes(spans, all_waits, phase, tick_s)
    print("ticks at %.2f ms past each %g ms" % (phase * 1e3, tick_s * 1e3), file=out)
    for hot in ("hot", "cold"):
        print_pulls("%-4s waiting thread:" % hot, outcomes, lambda k, h=hot: k[0] == h, out)
    if by_waiting:
        for hot in ("hot", "cold"):
            for many in ("1", "2", "3+"):
                print_pulls("  oldest %-4s with %-2s waiting:" % (hot, many), outcomes,
                            lambda k, h=hot, m=many: k[:2] == (h, m), out, skip_empty=True)
    return 0


def print_pulls(label, outcomes, chosen, out, skip_empty=False):
    """One line: at how many of the ticks whose key is `chosen` the idle CPU pulled (none if
    there were no such ticks and `skip_empty`)."""
    pulled = sum(n for key, n in outcomes.items() if chosen(key) and key[2])
    of = sum(n for key, n in outcomes.items() if chosen(key))
    if of or not skip_empty:
        share = pulled / of if of else 0.0
        print("  %s pulled at %d of %d ticks (%.2f)" % (label, pulled, of, share), file=out)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sched_idle.add_trace_arguments(p)
    p.add_argument("--tick-ms", type=float, default=4.0, help="the scheduler tick (4 ms: HZ 250)")
    p.add_argument("--by-waiting", action="store_true",
                   help="also split the ticks by how many pool threads wait (1, 2, 3 or more)")
    args = p.parse_args(argv)
    with sched_idle.open_trace(args.trace) as lines:
        return report(lines, last_s=args.last, tick_s=args.tick_ms / 1e3,
                      processes=args.processes, by_waiting=args.by_waiting)


if __name__ == "__main__":
    sys.exit(main())
