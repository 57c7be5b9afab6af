"""Tests of compare.py's per-repetition comparison (stdlib unittest)."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import compare  # noqa: E402


def metric(reps):
    return {"median": sorted(reps)[len(reps) // 2], "min": min(reps), "max": max(reps),
            "reps": reps}


class PerRepTest(unittest.TestCase):
    def test_poisson_cases_are_judged_repetition_by_repetition(self):
        ours = {"p": {"lat_mean_ms": metric([100.0, 120.0, 50.0])}}
        theirs = {"p": {"lat_mean_ms": metric([105.0, 100.0, 50.0])}}
        rows = list(compare.compare_per_rep(ours, theirs, ["lat_mean_ms"], {"p"}))
        self.assertEqual([r[0] for r in rows], ["p#0", "p#1", "p#2"])
        self.assertEqual([r[5] for r in rows], [True, False, True])
        # The medians agree within 10 %, so the median rule alone would see no difference.
        self.assertTrue(all(r[5] for r in compare.compare(ours, theirs, ["lat_mean_ms"])))

    def test_other_cases_keep_the_median_rule(self):
        ours = {"b": {"makespan_ms": metric([100.0, 101.0, 102.0])}}
        theirs = {"b": {"makespan_ms": metric([120.0, 121.0, 122.0])}}
        rows = list(compare.compare_per_rep(ours, theirs, ["makespan_ms"], set()))
        self.assertEqual(len(rows), 1)
        self.assertFalse(rows[0][5])

    def test_poisson_names_come_from_cases_json(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "cases.json"), "w") as f:
                json.dump({"cases": [{"name": "p", "arrival": {"type": "poisson"}},
                                     {"name": "b", "arrival": {"type": "burst"}}]}, f)
            self.assertEqual(compare.poisson_cases(d), {"p"})


if __name__ == "__main__":
    unittest.main()
