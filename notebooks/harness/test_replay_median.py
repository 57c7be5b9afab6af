"""Tests of replay_median.py (stdlib unittest)."""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import replay_median  # noqa: E402


def stat(reps):
    return {"median": sorted(reps)[len(reps) // 2], "min": min(reps), "max": max(reps),
            "reps": reps}


def measured(means, counts):
    return {"machine": {"cpu_count": 2},
            "measured": {"c": {"lat_mean_ms": stat(means),
                               "per_process_counts": {"reps": counts}}}}


def log(host_cpu):
    reps = [{"rep": i, "kept_attempt": 0, "attempts": [{"host_cpu_us_per_invocation": us}]}
            for i, us in enumerate(host_cpu)]
    return {"cases": {"c": {"reps": reps}}}


class ReplayMedianTest(unittest.TestCase):
    def test_each_repetition_is_the_median_over_the_replays(self):
        replays = [measured([10.0, 50.0], [{"0": 2}]), measured([12.0, 20.0], [{"0": 1}]),
                   measured([30.0, 30.0], [{"0": 3}])]
        out = replay_median.median_measured(replays)
        self.assertEqual(out["measured"]["c"]["lat_mean_ms"],
                         {"median": 21.0, "min": 12.0, "max": 30.0, "reps": [12.0, 30.0]})
        self.assertEqual(out["measured"]["c"]["per_process_counts"], {"reps": [{"0": 2}]},
                         "the first replay's counts")
        self.assertEqual(out["machine"]["replays"], 3)

    def test_the_calibration_is_the_first_replays_or_on_request_the_median_one(self):
        replays = [measured([10.0], [{"0": 1}]) for _ in range(3)]
        for replay, speed in zip(replays, (14_000.0, 31_000.0, 29_000.0)):
            replay["machine"]["calibration"] = {"iters_per_ms": speed, "runs": 5,
                                                "iters_per_ms_cpu_max": speed + 500.0}
        first = replay_median.median_measured(replays)["machine"]["calibration"]
        self.assertEqual(first["iters_per_ms"], 14_000.0)
        chosen = replay_median.median_calibration(replays)
        machine = replay_median.median_measured(replays, calibration=chosen)["machine"]
        self.assertEqual(machine["calibration"], {"iters_per_ms": 29_000.0, "runs": 5,
                                                  "iters_per_ms_cpu_max": 29_500.0})
        self.assertEqual(machine["replays"], 3)

    def test_the_least_disturbed_calibration_is_fastest_against_its_own_probes(self):
        replays = [measured([10.0], [{"0": 1}]) for _ in range(3)]
        # Probes of 1,200, 1,250 and 1,400 us; calibrations of 24,000, 17,000 and 15,000: the
        # second and third ran in slow moments their probes did not share.
        logs = []
        for replay, speed, probe in zip(replays, (24_000.0, 17_000.0, 15_000.0),
                                        (1_200.0, 1_250.0, 1_400.0)):
            replay["machine"]["calibration"] = {"iters_per_ms": speed, "runs": 5}
            entry = log([1.0, 1.0])
            for r in entry["cases"]["c"]["reps"]:
                r["attempts"][0]["speed"] = {"python_probe_us": probe}
            logs.append(entry)
        self.assertEqual(replay_median.probe_median(logs[2]), 1_400.0)
        chosen = replay_median.least_disturbed_calibration(replays, logs)
        self.assertEqual(chosen["iters_per_ms"], 24_000.0)
        # A replay slower in its probes as much as in its calibration was not disturbed: 21,000
        # at 1,500 us (3.15e7) is faster against its probes than 24,000 at 1,200 us (2.88e7).
        replays[1]["machine"]["calibration"]["iters_per_ms"] = 21_000.0
        for r in logs[1]["cases"]["c"]["reps"]:
            r["attempts"][0]["speed"]["python_probe_us"] = 1_500.0
        chosen = replay_median.least_disturbed_calibration(replays, logs)
        self.assertEqual(chosen["iters_per_ms"], 21_000.0)
        out = replay_median.median_measured(replays, calibration=chosen)
        self.assertEqual(out["machine"]["calibration"]["iters_per_ms"], 21_000.0)

    def test_the_probe_calibration_runs_at_the_sittings_probe_speed(self):
        replays = [measured([10.0], [{"0": 1}]) for _ in range(3)]
        logs = []
        # Probe medians 1,200, 1,300 and 1,500 us (the sitting's: 1,300); the first replay's
        # calibration, 24,000 at 1,200 us, is the least slowed against its probes.
        for replay, speed, probes in zip(replays, (24_000.0, 17_000.0, 15_000.0),
                                         ((1_200.0, 1_200.0), (1_300.0, 1_300.0),
                                          (1_500.0, 1_500.0))):
            replay["machine"]["calibration"] = {"iters_per_ms": speed, "runs": 5}
            entry = log([1.0, 1.0])
            for r, probe in zip(entry["cases"]["c"]["reps"], probes):
                r["attempts"][0]["speed"] = {"python_probe_us": probe}
            logs.append(entry)
        chosen = replay_median.probe_calibration(replays, logs)
        self.assertEqual(chosen["iters_per_ms"], round(24_000.0 * 1_200.0 / 1_300.0, 1))
        self.assertEqual(chosen["scaled_from"], {"iters_per_ms": 24_000.0,
                                                 "probe_median_us": 1_200.0,
                                                 "sitting_probe_median_us": 1_300.0})
        self.assertEqual(chosen["runs"], 5, "the rest of the calibration goes with it")
        self.assertEqual(replays[0]["machine"]["calibration"]["iters_per_ms"], 24_000.0,
                         "the replay's own calibration is left as it was")

    def test_two_calibration_options_are_refused(self):
        err = io.StringIO()
        with self.assertRaises(SystemExit) as exit, contextlib.redirect_stderr(err):
            replay_median.main(["--median-calibration", "--probe-calibration", "--out", "m",
                                "r1", "r2"])
        self.assertEqual(exit.exception.code, 2)
        self.assertIn("not allowed with", err.getvalue())

    def test_a_replay_without_a_calibration_is_refused_by_name(self):
        with tempfile.TemporaryDirectory() as root:
            replays = []
            for name in ("r1", "r2"):
                d = os.path.join(root, name)
                os.makedirs(d)
                for file, data in (("cases.json", {"cases": []}),
                                   ("measured.json", measured([10.0], [{"0": 1}]))):
                    with open(os.path.join(d, file), "w") as f:
                        json.dump(data, f)
                replays.append(d)
            err = io.StringIO()
            with self.assertRaises(SystemExit) as exit, contextlib.redirect_stderr(err):
                replay_median.main(["--median-calibration", "--out",
                                    os.path.join(root, "median")] + replays)
            self.assertEqual(exit.exception.code, 2)
            self.assertIn("no machine.calibration", err.getvalue())
            self.assertFalse(os.path.exists(os.path.join(root, "median")), "nothing written")

    def test_the_host_cpu_each_repetition_recorded_is_the_median_over_the_replays(self):
        out = replay_median.median_log([log([200.0, 150.0]), log([100.0, 170.0]),
                                        log([300.0, 160.0])])
        kept = [r["attempts"][0]["host_cpu_us_per_invocation"] for r in out["cases"]["c"]["reps"]]
        self.assertEqual(kept, [200.0, 160.0])

    def test_the_dispatch_probe_each_repetition_recorded_is_the_median_over_the_replays(self):
        logs = [log([200.0, 150.0]), log([100.0, 170.0]), log([300.0, 160.0])]
        for replay, probe, cpu in zip(logs, (410.0, 380.0, 520.0), (450.0, 600.0, 500.0)):
            replay["cases"]["c"]["reps"][0]["attempts"][0]["speed"] = {
                "dispatch_probe": {"idle_dispatch_us": probe, "round_trip_us": 2 * probe,
                                   "idle_dispatch_cpu_us": cpu, "probes": 25}}
        out = replay_median.median_log(logs)
        first, second = (r["attempts"][0] for r in out["cases"]["c"]["reps"])
        self.assertEqual(first["speed"]["dispatch_probe"],
                         {"idle_dispatch_us": 410.0, "round_trip_us": 820.0,
                          "idle_dispatch_cpu_us": 500.0, "probes": 25})
        self.assertNotIn("speed", second, "not recorded by any replay")

    def test_the_gil_hand_over_probe_is_the_median_over_the_replays(self):
        logs = [log([200.0]), log([100.0]), log([300.0])]
        for replay, transit in zip(logs, (20.0, 60.0, 35.0)):
            replay["cases"]["c"]["reps"][0]["attempts"][0]["speed"] = {
                "gil_handover_probe": {"median_us": transit, "mean_us": 2 * transit,
                                       "p90_us": 3 * transit, "elsewhere_mean_us": 4 * transit,
                                       "probes": 31}}
        out = replay_median.median_log(logs)
        probe = out["cases"]["c"]["reps"][0]["attempts"][0]["speed"]["gil_handover_probe"]
        self.assertEqual(probe, {"median_us": 35.0, "mean_us": 70.0, "p90_us": 60.0,
                                 "elsewhere_mean_us": 140.0, "probes": 31},
                         "p90 stays the first replay's")


if __name__ == "__main__":
    unittest.main()
