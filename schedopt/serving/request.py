"""Requests and per-request outcomes of the serving simulator.

A :class:`Request` is what a client sends: its arrival time, its prompt length, the number of
tokens it will really generate (``output_tokens``, known to the simulator and to the ``oracle``
planner only) and the cap a planner may reserve (``max_new_tokens``). A :class:`RequestRecord`
is what the engine reports once the request has finished.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Request:
    """One LLM request.

    Attributes
    ----------
    id
        Unique id within a simulation (the engine orders ties by it).
    arrival
        Arrival time in seconds.
    prompt_tokens
        Prompt (input) length in tokens, ``>= 1``.
    output_tokens
        Tokens the request really generates, ``>= 1`` (the first one comes out of the prefill).
        Only the engine and the ``oracle`` planner read it.
    max_new_tokens
        The cap on generated tokens known at admission, ``>= output_tokens``.
    client
        Closed-loop client that sent it (``-1``: none).
    group
        Workflow (query) the request belongs to (``-1``: none); used by the cluster simulator.
    tag
        Free label: the workflow stage, the tenant, the trace name.
    deadline
        Absolute deadline in seconds for deadline-aware queues (``inf``: none).
    """

    id: int
    arrival: float
    prompt_tokens: int
    output_tokens: int
    max_new_tokens: int
    client: int = -1
    group: int = -1
    tag: str = ""
    deadline: float = math.inf

    def __post_init__(self) -> None:
        if not (self.prompt_tokens >= 1):
            raise ValueError(f"request {self.id}: prompt_tokens must be >= 1, got {self.prompt_tokens}")
        if not (self.output_tokens >= 1):
            raise ValueError(f"request {self.id}: output_tokens must be >= 1, got {self.output_tokens}")
        if self.max_new_tokens < self.output_tokens:
            raise ValueError(
                f"request {self.id}: max_new_tokens ({self.max_new_tokens}) is below "
                f"output_tokens ({self.output_tokens})"
            )
        if not (self.arrival >= 0 and math.isfinite(self.arrival)):
            raise ValueError(f"request {self.id}: arrival must be finite and >= 0, got {self.arrival}")


@dataclass(slots=True)
class RequestRecord:
    """What happened to one finished request (times in seconds).

    Attributes
    ----------
    request
        The request.
    admitted
        First admission into the running batch.
    first_token
        End of the step that produced the first output token (TTFT = ``first_token - arrival``).
    finish
        End of the step that produced the last output token.
    max_gap
        Largest gap between two consecutive output tokens (0 for a one-token request); a gap
        that spans an eviction and its recompute or swap-in counts whole.
    evictions
        Times the request was preempted (recompute or swap).
    instance
        Serving instance that finished it (0 on a single instance).
    """

    request: Request
    admitted: float
    first_token: float
    finish: float
    max_gap: float
    evictions: int
    instance: int = 0

    @property
    def ttft(self) -> float:
        """Time to first token: ``first_token - arrival``."""
        return self.first_token - self.request.arrival

    @property
    def tpot(self) -> float:
        """Time per output token after the first: ``(finish - first_token) / (output_tokens - 1)``."""
        n = self.request.output_tokens - 1
        return (self.finish - self.first_token) / n if n > 0 else 0.0

    @property
    def latency(self) -> float:
        """End-to-end latency: ``finish - arrival``."""
        return self.finish - self.request.arrival
