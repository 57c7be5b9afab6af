#!/usr/bin/env python3
"""How each pool-thread body start came about, in gil-timeline perf records.

    python3 body_starts.py [RECORD ...]   (default: the 2x6 and 2x3 rho70 records)

Reuses brief_holds.Record (queue-lock-2026-12-06), hence gil_timeline / gil_phases: same run
window (holds taken and dropped inside it), same take_gil__return caller offsets, same
sched_waking bookkeeping, same invocation counts.

Body start = a pool-thread hold > 1 ms whose take_gil__return caller is PyEval_RestoreThread
(a body's later pieces come back through the eval breaker). In both records their number in
the window equals the invocations recorded (278, 273).

Classes (prev = the thread's previous hold; "slept" = switched out in S/D between prev's
drop and this hold's take_gil entry, i.e. not counting sleeps inside take_gil):
 (a) lock-woken: slept, then taken. Waker = the last sched_waking of the thread after its
     last S/D switch-out and before its take_gil entry.
 (b) continuing: did not sleep, and prev is the previous body's last long hold (> 1 ms),
     or prev is a brief hold right after it (also with no sleep).
 (c) anything else.
Other sleeper at the start: another pool thread of the process that, at the body start's
take_gil return, holds no GIL, is not in take_gil, was switched out S/D after its last drop
and has had no sched_waking since. Hand-off seen: a sched_waking of another pool thread of
the process, by this thread, within 100 us after the take_gil return.
"""
import bisect
import os
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import brief_holds as bh  # noqa: E402

D = os.path.join(HERE, "..", "gil-timeline-2026-12-05") + "/"
RECORDS = [D + "m_poisson_cpu25_P2_T6_rho70/gil.txt.gz", D + "k_poisson_cpu25_P2_T3_rho70/gil.txt.gz"]
HANDOFF = 100e-6


def body_start_holds(R):
    """The pool threads' body starts in the run window, by time."""
    starts = [h for hs in R.by_tid.values() for h in hs
              if h.tid in R.pools[h.pid] and R.inwin(h) and h.length > bh.LONG
              and h.caller == "RestoreThread"]
    return sorted(starts, key=lambda h: h.taken)


def asleep_on_queue(R, o, t):
    hs = R.by_tid.get(o, [])
    k = bisect.bisect_right(R.starts.get(o, []), t) - 1   # last hold taken <= t
    if k >= 0 and hs[k].dropped >= t:
        return False                                     # holding
    if k + 1 < len(hs) and hs[k + 1].start <= t:
        return False                                     # in take_gil
    if k >= 0 and (hs[k].length > bh.LONG or hs[k].caller == "eval-breaker"):
        return False                                     # last hold a body piece: not in get
    d = hs[k].dropped if k >= 0 else t - 10
    s = R.last_sleep(o, d, t)
    return s is not None and not R.wakers(o, s, t - 1e-7)   # a wake at the take itself is its hand-off


