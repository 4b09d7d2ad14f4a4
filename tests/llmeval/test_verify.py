"""Verification types against a brute-force time-stepping checker on tiny generated instances."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.llmeval.generator import VARIANTS, GeneratorConfig, generate_instance
from schedopt.llmeval.models import CORRUPT_TYPES, NotApplicable, answer_text, corrupt_starts
from schedopt.llmeval.verify import verify_answer, verify_starts
from schedopt.model import NO_TIME

TINY = GeneratorConfig(n_tasks=5, n_layers=3, n_resources=2, max_duration=3, p=0.9, cpsat_time_limit=None)


def brute_force_types(p, s: np.ndarray) -> set[str]:
    """Violated types by direct definition, stepping through every time unit."""
    e = s + p.duration
    out = set()
    for i, j, _ in p.precedence:
        if s[j] < e[i]:
            out.add("precedence")
    if ((s < p.release) | ((p.deadline < NO_TIME) & (e > p.deadline))).any():
        out.add("window")
    for i, j in p.disjunctive:
        if s[i] < e[j] and s[j] < e[i]:
            out.add("disjunctive")
    for t in range(int(e.max()) + 1):
        running = (s <= t) & (t < e)
        for k in range(p.n_resources):
            use = int(p.demand[running, k].sum())
            cap = int(p.capacity[k])
            for kk, a, b, level in p.downtime:
                if kk == k and a <= t < b:
                    cap = min(cap, int(level))
            if use > p.capacity[k]:
                out.add("resource")
            elif use > cap:
                out.add("downtime")
    return out


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 5), st.sampled_from(VARIANTS), st.data())
def test_verdict_types_match_brute_force(seed, level, variant, data):
    p = generate_instance(level, variant, seed=seed, config=TINY)
    w = np.asarray(p.meta["witness"])
    horizon = int((w + p.duration).max()) + 2
    starts = np.array(data.draw(st.lists(st.integers(0, horizon), min_size=5, max_size=5)), dtype=np.int64)
    verdict = verify_starts(p, starts)
    assert set(verdict.violations) == brute_force_types(p, starts)
    assert verdict.feasible == (not verdict.violations)
    assert verify_starts(p, w).feasible and brute_force_types(p, w) == set()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 8), st.sampled_from(VARIANTS), st.sampled_from(CORRUPT_TYPES))
def test_corrupt_is_always_caught_with_its_type(seed, level, variant, kind):
    p = generate_instance(level, variant, seed=seed, config=GeneratorConfig(cpsat_time_limit=None))
    try:
        starts = corrupt_starts(p, kind, np.asarray(p.meta["witness"]), seed=seed)
    except NotApplicable:
        return
    verdict = verify_answer(p, answer_text(p, starts))
    assert not verdict.feasible and set(verdict.violations) == {kind}
    assert verdict.first_violation == kind
