"""The unified scheduling model.

A :class:`Problem` is an immutable, validated bundle of numpy arrays. Every
family (RCPSP, single machine, DAG scheduling, ...) builds one; every solver
reads one; the checker (:mod:`schedopt.check`) decides feasibility against it.

Time is discrete: all durations, dates, lags and windows are integers
(``int64``). A job ``j`` that starts at ``S_j`` occupies the half-open
interval ``[S_j, S_j + p_j)``; a job of duration 0 occupies nothing (it never
uses a resource or a machine, but it still obeys precedence and time windows).

Constraints of the model
------------------------
* **Durations** ``p_j``: one per job, or one per machine type (``duration`` of
  shape ``(n, T)``) when jobs are assigned to machines.
* **Release dates** ``S_j >= r_j`` and **deadlines** ``S_j + p_j <= D_j``
  (``NO_TIME`` means "no deadline").
* **Precedence** edges ``(i, j, lag)``: ``S_j >= S_i + p_i + lag`` (finish to
  start, ``lag >= 0``); when both jobs run on machines and the machines differ,
  the edge's communication delay ``comm`` is added. ``data_size`` is carried
  as metadata for families that derive ``comm`` from a bandwidth.
* **Renewable resources** with capacity ``R_k`` and per-job demands ``r_jk``:
  at every time ``t``, ``sum_{j running at t} r_jk <= R_k(t)``, where
  ``R_k(t)`` is the capacity lowered by any **downtime** window
  ``(k, a, b, level)`` covering ``t`` (``a <= t < b``) to ``level``; where
  windows overlap the smallest level applies.
* **Disjunctive pairs** ``(i, j)``: the two jobs may not overlap in time.
* **Machines** (``machine_type``, one type index per machine): when present,
  every job runs on exactly one machine, with the duration of that machine's
  type, and each machine runs at most one job at a time.

Objectives: ``makespan`` (``max_j C_j``), ``total_tardiness``
(``sum_j max(0, C_j - d_j)``), ``total_weighted_tardiness``
(``sum_j w_j max(0, C_j - d_j)``) and ``feasibility`` (always 0).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from .errors import ProblemError

#: Sentinel for "no due date" / "no deadline": far beyond any real horizon,
#: small enough that sums of a few of them never overflow int64.
NO_TIME: int = 1 << 50

OBJECTIVES: tuple[str, ...] = (
    "makespan",
    "total_tardiness",
    "total_weighted_tardiness",
    "feasibility",
)


def _as_int_array(values: Any, name: str, shape_hint: str) -> np.ndarray:
    """Convert ``values`` to int64, refusing NaN, infinities and fractions."""
    try:
        arr = np.asarray(values)
    except ValueError:
        raise ProblemError(f"{name}: expected {shape_hint}, got ragged rows {values!r}") from None
    if arr.dtype == object:
        raise ProblemError(f"{name}: expected numbers ({shape_hint}), got {values!r}")
    if arr.size and arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            idx = np.argwhere(bad)[0]
            raise ProblemError(f"{name}: entry {tuple(int(i) for i in idx)} is {arr[tuple(idx)]}")
        frac = arr != np.round(arr)
        if frac.any():
            idx = np.argwhere(frac)[0]
            raise ProblemError(
                f"{name}: entry {tuple(int(i) for i in idx)} is {arr[tuple(idx)]}, "
                "but schedopt uses integer time (scale your data to integers)"
            )
    if arr.size and arr.dtype.kind not in "iubf":
        raise ProblemError(f"{name}: expected integers ({shape_hint}), got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=True)


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Problem:
    """A validated scheduling problem.

    Build one with a family builder (:func:`schedopt.rcpsp`,
    :func:`schedopt.single_machine`) or :func:`schedopt.read`, or directly with
    keyword arguments; everything except ``duration`` has a default. Arrays are
    copied, converted to fixed dtypes and made read-only.

    Parameters
    ----------
    duration
        ``(n,)`` durations, or ``(n, T)`` durations per machine type.
    release, due, deadline
        ``(n,)`` release dates (default 0), due dates and deadlines (default
        :data:`NO_TIME`, meaning none).
    weight
        ``(n,)`` non-negative integer tardiness weights (default 1).
    priority
        ``(n,)`` free-form priorities for heuristics and reports (default 0).
    names
        Job names (default ``"0"``, ``"1"``, ...).
    precedence
        ``(m, 2)`` or ``(m, 3)`` rows ``(i, j[, lag])``: ``S_j >= C_i + lag``.
    comm, data_size
        ``(m,)`` communication delay (integer, added when ``i`` and ``j`` run on
        different machines) and data size (float metadata) per edge.
    capacity, demand
        ``(r,)`` renewable capacities and ``(n, r)`` demands.
    downtime
        ``(k, 3)`` or ``(k, 4)`` rows ``(resource, start, end[, level])``:
        capacity drops to ``level`` (default 0) during ``[start, end)``.
    disjunctive
        ``(q, 2)`` pairs of jobs that may not overlap.
    machine_type
        ``(M,)`` type index of each machine; empty for problems without machines.
    type_names, resource_names, machine_names
        Display names.
    objective
        One of :data:`OBJECTIVES`.
    name
        Instance name.
    meta
        Free-form metadata (source file, known bounds, ...); not validated.

    Raises
    ------
    ProblemError
        When any field is malformed or makes the problem trivially infeasible;
        the message names the job and field.
    """

    duration: np.ndarray
    release: np.ndarray | None = None
    due: np.ndarray | None = None
    deadline: np.ndarray | None = None
    weight: np.ndarray | None = None
    priority: np.ndarray | None = None
    names: Sequence[str] | None = None
    precedence: np.ndarray | None = None
    comm: np.ndarray | None = None
    data_size: np.ndarray | None = None
    capacity: np.ndarray | None = None
    demand: np.ndarray | None = None
    downtime: np.ndarray | None = None
    disjunctive: np.ndarray | None = None
    machine_type: np.ndarray | None = None
    type_names: Sequence[str] | None = None
    resource_names: Sequence[str] | None = None
    machine_names: Sequence[str] | None = None
    objective: str = "makespan"
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ build
    def __post_init__(self) -> None:
        set_ = object.__setattr__
        dur = _as_int_array(self.duration, "duration", "one per job, or (jobs, machine types)")
        if dur.ndim not in (1, 2):
            raise ProblemError(f"duration: expected shape (n,) or (n, T), got {dur.shape}")
        n = dur.shape[0]
        set_(self, "duration", dur)

        names = [str(i) for i in range(n)] if self.names is None else [str(s) for s in self.names]
        if len(names) != n:
            raise ProblemError(f"names: {len(names)} names for {n} jobs")
        set_(self, "names", tuple(names))

        def per_job(value: Any, field_name: str, default: int) -> np.ndarray:
            if value is None:
                return np.full(n, default, dtype=np.int64)
            arr = _as_int_array(value, field_name, "one per job")
            if arr.ndim == 0:
                arr = np.full(n, int(arr), dtype=np.int64)
            if arr.shape != (n,):
                raise ProblemError(f"{field_name}: expected {n} values (one per job), got {arr.shape}")
            return arr

        set_(self, "release", per_job(self.release, "release", 0))
        set_(self, "due", per_job(self.due, "due", NO_TIME))
        set_(self, "deadline", per_job(self.deadline, "deadline", NO_TIME))
        set_(self, "weight", per_job(self.weight, "weight", 1))
        prio = np.zeros(n) if self.priority is None else np.asarray(self.priority, dtype=float)
        if prio.shape != (n,):
            raise ProblemError(f"priority: expected {n} values (one per job), got {prio.shape}")
        set_(self, "priority", prio.copy())

        prec = self._rows(self.precedence, "precedence", (2, 3), "(i, j[, lag])")
        if prec.shape[1] == 2:
            prec = np.column_stack([prec, np.zeros(len(prec), dtype=np.int64)])
        set_(self, "precedence", prec)
        m = len(prec)
        comm = np.zeros(m, np.int64) if self.comm is None else _as_int_array(self.comm, "comm", "")
        if comm.shape != (m,):
            raise ProblemError(f"comm: expected {m} values (one per precedence edge), got {comm.shape}")
        set_(self, "comm", comm)
        size = np.zeros(m) if self.data_size is None else np.asarray(self.data_size, dtype=float)
        if size.shape != (m,):
            raise ProblemError(f"data_size: expected {m} values (one per edge), got {size.shape}")
        set_(self, "data_size", size.copy())

        cap = (
            np.zeros(0, np.int64)
            if self.capacity is None
            else _as_int_array(self.capacity, "capacity", "one per resource")
        )
        if cap.ndim != 1:
            raise ProblemError(f"capacity: expected one value per resource, got shape {cap.shape}")
        r = cap.shape[0]
        set_(self, "capacity", cap)
        if self.demand is None:
            dem = np.zeros((n, r), np.int64)
        else:
            dem = _as_int_array(self.demand, "demand", "(jobs, resources)")
            if dem.size == 0:
                dem = dem.reshape(n, r)
        if dem.shape != (n, r):
            raise ProblemError(f"demand: expected shape ({n}, {r}) (jobs, resources), got {dem.shape}")
        set_(self, "demand", dem)

        down = self._rows(self.downtime, "downtime", (3, 4), "(resource, start, end[, level])")
        if down.shape[1] == 3:
            down = np.column_stack([down, np.zeros(len(down), dtype=np.int64)])
        set_(self, "downtime", down)
        set_(self, "disjunctive", self._rows(self.disjunctive, "disjunctive", (2,), "(i, j)"))

        mt = (
            np.zeros(0, np.int64)
            if self.machine_type is None
            else _as_int_array(self.machine_type, "machine_type", "one type per machine")
        )
        set_(self, "machine_type", mt)
        n_types = dur.shape[1] if dur.ndim == 2 else (int(mt.max()) + 1 if mt.size else 0)
        tn = self.type_names
        set_(
            self, "type_names", tuple(str(t) for t in tn) if tn else tuple(f"type{t}" for t in range(n_types))
        )
        rn = self.resource_names
        set_(
            self, "resource_names", tuple(str(s) for s in rn) if rn else tuple(f"R{k + 1}" for k in range(r))
        )
        mn = self.machine_names
        set_(
            self, "machine_names", tuple(str(s) for s in mn) if mn else tuple(f"M{i}" for i in range(len(mt)))
        )
        if self.objective not in OBJECTIVES:
            raise ProblemError(f"objective: {self.objective!r} is not one of {', '.join(OBJECTIVES)}")
        set_(self, "meta", dict(self.meta))
        self._validate()
        for attr in (
            "duration",
            "release",
            "due",
            "deadline",
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
        ):
            _frozen(getattr(self, attr))

    @staticmethod
    def _rows(value: Any, field_name: str, widths: tuple[int, ...], what: str) -> np.ndarray:
        if value is None or (hasattr(value, "__len__") and len(value) == 0):
            return np.zeros((0, widths[-1]), np.int64)
        if not isinstance(value, np.ndarray) and len(widths) == 2:
            # rows may mix the short and the long form: pad the optional last column with 0
            rows = [list(row) for row in value]
            if all(len(row) in widths for row in rows):
                value = [row + [0] * (widths[1] - len(row)) for row in rows]
        arr = _as_int_array(value, field_name, f"rows {what}")
        if arr.ndim != 2 or arr.shape[1] not in widths:
            raise ProblemError(f"{field_name}: expected rows {what}, got shape {arr.shape}")
        return arr

    # --------------------------------------------------------------- validate
    def job_label(self, j: int) -> str:
        """A readable label for job ``j``: its name and index."""
        name = self.names[j]
        return f"job {j}" if name == str(j) else f"job {name!r} (index {j})"

    def _validate(self) -> None:
        n = self.n_jobs
        lab = self.job_label
        dur = self.duration
        if dur.ndim == 2:
            if self.machine_type.size == 0:
                raise ProblemError(
                    "duration has one column per machine type, but no machines are given (pass machine_type)"
                )
            if dur.shape[1] != len(self.type_names):
                raise ProblemError(
                    f"type_names: {len(self.type_names)} names for {dur.shape[1]} machine types"
                )
        bad = np.argwhere(dur < 0)
        if bad.size:
            j = int(bad[0][0])
            raise ProblemError(f"{lab(j)}: duration is negative ({dur[tuple(bad[0])]})")
        mt = self.machine_type
        if mt.size:
            if (mt < 0).any() or (mt >= self.n_types).any():
                i = int(np.argmax((mt < 0) | (mt >= self.n_types)))
                raise ProblemError(
                    f"machine {self.machine_names[i]!r}: type {mt[i]} is not in 0..{self.n_types - 1}"
                )
            if len(self.machine_names) != len(mt):
                raise ProblemError(f"machine_names: {len(self.machine_names)} names for {len(mt)} machines")
        for field_name, arr in (("release", self.release), ("weight", self.weight)):
            if (arr < 0).any():
                j = int(np.argmax(arr < 0))
                raise ProblemError(f"{lab(j)}: {field_name} is negative ({arr[j]})")
        dmin = self.min_duration
        late = self.release + dmin > self.deadline
        if late.any():
            j = int(np.argmax(late))
            raise ProblemError(
                f"{lab(j)}: release {self.release[j]} + duration {dmin[j]} exceeds "
                f"deadline {self.deadline[j]}; the job cannot fit its time window"
            )
        # precedence
        prec = self.precedence
        for e, (i, j, lag) in enumerate(prec):
            for idx in (i, j):
                if not 0 <= idx < n:
                    raise ProblemError(f"precedence edge {e} ({i} -> {j}): unknown job index {idx}")
            if i == j:
                raise ProblemError(f"precedence edge {e}: {lab(i)} precedes itself")
            if lag < 0:
                raise ProblemError(f"precedence edge {e} ({lab(i)} -> {lab(j)}): negative lag {lag}")
        if (self.comm < 0).any():
            e = int(np.argmax(self.comm < 0))
            raise ProblemError(f"precedence edge {e}: negative communication delay {self.comm[e]}")
        if len(prec):
            graph = nx.DiGraph()
            graph.add_edges_from((int(i), int(j)) for i, j, _ in prec)
            try:
                cycle = nx.find_cycle(graph)
            except nx.NetworkXNoCycle:
                cycle = None
            if cycle:
                jobs = " -> ".join(lab(u) for u, _ in cycle) + f" -> {lab(cycle[0][0])}"
                raise ProblemError(f"precedence: the constraints form a cycle: {jobs}")
        # resources
        cap = self.capacity
        if (cap < 0).any():
            k = int(np.argmax(cap < 0))
            raise ProblemError(f"resource {self.resource_names[k]!r}: negative capacity {cap[k]}")
        if len(self.resource_names) != len(cap):
            raise ProblemError(f"resource_names: {len(self.resource_names)} names for {len(cap)} resources")
        dem = self.demand
        if (dem < 0).any():
            j, k = (int(x) for x in np.argwhere(dem < 0)[0])
            raise ProblemError(
                f"{lab(j)}: negative demand {dem[j, k]} for resource {self.resource_names[k]!r}"
            )
        over = (dem > cap[None, :]) & (dmin[:, None] > 0)
        if over.any():
            j, k = (int(x) for x in np.argwhere(over)[0])
            raise ProblemError(
                f"{lab(j)}: demand {dem[j, k]} for resource {self.resource_names[k]!r} "
                f"exceeds its capacity {cap[k]}"
            )
        for w, (k, a, b, level) in enumerate(self.downtime):
            if not 0 <= k < len(cap):
                raise ProblemError(f"downtime window {w}: unknown resource index {k}")
            if not 0 <= a < b:
                raise ProblemError(
                    f"downtime window {w} on {self.resource_names[k]!r}: "
                    f"need 0 <= start < end, got [{a}, {b})"
                )
            if not 0 <= level <= cap[k]:
                raise ProblemError(
                    f"downtime window {w} on {self.resource_names[k]!r}: level {level} not in 0..{cap[k]}"
                )
        if len(self.downtime):
            self._validate_windows_against_downtime()
        for e, (i, j) in enumerate(self.disjunctive):
            for idx in (i, j):
                if not 0 <= idx < n:
                    raise ProblemError(f"disjunctive pair {e} ({i}, {j}): unknown job index {idx}")
            if i == j:
                raise ProblemError(f"disjunctive pair {e}: {lab(i)} is paired with itself")

    def _validate_windows_against_downtime(self) -> None:
        """Reject a job whose [release, deadline] window cannot avoid downtime.

        A job fits if some start ``s`` in ``[r_j, D_j - p_j]`` leaves every
        resource it uses at or above its demand over ``[s, s + p_j)``. It suffices
        to try ``s = r_j`` and the ends of downtime windows: any fitting start can
        be shifted left until it hits one of them.
        """
        dmin = self.min_duration
        for j in range(self.n_jobs):
            if self.deadline[j] >= NO_TIME or dmin[j] == 0 or not self.demand[j].any():
                continue
            candidates = {int(self.release[j])}
            candidates.update(int(b) for b in self.downtime[:, 2] if b >= self.release[j])
            if not any(
                s + dmin[j] <= self.deadline[j] and self._fits(j, s, int(dmin[j])) for s in candidates
            ):
                raise ProblemError(
                    f"{self.job_label(j)}: no start in its window [{self.release[j]}, "
                    f"{self.deadline[j]}) avoids resource downtime that leaves less than its demand"
                )

    def _fits(self, j: int, s: int, d: int) -> bool:
        for k, a, b, level in self.downtime:
            if self.demand[j, k] > level and a < s + d and s < b:
                return False
        return True

    # ------------------------------------------------------------ properties
    @property
    def n_jobs(self) -> int:
        """Number of jobs ``n`` (including any dummy jobs)."""
        return int(self.duration.shape[0])

    @property
    def n_resources(self) -> int:
        return int(self.capacity.shape[0])

    @property
    def n_machines(self) -> int:
        return int(self.machine_type.shape[0])

    @property
    def n_types(self) -> int:
        return len(self.type_names)

    @property
    def has_machines(self) -> bool:
        return self.n_machines > 0

    @property
    def min_duration(self) -> np.ndarray:
        """``(n,)`` shortest duration of each job over the machine types it can use."""
        if self.duration.ndim == 1:
            return self.duration
        used = np.unique(self.machine_type)
        return self.duration[:, used].min(axis=1)

    @property
    def max_duration(self) -> np.ndarray:
        """``(n,)`` longest duration of each job over the machine types present."""
        if self.duration.ndim == 1:
            return self.duration
        used = np.unique(self.machine_type)
        return self.duration[:, used].max(axis=1)

    def duration_on(self, job: int, machine: int) -> int:
        """Duration of ``job`` when run on ``machine`` (``-1`` for "no machine")."""
        if self.duration.ndim == 1:
            return int(self.duration[job])
        return int(self.duration[job, self.machine_type[machine]])

    def successors(self) -> list[list[int]]:
        """Adjacency lists of the precedence graph."""
        out: list[list[int]] = [[] for _ in range(self.n_jobs)]
        for i, j, _ in self.precedence:
            out[int(i)].append(int(j))
        return out

    def graph(self) -> nx.DiGraph:
        """The precedence graph as a networkx ``DiGraph`` (edge attributes lag, comm)."""
        g = nx.DiGraph()
        g.add_nodes_from(range(self.n_jobs))
        for e, (i, j, lag) in enumerate(self.precedence):
            g.add_edge(int(i), int(j), lag=int(lag), comm=int(self.comm[e]))
        return g

    @functools.cached_property
    def uses_resources(self) -> np.ndarray:
        """``(n,)`` True for jobs that demand some renewable resource (cached)."""
        return (self.demand > 0).any(axis=1)

    @property
    def has_due_dates(self) -> bool:
        return bool((self.due < NO_TIME).any())

    @property
    def has_deadlines(self) -> bool:
        return bool((self.deadline < NO_TIME).any())

    def replace(self, **changes: Any) -> Problem:
        """A copy with some fields replaced (validated again)."""
        fields = {
            f: getattr(self, f)
            for f in self.__dataclass_fields__  # type: ignore[attr-defined]
        }
        fields.update(changes)
        return Problem(**fields)

    def __repr__(self) -> str:
        parts = [f"{self.n_jobs} jobs"]
        if len(self.precedence):
            parts.append(f"{len(self.precedence)} precedence edges")
        if self.n_resources:
            parts.append(f"{self.n_resources} resources")
        if len(self.downtime):
            parts.append(f"{len(self.downtime)} downtime windows")
        if len(self.disjunctive):
            parts.append(f"{len(self.disjunctive)} disjunctive pairs")
        if self.n_machines:
            parts.append(f"{self.n_machines} machines")
        label = f" {self.name!r}" if self.name else ""
        return f"<Problem{label}: {', '.join(parts)}; objective {self.objective}>"
