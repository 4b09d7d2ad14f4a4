"""Protocol -> qubits: map a protocol's actions onto qubits and slots.

Occupation model
----------------
* A link generation on hop ``u``-``v`` uses one communication qubit at each end during its
  ``d`` slots, and reserves at each end a *holding* qubit (a storage qubit, else the
  communication qubit itself) from its start, as LinkScheduling does (the storage qubit is
  part of the generation's resources there; the link moves into it when generated).
* A link end stays in its holding qubit through swaps and distillations at other nodes and is
  released when the action consuming it (a swap at its node, or a distillation consuming the
  fresh link) ends; the delivered link's ends are held until the protocol completes.
* A swap (distillation) lasts one slot and touches the two (four) holding qubits it consumes.

So each qubit is occupied by disjoint intervals ``[start of the generation, end of the consumer)``
(holding) and ``[start, start + d)`` (a communication qubit generating while its link is stored
elsewhere). :attr:`ProtocolShape.occupations` lists them, merged per qubit, with offsets relative to
the protocol's start: the fixed per-qubit shape the periodic scheduler places.

The unified model has no variable-length holding, so :func:`mapping_problem` models the shape
explicitly *after* scheduling: the actions as jobs on unit-capacity qubit resources with the DAG's
precedence, plus one job per holding interval pinned by its release date and deadline, so that
:func:`schedopt.check` verifies every occupation (``holds=False`` gives the plain RCPSP view, each
action demanding the qubits it touches while it runs). :func:`check_shape` checks the same
holding semantics directly on the shape. The exact CP-SAT model (:func:`map_cpsat`) has holding
intervals of variable length.

Methods: :func:`map_heuristic` (ASAP -> ALAP -> shift swaps/distillations early, after
LinkScheduling's ``protocols.schedule_dag_for_resources``) and :func:`map_cpsat` (minimise the
completion ``c``, then the total holding time, lexicographically).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import ProblemError, SolverError
from ...model import NO_TIME, Problem
from ...schedule import Schedule
from .actions import SLOT, Protocol
from .fidelity import delivered_fidelity, output_ends
from .network import Network
from .werner import NV_COHERENCE


class MappingError(ProblemError):
    """The protocol does not fit the nodes' qubits (a node has no qubit left to hold a link end)."""


@dataclass(frozen=True)
class ProtocolShape:
    """A protocol mapped onto qubits: the fixed shape of one execution.

    Attributes
    ----------
    demand
        The demand served (``None`` when mapped without one).
    protocol
        The action DAG.
    c
        Execution time in slots (first action starts at 0, the last ends at ``c``).
    start
        Start slot of every action.
    comm
        Per action, the communication qubits a link generation uses (``()`` for swaps/distillations).
    hold
        Per link end (``protocol.ends``), the qubit holding it.
    occupations
        ``(qubit, start, end)`` offsets, disjoint and merged per qubit, sorted.
    fidelity
        Delivered fidelity after decoherence while waiting (:func:`.fidelity.delivered_fidelity`).
    storage_slots
        Total slots link ends wait after their generation ends, summed over ends.
    method
        ``"heuristic"`` or ``"cpsat"``.
    optimal
        True when CP-SAT proved ``c`` minimal (and the holding time minimal for that ``c``).
    slot, coherence
        Slot length (s) and coherence times ``(T_comm, T_storage)`` (s, ``None``: none) the
        fidelity was computed with.
    """

    demand: Any
    protocol: Protocol
    c: int
    start: tuple[int, ...]
    comm: tuple[tuple[str, ...], ...]
    hold: tuple[str, ...]
    occupations: tuple[tuple[str, int, int], ...]
    fidelity: float
    storage_slots: int
    method: str
    optimal: bool = False
    slot: float = SLOT
    coherence: tuple[float, float] | None = NV_COHERENCE
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> tuple[int, ...]:
        """End slot of every action."""
        return tuple(s + a.duration for s, a in zip(self.start, self.protocol.actions))

    @property
    def qubits(self) -> list[str]:
        """Qubits the shape occupies."""
        return sorted({q for q, _, _ in self.occupations})