def analyse(path, out):
    R = bh.Record(path)
    n_inv = R.invocations
    by_waker = defaultdict(list)   # waker -> [(t, wakee)]
    for wakee, v in R.woken.items():
        for t, w in v:
            by_waker[w].append((t, wakee))
    for v in by_waker.values():
        v.sort()
    starts = body_start_holds(R)
    cls, waker_c, sleeper, handoff = Counter(), Counter(), Counter(), Counter()
    gaps, detail, hdelay, rel, relp, waitb, fate = [], Counter(), [], [], [], [], Counter()
    for h in starts:
        prev = R.own(h, -1)
        if prev is None:
            cls["c"] += 1; detail["c: first hold"] += 1; continue
        s = R.last_sleep(h.tid, prev.dropped, h.start)
        if s is not None:
            cls["a"] += 1
            w = R.wakers(h.tid, s, h.start)
            role = R.role(h.pid, w[-1][1]) if w else "no wake seen"
            waker_c[role] += 1
            others = [o for o in R.pools[h.pid] if o != h.tid and asleep_on_queue(R, o, h.taken)]
            v = by_waker.get(h.tid, [])
            i = bisect.bisect_left(v, (h.taken, -1))
            seen = []
            while i < len(v) and v[i][0] <= h.taken + HANDOFF:
                if v[i][1] in R.pools[h.pid] and v[i][1] != h.tid:
                    seen.append(v[i])
                i += 1
            sleeper[bool(others)] += 1
            handoff[(bool(others), bool(seen))] += 1
            if seen:
                hdelay.append((seen[0][0] - h.taken) * 1e6)
                wk = seen[0][1]
                nx = [x for x in R.by_tid[wk] if x.taken > seen[0][0]][:1]
                fate["wakee's next hold: " + ("none" if not nx else "a body start" if
                     nx[0].length > bh.LONG and nx[0].caller == "RestoreThread" else
                     "%s (no item)" % bh.length_class(nx[0].length))] += 1
            if prev.length > bh.LONG or prev.caller == "eval-breaker":
                detail["a: prev a body piece (check)"] += 1
            detail["a: prev hold %s" % bh.length_class(prev.length)] += 1
            continue
        # (b): no sleep since prev's drop and prev is a piece of the previous body (a long
        # hold, or a tail after a forced drop); walk back over the tails to its last long hold.
        last_long, k = None, -1
        x = prev
        while x is not None and x.length <= bh.LONG and x.caller == "eval-breaker":
            k -= 1
            x = R.own(h, k)
        if x is not None and x.length > bh.LONG:
            last_long = x
        how = "b: straight from the last long hold's release" if last_long is prev else \
            "b: from a tail after a forced drop"
        if last_long is None:
            cls["c"] += 1
            detail["c: no sleep, prev %s/%s" % (bh.length_class(prev.length), prev.caller)] += 1
            continue
        rel.append((h.taken - prev.dropped) * 1e6)
        relp.append((h.start - prev.dropped) * 1e6)
        waitb.append((h.taken - h.start) * 1e6)
        cls["b"] += 1
        detail[how] += 1
        gaps.append((h.taken - last_long.dropped) * 1e6)

    pr = lambda *a: print(*a, file=out)
    pr("%s\n  window %.3f-%.3f (%.2f s); body starts %d; invocations %d" % (
        path, R.lo, R.hi, R.hi - R.lo, len(starts), n_inv))
    for k, name in (("a", "lock-woken"), ("b", "continuing"), ("c", "other")):
        pr("  (%s) %-11s %4d  %5.1f%% of starts  %.3f/inv" % (
            k, name, cls[k], 100. * cls[k] / len(starts), cls[k] / n_inv))
    for k, v in waker_c.most_common():
        pr("      (a) woken by %-12s %4d  %.3f/inv" % (k, v, v / n_inv))
    na = cls["a"]
    pr("      (a) another pool thread of the process asleep on the queue at the take: %d of %d"
       % (sleeper[True], na))
    pr("      (a) hand-off wake of another pool thread within 100 us: %d of %d "
       "(%d with a sleeper, %d without); delay us %s" % (
           handoff[(True, True)] + handoff[(False, True)], na, handoff[(True, True)],
           handoff[(False, True)], bh.q(hdelay)))
    pr("      (a) fate of the hand-off's wakee: %s" % dict(fate))
    pr("      (b) last long hold's drop -> new body's take us: %s" % bh.q(gaps))
    pr("      (b) body's final release (prev drop) -> take us: %s; of which drop -> take_gil "
       "entry %s, wait in take_gil %s" % (bh.q(rel), bh.q(relp), bh.q(waitb)))
    for k, v in sorted(detail.items()):
        pr("      detail %-50s %d" % (k, v))


if __name__ == "__main__":
    for p in sys.argv[1:] or RECORDS:
        analyse(p, sys.stdout)
