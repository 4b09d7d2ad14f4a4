"""CP-SAT strengthening for RCPSP problems (a hook of ``method="cpsat"``).

:func:`strengthen_rcpsp` is registered with
:func:`schedopt.exact.cpsat.register_hook`, so ``method="cpsat"`` stays one
method; on an RCPSP with the makespan objective it adds:

1. **Lower bound** ``C_max >= LB`` with ``LB`` = max(critical path, LB2
   energy bound, incompatible-set bound) (:mod:`.bounds`).
2. **Heuristic upper bound**: the GA (:func:`.heuristics.solve_ga`, budget
   ``rcpsp_heuristic_schedules``, default :func:`default_heuristic_budget`; at most a
   quarter of the remaining time limit) finds a
   deadline-feasible schedule of makespan ``UB``; then ``e_j <= UB`` for every
   job (a horizon of ``UB``) and ``C_max <= UB``. Some optimal schedule has
   ``C_max <= UB``, so proofs and bounds stay valid.
3. **Hint**: that schedule as a complete solution hint (a hint passed by the
   caller replaces it).
4. **Precedence/energy delays** (``rcpsp_delays``, default on):
   :func:`precedence_delays` bounds ``s_j - e_i`` for every related pair by
   the longest path, the LB2 energy and the incompatible-set bound of the
   activities in between, and gives heads and tails; the constraints that
   beat the longest path (all related pairs with ``rcpsp_transitive``) are
   added, with ``s_j >= head_j`` and ``C_max >= e_j + tail_j``. A cheap
   stand-in for the sub-solve delays of OR-Tools' ``rcpsp_sat.py``.
5. **Lower-bound portfolio** (``rcpsp_portfolio="lb"``, default
   ``"default"`` = CP-SAT's own choice): with exactly 2 workers,
   :data:`TWO_WORKER_PARAMETERS` (a ``default_lp`` and an
   ``objective_lb_search`` worker) instead of CP-SAT's single full worker
   plus LNS. It raises the bound on hard instances but proved fewer of
   them in a side-by-side run, so it is opt-in; ``cpsat_params`` overrides
   either.
6. **Set-times search** (``rcpsp_settimes``, default off): a decision
   strategy on the starts (lowest earliest start, earliest value), the
   set-times branching of Le Pape et al. used by the lazy-clause-generation
   RCPSP solver of Schutt et al. (2011); used by CP-SAT's ``fixed`` worker.
7. **Makespan-aware cumulatives** (``rcpsp_makespan_interval``, default off: on a
   small J30/J60 sample it did not pay):
   for each resource a redundant cumulative that adds an interval
   ``[C_max, UB)`` of demand ``R_k``, as OR-Tools' ``rcpsp_sat.py`` sample
   does with its interval-encoded makespan; energetic reasoning then sees
   that capacity after ``C_max`` is unusable. Valid because no job runs after
   ``C_max``. (Only added when there is no downtime, which ``rcpsp_sat.py``
   does not model either.)

Options (passed through ``schedopt.solve(..., method="cpsat", **options)``):
``rcpsp_strengthen`` (default True), ``rcpsp_heuristic_schedules``
(default :func:`default_heuristic_budget`; 0 disables the heuristic),
``rcpsp_heuristic_share`` (0.25: the GA's share of the remaining time limit),
``rcpsp_delays`` (True; skipped above ``rcpsp_delays_max_jobs``, default 400),
``rcpsp_transitive`` (False), ``rcpsp_portfolio`` ("default"), ``rcpsp_settimes`` (False),
``rcpsp_makespan_interval`` (False).
Measurements behind the defaults: ``benchmarks/rcpsp/RESULTS.md``.

References
----------
Schutt, A., Feydy, T., Stuckey, P. J. & Wallace, M. G. (2011). Explaining the
cumulative propagator. Constraints 16(3), 250-282.
Klein, R. & Scholl, A. (1999). Computing lower bounds by destructive
improvement. EJOR 112, 322-346.
OR-Tools ``examples/python/rcpsp_sat.py`` (Apache-2.0; read, not copied).
"""

from __future__ import annotations

import time
from typing import Any

import networkx as nx
import numpy as np
from ortools.sat.python import cp_model

from ...exact.cpsat import CpSatModel, register_hook
from ...model import Problem
from .bounds import rcpsp_lower_bound
from .model import is_rcpsp

_NONE = -(1 << 40)


