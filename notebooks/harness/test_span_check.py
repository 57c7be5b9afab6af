"""Tests of span_check.py (stdlib unittest)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import span_check  # noqa: E402


def check(case, metric, measured, simulated, ok):
    return {"case": case, "metric": metric, "measured": measured, "simulated": simulated,
            "pass": ok}


class SpanTest(unittest.TestCase):
    def test_a_miss_inside_the_span_of_both_measurements_counts_there(self):
        a = [check("c#0", "lat_mean_ms", 100.0, 80.0, False),
             check("c#1", "lat_mean_ms", 100.0, 60.0, False),
             check("c#2", "lat_mean_ms", 100.0, 101.0, True),
             check("c", "max_concurrency", 2, 3, False)]
        b = [check("c#0", "lat_mean_ms", 85.0, 0, True),
             check("c#1", "lat_mean_ms", 90.0, 0, True),
             check("c#2", "lat_mean_ms", 100.0, 0, True),
             check("c", "max_concurrency", 2, 0, True)]
        # 80 is within 10% of the span 85..100; 60 is not; max concurrency is not judged.
        self.assertEqual(span_check.span_counts(a, b), (3, 1, 2))


if __name__ == "__main__":
    unittest.main()
