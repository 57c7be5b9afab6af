#!/usr/bin/env python3
"""The loop's way from the receiver to the dispatch, from the loop thread's own counters.

    python3 loop_counters.py RUN_FOLDER

For each `def` case measured with `"schedstat": true` and the loop's `dp` point, over the
invocations whose loop thread had no point (`dp` or `lp`) between the receiver's `rx` and its
own `dp` (so the loop was asleep in `epoll_wait` when the request came): the mean time from
`rx` to `dp`, and the loop thread's run-queue wait and CPU between its previous point and
`dp`; the rest is time off the CPUs, waiting for the GIL. Stdlib only.
"""
import collections
import csv
import glob
import os
import statistics as st
import sys

for f in sorted(glob.glob(sys.argv[1]+'/invocations/*.csv')):
    rows=[r for r in csv.DictReader(open(f)) if r.get('dp_ms') and r.get('rx_ms') and r.get('lp_ms') and r.get('dp_rq_ms')]
    if not rows: continue
    by=collections.defaultdict(list)
    for r in rows:
        key=(r['rep'],r['worker'])
        by[key].append((float(r['dp_ms']),'dp',float(r['dp_run_ms']),float(r['dp_rq_ms']),r))
        by[key].append((float(r['lp_ms']),'lp',float(r['lp_run_ms']),float(r['lp_rq_ms']),r))
    hop=[];rq=[];run=[]
    for key,pts in by.items():
        pts.sort(key=lambda x:x[0])
        for prev,cur in zip(pts,pts[1:]):
            if cur[1]!='dp': continue
            r=cur[4]; rx=float(r['rx_ms'])
            if prev[0]>rx: continue  # previous loop point after rx: skip
            hop.append(cur[0]-rx); rq.append(cur[3]-prev[3]); run.append(cur[2]-prev[2])
    if hop:
        print('%-36s n=%4d rx->dp %6.2f  loop rq %6.2f  loop run %6.2f  rest(off-CPU) %6.2f'%(os.path.basename(f)[:-4][:36],len(hop),st.fmean(hop),st.fmean(rq),st.fmean(run),st.fmean(hop)-st.fmean(rq)-st.fmean(run)))
