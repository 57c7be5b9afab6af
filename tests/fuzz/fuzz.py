#!/usr/bin/env python3
"""Mutation fuzzer for the `sim` binary: run it for as long as you like.

    python3 tests/fuzz/fuzz.py --minutes 10 --keep /tmp/fuzz-keep
    python3 tests/fuzz/fuzz.py --iterations 500 --seed 7 --jobs 2

Standard library only; mutate.py holds the mutations and corpus.py the inputs. The inputs are
the repository's experiments (profiles inlined, so a mutated file is self-contained in a temp
folder), its models (each mutated inside a small wrapper experiment that references it as a
profile) and the seeds in tests/fuzz/seeds/. Each case applies one to three mutations: token-
level ones (numbers replaced with edge values, strings changed, fields deleted, duplicated or
renamed, enum variants swapped, list elements duplicated or removed, brackets deleted, values
of the wrong type, deep nesting), raw ones (byte flips, a BOM, truncation) and `--set`
overrides with edge values. The sequence of cases depends only on `--seed`; case i is the same
on every machine.

Every case runs `sim check FILE` and then a bounded `sim run FILE --out out --quiet
--set horizon_s=H`, each with a wall timeout and an address-space limit. The `--out` folder
holds a previous successful run plus a sentinel file, so output safety can be checked.

Counted per command: ok (exit 0), refused (exit 2), error (exit 1), other exit codes, panic
(stderr has "panicked"), abort/signal (killed by a signal: out of memory, stack overflow),
timeout. For `run` also: invariant broken (exit 0 but summary.json is missing or its counts do
not add up: arrived = succeeded + failed + rejected + timed_out + pending, the executions
likewise, per function, per process, invocations.csv rows)
and output changed (a failed run touched the earlier output or left a staging folder behind).
Quality counts, which do not fail the fuzzer: bad message (exit 2 whose stderr names neither a
file:line[:col] nor a field or `--set` spec), no field named (a place but no field, as in
"Expected comma" for `processes: 1.5`), check ok but run refused, neutral edit refused (a BOM,
CRLF line ends, comments or blank lines added to a valid file: about 5% of the cases are such
edits alone), and `--set` blamed for the file (the file is refused by `check`, and `run`,
whose only override is the horizon, blames that override).

Exit status 1 if any panic, abort/signal, timeout, other exit code, broken invariant or
changed output happened. With `--keep DIR` each such input is saved in
DIR/<class>/<signature>/<case>/ with `cmd.sh` (cd there and run it to reproduce), stderr and
the mutations applied; the first few inputs of each quality signature are saved too.
"""

import argparse
import hashlib
import json
import os
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

from corpus import ROOT, load_seeds, make_case

SENTINEL = "fuzz-sentinel.txt"
KEEP_QUALITY_PER_SIGNATURE = 3

# ---- running sim ---------------------------------------------------------------------------


