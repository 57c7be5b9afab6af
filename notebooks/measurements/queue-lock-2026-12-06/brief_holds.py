#!/usr/bin/env python3
"""Classify brief (<100 us) GIL holds by pool threads, and brief main-thread holds that come
right after a pool thread's drop, in gil-timeline perf records.

    python3 brief_holds.py RECORD [RECORD...] [--json OUT]

Reuses gil_timeline / gil_phases from ../../harness (read-only): read_events
(with sched_waking), worker_pools, role_of, run_window, Cpus, invocations_beside. Holds are
counted as in gil_timeline.holds_by_role (taken and dropped inside run_window).

take_gil__return's caller (its offset from take_gil's address, the same in every process)
tells how the thread had let go of the GIL before: +1438 = PyEval_RestoreThread (it released
it around a blocking call: Py_BEGIN/END_ALLOW_THREADS), -1386963 = the eval breaker in
_PyEval_EvalFrameDefault (a forced drop on a drop request), +1102 PyEval_AcquireThread,
+1027 _PyEval_InitGIL. Offsets checked with gdb against the local
libpython3.11.so.1.0 of CPython 3.11.7, whose take_gil (0x24f7b0) and drop_gil
(0x24f3e0) page offsets match the record's addresses.
"""
import argparse
import bisect
import json
import re
import os
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness"))
import gil_timeline as gt  # noqa: E402
import gil_phases as gp  # noqa: E402

BRIEF = 100e-6
LONG = 1e-3
NEAR = 1e-3
CALLER = {1438: "RestoreThread", -1386963: "eval-breaker", 1102: "AcquireThread",
          1027: "InitGIL"}
RET = re.compile(r"\[(\d+)\]\s+(\d+\.\d+):\s+probe_\w+:take_gil__return:\s+\((\w+) <- (\w+)\)")
HEAD = re.compile(r"^\s*.+?\s+(\d+)(?:/(\d+))?\s+\[")
ASLEEP = ("S", "D")


def callers(path):
    """{(tid, time): caller name} of the take_gil__return events."""
    out = {}
    with gt.open_text(path) as f:
        for line in f:
            if "take_gil__return" not in line:
                continue
            m, h = RET.search(line), HEAD.match(line)
            if m and h:
                off = int(m.group(4), 16) - int(m.group(3), 16)
                out[(int(h.group(2) or h.group(1)), float(m.group(2)))] = \
                    CALLER.get(off, "other%+d" % off)
    return out


class Hold:
    __slots__ = ("pid", "tid", "entry", "taken", "dropped", "cpu", "idle_take", "caller",
                 "i", "pi")

    @property
    def length(self):
        return self.dropped - self.taken

    @property
    def start(self):
        """take_gil entry (or its return when no entry was seen)."""
        return self.entry if self.entry is not None else self.taken


