#!/usr/bin/env python3
"""How often a thread holding the GIL loses it during a short syscall, by the number of
CPU-bound threads waiting for the GIL in its process (one process, so a core is mostly idle).

    python3 syscall_race.py CALLS [SPINNERS...]

For each number of spinners, a thread runs CALLS rounds of a little Python then a pipe write
and a pipe read (each a short syscall that releases the GIL), and counts the syscalls that took
over 0.5 ms: those it came back from to find the GIL taken, and waited for it. One JSON line
per number of spinners. Stdlib only."""
import os, sys, threading, time, statistics, json

def spinner(stop):
    x = 0
    while not stop.is_set():
        for i in range(1000):
            x += i * i

def syscaller(n_calls, out):
    r, w = os.pipe()
    durs = []
    for _ in range(n_calls):
        # a little Python holding the GIL
        x = 0
        for i in range(300):
            x += i
        t0 = time.perf_counter()
        os.write(w, b"x")
        t1 = time.perf_counter()
        os.read(r, 1)
        t2 = time.perf_counter()
        durs.append(t1 - t0)
        durs.append(t2 - t1)
    out.extend(durs)

def run(n_spin, n_calls):
    stop = threading.Event()
    spins = [threading.Thread(target=spinner, args=(stop,)) for _ in range(n_spin)]
    for s in spins: s.start()
    time.sleep(0.05)
    out = []
    t = threading.Thread(target=syscaller, args=(n_calls, out))
    t0 = time.perf_counter()
    t.start(); t.join()
    el = time.perf_counter() - t0
    stop.set()
    for s in spins: s.join()
    lost = sum(1 for d in out if d > 0.0005)
    return {"spinners": n_spin, "syscalls": len(out), "lost": lost, "share": lost / len(out), "elapsed_s": el}

if __name__ == "__main__":
    n_calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    for n in [int(a) for a in sys.argv[2:]] or [1, 2, 3, 5, 7]:
        print(json.dumps(run(n, n_calls)), flush=True)
