"""capsim: simulate GPU clusters and compare scheduling policies from Python.

    import capsim
    sc = capsim.Scenario.load("scenarios/quickstart.yaml")
    sc = sc.with_policy(queue="tiresias").with_seed(7)   # copies, never mutates
    res = capsim.run(sc)                                  # releases the GIL
    res.jobs, res.timeseries, res.summary                 # DataFrames and a dict
    capsim.read_results("results/quickstart/results.h5")  # the same from a file
    capsim.sweep(sc, queue=["fifo", "srtf"], seed=range(3), workers=2)
    capsim.sweep(sc, seed=range(20), client=dask_client)  # on a Dask cluster
    capsim.plots.jct_cdf({"fifo": a, "srtf": b})          # matplotlib axes

Errors in scenarios and traces raise capsim.InputError (a ValueError) with
the file, line, column and field of the problem.
"""

from . import plots
from ._capsim import InputError, __version__
from .policies import (ClusterView, Job, PassControl, PlacementPolicy, QueuePolicy, SchedulerView, duration,
                       register_placement_policy, register_queue_policy, unregister_policy)
from .results import Results, read_results
from .scenario import Scenario, policies, run
from .sweep import sweep

__all__ = [
    "ClusterView",
    "InputError",
    "Job",
    "PassControl",
    "PlacementPolicy",
    "QueuePolicy",
    "SchedulerView",
    "duration",
    "register_placement_policy",
    "register_queue_policy",
    "unregister_policy",
    "Results",
    "Scenario",
    "__version__",
    "plots",
    "policies",
    "read_results",
    "run",
    "sweep",
]
