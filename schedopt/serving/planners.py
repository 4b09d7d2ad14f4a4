"""Admission planners: which waiting request may join the running batch.

Four :class:`~schedopt.serving.policies.AdmissionPlanner` implementations (docs
``llm_serving.md`` §1 and §3):

* :class:`Aggressive` — vLLM's block watermark rule: admit while the prompt's blocks fit and
  1 % of the blocks stays free. Under-estimates future growth, so it evicts.
* :class:`Conservative` — reserve ``prompt + max_new_tokens`` for every request. Never evicts,
  queues a lot.
* :class:`PastFuture` — Gong et al., "Past-Future Scheduler for LLM Serving under SLA
  Guarantees" (ASPLOS'25, arXiv 2507.10150): the future KV peak of the batch with remaining
  lengths sampled from a sliding window of past output lengths, max over a few Monte-Carlo copies.
* :class:`Oracle` — the same peak with the true remaining lengths (the paper's "theoretical
  optimum"). It never evicts as long as every running request yields a token each step; chunked
  prefill under a small budget and prefill-first steps break that assumption (see "Chunked
  prefill"), and ``pad_tokens`` then restores the guarantee.

Block granularity
-----------------
The engine allocates ``ceil(tokens / block_size)`` blocks per request. The peak-based planners
(:class:`PastFuture`, :class:`Oracle`) therefore compare the **exact block-granular** future peak
``max_t sum_{live i} ceil((a_i + t) / B)`` (times ``B``, in tokens) with the capacity, not the
token peak of the paper (which can be below the block peak by up to ``B - 1`` tokens per live
request). With the true lengths the oracle's decision is thus exact: it admits iff, without
further admissions, no future decode step lacks a block (assuming the engine holds
``prompt + generated`` tokens per request, the last generated token included, and every running
request yields a token each step; see "Chunked prefill").
:class:`Conservative` reserves ``ceil((prompt + max_new) / B)`` blocks per request for the same
reason. The token peak itself is :func:`future_peak`.

Chunked prefill
---------------
The peak assumes that every running request yields one token per step from now on. A request whose
prompt is prefilled in several chunks (chunked prefill under a small token budget) starts growing a
few steps later, so it stays alive a few steps longer than the formula assumes and the oracle can,
rarely, over-admit (seen: 1 eviction among 300 Dist-3 requests with a 2,048-token step budget and an
admission round every step; none with the 8,192 default; ``pad_tokens=1`` removed it). In
prefill-first mode the decoding requests pause while prompts are prefilled, which delays them in the
same way, and more (a review measured 1–4 % evictions on Dist-1/2/3 with ``pad_tokens=0`` in
prefill-first mode); a budget below the batch size also delays decodes. ``pad_tokens = p`` adds
``p`` to every remaining length: a valid upper bound whenever no request falls more than ``p`` steps
behind the one-token-per-step schedule (it then holds at most ``a + t`` tokens at step ``t`` and is
gone after step ``b + p``). LightLLM pads the same way (``ADDED_OUTPUT_LEN``). :class:`Conservative`
is not affected (it reserves whole lifetimes).

Idle instances
--------------
With ``admit_if_idle=True`` (default, all planners) a candidate offered to an empty batch is
always admitted: nothing would change while the instance is idle, so a refusal would stall it
forever (e.g. a ``max_new_tokens`` above the capacity under :class:`Conservative`). The engine
still checks that the prompt physically fits.

Use :func:`planner` to build one by name (``PLANNERS``).
"""

from __future__ import annotations

import inspect
import math
from abc import ABC, abstractmethod
from collections import deque
from typing import Any, ClassVar

import numpy as np

import schedopt.serving._planner_kernels as _k  # a module, not the package: no import cycle

from ..errors import OptionError, _suggestion
from .policies import BatchView
from .request import Request

__all__ = ["PLANNERS", "Aggressive", "Conservative", "Oracle", "PastFuture", "future_peak", "planner"]


