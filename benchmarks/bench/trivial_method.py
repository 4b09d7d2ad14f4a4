"""A trivial method for measuring the bench runner's overhead (index-order sequence)."""

from __future__ import annotations

import numpy as np

from schedopt import MethodOutput, Schedule, register_method


@register_method(
    "bench-trivial",
    applies=lambda p: p.duration.ndim == 1,
    exact=False,
    description="jobs in a precedence-feasible index order, one at a time (overhead probe)",
)
def trivial(problem, *, time_limit=None, seed=0, **options):
    """Run the jobs one after another in index order (feasible when index order is topological and
    every job fits the capacity alone; true for the single-machine instances used here)."""
    return MethodOutput("feasible", Schedule.from_sequence(problem, np.arange(problem.n_jobs)), None)
