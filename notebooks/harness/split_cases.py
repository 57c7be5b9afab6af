#!/usr/bin/env python3
"""Split a cases.json into a fitting half and a hold-out half, before anything is measured.

Cases carry a "stratum" (their class). Within each stratum the cases are shuffled with a
fixed seed and dealt alternately to the two halves, so both halves cover every class and
neither was chosen by looking at results. Writes DIR/fit/cases.json and DIR/holdout/cases.json.

    python3 split_cases.py --cases ALL.json --out DIR [--seed 20261202]
"""
import argparse
import json
import os
import random


def split(cases, seed):
    rng = random.Random(seed)
    strata = {}
    for case in cases:
        strata.setdefault(case["stratum"], []).append(case)
    fit, holdout = [], []
    flip = 0
    for name in sorted(strata):
        group = strata[name][:]
        rng.shuffle(group)
        for case in group:
            (fit if flip % 2 == 0 else holdout).append(case)
            flip += 1
    return fit, holdout


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=20261202)
    a = p.parse_args()
    with open(a.cases) as f:
        cases = json.load(f)["cases"]
    for half, chosen in zip(("fit", "holdout"), split(cases, a.seed)):
        os.makedirs(os.path.join(a.out, half), exist_ok=True)
        with open(os.path.join(a.out, half, "cases.json"), "w") as f:
            json.dump({"cases": chosen}, f, indent=1)
        print(half, len(chosen), [c["name"] for c in chosen])


if __name__ == "__main__":
    main()