def future_peak(held: Any, remaining: Any, block_size: int = 1) -> int:
    """Future peak of KV tokens of a batch without new admissions (docs §1.2).

    ``P = max_k (sum_{j<=k} a_(j) + k * b_(k))`` with the requests sorted by remaining tokens ``b``
    descending; with ``block_size = B > 1`` the block-granular peak
    ``B * max_k sum_{j<=k} ceil((a_(j) + b_(k)) / B)``. Each step every live request grows by
    one token; a request's ``a + b`` tokens are freed right after its last token.

    Parameters
    ----------
    held
        Tokens each request holds now (``a``: prompt + generated), non-negative integers.
    remaining
        Tokens each request will still generate (``b``), non-negative integers, same length.
    block_size
        KV block size in tokens (1: token granularity).

    Returns
    -------
    int
        The peak in tokens (a multiple of ``block_size``); 0 for an empty batch.
    """
    a = _int_array(held, "held")
    b = _int_array(remaining, "remaining")
    if a.shape != b.shape:
        raise ValueError(f"held and remaining differ in length: {a.shape[0]} vs {b.shape[0]}")
    if not (isinstance(block_size, (int, np.integer)) and block_size >= 1):
        raise ValueError(f"block_size must be an integer >= 1, got {block_size!r}")
    if block_size == 1:
        return int(_k.future_peak(a, b))
    return int(_k.future_peak_blocks(a, b, int(block_size))) * int(block_size)


def _int_array(values: Any, field: str) -> np.ndarray:
    """``values`` as a 1-D non-negative int64 array, or a ``ValueError`` naming ``field``."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{field} must be one-dimensional, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        as_int = arr.astype(np.int64)
        if not np.array_equal(as_int, arr):
            raise ValueError(f"{field} must hold integers, got {arr.dtype}")
        arr = as_int
    arr = arr.astype(np.int64, copy=False)
    if arr.size and arr.min() < 0:
        i = int(np.argmin(arr))
        raise ValueError(f"{field}[{i}] is negative ({arr[i]})")
    return arr


def _ceil_div(x: np.ndarray | int, b: int) -> np.ndarray | int:
    return -(-x // b)


def _token_limit(capacity_tokens: int, reserve: float) -> int:
    """``floor((1 - reserve) * capacity)`` robust to float noise (0.95 * 1000 is 950)."""
    return math.floor(capacity_tokens * (1.0 - reserve) + 1e-9)


class _Planner(ABC):
    """Shared plumbing: option checks, the idle rule, ``reset``/``record_finish`` defaults."""

    name: ClassVar[str] = ""

    def __init__(self, *, admit_if_idle: bool = True) -> None:
        self.admit_if_idle = bool(admit_if_idle)
        self.capacity_tokens = 0
        self.rng = np.random.default_rng(0)

    def _bad(self, option: str, message: str) -> OptionError:
        return OptionError(
            self.name, option, _defaults(type(self)), message=f"planner {self.name!r}: {message}"
        )

    def _check_fraction(self, option: str, value: float, *, upper_open: bool = True) -> float:
        v = float(value)
        ok = 0.0 <= v < 1.0 if upper_open else 0.0 <= v <= 1.0
        if not ok:
            bound = "[0, 1)" if upper_open else "[0, 1]"
            raise self._bad(option, f"{option} must lie in {bound}, got {value!r}")
        return v

    def _check_int(self, option: str, value: Any, low: int) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise self._bad(option, f"{option} must be an integer >= {low}, got {value!r}")
        return int(value)

    def reset(self, capacity_tokens: int, rng: np.random.Generator) -> None:
        """Start a new simulation with this KV capacity and random stream."""
        self.capacity_tokens = int(capacity_tokens)
        self.rng = rng

    def record_finish(self, request: Request, generated: int) -> None:  # noqa: B027 - a hook, no-op by default
        """A request finished (only :class:`PastFuture` keeps a history)."""

    def admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        """Whether ``candidate`` (``generated`` tokens out before an eviction) may join ``view``."""
        if self.admit_if_idle and len(view.held) == 0:
            return True
        return self._admit(view, candidate, int(generated))

    @abstractmethod
    def _admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        """The planner's own rule (``admit`` handles the idle case first)."""

    def options(self) -> dict[str, Any]:
        """The planner's options and their current values."""
        return {k: getattr(self, k) for k in _defaults(type(self))}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.options().items())})"


