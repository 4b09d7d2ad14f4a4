"""Lower bounds that hold for every problem of the unified model.

The bound of each objective lives with the objective in :mod:`schedopt.objectives`;
:func:`trivial_bound` reads it from there. :func:`earliest_starts` and
:func:`critical_path_bound` come from :mod:`schedopt.precedence`.
"""

from __future__ import annotations

from .model import Problem
from .objectives import get_objective
from .precedence import critical_path_bound as critical_path_bound
from .precedence import earliest_starts as earliest_starts


def trivial_bound(problem: Problem) -> int:
    """The generic lower bound of the problem's objective (``Objective.bound`` of the registry)."""
    return get_objective(problem.objective).bound(problem)
