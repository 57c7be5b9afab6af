#!/usr/bin/env python3
"""Writes 01_python_concurrency_on_azure_functions.ipynb (nbformat 4.5, no outputs).

Edit the cells here, then run:  python3 notebooks/make_notebook.py
Stdlib only, so the notebook can be regenerated without Jupyter installed.
"""

import os

from nbwrite import Notebook

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "01_python_concurrency_on_azure_functions.ipynb")

NB = Notebook()
md, code = NB.md, NB.code


# ---------------------------------------------------------------------------
md(r"""# Python concurrency on Azure Functions, with a simulator

An Azure Functions app written in Python runs inside **worker processes** started by the
Functions host. How many invocations one instance can serve at once, and how long each one
waits, depends on a few CPython mechanisms that are easy to get wrong:

1. **The GIL**: one interpreter runs one thread's bytecode at a time.
2. **Threads vs processes**: threads share a GIL, processes do not.
3. **asyncio**: coroutines on one event loop switch only at `await`.
4. **`time.sleep` in `async def`**: a blocking call stalls the whole loop.
5. **`run_in_executor`**: how to push blocking work off the loop, and its limits.
6. **`FUNCTIONS_WORKER_PROCESS_COUNT` x `PYTHON_THREADPOOL_THREAD_COUNT`**: the two knobs.

Every section explains a mechanism, sometimes shows it in a few lines of real Python, and then
asks the simulator `sim` (this repository) what it does to a Functions host, by running

```
sim run experiments/<name>.ron --set <path>=<value> ... --out <dir>
```

and reading `<dir>/summary.json` and `<dir>/invocations.csv`. The last section checks the
simulator against measurements of real CPython (`notebooks/harness/measure.py`).

The notebook uses the standard library, pandas for the thread states of section 4 (the pinned set
in `notebooks/requirements.txt`), and matplotlib when it is installed (without it, every figure
is printed as a table). Outputs are not committed: run it yourself.""")

md(r"""## 0. Setup

Finds the repository root and builds `sim` with `cargo build --release` if the binary is missing
(`notebooks/simnb.py`, which every notebook shares; set the environment variable `SIM_BIN` to
use another binary), and defines small helpers:

* `run_sim(experiment, settings)` runs one simulation and returns `(summary, rows)`;
* `stats(rows)` computes latency statistics from `invocations.csv` rows;
* `plot_lines`, `plot_timeline`, `plot_grid` draw with matplotlib or print a table.""")

code(r"""import csv, json, math, os, subprocess, sys, time
from pathlib import Path

from simnb import ROOT, SIM, OUT, ensure_sim  # the helpers the notebooks share

ensure_sim()
print("repository:", ROOT)
print("simulator: ", SIM)
print("outputs in:", OUT)

try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
    print("matplotlib not installed: figures are printed as tables")""")

