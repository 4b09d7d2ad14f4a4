"""The ``dag`` builder: bad input is refused with a ProblemError naming the row, task or edge."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import ProblemError, check
from schedopt.families.dag import dag

OK = [[2, 3], [3, 1], [2, 2]]


@pytest.mark.parametrize(
    ("costs", "message"),
    [
        ([[1, 2], [3]], r"costs: task 1 has 1 costs, row 0 has 2"),
        ([1, 2, 3], r"flat list of 3 numbers .*\[\[c\] for c in costs\]"),
        (np.array([1, 2, 3]), r"2-D .* got shape \(3,\) .*costs\[:, None\]"),
        (np.zeros((2, 2, 2)), r"2-D .* got shape \(2, 2, 2\)"),
        ([], r"costs: no tasks"),
        ([[]], r"costs: task 0 has no costs"),
        ([[1, 2], [3, -1]], r"costs: task 1, type 1: negative cost -1"),
        (np.array([[1, 2], [3, -1]]), r"costs: task 1, type 1: negative cost -1"),
        ([[1, 2], [3, float("nan")]], r"costs: task 1, type 1: the cost is nan"),
        (np.array([[1.0, np.inf]]), r"costs: task 0, type 1: the cost is inf"),
        ([[1, 2.5]], r"costs: task 0, type 1: the cost is 2.5, but schedopt uses integer time"),
        ([[1, "a"]], r"costs: task 0, type 1: expected a number, got 'a'"),
        ([[True, False]], r"costs: task 0, type 0: expected a number, got True"),
        ([[1, 2], 7], r"costs: task 1 is 7, expected a row"),
    ],
)
def test_a_malformed_cost_table_names_the_row(costs, message):
    with pytest.raises(ProblemError, match=message):
        dag(costs, [])


def test_rows_are_named_by_task_name_when_given():
    with pytest.raises(ProblemError, match=r"costs: task 'fft' \(row 1\) has 1 costs, row 0 has 2"):
        dag([[1, 2], [3]], names=["load", "fft"])
    with pytest.raises(ProblemError, match=r"task 'b' \(row 1\), type 0: negative cost"):
        dag(np.array([[1, 2], [-3, 1]]), names=["a", "b"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"machine_type": [0, 2]},
            r"machine_type: machine 1 has type 2, but costs has 2 columns \(types 0..1\)",
        ),
        ({"machine_type": [0, -1]}, r"machine_type: machine 1 has type -1"),
        ({"machine_type": []}, r"machine_type: expected a non-empty list"),
        ({"type_names": ["A"]}, r"type_names: 1 names, but costs has 2 columns"),
        ({"release": [0, 1]}, r"release: expected 3 values \(one per task\)"),
        ({"names": ["a", "b"]}, r"names: 2 names for 3 tasks"),
        ({"names": ["a", "b", "a"]}, r"names: 'a' names both task 0 and task 2"),
        (
            {"eligible": [[True, True]] * 2},
            r"eligible: expected shape \(3, 2\) \(tasks, machines\), got \(2, 2\)",
        ),
        ({"data_size": [1.0]}, r"data_size: 1 values for 2 edges"),
    ],
)
def test_fields_of_the_wrong_length_are_named(kwargs, message):
    with pytest.raises(ProblemError, match=message):
        dag(OK, [(0, 1, 1), (0, 2, 1)], **kwargs)


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        ([(0, 3)], r"edge 0 \(0 -> 3\): task 3 is not one of the tasks 0..2"),
        ([(0, 1), (-1, 2)], r"edge 1 \(-1 -> 2\): task -1 is not one of the tasks"),
        ([(1, 1)], r"edge 0: task 1 depends on itself"),
        ([(0, 1, 1.5)], r"edge 0: the communication cost is 1.5, expected an integer"),
        ([(0, "b")], r"edge 0: the target task is 'b', expected an integer"),
        ([(0, 1, -2)], r"edge 0 \(task 0 -> task 1\): negative communication cost -2"),
        ([(0,)], r"edge 0: expected \(i, j\) or \(i, j, c\)"),
        ([5], r"edge 0: expected \(i, j\) or \(i, j, c\), got 5"),
    ],
)
def test_a_bad_edge_is_named(edges, message):
    with pytest.raises(ProblemError, match=message):
        dag(OK, edges)


def test_an_edge_to_the_index_of_an_added_terminal_is_refused():
    # tasks 0..2 have several entries, so a source is added at index 3; an edge (0, 3) must not
    # silently become an edge to it
    with pytest.raises(ProblemError, match="task 3 is not one of the tasks 0..2"):
        dag(OK, [(0, 3)])


def test_a_cycle_names_the_tasks_on_it():
    with pytest.raises(ProblemError, match=r"cycle: job 'b' \(index 1\) -> job 'c' \(index 2\) -> job 'b'"):
        dag([[1], [1], [1], [1]], [(0, 1), (1, 2), (2, 1), (2, 3)], names=["a", "b", "c", "d"])
    with pytest.raises(ProblemError, match=r"cycle: job 0 -> job 1 -> job 0"):
        dag(OK, [(0, 1), (1, 0)])


def test_a_task_eligible_on_no_machine_is_named():
    with pytest.raises(ProblemError, match=r"job 'gpu-only' \(index 1\): eligible on no machine"):
        dag(OK, [(0, 1)], names=["a", "gpu-only", "c"], eligible=[[1, 1], [0, 0], [1, 0]])


def test_names_are_kept_and_terminals_avoid_taken_names():
    p = dag([[1, 2], [3, 4], [1, 1]], [(0, 1)], names=["source", "b", "c"])
    assert p.names == ("source", "b", "c", "__source__", "sink")
    assert p.meta["terminals"] == {"source": 3, "sink": 4} and p.meta["original_tasks"] == 3
    r = schedopt.solve(p, "heft")
    assert check(p, r.schedule) == []


def test_eligibility_and_data_size_grow_with_the_terminals():
    p = dag(OK, [(0, 1, 1)], eligible=[[1, 0], [1, 1], [0, 1]], data_size=[4.0])
    assert p.n_jobs == 5 and p.eligible[3:].all() and p.data_size.tolist() == [4.0, 0, 0, 0, 0]


def test_float_and_numpy_integer_tables_are_accepted():
    a = dag(np.array([[2.0, 3.0], [1.0, 4.0]]), [(0, 1, 2)])
    b = dag(np.array([[2, 3], [1, 4]], dtype=np.uint8), [(np.int64(0), np.int64(1), np.int64(2))])
    assert a.duration.tolist() == b.duration.tolist() == [[2, 3], [1, 4]]


_JUNK = st.one_of(
    st.integers(-3, 9),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from(["x", None, True, [1], 2**70]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.lists(_JUNK, min_size=0, max_size=3), _JUNK), min_size=0, max_size=4),
    st.lists(st.lists(_JUNK, min_size=1, max_size=4), max_size=3),
)
def test_junk_gives_a_problem_or_a_problem_error(costs, edges):
    try:
        p = dag(costs, edges)
    except ProblemError:
        return
    r = schedopt.solve(p, "heft")
    assert check(p, r.schedule) == []


def test_integer_edge_arrays_take_the_fast_path_with_the_same_checks():
    good = np.array([[0, 1, 2], [0, 2, 0]])
    assert dag(OK, good).precedence[:2, :2].tolist() == [[0, 1], [0, 2]]
    assert dag(OK, good).comm[:2].tolist() == [2, 0]
    with pytest.raises(ProblemError, match=r"edge 1 \(0 -> 5\): task 5 is not one of the tasks 0..2"):
        dag(OK, np.array([[0, 1], [0, 5]]))
    with pytest.raises(ProblemError, match=r"edge 0 \(task 0 -> task 1\): negative communication cost -1"):
        dag(OK, np.array([[0, 1, -1]]))
