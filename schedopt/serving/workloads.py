"""Request-length distributions and workloads (request sources) for the serving simulator.

Length distributions draw ``(prompt, output)`` token counts and state the ``max_new_tokens`` cap a
planner may reserve:

* :func:`uniform_lengths` and the three mixes of the Past-Future paper (Gong et al., "Past-Future
  Scheduler for LLM Serving under SLA Guarantees", ASPLOS 2025; artifact WuSiYu/lightllm-ae,
  ``behavior-analysis/scheduler_*_dist1-3.py``): :func:`dist1` decode-heavy, :func:`dist2` balanced,
  :func:`dist3` prefill-heavy;
* :func:`empirical_lengths`, resampling the rows of a trace (:mod:`schedopt.serving.traces`: the Azure
  conversation/code traces of Splitwise, the ShareGPT and arXiv length statistics of Sarathi-Serve/Vidur).

Workloads implement :class:`schedopt.serving.policies.Workload`: :class:`Batch` (all requests at time 0,
the Past-Future behaviour simulation), :class:`ClosedLoop` (N clients, the Past-Future AE clients),
:class:`Poisson` (open loop) and :class:`TraceReplay`. :func:`workload` and :func:`lengths` build them
by name.

Every random draw comes from the ``rng`` handed to ``start``: a workload is deterministic given it, and
the lengths of the ``k``-th request do not depend on the scheduler (closed-loop lengths are drawn at
``start``), so planners compared on the same seed see the same requests.
"""

from __future__ import annotations

import inspect
import math
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from ..errors import OptionError, _suggestion
from .metrics import SLA
from .request import Request, RequestRecord
from .traces import TRACES, read_trace

__all__ = [
    "WORKLOADS",
    "Batch",
    "ClosedLoop",
    "ContextCap",
    "EmpiricalLengths",
    "ExactCap",
    "LengthDistribution",
    "Poisson",
    "TraceReplay",
    "UniformLengths",
    "dist1",
    "dist2",
    "dist3",
    "empirical_lengths",
    "lengths",
    "uniform_lengths",
    "workload",
]

# ----------------------------------------------------------------------------------------------------------
# Length distributions


