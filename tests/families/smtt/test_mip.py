from hypothesis import given, settings

import schedopt
from schedopt.families.smtt import generate_smtt

from .strategies_smtt import smtt_problems
from .test_heuristics import _checked


@settings(max_examples=6, deadline=None)
@given(smtt_problems(max_n=5))
def test_mips_match_dp(problem):
    opt = schedopt.solve(problem, method="dp").objective
    for m in ("mip", "mip-positional"):
        r = _checked(problem, m, time_limit=20)
        assert r.objective >= opt
        assert r.bound is None or r.bound <= opt
        if r.status == "optimal":
            assert r.objective == opt


def test_cpsat_hook_on_smtt():
    pr = generate_smtt(9, seed=2, weighted=True)
    r = _checked(pr, "cpsat", time_limit=20, workers=1)
    assert r.objective == schedopt.solve(pr, method="dp").objective
    h = schedopt.solve(pr, method="ils", time_limit=0.05)
    r2 = _checked(pr, "cpsat", time_limit=20, workers=1, hint_schedule=h.schedule)
    assert r2.objective == r.objective
