"""Builders for RCPSP problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...model import Problem


def rcpsp(
    durations: Sequence[int] | np.ndarray,
    capacity: Sequence[int] | np.ndarray,
    demand: Sequence[Sequence[int]] | np.ndarray,
    successors: Sequence[Sequence[int]] | None = None,
    *,
    precedence: Sequence[Sequence[int]] | np.ndarray | None = None,
    release: Sequence[int] | None = None,
    deadline: Sequence[int] | None = None,
    downtime: Sequence[Sequence[int]] | None = None,
    disjunctive: Sequence[Sequence[int]] | None = None,
    names: Sequence[str] | None = None,
    resource_names: Sequence[str] | None = None,
    objective: str = "makespan",
    name: str = "",
    meta: dict[str, Any] | None = None,
) -> Problem:
    """Build a (single-mode) RCPSP, optionally with R-ConstraintBench extensions.

    Parameters
    ----------
    durations
        Duration of each activity (dummy source/sink included with duration 0,
        as in PSPLIB).
    capacity
        Capacity of each renewable resource.
    demand
        ``(n, r)`` demand of each activity for each resource.
    successors
        Successor lists (``successors[i]`` must start after ``i`` ends).
    precedence
        Alternatively, rows ``(i, j[, lag])``.
    release, deadline, downtime, disjunctive
        Time windows, resource downtime ``(resource, start, end[, level])`` and
        disjunctive pairs, as in :class:`schedopt.Problem`.
    objective
        ``"makespan"`` (default) or ``"feasibility"``.

    Examples
    --------
    >>> p = rcpsp([0, 3, 2, 0], capacity=[2], demand=[[0], [2], [1], [0]],
    ...           successors=[[1, 2], [3], [3], []])
    >>> p.n_jobs
    4
    """
    rows: list[tuple[int, int, int]] = []
    if successors is not None:
        if len(successors) != len(durations):
            raise ValueError(f"successors: {len(successors)} lists for {len(durations)} activities")
        rows.extend((i, int(j), 0) for i, succ in enumerate(successors) for j in succ)
    if precedence is not None:
        rows.extend((int(r[0]), int(r[1]), int(r[2]) if len(r) > 2 else 0) for r in precedence)
    return Problem(
        duration=durations,
        capacity=capacity,
        demand=demand,
        precedence=rows or None,
        release=release,
        deadline=deadline,
        downtime=downtime,
        disjunctive=disjunctive,
        names=names,
        resource_names=resource_names,
        objective=objective,
        family="rcpsp",
        name=name,
        meta=meta or {},
    )


def is_rcpsp(problem: Problem) -> bool:
    """True for problems of the RCPSP family: renewable resources, no machines,
    makespan or feasibility objective."""
    return (
        not problem.has_machines
        and not problem.extended_features
        and problem.duration.ndim == 1
        and problem.objective in ("makespan", "feasibility")
    )