@runtime_checkable
class LengthDistribution(Protocol):
    """Draws request lengths.

    Every request's ``max_new_tokens`` is the distribution's ``max_new_tokens``, unless the
    distribution also has ``caps(prompt, output) -> int64 array`` giving each request its own cap
    (:class:`ContextCap`, :class:`ExactCap`).
    """

    name: str
    max_new_tokens: int

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` prompt lengths and ``n`` output lengths (int64 arrays, all ``>= 1``, outputs
        ``<= max_new_tokens``)."""


def _check_n(n: int, what: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"{what} must be an integer >= 0, got {n!r}")
    return int(n)


@dataclass(frozen=True)
class UniformLengths:
    """Prompt and output lengths independent and uniform on inclusive integer ranges.

    Attributes
    ----------
    prompt
        ``(low, high)``: prompt lengths uniform on ``{low, ..., high}``.
    output
        ``(low, high)``: output lengths uniform on ``{low, ..., high}``.
    max_new_tokens
        The cap a planner may reserve, ``>= output[1]`` (the upper output bound by default).
    name
        Label (becomes the requests' ``tag``).
    """

    prompt: tuple[int, int]
    output: tuple[int, int]
    max_new_tokens: int
    name: str = "uniform"

    def __post_init__(self) -> None:
        for what, (lo, hi) in (("prompt", self.prompt), ("output", self.output)):
            if not (1 <= lo <= hi):
                raise ValueError(
                    f"uniform lengths: {what} range must satisfy 1 <= low <= high, got {(lo, hi)}"
                )
        if self.max_new_tokens < self.output[1]:
            raise ValueError(
                f"uniform lengths: max_new_tokens ({self.max_new_tokens}) is below the largest output "
                f"length ({self.output[1]})"
            )

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Prompt then output lengths, ``rng.integers(low, high + 1)`` each."""
        n = _check_n(n)
        prompt = rng.integers(self.prompt[0], self.prompt[1] + 1, size=n, dtype=np.int64)
        output = rng.integers(self.output[0], self.output[1] + 1, size=n, dtype=np.int64)
        return prompt, output


def uniform_lengths(
    prompt: tuple[int, int],
    output: tuple[int, int],
    *,
    max_new_tokens: int | None = None,
    name: str = "uniform",
) -> UniformLengths:
    """Independent uniform prompt and output lengths on inclusive integer ranges.

    ``max_new_tokens`` defaults to the upper output bound ``output[1]``.
    """
    prompt = (int(prompt[0]), int(prompt[1]))
    output = (int(output[0]), int(output[1]))
    cap = output[1] if max_new_tokens is None else int(max_new_tokens)
    return UniformLengths(prompt, output, cap, name)


def dist1() -> UniformLengths:
    """Dist-1, decode-heavy (Past-Future AE): prompt U[32, 4096], output U[2048, 4096]; cap 4096."""
    return uniform_lengths((32, 4096), (2048, 4096), name="dist-1")


def dist2() -> UniformLengths:
    """Dist-2, balanced (Past-Future AE): prompt and output U[3000, 5000]; cap 5000."""
    return uniform_lengths((3000, 5000), (3000, 5000), name="dist-2")


def dist3() -> UniformLengths:
    """Dist-3, prefill-heavy (Past-Future AE): prompt U[2048, 4096], output U[32, 4096]; cap 4096."""
    return uniform_lengths((2048, 4096), (32, 4096), name="dist-3")


@dataclass(frozen=True, eq=False)
class EmpiricalLengths:
    """Resamples ``(prompt, output)`` pairs jointly, with replacement, from observed requests.

    Attributes
    ----------
    prompt, output
        The observed lengths (int64, equal length, ``>= 1``); outputs above ``max_new_tokens`` were
        cut to it (generation stops at the cap).
    max_new_tokens
        The cap a planner may reserve.
    name
        Label (becomes the requests' ``tag``).
    """

    prompt: np.ndarray = field(repr=False)
    output: np.ndarray = field(repr=False)
    max_new_tokens: int
    name: str = "empirical"

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` rows drawn uniformly with replacement (``rng.integers(0, len)``)."""
        idx = rng.integers(0, self.prompt.shape[0], size=_check_n(n))
        return self.prompt[idx], self.output[idx]


def _trace_frame(trace: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """A trace as a DataFrame (validated columns) and its label."""
    if isinstance(trace, pd.DataFrame):
        missing = [c for c in ("prompt_tokens", "output_tokens") if c not in trace.columns]
        if missing:
            raise ValueError(
                f"trace DataFrame lacks column(s) {', '.join(missing)}; "
                f"found {', '.join(map(str, trace.columns))}"
            )
        for c in ("prompt_tokens", "output_tokens"):
            values = pd.to_numeric(trace[c], errors="coerce").to_numpy(dtype=np.float64)
            bad = ~((values >= 1) & (values == np.floor(values)))  # NaN (missing, text) is bad too
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ValueError(
                    f"trace DataFrame row {row}, column {c!r}: {trace[c].iloc[row]!r} is not an integer >= 1"
                )
        label = trace.attrs.get("name") or (
            Path(trace.attrs["path"]).stem if "path" in trace.attrs else "trace"
        )
        return trace, str(label)
    label = str(trace) if str(trace) in TRACES and not Path(trace).exists() else Path(trace).stem
    return read_trace(trace), label


def _cap(output: np.ndarray, max_new_tokens: int | None) -> tuple[np.ndarray, int]:
    """Outputs cut to ``max_new_tokens`` (default: the largest output) and the cap."""
    cap = int(output.max()) if max_new_tokens is None else int(max_new_tokens)
    if cap < 1:
        raise ValueError(f"max_new_tokens must be >= 1, got {max_new_tokens!r}")
    return np.minimum(output, cap), cap


def empirical_lengths(
    trace: str | Path | pd.DataFrame, *, max_new_tokens: int | None = None, name: str | None = None
) -> EmpiricalLengths:
    """Lengths resampled jointly from a trace's ``(prompt_tokens, output_tokens)`` rows.

    Parameters
    ----------
    trace
        A trace name (:data:`schedopt.serving.traces.TRACES`), a file
        (:func:`~schedopt.serving.traces.read_trace`) or a DataFrame with ``prompt_tokens`` and
        ``output_tokens`` columns.
    max_new_tokens
        The cap planners see; ``None`` = the largest output in the data. Outputs above the cap are cut
        to it (as a server stops generating at ``max_new_tokens``).
    name
        Label; defaults to the trace name or the file's stem.
    """
    df, label = _trace_frame(trace)
    if len(df) == 0:
        raise ValueError(f"trace {label!r} has no rows")
    prompt = df["prompt_tokens"].to_numpy(dtype=np.int64).copy()
    output, cap = _cap(df["output_tokens"].to_numpy(dtype=np.int64), max_new_tokens)
    prompt.flags.writeable = False
    output.flags.writeable = False
    return EmpiricalLengths(prompt, output, cap, name or label)


_LENGTHS = {"dist-1": dist1, "dist-2": dist2, "dist-3": dist3}


def lengths(name: str, **options) -> LengthDistribution:
    """A length distribution by name.

    ``"dist-1"``, ``"dist-2"``, ``"dist-3"`` (:func:`dist1`, ... ; no options) or a trace name
    (``"azure-conv"``, ``"azure-code"``, ``"sharegpt"``, ``"arxiv"``: :func:`empirical_lengths`, option
    ``max_new_tokens``). A suffix ``@ctx<T>`` (``"dist-1@ctx18000"``) wraps it in :class:`ContextCap`:
    each request's ``max_new_tokens`` is then ``T - prompt``, as a server with a ``T``-token context
    sets it when the client gives none. A suffix ``@exact`` (``"dist-1@exact"``) wraps it in
    :class:`ExactCap`: each request's cap is its true output length, as a benchmark client that sends
    ``max_tokens`` = the dataset's length with ``ignore_eos`` sets it.

    Raises
    ------
    ValueError
        Unknown name (the message lists the known ones).
    schedopt.errors.OptionError
        An option the distribution does not take.
    """
    if name.endswith("@exact"):
        return ExactCap(lengths(name[: -len("@exact")], **options))
    base, sep, window = name.partition("@ctx")
    if sep:
        if not window.isdigit():
            raise ValueError(f"length distribution {name!r}: '@ctx' must be followed by a token count")
        return ContextCap(lengths(base, **options), int(window))
    if name in _LENGTHS:
        for key in options:
            raise OptionError(
                name, key, message=f"length distribution {name!r} takes no options, got {key!r}"
            )
        return _LENGTHS[name]()
    if name in TRACES:
        for key in options:
            if key != "max_new_tokens":
                raise OptionError(
                    name,
                    key,
                    {"max_new_tokens": None},
                    message=f"length distribution {name!r} has no option {key!r}; valid: max_new_tokens=None",
                )
        return empirical_lengths(name, **options)
    raise ValueError(f"unknown length distribution {name!r}; known: {', '.join([*_LENGTHS, *TRACES])}")


def _as_lengths(dist: LengthDistribution | str) -> LengthDistribution:
    if isinstance(dist, str):
        return lengths(dist)
    if not (hasattr(dist, "sample") and hasattr(dist, "max_new_tokens")):
        raise ValueError(f"lengths must be a length distribution or its name, got {dist!r}")
    return dist


@dataclass(frozen=True)
class ContextCap:
    """A length distribution whose requests carry no output cap of their own: each request's
    ``max_new_tokens`` is what the context window leaves, ``max_total_tokens - prompt``.

    This is what a server does when the client gives no ``max_tokens`` (vLLM's default is
    ``max_model_len - prompt``; the Past-Future artifact's LightLLM server was run with
    ``max_req_total_len`` 18,000). The requests' true lengths are those of ``inner``; a request whose
    prompt and output exceed the window keeps its true output as its cap.

    Attributes
    ----------
    inner
        The length distribution.
    max_total_tokens
        The context window (prompt + output tokens).
    """

    inner: LengthDistribution
    max_total_tokens: int

    def __post_init__(self) -> None:
        if not (hasattr(self.inner, "sample") and hasattr(self.inner, "max_new_tokens")):
            raise ValueError(f"ContextCap: inner must be a length distribution, got {self.inner!r}")
        if not (isinstance(self.max_total_tokens, (int, np.integer)) and self.max_total_tokens >= 2):
            raise ValueError(f"max_total_tokens must be an integer >= 2, got {self.max_total_tokens!r}")

    @property
    def name(self) -> str:
        """``<inner name>@ctx<max_total_tokens>``."""
        return f"{getattr(self.inner, 'name', 'lengths')}@ctx{self.max_total_tokens}"

    @property
    def max_new_tokens(self) -> int:
        """The largest cap any request can get."""
        return max(int(self.max_total_tokens) - 1, int(self.inner.max_new_tokens))

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        return self.inner.sample(rng, n)

    def caps(self, prompt: np.ndarray, output: np.ndarray) -> np.ndarray:
        """Each request's cap: ``max(max_total_tokens - prompt, output)``."""
        return np.maximum(
            int(self.max_total_tokens) - np.asarray(prompt, np.int64), np.asarray(output, np.int64)
        )


