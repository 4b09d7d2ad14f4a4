"""Numba kernels for RCPSP schedule generation (arrays in, arrays out).

Every kernel works on a time-indexed capacity profile ``profile[t, k]``
(capacity of resource ``k`` during ``[t, t + 1)``, downtime already applied)
and on compressed adjacency lists (``ptr``/``idx``/``lag`` in CSR layout) for
predecessors, successors and disjunctive partners. They never see a
:class:`schedopt.Problem`; :mod:`schedopt.families.rcpsp.heuristics` converts.

Conventions shared by all kernels
---------------------------------
* ``order`` is an activity list; the serial kernels need it precedence
  feasible (every predecessor before its successors).
* ``start`` is written in place (``-1`` = unscheduled).
* Deadlines are *not* enforced while placing a job (that could make the
  scheme fail half-way); instead the kernels return the total deadline excess
  ``sum_j max(0, C_j - D_j)``. A schedule is feasible iff that excess is 0.
  Release dates, precedence lags, time-varying capacity and disjunctive pairs
  are enforced exactly.
* ``avail`` is a work array that must equal ``profile`` on entry; every
  kernel restores it before returning (restoring only the rows it touched is
  much cheaper than copying the whole profile per schedule).

References
----------
Kelley, J. E. (1963). The critical-path method: resources planning and
scheduling. In Industrial Scheduling, 347-365 (serial SGS).
Kolisch, R. (1996). Serial and parallel resource-constrained project
scheduling methods revisited: theory and computation. EJOR 90, 320-333.
Drexl, A. (1991). Scheduling of project networks by job assignment.
Management Science 37(12), 1590-1602 (regret-based biased random sampling).
Hartmann, S. (1998). A competitive genetic algorithm for resource-constrained
project scheduling. Naval Research Logistics 45, 733-750.
Valls, V., Ballestin, F. & Quintanilla, S. (2005). Justification and RCPSP:
a technique that pays. EJOR 165(2), 375-386.
Debels, D. & Vanhoucke, M. (2007). A decomposition-based genetic algorithm
for the resource-constrained project scheduling problem. Operations Research
55(3), 457-469.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: Returned as makespan when a schedule does not fit the profile's horizon
#: (the wrappers size the profile so that this cannot happen).
OVERFLOW = -1


@njit(cache=True)
def seed_rng(seed: int) -> None:
    """Seed numba's internal generator (used by the sampling and GA kernels)."""
    np.random.seed(seed)  # noqa: NPY002 (numba supports the legacy API)


@njit(cache=True)
def _restore(avail, profile, lo, hi):  # pragma: no cover - numba
    """Copy rows ``[lo, hi)`` of the profile back into the work array."""
    r = profile.shape[1]
    for u in range(max(lo, 0), min(hi, profile.shape[0])):
        for k in range(r):
            avail[u, k] = profile[u, k]


@njit(cache=True)
def _fits_at(j, t, p, demand, avail, start, dur, dis_ptr, dis_idx):  # pragma: no cover - numba
    """Latest conflicting time in ``[t, t+p)`` (resources), or the end of an
    overlapping disjunctive partner, as the next candidate start; ``-1`` if ``j`` fits."""
    r = demand.shape[1]
    for u in range(t + p - 1, t - 1, -1):
        for k in range(r):
            if demand[j, k] > avail[u, k]:
                return u + 1
    for e in range(dis_ptr[j], dis_ptr[j + 1]):
        q = dis_idx[e]
        sq = start[q]
        if sq >= 0 and dur[q] > 0 and sq < t + p and t < sq + dur[q]:
            return sq + dur[q]
    return -1


