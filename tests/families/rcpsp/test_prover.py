"""The time-indexed prover: alone (a walk after the search) and beside the CP-SAT search."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import check
from schedopt.cpsat.compiler import build, make_context
from schedopt.families.rcpsp.prover import TimeIndexedProver
from tests.conftest import INSTANCES, require_data
from tests.strategies import brute_force_optimum, tiny_problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)))
def test_walk_from_any_schedule_ends_at_the_brute_force_optimum(problem):
    start = schedopt.solve(problem, method="sgs", rule="GRPW", max_schedules=1)
    if start.schedule is None:  # the single pass missed a window: nothing to walk from
        return
    prover = TimeIndexedProver(problem, start.schedule, 0, deadline=time.perf_counter() + 30)
    prover.walk()
    assert prover.proven
    assert prover.bound == prover.best.makespan == brute_force_optimum(problem)
    assert check(problem, prover.best) == []
    if prover.best.makespan > 0:  # the bound 0 given is below it: the last decision proved it
        assert prover.steps[-1]["status"] == "infeasible"


def _toy():
    """toy12 (optimum 19) and a feasible schedule of makespan 24: an optimal one shifted right by 5."""
    p = schedopt.read(INSTANCES / "rcpsp" / "toy12.sm")
    s = schedopt.solve(p, method="cpsat", workers=1).schedule
    poor = schedopt.Schedule(s.start + 5, s.end + 5, s.machine)
    assert check(p, poor) == [] and poor.makespan == 24
    return p, poor


def test_beside_the_search_it_stops_the_search_once_it_has_proven():
    p, poor = _toy()
    stops = []
    prover = TimeIndexedProver(p, poor, 0, deadline=time.perf_counter() + 30)
    prover.start(lambda: stops.append(time.perf_counter()))
    for _ in range(400):
        if stops:
            break
        time.sleep(0.05)
    prover.stop()
    assert stops, "the prover never stopped the search"
    assert prover.proven and check(p, prover.best) == []
    assert prover.best_makespan == prover.best.makespan == prover.bound == 19


def test_a_better_makespan_from_the_search_moves_the_walk_down():
    p, poor = _toy()
    prover = TimeIndexedProver(p, poor, 0, deadline=time.perf_counter() + 30)
    prover.improved(poor.makespan + 3)  # worse: ignored
    assert prover.best_makespan == poor.makespan
    prover.improved(21)  # the search found a makespan of 21 (19 is optimal)
    assert prover.best_makespan == 21
    prover.walk()
    assert prover.steps[0]["makespan_at_most"] == 20
    assert prover.proven and prover.best.makespan == prover.bound == 19


def test_improved_interrupts_a_moot_decision_and_stop_ends_the_thread():
    """j6030_2 (optimum 70): deciding 'makespan <= 69' takes CP-SAT more than a minute."""
    p = schedopt.read(require_data("psplib", "j60", "j6030_2.sm"))
    ga = schedopt.solve(p, method="ga", max_schedules=2000, seed=0).schedule
    prover = TimeIndexedProver(p, ga, 0, deadline=time.perf_counter() + 120)
    stops = threading.Event()
    prover.start(stops.set)
    time.sleep(2.0)
    first_target = ga.makespan - 1
    t0 = time.perf_counter()
    prover.improved(first_target)  # as if the search had reached the decision's target
    for _ in range(200):
        if prover.steps:
            break
        time.sleep(0.05)
    assert prover.steps and prover.steps[0]["makespan_at_most"] == first_target
    assert prover.steps[0]["status"] in ("unknown", "feasible", "infeasible")
    assert time.perf_counter() - t0 < 10
    t1 = time.perf_counter()
    prover.stop()
    assert time.perf_counter() - t1 < 10
    assert not prover._thread.is_alive()


def test_cpsat_with_two_workers_proves_beside_the_search():
    """j3029_7 (optimum 73), whose interval search alone stalls at a lower bound."""
    p = schedopt.read(require_data("psplib", "j30", "j3029_7.sm"))
    planned = build(p, context=make_context(p, deadline=1e18, workers=2))
    assert isinstance(planned.companion, TimeIndexedProver) and planned.search_share == 1.0
    r = schedopt.solve(p, method="cpsat", time_limit=30, workers=2)
    assert r.status == "optimal" and r.objective == r.bound == 73
    assert check(p, r.schedule) == []
    assert r.info["proof"] == "beside"


def test_beside_is_only_for_two_or_more_workers_and_can_be_turned_off():
    p = schedopt.read(INSTANCES / "rcpsp" / "toy12.sm")  # LB 17 < optimum 19: a proof is planned

    def planned(**options):
        return build(p, context=make_context(p, deadline=1e18, rcpsp_heuristic_schedules=1, **options))

    assert isinstance(planned(workers=2).companion, TimeIndexedProver)
    for cm in (planned(workers=1), planned(workers=2, rcpsp_proof_beside=False)):
        assert cm.companion is None and cm.search_share == 0.25


def test_bad_arguments_get_a_clear_error():
    p, poor = _toy()
    start = poor.start.copy()
    start[-1] = 0  # the sink before its predecessors (a start below -1 is a ScheduleError since issue 20)
    early = schedopt.Schedule.from_starts(p, start)
    with pytest.raises(ValueError, match="schedule is not feasible"):
        TimeIndexedProver(p, early, 0, deadline=None)
    short = schedopt.Schedule(poor.start[:3], poor.end[:3], poor.machine[:3])
    with pytest.raises(ValueError, match="schedule has 3 jobs"):
        TimeIndexedProver(p, short, 0, deadline=None)
    with pytest.raises(ValueError, match="workers must be >= 1"):
        TimeIndexedProver(p, poor, 0, deadline=None, workers=0)
    smtt = schedopt.Problem(duration=[2, 3], due=[2, 3], objective="total_tardiness")
    with pytest.raises(ValueError, match="not an RCPSP"):
        TimeIndexedProver(smtt, schedopt.Schedule([0, 2], [2, 5], [-1, -1]), 0, deadline=None)
