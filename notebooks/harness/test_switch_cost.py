"""Tests of switch_cost.py's arithmetic (stdlib unittest; the probe itself needs Linux)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import switch_cost  # noqa: E402


class SwitchCostTest(unittest.TestCase):
    def test_the_cost_is_what_is_left_after_the_clean_time_and_the_disturbers_work(self):
        clean = [(1.00, 0, 1.00), (1.02, 1, 1.02), (0.98, 0, 0.98)]
        # 1000 preemptions: 0.05 s of the disturber's CPU and 0.01 s more of the loop's own.
        disturbed = [(1.06, 1000, 0.05, 1.01)]
        by_wall, by_own = switch_cost.cost_per_preemption(clean, disturbed)
        self.assertAlmostEqual(by_wall[0], 10.0, places=6)
        self.assertAlmostEqual(by_own[0], 10.0, places=6)

    def test_a_trial_without_preemptions_is_left_out(self):
        self.assertEqual(switch_cost.cost_per_preemption([(1.0, 0, 1.0)],
                                                         [(1.0, 0, 0.0, 1.0)]), ([], []))

    @unittest.skipUnless(os.path.exists("/proc/thread-self/status"), "Linux only")
    def test_involuntary_switches_are_read_from_proc(self):
        self.assertGreaterEqual(switch_cost.involuntary_switches(), 0)


if __name__ == "__main__":
    unittest.main()
