"""Smoke test of the wake-up latency probe (stdlib unittest, about two seconds)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wake_latency  # noqa: E402


class WakeLatencyProbe(unittest.TestCase):
    def test_summary_is_median_and_p90_in_microseconds(self):
        s = wake_latency.summarise([1e-6 * x for x in range(1, 11)])
        self.assertEqual(s, {"n": 10, "p50_us": 5.5, "p90_us": 10.0})

    def test_every_condition_is_measured_and_positive(self):
        results = wake_latency.run(wakes=3, idle_ms=(0.2,))
        self.assertEqual(len(results), (os.cpu_count() or 1) + 1)
        for value in results.values():
            self.assertEqual(value["n"], 3)
            self.assertGreater(value["p50_us"], 0.0)
            self.assertLess(value["p50_us"], 1e6)


if __name__ == "__main__":
    unittest.main()
