"""One LLM serving instance, simulated at iteration level.

The engine is a discrete-event simulator of continuous batching (Yu et al., "Orca", OSDI 2022)
over a paged KV cache (Kwon et al., "vLLM / PagedAttention", SOSP 2023). Time advances one
*iteration* (step) at a time; the cost model gives each step's duration.

Each step
    1. Requests whose arrival time has passed join the waiting queue (the caller submits them).
    2. **Admission round** (when the batch is empty, or every ``admission_interval`` steps):
       waiting requests are offered to the planner one at a time -- preempted ones first, in
       preemption order, then the rest in the :class:`~schedopt.serving.policies.QueuePolicy`'s
       order -- and the round stops at the first refusal (FCFS head-of-line blocking, as in
       vLLM and LightLLM). An admitted request reserves the blocks of its whole prompt (plus the
       tokens it generated before a recompute eviction) and of the token its prefill yields:
       ``ceil((prompt + generated + 1) / B)``. The engine itself refuses a candidate when those
       blocks are not free once the running decoders' next tokens are provided for (vLLM V1
       schedules running requests first), when ``max_running`` requests already run, or when the
       round's prefill-token or admission limits are reached.
    3. **Batch** (chunked prefill, vLLM V1 / Sarathi-Serve, Agrawal et al. OSDI 2024): the
       decoding requests contribute one token each, in admission order while the token budget
       ``max_batched_tokens`` lasts; what remains of it is filled with prefill chunks of the
       prefilling requests in admission order. With ``chunked_prefill=False`` (vLLM V0's
       prefill-first) a step that has prefill work runs whole prompts only (at least one, then as
       many as fit the budget) and no decodes.
    4. **Blocks for the new tokens**: a decoding request holding ``h`` tokens needs
       ``ceil((h + 1) / B)`` blocks during the step. When the cache cannot give them, the
       *newest* running request is preempted (vLLM's policy), repeatedly, until the others fit:
       by **recompute** (its blocks are freed, it goes to the front of the queue and later
       recomputes prompt + generated tokens as a prefill whose last chunk yields its next token)
       or by **swap** (its KV moves to host memory in ``cost.swap_time(h)`` seconds, charged to
       the step, and moves back, again charged, when it is re-admitted; it then decodes at once).
    5. The step lasts ``cost.step_time(work)`` (plus swap transfers). At its end each decoding
       request and each request whose prefill completed emits one token; a request whose
       ``output_tokens``-th token came out finishes and frees its blocks.

Accounting: a request *holds* ``prompt + generated`` tokens of KV (its next token's KV is
written during the step that produces it, hence the ``+ 1`` in step 4). TTFT is the end of the
step that emitted the first token minus the arrival; the inter-token gap of each later token is
the time since the previous token of the same request, so a gap that spans an eviction counts
whole.

A run of decode-only steps between two events is advanced in one call of a numba kernel
(:func:`schedopt.serving._engine_kernels.decode_run`) when the cost model has closed-form decode
coefficients; the result is that of stepping one at a time, up to floating-point rounding of the
summed step times (a test compares both).
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

import schedopt.serving._engine_kernels as k  # a module, not the package: no import cycle

from ..errors import OptionError
from .planners import future_peak
from .policies import FCFS, AdmissionPlanner, BatchView, CostModel, QueuePolicy, StepWork
from .request import Request, RequestRecord

#: Steps of trace buffer the decode kernel fills per call.
_RUN_BUFFER = 4096


@dataclass(frozen=True)
class EngineConfig:
    """Settings of one serving instance.

    Attributes
    ----------
    kv_capacity_tokens
        KV cache size in tokens (``schedopt.serving.models.kv_capacity_tokens`` computes it from a
        model and a GPU); the cache has ``kv_capacity_tokens // block_size`` blocks.
    block_size
        Tokens per KV block (vLLM's default 16).
    max_batched_tokens
        Token budget of one step: decode tokens plus prefill chunk tokens (vLLM V1
        ``max_num_batched_tokens``: 8192 for its offline engine on A100 and GPUs below 70 GB,
        16384 on H100/H200; 2048 / 8192 for its API server).
    max_running
        Most requests in the running batch (vLLM ``max_num_seqs``: 256, 1024 on H100/H200).
    chunked_prefill
        Chunked prefill with decodes first (True, vLLM V1 / Sarathi-Serve) or prefill-first steps
        (False, vLLM V0).
    preemption
        ``"recompute"`` (vLLM V1) or ``"swap"`` (vLLM V0 for multi-sequence groups).
    admission_interval
        Steps between admission rounds while the batch is not empty (1: every step, as vLLM;
        LightLLM's router waits ``max_wait_tokens`` = 6 decode steps, the Past-Future artifact 2,
        its behaviour simulator 10).
    max_admit_per_round
        Most admissions per round (``None``: no limit; the Past-Future artifact admits one).
    max_prefill_tokens_per_round
        Most prompt tokens admitted per round (LightLLM ``batch_max_tokens``; ``None``: no limit).
    record_peak
        Record the true future peak of KV tokens after each admission round (``StepTrace.peak_tokens``).
    abort_waiting_after
        Drop a request that has waited this many seconds without ever being admitted (LightLLM's
        ``--router_sla_abort_ttft``: it has failed its TTFT SLA anyway; the Past-Future artifact
        uses 10 s). Checked before each step; preempted requests are never dropped. ``None``: keep
        every request.
    """

    kv_capacity_tokens: int
    block_size: int = 16
    max_batched_tokens: int = 8192
    max_running: int = 256
    chunked_prefill: bool = True
    preemption: str = "recompute"
    admission_interval: int = 1
    max_admit_per_round: int | None = None
    max_prefill_tokens_per_round: int | None = None
    record_peak: bool = False
    abort_waiting_after: float | None = None

    def __post_init__(self) -> None:
        for name in (
            "kv_capacity_tokens",
            "block_size",
            "max_batched_tokens",
            "max_running",
            "admission_interval",
        ):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"EngineConfig.{name} must be an integer >= 1, got {value!r}")
        if self.kv_capacity_tokens < self.block_size:
            raise ValueError(
                f"EngineConfig.kv_capacity_tokens ({self.kv_capacity_tokens}) is below one block "
                f"({self.block_size} tokens)"
            )
        if self.preemption not in ("recompute", "swap"):
            raise ValueError(
                f"EngineConfig.preemption must be 'recompute' or 'swap', got {self.preemption!r}"
            )
        abort = self.abort_waiting_after
        if abort is not None and not (isinstance(abort, (int, float)) and abort > 0 and math.isfinite(abort)):
            raise ValueError(f"EngineConfig.abort_waiting_after must be None or seconds > 0, got {abort!r}")
        for name in ("max_admit_per_round", "max_prefill_tokens_per_round"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
                raise ValueError(f"EngineConfig.{name} must be None or an integer >= 1, got {value!r}")

    @property
    def capacity_blocks(self) -> int:
        """KV blocks of the cache."""
        return self.kv_capacity_tokens // self.block_size

    @classmethod
    def from_options(cls, kv_capacity_tokens: int, **options: object) -> EngineConfig:
        """Build a config, rejecting unknown option names with :class:`~schedopt.errors.OptionError`."""
        defaults = {k: f.default for k, f in cls.__dataclass_fields__.items() if k != "kv_capacity_tokens"}
        for name in options:
            if name not in defaults:
                raise OptionError("engine", name, defaults)
        return cls(kv_capacity_tokens=kv_capacity_tokens, **options)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """The settings as plain values."""
        return asdict(self)


def _blocks(tokens: np.ndarray | int, block_size: int) -> np.ndarray | int:
    return -(-tokens // block_size)


class _Paused:
    """A preempted request waiting to come back (its progress kept)."""

    __slots__ = ("floats", "ints", "request", "swapped")

    def __init__(self, request: Request, ints: np.ndarray, floats: np.ndarray, swapped: bool) -> None:
        self.request = request
        self.ints = ints
        self.floats = floats
        self.swapped = swapped


class Engine:
    """One serving instance: queue, running batch, paged KV cache, clock.

    Parameters
    ----------
    config
        The instance's :class:`EngineConfig`.
    cost
        Step latency model (:class:`~schedopt.serving.policies.CostModel`).
    planner
        Admission planner (:class:`~schedopt.serving.policies.AdmissionPlanner`).
    queue
        Order of the waiting queue (default FCFS).
    instance
        Index of this instance in a cluster (copied into its records).
    rng
        Random stream handed to the planner.
    record_trace
        Keep the per-step trace (``False`` saves memory in long cluster runs).

    Notes
    -----
    Drive it with :meth:`submit` (a request that has arrived) and :meth:`step` (one admission
    round if due, then one step or a run of identical decode steps); :func:`simulate` does this for
    one instance, the cluster simulator for several. The running batch is kept as two arrays,
    ``ints`` (rows held, generated, output, prefill left, blocks, evictions, max_new) and
    ``floats`` (rows admitted, first token, last token, largest gap), in admission order, so the
    newest request is the last column.
    """

    def __init__(
        self,
        config: EngineConfig,
        cost: CostModel,
        planner: AdmissionPlanner,
        queue: QueuePolicy | None = None,
        *,
        instance: int = 0,
        rng: np.random.Generator | None = None,
        record_trace: bool = True,
    ) -> None:
        self.config = config
        self.cost = cost
        self.planner = planner
        self.queue = queue if queue is not None else FCFS()
        self._fcfs = type(self.queue) is FCFS
        self.instance = instance
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.record_trace = record_trace
        self.now = 0.0
        self.capacity_blocks = config.capacity_blocks
        self.used_blocks = 0
        self.n_steps = 0
        self.evictions = 0
        coef = cost.decode_coefficients()
        if coef is not None:
            coef = np.asarray(coef, dtype=np.float64)
            if coef.shape != (7,) or coef[3] < 0 or coef[6] < 0:
                raise ValueError("cost model decode_coefficients() must be 7 floats with c3, c6 >= 0")
        self._coef = coef
        self._waiting: list[Request] = []
        self._aborted: list[Request] = []
        self._paused: deque[_Paused] = deque()
        self._since_round = 0
        size = config.max_running
        self._reqs: list[Request] = []
        self._ints = np.zeros((7, size), np.int64)
        self._floats = np.zeros((4, size), np.float64)
        self._n = 0
        self._swap_in = 0.0  # seconds of swap-in owed by the next step
        self._trace = np.zeros((8, _RUN_BUFFER if record_trace else 0), np.float64)
        self._trace_n = 0
        self._settings = np.array([int(config.chunked_prefill), config.max_batched_tokens, config.block_size])
        planner.reset(config.capacity_blocks * config.block_size, self.rng)

    # ------------------------------------------------------------------ views
    def _row(self, row: int) -> np.ndarray:
        return self._ints[row, : self._n]

    @property
    def has_work(self) -> bool:
        """Whether requests run or wait."""
        return self._n > 0 or bool(self._waiting) or bool(self._paused)

    @property
    def n_running(self) -> int:
        """Requests in the running batch."""
        return self._n

    @property
    def n_waiting(self) -> int:
        """Requests waiting (preempted ones included)."""
        return len(self._waiting) + len(self._paused)

    @property
    def running(self) -> list[Request]:
        """The running requests in admission order."""
        return list(self._reqs)

    @property
    def waiting(self) -> list[Request]:
        """The waiting requests: preempted ones first, then the queue in arrival order."""
        return [p.request for p in self._paused] + list(self._waiting)

    def take_aborted(self) -> list[Request]:
        """The requests dropped by ``abort_waiting_after`` since the last call."""
        out, self._aborted = self._aborted, []
        return out

    # ------------------------------------------------------------------ input
    def submit(self, request: Request) -> None:
        """A request arrives (its arrival must not lie after the engine's clock when it runs).

        Raises
        ------
        ValueError
            If the request could never fit the cache: ``prompt + max_new_tokens`` needs more blocks
            than the cache has (the KV budget is below one request).
        """
        need = _blocks(request.prompt_tokens + request.max_new_tokens, self.config.block_size)
        if need > self.capacity_blocks:
            raise ValueError(
                f"request {request.id}: prompt {request.prompt_tokens} + max_new_tokens "
                f"{request.max_new_tokens} tokens need {need} KV blocks, but the cache has "
                f"{self.capacity_blocks} blocks ({self.config.kv_capacity_tokens} tokens): the KV budget "
                "is below one request; use a larger GPU, more tensor parallelism, or shorter requests"
            )
        if not self.has_work:
            self.now = max(self.now, request.arrival)
        if self._waiting and (request.arrival, request.id) < (
            self._waiting[-1].arrival,
            self._waiting[-1].id,
        ):
            bisect.insort(self._waiting, request, key=lambda r: (r.arrival, r.id))  # keep FCFS order
        else:
            self._waiting.append(request)

    # ------------------------------------------------------------------ admission
    def _view(self) -> BatchView:
        return BatchView(
            held=self._row(k.HELD).copy(),
            generated=self._row(k.GENERATED).copy(),
            max_new=self._row(k.MAX_NEW).copy(),
            true_remaining=self._row(k.OUTPUT) - self._row(k.GENERATED),
            capacity_tokens=self.capacity_blocks * self.config.block_size,
            used_tokens=self.used_blocks * self.config.block_size,
            block_size=self.config.block_size,
            now=self.now,
        )

    def _append(self, request: Request, ints: np.ndarray, floats: np.ndarray) -> None:
        if self._n == self._ints.shape[1]:
            raise AssertionError("running batch overflow")  # max_running is checked before
        self._reqs.append(request)
        self._ints[:, self._n] = ints
        self._floats[:, self._n] = floats
        self._n += 1
        self.used_blocks += int(ints[k.BLOCKS])

    def _admission_round(self) -> None:
        cfg = self.config
        if self._fcfs or not self._waiting:
            order: Iterable[int] = range(len(self._waiting))
        else:
            order = list(self.queue.order(self._waiting, self.now, self.instance))
        first_waiting = None
        # Blocks the running decoders need for their next token come first (vLLM V1 schedules the
        # running requests before the waiting ones).
        held, blocks = self._row(k.HELD), self._row(k.BLOCKS)
        decoding = self._row(k.PREFILL) == 0
        growth = int(np.maximum(_blocks(held[decoding] + 1, cfg.block_size) - blocks[decoding], 0).sum())
        admitted = 0
        prefill_tokens = 0
        taken: list[int] = []
        view = None

        def candidates() -> Iterator[tuple[Request, _Paused | None, int]]:
            for paused in list(self._paused):
                yield paused.request, paused, -1
            for i in order:
                yield self._waiting[i], None, i

        for request, paused, index in candidates():
            if first_waiting is None:
                first_waiting = request
            if self._n >= cfg.max_running:
                break
            if cfg.max_admit_per_round is not None and admitted >= cfg.max_admit_per_round:
                break
            generated = int(paused.ints[k.GENERATED]) if paused is not None else 0
            held = request.prompt_tokens + generated
            blocks = _blocks(held + 1, cfg.block_size)  # the prompt and the token it yields
            if blocks > self.capacity_blocks - self.used_blocks - growth:
                break
            swapped = paused is not None and paused.swapped
            # A swapped-out request resumes where it stopped (its prefill may be unfinished).
            prefill = int(paused.ints[k.PREFILL]) if swapped else held
            if (
                cfg.max_prefill_tokens_per_round is not None
                and admitted > 0
                and prefill_tokens + prefill > cfg.max_prefill_tokens_per_round
            ):
                break
            if view is None:
                view = self._view()
            if not self.planner.admit(view, request, generated):
                break
            if paused is None:
                ints = np.array([held, 0, request.output_tokens, prefill, blocks, 0, request.max_new_tokens])
                floats = np.array([self.now, math.nan, math.nan, 0.0])
                taken.append(index)
            else:
                self._paused.popleft()
                ints = paused.ints.copy()
                ints[k.PREFILL] = prefill
                ints[k.BLOCKS] = blocks
                floats = paused.floats
                if swapped:
                    self._swap_in += self.cost.swap_time(held - prefill)  # the computed KV comes back
            self._append(request, ints, floats)
            view = None
            admitted += 1  # noqa: SIM113 - counts admissions, not candidates
            prefill_tokens += prefill
        if taken:
            if self._fcfs:
                del self._waiting[: len(taken)]
            else:
                gone = set(taken)
                self._waiting = [r for i, r in enumerate(self._waiting) if i not in gone]
        self._since_round = 0
        if self._n == 0 and first_waiting is not None:
            head = first_waiting
            raise ValueError(
                f"planner {getattr(self.planner, 'name', self.planner)!r} refuses request {head.id} "
                f"(prompt {head.prompt_tokens}, max_new_tokens {head.max_new_tokens}) on an empty batch with "
                f"{self.capacity_blocks * cfg.block_size} KV tokens: it can never run; the KV budget is "
                "below one request for this planner"
            )

    def _future_peak(self) -> float:
        """True future peak of KV tokens of the batch (Past-Future's formula with real lengths)."""
        return float(future_peak(self._row(k.HELD), self._row(k.OUTPUT) - self._row(k.GENERATED)))

    # ------------------------------------------------------------------ preemption
    def _preempt_newest(self) -> float:
        """Preempt the newest running request; return the seconds of swap-out it costs."""
        i = self._n - 1
        request = self._reqs.pop()
        swap = self.config.preemption == "swap"
        ints = self._ints[:, i].copy()
        ints[k.EVICTIONS] += 1
        self.used_blocks -= int(ints[k.BLOCKS])
        self._paused.appendleft(_Paused(request, ints, self._floats[:, i].copy(), swap))
        self._n -= 1
        self.evictions += 1
        # Only computed KV moves to the host (a request in mid-prefill has computed part of it).
        return self.cost.swap_time(int(ints[k.HELD] - ints[k.PREFILL])) if swap else 0.0

    def _keep(self, index: np.ndarray) -> None:
        m = len(index)
        self._reqs = [self._reqs[int(i)] for i in index]
        self._ints[:, :m] = self._ints[:, : self._n][:, index]
        self._floats[:, :m] = self._floats[:, : self._n][:, index]
        self._n = m

    # ------------------------------------------------------------------ stepping
    def step(self, limit: float = math.inf) -> list[RequestRecord]:
        """Run an admission round if due, then one step (or a run of identical decode steps that
        does not start a step at or after ``limit``); return the requests that finished.

        Call only while :attr:`has_work`; the caller submits every request whose arrival is at or
        before :attr:`now` first.
        """
        cfg = self.config
        if cfg.abort_waiting_after is not None and self._waiting:
            self._abort_stale(cfg.abort_waiting_after)
        waiting = bool(self._waiting) or bool(self._paused)
        peak = math.nan
        if waiting and (self._n == 0 or self._since_round >= cfg.admission_interval):
            self._admission_round()
            waiting = bool(self._waiting) or bool(self._paused)
            if cfg.record_peak:
                peak = self._future_peak()
        if self._n == 0:
            return []
        if (
            self._coef is not None
            and self._swap_in == 0.0
            and math.isnan(peak)
            and not self._row(k.PREFILL).any()
            and self._n <= cfg.max_batched_tokens
        ):
            due = cfg.admission_interval - self._since_round if waiting else _RUN_BUFFER
            if self.record_trace and self._trace.shape[1] - self._trace_n < _RUN_BUFFER:
                self._trace_room(_RUN_BUFFER)
            max_steps = max(1, min(due, _RUN_BUFFER))
            limits = np.array(
                [self.now, limit, max_steps, cfg.block_size, self.capacity_blocks, self.n_waiting]
            )
            steps = k.decode_run(
                self._ints, self._floats, self._n, self._coef, limits, self._trace, self._trace_n
            )
            if steps > 0:
                if self.record_trace:
                    self._trace_n += steps
                self.now = float(self._floats[k.LAST, 0])
                self.used_blocks = int(self._row(k.BLOCKS).sum())
                self.n_steps += steps
                self._since_round += steps
                return self._collect_finished()
        return self._single_step(peak)

    def _abort_stale(self, after: float) -> None:
        """Drop the never-admitted waiting requests that have waited longer than ``after``."""
        stale = [r for r in self._waiting if self.now - r.arrival > after]
        if stale:
            self._aborted.extend(stale)
            self._waiting = [r for r in self._waiting if self.now - r.arrival <= after]

    def _trace_room(self, want: int) -> int:
        """Grow the trace buffer so ``want`` more steps fit; return the room."""
        if not self.record_trace:
            return 0
        if self._trace.shape[1] - self._trace_n < want:
            grown = np.zeros((8, max(2 * self._trace.shape[1], self._trace_n + want)), np.float64)
            grown[:, : self._trace_n] = self._trace[:, : self._trace_n]
            self._trace = grown
        return self._trace.shape[1] - self._trace_n

    def _single_step(self, peak: float) -> list[RequestRecord]:
        extra = self._swap_in
        self._swap_in = 0.0
        # Blocks for the decoding requests' new tokens; preempt the newest until they fit.
        while True:
            chunk, decoding, need = k.compose_step(self._ints, self._n, self._settings)
            if int(need.sum()) <= self.capacity_blocks:
                break
            extra += self._preempt_newest()
            if self._n == 0:
                return []
        n = self._n
        ints = self._ints[:, :n]
        ints[k.BLOCKS] = need
        self.used_blocks = int(need.sum())
        chunked = np.flatnonzero(chunk)
        held = ints[k.HELD]
        work = StepWork(
            prefill_tokens=chunk[chunked],
            prefill_context=held[chunked] - ints[k.PREFILL, chunked],
            prefill_requests=[self._reqs[i] for i in chunked.tolist()],
            decode_context=held[decoding],
        )
        duration = float(self.cost.step_time(work)) + extra
        end = self.now + duration
        if self.record_trace:
            if self._trace_n == self._trace.shape[1]:
                self._trace_room(1)
            self._trace[:, self._trace_n] = (
                self.now,
                duration,
                self.used_blocks,
                n,
                self.n_waiting,
                work.prefill_tokens.sum(),
                len(work.decode_context),
                peak,
            )
            self._trace_n += 1
        k.apply_step(self._ints, self._floats, n, chunk, decoding, end)
        self.now = end
        self.n_steps += 1
        self._since_round += 1
        return self._collect_finished()

    def _collect_finished(self) -> list[RequestRecord]:
        ints, floats = self._ints[:, : self._n], self._floats[:, : self._n]
        done = ints[k.GENERATED] >= ints[k.OUTPUT]
        if not done.any():
            return []
        records = []
        for i in np.flatnonzero(done):
            request = self._reqs[int(i)]
            records.append(
                RequestRecord(
                    request,
                    float(floats[k.ADMITTED, i]),
                    float(floats[k.FIRST, i]),
                    float(floats[k.LAST, i]),
                    float(floats[k.GAP, i]),
                    int(ints[k.EVICTIONS, i]),
                    self.instance,
                )
            )
            self.planner.record_finish(request, int(ints[k.GENERATED, i]))
        self.used_blocks -= int(ints[k.BLOCKS, done].sum())
        self._keep(np.flatnonzero(~done))
        return records

    # ------------------------------------------------------------------ trace
    def trace_rows(self) -> np.ndarray:
        """The step trace as an ``(8, n_steps)`` array (see :class:`~schedopt.serving.result.StepTrace`)."""
        return self._trace[:, : self._trace_n].copy()

    def check_invariants(self) -> None:
        """Raise ``AssertionError`` if the engine's bookkeeping is inconsistent (used by tests)."""
        bs = self.config.block_size
        held, blocks = self._row(k.HELD), self._row(k.BLOCKS)
        assert self.used_blocks <= self.capacity_blocks, (self.used_blocks, self.capacity_blocks)
        assert self.used_blocks == int(blocks.sum()), (self.used_blocks, int(blocks.sum()))
        assert np.all(blocks * bs >= held), "a request holds more tokens than its blocks"
        assert np.all(self._row(k.GENERATED) < self._row(k.OUTPUT)), "a finished request is still running"
        prompts = np.fromiter((r.prompt_tokens for r in self._reqs), np.int64, self._n)
        assert np.all(held == prompts + self._row(k.GENERATED)), "held != prompt + generated"
        assert self._n == len(self._reqs) <= self.config.max_running


def step_trace(rows: np.ndarray):
    """A :class:`~schedopt.serving.result.StepTrace` from :meth:`Engine.trace_rows`."""
    from .result import StepTrace

    start, duration, used, running, waiting, prefill, decode, peak = rows
    return StepTrace(
        start=start,
        duration=duration,
        used_blocks=used.astype(np.int64),
        running=running.astype(np.int64),
        waiting=waiting.astype(np.int64),
        prefill_tokens=prefill.astype(np.int64),
        decode_tokens=decode.astype(np.int64),
        peak_tokens=peak,
    )
