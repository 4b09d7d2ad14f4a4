"""Shared helpers of the single-machine tardiness methods: predicates, arrays, outputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import SolverError
from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from . import _kernels as K


def arrays(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(p, d, w)`` as contiguous int64 arrays; ``w`` is all ones for ``ΣTj``."""
    p = np.ascontiguousarray(problem.duration, dtype=np.int64)
    d = np.ascontiguousarray(problem.due, dtype=np.int64)
    if problem.objective == "total_weighted_tardiness":
        w = np.ascontiguousarray(problem.weight, dtype=np.int64)
    else:
        w = np.ones(problem.n_jobs, np.int64)
    return p, d, w


def objective_of(order: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray) -> int:
    """Total (weighted) tardiness of ``order`` (our own recomputation)."""
    return int(K.total_tardiness(np.asarray(order, dtype=np.int64), p, d, w))


def output(
    problem: Problem,
    order: np.ndarray,
    status: str = "feasible",
    bound: int | None = None,
    **info: Any,
) -> MethodOutput:
    """Wrap a sequence into a :class:`MethodOutput` (``info["sequence"]`` holds it).

    Raises :class:`~schedopt.errors.SolverError` if ``order`` is not a permutation of the jobs (a bug).
    """
    order = np.asarray(order, dtype=np.int64)
    if not K.is_permutation(order, problem.n_jobs):
        raise SolverError(f"internal error: {order.tolist()} is not a permutation of {problem.n_jobs} jobs")
    p, d, w = arrays(problem)
    info = {"sequence": order.tolist(), "value": objective_of(order, p, d, w), **info}
    return MethodOutput(status, Schedule.from_sequence(problem, order), bound, info)