@njit(cache=True)
def serial_forward(
    order,
    dur,
    pred_ptr,
    pred_idx,
    pred_lag,
    release,
    deadline,
    demand,
    profile,
    dis_ptr,
    dis_idx,
    avail,
    start,
):  # pragma: no cover - numba
    """Serial schedule-generation scheme (Kelley 1963; Kolisch 1996).

    Jobs are taken in list order; each starts at the earliest time
    ``t >= max(r_j, max_i S_i + p_i + lag_ij)`` at which its demand fits the
    remaining capacity over ``[t, t + p_j)`` and no disjunctive partner
    overlaps. Every active schedule is the image of some list.

    Returns
    -------
    (makespan, deadline_excess); makespan is :data:`OVERFLOW` if the profile
    horizon is too short.
    """
    n = dur.shape[0]
    horizon = profile.shape[0]
    r = profile.shape[1]
    start[:] = -1
    makespan = 0
    excess = 0
    for pos in range(n):
        j = order[pos]
        p = dur[j]
        t = release[j]
        for e in range(pred_ptr[j], pred_ptr[j + 1]):
            i = pred_idx[e]
            v = start[i] + dur[i] + pred_lag[e]
            if v > t:
                t = v
        if p > 0:
            while True:
                if t + p > horizon:
                    _restore(avail, profile, 0, horizon)
                    return OVERFLOW, 0
                nxt = _fits_at(j, t, p, demand, avail, start, dur, dis_ptr, dis_idx)
                if nxt < 0:
                    break
                t = nxt
            for u in range(t, t + p):
                for k in range(r):
                    avail[u, k] -= demand[j, k]
        start[j] = t
        f = t + p
        if f > makespan:
            makespan = f
        if f > deadline[j]:
            excess += f - deadline[j]
    _restore(avail, profile, 0, makespan)
    return makespan, excess


@njit(cache=True)
def serial_backward(
    order,
    horizon_end,
    dur,
    succ_ptr,
    succ_idx,
    succ_lag,
    release,
    deadline,
    demand,
    profile,
    dis_ptr,
    dis_idx,
    avail,
    start,
):  # pragma: no cover - numba
    """Backward serial SGS: each job in list order finishes as late as possible.

    The latest finish of ``j`` is ``min(T, D_j, min_q S_q - lag_jq)`` over its
    (already placed) successors ``q``; the scheme moves the finish down until
    the demand fits over ``[f - p_j, f)`` and no disjunctive partner overlaps.
    This is the right-justification step of Valls et al. (2005), done in real
    time so that time-varying capacity and release dates stay exact.

    Returns
    -------
    The earliest start of the backward schedule, or ``-1`` if some job cannot
    start at or after its release (never happens when ``order`` sorts a
    feasible schedule of makespan ``<= T`` by non-increasing finish times).
    """
    n = dur.shape[0]
    r = profile.shape[1]
    start[:] = -1
    first = horizon_end
    for pos in range(n):
        j = order[pos]
        p = dur[j]
        f = horizon_end
        if deadline[j] < f:
            f = deadline[j]
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            q = succ_idx[e]
            v = start[q] - succ_lag[e]
            if v < f:
                f = v
        if p > 0:
            while True:
                if f - p < release[j]:
                    _restore(avail, profile, 0, horizon_end)
                    return -1
                nxt = -1
                for u in range(f - p, f):
                    for k in range(r):
                        if demand[j, k] > avail[u, k]:
                            nxt = u
                            break
                    if nxt >= 0:
                        break
                if nxt < 0:
                    for e in range(dis_ptr[j], dis_ptr[j + 1]):
                        q = dis_idx[e]
                        sq = start[q]
                        if sq >= 0 and dur[q] > 0 and sq < f and f - p < sq + dur[q]:
                            nxt = sq
                            break
                if nxt < 0:
                    break
                f = nxt
            for u in range(f - p, f):
                for k in range(r):
                    avail[u, k] -= demand[j, k]
        elif f < release[j]:
            _restore(avail, profile, 0, horizon_end)
            return -1
        start[j] = f - p
        if f - p < first:
            first = f - p
    _restore(avail, profile, first, horizon_end)
    return first


