"""Quantum networks: nodes with communication and storage qubits, links with (fidelity, rate) points.

The model follows Skrzypczyk & Wehner, "An architecture for meeting quality-of-service
requirements in multi-user quantum networks" (arXiv 2111.13124), as its MIT-licensed code
``mdskrzypczyk/LinkScheduling`` builds it (``code/jobscheduling/topology.py``):

* a node is an *end node* (source/destination of demands) or a *repeater*; each has
  communication qubits (they generate links with a neighbour) and storage qubits (they hold a
  link end while it waits), by default 1 + 3;
* a link between adjacent nodes offers a set of operating points ``(F, R)``: generating at
  fidelity ``F`` gives ``R`` pairs per second; higher fidelity means lower rate.

Qubits are named ``"<node>-C<i>"`` (communication) and ``"<node>-S<i>"`` (storage), as in
LinkScheduling. :meth:`Network.graph` gives a networkx graph with the same attributes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from ...errors import ParseError, ProblemError

#: NV-centre operating points ``(fidelity, pairs per second)`` of a 5 km link, restated (rounded to
#: 4 decimals) from ``code/device_characteristics/data.json`` of ``mdskrzypczyk/LinkScheduling``
#: (entries ``fidelities["5"]`` and ``rates["5"]``, NetSquid NV simulations). The table holds the
#: same 10 fidelities for every length 5-50 km, with rates falling with length; only 5 km is
#: used by the paper's small topologies.
NV_5KM_POINTS: tuple[tuple[float, float], ...] = (
    (0.8771, 14.1583),
    (0.8338, 20.8373),
    (0.7906, 27.8342),
    (0.7473, 33.9846),
    (0.7041, 39.1763),
    (0.6608, 45.5974),
    (0.6175, 51.2581),
    (0.5743, 57.7320),
    (0.5310, 61.6049),
    (0.4877, 75.6532),
)

#: The single "futuristic" operating point LinkScheduling gives every SURFnet link
#: (``gen_surfnet_topology``: ``(0.999, 1400)``).
SURFNET_POINTS: tuple[tuple[float, float], ...] = ((0.999, 1400.0),)

#: Counts of the SURFnet topology of LinkScheduling (``code/Surfnet.gml``): 54 cities, each a
#: repeater with one attached end node; 64 inter-city links and 54 access links.
SURFNET_CITIES, SURFNET_CITY_LINKS = 54, 64


@dataclass(frozen=True)
class QuantumNode:
    """A network node.

    Parameters
    ----------
    name
        Node name (string).
    end_node
        True for an end node (demands start and end there), False for a repeater.
    n_comm, n_storage
        Numbers of communication (``>= 1``) and storage (``>= 0``) qubits.
    """

    name: str
    end_node: bool
    n_comm: int = 1
    n_storage: int = 3

    def __post_init__(self) -> None:
        if not isinstance(self.n_comm, int) or self.n_comm < 1:
            raise ProblemError(f"node {self.name!r}: n_comm must be an integer >= 1, got {self.n_comm!r}")
        if not isinstance(self.n_storage, int) or self.n_storage < 0:
            raise ProblemError(
                f"node {self.name!r}: n_storage must be an integer >= 0, got {self.n_storage!r}"
            )

    @property
    def comm_qubits(self) -> tuple[str, ...]:
        """Communication qubit ids ``"<node>-C<i>"``."""
        return tuple(f"{self.name}-C{i}" for i in range(self.n_comm))

    @property
    def storage_qubits(self) -> tuple[str, ...]:
        """Storage qubit ids ``"<node>-S<i>"``."""
        return tuple(f"{self.name}-S{i}" for i in range(self.n_storage))

    @property
    def qubits(self) -> tuple[str, ...]:
        """All qubit ids, communication first."""
        return self.comm_qubits + self.storage_qubits


def _check_points(points: Iterable[Sequence[float]], where: str) -> tuple[tuple[float, float], ...]:
    out = []
    for k, pt in enumerate(points):
        try:
            f, r = (float(x) for x in pt)
        except (TypeError, ValueError) as exc:
            raise ProblemError(
                f"{where}: operating point {k} must be a (fidelity, rate) pair, got {pt!r}"
            ) from exc
        if not (0.25 < f <= 1.0) or not math.isfinite(f):
            raise ProblemError(f"{where}: operating point {k} has fidelity {f}; expected 0.25 < F <= 1")
        if not (r > 0.0) or not math.isfinite(r):
            raise ProblemError(
                f"{where}: operating point {k} has rate {r}; expected a finite rate > 0 pairs/s"
            )
        out.append((f, r))
    if not out:
        raise ProblemError(f"{where}: a link needs at least one (fidelity, rate) operating point")
    return tuple(sorted(out, key=lambda p: (-p[0], p[1])))


@dataclass(frozen=True)
class QuantumLink:
    """A link between two adjacent nodes.

    Parameters
    ----------
    u, v
        Node names.
    points
        Operating points ``(F, R)``: fidelity ``0.25 < F <= 1`` of a generated pair and rate
        ``R > 0`` in pairs per second; stored sorted by decreasing fidelity.
    length_km
        Fibre length (the routing weight; LinkScheduling routes on it).
    """

    u: str
    v: str
    points: tuple[tuple[float, float], ...] = NV_5KM_POINTS
    length_km: float = 5.0

    def __post_init__(self) -> None:
        if self.u == self.v:
            raise ProblemError(f"link {self.u!r}-{self.v!r}: a link joins two different nodes")
        object.__setattr__(self, "points", _check_points(self.points, f"link {self.u}-{self.v}"))
        if not (self.length_km > 0) or not math.isfinite(self.length_km):
            raise ProblemError(f"link {self.u}-{self.v}: length_km must be > 0, got {self.length_km}")

    @property
    def max_rate(self) -> float:
        """The highest rate among the operating points."""
        return max(r for _, r in self.points)

    @property
    def max_fidelity(self) -> float:
        """The highest fidelity among the operating points."""
        return max(f for f, _ in self.points)


@dataclass(frozen=True)
class Network:
    """A quantum network: nodes, links, a name and metadata.

    Build one with :func:`make_network` or a topology builder (:func:`line`, :func:`star`,
    :func:`h_shape`, :func:`symmetric`, :func:`surfnet`, :func:`topology`).
    ``meta["stand_in"]`` is True when the topology is a generated stand-in, not real data.
    """

    name: str
    nodes: dict[str, QuantumNode]
    links: dict[frozenset[str], QuantumLink]
    meta: dict[str, Any] = field(default_factory=dict)

    def node(self, name: str) -> QuantumNode:
        """The node called ``name`` (ProblemError naming it when absent)."""
        try:
            return self.nodes[name]
        except KeyError:
            raise ProblemError(f"network {self.name!r} has no node {name!r}") from None

    def link(self, u: str, v: str) -> QuantumLink:
        """The link between ``u`` and ``v`` (ProblemError when they are not adjacent)."""
        try:
            return self.links[frozenset((u, v))]
        except KeyError:
            raise ProblemError(f"network {self.name!r} has no link {u!r}-{v!r}") from None

    @property
    def end_nodes(self) -> list[str]:
        """Names of the end nodes."""
        return [n for n, node in self.nodes.items() if node.end_node]

    @property
    def repeaters(self) -> list[str]:
        """Names of the repeaters."""
        return [n for n, node in self.nodes.items() if not node.end_node]

    def qubits(self) -> list[str]:
        """Every qubit id of the network, node by node."""
        return [q for node in self.nodes.values() for q in node.qubits]

    def graph(self) -> nx.Graph:
        """A networkx graph: node attributes ``end_node``, ``comm_qs``, ``storage_qs``; edge
        attributes ``points`` (list of (F, R)), ``capabilities`` (same, LinkScheduling's name)
        and ``weight`` (= ``length_km``)."""
        g = nx.Graph(name=self.name, **self.meta)
        for name, node in self.nodes.items():
            g.add_node(
                name,
                end_node=node.end_node,
                comm_qs=list(node.comm_qubits),
                storage_qs=list(node.storage_qubits),
            )
        for link in self.links.values():
            pts = list(link.points)
            g.add_edge(link.u, link.v, points=pts, capabilities=pts, weight=link.length_km)
        return g


def make_network(
    name: str,
    end_nodes: Iterable[Any],
    repeaters: Iterable[Any],
    edges: Iterable[tuple[Any, Any]],
    *,
    points: Sequence[Sequence[float]] = NV_5KM_POINTS,
    length_km: float = 5.0,
    n_comm: int = 1,
    n_storage: int = 3,
    repeater_comm: int | None = None,
    repeater_storage: int | None = None,
    meta: dict[str, Any] | None = None,
) -> Network:
    """Build a :class:`Network` from node lists and an edge list (every link gets ``points``).

    Raises
    ------
    ProblemError
        On a node both end node and repeater, an edge naming an unknown node, a duplicate edge,
        or bad qubit counts / operating points.
    """
    nodes: dict[str, QuantumNode] = {}
    for n in end_nodes:
        nodes[str(n)] = QuantumNode(str(n), True, n_comm, n_storage)
    for n in repeaters:
        if str(n) in nodes:
            raise ProblemError(f"network {name!r}: node {n!r} is listed both as end node and as repeater")
        nodes[str(n)] = QuantumNode(
            str(n),
            False,
            n_comm if repeater_comm is None else repeater_comm,
            n_storage if repeater_storage is None else repeater_storage,
        )
    links: dict[frozenset[str], QuantumLink] = {}
    for u, v in edges:
        u, v = str(u), str(v)
        for x in (u, v):
            if x not in nodes:
                raise ProblemError(f"network {name!r}: edge {u!r}-{v!r} names unknown node {x!r}")
        key = frozenset((u, v))
        if key in links:
            raise ProblemError(f"network {name!r}: duplicate edge {u!r}-{v!r}")
        links[key] = QuantumLink(u, v, _check_points(points, f"link {u}-{v}"), length_km)
    return Network(name, nodes, links, dict(meta or {}))


def line(n: int = 6, **kw: Any) -> Network:
    """Line of ``n`` nodes ``"0" - "1" - ... `` (default 6), all end nodes (LinkScheduling's
    ``gen_line_topology``: every node of the line is an end node and relays as well)."""
    if n < 2:
        raise ProblemError(f"line: needs at least 2 nodes, got {n}")
    return make_network(f"line-{n}", range(n), [], [(i, i + 1) for i in range(n - 1)], **kw)


def star(**kw: Any) -> Network:
    """Star-4: end nodes ``"0"``, ``"1"``, ``"2"`` around repeater ``"3"`` (``gen_star_topology``)."""
    return make_network("star-4", range(3), [3], [(3, i) for i in range(3)], **kw)


def h_shape(**kw: Any) -> Network:
    """H-6: end nodes 0, 2, 3, 5; repeaters 1, 4; edges 0-1, 1-2, 1-4, 3-4, 4-5 (``gen_H_topology``)."""
    edges = [(0, 1), (1, 2), (1, 4), (3, 4), (4, 5)]
    return make_network("H-6", [0, 2, 3, 5], [1, 4], edges, **kw)


def symmetric(**kw: Any) -> Network:
    """Symmetric-8: end nodes 0-3, end node ``i`` attached to repeater ``4 + i``; repeaters 4-7
    fully connected (``gen_symm_topology``): 8 nodes, 10 edges."""
    edges = [(i, 4 + i) for i in range(4)] + [(a, b) for a in range(4, 8) for b in range(a + 1, 8)]
    return make_network("symmetric-8", range(4), range(4, 8), edges, **kw)


def surfnet(path: str | Path | None = None, *, seed: int = 0, **kw: Any) -> Network:
    """SURFnet-like network of 108 nodes and 118 edges.

    With ``path``, reads a GML file (LinkScheduling's ``code/Surfnet.gml``: nodes carry
    ``end_node`` 0/1 and ``comm_qs``/``storage_qs`` lists; all links get the single
    :data:`SURFNET_POINTS` point, as ``gen_surfnet_topology`` does, unless ``points`` is given).

    Without a file, returns a **generated stand-in, not SURFnet**: a connected random graph of 54
    repeaters (``"0", "2", ..., "106"``) with 64 edges (a random spanning tree plus 11 random
    chords, seeded), each repeater ``2i`` carrying end node ``2i + 1`` -- the same counts and
    naming as the real file, nothing else. ``meta["stand_in"]`` says so.

    Raises
    ------
    ParseError
        When the file cannot be read as GML or lacks the ``end_node`` attribute.
    """
    kw.setdefault("points", SURFNET_POINTS)
    if path is not None:
        return read_gml(path, name="surfnet", **kw)
    rng = random.Random(seed)
    cities = [str(2 * i) for i in range(SURFNET_CITIES)]
    order = cities[:]
    rng.shuffle(order)
    edges = {frozenset((order[i], order[rng.randrange(i)])) for i in range(1, len(order))}
    while len(edges) < SURFNET_CITY_LINKS:
        a, b = rng.sample(cities, 2)
        edges.add(frozenset((a, b)))
    city_edges: list[tuple[str, str]] = []
    for e in edges:
        a, b = sorted(e, key=int)
        city_edges.append((a, b))
    city_edges.sort(key=lambda ab: (int(ab[0]), int(ab[1])))
    access = [(c, str(int(c) + 1)) for c in cities]
    return make_network(
        "surfnet-standin",
        [str(int(c) + 1) for c in cities],
        cities,
        city_edges + access,
        meta={
            "stand_in": True,
            "note": "generated stand-in with SURFnet's counts (54 repeaters + 54 end nodes, 118 edges); "
            "not the real SURFnet topology - pass the GML file for that",
            "seed": seed,
        },
        **kw,
    )


def read_gml(path: str | Path, *, name: str | None = None, **kw: Any) -> Network:
    """Read a network from a GML file (networkx ``read_gml``).

    Each node needs ``end_node`` (0/1); qubit counts come from the lengths of ``comm_qs`` and
    ``storage_qs`` when present (networkx writes lists as repeated keys), else from ``n_comm`` /
    ``n_storage`` of ``kw`` (defaults 1 + 3). Edges get ``points`` (default the NV 5 km table)
    and ``length_km``.

    Raises
    ------
    ParseError
        Naming the file when it is not GML or a node lacks ``end_node``.
    """
    path = Path(path)
    try:
        g = nx.read_gml(path)
    except (OSError, nx.NetworkXError, ValueError) as exc:
        raise ParseError(f"{path}: cannot read GML: {exc}") from exc
    n_comm, n_storage = kw.pop("n_comm", 1), kw.pop("n_storage", 3)
    points = kw.pop("points", NV_5KM_POINTS)
    length = kw.pop("length_km", 5.0)
    if kw:
        raise ProblemError(f"read_gml: unknown options {sorted(kw)}")
    nodes: dict[str, QuantumNode] = {}
    for n, attrs in g.nodes(data=True):
        if "end_node" not in attrs:
            raise ParseError(f"{path}: node {n!r} has no 'end_node' attribute (0 or 1)")

        def count(key: str, default: int, attrs: dict[str, Any] = attrs) -> int:
            val = attrs.get(key)
            if val is None:
                return default
            items = [val] if isinstance(val, str) else list(val)
            return sum(1 for x in items if x != "_networkx_list_start")

        nodes[str(n)] = QuantumNode(
            str(n), bool(attrs["end_node"]), count("comm_qs", n_comm), count("storage_qs", n_storage)
        )
    links = {
        frozenset((str(u), str(v))): QuantumLink(
            str(u), str(v), _check_points(points, f"{path}: link {u}-{v}"), length
        )
        for u, v in g.edges()
    }
    return Network(name or path.stem, nodes, links, {"stand_in": False, "source": str(path)})


TOPOLOGIES = {"line-6": line, "star-4": star, "H-6": h_shape, "symmetric-8": symmetric, "surfnet": surfnet}


def topology(name: str, **kw: Any) -> Network:
    """A named topology: ``"line-6"``, ``"star-4"``, ``"H-6"``, ``"symmetric-8"``, ``"surfnet"``
    (``surfnet`` takes ``path=`` for the GML file, else a labelled stand-in)."""
    try:
        build = TOPOLOGIES[name]
    except KeyError:
        raise ProblemError(f"unknown quantum topology {name!r}; known: {', '.join(TOPOLOGIES)}") from None
    return build(**kw)
