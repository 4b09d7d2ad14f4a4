"""numba kernels of the heterogeneous DAG family: ranks, the optimistic cost table, list scheduling.

Arrays in, arrays out (int64 / float64 / bool); no kernel sees a Problem. The network is given in
CSR form: the predecessors of task ``j`` are ``pred_idx[pred_ptr[j]:pred_ptr[j + 1]]`` through the
edges ``pred_edge[...]`` (likewise successors). ``dur[j, m]`` is task ``j``'s duration on machine
``m`` (``-1``: not allowed there). Edge ``e = (i, j)`` requires ``S_j >= C_i + lag[e] + delay``
where the delay between distinct machines ``a != b`` is ``comm[e] + extra[e, node[a], node[b]]``
and 0 on the same machine.

Kernels taking many arrays receive them in tuples (at most 10 parameters each):

* ``graph = (pred_ptr, pred_idx, pred_edge, succ_ptr, succ_idx, succ_edge)``;
* ``costs = (dur, release, comm, lag, node, extra)``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def topological_order(pred_ptr: np.ndarray, succ_ptr: np.ndarray, succ_idx: np.ndarray) -> np.ndarray:
    """The smallest topological order by task index (Kahn's algorithm, lowest ready index first).

    Returns the ``n`` tasks in that order, or fewer when the graph has a cycle.
    """
    n = pred_ptr.shape[0] - 1
    key = np.arange(n)
    waiting = np.empty(n, np.int64)
    heap = np.empty(n, np.int64)
    size = 0
    for j in range(n):
        waiting[j] = pred_ptr[j + 1] - pred_ptr[j]
        if waiting[j] == 0:
            size = _heap_push(heap, size, key, j)
    out = np.empty(n, np.int64)
    done = 0
    while size > 0:
        j, size = _heap_pop(heap, size, key)
        out[done] = j
        done += 1
        for q in range(succ_ptr[j], succ_ptr[j + 1]):
            k = succ_idx[q]
            waiting[k] -= 1
            if waiting[k] == 0:
                size = _heap_push(heap, size, key, k)
    return out[:done]


@njit(cache=True)
def upward_ranks(
    topo: np.ndarray, succ_ptr: np.ndarray, succ_idx: np.ndarray, succ_edge: np.ndarray,
    wbar: np.ndarray, cbar: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """``rank_u(i) = wbar_i + max_{(i, k) = e} (cbar_e + rank_u(k))`` in reverse topological order."""
    n = topo.shape[0]
    rank = np.zeros(n)
    for pos in range(n - 1, -1, -1):
        i = topo[pos]
        best = 0.0
        for q in range(succ_ptr[i], succ_ptr[i + 1]):
            v = cbar[succ_edge[q]] + rank[succ_idx[q]]
            if v > best:
                best = v
        rank[i] = wbar[i] + best
    return rank


@njit(cache=True)
def downward_ranks(
    topo: np.ndarray, pred_ptr: np.ndarray, pred_idx: np.ndarray, pred_edge: np.ndarray,
    wpred: np.ndarray, cbar: np.ndarray, wself: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Downward ranks in topological order.

    ``rank_d(i) = max_{(p, i) = e} (rank_d(p) + wpred_p + cbar_e) + wself_i`` for a task with
    predecessors, ``0`` for an entry task. Topcuoglu et al. (2002): ``wpred = wbar``,
    ``wself = 0``; saga's CPoP variant: ``wpred = 0`` and ``wself`` the task's own mean cost.
    """
    n = topo.shape[0]
    rank = np.zeros(n)
    for pos in range(n):
        i = topo[pos]
        if pred_ptr[i] == pred_ptr[i + 1]:
            continue
        best = -np.inf
        for q in range(pred_ptr[i], pred_ptr[i + 1]):
            p = pred_idx[q]
            v = rank[p] + wpred[p] + cbar[pred_edge[q]]
            if v > best:
                best = v
        rank[i] = best + wself[i]
    return rank


@njit(cache=True)
def _delay(e: int, a: int, b: int, comm: np.ndarray, node: np.ndarray, extra: np.ndarray) -> int:
    if a == b:
        return 0
    return comm[e] + extra[e, node[a], node[b]]


@njit(cache=True)
def optimistic_cost_table(
    topo: np.ndarray, graph: tuple, costs: tuple, cbar: np.ndarray, use_pairs: bool
) -> np.ndarray:
    """PEFT's optimistic cost table (Arabnejad & Barbosa 2014, Eq. 6), in reverse topological order.

    ``OCT(i, k) = max_{(i, j) = e} min_{w allowed for j} (OCT(j, w) + w(j, w) + lag_e + c_e(k, w))``,
    ``OCT(exit, k) = 0``, where ``c_e(k, w) = 0`` for ``k == w`` and otherwise the pair delay
    ``comm[e] + extra[e, node[k], node[w]]`` (``use_pairs``) or the paper's mean ``cbar[e]``.
    Returns the ``(n, M)`` float table (entries for machines a task may not use are computed too).
    """
    succ_ptr, succ_idx, succ_edge = graph[3], graph[4], graph[5]
    dur, comm, lag, node, extra = costs[0], costs[2], costs[3], costs[4], costs[5]
    n, n_mach = dur.shape
    oct_ = np.zeros((n, n_mach))
    for pos in range(n - 1, -1, -1):
        i = topo[pos]
        for q in range(succ_ptr[i], succ_ptr[i + 1]):
            j, e = succ_idx[q], succ_edge[q]
            for k in range(n_mach):
                best = np.inf
                for w in range(n_mach):
                    d = dur[j, w]
                    if d < 0:
                        continue
                    c = 0.0
                    if w != k:
                        c = float(_delay(e, k, w, comm, node, extra)) if use_pairs else cbar[e]
                    v = oct_[j, w] + d + lag[e] + c
                    if v < best:
                        best = v
                if best > oct_[i, k]:
                    oct_[i, k] = best
    return oct_


@njit(cache=True)
def _earliest_gap(bs: np.ndarray, be: np.ndarray, count: int, ready: int, d: int) -> tuple[int, int]:
    """Insertion: the earliest start ``>= ready`` of a ``d``-long task between the sorted busy intervals.

    Returns ``(start, position)``; binary search for the first interval ending after ``ready``
    (ends are sorted too: the intervals are disjoint and of positive length), then a scan.
    """
    lo, hi = 0, count
    while lo < hi:
        mid = (lo + hi) // 2
        if be[mid] <= ready:
            lo = mid + 1
        else:
            hi = mid
    s = ready
    for k in range(lo, count):
        if s + d <= bs[k]:
            return s, k
        if be[k] > s:
            s = be[k]
    return s, count


@njit(cache=True)
def _heap_push(heap: np.ndarray, size: int, key: np.ndarray, j: int) -> int:
    k = size
    heap[k] = j
    while k > 0:
        parent = (k - 1) // 2
        if key[heap[parent]] <= key[heap[k]]:
            break
        heap[parent], heap[k] = heap[k], heap[parent]
        k = parent
    return size + 1


@njit(cache=True)
def _heap_pop(heap: np.ndarray, size: int, key: np.ndarray) -> tuple[int, int]:
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    k = 0
    while True:
        c = 2 * k + 1
        if c >= size:
            break
        if c + 1 < size and key[heap[c + 1]] < key[heap[c]]:
            c += 1
        if key[heap[k]] <= key[heap[c]]:
            break
        heap[c], heap[k] = heap[k], heap[c]
        k = c
    return top, size


@njit(cache=True)
def list_schedule(graph: tuple, costs: tuple, key: np.ndarray, fixed: np.ndarray, look: np.ndarray) -> tuple:
    """A list scheduler with insertion: the ready task of smallest ``key`` goes first.

    ``key`` is a permutation of ``0 .. n-1`` (the wrapper turns priorities and their tie rule into
    it), so the result is deterministic. For each task and each allowed machine ``m`` the
    data-ready time is ``max(r_j, max_{(p, j) = e} C_p + lag_e + delay_e(m_p, m))``, the start is
    the earliest idle gap on ``m`` at or after it that is long enough (else after ``m``'s last
    task), and the task goes to the machine minimising ``EFT(j, m) + look[j, m]`` (``look`` of
    shape ``(0, 0)``: plain EFT), ties by the smaller EFT, then the lower machine index; a task with
    ``fixed[j] >= 0`` allowed on that machine goes there. Zero-length tasks occupy no machine time.
    Returns ``(start, end, machine)``; a task allowed nowhere gets machine ``-1``.
    """
    pred_ptr, pred_idx, pred_edge, succ_ptr, succ_idx = graph[0], graph[1], graph[2], graph[3], graph[4]
    dur, release, comm, lag, node, extra = costs
    n, n_mach = dur.shape
    use_look = look.shape[0] > 0
    start = np.full(n, -1, np.int64)
    end = np.full(n, -1, np.int64)
    machine = np.full(n, -1, np.int64)
    busy_s = np.empty((n_mach, n), np.int64)  # busy intervals per machine, sorted by start
    busy_e = np.empty((n_mach, n), np.int64)
    count = np.zeros(n_mach, np.int64)
    waiting = np.empty(n, np.int64)
    heap = np.empty(n, np.int64)
    size = 0
    for j in range(n):
        waiting[j] = pred_ptr[j + 1] - pred_ptr[j]
        if waiting[j] == 0:
            size = _heap_push(heap, size, key, j)
    while size > 0:
        j, size = _heap_pop(heap, size, key)
        lo, hi = 0, n_mach
        if fixed[j] >= 0 and dur[j, fixed[j]] >= 0:
            lo, hi = fixed[j], fixed[j] + 1
        best_val, best_end, best_m, best_s, best_pos = np.inf, -1, -1, -1, -1
        for m in range(lo, hi):
            d = dur[j, m]
            if d < 0:
                continue
            ready = release[j]
            for q in range(pred_ptr[j], pred_ptr[j + 1]):
                p = pred_idx[q]
                e = pred_edge[q]
                t = end[p] + lag[e] + _delay(e, machine[p], m, comm, node, extra)
                if t > ready:
                    ready = t
            if d > 0:
                s, pos = _earliest_gap(busy_s[m], busy_e[m], count[m], ready, d)
            else:
                s, pos = ready, -1  # zero-length tasks occupy nothing
            val = float(s + d) + (look[j, m] if use_look else 0.0)
            if best_m < 0 or val < best_val or (val == best_val and s + d < best_end):
                best_val, best_end, best_m, best_s, best_pos = val, s + d, m, s, pos
        if best_m >= 0:
            start[j], end[j], machine[j] = best_s, best_end, best_m
            if best_pos >= 0:
                m = best_m
                for k in range(count[m], best_pos, -1):
                    busy_s[m, k] = busy_s[m, k - 1]
                    busy_e[m, k] = busy_e[m, k - 1]
                busy_s[m, best_pos] = best_s
                busy_e[m, best_pos] = best_end
                count[m] += 1
        for q in range(succ_ptr[j], succ_ptr[j + 1]):
            k = succ_idx[q]
            waiting[k] -= 1
            if waiting[k] == 0:
                size = _heap_push(heap, size, key, k)
    return start, end, machine


@njit(cache=True)
def insertion_eft(
    order: np.ndarray, pred_ptr: np.ndarray, pred_idx: np.ndarray, pred_edge: np.ndarray,
    dur: np.ndarray, release: np.ndarray, comm: np.ndarray, node: np.ndarray, extra: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Schedule the tasks in ``order`` (a topological order) by insertion-based earliest finish time.

    For each task and each allowed machine ``m``: the data-ready time is
    ``max(r_j, max_p AFT(p) + delay(p -> j))``; the start is the earliest idle gap on ``m`` at or
    after it that is long enough (else after ``m``'s last task); the task goes to the machine
    of the smallest finish time, the lowest index on ties (Topcuoglu, Hariri & Wu 2002).
    Returns ``(start, end, machine)``; a task allowed nowhere gets machine ``-1``. Edge lags are
    taken as 0 here (use :func:`list_schedule` for lags); ``order`` is followed as far as
    precedence allows (a task whose predecessors are unplaced waits for them).
    """
    n = dur.shape[0]
    key = np.empty(n, np.int64)
    for pos in range(n):
        key[order[pos]] = pos
    # successors in CSR form, from the predecessor lists
    n_edges = pred_idx.shape[0]
    succ_ptr = np.zeros(n + 1, np.int64)
    for q in range(n_edges):
        succ_ptr[pred_idx[q] + 1] += 1
    for j in range(n):
        succ_ptr[j + 1] += succ_ptr[j]
    fill = succ_ptr[:-1].copy()
    succ_idx = np.empty(n_edges, np.int64)
    succ_edge = np.empty(n_edges, np.int64)
    for j in range(n):
        for q in range(pred_ptr[j], pred_ptr[j + 1]):
            p = pred_idx[q]
            succ_idx[fill[p]] = j
            succ_edge[fill[p]] = pred_edge[q]
            fill[p] += 1
    lag = np.zeros(comm.shape[0], np.int64)
    graph = (pred_ptr, pred_idx, pred_edge, succ_ptr, succ_idx, succ_edge)
    costs = (dur, release, comm, lag, node, extra)
    return list_schedule(graph, costs, key, np.full(n, -1, np.int64), np.zeros((0, 0)))
