"""Real CPython at tiny switch intervals: how long pure-Python bodies take on threads of one
process when `sys.setswitchinterval` is far below the GIL hand-over's wake-up latency.

The cases are those of `tests/gil_progress.rs`: four 20 ms bodies on two threads (two each)
at 5 ms, 100 us, 30 us, 10 us and 1 us; four 2 ms bodies over one to four threads (a shared
queue, as a pool takes work) at 1 us and at 5 ms. A body is a fixed number of loop iterations,
calibrated to take its length alone, so the work does not depend on the contention (unlike
`measure.py`'s `burn_cpu`, which counts the thread's CPU time, GIL waits spent spinning
included). Each line is one run's makespan in ms.

    python3 tiny_intervals.py > tiny_intervals.txt
    python3 tiny_intervals.py --between > between.txt   # 100 us to 5 ms, five runs each, twice
"""

import queue
import statistics
import sys
import threading
import time

RUNS = 3


def loop(n):
    x = 0
    for i in range(n):
        x += i * i
    return x


def iterations_for(ms):
    """Loop iterations that take `ms` alone on this machine."""
    n = 100_000
    while True:
        t = time.perf_counter()
        loop(n)
        took = (time.perf_counter() - t) * 1000
        if took > 5:
            return int(n * ms / took)
        n *= 2


def makespan_ms(interval_s, threads, bodies, n):
    """Wall time of `bodies` bodies of `n` iterations taken from a queue by `threads`."""
    sys.setswitchinterval(interval_s)
    work = queue.SimpleQueue()
    for _ in range(bodies):
        work.put(n)

    def take_and_run():
        while True:
            try:
                loop(work.get_nowait())
            except queue.Empty:
                return

    ts = [threading.Thread(target=take_and_run) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return (time.perf_counter() - t0) * 1000


def between():
    """Two threads of four 20 ms bodies from 5 ms down to 100 us: the median of five runs,
    the intervals twice over in turn (the machine drifts by several ms between runs)."""
    n20 = iterations_for(20.0)
    for interval in (0.005, 0.002, 0.001, 3e-4, 1e-4) * 2:
        runs = [makespan_ms(interval, 2, 4, n20) for _ in range(5)]
        print("four 20 ms bodies on two threads, %g s: median %.1f of %s" % (
            interval, statistics.median(runs), ", ".join("%.1f" % r for r in runs)))


def main():
    if sys.argv[1:] == ["--between"]:
        between()
        return
    n20 = iterations_for(20.0)
    n2 = n20 // 10
    print("Python %s; a 20 ms body is %d iterations" % (sys.version.split()[0], n20))
    print("four 20 ms bodies on one thread, 5 ms: %.1f" % makespan_ms(0.005, 1, 4, n20))
    for interval in (0.005, 1e-4, 3e-5, 1e-5, 1e-6):
        runs = [makespan_ms(interval, 2, 4, n20) for _ in range(RUNS)]
        print("four 20 ms bodies on two threads, %g s: %s" % (
            interval, ", ".join("%.1f" % r for r in runs)))
    for threads in (1, 2, 3, 4):
        tiny = [makespan_ms(1e-6, threads, 4, n2) for _ in range(RUNS)]
        print("four 2 ms bodies on %d thread(s), 1e-06 s: %s; 5 ms: %.1f" % (
            threads, ", ".join("%.1f" % r for r in tiny), makespan_ms(0.005, threads, 4, n2)))


if __name__ == "__main__":
    main()
