#!/usr/bin/env python3
"""Arrival to body start, by how many requests of the same process were waiting (arrived, not
started) at the arrival, for the machine's invocations and sim's of the same case.

    sim validate CASE_DIR --rows ROWS
    python3 start_wait.py CASE_DIR ROWS

CASE_DIR is a folder of `sim validate` (its `invocations/*.csv`, the harness's columns); ROWS
holds sim's rows of the same cases (`--rows`). Mean ms per count (3 or more together).
Stdlib only.
"""
import collections
import csv
import glob
import os
import statistics
import sys


def waits_by_queue(rows):
    """{requests waiting at the arrival (3 = 3 or more): [start - arrival, ms]}."""
    by_worker = collections.defaultdict(list)
    for r in rows:
        by_worker[(r["rep"], r["worker"])].append(
            (float(r["arrival_ms"]), float(r["start_ms"])))
    out = collections.defaultdict(list)
    for invs in by_worker.values():
        for a, s in invs:
            waiting = sum(1 for a2, s2 in invs if a2 < a < s2)
            out[min(waiting, 3)].append(s - a)
    return out


def rows_of(folder):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*.csv"))):
        rows += list(csv.DictReader(open(path)))
    return rows


def main(case_dir, sim_rows):
    for label, rows in (("the machine", rows_of(os.path.join(case_dir, "invocations"))),
                        ("sim", rows_of(sim_rows))):
        table = waits_by_queue(rows)
        print("%-12s " % label + "  ".join(
            "%d waiting: n=%d mean %.1f ms" % (k, len(v), statistics.mean(v))
            for k, v in sorted(table.items())))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
