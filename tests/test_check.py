"""The checker: hand-made cases for every violation kind, and hypothesis against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import NO_TIME, Problem, Schedule, check, evaluate
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
    assert kinds(p, apart) == ["precedence"]
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
