#!/usr/bin/env python3
"""Mutation fuzzer for the `sim` binary: run it for as long as you like.

    python3 tests/fuzz/fuzz.py --minutes 10 --keep /tmp/fuzz-keep
    python3 tests/fuzz/fuzz.py --iterations 500 --seed 7 --jobs 2

Standard library only. The inputs are the repository's experiments (profiles inlined, so a
mutated file is self-contained in a temp folder), its models (each mutated inside a small
wrapper experiment that references it as a profile) and the seeds in tests/fuzz/seeds/. Each
case applies one to three mutations: token-level ones (numbers replaced with edge values,
strings changed, fields deleted, duplicated or renamed, enum variants swapped, list elements
duplicated or removed, brackets deleted, values of the wrong type, deep nesting), raw ones
(byte flips, a BOM, truncation) and `--set` overrides with edge values. The sequence of cases
depends only on `--seed`; case i is the same on every machine.

Every case runs `sim check FILE` and then a bounded `sim run FILE --out out --quiet
--set horizon_s=H`, each with a wall timeout and an address-space limit. The `--out` folder
holds a previous successful run plus a sentinel file, so output safety can be checked.

Counted per command: ok (exit 0), refused (exit 2), error (exit 1), other exit codes, panic
(stderr has "panicked"), abort/signal (killed by a signal: out of memory, stack overflow),
timeout. Also counted: bad message (exit 2 whose stderr names neither a file:line:col nor a
field), check ok but run refused, and for `run`: invariant broken (exit 0 but summary.json is
missing or its counts do not add up) and output changed (a failed run touched the earlier
output or left a staging folder behind).

Exit status 1 if any panic, abort/signal, timeout, other exit code, broken invariant or
changed output happened. With `--keep DIR` each such input is saved in DIR/<class>/<signature>/<case>/ with
`cmd.sh` (cd there and run it to reproduce), stderr and the mutations applied; the first
few inputs of each bad-message signature are saved too.
"""

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = Path(__file__).resolve().parent / "seeds"
SENTINEL = "fuzz-sentinel.txt"
KEEP_QUALITY_PER_SIGNATURE = 3

# ---- values the mutations use --------------------------------------------------------------

EDGE_NUMBERS = [
    "0", "-1", "1", "0.0", "-0.0", "1e-9", "1e-300", "5e-324", "1e300", "1e309",
    "1.7976931348623157e308", "NaN", "inf", "-inf", "4294967295", "4294967296",
    "18446744073709551615", "18446744073709551616", "-9223372036854775808",
    "99999999999999999999999999", "0.5", "2.5", "1e9", "1e6", "1000001", "100001", "3",
    "1_000", "0x10", "1.", ".5", "+1", "1e-3", "1e-6",
]
EDGE_STRINGS = [
    '""', '"' + "x" * 10000 + '"', '"é漢字🙂"', '"a,b"', r'"a\"b"', r'"a\nb"', '"a\nb"',
    '"."', '".."', '"../x"', '"3.6"', '"3.13t"', '"3.14"', '"2.7"', '"3.99"', '"3"',
    r'"\u{0}"', '" "', '"a/b"', '"/etc/passwd"', '"../models/nope.ron"', '"exp.ron"',
    '"replay_arrivals.csv"', '"rep"', '"arrival_s"',
]
OTHER_TYPES = ['"3"', "true", "()", "[]", "None", "Some(1)", "1.5", "7", "(1, 2)",
               "Constant(1.0)", "[[]]", "-2"]
