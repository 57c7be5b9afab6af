#!/usr/bin/env python3
"""Where Linux puts woken threads, and how long they wait while a core sits idle.

Reads the text of ``perf script`` over a ``perf sched record`` of a harness run (scheduler
switch, wake-up and migration events on every CPU) and follows the CPUs: which task each
runs, and when each is idle. For every wake-up of a thread of the given command (``python3``
by default: the harness host and its worker processes), it measures the wake-up delay (from
the wake-up to the thread running), whether it ran on a CPU that was busy at the wake-up
while another CPU was idle then (queued behind a running task rather than on the idle core), and how much of its delay passed with some CPU
idle: time a core could have run it. Usage::

    perf sched record -o run.data -- python3 measure.py --cases C --only NAME --reps 1 \\
        --out /tmp/x --no-quiet-check
    perf script -i run.data -F comm,pid,tid,cpu,time,event,trace > run.txt
    python3 sched_placement.py run.txt [--comm python3] [--json FILE]

Prints the totals: wake-ups, their delay, the share placed on a busy CPU with another idle,
and the delay spent while a CPU was idle; per CPU count of idle time; each followed thread's
CPU time per CPU (its "home", the CPU it mostly runs on); and, for the wake-ups queued on
their busy last CPU while another CPU idled, whose task was ahead (the same process, another
process followed, or a foreign one) and how the wait ended (the task ahead went to sleep, was
preempted by the woken thread, or others ran first). Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

EVENT = re.compile(
    r"^\s*(?P<comm>.+?)\s+(?P<pid>\d+)(?:/(?P<tid>\d+))?\s+\[(?P<cpu>\d+)\]\s+"
    r"(?P<time>\d+\.\d+):\s+(?P<event>[\w:]+):\s*(?P<rest>.*)$"
)
FIELD = re.compile(r"(\w+)=(\S+)")
# A wait with a CPU idle longer than an idle vCPU takes to wake (about 0.1 ms here: haltpoll).
LONG_WAIT_S = 300e-6


def parse(line):
    """One event as a dict, or None for a line that is not one."""
    m = EVENT.match(line)
    if not m:
        return None
    ev = m.groupdict()
    ev["cpu"] = int(ev["cpu"])
    ev["time"] = float(ev["time"])
    rest = ev.pop("rest")
    if "==>" in rest:
        before, after = rest.split("==>", 1)
        ev["prev"] = dict(FIELD.findall(before))
        ev["next"] = dict(FIELD.findall(after))
    else:
        ev["fields"] = dict(FIELD.findall(rest))
    return ev


class Placement:
    """The CPUs' state over time and the wake-ups of the followed threads."""

    def __init__(self, comm):
        self.comm = comm
        self.running = {}  # cpu -> pid running (0: idle)
        self.idle_since = {}  # cpu -> time it went idle
        self.idle_total = {}  # cpu -> idle seconds
        self.waiting = {}  # tid -> (wake time, the CPUs' tasks then, idle time so far)
        self.sleeping = set()  # followed tids switched out asleep (not preempted)
        self.tgid = {}  # tid -> process id, from the events' pid/tid
        self.last_cpu = {}  # tid -> the CPU it last ran on
        # (its last CPU idle at the wake?, ran there?, ran on a CPU idle at the wake?) ->
        # [wake-ups, their delays], for wake-ups with some CPU idle
        self.placements = {}
        self.by_process = {}  # tgid -> [wakeups, delay s, delay s with a CPU idle, long waits]
        self.cpu_time = {}  # tid -> {cpu: seconds on it}
        self.on_since = {}  # cpu -> when its running task took it
        # (who was ahead, how the wait ended) -> [waits s, how long the task ahead had run s]
        self.queued_behind = {}
        self.wakeups = 0
        self.delay = 0.0
        self.onto_busy_with_idle = 0
        self.delay_with_idle = 0.0
        self.delay_while_idle = 0.0
        self.first = None
        self.last = None

    def follows(self, comm):
        return comm.startswith(self.comm)

    def wakeup(self, ev):
        f = ev["fields"]
        if not self.follows(f.get("comm", "")):
            return
        tid = int(f["pid"])
        if tid not in self.sleeping:
            return  # still runnable (about to sleep, or preempted): not a wake-up from sleep
        self.sleeping.discard(tid)
        # sched_waking fires before the kernel picks the CPU: keep the CPUs' state at the
        # wake-up and judge the placement where the thread is switched in.
        self.waiting[tid] = [ev["time"], dict(self.running), 0.0, self.last_cpu.get(tid), dict(self.on_since)]

    def switch(self, ev):
        cpu, now = ev["cpu"], ev["time"]
        nxt = int(ev["next"].get("next_pid", 0))
        prev = int(ev["prev"].get("prev_pid", 0))
        if self.follows(ev["prev"].get("prev_comm", "")) and ev["prev"].get("prev_state", "R")[0] in "SD":
            self.sleeping.add(prev)
        if self.running.get(cpu) == 0 and nxt != 0 and cpu in self.idle_since:
            self.idle_total[cpu] = self.idle_total.get(cpu, 0.0) + now - self.idle_since.pop(cpu)
        if nxt == 0:
            self.idle_since[cpu] = now
        self.last_cpu[prev] = cpu
        if self.running.get(cpu) == prev and self.follows(ev["prev"].get("prev_comm", "")):
            per_cpu = self.cpu_time.setdefault(prev, {})
            per_cpu[cpu] = per_cpu.get(cpu, 0.0) + now - self.on_since.get(cpu, now)
        self.running[cpu] = nxt
        self.on_since[cpu] = now
        woke = self.waiting.pop(nxt, None)
        if woke is None:
            return
        at, cpus, while_idle, last, since = woke
        self.placement(cpus, last, cpu, now - at)
        self.queued(ev, nxt, cpus, last, now - at, at - since.get(cpu, at))
        self.wakeups += 1
        self.delay += now - at
        stats = self.by_process.setdefault(self.tgid.get(nxt, 0), [0, 0.0, 0.0, 0])
        stats[0] += 1
        stats[1] += now - at
        stats[2] += while_idle
        stats[3] += while_idle > LONG_WAIT_S
        another_idle = any(pid == 0 for c, pid in cpus.items() if c != cpu)
        if cpus.get(cpu, 0) != 0 and another_idle:
            self.onto_busy_with_idle += 1
            self.delay_with_idle += now - at

    def placement(self, cpus, last, ran_on, delay):
        """Where a thread woken while some CPU was idle ran, against the CPU it ran on last."""
        if last is None or not any(pid == 0 for pid in cpus.values()):
            return
        key = (cpus.get(last, 0) == 0, ran_on == last, cpus.get(ran_on, 0) == 0)
        entry = self.placements.setdefault(key, [0, []])
        entry[0] += 1
        entry[1].append(delay)

    def queued(self, ev, tid, cpus, last, delay, ahead_ran):
        """A woken thread that ran on its last CPU, busy at the wake-up while another idled:
        whose task was ahead of it, and how the wait ended."""
        ran_on = ev["cpu"]
        ahead = cpus.get(ran_on, 0)
        if ran_on != last or ahead == 0 or not any(pid == 0 for pid in cpus.values()):
            return
        if self.tgid.get(ahead) == self.tgid.get(tid):
            who = "same process"
        elif self.tgid.get(ahead) in self.by_process:
            who = "another python3 process"
        else:
            who = "foreign"
        prev = int(ev["prev"].get("prev_pid", 0))
        if prev != ahead:
            how = "others ran first"
        elif ev["prev"].get("prev_state", "R")[0] in "SD":
            how = "ahead slept"
        else:
            how = "ahead preempted"
        entry = self.queued_behind.setdefault((who, how), [[], []])
        entry[0].append(delay)
        entry[1].append(ahead_ran)

    def tick(self, now):
        """Before each event: the delay of every waiting thread while some CPU is idle."""
        if self.last is not None and self.waiting:
            if any(pid == 0 for pid in self.running.values()):
                dt = now - self.last
                self.delay_while_idle += dt * len(self.waiting)
                for w in self.waiting.values():
                    w[2] += dt
        self.first = now if self.first is None else self.first
        self.last = now

    def result(self):
        span = (self.last or 0.0) - (self.first or 0.0)
        return {
            "span_s": round(span, 6),
            "wakeups": self.wakeups,
            "mean_delay_us": round(1e6 * self.delay / max(self.wakeups, 1), 2),
            "onto_busy_cpu_with_another_idle": self.onto_busy_with_idle,
            "their_delay_ms": round(1e3 * self.delay_with_idle, 3),
            "delay_while_a_cpu_idle_ms": round(1e3 * self.delay_while_idle, 3),
            "idle_s_per_cpu": {c: round(t, 6) for c, t in sorted(self.idle_total.items())},
            "placement_with_a_cpu_idle": [
                {
                    "last_cpu": "idle" if last_idle else "busy",
                    "ran_on": "last cpu" if on_last else "another cpu",
                    "that_cpu_at_the_wake": "idle" if ran_idle else "busy",
                    "wakeups": n,
                    "median_delay_us": round(1e6 * sorted(d)[len(d) // 2], 1),
                    "p90_delay_us": round(1e6 * sorted(d)[int(0.9 * (len(d) - 1))], 1),
                }
                for (last_idle, on_last, ran_idle), (n, d) in sorted(self.placements.items())
            ],
            "queued_on_a_busy_last_cpu_with_another_idle": [
                {
                    "ahead": who,
                    "ended": how,
                    "wakeups": len(waits),
                    "wait_ms_total": round(1e3 * sum(waits), 3),
                    "median_wait_us": percentile_us(waits, 0.5),
                    "p90_wait_us": percentile_us(waits, 0.9),
                    "median_ahead_had_run_us": percentile_us(ran, 0.5),
                }
                for (who, how), (waits, ran) in sorted(self.queued_behind.items())
            ],
            "cpu_s_by_thread": {
                str(tid): {
                    "process": self.tgid.get(tid, 0),
                    "per_cpu": {str(c): round(t, 6) for c, t in sorted(per_cpu.items())},
                }
                for tid, per_cpu in sorted(self.cpu_time.items())
                if sum(per_cpu.values()) >= 0.001
            },
            "per_process": {
                str(pid): {
                    "wakeups": n,
                    "mean_delay_us": round(1e6 * d / max(n, 1), 2),
                    "delay_with_a_cpu_idle_ms": round(1e3 * di, 3),
                    f"waits_with_a_cpu_idle_over_{int(LONG_WAIT_S * 1e6)}us": long,
                }
                for pid, (n, d, di, long) in sorted(self.by_process.items())
            },
        }


def percentile_us(values, q):
    """The q-quantile (nearest rank below) of seconds, in us."""
    v = sorted(values)
    return round(1e6 * v[int(q * (len(v) - 1))], 1) if v else 0.0


def analyse(lines, comm):
    p = Placement(comm)
    for line in lines:
        ev = parse(line)
        if ev is None:
            continue
        if ev["tid"]:
            p.tgid[int(ev["tid"])] = int(ev["pid"])
        p.tick(ev["time"])
        if ev["event"].endswith("sched_switch"):
            p.switch(ev)
        elif ev["event"].endswith(("sched_waking", "sched_wakeup", "sched_wakeup_new")):
            p.wakeup(ev)
    return p.result()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("script", help="perf script text (see the usage above)")
    ap.add_argument("--comm", default="python3", help="follow threads whose command starts so")
    ap.add_argument("--json", help="also write the result here")
    args = ap.parse_args(argv)
    with open(args.script, encoding="utf-8", errors="replace") as f:
        result = analyse(f, args.comm)
    print(json.dumps(result, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
