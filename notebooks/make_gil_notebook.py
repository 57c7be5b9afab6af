#!/usr/bin/env python3
"""Writes 02_the_gil.ipynb: the GIL, seen through sim (no outputs; CI executes it).

Edit the cells here, then run:  python3 notebooks/make_notebooks.py
"""

import os

from nbwrite import Notebook

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "02_the_gil.ipynb")

NB = Notebook()
md, code = NB.md, NB.code

md(r"""# The GIL: what it costs a Python function app, and what helps

CPython's **global interpreter lock** lets one thread of a process run bytecode at a time.
A thread that wants it waits; the holder is asked to drop it after the **switch interval**
(`sys.getswitchinterval()`, 5 ms by default), and drops it by itself at every blocking call
(I/O, `time.sleep`) and in C code that releases it (hashlib, numpy, zlib on large buffers).

This notebook asks `sim`, which models the GIL of every worker process exactly, five questions:

1. Do more threads make CPU-bound Python faster? (No; *see* why, thread by thread.)
2. What does a CPU-bound neighbour do to an I/O-bound function in the same process? (The
   **convoy effect**.)
3. What does the switch interval change?
4. Does GIL-free native code help? (Yes.)
5. What would a **free-threaded** CPython (3.13t) change?

Each run is small (a second or two of simulated time) and reads sim's files with pandas.""")

code(r"""import sys, threading, time
import pandas as pd
from simnb import sim_run, write_experiment, show_plot, ensure_sim

ensure_sim()
print("switch interval of this Python:", sys.getswitchinterval() * 1000, "ms")""")

md(r"""## 1. CPU-bound threads do not help

First in real Python: the same pure-Python work on one thread, then split over two.""")

code(r"""def spin(n):
    while n:
        n -= 1

N = 2_000_000
t = time.perf_counter(); spin(N); one = time.perf_counter() - t
t = time.perf_counter()
ths = [threading.Thread(target=spin, args=(N // 2,)) for _ in range(2)]
[th.start() for th in ths]; [th.join() for th in ths]
two = time.perf_counter() - t
print("one thread: %.0f ms, two threads: %.0f ms (no faster: one GIL)" % (one * 1000, two * 1000))""")

md(r"""Now a function app: `experiments/cpu_bound.ron` sends 16 requests of 50 ms pure-Python CPU at
once to **one** worker process on 2 cores. We vary PYTHON_THREADPOOL_THREAD_COUNT
(`host.threads`).""")

code(r"""rows = []
for threads in [1, 2, 4, 8]:
    run = sim_run("cpu_bound", {"host.threads": threads})
    s = run.summary
    rows.append([threads, s["makespan_ms"], s["latency_ms"]["p50"], s["processes"][0]["gil_held"], s["cpu_utilisation"]])
pd.DataFrame(rows, columns=["threads", "makespan ms", "p50 ms", "GIL held", "CPU (of 2 cores)"])""")

md(r"""The makespan stays at 16 x 50 ms = 800 ms whatever the thread count: the GIL is held
~100% of the time, so one core works and the other idles. More threads only make the median
*worse*: the GIL is shared round-robin, so every request finishes late instead of some early.

Here is what each thread does, from `thread_states.csv` (`--thread-states 0..0.4`): one
lane per thread, blue while it runs Python holding the GIL, orange while it waits for it.""")

code(r"""run = sim_run("cpu_bound", {"host.threads": 4}, plots=True, thread_states=(0, 0.4), tag="lanes")
show_plot(run, "gil_lanes")""")

code(r"""states = run.thread_states
states["ms"] = states["end_ms"] - states["start_ms"]
share = states.pivot_table(index="thread", columns="state", values="ms", aggfunc="sum").fillna(0)
(share / 400).round(3)   # share of the 400 ms window per thread and state""")

md(r"""## 2. The convoy effect: an I/O-bound function beside a CPU-bound one

`io_api` does a little Python around two 2 ms downstream calls: alone, it answers in ~5.5 ms.
`cpu_report` is a 200 ms pure-Python report, three times a second. Both share one worker
process. Every time `io_api`'s call returns, its thread must take the GIL back, and the
report's thread holds it: the I/O thread waits up to a switch interval, *twice per request*.""")

