"""MIP models for 1||ΣwjTj through PuLP + HiGHS: time-indexed (``mip``) and positional (``mip-positional``).

References
----------
Sousa, J. P. & Wolsey, L. A. (1992). A time indexed formulation of non-preemptive single machine
  scheduling problems. Math. Programming 54, 353-367.
Keha, A. B., Khowala, K. & Fowler, J. W. (2009). Mixed integer programming formulations for single
  machine scheduling problems. Computers & Industrial Engineering 56, 357-367.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pulp

from ...model import Problem
from ...registry import MethodOutput
from . import _kernels as K
from ._common import arrays, objective_of, output
from .heuristics import sequence
from .local_search import default_start

#: largest ``n * sum(p)`` (binary variables) the time-indexed model accepts by default.
MIP_MAX_BINARIES = 200_000


def _solver(time_limit: float | None, t0: float, log: bool) -> pulp.LpSolver:
    kw: dict[str, Any] = {"msg": bool(log), "threads": 1}
    if time_limit is not None:
        kw["timeLimit"] = max(0.1, float(time_limit) - (time.perf_counter() - t0))
    return pulp.HiGHS(**kw)


def _finish(
    problem: Problem, prob: pulp.LpProblem, seq: np.ndarray | None, fallback: np.ndarray, **info: Any
) -> MethodOutput:
    status = pulp.LpStatus[prob.status]
    p, d, w = arrays(problem)
    bound = None
    try:
        raw = prob.solverModel.getInfo().mip_dual_bound if prob.solverModel is not None else None
        if raw is not None and math.isfinite(raw):
            bound = math.ceil(raw - 1e-6)
    except Exception:  # solver detail unavailable: no bound
        bound = None
    if seq is None or objective_of(seq, p, d, w) > objective_of(fallback, p, d, w):
        seq = fallback
    value = objective_of(seq, p, d, w)
    proven = status == "Optimal" and bound is not None and bound >= value
    if status == "Optimal" and bound is None:
        # HiGHS reported optimality (within its default relative gap 1e-4); trust only exact closure
        bound = None
    if bound is not None:
        bound = min(bound, value)
    return output(problem, seq, "optimal" if proven else "feasible", bound, pulp_status=status, **info)


def run_mip_time_indexed(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    log: bool = False,
    max_binaries: int = MIP_MAX_BINARIES,
) -> MethodOutput:
    """Time-indexed MIP (Sousa & Wolsey 1992) solved by HiGHS through PuLP.

    ``x_jt = 1`` iff job ``j`` starts at ``t`` (``0 <= t <= P - p_j``,
    ``P = sum p``): ``sum_t x_jt = 1`` per job; per time unit ``s``,
    ``sum_j sum_{t = s - p_j + 1}^{s} x_jt <= 1`` (one job at a time);
    minimise ``sum_j sum_t w_j max(0, t + p_j - d_j) x_jt``. No idle time is
    needed (regular objective, no release dates), so the horizon ``P`` is
    safe. Its LP bound is strong but the model has ``n P`` binaries, so it
    refuses instances above ``max_binaries``. The MIP dual bound is reported
    as the bound; ``"optimal"`` only when it meets the objective.
    """
    t0 = time.perf_counter()
    p, d, w = arrays(problem)
    n = problem.n_jobs
    horizon = int(p.sum())
    if n * max(horizon, 1) > max_binaries:
        raise ValueError(
            f"time-indexed model would need {n * horizon} binaries (> max_binaries={max_binaries}); "
            "use method='mip-positional', 'exact' or 'ils'"
        )
    fallback = sequence(problem, default_start(problem))
    K.insertion_descent(fallback, p, d, w)
    prob = pulp.LpProblem("smtt_time_indexed", pulp.LpMinimize)
    x: dict[tuple[int, int], pulp.LpVariable] = {}
    cost = []
    for j in range(n):
        for t in range(horizon - int(p[j]) + 1):
            x[j, t] = prob.add_variable(f"x_{j}_{t}", cat="Binary")
            c = int(w[j]) * max(0, t + int(p[j]) - int(d[j]))
            if c:
                cost.append(c * x[j, t])
    prob += pulp.lpSum(cost)
    for j in range(n):
        prob += pulp.lpSum(x[j, t] for t in range(horizon - int(p[j]) + 1)) == 1
    for s in range(horizon):
        terms = [x[j, t] for j in range(n) for t in range(max(0, s - int(p[j]) + 1), s + 1) if (j, t) in x]
        if len(terms) > 1:
            prob += pulp.lpSum(terms) <= 1
    prob.solve(_solver(time_limit, t0, log))
    seq = None
    if pulp.LpStatus[prob.status] in ("Optimal", "Not Solved") and all(
        v.varValue is not None for v in x.values()
    ):
        starts = np.full(n, -1, np.int64)
        for (j, t), v in x.items():
            if v.varValue > 0.5:
                starts[j] = t
        if (starts >= 0).all():
            seq = np.argsort(starts, kind="stable").astype(np.int64)
    return _finish(problem, prob, seq, fallback, model="time-indexed", binaries=len(x))


def run_mip_positional(
    problem: Problem, *, time_limit: float | None = None, seed: int = 0, log: bool = False
) -> MethodOutput:
    """Positional assignment MIP of Keha, Khowala & Fowler (2009), as used by Cetinkaya et al. (2025).

    ``u_jk = 1`` iff job ``j`` is in position ``k``; ``c_k`` the completion of
    position ``k``: ``c_1 >= sum_j p_j u_j1``, ``c_k >= c_{k-1} + sum_j p_j u_jk``;
    ``C_j >= c_k - M (1 - u_jk)`` with ``M = sum p``; ``T_j >= C_j - d_j``,
    ``T_j >= 0``; minimise ``sum w_j T_j``. Plus the valid inequality
    ``C_j >= p_j + sum_k pi_jk u_jk`` (``pi_jk``: the ``k - 1`` shortest other
    jobs' total). Weak LP bound (big-M); kept for parity with the paper.
    """
    t0 = time.perf_counter()
    p, d, w = arrays(problem)
    n = problem.n_jobs
    big = int(p.sum())
    fallback = sequence(problem, default_start(problem))
    K.insertion_descent(fallback, p, d, w)
    prob = pulp.LpProblem("smtt_positional", pulp.LpMinimize)
    u = {(j, k): prob.add_variable(f"u_{j}_{k}", cat="Binary") for j in range(n) for k in range(n)}
    c = [prob.add_variable(f"c_{k}", lowBound=0) for k in range(n)]
    cj = [prob.add_variable(f"C_{j}", lowBound=0) for j in range(n)]
    tj = [prob.add_variable(f"T_{j}", lowBound=0) for j in range(n)]
    prob += pulp.lpSum(int(w[j]) * tj[j] for j in range(n))
    for j in range(n):
        prob += pulp.lpSum(u[j, k] for k in range(n)) == 1
    for k in range(n):
        prob += pulp.lpSum(u[j, k] for j in range(n)) == 1
        work = pulp.lpSum(int(p[j]) * u[j, k] for j in range(n))
        prob += (c[k] >= work) if k == 0 else (c[k] >= c[k - 1] + work)
    for j in range(n):
        others = np.sort(np.delete(p, j))
        pi = np.concatenate([[0], np.cumsum(others)])
        for k in range(n):
            prob += cj[j] >= c[k] - big * (1 - u[j, k])
        prob += cj[j] >= int(p[j]) + pulp.lpSum(int(pi[k]) * u[j, k] for k in range(n))
        prob += tj[j] >= cj[j] - int(d[j])
    prob.solve(_solver(time_limit, t0, log))
    seq = None
    if all(v.varValue is not None for v in u.values()):
        pos = np.full(n, -1, np.int64)
        for (j, k), v in u.items():
            if v.varValue > 0.5:
                pos[j] = k
        if sorted(pos.tolist()) == list(range(n)):
            seq = np.argsort(pos, kind="stable").astype(np.int64)
    return _finish(problem, prob, seq, fallback, model="positional")
