"""Which CPU each Python process's threads ran on, from `perf sched` records.

For each record (a `perf script -F comm,pid,tid,cpu,time,event,trace` text, gzipped), adds up
every thread's time on each CPU from the `sched_switch` events. It then prints, per Python
process, its threads' total on CPU 0 and CPU 1 and each thread's split (threads that ran 20 ms
or more). A burst's two worker processes show whether each process's threads share one CPU
or spread over both.
"""
import argparse
import collections
import gzip
import re

LINE = re.compile(r"\s*(\S.*?)\s+(\d+)/(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+)\s+(.*)")


def read(path):
    """The record's events as (time s, cpu, event, rest), and each thread's (process, comm)."""
    owner, events = {}, []
    with gzip.open(path, "rt") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            comm, pid, tid, cpu, t, event, rest = m.groups()
            owner[int(tid)] = (int(pid), comm)
            events.append((float(t), int(cpu), event, rest))
    return events, owner


def time_on_cpus(events):
    """Seconds each thread ran on each CPU: {(tid, cpu): s}, from the switch events."""
    on, ran = {}, collections.defaultdict(float)
    for t, cpu, event, rest in events:
        if not event.startswith("sched:sched_switch"):
            continue
        if cpu in on:
            tid, since = on[cpu]
            ran[(tid, cpu)] += t - since
        on[cpu] = (int(re.search(r"next_pid=(\d+)", rest).group(1)), t)
    return ran


def per_process(ran, owner, least_s=0.02):
    """Per Python process, the [CPU 0, CPU 1] seconds of each thread that ran `least_s` or more."""
    threads = collections.defaultdict(lambda: [0.0, 0.0])
    for (tid, cpu), s in ran.items():
        pid, comm = owner.get(tid, (None, ""))
        if pid is not None and comm.startswith("python") and cpu < 2:
            threads[(pid, tid)][cpu] += s
    processes = collections.defaultdict(list)
    for (pid, _), split in sorted(threads.items()):
        if sum(split) >= least_s:
            processes[pid].append(split)
    return processes


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("records", nargs="+", help="sched.txt.gz files")
    args = p.parse_args(argv)
    for path in args.records:
        print(path)
        events, owner = read(path)
        for pid, splits in per_process(time_on_cpus(events), owner).items():
            cpu0, cpu1 = (sum(s[i] for s in splits) * 1e3 for i in (0, 1))
            each = " ".join("%.0f/%.0f" % (s[0] * 1e3, s[1] * 1e3) for s in splits)
            print("  process %d, %d threads: %.0f ms on CPU 0, %.0f on CPU 1; each (CPU 0/1): %s"
                  % (pid, len(splits), cpu0, cpu1, each))


if __name__ == "__main__":
    main()
