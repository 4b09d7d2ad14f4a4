"""Step-latency models of one serving instance (the :class:`~schedopt.serving.policies.CostModel`s).

* :class:`RooflineCost` -- a roofline over the GPU catalogue (Williams, Waterman & Patterson 2009),
  calibrated to measured vLLM step times (``shared/docs/llm_serving.md`` §5) by :func:`calibrate`;
* :class:`TableCost` -- a linear model fitted to a user's table of measured step times.

:func:`cost_model` builds either from keyword options and rejects unknown ones.
"""

from __future__ import annotations

import csv
import inspect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import OptionError, ParseError
from ..gpus import GPU
from ..gpus import gpu as _gpu
from .models import LLM, llm
from .policies import StepWork
from .request import Request

__all__ = [
    "ANCHORS",
    "ANCHORS_70B",
    "DEFAULT_ROOFLINE",
    "Anchor",
    "RooflineCost",
    "TableCost",
    "anchor_errors",
    "calibrate",
    "cost_model",
]

_DOC = "shared/docs/llm_serving.md §5"
_SOURCE = (
    "LambdaLabsML/vllm-benchmark results/prompt_10/{dir}/{file}.json (vLLM v0.6, 10 ShareGPT prompts "
    "sent at once, BF16)"
)

DEFAULT_ROOFLINE: dict[str, float] = {
    "eta_bw": 0.7141,
    "eta_c": 0.7460,
    "t0": 0.0007567,
    "t_prefill": 0.003131,
}
"""The output of :func:`calibrate` on :data:`ANCHORS` (4 significant digits), with
``allreduce_latency=8e-6`` (it does not enter the fit: all four anchors are ``tp = 1``)."""

DEFAULT_ALLREDUCE_LATENCY = 8e-6
"""Seconds per tensor-parallel all-reduce beyond its bandwidth term. An assumption (small-message
all-reduce over NVLink takes a few to ~10 µs), not fitted; the 70B anchors check it loosely."""

DEFAULT_PCIE_EFFICIENCY = 0.8
"""Share of the host link's peak that KV swaps reach (pinned-memory copies over PCIe 4.0 x16 move
~25 of 32 GB/s). An assumption, not fitted."""


def _float(name: str, value: float, low: float, high: float = math.inf, *, open_low: bool = False) -> float:
    v = float(value)
    ok = (v > low if open_low else v >= low) and v <= high and math.isfinite(v)
    if not ok:
        bracket = "(" if open_low else "["
        raise ValueError(f"{name} must be in {bracket}{low:g}, {high:g}], got {value!r}")
    return v


