"""Placement plans: binds, moves, evictions, the summary, JSON round trip, refusals."""

from __future__ import annotations

import json

import pytest

from schedopt import Schedule, check
from schedopt.errors import ParseError, ScheduleError
from schedopt.families.pods.model import Node, Pod, cluster
from schedopt.families.pods.plan import evaluate, placement_plan, read_plan, schedule_from_plan, write_plan


@pytest.fixture
def problem():
    nodes = [Node("a", {"cpu": 2000, "memory": 1000}), Node("b", {"cpu": 2000, "memory": 1000})]
    pods = [
        Pod("stay", requests={"cpu": 500}, priority=1, node="a"),
        Pod("move", requests={"cpu": 500}, priority=1, node="a"),
        Pod("evict", requests={"cpu": 500}, priority=0, node="b"),
        Pod("bind", requests={"cpu": 1500}, priority=5),
        Pod("wait", requests={"cpu": 1500}, priority=0),
    ]
    return cluster(nodes, pods, name="plan-test")


def sched(machine):
    return Schedule([0 if m >= 0 else -1 for m in machine], [1 if m >= 0 else -1 for m in machine], machine)


def test_plan_lists_every_change(problem):
    s = sched([0, 1, -1, 1, -1])
    assert check(problem, s) == []
    plan = placement_plan(problem, s)
    assert plan["cluster"] == "plan-test"
    assert plan["binds"] == [{"pod": "default/bind", "node": "b"}]
    assert plan["moves"] == [{"pod": "default/move", "from": "a", "to": "b"}]
    assert plan["evictions"] == [{"pod": "default/evict", "from": "b"}]
    assert plan["pending"] == ["default/wait"]
    s = plan["summary"]
    assert (s["placed"], s["pending"], s["binds"], s["moves"], s["evictions"], s["stays"]) == (
        3,
        2,
        1,
        1,
        1,
        1,
    )
    assert s["disruption"] == 1 + 2 * 1
    assert s["placed_by_priority"] == [
        {"priority": 5, "placed": 1, "total": 1},
        {"priority": 1, "placed": 2, "total": 2},
        {"priority": 0, "placed": 0, "total": 2},
    ]
    assert s["node_usage"]["a"] == {"cpu": 0.25, "memory": 0.0, "pods": round(1 / 110, 6)}
    assert s["node_usage"]["b"]["cpu"] == 1.0
    json.dumps(plan)  # serialisable


def test_round_trip_through_json(problem, tmp_path):
    s = sched([0, 1, -1, 1, -1])
    path = tmp_path / "plan.json"
    plan = write_plan(path, problem, s)
    assert read_plan(path) == plan
    assert schedule_from_plan(problem, read_plan(path)) == s


def test_refuses_infeasible_schedules(problem):
    with pytest.raises(ScheduleError, match="not feasible"):
        placement_plan(problem, sched([0, 0, 1, 0, 1]))  # node a over its cpu
    six = cluster([Node("a", {"cpu": 1})], [Pod(f"p{k}") for k in range(6)])
    with pytest.raises(ScheduleError, match="the schedule has 5 pods, the problem 6"):
        placement_plan(six, sched([0, 1, -1, 1, -1]))
    assert placement_plan(problem, sched([0, 0, 1, 0, 1]), verify=False)["summary"]["placed"] == 5


def test_bad_plans(problem, tmp_path):
    with pytest.raises(ScheduleError, match="pod 'default/ghost' is not in the cluster"):
        schedule_from_plan(problem, {"binds": [{"pod": "default/ghost", "node": "a"}]})
    with pytest.raises(ScheduleError, match="move of pod 'default/stay' from 'b', where it does not run"):
        schedule_from_plan(problem, {"moves": [{"pod": "default/stay", "from": "b", "to": "a"}]})
    bad = tmp_path / "x.json"
    bad.write_text('{"binds": []}')
    with pytest.raises(ParseError, match="not a placement plan: no moves, evictions, pending"):
        read_plan(bad)


def test_evaluate_metrics(problem):
    m = evaluate(problem, sched([0, 1, -1, 1, -1]))
    assert m["placed_p5"] == 1 and m["placed_p0"] == 0 and m["disruption"] == 3
    assert m["max_cpu_usage"] == 1.0 and m["mean_cpu_usage"] == 0.625


def test_plan_of_a_solver_schedule_round_trips(problem):
    from schedopt.cpsat.compiler import solve_cpsat

    out = solve_cpsat(problem, time_limit=5, workers=1)
    assert check(problem, out.schedule) == []
    plan = placement_plan(problem, out.schedule)
    assert schedule_from_plan(problem, plan) == out.schedule
    assert plan["summary"]["placed_by_priority"][0] == {"priority": 5, "placed": 1, "total": 1}
