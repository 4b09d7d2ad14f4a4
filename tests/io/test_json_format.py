"""schedopt JSON: exact round trips and clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import ParseError, Schedule
from schedopt.io.json_format import problem_to_dict
from schedopt.objectives import OBJECTIVES
from tests.conftest import INSTANCES
from tests.strategies import tiny_problems


def same_problem(p, q) -> bool:
    return problem_to_dict(p) == problem_to_dict(q)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    problem=st.one_of(
        tiny_problems(),
        tiny_problems(machines=True),
        tiny_problems(machines=True, extended=True, objectives=OBJECTIVES),
        tiny_problems(extended=True, objectives=OBJECTIVES),
    ),
    data=st.data(),
)
def test_round_trip(tmp_path, problem, data):
    n = problem.n_jobs
    start = data.draw(st.lists(st.integers(-1, 20), min_size=n, max_size=n))
    schedule = Schedule(start, [s + 1 for s in start], [-1] * n)
    path = tmp_path / "p.json"
    schedopt.write(path, problem, schedule=schedule)
    q = schedopt.read(path)
    assert same_problem(problem, q)
    for f in (
        "duration",
        "due",
        "deadline",
        "precedence",
        "downtime",
        "demand",
        "machine_type",
        "comm",
        *NEW_FIELDS,
    ):
        assert np.array_equal(getattr(problem, f), getattr(q, f)), f
    assert (q.family, q.objective, q.machine_resource_names) == (
        problem.family,
        problem.objective,
        problem.machine_resource_names,
    )
    assert schedopt.read_schedule(path) == schedule
    assert problem_to_dict(q) == problem_to_dict(problem)
    json.dumps(problem_to_dict(q), allow_nan=False)  # strict JSON: no Infinity


NEW_FIELDS = (
    "eligible",
    "machine_capacity",
    "machine_demand",
    "optional",
    "anti_affinity",
    "machine_node",
    "comm_latency",
    "comm_bandwidth",
    "current_machine",
    "data_size",
    "priority",
)


def test_new_fields_round_trip_and_defaults(tmp_path):
    p = schedopt.Problem(
        duration=[[2, 3], [1, 1], [4, 4]],
        machine_type=[0, 1, 1],
        eligible=[[1, 1, 0], [1, 1, 1], [0, 1, 1]],
        machine_capacity=[[4, 16], [8, 32], [8, 32]],
        machine_demand=[[2, 8], [1, 1], [8, 30]],
        machine_resource_names=["cpu", "mem"],
        optional=[False, True, True],
        anti_affinity=[(1, 2)],
        precedence=[(0, 1)],
        data_size=[2.5],
        machine_node=[0, 1, 1],
        comm_latency=[[0.0, 0.25], [0.25, 0.0]],
        comm_bandwidth=[[float("inf"), 10.0], [10.0, float("inf")]],
        current_machine=[-1, 2, 1],
        priority=[0, 10, 5],
        objective="placement",
        family="generic",
        name="k8s",
    )
    schedule = Schedule([0, -1, 0], [2, -1, 4], [0, -1, 1])
    schedopt.write(tmp_path / "k.json", p, schedule=schedule)
    raw = json.loads((tmp_path / "k.json").read_text())["problem"]
    assert raw["comm_bandwidth"] == [[None, 10.0], [10.0, None]] and raw["family"] == "generic"
    q = schedopt.read(tmp_path / "k.json")
    assert same_problem(p, q) and q.machine_resource_names == ("cpu", "mem")
    assert schedopt.read_schedule(tmp_path / "k.json") == schedule
    assert schedopt.check(q, schedule) == []
    # a file without the new fields reads with their defaults
    del raw["family"]
    for f in (*NEW_FIELDS[:-2], "machine_resource_names"):
        raw.pop(f, None)
    raw["duration"] = [[2, 3], [1, 1], [4, 4]]
    raw["objective"] = "makespan"
    (tmp_path / "old.json").write_text(json.dumps({"schedopt": 1, "problem": raw}))
    old = schedopt.read(tmp_path / "old.json")
    assert old.family == "generic" and old.eligible.all() and not old.optional.any()
    assert old.n_machine_resources == 0 and old.n_nodes == 1 and (old.current_machine == -1).all()
    assert "eligible" not in problem_to_dict(old) and "machine_node" not in problem_to_dict(old)


def test_shipped_json_instances_read():
    for path in sorted(INSTANCES.glob("*/*.json")):
        p = schedopt.read(path)
        assert p.n_jobs > 0, path


def test_result_file_holds_schedule(tmp_path):
    p = schedopt.read(INSTANCES / "rcpsp" / "windows15.json")
    r = schedopt.solve(p, method="cpsat", time_limit=10)
    schedopt.write(tmp_path / "r.json", r)
    s = schedopt.read_schedule(tmp_path / "r.json")
    assert s == r.schedule and schedopt.check(p, s) == []


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"schedopt": 1,\n "problem": {\n  "duration": [1, 2,]\n }\n}\n')
    with pytest.raises(ParseError, match=r"bad.json, line 3: invalid JSON"):
        schedopt.read(path)


def test_not_schedopt_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("[1, 2]")
    with pytest.raises(ParseError, match="not a schedopt JSON file"):
        schedopt.read(path)
    path.write_text('{"schedopt": 99, "problem": {}}')
    with pytest.raises(ParseError, match="unsupported schema version 99"):
        schedopt.read(path)


def test_field_errors_name_file_and_field(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"schedopt": 1, "problem": {"duration": [1, -3], "names": ["a", "b"]}}))
    with pytest.raises(ParseError, match=r"bad.json: problem: job 'b' \(index 1\): duration is negative"):
        schedopt.read(path)
    path.write_text(json.dumps({"schedopt": 1, "problem": {"duration": [1], "colour": "red"}}))
    with pytest.raises(ParseError, match="unknown problem field.*colour"):
        schedopt.read(path)
    path.write_text(json.dumps({"schedopt": 1, "schedule": {"start": [0]}}))
    with pytest.raises(ParseError, match="schedule"):
        schedopt.read_schedule(path)
    with pytest.raises(ParseError, match="no 'problem'"):
        schedopt.read(path)


def test_a_file_without_family_gets_it_recognised(tmp_path):
    """Files written before problems named their family still reach their family's methods."""
    import json

    import schedopt

    for problem, family in (
        (schedopt.rcpsp([0, 2, 0], [1], [[0], [1], [0]], successors=[[1], [2], []]), "rcpsp"),
        (schedopt.single_machine([2, 3], [2, 4]), "smtt"),
        (
            schedopt.Problem(duration=[2, 3], precedence=[(0, 1)], objective="total_tardiness", due=[1, 1]),
            "generic",
        ),
    ):
        path = tmp_path / f"{family}.json"
        schedopt.write(path, problem)
        data = json.loads(path.read_text())
        del data["problem"]["family"]
        path.write_text(json.dumps(data))
        assert schedopt.read(path).family == family
