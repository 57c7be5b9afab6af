"""The fuzz script's inputs: the repository's experiments (profiles inlined), its models (each
inside a small wrapper experiment) and tests/fuzz/seeds/, and the cases made from them.

Case i of fuzz seed S depends only on (S, i): `make_case` seeds its own `random.Random`.
"""

import random
import re
from pathlib import Path

from mutate import NEUTRAL_EDITS, mutate_text, random_sets

ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"


class Seed:
    """A self-contained input: files by relative path, the experiment to run, the file to
    mutate."""

    def __init__(self, kind, name, files, target, mutable):
        self.kind, self.name, self.files = kind, name, files
        self.target, self.mutable = target, mutable


def strip_comments(text):
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def inline_profiles(text, base):
    def inline(m):
        model = strip_comments((base / m.group(1)).read_text()).strip()
        return f"Inline({model})"

    return re.sub(r'Profile\("([^"]+)"\)', inline, text)


def wrapper_experiment(model_name):
    return (
        'Experiment(\n    name: "fuzz_model",\n    host: Host(cores: 2.0, processes: 2, '
        'threads: 4),\n    functions: [\n        FunctionUse(function: Profile("../models/'
        f'{model_name}"), workload: Burst(n: 8)),\n    ],\n)\n'
    )


def with_models(exp, traces):
    """Experiment `exp` as written, in experiments/, with every model it names in models/."""
    text = exp.read_text()
    names = set(re.findall(r'\.\./models/([A-Za-z0-9_.-]+\.ron)', text))
    files = {f"experiments/{name}": body for name, body in traces.items()}
    files["experiments/exp.ron"] = text
    for name in names:
        files[f"models/{name}"] = (ROOT / "models" / name).read_text()
    return Seed("experiment", exp.stem, files, "experiments/exp.ron", "experiments/exp.ron")


def load_seeds():
    seeds = []
    # The experiments' arrival traces travel with them (a trace path is relative to the file).
    traces = {p.name: p.read_text() for p in (ROOT / "experiments").glob("*.csv")}
    for exp in sorted((ROOT / "experiments").glob("*.ron")):
        text = inline_profiles(exp.read_text(), exp.parent)
        if "../models/" in text:
            # Model files named elsewhere too (a sweep axis switching profiles): keep the
            # layout, experiments/ beside models/, instead of inlining.
            seeds.append(with_models(exp, traces))
            continue
        files = dict(traces, **{"exp.ron": text})
        seeds.append(Seed("experiment", exp.stem, files, "exp.ron", "exp.ron"))
    # Function profiles only: plans.ron is the plan table, compiled into sim, not a profile.
    for model in sorted(p for p in (ROOT / "models").glob("*.ron") if p.name != "plans.ron"):
        files = {f"models/{model.name}": model.read_text(),
                 "experiments/exp.ron": wrapper_experiment(model.name)}
        seeds.append(Seed("model", "model-" + model.stem, files, "experiments/exp.ron",
                          f"models/{model.name}"))
    extras = {p.name: p.read_text() for p in SEEDS_DIR.glob("*.csv")}
    for exp in sorted(SEEDS_DIR.glob("*.ron")):
        files = dict(extras, **{"exp.ron": exp.read_text()})
        seeds.append(Seed("extra", "seed-" + exp.stem, files, "exp.ron", "exp.ron"))
    return seeds


class Case:
    """One generated input: the files to write, the --set overrides, what was done."""

    def __init__(self, index, seed, files, sets, mutations, neutral=False):
        self.index, self.seed, self.files = index, seed, files
        self.sets, self.mutations, self.neutral = sets, mutations, neutral


def pick_seed(rng, seeds):
    """Half the cases start from an experiment, 30% from a model, 20% from the extra seeds."""
    groups = [[s for s in seeds if s.kind == kind] for kind in ("experiment", "model", "extra")]
    groups = [g for g in groups if g]
    return rng.choice(rng.choices(groups, weights=[5, 3, 2][:len(groups)])[0])


def make_case(fuzz_seed, index, seeds):
    rng = random.Random(f"{fuzz_seed}:{index}")
    seed = pick_seed(rng, seeds)
    files = {rel: text.encode() for rel, text in seed.files.items()}
    mutations, sets = [], []
    if rng.random() < 0.05:
        edit = rng.choice(sorted(NEUTRAL_EDITS))
        files[seed.mutable] = NEUTRAL_EDITS[edit](rng, seed.files[seed.mutable]).encode()
        return Case(index, seed, files, [], [edit], neutral=True)
    if rng.random() < 0.85:
        files[seed.mutable], mutations = mutate_text(rng, seed.files[seed.mutable])
    if not mutations or rng.random() < 0.25:
        sets = random_sets(rng)
    return Case(index, seed, files, sets, mutations)
