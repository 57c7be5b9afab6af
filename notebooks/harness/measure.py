#!/usr/bin/env python3
"""Measure how real CPython serves an Azure-Functions-style Python host.

This is the project's own ground-truth harness: it runs the cases of a
``cases.json`` on the machine at hand and writes, in the format of
``shared/ground-truth`` (which ``sim validate DIR`` reads)::

    DIR/cases.json              the cases measured (a copy, restricted to --only)
    DIR/measured.json           machine block + per-case metrics (median/min/max/reps)
    DIR/invocations/<case>.csv  every invocation of every repetition
    DIR/harness_log.json        extra diagnostics (load checks, retries, the host's CPU per
                                invocation, each repetition's machine speed: idle ping round
                                trip, a fixed Python probe, the idle dispatch path's
                                probe and a forced GIL hand-over's transit); sim validate
                                simulates with the host's CPU per
                                invocation and reports sim's dispatch probe beside it

Usage::

    python3 measure.py --cases CASES.json --out DIR [--reps 3] [--only NAME ...]

Stdlib only; Python 3.9+.

Structure (and why it mirrors the Azure Functions Python worker)
---------------------------------------------------------------
The real Functions host (a .NET process) talks gRPC to P Python worker
processes (FUNCTIONS_WORKER_PROCESS_COUNT) and hands out invocations
round robin without looking at how busy a worker is.  Inside each worker,
``azure_functions_worker/dispatcher.py`` does three things that decide how
invocations share one interpreter:

* a gRPC thread reads the request stream and, for every request, calls
  ``loop.call_soon_threadsafe(loop.create_task, self._dispatch_grpc_request(req))``;
  the asyncio event loop runs on the main thread;
* ``async def`` functions are awaited right on that loop; ``def`` functions
  go through ``await loop.run_in_executor(self._sync_call_tp, ...)`` where
  ``_sync_call_tp`` is a ``ThreadPoolExecutor(PYTHON_THREADPOOL_THREAD_COUNT)``
  (``None``, i.e. Python's default, since Python 3.9);
* responses are put on a ``queue.Queue`` that the gRPC thread drains.

This harness keeps exactly that skeleton and drops the rest (gRPC,
bindings, logging):

* ``Host`` (the parent process) starts P ``Worker`` processes with the
  multiprocessing 'spawn' method and sends invocation i to worker
  (i + 1) mod P over a pipe (blind round robin);
* each ``Worker`` has a receiver thread that does
  ``loop.call_soon_threadsafe(loop.create_task, dispatch(req))``, a
  ``dispatch`` coroutine that awaits the body (async kinds) or
  ``loop.run_in_executor(ThreadPoolExecutor(T), body)`` (sync kinds), and a
  sender thread that drains the response queue back into a pipe;
* the thread pools (the T-thread pool and the loop's default executor) are
  warmed so that all their threads exist before t = 0.

Timestamps are ``time.perf_counter()`` taken inside the workers; on Linux
(CLOCK_MONOTONIC), macOS and Windows this clock is system-wide, and the
host checks it (a ping whose reply must fall between send and receive)
before every repetition.  Times are reported in ms relative to t0, the
host's clock just before the first invocation is sent.

Definitions (the same as the ground truth's):
latency = body end - arrival; queue = body start - arrival;
makespan = last body end - first arrival (= last body end for bursts);
max concurrency = most bodies running at once.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import csv
import datetime
import json
import math
import multiprocessing
import os
import platform
import queue
import random
import statistics
import sys
import threading
import time
import traceback
from multiprocessing.connection import wait as wait_for_connections

CSV_COLUMNS = ["rep", "id", "worker", "thread", "arrival_ms", "start_ms", "end_ms",
               "cpu_ms", "inner_start_ms", "inner_end_ms"]
SCALAR_METRICS = ["n", "makespan_ms", "lat_mean_ms", "lat_p50_ms", "lat_p90_ms",
                  "lat_p99_ms", "lat_max_ms", "queue_mean_ms", "max_concurrency"]

# ---------------------------------------------------------------------------
# Bodies: the user function of each kind.  Each returns None or the
# (start, end) perf_counter pair of its "inner" phase (the sleep of `mixed`,
# the executor call of `async_executor`).
# ---------------------------------------------------------------------------

CPU_CHUNK = 200  # loop iterations between two reads of the thread CPU clock (~10 us)


def burn_cpu(ms):
    """Pure-Python loop until *this thread* has used `ms` ms of CPU time.

    Being ordinary bytecode, it holds the GIL and gives it up exactly as any
    pure-Python code does (on request, after the switch interval).  Time spent
    waiting for the GIL is not CPU time, so the work done is the same whatever
    the contention.  Returns the number of loop iterations (for calibration).
    """
    deadline = time.thread_time() + ms / 1000.0
    x = 0
    iterations = 0
    while time.thread_time() < deadline:
        for i in range(CPU_CHUNK):
            x += i * i
        iterations += CPU_CHUNK
    return iterations


def sync_io(body):
    time.sleep(body["d_ms"] / 1000.0)


def sync_cpu(body):
    burn_cpu(body["d_ms"])


def mixed(body):
    burn_cpu(body["cpu_ms"])
    inner_start = time.perf_counter()
    time.sleep(body["io_ms"] / 1000.0)
    return inner_start, time.perf_counter()


def sync_noop(body):
    return None


async def async_io(body):
    await asyncio.sleep(body["d_ms"] / 1000.0)


async def async_blocking(body):
    time.sleep(body["d_ms"] / 1000.0)  # blocks the event loop: the classic mistake


async def async_cpu(body):
    burn_cpu(body["d_ms"])  # no await: nothing else runs on the loop meanwhile


async def async_executor(body):
    loop = asyncio.get_running_loop()
    inner_start = time.perf_counter()
    await loop.run_in_executor(None, time.sleep, body["d_ms"] / 1000.0)
    return inner_start, time.perf_counter()


async def gather(body):
    delay = body["d_ms"] / 1000.0
    await asyncio.gather(*(asyncio.sleep(delay) for _ in range(body["k"])))


async def async_noop(body):
    return None


SYNC_KINDS = {"sync_io": sync_io, "sync_cpu": sync_cpu, "mixed": mixed,
              "sync_noop": sync_noop}
ASYNC_KINDS = {"async_io": async_io, "async_blocking": async_blocking,
               "async_cpu": async_cpu, "async_executor": async_executor,
               "gather": gather, "async_noop": async_noop}
REQUIRED_PARAMS = {"sync_io": ["d_ms"], "sync_cpu": ["d_ms"], "mixed": ["cpu_ms", "io_ms"],
                   "async_io": ["d_ms"], "async_blocking": ["d_ms"], "async_cpu": ["d_ms"],
                   "async_executor": ["d_ms"], "gather": ["k", "d_ms"],
                   "sync_noop": [], "async_noop": []}


SCHED_COLUMNS = ["rq_wait_ms", "slices", "vol_cs", "invol_cs"]
# Where each invocation's dispatch path was, with the cumulative counters of the thread there
# (--schedstat): the receiver when it read the request, the loop when it began to dispatch it,
# the body's thread at the body's start and end, the loop when it saw the body done, the sender
# before it wrote the response.
# Differences between consecutive invocations give each thread's CPU and run-queue time per
# invocation and what a worker's thread did between two bodies.
PATH_POINTS = ["rx", "dp", "b0", "b1", "lp", "tx"]
PATH_COLUMNS = ["%s_%s" % (p, k) for p in PATH_POINTS for k in ("ms", "run_ms", "rq_ms")] + \
    ["b0_vol", "b0_invol", "b1_vol", "b1_invol"]


def thread_clock():
    """This thread's cumulative on-CPU and run-queue-wait times, ns (Linux), or None."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            run_ns, wait_ns, _slices = (int(x) for x in f.read().split())
        return (run_ns, wait_ns)
    except (OSError, ValueError):
        return None


