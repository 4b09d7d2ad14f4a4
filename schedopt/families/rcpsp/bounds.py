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
* :func:`precedence_delays`: the same bounds applied to the activities
  between two precedence-related ones, giving minimum delays, heads and tails.
"""

from __future__ import annotations

import itertools

import networkx as nx
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


def _energy_time(problem: Problem, k: int, energy: int, horizon: int) -> int:
    """``min(horizon, min{T : sum_{t<T} R_k(t) >= energy})`` for ``energy > 0``.

    Event-based: ``R_k`` is constant between downtime window bounds, so the sum
    is walked segment by segment and no array of ``horizon`` entries is built
    (durations of ``10**12`` cost nothing more than durations of 10).
    """
    cap = int(problem.capacity[k])
    wins = [(int(a), int(b), int(level)) for kk, a, b, level in problem.downtime if kk == k]
    points = sorted({0, horizon, *(x for a, b, _ in wins for x in (a, b) if x < horizon)})
    done = 0
    for s, e in itertools.pairwise(points):
        c = min([cap, *(level for a, b, level in wins if a <= s < b)])
        if c > 0 and done + c * (e - s) >= energy:
            return min(s + -(-(energy - done) // c), horizon)
        done += c * (e - s)
    return horizon


def energy_bound(problem: Problem) -> int:
    """LB2: ``max_k min{T : sum_{t<T} R_k(t) >= sum_j p_j r_jk}`` (see module docstring).

    With downtime ``T`` is capped by the latest downtime end plus the summed
    durations (plus one); the profile is walked by events (:func:`_energy_time`),
    so memory does not grow with the durations.
    """
    best = 0
    dur = problem.duration
    if dur.ndim != 1:
        return 0
    horizon = int(problem.downtime[:, 2].max(initial=0)) + int(dur.sum()) + 1
    for k in range(problem.n_resources):
        # Python integers: p_j r_jk may exceed int64 (each factor is only bounded by 2**50)
        energy = int(np.dot(dur.astype(object), problem.demand[:, k].astype(object)))
        if energy == 0:
            continue
        if len(problem.downtime) == 0:
            best = max(best, -(-energy // int(problem.capacity[k])))
            continue
        best = max(best, _energy_time(problem, k, energy, horizon))
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
