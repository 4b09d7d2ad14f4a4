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
from tests.conftest import INSTANCES
from tests.strategies import tiny_problems


def same_problem(p, q) -> bool:
    return problem_to_dict(p) == problem_to_dict(q)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problem=st.one_of(tiny_problems(), tiny_problems(machines=True)), data=st.data())
def test_round_trip(tmp_path, problem, data):
    n = problem.n_jobs
    start = data.draw(st.lists(st.integers(-1, 20), min_size=n, max_size=n))
    schedule = Schedule(start, [s + 1 for s in start], [-1] * n)
    path = tmp_path / "p.json"
    schedopt.write(path, problem, schedule=schedule)
    q = schedopt.read(path)
    assert same_problem(problem, q)
    for f in ("duration", "due", "deadline", "precedence", "downtime", "demand", "machine_type", "comm"):
        assert np.array_equal(getattr(problem, f), getattr(q, f)), f
    assert schedopt.read_schedule(path) == schedule


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