# ---------------------------------------------------------------- intervals
def _end_release(protocol: Protocol, start: Sequence[int], k: int) -> int:
    cons = protocol.ends[k].consumer
    if cons < 0:
        cons = len(protocol.actions) - 1
    return start[cons] + protocol.actions[cons].duration


def raw_intervals(
    protocol: Protocol, start: Sequence[int], comm: Sequence[Sequence[str]], hold: Sequence[str]
) -> list[tuple[str, int, int, str]]:
    """Every occupation ``(qubit, start, end, what)`` before merging (see the module docstring)."""
    out: list[tuple[str, int, int, str]] = []
    mine: dict[int, set[str]] = defaultdict(set)
    for k, e in enumerate(protocol.ends):
        out.append((hold[k], start[e.gen], _end_release(protocol, start, k), f"hold end {k} of {e.gen}"))
        mine[e.gen].add(hold[k])
    for a in protocol.actions:
        if a.kind == "link":
            for q in comm[a.index]:
                if q not in mine[a.index]:
                    out.append((q, start[a.index], start[a.index] + a.duration, f"generate {a.index}"))
    return out


def _overlaps(intervals: Sequence[tuple[str, int, int, str]]) -> list[str]:
    per: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for q, s, e, what in intervals:
        if e > s:
            per[q].append((s, e, what))
    bad = []
    for q, ivs in per.items():
        ivs.sort()
        for (s1, e1, w1), (s2, e2, w2) in itertools.pairwise(ivs):
            if s2 < e1:
                bad.append(f"qubit {q}: {w1} [{s1},{e1}) overlaps {w2} [{s2},{e2})")
    return bad


def _merge(intervals: Sequence[tuple[str, int, int, str]]) -> tuple[tuple[str, int, int], ...]:
    per: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for q, s, e, _ in intervals:
        if e > s:
            per[q].append((s, e))
    out = []
    for q in sorted(per):
        cur: list[int] | None = None
        for s, e in sorted(per[q]):
            if cur is not None and s <= cur[1]:
                cur[1] = max(cur[1], e)
            else:
                if cur is not None:
                    out.append((q, cur[0], cur[1]))
                cur = [s, e]
        if cur is not None:
            out.append((q, cur[0], cur[1]))
    return tuple(out)


def make_shape(
    protocol: Protocol,
    start: Sequence[int],
    comm: Sequence[Sequence[str]],
    hold: Sequence[str],
    *,
    demand: Any = None,
    method: str,
    optimal: bool = False,
    slot: float = SLOT,
    coherence: tuple[float, float] | None = NV_COHERENCE,
    info: dict[str, Any] | None = None,
) -> ProtocolShape:
    """Normalise times (first start 0) and build a :class:`ProtocolShape` with its occupations,
    delivered fidelity and storage time."""
    shift = min(start)
    st = tuple(int(s - shift) for s in start)
    acts = protocol.actions
    c = max(s + a.duration for s, a in zip(st, acts))
    ivs = raw_intervals(protocol, st, comm, hold)
    storage = sum(
        _end_release(protocol, st, k) - (st[e.gen] + acts[e.gen].duration)
        for k, e in enumerate(protocol.ends)
    )
    return ProtocolShape(
        demand,
        protocol,
        int(c),
        st,
        tuple(tuple(x) for x in comm),
        tuple(hold),
        _merge(ivs),
        delivered_fidelity(protocol, st, hold, slot=slot, coherence=coherence),
        int(storage),
        method,
        optimal,
        slot,
        coherence,
        dict(info or {}),
    )


