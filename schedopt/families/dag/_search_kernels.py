"""numba kernels of the DAG family's iterated local search (:mod:`.improve`).

Arrays in, arrays out (int64 unless stated); no kernel sees a Problem. The arrays are bundled in
tuples (built by :mod:`.improve`):

``G`` (the graph), as in :mod:`._kernels` plus the precedence lags:
    ``(pred_ptr, pred_idx, pred_edge, lag, dur, release, comm, node, extra)``. The predecessors
    of task ``j`` are ``pred_idx[pred_ptr[j]:pred_ptr[j + 1]]`` through the edges
    ``pred_edge[...]``; ``dur[j, m] = -1`` when ``j`` may not run on ``m``; edge ``e`` from
    machine ``a`` to machine ``b != a`` delays its head by ``comm[e] + extra[e, node[a], node[b]]``
    on top of its lag ``lag[e]`` (0 in problems built by :func:`.model.dag`).
``W`` (decoding workspace and result; the search keeps two, ``WW = (W, Wc)``, for a candidate
    and the current solution):
    ``(start, end, machine, busy_s, busy_e, busy_t, count)``: the schedule, and per machine its
    busy intervals sorted by start (``(M, n)`` arrays, ``count[m]`` of them, ``busy_t`` the tasks).
``S`` (search state, updated in place):
    ``(order, forced, pos, best_order, best_forced, rng, stats)``: the current priority list (a
    topological order) and forced machines (``-1``: chosen by earliest finish time), the
    position of each task in ``order``, the best solution found, the random state (``uint64[1]``,
    xorshift64*) and the counters ``stats`` (indices ``ST_*``).
``C`` (critical-path data of the current solution and the search's static data):
    ``(succ_ptr, succ_idx, crit, arcs, mprev, mark, cur_machine, al_ptr, al_idx)``: successors in
    CSR form, the critical tasks ``crit[:stats[ST_NCRIT]]``, the critical machine arcs
    ``arcs[:stats[ST_NARCS]]`` (tasks ``j`` whose start is set by the task ``mprev[j]`` just before
    them on their machine), a scratch mask, the machine of each task in the current schedule,
    and the allowed machines of task ``j``: ``al_idx[al_ptr[j]:al_ptr[j + 1]]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

ST_CUR = 0  #: makespan of the current solution
ST_BEST = 1  #: makespan of the best solution
ST_ITER = 2  #: iterations done
ST_SINCE = 3  #: iterations since the best last improved
ST_IMPROVE = 4  #: improvements of the best
ST_KICKS = 5  #: kicks (perturbations from the best)
ST_ACCEPT = 6  #: accepted moves
ST_NCRIT = 7  #: number of critical tasks of the current solution
ST_NARCS = 8  #: number of critical machine arcs of the current solution
N_STATS = 9

P_ITER = 0  #: iterations of this call
P_PATIENCE = 1  #: iterations without improving the best before a kick
P_KICK = 2  #: random moves per kick
P_UNFORCE = 3  #: a draw r in [0, 100) below this frees a forced task
P_ARC = 4  #: ... else below this moves a critical machine arc
P_MACHINE = 5  #: ... else below this reassigns a critical task; else shifts one
P_TARGET = 6  #: stop once the best makespan is at most this (a lower bound)
N_PARAMS = 7


# ----------------------------------------------------------------------------- random numbers
@njit(cache=True)
def _next(rng: np.ndarray) -> np.uint64:
    """xorshift64* (Marsaglia 2003; Vigna 2016): the next 64-bit number of state ``rng[0] != 0``."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return x * np.uint64(2685821657736338717)


@njit(cache=True)
def _below(rng: np.ndarray, k: int) -> int:
    """A random integer in ``[0, k)`` (``k >= 1``)."""
    return np.int64((_next(rng) >> np.uint64(11)) % np.uint64(k))


# ----------------------------------------------------------------------------- decoding
@njit(cache=True)
def decode(order: np.ndarray, forced: np.ndarray, G: tuple, W: tuple) -> int:
    """Insertion-based earliest-finish-time list scheduling of ``order`` with forced machines.

    Exactly :func:`._kernels.insertion_eft` (Topcuoglu, Hariri & Wu 2002) plus the precedence lags,
    except that a task ``j`` with ``forced[j] >= 0`` (and allowed there) may only go to machine
    ``forced[j]``: for each task in ``order`` and each candidate machine ``m``, the data-ready
    time is ``max(r_j, max_p AFT(p) + lag + delay(p -> j))``; the start is the earliest idle gap
    on ``m`` at or after it that is long enough (else after ``m``'s last task); the task goes to
    the candidate of the smallest finish time, the lowest index on ties. Zero-length tasks
    occupy nothing. Writes the schedule into ``W`` and returns the makespan.
    """
    return decode_from(order, forced, order, 0, G, W, W)


