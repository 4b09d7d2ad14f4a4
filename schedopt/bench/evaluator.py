"""The evaluator: turn one solver run into one honest results row.

Every schedule is checked again with :func:`schedopt.check` and its objective
recomputed with :func:`schedopt.evaluate` (whatever :func:`schedopt.solve`
already did). A schedule that fails the check makes the run ``invalid``: the
row then carries no objective, bound or gap, only the violations.

Gaps (all for minimisation, in ``[0, 1]`` when defined):

* ``gap``: to our own bound, ``(objective - bound) / objective``
  (:func:`schedopt.result.relative_gap`; 0 when both are 0);
* ``gap_best``: to the best-known value ``ub`` of the suite's reference,
  ``(objective - ub) / ub``; 0 when ``objective == ub == 0`` and undefined
  (``None``) when ``ub == 0 < objective`` (then use ``abs_gap_best``,
  ``objective - ub``, as OR-Library practice recommends for zero optima).
  It is negative when a run beats the best-known value (flagged
  ``new_best`` unless the reference is a proven optimum, which is then an
  error flag).

Flags (comma-separated in the ``flags`` column) mark results that contradict
the reference values or the limits:

``optimum_above_known``
    status ``optimal`` with an objective above a known feasible value (a
    proven optimum or a best-known ``ub``): the optimality claim is false.
``below_known_lb``
    a feasible objective below a proven lower bound (the reference or the
    checker is wrong).
``bound_above_best_ub``
    a lower bound above the objective of a known feasible schedule: the
    bound is invalid.
``infeasible_but_known_feasible``
    status ``infeasible`` although a feasible value is known.
``objective_mismatch``
    the method's objective differs from :func:`schedopt.evaluate`.
``over_time``
    the run took longer than ``1.1 * time_limit + 1`` seconds.
``new_best``
    an objective below the best-known (unproven) value (informational).
"""

from __future__ import annotations

import json
from typing import Any

from ..check import check, evaluate
from ..model import Problem
from ..registry import family, resolve
from ..result import Result, relative_gap
from ..schedule import Schedule
from .suites import Reference

#: Statuses of a results row. The first four come from :func:`schedopt.solve`.
ROW_STATUSES: tuple[str, ...] = (
    "optimal",
    "feasible",
    "infeasible",
    "unknown",
    "invalid",  # the schedule (or the bound / status claim) failed validation
    "timeout",  # hard-killed after time_limit + kill margin
    "crashed",  # the process running the method died
    "error",  # the method raised an exception
)
#: Flags that mean a result is wrong (as opposed to informational).
ERROR_FLAGS: frozenset[str] = frozenset(
    {
        "optimum_above_known",
        "below_known_lb",
        "bound_above_best_ub",
        "infeasible_but_known_feasible",
        "objective_mismatch",
    }
)


def gap_to_best(objective: int | None, ub: int | None) -> float | None:
    """``(objective - ub) / ub``; 0 when both are 0; ``None`` when undefined."""
    if objective is None or ub is None:
        return None
    if objective == ub:
        return 0.0
    if ub <= 0:
        return None
    return (objective - ub) / ub


def reference_fields(reference: Reference | None) -> dict[str, Any]:
    ref = reference or Reference()
    return {"best_lb": ref.lb, "best_ub": ref.ub, "proven_opt": int(ref.proven)}


def failure_row(status: str, error: str, reference: Reference | None = None) -> dict[str, Any]:
    """The row of a run that produced no result (``invalid``/``timeout``/``crashed``/``error``)."""
    if status not in ROW_STATUSES[4:]:
        raise ValueError(f"not a failure status: {status!r}")
    row: dict[str, Any] = {
        "status": status,
        "valid": None,
        "objective": None,
        "bound": None,
        "gap": None,
        "gap_best": None,
        "abs_gap_best": None,
        "flags": "",
        "violations": "",
        "error": error,
        "time": None,
        "schedule": None,
        "info": "{}",
    }
    row.update(reference_fields(reference))
    return row


def family_metrics(problem: Problem, schedule: Schedule) -> dict[str, Any]:
    """The metrics the problem's family evaluator computes for a checked schedule (``{}``: none).

    A family declares ``evaluator(problem, schedule) -> dict`` in its
    :class:`~schedopt.registry.Family`; the values (numbers, strings) join the
    run's ``info`` column.
    """
    owner = family(problem.family)
    if owner is None or owner.evaluator is None:
        return {}
    metrics = resolve(owner.evaluator)(problem, schedule)
    return {str(k): v for k, v in dict(metrics).items() if isinstance(v, (int, float, str, bool, type(None)))}


def evaluate_run(
    problem: Problem, result: Result, reference: Reference | None, time_limit: float | None = None
) -> dict[str, Any]:
    """The results row of a finished :func:`schedopt.solve` call (see module doc)."""
    ref = reference or Reference()
    flags: list[str] = []
    row: dict[str, Any] = {"error": "", "violations": "", "time": float(result.time)}
    row.update(reference_fields(ref))
    row["info"] = json.dumps(
        {k: v for k, v in result.info.items() if isinstance(v, (int, float, str, bool, type(None)))}
    )
    status, objective, bound = result.status, result.objective, result.bound
    sched = result.schedule
    if sched is not None:
        violations = check(problem, sched) if sched.n_jobs == problem.n_jobs else None
        if violations is None or violations:
            shown = (
                f"schedule has {sched.n_jobs} jobs, problem has {problem.n_jobs}"
                if violations is None
                else "; ".join(str(v) for v in violations[:5])
            )
            row.update(
                status="invalid",
                valid=0,
                objective=None,
                bound=None,
                gap=None,
                gap_best=None,
                abs_gap_best=None,
                flags="",
                violations=shown,
                error=f"claimed objective {objective}",
                schedule=json.dumps(sched.to_dict()),
            )
            return row
        true_obj = evaluate(problem, sched)
        if objective is not None and true_obj != objective:
            flags.append("objective_mismatch")
        objective = true_obj
        row["valid"] = 1
        row["schedule"] = json.dumps(sched.to_dict())
        row["info"] = json.dumps({**json.loads(row["info"]), **family_metrics(problem, sched)})
    else:
        row["valid"] = None
        row["schedule"] = None
        objective = None
    if objective is not None:
        if ref.ub is not None and status == "optimal" and objective > ref.ub:
            flags.append("optimum_above_known")
        if ref.lb is not None and objective < ref.lb:
            flags.append("below_known_lb")
        if (
            ref.ub is not None
            and objective < ref.ub
            and not ref.proven
            and (ref.lb is None or objective >= ref.lb)
        ):
            flags.append("new_best")
    if bound is not None and ref.ub is not None and bound > ref.ub:
        flags.append("bound_above_best_ub")
    if status == "infeasible" and ref.ub is not None:
        flags.append("infeasible_but_known_feasible")
    if time_limit is not None and result.time > 1.1 * time_limit + 1.0:
        flags.append("over_time")
    row.update(
        status=status,
        objective=objective,
        bound=bound,
        gap=relative_gap(objective, bound),
        gap_best=gap_to_best(objective, ref.ub),
        abs_gap_best=None if objective is None or ref.ub is None else objective - ref.ub,
        flags=",".join(flags),
    )
    return row
