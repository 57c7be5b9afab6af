#!/bin/sh
# Per round: checks passed of 396, mean latencies off by more than 10%, and the mean-latency
# bias of two processes of many `def` CPU threads and of all 66 (class_bias.py), with SIM and
# SEEDS seeds per repetition; then the totals.
#     sh score_rounds.sh SIM SEEDS
set -e
sim=$1; seeds=$2
json=${TMPDIR:-/tmp}/dispatch-speed-score.json
for d in $(sh rounds.sh); do
  "$sim" validate "$d" --seeds-per-rep "$seeds" --json "$json" > /dev/null 2>&1 || true
  s=$(python3 -c "import json; s = json.load(open('$json'))['score']; \
print(s['passed'], s['metrics']['lat_mean_ms']['misses'])")
  b=$(python3 ../../harness/class_bias.py --sim "$sim" --seeds "$seeds" "$d" 2>&1 \
      | grep -E "poisson cpu +P2 Tmany|^all" | awk '{for (i = 1; i <= NF; i++) if ($i == "bias") printf "%s ", $(i + 1)}')
  echo "$d $s bias (P2 Tmany, all) $b"
done | awk '{print; p += $2; m += $3} END {print "total", p, m}'
