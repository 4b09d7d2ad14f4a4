"""Numba kernels for 1||ΣwjTj: arrays in, arrays out (int64 unless stated).

Every kernel takes ``p``, ``d``, ``w`` (``w`` all ones for 1||ΣTj) and returns
a job sequence (0-based job indices) or a value; none sees a Problem. The
wrappers in :mod:`.heuristics`, :mod:`.local_search` and :mod:`.exact` document
the rules and cite the papers.
"""

from __future__ import annotations

from typing import NamedTuple

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
def _best_insertion(
    seq: np.ndarray, c: np.ndarray, i: int, p: np.ndarray, d: np.ndarray, w: np.ndarray
) -> tuple[int, int]:
    """Best new position ``bj`` of the job at position ``i`` and the cost change ``bestd`` (< 0 or 0).

    O(n) by incremental deltas: moving the job after position ``j > i`` moves
    jobs ``i+1..j`` earlier by its processing time; moving it before ``j < i``
    moves jobs ``j..i-1`` later. ``c`` holds the completion times of ``seq``.
    """
    n = seq.shape[0]
    x = seq[i]
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
    return bestd, bj


@njit(cache=True)
def _move(seq: np.ndarray, i: int, bj: int) -> None:
    """Move the job at position ``i`` to position ``bj``, shifting the jobs between."""
    x = seq[i]
    if bj > i:
        for q in range(i, bj):
            seq[q] = seq[q + 1]
    else:
        for q in range(i, bj, -1):
            seq[q] = seq[q - 1]
    seq[bj] = x


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
            _, bj = _best_insertion(seq, c, i, p, d, w)
            if bj != i:
                _move(seq, i, bj)
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
    improve ``F``, and that evaluation stops once the part still to be
    evaluated cannot lift the gain above what ``F`` already has; the result is
    the same as the full evaluation. Swaps span at
    most ``window`` positions (``window >= n``: the full neighbourhood, O(n^3);
    otherwise O(n window^2)).
    Applies the best combination in place and returns its total gain.
    """
    return dynasearch_region(seq, p, d, w, window, 0, seq.shape[0] - 1)


@njit(cache=True)
def dynasearch_region(
    seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, window: int, lo: int, hi: int
) -> int:
    """:func:`dynasearch_pass` over the swaps ``(i, j)`` with ``i <= hi`` and ``j >= lo`` only.

    If ``seq`` differs from a swap local optimum only on positions ``lo..hi`` (jobs or completion
    times), every other swap has the gain it had there (it is <= 0), so the step equals the full one.
    """
    n = seq.shape[0]
    # job data in sequence order (contiguous reads in the pair loop)
    ps = np.empty(n, np.int64)
    ds = np.empty(n, np.int64)
    ws = np.empty(n, np.int64)
    c = np.empty(n, np.int64)
    cost = np.empty(n, np.int64)
    tw = np.zeros(n + 1, np.int64)  # prefix sums of the weights of tardy jobs
    tc = np.zeros(n + 1, np.int64)  # prefix sums of the costs
    t = 0
    for k in range(n):
        x = seq[k]
        ps[k] = p[x]
        ds[k] = d[x]
        ws[k] = w[x]
        t += p[x]
        c[k] = t
        e = t - d[x]
        cost[k] = w[x] * e if e > 0 else 0
        tw[k + 1] = tw[k] + (w[x] if e > 0 else 0)
        tc[k + 1] = tc[k] + cost[k]
    f = np.zeros(n + 1, np.int64)  # f[j]: best gain on positions < j
    arg = np.full(n + 1, -1, np.int64)  # arg[j] = i if swap (i, j-1) ends there
    for jj in range(1, n + 1):
        j = jj - 1
        f[jj] = f[jj - 1]
        arg[jj] = -1
        if j < lo:
            continue
        pb = ps[j]
        db = ds[j]
        wb = ws[j]
        cj = c[j]
        cb = cost[j]
        twj = tw[j]
        tcj = tc[j]
        if cb == 0 and tcj == 0:
            # b is early and no job before it is tardy: no swap ending at j can gain
            continue
        for i in range(max(0, j - window), min(j, hi + 1)):
            pa = ps[i]
            shift = pb - pa
            # a moves to end at c_j; b ends at c_i + shift
            e = cj - ds[i]
            g = cost[i] + cb - (ws[i] * e if e > 0 else 0)
            e = c[i] + shift - db
            if e > 0:
                g -= wb * e
            # the middle jobs gain at most -shift * (weight of tardy middle jobs), only if shift < 0
            if shift < 0:
                m1 = -shift * (twj - tw[i + 1])
                m2 = tcj - tc[i + 1]
                ub = g + (m1 if m1 < m2 else m2)
            else:
                ub = g
            if ub <= 0 or f[i] + ub <= f[jj]:
                continue
            if shift == 0 and ds[i] == db and ws[i] == wb:
                continue
            # exact middle gain, stopped as soon as the swap cannot beat thr any more
            thr = f[jj] - f[i]
            if thr < 0:
                thr = 0
            if shift != 0:
                for k in range(i + 1, j):
                    g += cost[k]
                    e = c[k] + shift - ds[k]
                    if e > 0:
                        g -= ws[k] * e
                    if shift > 0:
                        if g <= thr:  # the remaining middle jobs are delayed: g only falls
                            break
                    else:
                        m1 = -shift * (twj - tw[k + 1])
                        m2 = tcj - tc[k + 1]
                        if g + (m1 if m1 < m2 else m2) <= thr:
                            break
            if g > thr:
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
def insertion_flagged(seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, flag: np.ndarray) -> int:
    """Insertion descent restricted to flagged jobs ("don't look bits"), in place.

    Only jobs with ``flag[job]`` set are tried (each at its best position, as
    in :func:`insertion_descent`); a job's flag is cleared when it is tried and
    the flags of all jobs whose completion time a move changes (the span
    between the old and new position) are set. Stops when no flag is set; the
    result is an insertion local optimum with respect to the flagged jobs.
    """
    return insertion_budget(seq, p, d, w, flag, -1, -1)


@njit(cache=True)
def insertion_budget(
    seq: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, flag: np.ndarray, budget: int, reflag: int
) -> int:
    """:func:`insertion_flagged` that tries at most ``budget`` jobs (``< 0``: no limit).

    ``reflag >= 0``: after a move, flag only the jobs within ``reflag``
    positions of either end of the moved span (and not the moved job), instead
    of the whole span (``< 0``). Returns the number of moves, or ``-1`` if the
    budget ran out while a flag was still set (the flags then say where to
    resume; O(n) per try).
    """
    n = seq.shape[0]
    c = np.empty(n, np.int64)
    _completions(seq, p, c)
    moves = 0
    tries = 0
    active = True
    while active:
        active = False
        i = 0
        while i < n:
            x = seq[i]
            if not flag[x]:
                i += 1
                continue
            if budget >= 0 and tries >= budget:
                return -1
            tries += 1
            flag[x] = False
            _, bj = _best_insertion(seq, c, i, p, d, w)
            if bj != i:
                lo = min(i, bj)
                hi = max(i, bj)
                _move(seq, i, bj)
                t = c[lo - 1] if lo > 0 else 0
                for q in range(lo, hi + 1):
                    t += p[seq[q]]
                    c[q] = t
                    if reflag < 0 or q - lo < reflag or hi - q < reflag:
                        flag[seq[q]] = True
                flag[x] = False
                moves += 1
                active = True
                if bj > i:
                    continue
            i += 1
    return moves


@njit(cache=True)
def _flag_changed(old: np.ndarray, seq: np.ndarray, p: np.ndarray, flag: np.ndarray) -> None:
    """Set the flag of every job whose position or completion time differs between ``old`` and ``seq``."""
    t_old = 0
    t_new = 0
    for q in range(seq.shape[0]):
        t_old += p[old[q]]
        t_new += p[seq[q]]
        if old[q] != seq[q] or t_old != t_new:
            flag[seq[q]] = True


@njit(cache=True)
def _flag_moved(old: np.ndarray, seq: np.ndarray, flag: np.ndarray) -> None:
    """Set the flag of every job whose position differs between ``old`` and ``seq``."""
    for q in range(seq.shape[0]):
        if old[q] != seq[q]:
            flag[seq[q]] = True


@njit(cache=True)
def descent_step(
    seq: np.ndarray,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    flag: np.ndarray,
    window: int,
    budget: int,
    moved_only: bool,
) -> int:
    """A bounded piece of :func:`local_optimum`, for callers that check a clock between pieces.

    Runs :func:`insertion_budget` with ``budget`` tries; if the flagged
    insertion descent finishes, one dynasearch step (swaps spanning <=
    ``window``; none if ``window <= 0``) follows and the jobs it changed are
    flagged: with ``moved_only`` only the swapped jobs, else also the jobs
    between them (their completion times changed). Returns 1 when ``seq`` is a
    local optimum (insertion over the flagged jobs, then no improving
    dynasearch step), else 0. Repeating until 1 from all flags set gives a swap
    local optimum. It is not guaranteed to be an insertion local optimum:
    insertion is re-tried only for flagged jobs, and a swap can open an
    insertion gain for a job it did not move.
    """
    if insertion_budget(seq, p, d, w, flag, budget, -1) < 0:
        return 0
    if window <= 0 or seq.shape[0] < 2:
        return 1
    old = seq.copy()
    if dynasearch_pass(seq, p, d, w, window) == 0:
        return 1
    if moved_only:
        _flag_moved(old, seq, flag)
    else:
        _flag_changed(old, seq, p, flag)
    return 0


@njit(cache=True)
def _dirty(ref: np.ndarray, seq: np.ndarray, p: np.ndarray) -> tuple[int, int]:
    """First and last position where ``seq`` and ``ref`` differ in job or completion time.

    ``lo > hi`` when they are equal.
    """
    lo = seq.shape[0]
    hi = -1
    t_ref = 0
    t_new = 0
    for q in range(seq.shape[0]):
        t_ref += p[ref[q]]
        t_new += p[seq[q]]
        if ref[q] != seq[q] or t_ref != t_new:
            if q < lo:
                lo = q
            hi = q
    return lo, hi


@njit(cache=True)
def descend_near(
    trial: np.ndarray,
    ref: np.ndarray,
    p: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    flag: np.ndarray,
    window: int,
    reflag: int,
) -> None:
    """Local search after a perturbation of the local optimum ``ref`` (in place on ``trial``).

    Flagged insertion descent (:func:`insertion_flagged`, the caller flags the
    perturbed jobs), then dynasearch steps restricted to swaps that meet the
    positions where ``trial`` differs from ``ref`` (:func:`dynasearch_region`;
    exact when ``ref`` is a swap local optimum), each followed by a flagged
    insertion descent, until a step finds nothing.
    """
    insertion_budget(trial, p, d, w, flag, -1, reflag)
    if window <= 0 or trial.shape[0] < 2:
        return
    old = np.empty_like(trial)
    while True:
        lo, hi = _dirty(ref, trial, p)
        if lo > hi:
            return
        for q in range(trial.shape[0]):
            old[q] = trial[q]
        if dynasearch_region(trial, p, d, w, window, lo, hi) == 0:
            return
        _flag_changed(old, trial, p, flag)
        insertion_budget(trial, p, d, w, flag, -1, reflag)


class IlsParams(NamedTuple):
    """Parameters of one :func:`ils_local` call (all ``int``; numba takes it as a tuple)."""

    iters: int
    """Kicks to do."""
    kick: int
    """Random swaps per kick."""
    seed: int
    """Seed of numba's generator, set at the start of the call."""
    window: int
    """Longest swap of the dynasearch steps after a kick (0: insertion only)."""
    target: int
    """Stop when ``best`` reaches this total weighted tardiness."""
    reflag: int
    """Re-try radius of the flagged insertion descent (:func:`insertion_budget`)."""


