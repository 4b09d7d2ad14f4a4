"""Admission control: add demands one at a time, keep each only if the whole set still schedules.

After Skrzypczyk & Wehner (arXiv 2111.13124) as ``mdskrzypczyk/LinkScheduling`` runs its
experiments: each demand is first turned into a protocol (:func:`.protocol.admit`; a demand no
protocol serves is rejected with that reason), then tried as a periodic task together with the
tasks already admitted; it is kept only if the EDF variant meets every deadline of the whole
set over the new hyperperiod (reason ``"schedule"`` otherwise, ``"hyperperiod"`` when the
hyperperiod would exceed the cap).

Guarantee: the admitted set is schedulable by the chosen variant; :attr:`AdmissionResult.starts`
is its EDF schedule (block-feasible for ``"single"``/``"block"``, non-block feasible for
``"nonblock"``), checkable with :func:`schedopt.check` on :func:`.periodic.periodic_problem` or
:func:`.periodic.nonblock_problem`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import ProblemError
from .actions import SLOT
from .edf import VARIANTS, edf_starts
from .periodic import MAX_HYPERPERIOD, PeriodicTask, periodic_problem


@dataclass(frozen=True)
class Rejection:
    """A rejected demand or task: its position in the input, the reason and a message."""

    index: int
    item: Any
    reason: str
    message: str


@dataclass
class AdmissionResult:
    """Outcome of :func:`admission_control` / :func:`admit_demands`.

    Attributes
    ----------
    admitted
        The admitted tasks, in admission order.
    admitted_index
        Their positions in the input.
    rejected
        :class:`Rejection` per rejected item.
    starts
        EDF starts of the admitted set (per job of ``problem``), or ``None`` when nothing is admitted.
    problem
        :func:`.periodic.periodic_problem` of the admitted set (``None`` when empty).
    variant
        The EDF variant used.
    """

    admitted: list[PeriodicTask] = field(default_factory=list)
    admitted_index: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    starts: np.ndarray | None = None
    problem: Any = None
    variant: str = "nonblock"

    @property
    def ratio(self) -> float:
        """Admitted / offered."""
        total = len(self.admitted) + len(self.rejected)
        return len(self.admitted) / total if total else 0.0


def _order(tasks: Sequence[PeriodicTask], order: str) -> list[int]:
    if order == "given":
        return list(range(len(tasks)))
    if order == "rate":  # highest rate (shortest period) first, ties as given
        return sorted(range(len(tasks)), key=lambda i: (tasks[i].period, i))
    if order == "utilisation":  # largest c / p first
        return sorted(range(len(tasks)), key=lambda i: (-tasks[i].c / tasks[i].period, i))
    raise ProblemError(f"admission order must be 'given', 'rate' or 'utilisation', got {order!r}")


def admission_control(
    tasks: Sequence[PeriodicTask],
    *,
    variant: str = "nonblock",
    order: str = "given",
    max_hyperperiod: int = MAX_HYPERPERIOD,
) -> AdmissionResult:
    """Admit periodic tasks one at a time (``order``: ``"given"``, ``"rate"`` or ``"utilisation"``),
    keeping a task only if EDF ``variant`` schedules the whole set (see the module docstring)."""
    if variant not in VARIANTS:
        raise ProblemError(f"EDF variant {variant!r} is not one of {', '.join(VARIANTS)}")
    res = AdmissionResult(variant=variant)
    kept: list[PeriodicTask] = []
    for i in _order(tasks, order):
        t = tasks[i]
        trial = [*kept, t]
        try:
            prob = periodic_problem(trial, max_hyperperiod=max_hyperperiod)
        except ProblemError as exc:
            res.rejected.append(Rejection(i, t, "hyperperiod", str(exc)))
            continue
        run = edf_starts(prob, variant)
        if not run.ok:
            j = run.missed
            res.rejected.append(
                Rejection(
                    i,
                    t,
                    "schedule",
                    f"with {t.name!r} EDF-{variant} misses the deadline {int(prob.deadline[j])} of "
                    f"{prob.names[j]} (earliest start {run.when}, c = {int(prob.duration[j])})",
                )
            )
            continue
        kept = trial
        res.admitted_index.append(i)
        res.starts, res.problem = run.starts, prob
    res.admitted = kept
    return res


def admit_demands(
    network: Any,
    demands: Sequence[Any],
    *,
    variant: str = "nonblock",
    order: str = "given",
    slot: float = SLOT,
    max_hyperperiod: int = MAX_HYPERPERIOD,
    **synth: Any,
) -> AdmissionResult:
    """Full admission: synthesise a protocol per demand (:func:`.protocol.admit`, rejections keep
    its reason ``"fidelity"``, ``"rate"`` or ``"qubits"``), then :func:`admission_control`.
    ``order="rate"`` sorts by the demands' rates (highest first). ``synth`` goes to
    :func:`.protocol.synthesize`."""
    from .protocol import admit

    pre: list[Rejection] = []
    tasks: list[PeriodicTask] = []
    index: list[int] = []
    for i, d in enumerate(demands):
        a = admit(network, d, slot=slot, **synth)
        if not a.admitted:
            pre.append(Rejection(i, d, a.reason, a.message))
            continue
        tasks.append(PeriodicTask.from_shape(a.shape, name=f"D{i}: {d}", slot=slot))
        index.append(i)
    res = admission_control(tasks, variant=variant, order=order, max_hyperperiod=max_hyperperiod)
    res.admitted_index = [index[k] for k in res.admitted_index]
    res.rejected = pre + [
        Rejection(index[r.index], demands[index[r.index]], r.reason, r.message) for r in res.rejected
    ]
    res.rejected.sort(key=lambda r: r.index)
    return res


__all__ = ["AdmissionResult", "Rejection", "admission_control", "admit_demands"]