@njit(cache=True)
def parallel_forward(
    order,
    dur,
    pred_ptr,
    succ_ptr,
    succ_idx,
    succ_lag,
    release,
    deadline,
    demand,
    profile,
    change_pts,
    dis_ptr,
    dis_idx,
    avail,
    start,
    es,
    npred,
):  # pragma: no cover - numba
    """Parallel (time-incremental) SGS (Kelley 1963; Kolisch 1996).

    At each decision time ``t`` the eligible jobs (all predecessors scheduled,
    earliest precedence/release start ``<= t``) are started at ``t`` in list
    order (position = priority) while they fit. The next decision time is the
    smallest later finish time, earliest start of an eligible job or capacity
    change point. It generates non-delay schedules only.

    Returns
    -------
    (makespan, deadline_excess) as :func:`serial_forward`.
    """
    n = dur.shape[0]
    horizon = profile.shape[0]
    r = profile.shape[1]
    for j in range(n):
        start[j] = -1
        es[j] = release[j]
        npred[j] = pred_ptr[j + 1] - pred_ptr[j]
    t = release.min() if n > 0 else 0
    done = 0
    makespan = 0
    excess = 0
    big = np.int64(1) << np.int64(62)
    while done < n:
        progress = True
        while progress:
            progress = False
            for pos in range(n):
                j = order[pos]
                if start[j] >= 0 or npred[j] > 0 or es[j] > t:
                    continue
                p = dur[j]
                if p > 0:
                    if t + p > horizon:
                        _restore(avail, profile, 0, horizon)
                        return OVERFLOW, 0
                    if _fits_at(j, t, p, demand, avail, start, dur, dis_ptr, dis_idx) >= 0:
                        continue
                    for u in range(t, t + p):
                        for k in range(r):
                            avail[u, k] -= demand[j, k]
                start[j] = t
                done += 1
                f = t + p
                if f > makespan:
                    makespan = f
                if f > deadline[j]:
                    excess += f - deadline[j]
                for e in range(succ_ptr[j], succ_ptr[j + 1]):
                    q = succ_idx[e]
                    v = f + succ_lag[e]
                    if v > es[q]:
                        es[q] = v
                    npred[q] -= 1
                progress = True
                break  # restart in priority order: a zero-duration job may free a better one
        if done == n:
            break
        nt = big
        for j in range(n):
            if start[j] >= 0:
                f = start[j] + dur[j]
                if t < f < nt:
                    nt = f
            elif npred[j] == 0 and t < es[j] < nt:
                nt = es[j]
        for c in change_pts:
            if c > t:
                if c < nt:
                    nt = c
                break
        if nt == big:
            _restore(avail, profile, 0, horizon)
            return OVERFLOW, 0
        t = nt
    _restore(avail, profile, 0, makespan)
    return makespan, excess


@njit(cache=True)
def sample_list(value, alpha, eps, deterministic, pred_ptr, succ_ptr, succ_idx, npred, elig, order):
    """Build a precedence-feasible activity list from priority values.

    At each step the eligible set ``E`` holds the jobs whose predecessors are
    all listed. Deterministically the job of smallest ``value`` is taken
    (ties: smallest index). Otherwise regret-based biased random sampling
    (Drexl 1991): job ``j`` is drawn with probability proportional to
    ``(max_{i in E} v_i - v_j + eps) ** alpha``.
    """  # pragma: no cover - numba
    n = value.shape[0]
    weight = np.empty(n, np.float64)
    m = 0
    for j in range(n):
        npred[j] = pred_ptr[j + 1] - pred_ptr[j]
        if npred[j] == 0:
            elig[m] = j
            m += 1
    for pos in range(n):
        pick = 0
        if deterministic or m == 1:
            for a in range(1, m):
                if value[elig[a]] < value[elig[pick]] or (
                    value[elig[a]] == value[elig[pick]] and elig[a] < elig[pick]
                ):
                    pick = a
        else:
            vmax = value[elig[0]]
            for a in range(1, m):
                if value[elig[a]] > vmax:
                    vmax = value[elig[a]]
            for a in range(m):
                w = vmax - value[elig[a]] + eps
                weight[a] = w if alpha == 1.0 else w**alpha
            total = 0.0
            for a in range(m):
                total += weight[a]
            x = np.random.random() * total  # noqa: NPY002 (numba supports the legacy API)
            acc = 0.0
            pick = m - 1
            for a in range(m):
                acc += weight[a]
                if x < acc:
                    pick = a
                    break
        j = elig[pick]
        order[pos] = j
        m -= 1
        elig[pick] = elig[m]
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            q = succ_idx[e]
            npred[q] -= 1
            if npred[q] == 0:
                elig[m] = q
                m += 1
    return order


@njit(cache=True)
def sort_by_start(start, dur, topo_rank, by_finish_desc, order):  # pragma: no cover - numba
    """Activity list of a schedule: by start (ascending) or finish (descending).

    Ties are broken by the topological rank (ascending for starts, descending
    for finishes), so the list is precedence feasible for the forward or the
    backward scheme even with zero-duration jobs.
    """
    n = start.shape[0]
    key = np.empty(n, np.int64)
    for j in range(n):
        if by_finish_desc:
            key[j] = -((start[j] + dur[j]) * (n + 1) + topo_rank[j])
        else:
            key[j] = start[j] * (n + 1) + topo_rank[j]
    idx = np.argsort(key)
    for a in range(n):
        order[a] = idx[a]
    return order