@njit(cache=True)
def ils_local(
    cur: np.ndarray, best: np.ndarray, p: np.ndarray, d: np.ndarray, w: np.ndarray, params: IlsParams
) -> int:
    """``params.iters`` kicks of iterated local search; ``cur`` and ``best`` updated in place.

    ``cur`` must be a local optimum (of :func:`local_optimum` or
    :func:`descent_step`). Each kick swaps ``kick`` random pairs of positions at
    most 20 apart, all within 10 positions of one random centre, in a copy of
    ``cur``; only the jobs between the two positions of a kick swap are flagged
    for insertion, and dynasearch steps only look at swaps meeting the changed
    positions (:func:`descend_near`). The result
    replaces ``cur`` if it is no worse. Stops early when ``best`` reaches
    ``target``. Returns the iterations done. The names above are the fields of
    ``params`` (:class:`IlsParams`).
    """
    iters, kick, seed, window, target, reflag = params
    np.random.seed(seed)  # noqa: NPY002  (numba supports only the legacy global RNG)
    n = cur.shape[0]
    if n < 2:
        return 0
    curv = total_tardiness(cur, p, d, w)
    bestv = total_tardiness(best, p, d, w)
    trial = cur.copy()
    flag = np.zeros(n, np.bool_)
    for it in range(iters):
        if bestv <= target:
            return it
        for q in range(n):
            trial[q] = cur[q]
        # all kick swaps lie within 10 positions of a random centre (a local perturbation)
        centre = np.random.randint(0, n)  # noqa: NPY002
        a0 = max(0, centre - 10)
        a1 = min(n - 1, centre + 10)
        for _ in range(kick):
            i = np.random.randint(a0, a1 + 1)  # noqa: NPY002
            j = np.random.randint(a0, a1 + 1)  # noqa: NPY002
            if i != j:
                tmp = trial[i]
                trial[i] = trial[j]
                trial[j] = tmp
                for q in range(min(i, j), max(i, j) + 1):
                    flag[trial[q]] = True
        descend_near(trial, cur, p, d, w, flag, window, reflag)
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
def tardiness_lower_bound(p: np.ndarray, d: np.ndarray, w: np.ndarray) -> int:
    """A lower bound on ``sum w_j T_j`` for jobs from time 0 on one machine.

    ``min_j w_j * sum_k max(0, C_[k] - d_[k])`` with ``C_[k]`` the k-th SPT
    completion time and ``d_[k]`` the k-th smallest due date (the k-th
    completion of any sequence is at least ``C_[k]``, and pairing sorted
    completions with sorted due dates minimises a sum of convex
    ``max(0, C - d)`` terms; Lawler, 1977), or ``sum_j w_j max(0, p_j - d_j)``
    if that is larger.
    """
    n = p.shape[0]
    if n == 0:
        return 0
    ps = np.sort(p)
    ds = np.sort(d)
    c = 0
    v = 0
    wmin = w[0]
    own = 0
    for k in range(n):
        c += ps[k]
        if c > ds[k]:
            v += c - ds[k]
        if w[k] < wmin:
            wmin = w[k]
        if p[k] > d[k]:
            own += w[k] * (p[k] - d[k])
    return max(v * wmin, own)


