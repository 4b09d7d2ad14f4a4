"""Builders for heterogeneous DAG scheduling problems (tasks on machines of several types).

:func:`dag` checks its input before it builds the :class:`~schedopt.Problem`, so a malformed cost
table, an edge naming an unknown task or a fractional cost is refused with a
:class:`~schedopt.errors.ProblemError` naming the row, task or edge (never a numpy traceback).
Cycles and tasks eligible on no machine are refused by the model itself, whose messages name the
tasks (with their names when ``names`` is given).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np

from ...errors import ProblemError
from ...model import Problem


def _label(j: int, names: Sequence[str] | None) -> str:
    """``task 3`` or ``task 'fft' (row 3)``."""
    if names is None or names[j] == str(j):
        return f"task {j}"
    return f"task {names[j]!r} (row {j})"


def _number(value: Any) -> float | None:
    """``value`` as a float when it is a real number (not a bool), else ``None``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Real, np.integer, np.floating)):
        return None
    return float(value)


def _check_value(v: Any, j: int, t: int, names: Sequence[str] | None) -> None:
    """Refuse a cost that is not a finite non-negative integer, naming task ``j`` and type ``t``."""
    x = _number(v)
    where = f"costs: {_label(j, names)}, type {t}"
    if x is None:
        raise ProblemError(f"{where}: expected a number, got {v!r}")
    if not math.isfinite(x):
        raise ProblemError(f"{where}: the cost is {v!r}, expected a finite number")
    if x < 0:
        raise ProblemError(f"{where}: negative cost {v!r}")
    if x != int(x):
        raise ProblemError(
            f"{where}: the cost is {v!r}, but schedopt uses integer time (scale your costs to integers)"
        )


def _cost_table(costs: Any, names: Sequence[str] | None) -> np.ndarray:
    """The ``(tasks, types)`` int64 cost table, or a :class:`ProblemError` naming the row at fault."""
    try:
        arr = np.asarray(costs)
    except (ValueError, TypeError, OverflowError):  # ragged rows: the row-by-row pass names the row
        arr = None
    if arr is not None and arr.ndim == 2 and arr.size and arr.dtype.kind in "iuf":
        bad = ~np.isfinite(arr) | (arr < 0) if arr.dtype.kind == "f" else arr < 0
        if arr.dtype.kind == "f":
            bad |= np.isfinite(arr) & (arr != np.round(arr))
        if bad.any():
            j, t = (int(x) for x in np.argwhere(bad)[0])
            _check_value(arr[j, t].item(), j, t, names)
        return arr  # the model converts to int64, refusing values beyond its limits by name
    if isinstance(costs, np.ndarray):
        if costs.ndim != 2:
            hint = " (for one machine type pass a column: costs[:, None])" if costs.ndim == 1 else ""
            raise ProblemError(f"costs: expected a 2-D (tasks, types) table, got shape {costs.shape}{hint}")
        rows: list[Any] = list(costs)
    else:
        try:
            rows = list(costs)
        except TypeError:
            raise ProblemError(f"costs: expected a (tasks, types) table, got {costs!r}") from None
        if rows and all(_number(r) is not None for r in rows):
            raise ProblemError(
                f"costs: expected one row of per-type costs per task, got a flat list of {len(rows)} "
                "numbers (for one machine type write [[c] for c in costs])"
            )
    if not rows:
        raise ProblemError("costs: no tasks (expected a (tasks, types) table with at least one row)")
    width = None
    table = []
    for j, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__len__"):
            raise ProblemError(f"costs: {_label(j, names)} is {row!r}, expected a row of per-type costs")
        row = list(row)
        if width is None:
            width = len(row)
            if width == 0:
                raise ProblemError(f"costs: {_label(j, names)} has no costs (expected one per machine type)")
        elif len(row) != width:
            raise ProblemError(
                f"costs: {_label(j, names)} has {len(row)} costs, row 0 has {width} (one per machine type)"
            )
        for t, v in enumerate(row):
            _check_value(v, j, t, names)
        table.append([int(v) for v in row])
    return np.asarray(table, dtype=object if any(abs(v) >= 2**62 for r in table for v in r) else np.int64)


