"""Metrics by hand on a two-task example, and on a synthesised shape."""

from __future__ import annotations

import pytest

from schedopt import Schedule
from schedopt.families.quantum.metrics import (
    evaluate,
    fidelity_report,
    jitter,
    network_metrics,
    response_times,
    throughput,
    wcrt,
)
from schedopt.families.quantum.network import topology
from schedopt.families.quantum.periodic import PeriodicTask, periodic_problem, task_set
from schedopt.families.quantum.protocol import Demand, synthesize

A = PeriodicTask("a", 4, 2, [("q1", 0, 2)])
B = PeriodicTask("b", 8, 3, [("q2", 0, 3)])


def test_two_tasks_by_hand() -> None:
    p = periodic_problem([A, B])  # jobs a#0, a#1, b#0; H = 8 slots = 0.08 s
    starts = [0, 5, 1]
    assert throughput(p, starts) == pytest.approx(3 / 0.08)  # 37.5 ebit/s = 1/0.04 + 1/0.08
    assert response_times(p, starts).tolist() == [2, 3, 4]  # a#1: 5 + 2 - 4
    assert wcrt(p, starts) == {"a": 3, "b": 4}
    assert jitter(p, starts) == {"a": 1, "b": 0}
    row = network_metrics(p, Schedule([0, 5, 1], [2, 7, 4]), offered=4)
    assert row["wcrt_slots"] == 4 and row["wcrt_s"] == pytest.approx(0.04)
    assert row["jitter_slots"] == 1 and row["admitted"] == 2 and row["admitted_ratio"] == 0.5
    assert row["min_fidelity_margin"] is None and row["hyperperiod_slots"] == 8
    # an unscheduled instance delivers nothing and makes its task not admitted
    row = evaluate(p, [0, -1, 1])
    assert row["throughput_ebit_s"] == pytest.approx(2 / 0.08) and row["admitted"] == 1
    with pytest.raises(ValueError, match="expected 3 starts"):
        throughput(p, [0, 1])


def test_fidelity_against_floor() -> None:
    d = Demand("3", "5", 0.55, 10)
    sh = synthesize(topology("H-6"), d)
    p = periodic_problem(task_set([sh]))
    ((f, floor),) = fidelity_report(p).values()
    assert f == sh.fidelity and floor == 0.55
    assert network_metrics(p, [0])["min_fidelity_margin"] == pytest.approx(sh.fidelity - 0.55)
    assert network_metrics(p, [0])["throughput_ebit_s"] == pytest.approx(10.0)
