"""Many runs of one scenario, in parallel threads or on a Dask cluster, as one table."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, Mapping, Optional

import pandas as pd

from .policies import _registered
from .scenario import PolicyArg, Scenario, run

_DIMENSIONS = ("queue", "placement", "seed")


def _label(policy: PolicyArg) -> str:
    return policy if isinstance(policy, str) else str(policy.get("name", "?"))


def _flat(summary: Dict[str, Any]) -> Dict[str, Any]:
    row = {k: v for k, v in summary["metrics"].items()}
    row["status"] = summary.get("status")
    packing = summary.get("packing")
    if packing:
        row["packing_allocated_percent"] = packing.get("allocated_percent")
        row["packing_unallocated_percent"] = packing.get("unallocated_percent")
    # Each service's figures as "<service>.<figure>" (summary["services"]).
    for service in summary.get("services", []):
        for key, value in service.items():
            if key != "name":
                row[f"{service['name']}.{key}"] = value
    return row


def _run_row(scenario: Scenario) -> Dict[str, Any]:
    # One run, wherever it runs (a thread here, or a Dask worker, which
    # unpickles the scenario: Scenario.__reduce__).
    return _flat(run(scenario).summary)


def _check_client(client: Any, variants: List[Any]) -> None:
    if not (callable(getattr(client, "map", None)) and callable(getattr(client, "gather", None))):
        raise TypeError(f"sweep(client=...) takes a dask.distributed.Client (or an object with its map and "
                        f"gather), got {type(client).__name__}")
    # A policy written in Python lives in this process's registry alone.
    for _, variant in variants:
        for kind, name in (("queue", variant.queue), ("placement", variant.placement)):
            if name in _registered[kind]:
                raise ValueError(f"sweep: the {kind} policy {name!r} is written in Python and registered in this "
                                 f"process only, so a Dask client's workers cannot run it; leave client out "
                                 f"(workers= runs it in threads here)")


def sweep(scenario: Scenario, *, queue: Optional[Iterable[PolicyArg]] = None,
          placement: Optional[Iterable[PolicyArg]] = None, seed: Optional[Iterable[int]] = None,
          autoscaling: Optional[Iterable[PolicyArg]] = None,
          fields: Optional[Mapping[str, Iterable[Any]]] = None, workers: Optional[int] = None,
          client: Any = None) -> pd.DataFrame:
    """Runs every combination of the given queue policies, placement policies
    and seeds (each a list; left out: the scenario's own) and returns one row
    per run: the combination (``queue``, ``placement``, ``seed``) and the
    summary's metrics, with each inference service's figures as
    ``"<service>.<figure>"`` columns. ``autoscaling``, a list, adds a
    dimension: each replaces every service's autoscaler (column
    ``autoscaling``). ``workers`` (default 1) runs that many simulations at
    once in threads (each releases the GIL); the table is the same, row for row and
    bit for bit, whatever ``workers``. A policy is a name or a dict with its
    parameters, as in :meth:`Scenario.with_policy`.

    ``fields`` sweeps any scenario field too, as a scenario's ``sweep:``
    block does: a dict of dotted path to a list of values
    (``{"cluster.node_groups[v100].count": [8, 12, 16],
    "workload.synthetic.jobs_per_hour": [20, 30]}``); each path is a column
    (before the policy columns), every combination is run
    (:meth:`Scenario.with_fields`).

    ``client``, a ``dask.distributed.Client``, runs one task per run on its
    workers instead (then leave ``workers`` out), with the same table, row
    for row and bit for bit. Each task gets its scenario pickled (its YAML
    text, base folder and changes: see :class:`Scenario`), so the files it
    names must be at the same paths on the workers, and capsim importable
    there; a policy written in Python (``register_*_policy``) cannot be run
    this way (ValueError)."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"sweep() takes a capsim.Scenario, got {type(scenario).__name__}")
    if client is not None and workers is not None:
        raise ValueError("sweep: give workers (threads here) or client (a Dask cluster), not both")
    if workers is None:
        workers = 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    queues: List[PolicyArg] = list(queue) if queue is not None else [scenario.queue]
    placements: List[PolicyArg] = list(placement) if placement is not None else [scenario.placement]
    seeds: List[int] = list(seed) if seed is not None else [scenario.seed]
    scalers: List[Optional[PolicyArg]] = list(autoscaling) if autoscaling is not None else [None]
    for name, values in (("queue", queues), ("placement", placements), ("seed", seeds), ("autoscaling", scalers)):
        if not values:
            raise ValueError(f"sweep: {name} is an empty list")
    field_paths: List[str] = []
    field_values: List[List[Any]] = []
    if fields is not None:
        if not isinstance(fields, Mapping):
            raise TypeError(f"fields must be a dict of field path: list of values, got {fields!r}")
        for path, values in fields.items():
            values = list(values) if not isinstance(values, (str, bytes)) else [values]
            if not values:
                raise ValueError(f"sweep: fields[{path!r}] is an empty list")
            field_paths.append(str(path))
            field_values.append(values)
    dimensions = tuple(field_paths) + _DIMENSIONS + (("autoscaling",) if autoscaling is not None else ())
    # Every variant is built (and its policies checked) before any runs.
    variants = []
    for f in itertools.product(*field_values):
        base = scenario.with_fields(dict(zip(field_paths, f))) if field_paths else scenario
        for q, p, s, a in itertools.product(queues, placements, seeds, scalers):
            key = tuple(f) + (_label(q), _label(p), s) + ((_label(a),) if autoscaling is not None else ())
            variants.append((key, base.with_policy(queue=q, placement=p, autoscaling=a).with_seed(s)))

    scenarios = [variant for _, variant in variants]
    if client is not None:
        _check_client(client, variants)
        rows = client.gather(client.map(_run_row, scenarios))
    elif workers == 1:
        rows = [_run_row(v) for v in scenarios]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            rows = list(pool.map(_run_row, scenarios))
    table = pd.DataFrame([dict(zip(dimensions, key), **row) for (key, _), row in zip(variants, rows)])
    return table
