"""Kubernetes nodes and pods as one :class:`schedopt.Problem` (pod packing).

After Christensen, Giallorenzo & Mauro, "Priority Matters: Optimising Kubernetes Clusters Usage
with Constraint-Based Pod Packing" (arXiv 2511.08373, 2025), extended with the static filters of
the default scheduler that the paper leaves out (taints, node affinity, anti-affinity).

:func:`cluster` turns :class:`Node` and :class:`Pod` objects into a problem whose

* **jobs are pods and machines are nodes**; a pod runs the whole horizon: duration 1, deadline 1
  (release 0), ``names`` ``"namespace/name"``, ``machine_names`` the node names, one machine type;
* **machine resources** are ``["cpu", "memory", <other requested resources, sorted>, "pods"]``:
  CPU in millicores, memory in bytes, extended resources (``nvidia.com/gpu``, ...) in units, and
  ``pods`` the node's pod slots (allocatable ``pods``, default 110) with demand 1 per pod, as the
  NodeResourcesFit filter counts it. ``machine_capacity`` is the allocatable amount (0 when a node
  does not list a resource), ``machine_demand`` the pod's effective requests;
* every pod is **optional** (it may stay pending or be evicted) except a *protected running* pod,
  which must stay on its node (``optional=False``, eligible there only); a protected pending pod
  is an ordinary pending pod;
* ``priority`` is the pod priority, ``weight`` 1, ``current_machine`` the node a pod runs on
  (``-1`` pending), ``objective="placement"`` (lexicographic unplaced pods per priority tier, high
  to low, then disruption: eviction 1, move 2), ``family="pods"``;
* ``eligible[i, m]`` holds the **static filters** of kube-scheduler (v1.30 semantics):

  - *NodeUnschedulable*: a cordoned node (``spec.unschedulable``) only takes pods tolerating the
    taint ``node.kubernetes.io/unschedulable:NoSchedule``;
  - *NodeAffinity*: every ``nodeSelector`` label must equal the node's, and the required node
    affinity terms (``requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms``) are ORed,
    each an AND of ``matchExpressions`` (``In``, ``NotIn``, ``Exists``, ``DoesNotExist``, ``Gt``,
    ``Lt``) and ``matchFields`` (``metadata.name`` with ``In``/``NotIn``); a term with no
    requirement matches no node (Kubernetes rule);
  - *TaintToleration*: every ``NoSchedule`` and ``NoExecute`` taint must be tolerated
    (``PreferNoSchedule`` is a score, not a filter). A toleration tolerates a taint when its effect
    is empty or equal, its key is empty (then the operator must be ``Exists``: it tolerates every
    taint) or equal, and with ``Exists`` always, with ``Equal`` when the values are equal.

  Resource fit is *not* in ``eligible``: the capacities carry it. A **running pod is always
  eligible on its current node**: it is bound there, and Kubernetes does not re-filter running
  pods (a taint added later with effect ``NoSchedule`` leaves it running; deviation: a
  ``NoExecute`` taint it does not tolerate would evict it, which is not modelled);
* ``anti_affinity`` holds the pairs ``(i, j)``, ``i < j``, of pods that may not share a node:
  a *required* pod anti-affinity term of one of them with ``topologyKey`` ``kubernetes.io/hostname``
  whose label selector matches the other (in the term's namespaces; default the pod's own).
  Both directions count, as Kubernetes enforces the terms of existing pods too. A term with another
  topology key is accepted when that label takes a different value on every node (then it means
  the same as hostname); otherwise, and for required pod *affinity*, :class:`Pod` cannot express
  it, and the reader refuses it or warns (``strict``; see :mod:`.io`). Preferred (soft) terms are
  ignored: they are scores, not filters;
* ``meta["pods"]`` (per pod: namespace, name, owner, arrival, protected, labels), ``meta["nodes"]``
  (per node: name, labels, taints, unschedulable) and ``meta["resources"]`` hold what methods need
  beyond the arrays (``arrival`` is the queue order of equal priorities; the readers set it from
  ``creationTimestamp``, else it is the pod index).

Every node gets the label ``kubernetes.io/hostname=<name>`` when it does not carry one (the
kubelet sets it on every real node).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import ProblemError
from ...model import Problem
from .quantities import resource_amount

#: The label every node carries with its own name.
HOSTNAME = "kubernetes.io/hostname"
#: The taint of a cordoned node.
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
#: Taint effects.
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
#: Operators of node selector requirements (matchExpressions).
NODE_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
#: Operators of label selector requirements (pod anti-affinity).
LABEL_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
#: Default allocatable pod slots of a node (kubelet ``maxPods``).
DEFAULT_MAX_PODS = 110


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ProblemError(f"{what}: expected a string, got {value!r}")
    return value


def _labels(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ProblemError(f"{what}: expected a mapping of strings, got {value!r}")
    return {_text(k, what): _text(v, f"{what}[{k!r}]") for k, v in value.items()}


def _values(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)) or any(isinstance(v, (list, tuple, dict, set)) for v in value):
        raise ProblemError(f"requirement values: expected a list of strings, got {value!r}")
    return tuple(str(v) for v in value)


# ----------------------------------------------------------------- parts
@dataclass(frozen=True)
class Taint:
    """A node taint ``key=value:effect``."""

    key: str
    value: str = ""
    effect: str = "NoSchedule"

    def __post_init__(self) -> None:
        if not self.key:
            raise ProblemError(f"taint {self!r}: empty key")
        if self.effect not in EFFECTS:
            raise ProblemError(
                f"taint {self.key!r}: effect {self.effect!r} is not one of {', '.join(EFFECTS)}"
            )

    @classmethod
    def of(cls, obj: Any) -> Taint:
        """A taint from a :class:`Taint`, a tuple ``(key, value, effect)`` or a Kubernetes dict."""
        if isinstance(obj, Taint):
            return obj
        if isinstance(obj, Mapping):
            return cls(str(obj.get("key", "")), str(obj.get("value", "") or ""), str(obj.get("effect", "")))
        if isinstance(obj, (tuple, list)) and len(obj) == 3:
            return cls(*(str(x) for x in obj))
        raise ProblemError(f"taint {obj!r}: expected (key, value, effect) or a Kubernetes taint dict")


@dataclass(frozen=True)
class Toleration:
    """A pod toleration (Kubernetes ``core/v1.Toleration``; ``tolerationSeconds`` is ignored)."""

    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""

    def __post_init__(self) -> None:
        if self.operator not in ("Equal", "Exists"):
            raise ProblemError(f"toleration {self!r}: operator must be Equal or Exists")
        if not self.key and self.operator != "Exists":
            raise ProblemError(f"toleration {self!r}: an empty key needs the operator Exists")
        if self.operator == "Exists" and self.value:
            raise ProblemError(f"toleration {self!r}: the operator Exists takes no value")
        if self.effect and self.effect not in EFFECTS:
            raise ProblemError(
                f"toleration {self!r}: effect {self.effect!r} is not one of {', '.join(EFFECTS)}"
            )

    @classmethod
    def of(cls, obj: Any) -> Toleration:
        """A toleration from a :class:`Toleration`, a tuple ``(key, operator, value, effect)`` or a dict."""
        if isinstance(obj, Toleration):
            return obj
        if isinstance(obj, Mapping):
            return cls(
                str(obj.get("key", "") or ""),
                str(obj.get("operator", "") or "Equal"),
                str(obj.get("value", "") or ""),
                str(obj.get("effect", "") or ""),
            )
        if isinstance(obj, (tuple, list)) and len(obj) == 4:
            return cls(*(str(x) for x in obj))
        raise ProblemError(f"toleration {obj!r}: expected (key, operator, value, effect) or a dict")

    def tolerates(self, taint: Taint) -> bool:
        """Kubernetes ``Toleration.ToleratesTaint``."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        return self.operator == "Exists" or self.value == taint.value


