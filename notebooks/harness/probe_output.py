"""What the harness's probes share: the machine block of their JSON output."""

import json
import os
import platform
import time


def write_results(path, key, results):
    """Writes ``{"machine": ..., key: results}`` to ``path`` (the machine the probe ran on,
    so a reader can tell which VM and Python a figure came from)."""
    machine = {"platform": platform.platform(), "cpu_count": os.cpu_count(),
               "python": platform.python_version(),
               "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(path, "w") as f:
        json.dump({"machine": machine, key: results}, f, indent=1)