class RooflineCost:
    r"""Roofline step latency of a ``tp``-way tensor-parallel instance of ``model`` on ``gpu``.

    A step computes ``T`` tokens: one per decoding request plus each prefill chunk's ``c_i`` tokens.
    With ``W`` the weight bytes, ``P`` the parameters, ``k`` the KV bytes per token, ``BW`` one GPU's
    memory bandwidth, ``F`` one GPU's dense BF16 throughput (:mod:`schedopt.gpus`):

    * memory time ``M = (W/tp + k/tp * K) / (eta_bw * BW)``, where ``K = sum(decode contexts) +
      sum_i (p_i + c_i)`` are the KV tokens read (a decode reads its context; a chunk reads its
      prefix ``p_i`` and its own tokens);
    * compute time ``C = (2 P T + a A) / (eta_c * F * tp)``, with ``a = 4 * layers * heads *
      head_dim`` FLOPs per (query, key) pair and ``A = sum(decode contexts) + sum_i (c_i p_i +
      c_i (c_i + 1) / 2)`` pairs (causal attention of a chunk);
    * tensor parallelism adds two ring all-reduces per layer over the GPU link (``link_gbs`` per
      direction): ``R = 2 L (lat + 2 (tp-1)/tp * T * hidden * dtype_bytes / link)`` for ``tp > 1``;
    * ``step = t0 + R + max(M, C) + t_prefill * m``, with ``m`` the prefills *starting* in the step
      (chunks with an empty prefix ``p_i = 0``): one charge per prefill, however it is chunked.

    The roofline ``max(memory, compute)`` is that of Williams, Waterman & Patterson, "Roofline: an
    insightful visual performance model for multicore architectures", CACM 52(4), 2009; the
    decode/prefill form follows ``shared/docs/llm_serving.md`` §5. Deviations from a plain roofline:
    the overheads ``t0`` (per step: scheduling, sampling, launch) and ``t_prefill`` (per prefilling
    request in the step: input preparation outside CUDA graphs; the TTFT anchors also carry the API
    server's per-request tokenisation and HTTP overhead, which this term absorbs), and one ``max``
    for the whole step rather than per operator. ``t_prefill`` is charged once per prefill (on its
    first chunk) rather than per step, so that a chunked-prefill step carrying one small chunk is
    not charged the whole batch's overhead of the TTFT anchor (10 requests), and a prompt costs the
    same overhead however many chunks it is split into.

    A decode-only step of ``n`` requests with total context ``S`` is
    ``c0 + max(c1 + c2 n + c3 S, c4 + c5 n + c6 S)`` (:meth:`decode_coefficients`) with
    ``c0 = t0 + 2 L lat``, ``c1 = W/(tp eta_bw BW)``, ``c2 = r``, ``c3 = k/(tp eta_bw BW)``,
    ``c4 = 0``, ``c5 = 2P/(eta_c F tp) + r``, ``c6 = a/(eta_c F tp)``, where ``r`` is the all-reduce
    bandwidth time per token; :meth:`step_time` evaluates the same expression (with ``T``, ``K`` and
    ``A`` in place of ``n``, ``S`` and ``S``), so the two agree exactly on such steps.

    Defaults (:data:`DEFAULT_ROOFLINE`) come from :func:`calibrate` on :data:`ANCHORS`, the measured
    Llama-3-8B step times on A100-80 and H100 of ``shared/docs/llm_serving.md`` §5: the two TPOT
    anchors fix ``eta_bw`` and ``t0`` (decode is memory-bound), the two TTFT anchors ``eta_c`` and
    ``t_prefill`` (a 1,369-token prefill is compute-bound). Four constants fitted to four anchors
    reproduce them exactly by construction (< 0.1 %), so that is no validation; the only
    out-of-sample check is the Llama-3-70B TP4 anchors (:data:`ANCHORS_70B`, not fitted), which come
    out at -10 % (TPOT A100), -6 % (TPOT H100), -18 % (TTFT A100) and -21 % (TTFT H100)
    (:func:`anchor_errors`): the model underestimates TP4 steps, chiefly the prefill (TP4 GEMMs are
    4x narrower and run further from peak than the 8B's).

    Parameters
    ----------
    model, gpu
        Catalogue names (:func:`schedopt.serving.models.llm`, :func:`schedopt.gpus.gpu`) or objects.
    tp
        Tensor-parallel degree.
    eta_bw, eta_c
        Achieved shares of peak memory bandwidth and of peak tensor throughput, in ``(0, 1]``.
    t0
        Fixed seconds per step.
    t_prefill
        Extra fixed seconds per prefill, charged on its first chunk.
    allreduce_latency
        Seconds per all-reduce beyond its bandwidth term (``tp > 1`` only).
    eta_pcie
        Achieved share of the host link (:attr:`GPU.host_gbs`) for KV swaps.
    """

    name = "roofline"

    def __init__(
        self,
        model: str | LLM,
        gpu: str | GPU,
        tp: int = 1,
        *,
        eta_bw: float = DEFAULT_ROOFLINE["eta_bw"],
        eta_c: float = DEFAULT_ROOFLINE["eta_c"],
        t0: float = DEFAULT_ROOFLINE["t0"],
        t_prefill: float = DEFAULT_ROOFLINE["t_prefill"],
        allreduce_latency: float = DEFAULT_ALLREDUCE_LATENCY,
        eta_pcie: float = DEFAULT_PCIE_EFFICIENCY,
    ) -> None:
        self.model, self.gpu = llm(model), _gpu(gpu)
        if not (isinstance(tp, (int, np.integer)) and not isinstance(tp, bool) and tp >= 1):
            raise ValueError(f"tp must be a positive integer, got {tp!r}")
        self.tp = int(tp)
        self.eta_bw = _float("eta_bw", eta_bw, 0, 1, open_low=True)
        self.eta_c = _float("eta_c", eta_c, 0, 1, open_low=True)
        self.eta_pcie = _float("eta_pcie", eta_pcie, 0, 1, open_low=True)
        self.t0 = _float("t0", t0, 0)
        self.t_prefill = _float("t_prefill", t_prefill, 0)
        self.allreduce_latency = _float("allreduce_latency", allreduce_latency, 0)
        m, g, tp = self.model, self.gpu, self.tp
        bw = self.eta_bw * g.bandwidth_gbs * 1e9
        flops = self.eta_c * g.tflops * 1e12 * tp
        n_allreduce = 2 * m.layers
        if tp > 1:
            per_token = 2 * (tp - 1) / tp * m.hidden * m.dtype_bytes / (g.link_gbs * 1e9)
            ar_token, ar_fixed = n_allreduce * per_token, n_allreduce * self.allreduce_latency
        else:
            ar_token = ar_fixed = 0.0
        self._coef = np.array(
            [
                self.t0 + ar_fixed,
                m.weight_bytes / tp / bw,
                ar_token,
                m.kv_bytes_per_token / tp / bw,
                0.0,
                2.0 * m.parameters / flops + ar_token,
                m.attention_flops_per_pair / flops,
            ],
            dtype=np.float64,
        )
        self._swap_per_token = m.kv_bytes_per_token / tp / (self.eta_pcie * g.host_gbs * 1e9)

    def __repr__(self) -> str:
        return (
            f"RooflineCost({self.model.name!r}, {self.gpu.name!r}, tp={self.tp}, eta_bw={self.eta_bw:g}, "
            f"eta_c={self.eta_c:g}, t0={self.t0:g}, t_prefill={self.t_prefill:g})"
        )

    def decode_coefficients(self) -> np.ndarray:
        """The 7 coefficients of a decode-only step (see the class docstring)."""
        return self._coef.copy()

    def step_time(self, work: StepWork) -> float:
        """Seconds of one step (formula in the class docstring); O(len(arrays)), no Python loop."""
        c = self._coef
        dec = np.asarray(work.decode_context)
        s_dec = float(dec.sum()) if dec.size else 0.0
        chunk = np.asarray(work.prefill_tokens, dtype=np.float64)
        if chunk.size and chunk.sum() > 0:
            prefix = np.asarray(work.prefill_context, dtype=np.float64)
            tokens = float(dec.size) + float(chunk.sum())
            kv_read = s_dec + float((prefix + chunk).sum())
            pairs = s_dec + float((chunk * prefix + chunk * (chunk + 1.0) * 0.5).sum())
            a = c[1] + c[2] * tokens + c[3] * kv_read
            b = c[4] + c[5] * tokens + c[6] * pairs
            starts = float(np.count_nonzero((chunk > 0) & (prefix == 0)))
            return float(c[0] + (a if a > b else b)) + self.t_prefill * starts
        n = float(dec.size)
        a = c[1] + c[2] * n + c[3] * s_dec
        b = c[4] + c[5] * n + c[6] * s_dec
        return float(c[0] + (a if a > b else b))

    def swap_time(self, tokens: int) -> float:
        """``tokens * k / tp / (eta_pcie * host_gbs)``: each GPU moves its share of the KV over its
        own host link (:attr:`schedopt.gpus.GPU.host_gbs`, per direction)."""
        if tokens < 0:
            raise ValueError(f"swap_time: tokens must be >= 0, got {tokens}")
        return tokens * self._swap_per_token


