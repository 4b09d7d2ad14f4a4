"""Admission control: one demand at a time, never a set that does not schedule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from schedopt import check
from schedopt.errors import ProblemError
from schedopt.families.quantum.admission import admission_control, admit_demands
from schedopt.families.quantum.network import topology
from schedopt.families.quantum.periodic import (
    PeriodicTask,
    block_schedule,
    nonblock_problem,
    nonblock_schedule,
)
from schedopt.families.quantum.protocol import Demand

from .test_edf import A, B, brute_feasible, tiny_tasks


def test_the_second_task_is_rejected_when_blocking() -> None:
    res = admission_control([A, B], variant="block")
    assert [t.name for t in res.admitted] == ["a"] and res.admitted_index == [0]
    (rej,) = res.rejected
    assert rej.index == 1 and rej.reason == "schedule" and "a#1" in rej.message
    assert res.ratio == 0.5
    res = admission_control([A, B], variant="nonblock")
    assert len(res.admitted) == 2 and res.rejected == []
    nb = nonblock_problem(res.admitted, res.starts)
    assert check(nb, nonblock_schedule(nb, res.starts)) == []


def test_orders_and_hyperperiod_cap() -> None:
    x = PeriodicTask("x", 7, 1, [("q", 0, 1)])
    y = PeriodicTask("y", 11, 1, [("r", 0, 1)])
    z = PeriodicTask("z", 2, 1, [("s", 0, 1)])
    res = admission_control([x, y, z], variant="block", order="rate", max_hyperperiod=30)
    assert res.admitted_index == [2, 0] and res.rejected[0].reason == "hyperperiod"
    assert "max_hyperperiod = 30" in res.rejected[0].message
    with pytest.raises(ProblemError, match="admission order"):
        admission_control([x], order="random")
    with pytest.raises(ProblemError, match="EDF variant"):
        admission_control([x], variant="preemptive")


def test_admit_demands_keeps_synthesis_reasons() -> None:
    net = topology("H-6")
    demands = [Demand("3", "5", 0.55, 10), Demand("0", "5", 0.99, 1), Demand("3", "5", 0.55, 10)]
    res = admit_demands(net, demands, variant="nonblock")
    assert 0 in res.admitted_index
    reasons = {r.index: r.reason for r in res.rejected}
    assert reasons[1] == "fidelity"
    assert set(res.admitted_index) | set(reasons) == {0, 1, 2}
    p = res.problem
    assert p is not None and {t.demand for t in res.admitted} <= set(demands)


@settings(max_examples=40, deadline=None)
@given(tiny_tasks())
def test_admission_never_admits_an_unschedulable_set(tasks: list[PeriodicTask]) -> None:
    for variant in ("single", "block", "nonblock"):
        res = admission_control(tasks, variant=variant)
        assert len(res.admitted) + len(res.rejected) == len(tasks)
        if not res.admitted:
            continue
        assert brute_feasible(res.admitted, variant)
        nb = nonblock_problem(res.admitted, res.starts)
        assert check(nb, nonblock_schedule(nb, res.starts)) == []
        if variant != "nonblock":
            assert check(res.problem, block_schedule(res.problem, res.starts)) == []
