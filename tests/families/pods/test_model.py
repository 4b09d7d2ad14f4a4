"""The cluster builder: resources, the static filters in ``eligible``, anti-affinity, protection."""

from __future__ import annotations

import numpy as np
import pytest

from schedopt import check
from schedopt.errors import ProblemError
from schedopt.families.pods import FAMILY
from schedopt.families.pods.model import (
    AntiAffinityTerm,
    Node,
    NodeSelectorTerm,
    Pod,
    Requirement,
    Taint,
    Toleration,
    cluster,
    passes_filters,
)


def nodes3():
    return [
        Node("a", {"cpu": "2", "memory": "4Gi"}, {"zone": "z1", "cores": "8"}),
        Node(
            "b",
            {"cpu": 2000, "memory": 4 << 30, "nvidia.com/gpu": 2},
            {"zone": "z2", "cores": "16"},
            taints=[("gpu", "yes", "NoSchedule")],
        ),
        Node(
            "c",
            {"cpu": "4", "memory": "8Gi", "pods": 3},
            {"zone": "z3"},
            taints=[{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}],
        ),
    ]


def row(pod, nodes=None):
    return [passes_filters(pod, nd) for nd in nodes or nodes3()]


def test_problem_layout():
    p = cluster(
        nodes3(),
        [
            Pod("x", requests={"cpu": "500m", "memory": "1Gi"}, priority=3, node="a"),
            Pod("y", "ml", requests={"nvidia.com/gpu": 1}),
        ],
        name="t",
    )
    assert p.family == "pods" and p.objective == "placement" and p.name == "t"
    assert p.machine_resource_names == ("cpu", "memory", "nvidia.com/gpu", "pods")
    assert p.machine_capacity.tolist() == [
        [2000, 4 << 30, 0, 110],
        [2000, 4 << 30, 2, 110],
        [4000, 8 << 30, 0, 3],
    ]
    assert p.machine_demand.tolist() == [[500, 1 << 30, 0, 1], [0, 0, 1, 1]]
    assert p.names == ("default/x", "ml/y") and p.machine_names == ("a", "b", "c")
    assert p.duration.tolist() == [1, 1] and p.deadline.tolist() == [1, 1] and p.release.tolist() == [0, 0]
    assert p.optional.tolist() == [True, True] and p.current_machine.tolist() == [0, -1]
    assert p.priority.tolist() == [3, 0] and p.weight.tolist() == [1, 1]
    assert p.meta["pods"][1] == {
        "namespace": "ml",
        "name": "y",
        "owner": "",
        "arrival": 1,
        "protected": False,
        "labels": {},
        "tolerations": [],
    }
    assert p.meta["nodes"][1]["taints"] == [{"key": "gpu", "value": "yes", "effect": "NoSchedule"}]
    assert p.meta["nodes"][0]["labels"]["kubernetes.io/hostname"] == "a"


def test_taint_not_tolerated_and_prefer_no_schedule_ignored():
    assert row(Pod("x")) == [True, False, True]
    assert row(Pod("x", tolerations=[("gpu", "Equal", "yes", "NoSchedule")])) == [True, True, True]
    assert row(Pod("x", tolerations=[("gpu", "Equal", "no", "NoSchedule")])) == [True, False, True]
    assert row(Pod("x", tolerations=[("gpu", "Exists", "", "")])) == [True, True, True]
    assert row(Pod("x", tolerations=[("gpu", "Exists", "", "NoExecute")])) == [True, False, True]
    assert row(Pod("x", tolerations=[{"operator": "Exists"}])) == [True, True, True]  # empty key: all taints


def test_no_execute_taint_filters_too():
    nd = Node("n", {"cpu": 1}, taints=[Taint("maint", "", "NoExecute")])
    assert not passes_filters(Pod("x"), nd)
    assert passes_filters(
        Pod("x", tolerations=[{"key": "maint", "operator": "Exists", "effect": "NoExecute"}]), nd
    )