code(r"""CONVOY = write_experiment("convoy", '''
Experiment(
    name: "convoy",
    description: "an I/O-bound function beside a CPU-bound one in the same process",
    seed: 1,
    host: Host(cores: 2.0, processes: 1, threads: 8, python: "3.11", switch_interval_ms: 5.0),
    functions: [
        FunctionUse(
            function: Inline(Function(name: "io_api", kind: Sync, body: [
                Cpu(Constant(0.2)), BlockingIo(Constant(2.0)),
                Cpu(Constant(0.2)), BlockingIo(Constant(2.0)), Cpu(Constant(0.2))])),
            workload: Poisson(rate_per_s: 50.0, duration_s: 20.0),
        ),
        FunctionUse(
            function: Inline(Function(name: "cpu_report", kind: Sync, body: [Cpu(Constant(200.0))])),
            workload: Poisson(rate_per_s: 3.0, duration_s: 20.0),
        ),
    ],
    output: Output(timeseries_interval_ms: 100.0),
)
''')

def io_api_latency(run):
    df = run.invocations
    io = df[df.function == "io_api"]["latency_ms"]
    return [io.quantile(0.5), io.quantile(0.99)]

alone = sim_run(CONVOY, {"functions.1.workload.rate_per_s": 0.001}, tag="alone")
mixed = sim_run(CONVOY, {}, tag="mixed", plots=True, thread_states=(1, 1.5))
pd.DataFrame([["alone"] + io_api_latency(alone), ["beside cpu_report"] + io_api_latency(mixed)],
             columns=["io_api", "p50 ms", "p99 ms"])""")

md(r"""More than ten times slower at the median, for a function that barely uses the CPU. The
lanes show the convoy: the I/O threads (short blue stretches) spend their time in orange,
waiting for the GIL the report's thread holds for 5 ms at a time.""")

code(r"""show_plot(mixed, "gil_lanes")
show_plot(mixed, "latency_cdf")""")

md(r"""## 3. The switch interval

`sys.setswitchinterval` changes how long a waiter waits before the holder is asked to drop
the GIL. Shorter means the I/O function waits less, at the price of more switches for the
CPU-bound one.""")

code(r"""rows = []
for si in [0.5, 1, 5, 20]:
    run = sim_run(CONVOY, {"host.switch_interval_ms": si}, tag="si%s" % si)
    df = run.invocations
    rep = df[df.function == "cpu_report"]["latency_ms"]
    rows.append([si] + io_api_latency(run) + [rep.quantile(0.5)])
pd.DataFrame(rows, columns=["switch interval ms", "io_api p50", "io_api p99", "cpu_report p50"])""")

md(r"""The fixes that do not touch the interpreter's settings: run the report in **another worker
process** (FUNCTIONS_WORKER_PROCESS_COUNT = 2: each process has its own GIL; the host
assigns requests round robin, so the processes still share the cores), or move it to another
function app.""")

code(r"""two = sim_run(CONVOY, {"host.processes": 2}, tag="two-processes")
pd.DataFrame([["1 process"] + io_api_latency(mixed), ["2 processes"] + io_api_latency(two)],
             columns=["io_api", "p50 ms", "p99 ms"])""")

md(r"""The median is back near 5.5 ms; the p99 is not, since the round robin still sends half of
`io_api`'s requests to the process running the report.

## 4. Native code that releases the GIL does help

`NativeCpu` is C code that drops the GIL (hashlib on large buffers, numpy, zlib): threads
running it use every core.""")

code(r"""def cpu_app(step):
    return write_experiment("cpu_" + step, '''
Experiment(
    name: "cpu_%s",
    description: "16 requests of 50 ms %s at once",
    seed: 1,
    host: Host(cores: 2.0, processes: 1, threads: 4, python: "3.11"),
    functions: [FunctionUse(
        function: Inline(Function(name: "work", kind: Sync, body: [%s(Constant(50.0))])),
        workload: Burst(n: 16),
    )],
)
''' % (step, step, step))

rows = []
for step in ["Cpu", "NativeCpu"]:
    run = sim_run(cpu_app(step), {})
    rows.append([step, run.summary["makespan_ms"], run.summary["cpu_utilisation"]])
pd.DataFrame(rows, columns=["body", "makespan ms", "CPU (of 2 cores)"])""")

md(r"""## 5. The free-threaded what-if

CPython 3.13t can run without the GIL (`host.free_threaded=true`, with `host.python=3.13`).
Then the CPU-bound threads of one process use both cores, and the convoy disappears.""")

code(r"""rows = []
for label, sets in [("3.11 (GIL)", {}), ("3.13t (free-threaded)", {"host.python": "3.13", "host.free_threaded": "true"})]:
    cpu = sim_run("cpu_bound", dict(sets, **{"host.threads": 4}), tag="ft-" + label[:4])
    convoy = sim_run(CONVOY, sets, tag="ft-convoy-" + label[:4])
    rows.append([label, cpu.summary["makespan_ms"]] + io_api_latency(convoy))
pd.DataFrame(rows, columns=["interpreter", "cpu_bound makespan ms", "io_api p50", "io_api p99"])""")

md(r"""## Something to try

* Make `cpu_report` an `async def` (`kind: Async`) in `CONVOY`: now it blocks the **event
  loop** as well, and every invocation of that worker waits for it (the README's
  `async_pitfalls` experiment; `sim run experiments/async_pitfalls.ron --trace-events
  pitfalls.json` and open the file in ui.perfetto.dev to see the loop blocked).
* Split `cpu_report`'s 200 ms into `Cpu(100) + NativeCpu(100)`: how much of the convoy is left?
* Raise `io_api`'s rate until the process saturates: where does the p99 explode, and does a
  second process move it?""")

if __name__ == "__main__":
    NB.write(TARGET)