code(r"""def run_sim(experiment, settings=None, tag=None):
    # Run `sim run experiments/<experiment>.ron --set k=v ... --out DIR`; return (summary, rows).
    settings = settings or {}
    tag = tag or "-".join("%s=%s" % (k.split(".")[-1], v) for k, v in settings.items()) or "default"
    out = OUT / ("%s-%s" % (experiment, tag))
    cmd = [str(SIM), "run", str(Path("experiments") / (experiment + ".ron"))]
    for path, value in settings.items():
        cmd += ["--set", "%s=%s" % (path, value)]
    cmd += ["--out", str(out)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("sim failed (%d): %s\n%s" % (done.returncode, " ".join(cmd), done.stderr[-2000:]))
    return load_run(out)

def load_run(out):
    summary_path, csv_path = Path(out) / "summary.json", Path(out) / "invocations.csv"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    rows = []
    if csv_path.exists():
        with open(csv_path, newline="") as f:
            rows = list(csv.DictReader(f))
    return summary, rows

def num(row, *keys):
    # First of `keys` present in the row, as float (None if absent or empty).
    for k in keys:
        v = row.get(k)
        if v not in (None, ""):
            try:
                return float(v)
            except ValueError:
                pass
    return None

def percentile(values, q):
    # Linear interpolation between closest ranks (numpy's default), as the harness does.
    if not values:
        return float("nan")
    v = sorted(values)
    pos = (len(v) - 1) * q
    lo = int(math.floor(pos)); hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)

def latency(row):
    # Body end - arrival, the ground truth's definition (response_ms adds the way back).
    end, arr = num(row, "end_ms", "response_ms"), num(row, "arrival_ms")
    return None if end is None or arr is None else end - arr

FAILED = {"timeout", "timed_out", "rejected", "dropped", "failed", "error", "cancelled", "shed"}

def completed(rows):
    # Rows that finished (any outcome not naming a failure) and have times.
    return [r for r in rows if str(r.get("outcome", "")).lower() not in FAILED and latency(r) is not None]

def stats(rows):
    rows = completed(rows)
    lat = [latency(r) for r in rows]
    if not lat:
        return {"n": 0}
    ends = [num(r, "end_ms", "response_ms") for r in rows]
    first = min(num(r, "arrival_ms") for r in rows)
    return {"n": len(lat), "mean": sum(lat) / len(lat), "p50": percentile(lat, 0.5),
            "p90": percentile(lat, 0.9), "p99": percentile(lat, 0.99), "max": max(lat),
            "makespan": max(ends) - first}

def by_function(rows):
    groups = {}
    for r in rows:
        groups.setdefault(r.get("function", "?"), []).append(r)
    return groups

def summary_line(summary, rows):
    lat = summary.get("latency_ms") or {}
    s = stats(rows)
    return ("completed %s, throughput %.1f/s, latency mean %.1f p50 %.1f p99 %.1f ms, makespan %.1f ms"
            % ((summary.get("invocations") or {}).get("succeeded", s.get("n")), summary.get("throughput_per_s", float("nan")),
               lat.get("mean", s.get("mean", float("nan"))), lat.get("p50", s.get("p50", float("nan"))),
               lat.get("p99", s.get("p99", float("nan"))), s.get("makespan", float("nan"))))

def show_table(headers, table):
    cells = [[("%.1f" % c) if isinstance(c, float) else str(c) for c in row] for row in table]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h)) for i, h in enumerate(headers)]
    print("  ".join(str(h).rjust(w) for h, w in zip(headers, widths)))
    for r in cells:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths)))""")

code(r"""def plot_lines(x, series, xlabel, ylabel, title, logx=False):
    # series: {label: [y for each x]}
    if plt is None:
        print(title)
        show_table([xlabel] + list(series), [[xv] + [series[k][i] for k in series] for i, xv in enumerate(x)])
        return
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, ys in series.items():
        ax.plot(x, ys, marker="o", label=label)
    if logx:
        ax.set_xscale("log", base=2)
    ax.set_xlabel(xlabel); ax.set_ylabel(ylabel); ax.set_title(title)
    ax.grid(alpha=0.3); ax.legend()
    fig.tight_layout()
    plt.show()

def plot_timeline(rows, title, limit=60):
    # One bar per invocation: waiting (light) from arrival to start, running (dark) from start to end.
    rows = sorted(completed(rows), key=lambda r: (num(r, "arrival_ms"), num(r, "invocation") or 0))[:limit]
    if plt is None:
        print(title)
        show_table(["inv", "function", "proc", "thread", "arrival", "start", "end"],
                   [[r.get("invocation", i), r.get("function", ""), r.get("process", ""), r.get("thread", ""),
                     num(r, "arrival_ms"), num(r, "start_ms"), num(r, "end_ms")] for i, r in enumerate(rows)])
        return
    fig, ax = plt.subplots(figsize=(7, 0.18 * len(rows) + 1.2))
    for i, r in enumerate(rows):
        arr, start, end = num(r, "arrival_ms"), num(r, "start_ms"), num(r, "end_ms", "response_ms")
        if start is not None:
            ax.barh(i, start - arr, left=arr, color="#cccccc")
            ax.barh(i, end - start, left=start, color="C%d" % (int(num(r, "process") or 0) % 10))
    ax.invert_yaxis(); ax.set_xlabel("ms"); ax.set_ylabel("invocation"); ax.set_title(title)
    fig.tight_layout()
    plt.show()

def plot_grid(xs, ys, values, xlabel, ylabel, title):
    # values[y_index][x_index], drawn as an annotated heat map.
    if plt is None:
        print(title + "   (rows: %s, columns: %s)" % (ylabel, xlabel))
        show_table([""] + list(xs), [[y] + list(values[j]) for j, y in enumerate(ys)])
        return
    fig, ax = plt.subplots(figsize=(1.0 * len(xs) + 3, 0.6 * len(ys) + 2))
    im = ax.imshow(values, cmap="viridis_r", aspect="auto")
    ax.set_xticks(range(len(xs)), [str(x) for x in xs]); ax.set_yticks(range(len(ys)), [str(y) for y in ys])
    finite = [v for row in values for v in row if v == v]
    lo, hi = (min(finite), max(finite)) if finite else (0, 1)
    for j in range(len(ys)):
        for i in range(len(xs)):
            dark = hi > lo and (values[j][i] - lo) / (hi - lo) > 0.5  # viridis_r: high = dark
            ax.text(i, j, "%.0f" % values[j][i], ha="center", va="center",
                    color="w" if dark else "k", fontsize=8)
    ax.set_xlabel(xlabel); ax.set_ylabel(ylabel); ax.set_title(title)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    plt.show()""")

