#!/bin/sh
# A generated Azure Functions 2019 day of FUNCTIONS functions (default 40,000; a real day has
# about 46,000), replayed by benches/day_2019.ron: the 10 busiest functions on their own, the
# rest grouped into one function fed by one shared stream. For the first 1, 6 and 24 hours, and
# the busiest hour (13:00 to 14:00) alone, it prints the invocations, events, wall time (the
# file's passes included), events per second and peak memory (maximum resident set size),
# which must stay flat in the window's length. The day (diurnal, each
# function from 0.0002/s at night to 0.002/s at 14:00, about 3.8 million invocations for 40,000
# functions) is generated once into DIR (default $TMPDIR or /tmp), with its durations file.
#
#   cargo build --release && sh benches/day_2019.sh [FUNCTIONS] [DIR]
set -eu
SIM=${SIM:-target/release/sim}
FUNCTIONS=${1:-40000}
DIR=${2:-${TMPDIR:-/tmp}/sim-day-bench}
mkdir -p "$DIR"
DAY="$DIR/day_$FUNCTIONS.csv"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
if [ ! -s "$DAY" ]; then
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$SIM" trace gen --format azure2019 \
        --pattern diurnal --rate 0.0002 --peak 0.002 --duration-s 86400 \
        --functions "$FUNCTIONS" --duration-ms 50 --seed 1 --out "$DAY" > "$OUT/gen"
    read -r wall kb < "$OUT/time"
    echo "generated $(tail -n 1 "$OUT/gen" | sed 's/^wrote //') in $wall s, peak $((kb / 1024)) MB, $(( $(wc -c < "$DAY") / 1048576 )) MB on disk"
fi
# Windows, from and to in hours: the first 1, 6 and 24 hours, and the busiest hour alone.
for window in 0-1 0-6 0-24 13-14; do
    from=${window%-*}; to=${window#*-}
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$SIM" run benches/day_2019.ron \
        --set "trace.path=$DAY" --set "trace.durations=$DIR/day_${FUNCTIONS}_durations.csv" \
        --set "trace.window_s.0=$((from * 3600))" --set "trace.window_s.1=$((to * 3600))" \
        --out "$OUT/w$window" --quiet --yes
    read -r wall kb < "$OUT/time"
    arrived=$(grep -m1 '"arrived"' "$OUT/w$window/summary.json" | tr -dc '0-9')
    events=$(grep -m1 '"events"' "$OUT/w$window/summary.json" | tr -dc '0-9')
    awk -v w="$window" -v f="$FUNCTIONS" -v a="$arrived" -v e="$events" -v s="$wall" -v kb="$kb" \
        'BEGIN { printf "%d functions, hours %5s: %8d invocations, %9d events in %6.2f s (%.2f M events/s), peak %.1f MB\n", f, w, a, e, s, e / s / 1e6, kb / 1024 }'
done
leftover=$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'sim-day-*' -newer "$OUT" 2>/dev/null | wc -l)
echo "hour-file folders left behind: $leftover"
