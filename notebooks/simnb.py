"""Helpers the teaching notebooks share: find the repository and the `sim` binary, run an
experiment with `--set` overrides, and read what it wrote (summary.json as a dict, the CSV
files as pandas DataFrames, the plots as images).

    from simnb import sim_run, show_plot
    run = sim_run("cpu_bound", {"host.threads": 4}, plots=True)
    run.summary["latency_ms"]["p99"], run.invocations.head(), show_plot(run, "latency_cdf")
"""

import atexit
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def find_repo_root(start=None):
    """The sim repository holding `start` (default: the working directory)."""
    start = Path(start or Path.cwd()).resolve()
    for p in [start, *start.parents]:
        if (p / "Cargo.toml").exists() and (p / "experiments").is_dir():
            return p
    raise RuntimeError("run the notebook from inside the sim repository (notebooks/)")


ROOT = find_repo_root()
SIM = Path(os.environ.get("SIM_BIN") or ROOT / "target" / "release" / ("sim.exe" if os.name == "nt" else "sim"))
OUT = Path(tempfile.mkdtemp(prefix="sim-notebook-"))
# The runs' folders live as long as the notebook's kernel.
atexit.register(shutil.rmtree, OUT, ignore_errors=True)


def ensure_sim():
    """Builds sim (cargo build --release) when the binary is missing."""
    if not SIM.exists():
        print("building sim (cargo build --release) ...")
        subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    return SIM


class Run:
    """One finished `sim run`: its folder, summary.json, and the CSV files it wrote."""

    def __init__(self, folder, stdout):
        self.dir = Path(folder)
        self.report = stdout
        self.summary = self._json("summary.json")

    def _json(self, name):
        path = self.dir / name
        return json.loads(path.read_text()) if path.exists() else None

    def _csv(self, name):
        import pandas as pd

        path = self.dir / name
        if not path.exists():
            raise FileNotFoundError("%s was not written by this run" % path)
        return pd.read_csv(path)

    @property
    def invocations(self):
        """invocations.csv, one row per invocation, with a `latency_ms` column added."""
        df = self._csv("invocations.csv")
        df["latency_ms"] = df["response_ms"] - df["arrival_ms"]
        return df

    @property
    def timeseries(self):
        """timeseries.csv."""
        return self._csv("timeseries.csv")

    @property
    def thread_states(self):
        """thread_states.csv (runs with `thread_states=(from_s, to_s)` only)."""
        return self._csv("thread_states.csv")

    @property
    def compare(self):
        """compare.json of a compare block."""
        return self._json("compare.json")


def write_experiment(name, text):
    """Saves an experiment written in the notebook as OUT/<name>.ron and returns its path."""
    path = OUT / (name + ".ron")
    path.write_text(text)
    return path


def sim_run(experiment, settings=None, tag=None, plots=False, thread_states=None, args=()):
    """Runs `sim run experiments/<experiment>.ron --set k=v ...` into a fresh folder
    (`experiment` may also be the path of a .ron file, e.g. from `write_experiment`).

    `plots` also draws the pictures (`--plots`); `thread_states=(a, b)` records every thread's
    stretches from a to b seconds (`--thread-states a..b`); `args` are extra arguments.
    """
    ensure_sim()
    settings = settings or {}
    tag = tag or "-".join("%s=%s" % (k.split(".")[-1], v) for k, v in settings.items()) or "default"
    is_file = str(experiment).endswith(".ron")
    file = Path(experiment) if is_file else Path("experiments") / (experiment + ".ron")
    out = OUT / ("%s-%s" % (file.stem, tag.replace("/", "_")))
    cmd = [str(SIM), "run", str(file), "--out", str(out)]
    for path, value in settings.items():
        cmd += ["--set", "%s=%s" % (path, value)]
    if plots:
        cmd.append("--plots")
    if thread_states:
        cmd += ["--thread-states", "%s..%s" % thread_states]
    cmd += list(args)
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("sim failed (%d): %s\n%s" % (done.returncode, " ".join(cmd), done.stderr[-3000:]))
    return Run(out, done.stdout)


def plot_file(run, name, ext="png"):
    """The file of plot `name` (e.g. latency_cdf) that `--plots` drew into the run's folder."""
    path = run.dir / "plots" / ("%s.%s" % (name, ext))
    if not path.exists():
        have = sorted(p.name for p in (run.dir / "plots").glob("*")) if (run.dir / "plots").exists() else []
        raise FileNotFoundError("no %s in %s/plots (it has: %s)" % (path.name, run.dir, ", ".join(have) or "nothing"))
    return path


def show_plot(run, name):
    """Shows plot `name` of `run` in the notebook."""
    from IPython.display import Image, display

    display(Image(filename=str(plot_file(run, name))))


def table(rows, columns):
    """A small pandas table from a list of rows."""
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)
