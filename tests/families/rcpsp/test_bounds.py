"""LB2 (energy) and the incompatible-set bound: valid against brute force, exact on known cases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt.families.rcpsp.bounds import energy_bound, incompatible_bound, rcpsp_lower_bound
from tests.conftest import require_data
from tests.strategies import brute_force_optimum, tiny_problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)))
def test_bounds_never_exceed_the_optimum(problem):
    opt = brute_force_optimum(problem)
    if opt is not None:
        assert energy_bound(problem) <= opt
        assert incompatible_bound(problem) <= opt
        assert rcpsp_lower_bound(problem) <= opt


def test_energy_bound_values():
    # energy 3*2 + 4*1 = 10 on capacity 2 -> 5
    p = schedopt.rcpsp([3, 4], [2], [[2], [1]])
    assert energy_bound(p) == 5
    # capacity 0 during [0, 4): the same energy needs until t = 9
    q = schedopt.rcpsp([3, 4], [2], [[2], [1]], downtime=[(0, 0, 4, 0)])
    assert energy_bound(q) == 9
    # both jobs need more than half the capacity: they run one after the other
    assert incompatible_bound(p) == 3
    r = schedopt.rcpsp([3, 4], [3], [[2], [2]], release=[1, 2])
    assert incompatible_bound(r) == 8 and rcpsp_lower_bound(r) == 8
    assert rcpsp_lower_bound(schedopt.rcpsp([3], [1], [[1]], objective="feasibility")) == 0


def test_lb_is_at_least_cpm_and_at_most_bks_on_psplib():
    import csv

    ref_path = require_data("psplib", "values", "reference.csv")
    with open(ref_path) as fh:
        ref = {row["instance"]: row for row in csv.DictReader(fh)}
    for name in ("j301_1", "j6010_2", "j12046_3"):
        folder = "j" + name[1:3] if not name.startswith("j120") else "j120"
        p = schedopt.read(require_data("psplib", folder, f"{name}.sm"))
        lb = rcpsp_lower_bound(p)
        assert int(ref[name]["cpm_lb"]) <= lb <= int(ref[name]["best_lb"])