# ---------------------------------------------------------------------------
md(r"""## 1. The GIL

CPython protects its interpreter state with one lock per interpreter, the **global interpreter
lock**. A thread must hold it to execute Python bytecode, so in one process only one thread
runs Python code at any instant, however many cores the machine has.

A thread gives the GIL up

* when it **blocks** in C code that releases it: `time.sleep`, socket and file I/O, waiting on a
  lock, and many C extensions (hashing large buffers, NumPy kernels, ...);
* when **asked to**: a thread that has waited `sys.getswitchinterval()` (5 ms by default) for
  the GIL sets a flag, and the holder drops the GIL at its next check between bytecodes.

Who gets the GIL next is up to the OS scheduler: hand-over is neither first-come-first-served
nor fair. Two consequences you will meet below:

* **CPU-bound threads do not add throughput**: 8 invocations of 100 ms of pure-Python CPU take
  about 800 ms whether the pool has 1, 2, 4 or 8 threads (measured: the ground truth in
  `shared/ground-truth`). More threads only spread the same CPU more thinly, so the *median*
  latency gets *worse* (456 ms with 1 thread, 726 ms with 8).
* **Convoy effect**: a thread back from `time.sleep` must win the GIL back from CPU-bound threads,
  which can take several switch intervals; its "20 ms" sleep is stretched.

First, the GIL in a few lines of real Python on this machine:""")

code(r"""import threading

def burn(ms):
    # Pure-Python loop until this thread has used `ms` ms of CPU.
    end = time.thread_time() + ms / 1000
    x = 0
    while time.thread_time() < end:
        for i in range(200):
            x += i * i

def wall_time(n_threads, jobs=4, ms=50):
    t = time.perf_counter()
    per_thread = jobs // n_threads
    threads = [threading.Thread(target=lambda: [burn(ms) for _ in range(per_thread)]) for _ in range(n_threads)]
    for th in threads: th.start()
    for th in threads: th.join()
    return (time.perf_counter() - t) * 1000

print("switch interval:", sys.getswitchinterval(), "s;  cores:", os.cpu_count())
for n in (1, 2, 4):
    print("4 x 50 ms of CPU on %d thread(s): %.0f ms" % (n, wall_time(n)))""")

md(r"""Now the same question for a Functions host, simulated: `cpu_bound.ron` on **one** worker
process, with the thread pool (`PYTHON_THREADPOOL_THREAD_COUNT`, `host.threads`) growing.
Throughput should stay flat and latency percentiles should rise.""")

code(r"""threads = [1, 2, 4, 8]
runs = {t: run_sim("cpu_bound", {"host.processes": 1, "host.threads": t}) for t in threads}
for t, (summary, rows) in runs.items():
    print("threads=%-2d %s" % (t, summary_line(summary, rows)))
plot_lines(threads, {"p50": [stats(runs[t][1]).get("p50") for t in threads],
                     "p99": [stats(runs[t][1]).get("p99") for t in threads]},
           "threads per process", "latency (ms)", "CPU-bound, 1 process: more threads, same GIL")
plot_lines(threads, {"throughput": [runs[t][0].get("throughput_per_s") for t in threads]},
           "threads per process", "invocations / s", "CPU-bound, 1 process: throughput")""")

code(r"""summary, rows = runs[4]
plot_timeline(rows, "cpu_bound, 1 process x 4 threads: 4 bodies 'running', one GIL")""")

# ---------------------------------------------------------------------------
md(r"""## 2. Threads vs processes

Each worker **process** has its own interpreter and its own GIL, so processes do run Python code
in parallel, up to the number of cores. The Functions host starts
`FUNCTIONS_WORKER_PROCESS_COUNT` worker processes (default 1, at most 10) and hands
invocations to them **round robin**, without looking at how busy each one is.

Measured on a 2-core machine: 16 invocations of 50 ms CPU take 811 / 409 / 412 ms with 1 / 2 / 4
processes. Beyond the core count, processes only time-share the cores (and each costs memory
and start-up time).

For **I/O-bound** work the picture differs: a thread blocked in `time.sleep` or a socket read
does not hold the GIL, so threads are as good as processes and much cheaper.""")

