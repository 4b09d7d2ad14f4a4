"""CP-SAT on the coming families: Kubernetes-like pod packing and DAGs on GPU nodes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import Problem, Schedule, check
from schedopt.objectives import decode_placement
from tests.strategies import brute_force_optimum


def pods(
    cpu: list[int],
    mem: list[int],
    priority: list[int],
    node_cpu: list[int],
    node_mem: list[int],
    current: list[int] | None = None,
    anti: list[tuple[int, int]] | None = None,
    eligible: list[list[bool]] | None = None,
) -> Problem:
    """Pods as optional jobs running the whole horizon [0, 1) on cumulative nodes."""
    n, m = len(cpu), len(node_cpu)
    return Problem(
        duration=[1] * n,
        deadline=[1] * n,
        machine_type=[0] * m,
        machine_names=[f"node{i}" for i in range(m)],
        machine_capacity=np.column_stack([node_cpu, node_mem]),
        machine_demand=np.column_stack([cpu, mem]),
        machine_resource_names=["cpu", "mem"],
        optional=[True] * n,
        priority=priority,
        current_machine=current,
        anti_affinity=anti,
        eligible=eligible,
        objective="placement",
    )


def brute_force_packing(p: Problem) -> tuple:
    """Lexicographic optimum ``(unplaced weight per tier high to low..., disruption)`` by enumeration."""
    n, m = p.n_jobs, p.n_machines
    tiers = sorted({float(x) for x in p.priority}, reverse=True)
    best = None
    for assign in itertools.product([-1, *range(m)], repeat=n):
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
        unplaced = [
            sum(int(p.weight[j]) for j in range(n) if assign[j] < 0 and p.priority[j] == t) for t in tiers
        ]
        disruption = sum(
            (1 if assign[j] < 0 else 2 * (assign[j] != c)) for j, c in enumerate(p.current_machine) if c >= 0
        )
        value = (*unplaced, disruption)
        best = value if best is None else min(best, value)
    return best


def solve_parts(p: Problem) -> tuple[tuple, Schedule]:
    r = schedopt.solve(p, method="cpsat", time_limit=20, workers=2)
    assert r.status == "optimal" and r.objective == r.bound, r
    assert check(p, r.schedule) == []
    parts = decode_placement(p, r.objective)
    return (*(u for _, u in parts.unplaced), parts.disruption), r.schedule


def test_high_priority_pod_evicts_lower_ones():
    # one node of 4 cpu holding two low-priority pods (2 cpu each); a new high-priority pod needs 4
    p = pods(
        cpu=[2, 2, 4], mem=[1, 1, 1], priority=[0, 0, 10], node_cpu=[4], node_mem=[8], current=[0, 0, -1]
    )
    value, s = solve_parts(p)
    assert value == (0, 2, 2)  # tier 10 all placed; both tier-0 pods (weight 1 each) evicted: 2 x 1
    assert s.machine.tolist() == [-1, -1, 0] and s.unplaced.tolist() == [0, 1]


def test_moving_costs_two_and_eviction_one():
    # pod 0 runs on node0; the new pod 1 fits only node0. Placing both comes first, so pod 0
    # moves to node1 (cost 2) rather than being evicted (cost 1, but one pod fewer placed)
    p = pods(
        cpu=[2, 2],
        mem=[1, 1],
        priority=[0, 0],
        node_cpu=[2, 2],
        node_mem=[4, 4],
        current=[0, -1],
        eligible=[[True, True], [True, False]],
    )
    value, s = solve_parts(p)
    assert value == (0, 2) and s.machine.tolist() == [1, 0]
    assert brute_force_packing(p) == value


def test_anti_affinity_spreads_replicas():
    p = pods(
        cpu=[1, 1, 1],
        mem=[1, 1, 1],
        priority=[1, 1, 1],
        node_cpu=[8, 8],
        node_mem=[8, 8],
        anti=[(0, 1), (1, 2), (0, 2)],
    )
    value, s = solve_parts(p)
    assert value == (1, 0)  # three replicas, two hosts: one stays pending
    placed = s.machine[s.machine >= 0]
    assert len(set(placed.tolist())) == len(placed) == 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_packing_matches_enumeration(data):
    n = data.draw(st.integers(1, 5))
    m = data.draw(st.integers(1, 3))
    ints = st.integers
    p = pods(
        cpu=[data.draw(ints(0, 3)) for _ in range(n)],
        mem=[data.draw(ints(0, 3)) for _ in range(n)],
        priority=[data.draw(ints(0, 2)) for _ in range(n)],
        node_cpu=[data.draw(ints(1, 4)) for _ in range(m)],
        node_mem=[data.draw(ints(1, 4)) for _ in range(m)],
        current=[data.draw(ints(-1, m - 1)) for _ in range(n)],
        anti=[tuple(data.draw(st.lists(ints(0, n - 1), min_size=2, max_size=2, unique=True)))]
        if n > 1
        else None,
        eligible=[[data.draw(ints(0, 3)) > 0 for _ in range(m)] for _ in range(n)],
    )
    value, _ = solve_parts(p)
    assert value == brute_force_packing(p)


def gpu_dag(network_bandwidth: float) -> Problem:
    """A fork-join DAG on 2 nodes x 2 GPUs (types: big, small); task 2 does not fit the small GPUs."""
    return Problem(
        duration=[[2, 3], [3, 4], [3, 5], [1, 2]],
        type_names=["big", "small"],
        machine_type=[0, 1, 0, 1],
        machine_names=["n0g0", "n0g1", "n1g0", "n1g1"],
        eligible=[[1, 1, 1, 1], [1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 1, 1]],
        precedence=[(0, 1), (0, 2), (1, 3), (2, 3)],
        data_size=[8.0, 8.0, 4.0, 4.0],
        machine_node=[0, 0, 1, 1],
        comm_latency=[[0.0, 1.0], [1.0, 0.0]],
        comm_bandwidth=[[8.0, network_bandwidth], [network_bandwidth, 8.0]],
    )


@pytest.mark.parametrize("bandwidth", [0.5, 2.0, float("inf")])
def test_gpu_dag_matches_brute_force(bandwidth):
    p = gpu_dag(bandwidth)
    expected = brute_force_optimum(p)
    r = schedopt.solve(p, method="cpsat", time_limit=20, workers=2)
    assert (r.status, r.objective, r.bound) == ("optimal", expected, expected)
    assert check(p, r.schedule) == []
    assert r.schedule.machine[2] in (0, 2)  # the ineligible small GPUs are avoided


def test_slow_network_keeps_the_dag_on_one_node():
    r = schedopt.solve(gpu_dag(0.5), method="cpsat", time_limit=20, workers=2)
    nodes = {int(gpu_dag(0.5).machine_node[m]) for m in r.schedule.machine}
    assert len(nodes) == 1