@dataclass(frozen=True)
class ExactCap:
    """A length distribution whose requests each carry their true output length as their cap:
    ``max_new_tokens = output_tokens``.

    This is the benchmark client that sends ``ignore_eos=True, max_tokens=<the dataset's output
    length>`` (vLLM's ``benchmark_serving``; the Past-Future artifact's client in its
    ``known_output_len`` mode, whose servers then reserve, and sample up to, the true length). With it
    ``conservative`` reserves exactly what each request will use, summed over the batch.

    Attributes
    ----------
    inner
        The length distribution.
    """

    inner: LengthDistribution

    def __post_init__(self) -> None:
        if not (hasattr(self.inner, "sample") and hasattr(self.inner, "max_new_tokens")):
            raise ValueError(f"ExactCap: inner must be a length distribution, got {self.inner!r}")

    @property
    def name(self) -> str:
        """``<inner name>@exact``."""
        return f"{getattr(self.inner, 'name', 'lengths')}@exact"

    @property
    def max_new_tokens(self) -> int:
        """The largest cap any request can get (the inner distribution's)."""
        return int(self.inner.max_new_tokens)

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        return self.inner.sample(rng, n)

    def caps(self, prompt: np.ndarray, output: np.ndarray) -> np.ndarray:
        """Each request's cap: its true output length."""
        return np.asarray(output, np.int64)