code(r"""processes = [1, 2, 3, 4, 6, 8]
series = {}
for cores in (2, 4):
    series["%d cores" % cores] = [
        stats(run_sim("cpu_bound", {"host.processes": p, "host.threads": 1, "host.cores": cores})[1]).get("makespan")
        for p in processes]
plot_lines(processes, series, "worker processes (1 thread each)", "makespan (ms)",
           "CPU-bound: processes help up to the core count")""")

code(r"""# The same total concurrency, as threads or as processes, on I/O-bound work.
shapes = [(1, 1), (1, 4), (4, 1), (1, 16), (4, 4), (2, 8)]
table = []
for p, t in shapes:
    summary, rows = run_sim("io_bound", {"host.processes": p, "host.threads": t})
    s = stats(rows)
    table.append(["%d x %d" % (p, t), p * t, s.get("p50"), s.get("p99"), summary.get("throughput_per_s", "")])
show_table(["processes x threads", "slots", "p50 ms", "p99 ms", "throughput/s"], table)""")

# ---------------------------------------------------------------------------
md(r"""## 3. asyncio and await points

In the Azure Python worker, the main thread runs an **asyncio event loop**. A dispatcher thread
receives each invocation and hands it to the loop with
`loop.call_soon_threadsafe(loop.create_task, ...)`. Then:

* an `async def` function runs **on the loop itself**, as a coroutine;
* a plain `def` function is sent to the thread pool with `loop.run_in_executor` (section 5).

Coroutines are cooperative: the loop switches from one to another **only at an `await`** that
actually suspends (an `asyncio.sleep`, a network read with an async client, ...). Between two
such points a coroutine has the loop (and the thread) to itself. That is why thousands of
`await asyncio.sleep(...)` or awaited HTTP calls overlap on a single thread: 10 invocations
awaiting `asyncio.sleep(0.5)` finish together after ~0.5 s, and `asyncio.gather` of 10 sleeps
of 0.2 s takes ~0.2 s.""")

code(r"""import asyncio

async def handler(i):
    await asyncio.sleep(0.1)        # an await point: the loop runs others meanwhile
    return i

async def main():
    t = time.perf_counter()
    await asyncio.gather(*(handler(i) for i in range(10)))
    return (time.perf_counter() - t) * 1000

# Jupyter already runs an event loop in this thread, so run ours in a helper thread.
result = {}
th = threading.Thread(target=lambda: result.setdefault("ms", asyncio.run(main())))
th.start(); th.join()
print("10 coroutines each awaiting asyncio.sleep(0.1): %.0f ms" % result["ms"])""")

md(r"""Simulated: `async_pitfalls.ron` contains several `async def` functions; the table shows each
one's latency. Functions that only `await` non-blocking operations overlap; look at their
timeline.""")

code(r"""summary, rows = run_sim("async_pitfalls", {"host.processes": 1})
print(summary_line(summary, rows))
groups = by_function(rows)
show_table(["function", "n", "mean ms", "p50 ms", "p99 ms", "max ms"],
           [[f, s.get("n"), s.get("mean", ""), s.get("p50", ""), s.get("p99", ""), s.get("max", "")]
            for f, s in ((f, stats(g)) for f, g in sorted(groups.items()))])
for f, g in sorted(groups.items()):
    plot_timeline(g, "async_pitfalls, 1 process: %s" % f, limit=40)""")

# ---------------------------------------------------------------------------
md(r"""## 4. `time.sleep` (or heavy CPU) inside `async def`

A blocking call inside a coroutine never reaches an await point, so **the whole event loop
stops**: no other `async def` invocation of that worker progresses, and even the worker's own
plumbing (starting new invocations, returning responses) waits. Measured: 10 invocations of
an `async def` that calls `time.sleep(0.5)` take **5.0 s** on one process, one after the
other; the same with `await asyncio.sleep(0.5)` takes 0.5 s. Pure-Python CPU in a coroutine
(no await) has the same effect.

The usual fixes: use the async API (`await asyncio.sleep`, an async HTTP/DB client), make the
function a plain `def` so it runs in the thread pool, or offload the blocking call with
`run_in_executor`/`asyncio.to_thread` (next section). Adding worker processes only divides the
damage by the process count.""")