def check_shape(shape: ProtocolShape, network: Network | None = None) -> list[str]:
    """Verify a shape: precedence, qubits of the right nodes and kinds, no qubit held or used by
    two things at once (holding semantics), ``c`` and the merged occupations consistent.

    Returns
    -------
    list of str
        Empty if and only if the shape is valid.
    """
    p = shape.protocol
    acts = p.actions
    bad: list[str] = []
    st = shape.start
    for a in acts:
        for i in a.inputs:
            if st[a.index] < st[i] + acts[i].duration:
                bad.append(f"{a.label} starts at {st[a.index]} before its input {acts[i].label} ends")
    if min(st) != 0:
        bad.append(f"first action starts at {min(st)}, expected 0")
    c = max(s + a.duration for s, a in zip(st, acts))
    if c != shape.c:
        bad.append(f"c = {shape.c} but the last action ends at {c}")
    for k, e in enumerate(p.ends):
        q = shape.hold[k]
        if not q.startswith(f"{e.node}-"):
            bad.append(f"end {k} at node {e.node} held in qubit {q} of another node")
        elif network is not None and q not in network.node(e.node).qubits:
            bad.append(f"end {k}: node {e.node} has no qubit {q}")
    for a in acts:
        if a.kind == "link":
            cq = shape.comm[a.index]
            if len(cq) != 2 or not all(q.startswith(f"{n}-C") for q, n in zip(cq, a.nodes)):
                bad.append(f"{a.label} uses communication qubits {cq}, expected one at each of {a.nodes}")
            elif network is not None and not all(
                q in network.node(n).comm_qubits for q, n in zip(cq, a.nodes)
            ):
                bad.append(f"{a.label}: communication qubits {cq} do not exist")
    ivs = raw_intervals(p, st, shape.comm, shape.hold)
    bad += _overlaps(ivs)
    if _merge(ivs) != shape.occupations:
        bad.append("occupations do not match the actions' holding and generation intervals")
    return bad


# ---------------------------------------------------------------- RCPSP view
def touched_qubits(shape: ProtocolShape) -> list[list[str]]:
    """Per action, the qubits it uses while it runs (generation: communication and holding qubits;
    swap/distillation: the holding qubits of the ends it consumes or carries at its nodes)."""
    p = shape.protocol
    out: list[list[str]] = []
    outs = output_ends(p)
    for a in p.actions:
        if a.kind == "link":
            qs = set(shape.comm[a.index]) | {shape.hold[k] for k in outs[a.index]}
        elif a.kind == "swap":
            qs = {shape.hold[k] for k, e in enumerate(p.ends) if e.consumer == a.index}
        else:
            qs = {shape.hold[k] for i in a.inputs for k in outs[i]}
        out.append(sorted(qs))
    return out


def _hold_jobs(shape: ProtocolShape) -> list[tuple[int, int, str, str]]:
    """``(start, end, qubit, name)`` of every holding interval of positive length."""
    p = shape.protocol
    out = []
    for k, e in enumerate(p.ends):
        s, t = shape.start[e.gen], _end_release(p, shape.start, k)
        if t > s:
            out.append((s, t, shape.hold[k], f"hold{k}:{e.node}@{shape.hold[k]}"))
    return out


def mapping_problem(shape: ProtocolShape, *, holds: bool = True) -> Problem:
    """A shape's qubit assignment as a unified-model :class:`~schedopt.Problem` (``family="quantum"``).

    Resources are the qubits the shape uses (capacity 1); precedence edges go from each action
    to its consumer.

    * ``holds=False`` -- the RCPSP view: jobs are the actions, each demanding the qubits it
      touches while it runs (:func:`touched_qubits`). Holding between actions is not in it.
    * ``holds=True`` (default) -- the shape made explicit after scheduling: the actions come
      first (a generation demands only the communication qubits its link is not held in; a swap
      or distillation demands nothing, its qubits being held), followed by one job per holding
      interval, pinned by its release date and deadline to ``[start of the generation, end of the
      consumer)`` and demanding its qubit. :func:`schedopt.check` on this problem then verifies
      every qubit occupation of the shape, holding included.

    The model cannot *choose* holding lengths (they depend on two actions' times), hence the
    pinned jobs; :func:`map_cpsat` has them as variable-length intervals instead.
    """
    p = shape.protocol
    qubits = shape.qubits
    col = {q: i for i, q in enumerate(qubits)}
    n = len(p.actions)
    hj = _hold_jobs(shape) if holds else []
    total = n + len(hj)
    demand = np.zeros((total, len(qubits)), np.int64)
    if holds:
        outs = output_ends(p)
        for a in p.actions:
            if a.kind == "link":
                mine = {shape.hold[k] for k in outs[a.index]}
                for q in shape.comm[a.index]:
                    if q not in mine:
                        demand[a.index, col[q]] = 1
        for i, (_, _, q, _) in enumerate(hj):
            demand[n + i, col[q]] = 1
    else:
        for j, qs in enumerate(touched_qubits(shape)):
            for q in qs:
                demand[j, col[q]] = 1
    prec = [(i, a.index, 0) for a in p.actions for i in a.inputs]
    duration = [a.duration for a in p.actions] + [t - s for s, t, _, _ in hj]
    release = [0] * n + [s for s, _, _, _ in hj]
    deadline = [NO_TIME] * n + [t for _, t, _, _ in hj]
    return Problem(
        duration=np.array(duration, np.int64),
        release=np.array(release, np.int64),
        deadline=np.array(deadline, np.int64),
        precedence=np.array(prec, np.int64).reshape(-1, 3),
        capacity=np.ones(len(qubits), np.int64),
        demand=demand,
        resource_names=qubits,
        names=[a.label for a in p.actions] + [name for _, _, _, name in hj],
        family="quantum",
        name=f"protocol {p.source}->{p.destination}",
        meta={"kind": "quantum-protocol-mapping", "holds": holds, "n_actions": n},
    )