VARIANT_GROUPS = [
    ["Cpu", "NativeCpu", "BlockingIo", "AwaitIo", "Gather", "GatherN", "RunInExecutor",
     "Repeat"],
    ["Constant", "Exponential", "Lognormal", "Uniform", "Empirical"],
    ["Burst", "Poisson", "ClosedLoop", "Replay"],
    ["Profile", "Inline"],
    ["Sync", "Async"],
    ["true", "false"],
    ["Some", "None"],
    ["Experiment", "Host", "Function", "FunctionUse", "Output", "Dispatch"],
]
ALL_VARIANTS = [v for group in VARIANT_GROUPS for v in group]
FIELD_NAMES = [
    "name", "description", "seed", "host", "functions", "horizon_s", "output", "cores",
    "processes", "threads", "python", "cpu_count", "free_threaded", "switch_interval_ms",
    "process_start_interval_s", "context_switch_us", "prewarm_pools", "dispatch",
    "transport_us", "receive_us", "dispatch_us", "executor_handoff_us", "task_start_us",
    "complete_us", "respond_us", "gil_handover_us", "gil_busy_wakeup_us", "timer_slack_us",
    "jitter_sigma", "handover_previous_holder", "handover_longest_waiter", "syscall_loss",
    "syscall_loss_recent", "syscall_recent_window_us", "function", "workload", "kind",
    "body", "n", "at_ms", "rate_per_s", "duration_s", "clients", "think",
    "requests_per_client", "path", "column", "filter", "invocations",
    "timeseries_interval_ms",
]
SET_PATHS = [
    "host.processes", "host.threads", "host.cores", "host.cpu_count", "host.python",
    "host.free_threaded", "host.switch_interval_ms", "host.process_start_interval_s",
    "host.context_switch_us", "host.prewarm_pools", "host.dispatch.jitter_sigma",
    "host.dispatch.receive_us", "host.dispatch.gil_handover_us",
    "host.dispatch.handover_previous_holder", "host.dispatch.syscall_loss", "seed", "name",
    "horizon_s", "output.invocations", "output.timeseries_interval_ms",
    "functions.0.workload.n", "functions.0.workload.at_ms", "functions.0.workload.rate_per_s",
    "functions.0.workload.duration_s", "functions.0.workload.clients",
    "functions.0.function.name", "functions.0.function.kind", "functions.0.function.body",
    "functions.0.function.body.0", "functions.1.workload.n", "functions.9.workload.n",
    "host.nope", "host", "functions", "", "host..processes", "functions.x.workload",
]
SET_VALUES = EDGE_NUMBERS + [
    "abc", "", "true", "false", "null", "[]", "{}", '"x"', "Async", '"3.11"',
    '{"Burst":{"n":1}}', "[1,2]", " 3 ", "é",
]
BAD_SET_SPECS = ["noequals", "=", "==", "=3", "host.processes==2"]

# ---- RON tokens ----------------------------------------------------------------------------

TOKEN_RE = re.compile(
    r"""(?P<ws>\s+|//[^\n]*|/\*.*?\*/)
      |(?P<str>"(?:[^"\\]|\\.)*")
      |(?P<num>[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
      |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<punct>[()\[\]{},:])
      |(?P<other>.)""",
    re.S | re.X,
)
OPEN, CLOSE = "([{", ")]}"


def tokenize(text):
    """[kind, text] pairs; whitespace and comments are kept, so joining gives the text back."""
    return [[m.lastgroup, m.group()] for m in TOKEN_RE.finditer(text)]


def untokenize(toks):
    return "".join(t for _, t in toks)


def significant(toks):
    return [i for i, (kind, _) in enumerate(toks) if kind != "ws"]


def next_sig(toks, i):
    """Index of the first significant token after i, or None."""
    for j in range(i + 1, len(toks)):
        if toks[j][0] != "ws":
            return j
    return None


def matching(toks, i):
    """Index of the bracket closing the one at i, or None when unbalanced."""
    depth = 0
    for j in range(i, len(toks)):
        kind, t = toks[j]
        if kind != "punct":
            continue
        if t in OPEN:
            depth += 1
        elif t in CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return None


def value_end(toks, i):
    """Index just past the value starting at token i (a bracket group, `Name(..)` or one
    token), or None when its brackets do not close."""
    if toks[i][1] in OPEN:
        end = matching(toks, i)
        return None if end is None else end + 1
    j = next_sig(toks, i)
    if toks[i][0] == "ident" and j is not None and toks[j][1] in OPEN:
        end = matching(toks, j)
        return None if end is None else end + 1
    return i + 1


def context(toks, i):
    """The nearest identifier before token i: the field or variant a value belongs to."""
    for j in range(i - 1, -1, -1):
        if toks[j][0] == "ident":
            return toks[j][1]
    return "?"


