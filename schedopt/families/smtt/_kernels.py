"""Numba kernels for 1||ΣwjTj: arrays in, arrays out (int64 unless stated).

Every kernel takes ``p``, ``d``, ``w`` (``w`` all ones for 1||ΣTj) and returns
a job sequence (0-based job indices) or a value; none sees a Problem. The
wrappers in :mod:`.heuristics`, :mod:`.local_search` and :mod:`.exact` document
the rules and cite the papers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# ----------------------------------------------------------------------------- evaluation


@njit(cache=True)
def total_tardiness(order: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray) -> int:
    """``sum_j w_j max(0, C_j - d_j)`` of jobs run back to back from 0 in ``order``."""
    t = 0
    tot = 0
    for k in range(order.shape[0]):
        j = order[k]
        t += p[j]
        if t > d[j]:
            tot += w[j] * (t - d[j])
    return tot


@njit(cache=True)
def is_permutation(order: np.ndarray, n: int) -> bool:
    if order.shape[0] != n:
        return False
    seen = np.zeros(n, np.bool_)
    for k in range(n):
        j = order[k]
        if j < 0 or j >= n or seen[j]:
            return False
        seen[j] = True
    return True


# ----------------------------------------------------------------------------- sorting rules


@njit(cache=True)
def lex_order(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """Indices sorted by ``primary``, ties by ``secondary``, then by index (stable)."""
    o2 = np.argsort(secondary, kind="mergesort")
    o1 = np.argsort(primary[o2], kind="mergesort")
    return o2[o1].astype(np.int64)


@njit(cache=True)
def lex_order_f(primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
    """:func:`lex_order` for a float primary key."""
    o2 = np.argsort(secondary, kind="mergesort")
    o1 = np.argsort(primary[o2], kind="mergesort")
    return o2[o1].astype(np.int64)


@njit(cache=True)
def edd(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Earliest due date, ties by shorter processing time, then index."""
    return lex_order(d, p)


