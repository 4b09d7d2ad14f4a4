"""Time-indexed MIP for the RCPSP (``method="mip"``), through PuLP with HiGHS or CBC.

Formulation (Pritsker, Watters & Wolfe 1969, "Multiproject scheduling with
limited resources: a zero-one programming approach", Management Science 16,
93-108; disaggregated precedence of Christofides, Alvarez-Valdes & Tamarit
1987, EJOR 29, 262-273). Binary ``x_jt = 1`` iff job ``j`` starts at ``t``,
for ``t`` in its window ``[ES_j, LS_j]``::

    min  C
    s.t. sum_t x_jt = 1                                           for all j
         C >= sum_t (t + p_j) x_jt                                for all j
         sum_{s <= t} x_js <= sum_{s <= t - p_i - lag} x_is       for all (i, j, lag), t
         sum_j r_jk sum_{s = t - p_j + 1}^{t} x_js <= R_k(t)       for all k, t
         sum_{s = t-p_i+1}^{t} x_is + sum_{s = t-p_j+1}^{t} x_js <= 1  for disjunctive (i, j), t

``R_k(t)`` is the capacity lowered by downtime. The horizon ``T`` is the
makespan of a heuristic schedule (:func:`.heuristics.solve_ga`, budget
``heuristic_schedules``) when one is found, else the safe profile horizon;
``ES_j`` comes from release dates and precedence, ``LS_j`` from backward CPM
on ``min(T, D_j)``. Restricting to ``C <= T`` keeps an optimal schedule, so
the solver's bound stays valid. Without a MIP incumbent at the time limit the
heuristic schedule is returned (``info["incumbent"] == "heuristic"``).

Size: the model has one binary per job and start time in its window, about
``n × T`` in all, so it grows with the durations (``T`` is in time units):
PSPLIB-sized durations give a few thousand binaries, durations of ``10**4``
tens of millions, which take minutes and gigabytes just to build. Before
building, :func:`count_binaries` counts them exactly and a model above
``max_binaries`` (default :data:`MAX_BINARIES`) is refused with an
:class:`~schedopt.errors.OptionError` that says so; ``method="cpsat"``
(interval variables, no time grid) copes with large durations.

Bound: the solver's dual bound (HiGHS ``mip_dual_bound``, rounded up), or the
objective when optimality is proven, and never below :func:`.bounds.rcpsp_lower_bound`.
PuLP's CBC interface exposes no dual bound, so with ``solver="cbc"`` an
unfinished run reports only the combinatorial bound.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np
import pulp

from ...bounds import earliest_starts
from ...errors import OptionError
from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from .bounds import rcpsp_lower_bound
from .heuristics import latest_finish, profile_horizon, solve_ga
from .model import is_rcpsp

#: Default cap on the time-indexed model's start binaries (``max_binaries``); J120 needs under 10**5.
MAX_BINARIES = 2_000_000


def count_binaries(problem: Problem, horizon: int) -> int:
    """The number of start binaries of :func:`build_model` for ``horizon``: ``sum_j (LS_j - ES_j + 1)``.

    Cheap (two CPM passes); empty windows count 0.
    """
    es = earliest_starts(problem)
    ls = latest_finish(problem, horizon) - problem.duration
    return int(np.maximum(ls - es + 1, 0).sum())


#: Largest number of nonzero terms (precedence and resource rows) the model may have; building a
#: PuLP expression costs a few hundred bytes a term, so this keeps the model under about 1 GB.
MAX_TERMS = 4_000_000


def _clipped_sum(lo: int, hi: int, cap: int) -> int:
    """``sum_{x = lo}^{hi} min(max(x, 0), cap)`` in closed form."""
    total = 0
    a, b = max(lo, 1), min(hi, cap)
    if a <= b:
        total += (a + b) * (b - a + 1) // 2
    a = max(lo, cap + 1)
    if a <= hi:
        total += cap * (hi - a + 1)
    return total


def count_terms(problem: Problem, horizon: int) -> int:
    """Nonzero terms of :func:`build_model`'s precedence and resource rows (an upper bound).

    A precedence row at time ``t`` of edge ``i -> j`` holds the start binaries of ``j`` up to
    ``t`` and of ``i`` up to ``t - p_i - lag``; a resource row at ``t`` the binaries of the jobs
    that would run at ``t``, so each start binary of ``j`` appears in ``p_j`` rows per resource.
    """
    es = earliest_starts(problem)
    ls = latest_finish(problem, horizon) - problem.duration
    width = np.maximum(ls - es + 1, 0)
    total = 0
    for i, j, lag in problem.precedence:
        i, j = int(i), int(j)
        wj = int(width[j])
        total += wj * (wj + 1) // 2
        shift = int(es[j]) - int(problem.duration[i]) - int(lag) - int(es[i]) + 1
        total += _clipped_sum(shift, shift + wj - 1, int(width[i]))
    uses = (problem.demand > 0).sum(axis=1)
    total += int((width * problem.duration * uses).sum())
    return total


def build_model(
    problem: Problem, horizon: int, stop_at: float = math.inf
) -> tuple[pulp.LpProblem | None, dict[int, dict[int, Any]], Any]:
    """The time-indexed model with makespan ``<= horizon`` (see module docstring).

    Returns
    -------
    (lp, x, cmax) where ``x[j][t]`` are the start binaries. ``lp`` is ``None``
    when some job's window is empty (no schedule of makespan ``<= horizon``)
    or when building passes the wall-clock time ``stop_at``.
    """
    p = problem
    n = p.n_jobs
    dur = [int(d) for d in p.duration]
    es = [int(v) for v in earliest_starts(p)]
    ls = [int(v) for v in latest_finish(p, horizon) - p.duration]
    lp = pulp.LpProblem(p.name or "rcpsp", pulp.LpMinimize)
    x: dict[int, dict[int, Any]] = {}
    xs: list[list[Any]] = []  # xs[j][t - es[j]]
    for j in range(n):
        if ls[j] < es[j]:
            return None, {}, None
        xs.append([lp.add_variable(f"x_{j}_{t}", 0, 1, cat="Binary") for t in range(es[j], ls[j] + 1)])
        x[j] = {es[j] + a: v for a, v in enumerate(xs[j])}
        lp += pulp.LpAffineExpression([(v, 1) for v in xs[j]]) == 1, f"once_{j}"
    cmax = lp.add_variable("Cmax", 0, horizon)
    lp += cmax
    if p.objective == "makespan":
        lp += cmax >= max((es[j] + dur[j] for j in range(n)), default=0), "cpm"
        for j in range(n):
            expr = pulp.LpAffineExpression([(v, es[j] + a + dur[j]) for a, v in enumerate(xs[j])])
            lp += cmax - expr >= 0, f"mk_{j}"
    for e, (i, j, lag) in enumerate(p.precedence):
        if time.perf_counter() > stop_at:
            return None, {}, None
        i, j = int(i), int(j)
        delay = dur[i] + int(lag)
        for t in range(es[j], ls[j] + 1):
            if (t - es[j]) % 64 == 63 and time.perf_counter() > stop_at:
                return None, {}, None
            # sum_{s <= t} x_js - sum_{s <= t - delay} x_is <= 0
            terms = [(v, 1) for v in xs[j][: t - es[j] + 1]]
            hi = t - delay - es[i]
            if hi >= 0:
                terms += [(v, -1) for v in xs[i][: hi + 1]]
            lp += pulp.LpAffineExpression(terms) <= 0, f"prec_{e}_{t}"
    cap = np.repeat(p.capacity[None, :], max(horizon, 1), axis=0)
    for k, a, b, level in p.downtime:
        seg = cap[int(a) : int(b), int(k)]
        np.minimum(seg, int(level), out=seg)

    def running(j: int, t: int) -> list[Any]:
        lo, hi = max(es[j], t - dur[j] + 1), min(ls[j], t)
        return xs[j][lo - es[j] : hi - es[j] + 1] if lo <= hi else []

    for k in range(p.n_resources):
        if time.perf_counter() > stop_at:
            return None, {}, None
        users = [j for j in range(n) if p.demand[j, k] > 0 and dur[j] > 0]
        for t in range(horizon):
            if t % 64 == 0 and time.perf_counter() > stop_at:
                return None, {}, None
            terms = [(v, int(p.demand[j, k])) for j in users for v in running(j, t)]
            if sum(c for _, c in terms) > cap[t, k]:
                lp += pulp.LpAffineExpression(terms) <= int(cap[t, k]), f"res_{k}_{t}"
    for q, (i, j) in enumerate(p.disjunctive):
        i, j = int(i), int(j)
        if dur[i] == 0 or dur[j] == 0:
            continue
        for t in range(horizon):
            ri, rj = running(i, t), running(j, t)
            if ri and rj:
                lp += pulp.LpAffineExpression([(v, 1) for v in ri + rj]) <= 1, f"dis_{q}_{t}"
    return lp, x, cmax


def solve_mip(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    solver: str = "highs",
    threads: int = 1,
    heuristic_schedules: int = 1000,
    msg: bool = False,
    max_binaries: int = MAX_BINARIES,
) -> MethodOutput:
    """Solve an RCPSP with the time-indexed MIP.

    Parameters
    ----------
    time_limit
        Seconds for the whole call (heuristic and model building included).
    solver
        ``"highs"`` (default, through highspy) or ``"cbc"`` (PuLP's bundled CBC).
    threads
        Solver threads.
    heuristic_schedules
        SGS budget of the GA that sets the horizon (0: use the safe horizon).
    msg
        Show the solver log.
    max_binaries
        Refuse (before building) a model with more start binaries than this:
        an :class:`~schedopt.errors.OptionError` that names the count and
        suggests ``method="cpsat"``. The count is about jobs × horizon, so it
        is the durations, not the job count, that make a model too big.

    Raises
    ------
    OptionError
        For a model above ``max_binaries``, or a ``max_binaries`` that is not a positive integer.
    """
    if not is_rcpsp(problem):
        raise ValueError("method 'mip' handles RCPSP problems (no machines, makespan or feasibility)")
    if solver not in ("highs", "cbc"):
        raise ValueError(f"solver must be 'highs' or 'cbc', got {solver!r}")
    if isinstance(max_binaries, bool) or not isinstance(max_binaries, (int, np.integer)) or max_binaries < 1:
        raise OptionError(
            "mip", "max_binaries", message=f"max_binaries must be a positive integer, got {max_binaries!r}"
        )
    t0 = time.perf_counter()
    lb = rcpsp_lower_bound(problem)
    heur = None
    if heuristic_schedules > 0:
        heur = solve_ga(problem, time_limit=time_limit, seed=seed, max_schedules=heuristic_schedules).schedule
    info: dict[str, Any] = {"solver": solver, "threads": threads}
    if heur is not None and problem.objective == "feasibility":
        info["incumbent"] = "heuristic"
        return MethodOutput("optimal", heur, 0, info)
    if heur is not None and heur.makespan <= lb:
        info["incumbent"] = "heuristic"
        return MethodOutput("optimal", heur, lb, info)
    horizon = heur.makespan if heur is not None else profile_horizon(problem)
    info["horizon"] = int(horizon)
    binaries = count_binaries(problem, horizon)
    if binaries > max_binaries:
        raise OptionError(
            "mip",
            "max_binaries",
            message=(
                f"method 'mip': the time-indexed model of {problem.name or 'this problem'!r} would need "
                f"{binaries:,} binary variables ({problem.n_jobs} jobs, start windows over a horizon of "
                f"{int(horizon):,} time units), more than max_binaries={int(max_binaries):,}; building it "
                "would take minutes and gigabytes. Use method='cpsat', which copes with large durations "
                "(or scale the durations down, or raise max_binaries)"
            ),
        )
    terms = count_terms(problem, horizon)
    if terms > MAX_TERMS:
        raise OptionError(
            "mip",
            "max_binaries",
            message=(
                f"method 'mip': the time-indexed model of {problem.name or 'this problem'!r} would hold "
                f"{terms:,} nonzero terms in its precedence and resource rows (horizon "
                f"{int(horizon):,}), more than {MAX_TERMS:,} (about 1 GB to build): the windows are too "
                "wide for this formulation. Use method='cpsat', which copes with large durations "
                "(or scale the durations down)"
            ),
        )
    stop_at = math.inf if time_limit is None else t0 + time_limit
    t_build = time.perf_counter()
    lp, x, _cmax = build_model(problem, horizon, stop_at)
    # handing the model to the solver and reading the solution back are not interruptible and cost
    # about as much again as building it: keep that much time in reserve
    reserve = 2.0 * (time.perf_counter() - t_build)
    if lp is not None and time.perf_counter() + reserve > stop_at:
        lp = None
    if lp is None and time.perf_counter() + reserve > stop_at:
        info["incumbent"] = "heuristic"
        info["note"] = "no time left to solve the MIP"
        if heur is None:
            return MethodOutput("unknown", None, lb if problem.objective == "makespan" else 0, info)
        return MethodOutput("feasible", heur, lb, info)
    if lp is None:
        # an empty window below the safe horizon: only possible through deadlines
        if heur is None:
            return MethodOutput("infeasible", None, None, info)
        return MethodOutput("optimal", heur, heur.makespan, info)  # pragma: no cover - heur fits T
    info["variables"] = lp.numVariables()
    info["constraints"] = lp.numConstraints()
    remaining = None if time_limit is None else max(0.05, stop_at - time.perf_counter() - reserve)
    if solver == "highs":
        sol = pulp.HiGHS(msg=msg, timeLimit=remaining, threads=threads, random_seed=int(seed))
    else:
        with warnings.catch_warnings():  # PuLP 3.3 deprecates its bundled CBC; it still ships it
            warnings.simplefilter("ignore", DeprecationWarning)
            sol = pulp.PULP_CBC_CMD(
                msg=msg, timeLimit=remaining, threads=threads, options=[f"randomSeed {seed}"]
            )
    lp.solve(sol)
    status = lp.status
    proven_optimal = lp.sol_status == pulp.LpSolutionOptimal
    has_solution = lp.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    bound = lb
    if solver == "highs":
        try:
            dual = lp.solverModel.getInfo().mip_dual_bound
            if math.isfinite(dual):
                bound = max(bound, math.ceil(dual - 1e-6))
        except AttributeError:  # pragma: no cover - older highspy
            pass
    info["lp_status"] = pulp.LpStatus.get(status, str(status))
    if status == pulp.LpStatusInfeasible:
        if heur is None:
            return MethodOutput("infeasible", None, None, info)
        # infeasible below the heuristic makespan is impossible (the heuristic fits); be safe anyway
        return MethodOutput("optimal", heur, heur.makespan, info)  # pragma: no cover
    schedule = None
    if has_solution:
        start = np.full(problem.n_jobs, -1, np.int64)
        for j, xs in x.items():
            for t, v in xs.items():
                if v.varValue is not None and v.varValue > 0.5:
                    start[j] = t
        if (start >= 0).all():
            schedule = Schedule.from_starts(problem, start)
            info["incumbent"] = "mip"
    if schedule is None and heur is not None:
        schedule = heur
        info["incumbent"] = "heuristic"
    if schedule is None:
        return MethodOutput("unknown", None, bound if problem.objective == "makespan" else 0, info)
    if problem.objective == "feasibility":
        return MethodOutput("optimal", schedule, 0, info)
    if proven_optimal and info.get("incumbent") == "mip":
        return MethodOutput("optimal", schedule, schedule.makespan, info)
    return MethodOutput("optimal" if bound >= schedule.makespan else "feasible", schedule, bound, info)