def path_point(name):
    """A dispatch-path timestamp with this thread's cumulative counters (see PATH_COLUMNS)."""
    return (name, time.perf_counter(), thread_clock())


def thread_sched():
    """This thread's scheduler counters (Linux): run-queue wait ns, times scheduled in,
    voluntary and involuntary context switches; None where /proc cannot tell."""
    try:
        with open("/proc/thread-self/schedstat") as f:
            run_ns, wait_ns, slices = (int(x) for x in f.read().split())
        vol = invol = 0
        with open("/proc/thread-self/status") as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches"):
                    vol = int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches"):
                    invol = int(line.split()[1])
        return (wait_ns, slices, vol, invol, run_ns)
    except (OSError, ValueError):
        return None


def sched_delta(before, after):
    """Per-body scheduler counters (--schedstat): how long the thread was runnable but not
    running, and how often it blocked (voluntary: waiting for the GIL, in a CPU body) or was
    preempted (involuntary)."""
    if before is None or after is None:
        return None
    d = [b - a for a, b in zip(before, after)]
    return {"rq_wait_ms": round(d[0] / 1e6, 4), "slices": d[1], "vol_cs": d[2],
            "invol_cs": d[3]}


def invocation_record(inv_id, start, end, cpu_s, inner, sched=None, counters=None):
    """What a worker reports about one body execution (absolute perf_counter s)."""
    return {"id": inv_id, "thread": threading.get_ident(), "start": start, "end": end,
            "cpu": cpu_s, "inner": inner, "sched": sched, "counters": counters}


def timed_sync(inv_id, fn, body, schedstat=False):
    """Run a def body in the current (thread-pool) thread and time it."""
    sched0 = thread_sched() if schedstat else None
    start = time.perf_counter()
    cpu0 = time.thread_time()
    inner = fn(body)
    cpu_s = time.thread_time() - cpu0
    end = time.perf_counter()
    sched1 = thread_sched() if schedstat else None
    sched = sched_delta(sched0, sched1) if schedstat else None
    counters = (sched0, sched1) if schedstat else None
    return invocation_record(inv_id, start, end, cpu_s, inner, sched, counters)


async def timed_async(inv_id, fn, body, schedstat=False):
    """Await an async def body on the loop and time it.

    Its CPU time is the loop thread's, so it includes whatever other
    coroutines ran on the loop while this one was suspended.
    """
    sched0 = thread_sched() if schedstat else None
    start = time.perf_counter()
    cpu0 = time.thread_time()
    inner = await fn(body)
    cpu_s = time.thread_time() - cpu0
    end = time.perf_counter()
    sched1 = thread_sched() if schedstat else None
    sched = sched_delta(sched0, sched1) if schedstat else None
    counters = (sched0, sched1) if schedstat else None
    return invocation_record(inv_id, start, end, cpu_s, inner, sched, counters)


# ---------------------------------------------------------------------------
# Worker process
# ---------------------------------------------------------------------------

def warm_pool(pool):
    """Make a ThreadPoolExecutor create all its threads now.

    ThreadPoolExecutor starts threads lazily, one per submit while no thread
    is idle: submitting max_workers tasks that wait for each other at a
    barrier forces every thread into existence.
    """
    size = pool._max_workers  # the Azure worker reads this attribute too
    barrier = threading.Barrier(size)
    futures = [pool.submit(barrier.wait, 30) for _ in range(size)]
    concurrent.futures.wait(futures)
    return size