@njit(cache=True)
def spt(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Shortest processing time, ties by earlier due date, then index."""
    return lex_order(p, d)


@njit(cache=True)
def wspt(p: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Smith's ratio rule: ``p_j / w_j`` ascending, ties by due date, then index.

    Equal rationals give equal IEEE quotients (division is correctly rounded),
    so ties are exact.
    """
    ratio = np.empty(p.shape[0], np.float64)
    for j in range(p.shape[0]):
        ratio[j] = p[j] / w[j] if w[j] > 0 else np.inf
    return lex_order_f(ratio, d)


# ----------------------------------------------------------------------------- dispatching rules


@njit(cache=True)
def mdd(p: np.ndarray, d: np.ndarray, w: np.ndarray, scan: np.ndarray) -> np.ndarray:
    """(Weighted) modified due date dispatching.

    At time ``t`` pick the unscheduled job minimising
    ``max(p_j, d_j - t) / w_j``; with unit weights this is Baker & Bertrand's
    ``max(t + p_j, d_j)``. Candidates are scanned in the order ``scan`` and the
    first minimum wins (this fixes the tie rule). Ratios are compared by
    cross-multiplication, so they are exact. O(n^2).
    """
    n = p.shape[0]
    left = scan.copy()
    m = n
    out = np.empty(n, np.int64)
    t = 0
    for pos in range(n):
        best = 0
        j = left[0]
        bn = max(p[j], d[j] - t)
        bw = w[j]
        for q in range(1, m):
            j = left[q]
            num = max(p[j], d[j] - t)
            # num / w[j] < bn / bw
            if num * bw < bn * w[j]:
                best = q
                bn = num
                bw = w[j]
        j = left[best]
        out[pos] = j
        t += p[j]
        for q in range(best, m - 1):
            left[q] = left[q + 1]
        m -= 1
    return out


@njit(cache=True)
def atc(p: np.ndarray, d: np.ndarray, w: np.ndarray, k: float, scan: np.ndarray) -> np.ndarray:
    """Apparent tardiness cost dispatching (Vepsalainen & Morton, 1987).

    At time ``t`` pick the job with the largest
    ``I_j = (w_j / p_j) exp(-max(d_j - p_j - t, 0) / (K pbar))``, with ``pbar``
    the mean processing time of the unscheduled jobs. Computed as ``log I_j``
    (no underflow). First maximum in ``scan`` order wins.
    """
    n = p.shape[0]
    left = scan.copy()
    m = n
    out = np.empty(n, np.int64)
    t = 0
    rem = 0
    for j in range(n):
        rem += p[j]
    for pos in range(n):
        pbar = rem / m
        scale = k * pbar if k * pbar > 0 else 1.0
        best = -1
        bv = -np.inf
        for q in range(m):
            j = left[q]
            pj = p[j] if p[j] > 0 else 1
            wj = w[j] if w[j] > 0 else 1e-12
            slack = d[j] - p[j] - t
            if slack < 0:
                slack = 0
            v = np.log(wj / pj) - slack / scale
            if v > bv:
                bv = v
                best = q
        j = left[best]
        out[pos] = j
        t += p[j]
        rem -= p[j]
        for q in range(best, m - 1):
            left[q] = left[q + 1]
        m -= 1
    return out


@njit(cache=True)
def eddc(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """EDD Challenger as the authors' code runs it (Cetinkaya et al., 2025).

    Start from SPT (ties by due date); for each position ``i`` scan up through
    consecutive due-date inversions, swapping a pair only when the upper job
    of the pair is strictly early at its current completion time. O(n^2).
    """
    s = spt(p, d)
    init = s.copy()
    n = p.shape[0]
    # positions 0..i-1 hold the first i SPT jobs as a set (swaps stay inside them)
    tot = 0  # sum of p over positions 0..i-1
    for i in range(1, n):
        tot += p[init[i - 1]]
        j = i
        pre = tot - p[s[i - 1]]  # sum over positions 0..j-2
        while j > 0 and d[s[j]] < d[s[j - 1]]:
            a = pre + p[s[j - 1]]  # completion of the job at position j-1
            if d[s[j - 1]] > a:
                tmp = s[j - 1]
                s[j - 1] = s[j]
                s[j] = tmp
            j -= 1
            if j > 0:
                pre -= p[s[j - 1]]
    return s


@njit(cache=True)
def _mddc_pick(p: np.ndarray, d: np.ndarray, left: np.ndarray, m: int, t: int) -> int:
    maxp = 0
    sump = 0
    for q in range(m):
        j = left[q]
        if p[j] > maxp:
            maxp = p[j]
        sump += p[j]
    meanp = sump / m
    best = 0
    bv = np.inf
    for q in range(m):
        j = left[q]
        mu = max(1.1 * p[j] + t, float(d[j]))
        den = t + maxp
        rho = min(p[j] / den, 1.0) if den != 0 else 0.0
        theta = rho * rho / (1.0 + rho * rho)
        mu = mu * (1.0 + theta)
        den2 = t + meanp
        mu += p[j] / den2 if den2 != 0 else 0.0
        if mu < bv:
            bv = mu
            best = q
    return best


@njit(cache=True)
def _mdd_pick(p: np.ndarray, d: np.ndarray, left: np.ndarray, m: int, t: int) -> int:
    best = 0
    j = left[0]
    bv = max(t + p[j], d[j])
    for q in range(1, m):
        j = left[q]
        v = max(t + p[j], d[j])
        if v < bv:
            bv = v
            best = q
    return best


@njit(cache=True)
def mddc(p: np.ndarray, d: np.ndarray) -> np.ndarray:
    """MDD Challenger (Cetinkaya et al., 2025, Algorithm 2 = the code).

    ``mu_j = max(1.1 p_j + t, d_j) (1 + theta_j) + p_j / (t + mean_U p)`` with
    ``rho_j = min(p_j / (t + max_U p), 1)``, ``theta_j = rho_j^2 / (1 + rho_j^2)``;
    the first minimum over ``U`` kept in EDD order (ties SPT) wins. O(n^2).
    """
    n = p.shape[0]
    left = edd(p, d)
    out = np.empty(n, np.int64)
    t = 0
    m = n
    for pos in range(n):
        best = _mddc_pick(p, d, left, m, t)
        j = left[best]
        out[pos] = j
        t += p[j]
        for q in range(best, m - 1):
            left[q] = left[q + 1]
        m -= 1
    return out


@njit(cache=True)
def augmented(p: np.ndarray, d: np.ndarray, rule: int) -> np.ndarray:
    """Bean & Hall (1985) style augmentation of a dispatching rule.

    ``rule``: 0 = MDD (EDD scan), 1 = MDDC, 2 = PSK (SPT scan). After each
    append, every earlier job of the partial sequence is tried at its end (all
    trials from the same partial sequence); the single best strict improvement
    of the partial sequence's total tardiness is kept. O(n^3).
    """
    n = p.shape[0]
    w1 = np.ones(n, np.int64)
    left = spt(p, d) if rule == 2 else edd(p, d)
    seq = np.empty(n, np.int64)
    trial = np.empty(n, np.int64)
    t = 0
    m = n
    for pos in range(n):
        best = _mddc_pick(p, d, left, m, t) if rule == 1 else _mdd_pick(p, d, left, m, t)
        j = left[best]
        seq[pos] = j
        t += p[j]
        for q in range(best, m - 1):
            left[q] = left[q + 1]
        m -= 1
        k = pos + 1
        cur = total_tardiness(seq[:k], p, d, w1)
        if cur == 0:
            continue
        bestv = cur
        bi = -1
        for i in range(k - 1):
            c = 0
            for q in range(i):
                trial[c] = seq[q]
                c += 1
            for q in range(i + 1, k):
                trial[c] = seq[q]
                c += 1
            trial[c] = seq[i]
            v = total_tardiness(trial[:k], p, d, w1)
            if v < bestv:
                bestv = v
                bi = i
        if bi >= 0:
            x = seq[bi]
            for q in range(bi, k - 1):
                seq[q] = seq[q + 1]
            seq[k - 1] = x
    return seq


# ----------------------------------------------------------------------------- local search


@njit(cache=True)
def _cost(j: int, c: int, d: np.ndarray, w: np.ndarray) -> int:
    return w[j] * (c - d[j]) if c > d[j] else 0


@njit(cache=True)
def _completions(seq: np.ndarray, p: np.ndarray, c: np.ndarray) -> None:
    t = 0
    for k in range(seq.shape[0]):
        t += p[seq[k]]
        c[k] = t


@njit(cache=True)
def adjacent_descent(seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray) -> int:
    """Swap adjacent pairs while that strictly improves (in place); returns the number of swaps."""
    n = seq.shape[0]
    moves = 0
    improved = True
    while improved:
        improved = False
        t = 0
        for k in range(n - 1):
            a = seq[k]
            b = seq[k + 1]
            old = _cost(a, t + p[a], d, w) + _cost(b, t + p[a] + p[b], d, w)
            new = _cost(b, t + p[b], d, w) + _cost(a, t + p[a] + p[b], d, w)
            if new < old:
                seq[k] = b
                seq[k + 1] = a
                moves += 1
                improved = True
                t += p[b]
            else:
                t += p[a]
    return moves


@njit(cache=True)
def insertion_descent(seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray) -> int:
    """Insertion descent (in place); returns the number of moves.

    For each job in turn, find its best new position (O(n) by incremental
    deltas in both directions) and move it there if that strictly improves;
    repeat passes until a pass makes no move. O(n^2) per pass.
    """
    n = seq.shape[0]
    c = np.empty(n, np.int64)
    moves = 0
    improved = True
    while improved:
        improved = False
        _completions(seq, p, c)
        i = 0
        while i < n:
            x = seq[i]
            px = p[x]
            cx = _cost(x, c[i], d, w)
            bestd = 0
            bj = i
            # forward: x after position j (> i); jobs i+1..j move earlier by px
            acc = 0
            for j in range(i + 1, n):
                y = seq[j]
                acc += _cost(y, c[j] - px, d, w) - _cost(y, c[j], d, w)
                delta = acc + _cost(x, c[j], d, w) - cx
                if delta < bestd:
                    bestd = delta
                    bj = j
            # backward: x before position j (< i); jobs j..i-1 move later by px
            acc = 0
            for j in range(i - 1, -1, -1):
                y = seq[j]
                acc += _cost(y, c[j] + px, d, w) - _cost(y, c[j], d, w)
                start = c[j - 1] if j > 0 else 0
                delta = acc + _cost(x, start + px, d, w) - cx
                if delta < bestd:
                    bestd = delta
                    bj = j
            if bj != i:
                if bj > i:
                    for q in range(i, bj):
                        seq[q] = seq[q + 1]
                else:
                    for q in range(i, bj, -1):
                        seq[q] = seq[q - 1]
                seq[bj] = x
                moves += 1
                improved = True
                _completions(seq, p, c)
                if bj > i:
                    continue  # a new job sits at position i
            i += 1
    return moves


@njit(cache=True)
def dynasearch_pass(seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, window: int) -> int:
    """One dynasearch step over the swap neighbourhood (Congram, Potts & van de Velde, 2002).

    ``F(j) = max(F(j-1), max_{i<j} F(i-1) + g(i, j))``: the best total gain of
    a set of swaps of positions ``(i, j)`` whose intervals ``[i, j]`` are
    disjoint; the gains add because a swap leaves every completion time
    outside its interval unchanged. A swap's gain is computed in O(j - i) only
    when an O(1) upper bound (its end jobs' change plus, when the middle moves
    earlier, the smaller of ``-shift`` times the weight of the tardy jobs in
    between and their total cost) could
    improve ``F``; the result is the same as the full evaluation. Swaps span at
    most ``window`` positions (``window >= n``: the full neighbourhood, O(n^3);
    otherwise O(n window^2)).
    Applies the best combination in place and returns its total gain.
    """
    n = seq.shape[0]
    c = np.empty(n, np.int64)
    _completions(seq, p, c)
    tw = np.zeros(n + 1, np.int64)  # prefix sums of the weights of tardy jobs
    tc = np.zeros(n + 1, np.int64)  # prefix sums of the costs
    for k in range(n):
        tw[k + 1] = tw[k] + (w[seq[k]] if c[k] > d[seq[k]] else 0)
        tc[k + 1] = tc[k] + _cost(seq[k], c[k], d, w)
    f = np.zeros(n + 1, np.int64)  # f[j]: best gain on positions < j
    arg = np.full(n + 1, -1, np.int64)  # arg[j] = i if swap (i, j-1) ends there
    for jj in range(1, n + 1):
        j = jj - 1
        f[jj] = f[jj - 1]
        arg[jj] = -1
        b = seq[j]
        for i in range(max(0, j - window), j):
            a = seq[i]
            if p[a] == p[b] and d[a] == d[b] and w[a] == w[b]:
                continue
            base = c[i - 1] if i > 0 else 0
            shift = p[b] - p[a]
            g = _cost(a, c[i], d, w) + _cost(b, c[j], d, w)
            g -= _cost(b, base + p[b], d, w) + _cost(a, c[j], d, w)
            # the middle jobs gain at most -shift * (weight of tardy middle jobs), only if shift < 0
            ub = g + (min(-shift * (tw[j] - tw[i + 1]), tc[j] - tc[i + 1]) if shift < 0 else 0)
            if ub <= 0 or f[i] + ub <= f[jj]:
                continue
            for k in range(i + 1, j):
                y = seq[k]
                g += _cost(y, c[k], d, w) - _cost(y, c[k] + shift, d, w)
            if g > 0 and f[i] + g > f[jj]:
                f[jj] = f[i] + g
                arg[jj] = i
    jj = n
    while jj > 0:
        if arg[jj] >= 0:
            i = arg[jj]
            tmp = seq[i]
            seq[i] = seq[jj - 1]
            seq[jj - 1] = tmp
            jj = i
        else:
            jj -= 1
    return f[n]


@njit(cache=True)
def local_optimum(seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, window: int) -> None:
    """Descend to a local optimum of insertion and dynasearch swaps spanning <= ``window`` (0: none).

    An insertion descent with every job flagged, then alternate dynasearch
    steps with insertion descents restricted (:func:`insertion_flagged`) to the jobs whose
    position or completion time the dynasearch step changed, until a
    dynasearch step finds no improving swap. The result is a dynasearch
    local optimum; insertion moves are re-examined only where things changed.
    """
    n = seq.shape[0]
    flag = np.ones(n, np.bool_)
    insertion_flagged(seq, p, d, w, flag)
    if window <= 0 or n < 2:
        return
    old = np.empty(n, np.int64)
    while True:
        for q in range(n):
            old[q] = seq[q]
        if dynasearch_pass(seq, p, d, w, window) == 0:
            break
        t_old = 0
        t_new = 0
        for q in range(n):
            t_old += p[old[q]]
            t_new += p[seq[q]]
            if old[q] != seq[q] or t_old != t_new:
                flag[seq[q]] = True
        insertion_flagged(seq, p, d, w, flag)


@njit(cache=True)
def ils_chunk(
    cur: np.ndarray,
    best: np.ndarray,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    iters: int,
    kick: int,
    seed: int,
    window: int,
    target: int,
) -> int:
    """``iters`` iterations of iterated local search; ``cur`` and ``best`` updated in place.

    Each iteration applies ``kick`` random swaps of positions at most 10 apart
    to the current local optimum, descends (:func:`local_optimum`), and
    accepts the result if it is no worse than the current one. Stops early
    when ``best`` reaches ``target``. Returns the iterations done.
    """
    np.random.seed(seed)  # noqa: NPY002  (numba supports only the legacy global RNG)
    n = cur.shape[0]
    curv = total_tardiness(cur, p, d, w)
    bestv = total_tardiness(best, p, d, w)
    trial = cur.copy()
    if n < 2:
        return 0
    for it in range(iters):
        if bestv <= target:
            return it
        for q in range(n):
            trial[q] = cur[q]
        for _ in range(kick):
            i = np.random.randint(0, n)  # noqa: NPY002
            span = min(10, n - 1)
            j = i + np.random.randint(1, span + 1)  # noqa: NPY002
            if j >= n:
                j = i - np.random.randint(1, span + 1)  # noqa: NPY002
                if j < 0:
                    j = 0
            if i != j:
                tmp = trial[i]
                trial[i] = trial[j]
                trial[j] = tmp
        local_optimum(trial, p, d, w, window)
        v = total_tardiness(trial, p, d, w)
        if v <= curv:
            curv = v
            for q in range(n):
                cur[q] = trial[q]
            if v < bestv:
                bestv = v
                for q in range(n):
                    best[q] = trial[q]
    return iters


@njit(cache=True)
def insertion_flagged(seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, flag: np.ndarray) -> int:
    """Insertion descent restricted to flagged jobs ("don't look bits"), in place.

    Only jobs with ``flag[job]`` set are tried (each at its best position, as
    in :func:`insertion_descent`); a job's flag is cleared when it is tried and
    the flags of all jobs whose completion time a move changes (the span
    between the old and new position) are set. Stops when no flag is set; the
    result is an insertion local optimum with respect to the flagged jobs.
    """
    n = seq.shape[0]
    c = np.empty(n, np.int64)
    _completions(seq, p, c)
    moves = 0
    active = True
    while active:
        active = False
        i = 0
        while i < n:
            x = seq[i]
            if not flag[x]:
                i += 1
                continue
            flag[x] = False
            px = p[x]
            cx = _cost(x, c[i], d, w)
            bestd = 0
            bj = i
            acc = 0
            for j in range(i + 1, n):
                y = seq[j]
                acc += _cost(y, c[j] - px, d, w) - _cost(y, c[j], d, w)
                delta = acc + _cost(x, c[j], d, w) - cx
                if delta < bestd:
                    bestd = delta
                    bj = j
            acc = 0
            for j in range(i - 1, -1, -1):
                y = seq[j]
                acc += _cost(y, c[j] + px, d, w) - _cost(y, c[j], d, w)
                start = c[j - 1] if j > 0 else 0
                delta = acc + _cost(x, start + px, d, w) - cx
                if delta < bestd:
                    bestd = delta
                    bj = j
            if bj != i:
                lo = min(i, bj)
                hi = max(i, bj)
                if bj > i:
                    for q in range(i, bj):
                        seq[q] = seq[q + 1]
                else:
                    for q in range(i, bj, -1):
                        seq[q] = seq[q - 1]
                seq[bj] = x
                t = c[lo - 1] if lo > 0 else 0
                for q in range(lo, hi + 1):
                    t += p[seq[q]]
                    c[q] = t
                    flag[seq[q]] = True
                flag[x] = False
                moves += 1
                active = True
                if bj > i:
                    continue
            i += 1
    return moves


# ----------------------------------------------------------------------------- exact


@njit(cache=True)
def subset_dp(p: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Subset dynamic programme (Held & Karp, 1962, applied to 1||ΣwjTj).

    ``V(J) = min_{k in J} V(J \\ {k}) + w_k max(0, P(J) - d_k)`` with
    ``P(J) = sum_{i in J} p_i``: job ``k`` is the last of ``J``. O(n 2^n)
    time, 2^n values and 2^n last-job choices. Returns an optimal sequence.
    """
    n = p.shape[0]
    size = 1 << n
    val = np.empty(size, np.int64)
    last = np.empty(size, np.int8)
    psum = np.empty(size, np.int64)
    val[0] = 0
    psum[0] = 0
    last[0] = -1
    for mask in range(1, size):
        best = -1
        bv = 0
        first = True
        tot = 0
        for k in range(n):
            if (mask >> k) & 1:
                if first:
                    psum[mask] = psum[mask ^ (1 << k)] + p[k]
                    tot = psum[mask]
                    first = False
                v = val[mask ^ (1 << k)] + (w[k] * (tot - d[k]) if tot > d[k] else 0)
                if best < 0 or v < bv:
                    bv = v
                    best = k
        val[mask] = bv
        last[mask] = best
    out = np.empty(n, np.int64)
    mask = size - 1
    for pos in range(n - 1, -1, -1):
        k = last[mask]
        out[pos] = k
        mask ^= 1 << k
    return out
