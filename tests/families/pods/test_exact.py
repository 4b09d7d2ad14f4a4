"""The lexicographic CP-SAT packer against brute force, the emulator, and the core objective."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import Problem, check
from schedopt.families.pods.emulator import emulate
from schedopt.families.pods.exact import solve_packer
from schedopt.objectives import encode_placement
from tests.families.pods.test_emulator import pods_problem, random_pods


def feasible_assignments(p: Problem):
    """Every placement meeting eligibility, capacities, anti-affinity and the non-optional pods."""
    n, m = p.n_jobs, p.n_machines
    for assign in itertools.product([-1, *range(m)], repeat=n):
        if any(a < 0 and not p.optional[j] for j, a in enumerate(assign)):
            continue
        if any(a >= 0 and not p.eligible[j, a] for j, a in enumerate(assign)):
            continue
        if any(assign[i] >= 0 and assign[i] == assign[j] for i, j in p.anti_affinity):
            continue
        load = np.zeros_like(p.machine_capacity)
        for j, a in enumerate(assign):
            if a >= 0:
                load[a] += p.machine_demand[j]
        if (load > p.machine_capacity).any():
            continue
        yield np.array(assign)


def levels(p: Problem) -> list[float]:
    return sorted({float(p.priority[j]) for j in np.flatnonzero(p.optional)}, reverse=True)


def paper_key(p: Problem, machine: np.ndarray) -> tuple:
    """Per tier p from high to low: (-placed optional pods >= p, evictions + 2 moves of running ones >= p)."""
    out = []
    for lv in levels(p):
        ge = p.optional & (p.priority >= lv)
        run = (p.priority >= lv) & (p.current_machine >= 0)  # protected running pods count too
        placed = machine >= 0
        dis = sum(
            1 if not placed[j] else 2 * int(machine[j] != p.current_machine[j]) for j in np.flatnonzero(run)
        )
        out += [-int((ge & placed).sum()), dis]
    return tuple(out)


def core_parts(p: Problem, machine: np.ndarray) -> tuple:
    """(unplaced optional pods per tier high to low, total disruption)."""
    placed = machine >= 0
    unplaced = [int((p.optional & (p.priority == lv) & ~placed).sum()) for lv in levels(p)]
    run = p.current_machine >= 0
    dis = sum(
        1 if not placed[j] else 2 * int(machine[j] != p.current_machine[j]) for j in np.flatnonzero(run)
    )
    return (*unplaced, dis)


def random_cluster(data) -> Problem:
    ints = st.integers
    n_tiers = data.draw(ints(1, 3))
    base = random_pods(data, max_nodes=3, max_pods=6, max_request=4, priority=ints(1, n_tiers))
    n = base.n_jobs
    # a feasible current placement: some of the pods the emulator places run, some are protected
    start, _ = emulate(base)
    running = np.array([start[j] >= 0 and data.draw(st.booleans()) for j in range(n)])
    current = np.where(running, start, -1)
    protected = running & np.array([data.draw(ints(0, 3)) == 0 for _ in range(n)])
    eligible = base.eligible.copy()
    pinned = protected & np.array([data.draw(st.booleans()) for _ in range(n)])
    for j in np.flatnonzero(protected):
        if pinned[j]:  # as cluster() builds protected pods; else it may move, at the core cost of 2
            eligible[j] = False
        eligible[j, current[j]] = True
    return base.replace(current_machine=current, optional=~protected, eligible=eligible)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_paper_order_matches_brute_force(data):
    p = random_cluster(data)
    out = solve_packer(p, time_limit=10, workers=1, order="paper")
    assert check(p, out.schedule) == []
    assert out.info["lexicographic_optimal"]  # tiny models are proven at once
    best = min(paper_key(p, a) for a in feasible_assignments(p))
    machine = out.schedule.machine
    assert paper_key(p, machine) == best
    default, _ = emulate(p)
    assert paper_key(p, machine) <= paper_key(p, default)  # never worse than the default scheduler
    # the bound is valid for the core objective, whose optimum may be lexicographically smaller
    core_best = min(core_parts(p, a) for a in feasible_assignments(p))
    if out.bound is not None:
        assert out.bound <= encode_placement(p, list(core_best[:-1]), core_best[-1])
    if out.status == "optimal":
        assert core_parts(p, machine) == core_best
    vector = [-paper_key(p, machine)[2 * t] for t in range(len(levels(p)))]
    dvec = [-paper_key(p, default)[2 * t] for t in range(len(levels(p)))]
    assert out.info["default_certified"] == (vector == dvec)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_core_order_is_the_core_optimum(data):
    p = random_cluster(data)
    r = schedopt.solve(p, "cpsat", time_limit=10, workers=1, order="core")
    core_best = min(core_parts(p, a) for a in feasible_assignments(p))
    value = encode_placement(p, list(core_best[:-1]), core_best[-1])
    assert r.status == "optimal" and r.objective == r.bound == value
    assert core_parts(p, r.schedule.machine) == core_best


def test_paper_and_core_orders_differ():
    # node0 (2000m) runs the high-priority pod 0 (1000m); node1 (1000m) is free; pending: the
    # low-priority pod 1 (2000m) fits node0 only. The core objective moves pod 0 to node1 (cost 2)
    # to place pod 1; the paper pins tier 2's disruption (0) first and leaves pod 1 pending.
    p = pods_problem([1000, 2000], [10, 10], [2000, 1000], [4000, 4000], priority=[2, 1], current=[0, -1])
    paper = solve_packer(p, time_limit=10, workers=1, order="paper")
    core = solve_packer(p, time_limit=10, workers=1, order="core")
    assert paper.schedule.machine.tolist() == [0, -1] and paper.info["lexicographic_optimal"]
    assert paper.status == "feasible"  # proven in the paper's order, not for the core objective
    assert core.schedule.machine.tolist() == [1, 0] and core.status == "optimal"
    assert paper.bound <= core.bound


def test_certifies_an_optimal_default():
    p = pods_problem([1000] * 4, [10] * 4, [2000, 2000], [4000, 4000], priority=[2, 2, 1, 1])
    out = solve_packer(p, time_limit=10, workers=1, order="paper")
    assert out.info["default_certified"] and not out.info["default_improved"]
    assert out.status == "optimal"  # nothing runs: both orders agree


def test_improves_on_a_failing_default():
    # LeastAllocated spreads the two 2000m pods, so the 4000m pod stays pending; packing places all
    p = pods_problem([2000, 2000, 4000], [10] * 3, [4000, 4000], [4000, 4000])
    out = solve_packer(p, time_limit=10, workers=1, order="paper")
    assert out.info["default_placed_by_tier"] == [2]
    assert out.info["tiers"][0]["placed"] == 3 and out.info["default_improved"]
    assert not out.info["default_certified"] and out.status == "optimal"
    # tiers: a high-priority pod the default leaves pending is a strict lexicographic improvement
    q = pods_problem(
        [2000, 2000, 4000], [10] * 3, [4000, 4000], [4000, 4000], priority=[1, 1, 5], current=[0, 1, -1]
    )
    out = solve_packer(q, time_limit=10, workers=1, order="paper")
    assert out.info["default_placed_by_tier"] == [0, 2]
    assert [t["placed"] for t in out.info["tiers"]] == [1, 2] and out.info["default_improved"]
    assert out.schedule.machine[2] >= 0 and check(q, out.schedule) == []


def test_time_windows_go_to_the_core_model():
    p = Problem(
        duration=[1, 1],
        release=[0, 1],
        deadline=[1, 2],
        machine_type=[0],
        machine_capacity=[[1]],
        machine_demand=[[1], [1]],
        optional=[True, True],
        objective="placement",
        family="pods",
    )
    out = solve_packer(p, time_limit=10, workers=1, order="paper")
    assert "fallback" in out.info and out.status == "optimal"
    assert check(p, out.schedule) == [] and (out.schedule.start >= 0).all()


def test_emulator_options_and_no_time_left():
    p = pods_problem([2000, 2000, 4000], [10] * 3, [4000, 4000], [4000, 4000])
    # MostAllocated packs the two small pods together: the default places all, and is certified
    opts = {"scoring": "MostAllocated"}
    out = solve_packer(p, time_limit=10, workers=1, order="paper", emulator_options=opts)
    assert out.info["default_placed_by_tier"] == [3] and out.info["default_certified"]
    # with no time for any stage the default placement is returned as it is
    out = solve_packer(p, time_limit=1e-4, workers=1, order="paper")
    assert out.info["stages"][0]["status"] == "skipped (no time)" and out.status == "feasible"
    assert out.schedule.machine.tolist() == emulate(p)[0].tolist() and check(p, out.schedule) == []


def test_moving_a_protected_pod_costs_two_and_optimal_is_proven_right():
    """Review finding: a protected (non-optional) running pod that may move costs 2 when it does."""
    from schedopt.objectives import _placement_value

    p = pods_problem(
        [500, 1500, 500, 1000],
        [500, 0, 1000, 0],
        [500, 1000, 1500],
        [1000, 1000, 1000],
        priority=[2, 2, 2, 2],
        eligible=[[1, 1, 1], [1, 1, 1], [0, 1, 1], [1, 0, 1]],
        current=[1, 2, -1, -1],
        optional=[False, True, True, True],
    )
    core = schedopt.solve(p, "cpsat", time_limit=10, workers=1, order="core")
    assert core.status == "optimal" and core.objective == core.bound == 6
    alt = schedopt.Schedule([0, -1, 0, 0], [1, -1, 1, 1], [1, -1, 2, 2])
    assert check(p, alt) == [] and _placement_value(p, alt) == 6
    paper = schedopt.solve(p, "cpsat", time_limit=10, workers=1, order="paper")
    assert paper.bound <= 6 <= paper.objective


def test_pods_that_may_start_late_are_left_to_the_core_model():
    """Review finding: without deadline = duration pods may share a node in turn; no packing view."""
    kw = dict(
        duration=[1, 2],
        machine_type=[0],
        machine_capacity=[[1]],
        machine_demand=[[1], [1]],
        optional=[True, True],
        priority=[0, 0],
        objective="placement",
    )
    r = schedopt.solve(Problem(family="pods", **kw), "cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == 0 and r.info.get("fallback")
