"""The instance grid of "Priority Matters" (Christensen, Giallorenzo & Mauro, arXiv 2511.08373,
2025), a GPU variant and the large case.

:func:`pods_grid_instance` follows the authors' generator (``scripts/kwok_workload_once``, read
from the notes in ``shared/docs/dag_pods_quantum.md`` §2.1):

* pods come in **ReplicaSets of 1-4 replicas** (uniform) sharing one request and one priority,
  until ``nodes * pods_per_node`` pods exist (the last ReplicaSet is cut to fit);
* per ReplicaSet, CPU is uniform in **[100m, 1000m]** (integer millicores), memory uniform in
  **[100 MB, 1000 MB]** (integer MB, 1 MB = 10**6 bytes) and the priority uniform in **1..tiers**;
* the nodes are identical, with capacity per resource
  **max(largest request, ceil(sum of requests / util / nodes))**, so ``util > 1`` guarantees pods
  that cannot all be placed; ``pods`` (the pod slots) stays the Kubernetes default 110 (above any
  grid point's load).

Scenario (a decision of this library; the paper replays the pods to a real kube-scheduler on
KWOK): **every pod is pending** (``current_machine = -1``) with ``arrival`` the creation order
(ReplicaSet by ReplicaSet), so ``kube-default`` places them in priority-then-arrival order as the
real queue would, and the comparison with the CP-SAT packer is over the same pending set. The
paper's second stage (the optimiser called after the default scheduler left pods pending, with
disruption counted against the default's placement) is ``problem.replace(current_machine=
default_schedule.machine)``. No pod is protected and there are no filters, as in the paper.

``gpu=True`` adds what the paper leaves out: every node gets 0-8 GPUs (uniform) of one catalogue
type (:data:`schedopt.gpus.CATALOGUE`, among ``GPU_TYPES``), shown by the label
``nvidia.com/gpu.product`` and the extended resource ``nvidia.com/gpu``; GPU nodes carry the taint
``nvidia.com/gpu=present:NoSchedule``. A quarter of the ReplicaSets (uniform draw per set, when
the cluster has GPUs) ask for 1-4 whole GPUs (at most what the largest node of the type holds) of
one type present in the cluster, through a ``nodeSelector`` on the product label and a toleration
of the taint. CPU and memory capacities follow the formula above over all pods.

:func:`pods_large_instance` is the issue's large case: 1,000 nodes and 10,000 pods of the grid.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ...errors import ProblemError
from ...model import Problem
from .model import Node, Pod, Taint, cluster

#: The grid of the paper.
GRID_NODES = (4, 8, 16, 32)
GRID_PODS_PER_NODE = (4, 8)
GRID_TIERS = (1, 2, 4)
GRID_UTIL = (0.90, 0.95, 1.00, 1.05)

#: GPU types of the GPU variant (names of :data:`schedopt.gpus.CATALOGUE`).
GPU_TYPES = ("A100-80", "H100", "L40S", "L4")
#: Label and extended resource of the GPU variant.
GPU_LABEL = "nvidia.com/gpu.product"
GPU_RESOURCE = "nvidia.com/gpu"
#: Bytes per MB.
MB = 10**6


def _check(nodes: int, pods_per_node: int, tiers: int, util: float) -> None:
    for name, v in (("nodes", nodes), ("pods_per_node", pods_per_node), ("tiers", tiers)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ProblemError(f"pods_grid_instance: {name} must be a positive integer, got {v!r}")
    if not isinstance(util, (int, float)) or not math.isfinite(util) or util <= 0:
        raise ProblemError(f"pods_grid_instance: util must be a positive number, got {util!r}")


def grid_name(nodes: int, pods_per_node: int, tiers: int, util: float, seed: int, gpu: bool = False) -> str:
    """``pods-n<nodes>-p<pods per node>-t<tiers>-u<util %>-s<seed>[-gpu]``."""
    return f"pods-n{nodes}-p{pods_per_node}-t{tiers}-u{round(util * 100)}-s{seed}" + ("-gpu" if gpu else "")


def pods_grid_instance(
    nodes: int,
    pods_per_node: int,
    tiers: int,
    util: float,
    seed: int = 0,
    *,
    gpu: bool = False,
    name: str | None = None,
) -> Problem:
    """One instance of the paper's grid (see the module docstring).

    Parameters
    ----------
    nodes
        Number of nodes ``N`` (paper: 4, 8, 16, 32).
    pods_per_node
        Average pods per node (paper: 4, 8); ``N * pods_per_node`` pods in all.
    tiers
        Priority tiers ``P``; priorities are uniform in ``1..P``.
    util
        Target utilisation (paper: 0.90, 0.95, 1.00, 1.05).
    seed
        Seed of :func:`numpy.random.default_rng`; equal arguments give equal problems.
    gpu
        The GPU variant.
    name
        Instance name (default :func:`grid_name`).
    """
    _check(nodes, pods_per_node, tiers, util)
    rng = np.random.default_rng(seed)
    n_pods = nodes * pods_per_node
    width = len(str(nodes - 1))
    node_names = [f"node-{m:0{width}d}" for m in range(nodes)]
    gpu_count = np.zeros(nodes, np.int64)
    gpu_type = [""] * nodes
    if gpu:
        gpu_count = rng.integers(0, 9, nodes)
        gpu_type = [GPU_TYPES[int(k)] for k in rng.integers(0, len(GPU_TYPES), nodes)]
    present: dict[str, int] = {}  # type -> largest count on a node
    for m in range(nodes):
        if gpu_count[m] > 0:
            present[gpu_type[m]] = max(present.get(gpu_type[m], 0), int(gpu_count[m]))
    types = sorted(present)
    sets = []  # (replicas, cpu, memory, priority, gpu type, gpus)
    made = 0
    while made < n_pods:
        replicas = min(int(rng.integers(1, 5)), n_pods - made)
        cpu = int(rng.integers(100, 1001))
        mem = int(rng.integers(100, 1001)) * MB
        prio = int(rng.integers(1, tiers + 1))
        gtype, gcount = "", 0
        if gpu and types and rng.random() < 0.25:
            gtype = types[int(rng.integers(0, len(types)))]
            gcount = int(rng.integers(1, min(4, present[gtype]) + 1))
        sets.append((replicas, cpu, mem, prio, gtype, gcount))
        made += replicas
    total_cpu = sum(r * c for r, c, *_ in sets)
    total_mem = sum(r * m for r, _, m, *_ in sets)
    frac = Fraction(str(util))
    cap_cpu = max(max(c for _, c, *_ in sets), math.ceil(Fraction(total_cpu) / frac / nodes))
    cap_mem = max(max(m for _, _, m, *_ in sets), math.ceil(Fraction(total_mem) / frac / nodes))
    gpu_taint = Taint(GPU_RESOURCE, "present", "NoSchedule")
    node_objs = []
    for m in range(nodes):
        alloc = {"cpu": cap_cpu, "memory": cap_mem}
        labels: dict[str, str] = {}
        taints: list[Taint] = []
        if gpu_count[m] > 0:
            alloc[GPU_RESOURCE] = int(gpu_count[m])
            labels[GPU_LABEL] = gpu_type[m]
            taints.append(gpu_taint)
        node_objs.append(Node(node_names[m], alloc, labels, taints))
    pods = []
    arrival = 0
    for r, (replicas, cpu, mem, prio, gtype, gcount) in enumerate(sets):
        owner = f"rs-{r}"
        requests = {"cpu": cpu, "memory": mem}
        selector: dict[str, str] = {}
        tolerations: list[dict[str, str]] = []
        if gcount:
            requests[GPU_RESOURCE] = gcount
            selector = {GPU_LABEL: gtype}
            tolerations = [{"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}]
        for k in range(replicas):
            pods.append(
                Pod(
                    f"{owner}-{k}",
                    "default",
                    requests,
                    priority=prio,
                    owner=owner,
                    node_selector=selector,
                    tolerations=tolerations,
                    labels={"app": owner},
                    arrival=arrival,
                )
            )
            arrival += 1
    label = name if name is not None else grid_name(nodes, pods_per_node, tiers, util, seed, gpu)
    params = {
        "nodes": nodes,
        "pods_per_node": pods_per_node,
        "tiers": tiers,
        "util": util,
        "seed": seed,
        "gpu": bool(gpu),
        "replica_sets": len(sets),
    }
    return cluster(node_objs, pods, name=label, meta={"generator": params})


def pods_large_instance(seed: int = 0, *, tiers: int = 4, util: float = 1.0, gpu: bool = False) -> Problem:
    """The large case: 1,000 nodes and 10,000 pods of the grid generator."""
    return pods_grid_instance(1000, 10, tiers, util, seed, gpu=gpu, name=f"pods-large-t{tiers}-s{seed}")


__all__ = [
    "GPU_LABEL",
    "GPU_RESOURCE",
    "GPU_TYPES",
    "GRID_NODES",
    "GRID_PODS_PER_NODE",
    "GRID_TIERS",
    "GRID_UTIL",
    "grid_name",
    "pods_grid_instance",
    "pods_large_instance",
]
