"""Reader of saga / DAGBench ``graph.json`` task graphs on a network of related machines.

Layout (saga's pydantic models serialised, as in ANRGUSC/dagbench ``workflows/**/graph.json``)::

    {"name": "synthetic.fork",
     "task_graph": {"tasks": [{"name": "A", "cost": 0.13}, ...],
                    "dependencies": [{"source": "A", "target": "C", "size": 0.24}, ...]},
     "network": {"nodes": [{"name": "0", "speed": 0.23}, ...],
                 "edges": [{"source": "0", "target": "1", "speed": 0.17}, ...]}}

saga's model (Coleman & Krishnamachari, arXiv 2403.07120) is *related machines*: task ``i`` runs
on node ``m`` for ``cost_i / speed_m``; the data of edge ``(i, k)`` crosses the link between the
nodes of ``i`` and ``k`` in ``size_ik / speed_link`` (links are undirected; a self-link is free, and
saga gives it infinite speed). Every network node becomes one machine of its own type
(``machine_type = arange(M)``, type and machine names = node names), so the cost table is the
``(tasks, M)`` matrix of ``cost / speed``. The link speeds become the model's pair communication:
``machine_node = arange(M)``, ``comm_latency = 0``, ``comm_bandwidth[a, b]`` = the speed of link
``a-b`` (``inf`` on the diagonal, never used: tasks on one machine wait nothing),
``data_size[e] = size_e * time_scale`` and ``comm[e] = 0``, so that
:meth:`schedopt.Problem.edge_delays` gives ``ceil(time_scale * size / speed)`` between machines.

**Rounding.** schedopt's time is integer: every time is multiplied by ``time_scale`` (default
1000) and rounded *up*: ``p[i, m] = ceil(time_scale * cost_i / speed_m - 1e-9)``, and the same
ceiling (:func:`schedopt.model.pair_delay`, tolerance ``1e-9``) for transfers. Rounding up never
makes a schedule look shorter than saga's: a schedule of the scaled problem, divided by
``time_scale``, is feasible for the original times, and its makespan exceeds the exact one by at
most ``1 / time_scale`` per task and transfer on its critical path. A positive cost or transfer,
however small, takes at least one unit. The factor is in ``problem.meta["time_scale"]`` (divide
objectives by it to compare with saga).

Where the graph has several entry or exit tasks, a zero-cost source / sink is added after the
original tasks (:func:`.model.dag`), as saga's ``TaskGraph.create`` does (saga names them
``__super_source__`` / ``__super_sink__``; schedopt ``source`` / ``sink``).

Deviations from saga: a missing link between two distinct nodes is an error (saga gives it speed
0, i.e. no transfer can cross it), and so are two different speeds for one link (saga raises too).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from ...errors import ParseError, ProblemError
from ...model import COMM_TOLERANCE, Problem
from .model import dag

_SCHEDOPT_JSON = re.compile(r'^\s*\{\s*"schedopt"\s*:')
_KEYS = {"task_graph": re.compile(rb'"task_graph"\s*:'), "network": re.compile(rb'"network"\s*:')}
_SCAN_LIMIT = 16 << 20  # bytes scanned for a key beyond the head
_CHUNK = 1 << 16


def _keys_in(path: Path, wanted: set[str]) -> set[str]:
    """Which of the ``wanted`` top-level-looking keys occur in the first 16 MiB of ``path``."""
    found: set[str] = set()
    tail = b""
    with path.open("rb") as fh:
        read = 0
        while read < _SCAN_LIMIT and found != wanted:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            window = tail + chunk
            found |= {k for k in wanted - found if _KEYS[k].search(window)}
            tail = window[-64:]  # a key split over two chunks is still found
    return found


def looks_like_saga_json(path: Path, head: str) -> bool:
    """The sniffer: a ``.json`` object with ``"task_graph"`` and ``"network"`` keys.

    Cheap and total: it decides from the 4 KiB ``head`` when both keys are there; when only one
    is, it scans the file in 64 KiB chunks (at most 16 MiB) for the other, so a large task graph
    that pushes ``"network"`` far down still reads as saga JSON. A head with neither key is
    declined without reading further. schedopt's own JSON (``{"schedopt": ...``)
    is never claimed. It never raises: any error means "not saga JSON".
    """
    try:
        if path.suffix.lower() != ".json":
            return False
        text = head.lstrip("\ufeff \t\r\n")
        if not text.startswith("{") or _SCHEDOPT_JSON.match(text):
            return False
        raw = text.encode("utf-8", errors="replace")
        present = {k for k, rx in _KEYS.items() if rx.search(raw)}
        if present == set(_KEYS):
            return True
        if not present or not path.is_file():
            return False  # neither key near the top: some other JSON
        return _keys_in(path, set(_KEYS)) == set(_KEYS)
    except Exception:  # a sniffer never raises
        return False


class _Reader:
    """Field checks with messages naming the file (or ``graph``) and the field."""

    def __init__(self, source: Path | None):
        self.source = source

    def fail(self, message: str) -> NoReturn:
        if self.source is None:
            raise ProblemError(f"saga graph: {message}")
        raise ParseError(message, self.source)

    def obj(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(f"{where}: expected an object, got {type(value).__name__}")
        return value

    def key(self, value: Mapping[str, Any], key: str, where: str) -> Any:
        if key not in value:
            self.fail(f"{where}: missing key {key!r}")
        return value[key]

    def items(self, value: Mapping[str, Any], key: str, where: str) -> list[Any]:
        arr = self.key(value, key, where)
        if not isinstance(arr, list):
            self.fail(f"{where}.{key}: expected a list, got {type(arr).__name__}")
        return arr

    def name(self, value: Mapping[str, Any], key: str, where: str) -> str:
        s = self.key(value, key, where)
        if isinstance(s, bool) or not isinstance(s, (str, int)):
            self.fail(f"{where}: {key} must be a string, got {s!r}")
        return str(s)

    def number(self, value: Mapping[str, Any], key: str, where: str, *, positive: bool) -> float:
        x = self.key(value, key, where)
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            self.fail(f"{where}: {key} must be a number, got {x!r}")
        x = float(x)
        if math.isnan(x) or (positive and x <= 0) or (not positive and x < 0):
            self.fail(f"{where}: {key} must be {'> 0' if positive else '>= 0'}, got {x!r}")
        return x


def saga_problem(
    data: Mapping[str, Any],
    *,
    time_scale: int = 1000,
    name: str | None = None,
    source: str | Path | None = None,
) -> Problem:
    """The ``dag`` :class:`Problem` of a saga task graph and network given as a parsed dictionary.

    See the module docstring for the mapping and the rounding. ``source`` is the file the data
    came from (errors then are :class:`ParseError` naming it, else :class:`ProblemError`).
    """
    if isinstance(time_scale, bool) or not isinstance(time_scale, (int, np.integer)) or time_scale < 1:
        raise ValueError(f"time_scale must be an integer >= 1, got {time_scale!r}")
    r = _Reader(None if source is None else Path(source))
    top = r.obj(data, "top level")
    tg = r.obj(r.key(top, "task_graph", "top level"), "task_graph")
    net = r.obj(r.key(top, "network", "top level"), "network")

    tasks = r.items(tg, "tasks", "task_graph")
    if not tasks:
        r.fail("task_graph.tasks: no tasks")
    names: list[str] = []
    costs: list[float] = []
    index: dict[str, int] = {}
    for k, t in enumerate(tasks):
        t = r.obj(t, f"task_graph.tasks[{k}]")
        nm = r.name(t, "name", f"task_graph.tasks[{k}]")
        if nm in index:
            r.fail(f"task_graph.tasks[{k}]: task {nm!r} is given twice (first as tasks[{index[nm]}])")
        c = r.number(t, "cost", f"task {nm!r}", positive=False)
        if math.isinf(c):
            r.fail(f"task {nm!r}: cost must be finite, got {c!r}")
        index[nm] = k
        names.append(nm)
        costs.append(c)

    edges: list[tuple[int, int]] = []
    sizes: list[float] = []
    seen_dep: dict[tuple[int, int], float] = {}
    for k, d in enumerate(r.items(tg, "dependencies", "task_graph")):
        where = f"task_graph.dependencies[{k}]"
        d = r.obj(d, where)
        ends = []
        for key in ("source", "target"):
            nm = r.name(d, key, where)
            if nm not in index:
                r.fail(f"{where}: {key} {nm!r} is not a task")
            ends.append(index[nm])
        i, j = ends
        where = f"dependency {names[i]!r} -> {names[j]!r}"
        if i == j:
            r.fail(f"{where}: a task depends on itself")
        size = r.number(d, "size", where, positive=False)
        if math.isinf(size):
            r.fail(f"{where}: size must be finite, got {size!r}")
        if (i, j) in seen_dep:
            if seen_dep[(i, j)] != size:
                r.fail(f"{where}: given twice with sizes {seen_dep[(i, j)]!r} and {size!r}")
            continue  # an exact repeat: saga keeps one
        seen_dep[(i, j)] = size
        edges.append((i, j))
        sizes.append(size)

    nodes = r.items(net, "nodes", "network")
    if not nodes:
        r.fail("network.nodes: no nodes")
    node_names: list[str] = []
    speeds: list[float] = []
    node_index: dict[str, int] = {}
    for k, v in enumerate(nodes):
        v = r.obj(v, f"network.nodes[{k}]")
        nm = r.name(v, "name", f"network.nodes[{k}]")
        if nm in node_index:
            r.fail(f"network.nodes[{k}]: node {nm!r} is given twice")
        s = r.number(v, "speed", f"node {nm!r}", positive=True)
        if math.isinf(s):
            r.fail(f"node {nm!r}: speed must be finite, got {s!r}")
        node_index[nm] = k
        node_names.append(nm)
        speeds.append(s)
    m = len(node_names)
    bw = np.full((m, m), np.nan)
    np.fill_diagonal(bw, np.inf)
    for k, e in enumerate(r.items(net, "edges", "network")):
        where = f"network.edges[{k}]"
        e = r.obj(e, where)
        a, b = (r.name(e, key, where) for key in ("source", "target"))
        for nm in (a, b):
            if nm not in node_index:
                r.fail(f"{where}: node {nm!r} is not in network.nodes")
        s = r.number(e, "speed", f"link {a!r}-{b!r}", positive=True)
        ia, ib = node_index[a], node_index[b]
        if ia == ib:
            continue  # a self-link: transfers on one node are free whatever its speed
        if not np.isnan(bw[ia, ib]) and bw[ia, ib] != s:
            r.fail(f"link {a!r}-{b!r}: given twice with speeds {float(bw[ia, ib])!r} and {s!r}")
        bw[ia, ib] = bw[ib, ia] = s
    if np.isnan(bw).any():
        ia, ib = (int(x) for x in np.argwhere(np.isnan(bw))[0])
        r.fail(
            f"network: no link between nodes {node_names[ia]!r} and {node_names[ib]!r} "
            "(saga would give it speed 0: no data could cross it)"
        )

    exact = np.asarray(costs)[:, None] * time_scale / np.asarray(speeds)[None, :]
    duration = np.maximum(np.ceil(exact - COMM_TOLERANCE), 0)
    big = duration >= 2**50
    if big.any():
        i, a = (int(x) for x in np.argwhere(big)[0])
        r.fail(
            f"task {names[i]!r} on node {node_names[a]!r}: time_scale * cost / speed = {exact[i, a]:g} "
            "is beyond schedopt's time range (2**50); use a smaller time_scale"
        )
    meta = {
        "source": None if source is None else str(source),
        "time_scale": int(time_scale),
        "rounding": "ceil",
        "model": "related machines (saga): time = cost / node speed, transfer = size / link speed",
        "node_speed": speeds,
    }
    label = name or (top.get("name") if isinstance(top.get("name"), str) else None)
    if not label:
        label = "" if source is None else Path(source).stem
    try:
        return dag(
            duration.astype(np.int64),
            [(i, j, 0) for i, j in edges],
            names=names,
            type_names=node_names,
            machine_names=node_names,
            machine_node=np.arange(m),
            comm_latency=np.zeros((m, m)),
            comm_bandwidth=bw,
            data_size=[s * time_scale for s in sizes],
            name=label,
            meta=meta,
        )
    except ProblemError as exc:
        r.fail(str(exc))


def read_saga_json(path: str | Path, *, time_scale: int = 1000, name: str | None = None) -> Problem:
    """Read a saga / DAGBench ``graph.json`` into a ``dag`` family :class:`Problem`.

    Parameters
    ----------
    path
        The file.
    time_scale
        Time units per saga time unit (module docstring: times are scaled and rounded up).
    name
        Problem name (default: the file's ``"name"``, else the file stem).

    Raises
    ------
    ParseError
        Naming the file and, where known, the line and column of malformed JSON; or the field:
        a missing key, a task or node given twice, a dependency naming an unknown task, a
        negative or non-numeric cost or size, a speed that is not positive, a missing link or
        one given two speeds, a cycle (naming the tasks on it).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ParseError("not a UTF-8 text file", path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"malformed JSON: {exc.msg} (column {exc.colno})", path, exc.lineno) from None
    except RecursionError:
        raise ParseError("malformed JSON: nested too deeply", path) from None
    return saga_problem(data, time_scale=time_scale, name=name, source=path)
