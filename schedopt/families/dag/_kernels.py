"""numba kernels of the heterogeneous DAG family: upward ranks and insertion-based EFT.

Arrays in, arrays out (int64 / float64); no kernel sees a Problem. The network is given in CSR
form: the predecessors of task ``j`` are ``pred_idx[pred_ptr[j]:pred_ptr[j + 1]]`` through the
edges ``pred_edge[...]`` (likewise successors). ``dur[j, m]`` is task ``j``'s duration on machine
``m`` (``-1``: not allowed there). The delay of edge ``e`` between distinct machines ``a != b`` is
``comm[e] + extra[e, node[a], node[b]]`` (0 on the same machine).
"""

from __future__ import annotations

import numpy as np
from numba import njit


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
def _delay(e: int, a: int, b: int, comm: np.ndarray, node: np.ndarray, extra: np.ndarray) -> int:
    if a == b:
        return 0
    return comm[e] + extra[e, node[a], node[b]]


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
    Returns ``(start, end, machine)``; a task allowed nowhere gets machine ``-1``.
    """
    n, n_mach = dur.shape
    start = np.full(n, -1, np.int64)
    end = np.full(n, -1, np.int64)
    machine = np.full(n, -1, np.int64)
    busy_s = np.empty((n_mach, n), np.int64)  # busy intervals per machine, sorted by start
    busy_e = np.empty((n_mach, n), np.int64)
    count = np.zeros(n_mach, np.int64)
    for j in order:
        best_end, best_m, best_s, best_pos = -1, -1, -1, -1
        for m in range(n_mach):
            d = dur[j, m]
            if d < 0:
                continue
            ready = release[j]
            for q in range(pred_ptr[j], pred_ptr[j + 1]):
                p = pred_idx[q]
                t = end[p] + _delay(pred_edge[q], machine[p], m, comm, node, extra)
                if t > ready:
                    ready = t
            s = ready
            pos = count[m]
            if d > 0:
                for k in range(count[m]):
                    if busy_e[m, k] <= s:
                        continue
                    if s + d <= busy_s[m, k]:
                        pos = k
                        break
                    s = max(s, busy_e[m, k])
            else:
                pos = -1  # zero-length tasks occupy nothing
            if best_m < 0 or s + d < best_end:
                best_end, best_m, best_s, best_pos = s + d, m, s, pos
        if best_m < 0:
            continue
        start[j], end[j], machine[j] = best_s, best_end, best_m
        if best_pos >= 0:
            m = best_m
            for k in range(count[m], best_pos, -1):
                busy_s[m, k] = busy_s[m, k - 1]
                busy_e[m, k] = busy_e[m, k - 1]
            busy_s[m, best_pos] = best_s
            busy_e[m, best_pos] = best_end
            count[m] += 1
    return start, end, machine
