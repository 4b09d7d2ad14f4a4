"""The time-indexed MIP against brute force, its bound, time limit and solver choice."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import Problem, check
from tests.conftest import require_data
from tests.strategies import brute_force_optimum, tiny_problems


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)))
def test_mip_matches_brute_force(problem):
    expected = brute_force_optimum(problem)
    r = schedopt.solve(problem, method="mip", time_limit=20, heuristic_schedules=50)
    if expected is None:
        assert r.status == "infeasible" and r.schedule is None
        return
    assert r.status == "optimal" and r.objective == expected == r.bound
    assert check(problem, r.schedule) == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=4, objectives=("makespan",)))
def test_mip_without_heuristic_horizon(problem):
    expected = brute_force_optimum(problem)
    r = schedopt.solve(problem, method="mip", time_limit=20, heuristic_schedules=0)
    if expected is None:
        assert r.status == "infeasible"
    else:
        assert r.status == "optimal" and r.objective == expected and check(problem, r.schedule) == []


def test_cbc_and_highs_agree():
    p = schedopt.read(require_data("psplib", "j30", "j301_2.sm"))
    for solver in ("highs", "cbc"):
        r = schedopt.solve(p, method="mip", time_limit=60, solver=solver)
        assert r.status == "optimal" and r.objective == 47 and check(p, r.schedule) == []


def test_time_limit_and_valid_bound():
    p = schedopt.read(require_data("psplib", "j120", "j12011_1.sm"))
    t0 = time.perf_counter()
    r = schedopt.solve(p, method="mip", time_limit=3)
    assert time.perf_counter() - t0 < 8  # model building in PuLP is not interruptible
    assert r.schedule is not None and check(p, r.schedule) == []
    assert r.bound is not None and r.bound <= r.objective
    assert r.gap is not None and 0 <= r.gap < 1


def test_proves_infeasibility_and_rejects_bad_options():
    p = Problem(duration=[3, 3], capacity=[1], demand=[[1], [1]], deadline=[4, 4], family="rcpsp")
    assert schedopt.solve(p, method="mip", time_limit=10).status == "infeasible"
    with pytest.raises(ValueError, match="solver"):
        schedopt.solve(p, method="mip", solver="gurobi")


def test_mip_name_is_shared_with_other_families():
    # "mip" is also the single-machine family's MIP; the registry dispatches on the problem
    p = schedopt.rcpsp([1, 2], [1], [[1], [1]])
    assert "mip" in schedopt.methods(p)
    r = schedopt.solve(p, method="mip", time_limit=10)
    assert r.status == "optimal" and r.objective == 3 and r.info.get("solver") == "highs"


def test_large_durations_fail_fast_with_a_clear_message():
    # issue 20: "mip at durations 1e4 was still building its model after 120 s at 1.7 GB"
    from schedopt.errors import OptionError

    n = 40
    p = schedopt.rcpsp([10_000 + 37 * j for j in range(n)], [2], [[1]] * n, name="long")
    t0 = time.perf_counter()
    with pytest.raises(
        OptionError, match=r"'long' would need [\d,]+ binary variables .* max_binaries=2,000,000"
    ) as exc:
        schedopt.solve(p, method="mip", time_limit=60, heuristic_schedules=0)
    assert time.perf_counter() - t0 < 10
    assert "method='cpsat'" in str(exc.value) and exc.value.option == "max_binaries"


def test_max_binaries_is_an_option_and_counts_exactly():
    from schedopt.errors import OptionError
    from schedopt.families.rcpsp.heuristics import profile_horizon
    from schedopt.families.rcpsp.mip import count_binaries

    p = schedopt.rcpsp([1, 2], [1], [[1], [1]])
    assert count_binaries(p, 3) == 3 + 2  # windows [0, 2] and [0, 1]
    assert "max_binaries" in schedopt.methods(p)[schedopt.methods(p).index("mip")].defaults
    need = count_binaries(p, profile_horizon(p))  # the horizon used without the heuristic
    with pytest.raises(OptionError, match=rf"would need {need} binary variables .* max_binaries={need - 1};"):
        schedopt.solve(p, method="mip", time_limit=10, heuristic_schedules=0, max_binaries=need - 1)
    r = schedopt.solve(p, method="mip", time_limit=10, heuristic_schedules=0, max_binaries=need)
    assert r.status == "optimal" and r.objective == 3
    with pytest.raises(OptionError, match="max_binaries must be a positive integer, got 0"):
        schedopt.solve(p, method="mip", max_binaries=0)
