#!/usr/bin/env python3
"""Executes every teaching notebook (notebooks/*.ipynb) from the top, as CI does: a cell that
raises fails the run. Checks first that each notebook is exactly what its make_*.py generates
and carries no outputs, so what is committed is what is tested.

Run it through notebooks/execute.sh, which installs the pinned Jupyter set
(notebooks/requirements.txt) into a virtual environment first. Options: names of notebooks to
run (default: all), --timeout SECONDS per cell (default 900).
"""

import argparse
import importlib
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
GENERATORS = ["make_notebook", "make_gil_notebook", "make_scaling_notebook"]


def generated():
    """{notebook file name: the text its generator writes}."""
    sys.path.insert(0, str(HERE))
    texts = {}
    for name in GENERATORS:
        module = importlib.import_module(name)
        texts[Path(module.TARGET).name] = module.NB.text()
    return texts


def check_committed(path, expected):
    """The committed notebook is its generator's output (so it has no outputs)."""
    if path.read_text() != expected:
        raise SystemExit("%s differs from what its generator writes: run python3 notebooks/make_notebooks.py and commit" % path.name)


def execute(path, timeout):
    """Runs every cell of `path` in a fresh kernel, in notebooks/; raises on a failing cell."""
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(HERE)}})
    started = time.monotonic()
    client.execute()
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook files to run (default: all)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    args = parser.parse_args()
    texts = generated()
    on_disk = sorted(p.name for p in HERE.glob("*.ipynb"))
    missing = sorted(set(on_disk) ^ set(texts))
    if missing:
        raise SystemExit("notebooks without a generator, or generators without a notebook: %s" % ", ".join(missing))
    for name in args.names or on_disk:
        path = HERE / name
        check_committed(path, texts[name])
        seconds = execute(path, args.timeout)
        print("%s: every cell ran (%.0f s)" % (name, seconds), flush=True)


if __name__ == "__main__":
    main()