def shape_schedule(shape: ProtocolShape, *, holds: bool = True) -> Schedule:
    """The shape's times as a :class:`~schedopt.Schedule` of :func:`mapping_problem` (same ``holds``)."""
    hj = _hold_jobs(shape) if holds else []
    start = list(shape.start) + [s for s, _, _, _ in hj]
    end = list(shape.end) + [t for _, t, _, _ in hj]
    return Schedule(np.array(start, np.int64), np.array(end, np.int64))


# ---------------------------------------------------------------- heuristic
class _Timeline:
    """Per-qubit closed intervals plus open holds (start known, release not yet)."""

    def __init__(self) -> None:
        self.closed: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.open: dict[str, int] = {}

    def free_from(self, q: str, t: int) -> bool:
        return q not in self.open and all(e <= t for _, e in self.closed[q])

    def free_during(self, q: str, s: int, e: int) -> bool:
        if q in self.open and self.open[q] < e:
            return False
        return all(b <= s or a >= e for a, b in self.closed[q])

    def times(self, qs: Sequence[str]) -> list[int]:
        return sorted({0} | {e for q in qs for _, e in self.closed[q]})


def _asap(protocol: Protocol, network: Network) -> tuple[list[int], list[tuple[str, ...]], list[str]]:
    acts = protocol.actions
    start = [0] * len(acts)
    comm: list[tuple[str, ...]] = [()] * len(acts)
    hold = [""] * len(protocol.ends)
    tl = _Timeline()
    ends_of_gen: dict[int, list[int]] = defaultdict(list)
    for k, e in enumerate(protocol.ends):
        ends_of_gen[e.gen].append(k)
    consumed: dict[int, list[int]] = defaultdict(list)
    for k, e in enumerate(protocol.ends):
        consumed[e.consumer].append(k)

    def release(ks: list[int], at: int) -> None:
        for k in ks:
            q = hold[k]
            s = tl.open.pop(q)
            tl.closed[q].append((s, at))

    for a in acts:
        if a.kind == "link":
            u, v = a.nodes
            nu, nv = network.node(u), network.node(v)
            best: tuple[int, int, tuple[str, str], tuple[str, str]] | None = None
            for cu in nu.comm_qubits:
                for cv in nv.comm_qubits:
                    for t in tl.times(nu.qubits + nv.qubits):
                        pick = []
                        for node, cq in ((nu, cu), (nv, cv)):
                            st = [q for q in node.storage_qubits if tl.free_from(q, t)]
                            later = any(q not in tl.open for q in node.storage_qubits)
                            if st and tl.free_during(cq, t, t + a.duration):
                                pick.append((st[0], 0))
                            elif not later and tl.free_from(cq, t):
                                pick.append((cq, 1))
                            else:
                                break
                        if len(pick) == 2:
                            key = (t, pick[0][1] + pick[1][1])
                            if best is None or key < best[:2]:
                                best = (t, key[1], (cu, cv), (pick[0][0], pick[1][0]))
                            break
            if best is None:
                raise MappingError(
                    f"protocol {protocol.source}->{protocol.destination}: no free qubit at {u} or {v} to "
                    f"hold the link of {a.label}; the nodes have too few qubits for this protocol"
                )
            t, _, cqs, hqs = best
            start[a.index] = t
            comm[a.index] = cqs
            for k, hq in zip(ends_of_gen[a.index], hqs):
                hold[k] = hq
                tl.open[hq] = t
            for cq, hq in zip(cqs, hqs):
                if cq != hq:
                    tl.closed[cq].append((t, t + a.duration))
        else:
            t = max(start[i] + acts[i].duration for i in a.inputs)
            start[a.index] = t
            release(consumed[a.index], t + a.duration)
    root_end = start[-1] + acts[-1].duration
    release(consumed[-1], root_end)
    return start, comm, hold


