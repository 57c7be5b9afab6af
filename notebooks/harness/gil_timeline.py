#!/usr/bin/env python3
"""When each worker thread takes and drops its GIL, and whether the holder was on a CPU, from
a `perf` record with uprobes on CPython's `take_gil` and `drop_gil`.

    L=$(python3 -c "import sysconfig, os; print(os.path.join(sysconfig.get_config_var('LIBDIR'),
        sysconfig.get_config_var('LDLIBRARY')))")
    perf probe -x $L take_gil && perf probe -x $L 'take_gil%return' && perf probe -x $L drop_gil
    perf record -m 8M -a -o gil.data -e probe_libpython3:take_gil \\
        -e probe_libpython3:take_gil__return -e probe_libpython3:drop_gil \\
        -e sched:sched_switch -e sched:sched_waking -- \\
        python3 measure.py --cases C --only CASE --reps 1 --no-quiet-check --out DIR
    perf script -i gil.data -F comm,pid,tid,cpu,time,event,trace | gzip > gil.txt.gz
    python3 gil_timeline.py gil.txt.gz [more records...] [--json FILE]

(The probe group is named after the library, `probe_libpython3` for libpython3.11.so; a
Python built without a shared library needs `-x` on the executable instead.)

A thread holds the GIL from `take_gil`'s return to its next `drop_gil`. The worker processes
are those whose threads other than the main one held their GIL the longest; their pool threads
are those that held it at least a tenth as long as the busiest. Over the run (from the first
GIL event of a pool thread after the harness's idle check to the last) the time of each worker
process is split into:

- held by a pool thread (a body) or by a dispatch thread (receiver, loop, sender), with the
  holder on a CPU;
- held with the holder off every CPU, by what ran on the CPU it last ran on (a thread of
  another worker, of its own process, the host or another process, or nothing) and whether
  another CPU idled meanwhile: capacity the process loses while its GIL is held;
- free while a thread waits in `take_gil` (a hand-over in transit), or free.

It also counts, per role, the waits in `take_gil` of a millisecond or more and how many of them
lasted more than two switch intervals (the waiter's first timed wait saw a switch, so it asked
only at the end of the next); `--sim` reads the same from a sim run's `gil_wait` stretches.

It also gives the hand-overs' transit: from a `drop_gil` with another thread waiting to the
next `take_gil` return, by whether the thread that dropped it took it back first (a short
system call racing the waiter's wake-up) or another did; and each kind of thread's holds
(pool threads, the main thread running the asyncio loop, the other dispatch threads): how
many and how long, to divide by the run's invocations.

sim's figure to set beside "holder off a CPU" is a process's `gil_held` less its `cpu_cores`
(`sim validate DIR --rows ROWS`, ROWS/<case>.summaries.json): the share of time its GIL was
held by a thread not running. Stdlib only.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import json
import os
import statistics
import sys
from collections import Counter, defaultdict
from typing import NamedTuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sched_placement  # noqa: E402  (its perf script parser)

TAKE, TAKEN, DROP = "take_gil", "take_gil__return", "drop_gil"
SWITCH = "sched_switch"
GIL_KINDS = (TAKE, TAKEN, DROP)
LONG_WAIT_S = 0.001
TWO_INTERVALS_S = 0.006
POOL_SHARE = 0.1
WARM_UP_PAUSE_S = 0.2


def read_events(lines, kinds=GIL_KINDS + (SWITCH,)):
    """(time, pid, tid, cpu, kind, parsed event) of the GIL probes and context switches (or
    the events of `kinds`), in time order; `kind` is the event's name without its group."""
    out = []
    for ev in map(sched_placement.parse, lines):
        if not ev:
            continue
        kind = ev["event"].split(":")[-1]
        if kind in kinds:
            out.append((ev["time"], int(ev["pid"]), int(ev["tid"] or ev["pid"]), ev["cpu"],
                        kind, ev))
    out.sort(key=lambda e: e[0])
    return out


def holds(events):
    """Every hold of a GIL: (pid, tid, when taken, when dropped), in the order they end."""
    since = {}
    for t, pid, tid, _cpu, kind, _ev in events:
        if kind == TAKEN:
            since[tid] = t
        elif kind == DROP and tid in since:
            yield pid, tid, since.pop(tid), t


