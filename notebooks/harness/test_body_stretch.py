"""Tests of body_stretch.py (stdlib unittest)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import body_stretch  # noqa: E402


class BodyStretchTest(unittest.TestCase):
    def test_a_row_s_own_cpu_time_is_used_before_the_case_s(self):
        rows = [{"rep": "0", "start_ms": "0", "end_ms": "40", "cpu_ms": "20"},
                {"rep": "0", "start_ms": "5", "end_ms": "25", "cpu_ms": ""},
                {"rep": "1", "start_ms": "", "end_ms": "", "cpu_ms": ""}]
        self.assertEqual(body_stretch.stretches_by_rep(rows, 10.0), {"0": [2.0, 2.0]})
        self.assertEqual(body_stretch.stretches_by_rep(rows), {"0": [2.0]})

    def test_the_summary_counts_bodies_near_full_and_half_speed(self):
        s = body_stretch.summary([1.0, 1.1, 1.5, 1.9, 2.0])
        self.assertEqual((s["n"], s["p50"], s["max"]), (5, 1.5, 2.0))
        self.assertAlmostEqual(s["full_speed"], 0.4)
        self.assertAlmostEqual(s["half_speed"], 0.4)

    def test_only_a_queued_request_s_gap_after_the_body_before_it_counts(self):
        rows = [{"rep": "0", "id": "1", "arrival_ms": "5", "start_ms": "20.5", "end_ms": "40"},
                {"rep": "0", "id": "0", "arrival_ms": "0", "start_ms": "0", "end_ms": "20"},
                {"rep": "0", "id": "2", "arrival_ms": "50", "start_ms": "50.5", "end_ms": "60"}]
        # id 1 arrived during id 0's body and started 0.5 ms after its end; id 2 arrived after
        # id 1 ended, so its start is not a hand-on.
        self.assertEqual(body_stretch.queued_gaps_by_rep(rows), {"0": [0.5]})
        self.assertEqual(sorted(body_stretch.walls_by_rep(rows)["0"]), [9.5, 19.5, 20.0])


if __name__ == "__main__":
    unittest.main()