@njit(cache=True)
def decode_from(
    order: np.ndarray, forced: np.ndarray, pos: np.ndarray, k0: int, G: tuple, W: tuple, Wc: tuple
) -> int:
    """:func:`decode` into ``W`` of a list whose first ``k0`` tasks are placed as in ``Wc``.

    ``Wc`` holds the decoding of a list and forced machines that agree with ``order`` and
    ``forced`` on the first ``k0`` positions (``pos``: positions in ``order``), so those tasks
    are placed alike: they are copied (their busy intervals keep their order) and only the rest
    is decoded. ``k0 = 0`` decodes everything (``pos`` and ``Wc`` unused).
    """
    pred_ptr, pred_idx, pred_edge, lag, dur, release, comm, node, extra = G
    start, end, machine, busy_s, busy_e, busy_t, count = W
    n_mach = dur.shape[1]
    makespan = 0
    if k0 > 0:
        c_start, c_end, c_machine, c_busy_s, c_busy_e, c_busy_t, c_count = Wc
        for k in range(k0):
            t = order[k]
            start[t], end[t], machine[t] = c_start[t], c_end[t], c_machine[t]
            if end[t] > makespan:
                makespan = end[t]
        for m in range(n_mach):
            c = 0
            for k in range(c_count[m]):
                t = c_busy_t[m, k]
                if pos[t] < k0:
                    busy_s[m, c], busy_e[m, c], busy_t[m, c] = c_busy_s[m, k], c_busy_e[m, k], t
                    c += 1
            count[m] = c
    else:
        count[:] = 0
    for kk in range(k0, order.shape[0]):
        j = order[kk]
        lo, hi = 0, n_mach
        f = forced[j]
        if f >= 0 and dur[j, f] >= 0:
            lo, hi = f, f + 1
        best_end, best_m, best_s, best_pos = -1, -1, -1, -1
        for m in range(lo, hi):
            d = dur[j, m]
            if d < 0:
                continue
            ready = release[j]
            for q in range(pred_ptr[j], pred_ptr[j + 1]):
                p = pred_idx[q]
                e = pred_edge[q]
                t = end[p] + lag[e]
                if machine[p] != m:
                    t += comm[e] + extra[e, node[machine[p]], node[m]]
                if t > ready:
                    ready = t
            s = ready
            pos_m = count[m]
            if d > 0:
                for k in range(count[m]):
                    if busy_e[m, k] <= s:
                        continue
                    if s + d <= busy_s[m, k]:
                        pos_m = k
                        break
                    s = max(s, busy_e[m, k])
            else:
                pos_m = -1  # zero-length tasks occupy nothing
            if best_m < 0 or s + d < best_end:
                best_end, best_m, best_s, best_pos = s + d, m, s, pos_m
        if best_m < 0:
            start[j], end[j], machine[j] = -1, -1, -1
            continue
        start[j], end[j], machine[j] = best_s, best_end, best_m
        if best_end > makespan:
            makespan = best_end
        if best_pos >= 0:
            m = best_m
            for k in range(count[m], best_pos, -1):
                busy_s[m, k] = busy_s[m, k - 1]
                busy_e[m, k] = busy_e[m, k - 1]
                busy_t[m, k] = busy_t[m, k - 1]
            busy_s[m, best_pos] = best_s
            busy_e[m, best_pos] = best_end
            busy_t[m, best_pos] = j
            count[m] += 1
    return makespan


@njit(cache=True)
def _copy_workspace(W: tuple, Wc: tuple) -> None:
    """``Wc`` := ``W`` (the schedule and the used part of the busy lists)."""
    start, end, machine, busy_s, busy_e, busy_t, count = W
    c_start, c_end, c_machine, c_busy_s, c_busy_e, c_busy_t, c_count = Wc
    c_start[:] = start
    c_end[:] = end
    c_machine[:] = machine
    for m in range(count.shape[0]):
        for k in range(count[m]):
            c_busy_s[m, k], c_busy_e[m, k], c_busy_t[m, k] = busy_s[m, k], busy_e[m, k], busy_t[m, k]
        c_count[m] = count[m]


