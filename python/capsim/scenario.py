"""Scenarios: loaded from YAML or built in code, changed by copying."""

from __future__ import annotations

import json
import os
from typing import Any, Mapping, Optional, Tuple, Union

from . import _capsim
from .policies import _registered
from .results import Results

PolicyArg = Union[str, Mapping[str, Any]]


class Scenario:
    """A validated scenario. Immutable: the ``with_*`` methods return copies.

    Load one with :meth:`Scenario.load`, or build one in code from YAML text
    (:meth:`Scenario.from_yaml`) or from a dict of the same shape as the YAML
    file (:meth:`Scenario.from_dict`). Every problem raises
    :class:`capsim.InputError` naming the file, line and field.

    A scenario pickles (for another process: multiprocessing, a Dask
    worker) as its YAML text, the file name it was read under, its base
    folder made absolute, and the ``with_*`` changes made to it, and is
    read again there: the trace and other files it names must be at the
    same paths where it is unpickled, and a policy written in Python
    registered there under the same name. Its runs' summaries name the
    trace by that absolute path; all else is the same.
    """

    __slots__ = ("_s", "_text", "_origin", "_changes")

    def __init__(self, native: "_capsim.Scenario"):
        if not isinstance(native, _capsim.Scenario):
            raise TypeError("use Scenario.load, Scenario.from_yaml or Scenario.from_dict")
        self._s = native
        # What reads it again: its text as read, (file name, absolute base
        # folder, file), and the changes since, in order: ("seed", n),
        # ("trace", path), ("policy", kind, spec as JSON) or ("fields",
        # ((path, value as JSON), ...)).
        self._text: str = native.text
        self._origin: Tuple[str, str, str] = (native.file or "<yaml>", os.path.abspath(native.base_dir), native.file)
        self._changes: Tuple[Tuple[Any, ...], ...] = ()

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Scenario":
        """Loads and validates a scenario file (relative paths in it are
        resolved against its folder)."""
        return cls(_capsim.load_scenario(os.fspath(path)))

    @classmethod
    def from_yaml(cls, text: str, base_dir: Union[str, os.PathLike] = ".", name: str = "<yaml>") -> "Scenario":
        """Parses scenario YAML text; relative paths resolve against base_dir.
        ``name`` stands for the file in error messages."""
        scenario = cls(_capsim.parse_scenario(text, name, os.fspath(base_dir)))
        scenario._origin = (name,) + scenario._origin[1:]
        return scenario

    @classmethod
    def from_dict(cls, scenario: Mapping[str, Any], base_dir: Union[str, os.PathLike] = ".") -> "Scenario":
        """Builds a scenario from a dict shaped like the YAML file, e.g.
        ``{"cluster": {"node_groups": [{"gpu": "V100", "gpus_per_node": 8,
        "count": 4}]}, "workload": {...}}``. Durations and sizes are strings
        with units ("2h", "80GiB"), as in the file."""
        return cls.from_yaml(json.dumps(scenario, indent=1), base_dir, "<dict>")

    # --- what it is -------------------------------------------------------
    name = property(lambda self: self._s.name, doc="The scenario's name.")
    description = property(lambda self: self._s.description)
    file = property(lambda self: self._s.file, doc="Where it was loaded from ('' when built in code).")
    text = property(lambda self: self._s.text, doc="The YAML as written.")
    base_dir = property(lambda self: self._s.base_dir, doc="The folder relative paths in it resolve against.")
    seed = property(lambda self: self._s.seed)
    queue = property(lambda self: self._s.queue, doc="The queue policy's name.")
    placement = property(lambda self: self._s.placement, doc="The placement policy's name.")
    nodes = property(lambda self: self._s.nodes)
    gpus = property(lambda self: self._s.gpus)

    # --- copies with a change ---------------------------------------------
    def with_seed(self, seed: int) -> "Scenario":
        """A copy run with another seed."""
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise TypeError(f"seed must be a non-negative integer, got {seed!r}")
        return self._then(("seed", seed))

    def with_policy(self, queue: Optional[PolicyArg] = None, placement: Optional[PolicyArg] = None,
                    autoscaling: Optional[PolicyArg] = None, energy: Optional[PolicyArg] = None) -> "Scenario":
        """A copy with other policies: a name (``"tiresias"``) or a dict of
        the name and its parameters (``{"name": "tiresias",
        "queue_thresholds": ["1h", "4h"]}``), checked at once;
        ``autoscaling`` replaces every service's autoscaler, ``energy`` the
        energy policy (``"power_off"``). The copy has no ``compare:``
        block."""
        out = self
        for kind, spec in (("queue", queue), ("placement", placement), ("autoscaling", autoscaling),
                           ("energy", energy)):
            if spec is None:
                continue
            if isinstance(spec, str):
                text = json.dumps(spec)
            elif isinstance(spec, Mapping):
                text = json.dumps(dict(spec))
            else:
                raise TypeError(f"{kind} must be a policy name or a dict with 'name', got {spec!r}")
            out = out._then(("policy", kind, text))
        return out

    def with_fields(self, fields: Mapping[str, Any]) -> "Scenario":
        """A copy with scenario fields set by their dotted paths, as a
        scenario's ``sweep:`` block names them (list items by index or by
        their ``name:``): ``{"cluster.node_groups[v100].count": 16,
        "workload.synthetic.jobs_per_hour": 30}``. Values as in the YAML
        (numbers, strings with units such as ``"2h"``, dicts, lists). The
        fields are set in the scenario's text and it is read again, so every
        check applies; the copy keeps the changes made before (seed,
        policies, trace), which apply after the fields."""
        if not isinstance(fields, Mapping) or not fields:
            raise TypeError(f"fields must be a non-empty dict of field path: value, got {fields!r}")
        return self._then(("fields", tuple((str(k), json.dumps(v)) for k, v in fields.items())))

    def with_trace(self, path: Union[str, os.PathLike]) -> "Scenario":
        """A copy that replays another file of the same format (as ``--trace``)."""
        # Opened relative to the working folder, as given; recorded absolute,
        # for a copy unpickled elsewhere.
        return self._then(("trace", os.path.abspath(path)), self._s.with_trace(os.fspath(path)))

    def _then(self, change: Tuple[Any, ...], native: Optional["_capsim.Scenario"] = None) -> "Scenario":
        # A copy with one more change (``native``: the change already made).
        if native is None and change[0] == "fields":
            # The document is read again: the earlier seed, policy and trace
            # changes (held outside it) are made again on top.
            native = self._s.with_fields(list(change[1]))
            for earlier in self._changes:
                if earlier[0] != "fields":
                    native = _apply(native, earlier)
        elif native is None:
            native = _apply(self._s, change)
        out = Scenario(native)
        out._text = self._text
        out._origin = self._origin
        out._changes = self._changes + (change,)
        return out

    # --- pickling: the text and the changes, read again (class docstring) --
    def __reduce__(self):
        return (_unpickle, (self._text,) + self._origin + (self._changes,))

    def __dask_tokenize__(self):
        return ("capsim.Scenario", self._text) + self._origin + (self._changes,)

    def check(self) -> None:
        """Checks what loading does not: the trace opens and its header reads."""
        self._s.check(_registered)

    def __repr__(self) -> str:
        return (f"<capsim.Scenario {self.name!r}: {self.nodes} nodes, {self.gpus} GPUs, "
                f"queue {self.queue}, placement {self.placement}, seed {self.seed}>")


