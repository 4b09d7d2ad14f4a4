"""Local queue policies of a cluster instance and HEXGEN-TEXT2SQL's per-stage deadline split.

Per-stage deadline (``shared/docs/llm_serving.md`` §2.4; Hexgen-Flow ``core/request.py``
``Text2SQLRequest.create_current_stage_requests``): when stage ``s`` of a query is released at
time ``now``, its budget is

``SLO_s = (SLO_query - (now - arrival)) tbar_s / (tbar_s + sum_{r in remaining} tbar_r)``

with ``tbar`` the mean table latency over the cluster's GPU types and ``remaining`` the steps of
the 15-call standard workflow not yet started: starting ``s`` removes one occurrence of ``s``,
and starting ``unit_tester`` drops every ``revise`` (self-correction is over). The per-stage
deadline of its calls is ``now + SLO_s`` (may lie in the past when the query is already late).
Hexgen-Flow removes the steps from the module-level list, so the remaining sum shrinks across
queries (docs §6); :class:`RemainingWorkflow` keeps a **per-query copy**.

:class:`LeastSlackFirst` orders a waiting queue by HexGen's urgency
``u = t(e, s) + waited - SLO_s`` (``= -slack``; for a call released at its stage's release
time with absolute deadline ``D``: ``u = t(e, s) + now - D``), most urgent first, by
``w1 u`` (``w1 = 0``: FCFS); ties by arrival, then id. A request without deadline
(``deadline = inf``) has ``u = -inf``: it waits behind every request with one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from ..request import Request
from .costtable import as_gpu_list, mean_latency, stage_latency
from .workflows import STANDARD_WORKFLOW


def stage_budget(
    query_slo_remaining: float,
    stage: str,
    remaining_stages: Sequence[str],
    mean_latency: Callable[[str], float] | Mapping[str, float],
) -> float:
    """``SLO_s = remaining x tbar_s / (tbar_s + sum_{r in remaining_stages} tbar_r)``.

    Parameters
    ----------
    query_slo_remaining
        ``SLO_query - time spent so far`` (seconds; may be negative).
    stage
        The stage being released.
    remaining_stages
        The standard-workflow steps still to come **after** ``stage`` (see :class:`RemainingWorkflow`).
    mean_latency
        ``tbar``: a function or mapping ``stage -> seconds``.
    """
    tbar = mean_latency.__getitem__ if isinstance(mean_latency, Mapping) else mean_latency
    ts = float(tbar(stage))
    total = ts + sum(float(tbar(r)) for r in remaining_stages)
    if not total > 0:
        raise ValueError(f"stage {stage!r}: the mean latencies sum to {total}, expected > 0")
    return float(query_slo_remaining) * ts / total


class RemainingWorkflow:
    """The per-query copy of the standard workflow's steps still to come.

    Parameters
    ----------
    workflow
        The reference workflow (default :data:`STANDARD_WORKFLOW`); copied.
    """

    def __init__(self, workflow: Sequence[str] = STANDARD_WORKFLOW) -> None:
        self.remaining: list[str] = list(workflow)

    def start(self, stage: str) -> tuple[str, ...]:
        """Mark ``stage`` started (drop one occurrence; ``unit_tester`` drops every ``revise``) and
        return the steps still to come."""
        if stage in self.remaining:
            self.remaining.remove(stage)
        if stage == "unit_tester":
            self.remaining = [r for r in self.remaining if r != "revise"]
        return tuple(self.remaining)


class StageDeadlines:
    """Per-stage absolute deadlines of one query (HexGen's split with a per-query workflow copy).

    Parameters
    ----------
    arrival, slo
        The query's arrival time and SLO (seconds).
    gpu_types
        The cluster's instance GPUs (``tbar`` is their mean table latency).
    workflow
        The reference workflow of the remaining-steps sum.
    """

    def __init__(
        self,
        arrival: float,
        slo: float,
        gpu_types: Sequence[str],
        workflow: Sequence[str] = STANDARD_WORKFLOW,
    ) -> None:
        self.arrival = float(arrival)
        self.slo = float(slo)
        gpus = list(gpu_types)
        self._tbar: dict[str, float] = {}
        self._gpus = gpus
        self.remaining = RemainingWorkflow(workflow)

    def tbar(self, stage: str) -> float:
        """Mean table latency of ``stage`` over the cluster."""
        if stage not in self._tbar:
            self._tbar[stage] = mean_latency(stage, self._gpus)
        return self._tbar[stage]

    def release(self, stage: str, now: float) -> float:
        """Release ``stage`` at ``now``: its absolute deadline ``now + SLO_s``."""
        rest = self.remaining.start(stage)
        budget = stage_budget(self.slo - (now - self.arrival), stage, rest, self.tbar)
        return float(now) + budget


class LeastSlackFirst:
    """Least slack first by HexGen's urgency (see the module docstring); a ``QueuePolicy``.

    Parameters
    ----------
    cost_table
        ``latency(gpu, stage)`` in seconds (default: the HexGen table,
        :func:`schedopt.serving.cluster.costtable.stage_latency`).
    gpu_of_instance
        The GPU of each instance (sequence, or mapping ``0..k-1``).
    w1
        Urgency weight (``>= 0``; 0 gives FCFS).
    """

    name = "least-slack-first"

    def __init__(
        self,
        cost_table: Callable[[str, str], float] | None,
        gpu_of_instance: Sequence[str] | Mapping[int, str],
        w1: float = 1.0,
    ) -> None:
        if not (w1 >= 0 and math.isfinite(w1)):
            raise ValueError(f"w1 must be finite and >= 0, got {w1}")
        self.latency = stage_latency if cost_table is None else cost_table
        self.gpus = as_gpu_list(gpu_of_instance)
        self.w1 = float(w1)

    def urgency(self, request: Request, now: float, instance: int) -> float:
        """``t(e, s) + now - deadline`` (``-inf`` without a deadline)."""
        if not math.isfinite(request.deadline):
            return -math.inf
        return self.latency(self.gpus[instance], request.tag) + now - request.deadline

    def order(self, waiting: Sequence[Request], now: float, instance: int) -> Sequence[int]:
        """Indices by decreasing ``w1 u``, then arrival, then id."""
        if not 0 <= instance < len(self.gpus):
            raise ValueError(f"instance {instance} is not one of 0..{len(self.gpus) - 1}")

        def key(i: int) -> tuple[float, float, int]:
            r = waiting[i]
            u = self.urgency(r, now, instance) if self.w1 > 0 else 0.0
            return (-self.w1 * u if self.w1 > 0 else 0.0, r.arrival, r.id)

        return sorted(range(len(waiting)), key=key)