@njit(cache=True)
def critical(G: tuple, W: tuple, makespan: int, C: tuple) -> tuple[int, int]:
    """The critical tasks and critical machine arcs of the schedule in ``W``.

    A task is critical when it ends at the makespan, or when a critical task starts exactly when
    it (a predecessor, through its lag and delay) makes data ready or when it (the task just
    before on the same machine) frees the machine. Writes ``crit``, ``arcs``, ``mprev``, ``mark``
    and ``cur_machine`` of ``C`` and returns ``(number of critical tasks, number of arcs)``.
    """
    pred_ptr, pred_idx, pred_edge, lag, comm, node, extra = G[0], G[1], G[2], G[3], G[6], G[7], G[8]
    start, end, machine, busy_s, busy_e, busy_t, count = W
    crit, arcs, mprev, mark, cur_machine = C[2], C[3], C[4], C[5], C[6]
    n = start.shape[0]
    mprev[:] = -1
    mark[:] = False
    cur_machine[:] = machine
    for m in range(count.shape[0]):
        for k in range(1, count[m]):
            if busy_e[m, k - 1] == busy_s[m, k]:
                mprev[busy_t[m, k]] = busy_t[m, k - 1]
    n_crit = 0
    for j in range(n):
        if machine[j] >= 0 and end[j] == makespan:
            mark[j] = True
            crit[n_crit] = j
            n_crit += 1
    head = 0
    n_arcs = 0
    while head < n_crit:
        j = crit[head]
        head += 1
        for q in range(pred_ptr[j], pred_ptr[j + 1]):
            p = pred_idx[q]
            if mark[p] or machine[p] < 0:
                continue
            e = pred_edge[q]
            t = end[p] + lag[e]
            if machine[p] != machine[j]:
                t += comm[e] + extra[e, node[machine[p]], node[machine[j]]]
            if t == start[j]:
                mark[p] = True
                crit[n_crit] = p
                n_crit += 1
        a = mprev[j]
        if a >= 0:
            arcs[n_arcs] = j
            n_arcs += 1
            if not mark[a]:
                mark[a] = True
                crit[n_crit] = a
                n_crit += 1
    return n_crit, n_arcs


