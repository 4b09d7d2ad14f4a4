"""Demand -> repeater protocol: routing, entanglement-swap scheme search, pumping, admission.

Pipeline (Skrzypczyk & Wehner, arXiv 2111.13124, as ``mdskrzypczyk/LinkScheduling`` implements it
in ``code/jobscheduling/protocolgen.py``):

1. **Route** the demand on a shortest path (networkx ``shortest_path``, weight = link length, so
   the fewest hops when all links are equally long, as in the paper's topologies).
2. **ESSS** (entanglement swap scheme search): a protocol for a path is either one hop's link
   (at one of its operating points), or a split at a pivot node with a protocol for each half
   and a swap at the pivot; any protocol may be *pumped* ``k`` times (distil the kept link with
   a fresh copy, BBPSSW rounds). Deviation: LinkScheduling pushes the fidelity floor down the
   recursion (inverting the swap and distillation formulas) and balances the halves' rates with a
   pivot search; here each sub-path keeps a Pareto front of (nominal fidelity, estimated
   latency) candidates over all pivots, operating points and pumping depths, and the full path's
   candidates meeting the floor are ranked by estimated latency.
3. **Map** the best few candidates onto qubits (:func:`.mapping.map_heuristic`, as LinkScheduling
   maps its best candidates with ``get_protocol_rate``) and keep the one with the smallest
   execution time ``c`` whose delivered fidelity, *after decoherence while waiting*, meets the
   floor and whose rate ``1 / (c * slot)`` meets the demand.

Bad input (documented choice):

* a malformed demand (unknown node, source = destination, fidelity outside ``(1/4, 1]``, rate
  ``<= 0``) or an unreachable destination raises :class:`~schedopt.errors.ProblemError` naming
  the demand and nodes;
* a demand the network cannot serve -- fidelity floor above every protocol's, rate above what
  the links give, or too few qubits -- raises :class:`NotAdmitted` (a ``ProblemError``) whose
  ``reason`` is ``"fidelity"``, ``"rate"`` or ``"qubits"``; :func:`admit` turns it into an
  explicit :class:`Admission` result for admission control.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import networkx as nx

from ...errors import ProblemError
from .actions import (
    SLOT,
    LinkLeaf,
    Protocol,
    PumpNode,
    SwapNode,
    Tree,
    build_protocol,
    link_slots,
    tree_fidelity,
    tree_size,
)
from .mapping import MappingError, ProtocolShape, map_heuristic
from .network import Network
from .werner import NV_COHERENCE, distill_fidelity, swap_fidelity


@dataclass(frozen=True)
class Demand:
    """A request for entanglement: ``rate`` pairs/s between ``source`` and ``destination``, each
    of fidelity at least ``fidelity`` when delivered."""

    source: str
    destination: str
    fidelity: float
    rate: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", str(self.source))
        object.__setattr__(self, "destination", str(self.destination))
        if self.source == self.destination:
            raise ProblemError(f"demand {self}: source and destination are the same node {self.source!r}")
        try:
            f, r = float(self.fidelity), float(self.rate)
        except (TypeError, ValueError):
            raise ProblemError(
                f"demand {self.source}->{self.destination}: fidelity {self.fidelity!r} and rate "
                f"{self.rate!r} must be numbers"
            ) from None
        if not (0.25 < f <= 1.0) or not math.isfinite(f):
            raise ProblemError(f"demand {self}: fidelity floor {self.fidelity!r} must satisfy 1/4 < F <= 1")
        if not (r > 0.0) or not math.isfinite(r):
            raise ProblemError(f"demand {self}: rate {self.rate!r} must be a finite number > 0 (pairs/s)")
        object.__setattr__(self, "fidelity", f)
        object.__setattr__(self, "rate", r)

    def __str__(self) -> str:
        return f"{self.source}->{self.destination} (F>={self.fidelity}, {self.rate}/s)"

    def period(self, slot: float = SLOT) -> int:
        """Period in slots, ``ceil(1 / (rate * slot))`` (LinkScheduling's task period)."""
        return link_slots(self.rate, slot)


class NotAdmitted(ProblemError):
    """The network cannot serve a demand; ``reason`` is ``"fidelity"``, ``"rate"`` or ``"qubits"``."""

    def __init__(self, demand: Demand, reason: str, message: str) -> None:
        super().__init__(f"demand {demand} not admitted ({reason}): {message}")
        self.demand = demand
        self.reason = reason


@dataclass(frozen=True)
class Admission:
    """Result of :func:`admit`: the shape when admitted, else the reason and message."""

    demand: Demand
    admitted: bool
    shape: ProtocolShape | None
    reason: str = ""
    message: str = ""


def route(network: Network, demand: Demand) -> list[str]:
    """Shortest path from source to destination (weight ``length_km``).

    Raises
    ------
    ProblemError
        When a node is unknown, an endpoint is a repeater, or no path exists (naming the demand
        and both nodes).
    """
    for x in (demand.source, demand.destination):
        node = network.nodes.get(x)
        if node is None:
            raise ProblemError(f"demand {demand}: network {network.name!r} has no node {x!r}")
        if not node.end_node:
            raise ProblemError(f"demand {demand}: node {x!r} is a repeater; demands join end nodes")
    g = network.graph()
    try:
        return list(nx.shortest_path(g, demand.source, demand.destination, weight="weight"))
    except nx.NetworkXNoPath:
        raise ProblemError(
            f"demand {demand}: destination {demand.destination!r} is unreachable from {demand.source!r} "
            f"in network {network.name!r}"
        ) from None


@dataclass(frozen=True)
class Candidate:
    """A protocol found by :func:`esss`: nominal fidelity, estimated latency (slots), its tree
    and its number of actions."""

    fidelity: float
    latency: int
    tree: Tree
    size: int


def _pareto(cands: list[Candidate], keep: int) -> list[Candidate]:
    """Non-dominated candidates (higher fidelity, lower latency), at most ``keep`` spread over F."""
    best: list[Candidate] = []
    for c in sorted(cands, key=lambda c: (c.latency, -c.fidelity)):
        if not best or c.fidelity > best[-1].fidelity + 1e-12:
            best.append(c)
    if len(best) > keep:
        idx = sorted({round(i * (len(best) - 1) / (keep - 1)) for i in range(keep)})
        best = [best[i] for i in idx]
    return best


def _pumped(c: Candidate, max_pumps: int, max_actions: int) -> list[Candidate]:
    out = [c]
    if c.fidelity <= 0.5:
        return out
    f = c.fidelity
    for k in range(1, max_pumps + 1):
        nf = distill_fidelity(f, c.fidelity)
        size = (k + 1) * c.size + k
        if nf <= f + 1e-9 or size > max_actions:
            break
        f = nf
        out.append(Candidate(f, (k + 1) * c.latency + k, PumpNode(c.tree, k), size))
    return out


def esss(
    network: Network,
    path: list[str],
    *,
    slot: float = SLOT,
    max_pumps: int = 3,
    front: int = 8,
    max_actions: int = 48,
) -> list[Candidate]:
    """Candidate protocols for ``path``: the Pareto front of (nominal fidelity, estimated latency).

    The latency estimate is ``d`` slots for a link at rate ``R`` (``d = ceil(1/(R slot))``),
    ``max(L_left, L_right) + 1`` for a swap and ``(k + 1) L + k`` for ``k`` pumps (fresh copies are
    generated one after another on the shared communication qubits). Fronts hold at most
    ``front`` candidates per sub-path; protocols of more than ``max_actions`` actions are dropped.
    """
    if front < 2 or max_pumps < 0 or max_actions < 1:
        raise ProblemError(
            f"esss: front must be >= 2, max_pumps >= 0 and max_actions >= 1 "
            f"(got {front}, {max_pumps}, {max_actions})"
        )
    h = len(path) - 1
    fronts: dict[tuple[int, int], list[Candidate]] = {}
    for i in range(h):
        link = network.link(path[i], path[i + 1])
        base = [
            Candidate(f, link_slots(r, slot), LinkLeaf(path[i], path[i + 1], f, r), 1) for f, r in link.points
        ]
        fronts[(i, i + 1)] = _pareto([p for c in base for p in _pumped(c, max_pumps, max_actions)], front)
    for span in range(2, h + 1):
        for i in range(h - span + 1):
            j = i + span
            cands = []
            for m in range(i + 1, j):
                for a in fronts[(i, m)]:
                    for b in fronts[(m, j)]:
                        size = a.size + b.size + 1
                        if size > max_actions:
                            continue
                        f = swap_fidelity(a.fidelity, b.fidelity)
                        cands.append(
                            Candidate(f, max(a.latency, b.latency) + 1, SwapNode(a.tree, b.tree), size)
                        )
            cands = _pareto(cands, front)
            fronts[(i, j)] = _pareto([p for c in cands for p in _pumped(c, max_pumps, max_actions)], front)
    return fronts[(0, h)]


def synthesize(
    network: Network,
    demand: Demand,
    *,
    slot: float = SLOT,
    max_pumps: int = 3,
    front: int = 8,
    n_map: int = 8,
    max_actions: int = 48,
    coherence: tuple[float, float] | None = NV_COHERENCE,
) -> ProtocolShape:
    """Find and map a protocol for ``demand`` (see the module docstring for the pipeline).

    Parameters
    ----------
    network, demand
        The network and the demand.
    slot
        Slot length in seconds (10 ms).
    max_pumps
        Most pumping rounds on any (sub-)protocol.
    front
        Pareto-front size kept per sub-path.
    n_map
        How many of the fastest candidates meeting the floor are mapped onto qubits.
    max_actions
        Largest protocol (number of actions) considered.
    coherence
        ``(T_comm, T_storage)`` in seconds for decoherence while waiting (default NV:
        1.46 s, 1 s; see :mod:`.werner`); ``None`` judges the nominal fidelity only, as
        LinkScheduling does. With NV times, long pumping protocols on slow links lose more to
        waiting than they gain, so high floors are often not admitted.

    Returns
    -------
    ProtocolShape
        The mapped protocol with the smallest ``c`` meeting the floor after decoherence and
        ``c <= 1 / (rate * slot)``.

    Raises
    ------
    ProblemError
        Malformed demand or unreachable destination (see :func:`route`).
    NotAdmitted
        ``reason="rate"``: a hop on the path cannot generate one link per period even at its
        fastest point, or no mapped candidate is fast enough; ``"fidelity"``: no candidate
        reaches the floor (nominally, or after decoherence); ``"qubits"``: no candidate fits the
        nodes' qubits.
    """
    if n_map < 1:
        raise ProblemError(f"synthesize: n_map must be >= 1, got {n_map}")
    path = route(network, demand)
    budget = 1.0 / (demand.rate * slot)  # slots per period (LinkScheduling: rate >= 1/(c slot))
    for u, v in itertools.pairwise(path):
        link = network.link(u, v)
        if link_slots(link.max_rate, slot) > budget + 1e-9:
            raise NotAdmitted(
                demand,
                "rate",
                f"link {u}-{v} gives at most {link.max_rate:g} pairs/s "
                f"({link_slots(link.max_rate, slot)} slots per pair), more than the {budget:g} slots "
                f"between two pairs the demand's rate allows",
            )
    cands = esss(network, path, slot=slot, max_pumps=max_pumps, front=front, max_actions=max_actions)
    good = sorted((c for c in cands if c.fidelity >= demand.fidelity), key=lambda c: (c.latency, -c.fidelity))
    if not good:
        top = max(c.fidelity for c in cands)
        raise NotAdmitted(
            demand,
            "fidelity",
            f"the best protocol on path {'-'.join(path)} (up to {max_pumps} pumping rounds, "
            f"{max_actions} actions) reaches "
            f"F = {top:.4f} < {demand.fidelity}",
        )
    shapes: list[ProtocolShape] = []
    failures: list[str] = []
    for c in good[:n_map]:
        protocol = build_protocol(c.tree, slot=slot)
        try:
            shapes.append(map_heuristic(protocol, network, demand=demand, slot=slot, coherence=coherence))
        except MappingError as exc:
            failures.append(str(exc))
    if not shapes:
        raise NotAdmitted(demand, "qubits", failures[0])
    ok_f = [s for s in shapes if s.fidelity >= demand.fidelity - 1e-12]
    if not ok_f:
        best = max(s.fidelity for s in shapes)
        raise NotAdmitted(
            demand,
            "fidelity",
            f"after decoherence while links wait the best mapped protocol delivers F = {best:.4f} "
            f"< {demand.fidelity}",
        )
    ok = [s for s in ok_f if s.c <= budget + 1e-9]
    if not ok:
        fastest = min(s.c for s in ok_f)
        raise NotAdmitted(
            demand,
            "rate",
            f"the fastest protocol meeting F >= {demand.fidelity} takes {fastest} slots "
            f"({1.0 / (fastest * slot):.3g} pairs/s), slower than {demand.rate} pairs/s",
        )
    return min(ok, key=lambda s: (s.c, -s.fidelity, s.storage_slots))


def admit(network: Network, demand: Demand, **options: object) -> Admission:
    """:func:`synthesize` as an explicit admission result: admitted with its shape, or not
    admitted with the reason (``"fidelity"``, ``"rate"``, ``"qubits"``) and message. Malformed
    demands and unreachable destinations still raise :class:`~schedopt.errors.ProblemError`."""
    try:
        shape = synthesize(network, demand, **options)  # type: ignore[arg-type]
    except NotAdmitted as exc:
        return Admission(demand, False, None, exc.reason, str(exc))
    return Admission(demand, True, shape)


def protocol_for(network: Network, demand: Demand, **options: object) -> Protocol:
    """The action DAG :func:`synthesize` chose for ``demand``."""
    return synthesize(network, demand, **options).protocol  # type: ignore[arg-type]


__all__ = [
    "Admission",
    "Candidate",
    "Demand",
    "NotAdmitted",
    "admit",
    "esss",
    "protocol_for",
    "route",
    "synthesize",
    "tree_fidelity",
    "tree_size",
]
