"""Delivered fidelity of a mapped protocol, with decoherence while links wait in memory.

Every link is produced at the end of its action (link generation: the operating point's
fidelity; swap: :func:`.werner.swap_fidelity`; distillation: :func:`.werner.distill_fidelity`)
and waits, until the start of the action consuming it, in the two qubits holding its ends. It
decays as a Werner state, ``F(t) = 1/4 + (F0 - 1/4) exp(-t (1/T_a + 1/T_b))`` with ``T`` the
coherence time of each holding qubit (:data:`.werner.T_COMM`, :data:`.werner.T_STORAGE`). The root's
output is delivered when the protocol completes, without further waiting. Actions themselves are
taken as noiseless and instantaneous for decoherence (they last one slot in the schedule).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .actions import SLOT, Protocol
from .werner import NV_COHERENCE, decohere, distill_fidelity, qubit_rate, swap_fidelity

if TYPE_CHECKING:
    from .mapping import ProtocolShape


def qubit_kind(qubit: str) -> str:
    """``"comm"`` for ``"<node>-C<i>"``, ``"storage"`` for ``"<node>-S<i>"``."""
    tag = qubit.rsplit("-", 1)[-1]
    if tag.startswith("C"):
        return "comm"
    if tag.startswith("S"):
        return "storage"
    raise ValueError(f"qubit id {qubit!r} is neither '<node>-C<i>' nor '<node>-S<i>'")


def output_ends(protocol: Protocol) -> list[tuple[int, ...]]:
    """Per action, the ids of the two link ends of the link it outputs."""
    out: list[tuple[int, ...]] = []
    for a in protocol.actions:
        if a.kind == "link":
            out.append(tuple(k for k, e in enumerate(protocol.ends) if e.gen == a.index))
        elif a.kind == "swap":
            out.append(tuple(k for i in a.inputs for k in out[i] if protocol.ends[k].consumer != a.index))
        else:
            out.append(out[a.inputs[0]])
    return out


def delivered_fidelity(
    protocol: Protocol,
    start: Sequence[int],
    hold: Sequence[str],
    *,
    slot: float = SLOT,
    coherence: tuple[float, float] | None = NV_COHERENCE,
) -> float:
    """Fidelity of the delivered link given action start slots and the holding qubit of each end.

    Walks the actions in post-order; before an action consumes a link produced at slot ``e`` it
    waits ``start - e`` slots of ``slot`` seconds and decays by :func:`.werner.decohere` with the
    summed rates of its two holding qubits. ``coherence`` is ``(T_comm, T_storage)`` in seconds
    (default NV: 1.46 s and 1 s), ``None`` for no decoherence.
    """
    acts = protocol.actions
    ends = output_ends(protocol)
    fid = [0.0] * len(acts)

    def arrived(i: int, at: int) -> float:
        wait = (at - (start[i] + acts[i].duration)) * slot
        rate = sum(qubit_rate(qubit_kind(hold[k]), coherence) for k in ends[i])
        return decohere(fid[i], max(wait, 0.0), rate)

    for a in acts:
        if a.kind == "link":
            fid[a.index] = a.fidelity
        elif a.kind == "swap":
            fid[a.index] = swap_fidelity(
                arrived(a.inputs[0], start[a.index]), arrived(a.inputs[1], start[a.index])
            )
        else:
            fid[a.index] = distill_fidelity(
                arrived(a.inputs[0], start[a.index]), arrived(a.inputs[1], start[a.index])
            )
    return fid[-1]


def check_fidelity(shape: ProtocolShape, floor: float | None = None) -> tuple[float, bool]:
    """Recompute a shape's delivered fidelity with decoherence and compare it with the floor.

    Parameters
    ----------
    shape
        A mapped protocol (:class:`.mapping.ProtocolShape`).
    floor
        Minimum fidelity; default the shape's demand's floor (no demand and no floor: 0).
        The slot length and coherence times are the shape's own.

    Returns
    -------
    (float, bool)
        The recomputed fidelity and whether it meets the floor (``>= floor - 1e-12``).
    """
    f = delivered_fidelity(
        shape.protocol, shape.start, shape.hold, slot=shape.slot, coherence=shape.coherence
    )
    if floor is None:
        floor = shape.demand.fidelity if shape.demand is not None else 0.0
    return f, f >= floor - 1e-12
