import numpy as np
from hypothesis import given, settings

import schedopt
from schedopt.families.smtt import _kernels as K
from schedopt.families.smtt import generate_smtt

from .strategies_smtt import smtt_problems
from .test_heuristics import _checked


@settings(max_examples=40, deadline=None)
@given(smtt_problems())
def test_local_search_between_start_and_dp(problem):
    opt = schedopt.solve(problem, method="dp").objective
    start = (
        schedopt.solve(problem, method="mdd").objective if problem.objective == "total_tardiness" else None
    )
    for m, kw in (
        ("interchange", {}),
        ("insertion", {}),
        ("ils", {"time_limit": 0.05, "max_iterations": 30}),
    ):
        r = _checked(problem, m, **kw)
        assert r.objective >= opt
        if start is not None:
            assert r.objective <= start


def test_insertion_is_local_optimum():
    pr = generate_smtt(40, seed=2, weighted=True)
    r = _checked(pr, "insertion")
    seq = np.array(r.info["sequence"])
    p, d, w = (np.asarray(a, np.int64) for a in (pr.duration, pr.due, pr.weight))
    v = K.total_tardiness(seq, p, d, w)
    for i in range(len(seq)):
        for j in range(len(seq)):
            s = list(seq)
            x = s.pop(i)
            s.insert(j, x)
            assert K.total_tardiness(np.array(s), p, d, w) >= v


def test_dynasearch_gain_is_exact():
    pr = generate_smtt(30, seed=5, weighted=True, tf=0.8)
    p, d, w = (np.asarray(a, np.int64) for a in (pr.duration, pr.due, pr.weight))
    seq = K.spt(p, d)
    before = K.total_tardiness(seq, p, d, w)
    gain = K.dynasearch_pass(seq, p, d, w, 30)
    assert gain > 0
    assert K.is_permutation(seq, 30)
    assert K.total_tardiness(seq, p, d, w) == before - gain


def test_ils_respects_time_limit_and_is_seeded():
    pr = generate_smtt(100, seed=3, weighted=True, tf=0.6, rdd=0.2)
    schedopt.solve(pr, method="ils", time_limit=0.05)
    a = _checked(pr, "ils", time_limit=0.3, seed=1, max_iterations=50)
    b = _checked(pr, "ils", time_limit=0.3, seed=1, max_iterations=50)
    assert a.objective == b.objective
    c = _checked(pr, "ils", time_limit=0.2)
    assert c.time < 0.2 + 0.3
    assert c.objective <= schedopt.solve(pr, method="insertion", start="atc").objective
