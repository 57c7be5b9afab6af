"""Tests of class_bias.py (stdlib unittest)."""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import class_bias  # noqa: E402


class ClassBiasTest(unittest.TestCase):
    def test_a_case_name_gives_its_class(self):
        self.assertEqual(class_bias.case_class("i_poisson_cpu20_P2_T6_rho80#1"),
                         "poisson cpu    P2 Tmany")
        self.assertEqual(class_bias.case_class("h_burst6_acpu50_P2"), "burst   acpu   P2 T-")
        self.assertEqual(class_bias.case_class("c_burst12_mixed30_30_P2_T1"),
                         "burst   mixed  P2 T1")
        self.assertEqual(class_bias.case_class("aa_poisson_mixed25_15_P2_T4_rho75"),
                         "poisson mixed  P2 Tmany")
        self.assertIsNone(class_bias.case_class("burst8_sync_cpu_P1_T1"))

    def test_by_length_a_class_is_split_by_the_bodys_length(self):
        self.assertEqual(class_bias.case_class("i_poisson_cpu20_P2_T6_rho80#1", by_length=True),
                         "poisson cpu    P2 Tmany  20 ms")
        self.assertEqual(class_bias.case_class("aa_poisson_mixed25_15_P2_T4_rho75", True),
                         "poisson mixed  P2 Tmany  25 ms", "the CPU part")
        checks = [{"case": f"a_poisson_cpu{d}_P2_T6_rho80#0", "metric": "lat_mean_ms",
                   "measured": 100.0, "simulated": s} for d, s in ((20, 90.0), (25, 110.0))]
        errs = class_bias.errors_by_class(checks, by_length=True)
        self.assertEqual(sorted(errs), ["poisson cpu    P2 Tmany  20 ms",
                                        "poisson cpu    P2 Tmany  25 ms"])
        self.assertEqual(len(class_bias.errors_by_class(checks)), 1, "one class without it")

    def test_only_mean_latencies_are_grouped(self):
        checks = [{"case": "a_burst6_cpu50_P2_T2", "metric": "lat_mean_ms", "measured": 100.0,
                   "simulated": 110.0},
                  {"case": "a_burst6_cpu50_P2_T2", "metric": "makespan_ms", "measured": 100.0,
                   "simulated": 150.0}]
        errs = class_bias.errors_by_class(checks)
        self.assertEqual(list(errs), ["burst   cpu    P2 T2"])
        self.assertAlmostEqual(errs["burst   cpu    P2 T2"][0], 0.10)

    def test_another_metric_can_be_grouped(self):
        checks = [{"case": "a_poisson_cpu20_P3_T2_rho75#0", "metric": "lat_p99_ms",
                   "measured": 100.0, "simulated": 80.0},
                  {"case": "a_poisson_cpu20_P3_T2_rho75#0", "metric": "lat_mean_ms",
                   "measured": 100.0, "simulated": 101.0}]
        errs = class_bias.errors_by_class(checks, "lat_p99_ms")
        self.assertAlmostEqual(errs["poisson cpu    P3 T2"][0], -0.20)

    def test_a_summary_line_counts_the_bias_and_the_checks_off(self):
        line = class_bias.summary_line("all", [0.2, -0.05, 0.0])
        self.assertIn("n=  3", line)
        self.assertIn("bias   +5.0%", line)
        self.assertIn("off by > 10%: 1", line)

    def test_folders_are_kept_by_the_speed_of_their_machine(self):
        self.assertTrue(class_bias.in_band(30_000.0, "28000:1e9"))
        self.assertFalse(class_bias.in_band(19_000.0, "28000:1e9"))
        self.assertFalse(class_bias.in_band(None, "0:1e9"))
        self.assertTrue(class_bias.in_band(None, None))

    def test_a_folder_without_a_calibration_has_no_speed(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertIsNone(class_bias.machine_speed(d))
            with open(os.path.join(d, "measured.json"), "w") as f:
                json.dump({"machine": {"calibration": {"iters_per_ms": 31000.0}}}, f)
            self.assertEqual(class_bias.machine_speed(d), 31000.0)


if __name__ == "__main__":
    unittest.main()
