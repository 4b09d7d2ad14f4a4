"""Numba kernels for RCPSP schedule generation (arrays in, arrays out).

Every kernel works on a time-indexed capacity profile ``profile[t, k]``
(capacity of resource ``k`` during ``[t, t + 1)``, downtime already applied)
and on compressed adjacency lists (``ptr``/``idx``/``lag`` in CSR layout) for
predecessors, successors and disjunctive partners. They never see a
:class:`schedopt.Problem`; :mod:`schedopt.families.rcpsp.heuristics` converts.
The problem arrays come in one bundle built once per problem, ``prj``
(:class:`._bundles.Project`: durations, precedence and disjunctive lists,
time windows, demands, capacity profile); the GA kernels take their
parameters as one :class:`._bundles.GaParams` and their carried-over state
as one :class:`._bundles.Progress` (see :mod:`._bundles`).

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
Debels, D. & Vanhoucke, M. (2005). A bi-population based genetic algorithm
for the resource-constrained project scheduling problem. ICCSA 2005, LNCS
3483, 378-387 (bi-population GA: left- and right-justified populations).
Debels, D. & Vanhoucke, M. (2007). A decomposition-based genetic algorithm
for the resource-constrained project scheduling problem. Operations Research
55(3), 457-469.
Hartmann, S. (2002). A self-adapting genetic algorithm for project
scheduling under resource constraints. Naval Research Logistics 49, 433-448
(serial/parallel SGS gene).
Valls, V., Ballestin, F. & Quintanilla, S. (2008). A hybrid genetic
algorithm for the resource-constrained project scheduling problem. EJOR
185(2), 495-508 (peak crossover, phase-2 restart around the best).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ._bundles import GaParams, Progress, Project

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
def serial_forward(order, prj: Project, avail, start):  # pragma: no cover - numba
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
    dur, release, deadline = prj.dur, prj.release, prj.deadline
    pred_ptr, pred_idx, pred_lag = prj.pred_ptr, prj.pred_idx, prj.pred_lag
    dis_ptr, dis_idx = prj.dis_ptr, prj.dis_idx
    demand, profile = prj.demand, prj.profile
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
def serial_backward(order, horizon_end, prj: Project, avail, start):  # pragma: no cover - numba
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
    dur, release, deadline = prj.dur, prj.release, prj.deadline
    succ_ptr, succ_idx, succ_lag = prj.succ_ptr, prj.succ_idx, prj.succ_lag
    dis_ptr, dis_idx = prj.dis_ptr, prj.dis_idx
    demand, profile = prj.demand, prj.profile
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
def parallel_forward(order, prj: Project, avail, start, es, npred):  # pragma: no cover - numba
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
    return _parallel(order, prj, avail, start, es, npred, False)


@njit(cache=True)
def _parallel(order, prj: Project, avail, start, es, npred, reverse):  # pragma: no cover - numba
    """:func:`parallel_forward` on the network, or with ``reverse`` on the reversed network.

    The reversed network swaps predecessors and successors (an arc
    ``i -> j`` with lag ``l`` becomes ``j -> i`` with the same lag); time
    windows, durations and resources stay as they are.
    """
    if reverse:
        pred_ptr = prj.succ_ptr
        succ_ptr, succ_idx, succ_lag = prj.pred_ptr, prj.pred_idx, prj.pred_lag
    else:
        pred_ptr = prj.pred_ptr
        succ_ptr, succ_idx, succ_lag = prj.succ_ptr, prj.succ_idx, prj.succ_lag
    dur, release, deadline = prj.dur, prj.release, prj.deadline
    dis_ptr, dis_idx = prj.dis_ptr, prj.dis_idx
    demand, profile, change_pts = prj.demand, prj.profile, prj.change_pts
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
def parallel_backward(order, prj: Project, avail, start, es, npred):  # pragma: no cover - numba
    """Backward parallel SGS for shift-invariant problems, as a right-justified schedule from 0.

    :func:`parallel_forward` on the reversed network (successors first;
    an arc ``i -> j`` with lag ``l`` becomes ``j -> i`` with the same lag)
    decodes ``order``, a list in which every job precedes its predecessors
    (e.g. by non-increasing finish time). The mirrored times
    ``S_j = M - S'_j - p_j`` (``M`` the reversed makespan) give a schedule
    whose every job starts as late as the capacity lets it in the order of
    the list: a non-delay schedule of the reversed project, which is right
    justified and starts at 0. Valid only with constant capacity, no release
    dates and no deadlines (mirroring would move them).

    Returns
    -------
    The makespan, or a negative value if the horizon overflows.
    """
    mk, _exc = _parallel(order, prj, avail, start, es, npred, True)
    if mk < 0:
        return mk
    dur = prj.dur
    for j in range(dur.shape[0]):
        start[j] = mk - start[j] - dur[j]
    return mk


@njit(cache=True)
def sample_list(value, alpha, eps, deterministic, prj: Project, npred, elig, order):
    """Build a precedence-feasible activity list from priority values.

    At each step the eligible set ``E`` holds the jobs whose predecessors are
    all listed. Deterministically the job of smallest ``value`` is taken
    (ties: smallest index). Otherwise regret-based biased random sampling
    (Drexl 1991): job ``j`` is drawn with probability proportional to
    ``(max_{i in E} v_i - v_j + eps) ** alpha``.
    """  # pragma: no cover - numba
    pred_ptr, succ_ptr, succ_idx = prj.pred_ptr, prj.succ_ptr, prj.succ_idx
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
def improve(
    start, mk, exc, prj: Project, rounds, avail, work, order_work, max_passes
):  # pragma: no cover - numba
    """Forward-backward improvement of the schedule ``start`` (makespan ``mk``) in place.

    Each round right-justifies (:func:`serial_backward` on the jobs by
    non-increasing finish, ``T = mk``) and left-justifies again
    (:func:`serial_forward` by non-decreasing backward start); a round is only
    started while two passes are left in ``max_passes``, and the loop stops
    at the first round that does not improve ``(deadline excess, makespan)``
    (or when the backward schedule cannot move left, ``first <= 0``).

    Returns
    -------
    (makespan, deadline_excess, passes).
    """
    dur, topo_rank = prj.dur, prj.topo_rank
    n = dur.shape[0]
    passes = 0
    for _ in range(rounds):
        if passes + 2 > max_passes:
            break
        sort_by_start(start, dur, topo_rank, True, order_work)
        first = serial_backward(order_work, mk, prj, avail, work)
        passes += 1
        if first <= 0:
            break
        sort_by_start(work, dur, topo_rank, False, order_work)
        mk2, exc2 = serial_forward(order_work, prj, avail, work)
        passes += 1
        if mk2 == OVERFLOW or exc2 > exc or (exc2 == exc and mk2 >= mk):
            break
        mk, exc = mk2, exc2
        for j in range(n):
            start[j] = work[j]
    return mk, exc, passes


@njit(cache=True)
def justify(
    order, prj: Project, rounds, avail, start, work, order_work, max_passes
):  # pragma: no cover - numba
    """Serial SGS followed by forward-backward improvement (double justification).

    Decodes ``order`` with :func:`serial_forward`, then repeats up to
    ``rounds`` times: right-justify (:func:`serial_backward`, jobs by
    non-increasing finish, ``T`` = current makespan) and left-justify again
    (:func:`serial_forward`, jobs by non-decreasing backward start), keeping
    the result while it improves (Valls, Ballestin & Quintanilla 2005).
    ``start`` receives the best schedule and ``order`` its activity list
    (sorted by start), so a population method can inherit it. A round
    (two passes) is only started while ``passes + 2 <= max_passes``, so a
    caller can spend an exact schedule budget.

    Returns
    -------
    (makespan, deadline_excess, passes); each forward or backward pass counts
    as one generated schedule.
    """
    mk, exc = serial_forward(order, prj, avail, start)
    if mk == OVERFLOW:
        return mk, exc, 1
    mk, exc, used = improve(start, mk, exc, prj, rounds, avail, work, order_work, max_passes - 1)
    passes = 1 + used
    sort_by_start(start, prj.dur, prj.topo_rank, False, order)
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
def peak_crossover(mother, father, fstart, fmk, width, prj: Project, util, taken, child):
    # pragma: no cover - numba
    """Peak crossover of activity lists (after Valls, Ballestin & Quintanilla 2008).

    The resource utilisation of the father's schedule ``fstart`` (makespan
    ``fmk``) in period ``t`` is ``u(t) = sum_k r_jk / R_k(t)`` over the jobs in
    progress. The peak is the window ``[t1, t1 + w)`` of ``w = width`` periods
    with the largest ``sum_t u(t)`` (ties broken uniformly at random): a
    densely packed part of the father's schedule. The child lists

    1. the jobs the father starts before ``t1``, in the mother's order;
    2. the jobs the father starts in ``[t1, t1 + w)``, in the father's order;
    3. the remaining jobs in the mother's order.

    Parts 1 and 1+2 are closed under predecessors in a feasible schedule, so
    the child is precedence feasible when both parents are (the father's list
    sorted by its start times, as the GA keeps it).
    """
    dur, demand, profile = prj.dur, prj.demand, prj.profile
    n = mother.shape[0]
    r = demand.shape[1]
    for t in range(fmk):
        util[t] = 0.0
    for j in range(n):
        p = dur[j]
        if p <= 0:
            continue
        s = fstart[j]
        for k in range(r):
            d = demand[j, k]
            if d == 0:
                continue
            for u in range(s, s + p):
                c = profile[u, k]
                if c > 0:
                    util[u] += d / c
    w = min(max(width, 1), max(fmk, 1))
    acc = 0.0
    for t in range(min(w, fmk)):
        acc += util[t]
    best = acc
    t1 = 0
    ties = 1
    for t in range(w, fmk):
        acc += util[t] - util[t - w]
        if acc > best + 1e-9:
            best = acc
            t1 = t - w + 1
            ties = 1
        elif acc > best - 1e-9:
            ties += 1
            if np.random.random() * ties < 1.0:  # noqa: NPY002 (numba supports the legacy API)
                t1 = t - w + 1
    t2 = t1 + w
    taken[:] = False
    pos = 0
    for a in range(n):
        j = mother[a]
        if fstart[j] < t1:
            child[pos] = j
            taken[j] = True
            pos += 1
    for a in range(n):
        j = father[a]
        if not taken[j] and fstart[j] < t2:
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
def shift_moves(order, moves, prj: Project, pos):  # pragma: no cover - numba
    """Apply ``moves`` random shift (insertion) moves to an activity list.

    A uniformly drawn job moves to a uniformly drawn position between its
    last listed predecessor and its first listed successor, so precedence
    feasibility is kept (the neighbourhood of Valls et al. 2008, phase 2).
    """
    pred_ptr, pred_idx, succ_ptr, succ_idx = prj.pred_ptr, prj.pred_idx, prj.succ_ptr, prj.succ_idx
    n = order.shape[0]
    for _ in range(moves):
        for a in range(n):
            pos[order[a]] = a
        a = np.random.randint(n)  # noqa: NPY002 (numba supports the legacy API)
        j = order[a]
        lo = 0
        hi = n - 1
        for e in range(pred_ptr[j], pred_ptr[j + 1]):
            v = pos[pred_idx[e]] + 1
            if v > lo:
                lo = v
        for e in range(succ_ptr[j], succ_ptr[j + 1]):
            v = pos[succ_idx[e]] - 1
            if v < hi:
                hi = v
        b = lo + np.random.randint(hi - lo + 1)  # noqa: NPY002 (numba supports the legacy API)
        if b > a:
            for c in range(a, b):
                order[c] = order[c + 1]
        else:
            for c in range(a, b, -1):
                order[c] = order[c - 1]
        order[b] = j
    return order


@njit(cache=True)
def _schedule_hash(start):  # pragma: no cover - numba
    h = np.int64(1469598103934665603)
    for j in range(start.shape[0]):
        h = (h ^ start[j]) * np.int64(1099511628211)
    return h


@njit(cache=True)
def ga_evolve(
    pop, pstart, fit, gene, budget, soft, params: GaParams, prj: Project, progress: Progress
):  # pragma: no cover - numba
    """Run the activity-list GA (``fbi`` variant) in place until ``budget`` SGS passes are spent.

    The parameters named below are fields of ``params``. One generation:
    ``pairs`` parent pairs (``0``: ``P / 2``) drawn by binary tournament on
    the fitness ``f = makespan + penalty * deadline_excess``;
    with probability ``peak_prob`` a pair makes two children by
    :func:`peak_crossover` (window ``w`` drawn in ``[wlo, whi]`` times the
    father's makespan), else by :func:`crossover` (two random cut points);
    both children get :func:`mutate`. A child whose SGS gene (inherited from
    its first parent, flipped with probability ``gene_flip``) is 0 is
    decoded by :func:`justify` (serial SGS plus ``rounds`` forward-backward
    rounds), with gene 1 by :func:`parallel_forward` plus :func:`improve`
    (Hartmann 2002). With ``jslack >= 0`` only children whose forward fitness
    is at most ``(1 + jslack)`` times the population's worst are improved.
    Every pass is capped by the remaining budget, so at most ``budget``
    passes are spent; the call returns at the first generation boundary
    after ``soft`` passes (so the caller can check a time limit without
    changing the search: results do not depend on ``soft``). Each child
    inherits its justified list and schedule (Lamarckian). Survival
    (:func:`_survive`, ``P + C``): by fitness, identical schedules dropped,
    at most ``same_cap`` per fitness value before refilling.

    Restart (phase 2 of Valls et al. 2008): after ``stall_limit``
    generations without a new best (``0`` = never) every member but the best
    becomes a copy of the best with ``restart_moves`` :func:`shift_moves`,
    justified again.

    ``pop`` (lists), ``pstart`` (their schedules), ``fit`` and ``gene`` are
    updated in place; ``progress.state = [generations, stalled generations,
    restarts]`` carries over between calls; ``progress.best_start`` and
    ``progress.best_fit[0]`` track the best schedule ever seen.

    Returns
    -------
    The number of SGS passes used.
    """
    pmut, rounds, peak_prob, wlo, whi = params.pmut, params.rounds, params.peak_prob, params.wlo, params.whi
    stall_limit, restart_moves, same_cap = params.stall_limit, params.restart_moves, params.same_cap
    pairs, jslack, gene_flip, penalty = params.pairs, params.jslack, params.gene_flip, params.penalty
    state, best_start, best_fit = progress.state, progress.best_start, progress.best_fit
    dur, topo_rank, is_pred, profile = prj.dur, prj.topo_rank, prj.is_pred, prj.profile
    size, n = pop.shape
    if pairs <= 0:
        pairs = size // 2
    children = np.empty((2 * pairs, n), np.int64)
    cstart = np.empty((2 * pairs, n), np.int64)
    cfit = np.empty(2 * pairs, np.int64)
    cgene = np.empty(2 * pairs, np.int64)
    taken = np.zeros(n, np.bool_)
    avail = profile.copy()
    start = np.empty(n, np.int64)
    work = np.empty(n, np.int64)
    order_work = np.empty(n, np.int64)
    es = np.empty(n, np.int64)
    npred = np.empty(n, np.int64)
    util = np.empty(profile.shape[0], np.float64)
    posw = np.empty(n, np.int64)
    passes = 0
    if size < 2:
        return passes
    while passes < budget and passes < soft:
        nkids = 0
        improved = False
        worst = fit.max()
        for _c in range(pairs):
            if passes >= budget:
                break
            a = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            b = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            mom = a if fit[a] <= fit[b] else b
            a = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            b = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
            dad = a if fit[a] <= fit[b] else b
            peak = np.random.random() < peak_prob  # noqa: NPY002 (numba supports the legacy API)
            q1 = np.random.randint(n + 1)  # noqa: NPY002 (numba supports the legacy API)
            q2 = np.random.randint(n + 1)  # noqa: NPY002 (numba supports the legacy API)
            if q1 > q2:
                q1, q2 = q2, q1
            for h in range(2):
                if passes >= budget:
                    break
                kid = children[nkids]
                x, y = (mom, dad) if h == 0 else (dad, mom)
                if peak:
                    ymk = 0
                    for j in range(n):
                        f = pstart[y, j] + dur[j]
                        if f > ymk:
                            ymk = f
                    lo = max(1, int(ymk * wlo))
                    hi = max(lo, int(ymk * whi))
                    width = lo + np.random.randint(hi - lo + 1)  # noqa: NPY002
                    peak_crossover(pop[x], pop[y], pstart[y], ymk, width, prj, util, taken, kid)
                else:
                    crossover(pop[x], pop[y], q1, q2, taken, kid)
                mutate(kid, pmut, is_pred)
                g = gene[x]
                if gene_flip > 0.0 and np.random.random() < gene_flip:  # noqa: NPY002
                    g = 1 - g
                cgene[nkids] = g
                if g == 0:
                    mk, exc, used = justify(
                        kid,
                        prj,
                        rounds,
                        avail,
                        start,
                        work,
                        order_work,
                        budget - passes if jslack < 0 else 1,
                    )
                    polish = jslack >= 0 and mk != OVERFLOW and mk + penalty * exc <= worst * (1.0 + jslack)
                else:
                    mk, exc = parallel_forward(kid, prj, avail, start, es, npred)
                    used = 1
                    polish = mk != OVERFLOW
                if polish:  # forward-backward improvement of a filtered or parallel-SGS child
                    mk, exc, more = improve(
                        start, mk, exc, prj, rounds, avail, work, order_work, budget - passes - 1
                    )
                    used += more
                    sort_by_start(start, dur, topo_rank, False, kid)
                passes += used
                f = mk + penalty * exc if mk >= 0 else np.int64(1) << np.int64(60)
                cfit[nkids] = f
                cstart[nkids] = start
                nkids += 1
                if f < best_fit[0]:
                    best_fit[0] = f
                    best_start[:] = start
                    improved = True
        _survive(pop, pstart, fit, gene, children, cstart, cfit, cgene, nkids, same_cap)
        state[0] += 1
        if improved:
            state[1] = 0
        else:
            state[1] += 1
        if stall_limit > 0 and state[1] >= stall_limit and passes < budget:
            state[1] = 0
            state[2] += 1
            for i in range(1, size):
                if passes >= budget:
                    break
                pop[i] = pop[0]
                shift_moves(pop[i], restart_moves, prj, posw)
                mk, exc, used = justify(pop[i], prj, rounds, avail, start, work, order_work, budget - passes)
                passes += used
                f = mk + penalty * exc if mk >= 0 else np.int64(1) << np.int64(60)
                fit[i] = f
                pstart[i] = start
                if f < best_fit[0]:
                    best_fit[0] = f
                    best_start[:] = start
    return passes


@njit(cache=True)
def mutate_any(child, pmut, is_pred):  # pragma: no cover - numba
    """:func:`mutate` for forward or backward lists: swap neighbours unrelated in either direction."""
    n = child.shape[0]
    for a in range(n - 1):
        if np.random.random() < pmut:  # noqa: NPY002 (numba supports the legacy API)
            i = child[a]
            j = child[a + 1]
            if not is_pred[i, j] and not is_pred[j, i]:
                child[a] = j
                child[a + 1] = i
    return child


@njit(cache=True)
def _tournament(fit, tsize):  # pragma: no cover - numba
    """Index of the fittest of ``tsize`` uniformly drawn individuals (with replacement)."""
    size = fit.shape[0]
    best = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
    for _ in range(tsize - 1):
        o = np.random.randint(size)  # noqa: NPY002 (numba supports the legacy API)
        if fit[o] < fit[best]:
            best = o
    return best


@njit(cache=True)
def bpga_evolve(
    lstart,
    lfit,
    rstart,
    rfit,
    budget,
    soft,
    params: GaParams,
    prj: Project,
    progress: Progress,
):  # pragma: no cover - numba
    """Bi-population GA (Debels & Vanhoucke 2005, 2007) until ``budget`` passes are spent.

    The parameters named below are fields of ``params``; ``progress`` carries
    the generation counters and the best schedule as in :func:`ga_evolve`.
    Two populations of schedules: ``L`` (left-justified, ``lstart``) and
    ``R`` (right-justified, shifted to start at 0, ``rstart``); fitness is
    the makespan. Per generation ``offspring`` (``0``: ``P``) children are
    made from ``L`` parents and as many from ``R`` parents, each parent the
    best of ``tsize`` uniform draws (:func:`_tournament`):

    * ``L`` parents are turned into lists by non-increasing finish time,
      recombined, mutated (:func:`mutate_any`) and decoded by one *backward*
      serial pass (:func:`serial_backward` ending at the profile horizon);
      the child is shifted to start at 0 and joins ``R``;
    * ``R`` parents give lists by start time, decoded by one *forward* pass
      (:func:`serial_forward`); the child joins ``L``.

    Recombination: with probability ``peak_prob`` :func:`peak_crossover`
    (window ``w`` drawn in ``[wlo, whi]`` times the father's makespan; for
    backward lists on the time-mirrored schedule ``M - C_j``), else the
    two-point :func:`crossover`. Each population then keeps its best ``P``
    (:func:`_survive`). Every child is thus the justification of a
    recombination of justified schedules, for one SGS pass.

    Decoding scheme: with probability ``nondelay`` a child is decoded by the
    *parallel* SGS in its direction (:func:`parallel_forward`, or
    :func:`parallel_backward` for ``L`` parents) instead of the serial one.
    Non-delay schedules are left- (right-) justified too, and a mix of the
    two schemes in one search is the self-adapting idea of Hartmann (2002):
    the parallel scheme reaches fewer schedules but good ones for tightly
    constrained projects (Kolisch 1996).

    Restart (phase 2 of Valls et al. 2008): after ``stall_limit``
    generations without a new best (``0`` = never) every member of each
    population except its best is replaced by the best's list with
    ``restart_moves`` :func:`shift_moves`, decoded in that population's
    direction (one pass each).

    Only valid when schedules may be shifted in time: constant capacity, no
    release dates and no deadlines (the wrapper checks); precedence lags and
    disjunctive pairs are fine.

    At most ``budget`` passes are spent; the call returns at the first
    generation boundary after ``soft`` passes (results do not depend on
    ``soft``, which only lets the caller check a time limit).

    Returns
    -------
    The number of SGS passes used.
    """
    pmut, same_cap, peak_prob = params.pmut, params.same_cap, params.peak_prob
    wlo, whi = params.wlo, params.whi
    tsize, offspring, nondelay = params.tsize, params.offspring, params.nondelay
    stall_limit, restart_moves = params.stall_limit, params.restart_moves
    state, best_start, best_fit = progress.state, progress.best_start, progress.best_fit
    dur, topo_rank, is_pred, profile = prj.dur, prj.topo_rank, prj.is_pred, prj.profile
    size, n = lstart.shape
    horizon_end = profile.shape[0]
    nkids = offspring if offspring > 0 else size
    kids = np.empty((nkids, n), np.int64)
    kfit = np.empty(nkids, np.int64)
    kgene = np.zeros(nkids, np.int64)
    dgene = np.zeros(size, np.int64)
    taken = np.zeros(n, np.bool_)
    avail = profile.copy()
    start = np.empty(n, np.int64)
    la = np.empty(n, np.int64)
    lb = np.empty(n, np.int64)
    child = np.empty(n, np.int64)
    mirror = np.empty(n, np.int64)
    util = np.empty(profile.shape[0], np.float64)
    posw = np.empty(n, np.int64)
    es = np.empty(n, np.int64)
    npred = np.empty(n, np.int64)
    passes = 0
    while passes < budget and passes < soft:
        improved = False
        for side in range(2):
            if passes >= budget:
                break
            src = lstart if side == 0 else rstart
            sfit = lfit if side == 0 else rfit
            nk = 0
            for _c in range(nkids):
                if passes >= budget:
                    break
                mom = _tournament(sfit, tsize)
                dad = _tournament(sfit, tsize)
                backward = side == 0
                sort_by_start(src[mom], dur, topo_rank, backward, la)
                sort_by_start(src[dad], dur, topo_rank, backward, lb)
                q1 = np.random.randint(n + 1)  # noqa: NPY002 (numba supports the legacy API)
                q2 = np.random.randint(n + 1)  # noqa: NPY002 (numba supports the legacy API)
                if q1 > q2:
                    q1, q2 = q2, q1
                if np.random.random() < peak_prob:  # noqa: NPY002 (numba supports the legacy API)
                    fmk = 0
                    for j in range(n):
                        f = src[dad, j] + dur[j]
                        if f > fmk:
                            fmk = f
                    for j in range(n):  # backward lists: mirror time so that lists sort by start
                        mirror[j] = fmk - src[dad, j] - dur[j] if backward else src[dad, j]
                    lo = max(1, int(fmk * wlo))
                    hi = max(lo, int(fmk * whi))
                    width = lo + np.random.randint(hi - lo + 1)  # noqa: NPY002
                    peak_crossover(la, lb, mirror, fmk, width, prj, util, taken, child)
                else:
                    crossover(la, lb, q1, q2, taken, child)
                mutate_any(child, pmut, is_pred)
                mk = _decode_one(
                    child,
                    backward,
                    nondelay > 0.0 and np.random.random() < nondelay,  # noqa: NPY002 (no draw at 0)
                    horizon_end,
                    prj,
                    avail,
                    start,
                    es,
                    npred,
                )
                passes += 1
                kids[nk] = start
                kfit[nk] = mk
                nk += 1
                if mk < best_fit[0]:
                    best_fit[0] = mk
                    best_start[:] = start
                    improved = True
            dst = rstart if side == 0 else lstart
            dfit = rfit if side == 0 else lfit
            _survive(dst, dst, dfit, dgene, kids, kids, kfit, kgene, nk, same_cap)
        state[0] += 1
        if improved:
            state[1] = 0
        else:
            state[1] += 1
        if stall_limit > 0 and state[1] >= stall_limit and passes < budget:
            state[1] = 0
            state[2] += 1
            for side in range(2):
                src = lstart if side == 0 else rstart
                sfit = lfit if side == 0 else rfit
                bi = np.argmin(sfit)
                backward = side == 1
                sort_by_start(src[bi], dur, topo_rank, False, la)
                for i in range(size):
                    if passes >= budget:
                        break
                    if i == bi:
                        continue
                    child[:] = la
                    shift_moves(child, restart_moves, prj, posw)
                    if backward:
                        for c in range(n // 2):  # a reversed forward list is a backward list
                            child[c], child[n - 1 - c] = child[n - 1 - c], child[c]
                    mk = _decode_one(child, backward, False, horizon_end, prj, avail, start, es, npred)
                    passes += 1
                    src[i] = start
                    sfit[i] = mk
                    if mk < best_fit[0]:
                        best_fit[0] = mk
                        best_start[:] = start
    return passes


@njit(cache=True)
def _decode_one(
    child, backward, nondelay, horizon_end, prj: Project, avail, start, es, npred
):  # pragma: no cover - numba
    """One SGS pass of the bi-population GA; returns the makespan (``2**60`` if infeasible).

    Serial passes (``nondelay`` false) or parallel ones (true), forward or
    backward. Serial backward passes end at ``horizon_end``; every backward
    schedule is shifted to start at 0.
    """
    dur = prj.dur
    n = dur.shape[0]
    big = np.int64(1) << np.int64(60)
    if nondelay:
        if backward:
            mk = parallel_backward(child, prj, avail, start, es, npred)
            return big if mk < 0 else mk
        mk, exc = parallel_forward(child, prj, avail, start, es, npred)
        return big if mk < 0 or exc > 0 else mk
    if backward:
        first = serial_backward(child, horizon_end, prj, avail, start)
        if first < 0:
            return big
        mk = 0
        for j in range(n):
            start[j] -= first
            f = start[j] + dur[j]
            if f > mk:
                mk = f
        return mk
    mk, exc = serial_forward(child, prj, avail, start)
    if mk < 0 or exc > 0:
        return big
    return mk


@njit(cache=True)
def _survive(pop, pstart, fit, gene, children, cstart, cfit, cgene, nkids, same_cap):
    # pragma: no cover - numba
    """(P + C) survival: best by fitness, no identical schedules, ``same_cap`` per fitness value first."""
    size = pop.shape[0]
    m = size + nkids
    allfit = np.empty(m, np.int64)
    hashes = np.empty(m, np.int64)
    for a in range(size):
        allfit[a] = fit[a]
        hashes[a] = _schedule_hash(pstart[a])
    for a in range(nkids):
        allfit[size + a] = cfit[a]
        hashes[size + a] = _schedule_hash(cstart[a])
    rank = np.argsort(allfit, kind="mergesort")
    keep = np.empty(size, np.int64)
    chosen = np.zeros(m, np.bool_)
    kept = 0
    last = -1
    same = 0
    group = 0
    for a in range(m):
        idx = rank[a]
        if allfit[idx] != last:
            last = allfit[idx]
            same = 0
            group = a
        dup = False
        for b in range(group, a):
            o = rank[b]
            if chosen[o] and hashes[o] == hashes[idx]:
                dup = True
                break
        if dup:
            chosen[idx] = True  # never kept, never refilled
            continue
        same += 1
        if same <= same_cap and kept < size:
            keep[kept] = idx
            chosen[idx] = True
            kept += 1
    # refill: first non-duplicates beyond the cap, then duplicates if still short
    for a in range(m):
        if kept >= size:
            break
        idx = rank[a]
        if not chosen[idx]:
            keep[kept] = idx
            chosen[idx] = True
            kept += 1
    if kept < size:
        used = np.zeros(m, np.bool_)
        for a in range(kept):
            used[keep[a]] = True
        for a in range(m):
            if kept >= size:
                break
            idx = rank[a]
            if not used[idx]:
                keep[kept] = idx
                used[idx] = True
                kept += 1
    newpop = np.empty_like(pop)
    newstart = np.empty_like(pstart)
    newfit = np.empty(size, np.int64)
    newgene = np.empty(size, np.int64)
    for a in range(size):
        idx = keep[a]
        if idx < size:
            newpop[a] = pop[idx]
            newstart[a] = pstart[idx]
            newfit[a] = fit[idx]
            newgene[a] = gene[idx]
        else:
            newpop[a] = children[idx - size]
            newstart[a] = cstart[idx - size]
            newfit[a] = cfit[idx - size]
            newgene[a] = cgene[idx - size]
    pop[:, :] = newpop
    pstart[:, :] = newstart
    fit[:] = newfit
    gene[:] = newgene


@njit(cache=True)
def serial_batch(lists, prj: Project, makespans):  # pragma: no cover - numba
    """Decode each row of ``lists`` with :func:`serial_forward`; write the makespans (timing, sampling)."""
    n = prj.dur.shape[0]
    avail = prj.profile.copy()
    start = np.empty(n, np.int64)
    for a in range(lists.shape[0]):
        mk, exc = serial_forward(lists[a], prj, avail, start)
        makespans[a] = mk if exc == 0 else -1
    return makespans
