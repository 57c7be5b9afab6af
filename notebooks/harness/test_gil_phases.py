"""Tests of gil_phases.py on a small synthetic `perf script` record (stdlib unittest)."""

import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import gil_phases  # noqa: E402
from test_gil_timeline import probe, switch  # noqa: E402


def waking(t, cpu, pid, tid, woken):
    return ("python3 %d/%d [%03d] %.6f: sched:sched_waking: comm=python3 pid=%d prio=120 "
            "target_cpu=%03d" % (pid, tid, cpu, t, woken, cpu))


# Worker 10: the loop on its main thread 10, pool threads 11 and 12. Worker 20's pool thread
# 21 keeps CPU 1 busy throughout. 11 takes the GIL at 1.000 on CPU 0; 12 begins to wait at
# 1.0002, so its request comes at 1.0052 and 11 lets go at 1.0053, 5.3 ms into its hold; 12
# is switched in on CPU 0 10 us later and returns from take_gil 10 us after that. 11 waits
# again from 1.0054. 12's body ends at 1.0120: it wakes the loop (with 11 waiting), lets go
# for the self-pipe write, and the loop takes the GIL at 1.01205.
RECORD = [
    switch(0.9990, 0, 0, "R", 11), switch(0.9991, 1, 0, "R", 21),
    probe(0.9995, 1, 20, 21, "take_gil"), probe(0.9996, 1, 20, 21, "take_gil__return"),
    probe(1.0000, 0, 10, 11, "take_gil"), probe(1.00001, 0, 10, 11, "take_gil__return"),
    probe(1.0002, 0, 10, 12, "take_gil"),
    probe(1.0053, 0, 10, 11, "drop_gil"), switch(1.00531, 0, 11, "S", 12),
    probe(1.00532, 0, 10, 12, "take_gil__return"),
    probe(1.0054, 0, 10, 11, "take_gil"),
    waking(1.0120, 0, 10, 12, 10), probe(1.01201, 0, 10, 12, "drop_gil"),
    probe(1.01205, 0, 10, 10, "take_gil__return"), probe(1.01209, 0, 10, 10, "drop_gil"),
    probe(1.0121, 0, 10, 11, "take_gil__return"), probe(1.0150, 0, 10, 11, "drop_gil"),
    probe(1.0200, 1, 20, 21, "drop_gil"),
]


# Worker 10's pool thread 11 holds its GIL on CPU 0; worker 20's pool thread 21 holds its own
# on CPU 1. At 1.002 thread 21 sleeps (CPU 1 idles) and at 1.003 it wakes on CPU 0 and switches
# 11 out: 11 is stuck behind it while CPU 1 idles until 1.0035, when 11 runs again on CPU 1.
STUCK = [
    switch(0.9990, 0, 0, "R", 11), switch(0.9991, 1, 0, "R", 21),
    probe(1.0000, 0, 10, 11, "take_gil"), probe(1.00001, 0, 10, 11, "take_gil__return"),
    probe(1.00002, 1, 20, 21, "take_gil"), probe(1.00003, 1, 20, 21, "take_gil__return"),
    switch(1.0020, 1, 21, "S", 0), switch(1.0030, 0, 11, "R", 21),
    switch(1.0035, 1, 0, "R", 11),
    probe(1.0100, 1, 10, 11, "drop_gil"), probe(1.0101, 0, 20, 21, "drop_gil"),
]


class GilPhasesTest(unittest.TestCase):
    def setUp(self):
        self.events = gil_phases.read_events(RECORD)
        self.pools = {10: {11, 12}, 20: {21}}
        self.window = (0.999, 1.021)

    def test_the_waiter_that_began_after_the_take_asks_one_interval_later(self):
        reqs = gil_phases.requesters(self.events, self.pools, self.window)
        # 11's hold, asked by 12; then 12's, asked by 11 (waiting since 1.0054, it asks at
        # 1.0104, before 12's body ends at 1.0120).
        self.assertEqual(len(reqs), 2)
        role, after, began, _prev, hold = reqs[0]
        self.assertEqual((role, after), ("pool", True))
        self.assertAlmostEqual(began, 0.00019, places=6)
        self.assertAlmostEqual(hold, 0.00529, places=6)

    def test_a_body_that_ends_before_any_request_is_not_a_forced_drop(self):
        # 12's body ending at 1.0080, before 11's request at 1.0104: only 11's hold is left.
        early = [l.replace("1.012010: probe_libpython3:drop_gil",
                           "1.008000: probe_libpython3:drop_gil") for l in RECORD]
        reqs = gil_phases.requesters(gil_phases.read_events(early), self.pools, self.window)
        self.assertEqual([r[0] for r in reqs], ["pool"])

    def test_the_transit_splits_at_the_taker_s_switch_in(self):
        forced = [t for t in gil_phases.transits(self.events, self.pools, self.window) if t[0]]
        self.assertEqual(len(forced), 1)
        _forced, idle, same_cpu, to_run, to_take = forced[0]
        self.assertFalse(idle)
        self.assertTrue(same_cpu)
        self.assertAlmostEqual(to_run, 10e-6, places=7)
        self.assertAlmostEqual(to_take, 10e-6, places=7)

    def test_the_loop_woken_by_a_body_s_end_takes_the_gil(self):
        races = gil_phases.loop_wake_races(self.events, self.pools, self.window)
        self.assertEqual(races, [("pool", False, True, "loop")])

    def test_summary_finds_the_workers_itself(self):
        s = gil_phases.summary(self.events)
        self.assertEqual(s["loop_wake_races"], {"pool": {"no CPU idle, others waiting: loop": 1}})


