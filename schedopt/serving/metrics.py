"""Serving metrics: latency percentiles, SLA attainment, goodput, KV utilisation, peak/capacity.

The definitions follow the Past-Future paper's artifact evaluation (Gong et al., ASPLOS'25,
arXiv 2507.10150; ``WuSiYu/lightllm-ae``, see ``docs/llm_serving.md`` §1.6–§1.8):

* a request is **good** iff its TTFT is at most ``SLA.ttft`` and its **maximum** inter-token gap
  is at most ``SLA.max_gap`` (10 s / 1.5 s for Llama-2-7B/13B, 15 s / 5 s for 70B: :data:`SLA_70B`);
* **goodput** = (prompt + output tokens of the good requests) / makespan, in tokens/s;
* **KV utilisation** = mean over engine steps of ``used_blocks / capacity_blocks`` (the AE
  behaviour simulator's "Util"); the time-weighted mean is reported beside it;
* **peak/capacity** = mean, over the steps with an admission round, of the true future peak of
  the running batch over the KV capacity in tokens (the AE simulator's "Peak").

All functions take what :func:`schedopt.serving.simulate` returns (:class:`~.result.SimResult`)
or its :class:`~.request.RequestRecord` list. Empty inputs give ``nan`` figures, never an exception.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields

import numpy as np

from .request import RequestRecord
from .result import SimResult

#: Absolute tolerance (seconds) of the SLA comparisons, so that a TTFT or gap that equals the
#: threshold up to floating-point rounding of the engine's time sums still counts as good.
SLA_TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class SLA:
    """A per-request service-level agreement (Past-Future AE, docs §1.6).

    A request is good iff ``ttft <= SLA.ttft`` and ``max_gap <= SLA.max_gap`` (both inclusive, up to
    :data:`SLA_TOLERANCE` seconds). Defaults are the paper's 7B/13B figures; :data:`SLA_70B` holds
    the 70B ones. ``inf`` disables a bound.

    Attributes
    ----------
    ttft
        Largest acceptable time to first token (s), ``> 0``.
    max_gap
        Largest acceptable gap between two consecutive output tokens (s), ``> 0``.
    """

    ttft: float = 10.0
    max_gap: float = 1.5

    def __post_init__(self) -> None:
        for name in ("ttft", "max_gap"):
            value = getattr(self, name)
            if isinstance(value, bool) or not (isinstance(value, numbers.Real) and value > 0):  # rejects nan
                raise ValueError(f"SLA {name} must be a number > 0 (seconds), got {value!r}")

    def good(self, record: RequestRecord) -> bool:
        """Whether ``record`` meets the SLA: ``ttft <= self.ttft and max_gap <= self.max_gap``."""
        return bool(
            record.ttft <= self.ttft + SLA_TOLERANCE and record.max_gap <= self.max_gap + SLA_TOLERANCE
        )

    def good_mask(self, ttft: np.ndarray, max_gap: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`good` over arrays of TTFTs and maximum gaps (``nan`` is not good)."""
        return (np.asarray(ttft) <= self.ttft + SLA_TOLERANCE) & (
            np.asarray(max_gap) <= self.max_gap + SLA_TOLERANCE
        )


#: The Past-Future AE SLA for Llama-2-70B (TP4): TTFT <= 15 s, max inter-token gap <= 5 s.
SLA_70B = SLA(ttft=15.0, max_gap=5.0)


@dataclass(frozen=True, slots=True)
class ServingMetrics:
    """Summary of one serving simulation (see :func:`summarize` for the formulas).

    Counts are ints; every other figure is a float and ``nan`` when undefined (no finished
    request, no step, zero makespan, no recorded peak).
    """

    finished: int
    unfinished: int
    aborted: int
    good: int
    sla_attainment: float
    goodput: float
    goodput_requests: float
    throughput_output: float
    throughput_tokens: float
    throughput_requests: float
    ttft_mean: float
    ttft_p50: float
    ttft_p90: float
    ttft_p99: float
    tpot_mean: float
    tpot_p50: float
    tpot_p99: float
    max_gap_p50: float
    max_gap_p99: float
    max_gap_max: float
    evictions: int
    evictions_per_request: float
    kv_util: float
    kv_util_time: float
    kv_util_waiting: float
    peak_over_capacity: float
    makespan: float
    steps: int

    def as_dict(self) -> dict[str, float | int]:
        """The figures as a flat ``{name: value}`` dict, in field order."""
        return asdict(self)


METRIC_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ServingMetrics))