@dataclass(frozen=True)
class Requirement:
    """A selector requirement ``key operator values`` (node selector or label selector)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(str(v) for v in self.values))
        if self.operator not in NODE_OPERATORS:
            raise ProblemError(
                f"requirement on {self.key!r}: operator {self.operator!r} "
                f"is not one of {', '.join(NODE_OPERATORS)}"
            )
        if self.operator in ("In", "NotIn") and not self.values:
            raise ProblemError(f"requirement on {self.key!r}: operator {self.operator} needs values")
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise ProblemError(f"requirement on {self.key!r}: operator {self.operator} takes no values")
        if self.operator in ("Gt", "Lt"):
            if len(self.values) != 1:
                raise ProblemError(f"requirement on {self.key!r}: operator {self.operator} needs one value")
            try:
                int(self.values[0])
            except ValueError:
                raise ProblemError(
                    f"requirement on {self.key!r}: operator {self.operator} needs an integer, "
                    f"got {self.values[0]!r}"
                ) from None

    @classmethod
    def of(cls, obj: Any) -> Requirement:
        """From a :class:`Requirement`, a tuple ``(key, operator[, values])`` or a Kubernetes dict."""
        if isinstance(obj, Requirement):
            return obj
        if isinstance(obj, Mapping):
            return cls(str(obj.get("key", "")), str(obj.get("operator", "")), _values(obj.get("values")))
        if isinstance(obj, (tuple, list)) and len(obj) in (2, 3):
            return cls(str(obj[0]), str(obj[1]), _values(obj[2]) if len(obj) == 3 else ())
        raise ProblemError(f"requirement {obj!r}: expected (key, operator, values) or a dict")

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Does a label set satisfy the requirement (Kubernetes ``nodeaffinity``/``labels`` rules)?"""
        op, present = self.operator, self.key in labels
        if op == "In":
            return present and labels[self.key] in self.values
        if op == "NotIn":
            return not present or labels[self.key] not in self.values
        if op == "Exists":
            return present
        if op == "DoesNotExist":
            return not present
        if not present:
            return False
        try:
            have = int(labels[self.key])
        except ValueError:
            return False
        want = int(self.values[0])
        return have > want if op == "Gt" else have < want


