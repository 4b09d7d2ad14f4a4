import time

import numpy as np
import pytest
from hypothesis import given, settings

import schedopt
from schedopt.families.smtt import generate_smtt, single_machine
from tests.conftest import require_data

from .strategies_smtt import smtt_problems
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
