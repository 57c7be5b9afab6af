"""Tests of sched_ticks.py on a small synthetic `perf script` trace (stdlib unittest)."""

import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import sched_ticks  # noqa: E402


def switch(t, cpu, tgid, tid, nxt, state="S"):
    return ("python3 %d/%d [%03d] %.6f: sched:sched_switch: prev_comm=python3 prev_pid=%d "
            "prev_prio=120 prev_state=%s ==> next_comm=x next_pid=%d next_prio=120"
            % (tgid, tid, cpu, t, tid, state, nxt))


# Processes 10 (threads 11, 12) and 20 (threads 21, 22) on CPUs 0 and 1, idle until 1.0 s;
# ticks at every 4 ms. Thread 21 is switched out runnable on CPU 1 at 1.001 and waits while
# CPU 0 idles from 1.0012: cold at the tick of 1.004 (not pulled) and at 1.008, where CPU 0
# pulls it. Thread 22 is switched out runnable on CPU 1 at 1.0199 and waits while CPU 0 idles
# from 1.0195: hot at the tick of 1.020, not pulled; thread 11 takes CPU 0 at 1.0203.
TRACE = [
    switch(0.900, 0, 0, 0, 11), switch(0.900, 1, 0, 0, 21),
    switch(0.901, 0, 10, 11, 0), switch(0.901, 1, 20, 21, 0),
    switch(1.000, 0, 0, 0, 11), switch(1.000, 1, 0, 0, 21),
    switch(1.001, 1, 20, 21, 22, "R"),
    switch(1.0012, 0, 10, 11, 0),
    switch(1.00805, 0, 0, 0, 21),
    switch(1.0195, 0, 20, 21, 0),
    switch(1.0199, 1, 20, 22, 12, "R"),
    switch(1.0203, 0, 0, 0, 11),
    switch(1.021, 1, 10, 12, 22),
    switch(1.030, 1, 20, 22, 0), switch(1.030, 0, 10, 11, 0),
]


def report_text(trace, **options):
    """sched_ticks.report's exit code and printed text for `trace`."""
    out = io.StringIO()
    code = sched_ticks.report(trace, out=out, **options)
    return code, out.getvalue()


class SchedTicksTest(unittest.TestCase):
    def test_ticks_inside_idle_stretches_by_the_waiting_thread_s_heat(self):
        code, text = report_text(TRACE)
        self.assertEqual(code, 0)
        self.assertIn("ticks at 0.05 ms past each 4 ms", text)
        self.assertIn("hot  waiting thread: pulled at 0 of 1 ticks (0.00)", text)
        self.assertIn("cold waiting thread: pulled at 1 of 2 ticks (0.50)", text)

    def test_by_waiting_splits_the_ticks_by_how_many_threads_wait(self):
        code, text = report_text(TRACE, by_waiting=True)
        self.assertEqual(code, 0)
        self.assertIn("oldest cold with 1  waiting: pulled at 1 of 2 ticks (0.50)", text)
        self.assertIn("oldest hot  with 1  waiting: pulled at 0 of 1 ticks (0.00)", text)
        self.assertNotIn("with 2  waiting", text)

    def test_no_pull_leaves_the_phase_unknown(self):
        # Switched out asleep instead, no thread waits: no pull shows where the ticks fall.
        trace = [line.replace("prev_state=R", "prev_state=S") for line in TRACE]
        code, text = report_text(trace)
        self.assertEqual(code, 1)
        self.assertIn("phase is unknown", text)


if __name__ == "__main__":
    unittest.main()
