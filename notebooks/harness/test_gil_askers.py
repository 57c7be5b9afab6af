"""Tests of gil_askers.py's reading of a process's runs."""

import unittest

import gil_askers as ga

MS = 1e-3


def run(start_ms, end_ms, cpu, tid):
    return (start_ms * MS, end_ms * MS, cpu, tid)


class HandoversAndAskers(unittest.TestCase):
    # Thread 1 holds on CPU 0; thread 3 (the asker) runs 0.02 ms on CPU 1 at 8 ms; thread 1
    # drops at 8.03 ms; thread 2 holds from 8.05 ms on CPU 0.
    PRUNS = [run(0, 8.03, 0, 1), run(8.0, 8.02, 1, 3), run(8.05, 16.0, 0, 2)]

    def test_a_hand_over_is_a_hold_by_another_thread(self):
        hos = ga.handovers(self.PRUNS)
        self.assertEqual(hos, [(self.PRUNS[0], self.PRUNS[2])])

    def test_the_asker_is_the_brief_run_just_before_the_drop(self):
        old, new = ga.handovers(self.PRUNS)[0]
        self.assertEqual(ga.asker_of(self.PRUNS, old, new[0]), self.PRUNS[1])

    def test_a_brief_run_long_before_the_drop_is_no_asker(self):
        pruns = [run(0, 8.03, 0, 1), run(7.0, 7.02, 1, 3), run(8.05, 16.0, 0, 2)]
        old, new = ga.handovers(pruns)[0]
        self.assertIsNone(ga.asker_of(pruns, old, new[0]))


class Waits(unittest.TestCase):
    def test_the_forced_off_holder_waits_for_its_next_run(self):
        pruns = HandoversAndAskers.PRUNS + [run(11.0, 11.01, 0, 1)]
        old, new = ga.handovers(sorted(pruns))[0]
        self.assertAlmostEqual(ga.rejoin_wait(sorted(pruns), old, new), 2.95 * MS)

    def test_idle_between_clips_each_stretch(self):
        idle = [(0.0, 1.0, 0), (0.5, 2.0, 1)]
        self.assertAlmostEqual(ga.idle_between(idle, 0.8, 1.5), 0.2 + 0.7)


if __name__ == "__main__":
    unittest.main()
