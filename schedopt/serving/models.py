"""LLM architectures for the serving simulator: weight bytes, KV-cache bytes per token, KV capacity.

The KV cache of a decoder-only transformer stores, for every token and every layer, one key and one
value vector per KV head, so

``kv_bytes_per_token = 2 (K and V) * layers * kv_heads * head_dim * dtype_bytes``.

Models with grouped-query attention (GQA; Ainslie et al. 2023) have fewer KV heads than query heads
(Llama-3-8B: 8 of 32), hence a smaller cache. With BF16 this gives the figures of
``shared/docs/llm_serving.md`` §5: Llama-3-8B 128 KiB, Llama-3-70B and Llama-2-70B 320 KiB,
Llama-2-7B 512 KiB, Llama-2-13B 800 KiB per token. The architecture figures are those of the
models' ``config.json`` on the Hugging Face Hub (``meta-llama/...``); parameter counts are the exact
tensor totals of the released checkpoints (embeddings and LM head included; e.g. Llama-3-8B's
``model.safetensors.index.json`` gives ``total_size`` 16,060,522,496 bytes = 2 x 8,030,261,248).

:func:`kv_capacity_tokens` turns a model, a GPU and a tensor-parallel degree into the number of
tokens of KV the instance holds, the way vLLM sizes its cache: a share ``gpu_memory_utilization`` of
device memory, minus the weights, minus the activations' peak; the rest is KV blocks.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass

from ..gpus import GPU
from ..gpus import gpu as _gpu


@dataclass(frozen=True)
class LLM:
    """One decoder-only transformer.

    Attributes
    ----------
    name
        Catalogue name (``"llama-3-8b"``).
    parameters
        Number of parameters (embeddings included).
    layers
        Transformer layers (``num_hidden_layers``).
    hidden
        Hidden size (``hidden_size``).
    heads
        Query heads (``num_attention_heads``).
    kv_heads
        Key/value heads (``num_key_value_heads``; ``== heads`` without GQA).
    head_dim
        Dimension of one head (``hidden / heads`` for Llama).
    dtype_bytes
        Bytes per weight and per KV element (2 for BF16/FP16).
    source
        Where the figures come from.
    """

    name: str
    parameters: int
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    dtype_bytes: int = 2
    source: str = ""

    def __post_init__(self) -> None:
        for field in ("parameters", "layers", "hidden", "heads", "kv_heads", "head_dim", "dtype_bytes"):
            value = getattr(self, field)
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"model {self.name!r}: {field} must be a positive integer, got {value!r}")
        if self.heads % self.kv_heads:
            raise ValueError(
                f"model {self.name!r}: heads ({self.heads}) must be a multiple of kv_heads ({self.kv_heads})"
            )

    @property
    def kv_bytes_per_token(self) -> int:
        """``2 * layers * kv_heads * head_dim * dtype_bytes``: KV-cache bytes of one token."""
        return 2 * self.layers * self.kv_heads * self.head_dim * self.dtype_bytes

    @property
    def weight_bytes(self) -> int:
        """``parameters * dtype_bytes``: bytes of the weights."""
        return self.parameters * self.dtype_bytes

    @property
    def attention_flops_per_pair(self) -> int:
        """FLOPs of attention for one (query token, key token) pair over all layers:
        ``4 * layers * heads * head_dim`` (``QK^T`` and ``AV``, a multiply-add each)."""
        return 4 * self.layers * self.heads * self.head_dim


_HF = (
    "config.json of {repo} on the Hugging Face Hub; parameters counted from it (embeddings and LM head "
    "included), = the checkpoint index's total_size / 2 bytes, up to Llama-2's rotary buffers"
)

MODELS: dict[str, LLM] = {
    m.name: m
    for m in (
        LLM("llama-2-7b", 6_738_415_616, 32, 4096, 32, 32, 128,
            source=_HF.format(repo="meta-llama/Llama-2-7b-hf") + "; no GQA"),
        LLM("llama-2-13b", 13_015_864_320, 40, 5120, 40, 40, 128,
            source=_HF.format(repo="meta-llama/Llama-2-13b-hf") + "; no GQA"),
        LLM("llama-2-70b", 68_976_648_192, 80, 8192, 64, 8, 128,
            source=_HF.format(repo="meta-llama/Llama-2-70b-hf") + "; GQA, 8 KV heads"),
        LLM("llama-3-8b", 8_030_261_248, 32, 4096, 32, 8, 128,
            source=_HF.format(repo="meta-llama/Meta-Llama-3-8B") + "; GQA, 8 KV heads"),
        LLM("llama-3-70b", 70_553_706_496, 80, 8192, 64, 8, 128,
            source=_HF.format(repo="meta-llama/Meta-Llama-3-70B") + "; GQA, 8 KV heads; "
            "Llama-3.1-70B has the same architecture"),
    )
}  # fmt: skip
"""The models by name."""

_ALIASES = {
    "llama-3.1-70b": "llama-3-70b",
    "llama-3.1-8b": "llama-3-8b",
    "meta-llama-3-8b": "llama-3-8b",
    "meta-llama-3-70b": "llama-3-70b",
    "llama2-7b": "llama-2-7b",
    "llama2-13b": "llama-2-13b",
    "llama2-70b": "llama-2-70b",
    "llama3-8b": "llama-3-8b",
    "llama3-70b": "llama-3-70b",
}


def llm(name: str | LLM) -> LLM:
    """The catalogue entry for ``name`` (case-insensitive; ``"llama-3.1-70b"`` is ``llama-3-70b``).

    Raises
    ------
    ValueError
        For an unknown name; the message suggests the closest and lists the catalogue.
    """
    if isinstance(name, LLM):
        return name
    key = str(name).strip().lower().replace("_", "-")
    for suffix in ("-instruct", "-chat", "-hf"):
        key = key.removesuffix(suffix)
    found = key if key in MODELS else _ALIASES.get(key)
    if found is None:
        close = difflib.get_close_matches(key, [*MODELS, *_ALIASES], n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown model {name!r}; {hint}known: {', '.join(MODELS)}")
    return MODELS[found]


DEFAULT_ACTIVATION_GB = 1.0
"""Per-GPU memory kept for activations and CUDA graphs (GB). An assumption, not a measurement: vLLM
measures it in a profiling run (a few hundred MB to a few GB depending on ``max_num_batched_tokens``)."""


def kv_capacity_tokens(
    model: str | LLM,
    gpu: str | GPU,
    tp: int = 1,
    gpu_memory_utilization: float = 0.9,
    activation_gb: float = DEFAULT_ACTIVATION_GB,
    min_tokens: int | None = None,
) -> int:
    """Tokens of KV cache a ``tp``-way tensor-parallel instance of ``model`` on ``gpu`` holds.

    Each of the ``tp`` GPUs keeps ``memory * gpu_memory_utilization - weights / tp - activation``
    bytes for KV and stores ``kv_bytes_per_token / min(tp, kv_heads)`` bytes of each token (the KV
    heads are split across GPUs; beyond ``kv_heads`` GPUs they are replicated, as in vLLM), so the
    capacity is ``floor(min(tp, kv_heads) * free_per_gpu / kv_bytes_per_token)`` tokens (vLLM's
    sizing rule with its default ``gpu_memory_utilization`` of 0.9). Device memory is taken in GiB
    (``memory_gb * 2**30`` bytes): the datasheets' "80 GB" of HBM is 81,920 MiB as the driver
    reports it. ``tp`` must divide the attention heads, and the KV heads must divide ``tp`` or be
    divisible by it (vLLM's rule).

    Parameters
    ----------
    model, gpu
        Catalogue names or objects.
    tp
        Tensor-parallel degree (GPUs per instance).
    gpu_memory_utilization
        Share of device memory the engine may use, in ``(0, 1]``.
    activation_gb
        Memory per GPU kept for activations (GiB).
    min_tokens
        If given, the capacity must hold at least this many tokens (one request's prompt plus
        ``max_new_tokens``), else :class:`ValueError`.

    Raises
    ------
    ValueError
        When the weights do not fit (the message gives the weight and memory figures and the
        smallest ``tp`` that fits them and holds ``min_tokens``, or 4,096 tokens), when the capacity
        is below ``min_tokens``, or on bad arguments.
    """
    m, g = llm(model), _gpu(gpu)
    if not (isinstance(tp, int) and tp >= 1):
        raise ValueError(f"tp must be a positive integer, got {tp!r}")
    if m.heads % tp or (m.kv_heads % tp and tp % m.kv_heads):
        raise ValueError(
            f"tp={tp} does not split {m.name}'s {m.heads} attention heads and {m.kv_heads} KV heads "
            "evenly; use a divisor of the head count"
        )
    if not (0 < gpu_memory_utilization <= 1):
        raise ValueError(f"gpu_memory_utilization must be in (0, 1], got {gpu_memory_utilization!r}")
    if not (activation_gb >= 0 and math.isfinite(activation_gb)):
        raise ValueError(f"activation_gb must be a finite number >= 0, got {activation_gb!r}")
    gib = 2**30
    usable = g.memory_gb * gib * gpu_memory_utilization

    def capacity(k: int) -> int:
        free = usable - m.weight_bytes / k - activation_gb * gib
        shards = min(k, m.kv_heads)
        return max(0, math.floor(shards * free / m.kv_bytes_per_token))

    tokens = capacity(tp)
    if tokens < 1:
        need = m.weight_bytes / gib
        enough = max(min_tokens or 0, 4096)
        fits = [k for k in range(tp + 1, 65) if m.heads % k == 0 and capacity(k) >= enough]
        advice = f"use tp >= {fits[0]}" if fits else "no tp up to 64 fits; use a larger GPU"
        raise ValueError(
            f"{m.name} needs {need:.0f} GiB of weights; {tp} × {g.name} at gpu_memory_utilization "
            f"{gpu_memory_utilization:g} gives {tp * usable / gib:.0f} GiB "
            f"({activation_gb:g} GiB per GPU kept for activations); {advice}"
        )
    if min_tokens is not None and tokens < min_tokens:
        raise ValueError(
            f"{m.name} on {tp} × {g.name} at gpu_memory_utilization {gpu_memory_utilization:g} holds "
            f"{tokens} tokens of KV at {m.kv_bytes_per_token // 1024} KiB/token, below one request's "
            f"{min_tokens} tokens; raise tp or gpu_memory_utilization"
        )
    return tokens
