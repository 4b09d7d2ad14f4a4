"""Read Kubernetes manifests (Nodes and Pods) into a pod-packing problem.

:func:`read_kube` accepts

* what ``kubectl get nodes,pods -A -o json`` (or ``-o yaml``) prints: one ``List`` whose items are
  Nodes and Pods;
* ``NodeList`` / ``PodList`` documents, single ``Node`` / ``Pod`` documents, a multi-document
  YAML file (``---``) mixing them, or a JSON array of them;
* a **directory**: every ``.json``, ``.yaml`` and ``.yml`` file in it that looks like Kubernetes
  (sorted by name) is read and the objects are pooled, so separate NodeList and PodList files are
  read together by reading their directory.

``PriorityClass`` objects in the input resolve ``spec.priorityClassName`` when ``spec.priority``
is absent (the built-in ``system-cluster-critical`` and ``system-node-critical`` are known);
objects of any other kind are skipped with a warning.

What is read, per object (everything else is ignored):

Node
    ``metadata.name``, ``metadata.labels``, ``spec.taints``, ``spec.unschedulable``,
    ``status.allocatable`` (``status.capacity`` when absent).
Pod
    ``metadata.name``, ``namespace`` (default ``default``), ``labels``, ``creationTimestamp``
    (queue order of equal priorities: oldest first, then pods without a timestamp in file order),
    ``ownerReferences`` (the owner is the ReplicaSet's name), ``spec.nodeName`` (running there;
    absent: pending), ``spec.priority``, the requests, ``spec.nodeSelector``, ``spec.tolerations``,
    ``spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`` and
    ``spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution``.
    Pods in phase ``Succeeded`` or ``Failed`` hold no resources and are left out.

**Requests** follow Kubernetes (``resource.PodRequests``, v1.30): a container without
``requests`` for a resource it has ``limits`` for requests the limit (API defaulting); the
effective request is ``max(sum(containers) + sum(sidecars), max(initContainers))`` per resource,
where sidecars are init containers with ``restartPolicy: Always`` and each regular init container
counts with the sidecars started before it; ``spec.overhead`` is added.

**Protected pods** (may be neither moved nor evicted), when running:

* the annotation ``schedopt.io/protected: "true"`` (this library's convention);
* pods of a DaemonSet (owner kind ``DaemonSet``): the DaemonSet controller pins them to their node;
* static (mirror) pods: annotation ``kubernetes.io/config.mirror`` or owner kind ``Node``.

**Unsupported features** (required pod *affinity*, ``topologySpreadConstraints`` with
``DoNotSchedule``, a non-empty ``namespaceSelector``, ``matchLabelKeys``/``mismatchLabelKeys``,
anti-affinity on a topology key that is not hostname-like on the cluster's nodes) are dropped with
a :class:`UserWarning` naming how many pods and the first one; with ``strict=True`` they are a
:class:`~schedopt.errors.ParseError` instead. Preferred (soft) affinities are ignored silently:
they are scores, not filters.

:func:`write_kube` writes a pods problem back as a ``List`` (YAML or JSON) that reads to the same
arrays (filters as ``matchFields`` node affinity, anti-affinity pairs through a pod-id label); it
is the family's writer for ``.yaml``/``.yml`` paths of :func:`schedopt.write`, e.g. to replay a
generated instance on KWOK.

Errors are :class:`~schedopt.errors.ParseError` naming the file (and line for syntax errors), the
object (``Pod default/web-1``) and the field (``spec.containers[0].resources.requests.cpu``).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ParseError, ProblemError
from ...model import Problem
from .model import HOSTNAME, AntiAffinityTerm, Node, Pod, Requirement, cluster
from .quantities import resource_amount

#: The annotation that marks a pod as protected (value ``"true"``).
PROTECTED_ANNOTATION = "schedopt.io/protected"
#: The annotation of static (mirror) pods.
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
#: Priorities of the built-in priority classes.
BUILTIN_PRIORITY_CLASSES = {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}
#: File suffixes read from a directory.
SUFFIXES = (".json", ".yaml", ".yml")

_KIND = re.compile(r"""["']?kind["']?\s*:\s*["']?(?:List|NodeList|PodList|Node|Pod)["']?\s*(?:[,}\n\r]|$)""")