def hold_times(events):
    """{pid: {tid: seconds it held its process's GIL}}."""
    held = defaultdict(lambda: defaultdict(float))
    for pid, tid, took, dropped in holds(events):
        held[pid][tid] += dropped - took
    return held


def worker_pools(held):
    """{worker pid: its pool threads}: processes whose longest holder is not the main thread
    (the harness host's is), with the threads that held the GIL a tenth as long as it."""
    pools = {}
    for pid, per_thread in held.items():
        if not per_thread or max(per_thread, key=per_thread.get) == pid:
            continue
        top = max(per_thread.values())
        pools[pid] = {t for t, v in per_thread.items() if t != pid and v >= POOL_SHARE * top}
    return pools


class Cpus:
    """Who runs on each CPU and where each thread last ran, from the switch events. A thread
    that emits a probe event is on that CPU then, whatever switch a record missed."""

    def __init__(self):
        self.on = {}         # cpu -> tid (0: idle)
        self.last_cpu = {}   # tid -> cpu
        self.running = set()

    def see(self, tid, cpu, kind, ev):
        if kind == SWITCH:
            prev, nxt = int(ev["prev"]["prev_pid"]), int(ev["next"]["next_pid"])
            self.running.discard(prev)
            self.place(nxt, cpu)
        elif tid:
            self.place(tid, cpu)

    def place(self, tid, cpu):
        old = self.on.get(cpu)
        if old is not None and old != tid:
            self.running.discard(old)
        self.on[cpu] = tid
        if tid:
            self.running.add(tid)
            self.last_cpu[tid] = cpu

    def other_idle(self, cpu):
        """Whether a CPU other than `cpu` runs nothing."""
        return any(t == 0 for c, t in self.on.items() if c != cpu)


def occupant_class(tid, pid, tgid, pools):
    """What a thread on the holder's CPU is, seen from worker `pid`."""
    if not tid:
        return "nothing"
    owner = tgid.get(tid)
    if owner == pid:
        return "its own process"
    if owner in pools:
        return "another worker"
    return "the host or another process"


def state_of(pid, gil, cpus, tgid, pools):
    """The class of worker `pid`'s present instant (see the module doc)."""
    holder = gil["holder"]
    if holder is None:
        return "free, a thread waiting" if gil["waiting"] else "free"
    role = "pool" if holder in pools[pid] else "dispatch"
    if holder in cpus.running:
        return "held by %s thread, on a CPU" % role
    cpu = cpus.last_cpu.get(holder)
    who = occupant_class(cpus.on.get(cpu, 0), pid, tgid, pools)
    idle = "another CPU idle" if cpus.other_idle(cpu) else "no CPU idle"
    return "held by %s thread, off: %s on its CPU, %s" % (role, who, idle)


def run_window(events, pools):
    """(first, last) GIL event of a pool thread in the run: the harness warms the pools up
    and then checks the machine is idle for half a second before the first arrival, so the
    run starts after the longest pause (of at least `WARM_UP_PAUSE_S`) in the pool threads'
    GIL events, where there is one."""
    times = [e[0] for e in events if e[1] in pools and e[2] in pools[e[1]] and e[4] in GIL_KINDS]
    gap, start = max(((b - a, b) for a, b in zip(times, times[1:])), default=(0.0, times[0]))
    return (start if gap >= WARM_UP_PAUSE_S else times[0]), times[-1]


def time_split(events, pools, window=None):
    """{worker pid: Counter(state -> seconds)} over the run window (`run_window`'s unless
    given)."""
    tgid = {e[2]: e[1] for e in events if e[2]}
    lo, hi = window or run_window(events, pools)
    gils = {pid: {"holder": None, "waiting": set()} for pid in pools}
    cpus, split, prev = Cpus(), {pid: Counter() for pid in pools}, None
    for t, pid, tid, cpu, kind, ev in events:
        if prev is not None and lo < t <= hi:
            for worker, gil in gils.items():
                split[worker][state_of(worker, gil, cpus, tgid, pools)] += t - max(prev, lo)
        prev = t
        cpus.see(tid, cpu, kind, ev)
        if pid in gils:
            follow_gil(gils[pid], tid, kind)
    return split


