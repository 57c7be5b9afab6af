#!/usr/bin/env python3
"""A diagnostic, not a model: what sim's mean latencies would be if its workers used the CPU the
machine's did outside the bodies.

    python3 extra_cpu_diagnostic.py ROUND_FOLDER OUT_FOLDER
    python3 ../../harness/class_bias.py --sim SIM --seeds 25 OUT_FOLDER

Copies ROUND_FOLDER/median to OUT_FOLDER and raises each repetition's
`host_cpu_us_per_invocation` in harness_log.json by the machine's workers' CPU per invocation
outside the bodies less sim's (the median of sim's runs), as ROUND_FOLDER/worker-cpu.txt lists
them (`worker_cpu.py`); never lowers it. sim runs the host's CPU on the instance's cores beside
the workers, so the copy has the machine's extra CPU on the cores, though not on the workers'
threads. Stdlib only.
"""

import json
import os
import re
import shutil
import statistics
import sys

LINE = re.compile(r"\s+(\S+)\s+sim ([\d ]+) machine ([\d ]+)")


def gaps(worker_cpu_txt):
    """{case: [machine - sim median, per machine repetition]} from a worker-cpu.txt."""
    out = {}
    with open(worker_cpu_txt) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                sim = statistics.median(map(float, m[2].split()))
                out[m[1]] = [float(x) - sim for x in m[3].split()]
    return out


def main(argv=None):
    round_folder, out = (argv or sys.argv[1:])[:2]
    extra = gaps(os.path.join(round_folder, "worker-cpu.txt"))
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(os.path.join(round_folder, "median"), out)
    path = os.path.join(out, "harness_log.json")
    with open(path) as f:
        log = json.load(f)
    for name, case in log["cases"].items():
        for rep in case["reps"]:
            add = extra.get(name, [])
            if rep["rep"] < len(add):
                kept = rep["attempts"][rep["kept_attempt"]]
                kept["host_cpu_us_per_invocation"] = round(
                    kept["host_cpu_us_per_invocation"] + max(0.0, add[rep["rep"]]), 1)
    with open(path, "w") as f:
        json.dump(log, f)


if __name__ == "__main__":
    main()
