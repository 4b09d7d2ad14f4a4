"""schedopt JSON: a versioned schema for problems, schedules and results.

Layout (version 1)::

    {"schedopt": 1,
     "problem": {"name": ..., "objective": ..., "duration": [...], ...},   # optional
     "schedule": {"start": [...], "end": [...], "machine": [...]},        # optional
     "result": {"status": ..., "objective": ..., ...}}                    # optional

Due dates and deadlines equal to :data:`schedopt.model.NO_TIME` are written as
``null``, and so are infinite bandwidths in ``comm_bandwidth``. The fields of
eligibility, machine resources, optional jobs, anti-affinity, nodes and their
communication matrices and current machines are written only when they differ
from their defaults, and ``family`` always; files without them (older ones)
read with the defaults. Unplaced optional jobs are ``-1`` in the schedule's
``start``, ``end`` and ``machine``. Reading then writing a problem or schedule
round-trips exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParseError, ProblemError, ScheduleError
from ..model import NO_TIME, PLACEMENT_FIELDS, Problem
from ..result import Result
from ..schedule import Schedule

SCHEMA_VERSION = 1

_ARRAY_FIELDS = (
    "duration",
    "release",
    "weight",
    "priority",
    "precedence",
    "comm",
    "data_size",
    "capacity",
    "demand",
    "downtime",
    "disjunctive",
    "machine_type",
)
_NAME_FIELDS = ("names", "type_names", "resource_names", "machine_names")
#: Fields written only when they differ from their defaults.
_OPTIONAL_FIELDS = (*PLACEMENT_FIELDS, "machine_resource_names")


def _default_comm(problem: Problem) -> bool:
    """True when nodes and matrices are the defaults: one node, latency 0, infinite bandwidth."""
    return (
        problem.n_nodes == (1 if problem.has_machines else 0)
        and not problem.machine_node.any()
        and not problem.comm_latency.any()
        and bool(np.isinf(problem.comm_bandwidth).all())
    )


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The JSON-ready dictionary of a problem."""
    out: dict[str, Any] = {"name": problem.name, "objective": problem.objective}
    for f in _ARRAY_FIELDS:
        out[f] = getattr(problem, f).tolist()
    for f in ("due", "deadline"):
        arr = getattr(problem, f)
        out[f] = [None if v >= NO_TIME else int(v) for v in arr]
    for f in _NAME_FIELDS:
        out[f] = list(getattr(problem, f))
    out["family"] = problem.family
    if not problem.eligible.all():
        out["eligible"] = problem.eligible.tolist()
    if problem.n_machine_resources:
        out["machine_capacity"] = problem.machine_capacity.tolist()
        out["machine_demand"] = problem.machine_demand.tolist()
        out["machine_resource_names"] = list(problem.machine_resource_names)
    if problem.optional.any():
        out["optional"] = problem.optional.tolist()
    if len(problem.anti_affinity):
        out["anti_affinity"] = problem.anti_affinity.tolist()
    if not _default_comm(problem):
        out["machine_node"] = problem.machine_node.tolist()
        out["comm_latency"] = problem.comm_latency.tolist()
        out["comm_bandwidth"] = [
            [None if np.isinf(v) else float(v) for v in row] for row in problem.comm_bandwidth
        ]
    if (problem.current_machine >= 0).any():
        out["current_machine"] = problem.current_machine.tolist()
    out["meta"] = problem.meta
    return out