class Record:
    def __init__(self, path):
        self.path = path
        with gt.open_text(path) as f:
            events = gp.read_events(f)
        self.events = events
        self.pools = gt.worker_pools(gt.hold_times(events))
        self.lo, self.hi = gt.run_window(events, self.pools)
        self.invocations = gt.invocations_beside(path)
        self.tgid = gp.thread_processes(events)
        caller_of = callers(path)
        cpus, entry, open_ = gt.Cpus(), {}, {}
        self.by_tid, self.by_pid = defaultdict(list), defaultdict(list)
        self.sw_out = defaultdict(list)   # tid -> [(t, prev_state)]
        self.woken = defaultdict(list)    # wakee -> [(t, waker)]
        for t, pid, tid, cpu, kind, ev in events:
            if kind == gp.WAKING:
                self.woken[int(ev["fields"]["pid"])].append((t, tid))
                continue
            cpus.see(tid, cpu, kind, ev)
            if kind == gt.SWITCH:
                self.sw_out[int(ev["prev"]["prev_pid"])].append(
                    (t, ev["prev"].get("prev_state", "")))
            elif pid in self.pools:
                if kind == gt.TAKE:
                    entry[tid] = t
                elif kind == gt.TAKEN:
                    h = Hold()
                    h.pid, h.tid, h.taken, h.cpu = pid, tid, t, cpu
                    h.entry = entry.pop(tid, None)
                    h.idle_take = cpus.other_idle(cpu)
                    h.caller = caller_of.get((tid, t), "?")
                    open_[tid] = h
                elif kind == gt.DROP and tid in open_:
                    h = open_.pop(tid)
                    h.dropped = t
                    h.i = len(self.by_tid[tid])
                    self.by_tid[tid].append(h)
        for hs in self.by_tid.values():
            self.by_pid[hs[0].pid].extend(hs)
        for hs in self.by_pid.values():
            hs.sort(key=lambda h: h.taken)
            for k, h in enumerate(hs):
                h.pi = k
        self.starts = {tid: [h.taken for h in hs] for tid, hs in self.by_tid.items()}

    def in_take_gil(self, tid, t):
        """Whether `tid` was waiting inside take_gil at `t` (a wake then is the GIL's
        signal, not a wake-up from a blocking call such as the loop's epoll_wait)."""
        hs = self.by_tid.get(tid, [])
        k = bisect.bisect_left(self.starts.get(tid, []), t)
        return k < len(hs) and hs[k].entry is not None and hs[k].entry <= t

    def loop_woken(self, pid, by, a, b):
        """Whether thread `by` woke the main thread (the loop) out of a blocking call, not
        out of take_gil, in [a, b]: the self-pipe write of call_soon_threadsafe."""
        return any(w == by and not self.in_take_gil(pid, t) for t, w in self.wakers(pid, a, b))

    # --- helpers
    def role(self, pid, tid):
        return gt.role_of(pid, tid, self.pools) if self.tgid.get(tid) == pid else "other"

    def inwin(self, h):
        return self.lo <= h.taken and h.dropped <= self.hi

    def own(self, h, k):
        hs = self.by_tid[h.tid]
        return hs[h.i + k] if 0 <= h.i + k < len(hs) else None

    def proc(self, h, k):
        hs = self.by_pid[h.pid]
        return hs[h.pi + k] if 0 <= h.pi + k < len(hs) else None

    def last_sleep(self, tid, a, b):
        """When `tid` was last switched out asleep (S/D) in (a, b), or None."""
        v = self.sw_out.get(tid, [])
        i = bisect.bisect_left(v, (b, "")) - 1
        while i >= 0 and v[i][0] > a:
            if v[i][1].startswith(ASLEEP):
                return v[i][0]
            i -= 1
        return None

    def asleep(self, tid, a, b):
        """Whether `tid` was switched out asleep (S/D) in (a, b)."""
        return self.last_sleep(tid, a, b) is not None

    def wakers(self, wakee, a, b):
        v = self.woken.get(wakee, [])
        i = bisect.bisect_left(v, (a, -1))
        out = []
        while i < len(v) and v[i][0] <= b:
            out.append(v[i])
            i += 1
        return out

    def hold_at(self, tid, t):
        hs = self.by_tid.get(tid, [])
        k = bisect.bisect_right(self.starts.get(tid, []), t) - 1
        return hs[k] if k >= 0 and hs[k].dropped >= t else None

    def body_segment(self, h):
        """Whether a hold is a piece of a body: 100 us or more, or resumed after a forced
        drop (eval breaker)."""
        return h.length >= BRIEF or h.caller == "eval-breaker"

    def how_came(self, h):
        """How a hold's thread came to take the GIL."""
        prev = self.own(h, -1)
        if prev is None:
            return "first hold"
        if h.caller == "eval-breaker":
            return "body tail: back after a forced drop (eval breaker)"
        if self.asleep(h.tid, prev.dropped, h.start):
            return "spurious wake: woke from the work-queue wait"
        if self.body_segment(prev):
            return "body end: back from a release after a body %s" % (
                "hold >1ms" if prev.length > LONG else "hold 0.1-1ms"
                if prev.length >= BRIEF else "tail <0.1ms (after a forced drop)")
        return "back from a release after a brief non-body hold"

    def how_left(self, h):
        """What the thread did after dropping: back soon (a short release) or not."""
        nxt = self.own(h, 1)
        if nxt is None:
            return "no further hold"
        if nxt.caller == "eval-breaker":
            return "forced off, back via eval breaker"
        gap = nxt.start - h.dropped
        woke_main = self.loop_woken(h.pid, h.tid, h.dropped, nxt.start)
        return "released%s, back after %s (next hold %s)" % (
            " waking the loop" if woke_main else "",
            "<1ms" if gap < NEAR else "1-10ms" if gap < .01 else ">=10ms (blocked)",
            length_class(nxt.length))

    def waker_context(self, h):
        """Who woke the thread (last sched_waking before its take_gil entry, after its
        previous drop) and in what state the waker was."""
        prev = self.own(h, -1)
        w = self.wakers(h.tid, prev.dropped if prev else h.start - 1, h.start)
        if not w:
            return "no wake-up seen"
        tw, waker = w[-1]
        role = self.role(h.pid, waker)
        if role != "pool":
            return "woken by %s" % role
        cur = self.hold_at(waker, tw)
        if cur is None:
            return "woken by a pool thread not holding the GIL"
        before = self.own(cur, -1)
        if cur.caller == "RestoreThread" and before is not None and \
                self.asleep(waker, before.dropped, cur.start) and tw - cur.taken < 200e-6:
            return "woken by a pool thread just woken with a work item"
        if before is not None and before.length > LONG and \
                not self.asleep(waker, before.dropped, cur.start):
            return "woken by a pool thread at its body end"
        return "woken by a pool thread, other"