def follow_gil(gil, tid, kind):
    """Updates one process's GIL state with an event of its thread `tid`."""
    if kind == TAKE:
        gil["waiting"].add(tid)
    elif kind == TAKEN:
        gil["waiting"].discard(tid)
        gil["holder"] = tid
    elif kind == DROP and gil["holder"] == tid:
        gil["holder"] = None


def role_of(pid, tid, pools):
    """'pool', 'main' (the thread running the asyncio loop) or 'rx/tx' (receiver, sender)."""
    return "pool" if tid in pools[pid] else "main" if tid == pid else "rx/tx"


class Handover(NamedTuple):
    """A take of the GIL that follows a drop made with another thread waiting."""
    by: str           # role that dropped it
    to: str           # role that took it
    same: bool        # taken back by the thread that dropped it
    transit: float    # s from the drop to the take's return
    held: float       # s the dropper had held it
    idle: bool        # a CPU idled at the drop
    drop_cpu: int     # the CPU of the drop
    taker_in: tuple   # (s before the take, CPU) of the taker's last switch-in, or None


def handovers(events, pools, window=None):
    """Every `Handover` over the run window (other kinds of event than the GIL probes and
    context switches are skipped)."""
    lo, hi = window or run_window(events, pools)
    waiting, dropped, since, cpus, switched_in, out = \
        defaultdict(set), {}, {}, Cpus(), {}, []
    for t, pid, tid, cpu, kind, ev in events:
        if kind == SWITCH:
            switched_in[int(ev["next"]["next_pid"])] = (t, cpu)
        elif kind not in GIL_KINDS:
            continue
        cpus.see(tid, cpu, kind, ev)
        if pid not in pools or not lo <= t <= hi:
            continue
        if kind == TAKE:
            waiting[pid].add(tid)
        elif kind == TAKEN:
            waiting[pid].discard(tid)
            since[tid] = t
            if pid in dropped:
                at, by, held, idle, drop_cpu = dropped.pop(pid)
                out.append(Handover(role_of(pid, by, pools), role_of(pid, tid, pools),
                                    tid == by, t - at, held, idle, drop_cpu,
                                    switched_in_before(switched_in.get(tid), t)))
        elif kind == DROP:
            took = since.pop(tid, None)
            if waiting[pid] - {tid} and took is not None:
                dropped[pid] = (t, tid, t - took, 0 in cpus.on.values(), cpu)
    return out


def switched_in_before(switch_in, t):
    """(s before `t`, CPU) of a thread's last switch-in `(time, CPU)`, or None."""
    return None if switch_in is None else (t - switch_in[0], switch_in[1])


def transits(hand_overs):
    """{(who took it, whether a CPU idled at the drop): [seconds in transit]} of `handovers`;
    who took it is 'another thread' or 'the same thread'."""
    out = defaultdict(list)
    for h in hand_overs:
        who = "the same thread" if h.same else "another thread"
        out[(who, "a CPU idle" if h.idle else "no CPU idle")].append(h.transit)
    return out


def handover_matrix(hand_overs):
    """{(role that dropped it, role that took it): [seconds the dropper had held it]} of the
    `handovers` to another thread."""
    out = defaultdict(list)
    for h in hand_overs:
        if not h.same:
            out[(h.by, h.to)].append(h.held)
    return out


def holds_by_role(events, pools, window=None):
    """{role (`role_of`): [seconds of each hold]} of the holds inside the run window."""
    lo, hi = window or run_window(events, pools)
    out = defaultdict(list)
    for pid, tid, took, dropped in holds(events):
        if pid in pools and lo <= took and dropped <= hi:
            out[role_of(pid, tid, pools)].append(dropped - took)
    return out


def waits_by_role(events, pools, window=None):
    """{role (`role_of`): [seconds of each wait in `take_gil`]} of the workers' threads, from
    `take_gil`'s entry to its return, for the takes that return inside the run window."""
    lo, hi = window or run_window(events, pools)
    began, out = {}, defaultdict(list)
    for t, pid, tid, _cpu, kind, _ev in events:
        if pid not in pools:
            continue
        if kind == TAKE:
            began[tid] = t
        elif kind == TAKEN and tid in began:
            start = began.pop(tid)
            if lo <= t <= hi:
                out[role_of(pid, tid, pools)].append(t - start)
    return out


