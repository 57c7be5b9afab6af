"""Mutations of RON text for the fuzz script (fuzz.py): a tokenizer that keeps whitespace and
comments, token-level mutations that know RON's brackets, fields and lists, raw byte
mutations, edits that must not change a file's meaning, and `--set` overrides.

Every function takes a `random.Random`, so a case's mutations depend only on its seed.
"""

import re

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
    "complete_us", "respond_us", "gil_handover_us", "gil_handover_busy_us", "gil_busy_wakeup_us",
    "timer_slack_us",
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


def replace_token(rng, toks, candidates, what, new_text, kind=None):
    """Replaces the text of one of the `candidates` (token indices) with `new_text(old)`, and
    its kind with `kind` if given."""
    if not candidates:
        return None
    i = rng.choice(candidates)
    old = toks[i][1]
    toks[i] = [kind or toks[i][0], new_text(old)]
    return f"{what} {old[:40]} -> {toks[i][1][:40]} at {where(toks, i)}"


def mutate_number(rng, toks):
    nums = tokens_of(toks, {"num"})
    return replace_token(rng, toks, nums, "number", lambda _: rng.choice(EDGE_NUMBERS))


def scale_number(rng, toks):
    """A plausible but larger or smaller value, so more mutants pass and run."""
    nums = [i for i in tokens_of(toks, {"num"}) if re.fullmatch(r"[\d.]+", toks[i][1])]

    def scaled(old):
        value = float(old) * rng.choice([0.001, 0.1, 0.5, 2, 10, 100, 1000, 1e5])
        return str(int(value)) if "." not in old and value >= 1 else repr(value)

    return replace_token(rng, toks, nums, "number scaled", scaled)


def mutate_string(rng, toks):
    strs = tokens_of(toks, {"str"})
    return replace_token(rng, toks, strs, "string", lambda _: rng.choice(EDGE_STRINGS))


def mutate_type(rng, toks):
    values = [i for i in tokens_of(toks, {"num", "str", "ident"})
              if toks[i][0] != "ident" or toks[i][1] in ("true", "false")]
    return replace_token(rng, toks, values, "type", lambda _: rng.choice(OTHER_TYPES), "other")


def on_field(mutation):
    """Runs `mutation(rng, toks, start, end)` on a random `name: value,`, if there is one."""
    def run(rng, toks):
        spans = field_spans(toks)
        return mutation(rng, toks, *rng.choice(spans)) if spans else None

    run.__name__ = mutation.__name__
    return run


@on_field
def delete_field(rng, toks, a, b):
    name = toks[a][1]
    del toks[a:b]
    return f"field {name} deleted at {where(toks, a)}"


@on_field
def duplicate_field(rng, toks, a, b):
    copy = [list(t) for t in toks[a:b]]
    if copy[-1][1] != ",":
        copy.insert(0, ["punct", ","])
    toks[b:b] = copy
    return f"field {toks[a][1]} duplicated at {where(toks, a)}"


@on_field
def rename_field(rng, toks, a, _b):
    old = toks[a][1]
    toks[a][1] = rng.choice([rng.choice(FIELD_NAMES), old + "s", old.upper(), old[:-1],
                             "r#" + old if rng.random() < 0.2 else old[::-1]])
    return f"field {old} renamed {toks[a][1]} at {where(toks, a)}"


def swap_variant(rng, toks):
    idents = [i for i in tokens_of(toks, {"ident"}) if toks[i][1] in ALL_VARIANTS]

    def other_variant(old):
        group = next(g for g in VARIANT_GROUPS if old in g)
        pool = group if rng.random() < 0.7 else ALL_VARIANTS
        return rng.choice([v for v in pool if v != old])

    return replace_token(rng, toks, idents, "variant", other_variant)


def pick_list_element(rng, toks):
    lists = [i for i in significant(toks) if toks[i][1] == "["]
    rng.shuffle(lists)
    for open_i in lists:
        elements = list_elements(toks, open_i)
        if elements:
            return rng.choice(elements)
    return None


def on_list_element(mutation):
    """Runs `mutation(rng, toks, start, end)` on a random list element, if there is one."""
    def run(rng, toks):
        span = pick_list_element(rng, toks)
        return mutation(rng, toks, *span) if span else None

    run.__name__ = mutation.__name__
    return run


@on_list_element
def remove_element(rng, toks, a, b):
    desc = f"list element {untokenize(toks[a:b])[:40]!r} removed at {where(toks, a)}"
    del toks[a:b]
    return desc


@on_list_element
def duplicate_element(rng, toks, a, b):
    copy = [list(t) for t in toks[a:b]]
    if copy[-1][1] != ",":
        copy.append(["punct", ","])
        toks.insert(b, ["punct", ","])
        b += 1
    times = rng.choice([1, 2, 10, 100, 1000])
    toks[b:b] = [list(t) for _ in range(times) for t in copy]
    return f"list element {untokenize(copy)[:40]!r} duplicated x{times} at {where(toks, a)}"


@on_list_element
def nest_element(rng, toks, a, b):
    """Wraps a list element in Repeat(1, [..]) or Gather([[..]]) many levels deep."""
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
    (mutate_number, 6), (scale_number, 3), (mutate_string, 2), (mutate_type, 1.5), (delete_field, 2),
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


# Edits that must not change whether a file is accepted.
NEUTRAL_EDITS = {
    "BOM": lambda rng, text: "\ufeff" + text,
    "CRLF line ends": lambda rng, text: text.replace("\n", "\r\n"),
    "block comments": lambda rng, text: text.replace(",", ", /* , */", rng.randrange(1, 9)),
    "tabs and blank lines": lambda rng, text: text.replace("\n", "\n\t\n"),
}


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
