"""Figures researchers put in papers, drawn with matplotlib.

Each function takes results (one :class:`capsim.Results`, or a mapping of
label -> Results to overlay several policies), draws on ``ax`` (a new figure
when None) and returns the axes, so that callers can restyle and save them.
"""

from __future__ import annotations

from typing import Mapping, Optional, Union

import numpy as np

from .results import Results

ResultsArg = Union[Results, Mapping[str, Results]]


def _labelled(results: ResultsArg) -> Mapping[str, Results]:
    if isinstance(results, Results):
        s = results.summary
        return {f"{s.get('queue_policy')}+{s.get('placement_policy')}": results}
    if isinstance(results, Mapping) and all(isinstance(r, Results) for r in results.values()):
        return results
    raise TypeError("expected capsim.Results or a mapping of label -> capsim.Results")


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(6, 3.6))[1]


_HOURS = 3600.0


def jct_cdf(results: ResultsArg, ax=None, log: bool = True, column: str = "jct"):
    """Empirical CDF of job completion time (hours; ``column="queueing_delay"``
    for waits) per policy, log-scaled time axis by default."""
    ax = _axes(ax)
    for label, res in _labelled(results).items():
        values = np.sort(res.jobs[column].dropna().to_numpy()) / _HOURS
        if log:
            values = values[values > 0]
        if values.size == 0:
            continue
        ax.step(values, np.arange(1, values.size + 1) / values.size, where="post", label=label)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(f"{column.replace('_', ' ')} (hours)")
    ax.set_ylabel("fraction of jobs")
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def _over_time(results: ResultsArg, metric: str, ylabel: str, ax, scale: float = 1.0):
    ax = _axes(ax)
    for label, res in _labelled(results).items():
        series = res.timeseries[metric]
        ax.step(series.index.to_numpy() / _HOURS, series.to_numpy() * scale, where="post", label=label)
    ax.set_xlabel("simulated time (hours)")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


def utilisation(results: ResultsArg, ax=None):
    """GPU utilisation (allocated / all GPUs, %) per metrics interval."""
    return _over_time(results, "gpu_utilisation", "GPU utilisation (%)", ax, 100.0)


def queue_length(results: ResultsArg, ax=None):
    """Jobs waiting in the queue (average over each metrics interval)."""
    return _over_time(results, "pending_jobs", "jobs waiting", ax)
