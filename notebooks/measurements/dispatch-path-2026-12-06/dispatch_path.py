#!/usr/bin/env python3
"""Dispatch path per invocation, request arrival -> body start, in the gil-timeline records.

    python3 dispatch_path.py [RECORD ...] > dispatch_path.txt
        (default: the 2 x 6 and 2 x 3 rho 0.7 records of ../gil-timeline-2026-12-05)

Stdlib only; imports (read-only) brief_holds / body_starts from
notebooks/measurements/queue-lock-2026-12-06, hence gil_timeline / gil_phases: same parser,
run window, holds (take_gil entry / return / drop_gil), take_gil__return callers, body starts
(pool hold > 1 ms returning to PyEval_RestoreThread), sched_waking bookkeeping.

Matching (per invocation, from the harness's invocations/*.csv):
  * clock offset record - perf_counter: median over a worker of (body-start take_gil return
    - start_ms), workers' rows paired with worker pids by the offset's spread; each CSV row's
    body start = the body-start hold of that pid nearest start_ms + offset.
  * receiver = the rx/tx thread of the worker most woken by a thread of a non-worker process
    (the host); H = its first such wake in [arrival - 0.5 ms, next arrival to that worker);
    none -> "receiver already awake" (read the request without sleeping).
  * hop 1-2: receiver's first take_gil after H (entry, return).
  * hop 3: that return -> receiver's first wake of main while main is not inside take_gil
    (the self-pipe write), before the receiver's next host wake; none -> "main already awake".
  * hop 4-5: main's first take_gil after that wake (entry, return).
  * P = the wake of the body-start pool thread (last wake after its last S/D switch-out before
    its take_gil entry, as body_starts.py class (a)); no such sleep -> "continuing" (the
    thread took the item without sleeping). Hop 6 = main's take return -> P (if P's waker is
    main and P comes after that return); hop 7 = P -> body start.
Whole path = H -> body start.
"""
import bisect
import csv
import glob
import os
import statistics
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "queue-lock-2026-12-06"))
import brief_holds as bh  # noqa: E402
import body_starts as bs  # noqa: E402

D = os.path.join(HERE, "..", "gil-timeline-2026-12-05", "")
RECORDS = [D + "m_poisson_cpu25_P2_T6_rho70/gil.txt.gz", D + "k_poisson_cpu25_P2_T3_rho70/gil.txt.gz"]
SWITCH_INTERVAL_LIKE = 4e-3
LONG_WAIT = 1e-3


def qs(v):
    """n, mean, p50 and p90 of seconds `v`, in ms, as one string."""
    v = sorted(v)
    if not v:
        return "n=0"
    at = lambda p: v[min(len(v) - 1, int(p * len(v)))]
    return "n=%3d mean %6.3f p50 %6.3f p90 %6.3f" % (len(v), statistics.mean(v) * 1e3,
                                                      at(.5) * 1e3, at(.9) * 1e3)


