"""The front door: ``schedopt.solve(problem, method=...)``."""

from __future__ import annotations

import time
from typing import Any

from .bounds import trivial_bound
from .check import check, evaluate
from .errors import ProblemError, SolverError
from .model import Problem
from .registry import get_method, methods
from .result import Result, relative_gap


def solve(
    problem: Problem,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    **options: Any,
) -> Result:
    """Solve ``problem`` with ``method`` and return a checked :class:`Result`.

    Parameters
    ----------
    problem
        The problem to solve.
    method
        A name from :func:`schedopt.methods` (``"auto"`` picks the preferred
        method that applies).
    time_limit
        Wall-clock seconds; every method returns within the limit plus a small
        margin. ``None`` means no limit.
    seed
        Random seed for methods that use randomness.
    **options
        Method-specific options (see each method's docstring).

    Returns
    -------
    Result
        Its schedule, when present, has passed :func:`schedopt.check`; its bound
        is the best of the method's bound and the generic bounds of
        :mod:`schedopt.bounds`.

    Raises
    ------
    ValueError
        For an unknown method or one that does not apply to the problem.
    SolverError
        If a method returns a schedule that fails the check (a schedopt bug).
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"solve() expects a schedopt.Problem, got {type(problem).__name__}")
    if time_limit is not None and time_limit <= 0:
        raise ValueError(f"time_limit must be positive, got {time_limit}")
    t0 = time.perf_counter()
    if method == "auto":
        candidates = methods(problem)
        if not candidates:
            raise ProblemError("no registered method applies to this problem")
        method = candidates[0]
    spec = get_method(method, problem)
    if not spec.applies(problem):
        raise ValueError(
            f"method {method!r} does not apply to this problem; "
            f"methods that do: {', '.join(methods(problem)) or 'none'}"
        )
    out = spec.run(problem, time_limit=time_limit, seed=seed, **options)

    generic = trivial_bound(problem)
    bound = generic if out.bound is None else max(int(out.bound), generic)
    status = out.status
    objective = None
    schedule = out.schedule
    if schedule is not None:
        violations = check(problem, schedule)
        if violations:
            shown = "; ".join(str(v) for v in violations[:3])
            raise SolverError(f"method {method!r} returned an infeasible schedule: {shown}")
        objective = evaluate(problem, schedule)
        if bound > objective:
            raise SolverError(
                f"method {method!r}: bound {bound} exceeds the objective {objective} of a feasible schedule"
            )
        if status == "optimal" and bound < objective and spec.exact:
            # an exact method proved optimality: its objective is the bound
            bound = objective
        elif bound == objective:
            status = "optimal"
        elif status in ("unknown", "optimal"):
            status = "feasible"
    elif status in ("optimal", "feasible"):
        raise SolverError(f"method {method!r} claims status {status!r} without a schedule")
    if status == "infeasible":
        bound = None
    return Result(
        status=status,  # type: ignore[arg-type]
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        schedule=schedule,
        time=time.perf_counter() - t0,
        method=method,
        info=dict(out.info),
    )
