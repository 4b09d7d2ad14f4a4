"""Periodic tasks, hyperperiod unrolling, the block problem and the non-block verification problem."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from schedopt import check
from schedopt.errors import ProblemError
from schedopt.families.quantum.network import topology
from schedopt.families.quantum.periodic import (
    PeriodicTask,
    block_schedule,
    hyperperiod,
    is_periodic_problem,
    nonblock_problem,
    nonblock_schedule,
    periodic_problem,
    starts_by_instance,
    task_set,
    tasks_of,
)
from schedopt.families.quantum.protocol import Demand, synthesize

A = PeriodicTask("a", 4, 3, [("q1", 0, 1), ("q2", 2, 3)])
B = PeriodicTask("b", 8, 3, [("q1", 1, 2), ("q2", 0, 1)])


def test_hyperperiod_and_cap() -> None:
    assert hyperperiod([4, 6, 8]) == 24
    with pytest.raises(ProblemError, match="exceeds max_hyperperiod = 100"):
        hyperperiod([7, 11, 13], max_hyperperiod=100)
    with pytest.raises(ProblemError, match="max_hyperperiod"):
        periodic_problem(
            [PeriodicTask("x", 97, 1, [("q", 0, 1)]), PeriodicTask("y", 89, 1, [("r", 0, 1)])],
            max_hyperperiod=1000,
        )


def test_task_validation() -> None:
    with pytest.raises(ProblemError, match="1 <= c <= period"):
        PeriodicTask("t", 2, 3, [("q", 0, 1)])
    with pytest.raises(ProblemError, match="not within"):
        PeriodicTask("t", 4, 2, [("q", 1, 3)])
    with pytest.raises(ProblemError, match="overlapping"):
        PeriodicTask("t", 4, 3, [("q", 0, 2), ("q", 1, 3)])
    with pytest.raises(ProblemError, match="no qubit"):
        PeriodicTask("t", 4, 3, [])
    with pytest.raises(ProblemError, match="duplicate task names"):
        periodic_problem([A, A])
    with pytest.raises(ProblemError, match="empty task set"):
        periodic_problem([])


def test_block_problem_unrolls_the_hyperperiod() -> None:
    p = periodic_problem([A, B])
    assert is_periodic_problem(p) and p.family == "quantum" and p.objective == "feasibility"
    assert p.meta["hyperperiod"] == 8 and tasks_of(p) == [A, B]
    assert p.names == ("a#0", "a#1", "b#0")
    assert p.release.tolist() == [0, 4, 0] and p.deadline.tolist() == [4, 8, 8]
    assert p.duration.tolist() == [3, 3, 3]
    assert p.resource_names == ("q1", "q2") and p.demand.tolist() == [[1, 1], [1, 1], [1, 1]]
    # a and b share both qubits for their whole duration: at most 2 of the 3 fit in 8 slots
    assert check(p, block_schedule(p, [0, 4, 3]))  # overlaps
    assert starts_by_instance(p, [0, 4, 1]) == [[0, 4], [1]]


def test_nonblock_problem_verifies_qubits_and_deadlines() -> None:
    nb = nonblock_problem([A, B], [0, 4, 0])
    assert check(nb, nonblock_schedule(nb, [0, 4, 0])) == []
    # b#0 at 1 uses q2 [1, 2) and q1 [2, 3); a#0 uses q1 [0, 1) and q2 [2, 3): no clash
    nb = nonblock_problem([A, B], [0, 4, 1])
    assert check(nb, nonblock_schedule(nb, [0, 4, 1])) == []
    nb = nonblock_problem([A, B], [0, 4, 2])  # b's q2 [2, 3) meets a#0's q2 [2, 3)
    kinds = {v.kind for v in check(nb, nonblock_schedule(nb, [0, 4, 2]))}
    assert kinds == {"resource"}
    nb = nonblock_problem([A, B], [0, 6, 0])  # a#1 ends at 9 > deadline 8
    assert {v.kind for v in check(nb, nonblock_schedule(nb, [0, 6, 0]))} == {"deadline"}
    with pytest.raises(ProblemError, match="expected 3 starts"):
        nonblock_problem([A, B], [0, 4])
    with pytest.raises(ProblemError, match="has no start"):
        nonblock_problem([A, B], [0, -1, 0])


def test_tasks_from_shapes() -> None:
    net = topology("H-6")
    d = Demand("3", "5", 0.55, 10)
    sh = synthesize(net, d)
    (t,) = task_set([sh])
    assert t.period == d.period() == 10 and t.c == sh.c and t.occupations == tuple(sh.occupations)
    assert t.demand == d and t.qubits == sh.qubits
    p = periodic_problem([t])
    assert p.n_jobs == 1 and check(p, block_schedule(p, [0])) == []
    with pytest.raises(ProblemError, match="not a quantum periodic problem"):
        tasks_of(nonblock_problem([t], np.zeros(1, np.int64)))


def test_problem_round_trips_through_json(tmp_path: Path) -> None:
    import schedopt

    p = periodic_problem([A, B])
    f = tmp_path / "periodic.json"
    schedopt.write(f, p)
    q = schedopt.read(f)
    assert is_periodic_problem(q) and tasks_of(q) == [A, B]
    r = schedopt.solve(q, "edf-nonblock")
    assert r.info["starts"] == [0, 4, 0]
