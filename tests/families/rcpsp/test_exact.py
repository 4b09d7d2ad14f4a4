"""The RCPSP CP-SAT hook: still exact, tighter, and compatible with caller hints."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import check
from schedopt.exact.cpsat import build
from tests.conftest import require_data
from tests.strategies import brute_force_optimum, tiny_problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(max_jobs=5, objectives=("makespan",)))
def test_strengthened_cpsat_matches_brute_force(problem):
    expected = brute_force_optimum(problem)
    r = schedopt.solve(
        problem,
        method="cpsat",
        time_limit=20,
        workers=1,
        rcpsp_heuristic_schedules=100,
        rcpsp_makespan_interval=True,
    )
    if expected is None:
        assert r.status == "infeasible"
        return
    assert r.status == "optimal" and r.objective == expected == r.bound
    assert check(problem, r.schedule) == []


def test_hook_tightens_the_horizon_and_hints():
    p = schedopt.read(require_data("psplib", "j30", "j301_1.sm"))
    cm = build(p, options={})
    plain = build(p, options={"rcpsp_strengthen": False})
    assert len(cm.model.proto.constraints) > len(plain.model.proto.constraints)
    assert len(cm.model.proto.solution_hint.vars) >= 2 * p.n_jobs
    assert len(plain.model.proto.solution_hint.vars) == 0


def test_caller_hint_replaces_the_hook_hint():
    p = schedopt.read(require_data("psplib", "j30", "j301_2.sm"))
    first = schedopt.solve(p, method="ga", max_schedules=200)
    r = schedopt.solve(p, method="cpsat", time_limit=20, workers=1, hint_schedule=first.schedule)
    assert r.status == "optimal" and r.objective == 47 and check(p, r.schedule) == []


def test_same_optimum_with_and_without_strengthening():
    p = schedopt.read(require_data("psplib", "j30", "j3010_3.sm"))
    a = schedopt.solve(p, method="cpsat", time_limit=30, workers=1)
    b = schedopt.solve(p, method="cpsat", time_limit=30, workers=1, rcpsp_strengthen=False)
    assert a.status == b.status == "optimal" and a.objective == b.objective
    assert check(p, a.schedule) == [] and check(p, b.schedule) == []


def test_time_limit_covers_the_hook_heuristic():
    import time

    p = schedopt.read(require_data("psplib", "j120", "j12011_1.sm"))
    t0 = time.perf_counter()
    r = schedopt.solve(p, method="cpsat", time_limit=1.0, workers=1)
    assert time.perf_counter() - t0 < 2.5
    assert r.status == "feasible" and check(p, r.schedule) == []
    assert r.bound is not None and r.bound <= r.objective
