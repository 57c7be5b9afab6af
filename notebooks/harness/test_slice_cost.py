"""Tests of slice_cost.py's arithmetic (stdlib unittest; the probe itself needs Linux)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import slice_cost  # noqa: E402


class SliceCostTest(unittest.TestCase):
    def test_the_cost_is_the_shared_wall_time_beyond_the_loops_run_one_after_another(self):
        clean = [(1.00, 2, 1.00), (1.02, 1, 1.02), (0.98, 3, 0.98)]
        # Two loops sharing the CPU, 500 switches: 0.01 s of wall and 0.005 s of their own CPU
        # beyond twice the clean loop.
        shared = [(2.01, 500, 2.005)]
        by_wall, by_own = slice_cost.cost_per_switch(clean, shared, 2)
        self.assertAlmostEqual(by_wall[0], 20.0, places=6)
        self.assertAlmostEqual(by_own[0], 10.0, places=6)

    def test_a_trial_without_switches_is_left_out(self):
        self.assertEqual(slice_cost.cost_per_switch([(1.0, 0, 1.0)], [(2.0, 0, 2.0)], 2),
                         ([], []))


if __name__ == "__main__":
    unittest.main()
