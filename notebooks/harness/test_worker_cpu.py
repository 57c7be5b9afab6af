"""Tests of worker_cpu.py on a tiny synthetic folder and rows (stdlib unittest)."""

import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import worker_cpu  # noqa: E402

CASES = {"cases": [
    {"name": "cpu", "body": {"kind": "sync_cpu", "d_ms": 20}},
    {"name": "mixed", "body": {"kind": "mixed", "cpu_ms": 10, "io_ms": 5}},
    {"name": "awaits", "body": {"kind": "async_io", "d_ms": 20}},
]}
LOG = {"cases": {
    "cpu": {"reps": [{"kept_attempt": 1, "attempts": [
        {"worker_cpu_us_per_invocation": 999.0}, {"worker_cpu_us_per_invocation": 450.0}]}]},
    "mixed": {"reps": [{"attempts": [{"host_cpu_us_per_invocation": 100.0}]}]},
    "awaits": {"reps": [{"attempts": [{"worker_cpu_us_per_invocation": None}]}]},
}}


def summary(cores, end_ms, n):
    return {"summary": {"invocations": {"succeeded": n}, "sim_end_ms": end_ms,
                        "processes": [{"cpu_cores": c} for c in cores]}}


class WorkerCpuTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.folder = os.path.join(self.tmp.name, "m")
        self.rows = os.path.join(self.tmp.name, "r")
        os.makedirs(self.folder)
        os.makedirs(self.rows)
        for name, data in (("cases.json", CASES), ("harness_log.json", LOG)):
            with open(os.path.join(self.folder, name), "w") as f:
                json.dump(data, f)
        # 100 bodies of 20 ms in 1 s on two processes using 1.05 cores in all: 50 ms of CPU
        # outside the bodies, 500 us each.
        for name in ("cpu", "mixed", "awaits"):
            with open(os.path.join(self.rows, name + ".summaries.json"), "w") as f:
                json.dump([summary([0.5, 0.55], 2000.0, 100)], f)

    def tearDown(self):
        self.tmp.cleanup()

    def test_sim_and_machine_figures_per_case(self):
        got = worker_cpu.rows(self.folder, self.rows)
        self.assertEqual(len(got), 1, "mixed has no figure recorded, awaits is left out")
        name, sim, machine = got[0]
        self.assertEqual(name, "cpu")
        self.assertAlmostEqual(sim[0], 1000.0)  # 2.1 s of CPU less 2 s of bodies, per 100
        self.assertEqual(machine, [450.0], "the kept attempt's figure")

    def test_body_cpu_of_a_cpu_then_sleep_body_is_its_cpu_part(self):
        self.assertEqual(worker_cpu.body_cpu_ms(CASES["cases"][1]), 10.0)

    def test_report(self):
        out = io.StringIO()
        self.assertEqual(worker_cpu.report(self.folder, self.rows, out), 0)
        self.assertIn("cpu", out.getvalue())
        self.assertIn("sim 1000", out.getvalue())


if __name__ == "__main__":
    unittest.main()
