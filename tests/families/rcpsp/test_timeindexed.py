"""The time-indexed decision model and the proof phase of ``method="cpsat"`` on RCPSP."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import check
from schedopt.cpsat.compiler import build, make_context
from schedopt.families.rcpsp.exact import prove_by_time_index
from schedopt.families.rcpsp.timeindexed import decide_makespan, time_windows
from schedopt.registry import MethodOutput
from tests.conftest import require_data
from tests.strategies import brute_force_optimum, tiny_problems


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)))
def test_decision_matches_brute_force(problem):
    """Downtime, releases, deadlines and disjunctive pairs included."""
    opt = brute_force_optimum(problem)
    if opt is None:
        for horizon in (5, 30):
            assert decide_makespan(problem, horizon, time_limit=10).status == "infeasible"
        return
    below = decide_makespan(problem, opt - 1, time_limit=10)
    assert below.status == "infeasible" and below.schedule is None
    at = decide_makespan(problem, opt, time_limit=10)
    assert at.status == "feasible"
    assert check(problem, at.schedule) == [] and at.schedule.makespan <= opt


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)))
def test_windows_contain_an_optimal_schedule(problem):
    opt = brute_force_optimum(problem)
    if opt is None:
        return
    win = time_windows(problem, opt)
    assert not win.empty
    assert time_windows(problem, opt - 1).n_literals <= win.n_literals
    sched = decide_makespan(problem, opt, time_limit=10, windows=win).schedule
    assert (sched.start >= win.es).all() and (sched.start <= win.ls).all()


def test_finisher_walks_down_from_a_poor_schedule_and_proves_the_optimum():
    p = schedopt.read(require_data("psplib", "j30", "j301_1.sm"))  # optimum 43
    poor = schedopt.solve(p, method="sgs", rule="GRPW", max_schedules=1)
    assert poor.objective > 44
    cm = build(p, context=make_context(p, rcpsp_heuristic_schedules=0))
    out = MethodOutput("feasible", poor.schedule, 34, {})
    cm.state.proof_after = True  # as if the search had kept time back for the proof
    done = prove_by_time_index(cm, out, make_context(p))
    assert done.status == "optimal" and done.bound == done.schedule.makespan == 43
    assert check(p, done.schedule) == []
    steps = done.info["time_indexed"]
    assert steps[-1] == {**steps[-1], "makespan_at_most": 42, "status": "infeasible"}
    assert all(s["status"] == "feasible" for s in steps[:-1])


def test_finisher_leaves_proven_and_disabled_answers_alone():
    p = schedopt.read(require_data("psplib", "j30", "j301_1.sm"))
    cm = build(p, context=make_context(p, rcpsp_heuristic_schedules=0))
    s = schedopt.solve(p, method="sgs").schedule
    out = MethodOutput("feasible", s, 34, {})
    assert prove_by_time_index(cm, out, make_context(p)) is out  # no proof phase planned
    cm.state.proof_after = True
    proven = MethodOutput("optimal", s, s.makespan, {})
    assert prove_by_time_index(cm, proven, make_context(p)) is proven


def test_proof_phase_closes_an_instance_the_interval_search_leaves_open():
    """j3029_7 (optimum 73): an interval search cut to 0.1 % of the limit cannot prove it."""
    p = schedopt.read(require_data("psplib", "j30", "j3029_7.sm"))
    r = schedopt.solve(
        p, method="cpsat", time_limit=30, workers=2, rcpsp_proof_share=0.001, rcpsp_proof_beside=False
    )
    assert r.status == "optimal" and r.objective == r.bound == 73
    assert check(p, r.schedule) == []
    assert r.info["time_indexed"][-1]["status"] == "infeasible" and r.info["proof"] == "after"


def test_proof_phase_is_planned_only_for_small_models():
    p = schedopt.read(require_data("psplib", "j30", "j3029_7.sm"))
    small = build(p, context=make_context(p, deadline=1e18))
    assert small.search_share == 0.25
    off = build(p, context=make_context(p, deadline=1e18, rcpsp_proof=False))
    assert off.search_share == 1.0
    capped = build(p, context=make_context(p, deadline=1e18, rcpsp_proof_max_literals=10))
    assert capped.search_share == 1.0


def test_empty_windows_at_ub_minus_one_prove_the_heuristic_optimal():
    """A -> {C, D} -> B with C and D on one unit resource: the energy delay says 6, CPM/LB2 say 4."""
    p = schedopt.Problem(
        duration=[1, 2, 2, 1],
        capacity=[1],
        demand=[[0], [1], [1], [0]],
        precedence=[(0, 1), (0, 2), (1, 3), (2, 3)],
        objective="makespan",
        family="rcpsp",
    )
    assert time_windows(p, 5).empty and not time_windows(p, 6).empty
    cm = build(p, context=make_context(p, deadline=1e18))
    assert cm.search_share == 1.0  # nothing left to prove after the windows
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == r.bound == 6 and check(p, r.schedule) == []


def test_decision_parameters_override_the_defaults_and_reject_unknown_names():
    p = schedopt.read(require_data("psplib", "j30", "j301_1.sm"))  # optimum 43
    for level in (0, 1):
        d = decide_makespan(p, 42, time_limit=30, parameters={"linearization_level": level})
        assert d.status == "infeasible"
    with pytest.raises(ValueError, match="'linearisation_level' is not a CP-SAT parameter"):
        decide_makespan(p, 42, parameters={"linearisation_level": 0})
    with pytest.raises(ValueError, match="'linearization_level' cannot be 'high'"):
        decide_makespan(p, 42, parameters={"linearization_level": "high"})
