#!/usr/bin/env python3
"""sim's side of `handover_shares.py`: P processes of N spinning threads on 2 cores, the GIL's
hand-over shares and holds of each process, from sim's thread_states.csv.

    python3 sim_holds.py SIM [--threads N ...]

For each N, sim runs one process of N threads (as `handover_shares.py` alone) and two
(as `--beside`), each thread a 4 s CPU-bound body, and records what every thread did over the
first 3 s. Over 0.2-3 s the pool threads' Python stretches of each process give its sequence of
GIL holders, read as `handover_shares.shares` and `holds_ms` read the VM's, with the share of
the CPUs' time the run left idle while threads waited (`summary.json`'s
`cpu_idle_while_waiting`). One JSON line per process and run. Stdlib only.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "harness"))
import handover_shares  # noqa: E402

EXPERIMENT = """Experiment(
    name: "spin", seed: 1,
    host: Host(cores: 2.0, processes: {p}, threads: {n}, python: "3.11"),
    functions: [FunctionUse(
        function: Inline(Function(name: "spin", kind: Sync, body: [Cpu(Constant(4000.0))])),
        workload: Burst(n: {bodies}),
    )],
    output: Output(thread_states: (from_s: 0, to_s: 3)),
)
"""


def holders(states_csv, process):
    """The GIL holders of `process`'s pool threads in turn after 200 ms, and when each took it
    (s)."""
    spans = []
    with open(states_csv) as f:
        for r in csv.DictReader(f):
            if (r["process"] == str(process) and r["state"] == "python"
                    and r["thread"].startswith("pool") and float(r["start_ms"]) > 200):
                spans.append((float(r["start_ms"]), r["thread"]))
    seq, times = [], []
    for start, thread in sorted(spans):
        if not seq or seq[-1] != thread:
            seq.append(thread)
            times.append(start / 1e3)
    return seq, times


def run(sim, processes, n):
    """One JSON-ready dict per process of sim's run of `processes` x `n` spinning threads."""
    with tempfile.TemporaryDirectory() as tmp:
        exp = os.path.join(tmp, "spin.ron")
        with open(exp, "w") as f:
            f.write(EXPERIMENT.format(p=processes, n=n, bodies=processes * n))
        out = os.path.join(tmp, "out")
        subprocess.run([sim, "run", exp, "--out", out, "--quiet"], check=True)
        with open(os.path.join(out, "summary.json")) as f:
            idle = json.load(f).get("cpu_idle_while_waiting")
        rows = []
        for process in range(processes):
            seq, times = holders(os.path.join(out, "thread_states.csv"), process)
            ids = {t: i for i, t in enumerate(sorted(set(seq)))}
            total, prev, longest = handover_shares.shares([ids[t] for t in seq], n)
            rows.append({
                "threads": n, "processes": processes, "process": process,
                "handovers": total,
                "previous_holder": round(prev / max(total, 1), 3),
                "longest_waiter": round(longest / max(total, 1), 3),
                "uniform": round(1 / (n - 1), 3),
                "hold_ms_p10_p50_p90": handover_shares.holds_ms(times),
                "cpu_idle_while_waiting": idle,
            })
        return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sim")
    ap.add_argument("--threads", type=int, nargs="+", default=[3, 6, 8])
    args = ap.parse_args(argv)
    for processes in (1, 2):
        for n in args.threads:
            for row in run(args.sim, processes, n):
                print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