def _affected(protocol: Protocol, j: int) -> list[int]:
    """Ends whose holding interval depends on action ``j``'s start."""
    root = len(protocol.actions) - 1
    return [
        k
        for k, e in enumerate(protocol.ends)
        if e.gen == j or e.consumer == j or (e.consumer < 0 and j == root)
    ]


def _move(
    protocol: Protocol,
    start: list[int],
    comm: Sequence[Sequence[str]],
    hold: Sequence[str],
    j: int,
    candidates: range,
) -> None:
    """Set ``start[j]`` to the first candidate without a qubit conflict (unchanged if none)."""
    acts = protocol.actions
    aff = _affected(protocol, j)
    aff_set = set(aff)
    mine_q = {hold[k] for k in aff} | set(comm[j])
    own_gen = {hold[k] for k, e in enumerate(protocol.ends) if e.gen == j}
    per: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for k, e in enumerate(protocol.ends):  # holding intervals that do not move with j
        if k not in aff_set and hold[k] in mine_q:
            per[hold[k]].append((start[e.gen], _end_release(protocol, start, k)))
    for a in acts:  # generation intervals of other links on a communication qubit
        if a.kind == "link" and a.index != j:
            held = {hold[k] for k, e in enumerate(protocol.ends) if e.gen == a.index}
            for q in comm[a.index]:
                if q in mine_q and q not in held:
                    per[q].append((start[a.index], start[a.index] + a.duration))
    old = start[j]
    for t in candidates:
        start[j] = t
        mine = [(hold[k], start[protocol.ends[k].gen], _end_release(protocol, start, k)) for k in aff]
        if acts[j].kind == "link":
            mine += [(q, t, t + acts[j].duration) for q in comm[j] if q not in own_gen]
        if all(b <= a or all(y <= a or x >= b for x, y in per[q]) for q, a, b in mine):
            return
    start[j] = old


def _alap_and_shift(
    protocol: Protocol, start: list[int], comm: Sequence[Sequence[str]], hold: Sequence[str]
) -> list[int]:
    acts = protocol.actions
    start = list(start)
    c = start[-1] + acts[-1].duration
    for a in reversed(acts[:-1]):
        cons = protocol.consumer[a.index]
        latest = (start[cons] if cons >= 0 else c) - a.duration
        _move(protocol, start, comm, hold, a.index, range(latest, start[a.index], -1))
    for a in sorted((a for a in acts if a.kind != "link"), key=lambda a: (start[a.index], a.index)):
        earliest = max(start[i] + acts[i].duration for i in a.inputs)
        _move(protocol, start, comm, hold, a.index, range(earliest, start[a.index]))
    return start


