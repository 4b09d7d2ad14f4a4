"""The small interfaces through which policies plug into the serving engine.

The engine (:mod:`schedopt.serving.engine`) owns time, the batch, the paged KV cache and
preemption. It asks three kinds of strategy objects:

* an :class:`AdmissionPlanner` whether the next waiting request may join the running batch
  (``aggressive``, ``conservative``, ``past-future``, ``oracle`` in :mod:`schedopt.serving.planners`);
* a :class:`QueuePolicy` in which order the waiting requests are considered (FCFS by default;
  least-slack-first in the cluster simulator);
* a :class:`CostModel` how long one iteration (step) takes (:mod:`schedopt.serving.costmodel`).

Workloads (:mod:`schedopt.serving.workloads`) feed requests through :class:`Workload`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from .request import Request, RequestRecord


@dataclass(frozen=True, slots=True)
class BatchView:
    """The running batch as an admission planner sees it (arrays in admission order).

    Attributes
    ----------
    held
        Tokens whose KV each running request holds now: prompt (all of it is reserved at
        admission, even when chunked prefill has not computed it yet) plus tokens generated.
    generated
        Tokens generated so far by each running request (``d`` in the Past-Future paper).
    max_new
        Each request's ``max_new_tokens``.
    true_remaining
        Tokens each request will still generate. **Only the oracle may read this.**
    capacity_tokens
        KV capacity in tokens (``blocks * block_size``).
    used_tokens
        Tokens of KV in use, block-granular (``used_blocks * block_size``), including
        requests admitted in this round.
    block_size
        Tokens per KV block.
    now
        Simulation time in seconds.
    """

    held: np.ndarray
    generated: np.ndarray
    max_new: np.ndarray
    true_remaining: np.ndarray
    capacity_tokens: int
    used_tokens: int
    block_size: int
    now: float


@runtime_checkable
class AdmissionPlanner(Protocol):
    """Decides admissions; the engine asks it for the waiting requests in queue order.

    In each admission round the engine offers waiting requests one at a time (queue order,
    preempted ones first) and stops at the first refusal; after each acceptance the candidate
    is part of the next :class:`BatchView`. The engine still refuses a candidate whose prompt
    blocks are not physically free or that would exceed the running-request limit.
    """

    name: str

    def reset(self, capacity_tokens: int, rng: np.random.Generator) -> None:
        """Start a new simulation with this KV capacity and random stream."""

    def admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        """Whether ``candidate`` (which has already generated ``generated`` tokens before an
        eviction; 0 for a new request) may join the batch ``view``."""

    def record_finish(self, request: Request, generated: int) -> None:
        """A request finished with ``generated`` output tokens (the planner's history)."""


@runtime_checkable
class QueuePolicy(Protocol):
    """Orders the waiting queue (preempted requests always go first, in preemption order)."""

    name: str

    def order(self, waiting: Sequence[Request], now: float, instance: int) -> Sequence[int]:
        """Indices into ``waiting``, in the order the planner should consider them."""


class FCFS:
    """First come, first served: by arrival time, then id."""

    name = "fcfs"

    def order(self, waiting: Sequence[Request], now: float, instance: int) -> Sequence[int]:
        return sorted(range(len(waiting)), key=lambda i: (waiting[i].arrival, waiting[i].id))


@dataclass(slots=True)
class StepWork:
    """The work of one engine iteration, given to :meth:`CostModel.step_time`.

    Attributes
    ----------
    prefill_tokens
        Prompt (or recompute) tokens each prefilling request computes in this step (its chunk).
    prefill_context
        Tokens already in that request's KV before the chunk (attention reads them).
    prefill_requests
        The prefilling requests, same order (a per-stage cost table looks at their ``tag``).
    decode_context
        KV context length of each decoding request (one new token each).
    """

    prefill_tokens: np.ndarray
    prefill_context: np.ndarray
    prefill_requests: Sequence[Request]
    decode_context: np.ndarray


@runtime_checkable
class CostModel(Protocol):
    """Step latency of one serving instance."""

    def step_time(self, work: StepWork) -> float:
        """Seconds the iteration ``work`` takes."""

    def decode_coefficients(self) -> np.ndarray | None:
        """Coefficients ``c`` (7 floats) of a decode-only step of ``n`` requests with total context
        ``S``: ``t = c0 + max(c1 + c2 n + c3 S, c4 + c5 n + c6 S)``; must agree with
        :meth:`step_time` on such steps. ``None`` if the model has no such closed form (the
        engine then calls :meth:`step_time` every step, which is slower)."""

    def swap_time(self, tokens: int) -> float:
        """Seconds to move ``tokens`` tokens of KV one way between GPU and host (PCIe)."""


@runtime_checkable
class Workload(Protocol):
    """A source of requests."""

    def start(self, rng: np.random.Generator) -> list[Request]:
        """Requests known at the start (their arrival times may lie in the future)."""

    def on_finish(self, record: RequestRecord, now: float, rng: np.random.Generator) -> list[Request]:
        """Follow-up requests after ``record`` finished at ``now`` (a closed-loop client's next).

        A workload may also define ``on_abort(request, now, rng) -> list[Request]``, called when the
        engine drops a request that waited too long (``EngineConfig.abort_waiting_after``).
        """
