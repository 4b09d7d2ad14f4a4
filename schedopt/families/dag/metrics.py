"""Metrics of heterogeneous DAG schedules (Topcuoglu, Hariri & Wu 2002, §5.2) and utilisation per type.

With ``W[i][m]`` the duration of task ``i`` on machine ``m`` (the duration of ``m``'s type) over
the machines ``i`` is allowed on (:attr:`schedopt.Problem.allowed`):

* **SLR** (schedule length ratio) ``= makespan / sum_{i in CP_MIN} min_m W[i][m]``, where
  ``CP_MIN`` is the critical path of the DAG computed with each task's minimum cost and no
  communication (:func:`cp_min`). Since the makespan is at least that path, ``SLR >= 1``.
* **Speedup** ``= min_m sum_i W[i][m] / makespan``: the best sequential time on one machine that
  can run every task, over the makespan (:func:`sequential_time`).
* **Efficiency** ``= speedup / M`` with ``M`` the number of machines of the problem (the paper:
  "the number of processors used", i.e. the processors of the run; ``used=True`` divides by the
  machines that run at least one task of positive duration instead).
* **Utilisation per type** ``= busy time on machines of type t / (makespan * machines of type t)``.
* **Gap** to a bound ``= (makespan - bound) / makespan`` (:func:`schedopt.result.relative_gap`,
  the convention of the ``gap`` column of ``schedopt bench``).

Deviations from the paper: release dates and precedence lags of the model are left out of
``CP_MIN`` (the paper has neither; the ratio stays ``>= 1``); when no single machine may run every
task (eligibility), the sequential time is ``sum_i min_m W[i][m]`` (each task on its fastest allowed
machine, one after another), and ``evaluate`` says so with ``sequential = "fastest-per-task"``.
Zero-cost tasks added by :func:`.model.dag` (source, sink) count nowhere, as they cost nothing.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...model import Problem
from ...result import relative_gap
from ...schedule import Schedule


def _costs(problem: Problem) -> np.ndarray:
    """``(n, M)`` float durations per machine, ``inf`` where a task is not allowed."""
    d = problem.duration
    per = d[:, problem.machine_type] if d.ndim == 2 else np.repeat(d[:, None], problem.n_machines, axis=1)
    return np.where(problem.allowed, per.astype(float), np.inf)


def min_costs(problem: Problem) -> np.ndarray:
    """``(n,)`` each task's minimum cost ``min_m W[i][m]`` over its allowed machines."""
    if not problem.has_machines:
        return problem.duration.astype(float) if problem.duration.ndim == 1 else problem.duration.min(axis=1)
    return _costs(problem).min(axis=1)


def cp_min(problem: Problem) -> float:
    """``sum_{i in CP_MIN} min_m W[i][m]``: the longest path with minimum costs and no communication.

    Longest path over the precedence graph where each task weighs its :func:`min_costs` (releases,
    lags and communication are ignored), computed in topological order.
    """
    import networkx as nx

    w = min_costs(problem)
    length = w.copy()
    preds: list[list[int]] = [[] for _ in range(problem.n_jobs)]
    for i, j, _ in problem.precedence:
        preds[int(j)].append(int(i))
    for j in nx.topological_sort(problem.graph()):
        if preds[j]:
            length[j] = w[j] + max(length[i] for i in preds[j])
    return float(length.max(initial=0.0))


def slr(problem: Problem, schedule: Schedule) -> float:
    """Schedule length ratio ``makespan / CP_MIN`` (module docstring); ``nan`` when ``CP_MIN = 0``."""
    low = cp_min(problem)
    return float(schedule.makespan) / low if low > 0 else float("nan")


def sequential_time(problem: Problem) -> tuple[float, bool]:
    """``(min_m sum_i W[i][m], True)`` over the machines that may run every task.

    When none may, ``(sum_i min_m W[i][m], False)``: each task on its fastest allowed machine,
    one after another (module docstring).
    """
    c = _costs(problem)
    totals = c.sum(axis=0)
    finite = np.isfinite(totals)
    if finite.any():
        return float(totals[finite].min()), True
    return float(c.min(axis=1).sum()), False


def speedup(problem: Problem, schedule: Schedule) -> float:
    """``sequential time / makespan`` (:func:`sequential_time`); ``nan`` for a zero makespan."""
    span = schedule.makespan
    return sequential_time(problem)[0] / span if span > 0 else float("nan")


def efficiency(problem: Problem, schedule: Schedule, used: bool = False) -> float:
    """``speedup / M``: over all machines of the problem, or those used (``used=True``)."""
    if used:
        busy = (schedule.end > schedule.start) & (schedule.machine >= 0)
        count = len(np.unique(schedule.machine[busy]))
    else:
        count = problem.n_machines
    return speedup(problem, schedule) / count if count else float("nan")


def utilisation_by_type(problem: Problem, schedule: Schedule) -> dict[str, float]:
    """``{type name: busy time on its machines / (makespan * its machine count)}``.

    Types without machines are left out; every value is 0.0 for a zero makespan.
    """
    span = schedule.makespan
    placed = schedule.machine >= 0
    busy = np.where(placed, schedule.end - schedule.start, 0)
    mtype = np.where(placed, problem.machine_type[np.maximum(schedule.machine, 0)], -1)
    out: dict[str, float] = {}
    for t, name in enumerate(problem.type_names):
        count = int((problem.machine_type == t).sum())
        if count == 0:
            continue
        out[name] = float(busy[mtype == t].sum()) / (span * count) if span > 0 else 0.0
    return out


def gap(makespan: float | None, bound: float | None) -> float | None:
    """``(makespan - bound) / makespan`` (:func:`schedopt.result.relative_gap`); ``None`` if either is."""
    return relative_gap(makespan, bound)


def evaluate(problem: Problem, schedule: Schedule) -> dict[str, Any]:
    """The family evaluator (a row of ``schedopt bench``): JSON-serialisable numbers.

    Keys: ``makespan``, ``cp_min``, ``slr``, ``speedup``, ``efficiency`` (all machines),
    ``efficiency_used`` (the machines used), ``sequential_time`` and ``sequential`` (``"single-machine"`` or
    ``"fastest-per-task"``, see :func:`sequential_time`) and ``util_<type>`` per machine type
    (:func:`utilisation_by_type`). Undefined ratios (zero makespan or ``CP_MIN``) are ``None``.
    """

    def num(x: float) -> float | None:
        return None if x != x else float(x)

    seq, single = sequential_time(problem)
    row: dict[str, Any] = {
        "makespan": float(schedule.makespan),
        "cp_min": cp_min(problem),
        "slr": num(slr(problem, schedule)),
        "speedup": num(speedup(problem, schedule)),
        "efficiency": num(efficiency(problem, schedule)),
        "efficiency_used": num(efficiency(problem, schedule, used=True)),
        "sequential_time": seq,
        "sequential": "single-machine" if single else "fastest-per-task",
    }
    for name, value in utilisation_by_type(problem, schedule).items():
        row[f"util_{name}"] = value
    return row