def _record_arrays(records: Sequence[RequestRecord], sla: SLA) -> dict[str, np.ndarray]:
    """Per-request columns as numpy arrays (``tpot`` is ``nan`` for one-token requests)."""
    n = len(records)
    req = [r.request for r in records]
    out: dict[str, np.ndarray] = {
        "id": np.fromiter((q.id for q in req), np.int64, n),
        "client": np.fromiter((q.client for q in req), np.int64, n),
        "group": np.fromiter((q.group for q in req), np.int64, n),
        "tag": np.array([q.tag for q in req], dtype=object),
        "arrival": np.fromiter((q.arrival for q in req), np.float64, n),
        "admitted": np.fromiter((r.admitted for r in records), np.float64, n),
        "first_token": np.fromiter((r.first_token for r in records), np.float64, n),
        "finish": np.fromiter((r.finish for r in records), np.float64, n),
        "prompt": np.fromiter((q.prompt_tokens for q in req), np.int64, n),
        "output": np.fromiter((q.output_tokens for q in req), np.int64, n),
    }
    out["ttft"] = out["first_token"] - out["arrival"]
    decoded = out["output"] - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        out["tpot"] = np.where(decoded > 0, (out["finish"] - out["first_token"]) / decoded, np.nan)
    out["max_gap"] = np.fromiter((r.max_gap for r in records), np.float64, n)
    out["evictions"] = np.fromiter((r.evictions for r in records), np.int64, n)
    out["instance"] = np.fromiter((r.instance for r in records), np.int64, n)
    out["good"] = sla.good_mask(out["ttft"], out["max_gap"])
    return out


