"""CP-SAT against brute force on tiny problems, and its guarantees."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import Problem, check
from schedopt.exact.cpsat import _downtime_blocks, safe_horizon
from tests.strategies import brute_force_optimum, tiny_problems

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_matches_brute_force(problem: Problem) -> None:
    expected = brute_force_optimum(problem)
    result = schedopt.solve(problem, method="cpsat", time_limit=20, workers=2)
    if expected is None:
        assert result.status == "infeasible"
        assert result.schedule is None
        return
    assert result.status == "optimal", result
    assert result.objective == expected == result.bound
    assert check(problem, result.schedule) == []
    assert result.gap == 0.0


@SETTINGS
@given(tiny_problems(max_jobs=5))
def test_cpsat_matches_brute_force(problem):
    assert_matches_brute_force(problem)


@SETTINGS
@given(tiny_problems(max_jobs=4, machines=True))
def test_cpsat_matches_brute_force_with_machines(problem):
    assert_matches_brute_force(problem)


def test_proves_infeasibility():
    # two unit-capacity jobs of length 3 that must both finish by 4
    p = Problem(duration=[3, 3], capacity=[1], demand=[[1], [1]], deadline=[4, 4])
    r = schedopt.solve(p, method="cpsat", time_limit=5)
    assert r.status == "infeasible" and r.objective is None and r.bound is None


def test_overlapping_downtime_takes_smallest_level():
    p = Problem(duration=[1], capacity=[5], demand=[[1]], downtime=[(0, 0, 4, 3), (0, 2, 6, 1), (0, 8, 9, 5)])
    assert _downtime_blocks(p, 0) == [(0, 2, 2), (2, 6, 4)]


def test_horizon_is_safe_for_worst_case_downtime():
    # a job of length 3 must wait until a window [1, 10) at level 0 ends
    p = Problem(duration=[3], capacity=[1], demand=[[1]], downtime=[(0, 1, 10)])
    assert safe_horizon(p) >= 13
    r = schedopt.solve(p, method="cpsat")
    assert (r.status, r.objective, r.schedule.start[0]) == ("optimal", 13, 10)


def test_time_limit_is_honoured():
    # 30 unrelated jobs on one machine, weighted tardiness: hard enough not to finish in 1 s
    import numpy as np

    rng = np.random.default_rng(1)
    p = schedopt.single_machine(rng.integers(1, 100, 40), rng.integers(0, 1500, 40), rng.integers(1, 10, 40))
    t0 = time.perf_counter()
    r = schedopt.solve(p, method="cpsat", time_limit=1.0, workers=1)
    assert time.perf_counter() - t0 < 2.5
    assert r.status in ("feasible", "optimal")
    assert check(p, r.schedule) == []
    assert r.bound is not None and r.bound <= r.objective


def test_feasibility_objective():
    p = Problem(duration=[2, 2], capacity=[1], demand=[[1], [1]], objective="feasibility")
    r = schedopt.solve(p, method="cpsat", time_limit=5)
    assert r.status == "optimal" and r.objective == 0 and check(p, r.schedule) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_j301_1_optimal(workers):
    from tests.conftest import require_data

    p = schedopt.read(require_data("psplib", "j30", "j301_1.sm"))
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=workers)
    assert (r.status, r.objective, r.bound) == ("optimal", 43, 43)
    assert check(p, r.schedule) == []


def test_apply_parameters_sets_scalars_and_repeated_fields():
    from ortools.sat.python import cp_model

    from schedopt.exact.cpsat import apply_parameters

    params = cp_model.CpSolver().parameters
    apply_parameters(params, {"subsolvers": ["default_lp", "max_lp"], "num_full_subsolvers": 2})
    assert list(params.subsolvers) == ["default_lp", "max_lp"] and params.num_full_subsolvers == 2
    apply_parameters(params, {"subsolvers": ["core"]})
    assert list(params.subsolvers) == ["core"]
    with pytest.raises(ValueError, match="unknown CP-SAT parameter"):
        apply_parameters(params, {"no_such_parameter": 1})


def test_cpsat_params_reach_the_solver():
    p = Problem(duration=[2, 3], precedence=[(0, 1, 0)])
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1, cpsat_params={"cp_model_presolve": False})
    assert r.status == "optimal" and r.objective == 5
    with pytest.raises(ValueError):
        schedopt.solve(p, method="cpsat", time_limit=10, workers=1, cpsat_params={"bogus": True})


def test_finishers_see_the_answer_and_hooks_can_keep_time_back(monkeypatch):
    """A hook lowers ``search_share``; a finisher gets the search's output and may replace it."""
    from schedopt.exact import cpsat

    seen: dict = {}

    def hook(cm, options):
        cm.search_share = 0.5
        seen["hook"] = True

    def finisher(cm, out, options):
        seen["out"] = out
        seen["options"] = dict(options)
        return cpsat.MethodOutput(out.status, out.schedule, out.bound, {**out.info, "finished": True})

    monkeypatch.setattr(cpsat, "_HOOKS", [*cpsat._HOOKS, hook])
    monkeypatch.setattr(cpsat, "_FINISHERS", [*cpsat._FINISHERS, finisher])
    p = Problem(duration=[2, 3], capacity=[1], demand=[[1], [1]], objective="makespan")
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1, seed=4)
    assert seen["hook"] and seen["out"].status == "optimal" and r.info["finished"]
    assert seen["options"]["_seed"] == 4 and seen["options"]["_workers"] == 1
    assert seen["options"]["_deadline"] > time.perf_counter() - 10
    assert r.status == "optimal" and r.objective == 5 and check(p, r.schedule) == []
