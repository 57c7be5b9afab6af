"""Tests of cpu_parts.py on a tiny synthetic folder and rows (stdlib unittest)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import cpu_parts  # noqa: E402
from test_body_parts import make_folder_and_rows, write as write_csv  # noqa: E402

COLUMNS = ["rep", "id", "worker", "arrival_ms", "start_ms", "inner_start_ms", "inner_end_ms",
           "end_ms"]


def write(path, rows):
    write_csv(path, COLUMNS, rows)


class CpuPartsTest(unittest.TestCase):
    def setUp(self):
        make_folder_and_rows(self, {"cases": [
            {"name": "sleepy", "body": {"kind": "mixed", "cpu_ms": 10, "io_ms": 5}},
            {"name": "plain", "body": {"kind": "sync_cpu", "d_ms": 10}}]})
        # Two parts of process 0 overlap for 5 ms; process 1's part overlaps them in time
        # only; a body that never reached its sleep is left out.
        write(os.path.join(self.folder, "invocations", "sleepy.csv"),
              [[0, 0, 0, 0, 0, 10, 15, 16], [0, 1, 0, 1, 5, 15, 20, 21],
               [0, 2, 1, 2, 5, 15, 20, 21], [0, 3, 0, 20, 20, "", "", ""]])
        # sim runs process 0's two parts one after the other.
        write(os.path.join(self.rows, "sleepy.csv"),
              [[0, 0, 0, 0, 0, 10, 15, 16], [0, 1, 0, 1, 10, 20, 25, 26]])
        write(os.path.join(self.folder, "invocations", "plain.csv"), [])
        write(os.path.join(self.rows, "plain.csv"), [])

    def tearDown(self):
        self.tmp.cleanup()

    def test_parts_of_one_process_that_overlap_run_at_once(self):
        lines = cpu_parts.report(self.folder, self.rows)
        self.assertEqual(len(lines), 2, "a header and the one CPU-then-sleep case")
        values = [float(v) for v in lines[1][36:].replace("|", " ").split()]
        # machine: unions 15 + 10 over 3 parts; parts of 10; 30 / 25 at once; the lone part is
        # process 1's. sim: a union of 20 over 2 parts, one at a time, both alone.
        self.assertEqual([round(v, 2) for v in values],
                         [8.33, 10.0, 1.2, 10.0, 10.0, 10.0, 1.0, 10.0])

    def test_the_union_merges_overlapping_spans_only(self):
        self.assertEqual(cpu_parts.union_ms([(0, 10), (5, 15), (20, 22)]), 17.0)
        self.assertEqual(cpu_parts.union_ms([]), 0.0)

    def test_a_lone_part_is_one_no_other_overlaps(self):
        # (0, 10) reaches past (5, 6)'s start; (10, 12) only touches (0, 10)'s end.
        self.assertEqual(cpu_parts.lone_parts([(10, 12), (0, 10), (5, 6), (20, 21)]),
                         [2, 1])

    def test_no_parts_no_figures(self):
        self.assertIsNone(cpu_parts.sharing([{"start_ms": "0", "end_ms": "5"}]))


if __name__ == "__main__":
    unittest.main()