def limit_memory(gib):
    """The child's address space is capped; it writes no core file (a 4 GiB core takes
    longer to write than the timeout)."""
    def preexec():
        limit = int(gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

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
FIELD_RE = re.compile(r"`[A-Za-z_][\w.\[\]]*`|--set [^\n]*?: ")


def message_quality(stderr):
    """'bad message' when a refusal names neither a place nor a field, 'no field named' when
    it gives a place only (e.g. "Expected comma" for `processes: 1.5`), else None."""
    place, field = LOCATION_RE.search(stderr), FIELD_RE.search(stderr)
    if not place and not field:
        return "bad message"
    return None if field else "no field named"


def normalize(line):
    """Drops what varies between instances of one defect: --set specs, paths, numbers."""
    line = re.sub(r"--set .*?: ", "--set SPEC: ", line.strip())
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
        return first_line(stderr)
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
    """Why an exit-0 run's outputs are wrong, or [] when they add up. A compare run's folder
    holds compare.csv and a run's folder per variant, each checked on its own."""
    compare = out / "compare.csv"
    if compare.is_file():
        rows = compare.read_text().splitlines()[1:]
        variants = [row.split(",")[0] for row in rows]
        if not variants:
            return ["compare.csv has no rows"]
        return [f"{v}: {p}" for v in variants for p in summary_problems(out / v)]
    if (out / "sweep.csv").is_file():
        return sweep_problems(out)
    path = out / "summary.json"
    if not path.is_file():
        return ["summary.json missing"]
    try:
        summary = json.loads(path.read_text())
        counts = summary["invocations"]
        arrived = counts["arrived"]
        problems = ledger_problems("arrived", arrived, counts)
        # The executions (rows) are the arrivals unless messages were tried again or Event
        # Hubs batches held several events; then summary.json lists them on their own.
        executions = summary.get("executions")
        if executions is not None:
            problems += ledger_problems("executions", executions["executions"], executions)
        rows = executions or dict(counts, executions=arrived)
        per_function = sum(f["succeeded"] for f in summary["functions"])
        if per_function != rows["succeeded"]:
            problems.append(f"functions' succeeded {per_function} != {rows['succeeded']}")
        routed = sum(p["invocations"] for p in summary["processes"])
        if routed > rows["executions"]:
            problems.append(f"routed to processes {routed} > executions {rows['executions']}")
        return problems + csv_problems(out, rows["executions"])
    except (ValueError, KeyError, TypeError) as e:
        return [f"summary.json unreadable: {e!r}"]


def sweep_problems(out):
    """A sweep's folder: each run's arrivals add up in sweep.csv (arrived = succeeded + failed +
    rejected_429 + pending, pending being what is left), and sweep_summary.json has every
    configuration of the rows."""
    import csv
    with open(out / "sweep.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return ["sweep.csv has no rows"]
    problems = []
    for r in rows:
        arrived, answered = int(float(r["arrived"])), int(float(r["succeeded"]))
        unanswered = int(float(r["failed"])) + int(float(r["rejected_429"]))
        if answered + unanswered > arrived:
            problems.append(f"run {r['run']}: succeeded + failed + 429 > arrived")
    summary = out / "sweep_summary.json"
    if not summary.is_file():
        return problems + ["sweep_summary.json missing"]
    try:
        configs = json.loads(summary.read_text())["configurations"]
    except (ValueError, KeyError, TypeError) as e:
        return problems + [f"sweep_summary.json unreadable: {e!r}"]
    if len(configs) != len({r["config"] for r in rows}):
        problems.append("sweep_summary.json and sweep.csv disagree on the configurations")
    return problems


def ledger_problems(name, total, counts):
    """`total` must be the sum of the outcome counts: every int but the total, the ages (_ms),
    and poisoned and dead_lettered (which are among the failed), plus `failed` by reason."""
    outcomes = [v for k, v in counts.items()
                if k not in (name, "executions", "poisoned", "dead_lettered")
                and isinstance(v, int) and not k.endswith("_ms")]
    outcomes += list(counts.get("failed", {}).values())
    if total != sum(outcomes):
        return [f"{name} {total} != {' + '.join(map(str, outcomes))}"]
    return []


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
            self.note(job.name, kind, f"timeout in {job.name} (seed {self.case.seed.name})",
                      stderr)
        elif kind in FAILURES:
            self.note(job.name, kind, signature(kind, rc, stderr), stderr)
        elif kind == "refused" and message_quality(stderr):
            quality = message_quality(stderr)
            self.note(job.name, quality, f"{quality}: {first_line(stderr)}", stderr)
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
            self.note("run", what, f"{what}: {normalize(problems[0])}", "\n".join(problems))

    def check_consistency(self):
        """Verdicts that contradict each other: check and run, a neutral edit, an override
        blamed for what is wrong in the file."""
        (check, _, check_err), (run, _, run_err) = self.results["check"], self.results["run"]
        if check == "ok" and run == "refused":
            self.note("run", "check ok, run refused", "check ok, run refused", run_err)
        if self.case.neutral and check == "refused":
            sig = f"{self.case.mutations[0]}: {first_line(check_err)}"
            self.note("check", "neutral edit refused", sig, check_err)
        horizon = f"error: --set horizon_s={self.fuzzer.args.horizon}:"
        if check == "refused" and not self.case.sets and run_err.startswith(horizon):
            sig = "--set horizon_s blamed: " + first_line(run_err.replace(horizon, ""))
            self.note("run", "--set blamed for the file", sig, check_err + "\n" + run_err)

    def note(self, command, kind, sig, detail):
        self.findings.append(Finding(command, kind, sig, detail))


FAILURES = {"panic", "abort/signal", "timeout", "other exit", "error"}
FATAL = {"panic", "abort/signal", "timeout", "other exit", "invariant broken", "output changed"}
QUALITY = {"bad message", "no field named", "check ok, run refused", "neutral edit refused",
           "--set blamed for the file"}
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
        self.check_seeds()
        self.template_digest = self.make_template()

    def check_seeds(self):
        """Every unmutated seed must pass `sim check`, or the neutral edits prove nothing."""
        for seed in self.seeds:
            folder = self.workdir / f"seed-{seed.name}"
            for rel, text in seed.files.items():
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_text(text)
            out = subprocess.run([self.sim, "check", seed.target], cwd=folder,
                                 capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit(f"seed {seed.name} does not pass sim check:\n{out.stderr}")

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
        for kind in ["invariant broken", "output changed", *sorted(QUALITY)]:
            print(f"{kind:<24}{'':>8}{self.kind_total(kind):>8}  (findings, both commands)")
        if self.findings:
            print("\ndistinct findings (count, signature, first saved input):")
        for (kind, sig), (n, path) in sorted(self.findings.items()):
            print(f"  {n:>5}  [{kind}] {sig}" + (f"\n         {path}" if path else ""))
        return any(self.kind_total(kind) for kind in FATAL)


def slug(text):
    """A folder name for `text`; a short hash keeps signatures that read alike apart."""
    tag = hashlib.sha256(text.encode()).hexdigest()[:6]
    return (re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:72] or "x") + "-" + tag


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
