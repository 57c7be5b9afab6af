"""Tests of noise_floor.py (stdlib unittest); sim is not run."""

import collections
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import noise_floor  # noqa: E402

POISSON = "a_poisson_cpu20_P2_T4_rho80"
BURST = "a_burst8_cpu40_P2_T4"


def measured(lat_means, burst_median):
    """A replay's measured.json: one Poisson case of two repetitions, one burst."""
    return {"measured": {
        POISSON: {"lat_mean_ms": {"reps": lat_means, "median": 0},
                  "max_concurrency": {"reps": [3, 4], "median": 3}},
        BURST: {"makespan_ms": {"reps": [1, 2, 3], "median": burst_median}},
    }}


class NoiseFloorTest(unittest.TestCase):
    def test_values_are_labelled_as_sim_labels_its_checks(self):
        values = noise_floor.replay_values(
            [measured([10.0, 20.0], 100.0), measured([12.0, 22.0], 104.0)], {POISSON})
        self.assertEqual(values[(f"{POISSON}#0", "lat_mean_ms")], [10.0, 12.0])
        self.assertEqual(values[(f"{POISSON}#1", "lat_mean_ms")], [20.0, 22.0])
        self.assertEqual(values[(BURST, "makespan_ms")], [100.0, 104.0])
        # A range-checked metric has no tolerance to be missed by noise.
        self.assertNotIn((f"{POISSON}#0", "max_concurrency"), values)

    def test_relative_variance_and_the_median_s_noise(self):
        self.assertAlmostEqual(noise_floor.relative_variance([9.0, 11.0]), 2.0 / 100)
        self.assertEqual(noise_floor.relative_variance([5.0]), 0.0)
        self.assertAlmostEqual(noise_floor.median_noise_factor(2), math.sqrt(0.5))
        self.assertAlmostEqual(noise_floor.median_noise_factor(3), 0.670, places=3)
        self.assertAlmostEqual(noise_floor.median_noise_factor(50), math.sqrt(math.pi / 100))

    def test_a_perfect_model_misses_only_where_the_replays_scatter(self):
        quiet = {(f"{POISSON}#{i}", "lat_mean_ms"): [100.0, 100.0, 100.0] for i in range(3)}
        self.assertEqual(noise_floor.expected_perfect_misses(quiet), 0.0)
        # Relative sd 0.1 per replay: the median of three carries 0.067, and a 10%
        # tolerance is 1.49 of it: 13.6% of such checks missed.
        noisy = {(f"{POISSON}#{i}", "lat_mean_ms"): [90.0, 100.0, 110.0] for i in range(2)}
        misses = noise_floor.expected_perfect_misses(noisy)
        self.assertAlmostEqual(misses / 2, math.erfc(0.1 / (0.1 * math.sqrt(0.449)) /
                                                     math.sqrt(2)), places=6)
        self.assertTrue(0.13 < misses / 2 < 0.14)

    def test_the_mean_latency_clause_counts_only_mean_latencies(self):
        noisy = {(f"{POISSON}#{i}", "lat_mean_ms"): [90.0, 100.0, 110.0] for i in range(2)}
        noisy[(f"{POISSON}#0", "lat_p99_ms")] = [50.0, 100.0, 150.0]
        each = math.erfc(0.1 / (0.1 * math.sqrt(0.449)) / math.sqrt(2))
        off, none_off = noise_floor.mean_latency_clause(noisy)
        self.assertAlmostEqual(off, 2 * each, places=9)
        self.assertAlmostEqual(none_off, (1 - each) ** 2, places=9)
        # The p99's wide scatter counts among the misses, not in the clause.
        self.assertGreater(noise_floor.expected_perfect_misses(noisy), off + 0.5)
        quiet = {(f"{POISSON}#0", "lat_mean_ms"): [100.0, 100.0, 100.0]}
        self.assertEqual(noise_floor.mean_latency_clause(quiet), (0.0, 1.0))

    def test_sim_s_misses_are_split_by_whether_the_machine_missed_itself(self):
        checks = [{"case": f"{POISSON}#0", "metric": "lat_mean_ms", "pass": False},
                  {"case": f"{POISSON}#1", "metric": "lat_mean_ms", "pass": False},
                  {"case": f"{POISSON}#1", "metric": "lat_p99_ms", "pass": True}]
        self_misses = collections.Counter({(f"{POISSON}#1", "lat_mean_ms"): 2})
        split = noise_floor.split_misses(checks, self_misses)
        self.assertEqual(split["poisson cpu    P2 Tmany"], [2, 1, 1, 1])

    def test_replays_are_the_numbered_folders_with_a_measurement(self):
        with tempfile.TemporaryDirectory() as d:
            for name in ("r2", "r10", "r1", "median", "rx"):
                os.makedirs(os.path.join(d, name))
            for name in ("r1", "r2", "r10", "median"):
                open(os.path.join(d, name, "measured.json"), "w").close()
            self.assertEqual([os.path.basename(r) for r in noise_floor.replay_dirs(d)],
                             ["r1", "r2", "r10"])


if __name__ == "__main__":
    unittest.main()
