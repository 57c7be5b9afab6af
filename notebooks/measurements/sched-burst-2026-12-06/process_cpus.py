"""Which CPU each worker process's pool threads ran on, from `perf sched` records.

For each record (a `perf script -F comm,pid,tid,cpu,time,event,trace` text, gzipped), reads
the threads' runs and the worker processes' pool threads as `harness/sched_idle.py` does, and
prints per worker process each pool thread's ms on CPU 0 / CPU 1 and the share of the pool's
time on the CPU where most of it ran. A burst's two worker processes show whether each one's
threads share one CPU or spread over both.
"""
import argparse
import gzip
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../harness"))
import sched_idle  # noqa: E402  (its readers of a record's runs and pool threads)


def pool_cpu_splits(lines):
    """{process: [[ms on CPU 0, ms on CPU 1] per pool thread]} of a record's worker processes."""
    runs, _wakes, tgid_of = sched_idle.runs_and_wakes(sched_idle.read_events(lines))
    splits = defaultdict(list)
    for tid, process in sorted(sched_idle.worker_pools(runs, tgid_of).items()):
        split = [0.0, 0.0]
        for start, end, cpu in runs[tid]:
            if cpu < 2:
                split[cpu] += (end - start) * 1e3
        splits[process].append(split)
    return splits


def main_cpu_share(splits):
    """The share of a pool's time on the CPU where most of it ran."""
    per_cpu = [sum(s[i] for s in splits) for i in (0, 1)]
    return max(per_cpu) / sum(per_cpu)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("records", nargs="+", help="sched.txt.gz files")
    args = p.parse_args(argv)
    for path in args.records:
        print(path)
        with gzip.open(path, "rt") as f:
            splits = pool_cpu_splits(f)
        for process, threads in splits.items():
            each = ", ".join("%.0f/%.0f" % (a, b) for a, b in threads)
            print("  process %d: %d pool threads, %.2f of their time on one CPU; each (CPU 0/1): %s"
                  % (process, len(threads), main_cpu_share(threads), each))


if __name__ == "__main__":
    main()