class Worker:
    """One Python worker process: the event loop on the main thread, a
    receiver thread feeding it, a sender thread draining responses, and a
    ThreadPoolExecutor(T) for def bodies."""

    def __init__(self, index, case, requests, responses):
        self.index = index
        self.body = case["body"]
        self.kind = self.body["kind"]
        self.is_async = self.kind in ASYNC_KINDS
        self.fn = ASYNC_KINDS.get(self.kind) or SYNC_KINDS[self.kind]
        self.threads = case.get("T")
        self.schedstat = bool(case.get("schedstat"))
        self.requests = requests      # pipe end: host -> worker
        self.responses = responses    # pipe end: worker -> host
        self.outbox = queue.Queue()   # like dispatcher._grpc_resp_queue
        self.received = {}            # inv id -> the receiver's path point (--schedstat)
        self.loop = None
        self.sync_pool = None

    def run(self):
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.sync_pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.threads)
        default_pool = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="asyncio")
        self.loop.set_default_executor(default_pool)  # what the loop would create lazily
        pools = {"sync_pool": warm_pool(self.sync_pool), "default_pool": warm_pool(default_pool)}
        sender = threading.Thread(target=self.send_loop, name="sender")
        receiver = threading.Thread(target=self.receive_loop, name="receiver", daemon=True)
        sender.start()
        receiver.start()
        self.loop.call_soon(self.outbox.put, ("ready", os.getpid(), pools))
        try:
            self.loop.run_forever()
        finally:
            self.outbox.put(None)
            sender.join()
            self.sync_pool.shutdown(wait=False)
            default_pool.shutdown(wait=False)
            self.loop.close()
            self.responses.close()

    def receive_loop(self):
        """The gRPC thread's reading half: hand each request to the loop."""
        while True:
            try:
                msg = self.requests.recv()
            except EOFError:
                msg = ("stop",)
            if msg[0] == "inv":
                if self.schedstat:
                    self.received[msg[1]] = path_point("rx")
                self.loop.call_soon_threadsafe(self.loop.create_task, self.dispatch(msg[1]))
            elif msg[0] == "probe":
                self.loop.call_soon_threadsafe(self.loop.create_task,
                                               self.dispatch(msg[1], probe=True))
            elif msg[0] == "ping":
                self.outbox.put(("pong", time.perf_counter()))
            else:  # "stop"
                self.loop.call_soon_threadsafe(self.loop.stop)
                return

    async def dispatch(self, inv_id, probe=False):
        """dispatcher._dispatch_grpc_request + _handle__invocation_request, reduced. A probe
        takes the same path with an empty body of the case's style (`def` or `async def`)."""
        schedstat = self.schedstat and not probe
        dispatched = path_point("dp") if schedstat else None
        try:
            if self.is_async:
                fn = async_noop if probe else self.fn
                record = await timed_async(inv_id, fn, self.body, schedstat)
            else:
                fn = sync_noop if probe else self.fn
                record = await self.loop.run_in_executor(
                    self.sync_pool, timed_sync, inv_id, fn, self.body, schedstat)
            if schedstat:
                record["path"] = [self.received.pop(inv_id, None), dispatched,
                                  path_point("lp")]
            self.outbox.put_nowait(("probed" if probe else "done", record))
        except Exception:
            self.outbox.put_nowait(("error", inv_id, traceback.format_exc()))

    def send_loop(self):
        """The gRPC thread's writing half: drain the response queue."""
        while True:
            msg = self.outbox.get()
            if msg is None:
                return
            if msg[0] == "done" and "path" in msg[1]:
                msg[1]["path"].append(path_point("tx"))
            self.responses.send(msg)


def worker_main(index, case, requests, responses):
    """Entry point of a spawned worker process (must be importable: spawn)."""
    Worker(index, case, requests, responses).run()


# ---------------------------------------------------------------------------
# Host process
# ---------------------------------------------------------------------------

class WorkerFailed(RuntimeError):
    pass


