"""Tests of wake_cost.py on a small synthetic `perf script` record (stdlib unittest)."""

import contextlib
import io
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import gil_timeline  # noqa: E402
import wake_cost  # noqa: E402
from test_gil_timeline import probe, switch  # noqa: E402


def waking(t, cpu, pid, tid, woken, target_cpu):
    return ("python3 %d/%d [%03d] %.6f: sched:sched_waking: comm=python3 pid=%d prio=120 "
            "target_cpu=%03d" % (pid, tid, cpu, t, woken, target_cpu))


# Worker 10: its pool thread 11 on CPU 1, its main thread 10 on CPU 0. 11 holds the GIL for
# 10 ms, releases it for a write that wakes 10 (last on CPU 0, idle) and takes it back 30 us
# later. 10 then runs on CPU 0 and waits for the GIL; 11 releases it around a syscall that
# wakes nobody and takes it back 2 us later; at last 11 drops it and 10 takes it (a hand-over,
# not a release taken back).
RECORD = [
    switch(0.9990, 1, 0, "R", 11),
    probe(1.0000, 1, 10, 11, "take_gil"), probe(1.00001, 1, 10, 11, "take_gil__return"),
    probe(1.0100, 1, 10, 11, "drop_gil"), waking(1.01001, 1, 10, 11, 10, 0),
    probe(1.01003, 1, 10, 11, "take_gil__return"),
    switch(1.01005, 0, 0, "R", 10), probe(1.0101, 0, 10, 10, "take_gil"),
    probe(1.0150, 1, 10, 11, "drop_gil"), probe(1.015002, 1, 10, 11, "take_gil__return"),
    probe(1.0200, 1, 10, 11, "drop_gil"), probe(1.02005, 0, 10, 10, "take_gil__return"),
    probe(1.0201, 0, 10, 10, "drop_gil"),
]


class WakeCostTest(unittest.TestCase):
    def setUp(self):
        self.events = wake_cost.gp.read_events(RECORD)
        self.pools = gil_timeline.worker_pools(gil_timeline.hold_times(self.events))
        self.found = wake_cost.releases(self.events, self.pools)

    def test_a_release_that_wakes_a_thread_on_another_idle_cpu(self):
        [gap] = self.found[("pool", "main, other CPU idle")]
        self.assertAlmostEqual(gap, 30e-6, places=9)

    def test_a_release_that_wakes_nobody(self):
        [gap] = self.found[("pool", "nobody")]
        self.assertAlmostEqual(gap, 2e-6, places=9)

    def test_a_hand_over_to_another_thread_is_no_release_taken_back(self):
        self.assertEqual(sorted(self.found), [("pool", "main, other CPU idle"), ("pool", "nobody")])

    def test_the_wakee_s_cpu_decides_the_class(self):
        cpus = gil_timeline.Cpus()
        cpus.place(11, 1)
        cpus.place(0, 0)
        self.assertEqual(wake_cost.wake_class(1, 1, cpus), "same CPU")
        self.assertEqual(wake_cost.wake_class(1, 0, cpus), "other CPU idle")
        cpus.place(12, 0)
        self.assertEqual(wake_cost.wake_class(1, 0, cpus), "other CPU busy")

    def test_report_per_invocation(self):
        out = io.StringIO()
        wake_cost.report(self.found, 2, out)
        self.assertIn("0.50 per invocation  median  30.0 us", out.getvalue())

    def test_a_record_without_probes_is_refused(self):
        path = os.path.join(self.tmp(), "record.txt")
        with open(path, "w") as f:
            f.write(switch(1.0, 0, 0, "R", 11) + "\n")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            self.assertEqual(wake_cost.main([path]), 1)
        self.assertIn("no worker process", err.getvalue())

    def tmp(self):
        d = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, d)
        return d


if __name__ == "__main__":
    unittest.main()