def long_waits(waits, longer_than=LONG_WAIT_S, two_intervals=TWO_INTERVALS_S):
    """Per role, of the waits over `longer_than` (a thread that waited for a switch interval,
    not a moment): their number, mean (us) and how many lasted more than `two_intervals` (the
    waiter's first timed wait saw a switch and it asked only at the end of the next)."""
    out = {}
    for role, v in waits.items():
        long = [w for w in v if w > longer_than]
        if long:
            out[role] = {"n": len(long), "mean": round(statistics.mean(long) * 1e6, 1),
                         "over_two_intervals": sum(1 for w in long if w > two_intervals)}
    return out


def first_clean_cycle_end(since, after, switches, interval):
    """CPython's `take_gil` rule for a thread waiting since `since`: it asks the holder to drop
    the GIL at the end of the first of its `interval`-long timed waits that ends after `after`
    and saw no change of holder (`switches`, sorted). None if there is none within 1,000."""
    k = max(1, int((after - since) / interval))
    for k in range(k, k + 1000):
        start, end = since + (k - 1) * interval, since + k * interval
        if end > after and bisect.bisect_right(switches, start) == \
                bisect.bisect_right(switches, end):
            return end
    return None


class PoolDrop(NamedTuple):
    """A pool thread letting go of a hold of 1 ms or more with other threads waiting."""
    pid: int
    took: float        # when it took the GIL, s
    dropped: float     # when it let go, s
    waiting: dict      # {waiter: when it began to wait, s}
    switches: list     # when each new holder took this GIL so far, s (sorted)
    before: int        # the thread it took the GIL from (None: first holder)


def pool_drops(events, pools, window=None):
    """Every `PoolDrop` whose hold began inside the run window."""
    lo, hi = window or run_window(events, pools)
    waiting_since, switches = defaultdict(dict), defaultdict(list)
    last, before, holder = {}, {}, {}
    for t, pid, tid, _cpu, kind, _ev in events:
        if pid not in pools:
            continue
        if kind == TAKE:
            waiting_since[pid][tid] = t
        elif kind == TAKEN:
            waiting_since[pid].pop(tid, None)
            if tid != last.get(pid):
                switches[pid].append(t)
                before[pid], last[pid] = last.get(pid), tid
            holder[pid] = (tid, t)
        elif kind == DROP and holder.get(pid, (None,))[0] == tid:
            took = holder.pop(pid)[1]
            others = {w: s for w, s in waiting_since[pid].items() if w != tid}
            if tid in pools[pid] and t - took >= 1e-3 and others and lo <= took <= hi:
                yield PoolDrop(pid, took, t, others, switches[pid], before.get(pid))


def requests(drop, interval):
    """{waiter: when CPython's rule has it ask for the GIL} of a `PoolDrop`'s waiters
    (`first_clean_cycle_end`; a waiter with no such cycle is left out)."""
    asks = {w: first_clean_cycle_end(s, drop.took, drop.switches, interval)
            for w, s in drop.waiting.items()}
    return {w: a for w, a in asks.items() if a is not None}


def drops_against_the_rule(events, pools, window=None, interval=0.005):
    """For every pool thread's hold of 1 ms or more with other threads waiting when it drops
    the GIL: the drop's time less the earliest request CPython's rule predicts from when
    those threads began to wait (`first_clean_cycle_end`), s. Forced drops come at or just
    after it; a body ending lets go before it."""
    out = []
    for drop in pool_drops(events, pools, window):
        asks = requests(drop, interval)
        if asks:
            out.append(drop.dropped - min(asks.values()))
    return out


def sim_role(thread):
    """The role of a thread of sim's thread_states.csv, named as `role_of` names them."""
    if thread.startswith("pool") or thread.startswith("executor"):
        return "pool"
    return "main" if thread == "loop" else "rx/tx"


