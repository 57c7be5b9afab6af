#!/usr/bin/env python3
"""How a process's CPU-then-sleep bodies share its GIL, sim against the machine, per case.

    sim validate FOLDER --rows ROWS
    python3 cpu_parts.py FOLDER ROWS

A CPU-then-sleep body's CPU part runs from its start to its sleep (`start_ms` to
`inner_start_ms`, both of which the harness and sim always record). Per case, over the finished
bodies, each side's:
- busy: how long some CPU part of the body's process is under way, per invocation (the union
  of the process's CPU parts in each repetition, over the invocations): the time the GIL is
  spoken for by CPU parts;
- part: the mean CPU part;
- at once: the CPU parts under way at the same time while any is, on average (the sum of the
  parts over their union);
- alone: the mean CPU part of the bodies that no other CPU part of their process overlapped.
With the same busy time, more parts at once means the GIL went round the parts more (closer to
processor sharing) rather than finishing them one after another, and each part lasts longer.
Stdlib only.
"""

import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from body_parts import folder_and_rows_cli, read_rows  # noqa: E402


def cpu_part(row):
    """(start, end) of the row's CPU part, ms; None unless its body ran to its sleep."""
    if not (row.get("start_ms") and row.get("inner_start_ms") and row.get("end_ms")):
        return None
    return float(row["start_ms"]), float(row["inner_start_ms"])


def union_ms(spans):
    """The total length of the union of (start, end) spans."""
    total, reach = 0.0, None
    for start, end in sorted(spans):
        if reach is None or start > reach[1]:
            total += reach[1] - reach[0] if reach else 0.0
            reach = [start, end]
        else:
            reach[1] = max(reach[1], end)
    return total + (reach[1] - reach[0] if reach else 0.0)


def lone_parts(spans):
    """The lengths of the spans no other span overlaps for a positive time: in start order, one
    whose start no earlier span reaches past and whose end the next one starts after."""
    spans = sorted(spans)
    out, reach = [], float("-inf")
    for i, (start, end) in enumerate(spans):
        next_start = spans[i + 1][0] if i + 1 < len(spans) else float("inf")
        if reach <= start and next_start >= end:
            out.append(end - start)
        reach = max(reach, end)
    return out


def by_process(rows):
    """The CPU parts of `rows`, grouped per repetition and process (`worker`)."""
    groups = {}
    for r in rows:
        span = cpu_part(r)
        if span:
            groups.setdefault((r.get("rep"), r.get("worker")), []).append(span)
    return list(groups.values())


def sharing(rows):
    """(busy per invocation, mean part, parts at once, mean lone part) in ms; None without
    CPU parts. The lone part is None when every part had company."""
    groups = by_process(rows)
    parts = [s for g in groups for s in g]
    if not parts:
        return None
    busy = sum(union_ms(g) for g in groups)
    length = sum(e - s for s, e in parts)
    lone = [length for g in groups for length in lone_parts(g)]
    return (busy / len(parts), length / len(parts), length / busy if busy else 0.0,
            statistics.fmean(lone) if lone else None)


def cells(values):
    """A side's four columns."""
    busy, part, at_once, lone = values
    alone = "%6.2f" % lone if lone is not None else "     -"
    return "%6.2f %6.2f %5.2f %s" % (busy, part, at_once, alone)


def report(folder, rows_dir):
    """A header and one line per CPU-then-sleep case with both readings."""
    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)["cases"]
    columns = "busy   part  at once alone"
    lines = ["%-36s machine: %s | sim: %s" % ("case (ms)", columns, columns)]
    for name in (c["name"] for c in cases if c["body"].get("kind") == "mixed"):
        both = [sharing(read_rows(os.path.join(d, name + ".csv")))
                for d in (os.path.join(folder, "invocations"), rows_dir)]
        if all(both):
            lines.append("%-36s %s | %s" % (name[:36], cells(both[0]), cells(both[1])))
    return lines


def main(argv=None):
    folder_and_rows_cli(report, __doc__, argv)


if __name__ == "__main__":
    main()
