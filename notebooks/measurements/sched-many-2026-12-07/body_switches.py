#!/usr/bin/env python3
"""How often a body's thread was switched out, from the machine's `"schedstat": true` rows.

    python3 body_switches.py RUN_FOLDER...

Per case, the means over its bodies of: wall time, voluntary switches (sleeps: waiting for the
GIL, each timed wait that ran out, each wake-up in vain), involuntary ones (preempted while
runnable), and the body's CPU per voluntary switch and its time off the CPUs per voluntary
switch. Stdlib only.
"""
import csv
import glob
import os
import statistics as st
import sys

for run in sys.argv[1:]:
    for f in sorted(glob.glob(os.path.join(run, "invocations", "*.csv"))):
        rows = [x for x in csv.DictReader(open(f))
                if x["start_ms"] and x["end_ms"] and x.get("vol_cs")]
        if not rows:
            continue
        m = lambda k: st.fmean(float(x[k]) for x in rows)  # noqa: E731
        wall = st.fmean(float(x["end_ms"]) - float(x["start_ms"]) for x in rows)
        off = wall - m("cpu_ms") - m("rq_wait_ms")
        vol = max(m("vol_cs"), 1e-9)
        print("%s %-32s wall %5.1f  voluntary %5.2f  involuntary %5.2f  cpu/voluntary %4.2f ms"
              "  off/voluntary %4.2f ms" % (run, os.path.basename(f)[:-4][:32], wall,
                                            m("vol_cs"), m("invol_cs"), m("cpu_ms") / vol,
                                            off / vol))
