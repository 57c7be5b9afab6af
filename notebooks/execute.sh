#!/bin/sh
# Executes every teaching notebook as CI does: installs the pinned Jupyter set
# (notebooks/requirements.txt) into a virtual environment under target/, builds sim, and runs
# notebooks/run_notebooks.py (a failing cell fails). Arguments go to run_notebooks.py.
set -eu
cd "$(dirname "$0")/.."
VENV=target/notebook-venv
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r notebooks/requirements.txt
cargo build --release --quiet
"$VENV/bin/python" notebooks/run_notebooks.py "$@"