# ----------------------------------------------------------------------------- exact


#: de Bruijn table: the set bit of ``b = 2^i < 2^32`` is ``i = _DEBRUIJN32[((b * 0x077CB531) % 2^32) >> 27]``
_DEBRUIJN32 = np.array(
    [
        *(0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8),
        *(31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9),
    ],
    np.int64,
)


def subset_dp(p: np.ndarray, d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Subset dynamic programme (Held & Karp, 1962, applied to 1||ΣwjTj), n <= 30.

    ``V(J) = min_{k in J} V(J \\ {k}) + w_k max(0, P(J) - d_k)`` with
    ``P(J) = sum_{i in J} p_i``: job ``k`` is the last of ``J``. O(n 2^n)
    time; the only 2^n-sized array is ``V`` (int32 when every value fits,
    else int64). See :func:`_subset_dp_values` and :func:`_subset_dp_walk`.
    Returns an optimal sequence.
    """
    n = p.shape[0]
    if n == 0:
        return np.zeros(0, np.int64)
    if n > 30:
        raise ValueError("subset_dp: at most 30 jobs")
    # every V(J) is at most sum_k w_k max(0, P - d_k)
    top = int(np.sum(np.asarray(w, np.int64) * np.maximum(0, int(np.sum(p)) - np.asarray(d, np.int64))))
    val = np.empty(1 << n, np.int32 if top < 2**31 - 1 else np.int64)
    _subset_dp_values(p, d, w, val)
    return _subset_dp_walk(p, d, w, val)


@njit(cache=True)
def _psum_tables(p: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums of ``p`` over the subsets of jobs ``0..h-1`` and of jobs ``h..n-1`` (bit masks)."""
    n = p.shape[0]
    lo = np.zeros(1 << h, np.int64)
    hi = np.zeros(1 << (n - h), np.int64)
    for m in range(1, 1 << h):
        low = m & (-m)
        lo[m] = lo[m ^ low] + p[_DEBRUIJN32[((low * 0x077CB531) & 0xFFFFFFFF) >> 27]]
    for m in range(1, 1 << (n - h)):
        low = m & (-m)
        hi[m] = hi[m ^ low] + p[h + _DEBRUIJN32[((low * 0x077CB531) & 0xFFFFFFFF) >> 27]]
    return lo, hi


@njit(cache=True)
def _subset_dp_values(p: np.ndarray, d: np.ndarray, w: np.ndarray, val: np.ndarray) -> None:
    """Fill ``val[J] = V(J)`` for every subset ``J`` (bit mask) in increasing mask order.

    Only the set bits of each mask are visited (lowest set bit by a de Bruijn
    table); ``P(J)`` comes from two small tables of half-subset sums, so no
    2^n-sized array besides ``val`` is touched.
    """
    n = p.shape[0]
    size = 1 << n
    h = n // 2
    lo_tab, hi_tab = _psum_tables(p, h)
    lmask = (1 << h) - 1
    tab = _DEBRUIJN32
    val[0] = 0
    for mask in range(1, size):
        tot = lo_tab[mask & lmask] + hi_tab[mask >> h]
        m = mask
        b = m & (-m)
        k = tab[((b * 0x077CB531) & 0xFFFFFFFF) >> 27]
        e = tot - d[k]
        bv = val[mask ^ b] + (w[k] * e if e > 0 else 0)
        m ^= b
        while m != 0:
            b = m & (-m)
            k = tab[((b * 0x077CB531) & 0xFFFFFFFF) >> 27]
            e = tot - d[k]
            v = val[mask ^ b] + (w[k] * e if e > 0 else 0)
            if v < bv:
                bv = v
            m ^= b
        val[mask] = bv


@njit(cache=True)
def _subset_dp_walk(p: np.ndarray, d: np.ndarray, w: np.ndarray, val: np.ndarray) -> np.ndarray:
    """Recover an optimal sequence from the values: the last job of ``J`` is the
    lowest-index ``k`` with ``V(J) = V(J minus k) + w_k max(0, P(J) - d_k)``. O(n^2)."""
    n = p.shape[0]
    out = np.empty(n, np.int64)
    mask = (1 << n) - 1
    tot = 0
    for k in range(n):
        tot += p[k]
    for pos in range(n - 1, -1, -1):
        pick = -1
        for k in range(n):
            if (mask >> k) & 1:
                e = tot - d[k]
                if val[mask ^ (1 << k)] + (w[k] * e if e > 0 else 0) == val[mask]:
                    pick = k
                    break
        out[pos] = pick
        mask ^= 1 << pick
        tot -= p[pick]
    return out