def _requests(
    dist: LengthDistribution,
    prompt: np.ndarray,
    output: np.ndarray,
    arrival: np.ndarray,
    first_id: int = 0,
    client: np.ndarray | None = None,
) -> list[Request]:
    per_request = getattr(dist, "caps", None)  # a distribution may cap each request (ContextCap, ExactCap)
    if per_request is None:
        caps = np.full(len(prompt), int(dist.max_new_tokens), np.int64)
    else:
        caps = per_request(prompt, output)
    tag = str(getattr(dist, "name", ""))
    return [
        Request(
            id=first_id + k,
            arrival=float(arrival[k]),
            prompt_tokens=int(prompt[k]),
            output_tokens=int(output[k]),
            max_new_tokens=int(caps[k]),
            client=-1 if client is None else int(client[k]),
            tag=tag,
        )
        for k in range(len(prompt))
    ]


# ----------------------------------------------------------------------------------------------------------
# Workloads


@dataclass
class Batch:
    """``n`` requests all arriving at time 0 (the Past-Future behaviour simulation, docs §1.7).

    Parameters
    ----------
    lengths
        A length distribution or its name (:func:`lengths`).
    n
        Number of requests (ids ``0 .. n-1``).
    """

    lengths: LengthDistribution | str
    n: int

    def __post_init__(self) -> None:
        self.lengths = _as_lengths(self.lengths)
        self.n = _check_n(self.n)

    def start(self, rng: np.random.Generator) -> list[Request]:
        prompt, output = self.lengths.sample(rng, self.n)
        return _requests(self.lengths, prompt, output, np.zeros(self.n))

    def on_finish(self, record: RequestRecord, now: float, rng: np.random.Generator) -> list[Request]:
        return []


