"""Writes http_spike_arrivals.csv, the load of http_spike.ron: Poisson arrivals at 5
requests/s for 60 s, 500/s for 15 s, then 5/s again until 150 s (seed 7).

    python3 experiments/http_spike_arrivals.py > experiments/http_spike_arrivals.csv
"""

import random

PHASES = [(0.0, 60.0, 5.0), (60.0, 75.0, 500.0), (75.0, 150.0, 5.0)]  # (from s, to s, rate/s)


def arrivals(seed=7):
    rng = random.Random(seed)
    for start, end, rate in PHASES:
        t = start + rng.expovariate(rate)
        while t < end:
            yield t
            t += rng.expovariate(rate)


if __name__ == "__main__":
    print("arrival_ms")
    for t in arrivals():
        print(f"{t * 1000:.3f}")