def where(toks, i):
    line = untokenize(toks[:i]).count("\n") + 1
    return f"line {line} ({context(toks, i)})"


def field_spans(toks):
    """(start, end) of every `name: value` with its trailing comma."""
    spans = []
    for i in significant(toks):
        colon = next_sig(toks, i)
        if toks[i][0] != "ident" or colon is None or toks[colon][1] != ":":
            continue
        value = next_sig(toks, colon)
        end = None if value is None else value_end(toks, value)
        if end is None:
            continue
        comma = next_sig(toks, end - 1)
        if comma is not None and toks[comma][1] == ",":
            end = comma + 1
        spans.append((i, end))
    return spans


def list_elements(toks, open_i):
    """(start, end) of each element of the list opened at open_i (trailing comma included)."""
    close = matching(toks, open_i)
    if close is None:
        return []
    spans, i = [], next_sig(toks, open_i)
    while i is not None and i < close:
        end = value_end(toks, i)
        if end is None or end > close:
            return spans
        comma = next_sig(toks, end - 1)
        if comma is not None and toks[comma][1] == ",":
            end = comma + 1
        spans.append((i, end))
        i = next_sig(toks, end - 1)
    return spans


def tokens_of(toks, kinds):
    return [i for i in significant(toks) if toks[i][0] in kinds]


# ---- mutations -----------------------------------------------------------------------------
# Each takes (rng, toks), changes toks in place and returns a description, or None when it
# found nothing to change.


def mutate_number(rng, toks):
    nums = tokens_of(toks, {"num"})
    if not nums:
        return None
    i = rng.choice(nums)
    old = toks[i][1]
    toks[i][1] = rng.choice(EDGE_NUMBERS)
    return f"number {old} -> {toks[i][1]} at {where(toks, i)}"


def mutate_string(rng, toks):
    strs = tokens_of(toks, {"str"})
    if not strs:
        return None
    i = rng.choice(strs)
    old = toks[i][1]
    toks[i][1] = rng.choice(EDGE_STRINGS)
    return f"string {old[:40]} -> {toks[i][1][:40]!r} at {where(toks, i)}"


def mutate_type(rng, toks):
    values = [i for i in tokens_of(toks, {"num", "str", "ident"})
              if toks[i][0] != "ident" or toks[i][1] in ("true", "false")]
    if not values:
        return None
    i = rng.choice(values)
    old = toks[i][1]
    toks[i] = ["other", rng.choice(OTHER_TYPES)]
    return f"type {old[:40]} -> {toks[i][1]} at {where(toks, i)}"


def delete_field(rng, toks):
    spans = field_spans(toks)
    if not spans:
        return None
    a, b = rng.choice(spans)
    name = toks[a][1]
    del toks[a:b]
    return f"field {name} deleted at {where(toks, a)}"


def duplicate_field(rng, toks):
    spans = field_spans(toks)
    if not spans:
        return None
    a, b = rng.choice(spans)
    copy = [list(t) for t in toks[a:b]]
    if copy[-1][1] != ",":
        copy.insert(0, ["punct", ","])
    toks[b:b] = copy
    return f"field {toks[a][1]} duplicated at {where(toks, a)}"


def rename_field(rng, toks):
    spans = field_spans(toks)
    if not spans:
        return None
    a, _ = rng.choice(spans)
    old = toks[a][1]
    toks[a][1] = rng.choice([rng.choice(FIELD_NAMES), old + "s", old.upper(), old[:-1],
                             "r#" + old if rng.random() < 0.2 else old[::-1]])
    return f"field {old} renamed {toks[a][1]} at {where(toks, a)}"


def swap_variant(rng, toks):
    idents = [i for i in tokens_of(toks, {"ident"}) if toks[i][1] in ALL_VARIANTS]
    if not idents:
        return None
    i = rng.choice(idents)
    old = toks[i][1]
    group = next(g for g in VARIANT_GROUPS if old in g)
    pool = group if rng.random() < 0.7 else ALL_VARIANTS
    toks[i][1] = rng.choice([v for v in pool if v != old])
    return f"variant {old} -> {toks[i][1]} at {where(toks, i)}"