class Host:
    """The parent process: starts P workers, sends invocations round robin,
    and collects responses through a collector thread."""

    def __init__(self, case, timeout_s):
        self.case = case
        self.P = int(case["P"])
        self.timeout_s = timeout_s
        self.procs, self.to_worker, self.from_worker = [], [], []
        self.inbox = queue.Queue()  # (worker, msg) from the collector thread
        self.records = {}           # id -> (worker, record)
        self.collector = None

    # -- lifecycle --
    def start(self):
        ctx = multiprocessing.get_context("spawn")
        for index in range(self.P):
            req_recv, req_send = ctx.Pipe(duplex=False)
            resp_recv, resp_send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=worker_main, name="worker-%d" % index, daemon=True,
                               args=(index, self.case, req_recv, resp_send))
            proc.start()
            req_recv.close()
            resp_send.close()
            self.procs.append(proc)
            self.to_worker.append(req_send)
            self.from_worker.append(resp_recv)
        self.collector = threading.Thread(target=self.collect_loop, name="collector", daemon=True)
        self.collector.start()
        return self.wait_ready()

    def wait_ready(self):
        """Wait for every worker's 'ready' (any order); returns their thread-pool sizes."""
        pools = {}
        while len(pools) < self.P:
            worker, msg = self.next_message()
            if msg[0] != "ready":
                raise WorkerFailed("expected 'ready', got %r from worker %d" % (msg[0], worker))
            pools[worker] = msg[2]
        return [pools[w] for w in range(self.P)]

    def stop(self):
        for conn in self.to_worker:
            try:
                conn.send(("stop",))
            except (OSError, ValueError):
                pass
        for proc in self.procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        if self.collector is not None:
            self.collector.join(timeout=5)
        for conn in self.to_worker + self.from_worker:
            conn.close()

    # -- messages --
    def collect_loop(self):
        """Move every message from every worker into self.inbox."""
        open_conns = {conn: w for w, conn in enumerate(self.from_worker)}
        while open_conns:
            for conn in wait_for_connections(list(open_conns)):
                try:
                    self.inbox.put((open_conns[conn], conn.recv()))
                except (EOFError, OSError):
                    self.inbox.put((open_conns.pop(conn), ("eof",)))

    def next_message(self):
        try:
            worker, msg = self.inbox.get(timeout=self.timeout_s)
        except queue.Empty:
            raise WorkerFailed("no message from any worker for %.0f s" % self.timeout_s)
        if msg[0] == "error":
            raise WorkerFailed("worker %d, invocation %d:\n%s" % (worker, msg[1], msg[2]))
        if msg[0] == "eof":
            raise WorkerFailed("worker %d exited early (exit code %s)"
                               % (worker, self.procs[worker].exitcode))
        return worker, msg

    def expect(self, kind, worker):
        got_worker, msg = self.next_message()
        if msg[0] != kind or got_worker != worker:
            raise WorkerFailed("expected %r from worker %d, got %r from %d"
                               % (kind, worker, msg[0], got_worker))
        return msg

    def ping_round_trips_us(self, count):
        """Round trips of a ping to worker 0 and back (its receiver and sender threads, the
        pipes, the wake-ups of an idle machine), us: the dispatch path's kind of work, the
        same for every case."""
        trips = []
        for _ in range(count):
            sent = time.perf_counter()
            self.to_worker[0].send(("ping",))
            self.expect("pong", 0)
            trips.append((time.perf_counter() - sent) * 1e6)
        return trips

    def check_clocks(self):
        """Each worker's perf_counter must lie between our send and receive."""
        for w in range(self.P):
            sent = time.perf_counter()
            self.to_worker[w].send(("ping",))
            worker_time = self.expect("pong", w)[1]
            received = time.perf_counter()
            if not sent <= worker_time <= received:
                raise WorkerFailed("perf_counter is not shared between processes: "
                                   "worker %d read %.6f outside [%.6f, %.6f]"
                                   % (w, worker_time, sent, received))

    # -- invocations --
    def send(self, inv_id):
        """Blind round robin, as the Functions host: invocation i -> worker (i+1) mod P."""
        self.to_worker[(inv_id + 1) % self.P].send(("inv", inv_id))

    def collect_done(self, count):
        for _ in range(count):
            worker, msg = self.next_message()
            if msg[0] != "done":
                raise WorkerFailed("unexpected message %r" % (msg[0],))
            self.records[msg[1]["id"]] = (worker, msg[1])


# ---------------------------------------------------------------------------
# Arrival patterns.  Each sends every invocation, collects every response and
# returns (t0, {id: arrival time}) in absolute perf_counter seconds.
# ---------------------------------------------------------------------------

def poisson_schedule(arrival, rep):
    """Arrival offsets (s) of repetition `rep`: exponential gaps from
    random.Random(seed + rep) until duration_s (the ground truth's sample paths)."""
    rng = random.Random(arrival["seed"] + rep)
    times, t = [], 0.0
    while True:
        t += rng.expovariate(arrival["rate_per_s"])
        if t >= arrival["duration_s"]:
            return times
        times.append(t)


def sleep_until(deadline):
    remaining = deadline - time.perf_counter()
    if remaining > 0:
        time.sleep(remaining)


def drive_burst(host, arrival, rep):
    n = arrival["n"]
    t0 = time.perf_counter()
    for i in range(n):
        host.send(i)
    host.collect_done(n)
    return t0, {i: t0 for i in range(n)}


def drive_serial(host, arrival, rep):
    """One in flight at a time: the next is sent gap_ms after the previous response."""
    arrivals = {}
    t0 = time.perf_counter()
    for i in range(arrival["n"]):
        arrivals[i] = time.perf_counter()
        host.send(i)
        host.collect_done(1)
        time.sleep(arrival["gap_ms"] / 1000.0)
    return t0, arrivals


def drive_poisson(host, arrival, rep):
    """Open loop: arrival = the scheduled instant, whether or not we sent on time."""
    offsets = poisson_schedule(arrival, rep)
    t0 = time.perf_counter()
    for i, offset in enumerate(offsets):
        sleep_until(t0 + offset)
        host.send(i)
    host.collect_done(len(offsets))
    return t0, {i: t0 + offset for i, offset in enumerate(offsets)}


DRIVERS = {"burst": drive_burst, "serial": drive_serial, "poisson": drive_poisson}


# ---------------------------------------------------------------------------
# Machine-load check (Linux only): was anything else using the CPUs?
# ---------------------------------------------------------------------------

def system_busy_ticks():
    """Busy clock ticks of all CPUs since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq = fields[:7]
    steal = fields[7] if len(fields) > 7 else 0
    return user + nice + system + irq + softirq + steal


def process_ticks(pid):
    """utime + stime clock ticks of one process (/proc/PID/stat), or 0."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            after_name = f.read().rsplit(")", 1)[1].split()
        return int(after_name[11]) + int(after_name[12])
    except (OSError, ValueError, IndexError):
        return 0


def threads_cpu_ns(pids):
    """On-CPU ns so far of every thread of these processes (/proc/PID/task/*/schedstat), or
    None where /proc cannot tell (not Linux, or a thread gone mid-read)."""
    total = 0
    try:
        for pid in pids:
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total


# Bodies that await on the event loop: while one awaits, the loop thread runs other
# invocations, so its CPU clock over a body is not that body's own.
AWAITING_KINDS = ("async_io", "gather", "async_executor")


