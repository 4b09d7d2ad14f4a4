import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedopt
from schedopt.families.smtt import _kernels as K
from schedopt.families.smtt import generate_smtt, single_machine
from tests.conftest import require_data

from .strategies_smtt import smtt_problems, tie_heavy_unweighted
from .test_heuristics import _checked


def _brute(problem):
    import itertools

    w = problem.weight if problem.objective == "total_weighted_tardiness" else np.ones(problem.n_jobs, int)
    best = None
    for perm in itertools.permutations(range(problem.n_jobs)):
        c = np.cumsum(problem.duration[list(perm)])
        v = int((w[list(perm)] * np.maximum(0, c - problem.due[list(perm)])).sum())
        best = v if best is None else min(best, v)
    return best


@settings(max_examples=60, deadline=None)
@given(smtt_problems(max_n=6))
def test_dp_equals_brute_force(problem):
    r = _checked(problem, "dp")
    assert r.status == "optimal" and r.bound == r.objective == _brute(problem)


@settings(max_examples=150, deadline=None)
@given(smtt_problems(max_n=10, weighted=False))
def test_exact_equals_dp(problem):
    a = schedopt.solve(problem, method="dp")
    b = _checked(problem, "exact")
    assert b.status == "optimal" and b.objective == a.objective and b.bound == b.objective


def test_exact_equals_dp_on_generated_classes():
    for seed in range(40):
        tf, rdd = (0.2, 0.4, 0.6, 0.8)[seed % 4], (0.2, 0.6, 1.0)[seed % 3]
        pr = generate_smtt(14, tf=tf, rdd=rdd, seed=seed, p_max=(5, 100)[seed % 2])
        assert _checked(pr, "exact").objective == schedopt.solve(pr, method="dp").objective


def test_dp_limits():
    pr = generate_smtt(23, seed=0)
    assert "dp" not in schedopt.methods(pr)
    from schedopt.families.smtt.exact import run_dp

    with pytest.raises(ValueError, match="at most 22"):
        run_dp(pr)


def test_exact_timeout_returns_feasible_without_bound():
    pr = generate_smtt(200, seed=1, tf=0.6, rdd=0.2)
    r = _checked(pr, "exact", time_limit=0.05)
    if r.info.get("timed_out"):
        assert r.status == "feasible"


def test_exact_on_shang_sample():
    path = require_data("smtt_unweighted", "tt100_shang.txt")
    probs = schedopt.read(path)
    t0 = time.perf_counter()
    for pr in probs[::20]:
        r = _checked(pr, "exact", time_limit=30)
        assert r.status == "optimal" and r.objective == pr.meta["opt"]
    assert time.perf_counter() - t0 < 30


def test_dp_on_tt20_sample():
    path = require_data("smtt_unweighted", "tt20_uniform_cetinkaya.txt")
    for pr in schedopt.read(path)[::100]:
        r = _checked(pr, "dp")
        assert r.objective == pr.meta["opt"] and r.time < 2.0


def test_exact_empty_and_trivial():
    pr = single_machine([3], [1])
    assert _checked(pr, "exact").objective == 2


def _held_karp(p, d, w):
    """Plain-Python subset DP (the reference for the compiled one)."""
    n = len(p)
    val = {0: 0}
    for mask in range(1, 1 << n):
        tot = sum(p[k] for k in range(n) if mask >> k & 1)
        val[mask] = min(val[mask ^ (1 << k)] + w[k] * max(0, tot - d[k]) for k in range(n) if mask >> k & 1)
    return val[(1 << n) - 1]


@st.composite
def _dp_instances(draw):
    n = draw(st.integers(1, 11))
    big = draw(st.booleans())  # big values force the int64 value table
    pm, wm = (10_000, 100_000) if big else (20, 5)
    p = draw(st.lists(st.integers(0, pm), min_size=n, max_size=n))
    d = draw(st.lists(st.integers(-pm, n * pm), min_size=n, max_size=n))
    w = draw(st.lists(st.integers(0, wm), min_size=n, max_size=n))
    return np.array(p, np.int64), np.array(d, np.int64), np.array(w, np.int64)


@settings(max_examples=120, deadline=None)
@given(_dp_instances())
def test_subset_dp_kernel_equals_reference(inst):
    p, d, w = inst
    seq = K.subset_dp(p, d, w)
    assert sorted(seq.tolist()) == list(range(len(p)))
    assert int(K.total_tardiness(seq, p, d, w)) == _held_karp(p.tolist(), d.tolist(), w.tolist())


@settings(max_examples=300, deadline=None)
@given(tie_heavy_unweighted())
def test_exact_equals_dp_tie_heavy(problem):
    a = schedopt.solve(problem, method="dp")
    b = _checked(problem, "exact")
    assert b.objective == a.objective


def test_exact_equals_dp_random_tie_heavy_batch():
    """2,000 seeded tie-heavy instances (n <= 11): decomposition rules (A)/(B) vs the subset DP."""
    from schedopt.families.smtt.exact import run_exact

    rng = np.random.default_rng(12345)
    for it in range(2000):
        n = int(rng.integers(2, 12))
        p = rng.integers(1, int(rng.choice([2, 3, 5, 10])) + 1, n)
        total = int(p.sum())
        d = rng.integers(-2, total + 3, n) if it % 2 else rng.choice(rng.integers(0, total + 1, 3), n)
        pr = single_machine(p.tolist(), d.tolist())
        w = np.ones(n, np.int64)
        opt = int(K.total_tardiness(K.subset_dp(p.astype(np.int64), d.astype(np.int64), w), p, d, w))
        assert run_exact(pr).info["value"] == opt, (p.tolist(), d.tolist())