def pick_list_element(rng, toks):
    lists = [i for i in significant(toks) if toks[i][1] == "["]
    rng.shuffle(lists)
    for open_i in lists:
        elements = list_elements(toks, open_i)
        if elements:
            return rng.choice(elements)
    return None


def remove_element(rng, toks):
    span = pick_list_element(rng, toks)
    if span is None:
        return None
    a, b = span
    desc = f"list element {untokenize(toks[a:b])[:40]!r} removed at {where(toks, a)}"
    del toks[a:b]
    return desc


def duplicate_element(rng, toks):
    span = pick_list_element(rng, toks)
    if span is None:
        return None
    a, b = span
    copy = [list(t) for t in toks[a:b]]
    if copy[-1][1] != ",":
        copy.append(["punct", ","])
        toks.insert(b, ["punct", ","])
        b += 1
    times = rng.choice([1, 2, 10, 100, 1000])
    toks[b:b] = [list(t) for _ in range(times) for t in copy]
    return f"list element {untokenize(copy)[:40]!r} duplicated x{times} at {where(toks, a)}"


def nest_element(rng, toks):
    """Wraps a list element in Repeat(1, [..]) or Gather([[..]]) many levels deep."""
    span = pick_list_element(rng, toks)
    if span is None:
        return None
    a, b = span
    depth = rng.choice([2, 30, 200, 5000])
    head, tail = rng.choice([("Repeat(1, [", "])"), ("Gather([[", "]])"), ("[", "]")])
    inner = untokenize(toks[a:b]).rstrip().rstrip(",")
    toks[a:b] = [["other", head * depth + inner + tail * depth + ","]]
    return f"element nested {depth} deep in {head!r} at {where(toks, a)}"


def delete_bracket(rng, toks):
    brackets = [i for i in significant(toks) if toks[i][1] in OPEN + CLOSE]
    if not brackets:
        return None
    i = rng.choice(brackets)
    desc = f"bracket {toks[i][1]} deleted at {where(toks, i)}"
    del toks[i]
    return desc


def insert_token(rng, toks):
    i = rng.randrange(len(toks) + 1)
    token = rng.choice(["(", ")", "[", "]", ",", ":", "x", "Cpu", "1.0", '"s"', "//", "#"])
    toks.insert(i, ["other", token])
    return f"token {token} inserted at {where(toks, i)}"


TOKEN_MUTATIONS = [
    (mutate_number, 6), (mutate_string, 2), (mutate_type, 1.5), (delete_field, 2),
    (duplicate_field, 1.5), (rename_field, 1.5), (swap_variant, 3), (remove_element, 1.5),
    (duplicate_element, 1.5), (nest_element, 0.5), (delete_bracket, 1), (insert_token, 0.5),
]


def flip_bytes(rng, data):
    data = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 8])):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return bytes(data), "byte flips"


def prepend_bom(rng, data):
    return b"\xef\xbb\xbf" + data, "BOM prepended"


def truncate(rng, data):
    at = rng.randrange(len(data))
    return data[:at], f"truncated at byte {at} of {len(data)}"


BYTE_MUTATIONS = [(flip_bytes, 2), (prepend_bom, 1), (truncate, 2)]


def weighted(rng, table):
    return rng.choices([f for f, _ in table], weights=[w for _, w in table])[0]


def mutate_text(rng, text):
    """One to three token mutations, then sometimes a raw one: (bytes, descriptions)."""
    toks = tokenize(text)
    done = []
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        for _attempt in range(5):
            desc = weighted(rng, TOKEN_MUTATIONS)(rng, toks)
            if desc:
                done.append(desc)
                break
    data = untokenize(toks).encode()
    if rng.random() < 0.15 and data:
        data, desc = weighted(rng, BYTE_MUTATIONS)(rng, data)
        done.append(desc)
    return data, done


def random_sets(rng):
    """Zero to two `--set` overrides with edge values (a few malformed)."""
    sets = []
    for _ in range(rng.choice([1, 1, 2])):
        if rng.random() < 0.05:
            sets.append(rng.choice(BAD_SET_SPECS))
        else:
            sets.append(f"{rng.choice(SET_PATHS)}={rng.choice(SET_VALUES)}")
    return sets


