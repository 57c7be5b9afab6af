#!/usr/bin/env python3
"""Writes 03_scaling_and_choosing_a_plan.ipynb (no outputs; CI executes it).

Edit the cells here, then run:  python3 notebooks/make_notebooks.py
"""

import os

from nbwrite import Notebook

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.path.join(HERE, "03_scaling_and_choosing_a_plan.ipynb")

NB = Notebook()
md, code = NB.md, NB.code

md(r"""# Scaling a queue-triggered app, and choosing a plan with its cost

One instance of a function app has a few cores; under load Azure's **scale controller** adds
instances. For a storage-queue trigger it looks at the queue (its length and the age of its
oldest message), wants about `batch_size + newBatchThreshold` messages per instance (the
*target-based* rule), and adds instances at a limited rate; each new instance pays a **cold
start** before it takes messages. This notebook:

1. replays 10,000 messages arriving at once and watches the backlog drain while instances
   arrive (`experiments/queue_burst.ron`);
2. asks what changes the drain time: the batch size, a cap on instances, bigger instances;
3. compares plans for an HTTP API over a day (`experiments/premium_whatif.ron`): latency and
   monthly cost side by side, and the cheapest plan that meets a p99 objective.

The rules sim follows, with their sources, are in the README ("Target-based vs incremental
scaling", "Plans and cost").""")

code(r"""import pandas as pd
from simnb import sim_run, show_plot, ensure_sim

ensure_sim()
burst = sim_run("queue_burst", plots=True)
print(burst.report.split("wrote")[0][-1500:])""")

md(r"""## 1. The backlog drains while instances arrive

The timeline: messages queued and the oldest one's age (top), instances by state, and the
scale decisions marked.""")

code(r"""show_plot(burst, "timeline_scaling")""")

code(r"""ts = burst.timeseries
every_10s = ts[ts.t_ms % 10_000 == 0][["t_ms", "queue_length", "oldest_age_ms", "instances_ready", "instances_starting", "cold_starts"]]
every_10s.assign(t_s=every_10s.t_ms / 1000).drop(columns="t_ms").set_index("t_s")""")

md(r"""Why it is not faster: each decision may add only a few instances, and the controller waits
between additions. `scaling.csv` gives every decision with its reason:""")

code(r"""decisions = pd.read_csv(burst.dir / "scaling.csv")
pd.set_option("display.max_colwidth", 200)
decisions[decisions["add"] > 0][["t_s", "ready", "queue_length", "desired", "add", "reason"]].head(6)""")

md(r"""## 2. What changes the drain time

Three levers: how many messages an instance takes at once (`batch_size`, so also how many
instances the target-based rule wants), a cap on instances (`max_instances`, e.g. to protect a
database), and bigger instances (`host.cores`).""")

code(r"""def drain(run):
    s = run.summary
    return [s["makespan_ms"] / 1000, s["scaling"]["max_ready_instances"], s["scaling"]["cold_starts"],
            s["scaling"]["max_queue_age_s"], s["latency_ms"]["p99"] / 1000]

cases = {
    "as given (batch 16, 1 core)": {},
    "batch_size 32": {"functions.0.trigger.batch_size": 32},
    "max 5 instances": {"scale.max_instances": 5},
    "2 cores, 1 process x 16 threads": {"host.cores": 2, "host.threads": 16},
    "2 cores, 2 processes x 8 threads": {"host.cores": 2, "host.processes": 2},
}
rows = [[name] + drain(sim_run("queue_burst", sets, tag="case%d" % i)) for i, (name, sets) in enumerate(cases.items())]
pd.DataFrame(rows, columns=["case", "drained after s", "max instances", "cold starts", "oldest message s", "p99 s"])""")

md(r"""The scale controller's pace, not the instances' size, sets the drain time here: a bigger
batch changes little, a cap makes it longer. And a second core helps only with a second worker
process: each message does 50 ms of pure-Python CPU, and one process runs Python on one core
at a time (the GIL, notebook 02).

## 3. Choosing a plan: latency and cost side by side

`premium_whatif.ron` is an HTTP API (parse, a 120 ms downstream call, serialise) over a
whole day with a spike at 11:00, run on Consumption, Flex Consumption (2048 and 4096 MB) and
Premium EP1 to EP3. Its compare block ranks the plans against an objective (p99 within
575 ms, at most 1% unanswered) by cost. This takes about half a minute.""")

code(r"""plans = sim_run("premium_whatif", plots=True)
cmp = pd.read_csv(plans.dir / "compare.csv")
cmp[["variant", "p50_ms", "p99_ms", "max_queue_age_s", "mean_instances", "cold_starts", "cost_per_month", "meets_objective"]].sort_values("cost_per_month")""")

code(r"""ranking = plans.compare["ranking"]
print("objective:", ranking["described"])
best = ranking["ranked"][0]
print("cheapest that meets it: %s, p99 %.0f ms, USD %.2f a month" % (best["name"], best["p99_ms"]["mean"], best["cost_per_month"]["mean"]))""")

md(r"""The what-if chart: each plan's p99 against its monthly cost (measured points only), the
objective's line, and the chosen plan marked.""")

code(r"""show_plot(plans, "whatif")""")

md(r"""## Something to try

* Lower the objective to `p99_ms: 400` in `premium_whatif.ron`'s compare block (or run it
  with `--set compare.slo.p99_ms=400`): which plan wins now, and what does it cost?
* Give Consumption more worker processes (`host.processes=2`) in its variant: does it meet
  the objective?
* For the full search over plans x processes x threads x `def`/`async def`, run
  `sim sweep experiments/choose_plan.ron` (2,160 runs, a minute or two on two cores) and
  look at `ranking.csv`.""")

if __name__ == "__main__":
    NB.write(TARGET)