# ---------------------------------------------------------------------------------------------
# calibration


@dataclass(frozen=True)
class Anchor:
    """One measured step time: ``work`` on ``tp`` × ``gpu`` with ``model`` took ``seconds``."""

    name: str
    model: str
    gpu: str
    tp: int
    work: StepWork
    seconds: float
    source: str


_PROMPTS = (13, 25, 27, 10, 329, 29, 399, 328, 4, 205)
"""The 10 prompt lengths (Llama-3 tokenizer, 1,369 tokens) of the vllm-benchmark ``prompt_10`` runs."""

_GENERATED = 100
"""Tokens each request is assumed to have generated at the TPOT anchor's decode step."""


def _prefill_all() -> StepWork:
    lens = np.array(_PROMPTS, dtype=np.int64)
    reqs = tuple(Request(i, 0.0, int(p), 1, 1) for i, p in enumerate(_PROMPTS))
    return StepWork(lens, np.zeros_like(lens), reqs, np.zeros(0, dtype=np.int64))


def _decode_all() -> StepWork:
    ctx = np.array(_PROMPTS, dtype=np.int64) + _GENERATED
    empty = np.zeros(0, dtype=np.int64)
    return StepWork(empty, empty.copy(), (), ctx)


def _anchors(model: str, tp: int, figures: dict[str, tuple[float, float]], files: dict[str, str]) -> tuple:
    out = []
    for g, (tpot, ttft) in figures.items():
        src = _SOURCE.format(dir=files[g], file=f"{files['file']}_tp{tp}_len2048") + f"; {_DOC}"
        out.append(Anchor(f"{model} {tp}x{g} TPOT", model, g, tp, _decode_all(), tpot, src + ", median TPOT"))
        out.append(
            Anchor(f"{model} {tp}x{g} TTFT", model, g, tp, _prefill_all(), ttft, src + ", median TTFT")
        )
    return tuple(out)