# ---- the corpus ----------------------------------------------------------------------------


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


def load_seeds():
    seeds = []
    for exp in sorted((ROOT / "experiments").glob("*.ron")):
        text = inline_profiles(exp.read_text(), exp.parent)
        seeds.append(Seed("experiment", exp.stem, {"exp.ron": text}, "exp.ron", "exp.ron"))
    for model in sorted((ROOT / "models").glob("*.ron")):
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

    def __init__(self, index, seed, files, sets, mutations):
        self.index, self.seed, self.files = index, seed, files
        self.sets, self.mutations = sets, mutations


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
    if rng.random() < 0.85:
        files[seed.mutable], mutations = mutate_text(rng, seed.files[seed.mutable])
    if not mutations or rng.random() < 0.25:
        sets = random_sets(rng)
    return Case(index, seed, files, sets, mutations)


# ---- running sim ---------------------------------------------------------------------------


def limit_memory(gib):
    def preexec():
        limit = int(gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return preexec


def set_args(sets):
    return [a for s in sets for a in ("--set", s)]


def commands(sim, case, horizon_s):
    target = case.seed.target
    check = [sim, "check", target] + set_args(case.sets)
    run = [sim, "run", target, "--out", "out", "--quiet",
           "--set", f"horizon_s={horizon_s}"] + set_args(case.sets)
    return [("check", check), ("run", run)]


class Job:
    """One running command, polled by the scheduler."""

    def __init__(self, name, argv, cwd, timeout_s, mem_gib):
        self.name, self.argv, self.cwd, self.timeout_s = name, argv, cwd, timeout_s
        self.stderr_path = cwd / f"{name}.stderr"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err, preexec_fn=limit_memory(mem_gib), start_new_session=True)
        self.started = time.monotonic()
        self.timed_out = False

    def poll(self):
        """The return code once finished (killing it at the timeout), else None."""
        rc = self.proc.poll()
        if rc is None and time.monotonic() - self.started > self.timeout_s:
            self.timed_out = True
            os.killpg(self.proc.pid, signal.SIGKILL)
            rc = self.proc.wait()
        return rc

    def stderr(self):
        return self.stderr_path.read_bytes().decode("utf-8", "replace")


def classify(rc, stderr, timed_out):
    if timed_out:
        return "timeout"
    if "panicked" in stderr:
        return "panic"
    if rc < 0:
        return "abort/signal"
    return {0: "ok", 1: "error", 2: "refused"}.get(rc, "other exit")


LOCATION_RE = re.compile(r"\S+:\d+(?::\d+)?: ")
FIELD_RE = re.compile(r"`[A-Za-z_][\w.\[\]]*`|--set \S*: ")


def names_the_problem(stderr):
    return bool(LOCATION_RE.search(stderr) or FIELD_RE.search(stderr))


def normalize(line):
    """Drops what varies between instances of one defect: --set specs, paths, numbers."""
    line = re.sub(r"--set \S*?: ", "--set SPEC: ", line.strip())
    line = re.sub(r"[^\s:]+\.(ron|csv)", r"FILE.\1", line)
    return re.sub(r"\d+", "N", line)[:120]


def signature(kind, rc, stderr):
    """A short label grouping failures that are probably the same defect."""
    if kind == "panic":
        m = re.search(r"panicked at (\S+?):\d+:\d+:\n?(.*)", stderr)
        return f"panic {m.group(1)} {normalize(m.group(2))}" if m else "panic"
    if kind == "abort/signal":
        name = signal.Signals(-rc).name if -rc in signal.Signals._value2member_map_ else rc
        first = next((line for line in stderr.splitlines() if line.strip()), "")
        return f"{name} {normalize(first)}"
    if kind == "refused":
        return "bad message: " + first_line(stderr)
    if kind == "error":
        return "exit 1: " + first_line(stderr)
    if kind == "other exit":
        return f"exit {rc}: " + first_line(stderr)
    return kind


def first_line(stderr):
    return normalize(stderr.splitlines()[0] if stderr.strip() else "(empty)")