def problem_from_dict(data: dict[str, Any]) -> Problem:
    """Inverse of :func:`problem_to_dict`; raises ``ProblemError`` on bad fields."""
    if not isinstance(data, dict):
        raise ProblemError("'problem' must be an object")
    if "duration" not in data:
        raise ProblemError("'problem' has no 'duration' field")
    known = (
        set(_ARRAY_FIELDS)
        | set(_NAME_FIELDS)
        | set(_OPTIONAL_FIELDS)
        | {"due", "deadline", "name", "objective", "family", "meta"}
    )
    unknown = set(data) - known
    if unknown:
        raise ProblemError(f"unknown problem field(s): {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for f in _ARRAY_FIELDS:
        if f in data and data[f] is not None:
            value = data[f]
            if f == "demand" and value == []:
                value = np.zeros((len(data["duration"]), len(data.get("capacity") or [])), np.int64)
            kwargs[f] = value
    for f in ("due", "deadline"):
        if f in data and data[f] is not None:
            kwargs[f] = [NO_TIME if v is None else v for v in data[f]]
    for f in _NAME_FIELDS:
        if data.get(f):
            kwargs[f] = data[f]
    for f in _OPTIONAL_FIELDS:
        if data.get(f) is not None:
            kwargs[f] = data[f]
    if "comm_bandwidth" in kwargs:
        bw = kwargs["comm_bandwidth"]
        if not isinstance(bw, list) or not all(isinstance(row, list) for row in bw):
            raise ProblemError(
                "comm_bandwidth: expected a (nodes, nodes) matrix of numbers or null (infinite)"
            )
        kwargs["comm_bandwidth"] = [[float("inf") if v is None else v for v in row] for row in bw]
    if data.get("family") is not None:
        kwargs["family"] = data["family"]
    problem = Problem(
        **kwargs,
        objective=data.get("objective", "makespan"),
        name=data.get("name", ""),
        meta=data.get("meta") or {},
    )
    if "family" not in data:  # written before problems named their family
        from ..registry import recognise_family

        found = recognise_family(problem)
        if found is not None:
            problem = problem.replace(family=found)
    return problem


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from None
    if not isinstance(data, dict) or "schedopt" not in data:
        raise ParseError("not a schedopt JSON file (no top-level 'schedopt' version key)", path, 1)
    if data["schedopt"] != SCHEMA_VERSION:
        raise ParseError(
            f"unsupported schema version {data['schedopt']!r} (this schedopt reads {SCHEMA_VERSION})", path
        )
    return data


def read_json(path: Path) -> Problem:
    """Read the problem in a schedopt JSON file."""
    data = _load(path)
    if "problem" not in data:
        raise ParseError("file holds no 'problem'", path)
    try:
        return problem_from_dict(data["problem"])
    except (ProblemError, TypeError) as exc:
        raise ParseError(f"problem: {exc}", path) from None


def read_schedule_json(path: Path) -> Schedule:
    """Read the schedule in a schedopt JSON file (top level or inside 'result').

    Raises
    ------
    ParseError
        Naming the file, for a file without a schedule or a schedule that
        :class:`~schedopt.Schedule` refuses (a fractional, NaN, infinite or
        out-of-range start, end or machine, named with its job and value).
    """
    data = _load(path)
    result = data.get("result")
    sched = data.get("schedule")
    if sched is None and isinstance(result, dict):
        sched = result.get("schedule")
    if sched is None:
        raise ParseError("file holds no 'schedule'", path)
    try:
        return Schedule.from_dict(sched)
    except ScheduleError as exc:
        raise ParseError(str(exc), path) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(f"schedule: {exc}", path) from None


def write_json(path: str | Path, obj: Problem | Schedule | Result, schedule: Schedule | None = None) -> None:
    """Write a problem (optionally with a schedule), a schedule or a result."""
    out: dict[str, Any] = {"schedopt": SCHEMA_VERSION}
    if isinstance(obj, Problem):
        out["problem"] = problem_to_dict(obj)
        if schedule is not None:
            out["schedule"] = schedule.to_dict()
    elif isinstance(obj, Schedule):
        out["schedule"] = obj.to_dict()
    elif isinstance(obj, Result):
        out["result"] = obj.to_dict()
    else:
        raise TypeError(f"cannot write {type(obj).__name__} as schedopt JSON")
    Path(path).write_text(json.dumps(out, indent=1) + "\n")
