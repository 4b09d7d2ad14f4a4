"""LLM catalogue, KV bytes per token and KV capacity."""

from __future__ import annotations

import pytest

from schedopt import gpus
from schedopt.serving.models import LLM, MODELS, kv_capacity_tokens, llm

KIB = 1024


@pytest.mark.parametrize(
    ("name", "kib"),
    [
        ("llama-3-8b", 128),
        ("llama-3-70b", 320),
        ("llama-2-70b", 320),
        ("llama-2-7b", 512),
        ("llama-2-13b", 800),
    ],
)
def test_kv_bytes_per_token_match_the_docs(name, kib):
    # shared/docs/llm_serving.md §5
    assert llm(name).kv_bytes_per_token == kib * KIB


def test_architectures_and_weights():
    m8, m70 = llm("llama-3-8b"), llm("llama-3-70b")
    assert (m8.layers, m8.heads, m8.kv_heads, m8.head_dim) == (32, 32, 8, 128)  # GQA
    assert llm("llama-2-13b").kv_heads == llm("llama-2-13b").heads == 40  # no GQA
    assert m8.weight_bytes == pytest.approx(16.06e9, rel=1e-3)  # docs: 8B ~ 16 GB
    assert round(m70.weight_bytes / 1e9) == 141  # docs: 70B ~ 141 GB
    for m in MODELS.values():
        assert m.head_dim * m.heads == m.hidden and m.source
        assert m.attention_flops_per_pair == 4 * m.layers * m.heads * m.head_dim


def test_lookup_is_case_insensitive_with_aliases_and_suggestions():
    assert llm("Llama-3-8B") is MODELS["llama-3-8b"]
    assert llm("llama-3.1-70b") is MODELS["llama-3-70b"]
    assert llm("Meta-Llama-3-8B-Instruct") is MODELS["llama-3-8b"]
    assert llm(MODELS["llama-2-7b"]) is MODELS["llama-2-7b"]
    with pytest.raises(ValueError, match=r"unknown model 'lama-3-8b'; did you mean 'llama-3-8b'"):
        llm("lama-3-8b")
    with pytest.raises(ValueError, match="kv_heads"):
        LLM("bad", 10, 2, 64, 3, 2, 16)


def test_kv_capacity_follows_vllm_sizing():
    gib = 2**30
    m, g = llm("llama-3-8b"), gpus.gpu("A100-80")
    free = 80 * gib * 0.9 - m.weight_bytes - gib
    assert kv_capacity_tokens(m, g) == int(free // m.kv_bytes_per_token)
    assert 450_000 < kv_capacity_tokens("llama-3-8b", "A100") < 460_000  # (72 GiB - 16 GB - 1 GiB) / 128 KiB
    # tp=4: each GPU holds a quarter of the weights and a quarter of each token's KV (8 KV heads)
    four = kv_capacity_tokens("llama-3-70b", "H100", tp=4)
    per_gpu = 80 * gib * 0.9 - llm("llama-3-70b").weight_bytes / 4 - gib
    assert four == int(4 * per_gpu // llm("llama-3-70b").kv_bytes_per_token)
    # more memory, more tokens; less utilisation, fewer
    assert kv_capacity_tokens("llama-3-8b", "H200") > kv_capacity_tokens("llama-3-8b", "H100")
    assert kv_capacity_tokens("llama-3-8b", "H100", gpu_memory_utilization=0.5) < four


def test_kv_heads_are_replicated_beyond_their_count():
    """Llama-3-8B has 8 KV heads: tp=16 replicates them, so each GPU stores half a token's KV."""
    gib = 2**30
    m = llm("llama-3-8b")
    sixteen = kv_capacity_tokens(m, "H100", tp=16)
    per_gpu = 80 * gib * 0.9 - m.weight_bytes / 16 - gib
    assert sixteen == int(8 * per_gpu // m.kv_bytes_per_token)
    assert sixteen < 2 * kv_capacity_tokens(m, "H100", tp=8)


def test_tp_must_split_the_heads():
    with pytest.raises(ValueError, match="tp=3 does not split llama-3-70b's 64 attention heads"):
        kv_capacity_tokens("llama-3-70b", "H100", tp=3)


def test_a_model_that_does_not_fit_names_the_figures():
    with pytest.raises(
        ValueError,
        match=r"llama-3-70b needs 131 GiB of weights; 1 × A100-80 at gpu_memory_utilization 0.9 gives "
        r"72 GiB.*use tp >= 2",
    ):
        kv_capacity_tokens("llama-3-70b", "A100-80")
    with pytest.raises(ValueError, match=r"needs 131 GiB.*2 × L40S.*use tp >= 4"):
        kv_capacity_tokens("llama-3-70b", "L40S", tp=2)
    assert kv_capacity_tokens("llama-3-70b", "A100-80", tp=2) > 4096


def test_a_capacity_below_one_request_is_an_error():
    cap = kv_capacity_tokens("llama-2-13b", "L40S")
    assert kv_capacity_tokens("llama-2-13b", "L40S", min_tokens=cap) == cap
    with pytest.raises(
        ValueError, match=rf"holds {cap} tokens of KV .* below one request's {cap + 1} tokens"
    ):
        kv_capacity_tokens("llama-2-13b", "L40S", min_tokens=cap + 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"tp": 0}, "tp must be a positive integer"),
        ({"tp": 1.5}, "tp must be a positive integer"),
        ({"gpu_memory_utilization": 1.2}, "gpu_memory_utilization"),
        ({"activation_gb": -1}, "activation_gb"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kv_capacity_tokens("llama-3-8b", "H100", **kwargs)
