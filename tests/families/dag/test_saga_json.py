"""The saga / DAGBench ``graph.json`` reader: related machines, ceil-scaled times, clear errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import schedopt
from schedopt import ParseError, ProblemError, check
from schedopt.families.dag.saga_json import looks_like_saga_json, read_saga_json, saga_problem
from schedopt.io.dispatch import detect_format
from tests.conftest import INSTANCES, require_data

DIAMOND = INSTANCES / "dag" / "diamond_saga.json"


def _graph(**changes) -> dict:
    data = json.loads(DIAMOND.read_text())
    for path, value in changes.items():
        *keys, last = path.split("__")
        node = data
        for k in keys:
            node = node[int(k)] if isinstance(node, list) else node[k]
        if value is _DELETE:
            del node[int(last) if isinstance(node, list) else last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return data


_DELETE = object()


def _write(tmp_path: Path, data, name: str = "graph.json") -> Path:
    f = tmp_path / name
    f.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return f


def test_the_hand_written_graph_reads_with_ceil_scaled_times():
    p = read_saga_json(DIAMOND)
    speeds = [1.0, 4.0, 0.5]
    costs = [2.0, 3.5, 1.25, 4.0, 0.5]
    assert p.family == "dag" and p.name == "diamond-hand" and p.meta["time_scale"] == 1000
    assert p.names == ("load", "left", "right", "merge", "report", "sink")
    assert p.meta["terminals"] == {"sink": 5} and p.meta["rounding"] == "ceil"
    assert p.machine_names == ("cpu", "gpu", "edge") and p.type_names == ("cpu", "gpu", "edge")
    assert p.machine_type.tolist() == [0, 1, 2] and p.machine_node.tolist() == [0, 1, 2]
    expect = [[math.ceil(c * 1000 / s) for s in speeds] for c in costs] + [[0, 0, 0]]
    assert p.duration.tolist() == expect and expect[2][1] == 313  # 312.5 rounds up
    links = {(0, 1): 2.0, (0, 2): 0.5, (1, 2): 1.0}
    sizes = [1.0, 3.0, 0.5, 2.0, 0.0]
    for e, size in enumerate(sizes):
        d = p.edge_delays(e)
        for (a, b), s in links.items():
            assert d[a, b] == d[b, a] == math.ceil(size * 1000 / s)
    assert not p.comm.any() and not p.comm_latency.any()


def test_time_scale_is_honoured():
    p = read_saga_json(DIAMOND, time_scale=2)
    assert p.meta["time_scale"] == 2 and p.duration[2].tolist() == [3, 1, 5]  # ceil(2.5), ceil(0.625), 5
    assert p.edge_delays(1)[0, 1] == 3  # ceil(2 * 3.0 / 2.0)
    with pytest.raises(ValueError, match="time_scale must be an integer >= 1"):
        read_saga_json(DIAMOND, time_scale=0)


def test_heft_on_the_hand_written_graph_is_feasible_and_reads_from_a_dict():
    p = saga_problem(json.loads(DIAMOND.read_text()))
    r = schedopt.solve(p, "heft")
    assert check(p, r.schedule) == [] and p.meta["source"] is None


def test_every_dagbench_graph_reads_and_heft_is_feasible():
    root = require_data("dags", "dagbench", "workflows")
    files = sorted(root.glob("**/graph.json"))
    assert len(files) == 84
    for f in files:
        head = f.read_bytes()[:4096].decode("utf-8", errors="replace")
        assert looks_like_saga_json(f, head), f
        p = schedopt.read(f, format="saga-json")
        data = json.loads(f.read_text())
        assert p.names[: len(data["task_graph"]["tasks"])] == tuple(
            t["name"] for t in data["task_graph"]["tasks"]
        )
        assert p.n_machines == len(data["network"]["nodes"])
        r = schedopt.solve(p, "heft")
        assert check(p, r.schedule) == [], f


def test_a_dagbench_graph_matches_the_saga_formulas():
    f = require_data("dags", "dagbench", "workflows", "synthetic", "fork", "graph.json")
    data = json.loads(f.read_text())
    p = read_saga_json(f, time_scale=10**6)
    speed = {n["name"]: n["speed"] for n in data["network"]["nodes"]}
    for j, t in enumerate(data["task_graph"]["tasks"]):
        for m, node in enumerate(p.machine_names):
            assert p.duration[j, m] == math.ceil(t["cost"] * 10**6 / speed[node] - 1e-9)
    link = {frozenset((e["source"], e["target"])): e["speed"] for e in data["network"]["edges"]}
    for e, dep in enumerate(data["task_graph"]["dependencies"]):
        for a, na in enumerate(p.machine_names):
            for b, nb in enumerate(p.machine_names):
                if a != b:
                    exact = dep["size"] * 10**6 / link[frozenset((na, nb))]
                    assert p.edge_delays(e)[a, b] == math.ceil(exact - 1e-9)


# ----------------------------------------------------------------------------- sniffer
def test_the_sniffer_finds_network_beyond_the_head(tmp_path):
    data = _graph()
    data["task_graph"]["tasks"] += [{"name": f"pad{k}", "cost": 1.0} for k in range(400)]
    f = _write(tmp_path, data)
    head = f.read_bytes()[:4096].decode()
    assert '"network"' not in head and looks_like_saga_json(f, head)
    # and with "network" first and "task_graph" far below
    g = _write(
        tmp_path,
        {"network": data["network"] | {"pad": "x" * 9000}, "task_graph": data["task_graph"]},
        "g.json",
    )
    assert looks_like_saga_json(g, g.read_bytes()[:4096].decode())


def test_the_sniffer_declines_other_files_and_never_raises(tmp_path):
    p = read_saga_json(DIAMOND)
    own = tmp_path / "own.json"
    schedopt.write(own, p)
    assert not looks_like_saga_json(own, own.read_text()[:4096])
    assert detect_format(own) == "json"
    other = _write(tmp_path, {"task_graph": 1}, "other.json")
    assert not looks_like_saga_json(other, other.read_text())
    txt = _write(tmp_path, _graph(), "graph.txt")
    assert not looks_like_saga_json(txt, txt.read_text()[:4096])
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00" * 3000)
    assert not looks_like_saga_json(binary, binary.read_bytes()[:4096].decode("utf-8", errors="replace"))
    assert not looks_like_saga_json(tmp_path / "missing.json", '{"task_graph": {')
    assert not looks_like_saga_json(None, None)  # type: ignore[arg-type]


def test_read_with_an_explicit_format():
    p = schedopt.read(DIAMOND, format="saga-json")
    assert p.names[0] == "load"


def test_schedopt_read_recognises_graph_json_from_content(tmp_path):
    f = _write(tmp_path, _graph(), "graph.json")
    assert detect_format(f) == "saga-json"
    assert schedopt.read(f).names[0] == "load"


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"task_graph": _DELETE}, r"top level: missing key 'task_graph'"),
        ({"network__nodes": _DELETE}, r"network: missing key 'nodes'"),
        ({"task_graph__tasks__1__cost": _DELETE}, r"task 'left': missing key 'cost'"),
        ({"task_graph__tasks__1__cost": -1.0}, r"task 'left': cost must be >= 0, got -1.0"),
        ({"task_graph__tasks__1__cost": "3"}, r"task 'left': cost must be a number, got '3'"),
        ({"task_graph__tasks__1__name": "load"}, r"tasks\[1\]: task 'load' is given twice"),
        (
            {"task_graph__dependencies__2__target": "merge2"},
            r"dependencies\[2\]: target 'merge2' is not a task",
        ),
        ({"task_graph__dependencies__2__size": -0.5}, r"dependency 'left' -> 'merge': size must be >= 0"),
        (
            {"task_graph__dependencies__2__target": "left"},
            r"dependency 'left' -> 'left': a task depends on itself",
        ),
        ({"network__nodes__1__speed": 0}, r"node 'gpu': speed must be > 0, got 0.0"),
        ({"network__nodes__1__speed": -2.0}, r"node 'gpu': speed must be > 0"),
        ({"network__edges__3__speed": 0.0}, r"link 'cpu'-'gpu': speed must be > 0"),
        ({"network__edges__3__target": "tpu"}, r"edges\[3\]: node 'tpu' is not in network.nodes"),
        ({"network__edges__3": _DELETE}, r"no link between nodes 'cpu' and 'gpu'"),
        ({"network__nodes": []}, r"network.nodes: no nodes"),
        ({"task_graph__tasks": []}, r"task_graph.tasks: no tasks"),
        ({"task_graph__tasks": {}}, r"task_graph.tasks: expected a list, got dict"),
        ({"task_graph__tasks__0": 5}, r"task_graph.tasks\[0\]: expected an object, got int"),
    ],
)
def test_bad_fields_are_parse_errors_naming_file_and_field(tmp_path, changes, message):
    f = _write(tmp_path, _graph(**changes), "bad.json")
    with pytest.raises(ParseError, match=f"bad.json: .*{message}"):
        read_saga_json(f)


def test_a_link_given_two_speeds_is_refused(tmp_path):
    data = _graph()
    data["network"]["edges"].append({"source": "gpu", "target": "cpu", "speed": 3.0})
    with pytest.raises(ParseError, match=r"link 'gpu'-'cpu': given twice with speeds 2.0 and 3.0"):
        read_saga_json(_write(tmp_path, data))


def test_a_cycle_names_its_tasks(tmp_path):
    data = _graph()
    data["task_graph"]["dependencies"].append({"source": "merge", "target": "load", "size": 1.0})
    with pytest.raises(
        ParseError, match=r"graph.json: .*cycle: .*'load'.*'merge'|graph.json: .*cycle: .*'merge'"
    ):
        read_saga_json(_write(tmp_path, data))


def test_malformed_json_names_the_line(tmp_path):
    text = json.dumps(_graph(), indent=2).splitlines()
    text[7] = text[7].replace(",", "")  # drop a comma inside the task list
    f = _write(tmp_path, "\n".join(text))
    with pytest.raises(ParseError, match=r"graph.json, line \d+: malformed JSON"):
        read_saga_json(f)
    g = _write(tmp_path, "[1, 2]", "list.json")
    with pytest.raises(ParseError, match="list.json: top level: expected an object, got list"):
        read_saga_json(g)
    h = tmp_path / "latin.json"
    h.write_bytes(b'{"name": "\xe9"}')
    with pytest.raises(ParseError, match="not a UTF-8 text file"):
        read_saga_json(h)


def test_nan_and_infinite_costs_are_refused(tmp_path):
    text = DIAMOND.read_text().replace('"cost": 3.5', '"cost": NaN')
    with pytest.raises(ParseError, match="task 'left': cost must be >= 0, got nan"):
        read_saga_json(_write(tmp_path, text))
    text = DIAMOND.read_text().replace('"cost": 3.5', '"cost": Infinity')
    with pytest.raises(ParseError, match="task 'left': cost must be finite"):
        read_saga_json(_write(tmp_path, text))


def test_a_dictionary_with_errors_raises_problem_error():
    with pytest.raises(ProblemError, match="saga graph: top level: missing key 'network'"):
        saga_problem({"task_graph": {"tasks": [], "dependencies": []}})


def test_identical_repeated_dependencies_are_merged_like_saga(tmp_path):
    data = _graph()
    data["task_graph"]["dependencies"].append(dict(data["task_graph"]["dependencies"][0]))
    p = read_saga_json(_write(tmp_path, data))
    q = read_saga_json(DIAMOND)
    assert np.array_equal(p.precedence, q.precedence)
    data["task_graph"]["dependencies"][-1]["size"] = 9.0
    with pytest.raises(ParseError, match=r"dependency 'load' -> 'left': given twice with sizes 1.0 and 9.0"):
        read_saga_json(_write(tmp_path, data))
