"""Lower bounds on the RCPSP makespan beyond the critical path.

* :func:`energy_bound` (LB2, the resource/"capacity" bound): no schedule can
  finish before the capacity it consumed is available. For each resource
  ``k`` with energy ``E_k = sum_j p_j r_jk`` the makespan is at least the
  smallest ``T`` with ``sum_{t < T} R_k(t) >= E_k``; without downtime this is
  ``ceil(E_k / R_k)`` (Stinson, Davis & Khumawala 1978; the bound LB2 of
  Klein & Scholl 1999, "Computing lower bounds by destructive improvement",
  EJOR 112, 322-346). Release dates are ignored (the bound stays valid).
* :func:`incompatible_bound`: jobs that pairwise cannot run in parallel
  (demand above half the capacity of one resource, or a disjunctive clique
  via the same rule) form a chain: ``T >= min_j r_j + sum_j p_j`` over such a
  set (a one-machine relaxation, as in the LB1/"parallelity" bounds of
  Mingozzi et al. 1998, Management Science 44(5), 714-729, restricted to the
  ``r_jk > R_k / 2`` clique).
* :func:`rcpsp_lower_bound` takes the best of these and the critical path.
"""

from __future__ import annotations

import numpy as np

from ...bounds import critical_path_bound
from ...model import Problem


def _capacity_profile(problem: Problem, k: int, horizon: int) -> np.ndarray:
    cap = np.full(horizon, int(problem.capacity[k]), np.int64)
    for kk, a, b, level in problem.downtime:
        if kk == k:
            seg = cap[int(a) : int(b)]
            np.minimum(seg, int(level), out=seg)
    return cap


def energy_bound(problem: Problem) -> int:
    """LB2: ``max_k min{T : sum_{t<T} R_k(t) >= sum_j p_j r_jk}`` (see module docstring)."""
    best = 0
    dur = problem.duration
    if dur.ndim != 1:
        return 0
    horizon = int(problem.downtime[:, 2].max(initial=0)) + int(dur.sum()) + 1
    for k in range(problem.n_resources):
        energy = int((dur * problem.demand[:, k]).sum())
        if energy == 0:
            continue
        if len(problem.downtime) == 0:
            best = max(best, -(-energy // int(problem.capacity[k])))
            continue
        cum = np.cumsum(_capacity_profile(problem, k, horizon))
        t = int(np.searchsorted(cum, energy)) + 1  # first T with cum[T-1] >= energy
        best = max(best, min(t, horizon))
    return best


def incompatible_bound(problem: Problem) -> int:
    """``max_k (min r_j + sum p_j)`` over jobs with ``2 r_jk > R_k`` (pairwise incompatible)."""
    dur = problem.duration
    if dur.ndim != 1:
        return 0
    best = 0
    for k in range(problem.n_resources):
        big = (2 * problem.demand[:, k] > problem.capacity[k]) & (dur > 0)
        if big.any():
            best = max(best, int(problem.release[big].min() + dur[big].sum()))
    return best


def rcpsp_lower_bound(problem: Problem) -> int:
    """The best of the critical path (LB0), LB2 and the incompatible-set bound; 0 for feasibility."""
    if problem.objective != "makespan":
        return 0
    return max(critical_path_bound(problem), energy_bound(problem), incompatible_bound(problem))
