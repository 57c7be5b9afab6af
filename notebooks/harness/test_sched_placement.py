"""sched_placement.py on a hand-made event stream: a thread woken while CPU 1 is idle waits on
busy CPU 0 for 2 ms, so its whole delay counts as passing with a CPU idle."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sched_placement  # noqa: E402

EVENTS = """\
 python3 10/11 [000] 1.000000: sched:sched_switch: prev_comm=python3 prev_pid=11 prev_prio=120 prev_state=S ==> next_comm=python3 next_pid=12 next_prio=120
 swapper 0/0 [001] 1.000000: sched:sched_switch: prev_comm=python3 prev_pid=13 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120
 python3 10/12 [000] 1.001000: sched:sched_waking: comm=python3 pid=11 prio=120 target_cpu=000
 python3 10/12 [000] 1.003000: sched:sched_switch: prev_comm=python3 prev_pid=12 prev_prio=120 prev_state=R ==> next_comm=python3 next_pid=11 next_prio=120
"""


class SchedPlacementTest(unittest.TestCase):
    def test_a_wait_on_a_busy_cpu_beside_an_idle_one_is_counted(self):
        r = sched_placement.analyse(EVENTS.splitlines(), "python3")
        self.assertEqual(r["wakeups"], 1)
        self.assertEqual(r["mean_delay_us"], 2000.0)
        self.assertEqual(r["onto_busy_cpu_with_another_idle"], 1)
        self.assertAlmostEqual(r["delay_while_a_cpu_idle_ms"], 2.0)
        self.assertEqual(r["per_process"]["10"]["waits_with_a_cpu_idle_over_300us"], 1)

    def test_the_task_ahead_and_how_the_wait_ended_are_named(self):
        r = sched_placement.analyse(EVENTS.splitlines(), "python3")
        (queued,) = r["queued_on_a_busy_last_cpu_with_another_idle"]
        self.assertEqual((queued["ahead"], queued["ended"]), ("same process", "ahead preempted"))
        self.assertEqual((queued["wakeups"], queued["median_wait_us"]), (1, 2000.0))
        self.assertEqual(queued["median_ahead_had_run_us"], 1000.0)
        # Thread 12 ran on CPU 0 from 1.000 to 1.003 s.
        self.assertEqual(r["cpu_s_by_thread"]["12"]["per_cpu"], {"0": 0.003})


if __name__ == "__main__":
    unittest.main()