ANCHORS: tuple[Anchor, ...] = _anchors(
    "llama-3-8b",
    1,
    {"A100-80": (0.0120, 0.127), "H100": (0.0076, 0.062)},
    {"A100-80": "1xA100-80GB-SXM", "H100": "1xH100-80GB-SXM", "file": "Meta-Llama-3-8B-Instruct"},
)
"""Llama-3-8B on one A100-80 / H100 (``shared/docs/llm_serving.md`` §5): median TPOT 12.0 / 7.6 ms
modelled as one decode step of the 10 requests, each with its prompt plus 100 generated tokens of
context (2,369 tokens in all; ShareGPT-like chat turns), and median TTFT 127 / 62 ms modelled as one
prefill step of all 10 prompts (1,369 tokens: vLLM v0.6 batches them in one step; the ten TTFTs
agree within 1 ms). Caveat: the runs stream 10 tokens per chunk and their steady inter-chunk time is
11.3--11.9 ms (A100) and 7.0--7.5 ms (H100) per token; the median TPOT includes short requests'
tails and is a little higher."""

ANCHORS_70B: tuple[Anchor, ...] = _anchors(
    "llama-3-70b",
    4,
    {"A100-80": (0.0296, 0.315), "H100": (0.0181, 0.141)},
    {"A100-80": "4xA100-80GB-SXM", "H100": "4xH100-80GB-SXM", "file": "Meta-Llama-3-70B-Instruct"},
)
"""Llama-3-70B on 4 × A100-80 / H100 (TP4): median TPOT 29.6 / 18.1 ms and TTFT 315 / 141 ms, the
same 10 prompts; a check of the calibration, not fitted."""

_FITTED = ("eta_bw", "eta_c", "t0", "t_prefill")


def _predict(anchors: Sequence[Anchor], params: dict[str, float]) -> np.ndarray:
    return np.array([RooflineCost(a.model, a.gpu, a.tp, **params).step_time(a.work) for a in anchors])


def anchor_errors(anchors: Sequence[Anchor] = ANCHORS, **params: float) -> dict[str, float]:
    """Relative error ``model / measured - 1`` of :class:`RooflineCost` (with ``params``) per anchor."""
    pred = _predict(anchors, params)
    return {a.name: float(p / a.seconds - 1.0) for a, p in zip(anchors, pred, strict=True)}


