"""Earliest starts and the critical path of the precedence graph (no resources, no machines).

These need nothing but the problem's arrays, so the objective registry
(:mod:`schedopt.objectives`) and the bounds (:mod:`schedopt.bounds`) build on them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# ``schedopt.model`` depends on this module (through the objectives), so the type is named here,
# not imported (no import cycle, not even for type checkers).
Problem = Any  # a schedopt.model.Problem


def earliest_starts(problem: Problem) -> np.ndarray:
    """Earliest start of each job from release dates and precedence alone.

    ``ES_j = max(r_j, max_{(i, j, lag), i not optional} ES_i + p_i^min + lag)``,
    computed in topological order (resources, machines and communication delays
    are relaxed, so this is a valid lower bound on every start of a placed job).
    Edges out of optional jobs are skipped: an unplaced job imposes nothing.
    """
    es = problem.release.astype(np.int64).copy()
    dmin = problem.min_duration
    preds: list[list[tuple[int, int]]] = [[] for _ in range(problem.n_jobs)]
    for i, j, lag in problem.precedence:
        if not problem.optional[i]:
            preds[int(j)].append((int(i), int(lag)))
    import networkx as nx  # loaded on first use: import schedopt stays light

    for j in nx.topological_sort(problem.graph()):
        for i, lag in preds[j]:
            es[j] = max(es[j], es[i] + dmin[i] + lag)
    return es


def critical_path_bound(problem: Problem) -> int:
    """Critical-path (CPM) lower bound on the makespan.

    ``LB0 = max_{j not optional} (ES_j + p_j^min)`` with :func:`earliest_starts`
    (0 when every job is optional); it ignores resources (Kelley & Walker, 1959;
    the standard RCPSP bound LB0, see Kolisch & Sprecher, 1996).
    """
    fixed = ~problem.optional
    if not fixed.any():
        return 0
    return int((earliest_starts(problem) + problem.min_duration)[fixed].max())
