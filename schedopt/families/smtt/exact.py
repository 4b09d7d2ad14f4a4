"""Exact methods for 1||ΣTj and 1||ΣwjTj: subset DP (``dp``) and decomposition B&B (``exact``).

References
----------
Held, M. & Karp, R. M. (1962). A dynamic programming approach to sequencing problems. J. SIAM 10, 196-210.
Lawler, E. L. (1977). A "pseudopolynomial" algorithm for sequencing jobs to minimize total tardiness.
  Annals of Discrete Mathematics 1, 331-342.
Potts, C. N. & Van Wassenhove, L. N. (1982). A decomposition algorithm for the single machine total
  tardiness problem. Oper. Res. Letters 1, 177-181.
Szwarc, W., Grosso, A. & Della Croce, F. (2001). Algorithmic paradoxes of the single-machine total
  tardiness problem. J. Scheduling 4, 93-104.
Shang, L., T'kindt, V. & Della Croce, F. (2021). Branch & Memorize exact algorithms for sequencing
  problems. Computers & OR 128, 105171.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from ...errors import SolverError
from ...model import Problem
from ...registry import MethodOutput
from . import _kernels as K
from ._common import arrays, objective_of, output

#: Largest n accepted by ``method="dp"`` (2^22 values: 16 MB as int32, 32 MB as int64).
DP_MAX_JOBS = 22


def run_dp(problem: Problem, *, time_limit: float | None = None, seed: int = 0) -> MethodOutput:
    """Subset dynamic programme (Held & Karp 1962) for 1||ΣwjTj, n <= 22.

    ``V(J) = min_{k in J} V(J \\ {k}) + w_k max(0, P(J) - d_k)`` where
    ``P(J) = sum_{i in J} p_i`` and ``k`` is the last job of ``J``;
    ``V(all jobs)`` is the optimum, which the method proves (``bound`` equals
    the objective). O(n 2^n) time and O(2^n) memory; the time limit is not
    enforced inside the DP (n <= 22 keeps it under a few seconds).
    """
    n = problem.n_jobs
    if n > DP_MAX_JOBS:
        raise ValueError(f"method 'dp' handles at most {DP_MAX_JOBS} jobs, got {n}; use 'exact' or 'ils'")
    p, d, w = arrays(problem)
    seq = K.subset_dp(p, d, w) if n else np.zeros(0, np.int64)
    value = objective_of(seq, p, d, w)
    return output(problem, seq, "optimal", value, states=1 << n)


#: Potts & Van Wassenhove (1982) restrictions of Lawler's split position (see :class:`_Decomposition`).
FILTER_A = True
FILTER_B = True


class _Timeout(Exception):
    pass


class _Decomposition:
    """Lawler's decomposition recursion with memorisation (1||ΣTj).

    ``solve(S, t)``: optimal total tardiness of job set ``S`` (a tuple in EDD
    order, ties by shorter p, then index) started at time ``t``. Reductions,
    each valid for every ``S`` and ``t``:

    1. A job with ``d_j >= t + P(S)`` is never tardy when last; moving it to
       the end delays nobody, so all such jobs go last (Szwarc et al., 2001,
       use the same end-fixing argument).
    2. If every job is tardy wherever it runs (``d_j <= t + p_j``), the
       objective is ``sum C_j - sum d_j`` and SPT is optimal.
    3. If EDD from ``t`` has no tardy job it is optimal.
    4. Otherwise Lawler's decomposition (Lawler, 1977): let ``k`` be the
       longest job (ties: the last such job in EDD order) at EDD position ``r``
       of ``S``. Some optimal sequence puts exactly the jobs
       ``S[:r+delta+1] minus {k}`` before ``k`` and ``S[r+delta+1:]`` after
       it, for some ``delta >= 0``; the eligible ``delta`` are tried and the
       best kept. With ``C_k(delta) = t + sum_{q <= r+delta} p_{S[q]}`` (the
       completion time of ``k`` at that split), ``delta`` is eligible only if

       (A) ``C_k(delta) < d_{S[r+delta+1]}`` when that job exists, and
       (B) ``C_k(delta) >= d_{S[r+delta]}`` when ``delta > 0``.

       Why this is safe (our argument; it does not rely on the wording of any
       paper): Lawler's Theorem 1 and 2 say that if ``k`` completes at ``C`` in
       an optimal sequence, some optimal sequence puts before ``k`` exactly the
       jobs with ``d_j <= max(d_k, C)``, an EDD prefix, i.e. a split ``delta'``.
       The map ``delta -> delta'`` is monotone (``C_k`` grows with ``delta``),
       so iterating it from an optimal split reaches a fixed point, an optimal
       split at which every job before ``k`` has ``d_j <= max(d_k, C_k)`` and
       every job after has ``d_j > max(d_k, C_k)``. Because ``k`` is the last
       longest job in EDD order and EDD breaks ties by shorter ``p``, every job
       after ``k`` in EDD order has ``d_j > d_k``, so the fixed point satisfies
       (A) and (B). Rule (A) is the position condition
       usually attributed to Potts & Van Wassenhove (1982); the pairing with
       (B) as the interval ``d_{S[r+delta]} <= C_k(delta) < d_{S[r+delta+1]}``
       is how Szwarc et al. (2001) state the eligible positions, to our memory
       (neither paper was re-read for this docstring). Tests: ``exact`` equals
       the subset DP on hypothesis and on tie-heavy random instances
       (``tests/families/smtt/test_exact.py``); a mutation check of rules
       (A)/(B) is in the git history of ``benchmarks/smtt/RESULTS.md``.
    5. Branch and bound: each subproblem is solved against an upper bound
       (the root's is MDD + insertion descent); a subproblem whose lower bound
       (:meth:`lower_bound`) reaches its bound is cut, and any split whose
       first part already reaches it is skipped.

    Every ``(S, t)`` result is memorised, exact values and proven lower bounds
    alike (the "memorize" idea of Shang et al., 2021). Deviations from Szwarc
    et al. and Shang et al.: no double decomposition, no further dominance
    rules, pure Python (the recursion is not compiled).
    """

    def __init__(self, p: np.ndarray, d: np.ndarray, deadline: float | None):
        self.p = [int(x) for x in p]
        self.d = [int(x) for x in d]
        self.memo: dict[tuple[tuple[int, ...], int], tuple[int, int, int]] = {}
        self.deadline = deadline
        self.calls = 0

    def solve(self, s: tuple[int, ...], t: int, ub: int) -> tuple[int, bool]:
        """``(value, exact)`` for ``s`` (EDD-ordered tuple) started at ``t``.

        ``exact`` is ``True`` when ``value`` is the optimum and below ``ub``;
        otherwise ``value`` is a lower bound that is at least ``ub``.
        """
        v, e, _, _ = self._solve(s, t, ub)
        return v, e

    def lower_bound(self, s: tuple[int, ...], t: int) -> int:
        """``sum_k max(0, C_[k] - d_[k])``: SPT completion times against sorted due dates.

        Valid because the k-th completion of any sequence is at least the k-th
        SPT completion, and pairing sorted completions with sorted due dates
        minimises the sum of the convex ``max(0, C - d)`` terms (Lawler, 1977).
        """
        p, d = self.p, self.d
        ps = sorted(p[j] for j in s)
        ds = sorted(d[j] for j in s)
        c, v = t, 0
        for q in range(len(ps)):
            c += ps[q]
            if c > ds[q]:
                v += c - ds[q]
        return v

    def _solve(self, s: tuple[int, ...], t: int, ub: int) -> tuple[int, bool, int, int]:
        # returns (value, exact, kind, arg): kind 0 = EDD, 1 = SPT, 2 = Lawler split at delta=arg,
        # 3 = end-fixed jobs removed
        m = len(s)
        p, d = self.p, self.d
        if m == 0:
            return (0, ub > 0, 0, 0)
        if m == 1:
            j = s[0]
            v = max(0, t + p[j] - d[j])
            return (v, v < ub, 0, 0)
        key = (s, t)
        hit = self.memo.get(key)
        if hit is not None and (hit[1] or hit[0] >= ub):
            return (hit[0], hit[0] < ub and hit[1], hit[2], hit[3])
        self.calls += 1
        if self.deadline is not None and (self.calls & 1023) == 0 and time.perf_counter() > self.deadline:
            raise _Timeout
        total = t + sum(p[j] for j in s)
        if any(d[j] >= total for j in s):
            core = tuple(j for j in s if d[j] < total)
            v, e = self.solve(core, t, ub)
            res = (v, e, 3, 0)
            self._store(key, res)
            return res
        if all(d[j] <= t + p[j] for j in s):
            c, v = t, 0
            for j in sorted(s, key=lambda j: (p[j], j)):
                c += p[j]
                v += c - d[j]
            res = (v, v < ub, 1, 0)
            self.memo[key] = (v, True, 1, 0)
            return res
        c, v = t, 0
        for j in s:
            c += p[j]
            if c > d[j]:
                v += c - d[j]
        if v == 0:
            self.memo[key] = (0, True, 0, 0)
            return (0, ub > 0, 0, 0)
        lb = self.lower_bound(s, t)
        if lb >= ub:
            res = (lb, False, 0, 0)
            self._store(key, res)
            return res
        r = 0
        for q in range(m):
            if p[s[q]] >= p[s[r]]:
                r = q
        k = s[r]
        best, arg = ub, -1  # best exact value found (< ub) and its delta
        low = None  # min over delta of lower bounds (when no exact value below ub)
        before_p = t + sum(p[s[q]] for q in range(r))
        for delta in range(m - r):
            pos = r + delta
            if delta > 0:
                before_p += p[s[pos]]
            ck = before_p + p[k]
            if FILTER_A and pos + 1 < m and ck >= d[s[pos + 1]]:
                continue
            if FILTER_B and delta > 0 and ck < d[s[pos]]:
                continue
            tk = max(0, ck - d[k])
            before = s[:r] + s[r + 1 : pos + 1]
            after = s[pos + 1 :]
            v1, e1 = self.solve(before, t, best - tk)
            if not e1:
                cand = v1 + tk
            else:
                v2, e2 = self.solve(after, ck, best - tk - v1)
                cand = v1 + tk + v2
                if e2:
                    best, arg = cand, delta
                    continue
            low = cand if low is None else min(low, cand)
        if arg >= 0:
            res = (best, True, 2, arg)
        else:
            assert low is not None
            res = (max(low, lb), False, 2, 0)
        self._store(key, res)
        return res

    def _store(self, key: tuple[tuple[int, ...], int], res: tuple[int, bool, int, int]) -> None:
        old = self.memo.get(key)
        if old is None or res[1] or (not old[1] and res[0] > old[0]):
            self.memo[key] = res

    def sequence(self, s: tuple[int, ...], t: int) -> list[int]:
        """An optimal sequence of ``s`` from ``t`` (re-walks the memorised choices)."""
        p, d = self.p, self.d
        m = len(s)
        if m <= 1:
            return list(s)
        _, exact, kind, arg = self.memo.get((s, t), (0, True, 0, 0))
        assert exact, "sequence() is only called on exactly solved subproblems"
        if kind == 3:
            total = t + sum(p[j] for j in s)
            core = tuple(j for j in s if d[j] < total)
            return self.sequence(core, t) + [j for j in s if d[j] >= total]
        if kind == 1:
            return sorted(s, key=lambda j: (p[j], j))
        if kind == 0:
            return list(s)
        r = 0
        for q in range(m):
            if p[s[q]] >= p[s[r]]:
                r = q
        k = s[r]
        pos = r + arg
        before = s[:r] + s[r + 1 : pos + 1]
        after = s[pos + 1 :]
        ck = t + sum(p[j] for j in before) + p[k]
        return [*self.sequence(before, t), k, *self.sequence(after, ck)]


def run_exact(problem: Problem, *, time_limit: float | None = None, seed: int = 0) -> MethodOutput:
    """Decomposition branch and bound for 1||ΣTj (Lawler 1977; Potts & Van Wassenhove 1982).

    See :class:`_Decomposition` for the recursion, reductions and bounds.
    Proves optimality (``bound`` = objective) unless ``time_limit`` expires;
    then it returns MDD + insertion descent as a feasible schedule and no
    bound beyond the generic one (``info["timed_out"]``).
    """
    p, d, _ = arrays(problem)
    t0 = time.perf_counter()
    deadline = None if time_limit is None else t0 + float(time_limit)
    order = K.edd(p, d)
    dec = _Decomposition(p, d, deadline)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20 * problem.n_jobs + 1000))
    try:
        root = tuple(int(j) for j in order)
        start = K.mdd(p, d, np.ones_like(p), order)
        K.insertion_descent(start, p, d, np.ones_like(p))
        ub = objective_of(start, p, d, np.ones_like(p)) + 1
        value, ok = dec.solve(root, 0, ub)
        if not ok:
            raise SolverError(
                "internal error: decomposition did not solve the root below the heuristic bound"
            )
        seq = np.array(dec.sequence(root, 0), dtype=np.int64)
    except _Timeout:
        seq = K.mdd(p, d, np.ones_like(p), order)
        K.insertion_descent(seq, p, d, np.ones_like(p))
        return output(problem, seq, "feasible", None, states=len(dec.memo), timed_out=True)
    finally:
        sys.setrecursionlimit(old)
    if objective_of(seq, p, d, np.ones_like(p)) != value:
        raise SolverError("internal error: decomposition sequence does not reproduce its value")
    return output(problem, seq, "optimal", value, states=len(dec.memo))
