"""First-fit, best-fit and balanced-fit decreasing packing of pods onto nodes (vector bin packing).

The fast baseline of the pods family for clusters where CP-SAT is too slow (issue 22; the
"Priority Matters" paper, Christensen, Giallorenzo & Mauro, arXiv 2511.08373, compares CP-SAT with
the default scheduler only). The rule:

1. Running pods stay on their nodes (no disruption) — unless ``repack=True``, where only the
   non-optional (protected) ones stay and every optional pod is packed again;
2. the other pods are taken by **priority tier, high to low**, and within a tier by **size
   descending**, where the size of pod ``i`` is its normalised dominant request
   ``max_r d_ir / mean_m C_mr`` over the resources some node offers other than the ``pods`` slots,
   ties by arrival then index; non-optional pending pods come first;
3. each pod goes, among the nodes that are eligible, meet its deadline, have room in every
   resource and hold no anti-affinity partner, to the one chosen by ``fit``, with the normalised
   room left ``f_r = (C_mr - L_mr - d_ir) / mean_m C_mr`` over the same resources:

   * ``"first"``: the first such node (node order);
   * ``"best"``: the least ``sum_r f_r`` (best fit);
   * ``"balanced"`` (default): the least ``max_r f_r - min_r f_r``, which keeps the resources of a
     node equally used so that none is stranded (on the 1,000-node case it places more
     low-priority pods than the emulated default scheduler, best fit far fewer);

   a pod that fits nowhere stays pending. No pod is ever evicted for another.

Complexity ``O(n M q)`` in one numba kernel (:func:`._kernels.greedy_pack`).
"""

from __future__ import annotations

import numpy as np

from ...errors import OptionError
from ...model import Problem
from ...registry import MethodOutput
from . import _kernels as K
from .emulator import (
    allowed_nodes,
    anti_csr,
    arrivals,
    initial_machine,
    placed_by_tier,
    require_whole_horizon,
    schedule_of,
)

FITS = {"first": 0, "best": 1, "balanced": 2}


def inverse_norms(problem: Problem) -> np.ndarray:
    """``1 / mean_m C_mr`` per resource; 0 for the ``pods`` slots and for resources no node offers."""
    mean = problem.machine_capacity.astype(float).mean(axis=0)
    inv = np.where(mean > 0, 1.0 / np.maximum(mean, 1e-300), 0.0)
    inv[[k for k, name in enumerate(problem.machine_resource_names) if name == "pods"]] = 0.0
    return inv


def pack_order(problem: Problem, jobs: np.ndarray) -> np.ndarray:
    """``jobs`` by non-optional first, priority descending, size descending, arrival, index."""
    jobs = np.asarray(jobs, np.int64)
    inv = inverse_norms(problem)
    dem = problem.machine_demand[jobs].astype(float)
    size = (dem * inv).max(axis=1) if len(inv) else np.zeros(len(jobs))
    arrival = arrivals(problem)[jobs]
    keys = (jobs, arrival, -size, -problem.priority[jobs], problem.optional[jobs])
    return jobs[np.lexsort(keys)]


def solve_ffd(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    fit: str = "balanced",
    repack: bool = False,
) -> MethodOutput:
    """First-fit / best-fit decreasing by priority tier (module docstring).

    Parameters
    ----------
    problem
        A problem whose pods run the whole horizon.
    time_limit, seed
        Ignored: one deterministic pass.
    fit
        ``"balanced"`` (default), ``"best"`` or ``"first"`` (module docstring).
    repack
        Pack the running optional pods again too (moves and evictions may result) instead of
        keeping them where they run.

    Returns
    -------
    MethodOutput
        Status ``"feasible"`` (``"unknown"`` without schedule when a non-optional pod fits nowhere);
        ``info["placed_by_tier"]`` is the placed weight per priority tier, highest first.
    """
    require_whole_horizon(problem, "ffd")
    if fit not in FITS:
        raise OptionError("ffd", "fit", message=f"fit must be one of {', '.join(FITS)}, got {fit!r}")
    machine = initial_machine(problem)
    if repack:
        machine[problem.optional] = -1
    dem = problem.machine_demand.astype(np.int64)
    cap = problem.machine_capacity.astype(np.int64)
    load = np.zeros_like(cap)
    kept = np.flatnonzero(machine >= 0)
    np.add.at(load, machine[kept], dem[kept])
    inv_norm = inverse_norms(problem)
    anti_ptr, anti_idx = anti_csr(problem)
    order = pack_order(problem, np.flatnonzero(machine < 0))
    elig = np.array(allowed_nodes(problem), dtype=bool)
    K.greedy_pack(order, dem, elig, cap, load, machine, anti_ptr, anti_idx, inv_norm, FITS[fit])
    info = {
        "rule": f"{fit} fit decreasing",
        "repack": bool(repack),
        "placed_by_tier": placed_by_tier(problem, machine),
        "pending": int((machine < 0).sum()),
    }
    missing = np.flatnonzero((machine < 0) & ~problem.optional)
    if len(missing):
        info["unplaced_required"] = [problem.job_label(int(j)) for j in missing[:5]]
        return MethodOutput("unknown", None, None, info)
    return MethodOutput("feasible", schedule_of(problem, machine), None, info)
