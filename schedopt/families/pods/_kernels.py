"""numba kernels of the pods family: the kube-scheduler cycle and greedy bin packing.

Arrays in, arrays out (int64 / float64 / bool); no kernel sees a Problem. ``n`` pods, ``M`` nodes,
``q`` resources. Anti-affinity partners and ReplicaSet members are given in CSR form: the partners
of pod ``i`` are ``anti_idx[anti_ptr[i]:anti_ptr[i + 1]]``, the members of owner ``o`` are
``own_idx[own_ptr[o]:own_ptr[o + 1]]``. ``machine[i]`` is the node of pod ``i`` (``-1``: none).

The emulator kernels take their arrays in four tuples (see :mod:`.emulator` for the meaning):

* ``pods = (dem, sdem, bdem, elig, anti_ptr, anti_idx, owner, own_ptr, own_idx, tgroup)``;
* ``nodes = (cap, scap, bcap, zone, n_zones, prefer, name_rank)``;
* ``cfg = (strategy, sweight, sscalar, bscalar, shape_u, shape_s, plugin_w, limit)``;
* ``state = (machine, load, sload, bload, cursor, mark, hcount, zcount, zseen)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: The largest score of one plugin (Kubernetes ``MaxNodeScore``).
MAX_NODE_SCORE = 100
#: Scoring strategies of NodeResourcesFit.
LEAST, MOST, RTCR = 0, 1, 2


@njit(cache=True)
def _trunc_div(a: int, b: int) -> int:
    """Integer division rounding toward zero (Go's ``/`` on int64)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


@njit(cache=True)
def _broken_linear(p: int, shape_u: np.ndarray, shape_s: np.ndarray) -> int:
    """The piecewise linear function through ``(shape_u[k], shape_s[k])`` (constant outside), in integers."""
    for k in range(shape_u.shape[0]):
        if p <= shape_u[k]:
            if k == 0:
                return shape_s[0]
            du = shape_u[k] - shape_u[k - 1]
            return shape_s[k - 1] + _trunc_div((shape_s[k] - shape_s[k - 1]) * (p - shape_u[k - 1]), du)
    return shape_s[shape_s.shape[0] - 1]


@njit(cache=True)
def fits(i: int, j: int, pods: tuple, nodes: tuple, state: tuple) -> bool:
    """Filters for pod ``i`` on node ``j``: static eligibility, NodeResourcesFit, anti-affinity.

    The anti-affinity partners of ``i`` must have been marked in ``state.mark`` with stamp ``i + 1``.
    """
    dem, elig = pods[0], pods[3]
    cap = nodes[0]
    load, mark = state[1], state[5]
    if not elig[i, j] or mark[j] == i + 1:
        return False
    for r in range(dem.shape[1]):  # noqa: SIM110 (numba compiles no generator in all())
        if load[j, r] + dem[i, r] > cap[j, r]:
            return False
    return True


@njit(cache=True)
def mark_partners(i: int, pods: tuple, state: tuple) -> None:
    """Stamp ``i + 1`` on the nodes of the placed anti-affinity partners of pod ``i``."""
    anti_ptr, anti_idx = pods[4], pods[5]
    machine, mark = state[0], state[5]
    for t in range(anti_ptr[i], anti_ptr[i + 1]):
        m = machine[anti_idx[t]]
        if m >= 0:
            mark[m] = i + 1


@njit(cache=True)
def score_candidates(
    i: int, cand: np.ndarray, pods: tuple, nodes: tuple, cfg: tuple, state: tuple
) -> np.ndarray:
    """Plugin scores of pod ``i`` on the feasible nodes ``cand``: ``(k, 5)`` int64.

    Columns: NodeResourcesFit, NodeResourcesBalancedAllocation, PodTopologySpread (normalised),
    TaintToleration (normalised), and the weighted total. See :mod:`.emulator` for the formulas.
    """
    sdem, bdem, owner, own_ptr, own_idx, tgroup = pods[1], pods[2], pods[6], pods[7], pods[8], pods[9]
    elig = pods[3]
    scap, bcap, zone, n_zones, prefer = nodes[1], nodes[2], nodes[3], nodes[4], nodes[5]
    strategy, sweight, sscalar, bscalar = cfg[0], cfg[1], cfg[2], cfg[3]
    shape_u, shape_s, plugin_w = cfg[4], cfg[5], cfg[6]
    machine, sload, bload = state[0], state[2], state[3]
    hcount, zcount, zseen = state[6], state[7], state[8]
    k = cand.shape[0]
    out = np.zeros((k, 5), np.int64)
    fr = np.zeros(bdem.shape[1])
    # --- NodeResourcesFit and BalancedAllocation (raw scores are final: no normalisation)
    for c in range(k):
        j = cand[c]
        total = 0
        wsum = 0
        for r in range(sdem.shape[1]):
            alloc = scap[j, r]
            if alloc == 0 or (sscalar[r] and sdem[i, r] == 0):
                continue
            req = sload[j, r] + sdem[i, r]
            if strategy == LEAST:
                s = 0 if req > alloc else (alloc - req) * MAX_NODE_SCORE // alloc
            elif strategy == MOST:
                s = min(req, alloc) * MAX_NODE_SCORE // alloc
            else:
                util = MAX_NODE_SCORE if req > alloc else req * MAX_NODE_SCORE // alloc
                s = _broken_linear(util, shape_u, shape_s)
                if s <= 0:
                    continue
            total += s * sweight[r]
            wsum += sweight[r]
        if wsum > 0:
            if strategy == RTCR:
                out[c, 0] = math.floor(total / wsum + 0.5)
            else:
                out[c, 0] = total // wsum
        nf = 0
        fsum = 0.0
        for r in range(bdem.shape[1]):
            alloc = bcap[j, r]
            if alloc == 0 or (bscalar[r] and bdem[i, r] == 0):
                continue
            f = min(1.0, (bload[j, r] + bdem[i, r]) / alloc)
            fr[nf] = f
            fsum += f
            nf += 1
        std = 0.0
        if nf == 2:
            std = abs(fr[0] - fr[1]) / 2.0
        elif nf > 2:
            mean = fsum / nf
            acc = 0.0
            for t in range(nf):
                acc += (fr[t] - mean) * (fr[t] - mean)
            std = math.sqrt(acc / nf)
        out[c, 1] = int((1.0 - std) * MAX_NODE_SCORE)
    # --- PodTopologySpread (system default constraints, pods with an owner only)
    o = owner[i]
    if o >= 0 and k > 0:
        for t in range(own_ptr[o], own_ptr[o + 1]):
            m = machine[own_idx[t]]
            if m >= 0:
                hcount[m] += 1
                if zone[m] >= 0 and elig[i, m]:
                    zcount[zone[m]] += 1
        zsize = 0
        for c in range(k):
            z = zone[cand[c]]
            z = n_zones if z < 0 else z
            if zseen[z] != i + 1:
                zseen[z] = i + 1
                zsize += 1
        wh = math.log(k + 2.0)
        wz = math.log(zsize + 2.0)
        lo = np.iinfo(np.int64).max
        hi = 0
        for c in range(k):
            j = cand[c]
            raw = hcount[j] * wh + 2.0  # hostname: maxSkew 3
            if zone[j] >= 0:
                raw += zcount[zone[j]] * wz + 4.0  # zone: maxSkew 5
            v = math.floor(raw + 0.5)
            out[c, 2] = v
            lo = min(lo, v)
            hi = max(hi, v)
        for c in range(k):
            out[c, 2] = MAX_NODE_SCORE if hi == 0 else MAX_NODE_SCORE * (hi + lo - out[c, 2]) // hi
        for t in range(own_ptr[o], own_ptr[o + 1]):
            m = machine[own_idx[t]]
            if m >= 0:
                hcount[m] = 0
                if zone[m] >= 0:
                    zcount[zone[m]] = 0
    # --- TaintToleration (PreferNoSchedule taints the pod does not tolerate; fewer is better)
    g = tgroup[i]
    hi = 0
    for c in range(k):
        hi = max(hi, prefer[g, cand[c]])
    for c in range(k):
        if hi == 0:
            out[c, 3] = MAX_NODE_SCORE
        else:
            out[c, 3] = MAX_NODE_SCORE - MAX_NODE_SCORE * prefer[g, cand[c]] // hi
    for c in range(k):
        out[c, 4] = (
            plugin_w[0] * out[c, 0]
            + plugin_w[1] * out[c, 1]
            + plugin_w[2] * out[c, 2]
            + plugin_w[3] * out[c, 3]
        )
    return out


@njit(cache=True)
def feasible_nodes(i: int, pods: tuple, nodes: tuple, cfg: tuple, state: tuple) -> np.ndarray:
    """The nodes passing the filters for pod ``i``, searched from ``state.cursor`` round the node list.

    Stops after ``cfg.limit`` feasible nodes (Kubernetes ``percentageOfNodesToScore``) and moves the
    cursor past the nodes examined, as kube-scheduler does with parallelism 1.
    """
    big_m = nodes[0].shape[0]
    limit = cfg[7]
    cursor = state[4]
    mark_partners(i, pods, state)
    cand = np.empty(min(limit, big_m), np.int64)
    k = 0
    seen = big_m
    for t in range(big_m):
        j = (cursor[0] + t) % big_m
        if fits(i, j, pods, nodes, state):
            cand[k] = j
            k += 1
            if k == limit:
                seen = t + 1
                break
    cursor[0] = (cursor[0] + seen) % big_m
    return cand[:k]


@njit(cache=True)
def place(i: int, j: int, pods: tuple, state: tuple) -> None:
    """Bind pod ``i`` to node ``j`` and add its requests to the node's loads."""
    dem, sdem, bdem = pods[0], pods[1], pods[2]
    machine, load, sload, bload = state[0], state[1], state[2], state[3]
    machine[i] = j
    for r in range(dem.shape[1]):
        load[j, r] += dem[i, r]
    for r in range(sdem.shape[1]):
        sload[j, r] += sdem[i, r]
    for r in range(bdem.shape[1]):
        bload[j, r] += bdem[i, r]


@njit(cache=True)
def run_queue(
    order: np.ndarray, pos: int, stop_on_fail: bool, pods: tuple, nodes: tuple, cfg: tuple, state: tuple
) -> int:
    """Schedule ``order[pos:]`` one pod at a time; return the position of the first pod that fits
    nowhere when ``stop_on_fail`` (else ``len(order)``). Ties go to the smallest ``name_rank``."""
    name_rank = nodes[6]
    for p in range(pos, order.shape[0]):
        i = order[p]
        cand = feasible_nodes(i, pods, nodes, cfg, state)
        if cand.shape[0] == 0:
            if stop_on_fail:
                return p
            continue
        best = cand[0]
        if cand.shape[0] > 1:
            sc = score_candidates(i, cand, pods, nodes, cfg, state)
            bc = 0
            for c in range(1, cand.shape[0]):
                if sc[c, 4] > sc[bc, 4] or (
                    sc[c, 4] == sc[bc, 4] and name_rank[cand[c]] < name_rank[cand[bc]]
                ):
                    bc = c
            best = cand[bc]
        place(i, best, pods, state)
    return order.shape[0]


# ----------------------------------------------------------------- greedy packing
@njit(cache=True)
def greedy_pack(
    order: np.ndarray, dem: np.ndarray, elig: np.ndarray, cap: np.ndarray, load: np.ndarray,
    machine: np.ndarray, anti_ptr: np.ndarray, anti_idx: np.ndarray, inv_norm: np.ndarray, rule: int,
) -> None:  # fmt: skip
    """Place the pods of ``order`` in turn (``machine`` and ``load`` are updated in place).

    A node is a candidate when the pod is eligible there, fits in every resource and no
    anti-affinity partner runs there. With the normalised room left ``f_r = (cap - load - dem)[r]
    * inv_norm[r]`` over the resources with ``inv_norm[r] > 0``, the rule picks: ``0`` the first
    candidate (first fit); ``1`` the least ``sum_r f_r`` (best fit); ``2`` the least
    ``max_r f_r - min_r f_r`` (balanced fit). Ties: the first node.
    """
    big_m, q = cap.shape
    mark = np.zeros(big_m, np.int64)
    for p in range(order.shape[0]):
        i = order[p]
        for t in range(anti_ptr[i], anti_ptr[i + 1]):
            m = machine[anti_idx[t]]
            if m >= 0:
                mark[m] = i + 1
        best = -1
        best_value = np.inf
        for j in range(big_m):
            if not elig[i, j] or mark[j] == i + 1:
                continue
            ok = True
            total = 0.0
            hi = -np.inf
            lo = np.inf
            for r in range(q):
                left = cap[j, r] - load[j, r] - dem[i, r]
                if left < 0:
                    ok = False
                    break
                if inv_norm[r] > 0:
                    f = left * inv_norm[r]
                    total += f
                    hi = max(hi, f)
                    lo = min(lo, f)
            if not ok:
                continue
            if rule == 0:
                best = j
                break
            value = total if rule == 1 else (hi - lo if hi >= lo else 0.0)
            if value < best_value:
                best_value = value
                best = j
        if best >= 0:
            machine[i] = best
            for r in range(q):
                load[best, r] += dem[i, r]