def worker_cpu_us_per_invocation(before_ns, after_ns, records, kind="sync_cpu"):
    """The workers' CPU per invocation outside the bodies (receiver, event loop, sender, the
    pool's hand-offs, kernel work included), us: all their threads' CPU over the run less the
    bodies' own CPU clocks; None without both readings, or for bodies that await (their CPU
    clocks overlap)."""
    if before_ns is None or after_ns is None or not records or kind in AWAITING_KINDS:
        return None
    body_us = sum(rec["cpu"] for _worker, rec in records.values()) * 1e6
    return round(((after_ns - before_ns) / 1e3 - body_us) / len(records), 1)


class LoadMeter:
    """CPU used by other processes than ours, in cores, over a window."""

    def __init__(self, pids):
        self.pids = pids
        self.tick_s = 1.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.01
        self.start = None

    def snapshot(self):
        busy = system_busy_ticks()
        if busy is None:
            return None
        return time.perf_counter(), busy, sum(process_ticks(p) for p in self.pids)

    def begin(self):
        self.start = self.snapshot()

    def foreign_cores(self):
        end = self.snapshot()
        if self.start is None or end is None or end[0] <= self.start[0]:
            return None
        foreign_ticks = (end[1] - self.start[1]) - (end[2] - self.start[2])
        return round(max(0.0, foreign_ticks * self.tick_s / (end[0] - self.start[0])), 3)


# ---------------------------------------------------------------------------
# Running one repetition
# ---------------------------------------------------------------------------

IDLE_WINDOW_S = 0.5   # idle-machine check before t0 (also lets the spawned workers settle)
SPEED_PINGS = 21      # idle round trips timed before each repetition
PROBE_ITERATIONS = 20000  # pure-Python loop iterations timed before each repetition
DISPATCH_PROBES = 25  # empty invocations sent through the idle dispatch path per repetition
DISPATCH_PROBE_GAP_S = 0.02  # the host's sleep before each: as long as a worker sleeps between
                             # requests at these cases' rates (a full sleeper wake-up)
GIL_HANDOVER_PROBES = 31  # forced GIL hand-overs timed per repetition (each one switch
                          # interval long: about 0.2 s in all)


def python_probe_us(iterations=PROBE_ITERATIONS):
    """CPU time of a fixed pure-Python loop in this thread, us: how fast the machine runs
    Python right now (the CPU bodies cannot show it: they run until their own CPU clock has
    advanced d ms)."""
    start = time.thread_time()
    total = 0
    for i in range(iterations):
        total += i * i % 7
    return (time.thread_time() - start) * 1e6


def dispatch_probe(host, count=DISPATCH_PROBES, gap_s=DISPATCH_PROBE_GAP_S):
    """The idle dispatch path's speed right now: `count` empty invocations of the case's style,
    one at a time to worker 0, each after the host slept `gap_s`. Per probe, the time from the
    host's send to the empty body's start (receiver, loop, executor hand-off: what sim's
    dispatch costs model) and to the response back at the host, us; medians. The same VM ran
    this path twice as fast in some sittings as in others while its Python ran only 15%
    faster, so the Python probe cannot stand in for it. Also the worker processes' CPU per
    probe (`idle_dispatch_cpu_us`: every thread's on-CPU time over the probes, the Python work
    and the kernel's together, None where /proc cannot tell), so that the path's time can be
    split into the CPU it takes on the cores and the wake-ups it waits for."""
    starts, trips = [], []
    pids = [p.pid for p in host.procs]
    cpu0 = threads_cpu_ns(pids)
    for i in range(count):
        time.sleep(gap_s)
        sent = time.perf_counter()
        host.to_worker[0].send(("probe", -1 - i))
        record = host.expect("probed", 0)[1]
        received = time.perf_counter()
        starts.append((record["start"] - sent) * 1e6)
        trips.append((received - sent) * 1e6)
    cpu1 = threads_cpu_ns(pids)
    cpu_us = None if None in (cpu0, cpu1) else round((cpu1 - cpu0) / 1e3 / count, 1)
    return {"idle_dispatch_us": round(statistics.median(starts), 1),
            "round_trip_us": round(statistics.median(trips), 1),
            "idle_dispatch_cpu_us": cpu_us,
            "probes": count, "gap_ms": round(gap_s * 1e3, 3)}


