"""Repeater protocols as DAGs of actions (link generation, swap, distillation).

A protocol is first found as a *tree* (:mod:`.protocol`): a leaf generates a link on one hop at
one operating point; an inner node swaps two links at a pivot node, or pumps (distils a kept
link with a fresh copy of a sub-protocol). :func:`build_protocol` unrolls the tree into a
:class:`Protocol`: actions in post-order (inputs before consumers, the root last) and the
*link ends* -- which node holds which half of which link, from the link generation that creates
it to the action that consumes it.

Durations are in slots (10 ms by default). As in LinkScheduling (``protocols.convert_protocol_to_task``)
generation is deterministic at its expected time: a link at ``R`` pairs/s takes
``ceil(1 / (R * slot))`` slots; a swap or a distillation takes 0.01 s, one slot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Union

from .werner import distill_fidelity, distill_success, swap_fidelity

#: Slot length in seconds (LinkScheduling: 10 ms).
SLOT: float = 0.01
#: Duration of a swap or a distillation in seconds (LinkScheduling: 0.01 s).
OP_SECONDS: float = 0.01


def slots_for(seconds: float, slot: float = SLOT) -> int:
    """``ceil(seconds / slot)`` with a 1e-9 tolerance against float noise, at least 1."""
    return max(1, math.ceil(seconds / slot - 1e-9))


def link_slots(rate: float, slot: float = SLOT) -> int:
    """Slots of one link generation at ``rate`` pairs/s: ``ceil(1 / (rate * slot))``."""
    return slots_for(1.0 / rate, slot)


@dataclass(frozen=True)
class LinkLeaf:
    """Generate one link on hop ``u``-``v`` at the operating point (``fidelity``, ``rate`` pairs/s)."""

    u: str
    v: str
    fidelity: float
    rate: float


@dataclass(frozen=True)
class SwapNode:
    """Swap the link ``left`` (x..m) with ``right`` (m..y) at their shared node ``m``."""

    left: Tree
    right: Tree


@dataclass(frozen=True)
class PumpNode:
    """Entanglement pumping: build ``base`` once, then ``k`` times build a fresh copy of ``base``
    and distil the kept link with it."""

    base: Tree
    k: int


Tree = Union[LinkLeaf, SwapNode, PumpNode]  # noqa: UP007 (a runtime alias)


def ends_of(tree: Tree) -> tuple[str, str]:
    """The two end nodes of the link a tree delivers."""
    if isinstance(tree, LinkLeaf):
        return tree.u, tree.v
    if isinstance(tree, SwapNode):
        a, b = ends_of(tree.left)
        c, d = ends_of(tree.right)
        shared = ({a, b} & {c, d}).pop()
        return (a if b == shared else b), (d if c == shared else c)
    return ends_of(tree.base)


def tree_size(tree: Tree) -> int:
    """Number of actions the tree unrolls to (link: 1; swap: both sides + 1; ``k`` pumps of a
    base of size ``b``: ``(k + 1) b + k``)."""
    if isinstance(tree, LinkLeaf):
        return 1
    if isinstance(tree, SwapNode):
        return tree_size(tree.left) + tree_size(tree.right) + 1
    return (tree.k + 1) * tree_size(tree.base) + tree.k


def tree_fidelity(tree: Tree) -> float:
    """Nominal fidelity (no decoherence) of the link a tree delivers."""
    if isinstance(tree, LinkLeaf):
        return tree.fidelity
    if isinstance(tree, SwapNode):
        return swap_fidelity(tree_fidelity(tree.left), tree_fidelity(tree.right))
    fb = tree_fidelity(tree.base)
    f = fb
    for _ in range(tree.k):
        f = distill_fidelity(f, fb)
    return f


@dataclass(frozen=True)
class Action:
    """One protocol action.

    Attributes
    ----------
    index
        Position in :attr:`Protocol.actions` (post-order: inputs first).
    kind
        ``"link"``, ``"swap"`` or ``"distill"``.
    nodes
        ``link``: ``(u, v)``; ``swap``: ``(x, m, y)`` with pivot ``m``; ``distill``: ``(u, v)``.
    duration
        Slots.
    inputs
        Indices of the actions whose output links this action consumes (``swap``: left, right;
        ``distill``: kept, fresh).
    fidelity
        Nominal output fidelity (no decoherence).
    rate
        ``link``: the operating point's rate (pairs/s); otherwise 0.
    """

    index: int
    kind: str
    nodes: tuple[str, ...]
    duration: int
    inputs: tuple[int, ...]
    fidelity: float
    rate: float = 0.0

    @property
    def label(self) -> str:
        """Short name: ``L3:0-1``, ``S5:0-1-2``, ``D7:0-1``."""
        return f"{self.kind[0].upper()}{self.index}:{'-'.join(self.nodes)}"


@dataclass(frozen=True)
class LinkEnd:
    """Half of a link held at ``node``: created by link generation ``gen``, carried unchanged
    through swaps/distillations at other nodes, consumed by action ``consumer`` (``-1``: delivered
    to the application when the protocol completes)."""

    gen: int
    node: str
    consumer: int


@dataclass(frozen=True)
class Protocol:
    """A repeater protocol: a DAG of actions with link ends.

    Attributes
    ----------
    source, destination
        End nodes of the delivered link.
    actions
        Post-order; ``actions[-1]`` is the root (its output is delivered).
    ends
        Every link end; each link generation creates two.
    consumer
        ``consumer[i]``: index of the action consuming action ``i``'s output (``-1`` for the root).
    fidelity
        Nominal delivered fidelity (no decoherence).
    success
        Product of the BBPSSW success probabilities of the distillations (the schedule assumes
        success, as LinkScheduling does; this is the probability it holds).
    tree
        The tree the protocol came from.
    """

    source: str
    destination: str
    actions: tuple[Action, ...]
    ends: tuple[LinkEnd, ...]
    consumer: tuple[int, ...]
    fidelity: float
    success: float
    tree: Tree

    @property
    def nodes(self) -> list[str]:
        """Nodes the protocol touches."""
        return sorted({n for a in self.actions for n in a.nodes})


def build_protocol(tree: Tree, *, slot: float = SLOT) -> Protocol:
    """Unroll a protocol tree into a :class:`Protocol` (post-order actions and link ends)."""
    actions: list[Action] = []
    # per built link: its action index and {node: end id}
    end_gen: list[int] = []
    end_node: list[str] = []
    end_consumer: list[int] = []
    success = [1.0]

    def new_end(gen: int, node: str) -> int:
        end_gen.append(gen)
        end_node.append(node)
        end_consumer.append(-1)
        return len(end_gen) - 1

    def emit(
        kind: str, nodes: tuple[str, ...], dur: int, inputs: tuple[int, ...], f: float, rate: float
    ) -> int:
        actions.append(Action(len(actions), kind, nodes, dur, inputs, f, rate))
        return len(actions) - 1

    def build(t: Tree) -> tuple[int, dict[str, int], float]:
        if isinstance(t, LinkLeaf):
            i = emit("link", (t.u, t.v), link_slots(t.rate, slot), (), t.fidelity, t.rate)
            return i, {t.u: new_end(i, t.u), t.v: new_end(i, t.v)}, t.fidelity
        if isinstance(t, SwapNode):
            li, lends, lf = build(t.left)
            ri, rends, rf = build(t.right)
            (m,) = set(lends) & set(rends)
            (x,) = set(lends) - {m}
            (y,) = set(rends) - {m}
            f = swap_fidelity(lf, rf)
            i = emit("swap", (x, m, y), slots_for(OP_SECONDS, slot), (li, ri), f, 0.0)
            end_consumer[lends[m]] = i
            end_consumer[rends[m]] = i
            return i, {x: lends[x], y: rends[y]}, f
        ki, kends, kf = build(t.base)
        for _ in range(t.k):
            fi, fends, ff = build(t.base)
            f = distill_fidelity(kf, ff)
            success[0] *= distill_success(kf, ff)
            u, v = ends_of(t.base)
            ki = emit("distill", (u, v), slots_for(OP_SECONDS, slot), (ki, fi), f, 0.0)
            for e in fends.values():
                end_consumer[e] = ki
            kf = f
        return ki, kends, kf

    root, _, f = build(tree)
    consumer = [-1] * len(actions)
    for a in actions:
        for i in a.inputs:
            consumer[i] = a.index
    src, dst = ends_of(tree)
    ends = tuple(LinkEnd(g, n, c) for g, n, c in zip(end_gen, end_node, end_consumer))
    assert root == len(actions) - 1
    return Protocol(src, dst, tuple(actions), ends, tuple(consumer), f, success[0], tree)