def test_toleration_validation():
    with pytest.raises(ProblemError, match="empty key needs the operator Exists"):
        Toleration("", "Equal", "x")
    with pytest.raises(ProblemError, match="operator must be Equal or Exists"):
        Toleration("k", "In")
    with pytest.raises(ProblemError, match="effect 'Sometimes'"):
        Taint("k", "", "Sometimes")


def test_node_selector_mismatch():
    assert row(Pod("x", node_selector={"zone": "z1"})) == [True, False, False]
    assert row(Pod("x", node_selector={"zone": "z9"})) == [False, False, False]
    assert row(Pod("x", node_selector={"kubernetes.io/hostname": "c"})) == [False, False, True]


@pytest.mark.parametrize(
    ("req", "expected"),
    [
        (("zone", "In", ["z1", "z3"]), [True, False, True]),
        (("zone", "NotIn", ["z1"]), [False, False, True]),  # b is tainted
        (("cores", "Exists"), [True, False, False]),
        (("cores", "DoesNotExist"), [False, False, True]),
        (("cores", "Gt", ["8"]), [False, False, False]),  # 16 > 8 only on the tainted b
        (("cores", "Gt", ["4"]), [True, False, False]),
        (("cores", "Lt", ["10"]), [True, False, False]),  # absent label: Lt fails
        (("zone", "Gt", ["1"]), [False, False, False]),  # not an integer label: fails
    ],
)
def test_required_node_affinity_operators(req, expected):
    term = NodeSelectorTerm(match_expressions=(req,))
    assert row(Pod("x", affinity=[term])) == expected


def test_affinity_terms_are_ored_expressions_anded_and_fields():
    t1 = {
        "matchExpressions": [
            {"key": "zone", "operator": "In", "values": ["z1"]},
            {"key": "cores", "operator": "Lt", "values": ["4"]},
        ]
    }
    t2 = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["c"]}]}
    assert row(Pod("x", affinity=[t1])) == [False, False, False]
    assert row(Pod("x", affinity=[t1, t2])) == [False, False, True]
    assert row(Pod("x", affinity=[NodeSelectorTerm()])) == [False, False, False]  # empty term: nothing
    with pytest.raises(ProblemError, match="only metadata.name"):
        NodeSelectorTerm(match_fields=[("metadata.uid", "In", ["1"])])
    with pytest.raises(ProblemError, match="needs an integer"):
        Requirement("cores", "Gt", ("many",))


def test_unschedulable_node():
    nodes = [Node("a", {"cpu": 1}, unschedulable=True), Node("b", {"cpu": 1})]
    assert row(Pod("x"), nodes) == [False, True]
    tol = {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}
    assert row(Pod("x", tolerations=[tol]), nodes) == [True, True]


def test_running_pod_stays_eligible_on_its_node_and_protected_pods_are_pinned():
    nodes = nodes3()
    pods = [Pod("run", node="b"), Pod("prot", node="a", protected=True), Pod("pend", protected=True)]
    p = cluster(nodes, pods)
    assert p.eligible.tolist() == [[True, True, True], [True, False, False], [True, False, True]]
    assert p.optional.tolist() == [True, False, True]
    assert p.meta["pods"][1]["protected"] and p.meta["pods"][2]["protected"]


def test_protected_pod_too_big_for_its_node():
    with pytest.raises(ProblemError, match="protected on node 'a', but its cpu request 3000 exceeds"):
        cluster(nodes3(), [Pod("big", requests={"cpu": "3"}, node="a", protected=True)])


def test_anti_affinity_pairs():
    web = AntiAffinityTerm({"app": "web"})
    other_ns = AntiAffinityTerm({"app": "web"}, namespaces=("prod",))
    expr = AntiAffinityTerm(match_expressions=[("tier", "In", ["db"])], all_namespaces=True)
    pods = [
        Pod("w0", labels={"app": "web"}, anti_affinity=[web]),
        Pod("w1", labels={"app": "web"}, anti_affinity=[web]),
        Pod("w2", "prod", labels={"app": "web"}),  # other namespace: not selected by w0/w1
        Pod("plain", labels={"app": "web"}),  # no term of its own, but selected by w0 and w1
        Pod("x", anti_affinity=[other_ns]),  # selects w2 only
        Pod("db", "ops", labels={"tier": "db"}),
        Pod("y", anti_affinity=[expr]),  # every namespace: db
    ]
    p = cluster(nodes3(), pods)
    assert p.anti_affinity.tolist() == [[0, 1], [0, 3], [1, 3], [2, 4], [5, 6]]


