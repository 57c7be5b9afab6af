"""Tests of handover_shares.py (stdlib unittest)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import handover_shares  # noqa: E402


class Shares(unittest.TestCase):
    def test_a_ping_pong_goes_to_the_previous_holder_never_to_the_longest_waiter(self):
        # Threads 0 and 1 pass the GIL back and forth while 2 waits. Counted from the first
        # hand-over after every thread has let it go once (the one to seq[5]): each of the
        # four goes back to the holder before the giver, none to thread 2.
        seq = [0, 1, 2, 0, 1, 0, 1, 0, 1]
        total, prev, longest = handover_shares.shares(seq, 3)
        self.assertEqual((total, prev, longest), (4, 4, 0))

    def test_a_round_robin_goes_to_the_longest_waiter(self):
        seq = [0, 1, 2, 3] * 4
        total, prev, longest = handover_shares.shares(seq, 4)
        self.assertGreater(total, 0)
        self.assertEqual(prev, 0)
        self.assertEqual(longest, total)

    def test_holds_are_the_gaps_between_takes(self):
        times = [0.0, 0.005, 0.013, 0.021, 0.026, 0.034]
        self.assertEqual(handover_shares.holds_ms(times), (5.0, 8.0, 8.0))
        self.assertIsNone(handover_shares.holds_ms([1.0]))

    def test_real_threads_hand_the_gil_over(self):
        seq = handover_shares.holders(3, 0.1)
        self.assertGreater(len(seq), 3, "three spinning threads must take turns in 100 ms")
        self.assertTrue(set(seq) <= {0, 1, 2})


if __name__ == "__main__":
    unittest.main()