def sim_handover_matrix(rows):
    """The same matrix from sim's thread_states.csv rows (`sim run --thread-states A..B`): a
    Python stretch that starts as the thread's GIL wait ends is a hand-over from the thread
    of its process whose Python stretch ended last, within 0.2 ms before (the transit)."""
    python, waits = defaultdict(list), defaultdict(set)
    for r in rows:
        key = (r["instance"], r["process"])
        if r["state"] == "python":
            python[key].append((float(r["start_ms"]), float(r["end_ms"]), r["thread"]))
        elif r["state"] == "gil_wait":
            waits[key + (r["thread"],)].add(round(float(r["end_ms"]), 6))
    out = defaultdict(list)
    for key, stretches in python.items():
        by_end = sorted((e, e - s, t) for s, e, t in stretches)
        ends = [e for e, _held, _t in by_end]
        for start, _end, thread in stretches:
            if round(start, 6) not in waits[key + (thread,)]:
                continue
            i = bisect.bisect_right(ends, start)
            while i > 0 and ends[i - 1] >= start - 0.2:
                _e, held_ms, by = by_end[i - 1]
                if by != thread:
                    out[(sim_role(by), sim_role(thread))].append(held_ms / 1e3)
                    break
                i -= 1
    return out


def sim_waits_by_role(rows):
    """`waits_by_role` from sim's thread_states.csv rows: each `gil_wait` stretch, s."""
    out = defaultdict(list)
    for r in rows:
        if r["state"] == "gil_wait":
            seconds = (float(r["end_ms"]) - float(r["start_ms"])) / 1e3
            out[sim_role(r["thread"])].append(seconds)
    return out


def invocations_beside(record):
    """The number of invocations the harness recorded beside a record (`invocations/*.csv` in
    its folder), or None."""
    folder = os.path.join(os.path.dirname(os.path.abspath(record)), "invocations")
    if not os.path.isdir(folder):
        return None
    n = 0
    for name in os.listdir(folder):
        with open(os.path.join(folder, name)) as f:
            n += max(0, sum(1 for _ in f) - 1)
    return n or None


def summary(events):
    """The record's figures as a dict (see the module doc)."""
    pools = worker_pools(hold_times(events))
    if not pools:
        return None
    window = run_window(events, pools)
    hand_overs = handovers(events, pools, window)
    split = Counter()
    for per_worker in time_split(events, pools, window).values():
        split.update(per_worker)
    total = sum(split.values())
    held = sum(v for k, v in split.items() if k.startswith("held"))
    off = sum(v for k, v in split.items() if ", off:" in k)
    return {
        "workers": len(pools),
        "pool_threads": sum(len(p) for p in pools.values()),
        "share_of_time": {k: round(v / total, 5) for k, v in split.most_common()},
        "held": round(held / total, 5),
        "holder_off_cpu_share_of_held": round(off / held, 5) if held else None,
        "transit_us": {"%s, %s" % k: quantiles_us(v)
                       for k, v in sorted(transits(hand_overs).items())},
        "window_s": round(window[1] - window[0], 6),
        "holds": {role: dict(quantiles_us(v), total_s=round(sum(v), 5))
                  for role, v in holds_by_role(events, pools, window).items()},
        "drop_minus_rule_us": quantiles_us(drops_against_the_rule(events, pools, window)),
        "handovers": {"%s -> %s" % k: quantiles_us(v)
                      for k, v in handover_matrix(hand_overs).items()},
        "long_waits": long_waits(waits_by_role(events, pools, window)),
    }


def quantiles_us(values):
    """n, mean and quantiles of seconds, in us (n alone, 0, of none)."""
    v = sorted(values)
    if not v:
        return {"n": 0}
    at = lambda q: round(v[min(len(v) - 1, int(q * len(v)))] * 1e6, 1)
    return {"n": len(v), "mean": round(statistics.mean(v) * 1e6, 1), "p10": at(0.1),
            "p50": at(0.5), "p90": at(0.9), "p99": at(0.99)}