def map_heuristic(
    protocol: Protocol,
    network: Network,
    *,
    demand: Any = None,
    slot: float = SLOT,
    coherence: tuple[float, float] | None = NV_COHERENCE,
) -> ProtocolShape:
    """Map a protocol with LinkScheduling's three passes (``protocols.schedule_dag_for_resources``).

    1. **ASAP**, actions in post-order: a link generation takes the earliest slot at which a
       communication qubit at each end is free for its ``d`` slots and a holding qubit (a free
       storage qubit, else the communication qubit) is free from then on; a swap/distillation
       starts when its inputs are ready. A link end is held in the communication qubit only when
       every storage qubit of its node holds a link still waiting for its consumer (holding in
       the communication qubit blocks the node's generation, so waiting for storage is preferred).
    2. **ALAP**, actions in reverse post-order: each moves as late as its consumer's start
       allows without a qubit conflict (the completion time stays fixed).
    3. **Shift early**: swaps and distillations, by start time, move back to the earliest slot
       their inputs allow.

    Deviations: the storage qubit is chosen once, at ASAP time, and never re-assigned; the
    latency ``c`` is the span of the final schedule (as ``get_dag_exec_time``).

    Raises
    ------
    MappingError
        When a node runs out of qubits to hold link ends in the ASAP pass.
    """
    start, comm, hold = _asap(protocol, network)
    asap_c = max(s + a.duration for s, a in zip(start, protocol.actions))
    start = _alap_and_shift(protocol, start, comm, hold)
    return make_shape(
        protocol,
        start,
        comm,
        hold,
        demand=demand,
        method="heuristic",
        slot=slot,
        coherence=coherence,
        info={"asap_c": asap_c},
    )