def records_frame(records: Iterable[RequestRecord], sla: SLA | None = None):
    """One row per finished request.

    Columns: ``id, client, group, tag, arrival, admitted, first_token, finish, prompt, output,
    ttft, tpot, max_gap, evictions, instance, good``. ``ttft = first_token - arrival``;
    ``tpot = (finish - first_token) / (output - 1)``, ``nan`` for one-token requests (where
    :attr:`RequestRecord.tpot` says 0); ``good`` is :meth:`SLA.good` under ``sla`` (default
    :class:`SLA()`). An empty input gives an empty frame with these columns.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    return pd.DataFrame(_record_arrays(list(records), SLA() if sla is None else sla))


def _pct(x: np.ndarray, q: float) -> float:
    return float(np.percentile(x, q)) if x.size else math.nan


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if x.size else math.nan


def _rate(amount: float, seconds: float) -> float:
    return float(amount) / seconds if seconds > 0 and math.isfinite(seconds) else math.nan


def _check_trace(result: SimResult) -> None:
    steps = result.steps
    n = len(steps.start)
    for name in ("duration", "used_blocks", "running", "waiting", "prefill_tokens", "decode_tokens"):
        if len(getattr(steps, name)) != n:
            raise ValueError(
                f"SimResult.steps.{name} has {len(getattr(steps, name))} rows, steps.start has {n}"
            )
    if len(steps.peak_tokens) not in (0, n):
        raise ValueError(
            f"SimResult.steps.peak_tokens has {len(steps.peak_tokens)} rows, steps.start has {n}"
        )


def summarize(result: SimResult, sla: SLA | None = None) -> ServingMetrics:
    """The figures of one simulation under ``sla`` (default :class:`SLA()`, 10 s / 1.5 s).

    With ``F`` the finished records, ``G ⊆ F`` the good ones (:meth:`SLA.good`), ``T`` the
    makespan (end of the last step, s), and the per-step trace ``used_s``, ``dur_s``, ``peak_s``
    (s = 1..S), ``C_b`` the KV capacity in blocks and ``C_t = C_b · block_size`` in tokens:

    * ``sla_attainment = |G| / (|F| + |A|)``, ``A`` the requests dropped after waiting too long
      (``SimResult.aborted``; they failed their TTFT);
    * ``goodput = Σ_{r∈G} (prompt_r + output_r) / T`` tokens/s (Past-Future AE, docs §1.6);
      ``goodput_requests = |G| / T`` requests/s;
    * ``throughput_output = Σ_{r∈F} output_r / T``, ``throughput_tokens = Σ_{r∈F} (prompt_r +
      output_r) / T``, ``throughput_requests = |F| / T``;
    * TTFT ``= first_token - arrival``: mean, p50, p90, p99 over ``F``;
    * TPOT ``= (finish - first_token) / (output - 1)``: mean, p50, p99 over the requests of ``F``
      with ``output >= 2`` (one-token requests have no TPOT and are left out, as in vLLM's
      ``benchmark_serving``);
    * maximum inter-token gap (``RequestRecord.max_gap``): p50, p99, max over ``F``;
    * ``evictions_per_request = Σ_{r∈F} evictions_r / |F|`` (evictions of unfinished requests
      are not counted: the records do not hold them);
    * ``kv_util = (1/S) Σ_s used_s / C_b`` — the AE behaviour simulator's "Util", a mean over
      steps; ``kv_util_time = Σ_s dur_s · used_s / (C_b · Σ_s dur_s)``, the time-weighted mean
      (the two differ when step durations vary, e.g. long prefill steps);
      ``kv_util_waiting`` the step mean over the steps with requests waiting (``waiting_s > 0``),
      which leaves out the warm-up and the drain of a batch run that the AE simulator does not
      simulate (``nan`` when no request ever waited);
    * ``peak_over_capacity = mean_{s: peak_s not nan} peak_s / C_t`` — the AE "Peak", the true
      future peak of the batch after each admission round over the capacity (above 1 means the
      batch will need evictions); ``nan`` when no step recorded a peak;
    * ``makespan = T``, ``steps = S``, ``unfinished = len(result.unfinished)``.

    Percentiles are ``numpy.percentile`` (linear interpolation). Any figure whose set is empty or
    whose denominator is zero is ``nan``.

    Raises
    ------
    ValueError
        When the step-trace arrays have different lengths (naming the field).
    """
    sla = SLA() if sla is None else sla
    _check_trace(result)
    a = _record_arrays(result.records, sla)
    finished = len(result.records)
    good = a["good"]
    n_good = int(good.sum())
    total = a["prompt"] + a["output"]
    span = float(result.makespan)
    tpot = a["tpot"][~np.isnan(a["tpot"])]

    steps = result.steps
    n_steps = len(steps.start)
    cap_b = float(result.capacity_blocks)
    if n_steps and cap_b > 0:
        util = np.asarray(steps.used_blocks, np.float64) / cap_b
        kv_util = float(util.mean())
        dur = np.asarray(steps.duration, np.float64)
        kv_util_time = float((util * dur).sum() / dur.sum()) if dur.sum() > 0 else math.nan
        busy = np.asarray(steps.waiting) > 0
        kv_util_waiting = float(util[busy].mean()) if busy.any() else math.nan
    else:
        kv_util = kv_util_time = kv_util_waiting = math.nan
    peak = np.asarray(steps.peak_tokens, np.float64)
    peak = peak[~np.isnan(peak)]
    cap_t = float(result.capacity_tokens)
    peak_ratio = float(peak.mean() / cap_t) if peak.size and cap_t > 0 else math.nan
    evictions = int(a["evictions"].sum())

    return ServingMetrics(
        finished=finished,
        unfinished=len(result.unfinished),
        aborted=len(result.aborted),
        good=n_good,
        sla_attainment=n_good / (finished + len(result.aborted))
        if finished + len(result.aborted)
        else math.nan,
        goodput=_rate(total[good].sum(), span),
        goodput_requests=_rate(n_good, span),
        throughput_output=_rate(a["output"].sum(), span),
        throughput_tokens=_rate(total.sum(), span),
        throughput_requests=_rate(finished, span),
        ttft_mean=_mean(a["ttft"]),
        ttft_p50=_pct(a["ttft"], 50),
        ttft_p90=_pct(a["ttft"], 90),
        ttft_p99=_pct(a["ttft"], 99),
        tpot_mean=_mean(tpot),
        tpot_p50=_pct(tpot, 50),
        tpot_p99=_pct(tpot, 99),
        max_gap_p50=_pct(a["max_gap"], 50),
        max_gap_p99=_pct(a["max_gap"], 99),
        max_gap_max=float(a["max_gap"].max()) if finished else math.nan,
        evictions=evictions,
        evictions_per_request=evictions / finished if finished else math.nan,
        kv_util=kv_util,
        kv_util_time=kv_util_time,
        kv_util_waiting=kv_util_waiting,
        peak_over_capacity=peak_ratio,
        makespan=span,
        steps=n_steps,
    )


def compare(results: Mapping[str, SimResult], sla: SLA | None = None):
    """One row per named run: a ``run`` column (the mapping's key) then :data:`METRIC_NAMES`.

    Each row is :func:`summarize` of the run under the same ``sla``; an empty mapping gives an
    empty frame with these columns.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    rows = [{"run": name, **summarize(res, sla).as_dict()} for name, res in results.items()]
    return pd.DataFrame(rows, columns=["run", *METRIC_NAMES])