def calibrate(
    anchors: Sequence[Anchor] = ANCHORS, *, allreduce_latency: float = DEFAULT_ALLREDUCE_LATENCY
) -> dict[str, float]:
    """Fit ``eta_bw``, ``eta_c``, ``t0`` and ``t_prefill`` of :class:`RooflineCost` to measured steps.

    Minimises the squared relative errors ``sum_a (model_a / measured_a - 1)^2`` with
    :func:`scipy.optimize.least_squares` (trust-region reflective), with the efficiencies in
    ``[0.05, 1]`` and the overheads in ``[0, 1]`` s, from ``eta = 0.6``, ``t0 = 1`` ms,
    ``t_prefill = 1`` ms. With the default :data:`ANCHORS` (4 anchors, 4 constants) the fit is
    exact; :data:`DEFAULT_ROOFLINE` is its output.

    Returns
    -------
    dict
        ``{"eta_bw", "eta_c", "t0", "t_prefill"}``.
    """
    from scipy.optimize import least_squares

    if len(anchors) < len(_FITTED):
        raise ValueError(f"calibrate: need at least {len(_FITTED)} anchors, got {len(anchors)}")
    measured = np.array([a.seconds for a in anchors], dtype=float)
    if not (np.isfinite(measured).all() and (measured > 0).all()):
        raise ValueError("calibrate: every anchor needs a positive finite time")

    def residuals(x: np.ndarray) -> np.ndarray:
        params = dict(zip(_FITTED, x.tolist(), strict=True), allreduce_latency=allreduce_latency)
        return _predict(anchors, params) / measured - 1.0

    fit = least_squares(
        residuals,
        x0=np.array([0.6, 0.6, 1e-3, 1e-3]),
        bounds=(np.array([0.05, 0.05, 0.0, 0.0]), np.array([1.0, 1.0, 1.0, 1.0])),
        x_scale=np.array([0.1, 0.1, 1e-3, 1e-3]),
        xtol=1e-12,
        ftol=1e-12,
        gtol=1e-12,
    )
    return dict(zip(_FITTED, (float(v) for v in fit.x), strict=True))


# ---------------------------------------------------------------------------------------------
# measured tables

TABLE_COLUMNS = ("prefill_tokens", "decode_requests", "decode_context", "seconds")


