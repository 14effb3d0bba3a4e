"""Policies written in Python, called by the C++ scheduler core like the
built-in ones.

    class ShortestFirst(capsim.QueuePolicy):
        '''Shortest recorded run time first (the oracle), ties by arrival.'''
        def key(self, job):
            return job.recorded_duration

    capsim.register_queue_policy("py_sjf", ShortestFirst)
    capsim.run(sc.with_policy(queue="py_sjf"))

A scenario then names it like any policy (``queue: py_sjf`` or ``{name:
py_sjf, some_parameter: 3}``; the parameters arrive as ``self.params``, a
dict). The core calls only the hooks a class overrides. Every call takes the
GIL, so a Python policy is slower than a built-in one; an exception raised in
a hook stops the run and propagates out of :func:`capsim.run` with its
traceback. What a hook returns is checked: a bad key, victim, wake-up time or
allocation raises ValueError naming the policy.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional, Tuple, Type, Union

from . import _capsim

Job = _capsim.Job
SchedulerView = _capsim.SchedulerView
PassControl = _capsim.PassControl
ClusterView = _capsim.ClusterView

# name -> (summary, factory); handed to the C++ registry at each call.
_registered: Dict[str, Dict[str, Tuple[str, Any]]] = {"queue": {}, "placement": {}}


def _default(function):
    function._capsim_default = True  # the core skips hooks that keep this mark
    return function


class _Policy:
    def __init__(self, params: Optional[Dict[str, Any]] = None, seed: int = 1):
        #: the policy's parameters from the scenario (besides ``name``)
        self.params: Dict[str, Any] = dict(params or {})
        #: the run's seed: derive any randomness from it (e.g. random.Random(seed))
        self.seed = seed


class QueuePolicy(_Policy):
    """Which waiting job runs next, and which running job makes way for it.

    Override ``key`` (required) and any of the hooks below; the contract is
    the C++ one (scheduler/queue/queue_policy.hpp). ``self.view`` (a
    :class:`SchedulerView`: ``now``, ``pending_jobs``, ``running_jobs``,
    ``free_gpus``, ``job(id)``, ``may_be_victim(id)``) is set before the first
    call. Times are seconds since the start of the simulation.
    """

    #: whether the first job that does not fit stops the pass (strict order)
    blocks_queue: bool = False
    #: whether the policy ever names victims or preempts
    preempts: bool = False
    view: SchedulerView

    def key(self, job: Job) -> Union[float, Tuple[float, float]]:
        """The job's place in the queue: lower first, equal keys in arrival
        order. Computed when the job enters the queue and when rekeyed."""
        raise NotImplementedError(f"{type(self).__name__} must define key(job)")

    @_default
    def begin_pass(self, control: PassControl) -> None:
        """At the start of a pass: ``control.rekey(id)``, ``control.preempt(id)``."""

    @_default
    def admit(self, job: Job) -> Union[str, bool]:
        """"try" to place it, "skip" it for now, or "stop" the pass."""
        return "try"

    @_default
    def victims(self, job: Job) -> Iterable[int]:
        """Running jobs that may be stopped for this one, most expendable first."""
        return ()

    @_default
    def on_unplaced(self, job: Job) -> bool:
        """It could not be placed: whether the pass goes on to the jobs behind it."""
        return not self.blocks_queue

    @_default
    def on_job_arrived(self, job: Job) -> None:
        pass

    @_default
    def on_job_started(self, job: Job) -> None:
        pass

    @_default
    def on_job_ended(self, job: Job) -> None:
        pass

    @_default
    def on_job_preempted(self, job: Job) -> None:
        pass

    @_default
    def next_wakeup(self, now: float) -> Optional[float]:
        """The next time (s) after ``now`` at which a pass is needed although
        no job arrives or ends, or None."""
        return None


class PlacementPolicy(_Policy):
    """Where a job runs.

    ``place(job, cluster)`` returns the allocation, or None when the job does
    not fit now: for a job of whole GPUs a list of ``(node, gpus)`` (all of
    one GPU type and region, exactly ``job.gpus`` in total, each node once,
    in ``job.regions`` when it names any: data residency); for a share
    of one GPU ``[(node, gpu)]`` (a GPU shares hold with room, or
    ``cluster.gpu_for_new_share(node)`` to open a free one); for a CPU-only
    job ``[node]``. ``cluster`` is a :class:`ClusterView` (``nodes``,
    ``gpus(n)``, ``free_gpus(n)``, ``gpu_type(n)``, ``rack(n)``, ``region(n)``,
    ``free_cpus(n)``, ``free_memory_mib(n)``, ``share_used(n, g)``,
    ``fits(job, n, gpus)``, ...), valid during the call only.
    """

    def place(self, job: Job, cluster: ClusterView):
        raise NotImplementedError(f"{type(self).__name__} must define place(job, cluster)")

    @_default
    def on_job_arrived(self, job: Job, cluster: ClusterView) -> None:
        """Told of every job as it arrives, before any placement of it."""


def _register(kind: str, base: type, name: str, cls: Type, summary: Optional[str]) -> Type:
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "_-" for c in name):
        raise ValueError(f"a policy name is letters, digits, '_' and '-', got {name!r}")
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise TypeError(f"register_{kind}_policy takes a subclass of capsim.{base.__name__}, got {cls!r}")
    builtin = _capsim.policies({"queue": {}, "placement": {}})[kind]
    if name in builtin:
        raise ValueError(f"{name!r} is a built-in {kind} policy; choose another name")
    text = summary if summary is not None else (cls.__doc__ or cls.__name__).strip().splitlines()[0]
    _registered[kind][name] = (text, lambda params, seed: cls(params, seed))
    return cls


def register_queue_policy(name: str, cls: Type[QueuePolicy], summary: Optional[str] = None) -> Type[QueuePolicy]:
    """Makes ``cls`` the queue policy ``name`` for scenarios run in this
    process (registering a name again replaces it). Returns ``cls``."""
    return _register("queue", QueuePolicy, name, cls, summary)


def register_placement_policy(name: str, cls: Type[PlacementPolicy],
                              summary: Optional[str] = None) -> Type[PlacementPolicy]:
    """Makes ``cls`` the placement policy ``name`` for scenarios run in this process."""
    return _register("placement", PlacementPolicy, name, cls, summary)


def unregister_policy(name: str) -> None:
    """Forgets a Python policy (queue or placement) of that name."""
    for kind in _registered.values():
        kind.pop(name, None)


def duration(text: str) -> float:
    """Seconds in a duration written as scenarios write them ("1h30m" -> 5400.0)."""
    return _capsim.duration_seconds(str(text))