_LIST_ITEMS = re.compile(r"""["']?items["']?\s*:""")
_NODE_OR_POD_FIELDS = ("allocatable", "containers", "nodeName", "taints")


def _looks_like_kube_text(head: str) -> bool:
    if "apiVersion" not in head:
        return False
    if _KIND.search(head) is not None:
        return True
    # the API server's NodeList/PodList (and sorted-key dumps) name their kind only at the end
    return _LIST_ITEMS.search(head) is not None and any(f in head for f in _NODE_OR_POD_FIELDS)


def looks_like_kube(path: Path, head: str) -> bool:
    """A ``.json``/``.yaml``/``.yml`` file whose head holds a Node, Pod or List ``kind`` (and an
    ``apiVersion``), or a directory with such a file. Cheap; never raises."""
    try:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())[:50]
            return any(_looks_like_kube_text(_head(p)) for p in files)
        return path.suffix.lower() in SUFFIXES and _looks_like_kube_text(head)
    except Exception:  # a sniffer never raises
        return False


def _head(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            return fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return ""


# ---------------------------------------------------------------- documents
def _load_documents(path: Path) -> list[Any]:
    """The documents of one file (JSON or YAML, by content)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text ({exc.reason})", path) from None
    if text.lstrip().startswith(("{", "[")):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            if path.suffix.lower() == ".json":
                raise ParseError(f"invalid JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from None
    import yaml

    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = None if mark is None else mark.line + 1
        raise ParseError(f"invalid YAML: {exc.problem or exc}", path, line) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML: {exc}", path) from None


def _objects(doc: Any, path: Path, where: str = "") -> list[tuple[dict, Path]]:
    """Flatten Lists (and JSON arrays) into their objects."""
    if isinstance(doc, list):
        return [o for k, d in enumerate(doc) for o in _objects(d, path, f"{where}[{k}]")]
    if not isinstance(doc, dict):
        raise ParseError(
            f"{where or 'document'}: expected a Kubernetes object, got {type(doc).__name__}", path
        )
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List"):
        items = doc.get("items") or []
        if not isinstance(items, list):
            raise ParseError(f"{kind}{where}: items is not a list", path)
        out = []
        for k, item in enumerate(items):
            if not isinstance(item, dict):
                raise ParseError(f"{kind}{where}: items[{k}] is not an object", path)
            if kind in ("NodeList", "PodList") and "kind" not in item:
                item = {**item, "kind": kind[: -len("List")]}  # kubectl omits the kind of list items
            out.extend(_objects(item, path, f"{where}.items[{k}]"))
        return out
    return [(doc, path)]


# ---------------------------------------------------------------- helpers
class _Reader:
    def __init__(self, strict: bool):
        self.strict = strict
        self.dropped: dict[str, list[str]] = {}

    def unsupported(self, feature: str, obj: str, path: Path) -> None:
        if self.strict:
            raise ParseError(
                f"{obj}: {feature} is not supported (pass strict=False to drop it with a warning)", path
            )
        self.dropped.setdefault(feature, []).append(obj)

    def warn(self) -> None:
        for feature, objs in self.dropped.items():
            warnings.warn(
                f"schedopt pods reader: {feature} is not supported and was dropped "
                f"for {len(objs)} object(s), first {objs[0]}",
                UserWarning,
                stacklevel=3,
            )


def _get(obj: Any, dotted: str, expect: type | tuple[type, ...], default: Any, label: str, path: Path) -> Any:
    cur = obj
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur or cur[part] is None:
            return default
        cur = cur[part]
    if not isinstance(cur, expect) or (isinstance(cur, bool) and bool not in _as_tuple(expect)):
        names = "/".join(t.__name__ for t in _as_tuple(expect))
        raise ParseError(f"{label}: {dotted}: expected {names}, got {cur!r}", path)
    return cur


def _as_tuple(t: type | tuple[type, ...]) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _str_map(value: Any, label: str, field: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ParseError(f"{label}: {field}: expected a mapping, got {value!r}", path)
    out = {}
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            raise ParseError(f"{label}: {field}.{k}: expected a string, got {v!r}", path)
        out[str(k)] = str(v)
    return out


def _amounts(value: Any, label: str, field: str, path: Path) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{label}: {field}: expected a mapping resource -> quantity, got {value!r}", path)
    out = {}
    for k, v in value.items():
        amount = resource_amount(str(k), v, where=f"{label}: {field}.{k}", path=path)
        if amount < 0:
            raise ParseError(f'{label}: {field}.{k}: "{v}" is negative', path)
        out[str(k)] = amount
    return out


# ---------------------------------------------------------------- nodes
def _node(obj: dict, path: Path) -> Node:
    name = _get(obj, "metadata.name", str, "", "Node", path)
    if not name:
        raise ParseError("Node without metadata.name", path)
    label = f"Node {name}"
    labels = _str_map(_get(obj, "metadata.labels", dict, {}, label, path), label, "metadata.labels", path)
    field = "status.allocatable"
    raw = _get(obj, field, dict, None, label, path)
    if raw is None:
        field = "status.capacity"
        raw = _get(obj, field, dict, None, label, path)
    if raw is None:
        raise ParseError(f"{label}: status.allocatable (or status.capacity) is missing", path)
    alloc = _amounts(raw, label, field, path)
    taints = _get(obj, "spec.taints", list, [], label, path)
    for k, t in enumerate(taints):
        if not isinstance(t, dict):
            raise ParseError(f"{label}: spec.taints[{k}]: expected an object, got {t!r}", path)
    unsched = _get(obj, "spec.unschedulable", bool, False, label, path)
    try:
        return Node(name, alloc, labels, taints, unsched)
    except ProblemError as exc:
        raise ParseError(f"{label}: spec.taints: {exc}", path) from None


# ---------------------------------------------------------------- pods
def _container_requests(c: Any, label: str, field: str, path: Path) -> dict[str, int]:
    if not isinstance(c, dict):
        raise ParseError(f"{label}: {field}: expected an object, got {c!r}", path)
    res = c.get("resources") or {}
    if not isinstance(res, dict):
        raise ParseError(f"{label}: {field}.resources: expected an object", path)
    limits = _amounts(res.get("limits"), label, f"{field}.resources.limits", path)
    requests = _amounts(res.get("requests"), label, f"{field}.resources.requests", path)
    return {**limits, **requests}  # requests default to limits (API defaulting)


def pod_requests(spec: dict, label: str = "Pod", path: Path | str = "") -> dict[str, int]:
    """The effective requests of a pod spec (Kubernetes ``resource.PodRequests``; see module doc)."""
    path = Path(path)

    def add(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
        return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys()}

    containers = spec.get("containers") or []
    inits = spec.get("initContainers") or []
    for fld, lst in (("spec.containers", containers), ("spec.initContainers", inits)):
        if not isinstance(lst, list):
            raise ParseError(f"{label}: {fld}: expected a list", path)
    total: dict[str, int] = {}
    for k, c in enumerate(containers):
        total = add(total, _container_requests(c, label, f"spec.containers[{k}]", path))
    sidecars: dict[str, int] = {}
    init_max: dict[str, int] = {}
    for k, c in enumerate(inits):
        req = _container_requests(c, label, f"spec.initContainers[{k}]", path)
        if c.get("restartPolicy") == "Always":  # a sidecar runs alongside everything after it
            sidecars = add(sidecars, req)
            peak = sidecars
        else:
            peak = add(sidecars, req)
        init_max = {r: max(init_max.get(r, 0), peak.get(r, 0)) for r in init_max.keys() | peak.keys()}
    total = add(total, sidecars)
    total = {r: max(total.get(r, 0), init_max.get(r, 0)) for r in total.keys() | init_max.keys()}
    return add(total, _amounts(spec.get("overhead"), label, "spec.overhead", path))


def _selector_requirements(exprs: Any, label: str, field: str, path: Path) -> tuple[Requirement, ...]:
    if exprs is None:
        return ()
    if not isinstance(exprs, list):
        raise ParseError(f"{label}: {field}: expected a list", path)
    out = []
    for k, e in enumerate(exprs):
        if not isinstance(e, dict):
            raise ParseError(f"{label}: {field}[{k}]: expected an object", path)
        try:
            out.append(Requirement.of(e))
        except ProblemError as exc:
            raise ParseError(f"{label}: {field}[{k}]: {exc}", path) from None
    return tuple(out)


def _node_affinity(spec: dict, label: str, path: Path) -> list[dict]:
    base = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    req = _get(
        spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution", dict, None, label, path
    )
    if req is None:
        return []
    terms = req.get("nodeSelectorTerms") or []
    if not isinstance(terms, list):
        raise ParseError(f"{label}: {base}.nodeSelectorTerms: expected a list", path)
    out = []
    for k, t in enumerate(terms):
        fld = f"{base}.nodeSelectorTerms[{k}]"
        if not isinstance(t, dict):
            raise ParseError(f"{label}: {fld}: expected an object", path)
        out.append(
            {
                "matchExpressions": _selector_requirements(
                    t.get("matchExpressions"), label, f"{fld}.matchExpressions", path
                ),
                "matchFields": _selector_requirements(
                    t.get("matchFields"), label, f"{fld}.matchFields", path
                ),
            }
        )
    return out


def _anti_affinity(spec: dict, label: str, path: Path, reader: _Reader) -> list[AntiAffinityTerm]:
    base = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"
    terms = _get(
        spec, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution", list, [], label, path
    )
    out = []
    for k, t in enumerate(terms):
        fld = f"{base}[{k}]"
        if not isinstance(t, dict):
            raise ParseError(f"{label}: {fld}: expected an object", path)
        if t.get("matchLabelKeys") or t.get("mismatchLabelKeys"):
            reader.unsupported("pod anti-affinity matchLabelKeys/mismatchLabelKeys", label, path)
            continue
        sel = t.get("labelSelector")
        if sel is None:
            continue  # a term without labelSelector selects no pod (Kubernetes)
        if not isinstance(sel, dict):
            raise ParseError(f"{label}: {fld}.labelSelector: expected an object", path)
        ns_sel = t.get("namespaceSelector")
        if ns_sel:  # {} selects every namespace; anything else needs namespace labels we do not have
            reader.unsupported("a non-empty namespaceSelector in pod anti-affinity", label, path)
            continue
        namespaces = t.get("namespaces") or []
        if not isinstance(namespaces, list):
            raise ParseError(f"{label}: {fld}.namespaces: expected a list", path)
        topology = t.get("topologyKey")
        if not isinstance(topology, str) or not topology:
            raise ParseError(f"{label}: {fld}.topologyKey: expected a label key, got {topology!r}", path)
        try:
            out.append(
                AntiAffinityTerm(
                    _str_map(sel.get("matchLabels") or {}, label, f"{fld}.labelSelector.matchLabels", path),
                    _selector_requirements(
                        sel.get("matchExpressions"), label, f"{fld}.labelSelector.matchExpressions", path
                    ),
                    topology,
                    tuple(str(x) for x in namespaces),
                    all_namespaces=ns_sel is not None,
                )
            )
        except ProblemError as exc:
            raise ParseError(f"{label}: {fld}: {exc}", path) from None
    return out


def _pod(obj: dict, path: Path, classes: Mapping[str, int], reader: _Reader) -> tuple[Pod, str | None] | None:
    name = _get(obj, "metadata.name", str, "", "Pod", path)
    if not name:
        raise ParseError("Pod without metadata.name", path)
    ns = _get(obj, "metadata.namespace", str, "default", f"Pod {name}", path) or "default"
    label = f"Pod {ns}/{name}"
    phase = _get(obj, "status.phase", str, "", label, path)
    if phase in ("Succeeded", "Failed"):
        return None
    spec = _get(obj, "spec", dict, {}, label, path)
    labels = _str_map(_get(obj, "metadata.labels", dict, {}, label, path), label, "metadata.labels", path)
    annotations = _get(obj, "metadata.annotations", dict, {}, label, path)
    owners = _get(obj, "metadata.ownerReferences", list, [], label, path)
    owner, owner_kinds = "", set()
    for k, ref in enumerate(owners):
        if not isinstance(ref, dict):
            raise ParseError(f"{label}: metadata.ownerReferences[{k}]: expected an object", path)
        owner_kinds.add(str(ref.get("kind")))
        if ref.get("kind") == "ReplicaSet" and not owner:
            owner = str(ref.get("name", ""))
    priority = _get(spec, "priority", int, None, label, path)
    if priority is None:
        cls = _get(spec, "priorityClassName", str, "", label, path)
        if cls and cls not in classes:
            raise ParseError(
                f"{label}: spec.priorityClassName {cls!r} is not a known PriorityClass and spec.priority "
                "is absent (add the PriorityClass object or spec.priority)",
                path,
            )
        priority = classes.get(cls, classes.get("", 0)) if cls else classes.get("", 0)
    protected = (
        str(annotations.get(PROTECTED_ANNOTATION, "")).lower() == "true"
        or MIRROR_ANNOTATION in annotations
        or bool(owner_kinds & {"DaemonSet", "Node"})
    )
    tolerations = _get(spec, "tolerations", list, [], label, path)
    node_selector = _str_map(
        _get(spec, "nodeSelector", dict, {}, label, path), label, "spec.nodeSelector", path
    )
    if _get(
        spec, "affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution", list, [], label, path
    ):
        reader.unsupported("required pod affinity", label, path)
    spread = _get(spec, "topologySpreadConstraints", list, [], label, path)
    if any(
        isinstance(c, dict) and c.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule" for c in spread
    ):
        reader.unsupported("topologySpreadConstraints with DoNotSchedule", label, path)
    created = _get(obj, "metadata.creationTimestamp", str, None, label, path)
    try:
        pod = Pod(
            name,
            ns,
            requests=pod_requests(spec, label, path),
            priority=priority,
            owner=owner,
            node=_get(spec, "nodeName", str, "", label, path),
            protected=protected,
            node_selector=node_selector,
            affinity=_node_affinity(spec, label, path),
            tolerations=tolerations,
            anti_affinity=_anti_affinity(spec, label, path, reader),
            labels=labels,
        )
    except ProblemError as exc:
        raise ParseError(f"{label}: {exc}", path) from None
    return pod, created


# ---------------------------------------------------------------- reader
def _files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    files = [
        p
        for p in sorted(path.iterdir())
        if p.is_file() and p.suffix.lower() in SUFFIXES and looks_like_kube(p, _head(p))
    ]
    if not files:
        raise ParseError("the directory holds no Kubernetes .json/.yaml/.yml file", path)
    return files


def read_kube(path: str | Path, *, strict: bool = False, name: str | None = None) -> Problem:
    """The pod-packing problem of Kubernetes Nodes and Pods (see the module docstring).

    Parameters
    ----------
    path
        A ``.json``/``.yaml``/``.yml`` file, or a directory of them.
    strict
        Refuse unsupported features (:class:`ParseError`) instead of dropping them with a warning.
    name
        Instance name (default: the file or directory name without suffix).

    Raises
    ------
    ParseError
        Malformed file, object or field; a pod bound to a node that is not in the input; no node or
        no pod (a NodeList file alone: read its directory with the PodList).
    """
    path = Path(path)
    reader = _Reader(strict)
    objects = [o for f in _files(path) for d in _load_documents(f) for o in _objects(d, f)]
    classes = dict(BUILTIN_PRIORITY_CLASSES)
    default_class: int | None = None
    for obj, f in objects:
        if obj.get("kind") == "PriorityClass":
            cname = _get(obj, "metadata.name", str, "", "PriorityClass", f)
            value = _get(obj, "value", int, None, f"PriorityClass {cname}", f)
            if not cname or value is None:
                raise ParseError(f"PriorityClass {cname or '?'}: needs metadata.name and an integer value", f)
            classes[cname] = value
            if obj.get("globalDefault") is True:
                default_class = value
    if default_class is not None:
        classes[""] = default_class
    nodes: list[Node] = []
    pods: list[tuple[Pod, str | None, Path]] = []
    skipped: dict[str, int] = {}
    for obj, f in objects:
        kind = obj.get("kind")
        if kind == "Node":
            nodes.append(_node(obj, f))
        elif kind == "Pod":
            got = _pod(obj, f, classes, reader)
            if got is not None:
                pods.append((*got, f))
        elif kind != "PriorityClass":
            skipped[str(kind)] = skipped.get(str(kind), 0) + 1
    if skipped:
        listed = ", ".join(f"{v} {k}" for k, v in sorted(skipped.items()))
        warnings.warn(
            f"schedopt pods reader: {path}: skipped objects of other kinds ({listed})", stacklevel=2
        )
    if not nodes or not pods:
        missing = "Node" if not nodes else "Pod"
        raise ParseError(
            f"no {missing} objects: a cluster problem needs nodes and pods (read separate NodeList and "
            "PodList files together by giving their directory)",
            path,
        )
    names = {nd.name for nd in nodes}
    for pod, _, f in pods:
        if pod.node and pod.node not in names:
            raise ParseError(f"Pod {pod.key}: spec.nodeName {pod.node!r} is not a Node of the input", f)
    # anti-affinity on a topology key that is not hostname-like on these nodes
    kept = []
    for pod, created, f in pods:
        terms = []
        for t in pod.anti_affinity:
            values = [nd.labels.get(t.topology_key) for nd in nodes]
            if t.topology_key == HOSTNAME or (None not in values and len(set(values)) == len(values)):
                terms.append(t)
            else:
                reader.unsupported(
                    f"pod anti-affinity on topologyKey {t.topology_key!r}", f"Pod {pod.key}", f
                )
        if len(terms) != len(pod.anti_affinity):
            pod = Pod(**{**pod.__dict__, "anti_affinity": terms})
        kept.append((pod, created, f))
    order = sorted(range(len(kept)), key=lambda i: (kept[i][1] is None, kept[i][1] or "", i))
    rank = {i: r for r, i in enumerate(order)}
    final = [Pod(**{**p.__dict__, "arrival": rank[i]}) for i, (p, _, _) in enumerate(kept)]
    reader.warn()
    label = name if name is not None else (path.name if path.is_dir() else path.name.split(".")[0])
    try:
        return cluster(nodes, final, name=label, source=str(path))
    except ProblemError as exc:
        raise ParseError(str(exc), path) from None


# ---------------------------------------------------------------- writer
#: Label through which written pods name each other in anti-affinity terms.
ID_LABEL = "schedopt.io/pod-id"


def _cpu_text(millis: int) -> str:
    return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"


def kube_objects(problem: Problem) -> dict[str, Any]:
    """A pods problem as a Kubernetes ``List`` of Nodes and Pods (the inverse of :func:`read_kube`).

    The arrays are written exactly, not the manifests the problem was read from: node labels and
    pod labels, owners and priorities come from ``meta``; a pod eligible on some nodes only gets a
    required node affinity ``matchFields metadata.name In [...]`` listing them (so the written
    nodes carry no taints and are not cordoned: the taints are already in ``eligible``), and each
    anti-affinity pair a required anti-affinity term on ``kubernetes.io/hostname`` selecting the
    other pod by the label ``schedopt.io/pod-id``. Running pods get ``spec.nodeName``, protected
    ones (not optional) the annotation ``schedopt.io/protected: "true"``, and ``creationTimestamp``
    follows the arrival order. Reading the result gives the same arrays back.

    Raises
    ------
    ProblemError
        Not a pods problem (:func:`.model.is_pods_problem`).
    """
    from .model import is_pods_problem

    if not is_pods_problem(problem):
        raise ProblemError(f"write_kube: {problem!r} is not a pods problem (family 'pods' with nodes)")
    res = list(problem.machine_resource_names)
    pods_meta = problem.meta.get("pods") or [{} for _ in range(problem.n_jobs)]
    nodes_meta = problem.meta.get("nodes") or [{} for _ in range(problem.n_machines)]
    items: list[dict[str, Any]] = []
    for m, name in enumerate(problem.machine_names):
        alloc = {}
        for k, r in enumerate(res):
            v = int(problem.machine_capacity[m, k])
            alloc[r] = _cpu_text(v) if r == "cpu" else str(v)
        labels = dict(nodes_meta[m].get("labels", {})) if m < len(nodes_meta) else {}
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": labels},
                "spec": {},
                "status": {"allocatable": alloc, "capacity": dict(alloc)},
            }
        )
    partners: dict[int, list[int]] = {}
    for i, j in problem.anti_affinity.tolist():
        partners.setdefault(i, []).append(j)
    in_pairs = {int(x) for x in problem.anti_affinity.ravel()}
    arrival = [int(pm.get("arrival", j)) for j, pm in enumerate(pods_meta)]
    for j, key in enumerate(problem.names):
        pm = pods_meta[j] if j < len(pods_meta) else {}
        ns, _, name = key.partition("/") if "/" in key else ("default", "", key)
        labels = dict(pm.get("labels", {}))
        if j in in_pairs:
            labels[ID_LABEL] = str(j)
        meta: dict[str, Any] = {
            "name": name,
            "namespace": ns,
            "labels": labels,
            "creationTimestamp": f"2026-01-01T{arrival[j] // 3600 % 24:02d}:{arrival[j] // 60 % 60:02d}:"
            f"{arrival[j] % 60:02d}Z",
        }
        if arrival[j] >= 86400:
            raise ProblemError("write_kube: arrival orders beyond 86,399 are not written")
        if pm.get("owner"):
            meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": pm["owner"]}]
        cur = int(problem.current_machine[j])
        if cur >= 0 and not problem.optional[j]:
            meta["annotations"] = {PROTECTED_ANNOTATION: "true"}
        requests = {}
        for k, r in enumerate(res):
            v = int(problem.machine_demand[j, k])
            if r != "pods" and v:
                requests[r] = _cpu_text(v) if r == "cpu" else str(v)
        spec: dict[str, Any] = {
            "containers": [{"name": "main", "image": "registry.k8s.io/pause:3.9",
                            "resources": {"requests": requests}}],
            "priority": int(problem.priority[j]),
        }  # fmt: skip
        if cur >= 0:
            spec["nodeName"] = problem.machine_names[cur]
        affinity: dict[str, Any] = {}
        row = problem.eligible[j]
        if not row.all() and not (cur >= 0 and not problem.optional[j]):
            names = [problem.machine_names[m] for m in np.flatnonzero(row)]
            term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": names}]}
            if not names:  # eligible nowhere: a term no node meets
                term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [""]}]}
            affinity["nodeAffinity"] = {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [term]}
            }
        if j in partners:
            sel = {
                "matchExpressions": [
                    {"key": ID_LABEL, "operator": "In", "values": [str(x) for x in partners[j]]}
                ]
            }
            affinity["podAntiAffinity"] = {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": sel, "topologyKey": HOSTNAME, "namespaceSelector": {}}
                ]
            }
        if affinity:
            spec["affinity"] = affinity
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": meta,
                "spec": spec,
                "status": {"phase": "Running" if cur >= 0 else "Pending"},
            }
        )
    return {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}


def write_kube(path: str | Path, problem: Problem) -> None:
    """Write :func:`kube_objects` to ``path``: YAML for ``.yaml``/``.yml``, else JSON."""
    doc = kube_objects(problem)
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    else:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


__all__ = [
    "ID_LABEL",
    "MIRROR_ANNOTATION",
    "PROTECTED_ANNOTATION",
    "kube_objects",
    "looks_like_kube",
    "pod_requests",
    "read_kube",
    "write_kube",
]
