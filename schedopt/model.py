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
  type, and each machine runs at most one job at a time (unary machines).
* **Eligibility** ``eligible[j, m]``: job ``j`` may only run on a machine ``m``
  with ``eligible[j, m]`` (default: every machine).
* **Machine resources** (``machine_capacity`` ``(M, q)``, ``machine_demand``
  ``(n, q)``): with ``q > 0`` the machines are *cumulative* instead of unary
  (nodes whose jobs share CPU, memory, GPUs): at every time ``t``, for every
  machine ``m`` and machine resource ``k``,
  ``sum_{j on m, running at t} machine_demand[j, k] <= machine_capacity[m, k]``.
  A machine then runs any number of jobs at once within its capacities (add a
  resource of capacity 1 that every job demands to keep it unary as well).
  A job is *allowed* on ``m`` (:attr:`Problem.allowed`) when it is eligible there
  and, unless its duration there is 0, its demand fits ``m``'s capacities.
* **Optional jobs** (``optional[j]``): an optional job may stay *unplaced*; in
  a :class:`~schedopt.schedule.Schedule` it then has ``start = end = -1`` and
  machine ``-1``. An unplaced job is not a ``missing`` violation and imposes
  nothing: it uses no resource or machine, its precedence edges (in and out)
  are dropped, its anti-affinity pairs are void, and it contributes nothing to
  any objective except ``placement``. An optional job that cannot be placed at
  all (eligible nowhere, too big, window too short) is accepted and stays unplaced.
* **Anti-affinity** pairs ``(i, j)``: two placed jobs of a pair never run on
  the same machine, at any time (not merely: not overlapping).
* **Communication** between machines: machines belong to nodes
  (``machine_node``), and node pairs have a latency ``comm_latency[a, b]`` and a
  bandwidth ``comm_bandwidth[a, b] > 0`` (``a == b``: the intra-node link). When
  the two jobs of edge ``e`` run on machines ``m1 != m2``, the edge waits
  ``comm[e] + ceil(comm_latency[a, b] + data_size[e] / comm_bandwidth[a, b])``
  with ``a, b`` the nodes of ``m1, m2`` (the ceiling absorbs float noise of
  1e-9); on the same machine it waits nothing. By default there is one node
  with latency 0 and infinite bandwidth, so only the constant ``comm`` applies.
* **Current placement** ``current_machine[j]`` (``-1``: none, a new or pending
  job): data for the disruption part of the ``placement`` objective.

Objectives: see :mod:`schedopt.objectives` (the registry): ``makespan``,
``total_tardiness``, ``total_weighted_tardiness``, ``max_lateness``,
``weighted_completion``, ``placement`` (lexicographic: unplaced weight per
priority tier, then disruption), ``late_then_max_lateness`` (lexicographic: late
weight, then maximum lateness) and ``feasibility``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ProblemError
from .objectives import OBJECTIVES as OBJECTIVES
from .objectives import get_objective

if TYPE_CHECKING:
    import networkx as nx

#: Sentinel for "no due date" / "no deadline": far beyond any real horizon,
#: small enough that sums of a few of them never overflow int64.
NO_TIME: int = 1 << 50

#: The array fields of placement and communication (eligibility, machine resources, optional jobs,
#: anti-affinity, machine-pair communication, the current placement), in declaration order.
PLACEMENT_FIELDS: tuple[str, ...] = (
    "eligible",
    "machine_capacity",
    "machine_demand",
    "optional",
    "anti_affinity",
    "machine_node",
    "comm_latency",
    "comm_bandwidth",
    "current_machine",
)

#: Tolerance below which ``latency + size / bandwidth`` is rounded down before the ceiling.
COMM_TOLERANCE: float = 1e-9


