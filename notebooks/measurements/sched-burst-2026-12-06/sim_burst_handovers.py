"""sim's side of a burst's `perf sched` reading: where its GIL hand-overs ran and how much of
the cores idled while a thread waited, over every simulated run of one case.

Reads the `<case>.summaries.json` that `sim validate FOLDER --only CASE --reps N --rows DIR`
writes, and prints the hand-overs' shares (`gil_handovers`: the waker's CPU, beside another
running thread, an idle CPU) pooled over the runs, and the median and range of
`cpu_idle_while_waiting`, to set beside `sched_idle.py`'s lines for the machine.
"""
import argparse
import json


def shares(summaries):
    """The pooled hand-over counts by where they ran, and the runs' idle-while-waiting."""
    counts = {"waker_cpu": 0, "busy_cpu": 0, "idle_cpu": 0}
    idle = []
    for run in summaries:
        s = run["summary"]
        for k in counts:
            counts[k] += s["gil_handovers"][k]
        idle.append(s["cpu_idle_while_waiting"])
    return counts, sorted(idle)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("summaries", help="<case>.summaries.json from sim validate --rows")
    args = p.parse_args(argv)
    with open(args.summaries) as f:
        runs = json.load(f)
    counts, idle = shares(runs)
    total = sum(counts.values())
    print("%d runs, %.1f hand-overs a run" % (len(runs), total / len(runs)))
    for k, n in counts.items():
        print("  %-10s %5d (%.0f%%)" % (k, n, 100.0 * n / total))
    print("cores idle while a thread waited: median %.1f%% [%.1f..%.1f]"
          % (100 * idle[len(idle) // 2], 100 * idle[0], 100 * idle[-1]))


if __name__ == "__main__":
    main()