class Path:
    """One record read: its holds, switches, wake-ups and body starts, with the harness's
    invocations aligned to them."""

    def __init__(self, path):
        R = self.R = bh.Record(path)
        self.workers = set(R.pools)
        rows = []
        for f in glob.glob(os.path.join(os.path.dirname(path), "invocations", "*.csv")):
            with open(f) as fh:
                rows += list(csv.DictReader(fh))
        self.rows = rows
        self.starts = bs.body_start_holds(R)
        # roles per tid
        self.receiver, self.sender = {}, {}
        for pid in R.pools:
            cand = Counter()
            for t, p in R.tgid.items():
                if p != pid or R.role(pid, t) != "rx/tx":
                    continue
                cand[t] = sum(1 for tw, w in R.woken.get(t, []) if self.is_host(w))
            self.receiver[pid] = cand.most_common(1)[0][0]
        # non-GIL wakes of main by the receiver (self-pipe), per pid
        self.hwake = {}   # receiver host wakes, sorted times
        self.mwake = {}   # self-pipe wakes of main by receiver
        for pid, rx in self.receiver.items():
            self.hwake[pid] = [tw for tw, w in R.woken.get(rx, []) if self.is_host(w)]
            self.mwake[pid] = [tw for tw, w in R.woken.get(pid, [])
                               if w == rx and not R.in_take_gil(pid, tw)]
        self.switches = defaultdict(list)   # tid -> [(t, 1 in / 0 out)]
        for t, _p, _tid, _c, kind, ev in R.events:
            if kind == "sched_switch":
                self.switches[int(ev["prev"]["prev_pid"])].append((t, 0))
                self.switches[int(ev["next"]["next_pid"])].append((t, 1))
        self.align()

    def running_at(self, tid, t):
        """{tid} if `tid`'s last switch before t put it on a CPU (or it emitted no switch)."""
        v = self.switches.get(tid, [])
        k = bisect.bisect_right(v, (t, 2)) - 1
        return {tid} if k < 0 or v[k][1] == 1 else set()

    def is_host(self, w):
        """Whether thread `w` belongs to a process other than the workers (the host)."""
        p = self.R.tgid.get(w)
        return bool(w) and p not in self.workers and p not in (None, 0)

    def align(self):
        """Pairs each harness worker with a worker process and finds the clock offset from
        the body starts (see the module doc)."""
        R = self.R
        by_pid = defaultdict(list)
        for h in self.starts:
            by_pid[h.pid].append(h)
        best = {}
        for wi in sorted({r["worker"] for r in self.rows}):
            cs = sorted(float(r["start_ms"]) / 1e3 for r in self.rows if r["worker"] == wi)
            for pid, hs in by_pid.items():
                st = sorted(h.taken for h in hs)
                if len(st) != len(cs):
                    continue
                d = [a - b for a, b in zip(st, cs)]
                med = statistics.median(d)
                spread = max(abs(x - med) for x in d)
                if wi not in best or spread < best[wi][2]:
                    best[wi] = (pid, med, spread)
        self.wpid = {wi: v[0] for wi, v in best.items()}
        self.offset = statistics.median(v[1] for v in best.values())
        self.align_spread = max(v[2] for v in best.values())
        self.start_of = {}
        for pid, hs in by_pid.items():
            hs.sort(key=lambda h: h.taken)
            by_pid[pid] = hs
        self.body_by_pid = by_pid

    # --- helpers
    def first_hold_after(self, tid, t):
        """The first hold of `tid` whose take_gil entry (or return) is at or after t."""
        R = self.R
        hs = R.by_tid.get(tid, [])
        k = bisect.bisect_left(R.starts.get(tid, []), t)
        while k < len(hs) and hs[k].start < t:
            k += 1
        return hs[k] if k < len(hs) else None

    def holder_role(self, pid, t):
        """The role holding `pid`'s GIL at `t`, or "free"."""
        R = self.R
        hs = R.by_pid[pid]
        taken = [h.taken for h in hs]
        k = bisect.bisect_right(taken, t) - 1
        if k >= 0 and hs[k].dropped > t:
            return self.role(pid, hs[k].tid)
        return "free"

    def role(self, pid, tid):
        """`gil_timeline`'s role of `tid`, with the receiver told apart from the sender."""
        if tid == self.receiver.get(pid):
            return "receiver"
        r = self.R.role(pid, tid)
        return "sender/other" if r == "rx/tx" else r

    def main_holder_during(self, pid, a, b):
        """The role that held the GIL longest in [a, b] (other than main)."""
        R = self.R
        acc = Counter()
        for h in R.by_pid[pid]:
            if h.dropped <= a or h.taken >= b or h.tid == pid:
                continue
            acc[self.role(pid, h.tid)] += min(b, h.dropped) - max(a, h.taken)
        return acc.most_common(1)[0][0] if acc else "none"

    def next_taker_after(self, pid, t, exclude=None):
        """The role of the first thread to take `pid`'s GIL after `t`, and how long after."""
        R = self.R
        hs = R.by_pid[pid]
        taken = [h.taken for h in hs]
        k = bisect.bisect_left(taken, t)
        if k >= len(hs):
            return "none", None
        return self.role(pid, hs[k].tid), hs[k].taken - t

    # --- per invocation
    def invocations(self):
        """One dict per harness invocation: its hops (module doc) and its path category."""
        R = self.R
        out = []
        arr = defaultdict(list)
        for r in self.rows:
            arr[r["worker"]].append(float(r["arrival_ms"]) / 1e3 + self.offset)
        for v in arr.values():
            v.sort()
        for r in self.rows:
            wi, pid = r["worker"], self.wpid[r["worker"]]
            rx = self.receiver[pid]
            A = float(r["arrival_ms"]) / 1e3 + self.offset
            S = float(r["start_ms"]) / 1e3 + self.offset
            nxt_a = [a for a in arr[wi] if a > A][:1]
            nxt_a = nxt_a[0] if nxt_a else A + 10
            x = {"pid": pid, "A": A, "S": S, "csv_queue": S - A}
            # body start hold
            hs = self.body_by_pid[pid]
            b = min(hs, key=lambda h: abs(h.taken - S))
            x["B"] = b.taken
            x["b_err"] = b.taken - S
            x["pool"] = b.tid
            # receiver host wake
            hw = self.hwake[pid]
            k = bisect.bisect_left(hw, A - 0.5e-3)
            H = hw[k] if k < len(hw) and hw[k] < nxt_a else None
            x["H"] = H
            x["H_minus_A"] = None if H is None else H - A
            if H is not None:
                h1 = self.first_hold_after(rx, H)
                x["rx_entry"], x["rx_taken"] = h1.start, h1.taken
                x["rx_hold"] = h1
                x["hop1"] = h1.start - H
                x["hop2"] = h1.taken - h1.start
                x["rx_wait_holder"] = self.holder_role(pid, h1.start)
                nh = hw[k + 1] if k + 1 < len(hw) else H + 10
                mw = self.mwake[pid]
                j = bisect.bisect_left(mw, h1.taken)
                M = mw[j] if j < len(mw) and mw[j] < nh else None
                x["M"] = M
                x["rx_caller"] = h1.caller
                if M is None:
                    t0 = h1.taken
                    st = ("main in take_gil" if R.in_take_gil(pid, t0) else
                          "main holding the GIL" if R.hold_at(pid, t0) else
                          "main released, running" if pid in self.running_at(pid, t0) else
                          "main released, off-CPU/asleep?")
                    x["main_state_noM"] = st
                if M is not None:
                    x["hop3"] = M - h1.taken
                    # receiver's extra take_gil waits in hop 3
                    extra = [h for h in R.by_tid[rx] if h1.taken < h.taken <= M]
                    x["rx_extra_wait"] = sum(h.taken - h.start for h in extra)
                    x["rx_extra_n"] = len(extra)
                    # the receiver's drop before its self-pipe write, and the next taker
                    prevs = [h for h in R.by_tid[rx] if h.dropped <= M]
                    if prevs:
                        d = prevs[-1].dropped
                        x["after_rx_drop"], x["after_rx_drop_gap"] = self.next_taker_after(pid, d)
                        if x["after_rx_drop"] == "receiver":
                            pass
                    hs_p = R.by_pid[pid]
                    k2 = bisect.bisect_left([h.taken for h in hs_p], M)
                    while k2 < len(hs_p) and hs_p[k2].tid == rx:
                        k2 += 1
                    if k2 < len(hs_p):
                        x["after_rx_final"] = self.role(pid, hs_p[k2].tid)
                        x["after_rx_final_gap"] = hs_p[k2].taken - hs_p[k2 - 1].dropped
                        x["after_rx_final_prev_rx"] = hs_p[k2 - 1].tid == rx
                    mh = self.first_hold_after(pid, M)
                    x["main_hold"] = mh
                    x["hop4"] = mh.start - M
                    x["hop5"] = mh.taken - mh.start
                    x["main_wait_holder_at_entry"] = self.holder_role(pid, mh.start)
                    x["main_wait_holder_most"] = self.main_holder_during(pid, mh.start, mh.taken)
            # pool wake of the body-start thread
            prev = R.own(b, -1)
            s = R.last_sleep(b.tid, prev.dropped, b.start) if prev else None
            if s is None:
                x["pool_kind"] = "continuing (no sleep)"
            else:
                w = R.wakers(b.tid, s, b.start)
                if not w:
                    x["pool_kind"] = "slept, no wake seen"
                else:
                    P, waker = w[-1]
                    x["P"], x["P_waker"] = P, self.role(pid, waker)
                    x["pool_kind"] = "woken by " + x["P_waker"]
                    x["hop7"] = b.taken - P
                    x["pool_hop1"] = b.start - P   # woken -> take_gil entry
                    x["pool_wait"] = b.taken - b.start
            if x.get("main_hold") is not None and x.get("P") is not None and \
                    x["P_waker"] == "main" and x["P"] >= x["main_hold"].taken:
                x["hop6"] = x["P"] - x["main_hold"].taken
                # main's take_gil entries between its wake and the pool wake
                mt = [h for h in R.by_tid[pid] if x["M"] <= h.start and h.taken <= x["P"]]
                x["main_takes"] = len(mt)
                x["main_long_waits"] = sum(1 for h in mt if h.taken - h.start >= LONG_WAIT)
                x["main_wait_sum"] = sum(h.taken - h.start for h in mt)
                x["hop6_wait"] = sum(h.taken - h.start for h in mt[1:])
            if H is not None:
                x["whole"] = b.taken - H
                mt = [h for h in R.by_tid[pid] if h.entry is not None and H <= h.entry and
                      h.taken <= b.taken]
                x["main_long_HB"] = sum(1 for h in mt if h.taken - h.entry >= LONG_WAIT)
            else:
                hs_r = R.by_tid[rx]
                k3 = bisect.bisect_right([h.start for h in hs_r], A) - 1
                st = "?"
                if k3 >= 0:
                    h = hs_r[k3]
                    st = ("rx waiting in take_gil" if h.taken > A else
                          "rx holding the GIL" if h.dropped > A else "rx released (not asleep in read)")
                x["rx_state_at_A"] = st
            x["cat"] = ("no rx host wake (read without sleeping)" if H is None else
                        "no self-pipe wake of main (main awake)" if x.get("M") is None else
                        "body start without a sleep (continuing)" if x["pool_kind"].startswith("cont") else
                        "body-start thread woken by a pool thread" if x["pool_kind"] == "woken by pool" else
                        "complete chain" if "hop6" in x else "main wake after/unordered (hop 6 undefined)")
            out.append(x)
        out.sort(key=lambda x: x["A"])
        return out


