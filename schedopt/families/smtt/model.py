"""Builders for single-machine problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...model import Problem


def single_machine(
    p: Sequence[int] | np.ndarray,
    d: Sequence[int] | np.ndarray,
    w: Sequence[int] | np.ndarray | None = None,
    release: Sequence[int] | np.ndarray | None = None,
    *,
    objective: str | None = None,
    name: str = "",
    meta: dict[str, Any] | None = None,
) -> Problem:
    """Build a single-machine problem ``1|r_j|ΣTj`` or ``1|r_j|ΣwjTj``.

    The machine is modelled as one renewable resource of capacity 1 that every
    job needs, so the checker and CP-SAT treat it like any other resource.

    Parameters
    ----------
    p, d
        Processing times and due dates.
    w
        Weights; when given (and ``objective`` is not), the objective is total
        weighted tardiness, otherwise total tardiness.
    release
        Release dates (default 0).
    objective
        Override the objective (any of :data:`schedopt.model.OBJECTIVES`).
    """
    p = np.asarray(p)
    n = len(p)
    if objective is None:
        objective = "total_tardiness" if w is None else "total_weighted_tardiness"
    return Problem(
        duration=p,
        due=d,
        weight=w,
        release=release,
        capacity=[1],
        demand=np.ones((n, 1), dtype=np.int64),
        resource_names=["machine"],
        objective=objective,
        name=name,
        meta=meta or {},
    )


def is_single_machine(problem: Problem) -> bool:
    """True when every job needs the one unit-capacity resource and nothing else constrains."""
    return (
        problem.n_resources == 1
        and int(problem.capacity[0]) == 1
        and bool((problem.demand[:, 0] == 1).all())
        and not problem.has_machines
        and len(problem.precedence) == 0
        and len(problem.downtime) == 0
        and len(problem.disjunctive) == 0
        and not problem.has_deadlines
        and problem.duration.ndim == 1
    )
