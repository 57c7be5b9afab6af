"""Tests of sched_wake_cpu.py on a small synthetic `perf script` trace (stdlib unittest)."""

import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import sched_wake_cpu  # noqa: E402
from test_sched_idle import switch, waking  # noqa: E402

# Workers 10 (pool threads 11, 12; dispatch thread 13) and 20 (pool threads 21, 22).
# Thread 12 last ran on CPU 1; at 1.010 its pool sibling 11 on CPU 0 hands it the GIL while
# CPU 1 runs 21, and it runs on CPU 0 at once (placed on the waker's CPU). At 1.030 the
# dispatch thread 13 on CPU 1 wakes 11 (last on CPU 0, busy with 12), which runs on CPU 0. At
# 1.050 pool thread 11 on CPU 0 wakes the dispatch thread 13 (last on CPU 1, busy with 21),
# which runs on CPU 0 at once.
TRACE = [
    switch(0.900, 0, 0, 0, 11), switch(0.900, 1, 0, 0, 12),
    switch(0.940, 1, 10, 12, 21),
    switch(0.950, 0, 10, 11, 22), switch(0.990, 0, 20, 22, 0),
    switch(1.000, 0, 0, 0, 11),
    waking(1.010, 0, 10, 11, 12, 1),
    switch(1.01002, 0, 10, 11, 12),
    switch(1.029, 1, 20, 21, 13),
    waking(1.030, 1, 10, 13, 11, 0),
    switch(1.031, 1, 10, 13, 21),
    switch(1.040, 0, 10, 12, 11),
    waking(1.050, 0, 10, 11, 13, 1),
    switch(1.0501, 0, 10, 11, 13), switch(1.052, 0, 10, 13, 11),
    switch(1.080, 0, 10, 11, 0), switch(1.080, 1, 20, 21, 0),
]


def report_text(trace, **options):
    """sched_wake_cpu.report's exit code and printed text for `trace`."""
    out = io.StringIO()
    code = sched_wake_cpu.report(trace, out, **options)
    return code, out.getvalue()


class SchedWakeCpuTest(unittest.TestCase):
    def setUp(self):
        events = sched_wake_cpu.sched_idle.read_events(TRACE)
        self.runs, self.wakes, self.tgid_of = sched_wake_cpu.sched_idle.runs_and_wakes(events)

    def test_pool_threads_leave_out_main_and_dispatch_threads(self):
        pool = sched_wake_cpu.sched_idle.worker_pools(self.runs, self.tgid_of)
        self.assertEqual(pool, {11: 10, 12: 10, 21: 20, 22: 20})

    def test_wake_ups_are_counted_by_kind_state_and_where_they_ran(self):
        pool = sched_wake_cpu.sched_idle.worker_pools(self.runs, self.tgid_of)
        counts = sched_wake_cpu.placements(self.runs, self.wakes, self.tgid_of, pool)
        self.assertEqual(counts, {
            ("GIL hand-over", "busy", "placed on the waker's CPU"): 1,
            ("dispatch", "busy", "elsewhere"): 1,
            ("pool wakes dispatch", "busy", "placed on the waker's CPU"): 1,
        })

    def test_every_wake_up_is_counted_by_where_its_waker_ran_and_whether_it_moved(self):
        pool = sched_wake_cpu.sched_idle.worker_pools(self.runs, self.tgid_of)
        counts = sched_wake_cpu.spread(self.runs, self.wakes, self.tgid_of, pool)
        self.assertEqual({k: v for k, v in counts.items() if v}, {
            ("GIL hand-over", "all"): 1, ("GIL hand-over", "waker elsewhere"): 1,
            ("GIL hand-over", "moved"): 1,
            ("dispatch", "all"): 1, ("dispatch", "waker elsewhere"): 1,
            ("pool wakes dispatch", "all"): 1, ("pool wakes dispatch", "waker elsewhere"): 1,
            ("pool wakes dispatch", "moved"): 1,
        })

    def test_report(self):
        code, text = report_text(TRACE)
        self.assertEqual(code, 0)
        self.assertIn("GIL hand-over           last CPU busy    1: placed on the waker's CPU 1",
                      text)
        self.assertIn("pool wakes dispatch     last CPU busy    1: placed on the waker's CPU 1",
                      text)
        self.assertIn("GIL hand-over                             1: waker elsewhere     1 (100.0%)",
                      text)

    def test_last_seconds_keep_only_the_wake_ups_before_the_end(self):
        code, text = report_text(TRACE, last_s=0.035)
        self.assertEqual(code, 0)
        self.assertIn("GIL hand-over           last CPU busy    0:", text)
        self.assertIn("pool wakes dispatch     last CPU busy    1: placed on the waker's CPU 1",
                      text)

    def test_the_pools_of_as_many_processes_as_asked(self):
        code, text = report_text(TRACE, processes=1)
        self.assertEqual(code, 0)
        self.assertIn("pool threads: 2 in 1 processes", text)


if __name__ == "__main__":
    unittest.main()
