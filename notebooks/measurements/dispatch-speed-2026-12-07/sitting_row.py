"""One row of worker_cpu_rounds.sh: the sitting's probes (from FOLDER's harness_log.json and
measured.json) and the medians of worker_cpu.py's table (stdin). Stdlib only."""

import json
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness"))
from replay_median import figure_of, probe_median  # noqa: E402

IDLE_DISPATCH_CPU = ("speed", "dispatch_probe", "idle_dispatch_cpu_us")


def sitting(folder):
    """The calibration, and the medians of the Python probe and of the idle dispatch probe's
    workers' CPU per probe (`def` cases), over the folder's kept repetitions."""
    load = lambda name: json.load(open(os.path.join(folder, name)))
    log = load("harness_log.json")
    cases = {c["name"]: c for c in load("cases.json")["cases"]}
    dispatch_cpu = [figure_of(rep["attempts"][rep.get("kept_attempt", 0)], IDLE_DISPATCH_CPU)
                    for name, entry in log["cases"].items() for rep in entry["reps"]
                    if not cases[name]["body"]["kind"].startswith("async")]
    dispatch_cpu = [cpu for cpu in dispatch_cpu if cpu]
    python = probe_median(log)
    return (load("measured.json")["machine"]["calibration"]["iters_per_ms"],
            round(python) if python else None,
            round(statistics.median(dispatch_cpu)) if dispatch_cpu else None)


def outside_bodies(lines):
    """Medians over the Poisson cases of worker_cpu.py's machine and sim figures, by style."""
    by_style = {"def": [], "async def": []}
    for line in lines:
        parts = line.split()
        if len(parts) < 4 or "poisson" not in parts[0] or "machine" not in parts:
            continue
        cut = parts.index("machine")
        sim = statistics.median(float(x) for x in parts[2:cut])
        machine = statistics.median(float(x) for x in parts[cut + 1:])
        by_style["async def" if "_acpu" in parts[0] else "def"].append((machine, sim))
    return {style: (statistics.median(m for m, _ in pairs), statistics.median(s for _, s in pairs))
            for style, pairs in by_style.items() if pairs}


def main():
    folder = sys.argv[1]
    calibration, python, dispatch_cpu = sitting(folder)
    figures = outside_bodies(sys.stdin)
    cells = " | ".join(f"{style}: machine {m:.0f}, sim {s:.0f}"
                       for style, (m, s) in figures.items())
    print(f"{folder}: calibration {calibration:.0f}, Python probe {python} us, idle dispatch probe "
          f"CPU (def) {dispatch_cpu} us | outside the bodies under load, {cells}")


if __name__ == "__main__":
    main()
