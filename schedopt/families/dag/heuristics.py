"""List-scheduling heuristics of the heterogeneous DAG family: HEFT.

HEFT (Topcuoglu, Hariri & Wu 2002, IEEE TPDS 13(3)):

1. mean costs ``wbar_i`` = the mean of task ``i``'s duration over the machines it may use, and
   ``cbar_e`` = the mean delay of edge ``e`` over ordered pairs of distinct machines (with a
   constant delay per edge, as in the paper's example, ``cbar_e = c_e``);
2. upward ranks ``rank_u(i) = wbar_i + max_{(i, k)} (cbar_(i,k) + rank_u(k))``;
3. tasks in decreasing ``rank_u`` (ties: the earlier task of a topological order, so the list
   stays topological even for zero-cost tasks), each placed on the machine that finishes it
   first, in the earliest idle gap that fits (insertion-based EFT), honouring release dates,
   eligibility and the machine-pair communication delays of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from . import _kernels as K


@dataclass(frozen=True)
class DagArrays:
    """The problem as the kernels need it (see :mod:`._kernels`)."""

    topo: np.ndarray
    pred_ptr: np.ndarray
    pred_idx: np.ndarray
    pred_edge: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    succ_edge: np.ndarray
    dur: np.ndarray
    release: np.ndarray
    comm: np.ndarray
    node: np.ndarray
    extra: np.ndarray


def _csr(n: int, keys: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, keys + 1, 1)
    return np.cumsum(ptr), others[order].astype(np.int64), order.astype(np.int64)


def prepare(problem: Problem) -> DagArrays:
    """Kernel arrays of ``problem`` (machines required)."""
    import networkx as nx

    n, prec = problem.n_jobs, problem.precedence
    src, dst = prec[:, 0].astype(np.int64), prec[:, 1].astype(np.int64)
    pred_ptr, pred_idx, pred_edge = _csr(n, dst, src)
    succ_ptr, succ_idx, succ_edge = _csr(n, src, dst)
    topo = np.fromiter(nx.topological_sort(problem.graph()), np.int64, count=n)
    dur = problem.duration[:, problem.machine_type] if problem.duration.ndim == 2 else None
    if dur is None:
        dur = np.repeat(problem.duration[:, None], problem.n_machines, axis=1)
    dur = np.where(problem.allowed, dur, -1).astype(np.int64)
    if problem.has_pair_comm:
        extra = np.stack([problem.edge_delays(e) - problem.comm[e] for e in range(len(prec))])
    else:
        extra = np.zeros((len(prec), 1, 1), np.int64)
    node = (
        problem.machine_node.astype(np.int64)
        if problem.has_pair_comm
        else np.zeros(problem.n_machines, np.int64)
    )
    return DagArrays(
        topo, pred_ptr, pred_idx, pred_edge, succ_ptr, succ_idx, succ_edge, dur,
        problem.release.astype(np.int64), problem.comm.astype(np.int64), node, extra.astype(np.int64),
    )  # fmt: skip


def mean_costs(a: DagArrays) -> tuple[np.ndarray, np.ndarray]:
    """``(wbar, cbar)`` of HEFT's step 1 (module docstring)."""
    allowed = a.dur >= 0
    wbar = np.where(allowed, a.dur, 0).sum(axis=1) / np.maximum(allowed.sum(axis=1), 1)
    m = a.dur.shape[1]
    if m < 2:
        return wbar, np.zeros(len(a.comm))
    pair = a.extra[:, a.node[:, None], a.node[None, :]]  # (E, M, M)
    off = ~np.eye(m, dtype=bool)
    cbar = a.comm + pair[:, off].mean(axis=1)
    return wbar, cbar


def heft_ranks(problem: Problem) -> np.ndarray:
    """HEFT's upward ranks ``rank_u`` of every task (floats, in the problem's task order)."""
    a = prepare(problem)
    wbar, cbar = mean_costs(a)
    return K.upward_ranks(a.topo, a.succ_ptr, a.succ_idx, a.succ_edge, wbar, cbar)


def solve_heft(problem: Problem, *, time_limit: float | None = None, seed: int = 0) -> MethodOutput:
    """HEFT: upward ranks and insertion-based EFT (module docstring). Deterministic; one pass."""
    a = prepare(problem)
    wbar, cbar = mean_costs(a)
    rank = K.upward_ranks(a.topo, a.succ_ptr, a.succ_idx, a.succ_edge, wbar, cbar)
    position = np.empty(problem.n_jobs, np.int64)
    position[a.topo] = np.arange(problem.n_jobs)
    order = np.lexsort((position, -rank)).astype(np.int64)
    start, end, machine = K.insertion_eft(
        order, a.pred_ptr, a.pred_idx, a.pred_edge, a.dur, a.release, a.comm, a.node, a.extra
    )
    return MethodOutput("feasible", Schedule(start, end, machine), None, {"rule": "heft"})
