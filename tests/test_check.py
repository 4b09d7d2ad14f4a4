"""The checker: hand-made cases for every violation kind, and hypothesis against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedopt
import schedopt.bounds
from schedopt import NO_TIME, Problem, Schedule, check, evaluate
from schedopt.objectives import decode_placement
from tests.strategies import brute_force_kinds, brute_force_objective, tiny_problems


def kinds(problem, schedule):
    return sorted({v.kind for v in check(problem, schedule)})


@pytest.fixture
def chain():
    # 0 -> 1 (lag 1), resource cap 2; job 2 needs 2 units; downtime [6, 8) at level 1
    return Problem(
        duration=[2, 3, 2],
        precedence=[(0, 1, 1)],
        capacity=[2],
        demand=[[1], [1], [2]],
        downtime=[(0, 6, 8, 1)],
        release=[0, 0, 1],
        deadline=[NO_TIME, 10, NO_TIME],
        disjunctive=[(0, 2)],
        names=["a", "b", "c"],
    )


def test_feasible_schedule_has_no_violation(chain):
    s = Schedule.from_starts(chain, [0, 3, 8])
    assert check(chain, s) == []
    assert evaluate(chain, s) == 10


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        ([0, 2, 8], ["precedence"]),  # lag 1 broken
        ([0, 8, 11], ["deadline"]),  # b ends at 11 > 10
        ([0, 3, 0], ["disjunctive", "release", "resource"]),
        ([0, 5, 6], ["resource"]),  # b and c need 3 > 2 at t = 6, inside the window too
        ([0, 3, 7], ["downtime"]),  # c needs 2 > level 1 at t = 7
    ],
)
def test_each_kind_is_reported(chain, starts, expected):
    assert kinds(chain, Schedule.from_starts(chain, starts)) == expected


def test_downtime_only(chain):
    # b alone runs [6, 9): usage 1 <= level 1 fine; c alone at [6, 8) uses 2 > level 1
    s = Schedule.from_starts(chain, [0, 3, 6])
    v = check(chain, s)
    assert [x.kind for x in v] == ["downtime"]
    assert v[0].time == 6 and v[0].jobs == (2,)
    assert "'R1'" in v[0].message and "c" in v[0].message


def test_missing_and_duration(chain):
    s = Schedule([0, -1, 8], [2, -1, 11])
    assert kinds(chain, s) == ["duration", "missing"]


def test_shorter_schedule_reports_missing_jobs(chain):
    s = Schedule([0, 3], [2, 6])
    v = check(chain, s)
    assert [x.kind for x in v] == ["missing"] and v[0].jobs == (2,)


def test_machines_and_communication():
    p = Problem(
        duration=[[2, 4], [3, 6]],
        machine_type=[0, 1],
        precedence=[(0, 1, 0)],
        comm=[5],
    )
    same = Schedule.from_starts(p, [0, 2], machine=[0, 0])
    assert check(p, same) == []
    apart = Schedule.from_starts(p, [0, 2], machine=[0, 1])
    assert kinds(p, apart) == ["communication"]
    assert "communication delay 5" in str(check(p, apart)[0])
    assert check(p, Schedule.from_starts(p, [0, 7], machine=[0, 1])) == []
    overlap = Problem(duration=[[2], [2]], machine_type=[0])
    assert kinds(overlap, Schedule.from_starts(overlap, [0, 1], machine=[0, 0])) == ["machine"]
    assert kinds(overlap, Schedule([0, 3], [2, 5], [0, 7])) == ["machine"]


def test_machine_on_problem_without_machines(chain):
    s = Schedule.from_starts(chain, [0, 3, 8], machine=[0, -1, -1])
    assert kinds(chain, s) == ["machine"]


def test_zero_duration_jobs_use_nothing():
    p = Problem(duration=[0, 2], capacity=[1], demand=[[1], [1]], disjunctive=[(0, 1)])
    assert check(p, Schedule.from_starts(p, [1, 0])) == []


def test_tardiness_objectives():
    p = schedopt.single_machine([3, 2], [2, 10], w=[4, 1])
    s = Schedule.from_sequence(p, [0, 1])
    assert evaluate(p, s) == 4  # job 0 ends at 3, due 2, weight 4
    assert evaluate(p.replace(objective="total_tardiness"), s) == 1
    assert evaluate(p.replace(objective="feasibility"), s) == 0


def test_longer_schedule_is_an_error(chain):
    with pytest.raises(ValueError, match="4 jobs"):
        check(chain, Schedule([0] * 4, [1] * 4))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_check_agrees_with_brute_force(data):
    machines = data.draw(st.booleans())
    problem = data.draw(tiny_problems(machines=machines, objectives=("makespan", "total_weighted_tardiness")))
    n = problem.n_jobs
    start = np.array([data.draw(st.integers(-1 if i == 0 else 0, 9)) for i in range(n)])
    if machines:
        machine = np.array([data.draw(st.integers(0, problem.n_machines)) for _ in range(n)])
        ok = machine < problem.n_machines
        dur = np.where(
            ok,
            problem.duration[np.arange(n), problem.machine_type[np.minimum(machine, problem.n_machines - 1)]],
            0,
        )
    else:
        machine = np.full(n, -1)
        dur = problem.duration
    end = np.where(start >= 0, start + dur, start)
    if data.draw(st.integers(0, 9)) == 0:
        end = end + 1
    schedule = Schedule(start, end, machine)
    expected = brute_force_kinds(problem, start, end, machine)
    assert {v.kind for v in check(problem, schedule)} == expected
    if not expected:
        assert evaluate(problem, schedule) == brute_force_objective(problem, end)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_check_agrees_with_brute_force_on_extended_fields(data):
    """Eligibility, machine resources, optional jobs, anti-affinity, pair communication."""
    machines = data.draw(st.booleans())
    problem = data.draw(
        tiny_problems(
            machines=machines,
            extended=True,
            max_machines=3,
            objectives=("makespan", "max_lateness", "weighted_completion", "placement"),
        )
    )
    n = problem.n_jobs
    start = np.array([data.draw(st.integers(-1, 9)) for _ in range(n)])
    if machines:
        machine = np.array([data.draw(st.integers(0, problem.n_machines)) for _ in range(n)])
        ok = machine < problem.n_machines
        dur = np.where(
            ok,
            problem.duration[np.arange(n), problem.machine_type[np.minimum(machine, problem.n_machines - 1)]],
            0,
        )
    else:
        machine = np.full(n, -1)
        dur = problem.duration
    end = np.where(start >= 0, start + dur, start)
    if data.draw(st.integers(0, 9)) == 0:
        end = end + 1
    schedule = Schedule(start, end, machine)
    expected = brute_force_kinds(problem, start, end, machine)
    assert {v.kind for v in check(problem, schedule)} == expected
    if not expected:
        value = evaluate(problem, schedule)
        brute = brute_force_objective(problem, end, start, machine)
        if problem.objective == "placement":
            parts = decode_placement(problem, value)
            assert (*(u for _, u in parts.unplaced), parts.disruption) == brute
        else:
            assert value == brute
        assert value >= schedopt.bounds.trivial_bound(problem)


@pytest.fixture
def cluster():
    """Two nodes of two machines; cpu/mem capacities; job 3 optional; 0 and 1 anti-affine."""
    return Problem(
        duration=[3, 2, 2, 1],
        names=["a", "b", "c", "d"],
        machine_type=[0, 0, 0, 0],
        machine_names=["n0", "n1", "n2", "n3"],
        machine_capacity=[[4, 8], [4, 8], [2, 4], [2, 4]],
        machine_demand=[[2, 2], [2, 4], [2, 2], [1, 1]],
        machine_resource_names=["cpu", "mem"],
        eligible=[[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], [0, 0, 1, 1]],
        optional=[False, False, False, True],
        anti_affinity=[(0, 1)],
        precedence=[(0, 2, 0)],
        data_size=[4.0],
        machine_node=[0, 0, 1, 1],
        comm_latency=[[0.0, 1.5], [1.5, 0.0]],
        comm_bandwidth=[[float("inf"), 2.0], [2.0, float("inf")]],
    )


def test_cumulative_machines_share_capacity(cluster):
    s = Schedule([0, 0, 3, 0], [3, 2, 5, 1], [0, 1, 0, 2])
    assert check(cluster, s) == []
    # a and c together on n2: cpu 2 + 2 > 2 from t=0
    bad = Schedule([0, 0, 0, -1], [3, 2, 2, -1], [2, 1, 2, -1])
    v = [x for x in check(cluster, bad) if x.kind == "machine_capacity"]
    assert len(v) == 1 and v[0].jobs == (0, 2) and v[0].time == 0
    assert "'n2'" in v[0].message and "'cpu'" in v[0].message


def test_unplaced_optional_job_is_not_missing(cluster):
    s = Schedule([0, 0, 3, -1], [3, 2, 5, -1], [0, 1, 0, -1])
    assert check(cluster, s) == []
    assert kinds(cluster, Schedule([0, -1, 3, -1], [3, -1, 5, -1], [0, -1, 0, -1])) == ["missing"]


def test_eligibility_and_anti_affinity(cluster):
    s = Schedule([0, 3, 3, 0], [3, 5, 5, 1], [0, 0, 1, 0])
    v = check(cluster, s)
    assert sorted(x.kind for x in v) == ["anti_affinity", "eligibility"]
    elig = next(x for x in v if x.kind == "eligibility")
    assert elig.jobs == (3,) and "'d'" in elig.message and "'n0'" in elig.message


def test_pair_dependent_communication(cluster):
    # a ends at 3 on n0; c on n1 (same node, latency 0, infinite bandwidth): no delay
    assert check(cluster, Schedule([0, 0, 3, 0], [3, 2, 5, 1], [0, 1, 1, 2])) == []
    # c on n2 (other node): ceil(1.5 + 4 / 2) = 4, so c may start at 7, not before
    assert cluster.comm_delays(np.array([0]), np.array([2])).tolist() == [4]
    assert kinds(cluster, Schedule([0, 0, 6, 0], [3, 2, 8, 1], [0, 1, 2, 3])) == ["communication"]
    assert check(cluster, Schedule([0, 0, 7, 0], [3, 2, 9, 1], [0, 1, 2, 3])) == []


def test_new_objectives():
    p = Problem(duration=[2, 3], due=[4, 1], weight=[2, 1], objective="max_lateness")
    s = Schedule.from_starts(p, [0, 2])
    assert evaluate(p, s) == 4  # job 1 ends at 5, due 1
    assert evaluate(p.replace(due=[9, 9]), s) == -4
    assert evaluate(p.replace(objective="weighted_completion"), s) == 2 * 2 + 1 * 5


def test_evaluate_refuses_a_schedule_with_missing_jobs(chain):
    # issue 20: "a NaN start ... is reported only as 'missing', while evaluate still returns a value"
    with pytest.raises(schedopt.ScheduleError, match=r"leaves out job 'b' \(index 1\)"):
        evaluate(chain, Schedule([0, -1, 8], [2, -1, 10]))  # makespan: used to return 10
    with pytest.raises(schedopt.ScheduleError, match=r"leaves out job 'c' \(index 2\)"):
        evaluate(chain, Schedule([0, 3], [2, 6]))  # too short: job c is missing
    with pytest.raises(schedopt.ScheduleError, match="4 jobs: the problem has 3"):
        evaluate(chain, Schedule([0, 3, 8, 9], [2, 6, 10, 10]))
    # an unplaced optional job is not missing
    opt = chain.replace(optional=[False, True, False])
    assert evaluate(opt, Schedule([0, -1, 8], [2, -1, 10])) == 10


def test_check_never_sees_a_truncated_or_wrapped_start(chain):
    # issue 20: "check truncates fractional starts (31.9 -> 31) and calls the schedule feasible"
    with pytest.raises(schedopt.ScheduleError, match=r"start of job 2: 8\.9"):
        check(chain, Schedule([0, 3, 8.9], [2, 6, 10]))
    with pytest.raises(schedopt.ScheduleError, match="start of job 1: nan"):
        check(chain, Schedule([0, float("nan"), 8], [2, 6, 10]))
