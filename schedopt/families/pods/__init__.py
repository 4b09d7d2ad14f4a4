"""Kubernetes pod packing: pods with priorities on nodes with multi-resource capacities, after
Christensen, Giallorenzo & Mauro, "Priority Matters" (arXiv 2511.08373, 2025).

The family declaration :data:`FAMILY` names the builders (:func:`.model.cluster` and the grid
generator :func:`.generators.pods_grid_instance`), the reader of Kubernetes manifests (``kube``:
what ``kubectl get nodes,pods -o json`` prints, YAML too, NodeList/PodList files, a directory of
them; :mod:`.io`) and its writer (a pods problem written to ``.yaml``/``.yml`` becomes a
Kubernetes ``List``), the methods ``kube-default`` (the default-scheduler emulator, :mod:`.emulator`),
``ffd`` (first-fit decreasing, :mod:`.heuristics`) and ``cpsat`` (the lexicographic CP-SAT packer,
:mod:`.exact`; it takes precedence over the model-wide ``cpsat`` for pods problems), the plan
metrics (:mod:`.plan`) and the bench suites ``pods-grid`` and ``pods-large`` (:mod:`.suites`).
Placement plans (binds, moves, evictions) are written by :func:`.plan.write_plan`.
"""

from __future__ import annotations

from ...registry import Family, Method, Reader, WarmUp, Writer
from .io import looks_like_kube
from .model import AntiAffinityTerm, Node, Pod, cluster, is_pods_problem


def _packing(problem: object) -> bool:
    """A pods problem whose pods all run the whole horizon (the view of the emulator and FFD)."""
    if not is_pods_problem(problem):
        return False
    from .emulator import whole_horizon_problem

    return whole_horizon_problem(problem) is None


def _tiny() -> object:
    """Three nodes, six pods of two tiers, a running pod and an anti-affinity pair: every kernel runs."""
    term = AntiAffinityTerm({"app": "web"})
    nodes = [Node(f"node-{k}", {"cpu": 2000, "memory": 4 << 30}) for k in range(3)]
    pods = [
        Pod(
            "web-0",
            requests={"cpu": 900, "memory": 1 << 30},
            priority=2,
            labels={"app": "web"},
            anti_affinity=[term],
            node="node-0",
        ),
        Pod(
            "web-1",
            requests={"cpu": 900, "memory": 1 << 30},
            priority=2,
            labels={"app": "web"},
            anti_affinity=[term],
        ),
        *(Pod(f"batch-{k}", requests={"cpu": 700, "memory": 2 << 30}, priority=1) for k in range(4)),
    ]
    return cluster(nodes, pods, name="warm-up")


FAMILY = Family(
    name="pods",
    description="Kubernetes pod packing: prioritised pods on multi-resource nodes with filters",
    builders={
        "cluster": "schedopt.families.pods.model:cluster",
        "pods_grid_instance": "schedopt.families.pods.generators:pods_grid_instance",
    },
    readers=(Reader("kube", "schedopt.families.pods.io:read_kube", looks_like_kube),),
    writers=(Writer("kube", (".yaml", ".yml"), "schedopt.families.pods.io:write_kube", is_pods_problem),),
    methods=(
        Method(
            "kube-default",
            "schedopt.families.pods.emulator:solve_kube_default",
            applies=_packing,
            description="kube-scheduler emulator: PrioritySort queue, filters, default scores, preemption",
            priority=1,
        ),
        Method(
            "ffd",
            "schedopt.families.pods.heuristics:solve_ffd",
            applies=_packing,
            description="first-fit decreasing by priority then size, balanced fit (large clusters)",
            priority=2,
        ),
        Method(
            "cpsat",
            "schedopt.families.pods.exact:solve_packer",
            applies=is_pods_problem,
            exact=True,
            description="lexicographic CP-SAT packer per priority tier, then disruption (Christensen et al.)",
            priority=10,
        ),
    ),
    suites="schedopt.families.pods.suites:SUITES",
    warmups=(WarmUp("pods", _tiny, {"kube-default": {}, "ffd": {}}),),
    evaluator="schedopt.families.pods.plan:evaluate",
    kernels=("schedopt.families.pods._kernels",),
)

__all__ = ["FAMILY", "Node", "Pod", "cluster", "is_pods_problem"]
