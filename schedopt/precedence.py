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
    prec = np.asarray(problem.precedence, np.int64).reshape(-1, 3)
    if not len(prec):
        return es
    dmin = np.asarray(problem.min_duration, np.int64)
    src, dst, lag = prec[:, 0], prec[:, 1], prec[:, 2]
    live = ~np.asarray(problem.optional, bool)[src]
    # level-synchronous Kahn: when a job's last predecessor is done, its ES is final
    by_src = np.argsort(src, kind="stable")
    ptr = np.zeros(problem.n_jobs + 1, np.int64)
    np.add.at(ptr, src + 1, 1)
    ptr = np.cumsum(ptr)
    indeg = np.bincount(dst, minlength=problem.n_jobs)
    frontier = np.flatnonzero(indeg == 0)
    while frontier.size:
        counts = ptr[frontier + 1] - ptr[frontier]
        total = int(counts.sum())
        if not total:
            break
        offsets = np.repeat(ptr[frontier] - np.cumsum(counts) + counts, counts) + np.arange(total)
        e = by_src[offsets]
        use = e[live[e]]
        np.maximum.at(es, dst[use], es[src[use]] + dmin[src[use]] + lag[use])
        heads = dst[e]
        np.subtract.at(indeg, heads, 1)
        heads = np.unique(heads)
        frontier = heads[indeg[heads] == 0]
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
