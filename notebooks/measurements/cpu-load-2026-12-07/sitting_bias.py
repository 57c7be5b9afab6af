#!/usr/bin/env python3
"""Per round: the sitting's Python probe and dispatch-probe idle-exit scale beside sim's mean-latency
bias by class, and the correlations over the rounds.

    for d in ROUNDS; do sim validate $d/median --seeds-per-rep 25 --json $JSON/$d.json; done
    python3 sitting_bias.py --json-dir $JSON ROUNDS        # from notebooks/measurements

With `--worker-cpu-dir DIR` (DIR/ROUND.txt, the output of `worker_cpu.py ROUND/median ROWS` after
`sim validate ROUND/median --seeds-per-rep 5 --rows ROWS`) it adds each round's median over its
Poisson `def` CPU cases of the machine's workers' CPU per invocation outside the bodies over
sim's, and its correlations with the biases.
"""
import argparse, json, re, statistics as st
ap = argparse.ArgumentParser()
ap.add_argument("--json-dir", required=True, help="where `sim validate --json` wrote ROUND.json")
ap.add_argument("--worker-cpu-dir", help="where worker_cpu.py's output for each round is, as ROUND.txt")
ap.add_argument("rounds", nargs="+")
opts = ap.parse_args()
rounds = opts.rounds
def worker_cpu_ratio(path):
    """Median over the Poisson `def` CPU cases of machine / sim workers' CPU per invocation
    outside the bodies (each side's median over its repetitions or runs)."""
    ratios = []
    for line in open(path):
        m = re.match(r"\s+(\S+)\s+sim (.*) machine (.*)", line)
        if not m or "poisson_cpu" not in m.group(1):
            continue
        sim = st.median(float(x) for x in m.group(2).split())
        machine = st.median(float(x) for x in m.group(3).split())
        ratios.append(machine / sim)
    return st.median(ratios)


rows = []
ratio = {}
for d in rounds:
    if opts.worker_cpu_dir:
        ratio[d] = worker_cpu_ratio('%s/%s.txt' % (opts.worker_cpu_dir, d))
    j = json.load(open('%s/%s.json' % (opts.json_dir, d)))
    p = j.get('dispatch_probe') or []
    sc = next((x['idle_exit_scale'] for x in p if x['style'] == 'def'), None)
    log = json.load(open(d + '/median/harness_log.json'))
    pp = [r['attempts'][r.get('kept_attempt', 0)].get('speed', {}).get('python_probe_us')
          for c in log['cases'].values() for r in c['reps']]
    pp = [v for v in pp if v]
    errs = {}
    for c in j['checks']:
        if c['metric'] != 'lat_mean_ms': continue
        n = c['case']; m = re.search(r'_P(\d)_T(\w+?)_', n)
        kind = n.split('_')[2]
        if 'burst' in n: k = 'burst'
        elif kind.startswith('cpu') and m and m.group(1) == '1': k = 'P1'
        elif kind.startswith('cpu') and m and m.group(1) == '2' and m.group(2) not in ('1', '2'): k = 'P2many'
        elif kind.startswith('cpu') and m and m.group(1) == '3': k = 'P3'
        else: k = 'rest'
        errs.setdefault(k, []).append((c['simulated'] - c['measured']) / c['measured'])
        errs.setdefault('all', []).append((c['simulated'] - c['measured']) / c['measured'])
    rows.append((d, st.median(pp), sc, {k: st.mean(v) for k, v in errs.items()}))
keys = ['P2many', 'P3', 'P1', 'rest', 'all']
print('%-22s %7s %6s %6s ' % ('round', 'pyprobe', 'scale', 'wcpu') + ' '.join('%7s' % k for k in keys))
for d, pp, sc, e in rows:
    print('%-22s %7.0f %6s %6s ' % (d, pp, '-' if sc is None else '%.2f' % sc,
                                    '%.2f' % ratio[d] if d in ratio else '-')
          + ' '.join('%+6.1f%%' % (100 * e[k]) for k in keys))
def corr(x, y):
    mx, my = st.mean(x), st.mean(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    return sxy / (sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y)) ** 0.5
for k in keys:
    xs = [pp for _d, pp, _s, _e in rows]; ys = [e[k] for *_r, e in rows]
    with_sc = [(s, e[k]) for _d, _p, s, e in rows if s is not None]
    print('%-7s r(pyprobe) %+.2f over %d rounds; r(scale) %+.2f over %d' % (
        k, corr(xs, ys), len(xs), corr([a for a, _ in with_sc], [b for _, b in with_sc]), len(with_sc)))
    if ratio:
        print('        r(workers\' CPU ratio) %+.2f over %d' % (
            corr([ratio[d] for d, *_r in rows], ys), len(rows)))
