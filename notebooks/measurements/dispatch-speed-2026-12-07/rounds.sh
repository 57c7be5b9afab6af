#!/bin/sh
# The fourteen rounds this folder reads, as median folders, one per line: rounds 32-45
# (`cpu-load-2026-12-07` to `-07n`), round 44's rebuilt with the sitting's Python speed from its
# probes (`replay_median.py --probe-calibration`, into $TMPDIR) as round 45 was judged.
# Run from notebooks/measurements/dispatch-speed-2026-12-07.
set -e
m=..
tmp=${TMPDIR:-/tmp}/dispatch-speed-07m
rm -rf "$tmp"
python3 $m/../harness/replay_median.py --probe-calibration --out "$tmp" \
    $m/cpu-load-2026-12-07m/r1 $m/cpu-load-2026-12-07m/r2 $m/cpu-load-2026-12-07m/r3 > /dev/null
for r in "" b c d e f g h i j k l; do echo $m/cpu-load-2026-12-07$r/median; done
echo "$tmp"
echo $m/cpu-load-2026-12-07n/median
