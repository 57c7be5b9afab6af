"""Writes a notebook (nbformat 4.5, no outputs) from a list of markdown and code cells.

The notebooks are generated: edit the cells in make_*.py, then run
`python3 notebooks/make_notebooks.py`. Stdlib only, so they can be regenerated without Jupyter.
"""

import json


class Notebook:
    """Cells in order; `write` saves them as an .ipynb without outputs."""

    def __init__(self):
        self.cells = []

    def md(self, text):
        """Adds a markdown cell."""
        self.cells.append(("markdown", text))

    def code(self, text):
        """Adds a code cell."""
        self.cells.append(("code", text))

    def build(self):
        """The notebook as nbformat JSON (a dict)."""
        cells = []
        for i, (kind, text) in enumerate(self.cells):
            cell = {"cell_type": kind, "id": "cell-%02d" % i, "metadata": {}, "source": lines(text)}
            if kind == "code":
                cell["execution_count"] = None
                cell["outputs"] = []
            cells.append(cell)
        return {
            "cells": cells,
            "metadata": {
                "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                "language_info": {"name": "python", "pygments_lexer": "ipython3"},
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }

    def text(self):
        """The .ipynb file's text."""
        return json.dumps(self.build(), indent=1, ensure_ascii=False) + "\n"

    def write(self, path):
        """Saves the notebook to `path`."""
        with open(path, "w") as f:
            f.write(self.text())
        print("wrote", path)


def lines(text):
    """A cell's source as nbformat stores it: lines with their newlines."""
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