class TableCost:
    """Step latency fitted to a table of measured steps: ``t = a + b P + c n + d S``.

    ``P`` is the step's prefill (chunk) tokens, ``n`` its decoding requests and ``S`` their total
    context. The coefficients are the least-squares fit (:func:`numpy.linalg.lstsq`) to the rows;
    if that fit has a negative coefficient (noisy or too narrow a table), the non-negative
    least-squares fit (:func:`scipy.optimize.nnls`, Lawson & Hanson 1974) is used instead, so no
    step gets a negative time (``info["nonnegative"]`` says which). A decode-only step is
    ``a + max(c n + d S, c n + d S)`` in the 7-coefficient form of :meth:`decode_coefficients`.

    Parameters
    ----------
    prefill_tokens, decode_requests, decode_context, seconds
        One value per measured step; at least 4 rows, and the three work columns must vary
        independently (full rank).
    model, gpu, tp
        Only for :meth:`swap_time` (KV bytes per token and the host link); optional.
    eta_pcie
        Achieved share of the host link for swaps.
    source
        Where the table comes from (a file name).
    """

    name = "table"

    def __init__(
        self,
        prefill_tokens: Sequence[float] | np.ndarray,
        decode_requests: Sequence[float] | np.ndarray,
        decode_context: Sequence[float] | np.ndarray,
        seconds: Sequence[float] | np.ndarray,
        *,
        model: str | LLM | None = None,
        gpu: str | GPU | None = None,
        tp: int = 1,
        eta_pcie: float = DEFAULT_PCIE_EFFICIENCY,
        source: str = "",
    ) -> None:
        cols = [
            np.asarray(v, dtype=np.float64)
            for v in (prefill_tokens, decode_requests, decode_context, seconds)
        ]
        where = f" ({source})" if source else ""
        for name, col in zip(TABLE_COLUMNS, cols, strict=True):
            if col.ndim != 1:
                raise ValueError(f"table{where}: {name} must be one-dimensional, got shape {col.shape}")
            bad = ~np.isfinite(col) | (col < 0)
            if bad.any():
                i = int(np.argmax(bad))
                raise ValueError(f"table{where}: {name} of row {i} is {col[i]} (need a finite value >= 0)")
        if len({len(c) for c in cols}) != 1:
            raise ValueError(f"table{where}: columns differ in length: {[len(c) for c in cols]}")
        p, n, s, t = cols
        if len(t) < 4:
            raise ValueError(
                f"table{where}: {len(t)} rows; need at least 4 measured steps to fit t = a + b P + c n + d S"
            )
        design = np.column_stack([np.ones_like(t), p, n, s])
        if np.linalg.matrix_rank(design) < 4:
            raise ValueError(
                f"table{where}: prefill_tokens, decode_requests and decode_context do not vary "
                "independently across the rows (rank-deficient); measure steps with different mixes "
                "of prefill and decode work"
            )
        coef, *_ = np.linalg.lstsq(design, t, rcond=None)
        self.info: dict[str, object] = {"rows": len(t), "nonnegative": False, "source": source}
        if (coef < 0).any():
            from scipy.optimize import nnls

            coef, _ = nnls(design, t)
            self.info["nonnegative"] = True
        self.a, self.b, self.c, self.d = (float(x) for x in coef)
        self.info["rmse"] = float(np.sqrt(np.mean((design @ coef - t) ** 2)))
        self._coef = np.array([self.a, 0.0, self.c, self.d, 0.0, self.c, self.d], dtype=np.float64)
        self.model = None if model is None else llm(model)
        self.gpu = None if gpu is None else _gpu(gpu)
        if not (isinstance(tp, (int, np.integer)) and not isinstance(tp, bool) and tp >= 1):
            raise ValueError(f"tp must be a positive integer, got {tp!r}")
        self.tp = int(tp)
        self.eta_pcie = _float("eta_pcie", eta_pcie, 0, 1, open_low=True)

    def __repr__(self) -> str:
        return f"TableCost(a={self.a:.4g}, b={self.b:.4g}, c={self.c:.4g}, d={self.d:.4g})"

    @classmethod
    def from_csv(cls, path: str | Path, **options) -> TableCost:
        """Read a CSV with a header naming the columns ``prefill_tokens, decode_requests,
        decode_context, seconds`` (any order; other columns ignored) and fit it.

        Raises
        ------
        ParseError
            For a missing column, an empty file, or a value that is not a finite number ``>= 0``;
            the message names the file, the line and the column.
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ParseError(f"cannot read the step-time table: {exc.strerror or exc}", path) from None
        rows = list(csv.reader(text.splitlines()))
        header_line = next((i for i, r in enumerate(rows) if any(x.strip() for x in r)), None)
        if header_line is None:
            raise ParseError(f"empty file; need a header with the columns {', '.join(TABLE_COLUMNS)}", path)
        header = [h.strip().lower() for h in rows[header_line]]
        missing = [c for c in TABLE_COLUMNS if c not in header]
        if missing:
            raise ParseError(
                f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)} "
                f"(need {', '.join(TABLE_COLUMNS)})",
                path,
                header_line + 1,
            )
        idx = [header.index(c) for c in TABLE_COLUMNS]
        values: list[list[float]] = []
        for lineno, row in enumerate(rows[header_line + 1 :], start=header_line + 2):
            if not any(x.strip() for x in row):
                continue
            if len(row) < len(header):
                raise ParseError(f"{len(row)} fields, the header has {len(header)}", path, lineno)
            parsed = []
            for col, j in zip(TABLE_COLUMNS, idx, strict=True):
                raw = row[j].strip()
                try:
                    v = float(raw)
                except ValueError:
                    raise ParseError(f"{col} is {raw!r}, not a number", path, lineno) from None
                if not (math.isfinite(v) and v >= 0):
                    raise ParseError(f"{col} is {raw}; need a finite value >= 0", path, lineno)
                parsed.append(v)
            values.append(parsed)
        arr = np.array(values, dtype=np.float64).reshape(-1, 4)
        options.setdefault("source", str(path))
        try:
            return cls(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3], **options)
        except ValueError as exc:
            raise ParseError(str(exc), path) from None

    def decode_coefficients(self) -> np.ndarray:
        """``[a, 0, c, d, 0, c, d]``: ``t = a + max(c n + d S, c n + d S)``."""
        return self._coef.copy()

    def step_time(self, work: StepWork) -> float:
        """``a + c n + d S (+ b P)`` seconds, in the same float order as :meth:`decode_coefficients`."""
        co = self._coef
        dec = np.asarray(work.decode_context)
        n = float(dec.size)
        s = float(dec.sum()) if dec.size else 0.0
        x = co[1] + co[2] * n + co[3] * s
        y = co[4] + co[5] * n + co[6] * s
        t = float(co[0] + (x if x > y else y))
        chunk = np.asarray(work.prefill_tokens)
        if chunk.size:
            t += self.b * float(chunk.sum())
        return t

    def swap_time(self, tokens: int) -> float:
        """``tokens * k / tp / (eta_pcie * host_gbs)`` (needs ``model`` and ``gpu``)."""
        if self.model is None or self.gpu is None:
            raise ValueError(
                "TableCost.swap_time needs model= and gpu= (KV bytes per token and the host link)"
            )
        if tokens < 0:
            raise ValueError(f"swap_time: tokens must be >= 0, got {tokens}")
        return tokens * self.model.kv_bytes_per_token / self.tp / (self.eta_pcie * self.gpu.host_gbs * 1e9)


# ---------------------------------------------------------------------------------------------
# factory


def _table(
    path: str | Path | None = None,
    prefill_tokens: Sequence[float] | None = None,
    decode_requests: Sequence[float] | None = None,
    decode_context: Sequence[float] | None = None,
    seconds: Sequence[float] | None = None,
    model: str | LLM | None = None,
    gpu: str | GPU | None = None,
    tp: int = 1,
    eta_pcie: float = DEFAULT_PCIE_EFFICIENCY,
) -> TableCost:
    opts = {"model": model, "gpu": gpu, "tp": tp, "eta_pcie": eta_pcie}
    arrays = (prefill_tokens, decode_requests, decode_context, seconds)
    if path is not None:
        if any(a is not None for a in arrays):
            raise OptionError(
                "table", "path", message="cost_model('table'): give path= or the four arrays, not both"
            )
        return TableCost.from_csv(path, **opts)
    if any(a is None for a in arrays):
        raise OptionError(
            "table",
            "path",
            message="cost_model('table'): give path= (a CSV) or all of " + ", ".join(TABLE_COLUMNS),
        )
    return TableCost(*arrays, **opts)


_KINDS = {"roofline": RooflineCost, "table": _table}


def cost_model(kind: str = "roofline", **options) -> RooflineCost | TableCost:
    """Build a cost model: ``"roofline"`` (:class:`RooflineCost`; needs ``model`` and ``gpu``) or
    ``"table"`` (:class:`TableCost` from ``path=`` a CSV or the four arrays).

    Raises
    ------
    OptionError
        For an option the kind does not take (the message lists the valid ones with defaults).
    ValueError
        For an unknown kind.
    """
    key = str(kind).strip().lower()
    if key not in _KINDS:
        import difflib

        close = difflib.get_close_matches(key, list(_KINDS), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown cost model {kind!r}; {hint}known: {', '.join(_KINDS)}")
    factory = _KINDS[key]
    params = inspect.signature(factory).parameters
    valid = {
        k: (None if p.default is inspect.Parameter.empty else p.default)
        for k, p in params.items()
        if k != "self"
    }
    for option in options:
        if option not in valid:
            raise OptionError(key, option, valid)
    required = [k for k, p in params.items() if p.default is inspect.Parameter.empty and k != "self"]
    missing = [k for k in required if k not in options]
    if missing:
        raise OptionError(
            key, missing[0], valid, message=f"cost_model({key!r}) needs {', '.join(k + '=' for k in missing)}"
        )
    return factory(**options)
