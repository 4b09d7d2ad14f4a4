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
4. **Makespan-aware cumulatives** (``rcpsp_makespan_interval``, default off: on a
   small J30/J60 sample it did not pay):
   for each resource a redundant cumulative that adds an interval
   ``[C_max, UB)`` of demand ``R_k``, as OR-Tools' ``rcpsp_sat.py`` sample
   does with its interval-encoded makespan; energetic reasoning then sees
   that capacity after ``C_max`` is unusable. Valid because no job runs after
   ``C_max``. (Only added when there is no downtime, which ``rcpsp_sat.py``
   does not model either.)

Options (passed through ``schedopt.solve(..., method="cpsat", **options)``):
``rcpsp_strengthen`` (default True), ``rcpsp_heuristic_schedules``
(default :func:`default_heuristic_budget`; 0 disables the heuristic), ``rcpsp_makespan_interval``
(default False).

Not done: pairwise precedence-implied minimum delays computed by sub-solves
(``rcpsp_sat.py``'s ``--delay`` option); CP-SAT's own propagation of the
precedence chains already gives the CPM delays.
"""

from __future__ import annotations

import time
from typing import Any

from ...exact.cpsat import CpSatModel, register_hook
from .bounds import rcpsp_lower_bound
from .model import is_rcpsp


def default_heuristic_budget(n_jobs: int) -> int:
    """SGS passes of the GA run before CP-SAT: ``min(50000, max(2000, 3 n^2))``.

    About 0.1 s on J30 and 2 s on J120 on one core; on J60/J120 the GA's
    schedule is often better than what CP-SAT finds on its own in a minute.
    """
    return int(min(50_000, max(2_000, 3 * n_jobs * n_jobs)))


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
        limit = None if deadline is None else max(0.01, 0.25 * (deadline - time.perf_counter()))
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


register_hook(strengthen_rcpsp)