def _edge_rows(edges: Any, n: int, names: Sequence[str] | None) -> list[tuple[int, int, int]]:
    """Edge rows ``(i, j, c)`` with checked task indices and a non-negative integer ``c``."""
    if (
        isinstance(edges, np.ndarray)
        and edges.ndim == 2
        and edges.shape[1] in (2, 3)
        and edges.dtype.kind in "iu"
    ):
        e = edges.astype(np.int64)
        c = e[:, 2] if e.shape[1] == 3 else np.zeros(len(e), np.int64)
        if ((e[:, :2] >= 0) & (e[:, :2] < n)).all() and (e[:, 0] != e[:, 1]).all() and (c >= 0).all():
            return list(zip(e[:, 0].tolist(), e[:, 1].tolist(), c.tolist()))
        # else the row-by-row pass below names the first bad edge
    out = []
    for k, r in enumerate(edges):
        try:
            r = list(r)
        except TypeError:
            raise ProblemError(f"edge {k}: expected (i, j) or (i, j, c), got {r!r}") from None
        if len(r) not in (2, 3):
            raise ProblemError(f"edge {k}: expected (i, j) or (i, j, c), got {tuple(r)}")
        vals = []
        for pos, v in enumerate(r):
            x = _number(v)
            what = ("source task", "target task", "communication cost")[pos]
            if x is None or not math.isfinite(x) or x != int(x):
                raise ProblemError(f"edge {k}: the {what} is {v!r}, expected an integer")
            vals.append(int(x))
        i, j = vals[0], vals[1]
        for t in (i, j):
            if not 0 <= t < n:
                raise ProblemError(f"edge {k} ({i} -> {j}): task {t} is not one of the tasks 0..{n - 1}")
        if i == j:
            raise ProblemError(f"edge {k}: {_label(i, names)} depends on itself")
        c = vals[2] if len(vals) == 3 else 0
        if c < 0:
            raise ProblemError(
                f"edge {k} ({_label(i, names)} -> {_label(j, names)}): negative communication cost {c}"
            )
        out.append((i, j, c))
    return out


def _fresh(name: str, taken: set[str]) -> str:
    """``name``, or ``__name__`` (more underscores as needed) when a task already has it."""
    while name in taken:
        name = f"__{name}__"
    return name


