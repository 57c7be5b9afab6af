#!/bin/sh
# Replaying ten million recorded invocations: peak memory and events per CPU second, beside the
# one-instance benchmark (benches/poisson_1m.ron, one million invocations, no rows written) in
# alternation, ROUNDS times (default 3). The trace (about 300 MB) is generated once into DIR
# (default $TMPDIR or /tmp) and streamed by the replay; memory must stay flat in its length.
#
#   cargo build --release && sh benches/trace_replay.sh [ROUNDS] [DIR]
set -eu
SIM=${SIM:-target/release/sim}
ROUNDS=${1:-3}
DIR=${2:-${TMPDIR:-/tmp}/sim-trace-bench}
mkdir -p "$DIR"
TRACE="$DIR/trace_1e7.csv"
if [ ! -s "$TRACE" ]; then
    "$SIM" trace gen --format csv --pattern poisson --rate 100 --functions 10 \
        --duration-s 10000 --duration-ms 50 --seed 1 --out "$TRACE"
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
# One run: prints "cpu_s peak_mb events" (CPU time, user + system: a second build on the
# machine slows the wall clock, not the work).
measure() {
    name=$1; shift
    /usr/bin/time -f "%U %S %M" -o "$OUT/time" "$SIM" run "$@" --out "$OUT/$name" --quiet --yes
    events=$(grep -m1 '"events"' "$OUT/$name/summary.json" | tr -dc '0-9')
    read -r user sys kb < "$OUT/time"
    echo "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $((kb / 1024)) $events"
}
i=1
while [ "$i" -le "$ROUNDS" ]; do
    set -- $(measure one benches/poisson_1m.ron --no-invocations)
    one_rate=$(awk -v e="$3" -v w="$1" 'BEGIN { printf "%.2f", e / w / 1e6 }')
    echo "round $i: poisson_1m  $3 events in $1 s of CPU, peak $2 MB: $one_rate M events/s"
    set -- $(measure replay benches/trace_1e7.ron --set "trace.path=$TRACE")
    rate=$(awk -v e="$3" -v w="$1" 'BEGIN { printf "%.2f", e / w / 1e6 }')
    echo "round $i: trace_1e7   $3 events in $1 s of CPU, peak $2 MB: $rate M events/s, $(awk -v a="$rate" -v b="$one_rate" 'BEGIN { printf "%.2f", a / b }') of poisson_1m's"
    i=$((i + 1))
done
grep -m1 '"arrived"' "$OUT/replay/summary.json"