def thread_cpu():
    """The CPU the calling thread runs on now (field 39 of /proc/thread-self/stat); None where
    Linux's /proc is not there."""
    try:
        with open("/proc/thread-self/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[36])
    except (OSError, ValueError, IndexError):
        return None


def forced_handover_transit_us():
    """One forced GIL hand-over in this process: the calling thread spins in pure Python,
    holding the GIL, while a second thread comes back from a 1 ms sleep and waits for it. After
    the switch interval the spinner drops the GIL and the waiter, asleep on its CPU meanwhile
    (idle, with the spinner on the other one), wakes to take it. Returns the transit, us, from
    the spinner's last timestamp before the drop to the waiter's first after it, and whether
    the waiter ran on the spinner's CPU (read from /proc after the timestamps, so it costs the
    transit nothing; None without /proc, or when the spinner ran on another CPU after the
    transit than before it, so that where it dropped the GIL is not known). Both are None
    when the waiter took the GIL before the spinner's loop had run at all (a machine too busy
    to start it): no hand-over from the spinner was timed. A waiter elsewhere paid a virtual
    CPU's exit from idle: what sim's `gil_handover_us` stands for; one beside the spinner did
    not (`gil_handover_busy_us`)."""
    stamps = {"spin": None, "taken": False, "transit": None, "cpu": None}

    def wait_then_take():
        time.sleep(0.001)
        taken = time.perf_counter()
        spun = stamps["spin"]  # before the /proc read, which lets the spinner run again
        stamps["cpu"] = thread_cpu()
        if spun is not None:
            stamps["transit"] = taken - spun
        stamps["taken"] = True

    spinner_cpu = thread_cpu()
    waiter = threading.Thread(target=wait_then_take, name="gil-probe")
    waiter.start()
    clock = time.perf_counter
    while not stamps["taken"]:
        stamps["spin"] = clock()
    waiter.join()
    if stamps["transit"] is None:
        return None, None
    known = None not in (spinner_cpu, stamps["cpu"]) and thread_cpu() == spinner_cpu
    return stamps["transit"] * 1e6, (stamps["cpu"] == spinner_cpu if known else None)


def rounded_figure(statistic, values, *args):
    """`statistic(values, *args)` to 0.1, or None when there are no values."""
    return round(statistic(values, *args), 1) if values else None


def gil_handover_probe(count=GIL_HANDOVER_PROBES):
    """A forced GIL hand-over's transit right now (`forced_handover_transit_us`), `count`
    times: the median, the mean and the p90 (`percentile`) of those timed (`timed`), us, and
    how many woke on another CPU than the spinner's, with their mean and median (None if none
    did). The transit spreads widely (a few us beside the spinner, tens when the waiter wakes
    its own idle CPU), and the exit from idle moves between sittings and within one (23 to
    60 us medians a few minutes apart on one idle VM), so each repetition takes its own; the
    mean elsewhere is what sim's hand-over to an idle CPU stands for."""
    probes = [forced_handover_transit_us() for _ in range(count)]
    transits = [t for t, _ in probes if t is not None]
    elsewhere = [t for t, beside in probes if t is not None and beside is False]
    return {"median_us": rounded_figure(statistics.median, transits),
            "mean_us": rounded_figure(statistics.fmean, transits),
            "p90_us": rounded_figure(percentile, transits, 0.9),
            "elsewhere": len(elsewhere),
            "elsewhere_mean_us": rounded_figure(statistics.fmean, elsewhere),
            "elsewhere_median_us": rounded_figure(statistics.median, elsewhere),
            "timed": len(transits),
            "probes": count}


def machine_speed(host):
    """This repetition's speed record, taken on the idle machine before the load starts: the
    median idle ping round trip, the median of three runs of the Python probe, the idle
    dispatch path's (`dispatch_probe`) and a forced GIL hand-over's (`gil_handover_probe`)."""
    trips = sorted(host.ping_round_trips_us(SPEED_PINGS))
    probes = sorted(python_probe_us() for _ in range(3))
    return {"ping_round_trip_us": round(trips[len(trips) // 2], 1),
            "python_probe_us": round(probes[1], 1),
            "dispatch_probe": dispatch_probe(host),
            "gil_handover_probe": gil_handover_probe()}
RUN_WINDOW_MIN_S = 1.0  # shorter runs are too short for tick-based load accounting


def run_repetition(case, rep, opts):
    """Start fresh workers, run the case once, stop them.

    Returns (rows, check): rows are per-invocation dicts in ms relative to t0,
    check describes the machine-load measurements of this attempt.
    """
    host = Host(case, opts.timeout)
    try:
        pools = host.start()
        host.check_clocks()
        speed = machine_speed(host)
        meter = LoadMeter([os.getpid()] + [p.pid for p in host.procs])
        meter.begin()
        time.sleep(IDLE_WINDOW_S if opts.quiet_check else 0.2)
        idle_foreign = meter.foreign_cores()
        meter.begin()
        host_cpu0, send_cpu0 = time.process_time(), time.thread_time()
        worker_pids = [p.pid for p in host.procs]
        worker_cpu0 = threads_cpu_ns(worker_pids)
        t0, arrivals = DRIVERS[case["arrival"]["type"]](host, case["arrival"], rep)
        run_s = time.perf_counter() - t0
        host_cpu_s = time.process_time() - host_cpu0
        send_cpu_s = time.thread_time() - send_cpu0
        worker_cpu1 = threads_cpu_ns(worker_pids)
        run_foreign = meter.foreign_cores() if run_s >= RUN_WINDOW_MIN_S else None
    finally:
        host.stop()
    # The host process's own CPU per invocation (sending requests, reading responses): it
    # shares the cores with the workers, as the Functions host does on an instance.
    n = max(1, len(host.records))
    check = {"foreign_cores_idle": idle_foreign, "foreign_cores_run": run_foreign,
             "pools": pools[0] if pools else None,
             "host_cpu_us_per_invocation": round(host_cpu_s * 1e6 / n, 1),
             "host_send_cpu_us_per_invocation": round(send_cpu_s * 1e6 / n, 1),
             "worker_cpu_us_per_invocation": worker_cpu_us_per_invocation(
                 worker_cpu0, worker_cpu1, host.records, case["body"]["kind"]),
             "speed": speed}
    return build_rows(rep, t0, arrivals, host.records), check


def ms(t, t0):
    return round((t - t0) * 1000.0, 4)


def build_rows(rep, t0, arrivals, records):
    """Per-invocation rows; threads are numbered 0, 1, ... per repetition in
    order of first use (by invocation id), one number per (worker, OS thread)."""
    thread_numbers = {}
    rows = []
    for inv_id in sorted(records):
        worker, rec = records[inv_id]
        key = (worker, rec["thread"])
        thread_numbers.setdefault(key, len(thread_numbers))
        inner = rec["inner"]
        rows.append({
            "rep": rep, "id": inv_id, "worker": worker, "thread": thread_numbers[key],
            "arrival_ms": ms(arrivals[inv_id], t0),
            "start_ms": ms(rec["start"], t0), "end_ms": ms(rec["end"], t0),
            "cpu_ms": round(rec["cpu"] * 1000.0, 4),
            "inner_start_ms": ms(inner[0], t0) if inner else None,
            "inner_end_ms": ms(inner[1], t0) if inner else None,
        })
        if rec.get("sched"):
            rows[-1].update(rec["sched"])
        if rec.get("path"):
            rows[-1].update(path_columns(rec, t0))
    return rows


def path_columns(rec, t0):
    """The PATH_COLUMNS of one record: each point's time (ms from t0) and its thread's
    cumulative on-CPU and run-queue times (ms), the body thread's switch counts."""
    b0, b1 = rec["counters"]
    points = [p for p in rec["path"] if p]
    if b0 and b1:
        points += [("b0", rec["start"], (b0[4], b0[0])), ("b1", rec["end"], (b1[4], b1[0]))]
    out = {}
    for name, t, clock in points:
        out[name + "_ms"] = ms(t, t0)
        if clock:
            out[name + "_run_ms"] = round(clock[0] / 1e6, 4)
            out[name + "_rq_ms"] = round(clock[1] / 1e6, 4)
    if b0 and b1:
        out.update({"b0_vol": b0[2], "b0_invol": b0[3], "b1_vol": b1[2], "b1_invol": b1[3]})
    return out


def foreign_load(check):
    """The larger of the two foreign-load readings of an attempt (0 if unknown)."""
    return max(v or 0.0 for v in (check["foreign_cores_idle"], check["foreign_cores_run"]))


def is_disturbed(check, threshold):
    return foreign_load(check) > threshold


def measure_case(case, opts, log):
    """All repetitions of one case, retrying repetitions disturbed by other load."""
    all_rows, per_rep = [], []
    for rep in range(opts.reps):
        attempts = []  # (foreign load, rows, check)
        for attempt in range(opts.max_attempts):
            rows, check = run_repetition(case, rep, opts)
            check["disturbed"] = opts.quiet_check and is_disturbed(check, opts.quiet_threshold)
            attempts.append((foreign_load(check), rows, check))
            if not check["disturbed"]:
                break
            log("    rep %d attempt %d disturbed by other load (%s cores idle, %s run)%s"
                % (rep, attempt + 1, check["foreign_cores_idle"], check["foreign_cores_run"],
                   ", retrying" if attempt + 1 < opts.max_attempts else ", keeping the least disturbed"))
            time.sleep(1.0)
        kept = min(range(len(attempts)), key=lambda i: attempts[i][0])
        rows = attempts[kept][1]
        all_rows.extend(rows)
        per_rep.append({"rep": rep, "kept_attempt": kept, "attempts": [a[2] for a in attempts]})
        m = rep_metrics(rows)
        log("    rep %d: n=%d makespan %.1f ms, mean latency %.1f ms, max concurrency %d"
            % (rep, m["n"], m["makespan_ms"], m["lat_mean_ms"], m["max_concurrency"]))
    return all_rows, per_rep


# ---------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------

def percentile(values, q):
    """q-th quantile (0..1) with linear interpolation between closest ranks:
    numpy's default method ('linear'), position (n - 1) * q in sorted order.
    Used for every percentile here, so all places agree."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(math.floor(position))
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def max_concurrency(intervals):
    """Most intervals [start, end) open at once (an end at t comes before a start at t)."""
    events = [(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals]
    events.sort(key=lambda ev: (ev[0], ev[1]))
    running = best = 0
    for _, delta in events:
        running += delta
        best = max(best, running)
    return best


def rep_metrics(rows):
    """The metrics of one repetition from its rows."""
    latencies = [r["end_ms"] - r["arrival_ms"] for r in rows]
    queues = [r["start_ms"] - r["arrival_ms"] for r in rows]
    counts = {}
    for r in sorted(rows, key=lambda r: r["worker"]):
        counts[str(r["worker"])] = counts.get(str(r["worker"]), 0) + 1

    def r3(x):
        return round(x, 3)
    return {
        "n": len(rows),
        # last body end - first arrival: what shared/ground-truth's measured.json holds
        # (its README says "last body end"; the same for bursts, not for Poisson cases)
        "makespan_ms": r3(max(r["end_ms"] for r in rows) - min(r["arrival_ms"] for r in rows)),
        "lat_mean_ms": r3(statistics.fmean(latencies)),
        "lat_p50_ms": r3(percentile(latencies, 0.50)),
        "lat_p90_ms": r3(percentile(latencies, 0.90)),
        "lat_p99_ms": r3(percentile(latencies, 0.99)),
        "lat_max_ms": r3(max(latencies)),
        "queue_mean_ms": r3(statistics.fmean(queues)),
        "max_concurrency": max_concurrency([(r["start_ms"], r["end_ms"]) for r in rows]),
        "per_process_counts": counts,
    }


def aggregate(per_rep_metrics):
    """{metric: {median, min, max, reps}} over repetitions, plus per_process_counts."""
    out = {}
    for name in SCALAR_METRICS:
        values = [m[name] for m in per_rep_metrics]
        median = statistics.median(values)
        if isinstance(median, float):
            median = round(median, 3)
        out[name] = {"median": median, "min": min(values), "max": max(values), "reps": values}
    out["per_process_counts"] = {"reps": [m["per_process_counts"] for m in per_rep_metrics]}
    return out


def case_metrics(rows, reps):
    return aggregate([rep_metrics([r for r in rows if r["rep"] == rep]) for rep in range(reps)])


# ---------------------------------------------------------------------------
# Machine description
# ---------------------------------------------------------------------------

def calibrate(runs=5, run_ms=50.0):
    """Speed of the CPU loop on this machine (iterations per ms of CPU time)."""
    rates = [burn_cpu(run_ms) / run_ms for _ in range(runs)]
    return {"loop": "for i in range(%d): x += i * i" % CPU_CHUNK,
            "iters_per_ms": round(statistics.median(rates), 1),
            "iters_per_ms_cpu_min": round(min(rates), 1),
            "iters_per_ms_cpu_max": round(max(rates), 1),
            "runs": runs, "run_ms": run_ms}


def machine_info(opts):
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    probe = concurrent.futures.ThreadPoolExecutor()  # starts no thread until used
    default_workers = probe._max_workers
    probe.shutdown()
    return {
        "python": sys.version,
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "affinity": affinity,
        "switchinterval_s": sys.getswitchinterval(),
        "perf_counter": str(time.get_clock_info("perf_counter")),
        "start_method": "spawn",
        "repetitions": opts.reps,
        "default_executor_max_workers": default_workers,
        "calibration": calibrate(),
        "quiet_check": bool(opts.quiet_check),
        "quiet_threshold_cores": opts.quiet_threshold,
        "max_attempts": opts.max_attempts,
        "load_before_s": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "harness": "notebooks/harness/measure.py",
    }


# ---------------------------------------------------------------------------
# Cases and output files
# ---------------------------------------------------------------------------

def validate_case(case):
    kind = case["body"]["kind"]
    if kind not in REQUIRED_PARAMS:
        raise ValueError("case %s: unknown body kind %r" % (case["name"], kind))
    missing = [p for p in REQUIRED_PARAMS[kind] if p not in case["body"]]
    if missing:
        raise ValueError("case %s: body %s needs %s" % (case["name"], kind, missing))
    if case["arrival"]["type"] not in DRIVERS:
        raise ValueError("case %s: unknown arrival %r" % (case["name"], case["arrival"]["type"]))
    if int(case["P"]) < 1 or (case.get("T") is not None and int(case["T"]) < 1):
        raise ValueError("case %s: P and T must be >= 1 (T may be null)" % case["name"])


def load_cases(path, only):
    with open(path) as f:
        document = json.load(f)
    cases = document["cases"]
    if only:
        known = {c["name"] for c in cases}
        unknown = [name for name in only if name not in known]
        if unknown:
            raise SystemExit("unknown case(s): %s" % ", ".join(unknown))
        cases = [c for c in cases if c["name"] in only]
    for case in cases:
        validate_case(case)
    return dict(document, cases=cases)


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def read_invocations(path):
    """Rows of an invocations CSV (ours or the ground truth's), typed as build_rows makes them."""
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            row = {k: (float(v) if v != "" else None) for k, v in r.items()}
            for k in ("rep", "id", "worker", "thread"):
                row[k] = int(row[k])
            rows.append(row)
    return rows


def write_invocations(path, rows):
    columns = CSV_COLUMNS + (SCHED_COLUMNS if any("slices" in r for r in rows) else []) + \
        (PATH_COLUMNS if any("lp_ms" in r for r in rows) else [])
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else r[c] for c in columns])


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", required=True, help="cases.json (ground-truth schema)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--reps", type=int, default=3, help="repetitions per case (default 3)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="measure only these cases")
    p.add_argument("--max-attempts", type=int, default=3,
                   help="tries per repetition when other load disturbs it (default 3)")
    p.add_argument("--quiet-threshold", type=float, default=0.15,
                   help="foreign CPU load (cores) above which a run counts as disturbed")
    p.add_argument("--no-quiet-check", dest="quiet_check", action="store_false",
                   help="do not check for (or retry because of) other load")
    p.add_argument("--schedstat", action="store_true",
                   help="also record each body's scheduler counters (Linux /proc): run-queue "
                        "wait, times scheduled in, voluntary and involuntary context switches")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="seconds to wait for any worker message before giving up")
    opts = p.parse_args(argv)
    if system_busy_ticks() is None:
        opts.quiet_check = False  # no /proc/stat: cannot tell
    return opts


