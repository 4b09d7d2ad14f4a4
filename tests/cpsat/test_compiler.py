"""CP-SAT against brute force on tiny problems, and its guarantees."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import Problem, check
from schedopt.cpsat.compiler import _downtime_blocks, safe_horizon
from schedopt.objectives import OBJECTIVES, decode_placement
from tests.conftest import INSTANCES
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
    assert check(problem, result.schedule) == []
    assert result.objective == result.bound
    if problem.objective == "placement":  # the brute force gives the lexicographic parts
        parts = decode_placement(problem, result.objective)
        assert (*(u for _, u in parts.unplaced), parts.disruption) == expected
    else:
        assert result.objective == expected
        assert result.gap == 0.0


@SETTINGS
@given(tiny_problems(max_jobs=5))
def test_cpsat_matches_brute_force(problem):
    assert_matches_brute_force(problem)


@SETTINGS
@given(tiny_problems(max_jobs=4, machines=True))
def test_cpsat_matches_brute_force_with_machines(problem):
    assert_matches_brute_force(problem)


ALL_OBJECTIVES = tuple(o for o in OBJECTIVES if o != "feasibility")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(max_jobs=4, machines=True, extended=True, objectives=ALL_OBJECTIVES))
def test_cpsat_matches_brute_force_with_extended_machine_fields(problem):
    """Eligibility, cumulative machines, optional jobs, anti-affinity, pair communication, new objectives."""
    assert_matches_brute_force(problem)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(max_jobs=4, extended=True, objectives=ALL_OBJECTIVES))
def test_cpsat_matches_brute_force_with_optional_jobs(problem):
    """Optional jobs and the new objectives on problems without machines."""
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

    from schedopt.cpsat.compiler import apply_parameters

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


def test_unplaceable_optional_jobs_stay_unplaced_and_hints_may_leave_jobs_out():
    p = Problem(
        duration=[[2], [3], [1]],
        machine_type=[0, 0],
        eligible=[[1, 1], [0, 0], [1, 1]],  # job 1 is eligible nowhere
        release=[0, 0, 5],
        deadline=[schedopt.NO_TIME, schedopt.NO_TIME, 5],  # job 2's window is too short
        optional=[False, True, True],
        objective="placement",
    )
    hint_schedule = schedopt.Schedule([0, -1, -1], [2, -1, -1], [1, -1, -1])
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1, hint_schedule=hint_schedule)
    assert r.status == "optimal" and check(p, r.schedule) == []
    assert r.schedule.start.tolist()[1:] == [-1, -1] and r.schedule.machine.tolist()[1:] == [-1, -1]
    assert r.objective == r.bound == 2  # one tier (priority 0): weight 1 + 1 unplaced


def test_horizon_covers_the_largest_pair_delay():
    # a -> b with 10 units of data over a network of bandwidth 1 between the only two machines' nodes;
    # b is eligible only on the other node, so it waits ceil(0.5 + 10 / 1) = 11
    p = Problem(
        duration=[[1], [1]],
        machine_type=[0, 0],
        eligible=[[1, 0], [0, 1]],
        precedence=[(0, 1)],
        data_size=[10.0],
        machine_node=[0, 1],
        comm_latency=[[0.0, 0.5], [0.5, 0.0]],
        comm_bandwidth=[[float("inf"), 1.0], [1.0, float("inf")]],
    )
    assert safe_horizon(p) >= 13
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert (r.status, r.objective, r.schedule.start.tolist()) == ("optimal", 13, [0, 12])


def test_progress_reports_improving_solutions():
    # issue 20: long solves should show the best objective and bound as they improve
    p = schedopt.generate_rcpsp(40, seed=3)
    calls = []
    r = schedopt.solve(
        p,
        method="cpsat",
        time_limit=20,
        workers=1,
        rcpsp_heuristic_schedules=0,  # no GA hint: CP-SAT improves step by step
        progress=lambda objective, bound, seconds: calls.append((objective, bound, seconds)),
    )
    assert len(calls) >= 2, calls
    objectives = [c[0] for c in calls]
    assert objectives == sorted(objectives, reverse=True) and len(set(objectives)) == len(objectives)
    assert all(isinstance(o, int) for o in objectives)
    assert all(b is None or (isinstance(b, int) and b <= o) for o, b, _ in calls)
    seconds = [c[2] for c in calls]
    assert seconds == sorted(seconds) and seconds[0] >= 0 and seconds[-1] <= r.time
    assert r.objective <= objectives[-1] and r.bound >= max(b or 0 for _, b, _ in calls)


def test_progress_must_be_callable():
    p = schedopt.read(INSTANCES / "rcpsp" / "toy12.sm")
    with pytest.raises(schedopt.OptionError, match="progress must be a callable or None, got 3"):
        schedopt.solve(p, method="cpsat", time_limit=5, progress=3)
    cpsat = next(m for m in schedopt.methods(p) if m == "cpsat")
    assert cpsat.defaults["progress"] is None


@pytest.mark.parametrize("variant", ["resource", "disjunctive"])
def test_a_job_of_duration_zero_on_some_type_occupies_nothing(variant):
    """Job 1 lasts 0 on type 0: CP-SAT must allow it inside job 0's run (found by review; was 6)."""
    kw = {"capacity": [1], "demand": [[1], [1], [0]]} if variant == "resource" else {"disjunctive": [(0, 1)]}
    p = Problem(
        duration=[[5, 5], [0, 10], [1, 1]], release=[0, 2, 0], precedence=[(1, 2)], machine_type=[0, 1], **kw
    )
    s = schedopt.Schedule([0, 2, 2], [5, 2, 3], [1, 0, 0])
    assert check(p, s) == [] and schedopt.evaluate(p, s) == 5
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == 5 and check(p, r.schedule) == []