@dataclass
class ClosedLoop:
    """``clients`` clients, each sending its next request when its previous one ends.

    The Past-Future AE load (``benchmark_serving_overload_*.py``: N client threads over one queue of
    prompts). At time 0 the first ``min(clients, n)`` prompts go out, client ``i`` sending prompt
    ``i``; when a request ends at ``now`` (finished, or dropped by the engine's
    ``abort_waiting_after``), its client sends the next prompt of the queue at ``now + think_time``.
    So at most ``clients`` requests are outstanding at any time.

    Parameters
    ----------
    lengths
        A length distribution or its name; all ``n`` lengths are drawn at :meth:`start` (prompt ``k``
        has the same lengths whatever the scheduler does).
    clients
        Number of concurrent clients, ``>= 1``.
    n
        Number of prompts.
    think_time
        Seconds between the end of a request and the client's next request (constant, ``>= 0``).
    resubmit
        ``None`` (default): every prompt is sent once; a dropped or SLA-failed request is lost and the
        run ends after ``n`` requests. An :class:`~schedopt.serving.metrics.SLA`: the AE client's
        ``--re-adding-failed-reqs`` — a request dropped by the engine, or finished but failing this
        SLA (:meth:`SLA.good`), puts its prompt back at the **tail** of the queue, to be sent again
        as a new request (a new id, ``n, n+1, ...`` in order of resubmission); the run ends when every
        prompt has succeeded once or been given up (``max_failures``). With ``n`` prompts of
        ``p_k + o_k`` tokens that all succeed by time ``T``, the goodput of
        :func:`~schedopt.serving.metrics.summarize` is ``Σ_k (p_k + o_k) / T``, the AE client's
        "overall token throughput" (failed attempts count in ``T`` only).
    max_failures
        With ``resubmit``: a prompt whose requests *finished* outside the SLA this many times is not
        sent again (it is listed in :attr:`given_up`), so a prompt that can never meet the SLA (say, a
        prefill longer than the TTFT bound) cannot keep a run going for ever. Drops by the engine do
        not count: under overload a prompt may be dropped many times before it is admitted, and the
        AE client re-adds it every time (so under heavy overload a run may see many drops per
        prompt). ``>= 1``.

    Attributes
    ----------
    given_up
        The prompts given up after ``max_failures`` failed finishes, in order (reset by :meth:`start`).
    """

    lengths: LengthDistribution | str
    clients: int
    n: int
    think_time: float = 0.0
    resubmit: SLA | None = None
    max_failures: int = 100
    _prompt: np.ndarray = field(default=None, init=False, repr=False)
    _output: np.ndarray = field(default=None, init=False, repr=False)
    _queue: deque = field(default=None, init=False, repr=False)
    _prompt_of: dict = field(default=None, init=False, repr=False)
    _next_id: int = field(default=0, init=False, repr=False)
    _first_sends: int = field(default=0, init=False, repr=False)
    _failures: np.ndarray = field(default=None, init=False, repr=False)
    given_up: list[int] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        self.lengths = _as_lengths(self.lengths)
        self.n = _check_n(self.n)
        if _check_n(self.clients, "clients") < 1:
            raise ValueError(f"clients must be >= 1, got {self.clients}")
        self.clients = int(self.clients)
        if not (math.isfinite(self.think_time) and self.think_time >= 0):
            raise ValueError(f"think_time must be a finite number >= 0, got {self.think_time!r}")
        self.think_time = float(self.think_time)
        if self.resubmit is not None and not isinstance(self.resubmit, SLA):
            raise ValueError(f"resubmit must be None or an SLA, got {self.resubmit!r}")
        if isinstance(self.max_failures, bool) or not isinstance(self.max_failures, (int, np.integer)):
            raise ValueError(f"max_failures must be an integer >= 1, got {self.max_failures!r}")
        if self.max_failures < 1:
            raise ValueError(f"max_failures must be an integer >= 1, got {self.max_failures!r}")
        self.max_failures = int(self.max_failures)

    def start(self, rng: np.random.Generator) -> list[Request]:
        self._prompt, self._output = self.lengths.sample(rng, self.n)
        k = min(self.clients, self.n)
        self._queue = deque(range(k, self.n))
        self._prompt_of = {i: i for i in range(k)}
        self._next_id = self.n
        self._first_sends = k
        self._failures = np.zeros(self.n, np.int64)
        self.given_up = []
        idx = np.arange(k)
        return _requests(self.lengths, self._prompt[:k], self._output[:k], np.zeros(k), 0, idx)

    def on_finish(self, record: RequestRecord, now: float, rng: np.random.Generator) -> list[Request]:
        if self._prompt is None:
            raise RuntimeError("ClosedLoop.on_finish called before start")
        failed = self.resubmit is not None and not self.resubmit.good(record)
        if failed:
            self._failures[self._prompt_of[record.request.id]] += 1
        return self._next(record.request, now, failed)

    def on_abort(self, request: Request, now: float, rng: np.random.Generator) -> list[Request]:
        """The client of a dropped request sends the next prompt, after putting the dropped one back
        at the tail of the queue when ``resubmit`` is set (the AE client's re-adding)."""
        if self._prompt is None:
            raise RuntimeError("ClosedLoop.on_abort called before start")
        return self._next(request, now, self.resubmit is not None)

    def prompt_of(self, request_id: int) -> int:
        """The prompt (``0 .. n-1``) a request sent by this workload carries."""
        if self._prompt_of is None:
            raise RuntimeError("ClosedLoop.prompt_of called before start")
        return self._prompt_of[request_id]

    def _next(self, ended: Request, now: float, failed: bool) -> list[Request]:
        prompt = self._prompt_of[ended.id]
        if failed:
            if self._failures[prompt] < self.max_failures:
                self._queue.append(prompt)
            else:
                self.given_up.append(prompt)
        if not self._queue:
            return []
        k = self._queue.popleft()
        rid = self._new_id(k)
        self._prompt_of[rid] = k
        return _requests(
            self.lengths,
            self._prompt[k : k + 1],
            self._output[k : k + 1],
            np.array([now + self.think_time]),
            rid,
            np.array([ended.client]),
        )

    def _new_id(self, prompt: int) -> int:
        """Prompt ``k``'s first request has id ``k``; a resubmission takes the next id from ``n`` on."""
        if prompt >= self._first_sends:  # unsent prompts leave the queue in index order, before any retry
            self._first_sends = prompt + 1
            return prompt
        rid = self._next_id
        self._next_id += 1
        return rid