def length_class(d):
    return "long" if d > LONG else "brief" if d < BRIEF else "mid"


def gap_class(g):
    return "<20us" if g < 20e-6 else "20-100us" if g < 100e-6 else "0.1-1ms" if g < 1e-3 \
        else ">=1ms"


def classify_pool(R, h):
    pid, tid = h.pid, h.tid
    prev, nxt = R.own(h, -1), R.own(h, 1)
    before, after = R.proc(h, -1), R.proc(h, 1)
    r = {"pid": pid, "tid": tid, "taken": h.taken, "len_us": h.length * 1e6,
         "wait_us": (h.taken - h.entry) * 1e6 if h.entry is not None else None,
         "caller": h.caller, "idle_at_take": h.idle_take,
         "came": R.how_came(h), "left": R.how_left(h)}
    if prev is not None:
        r["prev_len_us"] = prev.length * 1e6
        r["release_us"] = (h.start - prev.dropped) * 1e6     # prev drop -> take_gil entry
        between = [o for o in R.by_pid[pid][prev.pi + 1:h.pi] if o.tid != tid]
        r["between"] = "+".join(sorted({R.role(pid, o.tid) for o in between})) or "nobody"
        r["first_between"] = R.role(pid, between[0].tid) if between else "nobody"
        r["main_woken_in_release"] = R.loop_woken(pid, tid, prev.dropped, h.start)
        r["woken_by"] = R.waker_context(h)
    if before is not None:
        r["from"] = "same thread" if before.tid == tid else R.role(pid, before.tid)
        r["from_len"] = length_class(before.length)
        r["from_takes_back_next"] = after is not None and after.tid == before.tid != tid
        r["from_woke_it"] = "woken_by" in r and any(
            w == before.tid for _t, w in R.wakers(tid, prev.dropped, h.start)[-1:])
    if nxt is not None:
        r["next_off_us"] = (nxt.start - h.dropped) * 1e6
    if after is not None:
        r["next_taker"] = "same thread" if after.tid == tid else R.role(pid, after.tid)
        r["next_taker_gap_us"] = (after.taken - h.dropped) * 1e6
    else:
        r["next_taker"] = "none"
    return r


def classify_main(R, h):
    """A brief main-thread hold whose process's previous holder was a pool thread."""
    pid = h.pid
    before = R.proc(h, -1)
    if before is None or before.tid not in R.pools[pid]:
        return None
    after = R.proc(h, 1)
    r = {"pid": pid, "taken": h.taken, "len_us": h.length * 1e6,
         "wait_us": (h.taken - h.entry) * 1e6 if h.entry is not None else None,
         "idle_at_take": h.idle_take, "caller": h.caller,
         "pool_hold": length_class(before.length),
         "pool_hold_came": R.how_came(before),
         "pool_left": R.how_left(before),
         "gap_us": (h.taken - before.dropped) * 1e6,
         "main_waiting_before_drop": h.entry is not None and h.entry < before.dropped,
         "main_woken_by_that_pool_thread": R.loop_woken(pid, before.tid,
                                                         before.dropped - 0.0005, h.start)}
    r["next_taker"] = "none" if after is None else "that pool thread" \
        if after.tid == before.tid else "main again" if after.tid == h.tid \
        else R.role(pid, after.tid)
    if after is not None:
        r["next_gap_us"] = (after.taken - h.dropped) * 1e6
    return r


def pool_kind(r):
    """A pool brief hold's mechanism (one line)."""
    c = r["came"]
    if c.startswith("spurious"):
        return "spurious queue wake: " + r["woken_by"]
    if c.startswith("body end"):
        return c + (", loop woken in the release" if r["main_woken_in_release"] else
                    ", loop not woken in the release")
    return c


def q(v):
    v = sorted(x for x in v if x is not None)
    if not v:
        return "n=0"
    at = lambda p: v[min(len(v) - 1, int(p * len(v)))]
    return "n=%d p10 %.0f p50 %.0f p90 %.0f" % (len(v), at(.1), at(.5), at(.9))


