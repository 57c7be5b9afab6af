#!/usr/bin/env python3
"""Three GIL races of a worker's threads, from the same `perf` record as `gil_timeline.py`
(uprobes on CPython's `take_gil` and `drop_gil`, with `sched:sched_switch` and
`sched:sched_waking`):

- **Who asks a body to let go**: for every pool thread's hold of 1 ms or more that ends at
  a drop request (not before CPython's rule predicts one, see
  `gil_timeline.first_clean_cycle_end`), the waiter whose timed wait made the request, and
  when it began to wait against the holder's take. A waiter that began before the take
  saw the take in its cycle and asks only at the end of the next: the hold runs up to two
  switch intervals. One that began after it asks one interval after it began.
- **The hand-over's transit**, split in two: from the drop to the moment the thread that takes
  the GIL next is switched in (0 if it was already running), and from then to its
  `take_gil` return. By whether a CPU idled at the drop, whether the taker ran on the
  dropper's CPU, and whether the dropper was a body forced off (a pool thread's hold of 4 ms
  or more).
- **The race when the loop is woken**: a pool thread that has finished a body, or the
  receiver with a request, writes to its loop's self-pipe, waking the main thread; with the
  GIL released for that write, who takes it next: the loop, the writer itself (back from its
  write), another pool thread, or the receiver or sender. By the writer's role, whether a CPU
  idled and whether another thread was waiting.
- **Waiters woken**: how often a thread waiting in `take_gil` is switched in (at the end of
  each timed wait, or signalled by a drop) and how many of those switch out a worker's
  running thread.
- **A holder stuck behind another worker**: the stretches in which a worker's GIL holder is
  off its CPU, that CPU runs another worker's thread, and another CPU idles (the largest loss
  in `gil_timeline.py`'s split), by how each began: the holder switched out for the other
  worker's thread, or another CPU going idle while the holder was already queued.
- **A holder preempted**: each time a worker's GIL holder is switched out while runnable,
  who took its CPU (a thread of its own process, of another worker, or another program) and
  how long until the holder ran again: the capacity a process loses while its GIL is held by a
  thread that does not run.
- **A CPU idle while a worker's thread waits for another**: the wider kind of stall that
  sim's summary.json counts (`cpu_idle_while_waiting`, `cpu_stalls`): any thread of a worker
  runnable and not running, on a busy CPU (the one it was switched out from, or for a woken
  thread the one it next runs on), while a CPU idles; its share of the CPUs' time, how many
  stretches and how long.

    python3 gil_phases.py gil.txt.gz [--json FILE]

Stdlib only.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import sys
from collections import Counter, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gil_timeline as gt  # noqa: E402

WAKING = "sched_waking"
FORCED_HOLD_S = 0.004
REQUEST_SLACK_S = 0.0005
JUST_WOKEN_S = 0.002


def read_events(lines):
    """`gil_timeline.read_events` with the wake-ups too."""
    return gt.read_events(lines, gt.GIL_KINDS + (gt.SWITCH, WAKING))


def thread_processes(events):
    """{thread: its process} of the threads seen in GIL probes and wake-ups."""
    return {tid: pid for _t, pid, tid, _c, kind, _e in events if kind != gt.SWITCH}


def requesters(events, pools, window=None, interval=0.005):
    """Per forced drop of a pool thread's hold: (the requester's role, whether it began to
    wait after the holder's take, when it began less the take s, the role of the thread
    the holder took the GIL from, the hold s)."""
    out = []
    for drop in gt.pool_drops(events, pools, window):
        waiter = forced_requester(drop, interval)
        if waiter is None:
            continue
        began = drop.waiting[waiter]
        prev = gt.role_of(drop.pid, drop.before, pools) if drop.before else "none"
        out.append((gt.role_of(drop.pid, waiter, pools), began >= drop.took,
                    began - drop.took, prev, drop.dropped - drop.took))
    return out


def forced_requester(drop, interval):
    """The waiter whose request a `gil_timeline.PoolDrop` answered, or None when no waiter's
    request came by then (the body ended first)."""
    asks = gt.requests(drop, interval)
    if not asks:
        return None
    w = min(asks, key=asks.get)
    return None if drop.dropped - asks[w] < -REQUEST_SLACK_S else w


def transits(events, pools, window=None):
    """Per hand-over to another thread (`gil_timeline.handovers`) whose taker was seen
    switched in: (the dropper a body forced off, a CPU idle at the drop, the taker ran on
    the dropper's CPU, s from the drop to the taker's switch-in, s from then to its
    `take_gil` return)."""
    out = []
    for h in gt.handovers(events, pools, window):
        if h.same or h.taker_in is None:
            continue
        before_take, ran_cpu = h.taker_in
        to_run = max(h.transit - before_take, 0.0)
        forced = h.by == "pool" and h.held >= FORCED_HOLD_S
        out.append((forced, h.idle, ran_cpu == h.drop_cpu, to_run, h.transit - to_run))
    return out


def loop_wake_races(events, pools, window=None):
    """Per wake-up of a worker's main thread (the loop) by another of its threads (a pool
    thread at a body's end, or the receiver with a request): (the waker's role, a CPU idle
    then, another thread waiting for the GIL then, who took the GIL next: 'loop', 'waker'
    (back from its write first), 'other pool' or 'rx/tx')."""
    lo, hi = window or gt.run_window(events, pools)
    cpus, waiting, pending, out = gt.Cpus(), defaultdict(set), {}, []
    for t, pid, tid, cpu, kind, ev in events:
        if kind != WAKING:
            cpus.see(tid, cpu, kind, ev)
        if pid not in pools or not lo <= t <= hi:
            continue
        if kind == WAKING:
            if int(ev["fields"].get("pid", -1)) == pid and tid != pid:
                others = waiting[pid] - {tid, pid}
                pending[pid] = (tid, cpus.other_idle(cpu), bool(others))
        elif kind == gt.TAKE:
            waiting[pid].add(tid)
        elif kind == gt.TAKEN:
            waiting[pid].discard(tid)
            if pid in pending:
                waker, idle, others = pending.pop(pid)
                out.append((gt.role_of(pid, waker, pools), idle, others,
                            taker(pid, tid, waker, pools)))
    return out


def taker(pid, tid, waker, pools):
    """Who took the GIL after a thread woke the loop (see `loop_wake_races`)."""
    if tid == pid:
        return "loop"
    if tid == waker:
        return "waker"
    return "other pool" if tid in pools[pid] else "rx/tx"


def stuck_episodes(events, pools, window=None):
    """Per stretch in which a worker's GIL holder is off its CPU behind another worker's
    thread while another CPU idles: (how it began, how it ended, its length s). It begins
    when the holder
    is switched out for the other worker's thread (just woken, or already runnable and
    time-sharing the CPU), when another CPU goes idle with the holder already queued ('a CPU
    went idle'), or at another event ('other')."""
    lo, hi = window or gt.run_window(events, pools)
    tgid = thread_processes(events)
    cpus, holder, began, out, woken_at = gt.Cpus(), {}, {}, [], {}
    for t, pid, tid, cpu, kind, ev in events:
        if kind == WAKING:
            woken_at[int(ev["fields"]["pid"])] = t
            continue
        cpus.see(tid, cpu, kind, ev)
        cause = stuck_cause(kind, cpus.on.get(cpu), woken_at, t)
        if pid in pools and kind == gt.TAKEN:
            holder[pid] = tid
        elif pid in pools and kind == gt.DROP and holder.get(pid) == tid:
            holder[pid] = None
        if not lo <= t <= hi:
            continue
        for w in pools:
            h = holder.get(w)
            stuck = holder_stuck(w, h, cpus, tgid, pools)
            if stuck and w not in began:
                began[w] = (t, cause, h, cpus.last_cpu[h])
            elif not stuck and w in began:
                at, why, was, cpu_then = began.pop(w)
                out.append((why, stuck_end(h, was, cpu_then, cpus), t - at))
    return out


def stuck_end(h, was, cpu_then, cpus):
    """How a stuck stretch of holder `was` (queued on `cpu_then`) ended, `h` the holder now:
    it ran again on that CPU, or on another (pulled), the other CPU got busy again, or the
    GIL changed hands."""
    if h != was:
        return "the GIL changed hands"
    if h in cpus.running:
        return "it ran on " + ("its CPU" if cpus.last_cpu[h] == cpu_then else "another CPU")
    return "another CPU got busy"


def stuck_cause(kind, now_running, woken_at, t):
    """How a stuck stretch that begins at an event of `kind` began (see `stuck_episodes`):
    a thread switched in that was woken within `JUST_WOKEN_S` is 'just woken', one that was
    runnable before 'already runnable' (time-sharing the CPU)."""
    if kind != gt.SWITCH:
        return "other"
    if not now_running:
        return "a CPU went idle"
    fresh = t - woken_at.get(now_running, float("-inf")) < JUST_WOKEN_S
    return "switched out for another worker's thread, " + \
        ("just woken" if fresh else "already runnable")


def holder_stuck(pid, h, cpus, tgid, pools):
    """Whether worker `pid`'s holder `h` waits on its CPU behind another worker's thread
    while another CPU idles."""
    if h is None or h in cpus.running or h not in cpus.last_cpu:
        return False
    cpu = cpus.last_cpu[h]
    occupant = tgid.get(cpus.on.get(cpu, 0))
    return occupant in pools and occupant != pid and cpus.other_idle(cpu)


def holder_preemptions(events, pools, window=None):
    """Per switch-out of a worker's GIL holder while runnable: (who took its CPU, how long
    until the holder was switched in again, s). Who: 'its own process', 'another worker' or
    'another program' (the host, the kernel's threads; an idle switch-in counts there too)."""
    lo, hi = window or gt.run_window(events, pools)
    tgid = thread_processes(events)
    gils = {pid: {"holder": None, "waiting": set()} for pid in pools}
    out_since, out = {}, []
    for t, pid, tid, _cpu, kind, ev in events:
        if pid in gils:
            gt.follow_gil(gils[pid], tid, kind)
        if kind != gt.SWITCH:
            continue
        prev, nxt = int(ev["prev"]["prev_pid"]), int(ev["next"]["next_pid"])
        if nxt in out_since:
            began, who = out_since.pop(nxt)
            out.append((who, t - began))
        owner = tgid.get(prev)
        holds = owner in gils and gils[owner]["holder"] == prev
        if holds and ev["prev"]["prev_state"].startswith("R") and lo <= t <= hi:
            taker = tgid.get(nxt)
            who = ("its own process" if taker == owner else
                   "another worker" if taker in pools else "another program")
            out_since[prev] = (t, who)
    return out


def next_switch_in_cpus(events):
    """{thread: [(time, cpu) of each switch-in]}, in time order."""
    out = defaultdict(list)
    for t, _pid, _tid, cpu, kind, ev in events:
        if kind == gt.SWITCH:
            out[int(ev["next"]["next_pid"])].append((t, cpu))
    return out


def idle_while_runnable(events, pools, window=None):
    """The stretches (s each) in which a CPU idles while a thread of a worker is runnable on a
    busy CPU: switched out while runnable (it waits on that CPU), or woken and not yet run
    (it waits on the CPU it next runs on; one that runs next on the idle CPU was only waking
    up there)."""
    lo, hi = window or gt.run_window(events, pools)
    tgid = thread_processes(events)
    switch_ins = next_switch_in_cpus(events)
    on, waits_on, out, since = {}, {}, [], None

    def next_cpu(tid, t):
        ins = switch_ins.get(tid, [])
        i = bisect.bisect_left(ins, (t,))
        return ins[i][1] if i < len(ins) else None

    for t, _pid, tid, cpu, kind, ev in events:
        if kind == gt.SWITCH:
            prev, nxt = int(ev["prev"]["prev_pid"]), int(ev["next"]["next_pid"])
            on[cpu] = nxt
            waits_on.pop(nxt, None)
            if prev and ev["prev"].get("prev_state", "").startswith("R"):
                waits_on[prev] = cpu
        elif kind == WAKING:
            woken = int(ev["fields"]["pid"])
            if woken not in on.values():
                waits_on[woken] = next_cpu(woken, t)
        elif tid:
            on[cpu] = tid
        stalled = any(c == 0 for c in on.values()) and any(
            tgid.get(w) in pools and c is not None and on.get(c, 0) != 0
            for w, c in waits_on.items())
        if stalled and since is None and lo <= t <= hi:
            since = t
        elif not stalled and since is not None:
            out.append(min(t, hi) - since)
            since = None
    return out


def idle_table(stretches, window):
    """The stalls of `idle_while_runnable` over a two-CPU record's `window`."""
    span = window[1] - window[0]
    total = sum(stretches)
    return {"n": len(stretches), "per_s": round(len(stretches) / span, 1),
            "total_ms": round(total * 1e3, 1),
            "mean_ms": round(total / len(stretches) * 1e3, 3) if stretches else 0.0,
            "share_of_two_cpus": round(total / span / 2, 4)}


def waits_woken(events, pools, window=None):
    """{role: (times a thread waiting for the GIL was switched in, how many of them switched
    out a running thread of a worker, seconds waited in all)}: a waiter wakes at the end of
    each timed wait and when `drop_gil` signals it, to find the GIL still held or take it."""
    lo, hi = window or gt.run_window(events, pools)
    tgid = thread_processes(events)
    since, out = {}, defaultdict(lambda: [0, 0, 0.0])
    for t, pid, tid, _cpu, kind, ev in events:
        if kind == gt.SWITCH and lo <= t <= hi:
            nxt, prev = int(ev["next"]["next_pid"]), int(ev["prev"]["prev_pid"])
            if nxt in since:
                row = out[gt.role_of(tgid[nxt], nxt, pools)]
                row[0] += 1
                row[1] += ev["prev"].get("prev_state", "").startswith("R") and \
                    tgid.get(prev) in pools
        elif pid in pools and kind == gt.TAKE:
            since[tid] = t
        elif pid in pools and kind == gt.TAKEN and tid in since:
            began = since.pop(tid)
            if lo <= t <= hi:
                out[gt.role_of(pid, tid, pools)][2] += t - began
    return {k: tuple(v) for k, v in out.items()}


def quantiles_ms(values):
    """p10, p50 and p90 of seconds, in ms (None for fewer than two)."""
    if len(values) < 2:
        return None
    q = statistics.quantiles(values, n=10)
    return [round(q[0] * 1e3, 3), round(q[4] * 1e3, 3), round(q[-1] * 1e3, 3)]


def summary(events):
    """The tables of one record, as plain data (None if it shows no worker process)."""
    pools = gt.worker_pools(gt.hold_times(events))
    if not pools:
        return None
    window = gt.run_window(events, pools)
    out = requester_table(requesters(events, pools, window))
    out["transit_us"] = transit_table(transits(events, pools, window))
    out["loop_wake_races"] = race_table(loop_wake_races(events, pools, window))
    out["waiters_woken"] = woken_table(waits_woken(events, pools, window), window)
    out.update(stuck_table(stuck_episodes(events, pools, window)))
    out["holder_preempted"] = preempted_table(holder_preemptions(events, pools, window), window)
    out["idle_while_runnable"] = idle_table(idle_while_runnable(events, pools, window), window)
    return out


def preempted_table(rows, window):
    """The holders' preemptions (`holder_preemptions`) by who took the CPU: how many a
    second, ms waited in all per second of the run, and the p10/p50/p90 wait."""
    span = window[1] - window[0]
    by_who = defaultdict(list)
    for who, waited in rows:
        by_who[who].append(waited)
    return {who: {"per_s": round(len(v) / span, 1), "ms_per_s": round(sum(v) * 1e3 / span, 1),
                  "wait_ms_p10_p50_p90": quantiles_ms(v)}
            for who, v in sorted(by_who.items(), key=lambda kv: -sum(kv[1]))}


def requester_table(reqs):
    """The forced drops and their requesters (`requesters`), grouped."""
    by_req = defaultdict(list)
    for role, after, began, prev, _hold in reqs:
        by_req[f"{role}, began {'after' if after else 'before'} the take, "
               f"GIL from {prev}"].append(began)
    return {
        "forced_holds": len(reqs),
        "forced_hold_ms_p10_p50_p90": quantiles_ms([r[4] for r in reqs]),
        "requesters": {k: {"n": len(v), "began_less_take_ms_p10_p50_p90": quantiles_ms(v)}
                       for k, v in sorted(by_req.items(), key=lambda kv: -len(kv[1]))},
    }


def transit_table(rows):
    """The hand-overs' transits (`transits`): mean us of each part, by kind."""
    parts = defaultdict(lambda: ([], []))
    for forced, idle, same, to_run, to_take in rows:
        key = (f"{'forced body' if forced else 'other'}, {'a CPU idle' if idle else 'no CPU idle'}"
               f", {'same CPU' if same else 'other CPU'}")
        parts[key][0].append(to_run)
        parts[key][1].append(to_take)
    return {k: {"n": len(a), "to_run_mean": round(statistics.mean(a) * 1e6, 1),
                "to_take_mean": round(statistics.mean(b) * 1e6, 1),
                "total_mean": round((statistics.mean(a) + statistics.mean(b)) * 1e6, 1)}
            for k, (a, b) in sorted(parts.items())}


def race_table(rows):
    """{waker's role: {circumstances and taker: count}} of `loop_wake_races`."""
    races = defaultdict(Counter)
    for role, idle, others, who in rows:
        races[role][f"{'a CPU idle' if idle else 'no CPU idle'}, "
                    f"{'others waiting' if others else 'none waiting'}: {who}"] += 1
    return {role: dict(sorted(c.items())) for role, c in sorted(races.items())}


def woken_table(woken, window):
    """`waits_woken` per second of the run and per ms of waiting."""
    return {k: {"per_s": round(n / (window[1] - window[0]), 1),
                "ms_of_waiting_per_wake": round(waited * 1e3 / max(n, 1), 2),
                "switching_out_a_worker_thread": pre}
            for k, (n, pre, waited) in sorted(woken.items())}


def stuck_table(rows):
    """The stalls (`stuck_episodes`) by how they began, and how they ended."""
    stuck, ended = defaultdict(list), Counter()
    for why, end, length in rows:
        stuck[why].append(length)
        ended[end] += 1
    return {
        "stuck_behind_another_worker": {
            k: {"n": len(v), "total_ms": round(sum(v) * 1e3, 1),
                "mean_ms": round(statistics.mean(v) * 1e3, 3)} for k, v in sorted(stuck.items())},
        "stuck_ended": dict(sorted(ended.items())),
    }


def report(name, s, out=sys.stdout):
    """Prints one record's `summary`."""
    out.write(f"{name}\n  forced drops of a body: {s['forced_holds']}, "
              f"hold p10/p50/p90 ms {s['forced_hold_ms_p10_p50_p90']}\n")
    out.write("  who asked (began to wait less the holder's take, p10/p50/p90 ms):\n")
    for k, v in s["requesters"].items():
        out.write(f"    {v['n']:5d}  {k}  {v['began_less_take_ms_p10_p50_p90']}\n")
    out.write("  hand-over transit (mean us: to the taker's switch-in + to its take):\n")
    for k, v in s["transit_us"].items():
        out.write(f"    {v['n']:5d}  {k}: {v['to_run_mean']} + {v['to_take_mean']} = "
                  f"{v['total_mean']}\n")
    for role, races in s["loop_wake_races"].items():
        write_counts(out, f"after a {role} thread wakes the loop, the GIL's next taker", races)
    out.write("  threads waiting for the GIL switched in while waiting:\n")
    for k, v in s["waiters_woken"].items():
        out.write(f"    {k}: {v['per_s']} per s, one per {v['ms_of_waiting_per_wake']} ms of "
                  f"waiting, {v['switching_out_a_worker_thread']} switching out a worker's "
                  f"thread\n")
    out.write("  holder stuck behind another worker's thread while a CPU idles, by how it began:\n")
    for k, v in s["stuck_behind_another_worker"].items():
        out.write(f"    {v['n']:5d}  {k}: {v['total_ms']} ms in all, mean {v['mean_ms']} ms\n")
    write_counts(out, "... and how they ended", s["stuck_ended"])
    out.write("  a GIL holder switched out while runnable, by who took its CPU:\n")
    for k, v in s["holder_preempted"].items():
        out.write(f"    {k}: {v['per_s']} per s, {v['ms_per_s']} ms waited per s, wait "
                  f"p10/p50/p90 ms {v['wait_ms_p10_p50_p90']}\n")
    w = s["idle_while_runnable"]
    out.write(f"  a CPU idle while a worker's thread waits for a busy CPU: {w['n']} stretches "
              f"({w['per_s']} per s), {w['total_ms']} ms in all, mean {w['mean_ms']} ms, "
              f"{100 * w['share_of_two_cpus']:.2f}% of two CPUs' time\n")


def write_counts(out, title, counts):
    """A titled list of counts."""
    out.write(f"  {title}:\n")
    for k, v in counts.items():
        out.write(f"    {v:5d}  {k}\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("records", nargs="+")
    p.add_argument("--json", help="also write the summaries here")
    args = p.parse_args(argv)
    out = {}
    for path in args.records:
        with gt.open_text(path) as f:
            out[path] = summary(read_events(f))
        if out[path] is None:
            return gt.no_workers(path)
        report(path, out[path])
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