code(r"""async def blocking_handler(i):
    time.sleep(0.05)                # no await: the loop is stuck for 50 ms
    return i

async def main_blocking():
    t = time.perf_counter()
    await asyncio.gather(*(blocking_handler(i) for i in range(5)))
    return (time.perf_counter() - t) * 1000

result = {}
th = threading.Thread(target=lambda: result.setdefault("ms", asyncio.run(main_blocking())))
th.start(); th.join()
print("5 coroutines each calling time.sleep(0.05): %.0f ms (serialised)" % result["ms"])""")

code(r"""processes = [1, 2, 4]
per_function = {}
for p in processes:
    summary, rows = run_sim("async_pitfalls", {"host.processes": p})
    for f, g in by_function(rows).items():
        per_function.setdefault(f, []).append(stats(g).get("p50"))
plot_lines(processes, per_function, "worker processes", "p50 latency (ms)",
           "async_pitfalls: blocking coroutines are only helped by more processes")""")

md(r"""**See the blocked loop.** `--thread-states 6..8` records what every thread of the worker did
from 6 s to 8 s, when ten invocations of `blocking_in_async` (an `async def` calling
`time.sleep(0.5)`) arrive: one lane per thread, the loop's blocked stretches marked under its
lane. With pandas, the same file says how long the loop was blocked and by which function.""")

code(r"""import pandas as pd
from simnb import sim_run, show_plot

pitfalls = sim_run("async_pitfalls", {"host.processes": 1}, plots=True, thread_states=(6, 8), tag="lanes")
states = pd.read_csv(pitfalls.dir / "thread_states.csv")
states["ms"] = states.end_ms - states.start_ms
print(states[states.blocks_loop == 1].groupby("function")["ms"].sum().round(1).to_string())
show_plot(pitfalls, "gil_lanes")""")

# ---------------------------------------------------------------------------
md(r"""## 5. `run_in_executor`: offloading blocking work

`await loop.run_in_executor(executor, fn, *args)` runs `fn` in a thread pool and suspends the
coroutine until it finishes, so the loop stays free. Two pools matter in a Functions worker:

* **the worker's pool for `def` functions**, a `ThreadPoolExecutor` whose size is
  `PYTHON_THREADPOOL_THREAD_COUNT`. Since Python 3.9 the worker leaves it unset by default, so
  Python's default applies: `min(32, os.cpu_count() + 4)`;
* **the loop's default executor**, used by `run_in_executor(None, ...)` and by
  `asyncio.to_thread`: also `ThreadPoolExecutor()` with the same default size, and it is *not*
  controlled by `PYTHON_THREADPOOL_THREAD_COUNT`.

On a 2-core machine the default executor has 6 threads: 40 invocations that each
`await loop.run_in_executor(None, time.sleep, 0.2)` finish in ~1.4 s (7 waves of 6), not 0.2 s.
Pass your own, larger executor when the offloaded work is I/O. Offloading CPU-bound work to
threads does not help either: it still needs the GIL.""")

code(r"""cores = [1, 2, 4, 8]
per_function = {}
for c in cores:
    summary, rows = run_sim("async_pitfalls", {"host.processes": 1, "host.cores": c})
    for f, g in by_function(rows).items():
        per_function.setdefault(f, []).append(stats(g).get("makespan"))
plot_lines(cores, per_function, "cores (the default executor has min(32, cores + 4) threads)",
           "makespan (ms)", "async_pitfalls: executor-bound functions scale with the default pool")""")

# ---------------------------------------------------------------------------
md(r"""## 6. `FUNCTIONS_WORKER_PROCESS_COUNT` x `PYTHON_THREADPOOL_THREAD_COUNT`

For `def` functions, one instance runs at most *processes x threads* invocations at once;
`async def` functions are bounded by the event loops instead (one per process). Rules of thumb
that the grids below let you check:

* **I/O-bound** (`io_bound.ron`): latency falls as slots (processes x threads) reach the
  offered concurrency; threads are the cheap way to get slots.
* **CPU-bound** (`cpu_bound.ron`): only processes up to the core count help; extra threads
  raise latency.
* **Mixed** (`mixed.ron`): both matter, and many threads per process suffer the convoy effect
  (the I/O part of each invocation waits for the GIL when it wakes up).

Each cell is the p99 latency (ms) of one simulation.""")

