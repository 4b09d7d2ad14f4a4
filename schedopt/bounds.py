"""Lower bounds that hold for every problem of the unified model."""

from __future__ import annotations

import networkx as nx
import numpy as np

from .model import NO_TIME, Problem


def earliest_starts(problem: Problem) -> np.ndarray:
    """Earliest start of each job from release dates and precedence alone.

    ``ES_j = max(r_j, max_{(i, j, lag)} ES_i + p_i^min + lag)``, computed in
    topological order (resources, machines and communication delays are
    relaxed, so this is a valid lower bound on every start).
    """
    es = problem.release.astype(np.int64).copy()
    dmin = problem.min_duration
    preds: list[list[tuple[int, int]]] = [[] for _ in range(problem.n_jobs)]
    for i, j, lag in problem.precedence:
        preds[int(j)].append((int(i), int(lag)))
    for j in nx.topological_sort(problem.graph()):
        for i, lag in preds[j]:
            es[j] = max(es[j], es[i] + dmin[i] + lag)
    return es


def critical_path_bound(problem: Problem) -> int:
    """Critical-path (CPM) lower bound on the makespan.

    ``LB0 = max_j (ES_j + p_j^min)`` with :func:`earliest_starts`; it ignores
    resources (Kelley & Walker, 1959; the standard RCPSP bound LB0, see
    Kolisch & Sprecher, 1996).
    """
    if problem.n_jobs == 0:
        return 0
    return int((earliest_starts(problem) + problem.min_duration).max())


def tardiness_bound(problem: Problem, weighted: bool) -> int:
    """Lower bound on (weighted) total tardiness from earliest completions.

    ``sum_j w_j max(0, ES_j + p_j^min - d_j)``: each job is at least as late as
    its earliest possible completion makes it.
    """
    ect = earliest_starts(problem) + problem.min_duration
    tard = np.where(problem.due < NO_TIME, np.maximum(0, ect - problem.due), 0)
    if weighted:
        tard = tard * problem.weight
    return int(tard.sum())


def trivial_bound(problem: Problem) -> int:
    """The best of the generic bounds above for the problem's objective."""
    obj = problem.objective
    if obj == "makespan":
        return critical_path_bound(problem)
    if obj == "total_tardiness":
        return tardiness_bound(problem, weighted=False)
    if obj == "total_weighted_tardiness":
        return tardiness_bound(problem, weighted=True)
    return 0