def pair_delay(comm: Any, size: Any, latency: Any, bandwidth: Any) -> np.ndarray:
    """``comm + ceil(latency + size / bandwidth)`` elementwise, as int64 (never below ``comm``).

    The one formula of machine-pair communication delays: :func:`schedopt.check`,
    the CP-SAT compiler and the bounds all call it, so they agree to the last unit.
    """
    extra = np.ceil(
        np.asarray(latency, float) + np.asarray(size, float) / np.asarray(bandwidth, float) - COMM_TOLERANCE
    )
    return np.asarray(comm, np.int64) + np.maximum(extra, 0).astype(np.int64)


#: The int64 range: values outside it are refused by name, never wrapped around.
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def _entry(idx: Any) -> tuple[int, ...]:
    return tuple(int(i) for i in idx)


def _as_int_array(values: Any, name: str, shape_hint: str) -> np.ndarray:
    """Convert ``values`` to int64, refusing NaN, infinities, fractions and values outside int64.

    Python integers of any size, floats and unsigned arrays are all checked before the
    conversion, so nothing wraps around (``2**63`` is refused, never read as ``-2**63``).
    The message names the field, the entry and the value.
    """
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError):
        raise ProblemError(f"{name}: expected {shape_hint}, got ragged rows {values!r}") from None
    if arr.dtype == object:
        # Python integers beyond 64 bits (alone or mixed with floats) land here
        ints = np.zeros(arr.shape, np.int64)
        for idx, v in np.ndenumerate(arr):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise ProblemError(f"{name}: expected numbers ({shape_hint}), got {values!r}")
            if isinstance(v, (float, np.floating)):
                if not np.isfinite(v) or v != round(v):
                    raise ProblemError(
                        f"{name}: entry {_entry(idx)} is {v}, but schedopt uses integer time "
                        "(finite integers only: scale your data to integers)"
                    )
                v = int(v)
            if not _INT64_MIN <= int(v) <= _INT64_MAX:
                raise ProblemError(
                    f"{name}: entry {_entry(idx)} is {int(v)}, outside the 64-bit integer range "
                    "[-2**63, 2**63 - 1]"
                )
            ints[idx] = int(v)
        arr = ints
    if arr.size and arr.dtype.kind == "f":
        bad = ~np.isfinite(arr)
        if bad.any():
            idx = np.argwhere(bad)[0]
            raise ProblemError(f"{name}: entry {_entry(idx)} is {arr[tuple(idx)]}")
        frac = arr != np.round(arr)
        if frac.any():
            idx = np.argwhere(frac)[0]
            raise ProblemError(
                f"{name}: entry {_entry(idx)} is {arr[tuple(idx)]}, "
                "but schedopt uses integer time (scale your data to integers)"
            )
        out = (arr >= 2.0**63) | (arr < -(2.0**63))
        if out.any():
            idx = _entry(np.argwhere(out)[0])
            shown: Any = float(arr[idx])
            if not isinstance(values, np.ndarray):  # a Python int mixed with others: show it exactly
                exact = np.asarray(values, dtype=object)[idx]
                shown = exact if isinstance(exact, int) else shown
            raise ProblemError(
                f"{name}: entry {idx} is {shown!r}, outside the 64-bit integer range [-2**63, 2**63 - 1]"
            )
    if arr.size and arr.dtype.kind == "u":
        out = arr > np.uint64(_INT64_MAX)
        if out.any():
            idx = np.argwhere(out)[0]
            raise ProblemError(
                f"{name}: entry {_entry(idx)} is {int(arr[tuple(idx)])}, outside the 64-bit integer range "
                "[-2**63, 2**63 - 1]"
            )
    if arr.size and arr.dtype.kind not in "iubf":
        raise ProblemError(f"{name}: expected integers ({shape_hint}), got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=True)


def _as_bool_array(values: Any, name: str) -> np.ndarray:
    """Convert ``values`` to bool, accepting booleans and the integers 0 and 1 only."""
    try:
        arr = np.asarray(values)
    except ValueError:
        raise ProblemError(f"{name}: expected booleans, got ragged rows {values!r}") from None
    if arr.dtype == bool:
        return arr.copy()
    if arr.size == 0:
        return arr.astype(bool)
    if arr.dtype.kind not in "iuf" or not np.isin(arr, (0, 1)).all():
        raise ProblemError(f"{name}: expected booleans (or 0/1), got {values!r}")
    return arr.astype(bool)


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
    family
        The problem family that owns the problem (``"rcpsp"``, ``"smtt"``, ...; see
        :func:`schedopt.families`): it chooses the family's methods and CP-SAT
        strengthening. Family builders and readers set it; ``"generic"`` (the
        default) belongs to no family, so only the model-wide methods (``cpsat``) apply.
    name
        Instance name.
    meta
        Free-form metadata (source file, known bounds, ...); not validated.
    eligible
        ``(n, M)`` booleans: job ``j`` may run on machine ``m`` only if
        ``eligible[j, m]`` (default: all True).
    machine_capacity, machine_demand
        ``(M, q)`` capacities of each machine in ``q`` machine resources and
        ``(n, q)`` demands of each job (default ``q = 0``: unary machines). With
        ``q > 0`` machines are cumulative: the jobs running on ``m`` at any time
        demand at most ``machine_capacity[m, k]`` of each resource ``k``.
    machine_resource_names
        ``q`` display names (default ``"MR1"``, ...).
    optional
        ``(n,)`` booleans: an optional job may stay unplaced (schedule entry
        ``start = end = machine = -1``), which imposes nothing (default: all False).
    anti_affinity
        ``(a, 2)`` pairs of jobs that must not run on the same machine (placed ones).
    machine_node, comm_latency, comm_bandwidth
        ``(M,)`` node of each machine (default 0), and ``(N, N)`` float latency
        (``>= 0``, default 0) and bandwidth (``> 0``, may be ``inf``, the default)
        between nodes: edge ``e`` from a job on ``m1`` to one on ``m2 != m1`` waits
        ``comm[e] + ceil(latency[a, b] + data_size[e] / bandwidth[a, b])`` (see
        :func:`pair_delay`), ``a, b`` the nodes of ``m1, m2``.
    current_machine
        ``(n,)`` machine each job runs on now, ``-1`` for none (default): the
        reference of the disruption part of the ``placement`` objective.

    Raises
    ------
    ProblemError
        When any field is malformed or makes the problem trivially infeasible;
        the message names the job and field.

    Notes
    -----
    **Limits.** Integer fields are 64-bit: a value outside int64 (a large Python
    integer, a float of ``2**63`` or more, an ``uint64`` entry above ``2**63 - 1``)
    is refused by name, never wrapped around. Moreover every time value and
    quantity (durations, release dates, lags, ``comm``, downtime bounds and
    levels, capacities and demands, weights) must be below :data:`NO_TIME`
    ``= 2**50`` (about 1.1e15); due dates and deadlines lie in ``(-2**50, 2**50]``,
    ``NO_TIME`` meaning none. The horizon bound ``max r + sum_j p_j^max + sum lag
    + sum comm + latest downtime end`` must be below ``NO_TIME`` too, so that
    the sums of checkers, bounds and solvers never overflow, and with the
    ``total_weighted_tardiness`` or ``weighted_completion`` objective
    ``sum_j w_j`` times that bound must be below ``2**62``. The message names the
    field, the job (or entry) and the value.
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
    family: str = "generic"
    name: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    eligible: np.ndarray | None = None
    machine_capacity: np.ndarray | None = None
    machine_demand: np.ndarray | None = None
    machine_resource_names: Sequence[str] | None = None
    optional: np.ndarray | None = None
    anti_affinity: np.ndarray | None = None
    machine_node: np.ndarray | None = None
    comm_latency: np.ndarray | None = None
    comm_bandwidth: np.ndarray | None = None
    current_machine: np.ndarray | None = None

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
        if not np.isfinite(prio).all():
            j = int(np.argmax(~np.isfinite(prio)))
            raise ProblemError(f"{self.job_label(j) if self.names else f'job {j}'}: priority is {prio[j]}")
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
        if not isinstance(self.family, str) or not self.family:
            raise ProblemError(f"family: expected a non-empty family name, got {self.family!r}")
        set_(self, "meta", dict(self.meta))
        self._build_machine_fields(per_job)
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
            *PLACEMENT_FIELDS,
        ):
            _frozen(getattr(self, attr))

    def _build_machine_fields(self, per_job: Any) -> None:
        """Convert the fields of eligibility, machine resources, optional jobs and communication."""
        set_ = object.__setattr__
        n, n_mach = self.n_jobs, self.n_machines
        need = "the problem has no machines (pass machine_type)"

        def given(value: Any) -> bool:
            return value is not None and not (hasattr(value, "__len__") and len(value) == 0)

        if self.eligible is None:
            elig = np.ones((n, n_mach), bool)
        else:
            elig = _as_bool_array(self.eligible, "eligible")
            if elig.size == 0:
                elig = elig.reshape(n, n_mach) if n * n_mach == 0 else elig
            if elig.shape != (n, n_mach):
                raise ProblemError(
                    f"eligible: expected shape ({n}, {n_mach}) (jobs, machines), got {elig.shape}"
                )
        set_(self, "eligible", elig)

        if given(self.machine_capacity) and not n_mach:
            raise ProblemError(f"machine_capacity: {need}")
        mcap = (
            np.zeros((n_mach, 0), np.int64)
            if not given(self.machine_capacity)
            else _as_int_array(self.machine_capacity, "machine_capacity", "(machines, machine resources)")
        )
        if mcap.ndim != 2 or mcap.shape[0] != n_mach:
            raise ProblemError(
                f"machine_capacity: expected shape ({n_mach}, q) (machines, machine resources), "
                f"got {mcap.shape}"
            )
        q = mcap.shape[1]
        set_(self, "machine_capacity", mcap)
        if not given(self.machine_demand):
            mdem = np.zeros((n, q), np.int64)
        else:
            mdem = _as_int_array(self.machine_demand, "machine_demand", "(jobs, machine resources)")
        if mdem.shape != (n, q):
            raise ProblemError(
                f"machine_demand: expected shape ({n}, {q}) (jobs, machine resources), got {mdem.shape}"
            )
        set_(self, "machine_demand", mdem)
        mrn = self.machine_resource_names
        set_(
            self,
            "machine_resource_names",
            tuple(str(x) for x in mrn) if mrn else tuple(f"MR{k + 1}" for k in range(q)),
        )

        set_(
            self,
            "optional",
            np.zeros(n, bool) if self.optional is None else _as_bool_array(self.optional, "optional"),
        )
        if self.optional.shape != (n,):
            raise ProblemError(f"optional: expected {n} values (one per job), got {self.optional.shape}")
        anti = self._rows(self.anti_affinity, "anti_affinity", (2,), "(i, j)")
        if len(anti) and not n_mach:
            raise ProblemError(f"anti_affinity: {need}")
        set_(self, "anti_affinity", anti)

        if given(self.machine_node) and not n_mach:
            raise ProblemError(f"machine_node: {need}")
        node = (
            np.zeros(n_mach, np.int64)
            if not given(self.machine_node)
            else _as_int_array(self.machine_node, "machine_node", "one node per machine")
        )
        if node.shape != (n_mach,):
            raise ProblemError(f"machine_node: expected {n_mach} values (one per machine), got {node.shape}")
        if (node < 0).any():
            i = int(np.argmax(node < 0))
            raise ProblemError(f"machine {self.machine_names[i]!r}: negative node {node[i]}")
        set_(self, "machine_node", node)
        n_nodes = int(node.max()) + 1 if n_mach else 0
        mats = {}
        for name, value in (("comm_latency", self.comm_latency), ("comm_bandwidth", self.comm_bandwidth)):
            if not given(value):
                mats[name] = None
                continue
            if not n_mach:
                raise ProblemError(f"{name}: {need}")
            arr = np.array(value, dtype=float)
            if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
                raise ProblemError(f"{name}: expected a square (nodes, nodes) matrix, got shape {arr.shape}")
            mats[name] = arr
        sizes = {a.shape[0] for a in mats.values() if a is not None}
        if len(sizes) > 1:
            raise ProblemError(f"comm_latency and comm_bandwidth: different sizes {sorted(sizes)}")
        if sizes:
            size = sizes.pop()
            if size < n_nodes:
                raise ProblemError(
                    f"machine_node: node {n_nodes - 1} is outside the {size} x {size} matrices"
                )
            n_nodes = size
        lat = mats["comm_latency"] if mats["comm_latency"] is not None else np.zeros((n_nodes, n_nodes))
        bw = (
            mats["comm_bandwidth"]
            if mats["comm_bandwidth"] is not None
            else np.full((n_nodes, n_nodes), np.inf)
        )
        if np.isnan(lat).any() or (lat < 0).any() or np.isinf(lat).any():
            a, b = (int(x) for x in np.argwhere(np.isnan(lat) | (lat < 0) | np.isinf(lat))[0])
            raise ProblemError(f"comm_latency[{a}, {b}]: expected a finite value >= 0, got {lat[a, b]}")
        if np.isnan(bw).any() or (bw <= 0).any():
            a, b = (int(x) for x in np.argwhere(np.isnan(bw) | (bw <= 0))[0])
            raise ProblemError(f"comm_bandwidth[{a}, {b}]: expected a value > 0, got {bw[a, b]}")
        set_(self, "comm_latency", lat)
        set_(self, "comm_bandwidth", bw)

        cur = per_job(self.current_machine, "current_machine", -1)
        bad = (cur < -1) | (cur >= n_mach)
        if bad.any():
            j = int(np.argmax(bad))
            raise ProblemError(
                f"{self.job_label(j)}: current_machine {cur[j]} is not -1 (none) "
                f"or a machine in 0..{n_mach - 1}"
            )
        set_(self, "current_machine", cur)

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
        self._validate_limits()
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
        self._validate_machine_fields()
        dmin = self.min_duration
        fixed = ~self.optional  # optional jobs that cannot fit anything just stay unplaced
        late = (self.release + dmin > self.deadline) & fixed
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
            import networkx as nx  # loaded on first use: import schedopt stays light

            graph = nx.DiGraph()
            graph.add_edges_from((int(i), int(j)) for i, j, _ in prec)
            # is_directed_acyclic_graph is linear; find_cycle only runs to name a cycle
            cycle = None if nx.is_directed_acyclic_graph(graph) else nx.find_cycle(graph)
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
        over = (dem > cap[None, :]) & (dmin[:, None] > 0) & fixed[:, None]
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
        for e, (i, j) in enumerate(self.anti_affinity):
            for idx in (i, j):
                if not 0 <= idx < n:
                    raise ProblemError(f"anti_affinity pair {e} ({i}, {j}): unknown job index {idx}")
            if i == j:
                raise ProblemError(f"anti_affinity pair {e}: {lab(i)} is paired with itself")
        bad_size = ~(np.isfinite(self.data_size) & (self.data_size >= 0))
        if bad_size.any():
            e = int(np.argmax(bad_size))
            raise ProblemError(
                f"precedence edge {e}: data_size must be finite and >= 0, got {self.data_size[e]}"
            )
        check_objective = get_objective(self.objective).validate
        if check_objective is not None:
            check_objective(self)

    def _validate_limits(self) -> None:
        """Refuse values that would overflow int64 in the sums of checkers, bounds and solvers.

        See "Limits" in the class docstring: every time value and quantity is below
        :data:`NO_TIME` (due dates and deadlines may equal it: none), the horizon bound
        ``max r + sum p^max + sum lag + sum comm + max downtime end`` is below it too, and
        for weighted objectives ``sum w * horizon bound`` is below ``2**62``.
        """
        lab = self.job_label
        limit = NO_TIME
        hint = f"must be below 2**50 = {NO_TIME} (NO_TIME; scale your data down)"

        def refuse_at_or_above(arr: np.ndarray, what: Any, cap: int = limit) -> None:
            big = np.argwhere(arr >= cap) if arr.size else np.zeros((0, 1), np.int64)
            if len(big):
                idx = tuple(int(i) for i in big[0])
                raise ProblemError(f"{what(idx)}: {arr[idx]} {hint}")

        refuse_at_or_above(self.duration, lambda idx: f"{lab(idx[0])}: duration")
        for field_name in ("release", "weight"):
            refuse_at_or_above(getattr(self, field_name), lambda idx, f=field_name: f"{lab(idx[0])}: {f}")
        for field_name in ("due", "deadline"):
            arr = getattr(self, field_name)
            big = (arr > limit) | (arr <= -limit)
            if big.any():
                j = int(np.argmax(big))
                raise ProblemError(
                    f"{lab(j)}: {field_name} {arr[j]} must lie in (-2**50, 2**50]; "
                    f"2**50 = {NO_TIME} (NO_TIME) means none"
                )
        prec = self.precedence
        refuse_at_or_above(prec[:, 2], lambda idx: f"precedence edge {idx[0]}: lag")
        refuse_at_or_above(self.comm, lambda idx: f"precedence edge {idx[0]}: communication delay comm")
        refuse_at_or_above(self.capacity, lambda idx: f"resource {self.resource_names[idx[0]]!r}: capacity")
        refuse_at_or_above(self.demand, lambda idx: f"{lab(idx[0])}: demand for resource {idx[1]}")
        refuse_at_or_above(self.downtime[:, 1:], lambda idx: f"downtime window {idx[0]}: column {idx[1] + 1}")
        refuse_at_or_above(self.machine_capacity, lambda idx: f"machine {idx[0]}: machine_capacity")
        refuse_at_or_above(self.machine_demand, lambda idx: f"{lab(idx[0])}: machine_demand")

        def total(arr: np.ndarray) -> int:
            # exact: each entry is below 2**50, so an int64 sum of fewer than 2**12 cannot overflow
            return int(arr.sum()) if len(arr) < 4096 else int(arr.astype(object).sum())

        dmax = self.duration if self.duration.ndim == 1 else self.duration.max(axis=1, initial=0)
        pair_extra = 0
        if len(prec) and self.has_machines and self.comm_latency.size:
            # the largest machine-pair delay of each edge, in floats: ceil(latency + size / bandwidth)
            extra = (
                self.comm_latency[None, :, :]
                + self.data_size[:, None, None] / self.comm_bandwidth[None, :, :]
            )
            worst = extra.reshape(len(prec), -1).max(axis=1)
            bad = ~np.isfinite(worst) | (worst >= limit)
            if bad.any():
                e = int(np.argmax(bad))
                a, b = (int(x) for x in np.unravel_index(int(np.argmax(extra[e])), extra[e].shape))
                raise ProblemError(
                    f"precedence edge {e}: the communication delay between nodes {a} and {b} "
                    f"(latency + data_size / bandwidth = {worst[e]:g}) {hint}"
                )
            pair_extra = int(np.ceil(worst).sum())
        parts = {
            "largest release": int(self.release.max(initial=0)),
            "sum of durations": total(dmax),
            "sum of lags": total(prec[:, 2]),
            "sum of comm": total(self.comm),
            "sum of pair communication": pair_extra,
            "latest downtime end": int(self.downtime[:, 2].max(initial=0)),
        }
        horizon = sum(parts.values())
        if horizon >= limit:
            listed = ", ".join(f"{k} {v}" for k, v in parts.items() if v)
            raise ProblemError(
                f"the schedule horizon bound ({listed}: {horizon} in all) {hint}; "
                "schedopt keeps every time below NO_TIME so that no sum overflows 64-bit integers"
            )
        if self.objective in ("total_weighted_tardiness", "weighted_completion"):
            weights = total(self.weight)
            if weights * horizon >= 1 << 62:
                raise ProblemError(
                    f"weight: the weights sum to {weights} and the horizon bound is {horizon}; with the "
                    f"{self.objective} objective their product must stay below 2**62 so that the "
                    "objective value fits a 64-bit integer (scale the weights or the times down)"
                )

    def _validate_machine_fields(self) -> None:
        """Machine resources, eligibility: every job that must be placed has an allowed machine."""
        if not self.has_machines:
            return
        lab = self.job_label
        mcap, mdem = self.machine_capacity, self.machine_demand
        if (mcap < 0).any():
            m, k = (int(x) for x in np.argwhere(mcap < 0)[0])
            raise ProblemError(
                f"machine {self.machine_names[m]!r}: negative capacity {mcap[m, k]} "
                f"for machine resource {self.machine_resource_names[k]!r}"
            )
        if len(self.machine_resource_names) != mcap.shape[1]:
            raise ProblemError(
                f"machine_resource_names: {len(self.machine_resource_names)} names "
                f"for {mcap.shape[1]} machine resources"
            )
        if (mdem < 0).any():
            j, k = (int(x) for x in np.argwhere(mdem < 0)[0])
            raise ProblemError(
                f"{lab(j)}: negative demand {mdem[j, k]} "
                f"for machine resource {self.machine_resource_names[k]!r}"
            )
        node = self.machine_node
        if len(node) and int(node.max()) >= self.n_nodes:
            raise ProblemError(f"machine_node: node {int(node.max())} is outside 0..{self.n_nodes - 1}")
        allowed = self.allowed
        for j in np.flatnonzero(~allowed.any(axis=1) & ~self.optional):
            j = int(j)
            elig = np.flatnonzero(self.eligible[j])
            if not len(elig):
                raise ProblemError(
                    f"{lab(j)}: eligible on no machine (make it optional to let it stay unplaced)"
                )
            for k in range(mcap.shape[1]):
                if mdem[j, k] > mcap[elig, k].max():
                    raise ProblemError(
                        f"{lab(j)}: demand {mdem[j, k]} for machine resource "
                        f"{self.machine_resource_names[k]!r} exceeds the capacity of every eligible machine "
                        f"(at most {mcap[elig, k].max()})"
                    )
            raise ProblemError(
                f"{lab(j)}: its machine demands fit no eligible machine in all resources at once"
            )

    def _validate_windows_against_downtime(self) -> None:
        """Reject a job whose [release, deadline] window cannot avoid downtime.

        A job fits if some start ``s`` in ``[r_j, D_j - p_j]`` leaves every
        resource it uses at or above its demand over ``[s, s + p_j)``. It suffices
        to try ``s = r_j`` and the ends of downtime windows: any fitting start can
        be shifted left until it hits one of them.
        """
        dmin = self.min_duration
        for j in range(self.n_jobs):
            if self.optional[j] or self.deadline[j] >= NO_TIME or dmin[j] == 0 or not self.demand[j].any():
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
        """``(n,)`` shortest duration of each job over the machines it is allowed on.

        Over every machine for a job allowed nowhere (an optional job that stays unplaced).
        """
        return self._duration_range[0]

    @property
    def max_duration(self) -> np.ndarray:
        """``(n,)`` longest duration of each job over its allowed machines (as :attr:`min_duration`)."""
        return self._duration_range[1]

    @functools.cached_property
    def _duration_range(self) -> tuple[np.ndarray, np.ndarray]:
        if self.duration.ndim == 1:
            return self.duration, self.duration
        per_machine = self.duration[:, self.machine_type]  # (n, M)
        mask = self.allowed | ~self.allowed.any(axis=1, keepdims=True)
        lo = np.where(mask, per_machine, np.iinfo(np.int64).max).min(axis=1)
        hi = np.where(mask, per_machine, -1).max(axis=1)
        return _frozen(lo), _frozen(hi)

    @functools.cached_property
    def allowed(self) -> np.ndarray:
        """``(n, M)`` True where job ``j`` may run on machine ``m`` (cached).

        ``allowed[j, m] = eligible[j, m] and (p_jm == 0 or machine_demand[j] <= machine_capacity[m])``
        (componentwise over the machine resources).
        """
        if not self.has_machines:
            return _frozen(np.zeros((self.n_jobs, 0), bool))
        fits = (self.machine_demand[:, None, :] <= self.machine_capacity[None, :, :]).all(axis=2)
        if self.duration.ndim == 2:
            fits |= self.duration[:, self.machine_type] == 0
        else:
            fits |= (self.duration == 0)[:, None]
        return _frozen(self.eligible & fits)

    @property
    def n_machine_resources(self) -> int:
        """Number ``q`` of machine resources (0: unary machines)."""
        return int(self.machine_capacity.shape[1])

    @property
    def cumulative_machines(self) -> bool:
        """True when machines share machine resources (``q > 0``) instead of being unary."""
        return self.has_machines and self.n_machine_resources > 0

    @property
    def n_nodes(self) -> int:
        """Number of nodes ``N`` of the communication matrices (0 without machines)."""
        return int(self.comm_latency.shape[0])

    @property
    def due_given(self) -> np.ndarray:
        """``(n,)`` True for jobs with a due date (``due < NO_TIME``)."""
        return self.due < NO_TIME

    @functools.cached_property
    def has_pair_comm(self) -> bool:
        """True when an edge delay depends on the machine pair (latency, or data over a finite bandwidth)."""
        if not len(self.precedence) or not self.has_machines:
            return False
        return bool(
            self.comm_latency.any() or (np.isfinite(self.comm_bandwidth).any() and self.data_size.any())
        )

    def edge_delays(self, e: int) -> np.ndarray:
        """``(N, N)`` delay of edge ``e`` between jobs on distinct machines of nodes ``a`` and ``b``.

        ``comm[e] + ceil(comm_latency[a, b] + data_size[e] / comm_bandwidth[a, b])`` (:func:`pair_delay`).
        """
        return pair_delay(self.comm[e], self.data_size[e], self.comm_latency, self.comm_bandwidth)

    def comm_delays(self, machine_from: np.ndarray, machine_to: np.ndarray) -> np.ndarray:
        """``(m,)`` communication delay of every precedence edge for the given machines of its jobs.

        0 where the two machines are equal or either is not a machine index
        (``-1``), else ``comm[e] + ceil(latency + data_size[e] / bandwidth)``
        between their nodes.
        """
        mi = np.asarray(machine_from, np.int64)
        mj = np.asarray(machine_to, np.int64)
        out = np.zeros(len(self.precedence), np.int64)
        if not self.has_machines:
            return out
        ok = (mi != mj) & (mi >= 0) & (mi < self.n_machines) & (mj >= 0) & (mj < self.n_machines)
        if ok.any():
            a = self.machine_node[mi[ok]]
            b = self.machine_node[mj[ok]]
            out[ok] = pair_delay(
                self.comm[ok], self.data_size[ok], self.comm_latency[a, b], self.comm_bandwidth[a, b]
            )
        return out

    @property
    def extended_features(self) -> frozenset[str]:
        """Which fields beyond the basic model the problem uses.

        A subset of ``{"eligibility", "machine_resources", "optional", "anti_affinity",
        "pair_comm", "current_machine"}``; methods that ignore those fields should
        not apply to problems that use them.
        """
        out = set()
        if not self.eligible.all():
            out.add("eligibility")
        if self.n_machine_resources:
            out.add("machine_resources")
        if self.optional.any():
            out.add("optional")
        if len(self.anti_affinity):
            out.add("anti_affinity")
        if self.has_pair_comm:
            out.add("pair_comm")
        if (self.current_machine >= 0).any():
            out.add("current_machine")
        return frozenset(out)

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
        import networkx as nx

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
        if self.extended_features:
            parts.append(", ".join(sorted(self.extended_features)))
        label = f" {self.name!r}" if self.name else ""
        family = "" if self.family == "generic" else f"{self.family} "
        return f"<{family}Problem{label}: {', '.join(parts)}; objective {self.objective}>"