def dag(
    costs: Sequence[Sequence[int]] | np.ndarray,
    edges: Sequence[Sequence[int]] | np.ndarray = (),
    *,
    machine_type: Sequence[int] | np.ndarray | None = None,
    type_names: Sequence[str] | None = None,
    release: Sequence[int] | np.ndarray | None = None,
    names: Sequence[str] | None = None,
    add_terminals: bool = True,
    name: str = "",
    meta: dict[str, Any] | None = None,
    **links: Any,
) -> Problem:
    """A heterogeneous DAG scheduling problem: minimise the makespan of tasks on typed machines.

    Parameters
    ----------
    costs
        ``(tasks, types)`` execution time of each task on each machine type (unrelated machines):
        non-negative integers, every row of the same length.
    edges
        Rows ``(i, j, c)``: task ``j`` starts after ``i`` ends, plus ``c`` when they run on
        different machines (Topcuoglu et al. 2002); ``(i, j)`` means ``c = 0``.
    machine_type
        Type of each machine, in ``0 .. types-1`` (default: one machine per type, ``0 .. T-1``).
    type_names
        Names of the types (e.g. GPU names of :mod:`schedopt.gpus`), one per column of ``costs``.
    release
        Release date of each task (default 0).
    names
        Task names (default ``"0"``, ``"1"``, ...); they must be distinct.
    add_terminals
        When the graph has several entry (or exit) tasks, add a zero-cost source (sink) after the
        original tasks, so task indices stay those of the input. They are named ``"source"`` and
        ``"sink"`` (``"__source__"``, ... when a task already has that name), take no time on
        every machine and are released at 0; ``meta["terminals"]`` maps ``"source"``/``"sink"``
        to their indices.
    **links
        Further model fields for machines and communication (``eligible`` of shape
        ``(tasks, machines)``, ``data_size`` one per edge, ``machine_node``, ``comm_latency``,
        ``comm_bandwidth``, ``machine_names``, see :class:`schedopt.Problem`).

    Raises
    ------
    ProblemError
        A cost table that is not a rectangular table of non-negative integers (naming the row
        and column), an edge naming an unknown task or a task itself, a negative or fractional
        communication cost, a machine type outside the table's columns, type names, release
        dates, names, eligibility or data sizes of the wrong length, a cycle (naming the tasks on
        it) or a task eligible on no machine (naming the task).
    """
    if names is not None:
        names = [str(s) for s in names]
    w = _cost_table(costs, names)
    n, t = w.shape
    if names is not None:
        if len(names) != n:
            raise ProblemError(f"names: {len(names)} names for {n} tasks (rows of costs)")
        first: dict[str, int] = {}
        for j, s in enumerate(names):
            if s in first:
                raise ProblemError(f"names: {s!r} names both task {first[s]} and task {j}")
            first[s] = j
    rows = _edge_rows(edges, n, names)
    prec = [(i, j, 0) for i, j, _ in rows]
    comm = [c for *_, c in rows]
    if machine_type is None:
        mt = np.arange(t)
    else:
        mt = np.asarray(machine_type)
        if mt.ndim != 1 or mt.size == 0 or mt.dtype.kind not in "iu":
            raise ProblemError(
                f"machine_type: expected a non-empty list of type indices, got {machine_type!r}"
            )
        bad = (mt < 0) | (mt >= t)
        if bad.any():
            m = int(np.argmax(bad))
            raise ProblemError(
                f"machine_type: machine {m} has type {int(mt[m])}, but costs has {t} columns "
                f"(types 0..{t - 1})"
            )
        mt = mt.astype(np.int64)
    if type_names is not None and len(type_names) != t:
        raise ProblemError(f"type_names: {len(type_names)} names, but costs has {t} columns (machine types)")
    if release is None:
        rel = np.zeros(n, np.int64)
    else:
        rel = np.asarray(release)
        if rel.shape != (n,):
            raise ProblemError(f"release: expected {n} values (one per task), got shape {rel.shape}")
    el = links.get("eligible")
    if el is not None:
        el = np.asarray(el)
        if el.shape != (n, len(mt)):
            raise ProblemError(f"eligible: expected shape ({n}, {len(mt)}) (tasks, machines), got {el.shape}")
    if links.get("data_size") is not None and len(links["data_size"]) != len(rows):
        raise ProblemError(f"data_size: {len(links['data_size'])} values for {len(rows)} edges")
    added: dict[str, int] = {}
    extra_names: list[str] = []
    if add_terminals and n > 1:
        has_pred = {j for _, j, _ in prec}
        has_succ = {i for i, _, _ in prec}
        entries = [j for j in range(n) if j not in has_pred]
        exits = [j for j in range(n) if j not in has_succ]
        taken = set(names or [str(j) for j in range(n)])
        if len(entries) > 1:
            added["source"] = n + len(added)
            extra_names.append(_fresh("source", taken))
            prec += [(added["source"], j, 0) for j in entries]
            comm += [0] * len(entries)
        if len(exits) > 1:
            added["sink"] = n + len(added)
            extra_names.append(_fresh("sink", taken))
            prec += [(j, added["sink"], 0) for j in exits]
            comm += [0] * len(exits)
        if added:
            k = len(added)
            w = np.vstack([w, np.zeros((k, t), w.dtype)])
            rel = np.concatenate([rel, np.zeros(k, rel.dtype if rel.dtype.kind in "iu" else float)])
            if el is not None:
                links["eligible"] = np.vstack([el.astype(bool), np.ones((k, el.shape[1]), bool)])
            if links.get("data_size") is not None:
                ds = list(np.asarray(links["data_size"], float))
                links["data_size"] = ds + [0.0] * (len(prec) - len(ds))
    all_names = (names or [str(j) for j in range(n)]) + extra_names
    return Problem(
        duration=w,
        precedence=prec or None,
        comm=comm or None,
        release=rel,
        machine_type=mt,
        type_names=type_names,
        names=all_names,
        family="dag",
        name=name,
        meta={**(meta or {}), "original_tasks": n, "terminals": added},
        **links,
    )


def is_dag_problem(problem: Problem) -> bool:
    """Makespan of tasks on machines, with no renewable resources and no deadlines or optional tasks."""
    return (
        problem.has_machines
        and problem.objective == "makespan"
        and problem.n_resources == 0
        and not problem.has_deadlines
        and not len(problem.disjunctive)
        and not problem.optional.any()
        and not problem.n_machine_resources
        and not len(problem.anti_affinity)
    )