# ---- checks on the outputs -----------------------------------------------------------------


def digest(folder):
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def summary_problems(out):
    """Why an exit-0 run's outputs are wrong, or [] when they add up."""
    path = out / "summary.json"
    if not path.is_file():
        return ["summary.json missing"]
    try:
        summary = json.loads(path.read_text())
        counts = summary["invocations"]
        arrived = counts["arrived"]
        outcomes = {k: v for k, v in counts.items()
                    if k != "arrived" and isinstance(v, int) and not k.endswith("_ms")}
        problems = []
        if arrived != sum(outcomes.values()):
            problems.append(f"arrived {arrived} != {' + '.join(map(str, outcomes.values()))}")
        per_function = sum(f["succeeded"] for f in summary["functions"])
        if per_function != counts["succeeded"]:
            problems.append(f"functions' succeeded {per_function} != {counts['succeeded']}")
        routed = sum(p["invocations"] for p in summary["processes"])
        if routed != arrived:
            problems.append(f"routed to processes {routed} != arrived {arrived}")
        return problems + csv_problems(out, arrived)
    except (ValueError, KeyError, TypeError) as e:
        return [f"summary.json unreadable: {e!r}"]


def csv_problems(out, arrived):
    path = out / "invocations.csv"
    if not path.is_file():
        return []
    with open(path, "rb") as f:
        rows = sum(1 for _ in f) - 1
    return [] if rows == arrived else [f"invocations.csv has {rows} rows for {arrived} arrived"]


def output_problems(case_dir, before, killed):
    """A failed run must leave the earlier output byte-identical and, unless it was killed,
    no staging folder."""
    problems = []
    if digest(case_dir / "out") != before:
        problems.append("the earlier output in out/ changed or vanished")
    if killed:
        return problems
    leftovers = [p.name for p in case_dir.iterdir() if p.name.startswith(".out.")]
    if leftovers:
        problems.append(f"left behind: {', '.join(leftovers)}")
    return problems


# ---- one case, start to finish -------------------------------------------------------------


class Finding:
    def __init__(self, command, kind, sig, detail):
        self.command, self.kind, self.sig, self.detail = command, kind, sig, detail


