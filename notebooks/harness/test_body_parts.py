"""Tests of body_parts.py on a tiny synthetic folder and rows (stdlib unittest)."""

import csv
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import body_parts  # noqa: E402

CASES = {"cases": [
    {"name": "mixed", "body": {"kind": "mixed", "cpu_ms": 10, "io_ms": 5}},
    {"name": "plain", "body": {"kind": "sync_cpu", "d_ms": 20}},
    {"name": "legs", "body": {"kind": "sync_cpu", "d_ms": 20}},
    {"name": "loop", "body": {"kind": "sync_cpu", "d_ms": 20}},
    {"name": "sleepy", "body": {"kind": "mixed", "cpu_ms": 10, "io_ms": 5}},
]}


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def make_folder_and_rows(test, cases):
    """Gives `test` a temporary measurement folder with `cases` (`test.folder`, its
    invocations still to write) and an empty rows folder (`test.rows`)."""
    test.tmp = tempfile.TemporaryDirectory()
    test.folder = os.path.join(test.tmp.name, "m")
    test.rows = os.path.join(test.tmp.name, "r")
    os.makedirs(os.path.join(test.folder, "invocations"))
    os.makedirs(test.rows)
    with open(os.path.join(test.folder, "cases.json"), "w") as f:
        json.dump(cases, f)


class BodyPartsTest(unittest.TestCase):
    def setUp(self):
        make_folder_and_rows(self, CASES)
        write(os.path.join(self.folder, "invocations", "mixed.csv"),
              ["rep", "id", "start_ms", "end_ms", "cpu_ms", "rq_wait_ms"],
              [[0, 0, 0, 22, 10.0, 3.0], [0, 1, 10, 34, 10.0, 5.0], [0, 2, 40, "", "", ""]])
        write(os.path.join(self.folder, "invocations", "plain.csv"),
              ["rep", "id", "start_ms", "end_ms", "cpu_ms"], [[0, 0, 0, 25, 20.0]])
        write(os.path.join(self.rows, "mixed.csv"),
              ["rep", "id", "start_ms", "end_ms", "gil_wait_ms"],
              [[0, 0, 0, 20, 2.0], [0, 1, 5, 27, 4.0]])
        write(os.path.join(self.folder, "invocations", "legs.csv"),
              ["rep", "id", "arrival_ms", "rx_ms", "start_ms", "end_ms", "cpu_ms"],
              [[0, 0, 0, 2, 5, 25, 20.0], [0, 1, 10, 14, 20, 40, 20.0]])
        write(os.path.join(self.rows, "legs.csv"),
              ["rep", "id", "arrival_ms", "rx_ms", "start_ms", "end_ms", "gil_wait_ms"],
              [[0, 0, 0, 1, 3, 23, 0.0], [0, 1, 10, 13, 18, 38, 0.0]])
        write(os.path.join(self.folder, "invocations", "loop.csv"),
              ["rep", "id", "arrival_ms", "rx_ms", "dp_ms", "start_ms", "end_ms", "cpu_ms"],
              [[0, 0, 0, 2, 3, 5, 25, 20.0], [0, 1, 10, 14, 18, 20, 40, 20.0]])
        write(os.path.join(self.rows, "loop.csv"),
              ["rep", "id", "arrival_ms", "rx_ms", "dp_ms", "start_ms", "end_ms",
               "gil_wait_ms"],
              [[0, 0, 0, 1, 2, 3, 23, 0.0], [0, 1, 10, 13, 14, 18, 38, 0.0]])

    def tearDown(self):
        self.tmp.cleanup()

    def test_each_side_splits_the_wall_time_besides_the_sleep(self):
        lines = body_parts.report(self.folder, self.rows)
        self.assertEqual(lines[2], "", "a header and the one case with both readings")
        values = [float(v) for v in lines[1].split()[1:] if v != "|"]
        # machine: wall 23, cpu 10, run queue 4, off 23 - 10 - 4 - 5 = 4
        # sim: wall 21, cpu 10, sharing 21 - 10 - 3 - 5 = 3, GIL wait 3
        self.assertEqual(values, [23.0, 10.0, 4.0, 4.0, 21.0, 10.0, 3.0, 3.0])

    def test_the_request_s_two_legs_where_both_have_the_receiver_s_point(self):
        lines = body_parts.report(self.folder, self.rows)
        self.assertEqual(lines[2], "")
        self.assertTrue(lines[4].startswith("legs"), lines)
        values = [float(v) for v in lines[4].split()[1:] if v != "|"]
        # machine: arrival->rx (2 + 4) / 2, rx->start (3 + 6) / 2; sim: 2 and 3.5
        self.assertEqual(values, [3.0, 4.5, 2.0, 3.5])

    def test_the_second_leg_split_at_the_loop_where_both_have_its_point(self):
        lines = body_parts.report(self.folder, self.rows)
        self.assertEqual(lines[-3], "")
        self.assertTrue(lines[-1].startswith("loop"), lines)
        values = [float(v) for v in lines[-1].split()[1:] if v != "|"]
        # machine: rx->dp (1 + 4) / 2, dp->start (2 + 2) / 2; sim: 1 and 2.5
        self.assertEqual(values, [2.5, 2.0, 1.0, 2.5])

    def test_a_cpu_then_sleep_body_split_at_its_sleep(self):
        cols = ["rep", "id", "arrival_ms", "start_ms", "inner_start_ms", "inner_end_ms",
                "end_ms"]
        write(os.path.join(self.folder, "invocations", "sleepy.csv"), cols,
              [[0, 0, 0, 4, 18, 25, 26], [0, 1, 10, 12, 24, 32, 32]])
        write(os.path.join(self.rows, "sleepy.csv"), cols + ["gil_wait_ms"],
              [[0, 0, 0, 1, 12, 18, 18, 0.0], [0, 1, 10, 11, 22, 28, 28, 0.0]])
        lines = body_parts.report(self.folder, self.rows)
        self.assertEqual(lines[-2], body_parts.legs_header(body_parts.LEG_TABLES[-1]))
        self.assertTrue(lines[-1].startswith("sleepy"), lines)
        values = [float(v) for v in lines[-1][36:].replace("|", " ").split()]
        self.assertEqual(values, [3.0, 13.0, 7.5, 0.5, 1.0, 11.0, 6.0, 0.0])

    def test_rows_without_the_counters_give_no_line(self):
        self.assertIsNone(body_parts.machine_parts(
            [{"start_ms": "0", "end_ms": "25", "cpu_ms": "20"}], CASES["cases"][1]))
        self.assertIsNone(body_parts.sim_parts(
            [{"start_ms": "0", "end_ms": "25"}], CASES["cases"][1]))


if __name__ == "__main__":
    unittest.main()
