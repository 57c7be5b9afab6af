"""Smoke test of the GIL-throughput probe (stdlib unittest, a few seconds)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gil_throughput  # noqa: E402


class GilThroughputProbe(unittest.TestCase):
    def test_every_condition_is_measured(self):
        results = gil_throughput.run(seconds=0.2, threads=(1, 2))
        others = max(1, os.cpu_count() or 1) - 1
        self.assertEqual(len(results), 2 * (others + 1) + others)
        for r in results.values():
            # One interpreter: its threads together never use more than one core's time.
            self.assertGreater(r["gil_use"], 0.0)
            self.assertLess(r["gil_use"], 1.05)
            self.assertEqual(r["forced_switches_expected"] > 0, r["threads"] > 1)


if __name__ == "__main__":
    unittest.main()
