"""Periodic network schedule: admitted demands as periodic tasks, unrolled over the hyperperiod.

After Skrzypczyk & Wehner (arXiv 2111.13124) as ``mdskrzypczyk/LinkScheduling`` implements it
(``jobscheduling/task.py``, ``schedulers/*NPEDF.py``; behaviour restated, no code copied).

Task model
----------
An admitted demand's :class:`~.mapping.ProtocolShape` becomes a :class:`PeriodicTask` with

* period ``p = demand.period() = ceil(1 / (rate * slot))`` slots (LinkScheduling's task period),
* execution time (WCET) ``c = shape.c`` slots,
* the shape's per-qubit occupations ``(qubit, a, b)``: relative to the instance start ``S`` the
  qubit is busy during ``[S + a, S + b)``.

Instance ``k = 0 .. H/p - 1`` of a task is released at ``k p`` and must complete by ``(k + 1) p``
(implicit deadlines), ``H = lcm(p_i)`` being the hyperperiod (:func:`hyperperiod`; refused beyond
``max_hyperperiod`` slots, default :data:`MAX_HYPERPERIOD`, with a message naming the periods).

Two views of a schedule of instance starts
------------------------------------------
**Block** (:func:`periodic_problem`, the unified-model :class:`~schedopt.Problem` the methods
receive): each instance is one job of duration ``c``, window ``[k p, (k + 1) p]``, demanding every
qubit its shape touches (unit-capacity renewable resources) for its whole duration -- LinkScheduling's
``MultipleResourceBlockNPEDF`` view. Objective ``"feasibility"``: every instance is mandatory.

**Non-block** (:func:`nonblock_problem`): qubits are busy only during the occupation intervals.
The unified model has no rigid start offsets (precedence lags are lower bounds only), so this
view is a *verification* problem built for given starts: one unconstrained *anchor* job per
instance (duration ``c``, no resource, window ``[k p, (k + 1) p]``: the deadline check) and one job
per (instance, occupation) pinned by ``release = S + a``, ``deadline = S + b`` and demanding its
qubit, so that :func:`schedopt.check` verifies that no qubit is used twice and every deadline
holds. A block-feasible schedule is always non-block feasible (the block view occupies a superset
of every qubit's time), not conversely.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import ProblemError
from ...model import Problem
from ...schedule import Schedule
from .actions import SLOT

#: Largest hyperperiod (slots) :func:`periodic_problem` unrolls (10**6 slots = 10**4 s at 10 ms).
MAX_HYPERPERIOD: int = 1_000_000


@dataclass(frozen=True)
class PeriodicTask:
    """A periodic task: ``c`` slots every ``period`` slots, with fixed per-qubit occupations.

    Attributes
    ----------
    name
        Task name (unique in a task set).
    period
        Period ``p`` in slots (also the relative deadline).
    c
        Execution time in slots (``1 <= c <= period``).
    occupations
        ``(qubit, a, b)`` with ``0 <= a < b <= c``: the qubit is busy during ``[S + a, S + b)``
        for an instance started at ``S``; disjoint per qubit.
    fidelity, floor
        Delivered fidelity of the shape (after decoherence while waiting) and the demand's
        fidelity floor (``None`` for a synthetic task).
    shape
        The :class:`~.mapping.ProtocolShape` the task came from (``None`` for a synthetic task, and
        for tasks rebuilt from a problem's JSON-friendly ``meta``; not compared).
    """

    name: str
    period: int
    c: int
    occupations: tuple[tuple[str, int, int], ...]
    fidelity: float | None = None
    floor: float | None = None
    shape: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", str(self.name))
        p, c = int(self.period), int(self.c)
        if c < 1 or p < c:
            raise ProblemError(f"task {self.name!r}: need 1 <= c <= period, got c = {c}, period = {p}")
        occ = tuple(sorted((str(q), int(a), int(b)) for q, a, b in self.occupations))
        if not occ:
            raise ProblemError(f"task {self.name!r}: no qubit occupation")
        for q, a, b in occ:
            if not 0 <= a < b <= c:
                raise ProblemError(
                    f"task {self.name!r}: occupation of {q!r} [{a}, {b}) is not within [0, c = {c}]"
                )
        for (q1, _, b1), (q2, a2, _) in itertools.pairwise(occ):
            if q1 == q2 and a2 < b1:
                raise ProblemError(f"task {self.name!r}: overlapping occupations of qubit {q1!r}")
        object.__setattr__(self, "period", p)
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "occupations", occ)

    @property
    def qubits(self) -> list[str]:
        """The qubits the task touches (sorted)."""
        return sorted({q for q, _, _ in self.occupations})

    @property
    def demand(self) -> Any:
        """The demand served (``None`` for a synthetic task)."""
        return None if self.shape is None else self.shape.demand

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (the shape is left out), as stored in a problem's ``meta``."""
        return {
            "name": self.name,
            "period": self.period,
            "c": self.c,
            "occupations": [list(o) for o in self.occupations],
            "fidelity": self.fidelity,
            "floor": self.floor,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PeriodicTask:
        """Inverse of :meth:`to_dict`."""
        return cls(
            data["name"],
            data["period"],
            data["c"],
            tuple(tuple(o) for o in data["occupations"]),
            data.get("fidelity"),
            data.get("floor"),
        )

    @classmethod
    def from_shape(
        cls, shape: Any, *, period: int | None = None, name: str | None = None, slot: float = SLOT
    ) -> PeriodicTask:
        """The task of a mapped protocol: ``period`` defaults to ``shape.demand.period(slot)``."""
        if period is None:
            if shape.demand is None:
                raise ProblemError("from_shape: the shape has no demand; pass its period in slots")
            period = shape.demand.period(slot)
        if name is None:
            name = str(shape.demand) if shape.demand is not None else "task"
        floor = None if shape.demand is None else float(shape.demand.fidelity)
        return cls(
            name, int(period), int(shape.c), tuple(shape.occupations), float(shape.fidelity), floor, shape
        )


def task_set(shapes: Iterable[Any], *, slot: float = SLOT) -> list[PeriodicTask]:
    """Periodic tasks of admitted shapes, named ``T0: <demand>``, ``T1: ...`` (periods from demands)."""
    out = []
    for i, sh in enumerate(shapes):
        label = f"T{i}: {sh.demand}" if sh.demand is not None else f"T{i}"
        out.append(PeriodicTask.from_shape(sh, name=label, slot=slot))
    return out


def hyperperiod(periods: Sequence[int], *, max_hyperperiod: int = MAX_HYPERPERIOD) -> int:
    """``lcm`` of the periods, refused (``ProblemError``) beyond ``max_hyperperiod`` slots."""
    if not len(periods):
        raise ProblemError("hyperperiod: empty task set")
    h = 1
    for p in periods:
        h = math.lcm(h, int(p))
        if h > max_hyperperiod:
            raise ProblemError(
                f"hyperperiod of periods {sorted(set(int(x) for x in periods))} exceeds "
                f"max_hyperperiod = {max_hyperperiod} slots; round the rates to periods with a "
                "small common multiple (e.g. powers of two, as LinkScheduling draws them) or raise the cap"
            )
    return h


def _check_tasks(tasks: Sequence[PeriodicTask]) -> list[PeriodicTask]:
    tasks = list(tasks)
    if not tasks:
        raise ProblemError("periodic problem: empty task set")
    for t in tasks:
        if not isinstance(t, PeriodicTask):
            raise ProblemError(f"periodic problem: expected PeriodicTask objects, got {type(t).__name__}")
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        dup = sorted({x for x in names if names.count(x) > 1})
        raise ProblemError(f"periodic problem: duplicate task names {dup}")
    return tasks


def instances(tasks: Sequence[PeriodicTask], h: int) -> tuple[np.ndarray, np.ndarray]:
    """``(task, k)`` of every job of the unrolled problem, task-major (task 0's instances first)."""
    task = np.concatenate([np.full(h // t.period, i, np.int64) for i, t in enumerate(tasks)])
    k = np.concatenate([np.arange(h // t.period, dtype=np.int64) for t in tasks])
    return task, k


def periodic_problem(
    tasks: Sequence[PeriodicTask], *, max_hyperperiod: int = MAX_HYPERPERIOD, name: str = ""
) -> Problem:
    """The block view of a task set over its hyperperiod as a unified-model problem.

    Jobs: instance ``k`` of task ``i`` (task-major order) with duration ``c_i``, release ``k p_i``,
    deadline ``(k + 1) p_i``, demanding 1 of every qubit of task ``i`` (resources: the qubits, capacity
    1). ``family="quantum"``, ``objective="feasibility"``. ``meta`` holds ``kind =
    "quantum-periodic"``, the ``tasks``, ``task`` and ``instance`` per job, the ``hyperperiod``.
    """
    tasks = _check_tasks(tasks)
    h = hyperperiod([t.period for t in tasks], max_hyperperiod=max_hyperperiod)
    task, k = instances(tasks, h)
    qubits = sorted({q for t in tasks for q in t.qubits})
    col = {q: j for j, q in enumerate(qubits)}
    per_task = np.zeros((len(tasks), len(qubits)), np.int64)
    for i, t in enumerate(tasks):
        for q in t.qubits:
            per_task[i, col[q]] = 1
    period = np.array([t.period for t in tasks], np.int64)
    c = np.array([t.c for t in tasks], np.int64)
    return Problem(
        duration=c[task],
        release=k * period[task],
        deadline=(k + 1) * period[task],
        capacity=np.ones(len(qubits), np.int64),
        demand=per_task[task],
        resource_names=qubits,
        names=[f"{tasks[i].name}#{kk}" for i, kk in zip(task.tolist(), k.tolist())],
        objective="feasibility",
        family="quantum",
        name=name or f"periodic network schedule ({len(tasks)} tasks, H = {h})",
        meta={
            "kind": "quantum-periodic",
            "tasks": [t.to_dict() for t in tasks],
            "task": task.tolist(),
            "instance": k.tolist(),
            "hyperperiod": h,
        },
    )


def is_periodic_problem(problem: Problem) -> bool:
    """True for a problem built by :func:`periodic_problem`."""
    return problem.family == "quantum" and problem.meta.get("kind") == "quantum-periodic"


def tasks_of(problem: Problem) -> list[PeriodicTask]:
    """The task set of a :func:`periodic_problem` (``ProblemError`` for any other problem)."""
    if not is_periodic_problem(problem):
        raise ProblemError(
            f"problem {problem.name!r} is not a quantum periodic problem (build it with periodic_problem)"
        )
    return [PeriodicTask.from_dict(d) for d in problem.meta["tasks"]]


def job_index(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """``(task, k)`` int64 arrays: the task and instance number of every job of a periodic problem."""
    tasks_of(problem)
    return np.asarray(problem.meta["task"], np.int64), np.asarray(problem.meta["instance"], np.int64)


def block_schedule(problem: Problem, starts: Sequence[int]) -> Schedule:
    """The block-view :class:`~schedopt.Schedule` of instance starts (one per job of ``problem``)."""
    s = np.asarray(starts, np.int64)
    if s.shape != (problem.n_jobs,):
        raise ProblemError(f"block_schedule: expected {problem.n_jobs} starts, got shape {s.shape}")
    return Schedule(s, s + problem.duration)


def nonblock_problem(tasks: Sequence[PeriodicTask], starts: Sequence[int]) -> Problem:
    """The non-block verification problem of instance ``starts`` (task-major, as :func:`periodic_problem`).

    Jobs: first one anchor per instance (duration ``c``, window ``[k p, (k + 1) p]``, no resource),
    then one job per (instance, occupation ``(q, a, b)``) with release ``S + a``, deadline
    ``S + b``, duration ``b - a``, demanding qubit ``q``. Check it with :func:`nonblock_schedule`.
    """
    tasks = _check_tasks(tasks)
    h = hyperperiod([t.period for t in tasks], max_hyperperiod=1 << 62)
    task, k = instances(tasks, h)
    s = np.asarray(starts, np.int64)
    if s.shape != task.shape:
        raise ProblemError(f"nonblock_problem: expected {len(task)} starts, got shape {s.shape}")
    if (s < 0).any():
        j = int(np.argmax(s < 0))
        raise ProblemError(f"nonblock_problem: instance {tasks[task[j]].name}#{k[j]} has no start ({s[j]})")
    qubits = sorted({q for t in tasks for q in t.qubits})
    col = {q: j for j, q in enumerate(qubits)}
    n = len(task)
    period = np.array([t.period for t in tasks], np.int64)
    dur = [tasks[i].c for i in task.tolist()]
    rel = (k * period[task]).tolist()
    dl = ((k + 1) * period[task]).tolist()
    names = [f"{tasks[i].name}#{kk}" for i, kk in zip(task.tolist(), k.tolist())]
    rows: list[int] = []
    for j in range(n):
        t = tasks[task[j]]
        for q, a, b in t.occupations:
            dur.append(b - a)
            rel.append(int(s[j]) + a)
            dl.append(int(s[j]) + b)
            rows.append(col[q])
            names.append(f"{names[j]}@{q}[{a},{b})")
    demand = np.zeros((len(dur), len(qubits)), np.int64)
    demand[np.arange(n, len(dur)), np.array(rows, np.int64)] = 1
    return Problem(
        duration=np.array(dur, np.int64),
        release=np.array(rel, np.int64),
        deadline=np.array(dl, np.int64),
        capacity=np.ones(len(qubits), np.int64),
        demand=demand,
        resource_names=qubits,
        names=names,
        objective="feasibility",
        family="quantum",
        name=f"non-block view ({len(tasks)} tasks, H = {h})",
        meta={
            "kind": "quantum-nonblock",
            "tasks": [t.to_dict() for t in tasks],
            "n_instances": n,
            "hyperperiod": h,
        },
    )


def nonblock_schedule(problem: Problem, starts: Sequence[int]) -> Schedule:
    """The schedule of :func:`nonblock_problem` ``(tasks, starts)``: anchors at the starts, the
    occupation jobs at their pinned releases."""
    n = int(problem.meta["n_instances"])
    st = np.concatenate([np.asarray(starts, np.int64), problem.release[n:]])
    return Schedule(st, st + problem.duration)


def starts_by_instance(problem: Problem, starts: Sequence[int]) -> list[list[int]]:
    """Per task, its instances' starts (from one start per job of a periodic problem)."""
    tasks = tasks_of(problem)
    s = np.asarray(starts, np.int64)
    out: list[list[int]] = [[] for _ in tasks]
    for j, i in enumerate(problem.meta["task"]):
        out[i].append(int(s[j]))
    return out


def warmup_problem() -> Problem:
    """Two tasks sharing two qubits (H = 8 slots): every EDF variant's kernel runs on it."""
    return periodic_problem(
        [
            PeriodicTask("a", 4, 3, [("q1", 0, 1), ("q2", 2, 3)]),
            PeriodicTask("b", 8, 3, [("q1", 1, 2), ("q2", 0, 1)]),
        ],
        name="warm-up",
    )


__all__ = [
    "MAX_HYPERPERIOD",
    "PeriodicTask",
    "block_schedule",
    "hyperperiod",
    "instances",
    "is_periodic_problem",
    "job_index",
    "nonblock_problem",
    "nonblock_schedule",
    "periodic_problem",
    "starts_by_instance",
    "task_set",
    "tasks_of",
    "warmup_problem",
]