def precedence_delays(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lower bounds on the time between related activities, from precedence and energy.

    For ``i`` a (transitive) predecessor of ``j``, every activity ``l`` with
    ``i < l < j`` in the precedence order runs inside ``[e_i, s_j)`` (lags are
    non-negative), so ``s_j - e_i`` is at least

    * the longest path from the end of ``i`` to the start of ``j``
      (durations of the activities in between plus the lags);
    * the energy bound LB2 of the activities in between:
      ``max_k ceil(sum_l p_l r_lk / R_k)`` (Stinson et al. 1978; Klein &
      Scholl 1999), with the full capacity ``R_k`` (downtime only lowers it);
    * the summed durations of the activities in between that are pairwise
      incompatible on one resource (``2 r_lk > R_k``).

    The same bounds on the set of all predecessors (successors) of ``j`` give
    a head (tail): the time needed before ``s_j`` (after ``e_j``). These are
    the precedence-implied delays of OR-Tools' ``rcpsp_sat.py`` sample, which
    computes them by exact sub-solves; here the sub-problems are bounded by
    LB2 and the incompatible-set bound only, which costs two matrix products
    per resource. Energetic reasoning on precedence-related sets is the idea
    of the "energetic" bounds of Baptiste, Le Pape & Nuijten (2001),
    *Constraint-Based Scheduling*, ch. 3.

    Parameters
    ----------
    problem
        An RCPSP (single duration per job, non-negative lags).

    Returns
    -------
    path, delay
        ``(n, n)`` arrays; ``path[i, j]`` is the longest path from ``e_i`` to
        ``s_j`` and ``delay[i, j] >= path[i, j]`` the bound above, both
        ``-2**40`` when ``i`` does not precede ``j``.
    head, tail
        ``(n,)`` energy/incompatibility bounds on the work that must be done
        before ``s_j`` (from the earliest release) and after ``e_j``.
    """
    n = problem.n_jobs
    dur = problem.duration.astype(np.int64)
    path = np.full((n, n), _NONE, np.int64)
    preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for i, j, lag in problem.precedence:
        preds[int(j)].append((int(i), int(lag)))
    for j in nx.topological_sort(problem.graph()):
        col = path[:, j]
        for i, lag in preds[j]:
            col[i] = max(col[i], lag)
            reach = path[:, i] > _NONE
            np.maximum(col, np.where(reach, path[:, i] + dur[i] + lag, _NONE), out=col)
    rel = path > _NONE
    relm = rel.astype(np.int64)
    delay = path.copy()
    head = np.zeros(n, np.int64)
    tail = np.zeros(n, np.int64)
    for k in range(problem.n_resources):
        cap = int(problem.capacity[k])
        work = dur * problem.demand[:, k]
        if cap <= 0 or not work.any():
            continue
        big = np.where(2 * problem.demand[:, k] > cap, dur, 0)
        between = -(-((relm * work) @ relm) // cap)
        chain = (relm * big) @ relm
        delay = np.maximum(delay, np.where(rel, np.maximum(between, chain), _NONE))
        head = np.maximum(head, np.maximum(-(-(relm.T @ work) // cap), relm.T @ big))
        tail = np.maximum(tail, np.maximum(-(-(relm @ work) // cap), relm @ big))
    return path, delay, head, tail


TWO_WORKER_PARAMETERS: dict[str, Any] = {
    "subsolvers": ["default_lp", "objective_lb_search"],
    "num_full_subsolvers": 2,
}
"""CP-SAT parameters the hook sets with exactly 2 workers and ``rcpsp_portfolio="lb"``.

With 2 workers CP-SAT runs one full subsolver (``default_lp``) and
interleaves LNS on the second, so nothing raises the lower bound except
the root propagation: on the hard J30 instances the bound never moved
from LB2 in 20 s. Two full subsolvers, one of them
``objective_lb_search`` (search with ``C_max <= LB``, raising ``LB`` on
each proof of infeasibility), raise it. But without the LNS the upper bound
suffers, and on 12 hard J30 instances (30 s) it proved 5 against 7 for
CP-SAT's default, so it is not the default; see ``benchmarks/rcpsp/RESULTS.md``.
"""


def default_heuristic_budget(n_jobs: int) -> int:
    """SGS passes of the GA run before CP-SAT: ``min(200000, max(2000, n**3 // 10))``.

    About 3,300 on J30, 24,000 on J60 and 182,000 on J120 (roughly 0.1 s,
    1 s and 6-9 s on one core); the time limit's ``rcpsp_heuristic_share``
    caps it. On J120 CP-SAT rarely improves the GA's schedule within a
    minute, so the larger budget pays there: on six J120 instances at 60 s
    (2 workers) it lowered the mean deviation from the best known from
    1.91 % (``3 n**2``, the previous default) to 1.40 %, and cost 4-5 s on
    the two instances CP-SAT proves quickly (``benchmarks/rcpsp/RESULTS.md``).
    """
    return int(min(200_000, max(2_000, n_jobs**3 // 10)))


def strengthen_rcpsp(cm: CpSatModel, options: dict[str, Any]) -> None:
    """Add the RCPSP bound, heuristic horizon/hint and redundant cumulatives (see module docstring)."""
    p = cm.problem
    if not options.get("rcpsp_strengthen", True) or not is_rcpsp(p) or p.objective != "makespan":
        return
    if cm.objective_var is None or p.n_jobs == 0:
        return
    from .heuristics import solve_ga

    model = cm.model
    lb = rcpsp_lower_bound(p)
    model.add(cm.objective_var >= lb)
    ub = cm.horizon
    budget = int(options.get("rcpsp_heuristic_schedules", default_heuristic_budget(p.n_jobs)))
    info = options.get("_rcpsp_info")
    if budget > 0:
        deadline = options.get("_deadline")
        share = float(options.get("rcpsp_heuristic_share", 0.25))
        limit = None if deadline is None else max(0.01, share * (deadline - time.perf_counter()))
        out = solve_ga(p, time_limit=limit, max_schedules=budget, seed=int(options.get("rcpsp_seed", 0)))
        if out.schedule is not None:
            sched = out.schedule
            ub = min(ub, sched.makespan)
            for e in cm.end:
                model.add(e <= ub)
            model.add(cm.objective_var <= ub)
            if options.get("_hint") is None:
                for j in range(p.n_jobs):
                    model.add_hint(cm.start[j], int(sched.start[j]))
                    model.add_hint(cm.end[j], int(sched.end[j]))
                model.add_hint(cm.objective_var, int(sched.makespan))
            if isinstance(info, dict):
                info["heuristic_ub"] = int(ub)
    if options.get("rcpsp_delays", True) and p.n_jobs <= int(options.get("rcpsp_delays_max_jobs", 400)):
        _add_delays(cm, bool(options.get("rcpsp_transitive", False)))
    if options.get("rcpsp_portfolio", "default") == "lb" and int(options.get("_workers", 0)) == 2:
        cm.parameters.update(TWO_WORKER_PARAMETERS)
    if options.get("rcpsp_settimes", False):
        model.add_decision_strategy(cm.start, cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)
    if options.get("rcpsp_makespan_interval", False) and len(p.downtime) == 0 and ub > lb:
        size = model.new_int_var(0, ub - lb, "tail_size")
        model.add(size == ub - cm.objective_var)
        tail = model.new_interval_var(cm.objective_var, size, ub, "tail")
        for k in range(p.n_resources):
            users = [j for j in range(p.n_jobs) if p.demand[j, k] > 0 and p.duration[j] > 0]
            if len(users) < 2:
                continue
            dem = [int(p.demand[j, k]) for j in users]
            if sum(dem) <= p.capacity[k]:
                continue
            model.add_cumulative(
                [cm.interval[j] for j in users] + [tail], [*dem, int(p.capacity[k])], int(p.capacity[k])
            )


def _add_delays(cm: CpSatModel, transitive: bool) -> None:
    """Add the :func:`precedence_delays` bounds that precedence propagation does not give.

    ``s_j >= e_i + delay[i, j]`` where the delay beats the longest path (all
    related pairs with ``transitive``), ``s_j >= min r + head_j`` and
    ``C_max >= e_j + tail_j``.
    """
    p, model = cm.problem, cm.model
    path, delay, head, tail = precedence_delays(p)
    pick = delay > path if not transitive else delay > _NONE
    for i, j in zip(*np.nonzero(pick)):
        model.add(cm.start[j] >= cm.end[i] + int(delay[i, j]))
    r0 = int(p.release.min(initial=0))
    for j in range(p.n_jobs):
        if head[j] > 0 and r0 + head[j] > p.release[j]:
            model.add(cm.start[j] >= r0 + int(head[j]))
        if tail[j] > 0:
            model.add(cm.objective_var >= cm.end[j] + int(tail[j]))


register_hook(strengthen_rcpsp)
