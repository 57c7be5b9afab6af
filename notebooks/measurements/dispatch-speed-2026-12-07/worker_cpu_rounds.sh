#!/bin/sh
# Per round: the Python probe's and the idle dispatch probe's medians (the sitting), and the
# workers' CPU per invocation outside the bodies under load, machine and SIM (one seed; the
# median over the round's Poisson `def` cases and over its `async def` cases; worker_cpu.py).
#     sh worker_cpu_rounds.sh SIM
set -e
sim=$1
rows=${TMPDIR:-/tmp}/dispatch-speed-rows
for d in $(sh rounds.sh); do
  rm -rf "$rows"
  "$sim" validate "$d" --rows "$rows" > /dev/null 2>&1 || true
  python3 ../../harness/worker_cpu.py "$d" "$rows" | python3 sitting_row.py "$d"
done