class Aggressive(_Planner):
    """vLLM (V0) block-manager admission with a free-block watermark (docs §3).

    Admit iff ``free_blocks - need >= int(watermark * total_blocks)`` where
    ``need = ceil((prompt + generated + 1) / block_size)`` are the blocks the engine reserves at
    admission (the prompt and the token its prefill yields),
    ``free_blocks = (capacity - used) // block_size`` and
    ``total_blocks = capacity // block_size`` (vLLM truncates the watermark to whole blocks).
    Future growth is ignored, so decode steps later run out of blocks and evict.

    Deviation: the AE "aggressive" baseline of the paper (used KV < 95 % and used + prompt <
    capacity) is not this rule; vLLM's is the one users meet.

    Parameters
    ----------
    watermark
        Fraction of all blocks that must stay free after the admission, in ``[0, 1)``.
    admit_if_idle
        Always admit into an empty batch (see the module docstring).
    """

    name: ClassVar[str] = "aggressive"

    def __init__(self, *, watermark: float = 0.01, admit_if_idle: bool = True) -> None:
        super().__init__(admit_if_idle=admit_if_idle)
        self.watermark = self._check_fraction("watermark", watermark)

    def _admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        bs = view.block_size
        total = view.capacity_tokens // bs
        free = (view.capacity_tokens - view.used_tokens) // bs
        need = _ceil_div(candidate.prompt_tokens + generated + 1, bs)
        return free - need >= int(self.watermark * total)


class Conservative(_Planner):
    """Reserve ``prompt + max_new_tokens`` for every running request and the candidate (docs §1.5).

    Admit iff ``sum_i ceil((p_i + m_i) / B) + ceil((p_c + m_c) / B) <= capacity // B`` with
    ``p = held - generated`` the prompt (plus tokens generated before an eviction, which
    ``max_new`` also counts, so the reservation is exact), ``m`` = ``max_new_tokens``. A request
    never outgrows its reservation, so this planner never evicts. Deviation: block-granular
    reservations instead of the paper's token sum (the token sum could over-admit by up to
    ``B - 1`` tokens per request).

    Parameters
    ----------
    admit_if_idle
        Always admit into an empty batch (see the module docstring).
    """

    name: ClassVar[str] = "conservative"

    def _admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        bs = view.block_size
        prompts = np.asarray(view.held, np.int64) - np.asarray(view.generated, np.int64)
        running = int(_ceil_div(prompts + np.asarray(view.max_new, np.int64), bs).sum())
        own = _ceil_div(candidate.prompt_tokens + candidate.max_new_tokens, bs)
        return running + own <= view.capacity_tokens // bs


class Oracle(_Planner):
    """The future-peak rule with the true remaining lengths (the paper's "theoretical optimum").

    Admit iff ``B * P_B <= floor((1 - reserve) * capacity)`` where ``P_B`` is the exact
    block-granular future peak (:func:`future_peak`) of the running batch, each request with
    ``a = held`` and ``b = true_remaining``, plus the candidate with
    ``a = prompt + generated`` and ``b = output_tokens - generated``. With ``reserve = 0`` it
    never admits a request that a later decode step would have to evict, as long as every first
    token comes at most ``pad_tokens`` steps late (module docstring, "Chunked prefill").

    Parameters
    ----------
    reserve
        Fraction of the capacity kept free, in ``[0, 1)``.
    pad_tokens
        Added to every remaining length (covers chunked-prefill delays), ``>= 0``.
    admit_if_idle
        Always admit into an empty batch (see the module docstring).

    Attributes
    ----------
    last_peak_tokens
        The peak (tokens, block-granular) computed by the last decision (``-1``: none yet).
    """

    name: ClassVar[str] = "oracle"

    def __init__(self, *, reserve: float = 0.0, pad_tokens: int = 0, admit_if_idle: bool = True) -> None:
        super().__init__(admit_if_idle=admit_if_idle)
        self.reserve = self._check_fraction("reserve", reserve)
        self.pad_tokens = self._check_int("pad_tokens", pad_tokens, 0)
        self.last_peak_tokens = -1

    def _admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        bs = view.block_size
        held = np.append(np.asarray(view.held, np.int64), candidate.prompt_tokens + generated)
        rem = np.append(
            np.asarray(view.true_remaining, np.int64), max(candidate.output_tokens - generated, 0)
        )
        if self.pad_tokens:
            rem = rem + self.pad_tokens
        peak = int(_k.future_peak_blocks(held, rem, bs)) * bs
        self.last_peak_tokens = peak
        return peak <= _token_limit(view.capacity_tokens, self.reserve)