def report(path, out):
    """Prints one record's tables to `out`."""
    p = Path(path)
    R = p.R
    inv = p.invocations()
    pr = lambda *a: print(*a, file=out)
    pr("=" * 96)
    pr(os.path.relpath(path))
    pr("window %.3f-%.3f; invocations %d; body starts %d; workers %s; receiver %s" % (
        R.lo, R.hi, len(inv), len(p.starts), p.wpid, p.receiver))
    pr("clock offset (record - perf_counter-from-t0) %.6f s, worst body-start misfit %.0f us; "
       "body start vs CSV start: %s" % (p.offset, p.align_spread * 1e6,
                                        qs([abs(x["b_err"]) for x in inv])))
    pr("distinct body-start holds matched: %d of %d" % (
        len({(x["pool"], x["B"]) for x in inv}), len(inv)))
    hA = [x["H_minus_A"] for x in inv if x["H"] is not None]
    pr("receiver host wake found: %d of %d (else read without sleeping); host wake - scheduled "
       "arrival ms: %s" % (len(hA), len(inv), qs(hA)))
    pr("CSV start - arrival (all): %s" % qs([x["csv_queue"] for x in inv]))
    pr("whole path H -> body start (with H): %s" % qs([x["whole"] for x in inv if "whole" in x]))
    pr("main self-pipe wake found: %d of %d with H (else main already awake when written)" % (
        sum(1 for x in inv if x.get("M") is not None), len(hA)))
    pr("body-start thread: %s" % dict(Counter(x["pool_kind"] for x in inv)))
    pr("hop 6 defined (P by main, after main's take): %d" % sum(1 for x in inv if "hop6" in x))
    pr("by path category: CSV start-arrival (ms) | H -> body start (ms)")
    for c, n in Counter(x["cat"] for x in inv).most_common():
        v = [x for x in inv if x["cat"] == c]
        pr("  %-45s n=%3d  csv: %s | H->B: %s" % (c, n, qs([x["csv_queue"] for x in v]),
                                                  qs([x["whole"] for x in v if "whole" in x])))
    pr("  no-M invocations, main at the receiver's take return: %s" % dict(Counter(
        x["main_state_noM"] for x in inv if "main_state_noM" in x)))
    pr("  receiver's first take after H returns to: %s" % dict(Counter(
        x["rx_caller"] for x in inv if "rx_caller" in x)))
    pr("  no-H invocations, receiver at arrival: %s" % dict(Counter(
        x["rx_state_at_A"] for x in inv if x["H"] is None)))
    pr("")
    pr("hops (ms), over the invocations where the hop is defined:")
    names = [("hop1", "1 rx woken by host -> rx take_gil entry"),
             ("hop2", "2 rx wait in take_gil"),
             ("hop3", "3 rx take return -> rx wakes main (self-pipe)"),
             ("rx_extra_wait", "  3a of which rx's further take_gil waits"),
             ("hop4", "4 main woken -> main take_gil entry"),
             ("hop5", "5 main wait in take_gil"),
             ("hop6", "6 main take return -> main wakes pool thread"),
             ("hop6_wait", "  6a of which main's further take_gil waits"),
             ("hop7", "7 pool woken -> take_gil return (body start)"),
             ("pool_hop1", "  7a pool woken -> take_gil entry"),
             ("pool_wait", "  7b pool wait in take_gil"),
             ("whole", "H -> body start (all with H)")]
    for k, label in names:
        pr("  %-50s %s" % (label, qs([x[k] for x in inv if x.get(k) is not None])))
    full = [x for x in inv if all(k in x for k in ("hop1", "hop2", "hop3", "hop4", "hop5",
                                                   "hop6", "hop7"))]
    pr("complete chains (all 7 hops): %d of %d" % (len(full), len(inv)))
    for k, label in names:
        pr("  %-50s %s" % (label, qs([x[k] for x in full if x.get(k) is not None])))
    pr("  %-50s %s" % ("sum of hops 1-7", qs([sum(x["hop%d" % i] for i in range(1, 8))
                                              for x in full])))
    pr("  %-50s %s" % ("gap: P -> ... check (whole - sum)", qs(
        [x["whole"] - sum(x["hop%d" % i] for i in range(1, 8)) for x in full])))
    pr("")
    rw = [x for x in inv if "hop2" in x]
    mw = [x for x in inv if "hop5" in x]
    pr("rx wait >= 4 ms: %d of %d (%.1f%%); holder at rx's entry when >=4 ms: %s" % (
        sum(1 for x in rw if x["hop2"] >= SWITCH_INTERVAL_LIKE), len(rw),
        100. * sum(1 for x in rw if x["hop2"] >= SWITCH_INTERVAL_LIKE) / len(rw),
        dict(Counter(x["rx_wait_holder"] for x in rw if x["hop2"] >= SWITCH_INTERVAL_LIKE))))
    pr("rx wait >= 1 ms: %d of %d" % (sum(1 for x in rw if x["hop2"] >= LONG_WAIT), len(rw)))
    lm = [x for x in mw if x["hop5"] >= SWITCH_INTERVAL_LIKE]
    pr("main first wait >= 4 ms: %d of %d (%.1f%%)" % (len(lm), len(mw), 100. * len(lm) / len(mw)))
    pr("  holder at main's entry: %s" % dict(Counter(x["main_wait_holder_at_entry"] for x in lm)))
    pr("  role holding longest during main's wait: %s" % dict(
        Counter(x["main_wait_holder_most"] for x in lm)))
    pr("  who took the GIL next after rx's drop before its self-pipe write: %s" % dict(
        Counter(x.get("after_rx_drop") for x in lm)))
    sm = [x for x in mw if x["hop5"] < SWITCH_INTERVAL_LIKE]
    pr("  (main wait < 4 ms, n=%d: next taker after rx's drop: %s)" % (
        len(sm), dict(Counter(x.get("after_rx_drop") for x in sm))))
    pr("  all with M: next taker after rx's drop %s; gap drop->next take %s" % (
        dict(Counter(x.get("after_rx_drop") for x in mw)),
        qs([x["after_rx_drop_gap"] for x in mw if x.get("after_rx_drop_gap") is not None])))
    pr("first non-receiver taker of the GIL after the self-pipe write (all with M): %s; "
       "right after a receiver drop: %d; gap %s" % (
        dict(Counter(x.get("after_rx_final") for x in mw)),
        sum(1 for x in mw if x.get("after_rx_final_prev_rx")),
        qs([x["after_rx_final_gap"] for x in mw if "after_rx_final_gap" in x])))
    pr("  main wait >= 4 ms: %s; main wait < 4 ms: %s" % (
        dict(Counter(x.get("after_rx_final") for x in lm)),
        dict(Counter(x.get("after_rx_final") for x in sm))))
    hb = [x for x in inv if "main_long_HB" in x]
    pr("main take_gil waits >= 1 ms inside each invocation's H -> body start span (any purpose): "
       "mean %.2f, %s" % (statistics.mean(x["main_long_HB"] for x in hb),
                          dict(sorted(Counter(x["main_long_HB"] for x in hb).items()))))
    h6 = [x for x in inv if "hop6" in x]
    pr("main take_gil entries between its wake and the pool wake, per invocation (hop 6 "
       "defined, n=%d): takes mean %.2f %s; waits >= 1 ms mean %.2f, distribution %s; "
       "sum of main waits in M->P %s" % (
           len(h6), statistics.mean(x["main_takes"] for x in h6),
           dict(sorted(Counter(x["main_takes"] for x in h6).items())),
           statistics.mean(x["main_long_waits"] for x in h6),
           dict(sorted(Counter(x["main_long_waits"] for x in h6).items())),
           qs([x["main_wait_sum"] for x in h6])))
    # all main waits >= 1 ms in the window per invocation
    allm = [h for pid in R.pools for h in R.by_tid[pid] if R.inwin(h) and h.entry is not None]
    pr("all main take_gil in window: %d (%.2f/inv); waits >= 1 ms: %d (%.2f/inv); >= 4 ms: %d "
       "(%.2f/inv)" % (len(allm), len(allm) / len(inv),
                       sum(1 for h in allm if h.taken - h.entry >= LONG_WAIT),
                       sum(1 for h in allm if h.taken - h.entry >= LONG_WAIT) / len(inv),
                       sum(1 for h in allm if h.taken - h.entry >= SWITCH_INTERVAL_LIKE),
                       sum(1 for h in allm if h.taken - h.entry >= SWITCH_INTERVAL_LIKE) / len(inv)))
    return inv


if __name__ == "__main__":
    for rec in sys.argv[1:] or RECORDS:
        report(rec, sys.stdout)
