#!/usr/bin/env python3
"""sim's missed checks by metric over round folders, and whether sim was high or low.

    python3 misses_by_metric.py --sim SIM ROUND_FOLDER...

run from `notebooks/measurements`: `SIM validate FOLDER/median --seeds-per-rep 25 --json -` for
each folder, its checks counted by metric. Stdlib only.
"""

import argparse
import collections
import json
import os
import subprocess


def checks(sim, folder):
    """The checks `sim validate` reports for the folder's median with 25 seeds."""
    out = subprocess.run([sim, "validate", os.path.join(folder, "median"), "--seeds-per-rep",
                          "25", "--json", "-"], capture_output=True, text=True, check=False)
    return json.loads(out.stdout)["checks"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sim", required=True)
    p.add_argument("folders", nargs="+")
    args = p.parse_args(argv)
    total, missed = collections.Counter(), collections.Counter()
    high = collections.Counter()
    for folder in args.folders:
        for check in checks(args.sim, folder):
            metric = check["metric"]
            total[metric] += 1
            if not check["pass"]:
                missed[metric] += 1
                high[metric] += check["simulated"] > check["measured"]
    for metric in total:
        print("%-20s missed %4d of %5d (sim high %d, low %d)"
              % (metric, missed[metric], total[metric], high[metric],
                 missed[metric] - high[metric]))
    print("%-20s missed %4d of %5d" % ("all", sum(missed.values()), sum(total.values())))


if __name__ == "__main__":
    main()