@dataclass(frozen=True)
class NodeSelectorTerm:
    """One term of required node affinity: an AND of label and field requirements."""

    match_expressions: tuple[Requirement, ...] = ()
    match_fields: tuple[Requirement, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "match_expressions", tuple(Requirement.of(r) for r in self.match_expressions)
        )
        object.__setattr__(self, "match_fields", tuple(Requirement.of(r) for r in self.match_fields))
        for r in self.match_fields:
            if r.key != "metadata.name" or r.operator not in ("In", "NotIn"):
                raise ProblemError(
                    f"node affinity matchFields {r.key} {r.operator}: only metadata.name with In/NotIn exists"
                )

    @classmethod
    def of(cls, obj: Any) -> NodeSelectorTerm:
        """From a :class:`NodeSelectorTerm` or a Kubernetes dict (``matchExpressions``, ``matchFields``)."""
        if isinstance(obj, NodeSelectorTerm):
            return obj
        if isinstance(obj, Mapping):
            return cls(tuple(obj.get("matchExpressions") or ()), tuple(obj.get("matchFields") or ()))
        raise ProblemError(f"node selector term {obj!r}: expected a dict with matchExpressions/matchFields")

    def matches(self, node: Node) -> bool:
        """True when the node meets every requirement; an empty term matches nothing (Kubernetes)."""
        if not self.match_expressions and not self.match_fields:
            return False
        fields = {"metadata.name": node.name}
        return all(r.matches(node.labels) for r in self.match_expressions) and all(
            r.matches(fields) for r in self.match_fields
        )


@dataclass(frozen=True)
class AntiAffinityTerm:
    """A required pod anti-affinity term (``podAffinityTerm``).

    ``match_labels`` and ``match_expressions`` form the label selector (an empty selector matches
    every pod, as in Kubernetes). ``namespaces`` lists where the selected pods live (empty: the
    pod's own namespace); ``all_namespaces`` stands for ``namespaceSelector: {}``.
    """

    match_labels: Mapping[str, str] = field(default_factory=dict)
    match_expressions: tuple[Requirement, ...] = ()
    topology_key: str = HOSTNAME
    namespaces: tuple[str, ...] = ()
    all_namespaces: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "match_labels", _labels(self.match_labels, "anti-affinity matchLabels"))
        exprs = tuple(Requirement.of(r) for r in self.match_expressions)
        for r in exprs:
            if r.operator not in LABEL_OPERATORS:
                raise ProblemError(
                    f"anti-affinity label selector on {r.key!r}: operator {r.operator} is for nodes"
                )
        object.__setattr__(self, "match_expressions", exprs)
        object.__setattr__(self, "namespaces", tuple(str(x) for x in self.namespaces))
        if not self.topology_key:
            raise ProblemError("anti-affinity term: empty topologyKey")

    def selects(self, owner_namespace: str, other: Pod) -> bool:
        """Does the term of a pod in ``owner_namespace`` select ``other``?"""
        if not self.all_namespaces and other.namespace not in (self.namespaces or (owner_namespace,)):
            return False
        return all(other.labels.get(k) == v for k, v in self.match_labels.items()) and all(
            r.matches(other.labels) for r in self.match_expressions
        )


