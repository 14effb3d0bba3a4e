"""Many runs of one scenario, in parallel threads, as one table."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterable, List, Optional

import pandas as pd

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


def sweep(scenario: Scenario, *, queue: Optional[Iterable[PolicyArg]] = None,
          placement: Optional[Iterable[PolicyArg]] = None, seed: Optional[Iterable[int]] = None,
          autoscaling: Optional[Iterable[PolicyArg]] = None, workers: int = 1) -> pd.DataFrame:
    """Runs every combination of the given queue policies, placement policies
    and seeds (each a list; left out: the scenario's own) and returns one row
    per run: the combination (``queue``, ``placement``, ``seed``) and the
    summary's metrics, with each inference service's figures as
    ``"<service>.<figure>"`` columns. ``autoscaling``, a list, adds a
    dimension: each replaces every service's autoscaler (column
    ``autoscaling``). ``workers`` runs that many simulations at once in
    threads (each releases the GIL); the table is the same, row for row and
    bit for bit, whatever ``workers``. A policy is a name or a dict with its
    parameters, as in :meth:`Scenario.with_policy`."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"sweep() takes a capsim.Scenario, got {type(scenario).__name__}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    queues: List[PolicyArg] = list(queue) if queue is not None else [scenario.queue]
    placements: List[PolicyArg] = list(placement) if placement is not None else [scenario.placement]
    seeds: List[int] = list(seed) if seed is not None else [scenario.seed]
    scalers: List[Optional[PolicyArg]] = list(autoscaling) if autoscaling is not None else [None]
    for name, values in (("queue", queues), ("placement", placements), ("seed", seeds), ("autoscaling", scalers)):
        if not values:
            raise ValueError(f"sweep: {name} is an empty list")
    dimensions = _DIMENSIONS + (("autoscaling",) if autoscaling is not None else ())
    # Every variant is built (and its policies checked) before any runs.
    variants = []
    for q, p, s, a in itertools.product(queues, placements, seeds, scalers):
        key = (_label(q), _label(p), s) + ((_label(a),) if autoscaling is not None else ())
        variants.append((key, scenario.with_policy(queue=q, placement=p, autoscaling=a).with_seed(s)))

    def one(variant):
        return _flat(run(variant[1]).summary)

    if workers == 1:
        rows = [one(v) for v in variants]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            rows = list(pool.map(one, variants))
    table = pd.DataFrame([dict(zip(dimensions, key), **row) for (key, _), row in zip(variants, rows)])
    return table
