"""DAG metrics (Topcuoglu et al. 2002): hand-computed values on the paper's example and small cases."""

from __future__ import annotations

import json

import numpy as np
import pytest

import schedopt
from schedopt import Schedule, check
from schedopt.families.dag import dag
from schedopt.families.dag.metrics import (
    cp_min,
    efficiency,
    evaluate,
    gap,
    min_costs,
    sequential_time,
    slr,
    speedup,
    utilisation_by_type,
)
from tests.conftest import require_data


def test_topcuoglu_example_heft_metrics():
    """Fig. 2 costs: minimum costs 9, 13, 11, 8, 10, 9, 7, 5, 12, 7; CP_MIN = T1-T2-T9-T10 =
    9 + 13 + 12 + 7 = 41; processor totals 127, 130, 143; HEFT's schedule (Fig. 3a) of makespan 80
    keeps P1 busy 13 + 5, P2 8 + 16 + 12 + 7, P3 9 + 19 + 10 + 11."""
    p = schedopt.read(require_data("dags", "santiago_hetero", "Synthetic", "Ilavarasan-3-10.txt"))
    assert min_costs(p).tolist() == [9, 13, 11, 8, 10, 9, 7, 5, 12, 7]
    assert cp_min(p) == 41
    assert sequential_time(p) == (127, True)
    s = schedopt.solve(p, method="heft").schedule
    assert s.makespan == 80 and check(p, s) == []
    assert slr(p, s) == pytest.approx(80 / 41)
    assert speedup(p, s) == pytest.approx(127 / 80)
    assert efficiency(p, s) == pytest.approx(127 / 80 / 3)
    assert utilisation_by_type(p, s) == pytest.approx({"type0": 18 / 80, "type1": 43 / 80, "type2": 49 / 80})
    row = evaluate(p, s)
    assert json.loads(json.dumps(row)) == row
    assert row["makespan"] == 80 and row["slr"] == pytest.approx(80 / 41)
    assert row["util_type1"] == pytest.approx(43 / 80) and row["sequential"] == "single-machine"
    assert gap(80, 73) == pytest.approx(7 / 80) and gap(73, 73) == 0 and gap(None, 73) is None


def test_gpu_types_eligibility_and_terminals():
    # two H100 and one A100: task 2 may not run on the A100 (machine 2)
    eligible = np.array([[True, True, True], [True, True, True], [True, True, False]])
    p = dag(
        [[2, 4], [3, 6], [5, 9]],
        [(0, 2, 1), (1, 2, 1)],
        machine_type=[0, 0, 1],
        type_names=["H100", "A100-80"],
        eligible=eligible,
    )
    assert p.n_jobs == 4  # a zero-cost source joins the two entries
    s = Schedule([0, 0, 5, 0], [4, 3, 10, 0], [2, 0, 0, 1])  # task 2 waits for task 0's data: 4 + 1
    assert check(p, s) == []
    assert cp_min(p) == 3 + 5 and slr(p, s) == pytest.approx(10 / 8)
    assert utilisation_by_type(p, s) == pytest.approx({"H100": (3 + 5) / (10 * 2), "A100-80": 4 / 10})
    assert sequential_time(p) == (2 + 3 + 5, True)  # an H100 runs everything in 10
    assert speedup(p, s) == pytest.approx(1.0)
    assert efficiency(p, s) == pytest.approx(1 / 3)
    assert efficiency(p, s, used=True) == pytest.approx(1 / 2)  # machine 1 runs only the source
    # task 0 only on the A100, task 2 never there: no machine runs every task, so each task
    # goes on its fastest allowed machine, one after another: 4 + 3 + 5
    only = np.array([[False, False, True], [True, True, True], [True, True, False], [True, True, True]])
    q = p.replace(eligible=only)
    assert sequential_time(q) == (4 + 3 + 5, False)
    assert evaluate(q, s)["sequential"] == "fastest-per-task"


def test_zero_makespan_gives_none_not_nan():
    p = dag([[0, 0], [0, 0]], [(0, 1, 0)])
    s = Schedule([0, 0], [0, 0], [0, 0])
    row = evaluate(p, s)
    assert row["slr"] is None and row["speedup"] is None and row["util_type0"] == 0.0
    json.dumps(row)