def _poisson_arrivals(rng: np.random.Generator, rate: float, n: int) -> np.ndarray:
    """Arrival times of a Poisson process of ``rate`` per second: cumulative exponential gaps."""
    return np.cumsum(rng.exponential(1.0 / rate, size=n))


def _check_rate(rate: float) -> float:
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)):
        raise ValueError(f"rate must be a number of requests per second, got {rate!r}")
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a finite number > 0 (requests per second), got {rate!r}")
    return float(rate)


@dataclass
class Poisson:
    """Open loop: ``n`` requests with exponential inter-arrival times of mean ``1 / rate``.

    The first request arrives after one exponential gap (a Poisson process started at time 0).
    Lengths are drawn first, then the gaps, from the ``start`` rng.
    """

    lengths: LengthDistribution | str
    rate: float
    n: int

    def __post_init__(self) -> None:
        self.lengths = _as_lengths(self.lengths)
        self.rate = _check_rate(self.rate)
        self.n = _check_n(self.n)

    def start(self, rng: np.random.Generator) -> list[Request]:
        prompt, output = self.lengths.sample(rng, self.n)
        return _requests(self.lengths, prompt, output, _poisson_arrivals(rng, self.rate, self.n))

    def on_finish(self, record: RequestRecord, now: float, rng: np.random.Generator) -> list[Request]:
        return []


