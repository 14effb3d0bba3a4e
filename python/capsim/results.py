"""Results of a run as pandas DataFrames, from memory or from results.h5."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

# Columns with few distinct values, typed as pandas categories.
_CATEGORIES = ("state", "gpu_type", "requested_gpu_type", "region", "service")

Column = Tuple[str, str, str, Any]  # name, units, description, values


def _frame(columns: Sequence[Column], index: Optional[str]) -> pd.DataFrame:
    data: Dict[str, Any] = {}
    units: Dict[str, str] = {}
    descriptions: Dict[str, str] = {}
    for name, unit, description, values in columns:
        if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
            data[name] = values
        else:
            data[name] = pd.Series(list(values), dtype="category" if name in _CATEGORIES else object)
        units[name] = unit
        descriptions[name] = description
    frame = pd.DataFrame(data)
    if index is not None:
        frame = frame.set_index(index)
    frame.attrs["units"] = units
    frame.attrs["descriptions"] = descriptions
    return frame


class Results:
    """What a run produced.

    ``jobs``: one row per job, indexed by job id (arrival order), with typed
    columns (times in seconds, NaN where a time does not apply; ``state``,
    ``gpu_type`` as categories); ``jobs.attrs["units"]`` and
    ``["descriptions"]`` say what each column holds. ``timeseries``: one row
    per metrics interval, indexed by its start in simulated seconds.
    ``services``: one row per inference service per interval (``service``,
    ``time`` at the interval's end, requests, replicas, latency percentiles,
    SLO attainment); empty without services. ``summary``: the headline
    metrics, the same as summary.json (per service under ``services``).
    """

    def __init__(self, jobs: pd.DataFrame, timeseries: pd.DataFrame, summary: Dict[str, Any],
                 scenario_text: str, native=None, services: Optional[pd.DataFrame] = None):
        self.jobs = jobs
        self.timeseries = timeseries
        self.services = services if services is not None else pd.DataFrame()
        self.summary = summary
        self.scenario_text = scenario_text
        self._native = native

    @classmethod
    def _from_native(cls, native) -> "Results":
        interval, time, metrics = native.timeseries_columns()
        series = _frame([("time", "s", "start of each metrics interval", time)] + list(metrics), "time")
        series.attrs["interval_s"] = float(interval)
        return cls(_frame(native.job_columns(), "id"), series, json.loads(native.summary_json()),
                   native.scenario_text, native, _frame(native.service_columns(), None))

    @property
    def metrics(self) -> Dict[str, Any]:
        """The summary's headline metrics (``summary["metrics"]``)."""
        return self.summary["metrics"]

    def write(self, directory: Union[str, os.PathLike]) -> None:
        """Writes results.h5 and summary.json into ``directory`` (atomically),
        as ``capsim run -o`` does. Only for results of a run in this process."""
        if self._native is None:
            raise ValueError("these results were read from a file; copy the file instead")
        self._native.write(os.fspath(directory))

    def __repr__(self) -> str:
        m = self.metrics
        return (f"<capsim.Results {self.summary.get('scenario')!r} {self.summary.get('queue_policy')}+"
                f"{self.summary.get('placement_policy')} seed {self.summary.get('seed')}: "
                f"{m.get('jobs_submitted')} jobs, mean JCT {m.get('jct_mean_s')} s>")


def _ordered(group, names: List[str]) -> List[str]:
    order = group.attrs.get("columns")
    if isinstance(order, bytes):
        order = order.decode()
    listed = order.split(",") if order else []
    return [n for n in listed if n in names] + sorted(n for n in names if n not in listed)


def _attr(obj, key: str, default: str = "") -> str:
    value = obj.attrs.get(key, default)
    return value.decode() if isinstance(value, bytes) else str(value)


def _read_columns(group, names: List[str]) -> List[Column]:
    columns: List[Column] = []
    for name in names:
        dataset = group[name]
        values = dataset[()]
        if values.dtype.kind == "S":
            values = [v.decode("utf-8") for v in values]
        columns.append((name, _attr(dataset, "units"), _attr(dataset, "description"), values))
    return columns


def read_results(path: Union[str, os.PathLike]) -> Results:
    """Reads a results.h5 written by ``capsim run`` or :func:`capsim.run`
    into the same objects that the run returned."""
    import h5py  # Debian's python3-h5py; imported here so that runs do not need it

    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "results.h5")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such results file")
    with h5py.File(path, "r") as f:
        if "jobs" not in f or "timeseries" not in f:
            raise ValueError(f"{path}: not a capsim results file (no /jobs or /timeseries)")
        jobs_group, series_group = f["jobs"], f["timeseries"]
        jobs = _frame(_read_columns(jobs_group, _ordered(jobs_group, list(jobs_group.keys()))), "id")
        series_names = [n for n in _ordered(series_group, list(series_group.keys())) if n != "time"]
        series = _frame(_read_columns(series_group, ["time"] + series_names), "time")
        interval = _attr(series_group, "interval", "nan s").split()[0]
        series.attrs["interval_s"] = float(interval)
        summary_text = _attr(f, "summary")
        if summary_text:
            summary = json.loads(summary_text)
        else:  # written before the summary went into the file: the JSON beside it
            with open(os.path.join(os.path.dirname(path), "summary.json"), encoding="utf-8") as s:
                summary = json.load(s)
        services = None
        if "services" in f:
            group = f["services"]
            services = _frame(_read_columns(group, _ordered(group, list(group.keys()))), None)
        return Results(jobs, series, summary, _attr(f, "scenario"), services=services)