# ----------------------------------------------------------------- objects
def _amounts(value: Any, what: str) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ProblemError(f"{what}: expected a mapping resource -> amount, got {value!r}")
    out: dict[str, int] = {}
    for k, v in value.items():
        k = _text(k, what)
        amount = v if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else None
        if amount is None:
            try:
                amount = resource_amount(k, v, where=f"{what}[{k!r}]")
            except ValueError as exc:
                raise ProblemError(str(exc)) from None
        if int(amount) < 0:
            raise ProblemError(f"{what}[{k!r}]: negative amount {amount}")
        out[k] = int(amount)
    return out


@dataclass(frozen=True)
class Node:
    """A node.

    Parameters
    ----------
    name
        The node name.
    allocatable
        Resource -> amount: integers (CPU in millicores, memory in bytes, others in units) or
        Kubernetes quantity strings (``{"cpu": "4", "memory": "16Gi"}``). ``pods`` defaults to 110.
    labels
        Node labels; ``kubernetes.io/hostname`` is added with the node name when absent.
    taints
        :class:`Taint` objects, ``(key, value, effect)`` tuples or Kubernetes taint dicts.
    unschedulable
        ``spec.unschedulable`` (cordoned).
    """

    name: str
    allocatable: Mapping[str, Any] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    taints: Sequence[Any] = ()
    unschedulable: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ProblemError(f"node {self.name!r}: a node needs a non-empty name")
        what = f"node {self.name!r}"
        alloc = _amounts(self.allocatable, f"{what}: allocatable")
        alloc.setdefault("pods", DEFAULT_MAX_PODS)
        object.__setattr__(self, "allocatable", alloc)
        labels = _labels(self.labels, f"{what}: labels")
        labels.setdefault(HOSTNAME, self.name)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "taints", tuple(Taint.of(t) for t in self.taints))
        object.__setattr__(self, "unschedulable", bool(self.unschedulable))


@dataclass(frozen=True)
class Pod:
    """A pod.

    Parameters
    ----------
    name, namespace
        Identity; the job name is ``"namespace/name"``.
    requests
        Effective requests, resource -> amount (integers as in :class:`Node`, or quantity strings).
        The reader computes them from the containers (``max(sum(containers), max(initContainers))``
        per resource, plus ``overhead``). ``pods`` is always 1 and need not be given.
    priority
        ``spec.priority`` (default 0).
    owner
        The owning ReplicaSet (or other controller) name, ``""`` for none.
    node
        The node the pod runs on, ``""`` when pending.
    protected
        A protected running pod may not be moved or evicted.
    node_selector
        ``spec.nodeSelector``.
    affinity
        Required node affinity terms (:class:`NodeSelectorTerm` or Kubernetes dicts), ORed.
    tolerations
        :class:`Toleration` objects, tuples or Kubernetes dicts.
    anti_affinity
        Required pod anti-affinity terms (:class:`AntiAffinityTerm`).
    labels
        Pod labels (what anti-affinity selectors see).
    arrival
        Queue order among equal priorities (smaller first); ``None``: the pod's index.
    """

    name: str
    namespace: str = "default"
    requests: Mapping[str, Any] = field(default_factory=dict)
    priority: int = 0
    owner: str = ""
    node: str = ""
    protected: bool = False
    node_selector: Mapping[str, str] = field(default_factory=dict)
    affinity: Sequence[Any] = ()
    tolerations: Sequence[Any] = ()
    anti_affinity: Sequence[AntiAffinityTerm] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    arrival: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ProblemError(f"pod {self.name!r}: a pod needs a non-empty name")
        what = f"pod {self.namespace}/{self.name}"
        req = _amounts(self.requests, f"{what}: requests")
        req["pods"] = 1
        object.__setattr__(self, "requests", req)
        if isinstance(self.priority, bool) or not isinstance(self.priority, (int, np.integer)):
            raise ProblemError(f"{what}: priority must be an integer, got {self.priority!r}")
        if not -(2**31) <= int(self.priority) < 2**31:
            raise ProblemError(f"{what}: priority {self.priority} is outside the 32-bit range of Kubernetes")
        object.__setattr__(self, "priority", int(self.priority))
        object.__setattr__(self, "node", self.node or "")
        object.__setattr__(self, "owner", self.owner or "")
        object.__setattr__(self, "protected", bool(self.protected))
        object.__setattr__(self, "node_selector", _labels(self.node_selector, f"{what}: nodeSelector"))
        object.__setattr__(self, "labels", _labels(self.labels, f"{what}: labels"))
        object.__setattr__(self, "affinity", tuple(NodeSelectorTerm.of(t) for t in self.affinity))
        object.__setattr__(self, "tolerations", tuple(Toleration.of(t) for t in self.tolerations))
        terms = tuple(self.anti_affinity)
        for t in terms:
            if not isinstance(t, AntiAffinityTerm):
                raise ProblemError(f"{what}: anti_affinity expects AntiAffinityTerm objects, got {t!r}")
        object.__setattr__(self, "anti_affinity", terms)

    @property
    def key(self) -> str:
        """``"namespace/name"``."""
        return f"{self.namespace}/{self.name}"

    def tolerates(self, taint: Taint) -> bool:
        """Does some toleration of the pod tolerate ``taint``?"""
        return any(t.tolerates(taint) for t in self.tolerations)


