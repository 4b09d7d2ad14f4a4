"""Reading Kubernetes manifests: the example files, requests, protection, errors, unsupported features."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import check
from schedopt.errors import ParseError
from schedopt.families.pods.io import looks_like_kube, pod_requests, read_kube, write_kube
from schedopt.io.dispatch import detect_format

HERE = Path(__file__).resolve().parents[3] / "instances" / "pods"
ARRAYS = (
    "machine_capacity",
    "machine_demand",
    "eligible",
    "anti_affinity",
    "optional",
    "current_machine",
    "priority",
    "weight",
    "duration",
    "deadline",
)


def same(a, b):
    for f in ARRAYS:
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    assert a.names == b.names and a.machine_names == b.machine_names
    assert a.machine_resource_names == b.machine_resource_names
    assert a.meta["pods"] == b.meta["pods"] and a.meta["nodes"] == b.meta["nodes"]


@pytest.fixture(scope="module")
def example():
    return read_kube(HERE / "cluster.json")


def test_json_yaml_and_split_lists_give_the_same_problem(example):
    same(example, read_kube(HERE / "cluster.yaml"))
    same(example, read_kube(HERE / "split"))
    assert example.name == "cluster" and example.meta["source"].endswith("cluster.json")


def test_example_contents(example):
    p = example
    names = list(p.names)
    assert len(names) == 16 and "default/migrate-x7k2m" not in names  # Succeeded pod left out
    res = list(p.machine_resource_names)
    assert res == ["cpu", "memory", "nvidia.com/gpu", "pods"]  # ephemeral-storage: no pod requests it
    dem = {n: dict(zip(res, row)) for n, row in zip(names, p.machine_demand.tolist())}
    assert dem["default/api-7f8b6-q2w4e"]["cpu"] == 1000  # requests defaulted to limits
    assert dem["batch/report-6c4d9-a1b2c"]["cpu"] == 1500  # init container max rule
    assert (
        dem["default/cache-0"]["cpu"] == 1000 and dem["default/cache-0"]["memory"] == (1 << 30) + 120 * 2**20
    )
    assert dem["default/proxy-sidecar-0"]["cpu"] == 500  # 400 + sidecar 100 (init 100 + 300 = 400 below)
    assert dem["default/proxy-sidecar-0"]["memory"] == 384 * 2**20
    assert dem["ml/train-0"]["nvidia.com/gpu"] == 1
    j = {n: k for k, n in enumerate(names)}
    nodes = list(p.machine_names)
    assert not p.optional[j["kube-system/kube-proxy-4xk2p"]]  # DaemonSet: protected
    assert not p.optional[j["default/db-0"]]  # annotation schedopt.io/protected
    assert p.optional[j["default/web-5d9c7-h8xq2"]]
    assert p.current_machine[j["default/web-5d9c7-p7wrt"]] == -1
    assert p.priority[j["batch/report-6c4d9-d3e4f"]] == 0
    assert p.eligible[j["ml/train-0"]].tolist() == [n == "node-c" for n in nodes]
    assert p.eligible[j["default/web-5d9c7-p7wrt"]].tolist() == [True, True, False, False, False]
    assert p.anti_affinity.tolist() == [
        [j[a], j[b]]
        for a, b in [
            ("default/web-5d9c7-h8xq2", "default/web-5d9c7-k3mz9"),
            ("default/web-5d9c7-h8xq2", "default/web-5d9c7-p7wrt"),
            ("default/web-5d9c7-k3mz9", "default/web-5d9c7-p7wrt"),
        ]
    ]
    meta = p.meta["pods"][j["default/web-5d9c7-p7wrt"]]
    assert meta["owner"] == "web-5d9c7" and meta["labels"]["app"] == "web"
    arrivals = [m["arrival"] for m in p.meta["pods"]]
    assert sorted(arrivals) == list(range(16)) and arrivals[j["default/proxy-sidecar-0"]] == 15


def test_schedopt_read_recognises_yaml_and_directories(example):
    assert detect_format(HERE / "cluster.yaml") == "kube"
    assert detect_format(HERE / "split") == "kube"
    same(example, schedopt.read(HERE / "cluster.yaml"))
    same(example, schedopt.read(HERE / "split"))
    same(example, schedopt.read(HERE / "cluster.json", format="kube"))


def test_schedopt_read_recognises_kubectl_json(example):
    assert detect_format(HERE / "cluster.json") == "kube"  # before the catch-all schedopt JSON reader
    same(example, schedopt.read(HERE / "cluster.json"))


def test_sniffer():
    assert looks_like_kube(HERE / "cluster.json", (HERE / "cluster.json").read_text()[:4096])
    assert looks_like_kube(HERE / "split" / "nodes.json", (HERE / "split" / "nodes.json").read_text()[:4096])
    assert not looks_like_kube(Path("x.json"), '{"schedopt": 1, "problem": {"duration": [1]}}')
    assert not looks_like_kube(Path("x.txt"), '{"apiVersion": "v1", "kind": "Pod"}')
    assert not looks_like_kube(Path("/no/such/dir"), "")
    assert not looks_like_kube(None, None)  # never raises


def test_core_cpsat_on_the_example_is_checked(example):
    from schedopt.cpsat.compiler import solve_cpsat

    out = solve_cpsat(example, time_limit=5, workers=1)
    assert out.status in ("optimal", "feasible") and check(example, out.schedule) == []


def test_solve_cpsat_through_the_registry(example):
    pytest.importorskip("schedopt.families.pods.exact", reason="the family's CP-SAT packer is not there yet")
    r = schedopt.solve(example, "cpsat", time_limit=5)
    assert r.schedule is not None and check(example, r.schedule) == []


# ------------------------------------------------------------------ hand-made files
def node(name="n1", alloc=None, **spec):
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name},
        "spec": spec,
        "status": {"allocatable": alloc or {"cpu": "2", "memory": "4Gi"}},
    }


def pod(name="p1", cpu="100m", ns="default", **spec):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}], **spec},
    }


def write(tmp_path, items, name="c.json"):
    path = tmp_path / name
    doc = {"apiVersion": "v1", "kind": "List", "items": items}
    path.write_text(json.dumps(doc) if name.endswith(".json") else yaml.safe_dump(doc))
    return path


def test_multi_document_yaml_and_priority_classes(tmp_path):
    docs = [
        node(),
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "hi"},
            "value": 1000,
        },
        {
            "apiVersion": "scheduling.k8s.io/v1",
            "kind": "PriorityClass",
            "metadata": {"name": "dflt"},
            "value": 7,
            "globalDefault": True,
        },
        pod("a", priorityClassName="hi"),
        pod("b"),
        pod("c", priorityClassName="system-node-critical"),
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}},
    ]
    path = tmp_path / "multi.yaml"
    path.write_text(yaml.safe_dump_all(docs))
    with pytest.warns(UserWarning, match="skipped objects of other kinds \\(1 Service\\)"):
        p = schedopt.read(path)
    assert p.priority.tolist() == [1000, 7, 2000001000]


def test_a_directory_mixing_json_and_yaml_lists(example, tmp_path):
    nodes = json.loads((HERE / "split" / "nodes.json").read_text())
    pods = json.loads((HERE / "split" / "pods.json").read_text())
    (tmp_path / "a-nodes.yml").write_text(yaml.safe_dump(nodes))
    (tmp_path / "b-pods.yaml").write_text(yaml.safe_dump(pods))
    (tmp_path / "notes.txt").write_text("not read")
    same(example, schedopt.read(tmp_path))
    with pytest.raises(ParseError, match="no Node objects"):
        read_kube(tmp_path / "b-pods.yaml")


def test_unknown_priority_class(tmp_path):
    with pytest.raises(ParseError, match="Pod default/a: spec.priorityClassName 'gold' is not a known"):
        read_kube(write(tmp_path, [node(), pod("a", priorityClassName="gold")]))


@pytest.mark.parametrize(
    ("items", "match"),
    [
        (
            [node(), pod(cpu="12x")],
            r'Pod default/p1: spec.containers\[0\].resources.requests.cpu: "12x" is not a ',
        ),
        (
            [node(alloc={"cpu": "2", "memory": "lots"})],
            r'Node n1: status.allocatable.memory: "lots" is not a',
        ),
        (
            [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}}],
            "Node n1: status.allocatable .*missing",
        ),
        ([node(taints=[{"key": "k", "effect": "Never"}])], "Node n1: spec.taints: .*effect 'Never'"),
        ([node(unschedulable="yes")], "Node n1: spec.unschedulable: expected bool"),
        ([node(), pod(nodeName="n9")], "Pod default/p1: spec.nodeName 'n9' is not a Node"),
        ([node(), pod(priority="high")], "Pod default/p1: priority: expected int"),
        ([node(), pod(tolerations=[{"key": "", "operator": "Equal"}])], "Pod default/p1: .*empty key needs"),
        ([node(), pod(nodeSelector=["a"])], "Pod default/p1: nodeSelector: expected dict"),
        (
            [
                node(),
                pod(
                    affinity={
                        "nodeAffinity": {
                            "requiredDuringSchedulingIgnoredDuringExecution": {
                                "nodeSelectorTerms": [
                                    {"matchExpressions": [{"key": "k", "operator": "Near"}]}
                                ]
                            }
                        }
                    }
                ),
            ],
            r"nodeSelectorTerms\[0\].matchExpressions\[0\]: .*operator 'Near'",
        ),
        ([pod()], "no Node objects"),
        ([node()], "no Pod objects"),
        ([node(), pod(), pod()], "two pods are named 'default/p1'"),
    ],
)
def test_malformed_objects_name_the_field(tmp_path, items, match):
    path = write(tmp_path, items)
    with pytest.raises(ParseError, match=match) as err:
        read_kube(path)
    assert str(path) in str(err.value)


def test_syntax_errors_name_the_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"apiVersion": "v1",\n "kind": "List",\n "items": [,]}')
    with pytest.raises(ParseError, match=r"bad.json, line 3: invalid JSON"):
        read_kube(bad)
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: List\nitems:\n  - kind: Node\n   bad: [\n")
    with pytest.raises(ParseError, match=r"bad.yaml, line \d+: invalid YAML"):
        read_kube(bad)


def test_unsupported_features_warn_or_fail_when_strict(tmp_path):
    aff = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    zone = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": "zone"}
            ]
        }
    }
    nodes = [node("n1"), node("n2")]
    for n in nodes:
        n["metadata"]["labels"] = {"zone": "z"}
    spread = [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]
    path = write(
        tmp_path,
        [*nodes, pod("a", affinity=aff), pod("b", affinity=zone), pod("c", topologySpreadConstraints=spread)],
    )
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        p = read_kube(path)
    text = " | ".join(str(w.message) for w in got)
    assert "required pod affinity" in text and "topologyKey 'zone'" in text and "DoNotSchedule" in text
    assert p.anti_affinity.shape == (0, 2)
    with pytest.raises(ParseError, match="Pod default/a: required pod affinity is not supported"):
        read_kube(path, strict=True)


def test_pod_requests_rule():
    spec = {
        "containers": [
            {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}},
            {"resources": {"limits": {"cpu": "500m"}}},
        ],
        "initContainers": [
            {"resources": {"requests": {"cpu": "2"}}},
            {"restartPolicy": "Always", "resources": {"requests": {"memory": "1Gi"}}},
            {"resources": {"requests": {"memory": "3Gi"}}},
        ],
        "overhead": {"cpu": "10m"},
    }
    # cpu: max(1.5 + 0 sidecar, init 2) + 0.01; memory: max(1Gi + 1Gi sidecar, 1Gi + 3Gi) = 4Gi
    assert pod_requests(spec) == {"cpu": 2010, "memory": 4 << 30}


def test_phases_owner_and_protection(tmp_path):
    done = pod("done", nodeName="n1")
    done["status"] = {"phase": "Succeeded"}
    ds = pod("ds", nodeName="n1")
    ds["metadata"]["ownerReferences"] = [{"kind": "DaemonSet", "name": "agent"}]
    rs = pod("rs", nodeName="n1")
    rs["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "web-1"}]
    mirror = pod("mirror", nodeName="n1")
    mirror["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    pending_protected = pod("pp")
    pending_protected["metadata"]["annotations"] = {"schedopt.io/protected": "true"}
    p = read_kube(
        write(tmp_path, [node(alloc={"cpu": "8", "memory": "8Gi"}), done, ds, rs, mirror, pending_protected])
    )
    assert p.names == ("default/ds", "default/rs", "default/mirror", "default/pp")
    assert p.optional.tolist() == [False, True, False, True]
    assert [m["owner"] for m in p.meta["pods"]] == ["", "web-1", "", ""]
    assert [m["protected"] for m in p.meta["pods"]] == [True, False, True, True]


def _leaves(obj, path=()):
    yield path
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, (*path, i))


_BASE = json.loads((HERE / "cluster.json").read_text())
_PATHS = list(_leaves(_BASE))[1:]
_JUNK = st.sampled_from([None, True, 0, -5, 1.5, "", "x", "12x", [], {}, [1], {"a": 1}, "-1", 10**30, "1e40"])


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(_PATHS), _JUNK), min_size=1, max_size=3))
def test_corrupted_manifests_raise_parse_error_only(tmp_path, edits):
    doc = copy.deepcopy(_BASE)
    for where, junk in edits:
        cur = doc
        try:
            for k in where[:-1]:
                cur = cur[k]
            cur[where[-1]] = junk
        except (KeyError, IndexError, TypeError):
            continue
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(doc))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            p = read_kube(path)
        except ParseError as exc:
            assert str(path) in str(exc)
            return
    assert p.family == "pods" and p.n_machines >= 1


def _round_trip(p, path):
    write_kube(path, p)
    q = read_kube(path)
    for f in ARRAYS:
        assert np.array_equal(getattr(p, f), getattr(q, f)), f
    assert q.names == p.names and q.machine_names == p.machine_names
    assert q.machine_resource_names == p.machine_resource_names
    assert [m["arrival"] for m in q.meta["pods"]] == [m["arrival"] for m in p.meta["pods"]]
    assert [m["owner"] for m in q.meta["pods"]] == [m["owner"] for m in p.meta["pods"]]
    return q


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_write_kube_round_trips_the_example(example, tmp_path, suffix):
    _round_trip(example, tmp_path / f"out{suffix}")


def test_write_kube_round_trips_generated_clusters(tmp_path):
    from schedopt.families.pods.generators import pods_grid_instance

    p = pods_grid_instance(8, 4, 2, 1.0, 3, gpu=True)
    schedopt.write(tmp_path / "grid.yml", p)  # the family writer claims .yaml/.yml for pods problems
    assert detect_format(tmp_path / "grid.yml") == "kube"
    q = _round_trip(p, tmp_path / "grid.yaml")
    assert q.family == "pods"
    with pytest.raises(schedopt.errors.ProblemError, match="not a pods problem"):
        write_kube(tmp_path / "x.yaml", schedopt.Problem(duration=[1, 2]))