class PastFuture(_Planner):
    """Past-Future admission (Gong et al., ASPLOS'25, docs §1.3–1.4).

    Keeps a sliding window ``H`` of the last ``window`` finished output lengths, pre-filled to
    ``round(warmup_fill * window)`` entries with a prior. For a candidate it builds
    ``copies = min(max_copies, min_samples // n + 1)`` Monte-Carlo copies of the running batch of
    ``n`` requests (``max_copies`` when the batch is empty); in each copy a running request that
    has generated ``d`` tokens gets ``b = L - d`` with ``L`` drawn by the conditional sampler
    (history values ``> d``, ``d`` prepended, ``max_new_tokens`` appended, uniform position,
    linear interpolation; :func:`~schedopt.serving._planner_kernels.conditional_total`), and the
    candidate gets one uniform history element. It admits iff the largest block-granular future
    peak over the copies is ``<= floor((1 - reserve) * capacity)``. Uniforms come from the
    generator given to :meth:`reset`, so a seeded simulation is reproducible.

    Deviations from the paper's code (LightLLM PR #1048, the AE server and CPU simulator):

    * the peak is block-granular and exact (module docstring), compared with ``<=`` (AE: ``<``);
    * the prior defaults to the first candidate's ``max_new_tokens`` (the AE's prior,
      ``max_req_total_len - max_req_input_len``, is likewise the largest allowed output length;
      LightLLM uses ``--router_max_new_token_len`` = 1024);
    * history values above a request's ``max_new_tokens`` are clipped to it, and a running
      request's sampled remaining length is at least 1 (it has not finished yet);
    * the running batch is resampled at every call instead of once per admission round, so a
      request admitted earlier in the same round is sampled conditionally (at its ``d``) rather
      than keeping its first history draw; an empty batch uses ``max_copies`` copies (AE: 1);
    * a preempted candidate (``generated > 0``) is sampled conditionally on ``generated``;
    * LightLLM's safety pad (``ADDED_OUTPUT_LEN``, 6–16 tokens) is the option ``pad_tokens``,
      0 by default as in the AE server and simulator; no paused-request term: the engine frees
      a recomputed request's KV and swapped KV lives on the host.

    Parameters
    ----------
    window
        Length of the history window (200 in LightLLM's PR, 40 in the AE server).
    prior_tokens
        Output length used to pre-fill the window; ``None``: the first candidate's
        ``max_new_tokens``.
    warmup_fill
        Fraction of the window pre-filled with the prior, in ``[0, 1]``.
    max_copies
        Cap on Monte-Carlo copies (``MAXIMUM_LISTS`` = 5).
    min_samples
        Target number of sampled requests (``MINIMUM_SAMPLES`` = 200).
    reserve
        Fraction of the capacity kept free (``REVERSED``: 0.05 AE server, 0.03 simulator).
    pad_tokens
        Added to every sampled remaining length, ``>= 0`` (module docstring, "Chunked prefill").
    admit_if_idle
        Always admit into an empty batch (see the module docstring).

    Attributes
    ----------
    last_peak_tokens
        Max-over-copies peak (tokens, block-granular) of the last decision (``-1``: none yet).
    """

    name: ClassVar[str] = "past-future"

    def __init__(
        self,
        *,
        window: int = 200,
        prior_tokens: int | None = None,
        warmup_fill: float = 0.5,
        max_copies: int = 5,
        min_samples: int = 200,
        reserve: float = 0.05,
        pad_tokens: int = 0,
        admit_if_idle: bool = True,
    ) -> None:
        super().__init__(admit_if_idle=admit_if_idle)
        self.window = self._check_int("window", window, 1)
        self.prior_tokens = None if prior_tokens is None else self._check_int("prior_tokens", prior_tokens, 1)
        self.warmup_fill = self._check_fraction("warmup_fill", warmup_fill, upper_open=False)
        self.max_copies = self._check_int("max_copies", max_copies, 1)
        self.min_samples = self._check_int("min_samples", min_samples, 0)
        self.reserve = self._check_fraction("reserve", reserve)
        self.pad_tokens = self._check_int("pad_tokens", pad_tokens, 0)
        self.last_peak_tokens = -1
        self._history: deque[int] = deque(maxlen=self.window)
        self._sorted: np.ndarray | None = None
        self._primed = False

    @property
    def history(self) -> tuple[int, ...]:
        """The window of output lengths, oldest first (prior entries included)."""
        return tuple(self._history)

    def reset(self, capacity_tokens: int, rng: np.random.Generator) -> None:
        """Start a new simulation: empty the window (it is re-primed at the first request)."""
        super().reset(capacity_tokens, rng)
        self._history.clear()
        self._sorted = None
        self._primed = False
        self.last_peak_tokens = -1

    def _prime(self, default_prior: int) -> None:
        prior = self.prior_tokens if self.prior_tokens is not None else default_prior
        fill = min(self.window, round(self.warmup_fill * self.window))
        self._history.extend([int(prior)] * fill)
        self._sorted = None
        self._primed = True

    def record_finish(self, request: Request, generated: int) -> None:
        """Append the finished request's output length ``generated`` (``>= 1``) to the window."""
        if generated < 1:
            raise ValueError(f"request {request.id}: finished with {generated} output tokens (need >= 1)")
        if not self._primed:
            self._prime(request.max_new_tokens)
        self._history.append(int(generated))
        self._sorted = None

    def copies(self, running: int) -> int:
        """Monte-Carlo copies for ``running`` requests: ``min(max_copies, min_samples // running + 1)``."""
        if running <= 0:
            return self.max_copies
        return min(self.max_copies, self.min_samples // running + 1)

    def _admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        if not self._primed:
            self._prime(candidate.max_new_tokens)
        if self._sorted is None:
            self._sorted = np.sort(np.fromiter(self._history, np.int64, len(self._history)))
        held = np.asarray(view.held, np.int64)
        n = held.shape[0]
        uniforms = self.rng.random((self.copies(n), n + 1))
        cand = np.array([candidate.prompt_tokens + generated, generated, candidate.max_new_tokens], np.int64)
        peaks = _k.sampled_peaks(
            held,
            np.asarray(view.generated, np.int64),
            np.asarray(view.max_new, np.int64),
            self._sorted,
            cand,
            uniforms,
            view.block_size,
            self.pad_tokens,
        )
        peak = int(peaks.max()) * view.block_size
        self.last_peak_tokens = peak
        return peak <= _token_limit(view.capacity_tokens, self.reserve)


PLANNERS: dict[str, type[_Planner]] = {
    "aggressive": Aggressive,
    "conservative": Conservative,
    "past-future": PastFuture,
    "oracle": Oracle,
}


def _defaults(cls: type) -> dict[str, Any]:
    """Keyword options of a planner class and their defaults."""
    return {
        p.name: p.default
        for p in inspect.signature(cls.__init__).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


def planner(name: str, **options: Any) -> _Planner:
    """Build the admission planner ``name`` (a key of :data:`PLANNERS`) with keyword ``options``.

    Raises
    ------
    ValueError
        ``name`` is not a known planner (the message lists the known ones).
    schedopt.errors.OptionError
        An option the planner does not have, or a bad option value.
    """
    try:
        cls = PLANNERS[name]
    except (KeyError, TypeError):
        known = sorted(PLANNERS)
        hint = _suggestion(name, known) if isinstance(name, str) else ""
        raise ValueError(f"unknown planner {name!r}; {hint}known planners: {', '.join(known)}") from None
    valid = _defaults(cls)
    for option in options:
        if option not in valid:
            raise OptionError(name, option, valid)
    return cls(**options)