@dataclass(repr=False)
class TraceReplay:
    """Replays a trace: its requests, in order, at its arrival times.

    Parameters
    ----------
    trace
        A trace name (``"azure-conv"``, ...), a file or a DataFrame from
        :func:`~schedopt.serving.traces.read_trace`.
    time_scale
        Multiplies the trace's arrival times (0.5 replays twice as fast: twice the load).
    limit
        Replay only the first ``limit`` requests.
    max_new_tokens
        The cap planners see; ``None`` = the largest output among the replayed requests. Outputs above
        it are cut to it.
    rate
        Replace the arrival times by a Poisson process of this many requests per second (drawn from the
        ``start`` rng); required for traces without timestamps (ShareGPT, arXiv).
    """

    trace: str | Path | pd.DataFrame = field(repr=False)
    time_scale: float = 1.0
    limit: int | None = None
    max_new_tokens: int | None = None
    rate: float | None = None
    _prompt: np.ndarray = field(default=None, init=False, repr=False)
    _output: np.ndarray = field(default=None, init=False, repr=False)
    _arrival: np.ndarray = field(default=None, init=False, repr=False)
    _dist: EmpiricalLengths = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        df, label = _trace_frame(self.trace)
        if self.limit is not None:
            df = df.iloc[: _check_n(self.limit, "limit")]
        if len(df) == 0:
            raise ValueError(
                f"trace {label!r}: nothing to replay (no rows{'' if self.limit is None else ' within limit'})"
            )
        if not (math.isfinite(self.time_scale) and self.time_scale > 0):
            raise ValueError(f"time_scale must be a finite number > 0, got {self.time_scale!r}")
        arrival = (
            df["arrival"].to_numpy(dtype=np.float64) if "arrival" in df.columns else np.full(len(df), np.nan)
        )
        if self.rate is not None:
            self.rate = _check_rate(self.rate)
            if self.time_scale != 1.0:
                raise ValueError(
                    "give either rate (Poisson arrivals) or time_scale (scaled trace arrivals), not both"
                )
        elif np.isnan(arrival).any():
            raise ValueError(
                f"trace {label!r} has no arrival times; give rate= (requests per second) to replay it with "
                f"Poisson arrivals"
            )
        else:
            if not (np.all(np.isfinite(arrival)) and np.all(np.diff(arrival) >= 0)):
                raise ValueError(f"trace {label!r}: arrival times must be finite and non-decreasing")
            arrival = (arrival - arrival[0]) * self.time_scale
        self._prompt = df["prompt_tokens"].to_numpy(dtype=np.int64).copy()
        self._output, cap = _cap(df["output_tokens"].to_numpy(dtype=np.int64), self.max_new_tokens)
        self._arrival = arrival
        self._dist = EmpiricalLengths(self._prompt, self._output, cap, label)

    def __repr__(self) -> str:
        return (
            f"TraceReplay(trace={self._dist.name!r}, n={self.n}, time_scale={self.time_scale}, "
            f"limit={self.limit}, max_new_tokens={self._dist.max_new_tokens}, rate={self.rate})"
        )

    @property
    def n(self) -> int:
        """Number of requests replayed."""
        return int(self._prompt.shape[0])

    def start(self, rng: np.random.Generator) -> list[Request]:
        arrival = self._arrival if self.rate is None else _poisson_arrivals(rng, self.rate, self.n)
        return _requests(self._dist, self._prompt, self._output, arrival)

    def on_finish(self, record: RequestRecord, now: float, rng: np.random.Generator) -> list[Request]:
        return []


#: Workload names -> classes for :func:`workload`.
WORKLOADS: dict[str, type] = {"batch": Batch, "closed": ClosedLoop, "poisson": Poisson, "trace": TraceReplay}


def workload(name: str, **options):
    """A workload by name, with its constructor's keyword options.

    ``"batch"`` (:class:`Batch`: ``lengths``, ``n``), ``"closed"`` (:class:`ClosedLoop`: ``lengths``,
    ``clients``, ``n``, ``think_time``, ``resubmit``, ``max_failures``), ``"poisson"``
    (:class:`Poisson`: ``lengths``, ``rate``, ``n``), ``"trace"`` (:class:`TraceReplay`: ``trace``,
    ``time_scale``, ``limit``, ``max_new_tokens``, ``rate``).
    ``lengths`` may be a distribution or a name for :func:`lengths`.

    Raises
    ------
    ValueError
        Unknown name (the message lists the known ones) or a bad option value.
    schedopt.errors.OptionError
        An option the workload does not take, or a required option left out.
    """
    if name not in WORKLOADS:
        raise ValueError(f"unknown workload {name!r}; known workloads: {', '.join(WORKLOADS)}")
    cls = WORKLOADS[name]
    params = {
        p.name: (p.default if p.default is not inspect.Parameter.empty else _REQUIRED)
        for p in inspect.signature(cls).parameters.values()
    }
    listed = ", ".join(k if v is _REQUIRED else f"{k}={v!r}" for k, v in params.items())
    for key in options:
        if key not in params:
            raise OptionError(
                name,
                key,
                params,
                message=f"workload {name!r} has no option {key!r}; {_suggestion(key, list(params))}"
                f"valid options (with defaults): {listed}",
            )
    for key, default in params.items():
        if default is _REQUIRED and key not in options:
            raise OptionError(
                name, key, params, message=f"workload {name!r} needs option {key!r}; options: {listed}"
            )
    return cls(**options)


_REQUIRED = object()
