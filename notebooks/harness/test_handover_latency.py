"""Tests of handover_latency.py on a small synthetic `perf script` trace (stdlib unittest)."""

import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import handover_latency  # noqa: E402
from test_sched_idle import switch, waking  # noqa: E402
from test_sched_wake_cpu import TRACE as BUSY  # noqa: E402

# After the wake-ups of test_sched_wake_cpu (both CPUs busy), both CPUs idle from 1.080. At
# 1.110 thread 11 on CPU 0 wakes 12 and stops 0.1 ms later; 12 runs on idle CPU 1 after 50 us.
TRACE = BUSY + [
    switch(1.100, 0, 0, 0, 11),
    waking(1.110, 0, 10, 11, 12, 1),
    switch(1.11005, 1, 0, 0, 12),
    switch(1.1101, 0, 10, 11, 0),
    switch(1.120, 1, 10, 12, 0),
]


class HandoverLatencyTest(unittest.TestCase):
    def test_wake_ups_whose_waker_stops_are_timed_by_busy_cpus_and_place(self):
        events = handover_latency.sched_idle.read_events(TRACE)
        runs, wakes, tgid_of = handover_latency.sched_idle.runs_and_wakes(events)
        pool = handover_latency.sched_idle.worker_pools(runs, tgid_of)
        got = handover_latency.latencies(runs, wakes, tgid_of, pool)
        # 11 hands 12 the GIL at 1.010 (runs 20 us later on CPU 0) and wakes 13 at 1.050 (100
        # us); 13 waking 11 at 1.030 is left out: 13 runs on for 1 ms.
        self.assertEqual(sorted(got), [("one idle", "elsewhere"),
                                       ("others busy", "on the waker's CPU")])
        busy = got[("others busy", "on the waker's CPU")]
        self.assertEqual(len(busy), 2)
        self.assertAlmostEqual(busy[0], 20e-6, places=9)
        self.assertAlmostEqual(busy[1], 100e-6, places=9)
        self.assertAlmostEqual(got[("one idle", "elsewhere")][0], 50e-6, places=9)

    def test_report_pools_records(self):
        out = io.StringIO()
        self.assertEqual(handover_latency.report([TRACE, TRACE], out), 0)
        text = out.getvalue()
        self.assertIn("others busy ran on the waker's CPU     4: latency median    60 us", text)
        self.assertIn("one idle    ran elsewhere              2: latency median    50 us", text)

    def test_worker_count_picks_the_busiest_processes(self):
        events = handover_latency.sched_idle.read_events(TRACE)
        runs, _wakes, tgid_of = handover_latency.sched_idle.runs_and_wakes(events)
        one = handover_latency.sched_idle.worker_pools(runs, tgid_of, 1)
        self.assertEqual(set(one.values()), {10})
        two = handover_latency.sched_idle.worker_pools(runs, tgid_of, 2)
        self.assertEqual(set(two.values()), {10, 20})

    def test_report_without_workers(self):
        out = io.StringIO()
        self.assertEqual(handover_latency.report([[]], out), 1)


if __name__ == "__main__":
    unittest.main()