# ----------------------------------------------------------------- filters
def passes_filters(pod: Pod, node: Node) -> bool:
    """The static filters NodeUnschedulable, NodeAffinity (nodeSelector + required terms) and
    TaintToleration (see the module docstring); resources are not checked."""
    if node.unschedulable and not pod.tolerates(Taint(UNSCHEDULABLE_TAINT, "", "NoSchedule")):
        return False
    if any(node.labels.get(k) != v for k, v in pod.node_selector.items()):
        return False
    if pod.affinity and not any(t.matches(node) for t in pod.affinity):
        return False
    return all(pod.tolerates(t) for t in node.taints if t.effect != "PreferNoSchedule")


def _hostname_like(key: str, nodes: Sequence[Node]) -> bool:
    """A topology key is hostname-like when every node has a distinct value for it."""
    if key == HOSTNAME:
        return True
    values = [n.labels.get(key) for n in nodes]
    return None not in values and len(set(values)) == len(values)


def anti_affinity_pairs(pods: Sequence[Pod], nodes: Sequence[Node]) -> list[tuple[int, int]]:
    """The pairs ``(i, j)``, ``i < j``, of pods that may not share a node (either's term selects the other).

    Raises
    ------
    ProblemError
        A term whose topology key is not hostname-like on these nodes (a zone anti-affinity, say).
    """
    pairs: set[tuple[int, int]] = set()
    for i, p in enumerate(pods):
        for t in p.anti_affinity:
            if not _hostname_like(t.topology_key, nodes):
                raise ProblemError(
                    f"pod {p.key}: pod anti-affinity with topologyKey {t.topology_key!r} is not supported "
                    f"(only {HOSTNAME!r}, or a label with a distinct value on every node)"
                )
            for j, q in enumerate(pods):
                if i != j and t.selects(p.namespace, q):
                    pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)


def resource_names(nodes: Sequence[Node], pods: Sequence[Pod]) -> list[str]:
    """``["cpu", "memory", <other resources some pod requests, sorted>, "pods"]``."""
    extra = sorted({r for p in pods for r in p.requests} - {"cpu", "memory", "pods"})
    return ["cpu", "memory", *extra, "pods"]


