"""Builders for heterogeneous DAG scheduling problems (tasks on machines of several types)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import ProblemError
from ...model import Problem


def dag(
    costs: Sequence[Sequence[int]] | np.ndarray,
    edges: Sequence[Sequence[int]] | np.ndarray = (),
    *,
    machine_type: Sequence[int] | np.ndarray | None = None,
    type_names: Sequence[str] | None = None,
    release: Sequence[int] | np.ndarray | None = None,
    add_terminals: bool = True,
    name: str = "",
    meta: dict[str, Any] | None = None,
    **links: Any,
) -> Problem:
    """A heterogeneous DAG scheduling problem: minimise the makespan of tasks on typed machines.

    Parameters
    ----------
    costs
        ``(tasks, types)`` execution time of each task on each machine type (unrelated machines).
    edges
        Rows ``(i, j, c)``: task ``j`` starts after ``i`` ends, plus ``c`` when they run on
        different machines (Topcuoglu et al. 2002); ``(i, j)`` means ``c = 0``.
    machine_type
        Type of each machine (default: one machine per type, ``0 .. T-1``).
    type_names
        Names of the types (e.g. GPU names of :mod:`schedopt.gpus`).
    release
        Release date of each task (default 0).
    add_terminals
        When the graph has several entry (or exit) tasks, add a zero-cost source (sink) after the
        original tasks, so task indices stay those of the input.
    **links
        Further model fields for machines and communication (``eligible``, ``data_size``,
        ``machine_node``, ``comm_latency``, ``comm_bandwidth``, see :class:`schedopt.Problem`).
    """
    w = np.asarray(costs)
    if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
        raise ProblemError(f"costs: expected a (tasks, types) table, got shape {w.shape}")
    n, t = w.shape
    rows = [tuple(int(x) for x in r) for r in edges]
    for k, r in enumerate(rows):
        if len(r) not in (2, 3):
            raise ProblemError(f"edge {k}: expected (i, j) or (i, j, c), got {r}")
    prec = [(r[0], r[1], 0) for r in rows]
    comm = [r[2] if len(r) == 3 else 0 for r in rows]
    mt = np.arange(t) if machine_type is None else np.asarray(machine_type, np.int64)
    rel = np.zeros(n, np.int64) if release is None else np.asarray(release, np.int64)
    added: dict[str, int] = {}
    if add_terminals and n > 1:
        has_pred = {j for _, j, _ in prec}
        has_succ = {i for i, _, _ in prec}
        entries = [j for j in range(n) if j not in has_pred]
        exits = [j for j in range(n) if j not in has_succ]
        extra = []
        if len(entries) > 1:
            added["source"] = n + len(extra)
            extra.append("source")
            prec += [(added["source"], j, 0) for j in entries]
            comm += [0] * len(entries)
        if len(exits) > 1:
            added["sink"] = n + len(extra)
            extra.append("sink")
            prec += [(j, added["sink"], 0) for j in exits]
            comm += [0] * len(exits)
        if extra:
            w = np.vstack([w, np.zeros((len(extra), t), w.dtype)])
            rel = np.concatenate([rel, np.zeros(len(extra), np.int64)])
            if "eligible" in links and links["eligible"] is not None:
                el = np.asarray(links["eligible"], bool)
                links["eligible"] = np.vstack([el, np.ones((len(extra), el.shape[1]), bool)])
            if "data_size" in links and links["data_size"] is not None:
                ds = list(np.asarray(links["data_size"], float))
                links["data_size"] = ds + [0.0] * (len(prec) - len(ds))
    names = [str(j) for j in range(n)] + list(added)
    return Problem(
        duration=w,
        precedence=prec or None,
        comm=comm or None,
        release=rel,
        machine_type=mt,
        type_names=type_names,
        names=names,
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
