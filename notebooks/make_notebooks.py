#!/usr/bin/env python3
"""Writes every teaching notebook from its generator (make_*_notebook.py, make_notebook.py).
Stdlib only: run `python3 notebooks/make_notebooks.py` after editing cells, and commit the
.ipynb files it writes (without outputs; CI executes them).
"""

import make_gil_notebook
import make_notebook
import make_scaling_notebook

if __name__ == "__main__":
    for module in (make_notebook, make_gil_notebook, make_scaling_notebook):
        module.NB.write(module.TARGET)
