"""Compile the unified model to OR-Tools CP-SAT (``method="cpsat"``).

One compiler covers the whole model: interval variables per job, precedence
with lags (and communication delays between machines), cumulative resources
whose downtime is modelled as fixed blocking intervals, release/deadline
windows as variable domains, disjunctive pairs as two-interval no-overlaps,
machine assignment with optional intervals over the eligible machines and a
no-overlap per machine (a cumulative per machine resource for cumulative
machines), optional jobs as optional intervals, anti-affinity as at-most-one
per machine, machine-pair communication delays grouped by node, and the
objective's term from the registry :mod:`schedopt.objectives`.

The family that owns a problem strengthens its model through the
:class:`~schedopt.cpsat.context.Strengthening` it declares (chosen by
:attr:`Problem.family`, never by the strengthening itself) instead of writing
a second model: it may add redundant constraints, tighten the horizon or
supply a solution hint, keep part of the time limit back
(:attr:`CpSatModel.search_share`) and finish the search's answer, e.g. with a
proof of optimality by another model. It gets a typed
:class:`~schedopt.cpsat.context.CpSatContext` and keeps its own state on
:attr:`CpSatModel.state`.

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

from ..errors import OptionError, SolverError
from ..model import NO_TIME, Problem
from ..objectives import get_objective, semi_active_horizon
from ..registry import MethodOutput, family, resolve
from ..schedule import Schedule
from .context import CpSatContext, Strengthening


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
        Per job, ``{machine: presence literal}`` over the machines it is allowed
        on (:attr:`Problem.allowed`; empty without machines).
    present
        Per job, its presence literal when it is optional (true: placed), or
        ``None`` for a job that is always placed.
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
    state
        The strengthening's own state (its dataclass), for its ``finish``.
    """

    problem: Problem
    model: cp_model.CpModel
    horizon: int
    start: list[cp_model.IntVar] = field(default_factory=list)
    end: list[cp_model.IntVar] = field(default_factory=list)
    interval: list[cp_model.IntervalVar] = field(default_factory=list)
    assign: list[dict[int, cp_model.IntVar]] = field(default_factory=list)
    present: list[cp_model.IntVar | None] = field(default_factory=list)
    objective_var: cp_model.IntVar | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    search_share: float = 1.0
    companion: Companion | None = None
    state: Any = None


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


#: ``progress(objective, bound, seconds)``: called by :func:`solve_cpsat` on each improving solution.
ProgressCallback = Callable[[int, "int | None", float], None]


class _SolutionWatcher(cp_model.CpSolverSolutionCallback):
    """The search's one solution callback: on every improving solution it passes the objective
    on to a :class:`Companion` and reports ``(objective, bound, seconds)`` to a progress callback.

    Parameters
    ----------
    companion
        The hook's companion search, or ``None``.
    progress
        ``progress(objective, bound, seconds)``, or ``None``; ``bound`` is CP-SAT's
        dual bound rounded up (``None`` while it is not finite) and ``seconds``
        count from ``t0``.
    t0
        The ``time.perf_counter()`` value that ``seconds`` count from.
    """

    def __init__(self, companion: Companion | None, progress: ProgressCallback | None, t0: float) -> None:
        super().__init__()
        self.companion = companion
        self.progress = progress
        self.t0 = t0

    def on_solution_callback(self) -> None:
        objective = round(self.objective_value)
        if self.companion is not None:
            self.companion.improved(objective)
        if self.progress is not None:
            raw = self.best_objective_bound
            bound = int(np.ceil(raw - 1e-9)) if np.isfinite(raw) else None
            self.progress(objective, bound, time.perf_counter() - self.t0)


def strengthening(problem: Problem) -> Strengthening | None:
    """The CP-SAT :class:`Strengthening` of the family that owns ``problem`` (``None``: none)."""
    owner = family(problem.family)
    return None if owner is None or owner.cpsat is None else resolve(owner.cpsat)


def strengthening_options(problem: Problem) -> dict[str, Any]:
    """The options the strengthening of ``problem``'s family takes, with their defaults."""
    found = strengthening(problem)
    return {} if found is None else dict(found.options)