def analyse(path, out=sys.stdout):
    R = Record(path)
    pool_holds = [h for hs in R.by_pid.values() for h in hs
                  if h.tid in R.pools[h.pid] and R.inwin(h)]
    rows = [classify_pool(R, h) for h in pool_holds if h.length < BRIEF]
    main_holds = [h for hs in R.by_pid.values() for h in hs if h.tid == h.pid and R.inwin(h)]
    mrows = [r for r in (classify_main(R, h) for h in main_holds if h.length < BRIEF) if r]
    n_inv = R.invocations
    pr = lambda *a: print(*a, file=out)

    def table(title, key, rs):
        c = Counter(key(r) for r in rs)
        pr("  " + title)
        for k, v in c.most_common():
            pr("    %4d %5.1f%% %5.2f/inv  %s" % (v, 100. * v / len(rs), v / n_inv, k))

    pr("=" * 100)
    pr(path)
    pr("window %.3f-%.3f (%.2f s), invocations %s; pool holds %d (by caller %s); brief <100us: "
       "%d = %.1f%%, %.2f per invocation" % (
           R.lo, R.hi, R.hi - R.lo, n_inv, len(pool_holds),
           dict(Counter(h.caller for h in pool_holds)), len(rows),
           100. * len(rows) / len(pool_holds), len(rows) / n_inv))
    pr("  brief hold us:", q([r["len_us"] for r in rows]),
       "| wait in take_gil us:", q([r["wait_us"] for r in rows]))
    table("A. mechanism:", pool_kind, rows)
    table("1. how it came to take the GIL:", lambda r: r["came"], rows)
    table("1b. came x wait in take_gil:", lambda r: "%s; waited %s" % (
        r["came"], gap_class((r["wait_us"] or 0) * 1e-6)), rows)
    table("2. after its drop:", lambda r: r["left"], rows)
    table("2b. came x next taker of the GIL (gap):", lambda r: "%s -> next %s after %s" % (
        r["came"].split(":")[0], r["next_taker"], gap_class(r.get("next_taker_gap_us", 1e9) * 1e-6)),
        rows)
    be = [r for r in rows if r["came"].startswith("body end")]
    table("3. body end: first other thread to take the GIL after the body's drop (before this "
          "retake):", lambda r: r["first_between"], be)
    pr("  3. body end (%d): release us %s; wait us %s; brief hold us %s; next taker gap us %s"
       % (len(be), q([r["release_us"] for r in be]), q([r["wait_us"] for r in be]),
          q([r["len_us"] for r in be]), q([r["next_taker_gap_us"] for r in be])))
    table("3a. body end: loop woken in the release / who held the GIL between the body's drop "
          "and the retake:", lambda r: "loop woken %s; between: %s" % (
              r["main_woken_in_release"], r["between"]), be)
    sp = [r for r in rows if r["came"].startswith("spurious")]
    pr("  spurious wakes (%d): wait in take_gil us %s; asleep after us %s" % (
        len(sp), q([r["wait_us"] for r in sp]), q([r.get("next_off_us") for r in sp])))
    table("3b. spurious wake: taken from / did that thread wake it / does it take it back next:",
          lambda r: "from %s (%s), it woke this thread: %s, takes it back next: %s" % (
              r.get("from"), r.get("from_len"), r.get("from_woke_it"),
              r.get("from_takes_back_next")), sp)
    table("4. a CPU idle at the take (by mechanism):", lambda r: "%s | %s" % (
        "other CPU idle" if r["idle_at_take"] else "no CPU idle", r["came"]), rows)
    pr("-- brief main holds: %d of %d main holds; right after a pool thread's hold: %d "
       "(%.2f per invocation)" % (sum(1 for h in main_holds if h.length < BRIEF),
                                  len(main_holds), len(mrows), len(mrows) / n_inv))
    pr("  length us", q([r["len_us"] for r in mrows]), "| wait us", q([r["wait_us"] for r in mrows]),
       "| pool drop -> main take us", q([r["gap_us"] for r in mrows]))
    table("M1. the pool hold before it (its length, kind if brief) and how that thread let go:",
          lambda r: "%s pool hold%s, then %s" % (
              r["pool_hold"], " (%s)" % r["pool_hold_came"].split(":")[0]
              if r["pool_hold"] == "brief" else "", r["pool_left"]), mrows)
    table("M2. main waiting in take_gil before the pool drop / loop woken from epoll by that "
          "pool thread (self-pipe):",
          lambda r: "main in take_gil before the drop: %s; loop woken by it: %s" % (
              r["main_waiting_before_drop"], r["main_woken_by_that_pool_thread"]), mrows)
    table("M3. next taker after main's brief hold:", lambda r: "%s after %s" % (
        r["next_taker"], gap_class(r.get("next_gap_us", 1e9) * 1e-6)), mrows)
    table("M4. CPU idle at main's take:", lambda r: "other CPU idle" if r["idle_at_take"]
          else "no CPU idle", mrows)
    return {"record": path, "invocations": n_inv, "window": [R.lo, R.hi],
            "pool_holds": len(pool_holds), "rows": rows, "main_rows": mrows}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("records", nargs="+")
    p.add_argument("--json")
    a = p.parse_args()
    res = [analyse(r) for r in a.records]
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
