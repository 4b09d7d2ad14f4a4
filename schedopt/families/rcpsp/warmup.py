"""Problems that compile the RCPSP numba kernels ahead of timed runs (:func:`schedopt.warm_up`)."""

from __future__ import annotations

from ...model import NO_TIME, Problem
from .model import rcpsp


def tiny_rcpsp() -> Problem:
    """Ten activities whose optimum (22) is above :func:`rcpsp_lower_bound` (17).

    So no heuristic can stop early at the bound: every kernel (sampling, both
    schedule generation schemes, justification, GA generations) runs. A time
    window, a downtime and a disjunctive pair cover the extension paths.
    """
    return rcpsp(
        [0, 3, 3, 4, 5, 1, 1, 5, 5, 0],
        [3, 3],
        [[0, 0], [0, 1], [3, 1], [1, 3], [1, 1], [2, 2], [0, 0], [3, 3], [3, 2], [0, 0]],
        successors=[[1, 2, 3, 4, 5], [6], [9], [7], [6], [8], [9], [8], [9], []],
        release=[0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
        deadline=[NO_TIME] * 9 + [60],
        downtime=[[1, 40, 42, 2]],
        disjunctive=[[2, 4]],
        name="warm-up",
    )


def tiny_plain_rcpsp() -> Problem:
    """The network of :func:`tiny_rcpsp` without time windows, downtime or disjunctive pairs.

    Shift-invariant, so the GA's bi-population kernels run on it (the
    window problem above takes the forward-backward variant).
    """
    return rcpsp(
        [0, 3, 3, 4, 5, 1, 1, 5, 5, 0],
        [3, 3],
        [[0, 0], [0, 1], [3, 1], [1, 3], [1, 1], [2, 2], [0, 0], [3, 3], [3, 2], [0, 0]],
        successors=[[1, 2, 3, 4, 5], [6], [9], [7], [6], [8], [9], [8], [9], []],
        name="warm-up-plain",
    )
