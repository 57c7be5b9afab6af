"""Tests of repeat_bounds.py (stdlib unittest)."""

import contextlib
import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import repeat_bounds  # noqa: E402


def stat(reps):
    return {"median": sorted(reps)[len(reps) // 2], "min": min(reps), "max": max(reps),
            "reps": reps}


class MidpointTest(unittest.TestCase):
    def test_every_repetition_is_the_mean_of_both_measurements(self):
        a = {"measured": {"c": {"lat_mean_ms": stat([10.0, 20.0, 30.0])}}}
        b = {"machine": {"cpu_count": 2},
             "measured": {"c": {"lat_mean_ms": stat([20.0, 20.0, 60.0]),
                                "per_process_counts": {"reps": [{"0": 3}]}}}}
        mid = repeat_bounds.midpoint(a, b)
        self.assertEqual(mid["measured"]["c"]["lat_mean_ms"],
                         {"median": 20.0, "min": 15.0, "max": 45.0, "reps": [15.0, 20.0, 45.0]})
        self.assertEqual(mid["measured"]["c"]["per_process_counts"], {"reps": [{"0": 3}]},
                         "counts are not averaged")
        self.assertEqual(mid["machine"], {"cpu_count": 2})

    def test_pairs_are_required(self):
        with self.assertRaises(SystemExit), contextlib.redirect_stderr(io.StringIO()):
            repeat_bounds.main(["only-one-folder"])


if __name__ == "__main__":
    unittest.main()
