"""HexGen's per-(GPU, stage) latency table and a request-level cost model that reproduces it.

The table (Hexgen-Flow ``core/request.py`` ``EMPIRICAL_TIME_*``; ``shared/docs/llm_serving.md``
§2.2) gives the latency in seconds of one Llama-3.1-70B-Instruct call of each CHESS stage served
alone at the stage's typical lengths :data:`TYPICAL_IO` (Hexgen-Flow ``EMPIRICAL_IO_LEN``). Its
GPU columns map to :mod:`schedopt.gpus` names: A100 -> ``A100-80``, A6000 -> ``RTX-A6000``,
H100, A40, and ``L40``, ``A800`` (kept under those names; :func:`column` also accepts ``L40S``
for the L40 column, because Hexgen-Flow profiles its ``nvidia_L40S`` under the table's ``L40``).

Per-query SLO (docs §2.4): :func:`standard_latency` ``= sum_{s in STANDARD_WORKFLOW} tbar_s``,
``tbar_s`` the mean of ``t(g, s)`` over the cluster's GPU types (one entry per instance, so a
type with two instances counts twice, as Hexgen-Flow's ``hardware_lst``); SLO = scale x that.

:class:`StageTableCost` is HexGen's request-level model for the engine
(:class:`schedopt.serving.policies.CostModel`): a decode step costs a **constant per-token time**
``tpot_g`` per GPU, independent of batch size and context; a prefill costs
``pre(g, s) * tokens / prompt_s`` for the stage ``s`` of the request (``prompt_s`` its typical
prompt), with ``pre(g, s) = t(g, s) - (out_s - 1) tpot_g`` (the prefill emits the first token, the
``out_s - 1`` others take a decode step each). So a call of typical length served alone takes
exactly ``t(g, s)``.

Deviation (stated): HexGen's published per-token constants (A100 35 ms, A6000 58 ms, L40S 54.5 ms,
:data:`HEXGEN_TPOT`) are inconsistent with its own table: with them ``pre(g, s) < 0`` for
``generate_candidate``, ``extract_keywords`` and ``generate_unit_test`` (e.g. A100:
``677 x 0.035 = 23.7 s > 18.24 s``). We instead **derive** ``tpot_g`` for every GPU from the table:
the non-negative least-squares fit of ``t(g, s) = a_g prompt_s + tpot_g (out_s - 1)`` over the 7
stages (scipy ``nnls``), capped at ``min_s t(g, s)/(out_s - 1)`` so that no prefill is negative
(the cap does not bind on the published table): A100 22.2 ms, H100 11.3 ms, A800 10.4 ms,
L40 40.0 ms, A6000 35.1 ms, A40 26.0 ms. The fitted ``a_g`` is only used to pick ``tpot_g``;
prefill times come from the table. ``tpot=`` overrides it (refused when a prefill would turn negative).
Mixed steps (chunked prefill next to decodes) cost the sum of the prefill chunks plus one
``tpot_g`` (HexGen runs prefill and decode in separate steps; the engine may batch them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
from scipy.optimize import nnls

from ...gpus import gpu as catalogue_gpu
from ..policies import StepWork
from .workflows import STAGES, STANDARD_WORKFLOW, TYPICAL_IO

#: The table's GPU columns, as :mod:`schedopt.gpus` names.
TABLE_GPUS: tuple[str, ...] = ("A100-80", "H100", "A800", "L40", "RTX-A6000", "A40")

#: ``gpu -> stage -> seconds`` (Hexgen-Flow ``EMPIRICAL_TIME_{A100,H100,A800,L40,A6000,A40}``).
HEXGEN_TABLE: dict[str, dict[str, float]] = {
    g: dict(zip(STAGES, row))
    for g, row in {
        "A100-80": (0.2253, 1.1359, 18.2363, 3.3314, 0.1735, 2.5385, 0.8670),
        "H100": (0.1012, 0.5469, 8.7863, 1.4280, 0.0763, 1.2382, 0.3985),
        "A800": (0.1020, 0.7857, 10.2678, 2.4632, 0.0970, 1.6258, 0.8296),
        "L40": (0.4003, 2.0330, 32.6221, 5.8850, 0.3077, 4.5497, 1.5440),
        "RTX-A6000": (0.4869, 2.1088, 34.2747, 8.0309, 0.3907, 4.5617, 1.7923),
        "A40": (0.4932, 2.5157, 40.3525, 13.8657, 0.3786, 5.6343, 1.9049),
    }.items()
}


#: HexGen's published constant decode time per token (s), for reference only (see the module docstring).
HEXGEN_TPOT: dict[str, float] = {"A100-80": 0.035, "RTX-A6000": 0.058, "L40S": 0.0545}

#: HexGen's hard-coded load discount ``lambda_e`` of the dispatcher (docs §2.3).
HEXGEN_DISCOUNT: dict[str, float] = {"RTX-A6000": 0.5, "L40S": 0.5, "L40": 0.5}

_ALIASES = {
    "a100": "A100-80",
    "a100-80": "A100-80",
    "a100-80g": "A100-80",
    "nvidia_a100": "A100-80",
    "h100": "H100",
    "h100-sxm": "H100",
    "a800": "A800",
    "l40": "L40",
    "l40s": "L40",
    "nvidia_l40s": "L40",
    "a6000": "RTX-A6000",
    "rtx-a6000": "RTX-A6000",
    "rtx a6000": "RTX-A6000",
    "nvidia_a6000": "RTX-A6000",
    "a40": "A40",
}


def column(gpu: str) -> str:
    """The table column of ``gpu`` (case-insensitive; ``A100``, ``A6000``, ``L40S`` accepted).

    Raises
    ------
    ValueError
        For a GPU the table does not cover (the message lists the columns).
    """
    key = str(gpu).strip()
    if key in HEXGEN_TABLE:
        return key
    found = _ALIASES.get(key.lower())
    if found is None:
        raise ValueError(
            f"GPU {gpu!r} is not in HexGen's latency table; columns: {', '.join(TABLE_GPUS)} "
            "(aliases A100, A6000, L40S)"
        )
    return found


def _stage(stage: str) -> str:
    if stage in TYPICAL_IO:
        return stage
    if stage.startswith("generate_candidate"):  # Hexgen-Flow's generate_candidate_llama-agent[1]
        return "generate_candidate"
    raise ValueError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")


def stage_latency(gpu: str, stage: str) -> float:
    """``t(gpu, stage)``: seconds of one call of ``stage`` at typical lengths, served alone."""
    return HEXGEN_TABLE[column(gpu)][_stage(stage)]


def mean_latency(stage: str, gpu_types: Sequence[str]) -> float:
    """``tbar_s``: the mean of :func:`stage_latency` over ``gpu_types`` (one entry per instance)."""
    if not len(gpu_types):
        raise ValueError("gpu_types: a cluster needs at least one instance")
    return float(np.mean([stage_latency(g, stage) for g in gpu_types]))


def standard_latency(gpu_types: Sequence[str], workflow: Sequence[str] = STANDARD_WORKFLOW) -> float:
    """``sum_{s in workflow} tbar_s`` (docs §2.4): the per-query SLO at scale 1.

    For ``[A100, A100, A6000, L40]`` it is 54.96 s (docs: "≈ 55 s").
    """
    return float(sum(mean_latency(s, gpu_types) for s in workflow))


def query_slo(gpu_types: Sequence[str], scale: float) -> float:
    """``scale x standard_latency(gpu_types)``."""
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"SLO scale must be positive and finite, got {scale}")
    return float(scale) * standard_latency(gpu_types)


def tpot_bound(gpu: str) -> float:
    """``min_s t(g, s) / (out_s - 1)``: the largest per-token time with no negative prefill."""
    col = column(gpu)
    return min(HEXGEN_TABLE[col][s] / (o - 1) for s, (_, o) in TYPICAL_IO.items() if o > 1)


@cache
def derived_tpot(gpu: str) -> float:
    """``tpot_g`` fitted to the table (non-negative least squares; see the module docstring)."""
    col = column(gpu)
    a = np.array([[p, o - 1] for p, o in TYPICAL_IO.values()], float)
    t = np.array([HEXGEN_TABLE[col][s] for s in TYPICAL_IO])
    coef, _ = nnls(a, t)
    return float(min(coef[1], tpot_bound(col)))


class StageTableCost:
    """HexGen's request-level cost model of one instance (implements ``CostModel``).

    Parameters
    ----------
    gpu
        The instance's GPU (a table column or alias).
    tpot
        Seconds per decode step (default :func:`derived_tpot`); at most :func:`tpot_bound`.
    kv_bytes_per_token
        KV bytes per token for :meth:`swap_time` (Llama-3-70B, BF16: 320 KiB, docs §5).
    pcie_gbs
        Host link bandwidth per direction in GB/s for :meth:`swap_time` (default: the catalogue's
        ``host_gbs`` of the GPU in :mod:`schedopt.gpus`, else 32, PCIe 4.0 x16).
    """

    def __init__(
        self,
        gpu: str,
        *,
        tpot: float | None = None,
        kv_bytes_per_token: float = 327_680.0,
        pcie_gbs: float | None = None,
    ) -> None:
        self.gpu = column(gpu)
        bound = tpot_bound(self.gpu)
        self.tpot = derived_tpot(self.gpu) if tpot is None else float(tpot)
        if not (0 < self.tpot <= bound * (1 + 1e-12)):
            raise ValueError(
                f"tpot={tpot!r} for {self.gpu}: must lie in (0, {bound:.6g}] so that every stage's "
                "prefill time (table latency - (output - 1) x tpot) stays >= 0"
            )
        if pcie_gbs is None:
            try:
                pcie_gbs = float(getattr(catalogue_gpu(self.gpu), "host_gbs", 32.0))
            except ValueError:  # not in the catalogue
                pcie_gbs = 32.0
        if not (kv_bytes_per_token > 0 and pcie_gbs > 0):
            raise ValueError("kv_bytes_per_token and pcie_gbs must be positive")
        self.kv_bytes_per_token = float(kv_bytes_per_token)
        self.pcie_gbs = float(pcie_gbs)
        #: ``stage -> seconds per prefill token``: ``pre(g, s) / prompt_s``.
        self.prefill_rate: dict[str, float] = {
            s: (HEXGEN_TABLE[self.gpu][s] - (o - 1) * self.tpot) / p for s, (p, o) in TYPICAL_IO.items()
        }

    def __repr__(self) -> str:
        return f"StageTableCost({self.gpu!r}, tpot={self.tpot:.6g})"

    def prefill_time(self, stage: str, tokens: int) -> float:
        """Seconds to prefill ``tokens`` tokens of a ``stage`` call."""
        return self.prefill_rate[_stage(stage)] * tokens

    def call_time(self, stage: str, prompt: int, output: int) -> float:
        """Seconds of one call served alone: ``prefill_time(stage, prompt) + (output - 1) tpot``."""
        return self.prefill_time(stage, prompt) + (output - 1) * self.tpot

    def step_time(self, work: StepWork) -> float:
        """Sum of the prefill chunks (rate of each request's stage ``tag``) + ``tpot`` if any decode."""
        t = 0.0
        for tokens, req in zip(np.asarray(work.prefill_tokens).tolist(), work.prefill_requests):
            try:
                t += self.prefill_time(req.tag, int(tokens))
            except ValueError:
                raise ValueError(
                    f"request {req.id}: tag {req.tag!r} is not a stage of the cost table "
                    f"({', '.join(STAGES)})"
                ) from None
        if len(work.decode_context):
            t += self.tpot
        return t

    def decode_coefficients(self) -> np.ndarray:
        """``(tpot, 0, 0, 0, 0, 0, 0)``: a decode-only step costs ``tpot`` whatever the batch."""
        return np.array([self.tpot, 0, 0, 0, 0, 0, 0], float)

    def swap_time(self, tokens: int) -> float:
        """``tokens x kv_bytes_per_token / (pcie_gbs 1e9)`` seconds one way."""
        return tokens * self.kv_bytes_per_token / (self.pcie_gbs * 1e9)


def cluster_costs(gpus: Sequence[str], **options: float) -> list[StageTableCost]:
    """One :class:`StageTableCost` per instance."""
    return [StageTableCost(g, **options) for g in gpus]


def latency_matrix(gpus: Sequence[str], stages: Sequence[str] = STAGES) -> np.ndarray:
    """``(instances, stages)`` table latencies."""
    return np.array([[stage_latency(g, s) for s in stages] for g in gpus])


def as_gpu_list(gpu_of_instance: Sequence[str] | Mapping[int, str]) -> list[str]:
    """Instance GPUs as a list (a mapping must have keys ``0..k-1``), each checked against the table."""
    if isinstance(gpu_of_instance, Mapping):
        keys = sorted(gpu_of_instance)
        if keys != list(range(len(keys))):
            raise ValueError(f"gpu_of_instance: expected instances 0..{len(keys) - 1}, got {keys}")
        out = [gpu_of_instance[k] for k in keys]
    else:
        out = list(gpu_of_instance)
    for g in out:
        column(g)
    return out