@njit(cache=True)
def lower_bound(topo: np.ndarray, G: tuple) -> int:
    """A lower bound on the makespan: the larger of the longest path with each task at its
    shortest allowed duration, release dates and lags but no communication, and the total of the
    shortest durations spread evenly over the machines (rounded up)."""
    pred_ptr, pred_idx, pred_edge, lag, dur, release = G[0], G[1], G[2], G[3], G[4], G[5]
    n, n_mach = dur.shape
    est = np.zeros(n, np.int64)
    fin = np.zeros(n, np.int64)
    path, total = 0, 0
    for j in topo:
        shortest = -1
        for m in range(n_mach):
            if dur[j, m] >= 0 and (shortest < 0 or dur[j, m] < shortest):
                shortest = dur[j, m]
        shortest = max(shortest, 0)
        t = release[j]
        for q in range(pred_ptr[j], pred_ptr[j + 1]):
            t = max(t, fin[pred_idx[q]] + lag[pred_edge[q]])
        est[j] = t
        fin[j] = t + shortest
        path = max(path, fin[j])
        total += shortest
    return max(path, (total + n_mach - 1) // n_mach)


# ----------------------------------------------------------------------------- list moves
@njit(cache=True)
def _move(order: np.ndarray, pos: np.ndarray, k_from: int, k_to: int) -> None:
    """Move the task at position ``k_from`` of ``order`` to position ``k_to`` (shifting the rest)."""
    j = order[k_from]
    if k_to < k_from:
        for k in range(k_from, k_to, -1):
            order[k] = order[k - 1]
            pos[order[k]] = k
    else:
        for k in range(k_from, k_to):
            order[k] = order[k + 1]
            pos[order[k]] = k
    order[k_to] = j
    pos[j] = k_to


@njit(cache=True)
def _window(j: int, pos: np.ndarray, G: tuple, C: tuple) -> tuple[int, int]:
    """Positions ``[lo, hi]`` of the list where ``j`` keeps it topological: after its last
    predecessor and before its first successor."""
    pred_ptr, pred_idx = G[0], G[1]
    succ_ptr, succ_idx = C[0], C[1]
    lo = 0
    for q in range(pred_ptr[j], pred_ptr[j + 1]):
        if pos[pred_idx[q]] + 1 > lo:
            lo = pos[pred_idx[q]] + 1
    hi = pos.shape[0] - 1
    for q in range(succ_ptr[j], succ_ptr[j + 1]):
        if pos[succ_idx[q]] - 1 < hi:
            hi = pos[succ_idx[q]] - 1
    return lo, hi


@njit(cache=True)
def _other_machine(j: int, current: int, rng: np.ndarray, C: tuple) -> int:
    """A random allowed machine of ``j`` other than ``current`` (``-1`` if there is none)."""
    al_ptr, al_idx = C[7], C[8]
    k = al_ptr[j + 1] - al_ptr[j]
    if k == 0 or (k == 1 and al_idx[al_ptr[j]] == current):
        return -1
    while True:
        m = al_idx[al_ptr[j] + _below(rng, k)]
        if m != current:
            return m


@njit(cache=True)
def _random_shift(j: int, S: tuple, G: tuple, C: tuple) -> int:
    """Move ``j`` to a random other position of its window; returns its old position (or -1)."""
    order, pos, rng = S[0], S[2], S[5]
    lo, hi = _window(j, pos, G, C)
    if hi <= lo:
        return -1
    k = pos[j]
    t = lo + _below(rng, hi - lo)
    if t >= k:
        t += 1
    _move(order, pos, k, t)
    return k


# ----------------------------------------------------------------------------- the search
@njit(cache=True)
def _accept(S: tuple, G: tuple, WW: tuple, C: tuple, makespan: int) -> None:
    """Make the solution decoded in ``WW[0]`` current (copied to ``WW[1]``): its makespan and
    critical data; update the best."""
    order, forced, best_order, best_forced, stats = S[0], S[1], S[3], S[4], S[6]
    stats[ST_CUR] = makespan
    stats[ST_ACCEPT] += 1
    _copy_workspace(WW[0], WW[1])
    n_crit, n_arcs = critical(G, WW[1], makespan, C)
    stats[ST_NCRIT] = n_crit
    stats[ST_NARCS] = n_arcs
    if makespan < stats[ST_BEST]:
        stats[ST_BEST] = makespan
        stats[ST_IMPROVE] += 1
        stats[ST_SINCE] = 0
        best_order[:] = order
        best_forced[:] = forced


@njit(cache=True)
def start_search(S: tuple, G: tuple, WW: tuple, C: tuple) -> int:
    """Decode the current solution of ``S``, make it current and best; returns its makespan.

    ``WW = (W, Wc)``: two workspaces, for the candidate and for the current solution.
    """
    order, forced, pos, stats = S[0], S[1], S[2], S[6]
    for k in range(order.shape[0]):
        pos[order[k]] = k
    makespan = decode(order, forced, G, WW[0])
    stats[ST_BEST] = makespan + 1
    _accept(S, G, WW, C, makespan)
    stats[ST_IMPROVE] = 0
    stats[ST_ACCEPT] = 0
    return makespan


@njit(cache=True)
def _kick(S: tuple, G: tuple, WW: tuple, C: tuple, strength: int) -> None:
    """Restart from the best solution perturbed by ``strength`` random moves (any task): a shift
    within its window, or a forced random machine; the result becomes current whatever its
    makespan."""
    order, forced, pos, best_order, best_forced, rng, stats = S
    cur_machine = C[6]
    n = order.shape[0]
    order[:] = best_order
    forced[:] = best_forced
    for k in range(n):
        pos[order[k]] = k
    decode(order, forced, G, WW[0])
    cur_machine[:] = WW[0][2]
    for _ in range(strength):
        j = _below(rng, n)
        if _below(rng, 2) == 0:
            _random_shift(j, S, G, C)
        else:
            m = _other_machine(j, cur_machine[j], rng, C)
            if m >= 0:
                forced[j] = m
                cur_machine[j] = m
    makespan = decode(order, forced, G, WW[0])
    stats[ST_KICKS] += 1
    stats[ST_SINCE] = 0
    _accept(S, G, WW, C, makespan)


@njit(cache=True)
def ils_run(S: tuple, G: tuple, WW: tuple, C: tuple, P: np.ndarray) -> int:
    """``P[P_ITER]`` iterations of the iterated local search of :func:`.improve.solve_ils`.

    Each iteration draws one move around the critical path of the current solution, decodes it
    (:func:`decode_from` the first position it changes, the prefix copied from the current
    schedule ``WW[1]``) and keeps it when the makespan does not grow (else undoes it):

    - ``r < P[P_UNFORCE]``: free a random forced task (earliest finish time again; a reassignment
      when none is found);
    - else ``r < P[P_ARC]``: for a random critical machine arc ``a -> j`` (``j`` waits for ``a``
      on its machine), move ``j`` just before ``a`` in the list, or ``a`` just after ``j`` (when
      the list stays topological; else a shift of ``j``);
    - else ``r < P[P_MACHINE]``: force a random critical task onto a random other allowed machine;
    - else: shift a random critical task to a random position of its window;

    with ``r`` uniform in ``[0, 100)``.
    After ``P[P_PATIENCE]`` iterations without a better best, a kick (:func:`_kick`, ``P[P_KICK]``
    moves) restarts from the best. Stops early once the best makespan is ``P[P_TARGET]`` (a lower
    bound). Returns the best makespan.
    """
    order, forced, pos, rng, stats = S[0], S[1], S[2], S[5], S[6]
    crit, arcs, mprev, cur_machine = C[2], C[3], C[4], C[6]
    n = order.shape[0]
    for _ in range(P[P_ITER]):
        if stats[ST_BEST] <= P[P_TARGET]:
            break
        stats[ST_ITER] += 1
        if stats[ST_SINCE] >= P[P_PATIENCE]:
            _kick(S, G, WW, C, P[P_KICK])
            continue
        stats[ST_SINCE] += 1
        n_crit = stats[ST_NCRIT]
        if n_crit == 0:
            break
        r = _below(rng, 100)
        kind = 0 if r < P[P_UNFORCE] else 1 if r < P[P_ARC] else 2 if r < P[P_MACHINE] else 3
        j = crit[_below(rng, n_crit)]
        old_forced_task, old_forced = -1, -1
        moved_from, moved_task = -1, -1
        k0 = n  # first list position the move changes
        if kind == 0:
            # free a random forced task, if any (a few tries); else reassign j
            for _try in range(8):
                t = _below(rng, n)
                if forced[t] >= 0:
                    old_forced_task, old_forced = t, forced[t]
                    forced[t] = -1
                    k0 = pos[t]
                    break
            if old_forced_task < 0:
                kind = 2
        if kind == 1:
            kind = 3  # fallback: a shift
            if stats[ST_NARCS] > 0:
                b = arcs[_below(rng, stats[ST_NARCS])]
                a = mprev[b]
                lo_b = _window(b, pos, G, C)[0]
                hi_a = _window(a, pos, G, C)[1]
                can_b = lo_b <= pos[a] < pos[b]
                can_a = hi_a >= pos[b] > pos[a]
                if can_b and (not can_a or _below(rng, 2) == 0):
                    moved_task, moved_from, k0 = b, pos[b], pos[a]
                    _move(order, pos, pos[b], pos[a])
                    kind = 1
                elif can_a:
                    moved_task, moved_from, k0 = a, pos[a], pos[a]
                    _move(order, pos, pos[a], pos[b])
                    kind = 1
                else:
                    j = b
        if kind == 2:
            m = _other_machine(j, cur_machine[j], rng, C)
            if m >= 0:
                old_forced_task, old_forced = j, forced[j]
                forced[j] = m
                k0 = min(k0, pos[j])
            else:
                kind = 3
        if kind == 3:
            k = _random_shift(j, S, G, C)
            if k >= 0:
                moved_task, moved_from = j, k
                k0 = min(k0, k, pos[j])
        if old_forced_task < 0 and moved_task < 0:
            continue
        makespan = decode_from(order, forced, pos, k0, G, WW[0], WW[1])
        if makespan <= stats[ST_CUR]:
            _accept(S, G, WW, C, makespan)
        else:
            if old_forced_task >= 0:
                forced[old_forced_task] = old_forced
            if moved_task >= 0:
                _move(order, pos, pos[moved_task], moved_from)
    return stats[ST_BEST]


@njit(cache=True)
def relax(S: tuple, G: tuple, WW: tuple, C: tuple, k_from: int, k_to: int) -> int:
    """Free each forced task at list positions ``k_from .. k_to - 1`` in turn when that does not
    lengthen the current schedule; returns the number freed. Lets a start with every machine
    forced (CPOP, PEFT) adapt to later reassignments by earliest finish time."""
    order, forced, pos, stats = S[0], S[1], S[2], S[6]
    freed = 0
    for k in range(k_from, k_to):
        j = order[k]
        if forced[j] < 0:
            continue
        old = forced[j]
        forced[j] = -1
        makespan = decode_from(order, forced, pos, k, G, WW[0], WW[1])
        if makespan <= stats[ST_CUR]:
            _accept(S, G, WW, C, makespan)
            freed += 1
        else:
            forced[j] = old
    return freed
