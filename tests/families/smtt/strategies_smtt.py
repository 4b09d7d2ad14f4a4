"""Hypothesis strategy: small random 1||ΣTj / 1||ΣwjTj instances (with many ties)."""

from __future__ import annotations

from hypothesis import strategies as st

from schedopt.families.smtt import single_machine


@st.composite
def smtt_problems(draw, max_n: int = 8, weighted: bool | None = None):
    n = draw(st.integers(1, max_n))
    pmax = draw(st.sampled_from([3, 10, 50]))
    p = draw(st.lists(st.integers(1, pmax), min_size=n, max_size=n))
    total = sum(p)
    d = draw(st.lists(st.integers(-5, total + 5), min_size=n, max_size=n))
    if weighted is None:
        weighted = draw(st.booleans())
    w = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n)) if weighted else None
    return single_machine(p, d, w)


@st.composite
def tie_heavy_unweighted(draw, max_n: int = 10):
    """1||ΣTj instances built to stress decomposition rules: short p, few distinct due dates."""
    n = draw(st.integers(2, max_n))
    p = draw(st.lists(st.integers(1, draw(st.sampled_from([2, 3, 5]))), min_size=n, max_size=n))
    total = sum(p)
    dues = draw(st.lists(st.integers(-2, total + 2), min_size=1, max_size=3))
    d = draw(st.lists(st.sampled_from(dues), min_size=n, max_size=n))
    return single_machine(p, d)
