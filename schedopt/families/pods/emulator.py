"""An offline emulator of the default Kubernetes scheduler (kube-scheduler v1.32, default profile).

The "default" arm of Christensen, Giallorenzo & Mauro, "Priority Matters: Optimising Kubernetes
Clusters Usage with Constraint-Based Pod Packing" (arXiv 2511.08373, 2025) is the stock
kube-scheduler; the paper runs the real binary on KWOK and picks its seeds with a deterministic
variant (score ties broken by node name, DefaultPreemption off, parallelism 1). This module
replays that variant on a :class:`~schedopt.Problem` of the pods family (see :mod:`.model`),
following the plugins of ``pkg/scheduler/framework/plugins`` and the default weights of
``apis/config/v1/default_plugins.go`` in Kubernetes v1.32 (formulas restated in our words).

The cycle
---------
Running pods (``current_machine >= 0``) stay bound where they are. Pending pods go through the
**PrioritySort** queue: priority descending, then arrival (``meta["pods"][i]["arrival"]``, default
the pod index), then the pod index. One pod at a time:

1. **Filter.** A node passes when the pod is ``eligible`` there (NodeUnschedulable, NodeAffinity and
   nodeSelector, TaintToleration: the static filters of :mod:`.model`), **NodeResourcesFit** holds
   in every resource (``requested + request <= allocatable``, the ``pods`` slot count included) and
   **InterPodAntiAffinity** holds (no ``anti_affinity`` partner already on the node). As with
   kube-scheduler's ``percentageOfNodesToScore`` (default: all nodes below 100 nodes, else
   ``max(100, M * max(5, 50 - M // 125) // 100)`` nodes), the search walks the node list from a
   cursor that advances past the nodes examined and stops after that many feasible nodes.
2. **Score** each feasible node (integers, Go's int64 truncation emulated):

   * **NodeResourcesFit** (weight 1) over the scored resources (default ``cpu`` and ``memory``,
     weight 1 each; ``resource_weights`` changes them), with ``req`` = the node's requests plus
     the pod's, where a pod requesting 0 CPU (memory) counts as 100 millicores (200 MiB), the
     scheduler's non-zero defaults; a resource with allocatable 0, or an extended resource the pod
     does not request, is skipped:

     - ``LeastAllocated`` (default): ``floor(sum_r w_r floor((alloc_r - req_r) 100 / alloc_r) / sum_r w_r)``
       (a resource with ``req > alloc`` scores 0);
     - ``MostAllocated``: the same with ``floor(min(req_r, alloc_r) 100 / alloc_r)``;
     - ``RequestedToCapacityRatio``: utilisation ``u_r = floor(req_r 100 / alloc_r)`` (100 when over)
       mapped through the piecewise linear ``shape`` (points ``(utilisation, score 0..10)``, scores
       times 10, default ``[(0, 0), (100, 10)]``, the bin-packing example of the documentation);
       resources scoring 0 are left out of the mean, which is rounded to the nearest integer.

   * **NodeResourcesBalancedAllocation** (weight 1): with the fractions
     ``f_r = min(1, (requested_r + request_r) / alloc_r)`` of cpu and memory (actual requests, the
     incoming pod included), ``trunc((1 - std(f)) 100)``; for two resources ``std = |f_cpu - f_mem| / 2``.
   * **PodTopologySpread** (weight 2), only for pods with an owner (``meta["pods"][i]["owner"]``):
     the system default constraints ``kubernetes.io/hostname`` maxSkew 3 and
     ``topology.kubernetes.io/zone`` maxSkew 5 (ScheduleAnyway). Node ``j`` scores
     ``round(c_host(j) ln(K + 2) + 2 + [zoned] (c_zone(j) ln(Z + 2) + 4))`` with ``c`` the pods of the
     same owner on the node (in its zone), ``K`` the feasible nodes and ``Z`` the zone values among
     them (unlabelled nodes count as one value); normalised to ``floor(100 (max + min - s) / max)``.
   * **TaintToleration** (weight 3): the number of ``PreferNoSchedule`` taints of the node the pod
     does not tolerate (tolerations from ``meta["pods"][i]["tolerations"]``, none when absent),
     normalised to ``100 - floor(100 s / max)`` (100 everywhere when no node has one).
   * Not modelled, and constant over the nodes here: NodeAffinity *preferred* terms (weight 2; 0),
     InterPodAffinity preferred terms (weight 2; skipped), ImageLocality (weight 1; no image data).

3. **Select** the node with the highest weighted total; **ties go to the first node in name order**
   (deviation: kube-scheduler picks uniformly at random among ties, the paper's deterministic
   variant by name).
4. **DefaultPreemption** (``preemption=True``): a pod that fits nowhere looks for nodes where
   evicting lower-priority optional pods makes it fit (non-optional, i.e. protected, pods are never
   victims). On each such node (at most ``max(100, M // 10)`` nodes, taken in node order: deviation,
   Kubernetes starts at a random offset) all lower-priority pods are removed, then reprieved one by
   one, most important first (priority descending, then earlier arrival standing for start time),
   when the pod still fits. The node is chosen by the smallest highest victim priority, then the
   smallest sum of ``priority + 2**31`` over victims, then the fewest victims, then the latest
   earliest arrival among the highest-priority victims, then node order (no PodDisruptionBudgets
   exist here). The victims are evicted (unplaced) and, with ``requeue_victims``, re-enter the queue
   as their ReplicaSet would recreate them; the preemptor is bound at once (deviation: Kubernetes
   nominates the node and binds in a later cycle).

Deviations besides those stated: running pods are never re-filtered (a running pod not eligible
on its current node is treated as pending); the non-zero request defaults apply to the pod's total
rather than per container; zone spreading counts matching pods on the nodes where the pod is
``eligible`` (Kubernetes honours node affinity but ignores taints there); Services selecting pods
(another source of default spreading) are not modelled. Versions after v1.32 skip
BalancedAllocation for pods requesting no scored resource (kubernetes issue 129138); v1.32 scores
them. Pods failing without preemption are not retried (nothing frees resources in a batch); with
preemption a retry could not succeed either, since a pod's own preemption search already removed
every pod a later one could.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import OptionError, ProblemError
from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from . import _kernels as K

#: The Kubernetes version whose default profile the emulator follows.
KUBERNETES_VERSION = "v1.32"
#: Scoring strategies of NodeResourcesFit and their kernel codes.
STRATEGIES = {"LeastAllocated": K.LEAST, "MostAllocated": K.MOST, "RequestedToCapacityRatio": K.RTCR}
#: Default plugin weights: NodeResourcesFit, BalancedAllocation, PodTopologySpread, TaintToleration.
PLUGIN_WEIGHTS = (1, 1, 2, 3)
#: Default RequestedToCapacityRatio shape (utilisation %, score 0..10): bin packing.
DEFAULT_SHAPE = ((0, 0), (100, 10))
#: kube-scheduler's requests assumed for a pod that requests no CPU (millicores) / memory (bytes).
DEFAULT_MILLI_CPU, DEFAULT_MEMORY = 100, 200 * 1024 * 1024
#: Resource names that are not extended ("scalar") resources in Kubernetes.
NATIVE = ("cpu", "memory", "ephemeral-storage", "pods")
ZONE_LABEL = "topology.kubernetes.io/zone"
_INT31 = 2**31


def whole_horizon_problem(problem: Problem) -> str | None:
    """``None`` when every pod runs the whole horizon (the packing view applies), else why not.

    The pods methods need machines with resources, release dates 0, durations of at least 1, every
    deadline equal to the duration (a pod starts at 0 or not at all), and no precedence, disjunctive
    pairs or renewable resources: then every placed pod occupies its node from time 0 and the
    capacities at time 0 are the only ones that bind.
    """
    if not problem.has_machines or problem.n_machine_resources == 0:
        return "it has no nodes with resources (machine_capacity)"
    if (problem.release != 0).any():
        return "some release date is not 0"
    if len(problem.precedence) or len(problem.disjunctive):
        return "it has precedence or disjunctive constraints"
    if problem.n_resources:
        return "it has renewable resources"
    if (problem.duration < 1).any():
        return "some pod has a duration below 1"
    per_machine = problem.duration if problem.duration.ndim == 1 else None
    dur = (
        np.repeat(per_machine[:, None], problem.n_machines, axis=1)
        if per_machine is not None
        else problem.duration[:, problem.machine_type]
    )
    latest_start = problem.deadline[:, None] - dur
    if (latest_start[problem.allowed] > 0).any():
        return "a pod may start after time 0 (deadline above its duration): pods could share a node in turn"
    return None


def require_whole_horizon(problem: Problem, method: str) -> None:
    """Raise :class:`ProblemError` unless :func:`whole_horizon_problem` accepts ``problem``."""
    why = whole_horizon_problem(problem)
    if why is not None:
        raise ProblemError(
            f"method {method!r} packs pods that run the whole horizon, but this problem does not: {why} "
            "(use method 'cpsat' of the core model for time windows and precedence)"
        )


def durations(problem: Problem) -> np.ndarray:
    """``(n, M)`` duration of each pod on each node, ``-1`` where its deadline forbids it."""
    dur = problem.duration
    d = dur[:, problem.machine_type] if dur.ndim == 2 else np.repeat(dur[:, None], problem.n_machines, 1)
    return np.where(d <= problem.deadline[:, None], d, -1)


def in_time(problem: Problem) -> np.ndarray | None:
    """``(n, M)`` booleans: the pod ends by its deadline on the node; ``None`` when it always does."""
    dur = problem.duration
    longest = dur.max(axis=1) if dur.ndim == 2 else dur
    if (longest <= problem.deadline).all():
        return None
    return durations(problem) >= 0


def allowed_nodes(problem: Problem) -> np.ndarray:
    """``eligible`` restricted to the nodes where the pod meets its deadline."""
    ok = in_time(problem)
    return problem.eligible if ok is None else problem.eligible & ok


def queue_order(problem: Problem, jobs: np.ndarray) -> np.ndarray:
    """``jobs`` in PrioritySort order: priority descending, then arrival, then index."""
    arrival = arrivals(problem)
    jobs = np.asarray(jobs, np.int64)
    return jobs[np.lexsort((jobs, arrival[jobs], -problem.priority[jobs]))]


def arrivals(problem: Problem) -> np.ndarray:
    """``meta["pods"][i]["arrival"]`` of every pod (default: the pod index)."""
    n = problem.n_jobs
    pods = problem.meta.get("pods")
    if not isinstance(pods, Sequence) or len(pods) != n:
        return np.arange(n, dtype=np.int64)
    out = [p.get("arrival") if isinstance(p, Mapping) else None for p in pods]
    return np.array([i if a is None else int(a) for i, a in enumerate(out)], np.int64)


def schedule_of(problem: Problem, machine: np.ndarray) -> Schedule:
    """The schedule placing pod ``i`` on ``machine[i]`` from 0 to its duration (``-1``: unplaced)."""
    machine = np.asarray(machine, np.int64)
    placed = machine >= 0
    rows = np.flatnonzero(placed)
    dur = problem.duration
    end = np.full(problem.n_jobs, -1, np.int64)
    end[rows] = dur[rows, problem.machine_type[machine[rows]]] if dur.ndim == 2 else dur[rows]
    start = np.where(placed, 0, -1).astype(np.int64)
    return Schedule(start, end, machine.copy())


def placed_by_tier(problem: Problem, machine: np.ndarray) -> list[int]:
    """Placed weight of the optional pods per priority tier, highest tier first (the paper's vector)."""
    from ...objectives import placement_tiers

    placed = np.asarray(machine) >= 0
    return [int(problem.weight[jobs][placed[jobs]].sum()) for _, jobs in placement_tiers(problem)]


def csr(n: int, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(ptr, idx)`` listing ``cols`` by ``rows`` (``rows`` in ``0..n-1``)."""
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    order = np.argsort(rows, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, rows + 1, 1)
    return np.cumsum(ptr), cols[order]


def anti_csr(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Anti-affinity partners of every pod in CSR form (both directions)."""
    a = problem.anti_affinity.astype(np.int64).reshape(-1, 2)
    return csr(problem.n_jobs, np.concatenate([a[:, 0], a[:, 1]]), np.concatenate([a[:, 1], a[:, 0]]))


# ----------------------------------------------------------------- set-up
@dataclass
class Setup:
    """The problem as the kernels see it (tuples of :mod:`._kernels`) plus what preemption needs."""

    pods: tuple
    nodes: tuple
    cfg: tuple
    priority: np.ndarray
    arrival: np.ndarray
    anti: list[np.ndarray]


def _find(names: Sequence[str], *wanted: str) -> int | None:
    for w in wanted:
        if w in names:
            return list(names).index(w)
    return None


def _meta_list(problem: Problem, key: str, size: int) -> list[Mapping[str, Any]]:
    items = problem.meta.get(key)
    if not isinstance(items, Sequence) or len(items) != size:
        return [{} for _ in range(size)]
    return [x if isinstance(x, Mapping) else {} for x in items]


def _tolerates(tol: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    effect, key = tol.get("effect") or "", tol.get("key") or ""
    if effect and effect != taint.get("effect"):
        return False
    if key and key != taint.get("key"):
        return False
    return (tol.get("operator") or "Equal") == "Exists" or (tol.get("value") or "") == (
        taint.get("value") or ""
    )


def _prefer_counts(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """``(tgroup (n,), prefer (G, M))``: untolerated PreferNoSchedule taints per toleration group."""
    n, big_m = problem.n_jobs, problem.n_machines
    nodes = _meta_list(problem, "nodes", big_m)
    soft = [[t for t in (nd.get("taints") or []) if t.get("effect") == "PreferNoSchedule"] for nd in nodes]
    if not any(soft):
        return np.zeros(n, np.int64), np.zeros((1, big_m), np.int64)
    groups: dict[str, int] = {}
    rows: list[list[int]] = []
    tgroup = np.zeros(n, np.int64)
    for i, p in enumerate(_meta_list(problem, "pods", n)):
        tols = list(p.get("tolerations") or [])
        key = repr(sorted(repr(sorted(t.items())) for t in tols))
        if key not in groups:
            groups[key] = len(rows)
            rows.append([sum(not any(_tolerates(t, x) for t in tols) for x in s) for s in soft])
        tgroup[i] = groups[key]
    return tgroup, np.array(rows, np.int64)


def _owners(problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(owner (n,), own_ptr, own_idx)``: ReplicaSet groups (namespace, owner) from ``meta["pods"]``."""
    n = problem.n_jobs
    ids: dict[tuple[str, str], int] = {}
    owner = np.full(n, -1, np.int64)
    for i, p in enumerate(_meta_list(problem, "pods", n)):
        name = p.get("owner") or ""
        if name:
            owner[i] = ids.setdefault((str(p.get("namespace", "")), str(name)), len(ids))
    members = np.flatnonzero(owner >= 0)
    ptr, idx = csr(len(ids), owner[members], members)
    return owner, ptr, idx


def _zones(problem: Problem) -> tuple[np.ndarray, int]:
    nodes = _meta_list(problem, "nodes", problem.n_machines)
    ids: dict[str, int] = {}
    zone = np.full(problem.n_machines, -1, np.int64)
    for j, nd in enumerate(nodes):
        z = (nd.get("labels") or {}).get(ZONE_LABEL)
        if z is not None:
            zone[j] = ids.setdefault(str(z), len(ids))
    return zone, len(ids)


def nodes_to_find(n_nodes: int, percentage: int | None) -> int:
    """kube-scheduler's ``numFeasibleNodesToFind`` (``percentage`` ``None`` or 0: adaptive)."""
    if n_nodes < 100:
        return n_nodes
    pct = percentage or max(5, 50 - n_nodes // 125)
    return min(n_nodes, max(100, n_nodes * pct // 100))


def prepare(
    problem: Problem,
    *,
    scoring: str = "LeastAllocated",
    resource_weights: Mapping[str, int] | None = None,
    shape: Sequence[tuple[int, int]] | None = None,
    percentage_of_nodes_to_score: int | None = None,
    method: str = "kube-default",
) -> Setup:
    """Kernel arrays of ``problem`` for the emulator (options as in :func:`solve_kube_default`)."""
    require_whole_horizon(problem, method)
    if scoring not in STRATEGIES:
        raise OptionError(
            method, "scoring", message=f"scoring must be one of {', '.join(STRATEGIES)}, got {scoring!r}"
        )
    names = list(problem.machine_resource_names)
    cpu, mem = _find(names, "cpu"), _find(names, "memory", "mem")
    if resource_weights is None:
        scored = [(r, 1) for r in (cpu, mem) if r is not None]
    else:
        scored = []
        for name, w in dict(resource_weights).items():
            if name not in names:
                raise OptionError(
                    method, "resource_weights", message=f"unknown resource {name!r}; resources: {names}"
                )
            if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or w < 1:
                raise OptionError(
                    method, "resource_weights", message=f"weight of {name!r} must be a positive integer"
                )
            if name != "pods":  # kube-scheduler never scores the pod count
                scored.append((names.index(name), int(w)))
    s_idx = np.array([r for r, _ in scored], np.int64)
    dem = problem.machine_demand.astype(np.int64)
    cap = problem.machine_capacity.astype(np.int64)
    sdem = dem[:, s_idx].copy()
    for c, r in enumerate(s_idx):
        default = DEFAULT_MILLI_CPU if names[r] == "cpu" else DEFAULT_MEMORY if names[r] == "memory" else 0
        if default:
            sdem[sdem[:, c] == 0, c] = default
    b_idx = np.array([r for r in (cpu, mem) if r is not None], np.int64)
    pts = np.array(DEFAULT_SHAPE if shape is None else shape, np.int64).reshape(-1, 2)
    if scoring == "RequestedToCapacityRatio":
        if (
            len(pts) == 0
            or (np.diff(pts[:, 0]) <= 0).any()
            or (pts[:, 0] < 0).any()
            or (pts[:, 0] > 100).any()
        ):
            raise OptionError(
                method, "shape", message="shape: points (utilisation 0..100 increasing, score 0..10)"
            )
        if (pts[:, 1] < 0).any() or (pts[:, 1] > 10).any():
            raise OptionError(method, "shape", message="shape: scores must lie in 0..10")
    elig = np.array(allowed_nodes(problem), dtype=bool)  # writable: one kernel signature
    anti_ptr, anti_idx = anti_csr(problem)
    owner, own_ptr, own_idx = _owners(problem)
    tgroup, prefer = _prefer_counts(problem)
    zone, n_zones = _zones(problem)
    name_rank = np.empty(problem.n_machines, np.int64)
    name_rank[np.argsort(np.array(problem.machine_names), kind="stable")] = np.arange(problem.n_machines)
    pods = (dem, sdem, dem[:, b_idx].copy(), elig, anti_ptr, anti_idx, owner, own_ptr, own_idx, tgroup)
    nodes = (cap, cap[:, s_idx].copy(), cap[:, b_idx].copy(), zone, n_zones, prefer, name_rank)
    cfg = (
        STRATEGIES[scoring],
        np.array([w for _, w in scored], np.int64),
        np.array([names[r] not in NATIVE for r in s_idx], bool),
        np.array([names[r] not in NATIVE for r in b_idx], bool),
        pts[:, 0].copy(),
        pts[:, 1] * 10,
        np.array(PLUGIN_WEIGHTS, np.int64),
        nodes_to_find(problem.n_machines, percentage_of_nodes_to_score),
    )
    anti = [anti_idx[anti_ptr[i] : anti_ptr[i + 1]] for i in range(problem.n_jobs)]
    return Setup(pods, nodes, cfg, problem.priority.astype(float), arrivals(problem), anti)


def new_state(setup: Setup, machine: np.ndarray) -> tuple:
    """Kernel state with the pods of ``machine`` (``-1``: none) bound."""
    dem, sdem, bdem = setup.pods[0], setup.pods[1], setup.pods[2]
    big_m = setup.nodes[0].shape[0]
    machine = np.asarray(machine, np.int64).copy()
    placed = np.flatnonzero(machine >= 0)
    loads = []
    for d in (dem, sdem, bdem):
        acc = np.zeros((big_m, d.shape[1]), np.int64)
        np.add.at(acc, machine[placed], d[placed])
        loads.append(acc)
    n_zones = setup.nodes[4]
    return (
        machine, loads[0], loads[1], loads[2], np.zeros(1, np.int64), np.zeros(big_m, np.int64),
        np.zeros(big_m, np.int64), np.zeros(n_zones + 1, np.int64), np.zeros(n_zones + 1, np.int64),
    )  # fmt: skip


def initial_machine(problem: Problem) -> np.ndarray:
    """The running pods on their current node where they are allowed to stay; ``-1`` elsewhere."""
    cur = problem.current_machine.astype(np.int64)
    rows = np.flatnonzero(cur >= 0)
    ok = allowed_nodes(problem)[rows, cur[rows]]
    machine = np.full(problem.n_jobs, -1, np.int64)
    machine[rows[ok]] = cur[rows[ok]]
    return machine


# ----------------------------------------------------------------- scores
def score_nodes(
    problem: Problem,
    pod: int,
    *,
    machine: np.ndarray | None = None,
    scoring: str = "LeastAllocated",
    resource_weights: Mapping[str, int] | None = None,
    shape: Sequence[tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """The filter and score results of ``pod`` on every node, as kube-scheduler computes them.

    Parameters
    ----------
    problem
        A pods problem.
    pod
        The pod index.
    machine
        The placement the pod meets (default: the running pods on their current nodes).
    scoring, resource_weights, shape
        As in :func:`solve_kube_default`.

    Returns
    -------
    list of dict
        One dict per feasible node, in node order: ``node`` (name), ``fit``, ``balanced``,
        ``spread``, ``taint`` (the normalised plugin scores) and ``total`` (weighted sum).
    """
    setup = prepare(problem, scoring=scoring, resource_weights=resource_weights, shape=shape,
                    percentage_of_nodes_to_score=100)  # fmt: skip
    state = new_state(setup, initial_machine(problem) if machine is None else machine)
    if state[0][pod] >= 0:
        raise ProblemError(f"{problem.job_label(pod)} is already placed in the given placement")
    cand = K.feasible_nodes(int(pod), setup.pods, setup.nodes, setup.cfg, state)
    cand = np.sort(cand)
    sc = K.score_candidates(int(pod), cand, setup.pods, setup.nodes, setup.cfg, state)
    keys = ("fit", "balanced", "spread", "taint", "total")
    return [
        {"node": problem.machine_names[j], **{k: int(v) for k, v in zip(keys, row)}}
        for j, row in zip(cand, sc)
    ]


# ----------------------------------------------------------------- preemption
def _preempt(i: int, problem: Problem, setup: Setup, state: tuple) -> tuple[int, list[int]] | None:
    """DefaultPreemption for pod ``i`` (module docstring): ``(node, victims)`` or ``None``."""
    dem, elig = setup.pods[0], setup.pods[3]
    cap = setup.nodes[0]
    machine, load = state[0], state[1]
    prio, arrival = setup.priority, setup.arrival
    lower = (machine >= 0) & (prio < prio[i]) & problem.optional
    if not lower.any():
        return None
    removable = np.zeros_like(load)
    np.add.at(removable, machine[lower], dem[lower])
    ok = elig[i] & (load - removable + dem[i] <= cap).all(axis=1)
    partners = setup.anti[i]
    for k in partners:
        if machine[k] >= 0 and not lower[k]:
            ok[machine[k]] = False
    nodes = np.flatnonzero(ok)[: max(100, problem.n_machines // 10)]
    if not len(nodes):
        return None
    pset = {int(k) for k in partners}
    best: tuple | None = None
    for j in nodes:
        pool = np.flatnonzero(lower & (machine == j))
        pool = pool[np.lexsort((pool, arrival[pool], -prio[pool]))]
        free = cap[j] - load[j] + dem[pool].sum(axis=0) - dem[i]
        victims = []
        for v in pool:
            if int(v) not in pset and (dem[v] <= free).all():
                free = free - dem[v]
            else:
                victims.append(int(v))
        if not victims:  # cannot happen after a failed filter, but a node without victims wins
            return int(j), []
        top = max(prio[v] for v in victims)
        key = (
            top,
            sum(prio[v] + _INT31 for v in victims),
            len(victims),
            -min(arrival[v] for v in victims if prio[v] == top),
        )
        if best is None or key < best[0]:
            best = (key, int(j), victims)
    assert best is not None
    return best[1], best[2]


def _evict(v: int, setup: Setup, state: tuple) -> None:
    dem, sdem, bdem = setup.pods[0], setup.pods[1], setup.pods[2]
    machine, load, sload, bload = state[0], state[1], state[2], state[3]
    m = machine[v]
    load[m] -= dem[v]
    sload[m] -= sdem[v]
    bload[m] -= bdem[v]
    machine[v] = -1


# ----------------------------------------------------------------- method
def emulate(
    problem: Problem,
    *,
    scoring: str = "LeastAllocated",
    preemption: bool = False,
    resource_weights: Mapping[str, int] | None = None,
    shape: Sequence[tuple[int, int]] | None = None,
    percentage_of_nodes_to_score: int | None = None,
    requeue_victims: bool = True,
) -> tuple[np.ndarray, dict[str, Any]]:
    """``(machine, info)``: the node of every pod after the emulated scheduling (``-1``: pending)."""
    setup = prepare(
        problem, scoring=scoring, resource_weights=resource_weights, shape=shape,
        percentage_of_nodes_to_score=percentage_of_nodes_to_score,
    )  # fmt: skip
    machine0 = initial_machine(problem)
    state = new_state(setup, machine0)
    order = queue_order(problem, np.flatnonzero(machine0 < 0))
    preemptions, evicted = 0, 0
    pos = 0
    budget = 10 * problem.n_jobs + 10
    while True:
        pos = K.run_queue(order, pos, bool(preemption), setup.pods, setup.nodes, setup.cfg, state)
        if pos >= len(order):
            break
        i = int(order[pos])
        found = _preempt(i, problem, setup, state) if budget > 0 else None
        if found is None:
            pos += 1
            continue
        budget -= 1
        j, victims = found
        for v in victims:
            _evict(v, setup, state)
        K.place(i, j, setup.pods, state)
        preemptions += 1
        evicted += len(victims)
        tail = order[pos + 1 :]
        if requeue_victims and victims:
            tail = queue_order(problem, np.concatenate([tail, np.array(victims, np.int64)]))
        order, pos = tail, 0
    machine = state[0]
    info = {
        "rule": "kube-default",
        "kubernetes": KUBERNETES_VERSION,
        "scoring": scoring,
        "preemption": bool(preemption),
        "preemptions": preemptions,
        "evictions": evicted,
        "nodes_to_find": int(setup.cfg[7]),
        "placed_by_tier": placed_by_tier(problem, machine),
        "pending": int((machine < 0).sum()),
    }
    return machine, info


def solve_kube_default(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    scoring: str = "LeastAllocated",
    preemption: bool = False,
    resource_weights: Mapping[str, int] | None = None,
    shape: Sequence[tuple[int, int]] | None = None,
    percentage_of_nodes_to_score: int | None = None,
    requeue_victims: bool = True,
) -> MethodOutput:
    """Emulate the default kube-scheduler (v1.32) on a pods problem (module docstring).

    Parameters
    ----------
    problem
        A problem whose pods run the whole horizon (see :func:`whole_horizon_problem`).
    time_limit, seed
        Ignored: one deterministic pass.
    scoring
        NodeResourcesFit strategy: ``"LeastAllocated"`` (default), ``"MostAllocated"`` or
        ``"RequestedToCapacityRatio"``.
    preemption
        Run DefaultPreemption for pods that fit nowhere (the paper's deterministic seed-picking
        variant, the default here, has it off; the stock scheduler has it on).
    resource_weights
        ``{resource: weight}`` scored by NodeResourcesFit (default ``{"cpu": 1, "memory": 1}``).
    shape
        RequestedToCapacityRatio points ``[(utilisation, score), ...]`` (default ``[(0, 0), (100, 10)]``).
    percentage_of_nodes_to_score
        kube-scheduler's option (``None``: the adaptive default; 100: every node).
    requeue_victims
        Preempted pods re-enter the queue (as recreated by their ReplicaSet); else they stay pending.

    Returns
    -------
    MethodOutput
        Status ``"feasible"`` (``"unknown"`` without schedule if a non-optional pod could not be
        placed); ``info["placed_by_tier"]`` is the placed weight per priority tier, highest first.
    """
    machine, info = emulate(
        problem, scoring=scoring, preemption=preemption, resource_weights=resource_weights, shape=shape,
        percentage_of_nodes_to_score=percentage_of_nodes_to_score, requeue_victims=requeue_victims,
    )  # fmt: skip
    missing = np.flatnonzero((machine < 0) & ~problem.optional)
    if len(missing):
        info["unplaced_required"] = [problem.job_label(int(j)) for j in missing[:5]]
        return MethodOutput("unknown", None, None, info)
    return MethodOutput("feasible", schedule_of(problem, machine), None, info)
