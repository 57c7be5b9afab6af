"""Tests of sched_idle.py on a small synthetic `perf script` trace (stdlib unittest)."""

import io
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import sched_idle  # noqa: E402


def switch(t, cpu, tgid, tid, nxt):
    return ("python3 %d/%d [%03d] %.6f: sched:sched_switch: prev_comm=python3 prev_pid=%d "
            "prev_prio=120 prev_state=S ==> next_comm=x next_pid=%d next_prio=120"
            % (tgid, tid, cpu, t, tid, nxt))


def waking(t, cpu, tgid, tid, wakee, target):
    return ("python3 %d/%d [%03d] %.6f: sched:sched_waking: comm=python3 pid=%d prio=120 "
            "target_cpu=%03d" % (tgid, tid, cpu, t, wakee, target))


# Processes 10 (threads 11, 12) and 20 (threads 21, 22) on CPUs 0 and 1, idle until 1.0 s.
# At 1.010 thread 11 (CPU 0) hands its GIL to thread 12, whose last CPU is 1, busy with 21:
# 12 takes CPU 1 at 1.01002 and CPU 0 idles from 1.0101 to 1.0141.
TRACE = [
    switch(0.900, 0, 0, 0, 11), switch(0.900, 1, 0, 0, 21),
    switch(0.901, 0, 10, 11, 0), switch(0.901, 1, 20, 21, 0),
    switch(1.000, 0, 0, 0, 11), switch(1.000, 1, 0, 0, 21),
    waking(1.010, 0, 10, 11, 12, 1),
    switch(1.01002, 1, 20, 21, 12),
    switch(1.0101, 0, 10, 11, 0),
    switch(1.0141, 0, 0, 0, 21),
    switch(1.030, 1, 10, 12, 22), switch(1.030, 0, 20, 21, 11),
    switch(1.040, 1, 20, 22, 0), switch(1.040, 0, 10, 11, 0),
]


class SchedIdleTest(unittest.TestCase):
    def setUp(self):
        events = sched_idle.read_events(TRACE)
        self.runs, self.wakes, tgid_of = sched_idle.runs_and_wakes(events)
        self.pool = sched_idle.worker_pools(self.runs, tgid_of)
        self.window = sched_idle.burst_window(self.runs, self.pool)

    def test_pool_threads_are_grouped_by_process(self):
        self.assertEqual(self.pool, {11: 10, 12: 10, 21: 20, 22: 20})

    def test_the_burst_starts_after_the_idle_check(self):
        self.assertAlmostEqual(self.window[0], 1.000)
        self.assertAlmostEqual(self.window[1], 1.040)

    def test_idle_stretches_inside_the_burst(self):
        idle = sched_idle.idle_stretches(self.runs, self.window)
        self.assertEqual(len(idle), 1)
        self.assertAlmostEqual(idle[0], 0.004)

    def test_a_hand_over_to_the_other_process_s_cpu(self):
        placed = sched_idle.handovers(self.runs, self.wakes, self.pool, self.window)
        self.assertEqual(list(placed), ["another CPU, busy with another process"])
        self.assertAlmostEqual(placed["another CPU, busy with another process"][0], 20e-6)

    def test_landings_on_a_busy_cpu_after_a_brief_run_there(self):
        events = sched_idle.handover_events(self.runs, self.wakes, self.pool, self.window)
        self.assertEqual(sched_idle.busy_landings(events)[:2], (1, 0))
        # Thread 12 runs a moment on CPU 1 (its timed GIL wait ending) just before.
        brief = [switch(1.0099, 1, 20, 21, 12), switch(1.00997, 1, 10, 12, 21)]
        trace = sorted(TRACE + brief, key=lambda line: float(line.split()[3].rstrip(":")))
        runs, wakes, tgid_of = sched_idle.runs_and_wakes(sched_idle.read_events(trace))
        pool = sched_idle.worker_pools(runs, tgid_of)
        window = sched_idle.burst_window(runs, pool)
        events = sched_idle.handover_events(runs, wakes, pool, window)
        busy, just, ran = sched_idle.busy_landings(events)
        self.assertEqual((busy, just), (1, 1))
        self.assertAlmostEqual(ran, 1.030 - 1.01002)

    def test_idle_while_a_pool_thread_is_runnable(self):
        # As S, 21 slept when 12 took CPU 1: no idle time counts.
        events = sched_idle.read_events(TRACE)
        ready = sched_idle.queued_stretches(events, self.runs, self.pool)
        idle = sched_idle.idle_spans(self.runs, self.window)
        self.assertAlmostEqual(sched_idle.idle_while_queued(idle, ready), 0.0)
        # Preempted (R+), 21 waits from 1.01002 to 1.0141: all of CPU 0's idle time counts.
        preempted = [line.replace("prev_state=S", "prev_state=R+") if " 1.010020:" in line
                     else line for line in TRACE]
        events = sched_idle.read_events(preempted)
        runs, _wakes, tgid_of = sched_idle.runs_and_wakes(events)
        pool = sched_idle.worker_pools(runs, tgid_of)
        ready = sched_idle.queued_stretches(events, runs, pool)
        idle = sched_idle.idle_spans(runs, sched_idle.burst_window(runs, pool))
        self.assertAlmostEqual(sched_idle.idle_while_queued(idle, ready), 0.004)
        self.assertEqual(len(sched_idle.stalls(idle, ready)), 1)
        kinds = [(w["tid"], w["how"], w["next"][2], w["taker"])
                 for w in sched_idle.queued_waits(events, runs, pool)]
        self.assertEqual(kinds, [(12, "woken", 1, None), (21, "preempted", 0, 12)])
        out = io.StringIO()
        self.assertEqual(sched_idle.report(preempted, out), 0)
        self.assertIn("in 1 stretches", out.getvalue())
        self.assertIn("mean 4.00 ms", out.getvalue())

    def test_a_wake_up_of_a_running_thread_leads_to_no_run(self):
        # 11 runs on CPU 0 from 1.000 to 1.0101: woken at 1.005, it was still running.
        self.assertIsNone(sched_idle.run_after_wake(self.runs, 11, 1.005))
        self.assertEqual(sched_idle.run_after_wake(self.runs, 12, 1.010)[2], 1)

    def test_the_pools_of_as_many_processes_as_asked(self):
        runs, _wakes, tgid_of = sched_idle.runs_and_wakes(sched_idle.read_events(TRACE))
        one = sched_idle.worker_pools(runs, tgid_of, 1)
        self.assertEqual(len(set(one.values())), 1)
        self.assertEqual(len(one), 2)
        out = io.StringIO()
        self.assertEqual(sched_idle.report(TRACE, out, processes=1), 0)
        self.assertIn("2 pool threads in 1 processes", out.getvalue())

    def test_report(self):
        out = io.StringIO()
        self.assertEqual(sched_idle.report(TRACE, out), 0)
        self.assertIn("idle: 4.0 ms", out.getvalue())


if __name__ == "__main__":
    unittest.main()