# ----------------------------------------------------------------- builder
def cluster(
    nodes: Iterable[Node],
    pods: Iterable[Pod],
    *,
    name: str = "",
    source: str = "",
    meta: Mapping[str, Any] | None = None,
) -> Problem:
    """The pod-packing problem of a cluster (see the module docstring for the encoding).

    Parameters
    ----------
    nodes, pods
        The cluster's :class:`Node` and :class:`Pod` objects (pod order = job order).
    name
        Instance name.
    source
        The file read, stored in ``meta["source"]`` (readers set it).
    meta
        More JSON-serialisable metadata (e.g. a generator's parameters); the keys ``pods``,
        ``nodes``, ``resources`` and ``source`` are the builder's.

    Raises
    ------
    ProblemError
        No node, duplicate node or pod names, a pod bound to an unknown node, an unsupported
        anti-affinity topology, or a protected running pod that does not fit its node alone.
    """
    nodes, pods = list(nodes), list(pods)
    for obj, kind in [(x, Node) for x in nodes] + [(x, Pod) for x in pods]:
        if not isinstance(obj, kind):
            raise ProblemError(f"cluster: expected {kind.__name__} objects, got {obj!r}")
    if not nodes:
        raise ProblemError("cluster: a cluster needs at least one node")
    index: dict[str, int] = {}
    for m, nd in enumerate(nodes):
        if nd.name in index:
            raise ProblemError(f"cluster: two nodes are named {nd.name!r}")
        index[nd.name] = m
    seen: set[str] = set()
    for p in pods:
        if p.key in seen:
            raise ProblemError(f"cluster: two pods are named {p.key!r}")
        seen.add(p.key)
        if p.node and p.node not in index:
            raise ProblemError(f"pod {p.key}: runs on node {p.node!r}, which is not in the cluster")
    n, big_m = len(pods), len(nodes)
    res = resource_names(nodes, pods)
    cap = np.array([[nd.allocatable.get(r, 0) for r in res] for nd in nodes], np.int64).reshape(
        big_m, len(res)
    )
    dem = np.array([[p.requests.get(r, 0) for r in res] for p in pods], np.int64).reshape(n, len(res))
    current = np.array([index[p.node] if p.node else -1 for p in pods], np.int64)
    eligible = np.zeros((n, big_m), bool)
    rows: dict[tuple, np.ndarray] = {}  # pods with equal filter fields share a row (fast on big clusters)
    for i, p in enumerate(pods):
        sig = (tuple(sorted(p.node_selector.items())), p.affinity, p.tolerations)
        if sig not in rows:
            rows[sig] = np.array([passes_filters(p, nd) for nd in nodes], bool)
        eligible[i] = rows[sig]
    optional = np.ones(n, bool)
    for i, p in enumerate(pods):
        c = int(current[i])
        if c < 0:
            continue
        eligible[i, c] = True  # bound already: Kubernetes does not re-filter running pods
        if p.protected:
            optional[i] = False
            eligible[i] = False
            eligible[i, c] = True
            over = np.flatnonzero(dem[i] > cap[c])
            if len(over):
                k = int(over[0])
                raise ProblemError(
                    f"pod {p.key}: protected on node {p.node!r}, but its {res[k]} request {dem[i, k]} "
                    f"exceeds the node's allocatable {cap[c, k]}"
                )
    arrivals = [i if p.arrival is None else int(p.arrival) for i, p in enumerate(pods)]
    info: dict[str, Any] = {**dict(meta or {})}
    info.update(
        {
            "pods": [
                {
                    "namespace": p.namespace,
                    "name": p.name,
                    "owner": p.owner,
                    "arrival": arrivals[i],
                    "protected": p.protected,
                    "labels": dict(p.labels),
                    "tolerations": [
                        {"key": t.key, "operator": t.operator, "value": t.value, "effect": t.effect}
                        for t in p.tolerations
                    ],
                }
                for i, p in enumerate(pods)
            ],
            "nodes": [
                {
                    "name": nd.name,
                    "labels": dict(nd.labels),
                    "taints": [{"key": t.key, "value": t.value, "effect": t.effect} for t in nd.taints],
                    "unschedulable": nd.unschedulable,
                }
                for nd in nodes
            ],
            "resources": res,
        }
    )
    if source:
        info["source"] = source
    return Problem(
        duration=np.ones(n, np.int64),
        deadline=np.ones(n, np.int64),
        priority=np.array([p.priority for p in pods], np.int64),
        names=[p.key for p in pods],
        machine_type=np.zeros(big_m, np.int64),
        machine_names=[nd.name for nd in nodes],
        machine_capacity=cap,
        machine_demand=dem,
        machine_resource_names=res,
        optional=optional,
        eligible=eligible,
        anti_affinity=np.array(anti_affinity_pairs(pods, nodes), np.int64).reshape(-1, 2),
        current_machine=current,
        objective="placement",
        family="pods",
        name=name,
        meta=info,
    )


def is_pods_problem(problem: Problem) -> bool:
    """True for a problem of the pods family (what :func:`cluster` builds)."""
    return problem.family == "pods" and problem.has_machines


__all__ = [
    "DEFAULT_MAX_PODS",
    "HOSTNAME",
    "AntiAffinityTerm",
    "Node",
    "NodeSelectorTerm",
    "Pod",
    "Requirement",
    "Taint",
    "Toleration",
    "anti_affinity_pairs",
    "cluster",
    "is_pods_problem",
    "passes_filters",
    "resource_names",
]
