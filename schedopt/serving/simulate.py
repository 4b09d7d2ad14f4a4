"""The single-instance front door: :func:`simulate` a workload on one serving engine."""

from __future__ import annotations

import heapq
import math
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

from .engine import Engine, EngineConfig, step_trace
from .policies import AdmissionPlanner, CostModel, QueuePolicy, Workload
from .request import Request, RequestRecord
from .result import SimResult

#: Seconds between two plain progress lines when stderr is not a terminal.
PROGRESS_LINE_EVERY = 10.0


class SimProgress:
    """Progress of a simulation: a rich bar on a terminal, plain lines in a log, or nothing.

    Parameters
    ----------
    total
        Requests expected (``None``: unknown, the bar shows a count).
    mode
        ``"bar"``, ``"lines"`` (a plain line at most every ``every`` seconds and one at the end)
        or ``"off"``; ``None`` picks ``"bar"`` on a terminal and ``"lines"`` otherwise.
    """

    def __init__(
        self,
        total: int | None,
        mode: str | bool | None,
        label: str = "simulate",
        every: float = PROGRESS_LINE_EVERY,
        stream: TextIO | None = None,
    ) -> None:
        if mode is None or mode is True:
            mode = "bar" if sys.stderr.isatty() else "lines"
        elif mode is False:
            mode = "off"
        if mode not in ("bar", "lines", "off"):
            raise ValueError(f"progress must be 'bar', 'lines', 'off' or a bool, got {mode!r}")
        self.mode = mode
        self.total = total
        self.label = label
        self.every = every
        self.stream = stream
        self.t0 = time.monotonic()
        self.last = self.t0
        self.done = 0
        self.sim_time = 0.0
        if mode == "bar":
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("sim {task.fields[sim]}"),
                console=Console(stderr=True),
            )
            self._task = self._bar.add_task(label, total=total, sim="0 s")
            self._bar.start()

    def line(self) -> str:
        """The plain progress line."""
        total = "?" if self.total is None else str(self.total)
        return (
            f"{self.label}: {self.done}/{total} requests finished, simulated {self.sim_time:.1f} s, "
            f"elapsed {time.monotonic() - self.t0:.1f} s"
        )

    def update(self, finished: int, sim_time: float) -> None:
        self.done += finished
        self.sim_time = sim_time
        if self.mode == "bar":
            self._bar.update(self._task, advance=finished, sim=f"{sim_time:.0f} s")
        elif self.mode == "lines" and time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            print(self.line(), file=self.stream or sys.stderr, flush=True)

    def close(self) -> None:
        if self.mode == "bar":
            self._bar.stop()
        elif self.mode == "lines" and self.done:
            print(self.line(), file=self.stream or sys.stderr, flush=True)


def simulate(
    workload: Workload,
    config: EngineConfig,
    cost: CostModel,
    planner: AdmissionPlanner,
    queue: QueuePolicy | None = None,
    *,
    seed: int = 0,
    max_time: float = math.inf,
    progress: bool | str | None = False,
    on_step: Callable[[Engine], None] | None = None,
    record_trace: bool = True,
) -> SimResult:
    """Simulate ``workload`` on one serving instance until every request has finished.

    Parameters
    ----------
    workload
        The request source (:mod:`schedopt.serving.workloads`).
    config, cost, planner, queue
        The engine (:class:`~schedopt.serving.engine.EngineConfig`), its step-latency model, its
        admission planner and its queue order (FCFS by default).
    seed
        Seeds the one random stream shared by the workload and the planner.
    max_time
        Start no step at or after this many simulated seconds (the requests not finished by then
        are ``unfinished``; the step running at ``max_time`` completes).
    progress
        ``True``/``None`` (a bar on a terminal, plain lines in a log), ``"bar"``, ``"lines"``,
        ``False``/``"off"``.
    on_step
        Called with the engine after every :meth:`~schedopt.serving.engine.Engine.step` (tests use it
        to check invariants).
    record_trace
        Keep the per-step trace.

    Returns
    -------
    SimResult
        Records, step trace and settings; requests dropped by ``abort_waiting_after`` are in
        ``aborted`` (the workload's optional ``on_abort(request, now, rng)`` gives their
        follow-ups, as ``on_finish`` does for finished ones). Ctrl-C stops the run early and returns
        what was simulated so far, with ``config["interrupted"] = True``.
    """
    rng = np.random.default_rng(seed)
    engine = Engine(config, cost, planner, queue, rng=rng, record_trace=record_trace)
    t_wall = time.perf_counter()
    pending: list[tuple[float, int, Request]] = []
    for request in workload.start(rng):
        heapq.heappush(pending, (request.arrival, request.id, request))
    total = getattr(workload, "n", None)
    if getattr(workload, "resubmit", None) is not None:
        total = None  # resubmitted requests finish more than ``n`` times
    bar = SimProgress(total if isinstance(total, int) else None, progress)
    records: list[RequestRecord] = []
    aborted: list[Request] = []
    on_abort = getattr(workload, "on_abort", None)
    interrupted = False
    try:
        while True:
            if not engine.has_work:
                if not pending or pending[0][0] >= max_time:
                    break
                engine.now = max(engine.now, pending[0][0])
            if engine.now >= max_time:
                break
            while pending and pending[0][0] <= engine.now:
                engine.submit(heapq.heappop(pending)[2])
            limit = min(pending[0][0] if pending else math.inf, max_time)
            finished = engine.step(limit)
            if on_step is not None:
                on_step(engine)
            for request in engine.take_aborted():
                aborted.append(request)
                for follow in on_abort(request, engine.now, rng) if on_abort is not None else ():
                    heapq.heappush(pending, (max(follow.arrival, engine.now), follow.id, follow))
            if finished:
                records.extend(finished)
                for record in finished:
                    for follow in workload.on_finish(record, engine.now, rng):
                        heapq.heappush(pending, (max(follow.arrival, engine.now), follow.id, follow))
                bar.update(len(finished), engine.now)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    unfinished = engine.running + engine.waiting + [item[2] for item in sorted(pending)]
    settings: dict[str, Any] = {
        "engine": config.as_dict(),
        "planner": getattr(planner, "name", type(planner).__name__),
        "queue": getattr(engine.queue, "name", type(engine.queue).__name__),
        "cost": repr(cost),
        "workload": repr(workload),
        "seed": seed,
        "interrupted": interrupted,
    }
    return SimResult(
        records=records,
        steps=step_trace(engine.trace_rows()),
        capacity_blocks=config.capacity_blocks,
        block_size=config.block_size,
        makespan=engine.now,
        unfinished=unfinished,
        aborted=aborted,
        config=settings,
        wall_time=time.perf_counter() - t_wall,
    )