def make_context(
    problem: Problem,
    *,
    deadline: float | None = None,
    workers: int = 1,
    seed: int = 0,
    hint: Schedule | None = None,
    log: bool = False,
    **options: Any,
) -> CpSatContext:
    """The :class:`CpSatContext` of a call on ``problem``: strengthening defaults updated by ``options``.

    Raises
    ------
    OptionError
        For an option the strengthening of ``problem``'s family does not declare.
    """
    declared = strengthening_options(problem)
    for name in options:
        if name not in declared:
            raise OptionError("cpsat", name, {**_OWN_OPTIONS, **declared})
    return CpSatContext(deadline, workers, seed, hint, log, {**declared, **options})


def safe_horizon(problem: Problem) -> int:
    """An end time by which some optimal schedule (if any exists) has finished.

    A semi-active schedule (no job can start earlier) has each start fixed by
    a chain of releases, predecessor ends plus lags, other jobs' ends and
    downtime window ends. Such a chain is no longer than
    ``max r + sum p^max + sum lag + sum_e delay_e + sum_w (b_w - a_w + max p)``,
    where ``delay_e`` is the largest communication delay of edge ``e`` over all
    node pairs (``comm[e]`` without pair-dependent communication). Regular
    objectives (makespan, tardiness, max lateness, weighted completion) always
    have a semi-active optimum, and ``placement`` does not depend on times, so
    left-shifting keeps it. With deadlines on every job, the largest deadline caps it.
    """
    h = semi_active_horizon(problem)
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