@njit(cache=True)
def justify(
    order,
    dur,
    pred_ptr,
    pred_idx,
    pred_lag,
    succ_ptr,
    succ_idx,
    succ_lag,
    release,
    deadline,
    demand,
    profile,
    dis_ptr,
    dis_idx,
    topo_rank,
    rounds,
    avail,
    start,
    work,
    order_work,
):  # pragma: no cover - numba
    """Serial SGS followed by forward-backward improvement (double justification).

    Decodes ``order`` with :func:`serial_forward`, then repeats up to
    ``rounds`` times: right-justify (:func:`serial_backward`, jobs by
    non-increasing finish, ``T`` = current makespan) and left-justify again
    (:func:`serial_forward`, jobs by non-decreasing backward start), keeping
    the result while it improves (Valls, Ballestin & Quintanilla 2005).
    ``start`` receives the best schedule and ``order`` its activity list
    (sorted by start), so a population method can inherit it.

    Returns
    -------
    (makespan, deadline_excess, passes); each forward or backward pass counts
    as one generated schedule.
    """
    n = dur.shape[0]
    mk, exc = serial_forward(
        order,
        dur,
        pred_ptr,
        pred_idx,
        pred_lag,
        release,
        deadline,
        demand,
        profile,
        dis_ptr,
        dis_idx,
        avail,
        start,
    )
    passes = 1
    if mk == OVERFLOW:
        return mk, exc, passes
    for _ in range(rounds):
        sort_by_start(start, dur, topo_rank, True, order_work)
        first = serial_backward(
            order_work,
            mk,
            dur,
            succ_ptr,
            succ_idx,
            succ_lag,
            release,
            deadline,
            demand,
            profile,
            dis_ptr,
            dis_idx,
            avail,
            work,
        )
        passes += 1
        if first <= 0:
            break
        sort_by_start(work, dur, topo_rank, False, order_work)
        mk2, exc2 = serial_forward(
            order_work,
            dur,
            pred_ptr,
            pred_idx,
            pred_lag,
            release,
            deadline,
            demand,
            profile,
            dis_ptr,
            dis_idx,
            avail,
            work,
        )
        passes += 1
        if mk2 == OVERFLOW or exc2 > exc or (exc2 == exc and mk2 >= mk):
            break
        mk, exc = mk2, exc2
        for j in range(n):
            start[j] = work[j]
    sort_by_start(start, dur, topo_rank, False, order)
    return mk, exc, passes


@njit(cache=True)
def crossover(mother, father, q1, q2, taken, child):  # pragma: no cover - numba
    """Two-point crossover of activity lists (Hartmann 1998).

    ``child[:q1] = mother[:q1]``; positions ``q1..q2-1`` take the jobs of
    ``father`` in father's order that are not yet in the child; the rest take
    the remaining jobs in mother's order. Precedence feasibility is inherited.
    """
    n = mother.shape[0]
    taken[:] = False
    pos = 0
    for a in range(q1):
        child[pos] = mother[a]
        taken[mother[a]] = True
        pos += 1
    for a in range(n):
        if pos >= q2:
            break
        j = father[a]
        if not taken[j]:
            child[pos] = j
            taken[j] = True
            pos += 1
    for a in range(n):
        j = mother[a]
        if not taken[j]:
            child[pos] = j
            taken[j] = True
            pos += 1
    return child


@njit(cache=True)
def mutate(child, pmut, is_pred):  # pragma: no cover - numba
    """Swap neighbours with probability ``pmut`` when not precedence related (Hartmann 1998)."""
    n = child.shape[0]
    for a in range(n - 1):
        if np.random.random() < pmut:  # noqa: NPY002 (numba supports the legacy API)
            i = child[a]
            j = child[a + 1]
            if not is_pred[i, j]:
                child[a] = j
                child[a + 1] = i
    return child


