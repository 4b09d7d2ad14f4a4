"""The front door: registry, auto, bounds, status rules, checking."""

from __future__ import annotations

import pytest

import schedopt
from schedopt import MethodOutput, Problem, Schedule, SolverError, register_method
from schedopt.registry import all_methods, resolve, unregister_method, warmups
from schedopt.result import relative_gap


@pytest.fixture
def small():
    return schedopt.rcpsp([0, 3, 2, 0], [2], [[0], [2], [1], [0]], successors=[[1, 2], [3], [3], []])


@pytest.fixture
def fake_method():
    """Register a throw-away method whose output the test controls."""
    box: dict = {}

    def run(problem, *, time_limit=None, seed=0, **options):
        return box["out"](problem)

    register_method("_fake", applies=lambda p: True, exact=False, priority=-100)(run)
    yield box
    unregister_method("_fake")


def test_auto_picks_an_applicable_method(small):
    r = schedopt.solve(small)
    assert r.method in schedopt.methods(small)
    assert r.status == "optimal" and r.objective == 5


def test_methods_lists_cpsat(small):
    assert "cpsat" in schedopt.methods(small)
    assert "cpsat" in schedopt.methods()


def test_unknown_method(small):
    with pytest.raises(ValueError, match="unknown method 'nope'; known methods: .*cpsat"):
        schedopt.solve(small, method="nope")


def test_bad_arguments(small):
    with pytest.raises(ValueError, match="time_limit"):
        schedopt.solve(small, time_limit=0)
    with pytest.raises(TypeError, match="schedopt.Problem"):
        schedopt.solve("j301_1.sm")


def test_infeasible_schedule_from_a_method_is_a_solver_error(small, fake_method):
    fake_method["out"] = lambda p: MethodOutput("feasible", Schedule.from_starts(p, [0, 0, 0, 0]))
    with pytest.raises(SolverError, match="infeasible schedule"):
        schedopt.solve(small, method="_fake")


def test_heuristic_reaching_the_bound_is_optimal(small, fake_method):
    # critical path = 3 + 0, but resource forces 5; a schedule of 5 with bound 3 stays feasible
    fake_method["out"] = lambda p: MethodOutput("optimal", Schedule.from_starts(p, [0, 0, 3, 5]))
    r = schedopt.solve(small, method="_fake")
    assert r.status == "feasible"  # a non-exact method cannot claim a proof
    assert r.bound == 3 and r.gap == pytest.approx(0.4)


def test_bound_above_objective_is_a_solver_error(small, fake_method):
    fake_method["out"] = lambda p: MethodOutput("feasible", Schedule.from_starts(p, [0, 0, 3, 5]), bound=9)
    with pytest.raises(SolverError, match="bound 9 exceeds"):
        schedopt.solve(small, method="_fake")


def test_claim_without_schedule(small, fake_method):
    fake_method["out"] = lambda p: MethodOutput("feasible", None)
    with pytest.raises(SolverError, match="without a schedule"):
        schedopt.solve(small, method="_fake")


def test_unknown_without_schedule_keeps_generic_bound(small, fake_method):
    fake_method["out"] = lambda p: MethodOutput("unknown", None)
    r = schedopt.solve(small, method="_fake")
    assert (r.status, r.objective, r.bound, r.gap) == ("unknown", None, 3, None)


def test_method_that_does_not_apply(small):
    register_method("_never", applies=lambda p: False, exact=False)(lambda p, **k: None)
    try:
        with pytest.raises(ValueError, match="does not apply"):
            schedopt.solve(small, method="_never")
    finally:
        unregister_method("_never")


def test_relative_gap():
    assert relative_gap(10, 8) == pytest.approx(0.2)
    assert relative_gap(0, 0) == 0.0
    assert relative_gap(None, 3) is None and relative_gap(3, None) is None
    assert relative_gap(0, -1) == float("inf")


def test_result_to_dict_is_json_ready(small):
    import json

    r = schedopt.solve(small, method="cpsat")
    d = json.loads(json.dumps(r.to_dict()))
    assert d["status"] == "optimal" and d["schedule"]["start"][0] == 0


def test_critical_path_bound():
    p = Problem(duration=[2, 3, 4], precedence=[(0, 1, 1), (0, 2)], release=[1, 0, 0])
    assert schedopt.critical_path_bound(p) == 7  # 1 + 2 + 4


def test_one_name_registered_by_two_families_dispatches_on_the_problem(small):
    """``"mip"`` exists for RCPSP and for 1||ΣwjTj: each problem gets its own."""
    from schedopt.registry import get_method

    sm = schedopt.single_machine([3, 2, 4], [2, 6, 5])
    assert "mip" in schedopt.methods(small) and "mip" in schedopt.methods(sm)
    assert get_method("mip", small).function.__module__.endswith("rcpsp.mip")
    assert get_method("mip", sm).function.__module__.endswith("smtt.mip")
    assert schedopt.solve(sm, method="mip", time_limit=10).objective == 5  # order 0, 1, 2
    assert schedopt.solve(small, method="mip", time_limit=10).objective == 5


def test_registering_a_name_twice_keeps_both_implementations():
    def first(problem, *, time_limit=None, seed=0, **options):
        return MethodOutput("unknown")

    def second(problem, *, time_limit=None, seed=0, **options):
        return MethodOutput("unknown")

    try:
        register_method("_shared", applies=lambda p: p.n_jobs == 1, exact=False)(first)
        register_method("_shared", applies=lambda p: p.n_jobs == 2, exact=False)(second)
        register_method("_shared", applies=lambda p: p.n_jobs == 2, exact=False)(second)  # replaces itself
        from schedopt.registry import get_method

        one, two = schedopt.single_machine([1], [1]), schedopt.single_machine([1, 1], [1, 1])
        assert get_method("_shared", one).function is first
        assert get_method("_shared", two).function is second
        assert len(all_methods()["_shared"]) == 2
    finally:
        unregister_method("_shared")


#: methods that compile nothing with numba (OR-Tools, HiGHS)
NOT_NUMBA = {"cpsat", "mip", "mip-positional"}


def test_warm_up_covers_every_numba_method():
    """A new numba-backed method must join its family's warm-up, or bench runs would pay its compile."""
    from schedopt.registry import get_method

    schedopt.warm_up()
    for w in warmups().values():
        problem = resolve(w.problem)()
        listed = set(w.methods)
        names = schedopt.methods(problem)
        # other tests register fake methods: only schedopt's own count
        builtin = {m for m in names if get_method(m, problem).function.__module__.startswith("schedopt.")}
        expected = builtin - NOT_NUMBA
        assert listed == expected, (w.name, sorted(expected ^ listed))


def test_warm_up_can_be_limited_to_families():
    spent = schedopt.warm_up(["rcpsp-plain"])
    assert spent and {key.split(":")[0] for key in spent} == {"rcpsp-plain"}
    assert {key.split(":")[0] for key in schedopt.warm_up("smtt")} == {"smtt", "smtt-weighted"}  # a family
    with pytest.raises(ValueError, match="no warm-up registered for 'nope'"):
        schedopt.warm_up(["nope"])


def test_warm_up_problem_keeps_rcpsp_heuristics_busy():
    """The RCPSP warm-up instance has optimum 22 > lower bound 17, so no heuristic stops early."""
    from schedopt.families.rcpsp.warmup import tiny_rcpsp

    p = tiny_rcpsp()
    assert schedopt.rcpsp_lower_bound(p) < 22
    assert schedopt.solve(p, method="cpsat", time_limit=20).objective == 22
