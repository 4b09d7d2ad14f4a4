"""Problem validation: every bad input names the job and field."""

from __future__ import annotations

import numpy as np
import pytest

import schedopt
from schedopt import NO_TIME, Problem, ProblemError


def test_arrays_are_converted_and_frozen():
    p = Problem(duration=[1.0, 2], capacity=[3], demand=[[1], [2]])
    assert p.duration.dtype == np.int64 and p.n_jobs == 2 and p.n_resources == 1
    assert p.due.tolist() == [NO_TIME, NO_TIME] and p.weight.tolist() == [1, 1]
    with pytest.raises(ValueError):
        p.duration[0] = 5
    assert p.precedence.shape == (0, 3) and p.downtime.shape == (0, 4)


def test_problem_error_is_value_error():
    assert issubclass(ProblemError, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"duration": [1, -2]}, r"job 1: duration is negative \(-2\)"),
        ({"duration": [1, float("nan")]}, r"duration: entry \(1,\) is nan"),
        ({"duration": [1, 2.5]}, "integer time"),
        (
            {"duration": [1, 2], "names": ["a", "b"], "capacity": [2], "demand": [[1], [3]]},
            r"job 'b' \(index 1\): demand 3 for resource 'R1' exceeds its capacity 2",
        ),
        ({"duration": [1, 2], "precedence": [(0, 5)]}, "unknown job index 5"),
        ({"duration": [1, 2], "precedence": [(0, 0)]}, "precedes itself"),
        ({"duration": [1, 2], "precedence": [(0, 1, -1)]}, "negative lag"),
        ({"duration": [3], "release": [5], "deadline": [7]}, "cannot fit its time window"),
        ({"duration": [3], "release": [-1]}, "release is negative"),
        ({"duration": [3], "weight": [-1]}, "weight is negative"),
        ({"duration": [1, 2], "disjunctive": [(0, 2)]}, "unknown job index 2"),
        ({"duration": [1, 2], "disjunctive": [(1, 1)]}, "paired with itself"),
        ({"duration": [1], "capacity": [1], "demand": [[1]], "downtime": [(0, 5, 3)]}, "start < end"),
        ({"duration": [1], "capacity": [1], "demand": [[1]], "downtime": [(1, 0, 3)]}, "unknown resource"),
        (
            {"duration": [1], "capacity": [1], "demand": [[1]], "downtime": [(0, 0, 3, 2)]},
            "level 2 not in 0..1",
        ),
        ({"duration": [1], "objective": "flowtime"}, "not one of"),
        ({"duration": [1, 2], "release": [0, 0, 0]}, "expected 2 values"),
        ({"duration": [1, 2], "capacity": [1], "demand": [[1]]}, r"demand: expected shape \(2, 1\)"),
        ({"duration": [[1, 2]]}, "no machines are given"),
        ({"duration": [[1]], "machine_type": [3]}, "type 3 is not in"),
        ({"duration": [1], "names": ["a", "b"]}, "2 names for 1 jobs"),
        ({"duration": "abc"}, "duration"),
    ],
)
def test_bad_input_names_the_place(kwargs, match):
    with pytest.raises(ProblemError, match=match):
        Problem(**kwargs)


def test_cycle_names_the_jobs():
    with pytest.raises(ProblemError, match=r"cycle: job 'b' \(index 1\) -> job 'c' \(index 2\) -> job 'b'"):
        Problem(duration=[1, 1, 1], names=["a", "b", "c"], precedence=[(0, 1), (1, 2), (2, 1)])


def test_window_blocked_by_downtime():
    # the job needs the resource during [2, 6) but it is down from 0 to 10
    with pytest.raises(ProblemError, match="avoids resource downtime"):
        Problem(duration=[2], capacity=[1], demand=[[1]], downtime=[(0, 0, 10)], release=[2], deadline=[6])
    # the window ends at 4: starting at 4 fits a deadline of 6
    Problem(duration=[2], capacity=[1], demand=[[1]], downtime=[(0, 0, 4)], release=[2], deadline=[6])


def test_zero_duration_dummy_may_exceed_capacity():
    Problem(duration=[0, 1], capacity=[1], demand=[[5], [1]])


def test_builders():
    p = schedopt.rcpsp([0, 3, 2, 0], [2], [[0], [2], [1], [0]], successors=[[1, 2], [3], [3], []])
    assert p.precedence.tolist() == [[0, 1, 0], [0, 2, 0], [1, 3, 0], [2, 3, 0]]
    q = schedopt.single_machine([3, 2], [4, 1])
    assert q.objective == "total_tardiness" and q.capacity.tolist() == [1]
    assert schedopt.single_machine([3, 2], [4, 1], w=[1, 2]).objective == "total_weighted_tardiness"
    with pytest.raises(ValueError, match="successors"):
        schedopt.rcpsp([1, 2], [1], [[1], [1]], successors=[[1]])


def test_machine_problem_properties():
    p = Problem(duration=[[2, 5], [3, 1]], machine_type=[0, 1, 1], type_names=["gpu", "cpu"])
    assert p.min_duration.tolist() == [2, 1] and p.max_duration.tolist() == [5, 3]
    assert p.duration_on(0, 2) == 5 and p.n_machines == 3 and p.has_machines


def test_replace_revalidates():
    p = Problem(duration=[1, 2])
    with pytest.raises(ProblemError):
        p.replace(duration=[1, -1])
    assert p.replace(objective="feasibility").objective == "feasibility"
    assert "2 jobs" in repr(p)
