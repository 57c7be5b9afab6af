"""What waking another thread costs the waker, from a GIL record.

Reads a `gil_timeline.py` record (GIL uprobes with `sched:sched_switch` and
`sched:sched_waking`) and follows every short release of a worker's GIL that the same thread
takes back with no other thread taking it between: the release around a syscall (a self-pipe
write, `epoll_wait(0)`), with `drop_gil`'s own signal to a waiter inside it. Each is filed by
the thread's role, by the role of the first thread it woke meanwhile ('main' is the asyncio
loop's thread, 'other' a thread of another process) and by where that thread last ran:

- nobody woken;
- on the waker's CPU (no interrupt to another CPU);
- on another, idle CPU (the waker interrupts a halted CPU);
- on another, busy CPU.

A pool thread's release that wakes 'main' on another, idle CPU is its self-pipe write
(`call_soon_threadsafe`); less a release that wakes nobody, it is sim's
`host.dispatch.self_pipe_wake_us`.

    python3 wake_cost.py RECORD.txt.gz [--invocations N]
"""

import argparse
import os
import sys
from collections import defaultdict
from statistics import median

sys.path.insert(0, os.path.dirname(__file__))
import gil_phases as gp  # noqa: E402
import gil_timeline as gt  # noqa: E402

WAKING = gp.WAKING
LONGEST_S = 0.001  # a release longer than this is not a syscall's


def wake_class(waker_cpu, target_cpu, cpus):
    """'same CPU', 'other CPU idle' or 'other CPU busy' for a wake-up by a thread on
    `waker_cpu` of a thread last on `target_cpu`."""
    if target_cpu == waker_cpu:
        return "same CPU"
    return "other CPU idle" if cpus.on.get(target_cpu, 0) == 0 else "other CPU busy"


def woken_role(pid, woken, pools, process_of):
    """The role of thread `woken` in worker `pid` ('other': not one of its threads)."""
    return gt.role_of(pid, woken, pools) if process_of.get(woken) == pid else "other"


def releases(events, pools, window=None):
    """{(role, whom it woke): [seconds]} of every release of a worker's GIL taken back by the
    same thread with no take by another between (`whom`: 'nobody', or the woken thread's
    role and the `wake_class` of its first wake-up)."""
    lo, hi = window or gt.run_window(events, pools)
    cpus, out = gt.Cpus(), defaultdict(list)
    process_of = gp.thread_processes(events)
    open_release = {}  # pid -> (tid, when dropped, class of its first wake-up or None)
    for t, pid, tid, cpu, kind, ev in events:
        if kind == WAKING:
            rel = open_release.get(pid)
            if rel and rel[0] == tid and rel[2] is None:
                woken = int(ev["fields"]["pid"])
                where = wake_class(cpu, int(ev["fields"]["target_cpu"]), cpus)
                whom = "%s, %s" % (woken_role(pid, woken, pools, process_of), where)
                open_release[pid] = (tid, rel[1], whom)
            continue
        cpus.see(tid, cpu, kind, ev)
        if kind == gt.SWITCH or pid not in pools or not lo <= t <= hi:
            continue
        if kind == gt.DROP:
            open_release[pid] = (tid, t, None)
        elif kind == gt.TAKEN:
            rel = open_release.pop(pid, None)
            if rel and rel[0] == tid and t - rel[1] < LONGEST_S:
                out[(gt.role_of(pid, tid, pools), rel[2] or "nobody")].append(t - rel[1])
    return out


def report(found, invocations, out=sys.stdout):
    """One line per (role, whom it woke): how many releases (per invocation, when known),
    their median and mean length."""
    for (role, whom), gaps in sorted(found.items()):
        per = "%5.2f per invocation" % (len(gaps) / invocations) if invocations else ""
        print("  %-6s woke %-22s n=%5d %s  median %5.1f us, mean %5.1f us" % (
            role, whom, len(gaps), per, median(gaps) * 1e6, sum(gaps) / len(gaps) * 1e6),
            file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("record")
    ap.add_argument("--invocations", type=int, default=0,
                    help="invocations in the record (default: read beside it)")
    a = ap.parse_args(argv)
    with gt.open_text(a.record) as f:
        events = gp.read_events(f)
    pools = gt.worker_pools(gt.hold_times(events))
    if not pools:
        return gt.no_workers(a.record)
    invocations = a.invocations or gt.invocations_beside(a.record)
    print("%s: a thread's release of its GIL, taken back by itself, by whom it woke" % a.record)
    report(releases(events, pools), invocations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
