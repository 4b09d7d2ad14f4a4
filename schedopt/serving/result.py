"""What a serving simulation returns: per-request records and a per-step trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .request import Request, RequestRecord


@dataclass(slots=True)
class StepTrace:
    """One row per engine iteration (arrays of equal length ``n_steps``).

    Attributes
    ----------
    start
        Step start time (s).
    duration
        Step duration (s).
    used_blocks
        KV blocks in use during the step (after its allocations).
    running
        Requests in the running batch.
    waiting
        Requests in the waiting queue (preempted ones included).
    prefill_tokens
        Prompt/recompute tokens computed in the step.
    decode_tokens
        Output tokens produced by decoding requests in the step.
    peak_tokens
        True future peak of KV tokens of the running batch right after an admission round
        (computed with the real output lengths), ``nan`` in steps without one or when not recorded.
    """

    start: np.ndarray
    duration: np.ndarray
    used_blocks: np.ndarray
    running: np.ndarray
    waiting: np.ndarray
    prefill_tokens: np.ndarray
    decode_tokens: np.ndarray
    peak_tokens: np.ndarray

    def __len__(self) -> int:
        return int(self.start.shape[0])


@dataclass(slots=True)
class SimResult:
    """The outcome of :func:`schedopt.serving.simulate`.

    Attributes
    ----------
    records
        Finished requests, in finishing order.
    steps
        The per-step trace.
    capacity_blocks
        KV capacity in blocks.
    block_size
        Tokens per block.
    makespan
        End of the last step (s).
    unfinished
        Requests that had not finished when the simulation stopped (time or request limit).
    aborted
        Requests dropped after waiting too long (``EngineConfig.abort_waiting_after``).
    config
        The settings of the run (engine config, planner, cost model, workload, seed) as plain values.
    wall_time
        Seconds of real time the simulation took.
    """

    records: list[RequestRecord]
    steps: StepTrace
    capacity_blocks: int
    block_size: int
    makespan: float
    unfinished: list[Request] = field(default_factory=list)
    aborted: list[Request] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    wall_time: float = 0.0

    @property
    def n_steps(self) -> int:
        """Number of engine iterations."""
        return len(self.steps)

    @property
    def capacity_tokens(self) -> int:
        """KV capacity in tokens."""
        return self.capacity_blocks * self.block_size
