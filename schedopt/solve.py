"""The front door: ``schedopt.solve(problem, method=...)``."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from .bounds import trivial_bound
from .check import check, evaluate
from .errors import NotApplicableError, OptionError, SolverError
from .model import Problem
from .registry import get_method, method_list
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
        Wall-clock seconds (a positive finite number); every method returns
        within the limit plus a small margin. ``None`` means no limit.
    seed
        Random seed for methods that use randomness.
    **options
        Method-specific options (see each method's docstring;
        ``schedopt.methods(problem)`` lists them with their defaults). An option
        the method does not declare is an error.

    Returns
    -------
    Result
        Its schedule, when present, has passed :func:`schedopt.check`; its bound
        is the best of the method's bound and the generic bounds of
        :mod:`schedopt.bounds`.

    Raises
    ------
    UnknownMethodError
        For a method name that is not registered (the closest name is suggested).
    NotApplicableError
        For a method that does not apply to the problem (those that do are listed).
    OptionError
        For an option the method does not declare (the valid ones are listed), or a
        ``time_limit`` or ``seed`` that is not a valid number.
    SolverError
        If a method returns a schedule that fails the check (a schedopt bug).
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"solve() expects a schedopt.Problem, got {type(problem).__name__}")
    time_limit = _checked_time_limit(method, time_limit)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise OptionError(method, "seed", message=f"seed must be an integer, got {seed!r}")
    t0 = time.perf_counter()
    if method == "auto":
        candidates = method_list(problem)
        if not candidates:
            raise NotApplicableError("auto", "this problem", [])
        method = candidates[0].name
    spec = get_method(method, problem)
    spec.check_options(problem, options)
    out = spec.function(problem, time_limit=time_limit, seed=int(seed), **options)

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


def _checked_time_limit(method: str, time_limit: Any) -> float | None:
    """``time_limit`` as a positive finite float (or ``None``); an :class:`OptionError` otherwise."""
    if time_limit is None:
        return None
    is_number = isinstance(time_limit, (int, float, np.integer, np.floating)) and not isinstance(
        time_limit, bool
    )
    value = float(time_limit) if is_number else math.nan
    if not math.isfinite(value) or value <= 0:
        raise OptionError(
            method,
            "time_limit",
            message=f"time_limit must be a positive finite number of seconds or None, got {time_limit!r}",
        )
    return value