def build(
    problem: Problem,
    horizon: int | None = None,
    context: CpSatContext | None = None,
    *,
    strengthen: bool = True,
) -> CpSatModel:
    """Compile ``problem`` into a :class:`CpSatModel` and apply its family's strengthening.

    ``context`` defaults to no time limit, one worker, seed 0 and the
    strengthening's default options; ``strengthen=False`` compiles the bare model.

    The constraints, with ``x_jm`` the literal "job ``j`` runs on machine ``m``"
    (only for the machines ``j`` is allowed on) and ``p_j`` the presence literal
    of an optional job (``p_j = 1`` for the others):

    * windows as domains: ``r_j <= S_j``, ``C_j <= min(D_j, horizon)``;
    * machines: ``sum_m x_jm = p_j`` and ``C_j = S_j + p_jm`` if ``x_jm``; an
      optional job that cannot fit at all has ``p_j = 0``;
    * precedence ``S_j >= C_i + lag`` if ``p_i and p_j``; communication
      ``S_j >= C_i + lag + delay_e(a, b)`` if ``x_{i m1}``, ``x_{j m2}``, ``m1 != m2``
      (grouped by node: one constraint per machine of ``i``, see :func:`_communication`);
    * renewable resources: a cumulative over the job intervals (optional
      for optional jobs) and the downtime blocks (:func:`_downtime_blocks`);
    * disjunctive pairs: a no-overlap of the two job intervals;
    * unary machines: a no-overlap per machine of the intervals ``[S_j, S_j + p_jm)``
      present if ``x_jm``; cumulative machines (``q > 0``): per machine and
      machine resource ``k`` a cumulative of those intervals with demands
      ``machine_demand[j, k]`` and capacity ``machine_capacity[m, k]``;
    * anti-affinity ``(i, j)``: ``x_im + x_jm <= 1`` for every machine ``m``;
    * the objective's term from :mod:`schedopt.objectives` (:func:`_objective`).
    """
    p = problem
    h = safe_horizon(p) if horizon is None else int(horizon)
    model = cp_model.CpModel()
    cm = CpSatModel(p, model, h)
    n = p.n_jobs
    dmin, dmax = p.min_duration, p.max_duration
    allowed = p.allowed
    machine_iv: dict[tuple[int, int], cp_model.IntervalVar] = {}  # (job, machine) -> interval there

    for j in range(n):
        lo = int(p.release[j])
        hi_end = int(min(h, p.deadline[j]))
        s = model.new_int_var(lo, max(lo, hi_end - int(dmin[j])), f"s{j}")
        e = model.new_int_var(lo + int(dmin[j]), max(lo + int(dmin[j]), hi_end), f"e{j}")
        machines = [m for m in range(p.n_machines) if allowed[j, m]]
        present: cp_model.IntVar | None = None
        if p.optional[j]:
            present = model.new_bool_var(f"p{j}")
            if lo + int(dmin[j]) > hi_end or (p.has_machines and not machines):
                model.add(present == 0)  # it cannot fit: it stays unplaced
                machines = []
            model.add(s == lo).only_enforce_if(present.Not())  # fix the unused variables
            model.add(e == lo + int(dmin[j])).only_enforce_if(present.Not())
        assign: dict[int, cp_model.IntVar] = {}
        if p.has_machines:
            sizes = []
            for m in machines:
                lit = model.new_bool_var(f"x{j}_{m}")
                assign[m] = lit
                d = p.duration_on(j, m)
                sizes.append(d)
                model.add(e == s + d).only_enforce_if(lit)
                if d > 0:
                    machine_iv[j, m] = model.new_optional_fixed_size_interval_var(s, d, lit, f"mi{j}_{m}")
            if present is None:
                model.add_exactly_one(assign.values())
            else:
                model.add(sum(assign.values()) == present)
            dur = model.new_int_var(int(min(sizes, default=0)), int(max(sizes, default=0)), f"d{j}")
            chosen = sum(d * lit for d, lit in zip(sizes, assign.values()))
            model.add(dur == chosen).only_enforce_if([] if present is None else [present])
        else:
            dur = int(p.duration[j])
        if present is None:
            iv = model.new_interval_var(s, dur, e, f"i{j}")
        else:
            iv = model.new_optional_interval_var(s, dur, e, present, f"i{j}")
        cm.start.append(s)
        cm.end.append(e)
        cm.interval.append(iv)
        cm.assign.append(assign)
        cm.present.append(present)

    # Precedence with lags (both jobs placed) and communication delays.
    node_lits: dict[tuple[int, int], Any] = {}
    for e_idx, (i, j, lag) in enumerate(p.precedence):
        i, j, lag = int(i), int(j), int(lag)
        gate = [lit for lit in (cm.present[i], cm.present[j]) if lit is not None]
        model.add(cm.start[j] >= cm.end[i] + lag).only_enforce_if(gate)
        if p.has_machines:
            _communication(cm, e_idx, i, j, lag, gate, node_lits)

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
        # NoOverlap forbids a size-0 interval inside another, but a job of duration 0 occupies
        # nothing: only jobs of positive duration on every machine may go into a NoOverlap.
        if cap == 1 and all(d == 1 for d in dem) and all(dmin[j] > 0 for j in users):
            model.add_no_overlap(ivs)
        elif sum(dem) > cap or blocks:
            model.add_cumulative(ivs, dem, cap)

    # Disjunctive pairs (a capacity-1 cumulative where a duration may be 0, see above).
    for i, j in p.disjunctive:
        i, j = int(i), int(j)
        if dmax[i] > 0 and dmax[j] > 0:
            pair = [cm.interval[i], cm.interval[j]]
            if dmin[i] > 0 and dmin[j] > 0:
                model.add_no_overlap(pair)
            else:
                model.add_cumulative(pair, [1, 1], 1)

    # Machines: unary (a no-overlap each), or cumulative in each machine resource.
    for m in range(p.n_machines):
        jobs = [j for j in range(n) if (j, m) in machine_iv]
        if not p.cumulative_machines:
            if len(jobs) > 1:
                model.add_no_overlap([machine_iv[j, m] for j in jobs])
            continue
        for k in range(p.n_machine_resources):
            users = [j for j in jobs if p.machine_demand[j, k] > 0]
            dem = [int(p.machine_demand[j, k]) for j in users]
            cap = int(p.machine_capacity[m, k])
            if sum(dem) > cap:
                model.add_cumulative([machine_iv[j, m] for j in users], dem, cap)

    # Anti-affinity: never both on one machine.
    for i, j in p.anti_affinity:
        for m in cm.assign[int(i)].keys() & cm.assign[int(j)].keys():
            model.add_at_most_one([cm.assign[int(i)][m], cm.assign[int(j)][m]])

    _objective(cm)
    found = strengthening(p) if strengthen else None
    if found is not None:
        found.strengthen(cm, context if context is not None else make_context(p))
    return cm


