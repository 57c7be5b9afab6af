"""Smoke test of the measurement harness (stdlib unittest, a few seconds).

    python3 -m unittest discover -s notebooks/harness -v
    python3 notebooks/harness/test_measure.py

Runs quick_cases.json once into a temporary directory, then checks the output
has the ground-truth schema and a few loose facts that hold on any machine.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import measure  # noqa: E402

QUICK = "quick_burst4_"
METRICS = ["n", "makespan_ms", "lat_mean_ms", "lat_p50_ms", "lat_p90_ms", "lat_p99_ms",
           "lat_max_ms", "queue_mean_ms", "max_concurrency"]


class PureFunctions(unittest.TestCase):
    def test_percentile_is_numpy_linear(self):
        values = [1.0, 2.0, 3.0, 4.0]
        self.assertAlmostEqual(measure.percentile(values, 0.5), 2.5)
        self.assertAlmostEqual(measure.percentile(values, 0.9), 3.7)  # numpy: 3.7
        self.assertAlmostEqual(measure.percentile([5.0], 0.99), 5.0)

    def test_max_concurrency(self):
        self.assertEqual(measure.max_concurrency([(0, 10), (5, 15), (10, 20)]), 2)
        self.assertEqual(measure.max_concurrency([(0, 1), (1, 2)]), 1)

    def test_poisson_schedule_matches_ground_truth_sample_path(self):
        # shared/ground-truth poisson_sync_io_P2_T2_rho50, rep 0: 78 arrivals from 75.1092 ms
        arrival = {"type": "poisson", "rate_per_s": 20, "duration_s": 4, "seed": 1000}
        times = measure.poisson_schedule(arrival, 0)
        self.assertEqual(len(times), 78)
        self.assertAlmostEqual(times[0] * 1000, 75.1092, places=3)
        self.assertEqual(len(measure.poisson_schedule(arrival, 1)), 84)


GROUND_TRUTH = os.path.join(HERE, "..", "..", "..", "shared", "ground-truth")


@unittest.skipUnless(os.path.exists(os.path.join(GROUND_TRUTH, "measured.json")),
                     "shared/ground-truth not found beside the repository")
class GilHandoverProbe(unittest.TestCase):
    def probe_of(self, transits):
        real = measure.forced_handover_transit_us
        feed = iter(transits)
        measure.forced_handover_transit_us = lambda: next(feed)
        try:
            return measure.gil_handover_probe(count=len(transits))
        finally:
            measure.forced_handover_transit_us = real

    def test_the_mean_elsewhere_counts_only_waiters_on_another_cpu(self):
        probe = self.probe_of([(4.0, True), (50.0, False), (70.0, False), (6.0, None)])
        self.assertEqual(probe["elsewhere"], 2, "an unknown CPU is not elsewhere")
        self.assertEqual(probe["elsewhere_mean_us"], 60.0)
        self.assertEqual(probe["elsewhere_median_us"], 60.0)
        self.assertEqual(probe["mean_us"], 32.5, "the mean of all four")

    def test_a_transit_not_timed_is_left_out(self):
        probe = self.probe_of([(None, None), (50.0, False), (10.0, True)])
        self.assertEqual(probe["timed"], 2)
        self.assertEqual(probe["mean_us"], 30.0, "the untimed one is not a zero")
        self.assertEqual(probe["elsewhere"], 1)
        empty = self.probe_of([(None, None)])
        self.assertIsNone(empty["mean_us"], "nothing timed: no figures")
        self.assertIsNone(empty["p90_us"])

    def test_with_none_elsewhere_there_is_no_mean_elsewhere(self):
        probe = self.probe_of([(4.0, True), (5.0, True)])
        self.assertEqual(probe["elsewhere"], 0)
        self.assertIsNone(probe["elsewhere_mean_us"])

    @unittest.skipUnless(os.path.exists("/proc/thread-self/stat"), "needs Linux /proc")
    def test_the_calling_threads_cpu_is_read(self):
        self.assertIn(measure.thread_cpu(), range(os.cpu_count()))


class SameMetricsAsGroundTruth(unittest.TestCase):
    def test_metrics_recomputed_from_ground_truth_csvs(self):
        # Our metric code applied to the ground truth's invocations must give its measured.json.
        with open(os.path.join(GROUND_TRUTH, "measured.json")) as f:
            measured = json.load(f)["measured"]
        for case, expected in measured.items():
            rows = measure.read_invocations(os.path.join(GROUND_TRUTH, "invocations", case + ".csv"))
            reps = len(expected["n"]["reps"])
            ours = measure.case_metrics(rows, reps)
            for name in METRICS:
                for a, b in zip(ours[name]["reps"], expected[name]["reps"]):
                    self.assertAlmostEqual(a, b, delta=0.0025, msg="%s %s" % (case, name))
            self.assertEqual(ours["per_process_counts"], expected["per_process_counts"], case)


class QuickRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = cls.tmp.name
        subprocess.run([sys.executable, os.path.join(HERE, "measure.py"),
                        "--cases", os.path.join(HERE, "quick_cases.json"),
                        "--out", cls.out, "--reps", "1", "--no-quiet-check"],
                       check=True, timeout=60, stderr=subprocess.DEVNULL)
        with open(os.path.join(cls.out, "measured.json")) as f:
            cls.measured = json.load(f)
        with open(os.path.join(cls.out, "cases.json")) as f:
            cls.cases = json.load(f)["cases"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def metric(self, case, name):
        return self.measured["measured"][QUICK + case][name]["median"]

    def test_schema(self):
        self.assertIn("machine", self.measured)
        self.assertEqual(len(self.cases), 3)
        for case in self.cases:
            m = self.measured["measured"][case["name"]]
            for name in METRICS:
                self.assertEqual(set(m[name]), {"median", "min", "max", "reps"}, name)
                self.assertEqual(len(m[name]["reps"]), 1)
            self.assertEqual(m["per_process_counts"]["reps"], [{"0": 4}])

    def test_invocation_csv(self):
        for case in self.cases:
            with open(os.path.join(self.out, "invocations", case["name"] + ".csv")) as f:
                reader = csv.DictReader(f)
                rows = list(reader)
            self.assertEqual(reader.fieldnames, measure.CSV_COLUMNS)
            self.assertEqual([int(r["id"]) for r in rows], [0, 1, 2, 3])
            for r in rows:
                self.assertLessEqual(float(r["arrival_ms"]), float(r["start_ms"]))
                self.assertLess(float(r["start_ms"]), float(r["end_ms"]))

    def kept_attempts(self):
        """(case, the kept attempt's record) for every repetition in harness_log.json."""
        with open(os.path.join(self.out, "harness_log.json")) as f:
            log = json.load(f)
        for case in self.cases:
            for rep in log["cases"][case["name"]]["reps"]:
                yield case, rep["attempts"][rep["kept_attempt"]]

    def test_each_repetition_records_the_machine_speed(self):
        for _case, attempt in self.kept_attempts():
            self.assertGreater(attempt["speed"]["ping_round_trip_us"], 0)
            self.assertGreater(attempt["speed"]["python_probe_us"], 0)

    def probes(self, name, count):
        """(case, the probe `name` of each kept attempt's speed record), after checking that
        each sent `count` probes."""
        for case, attempt in self.kept_attempts():
            probe = attempt["speed"][name]
            self.assertEqual(probe["probes"], count, case["name"])
            yield case, probe

    def test_each_repetition_probes_the_idle_dispatch_path(self):
        for case, probe in self.probes("dispatch_probe", measure.DISPATCH_PROBES):
            # The body starts after the send and before the response is back.
            self.assertGreater(probe["idle_dispatch_us"], 0, case["name"])
            self.assertLess(probe["idle_dispatch_us"], probe["round_trip_us"], case["name"])
            self.assertLess(probe["round_trip_us"], 1e6, case["name"])

    @unittest.skipUnless(os.path.exists("/proc/thread-self/schedstat"), "needs Linux schedstat")
    def test_each_repetition_records_the_idle_dispatch_paths_cpu(self):
        for case, probe in self.probes("dispatch_probe", measure.DISPATCH_PROBES):
            # Receiver, loop, hand-off and sender run tens to hundreds of us of CPU per empty
            # invocation: more than nothing, far less than the 20 ms sleep between probes.
            self.assertGreater(probe["idle_dispatch_cpu_us"], 0, case["name"])
            self.assertLess(probe["idle_dispatch_cpu_us"], 10000, case["name"])

    def test_each_repetition_times_a_forced_gil_hand_over(self):
        for case, probe in self.probes("gil_handover_probe", measure.GIL_HANDOVER_PROBES):
            # A transit is positive and far below the switch interval the waiter waited.
            self.assertGreater(probe["median_us"], 0, case["name"])
            self.assertLessEqual(probe["median_us"], probe["p90_us"], case["name"])
            self.assertLess(probe["mean_us"], 5000, case["name"])
            # Those that woke on another CPU are counted, with their own mean.
            self.assertLessEqual(probe["elsewhere"], probe["probes"], case["name"])
            if probe["elsewhere"]:
                self.assertGreater(probe["elsewhere_mean_us"], 0, case["name"])
                self.assertLess(probe["elsewhere_mean_us"], 5000, case["name"])
            else:
                self.assertIsNone(probe["elsewhere_mean_us"], case["name"])

    @unittest.skipUnless(os.path.exists("/proc/thread-self/schedstat"), "needs Linux schedstat")
    def test_each_repetition_records_the_workers_cpu_outside_the_bodies(self):
        for case, attempt in self.kept_attempts():
            us = attempt["worker_cpu_us_per_invocation"]
            if case["body"]["kind"] in measure.AWAITING_KINDS:
                self.assertIsNone(us, "awaiting bodies' CPU clocks overlap")
                continue
            # The dispatch path costs tens to hundreds of us; far below a body's 20 ms.
            self.assertGreater(us, 0, case["name"])
            self.assertLess(us, 10000, case["name"])

    def test_worker_cpu_outside_the_bodies_subtracts_their_cpu_clocks(self):
        records = {0: (0, {"cpu": 0.020}), 1: (1, {"cpu": 0.010})}
        # 31 ms of the workers' CPU over the run, 30 ms of it in the bodies: 0.5 ms each.
        self.assertEqual(measure.worker_cpu_us_per_invocation(0, 31_000_000, records), 500.0)
        self.assertIsNone(measure.worker_cpu_us_per_invocation(None, 31_000_000, records))
        self.assertIsNone(measure.worker_cpu_us_per_invocation(0, 31_000_000, {}))
        self.assertIsNone(measure.worker_cpu_us_per_invocation(0, 31_000_000, records,
                                                                "async_io"))

    def test_threads_vs_event_loop(self):
        # 4 x time.sleep(50 ms) on 2 threads: two waves; 4 x asyncio.sleep: one wave
        self.assertGreater(self.metric("sync_io_P1_T2", "makespan_ms"), 95)
        self.assertEqual(self.metric("sync_io_P1_T2", "max_concurrency"), 2)
        self.assertLess(self.metric("async_io_P1", "makespan_ms"), 90)
        self.assertEqual(self.metric("async_io_P1", "max_concurrency"), 4)

    def test_gil_serialises_cpu(self):
        # 4 x 20 ms of CPU need >= 80 ms on one interpreter whatever T is
        self.assertGreater(self.metric("sync_cpu_P1_T2", "makespan_ms"), 78)


@unittest.skipUnless(os.path.exists("/proc/thread-self/schedstat"), "needs Linux schedstat")
class SchedstatRun(unittest.TestCase):
    def test_scheduler_counters_per_body(self):
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable, os.path.join(HERE, "measure.py"),
                            "--cases", os.path.join(HERE, "quick_cases.json"),
                            "--only", QUICK + "sync_cpu_P1_T2", "--out", out, "--reps", "1",
                            "--no-quiet-check", "--schedstat"],
                           check=True, timeout=60, stderr=subprocess.DEVNULL)
            path = os.path.join(out, "invocations", QUICK + "sync_cpu_P1_T2.csv")
            with open(path) as f:
                reader = csv.DictReader(f)
                rows = list(reader)
        self.assertEqual(reader.fieldnames,
                         measure.CSV_COLUMNS + measure.SCHED_COLUMNS + measure.PATH_COLUMNS)
        for r in rows:
            wall = float(r["end_ms"]) - float(r["start_ms"])
            # Run-queue wait is part of the body's wall time. A body whose thread was already on
            # its CPU and kept it throughout is scheduled in no time, so only the sum is sure.
            self.assertLessEqual(float(r["rq_wait_ms"]), wall)
            self.assertGreaterEqual(int(r["slices"]), 0)
            # The dispatch path in order: received, dispatched by the loop, body, loop sees it
            # done, sender writes.
            points = [float(r[k + "_ms"]) for k in ("rx", "dp", "b0", "b1", "lp", "tx")]
            self.assertEqual(points, sorted(points))
            # A thread's cumulative CPU time only grows over the body.
            self.assertGreaterEqual(float(r["b1_run_ms"]) - float(r["b0_run_ms"]), 19.0)
        # Two threads share one GIL: some body must have blocked waiting for it, and been
        # scheduled in again.
        self.assertGreater(sum(int(r["vol_cs"]) for r in rows), 0)
        self.assertGreater(sum(int(r["slices"]) for r in rows), 0)


if __name__ == "__main__":
    unittest.main()