@njit(cache=True)
def ga_generations(
    pop,
    fit,
    generations,
    pmut,
    rounds,
    dur,
    pred_ptr,
    pred_idx,
    pred_lag,
    succ_ptr,
    succ_idx,
    succ_lag,
    release,
    deadline,
    demand,
    profile,
    dis_ptr,
    dis_idx,
    topo_rank,
    is_pred,
    penalty,
    best_start,
    best_fit,
):  # pragma: no cover - numba
    """Run ``generations`` generations of the activity-list GA in place.

    Each generation draws ``P / 2`` parent pairs by binary tournament, makes
    two children per pair by :func:`crossover` (mother/father swapped) and
    :func:`mutate`, decodes each with :func:`justify` (serial SGS plus
    forward-backward improvement; the child inherits the justified list) and
    keeps the best ``P`` of parents and children whose fitness differs from
    an already kept individual (duplicates of a fitness value beyond two are
    dropped first, to keep diversity). Fitness is
    ``makespan + penalty * deadline_excess``.

    ``best_start``/``best_fit[0]`` track the best schedule ever seen.

    Returns
    -------
    The number of SGS passes used.
    """
    size, n = pop.shape
    children = np.empty((size, n), np.int64)
    cfit = np.empty(size, np.int64)
    taken = np.zeros(n, np.bool_)
    avail = profile.copy()
    start = np.empty(n, np.int64)
    work = np.empty(n, np.int64)
    order_work = np.empty(n, np.int64)
    passes = 0
    for _ in range(generations):
        for c in range(0, size - 1, 2):
            a = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            b = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            mom = a if fit[a] <= fit[b] else b
            a = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            b = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            dad = a if fit[a] <= fit[b] else b
            q1 = np.random.randint(n + 1)  # noqa: NPY002 (numba supports the legacy API)
            q2 = np.random.randint(n + 1)  # noqa: NPY002 (numba supports the legacy API)
            if q1 > q2:
                q1, q2 = q2, q1
            for h in range(2):
                kid = children[c + h]
                if h == 0:
                    crossover(pop[mom], pop[dad], q1, q2, taken, kid)
                else:
                    crossover(pop[dad], pop[mom], q1, q2, taken, kid)
                mutate(kid, pmut, is_pred)
                mk, exc, used = justify(
                    kid,
                    dur,
                    pred_ptr,
                    pred_idx,
                    pred_lag,
                    succ_ptr,
                    succ_idx,
                    succ_lag,
                    release,
                    deadline,
                    demand,
                    profile,
                    dis_ptr,
                    dis_idx,
                    topo_rank,
                    rounds,
                    avail,
                    start,
                    work,
                    order_work,
                )
                passes += used
                f = mk + penalty * exc
                cfit[c + h] = f
                if f < best_fit[0]:
                    best_fit[0] = f
                    best_start[:] = start
        # survivors: best of parents + children, at most two per fitness value first
        m = size + size - (size % 2)
        allfit = np.empty(m, np.int64)
        allfit[:size] = fit
        allfit[size:] = cfit[: size - (size % 2)]
        rank = np.argsort(allfit, kind="mergesort")
        keep = np.empty(size, np.int64)
        chosen = np.zeros(m, np.bool_)
        kept = 0
        last = -1
        same = 0
        for a in range(m):
            idx = rank[a]
            if allfit[idx] == last:
                same += 1
            else:
                last = allfit[idx]
                same = 1
            if same <= 2 and kept < size:
                keep[kept] = idx
                chosen[idx] = True
                kept += 1
        for a in range(m):
            if kept >= size:
                break
            idx = rank[a]
            if not chosen[idx]:
                keep[kept] = idx
                chosen[idx] = True
                kept += 1
        newpop = np.empty_like(pop)
        newfit = np.empty(size, np.int64)
        for a in range(size):
            idx = keep[a]
            if idx < size:
                newpop[a] = pop[idx]
                newfit[a] = fit[idx]
            else:
                newpop[a] = children[idx - size]
                newfit[a] = cfit[idx - size]
        pop[:, :] = newpop
        fit[:] = newfit
    return passes


@njit(cache=True)
def serial_batch(
    lists, dur, pred_ptr, pred_idx, pred_lag, release, deadline, demand, profile, dis_ptr, dis_idx, makespans
):  # pragma: no cover - numba
    """Decode each row of ``lists`` with :func:`serial_forward`; write the makespans (timing, sampling)."""
    n = dur.shape[0]
    avail = profile.copy()
    start = np.empty(n, np.int64)
    for a in range(lists.shape[0]):
        mk, exc = serial_forward(
            lists[a],
            dur,
            pred_ptr,
            pred_idx,
            pred_lag,
            release,
            deadline,
            demand,
            profile,
            dis_ptr,
            dis_idx,
            avail,
            start,
        )
        makespans[a] = mk if exc == 0 else -1
    return makespans