class NoWorkersTest(unittest.TestCase):
    def test_a_record_without_gil_probes_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "record.txt")
            with open(path, "w") as f:
                f.write(switch(1.0, 0, 0, "R", 11) + "\n")
            with contextlib.redirect_stderr(io.StringIO()) as err:
                self.assertEqual(gil_phases.main([path]), 1)
        self.assertIn("no worker process", err.getvalue())


class WaitersWokenTest(unittest.TestCase):
    def test_a_waiter_switched_in_while_waiting_counts(self):
        # 12 waits from 1.0002 to 1.00532 and is switched in once (at 1.00531, for 11).
        events = gil_phases.read_events(RECORD)
        woken = gil_phases.waits_woken(events, {10: {11, 12}, 20: {21}}, (0.999, 1.021))
        n, preempting, waited = woken["pool"]
        self.assertEqual((n, preempting), (1, 0))
        self.assertGreater(waited, 0.005)


class StuckTest(unittest.TestCase):
    def test_a_holder_switched_out_for_another_worker_while_a_cpu_idles(self):
        events = gil_phases.read_events(STUCK)
        stuck = gil_phases.stuck_episodes(events, {10: {11}, 20: {21}}, (0.999, 1.011))
        self.assertEqual(len(stuck), 1)
        why, end, length = stuck[0]
        self.assertEqual(end, "it ran on another CPU")
        self.assertEqual(why, "switched out for another worker's thread, already runnable")
        self.assertAlmostEqual(length, 0.0005, places=6)

    def test_a_cpu_idle_while_a_worker_s_thread_waits_for_the_other(self):
        events = gil_phases.read_events(STUCK)
        window = (0.999, 1.011)
        stalls = gil_phases.idle_while_runnable(events, {10: {11}, 20: {21}}, window)
        # 11 waits on CPU 0 behind 21 from 1.003 while CPU 1 idles, until it runs at 1.0035.
        self.assertEqual(len(stalls), 1)
        self.assertAlmostEqual(stalls[0], 0.0005, places=6)
        table = gil_phases.idle_table(stalls, window)
        self.assertEqual(table["n"], 1)
        self.assertAlmostEqual(table["share_of_two_cpus"], 0.0005 / 0.012 / 2, places=4)

    def test_a_holder_switched_out_while_runnable_waits_for_whoever_took_its_cpu(self):
        events = gil_phases.read_events(STUCK)
        pools, window = {10: {11}, 20: {21}}, (0.999, 1.011)
        # 11, holding worker 10's GIL, is switched out for worker 20's 21 at 1.003 and runs
        # again at 1.0035; 21 going to sleep at 1.002 is no preemption.
        self.assertEqual([(who, round(w, 6)) for who, w in
                          gil_phases.holder_preemptions(events, pools, window)],
                         [("another worker", 0.0005)])
        # 12, a thread of 11's own process, runs 20 us to wait for the GIL.
        record = STUCK[:4] + [switch(1.0010, 0, 11, "R", 12), probe(1.00101, 0, 10, 12, "take_gil"),
                              switch(1.00102, 0, 12, "S", 11), probe(1.0100, 0, 10, 11, "drop_gil")]
        rows = gil_phases.holder_preemptions(gil_phases.read_events(record),
                                             {10: {11, 12}}, window)
        self.assertEqual([(who, round(w, 6)) for who, w in rows], [("its own process", 2e-05)])
        table = gil_phases.preempted_table(rows, window)
        self.assertEqual(table["its own process"]["per_s"], round(1 / 0.012, 1))

    def test_a_thread_woken_onto_the_idle_cpu_is_only_waking_up(self):
        record = STUCK[:6] + [
            switch(1.0020, 1, 21, "S", 0), waking(1.0025, 0, 10, 11, 21),
            switch(1.0026, 1, 0, "R", 21), probe(1.0101, 1, 20, 21, "drop_gil")]
        events = gil_phases.read_events(record)
        self.assertEqual(gil_phases.idle_while_runnable(events, {10: {11}, 20: {21}},
                                                        (0.999, 1.011)), [])


if __name__ == "__main__":
    unittest.main()
