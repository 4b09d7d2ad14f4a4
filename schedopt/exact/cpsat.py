"""Compile the unified model to OR-Tools CP-SAT (``method="cpsat"``).

One compiler covers the whole model: interval variables per job, precedence
with lags (and communication delays between machines), cumulative resources
whose downtime is modelled as fixed blocking intervals, release/deadline
windows as variable domains, disjunctive pairs as two-interval no-overlaps,
machine assignment with optional intervals and a no-overlap per machine, and
makespan or (weighted) tardiness objectives.

Families strengthen the model through hooks (:func:`register_hook`) instead
of writing a second model: a hook may add redundant constraints, tighten the
horizon or supply a solution hint. A hook may also keep part of the time
limit back (:attr:`CpSatModel.search_share`) for a finisher
(:func:`register_finisher`) that works on the search's answer, e.g. a proof
of optimality with another model.

References
----------
Perron, L., Didier, F. & Gay, S. (2023). The CP-SAT-LP solver. CP 2023.
Schutt, A., Feydy, T., Stuckey, P. J. & Wallace, M. G. (2011). Explaining the
cumulative propagator. Constraints 16(3), 250-282.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from ortools.sat.python import cp_model

from ..model import NO_TIME, Problem
from ..registry import MethodOutput, register_method
from ..schedule import Schedule


@dataclass
class CpSatModel:
    """The compiled model and its variables, handed to hooks.

    Attributes
    ----------
    problem, model
        The source problem and the ``cp_model.CpModel``.
    horizon
        Upper bound on every end time.
    start, end, interval
        Per job: start and end variables and the job-level interval.
    assign
        Per job, ``{machine: presence literal}`` (empty without machines).
    objective_var
        The objective variable (``None`` for feasibility problems).
    parameters
        CP-SAT ``SatParameters`` fields (name -> value; lists for repeated
        fields such as ``subsolvers``) that hooks recommend for this model.
        :func:`solve_cpsat` applies them before the caller's ``cpsat_params``,
        which override them field by field.
    search_share
        Share of the remaining time limit the CP-SAT search may use (1.0);
        a hook lowers it to leave the rest to a finisher.
    companion
        A :class:`Companion` that runs beside the CP-SAT search in its own
        thread (``None``: none); it takes :attr:`Companion.workers` of the
        workers.
    """

    problem: Problem
    model: cp_model.CpModel
    horizon: int
    start: list[cp_model.IntVar] = field(default_factory=list)
    end: list[cp_model.IntVar] = field(default_factory=list)
    interval: list[cp_model.IntervalVar] = field(default_factory=list)
    assign: list[dict[int, cp_model.IntVar]] = field(default_factory=list)
    objective_var: cp_model.IntVar | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    search_share: float = 1.0
    companion: Companion | None = None


class Companion(Protocol):
    """A search that runs in a thread beside the CP-SAT search (set by a hook).

    :func:`solve_cpsat` calls :meth:`start` just before the search, with a
    function that stops the search (thread-safe; a companion calls it once
    it has proven what the search is after); :meth:`improved` from the
    search's solution callback with each new objective value; :meth:`stop`
    when the search has ended (the companion stops and joins its thread).
    A finisher then merges the companion's result into the answer.
    """

    workers: int

    def start(self, stop_search: Callable[[], None]) -> None: ...

    def improved(self, objective: int) -> None: ...

    def stop(self) -> None: ...


class _ObjectiveWatcher(cp_model.CpSolverSolutionCallback):
    """Passes every improving objective value of the search on to a :class:`Companion`."""

    def __init__(self, companion: Companion) -> None:
        super().__init__()
        self.companion = companion

    def on_solution_callback(self) -> None:
        self.companion.improved(round(self.objective_value))


Hook = Callable[[CpSatModel, dict[str, Any]], None]
_HOOKS: list[Hook] = []
Finisher = Callable[[CpSatModel, MethodOutput, dict[str, Any]], MethodOutput]
_FINISHERS: list[Finisher] = []


def register_hook(hook: Hook) -> Hook:
    """Register ``hook(cpsat_model, options)``, called after the base model is built.

    A hook must only add constraints that every feasible (and optimal)
    schedule satisfies, so that reported bounds stay valid.
    """
    _HOOKS.append(hook)
    return hook


def register_finisher(finisher: Finisher) -> Finisher:
    """Register ``finisher(cpsat_model, output, options)``, called on the search's answer.

    It returns the output to report: the same one, or one with a better
    schedule, a higher (still valid) bound or a proven status. It must
    respect the wall-clock deadline ``options["_deadline"]`` (absent without
    a time limit); ``options["_workers"]`` and ``options["_seed"]`` carry the
    caller's CP-SAT settings.
    """
    _FINISHERS.append(finisher)
    return finisher


def safe_horizon(problem: Problem) -> int:
    """An end time by which some optimal schedule (if any exists) has finished.

    A semi-active schedule (no job can start earlier) has each start fixed by
    a chain of releases, predecessor ends plus lags, other jobs' ends and
    downtime window ends. Such a chain is no longer than
    ``max r + sum p^max + sum lag + sum comm + sum_w (b_w - a_w + max p)``.
    Regular objectives (makespan, tardiness) always have a semi-active optimum.
    With deadlines on every job, the largest deadline caps it.
    """
    dmax = problem.max_duration
    h = int(problem.release.max(initial=0) + dmax.sum() + problem.precedence[:, 2].sum() + problem.comm.sum())
    if len(problem.downtime):
        h += int((problem.downtime[:, 2] - problem.downtime[:, 1]).sum()) + len(problem.downtime) * int(
            dmax.max(initial=0)
        )
    if problem.n_jobs and (problem.deadline < NO_TIME).all():
        h = min(h, int(problem.deadline.max()))
    return max(h, 1)


def _downtime_blocks(problem: Problem, k: int) -> list[tuple[int, int, int]]:
    """Disjoint ``(a, b, reduction)`` segments where resource ``k`` is lowered.

    Overlapping windows take the smallest level, so the reduction is
    ``capacity - min level`` on each elementary segment.
    """
    wins = problem.downtime[problem.downtime[:, 0] == k]
    if len(wins) == 0:
        return []
    points = np.unique(np.concatenate([wins[:, 1], wins[:, 2]]))
    cap = int(problem.capacity[k])
    blocks: list[tuple[int, int, int]] = []
    for a, b in itertools.pairwise(points):
        cover = wins[(wins[:, 1] <= a) & (a < wins[:, 2])]
        if len(cover):
            red = cap - int(cover[:, 3].min())
            if red > 0:
                if blocks and blocks[-1][1] == a and blocks[-1][2] == red:
                    blocks[-1] = (blocks[-1][0], int(b), red)
                else:
                    blocks.append((int(a), int(b), red))
    return blocks


def build(problem: Problem, horizon: int | None = None, options: dict[str, Any] | None = None) -> CpSatModel:
    """Compile ``problem`` into a :class:`CpSatModel` and run the registered hooks."""
    options = options or {}
    p = problem
    h = safe_horizon(p) if horizon is None else int(horizon)
    model = cp_model.CpModel()
    cm = CpSatModel(p, model, h)
    n = p.n_jobs
    dmin, dmax = p.min_duration, p.max_duration

    for j in range(n):
        lo = int(p.release[j])
        hi_end = int(min(h, p.deadline[j]))
        s = model.new_int_var(lo, max(lo, hi_end - int(dmin[j])), f"s{j}")
        e = model.new_int_var(lo + int(dmin[j]), max(lo + int(dmin[j]), hi_end), f"e{j}")
        assign: dict[int, cp_model.IntVar] = {}
        if p.has_machines:
            sizes = []
            for m in range(p.n_machines):
                lit = model.new_bool_var(f"x{j}_{m}")
                assign[m] = lit
                d = p.duration_on(j, m)
                sizes.append(d)
                model.new_optional_fixed_size_interval_var(s, d, lit, f"oi{j}_{m}")
                model.add(e == s + d).only_enforce_if(lit)
            model.add_exactly_one(assign.values())
            dur = model.new_int_var(int(min(sizes)), int(max(sizes)), f"d{j}")
            model.add(dur == sum(d * lit for d, lit in zip(sizes, assign.values())))
            iv = model.new_interval_var(s, dur, e, f"i{j}")
        else:
            iv = model.new_interval_var(s, int(p.duration[j]), e, f"i{j}")
        cm.start.append(s)
        cm.end.append(e)
        cm.interval.append(iv)
        cm.assign.append(assign)

    # Precedence with lags and communication delays.
    for e_idx, (i, j, lag) in enumerate(p.precedence):
        i, j, lag = int(i), int(j), int(lag)
        comm = int(p.comm[e_idx])
        model.add(cm.start[j] >= cm.end[i] + lag)
        if comm and p.has_machines:
            for m in range(p.n_machines):
                # i on m and j elsewhere -> pay the communication delay
                model.add(cm.start[j] >= cm.end[i] + lag + comm).only_enforce_if(
                    [cm.assign[i][m], cm.assign[j][m].Not()]
                )

    # Renewable resources with downtime as fixed blocking intervals.
    for k in range(p.n_resources):
        users = [j for j in range(n) if p.demand[j, k] > 0 and dmax[j] > 0]
        blocks = _downtime_blocks(p, k)
        if not users:
            continue
        ivs = [cm.interval[j] for j in users]
        dem = [int(p.demand[j, k]) for j in users]
        for a, b, red in blocks:
            ivs.append(model.new_fixed_size_interval_var(a, b - a, f"down{k}_{a}"))
            dem.append(red)
        cap = int(p.capacity[k])
        if cap == 1 and all(d == 1 for d in dem):
            model.add_no_overlap(ivs)
        elif sum(dem) > cap or blocks:
            model.add_cumulative(ivs, dem, cap)

    # Disjunctive pairs.
    for i, j in p.disjunctive:
        if dmax[i] > 0 and dmax[j] > 0:
            model.add_no_overlap([cm.interval[int(i)], cm.interval[int(j)]])

    # Unary machines.
    if p.has_machines:
        for m in range(p.n_machines):
            ivs = []
            for j in range(n):
                d = p.duration_on(j, m)
                if d > 0:
                    ivs.append(
                        model.new_optional_fixed_size_interval_var(
                            cm.start[j], d, cm.assign[j][m], f"mi{j}_{m}"
                        )
                    )
            model.add_no_overlap(ivs)

    _objective(cm)
    for hook in _HOOKS:
        hook(cm, options)
    return cm


def _objective(cm: CpSatModel) -> None:
    p, model = cm.problem, cm.model
    if p.objective == "makespan":
        mk = model.new_int_var(0, cm.horizon, "makespan")
        if p.n_jobs:
            model.add_max_equality(mk, cm.end)
        cm.objective_var = mk
        model.minimize(mk)
    elif p.objective in ("total_tardiness", "total_weighted_tardiness"):
        weighted = p.objective == "total_weighted_tardiness"
        terms = []
        ub = 0
        for j in range(p.n_jobs):
            if p.due[j] >= NO_TIME:
                continue
            w = int(p.weight[j]) if weighted else 1
            if w == 0:
                continue
            tmax = max(0, cm.horizon - int(p.due[j]))
            t = model.new_int_var(0, tmax, f"T{j}")
            model.add(t >= cm.end[j] - int(p.due[j]))
            terms.append(w * t)
            ub += w * tmax
        obj = model.new_int_var(0, max(ub, 0), "objective")
        model.add(obj == sum(terms))
        cm.objective_var = obj
        model.minimize(obj)


def hint(cm: CpSatModel, schedule: Schedule) -> None:
    """Give CP-SAT ``schedule`` as a solution hint (starts, ends, machines).

    It replaces any hint a hook has set (CP-SAT rejects duplicate hints).
    """
    cm.model.clear_hints()
    for j in range(cm.problem.n_jobs):
        if schedule.start[j] < 0:
            continue
        cm.model.add_hint(cm.start[j], int(schedule.start[j]))
        cm.model.add_hint(cm.end[j], int(schedule.end[j]))
        for m, lit in cm.assign[j].items():
            cm.model.add_hint(lit, int(schedule.machine[j] == m))


def apply_parameters(params: Any, values: dict[str, Any]) -> None:
    """Set CP-SAT ``SatParameters`` fields by name; list values replace a repeated field.

    Works with both the protobuf and the pybind11 (OR-Tools >= 9.13)
    parameter objects.

    Raises
    ------
    ValueError
        For a name that is not a ``SatParameters`` field, or a value of the
        wrong type for its field.
    """
    for name, value in values.items():
        if name.startswith("_") or not hasattr(params, name):
            raise ValueError(
                f"{name!r} is not a CP-SAT parameter (unknown CP-SAT parameter: no SatParameters field)"
            )
        current = getattr(params, name)
        try:
            if hasattr(current, "extend") and hasattr(current, "clear"):  # repeated field
                current.clear()
                current.extend(value if isinstance(value, (list, tuple)) else [value])
            else:
                setattr(params, name, value)
        except (TypeError, ValueError):
            raise ValueError(f"CP-SAT parameter {name!r} cannot be {value!r}") from None


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def solve_cpsat(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    horizon: int | None = None,
    hint_schedule: Schedule | None = None,
    log: bool = False,
    cpsat_params: dict[str, Any] | None = None,
    **options: Any,
) -> MethodOutput:
    """Solve with OR-Tools CP-SAT.

    Parameters
    ----------
    problem
        Any problem of the unified model.
    time_limit
        Seconds, counted from the call (model building included).
    seed
        CP-SAT ``random_seed``.
    workers
        CP-SAT ``num_workers`` (default: the cores, at most 8).
    horizon
        An upper bound on every end time; default :func:`safe_horizon`. Pass
        the makespan of a known feasible schedule to tighten it.
    hint_schedule
        A schedule given to CP-SAT as a hint.
    log
        Print CP-SAT's search log.
    cpsat_params
        Extra CP-SAT ``SatParameters`` fields by name (e.g.
        ``{"subsolvers": ["default_lp", "max_lp"]}``); they override those a
        hook recommends (:attr:`CpSatModel.parameters`). ``num_workers``,
        ``random_seed`` and the time limit come from the arguments above.
    **options
        Passed to the registered hooks.
    """
    t0 = time.perf_counter()
    n_workers = int(workers or _default_workers())
    if time_limit is not None:
        # hooks that run their own search (e.g. a heuristic for the hint) read this wall-clock deadline
        options.setdefault("_deadline", t0 + time_limit)
    options.setdefault("_workers", n_workers)  # hooks may pick parameters by the worker count
    options.setdefault("_seed", int(seed))
    cm = build(problem, horizon=horizon, options=options)
    if hint_schedule is not None:
        hint(cm, hint_schedule)
    elif options.get("_hint") is not None:
        hint(cm, options["_hint"])
    solver = cp_model.CpSolver()
    params = solver.parameters
    apply_parameters(params, {**cm.parameters, **(cpsat_params or {})})
    params.num_workers = n_workers
    params.random_seed = int(seed)
    params.log_search_progress = bool(log)
    if time_limit is not None:
        remaining = time_limit - (time.perf_counter() - t0)
        params.max_time_in_seconds = max(0.01, remaining * min(1.0, cm.search_share))
    companion = cm.companion
    if companion is None:
        code = solver.solve(cm.model)
    else:
        params.num_workers = max(1, n_workers - companion.workers)
        companion.start(solver.stop_search)
        try:
            watcher = _ObjectiveWatcher(companion) if cm.objective_var is not None else None
            code = solver.solve(cm.model, watcher)
        finally:
            companion.stop()
    info: dict[str, Any] = {
        "solver": "cp-sat",
        "workers": params.num_workers,
        "horizon": cm.horizon,
        "branches": solver.num_branches,
        "conflicts": solver.num_conflicts,
        "wall_time": solver.wall_time,
        "cpsat_status": solver.status_name(code),
    }
    out = _output(problem, cm, solver, code, info)
    for finisher in _FINISHERS:
        out = finisher(cm, out, options)
    return out


def _output(
    problem: Problem, cm: CpSatModel, solver: cp_model.CpSolver, code: Any, info: dict[str, Any]
) -> MethodOutput:
    """The :class:`MethodOutput` of a finished CP-SAT search."""
    if code == cp_model.MODEL_INVALID:  # a schedopt bug, never user input
        raise RuntimeError(f"CP-SAT rejected the compiled model: {cm.model.validate()}")
    if code == cp_model.INFEASIBLE:
        return MethodOutput("infeasible", None, None, info)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = None
        if cm.objective_var is not None and np.isfinite(solver.best_objective_bound):
            bound = int(np.ceil(solver.best_objective_bound - 1e-9))
        return MethodOutput("unknown", None, bound, info)
    n = problem.n_jobs
    start = np.array([solver.value(cm.start[j]) for j in range(n)], dtype=np.int64)
    end = np.array([solver.value(cm.end[j]) for j in range(n)], dtype=np.int64)
    machine = np.full(n, -1, np.int64)
    if problem.has_machines:
        for j in range(n):
            machine[j] = next(m for m, lit in cm.assign[j].items() if solver.boolean_value(lit))
    schedule = Schedule(start, end, machine)
    if cm.objective_var is None:
        return MethodOutput("optimal", schedule, 0, info)
    bound = int(np.ceil(solver.best_objective_bound - 1e-9))
    status = "optimal" if code == cp_model.OPTIMAL else "feasible"
    return MethodOutput(status, schedule, bound, info)


register_method(
    "cpsat",
    applies=lambda problem: True,
    exact=True,
    description="OR-Tools CP-SAT on the full unified model (exact; proves bounds)",
    priority=10,
)(solve_cpsat)