def _communication(
    cm: CpSatModel,
    e_idx: int,
    i: int,
    j: int,
    lag: int,
    gate: list[Any],
    node_lits: dict[tuple[int, int], Any],
) -> None:
    """Communication delay of edge ``e_idx = (i, j)``, paid when ``i`` and ``j`` run on distinct machines.

    With ``D = Problem.edge_delays(e)`` (node x node) and ``a`` the node of ``m``,
    for each machine ``m`` of ``i``:
    ``S_j >= C_i + lag + sum_b D[a, b] y_jb - D[a, a] x_jm`` if ``x_im`` (and both
    jobs placed), where ``y_jb = sum_{m' in node b} x_jm'`` is "``j`` runs on node
    ``b``" (one literal per job and node, shared by all edges). When every
    machine pair has the same delay ``D0`` it reduces to
    ``S_j >= C_i + lag + D0`` if ``x_im and not x_jm``.
    """
    p, model = cm.problem, cm.model
    xi, xj = cm.assign[i], cm.assign[j]
    if not xi or not xj:
        return
    table = p.edge_delays(e_idx)
    node = p.machine_node
    pairs = {int(table[node[a], node[b]]) for a in xi for b in xj if a != b}
    if not pairs or max(pairs) <= 0:
        return
    if len(pairs) == 1:
        delay = pairs.pop()
        for m, lit in xi.items():
            cond = [lit, *gate] + ([xj[m].Not()] if m in xj else [])
            model.add(cm.start[j] >= cm.end[i] + lag + delay).only_enforce_if(cond)
        return
    nodes_of_j: dict[int, list[int]] = {}
    for m in xj:
        nodes_of_j.setdefault(int(node[m]), []).append(m)
    for b, ms in nodes_of_j.items():
        if (j, b) not in node_lits:
            if len(ms) == 1:
                node_lits[j, b] = xj[ms[0]]
            else:
                y = model.new_bool_var(f"y{j}_n{b}")
                model.add(y == sum(xj[m] for m in ms))
                node_lits[j, b] = y
    for m, lit in xi.items():
        a = int(node[m])
        delay = sum(int(table[a, b]) * node_lits[j, b] for b in nodes_of_j)
        if m in xj:
            delay -= int(table[a, a]) * xj[m]
        model.add(cm.start[j] >= cm.end[i] + lag + delay).only_enforce_if([lit, *gate])


def _objective(cm: CpSatModel) -> None:
    """Minimise the term of the problem's objective from the registry (:mod:`schedopt.objectives`)."""
    term = get_objective(cm.problem.objective).cpsat(cm)
    cm.objective_var = term
    if term is not None:
        cm.model.minimize(term)