def main(argv=None):
    opts = parse_args(argv)
    suite = load_cases(opts.cases, opts.only)
    if opts.schedstat:
        suite = dict(suite, cases=[dict(c, schedstat=True) for c in suite["cases"]])
    os.makedirs(os.path.join(opts.out, "invocations"), exist_ok=True)

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    suite_start = time.perf_counter()
    machine = machine_info(opts)
    measured, harness_log = {}, {"cases": {}}
    for case in suite["cases"]:
        wanted = case.get("python_version")
        here = "%d.%d" % sys.version_info[:2]
        if wanted and wanted != here:
            log("note: case %s was specified for Python %s, running %s" % (case["name"], wanted, here))
        log("%s (P=%s, T=%s, %s, %s)" % (case["name"], case["P"], case.get("T"),
                                          case["arrival"]["type"], case["body"]["kind"]))
        case_start = time.perf_counter()
        rows, per_rep = measure_case(case, opts, log)
        measured[case["name"]] = case_metrics(rows, opts.reps)
        harness_log["cases"][case["name"]] = {"wall_s": round(time.perf_counter() - case_start, 2),
                                              "reps": per_rep}
        write_invocations(os.path.join(opts.out, "invocations", case["name"] + ".csv"), rows)
        machine["suite_wall_s"] = round(time.perf_counter() - suite_start, 1)
        done_cases = [c for c in suite["cases"] if c["name"] in measured]
        write_json(os.path.join(opts.out, "cases.json"), dict(suite, cases=done_cases))
        write_json(os.path.join(opts.out, "measured.json"), {"machine": machine, "measured": measured})
        write_json(os.path.join(opts.out, "harness_log.json"), harness_log)
    log("wrote %s (%d cases, %.1f s)" % (opts.out, len(measured), time.perf_counter() - suite_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