# ---------------------------------------------------------------- exact CP-SAT
def map_cpsat(
    protocol: Protocol,
    network: Network,
    *,
    demand: Any = None,
    time_limit: float | None = 10.0,
    num_workers: int = 1,
    seed: int = 0,
    slot: float = SLOT,
    coherence: tuple[float, float] | None = NV_COHERENCE,
    hint: ProtocolShape | None = None,
) -> ProtocolShape:
    """Exact mapping by CP-SAT: minimise the completion ``c``, then the total holding time.

    Variables: a start per action; per link generation and end node, a communication qubit and
    a holding qubit (Booleans, exactly one each); per link end an optional holding interval
    ``[start of its generation, end of its consumer)`` on every qubit of its node; per
    generation and communication qubit an optional interval ``[s, s + d)`` present when that
    qubit generates but does not hold. ``NoOverlap`` per qubit; ``start[consumer] >= end[input]``.
    Phase 1 minimises ``c`` (the root's end); phase 2 fixes ``c`` and minimises the summed
    holding lengths. The heuristic's shape (or ``hint``) is given as a solution hint and bounds
    the horizon from above.

    Returns
    -------
    ProtocolShape
        ``optimal`` is True when both phases were proven optimal.

    Raises
    ------
    MappingError
        When CP-SAT proves that no mapping exists within the horizon (twice the summed durations,
        plus the heuristic's ``c`` when the heuristic maps the protocol).
    SolverError
        When the time limit ends with no solution.
    """
    from ortools.sat.python import cp_model

    acts = protocol.actions
    n = len(acts)
    if hint is None:
        try:
            hint = map_heuristic(protocol, network, slot=slot)
        except MappingError:
            hint = None
    horizon = sum(a.duration for a in acts) * 2 + (hint.c if hint is not None else 0)
    root = n - 1

    def build() -> tuple[Any, list[Any], dict[tuple[int, str], Any], dict[tuple[int, str], Any], list[Any]]:
        m = cp_model.CpModel()
        s = [m.new_int_var(0, horizon - a.duration, f"s{a.index}") for a in acts]
        for a in acts:
            for i in a.inputs:
                m.add(s[a.index] >= s[i] + acts[i].duration)
        per_q: dict[str, list[Any]] = defaultdict(list)
        hb: dict[tuple[int, str], Any] = {}
        cb: dict[tuple[int, str], Any] = {}
        sizes = []
        for k, e in enumerate(protocol.ends):
            node = network.node(e.node)
            cons = e.consumer if e.consumer >= 0 else root
            size = m.new_int_var(acts[e.gen].duration, horizon, f"hsize{k}")
            m.add(size == s[cons] + acts[cons].duration - s[e.gen])
            sizes.append(size)
            lits = []
            for q in node.qubits:
                b = m.new_bool_var(f"h{k}_{q}")
                hb[(k, q)] = b
                lits.append(b)
                per_q[q].append(
                    m.new_optional_interval_var(s[e.gen], size, s[cons] + acts[cons].duration, b, f"H{k}_{q}")
                )
            m.add_exactly_one(lits)
        for a in acts:
            if a.kind != "link":
                continue
            for _side, x in enumerate(a.nodes):
                node = network.node(x)
                (k,) = [k for k, e in enumerate(protocol.ends) if e.gen == a.index and e.node == x]
                lits = []
                for q in node.comm_qubits:
                    b = m.new_bool_var(f"c{a.index}_{q}")
                    cb[(a.index, q)] = b
                    lits.append(b)
                    pres = m.new_bool_var(f"p{a.index}_{q}")
                    m.add_implication(pres, b)
                    m.add_implication(pres, hb[(k, q)].Not())
                    m.add_bool_or([b.Not(), hb[(k, q)], pres])
                    per_q[q].append(
                        m.new_optional_fixed_size_interval_var(
                            s[a.index], a.duration, pres, f"G{a.index}_{q}"
                        )
                    )
                    # holding in a communication qubit requires generating with it
                    m.add_implication(hb[(k, q)], b)
                m.add_exactly_one(lits)
        for ivs in per_q.values():
            m.add_no_overlap(ivs)
        return m, s, hb, cb, sizes

    def add_hint(
        m: Any, s: list[Any], hb: dict[tuple[int, str], Any], cb: dict[tuple[int, str], Any]
    ) -> None:
        if hint is None:
            return
        for a in acts:
            m.add_hint(s[a.index], hint.start[a.index])
        for (k, q), b in hb.items():
            m.add_hint(b, int(hint.hold[k] == q))
        for (j, q), b in cb.items():
            m.add_hint(b, int(q in hint.comm[j]))

    def solver(limit: float | None) -> Any:
        sv = cp_model.CpSolver()
        sv.parameters.num_workers = num_workers
        sv.parameters.random_seed = seed
        if limit is not None:
            sv.parameters.max_time_in_seconds = max(limit, 0.01)
        return sv

    half = None if time_limit is None else time_limit / 2
    m, s, hb, cb, _sizes = build()
    m.minimize(s[root] + acts[root].duration)
    add_hint(m, s, hb, cb)
    sv = solver(half)
    st1 = sv.solve(m)
    if st1 == cp_model.INFEASIBLE:
        raise MappingError(
            f"protocol {protocol.source}->{protocol.destination}: CP-SAT proves no qubit mapping exists "
            f"within {horizon} slots"
        )
    if st1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverError(f"CP-SAT found no mapping within {half} s (status {sv.status_name(st1)})")
    c_best = int(sv.value(s[root])) + acts[root].duration
    m2, s2, hb2, cb2, sizes2 = build()
    m2.add(s2[root] + acts[root].duration <= c_best)
    for a in acts:
        m2.add_hint(s2[a.index], int(sv.value(s[a.index])))
    for key, b in hb2.items():
        m2.add_hint(b, int(sv.value(hb[key])))
    for key, b in cb2.items():
        m2.add_hint(b, int(sv.value(cb[key])))
    m2.minimize(sum(sizes2))
    sv2 = solver(half)
    st2 = sv2.solve(m2)
    if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        sol, hsol, csol, vs = s2, hb2, cb2, sv2
    else:
        sol, hsol, csol, vs = s, hb, cb, sv
    start = [int(vs.value(x)) for x in sol]
    hold = [""] * len(protocol.ends)
    for (k, q), b in hsol.items():
        if vs.value(b):
            hold[k] = q
    comm: list[tuple[str, ...]] = [()] * n
    for a in acts:
        if a.kind == "link":
            comm[a.index] = tuple(
                q
                for x in a.nodes
                for (j, q) in csol
                if j == a.index and q.startswith(f"{x}-C") and vs.value(csol[(j, q)])
            )
    optimal = st1 == cp_model.OPTIMAL and st2 == cp_model.OPTIMAL
    return make_shape(
        protocol,
        start,
        comm,
        hold,
        demand=demand,
        method="cpsat",
        optimal=optimal,
        slot=slot,
        coherence=coherence,
        info={"status": (sv.status_name(st1), sv2.status_name(st2))},
    )
