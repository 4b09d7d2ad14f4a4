"""The RCPSP CP-SAT hook: still exact, tighter, and compatible with caller hints."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import check
from schedopt.cpsat.compiler import build, make_context
from tests.conftest import INSTANCES, require_data
from tests.strategies import brute_force_optimum, tiny_problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)))
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
    cm = build(p, context=make_context(p))
    plain = build(p, context=make_context(p, rcpsp_strengthen=False))
    assert len(cm.model.proto.constraints) > len(plain.model.proto.constraints)
    assert len(cm.model.proto.solution_hint.vars) >= 2 * p.n_jobs
    assert len(plain.model.proto.solution_hint.vars) == 0


def test_caller_hint_replaces_the_hook_hint():
    p = schedopt.read(require_data("psplib", "j30", "j301_2.sm"))
    first = schedopt.solve(p, method="ga", max_schedules=200)
    r = schedopt.solve(p, method="cpsat", time_limit=20, workers=1, hint_schedule=first.schedule)
    assert r.status == "optimal" and r.objective == 47 and check(p, r.schedule) == []


@pytest.mark.parametrize(
    ("option", "value"),
    [("rcpsp_heuristic_share", 0), ("rcpsp_heuristic_share", 1.5), ("rcpsp_proof_share", "half")],
)
def test_bad_time_shares_get_a_clear_error(option, value):
    p = schedopt.read(INSTANCES / "rcpsp" / "toy12.sm")
    with pytest.raises(ValueError, match=f"option {option} must be"):
        schedopt.solve(p, method="cpsat", time_limit=5, workers=1, **{option: value})


def test_default_hook_budget_grows_with_the_project():
    from schedopt.families.rcpsp.exact import default_heuristic_budget

    budgets = [default_heuristic_budget(n) for n in (5, 32, 62, 122, 300)]  # PSPLIB counts two dummies
    assert budgets == [2000, 5242, 73881, 1107667, 2000000]


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


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)), st.randoms(use_true_random=False))
def test_precedence_delays_hold_in_every_schedule(problem, rnd):
    """Random feasible (not only active) schedules: serial SGS with random idle inserted."""
    import itertools

    import numpy as np

    from schedopt.families.rcpsp.exact import precedence_delays

    path, delay, head, tail = precedence_delays(problem)
    assert (delay >= path).all()
    n = problem.n_jobs
    preds = [[(int(i), int(lag)) for i, j, lag in problem.precedence if j == jj] for jj in range(n)]
    for order in itertools.permutations(range(n)):
        pos = {j: k for k, j in enumerate(order)}
        if any(pos[int(i)] > pos[int(j)] for i, j, _ in problem.precedence):
            continue
        start = np.full(n, -1, np.int64)
        for j in order:
            t = max(
                [int(problem.release[j])] + [int(start[i] + problem.duration[i] + g) for i, g in preds[j]]
            )
            t += rnd.randint(0, 2)
            while True:
                start[j] = t
                if not _violates(problem, start, list(order[: pos[j] + 1])):
                    break
                t += 1
        end = start + problem.duration
        if (end > problem.deadline).any():
            continue
        assert check(problem, schedopt.Schedule(start, end, np.full(n, -1))) == []
        r0 = int(problem.release.min(initial=0))
        for i in range(n):
            assert start[i] >= r0 + head[i]
            assert end.max(initial=0) >= end[i] + tail[i]
            for j in range(n):
                if delay[i, j] > -(1 << 39):
                    assert start[j] - end[i] >= delay[i, j]


def _violates(problem, start, placed) -> bool:
    """Resource or disjunctive overload among the ``placed`` jobs (capacity with downtime)."""
    from tests.strategies import capacity_at

    dur = problem.duration
    for a, b in problem.disjunctive:
        both = a in placed and b in placed and dur[a] and dur[b]
        if both and start[a] < start[b] + dur[b] and start[b] < start[a] + dur[a]:
            return True
    horizon = max(int(start[i] + dur[i]) for i in placed) if placed else 0
    for k in range(problem.n_resources):
        for u in range(horizon):
            use = sum(int(problem.demand[i, k]) for i in placed if start[i] <= u < start[i] + dur[i])
            if use > capacity_at(problem, k, u):
                return True
    return False


def test_lb_portfolio_is_opt_in_and_only_for_two_workers():
    from schedopt.families.rcpsp.exact import TWO_WORKER_PARAMETERS

    p = schedopt.read(require_data("psplib", "j30", "j301_1.sm"))
    opts = {"rcpsp_heuristic_schedules": 100, "rcpsp_portfolio": "lb"}
    assert build(p, context=make_context(p, workers=2, **opts)).parameters == TWO_WORKER_PARAMETERS
    assert build(p, context=make_context(p, workers=1, **opts)).parameters == {}
    default = {**opts, "rcpsp_portfolio": "default"}
    assert build(p, context=make_context(p, workers=2, **default)).parameters == {}
    r = schedopt.solve(p, method="cpsat", time_limit=20, workers=2, rcpsp_portfolio="lb")
    assert r.status == "optimal" and r.objective == 43 and check(p, r.schedule) == []


def test_precedence_delays_energy_beats_the_longest_path():
    """0 -> {1, 2} -> 3 with 1 and 2 sharing a unit resource: s_3 - e_0 >= 4, not just 2."""
    from schedopt import Problem
    from schedopt.families.rcpsp.exact import precedence_delays

    p = Problem(
        duration=[1, 2, 2, 1],
        precedence=[(0, 1, 0), (0, 2, 0), (1, 3, 0), (2, 3, 0)],
        capacity=[1],
        demand=[[0], [1], [1], [0]],
    )
    path, delay, head, tail = precedence_delays(p)
    assert path[0, 3] == 2 and delay[0, 3] == 4
    assert head[3] == 4 and tail[0] == 4  # the work of 1 and 2 (job 3 has no demand)


def test_share_options_are_checked_even_when_the_strengthening_does_nothing():
    """Found by review: a bad share was accepted when the strengthening returned early."""
    p = schedopt.read(INSTANCES / "rcpsp" / "toy12.sm")
    feasibility = p.replace(objective="feasibility")
    for problem, extra in ((feasibility, {}), (p, {"rcpsp_strengthen": False})):
        with pytest.raises(schedopt.OptionError, match="rcpsp_proof_share must be in"):
            schedopt.solve(problem, method="cpsat", time_limit=5, workers=1, rcpsp_proof_share=7, **extra)
