"""sim's side of a burst's `perf sched` reading: where its GIL hand-overs ran and how much of
the cores idled while a thread waited, over every simulated run of one case.

Reads the `<case>.summaries.json` that `sim validate FOLDER --only CASE --reps N --rows DIR`
writes, and prints the hand-overs' shares (`gil_handovers`: the waker's CPU, beside another
running thread, an idle CPU) pooled over the runs, the median and range of
`cpu_idle_while_waiting`, and the medians of `cpu_stalls` (how many stretches a second the
cores idled while a thread waited, and their mean length), to set beside `sched_idle.py`'s
lines for the machine. `--rep N` keeps the runs of one recorded repetition (a Poisson case).
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


def stall_medians(summaries):
    """The runs' median stalls a second and median mean stall length (ms)."""
    rates = sorted(run["summary"]["cpu_stalls"]["per_s"] for run in summaries)
    means = sorted(run["summary"]["cpu_stalls"]["mean_ms"] for run in summaries)
    return rates[len(rates) // 2], means[len(means) // 2]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("summaries", help="<case>.summaries.json from sim validate --rows")
    p.add_argument("--rep", type=int, help="only the runs of this recorded repetition")
    args = p.parse_args(argv)
    with open(args.summaries) as f:
        runs = [r for r in json.load(f) if args.rep is None or r["rep"] == args.rep]
    counts, idle = shares(runs)
    total = sum(counts.values())
    print("%d runs, %.1f hand-overs a run" % (len(runs), total / len(runs)))
    for k, n in counts.items():
        if total:
            print("  %-10s %5d (%.0f%%)" % (k, n, 100.0 * n / total))
    print("cores idle while a thread waited: median %.1f%% [%.1f..%.1f]"
          % (100 * idle[len(idle) // 2], 100 * idle[0], 100 * idle[-1]))
    rate, mean = stall_medians(runs)
    print("  in stretches: a median of %.0f a second, of a median mean %.2f ms" % (rate, mean))


if __name__ == "__main__":
    main()