code(r"""PROCESSES = [1, 2, 4]
THREADS = [1, 2, 4, 8, 16]

def grid(experiment, metric="p99", extra=None):
    values = []
    for p in PROCESSES:
        row = []
        for t in THREADS:
            settings = {"host.processes": p, "host.threads": t}
            settings.update(extra or {})
            row.append(stats(run_sim(experiment, settings)[1]).get(metric, float("nan")))
        values.append(row)
    return values

for experiment in ("io_bound", "cpu_bound", "mixed"):
    plot_grid(THREADS, PROCESSES, grid(experiment), "PYTHON_THREADPOOL_THREAD_COUNT",
              "FUNCTIONS_WORKER_PROCESS_COUNT", "%s: p99 latency (ms)" % experiment)""")

code(r"""# Repeat with other seeds to see how much of a difference is noise.
for seed in (1, 2, 3):
    summary, rows = run_sim("mixed", {"host.processes": 2, "host.threads": 4, "seed": seed})
    print("seed %d: %s" % (seed, summary_line(summary, rows)))""")

# ---------------------------------------------------------------------------
md(r"""## 7. Is the simulator right? Comparing with real CPython

`notebooks/harness/measure.py` measures real CPython on the machine at hand, using the same
structure as the Azure worker (host process, round-robin workers, receiver thread ->
event loop -> `run_in_executor`), and writes a directory in the format of
`shared/ground-truth`. `sim validate DIR` replays every case of such a directory and prints
how far its predictions are from the measurements. To measure this machine (about 4 minutes
for all cases with 3 repetitions; keep the machine otherwise idle):

```
python3 notebooks/harness/measure.py --cases ../shared/ground-truth/cases.json --out notebooks/measurements/local
```

The cell below validates against every measurement directory it finds: the shared ground
truth and anything under `notebooks/measurements/`.""")

code(r"""def measurement_dirs():
    candidates = [ROOT.parent / "shared" / "ground-truth"]
    if os.environ.get("SIM_MEASUREMENTS"):
        candidates.append(Path(os.environ["SIM_MEASUREMENTS"]))
    meas = ROOT / "notebooks" / "measurements"
    if meas.is_dir():
        candidates += sorted(p for p in meas.iterdir() if p.is_dir())
    return [p for p in candidates if (p / "measured.json").exists() and (p / "cases.json").exists()]

dirs = measurement_dirs()
if not dirs:
    print("no measurement directory found: run notebooks/harness/measure.py first")
for d in dirs:
    machine = json.loads((d / "measured.json").read_text()).get("machine", {})
    print("=" * 100)
    print("%s  (Python %s, %s cores, %s)" % (d, str(machine.get("python", "?")).split()[0],
                                             machine.get("cpu_count", "?"), machine.get("date_utc", "?")))
    done = subprocess.run([str(SIM), "validate", str(d)], cwd=ROOT, capture_output=True, text=True)
    print(done.stdout)
    if done.returncode != 0:
        print("sim validate exited with %d\n%s" % (done.returncode, done.stderr[-2000:]))""")

code(r"""# Two machines, same harness: how different are the measurements themselves?
gt = ROOT.parent / "shared" / "ground-truth"
local = [d for d in dirs if d != gt]
if local and (gt / "measured.json").exists():
    sys.path.insert(0, str(ROOT / "notebooks" / "harness"))
    import compare
    for d in local:
        print("=" * 100)
        print("%s vs %s" % (d, gt))
        compare.main([str(d), str(gt)])
else:
    print("nothing to compare: needs the shared ground truth and a directory under notebooks/measurements/")""")


# ---------------------------------------------------------------------------
md(r"""## Something to try

Each of these is one `run_sim` call away; change a number, run the cell, and predict the result
before you read it.

* The support blog's test (section 2) with `host.threads=16`: how many waves now, and when
  does `host.processes=2` stop helping?
* `mixed` (`experiments/mixed.ron`) at twice its rate
  (`functions.0.workload.rate_per_s=120`): which limit does the advice name first, and does
  its `--set` line fix it?
* `async_pitfalls` with `host.python=3.13`: the default executor and thread pool change size
  (section 5); which function gains?
* `cpu_bound` with `host.cores=1`: do four processes still beat one?""")

code(r"""# Start here: the support blog's 50 x 1 s test with 16 threads per process.
summary, rows = run_sim("io_bound", {"host.processes": 1, "host.threads": 16}, tag="try")
print({k: round(v, 1) for k, v in stats(rows).items() if isinstance(v, float)})""")

# ---------------------------------------------------------------------------

if __name__ == "__main__":
    NB.write(TARGET)