def test_zone_anti_affinity_refused_unless_hostname_like():
    zone = AntiAffinityTerm({"app": "web"}, topology_key="zone")
    pods = [Pod("a", labels={"app": "web"}, anti_affinity=[zone]), Pod("b", labels={"app": "web"})]
    assert cluster(nodes3(), pods).anti_affinity.tolist() == [[0, 1]]  # zones distinct per node
    same = [Node("a", {"cpu": 1}, {"zone": "z"}), Node("b", {"cpu": 1}, {"zone": "z"})]
    with pytest.raises(ProblemError, match="topologyKey 'zone' is not supported"):
        cluster(same, pods)


@pytest.mark.parametrize(
    ("nodes", "pods", "match"),
    [
        ([], [Pod("x")], "at least one node"),
        ([Node("a"), Node("a")], [], "two nodes are named 'a'"),
        ([Node("a")], [Pod("x"), Pod("x")], "two pods are named 'default/x'"),
        ([Node("a")], [Pod("x", node="zz")], "runs on node 'zz', which is not in the cluster"),
    ],
)
def test_builder_errors(nodes, pods, match):
    with pytest.raises(ProblemError, match=match):
        cluster(nodes, pods)


def test_object_errors():
    with pytest.raises(ProblemError, match=r"pod default/x: requests\['cpu'\]: \"lots\" is not a quantity"):
        Pod("x", requests={"cpu": "lots"})
    with pytest.raises(ProblemError, match="negative amount"):
        Node("a", {"cpu": -1})
    with pytest.raises(ProblemError, match="priority must be an integer"):
        Pod("x", priority=1.5)


def test_family_registered():
    from schedopt.registry import family, resolve

    fam = family("pods")
    assert fam is not None and fam.name == FAMILY.name
    assert {m.name for m in fam.methods} == {"kube-default", "ffd", "cpsat"}
    for ref in fam.builders.values():
        assert callable(resolve(ref))
    assert [s.name for s in resolve(fam.suites)] == ["pods-grid", "pods-large"]
    assert resolve(fam.evaluator) is not None
    for w in fam.warmups:
        assert resolve(w.problem)().family == "pods"


def test_core_cpsat_packs_a_small_cluster():
    from schedopt.cpsat.compiler import solve_cpsat

    term = AntiAffinityTerm({"app": "web"})
    nodes = [
        Node("a", {"cpu": 2000, "memory": 4 << 30}),
        Node("b", {"cpu": 2000, "memory": 4 << 30}, taints=[("gpu", "", "NoSchedule")]),
    ]
    pods = [
        Pod("low", requests={"cpu": 1500}, priority=0, node="a"),
        Pod("hi", requests={"cpu": 1500}, priority=9),
        Pod(
            "w0",
            requests={"cpu": 100},
            priority=5,
            labels={"app": "web"},
            anti_affinity=[term],
            tolerations=[("gpu", "Exists", "", "")],
        ),
        Pod(
            "w1",
            requests={"cpu": 100},
            priority=5,
            labels={"app": "web"},
            anti_affinity=[term],
            tolerations=[("gpu", "Exists", "", "")],
        ),
    ]
    p = cluster(nodes, pods)
    out = solve_cpsat(p, time_limit=5, workers=1)
    assert out.status == "optimal" and check(p, out.schedule) == []
    # hi takes a (only untainted node) and low is evicted: b is tainted for both
    assert out.schedule.machine.tolist()[:2] == [-1, 0]
    assert sorted(out.schedule.machine.tolist()[2:]) == [0, 1]
    assert not np.array_equal(p.eligible[0], p.eligible[2])