def hint(cm: CpSatModel, schedule: Schedule) -> None:
    """Give CP-SAT ``schedule`` as a solution hint (starts, ends, machines, placed or not).

    It replaces any hint a hook has set (CP-SAT rejects duplicate hints).
    """
    cm.model.clear_hints()
    for j in range(cm.problem.n_jobs):
        placed = j < schedule.n_jobs and schedule.start[j] >= 0
        present = cm.present[j] if cm.present else None
        if present is not None:
            cm.model.add_hint(present, int(placed))
        if not placed:
            if present is not None:  # an unplaced optional job: on no machine
                for lit in cm.assign[j].values():
                    cm.model.add_hint(lit, 0)
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
    progress: ProgressCallback | None = None,
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
        CP-SAT ``num_workers`` (default: the cores, at most 8); a positive integer.
    horizon
        An upper bound on every end time; default :func:`safe_horizon`. Pass
        the makespan of a known feasible schedule to tighten it.
    hint_schedule
        A schedule given to CP-SAT as a hint.
    log
        Print CP-SAT's search log.
    cpsat_params
        Extra CP-SAT ``SatParameters`` fields by name (e.g.
        ``{"subsolvers": ["default_lp", "max_lp"]}``); they override those the
        strengthening recommends (:attr:`CpSatModel.parameters`). ``num_workers``,
        ``random_seed`` and the time limit come from the arguments above.
    progress
        ``progress(objective, bound, seconds)``, called from the search on each
        improving solution of a problem with an objective (so the objectives come
        non-increasing): its objective, CP-SAT's dual bound at that moment
        (rounded up; ``None`` while unknown) and the seconds since the call. It
        runs in a solver thread and should return quickly (``schedopt solve``
        prints at most one line a second). ``None``: no reports.
    **options
        The options of the problem's family strengthening
        (:func:`strengthening_options`); any other is an :class:`OptionError`.
    """
    t0 = time.perf_counter()
    if progress is not None and not callable(progress):
        raise OptionError(
            "cpsat", "progress", message=f"progress must be a callable or None, got {progress!r}"
        )
    n_workers = _default_workers() if workers is None else workers
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) or n_workers < 1:
        raise OptionError("cpsat", "workers", message=f"workers must be a positive integer, got {workers!r}")
    found = strengthening(problem)
    ctx = make_context(
        problem,
        deadline=None if time_limit is None else t0 + time_limit,
        workers=int(n_workers),
        seed=int(seed),
        hint=hint_schedule,
        log=bool(log),
        **options,
    )
    cm = build(problem, horizon=horizon, context=ctx)
    if hint_schedule is not None:
        hint(cm, hint_schedule)
    solver = cp_model.CpSolver()
    params = solver.parameters
    apply_parameters(params, {**cm.parameters, **(cpsat_params or {})})
    params.num_workers = ctx.workers
    params.random_seed = ctx.seed
    params.log_search_progress = ctx.log
    if time_limit is not None:
        remaining = time_limit - (time.perf_counter() - t0)
        params.max_time_in_seconds = max(0.01, remaining * min(1.0, cm.search_share))
    companion = cm.companion
    watched = cm.objective_var is not None and (companion is not None or progress is not None)
    watcher = _SolutionWatcher(companion, progress, t0) if watched else None
    if companion is None:
        code = solver.solve(cm.model, watcher)
    else:
        params.num_workers = max(1, ctx.workers - companion.workers)
        companion.start(solver.stop_search)
        try:
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
    if found is not None and found.finish is not None:
        out = found.finish(cm, out, ctx)
    return out


_OWN_OPTIONS: dict[str, Any] = {
    "workers": None,
    "horizon": None,
    "hint_schedule": None,
    "log": False,
    "cpsat_params": None,
    "progress": None,
}


def _output(
    problem: Problem, cm: CpSatModel, solver: cp_model.CpSolver, code: Any, info: dict[str, Any]
) -> MethodOutput:
    """The :class:`MethodOutput` of a finished CP-SAT search."""
    if code == cp_model.MODEL_INVALID:  # a schedopt bug, never user input
        raise SolverError(f"CP-SAT rejected the compiled model: {cm.model.validate() or 'no reason given'}")
    if code == cp_model.INFEASIBLE:
        return MethodOutput("infeasible", None, None, info)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        bound = None
        if cm.objective_var is not None and np.isfinite(solver.best_objective_bound):
            bound = int(np.ceil(solver.best_objective_bound - 1e-9))
        return MethodOutput("unknown", None, bound, info)
    n = problem.n_jobs
    start = np.full(n, -1, np.int64)  # unplaced optional jobs keep start = end = machine = -1
    end = np.full(n, -1, np.int64)
    machine = np.full(n, -1, np.int64)
    for j in range(n):
        present = cm.present[j] if cm.present else None
        if present is not None and not solver.boolean_value(present):
            continue
        start[j] = solver.value(cm.start[j])
        end[j] = solver.value(cm.end[j])
        if problem.has_machines:
            machine[j] = next(m for m, lit in cm.assign[j].items() if solver.boolean_value(lit))
    schedule = Schedule(start, end, machine)
    if cm.objective_var is None:
        return MethodOutput("optimal", schedule, 0, info)
    bound = int(np.ceil(solver.best_objective_bound - 1e-9))
    status = "optimal" if code == cp_model.OPTIMAL else "feasible"
    return MethodOutput(status, schedule, bound, info)
