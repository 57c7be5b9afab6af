"""Tests of gil_timeline.py on a small synthetic `perf script` record (stdlib unittest)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import gil_timeline  # noqa: E402


def switch(t, cpu, prev, state, nxt):
    return ("python3 %d/%d [%03d] %.6f: sched:sched_switch: prev_comm=python3 prev_pid=%d "
            "prev_prio=120 prev_state=%s ==> next_comm=x next_pid=%d next_prio=120"
            % (prev, prev, cpu, t, prev, state, nxt))


def probe(t, cpu, pid, tid, what):
    suffix = " <- 7f0000000001" if what == "take_gil__return" else ""
    return ("python3 %d/%d [%03d] %.6f: probe_libpython3:%s: (7f0000000000%s)"
            % (pid, tid, cpu, t, what, suffix))


# Worker 10 (pool threads 11 and 12), worker 20 (pool thread 21), the host (process 1, whose
# main thread holds its own GIL). CPU 0 runs 11, CPU 1 runs 21, each holding its GIL. At 1.005
# thread 12 runs on CPU 1 for 20 us to wait for worker 10's GIL (worker 20's holder is off its
# CPU meanwhile); from 1.010 to 1.011 the host preempts 11 on CPU 0 (11 holds its GIL off the
# CPU); at 1.020 11 drops the GIL and 12 takes it 300 us later.
RECORD = [
    switch(0.9990, 0, 0, "R", 11), switch(0.9991, 1, 0, "R", 21),
    probe(1.0000, 0, 10, 11, "take_gil"), probe(1.00001, 0, 10, 11, "take_gil__return"),
    probe(1.00002, 1, 20, 21, "take_gil"), probe(1.00003, 1, 20, 21, "take_gil__return"),
    switch(1.0050, 1, 21, "R", 12), probe(1.00501, 1, 10, 12, "take_gil"),
    switch(1.00502, 1, 12, "S", 21),
    switch(1.0100, 0, 11, "R", 1),
    probe(1.0104, 0, 1, 1, "take_gil"), probe(1.0105, 0, 1, 1, "take_gil__return"),
    probe(1.0106, 0, 1, 1, "drop_gil"),
    switch(1.0110, 0, 1, "S", 11),
    probe(1.0200, 0, 10, 11, "drop_gil"), switch(1.0201, 0, 11, "S", 0),
    switch(1.02025, 0, 0, "R", 12), probe(1.0203, 0, 10, 12, "take_gil__return"),
    probe(1.0300, 0, 10, 12, "drop_gil"), probe(1.03001, 1, 20, 21, "drop_gil"),
]


class GilTimelineTest(unittest.TestCase):
    def setUp(self):
        self.events = gil_timeline.read_events(RECORD)
        self.pools = gil_timeline.worker_pools(gil_timeline.hold_times(self.events))
        self.summary = gil_timeline.summary(self.events)

    def test_workers_and_pool_threads_leave_the_host_out(self):
        self.assertEqual(self.pools, {10: {11, 12}, 20: {21}})

    def test_a_holder_preempted_by_the_host_loses_its_gil_time(self):
        split = gil_timeline.time_split(self.events, self.pools)
        off = "held by pool thread, off: the host or another process on its CPU, no CPU idle"
        self.assertAlmostEqual(split[10][off], 0.001, places=6)
        self.assertNotIn(off, split[20])

    def test_a_waiter_of_another_worker_on_the_holder_s_cpu(self):
        split = gil_timeline.time_split(self.events, self.pools)
        off = "held by pool thread, off: another worker on its CPU, no CPU idle"
        self.assertAlmostEqual(split[20][off], 20e-6, places=7)

    def test_the_hand_over_in_transit(self):
        split = gil_timeline.time_split(self.events, self.pools)
        # 300 us from the drop to 12's take (both CPUs busy at the drop), and 10 us while 11
        # took it at the start.
        self.assertAlmostEqual(split[10]["free, a thread waiting"], 310e-6, places=7)
        transit = self.summary["transit_us"]["another thread, no CPU idle"]
        self.assertEqual(transit["n"], 1)
        self.assertAlmostEqual(transit["mean"], 300.0, places=0)

    def test_shares_add_up_over_the_window(self):
        self.assertAlmostEqual(sum(self.summary["share_of_time"].values()), 1.0, places=3)
        self.assertAlmostEqual(self.summary["window_s"], 0.03001, places=5)
        held = sum(v for k, v in self.summary["share_of_time"].items() if k.startswith("held"))
        off_share = (0.001 + 20e-6) / (2 * self.summary["window_s"] * held)
        self.assertAlmostEqual(self.summary["holder_off_cpu_share_of_held"], off_share, places=3)

    def test_holds_by_role(self):
        pool = self.summary["holds"]["pool"]
        self.assertEqual(pool["n"], 3)
        self.assertAlmostEqual(pool["total_s"], 0.01999 + 0.0097 + 0.02998, places=4)

    def test_the_hand_over_matrix_by_role(self):
        matrix = gil_timeline.handover_matrix(
            gil_timeline.handovers(self.events, self.pools))
        self.assertEqual(list(matrix), [("pool", "pool")])
        self.assertAlmostEqual(matrix[("pool", "pool")][0], 0.01999, places=6)
        self.assertEqual(self.summary["handovers"]["pool -> pool"]["n"], 1)

    def test_waits_by_role_and_the_long_ones(self):
        waits = gil_timeline.waits_by_role(self.events, self.pools)
        self.assertEqual(sorted(waits), ["pool"])
        self.assertEqual(len(waits["pool"]), 3)
        self.assertAlmostEqual(max(waits["pool"]), 1.0203 - 1.00501, places=6)
        self.assertEqual(self.summary["long_waits"],
                         {"pool": {"n": 1, "mean": 15290.0, "over_two_intervals": 1}})

    def test_sim_s_waits_from_its_thread_states(self):
        rows = [{"thread": "loop", "state": "gil_wait", "start_ms": "0", "end_ms": "10.1"},
                {"thread": "loop", "state": "gil_wait", "start_ms": "20", "end_ms": "25"},
                {"thread": "pool-0", "state": "python", "start_ms": "0", "end_ms": "5"}]
        waits = gil_timeline.long_waits(gil_timeline.sim_waits_by_role(rows))
        self.assertEqual(waits, {"main": {"n": 2, "mean": 7550.0, "over_two_intervals": 1}})

    def test_sim_s_hand_overs_from_its_thread_states(self):
        def row(thread, state, start, end):
            return {"instance": "0", "process": "0", "thread": thread, "state": state,
                    "start_ms": str(start), "end_ms": str(end)}
        rows = [row("pool-0", "python", 0.0, 5.0), row("pool-1", "gil_wait", 1.0, 5.03),
                row("pool-1", "python", 5.03, 9.0), row("loop", "gil_wait", 8.0, 9.05),
                row("loop", "python", 9.05, 9.1),
                # taken with no wait: not a hand-over
                row("receiver", "python", 9.2, 9.3)]
        matrix = gil_timeline.sim_handover_matrix(rows)
        self.assertEqual(sorted(matrix), [("pool", "main"), ("pool", "pool")])
        self.assertAlmostEqual(matrix[("pool", "pool")][0], 0.005, places=9)
        self.assertAlmostEqual(matrix[("pool", "main")][0], 0.00397, places=9)

    def test_cpython_s_rule_for_a_waiter_s_request(self):
        # Waiting since 0 with 5 ms waits: the wait ending at 5 saw a change of holder at 3,
        # so the request comes at the end of the next, 10.
        self.assertEqual(gil_timeline.first_clean_cycle_end(0.0, 4.0, [3.0], 5.0), 10.0)
        self.assertEqual(gil_timeline.first_clean_cycle_end(0.0, 4.0, [], 5.0), 5.0)

    def test_a_drop_against_the_rule(self):
        # 11 took the GIL at 1.00001 and 12 began to wait at 1.00501: the rule asks at
        # 1.01001, and 11 let it go at 1.0200 (a body ending, not forced).
        drops = gil_timeline.drops_against_the_rule(self.events, self.pools)
        self.assertEqual(len(drops), 1)
        self.assertAlmostEqual(drops[0], 1.0200 - 1.01001, places=6)

    def test_a_record_without_probes_has_no_workers(self):
        self.assertIsNone(gil_timeline.summary(gil_timeline.read_events(RECORD[:2])))


if __name__ == "__main__":
    unittest.main()