def report_matrix(matrix, invocations, out=sys.stdout):
    """Prints hand-overs by (from, to) role, per invocation when their number is known, with
    how long the thread letting go had held the GIL (quantiles of `quantiles_us`)."""
    total = sum(q["n"] for q in matrix.values())
    per = (lambda n: "%5.2f per invocation" % (n / invocations)) if invocations \
        else (lambda n: "%6d" % n)
    print("  hand-overs to another thread, by who dropped it and who took it: %s"
          % per(total).strip(), file=out)
    for key, q in sorted(matrix.items(), key=lambda kv: -kv[1]["n"]):
        print("    %-14s %s; held before: p10 %6.2f ms, p50 %6.2f, p90 %6.2f"
              % (key, per(q["n"]), q["p10"] / 1e3, q["p50"] / 1e3, q["p90"] / 1e3), file=out)


def report_waits(waits, out=sys.stdout):
    """Prints `long_waits`' figures per role."""
    for role, q in sorted(waits.items()):
        print("  waits for the GIL of %s ms+ by %-6s n=%5d, mean %5.2f ms, over %s ms (two "
              "switch intervals) %d (%.0f%%)"
              % (LONG_WAIT_S * 1e3, role, q["n"], q["mean"] / 1e3, TWO_INTERVALS_S * 1e3,
                 q["over_two_intervals"], 100.0 * q["over_two_intervals"] / q["n"]), file=out)


def report(name, s, out=sys.stdout):
    print("%s: %d workers, %d pool threads; GIL held %.1f%% of the time, its holder off every "
          "CPU for %.1f%% of that" % (name, s["workers"], s["pool_threads"], 100 * s["held"],
                                      100 * (s["holder_off_cpu_share_of_held"] or 0)), file=out)
    for state, share in s["share_of_time"].items():
        if share >= 0.001:
            print("  %-82s %5.1f%%" % (state, 100 * share), file=out)
    for who, q in sorted(s["transit_us"].items()):
        print("  hand-over taken by %-28s n=%5d, mean %5.1f us, p50 %4.0f, p90 %5.0f, p99 %5.0f"
              % (who, q["n"], q["mean"], q["p50"], q["p90"], q["p99"]), file=out)
    q = s["drop_minus_rule_us"]
    if q["n"]:
        print("  pool holds of 1 ms+ dropped with threads waiting, the drop less the request "
              "CPython's rule predicts: n=%d, p10 %.2f ms, p50 %.2f, p90 %.2f"
              % (q["n"], q["p10"] / 1e3, q["p50"] / 1e3, q["p90"] / 1e3), file=out)
    for role, q in sorted(s["holds"].items()):
        print("  holds by %-14s %6d takes in %.2f s, %7.1f ms held, mean %6.1f us, p50 %5.1f"
              % (role, q["n"], s["window_s"], 1e3 * q["total_s"], q["mean"], q["p50"]),
              file=out)


def open_text(path):
    return gzip.open(path, "rt", errors="replace") if path.endswith(".gz") \
        else open(path, errors="replace")


def no_workers(path):
    """Says that the record at `path` shows no worker process; the exit status for it."""
    print("%s: no worker process with GIL probe events (were the uprobes recorded?)" % path,
          file=sys.stderr)
    return 1


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("records", nargs="*", help="perf script texts (.gz or plain)")
    p.add_argument("--sim", metavar="THREAD_STATES_CSV",
                   help="instead, the hand-over matrix of a sim run's thread_states.csv")
    p.add_argument("--invocations", type=int,
                   help="with --sim: the run's invocations, for per-invocation figures")
    p.add_argument("--json", help="also write {record: figures} here")
    opts = p.parse_args(argv)
    if opts.sim:
        with open(opts.sim) as f:
            rows = list(csv.DictReader(f))
        matrix = sim_handover_matrix(rows)
        report_matrix({"%s -> %s" % k: quantiles_us(v) for k, v in matrix.items()},
                      opts.invocations)
        report_waits(long_waits(sim_waits_by_role(rows)))
        return 0
    results = {}
    for path in opts.records:
        with open_text(path) as lines:
            s = summary(read_events(lines))
        if s is None:
            return no_workers(path)
        n = invocations_beside(path)
        s["invocations"] = n
        results[path] = s
        report(path, s)
        report_matrix(s["handovers"], n)
        report_waits(s["long_waits"])
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