class CaseRun:
    """Writes a case into its folder and runs its commands one after another."""

    def __init__(self, case, case_dir, fuzzer):
        self.case, self.dir, self.fuzzer = case, case_dir, fuzzer
        self.results = {}  # command name -> (kind, rc, stderr)
        self.findings = []
        self.pending = commands(fuzzer.sim, case, fuzzer.args.horizon)
        self.job = None
        self.write()
        self.start_next()

    def write(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        for rel, data in self.case.files.items():
            path = self.dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        shutil.copytree(self.fuzzer.template, self.dir / "out")

    def start_next(self):
        name, argv = self.pending.pop(0)
        args = self.fuzzer.args
        self.job = Job(name, argv, self.dir, args.timeout, args.mem_gib)

    def advance(self):
        """Polls the running command; True once every command has finished."""
        rc = self.job.poll()
        if rc is None:
            return False
        self.finish(self.job, rc)
        if self.pending:
            self.start_next()
            return False
        self.check_consistency()
        return True

    def finish(self, job, rc):
        stderr = job.stderr()
        kind = classify(rc, stderr, job.timed_out)
        self.results[job.name] = (kind, rc, stderr)
        if kind == "timeout":
            sig = f"timeout in {job.name} (seed {self.case.seed.name})"
            self.findings.append(Finding(job.name, kind, sig, stderr))
        elif kind in FAILURES:
            self.findings.append(Finding(job.name, kind, signature(kind, rc, stderr), stderr))
        elif kind == "refused" and not names_the_problem(stderr):
            self.findings.append(Finding(job.name, "bad message", signature(kind, rc, stderr),
                                         stderr))
        if job.name == "run":
            self.check_outputs(kind)

    def check_outputs(self, kind):
        if kind == "ok":
            problems, what = summary_problems(self.dir / "out"), "invariant broken"
        else:
            killed = kind in ("timeout", "abort/signal")
            problems = output_problems(self.dir, self.fuzzer.template_digest, killed)
            what = "output changed"
        if problems:
            self.findings.append(Finding("run", what, what + ": " + problems[0],
                                         "\n".join(problems)))

    def check_consistency(self):
        if self.results["check"][0] == "ok" and self.results["run"][0] == "refused":
            self.findings.append(Finding("run", "check ok, run refused",
                                         "check ok, run refused", self.results["run"][2]))


FAILURES = {"panic", "abort/signal", "timeout", "other exit", "error"}
FATAL = {"panic", "abort/signal", "timeout", "other exit", "invariant broken", "output changed"}
QUALITY = {"bad message", "check ok, run refused"}
OUTCOMES = ["ok", "refused", "error", "other exit", "panic", "abort/signal", "timeout"]


# ---- the fuzzer ----------------------------------------------------------------------------


class Fuzzer:
    def __init__(self, args, sim, workdir):
        self.args, self.sim, self.workdir = args, sim, workdir
        self.seeds = load_seeds()
        self.counts = {(c, k): 0 for c in ("check", "run") for k in OUTCOMES}
        self.findings = {}  # (kind, signature) -> [count, first saved path]
        self.cases = 0
        self.template = workdir / "template"
        self.template_digest = self.make_template()

    def make_template(self):
        """A previous successful run's output plus a sentinel file, copied into every case."""
        seed = next(s for s in self.seeds if s.name == "io_bound")
        src = self.workdir / "template-src"
        src.mkdir()
        (src / "exp.ron").write_text(seed.files["exp.ron"])
        out = subprocess.run([self.sim, "run", "exp.ron", "--out", str(self.template),
                              "--quiet", "--set", f"horizon_s={self.args.horizon}"],
                             cwd=src, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"the unmutated io_bound experiment failed:\n{out.stderr}")
        (self.template / SENTINEL).write_text(f"left by a previous run ({time.time()})\n")
        return digest(self.template)

    def run(self):
        deadline = time.monotonic() + 60 * self.args.minutes if self.args.minutes else None
        started = last_report = time.monotonic()
        self.slots, next_index = {}, 0
        slots = self.slots
        while True:
            more = (self.args.iterations is None or next_index < self.args.iterations) and \
                (deadline is None or time.monotonic() < deadline)
            for slot in range(self.args.jobs):
                if more and slot not in slots:
                    case = make_case(self.args.seed, next_index, self.seeds)
                    slots[slot] = CaseRun(case, self.workdir / f"slot{slot}", self)
                    next_index += 1
            if not slots:
                break
            for slot, run in list(slots.items()):
                if run.advance():
                    self.record(run)
                    del slots[slot]
            if time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                print(self.progress_line(last_report - started), flush=True)
            time.sleep(0.002)
        print(self.progress_line(time.monotonic() - started), flush=True)

    def stop(self):
        """Kills the commands still running (after an interrupt)."""
        for run in getattr(self, "slots", {}).values():
            if run.job.proc.poll() is None:
                os.killpg(run.job.proc.pid, signal.SIGKILL)
                run.job.proc.wait()

    def record(self, run):
        self.cases += 1
        for command, (kind, _, _) in run.results.items():
            self.counts[(command, kind)] += 1
        for f in run.findings:
            entry = self.findings.setdefault((f.kind, f.sig), [0, None])
            entry[0] += 1
            keep = f.kind in FATAL or entry[0] <= KEEP_QUALITY_PER_SIGNATURE
            if self.args.keep and keep:
                path = save_case(Path(self.args.keep), run, f)
                entry[1] = entry[1] or path

    def progress_line(self, elapsed):
        parts = [f"[{elapsed:6.0f}s] cases {self.cases}"]
        for command in ("check", "run"):
            counts = " ".join(f"{k} {self.counts[(command, k)]}" for k in OUTCOMES
                              if self.counts[(command, k)])
            parts.append(f"{command}: {counts}")
        quality = sum(n for (kind, _), (n, _) in self.findings.items() if kind in QUALITY)
        return " | ".join(parts) + f" | quality {quality}"

    def kind_total(self, kind):
        return sum(n for (k, _), (n, _) in self.findings.items() if k == kind)

    def report(self):
        print(f"\n{self.cases} cases, seed {self.args.seed}, sim {self.sim}")
        print(f"{'outcome':<24}{'check':>8}{'run':>8}")
        for k in OUTCOMES:
            print(f"{k:<24}{self.counts[('check', k)]:>8}{self.counts[('run', k)]:>8}")
        for kind in ["invariant broken", "output changed", "bad message",
                     "check ok, run refused"]:
            print(f"{kind:<24}{'':>8}{self.kind_total(kind):>8}  (findings, both commands)")
        if self.findings:
            print("\ndistinct findings (count, signature, first saved input):")
        for (kind, sig), (n, path) in sorted(self.findings.items()):
            print(f"  {n:>5}  [{kind}] {sig}" + (f"\n         {path}" if path else ""))
        return any(self.kind_total(kind) for kind in FATAL)


def slug(text):
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:80] or "x"


