"""The default-scheduler emulator: hand-computed scores, filters, preemption, and feasibility."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import Problem, check
from schedopt.errors import OptionError, ProblemError
from schedopt.families.pods.emulator import (
    emulate,
    nodes_to_find,
    placed_by_tier,
    score_nodes,
    solve_kube_default,
)


def pods_problem(
    cpu: list[int],
    mem: list[int],
    node_cpu: list[int],
    node_mem: list[int],
    *,
    priority: list[int] | None = None,
    current: list[int] | None = None,
    anti: list[tuple[int, int]] | None = None,
    eligible: list[list[bool]] | None = None,
    optional: list[bool] | None = None,
    node_names: list[str] | None = None,
    meta: dict | None = None,
) -> Problem:
    """Pods (cpu millicores, memory bytes, one pod slot each) on nodes with 110 pod slots."""
    n, m = len(cpu), len(node_cpu)
    return Problem(
        duration=[1] * n,
        deadline=[1] * n,
        machine_type=[0] * m,
        machine_names=node_names or [f"node{j}" for j in range(m)],
        machine_capacity=np.column_stack([node_cpu, node_mem, [110] * m]),
        machine_demand=np.column_stack([cpu, mem, [1] * n]),
        machine_resource_names=["cpu", "memory", "pods"],
        optional=[True] * n if optional is None else optional,
        priority=priority,
        current_machine=current,
        anti_affinity=anti,
        eligible=eligible,
        objective="placement",
        family="pods",
        meta=meta or {},
    )


# Two nodes "b-node" (index 0) and "a-node" (index 1), 4000m CPU and 4000 bytes memory each.
# Running: pod 0 (2000m, 1000) on b-node, pod 1 (1000m, 3000) on a-node. Incoming: pod 2 (1000m, 1000).
# With the pod, b-node has cpu 3000/4000, memory 2000/4000; a-node cpu 2000/4000, memory 4000/4000.
HAND = dict(
    cpu=[2000, 1000, 1000],
    mem=[1000, 3000, 1000],
    node_cpu=[4000, 4000],
    node_mem=[4000, 4000],
    current=[0, 1, -1],
    node_names=["b-node", "a-node"],
)


def test_least_allocated_and_balanced_scores_by_hand():
    p = pods_problem(**HAND)
    scores = {s["node"]: s for s in score_nodes(p, 2)}
    # LeastAllocated: b-node cpu (4000-3000)*100/4000 = 25, memory (4000-2000)*100/4000 = 50
    #                 -> (25+50)//2 = 37
    #                 a-node cpu 50, memory 0 -> 25
    assert scores["b-node"]["fit"] == 37 and scores["a-node"]["fit"] == 25
    # Balanced: b-node fractions 0.75, 0.5 -> std 0.125 -> trunc(87.5) = 87; a-node 0.5, 1.0 -> std 0.25 -> 75
    assert scores["b-node"]["balanced"] == 87 and scores["a-node"]["balanced"] == 75
    # no owner: PodTopologySpread skipped (0); no PreferNoSchedule taint: TaintToleration 100 on both (x3)
    assert scores["b-node"]["spread"] == 0 and scores["b-node"]["taint"] == 100
    assert scores["b-node"]["total"] == 37 + 87 + 300 and scores["a-node"]["total"] == 25 + 75 + 300
    out = solve_kube_default(p)
    assert out.schedule.machine.tolist() == [0, 1, 0]  # b-node wins, 424 > 400
    assert check(p, out.schedule) == []


def test_most_allocated_prefers_the_fuller_node():
    p = pods_problem(**HAND)
    scores = {s["node"]: s for s in score_nodes(p, 2, scoring="MostAllocated")}
    # b-node: cpu 3000*100/4000 = 75, memory 50 -> 125//2 = 62; a-node: 50, 100 -> 75
    assert scores["b-node"]["fit"] == 62 and scores["a-node"]["fit"] == 75
    assert scores["b-node"]["total"] == 62 + 87 + 300 and scores["a-node"]["total"] == 75 + 75 + 300
    assert solve_kube_default(p, scoring="MostAllocated").schedule.machine[2] == 1  # 450 > 449


def test_requested_to_capacity_ratio_tie_goes_to_the_first_name():
    p = pods_problem(**HAND)
    scores = {s["node"]: s for s in score_nodes(p, 2, scoring="RequestedToCapacityRatio")}
    # default shape (0,0)-(100,10), scores x10: b-node utilisations 75, 50 -> round(62.5) = 63;
    # a-node 50, 100 -> 75
    assert scores["b-node"]["fit"] == 63 and scores["a-node"]["fit"] == 75
    assert scores["b-node"]["total"] == scores["a-node"]["total"] == 450
    # the tie goes to the node first by name, "a-node" (index 1), not to the first index
    assert solve_kube_default(p, scoring="RequestedToCapacityRatio").schedule.machine[2] == 1
    # a decreasing shape (spreading), scores x10 give the points (0, 100), (100, 0)
    s2 = {
        s["node"]: s for s in score_nodes(p, 2, scoring="RequestedToCapacityRatio", shape=[(0, 10), (100, 0)])
    }
    # b-node: cpu 100 + (0-100)*75//100 = 25, memory 50 -> 37.5 rounds to 38;
    # a-node: 50 and 0 (left out of the mean) -> 50
    assert s2["b-node"]["fit"] == 38 and s2["a-node"]["fit"] == 50


def test_resource_weights_and_nonzero_defaults():
    p = pods_problem(**HAND)
    s = {x["node"]: x for x in score_nodes(p, 2, resource_weights={"cpu": 3, "memory": 1})}
    assert s["b-node"]["fit"] == (25 * 3 + 50) // 4 and s["a-node"]["fit"] == (50 * 3 + 0) // 4
    # a pod requesting no CPU counts 100m for the fit score (not for the filter or balance)
    q = pods_problem([0], [1000], [1000], [4000])
    (only,) = score_nodes(q, 0)
    assert only["fit"] == ((1000 - 100) * 100 // 1000 + 3000 * 100 // 4000) // 2
    assert only["balanced"] == int((1 - abs(0.0 - 0.25) / 2) * 100)
    with pytest.raises(OptionError):
        score_nodes(p, 2, resource_weights={"gpu": 1})
    with pytest.raises(OptionError):
        solve_kube_default(p, scoring="Random")


def random_pods(
    data, *, max_nodes: int = 4, max_pods: int = 8, max_request: int = 3, priority=None
) -> Problem:
    """A random pods problem drawn from ``data`` (hypothesis ``st.data()``): requests and node sizes
    in steps of 500, priorities from ``priority`` (default 0..2), one anti-affinity pair and random
    eligibility."""
    ints = st.integers
    priority = ints(0, 2) if priority is None else priority
    m = data.draw(ints(1, max_nodes))
    n = data.draw(ints(1, max_pods))
    return pods_problem(
        [data.draw(ints(0, max_request)) * 500 for _ in range(n)],
        [data.draw(ints(0, max_request)) * 500 for _ in range(n)],
        [data.draw(ints(1, 4)) * 500 for _ in range(m)],
        [data.draw(ints(1, 4)) * 500 for _ in range(m)],
        priority=[data.draw(priority) for _ in range(n)],
        anti=[tuple(data.draw(st.lists(ints(0, n - 1), min_size=2, max_size=2, unique=True)))]
        if n > 1
        else None,
        eligible=[[data.draw(ints(0, 3)) > 0 for _ in range(m)] for _ in range(n)],
    )


def owned_meta(owners: list[str]) -> dict:
    return {
        "pods": [
            {
                "namespace": "default",
                "name": f"p{i}",
                "owner": o,
                "arrival": i,
                "protected": False,
                "labels": {},
            }
            for i, o in enumerate(owners)
        ]
    }


def test_topology_spread_scores_by_hand():
    # one replica of "web" runs on node0; the second replica meets two feasible nodes
    p = pods_problem(
        [100, 100], [100, 100], [4000, 4000], [4000, 4000], current=[0, -1], meta=owned_meta(["web", "web"])
    )
    s = score_nodes(p, 1)
    # raw: node0 round(1 * ln(2 + 2) + (3 - 1)) = round(3.386) = 3, node1 round(0 + 2) = 2;
    # normalised 100 * (max + min - raw) // max: node0 100 * 2 // 3 = 66, node1 100
    assert math.floor(math.log(4) + 2 + 0.5) == 3
    assert [x["spread"] for x in s] == [66, 100]
    # node0 is fuller, so the fit and balance scores agree: the replica goes to node1
    assert solve_kube_default(p).schedule.machine.tolist() == [0, 1]


def test_spread_overrides_a_small_fit_difference():
    # node0 is four times larger: LeastAllocated alone stacks both replicas there
    # (second replica: node0 fit (16000-2000)*100//16000 = 87, node1 (4000-1000)*100//4000 = 75),
    # but with the spread scores 66 and 100 (weight 2) node1 wins: 87+100+132+300 < 75+100+200+300
    p = pods_problem(
        [1000, 1000],
        [1000, 1000],
        [16000, 4000],
        [16000, 4000],
        current=[-1, -1],
        meta=owned_meta(["rs", "rs"]),
    )
    assert solve_kube_default(p).schedule.machine.tolist() == [0, 1]
    solo = pods_problem([1000, 1000], [1000, 1000], [16000, 4000], [16000, 4000])
    assert solve_kube_default(solo).schedule.machine.tolist() == [0, 0]


def test_prefer_no_schedule_taint_scores():
    meta = {
        "nodes": [
            {"name": "node0", "labels": {}, "taints": [{"key": "k", "effect": "PreferNoSchedule"}]},
            {"name": "node1", "labels": {}, "taints": []},
        ],
        "pods": [
            {"namespace": "d", "name": "a", "owner": "", "arrival": 0, "labels": {}},
            {"namespace": "d", "name": "b", "owner": "", "arrival": 1, "labels": {},
             "tolerations": [{"key": "k", "operator": "Exists", "effect": "PreferNoSchedule"}]},
        ],
    }  # fmt: skip
    p = pods_problem([100, 100], [100, 100], [4000, 4000], [4000, 4000], meta=meta)
    assert [x["taint"] for x in score_nodes(p, 0)] == [0, 100]
    assert [x["taint"] for x in score_nodes(p, 1)] == [100, 100]


def test_filters_capacity_eligibility_and_anti_affinity():
    # pod 0 fits node1 only by eligibility; pods 1 and 2 are anti-affine; pod 3 is too big for both
    p = pods_problem(
        [100, 100, 100, 5000],
        [100, 100, 100, 100],
        [4000, 4000],
        [4000, 4000],
        anti=[(1, 2)],
        eligible=[[False, True], [True, True], [True, True], [True, True]],
    )
    out = solve_kube_default(p)
    m = out.schedule.machine
    assert m[0] == 1 and m[1] != m[2] and m[1] >= 0 and m[2] >= 0 and m[3] == -1
    assert check(p, out.schedule) == []
    assert out.info["pending"] == 1 and out.info["kubernetes"] == "v1.32"


def test_priority_queue_and_running_pods_stay():
    # one node of 2000m: the running low-priority pod stays, the high-priority pending pod comes first
    p = pods_problem(
        [1000, 1000, 1000], [10, 10, 10], [2000], [4000], priority=[0, 1, 5], current=[0, -1, -1]
    )
    assert solve_kube_default(p).schedule.machine.tolist() == [0, -1, 0]
    assert placed_by_tier(p, np.array([0, -1, 0])) == [1, 0, 1]


def test_preemption_evicts_the_cheapest_victims():
    # node0 (4000m) runs pods 0 (1000m, prio 1), 1 (1000m, prio 2), 2 (2000m, prio 1);
    # node1 (4000m) runs pod 3 (3000m, prio 3). Pending pod 4 needs 2000m with priority 10.
    # node0: remove all, reprieve by importance: pod 1 (3000 used), pod 0 (4000), pod 2 no -> victim {2}
    # node1: victim {3} with priority 3 > 1, so node0 is chosen
    p = pods_problem(
        [1000, 1000, 2000, 3000, 2000],
        [10] * 5,
        [4000, 4000],
        [4000, 4000],
        priority=[1, 2, 1, 3, 10],
        current=[0, 0, 0, 1, -1],
    )
    assert solve_kube_default(p).schedule.machine.tolist() == [0, 0, 0, 1, -1]
    out = solve_kube_default(p, preemption=True)
    assert out.schedule.machine.tolist() == [0, 0, -1, 1, 0]
    assert out.info["preemptions"] == 1 and out.info["evictions"] == 1
    assert check(p, out.schedule) == []


def test_preemption_spares_protected_pods_and_requeues_victims():
    # node0 runs a protected low-priority pod (non-optional) and an optional one; node1 has room for 1000m
    p = pods_problem(
        [2000, 2000, 3000],
        [10, 10, 10],
        [4000, 1000],
        [4000, 4000],
        priority=[0, 0, 9],
        current=[0, 0, -1],
        optional=[False, True, True],
        eligible=[[True, False], [True, True], [True, True]],
    )
    # the high-priority pod cannot evict the protected pod 0, and evicting pod 1 leaves 2000m only
    out = solve_kube_default(p, preemption=True)
    assert out.schedule.machine.tolist() == [0, 0, -1] and out.info["preemptions"] == 0
    q = pods_problem(
        [2000, 1000, 2000], [10] * 3, [4000, 1000], [4000, 4000], priority=[0, 0, 9], current=[0, 0, -1]
    )
    # preemption evicts the 1000m pod 1 from node0 (the smallest victim set); re-queued, it goes to node1
    out = solve_kube_default(q, preemption=True)
    assert out.schedule.machine.tolist() == [0, 1, 0]
    out = solve_kube_default(q, preemption=True, requeue_victims=False)
    assert out.schedule.machine.tolist() == [0, -1, 0]


def test_nodes_to_find_follows_kubernetes():
    assert nodes_to_find(50, None) == 50
    assert nodes_to_find(1000, None) == 420  # 50 - 1000 // 125 = 42 %
    assert nodes_to_find(5000, None) == 500  # 10 %
    assert nodes_to_find(200, None) == 100  # at least 100
    assert nodes_to_find(1000, 100) == 1000


def test_large_cluster_partial_search_is_feasible():
    rng = np.random.default_rng(1)
    n, m = 1500, 150
    p = pods_problem(
        rng.integers(100, 1001, n).tolist(),
        (rng.integers(100, 1001, n) * 10**6).tolist(),
        [9000] * m,
        [9 * 10**9] * m,
        priority=rng.integers(1, 4, n).tolist(),
    )
    out = solve_kube_default(p)
    assert out.info["nodes_to_find"] == 100 and check(p, out.schedule) == []
    full = solve_kube_default(p, percentage_of_nodes_to_score=100)
    assert check(p, full.schedule) == []


def test_time_windows_are_refused():
    p = Problem(
        duration=[1, 1],
        release=[0, 2],
        machine_type=[0],
        machine_capacity=[[4]],
        machine_demand=[[1], [1]],
        optional=[True, True],
        objective="placement",
        family="pods",
    )
    with pytest.raises(ProblemError, match="whole horizon"):
        solve_kube_default(p)


def test_through_solve():
    p = pods_problem(**HAND)
    r = schedopt.solve(p, "kube-default")
    assert (
        r.schedule.machine.tolist() == [0, 1, 0] and r.status == "optimal"
    )  # everything placed, no disruption


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_scores_match_a_plain_python_reference(data):
    ints = st.integers
    m = data.draw(ints(1, 4))
    n = data.draw(ints(1, 6))
    node_cpu = [data.draw(ints(1, 5)) * 1000 for _ in range(m)]
    node_mem = [data.draw(ints(1, 5)) * 1000 for _ in range(m)]
    cpu = [data.draw(ints(1, 3000)) for _ in range(n)]
    mem = [data.draw(ints(1, 3000)) for _ in range(n)]
    current = [data.draw(ints(-1, m - 1)) for _ in range(n - 1)] + [-1]
    p = pods_problem(cpu, mem, node_cpu, node_mem, current=current)
    load = np.zeros((m, 2), np.int64)
    for i, c in enumerate(current):
        if c >= 0:
            load[c] += (cpu[i], mem[i])
    strategy = data.draw(st.sampled_from(["LeastAllocated", "MostAllocated"]))
    got = {x["node"]: x for x in score_nodes(p, n - 1, scoring=strategy)}
    for j in range(m):
        req = load[j] + (cpu[-1], mem[-1])
        alloc = np.array([node_cpu[j], node_mem[j]])
        name = f"node{j}"
        if (req > alloc).any():
            assert name not in got
            continue
        if strategy == "LeastAllocated":
            per = [(a - r) * 100 // a for r, a in zip(req, alloc)]
        else:
            per = [r * 100 // a for r, a in zip(req, alloc)]
        f = req / alloc
        assert got[name]["fit"] == sum(per) // 2
        assert got[name]["balanced"] == int((1 - abs(f[0] - f[1]) / 2) * 100)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_emulated_schedules_are_feasible(data):
    p = random_pods(data)
    n = p.n_jobs
    p = p.replace(meta=owned_meta([data.draw(st.sampled_from(["", "a", "b"])) for _ in range(n)]))
    scoring = data.draw(st.sampled_from(["LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"]))
    for preemption in (False, True):
        out = solve_kube_default(p, preemption=preemption, scoring=scoring)
        assert check(p, out.schedule) == []
        assert (out.schedule.machine >= 0).sum() + out.info["pending"] == n
        machine, _ = emulate(p, preemption=preemption, scoring=scoring)
        assert machine.tolist() == out.schedule.machine.tolist()  # deterministic
