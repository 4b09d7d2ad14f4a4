"""The objective registry: one place for value, bound and CP-SAT term of every objective."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import Problem, Schedule, model
from schedopt.bounds import trivial_bound
from schedopt.objectives import (
    OBJECTIVES,
    REGISTRY,
    decode_late_lateness,
    decode_placement,
    encode_late_lateness,
    encode_placement,
    get_objective,
    late_lateness_scale,
    placement_parts,
    placement_radices,
    placement_tiers,
)
from tests.strategies import brute_force_optimum, tiny_problems

NEW = ("max_lateness", "weighted_completion", "placement", "late_then_max_lateness")


def test_registry_is_the_one_list():
    assert model.OBJECTIVES == OBJECTIVES == tuple(REGISTRY)
    assert {"makespan", "total_tardiness", "total_weighted_tardiness", "feasibility", *NEW} == set(OBJECTIVES)
    for name, obj in REGISTRY.items():
        assert obj.name == name and obj.formula
        assert callable(obj.evaluate) and callable(obj.bound) and callable(obj.cpsat)
    with pytest.raises(ValueError, match="unknown objective 'flowtime'"):
        get_objective("flowtime")


def test_evaluate_and_trivial_bound_read_the_registry(monkeypatch):
    p = Problem(duration=[2, 3], due=[1, 1])
    s = Schedule.from_starts(p, [0, 2])
    fake = REGISTRY["makespan"].__class__("makespan", "x", lambda pr, sc: 42, lambda pr: 7, lambda cm: None)
    monkeypatch.setitem(REGISTRY, "makespan", fake)
    assert schedopt.evaluate(p, s) == 42 and trivial_bound(p) == 7


def test_importing_objectives_loads_no_ortools():
    code = "import sys, schedopt.objectives, schedopt.check; assert 'ortools' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(max_jobs=4, machines=True, extended=True, objectives=OBJECTIVES))
def test_trivial_bound_is_below_the_optimum(problem):
    best = brute_force_optimum(problem)
    if best is None:
        return
    if problem.objective == "placement":
        best = encode_placement(problem, best[:-1], best[-1])
    assert trivial_bound(problem) <= best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tiny_problems(max_jobs=5, machines=True, extended=True, objectives=("placement",), max_machines=3),
    st.data(),
)
def test_placement_encoding_round_trips_and_orders_lexicographically(problem, data):
    radices, _ = placement_radices(problem)
    tiers = len(radices)
    d_max = 2 * int((problem.current_machine >= 0).sum())
    maxima = [int(problem.weight[jobs].sum()) for _, jobs in placement_tiers(problem)]
    assert len(maxima) == tiers

    def draw_parts():
        return [data.draw(st.integers(0, m)) for m in maxima], data.draw(st.integers(0, d_max))

    (u1, d1), (u2, d2) = draw_parts(), draw_parts()
    v1, v2 = encode_placement(problem, u1, d1), encode_placement(problem, u2, d2)
    parts = decode_placement(problem, v1)
    assert [u for _, u in parts.unplaced] == u1 and parts.disruption == d1
    assert (v1 < v2) == ((*u1, d1) < (*u2, d2))


def test_placement_parts_of_a_schedule():
    p = Problem(
        duration=[[1]] * 4,
        machine_type=[0, 0],
        optional=[True, True, True, False],
        priority=[2, 2, 1, 0],
        weight=[3, 1, 5, 1],
        current_machine=[0, 1, -1, 0],
        objective="placement",
    )
    # job 0 evicted (1), job 1 moved 1 -> 0 (2), job 2 unplaced, job 3 stays on 0
    s = Schedule([-1, 0, -1, 1], [-1, 1, -1, 2], [-1, 0, -1, 0])
    parts = placement_parts(p, s)
    assert parts.unplaced == ((2.0, 3), (1.0, 5)) and parts.disruption == 3
    value = schedopt.evaluate(p, s)
    assert decode_placement(p, value) == parts
    # tier radices: D_max = 6, so B_1 = 7, B_0 = 7 * (5 + 1) = 42
    assert placement_radices(p) == ([42, 7], 1) and value == 3 * 42 + 5 * 7 + 3


def test_max_lateness_may_be_negative():
    p = Problem(duration=[2, 3], due=[10, 10], capacity=[1], demand=[[1], [1]], objective="max_lateness")
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert (r.status, r.objective, r.bound, r.gap) == ("optimal", -5, -5, 0.0)
    assert trivial_bound(p) == -7  # each job alone: 2 - 10 and 3 - 10
    # only optional jobs with due dates: placing none gives 0, so the bound is at most 0
    q = p.replace(optional=[True, True])
    assert trivial_bound(q) == -8  # placing only job 0 alone: 2 - 10
    assert schedopt.evaluate(q, Schedule([-1, -1], [-1, -1])) == 0


def test_unplaced_jobs_count_only_in_placement():
    p = Problem(duration=[2, 3], due=[1, 1], weight=[4, 5], optional=[False, True])
    s = Schedule([0, -1], [2, -1])
    values = {o: schedopt.evaluate(p.replace(objective=o), s) for o in OBJECTIVES}
    assert values == {
        "makespan": 2,
        "total_tardiness": 1,
        "total_weighted_tardiness": 4,
        "feasibility": 0,
        "max_lateness": 1,
        "weighted_completion": 8,
        "placement": 5,  # job 1's weight in its tier
        # job 0 late (weight 4) by 1: 4 * B + (1 - L_lo) with L_lo = min(0, 0 + 2 - 1, 0 + 3 - 1) = 0
        "late_then_max_lateness": 4 * late_lateness_scale(p.replace(objective="late_then_max_lateness")).radix
        + 1,
    }
    with pytest.raises(ValueError, match="leaves out job 0"):
        schedopt.evaluate(p.replace(objective="weighted_completion"), Schedule([-1, 0], [-1, 3]))
    assert np.isclose(REGISTRY["max_lateness"].may_be_negative, True)


def test_late_then_max_lateness_is_lexicographic_on_an_example():
    # two jobs on one machine, due 2 and 3: one of them is late; the best late one is job 1 by 2
    p = Problem(
        duration=[[2], [3], [1]], machine_type=[0], due=[2, 3, 100], objective="late_then_max_lateness"
    )
    sc = late_lateness_scale(p)
    assert (sc.lo, sc.hi, sc.radix, sc.late_max) == (-99, 4, 104, 3)  # H = 6, min due 2
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == r.bound
    assert decode_late_lateness(p, r.objective) == (1, 2)
    # job 1 first: one late job (job 0, by 3): worse in the second part only
    s = Schedule([3, 0, 5], [5, 3, 6], [0, 0, 0])
    assert decode_late_lateness(p, schedopt.evaluate(p, s)) == (1, 3)
    assert trivial_bound(p) == encode_late_lateness(p, 0, 0)  # each job alone is on time
    # a long idle gap: the lateness part saturates at L_hi
    s = Schedule([0, 2, 90], [2, 5, 91], [0, 0, 0])
    assert decode_late_lateness(p, schedopt.evaluate(p, s)) == (1, 2)
    s = Schedule([0, 200, 5], [2, 203, 6], [0, 0, 0])
    assert decode_late_lateness(p, schedopt.evaluate(p, s)) == (1, sc.hi)


def test_late_then_max_lateness_without_due_dates_is_zero():
    p = Problem(duration=[1, 2], objective="late_then_max_lateness")
    assert schedopt.evaluate(p, Schedule.from_starts(p, [0, 1])) == 0 == trivial_bound(p)


def test_late_then_max_lateness_refuses_huge_encodings():
    with pytest.raises(schedopt.ProblemError, match="late_then_max_lateness"):
        Problem(duration=[1 << 40], due=[0], weight=[1 << 20], objective="late_then_max_lateness")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tiny_problems(max_jobs=5, machines=True, extended=True, objectives=("late_then_max_lateness",)),
    st.data(),
)
def test_late_lateness_encoding_round_trips_and_orders_lexicographically(problem, data):
    sc = late_lateness_scale(problem)

    def draw_parts():
        return data.draw(st.integers(0, sc.late_max)), data.draw(st.integers(sc.lo, sc.hi))

    (u1, l1), (u2, l2) = draw_parts(), draw_parts()
    v1, v2 = encode_late_lateness(problem, u1, l1), encode_late_lateness(problem, u2, l2)
    assert decode_late_lateness(problem, v1) == (u1, l1)
    assert 0 <= v1 < sc.limit
    assert (v1 < v2) == ((u1, l1) < (u2, l2))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(max_jobs=4, machines=True, extended=True, objectives=("late_then_max_lateness",)))
def test_late_lateness_cpsat_optimum_is_consistent(problem):
    """CP-SAT's optimum is above the trivial bound, and its U part is the least number of late jobs."""
    r = schedopt.solve(problem, method="cpsat", time_limit=20, workers=1)
    if r.schedule is None:
        assert r.status == "infeasible"
        return
    assert r.status == "optimal" and trivial_bound(problem) <= r.objective
    late, lmax = decode_late_lateness(problem, r.objective)
    # no weighted-positive job late (late == 0) is possible iff the weighted tardiness optimum is 0
    tard = schedopt.solve(
        problem.replace(objective="total_weighted_tardiness"), "cpsat", time_limit=20, workers=1
    )
    assert (late == 0) == (tard.objective == 0)
    # the second part is never below the plain max_lateness optimum; when that optimum has every
    # job on time (L* <= 0), it has no late job, so it is also the lexicographic optimum
    ml = schedopt.solve(problem.replace(objective="max_lateness"), "cpsat", time_limit=20, workers=1)
    assert lmax >= min(ml.objective, late_lateness_scale(problem).hi)
    if ml.objective <= 0:
        assert late == 0 and lmax == ml.objective
