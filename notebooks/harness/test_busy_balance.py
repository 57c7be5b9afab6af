"""Tests of busy_balance.py's arithmetic on made-up samples (no processes started)."""

import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import busy_balance as bb  # noqa: E402


class BusyBalanceTest(unittest.TestCase):
    def test_a_change_of_cpu_between_samples_is_a_migration(self):
        samples = [(0.0, [0, 0, 1]), (0.1, [0, 1, 1]), (0.2, [0, 1, 1]), (0.35, [1, 1, 1])]
        self.assertEqual(bb.migrations(samples), [(0.1, 1), (0.35, 0)])

    def test_gaps_are_between_successive_migrations_in_ms(self):
        gaps = bb.gaps_ms([(0.1, 1), (0.25, 0), (0.4, 2)])
        self.assertEqual([round(g, 6) for g in gaps], [150.0, 150.0])

    def test_window_shares_divide_cpu_time_by_the_window(self):
        readings = [(0.0, [0, 0]), (0.1, [100_000_000, 50_000_000]),
                    (0.2, [150_000_000, 150_000_000])]
        shares = bb.window_shares(readings, 0.1)
        self.assertEqual([[round(s, 6) for s in w] for w in shares], [[1.0, 0.5], [0.5, 1.0]])

    def test_quantiles_need_two_values(self):
        self.assertEqual(bb.quantiles([5.0]), (None, None, None))
        self.assertEqual(bb.quantiles([float(i) for i in range(10)]), (1.0, 5.0, 9.0))

    def test_the_report_pools_every_trial_s_gaps(self):
        trial = {"migrations": 3, "gaps_ms": [140.0, 160.0], "shares": [0.66, 0.67, 0.67],
                 "window_shares": [[1.0, 0.5, 0.5], [0.5, 1.0, 0.5]]}
        out = io.StringIO()
        bb.report([trial, trial], 0.1, out)
        self.assertIn("pooled: 4 gaps, mean 150.0 ms", out.getvalue())


if __name__ == "__main__":
    unittest.main()