def _apply(native: "_capsim.Scenario", change: Tuple[Any, ...]) -> "_capsim.Scenario":
    # One seed, trace or policy change on a native scenario.
    if change[0] == "seed":
        return native.with_seed(change[1])
    if change[0] == "trace":
        return native.with_trace(change[1])
    return native.with_policy(change[1], change[2], _registered)


def _unpickle(text: str, file_name: str, base_dir: str, file: str, changes: Tuple[Tuple[Any, ...], ...]) -> Scenario:
    scenario = Scenario(_capsim.parse_scenario(text, file_name, base_dir, file))
    scenario._origin = (file_name, base_dir, file)
    for change in changes:
        scenario = scenario._then(change)
    return scenario


def run(scenario: Scenario, output_dir: Optional[Union[str, os.PathLike]] = None,
        decision_log: Optional[Union[str, os.PathLike]] = None) -> Results:
    """Simulates a scenario and returns its results. The GIL is released
    while it runs, so threads run simulations in parallel. ``output_dir``:
    also write results.h5 and summary.json there (atomically);
    ``decision_log``: write every decision to that file. Ctrl-C stops the run
    with KeyboardInterrupt (results so far written to output_dir, marked
    partial)."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"run() takes a capsim.Scenario, got {type(scenario).__name__}")
    native = _capsim.run(scenario._s,
                         None if output_dir is None else os.fspath(output_dir),
                         None if decision_log is None else os.fspath(decision_log), _registered)
    return Results._from_native(native)


def policies() -> dict:
    """The policies a scenario can name, built-in and registered from Python:
    {"queue": {name: summary}, "placement": {...}, "autoscaling": {...},
    "energy": {...}}."""
    return _capsim.policies(_registered)
