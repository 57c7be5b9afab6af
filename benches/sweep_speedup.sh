#!/bin/sh
# A sweep's speed-up from running its runs in parallel: benches/sweep_bench.ron (16 runs) with
# --jobs 1 and with --jobs N (default 2), in alternation, ROUNDS times (default 5); prints each
# round's wall times and ratio, then the median ratio, and checks the files are the same bytes.
#
#   cargo build --release && sh benches/sweep_speedup.sh [ROUNDS] [N]
set -eu
SIM=${SIM:-target/release/sim}
ROUNDS=${1:-5}
JOBS=${2:-2}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
now() { date +%s.%N; }
ratios=""
i=1
while [ "$i" -le "$ROUNDS" ]; do
    a=$(now); "$SIM" sweep benches/sweep_bench.ron --out "$OUT/one" --quiet --jobs 1; b=$(now)
    "$SIM" sweep benches/sweep_bench.ron --out "$OUT/many" --quiet --jobs "$JOBS"; c=$(now)
    r=$(awk -v a="$a" -v b="$b" -v c="$c" 'BEGIN { printf "%.2f", (b - a) / (c - b) }')
    awk -v a="$a" -v b="$b" -v c="$c" -v r="$r" -v i="$i" -v j="$JOBS" \
        'BEGIN { printf "round %d: --jobs 1 %.2f s, --jobs %d %.2f s, speed-up %sx\n", i, b - a, j, c - b, r }'
    ratios="$ratios $r"
    i=$((i + 1))
done
for f in sweep.csv sweep_summary.csv sweep_summary.json; do
    cmp -s "$OUT/one/$f" "$OUT/many/$f" || { echo "$f differs between --jobs 1 and --jobs $JOBS"; exit 1; }
done
echo "$ratios" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { printf "median speed-up %.2fx [%.2f..%.2f] over %d rounds; files identical\n", v[int((NR + 1) / 2)], v[1], v[NR], NR }'
