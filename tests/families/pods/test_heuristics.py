"""First-fit / best-fit decreasing packing of pods."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import check
from schedopt.errors import OptionError
from schedopt.families.pods.heuristics import pack_order, solve_ffd
from tests.families.pods.test_emulator import pods_problem, random_pods


def test_decreasing_order_by_priority_then_size():
    p = pods_problem([500, 2000, 1000, 3000], [10] * 4, [4000], [4000], priority=[1, 1, 2, 0])
    assert pack_order(p, np.arange(4)).tolist() == [2, 1, 0, 3]


def test_best_fit_takes_the_tightest_node_first_fit_the_first():
    # node0 has 3000m free, node1 1500m: a 1000m pod
    p = pods_problem([1000], [10], [3000, 1500], [4000, 4000])
    assert solve_ffd(p, fit="first").schedule.machine.tolist() == [0]
    assert solve_ffd(p, fit="best").schedule.machine.tolist() == [1]


def test_ffd_packs_where_the_default_scheduler_spreads():
    # two 2000m pods and one 4000m pod on two 4000m nodes: big one first, then the small ones together
    p = pods_problem([2000, 2000, 4000], [10] * 3, [4000, 4000], [4000, 4000])
    for fit in ("first", "best", "balanced"):
        out = solve_ffd(p, fit=fit)
        m = out.schedule.machine
        assert (m >= 0).all() and m[0] == m[1] != m[2]
        assert check(p, out.schedule) == []
    default = schedopt.solve(p, "kube-default")
    assert default.schedule.machine.tolist()[2] == -1  # LeastAllocated spreads the small pods


def test_running_pods_stay_unless_repacking():
    # pod 0 runs on node0 and blocks the big pod 1 (same priority); repacking moves it
    p = pods_problem([1000, 4000], [10, 10], [4000, 1000], [4000, 4000], current=[0, -1])
    out = solve_ffd(p)
    assert out.schedule.machine.tolist() == [0, -1]
    out = solve_ffd(p, repack=True)
    assert out.schedule.machine.tolist() == [1, 0] and check(p, out.schedule) == []
    assert out.info["placed_by_tier"] == [2]


def test_anti_affinity_and_eligibility_respected():
    p = pods_problem(
        [100, 100, 100],
        [10] * 3,
        [4000, 4000],
        [4000, 4000],
        anti=[(0, 1)],
        eligible=[[1, 1], [1, 1], [0, 1]],
    )
    m = solve_ffd(p, fit="first").schedule.machine
    assert m[0] != m[1] and m[2] == 1


def test_bad_fit_option():
    with pytest.raises(OptionError):
        solve_ffd(pods_problem([1], [1], [1], [1]), fit="worst")


def test_balanced_fit_keeps_resources_even():
    # rooms left (cpu, memory) of 4000 each: node0 (3000, 1000), node1 (1000, 2500).
    # A (1000m, 200) pod leaves node0 (2000, 800): fractions 0.5, 0.2 (sum 0.7, spread 0.3),
    # node1 (0, 2300): 0, 0.575 (sum 0.575, spread 0.575). Best fit takes node1, balanced node0.
    p = pods_problem([1000, 3000, 1000], [3000, 1500, 200], [4000, 4000], [4000, 4000], current=[0, 1, -1])
    assert solve_ffd(p, fit="balanced").schedule.machine[2] == 0
    assert solve_ffd(p, fit="best").schedule.machine[2] == 1
    assert solve_ffd(p, fit="first").schedule.machine[2] == 0


def test_large_case_is_feasible():
    rng = np.random.default_rng(0)
    n, m = 3000, 300
    p = pods_problem(
        rng.integers(100, 1001, n).tolist(),
        (rng.integers(100, 1001, n) * 10**6).tolist(),
        [5500] * m,
        [55 * 10**8] * m,
        priority=rng.integers(1, 5, n).tolist(),
    )
    pending = {}
    for fit in ("first", "best", "balanced"):
        out = solve_ffd(p, fit=fit)
        assert check(p, out.schedule) == [] and out.info["pending"] > 0
        pending[fit] = out.info["pending"]
    assert pending["balanced"] < pending["best"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_ffd_schedules_are_feasible(data):
    p = random_pods(data)
    # start from a feasible current placement: the emulator's
    start = schedopt.solve(p, "kube-default").schedule.machine
    p = p.replace(current_machine=start)
    for fit in ("first", "best", "balanced"):
        for repack in (False, True):
            out = solve_ffd(p, fit=fit, repack=repack)
            assert check(p, out.schedule) == []
            if not repack:  # running pods never move
                kept = start >= 0
                assert (out.schedule.machine[kept] == start[kept]).all()