def save_case(keep, run, finding):
    """Copies the case's inputs and a cmd.sh that reproduces the finding."""
    dest = keep / slug(finding.kind) / slug(finding.sig) / f"case-{run.case.index}"
    if dest.exists():
        return dest
    dest.mkdir(parents=True)
    for rel, data in run.case.files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    job_argv = dict(commands("sim", run.case, run.fuzzer.args.horizon))[finding.command]
    setup = "rm -rf out && cp -r template-out out && " if finding.command == "run" else ""
    shutil.copytree(run.fuzzer.template, dest / "template-out")
    sim = shlex.quote(str(Path(run.fuzzer.sim).resolve()))
    (dest / "cmd.sh").write_text(
        "#!/bin/sh\n# reproduce: sh cmd.sh (from this folder); SIM=path overrides the binary\n"
        f'cd "$(dirname "$0")" && {setup}ulimit -v {int(run.fuzzer.args.mem_gib * 2**20)} && '
        f'timeout {run.fuzzer.args.timeout} "${{SIM:-{sim}}}" '
        + " ".join(shlex.quote(a) for a in job_argv[1:]) + "\n")
    (dest / "finding.txt").write_text(
        f"{finding.kind}: {finding.sig}\nseed {run.fuzzer.args.seed}, case {run.case.index}, "
        f"from {run.case.seed.name}\nmutations:\n"
        + "".join(f"  {m}\n" for m in run.case.mutations)
        + "".join(f"  --set {s}\n" for s in run.case.sets)
        + f"\nstderr / detail:\n{finding.detail[:20000]}\n")
    return dest


# ---- command line --------------------------------------------------------------------------


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, help="run this long (default 1 unless --iterations)")
    p.add_argument("--iterations", type=int, help="run this many cases")
    p.add_argument("--seed", type=int, default=0, help="seed of the mutation sequence")
    p.add_argument("--sim", help="the binary (default target/release/sim, built if missing)")
    p.add_argument("--keep", help="save crashing and hanging inputs in this folder")
    p.add_argument("--jobs", type=int, default=1, help="cases run at once")
    p.add_argument("--timeout", type=float, default=30, help="wall seconds per command")
    p.add_argument("--mem-gib", type=float, default=4, help="address-space limit per command")
    p.add_argument("--horizon", type=float, default=5, help="horizon_s set on every run")
    args = p.parse_args(argv)
    if args.minutes is None and args.iterations is None:
        args.minutes = 1
    return args


def find_sim(path):
    if path:
        if not Path(path).is_file():
            sys.exit(f"--sim {path}: no such file")
        return str(Path(path).resolve())
    sim = ROOT / "target" / "release" / "sim"
    if not sim.is_file():
        print("building target/release/sim ...", flush=True)
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    return str(sim)


def main(argv=None):
    args = parse_args(argv)
    sim = find_sim(args.sim)
    with tempfile.TemporaryDirectory(prefix="sim-fuzz-") as tmp:
        fuzzer = Fuzzer(args, sim, Path(tmp))
        try:
            fuzzer.run()
        except KeyboardInterrupt:
            fuzzer.stop()
            print("\ninterrupted")
        failed = fuzzer.report()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
