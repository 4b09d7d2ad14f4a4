"""CP-SAT with the DAG strengthening: proven optima against brute force, valid bounds, warm start."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import check
from schedopt.errors import OptionError
from schedopt.families.dag import dag
from schedopt.families.dag.exact import (
    DagCpSatState,
    canonical,
    finish_dag,
    first_last_heads_tails,
    idle_bound,
    load_bound,
    lower_bound,
    machine_groups,
    path_bound,
)
from schedopt.registry import MethodOutput
from tests.conftest import require_data


def brute_force(problem):
    """The optimal makespan: every machine assignment x every precedence-respecting task order.

    Each task starts as early as its release, its predecessors (plus the delay between their
    machines) and, unless it lasts 0, the previous task on its machine allow; every semi-active
    schedule arises this way from some order, and some optimum is semi-active.
    """
    n, mcount = problem.n_jobs, problem.n_machines
    preds = [[] for _ in range(n)]
    for e, (i, j, lag) in enumerate(problem.precedence):
        preds[int(j)].append((int(i), int(lag), e))
    delay = {}
    for e in range(len(problem.precedence)):
        for a in range(mcount):
            for b in range(mcount):
                mi = np.full(len(problem.precedence), a)
                mj = np.full(len(problem.precedence), b)
                delay[e, a, b] = int(problem.comm_delays(mi, mj)[e])
    orders = [
        order
        for order in itertools.permutations(range(n))
        if all(order.index(i) < order.index(j) for i, j, _ in problem.precedence)
    ]
    choices = [[m for m in range(mcount) if problem.allowed[j, m]] for j in range(n)]
    best = None
    for assign in itertools.product(*choices):
        dur = [problem.duration_on(j, assign[j]) for j in range(n)]
        for order in orders:
            end = [0] * n
            free = [0] * mcount
            for j in order:
                s = int(problem.release[j])
                for i, lag, e in preds[j]:
                    s = max(s, end[i] + lag + delay[e, assign[i], assign[j]])
                if dur[j] > 0:
                    s = max(s, free[assign[j]])
                    free[assign[j]] = s + dur[j]
                end[j] = s + dur[j]
            span = max(end)
            if best is None or span < best:
                best = span
    return best


@st.composite
def tiny_dags(draw):
    n = draw(st.integers(2, 6))
    costs = draw(st.lists(st.lists(st.integers(0, 6), min_size=2, max_size=2), min_size=n, max_size=n))
    edges = [
        (i, j, draw(st.integers(0, 6))) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())
    ]
    machine_type = draw(st.sampled_from([[0, 1], [0, 0], [1, 1]]))  # same type: symmetric machines
    release = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    links = {}
    if draw(st.booleans()):
        links = {
            "data_size": [float(draw(st.integers(0, 8))) for _ in edges],
            "machine_node": [0, draw(st.integers(0, 1))],
            "comm_latency": [[0.5, 1.0], [1.0, 0.5]],
            "comm_bandwidth": [[4.0, 1.0], [1.0, 4.0]],
        }
    if draw(st.booleans()):
        eligible = np.array([[draw(st.booleans()) for _ in range(2)] for _ in range(n)])
        eligible[np.arange(n), [draw(st.integers(0, 1)) for _ in range(n)]] = True
        links["eligible"] = eligible
    return dag(costs, edges, machine_type=machine_type, release=release, add_terminals=False, **links)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_dags())
# every task can take no time somewhere: the optimum 0 uses no machine (idle_bound once said 6)
@example(dag([[0, 0], [0, 1]], [(0, 1, 6)], machine_type=[0, 1], release=[0, 0],
             eligible=[[1, 0], [1, 1]], add_terminals=False))  # fmt: skip
def test_cpsat_with_strengthening_proves_the_brute_force_optimum(problem):
    opt = brute_force(problem)
    assert path_bound(problem) <= opt and load_bound(problem) <= opt and lower_bound(problem) <= opt
    assert idle_bound(problem) <= opt
    r = schedopt.solve(problem, method="cpsat", time_limit=20, workers=1, dag_ils_time=0.02)
    assert r.status == "optimal" and r.objective == opt, (r.objective, opt)
    assert r.bound is not None and r.bound <= opt
    assert check(problem, r.schedule) == []
    assert r.info["dag_hint_makespan"] >= opt and r.info["dag_lower_bound"] == lower_bound(problem)
    # without the warm start every added constraint reaches the search (no short cut at LB = UB)
    cold = schedopt.solve(problem, method="cpsat", time_limit=20, workers=1, dag_warm_start=False)
    assert cold.status == "optimal" and cold.objective == opt and check(problem, cold.schedule) == []
    # the machine-end constraints, forced on (their "auto" default adds them only where idle_bound leads)
    ends = schedopt.solve(
        problem, method="cpsat", time_limit=20, workers=1, dag_ils_time=0.02, dag_machine_ends=True
    )
    assert ends.status == "optimal" and ends.objective == opt and check(problem, ends.schedule) == []
    assert ends.info.get("dag_machine_ends") is True or "dag_proof" in ends.info  # or the warm start met LB
    ends_cold = schedopt.solve(
        problem, method="cpsat", time_limit=20, workers=1, dag_warm_start=False, dag_machine_ends=True
    )
    assert ends_cold.status == "optimal" and ends_cold.objective == opt
    bare = schedopt.solve(problem, method="cpsat", time_limit=20, workers=1, dag_strengthen=False)
    assert bare.status == "optimal" and bare.objective == opt
    # the symmetry-breaking relabelling keeps a schedule feasible with its makespan
    hinted = canonical(problem, r.schedule)
    assert check(problem, hinted) == [] and hinted.makespan == r.schedule.makespan


def semi_active_schedules(problem):
    """Every schedule of :func:`brute_force`'s enumeration (machine assignment x precedence order)."""
    n, mcount = problem.n_jobs, problem.n_machines
    prec = problem.precedence
    choices = [[m for m in range(mcount) if problem.allowed[j, m]] for j in range(n)]
    orders = [o for o in itertools.permutations(range(n)) if all(o.index(i) < o.index(j) for i, j, _ in prec)]
    for assign in itertools.product(*choices):
        machine = np.array(assign, np.int64)
        delay = problem.comm_delays(machine[prec[:, 0]], machine[prec[:, 1]])
        for order in orders:
            start, end, free = np.zeros(n, np.int64), np.zeros(n, np.int64), [0] * mcount
            for j in order:
                s = int(problem.release[j])
                for e in np.flatnonzero(prec[:, 1] == j):
                    s = max(s, int(end[prec[e, 0]] + prec[e, 2] + delay[e]))
                dur = problem.duration_on(j, int(machine[j]))
                if dur > 0:
                    s = max(s, free[machine[j]])
                    free[machine[j]] = s + dur
                start[j], end[j] = s, s + dur
            yield schedopt.Schedule(start, end, machine)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_dags().filter(lambda p: p.n_jobs <= 5))
def test_first_and_last_heads_tails_hold_in_every_enumerated_schedule(problem):
    """``HF`` bounds the start of each machine's first task, ``QL`` the time after its last one."""
    first, last = first_last_heads_tails(problem)
    for sched in semi_active_schedules(problem):
        assert check(problem, sched) == []
        span = int(sched.makespan)
        for m in range(problem.n_machines):
            on = [j for j in range(problem.n_jobs) if sched.machine[j] == m and sched.end[j] > sched.start[j]]
            if not on:
                continue
            j0 = min(on, key=lambda j: sched.start[j])
            j1 = max(on, key=lambda j: sched.end[j])
            assert sched.start[j0] >= first[j0, m], (j0, m, first[j0, m], sched)
            assert span >= sched.end[j1] + last[j1, m], (j1, m, last[j1, m], sched)
        assert idle_bound(problem) <= span


def test_idle_bound_by_hand():
    # 0 -> 2 and 1 -> 2 (delay 5), durations 6, 6, 2 on two identical machines: the optimum runs
    # 0 and 1 apart (13); the machine that does not run 2 ends on 0 or 1, whose successor runs
    # elsewhere: 7 more time units after it. u = 2 machines: ceil((14 + 0 + 7) / 2) = 11.
    p = dag([[6], [6], [2]], [(0, 2, 5), (1, 2, 5)], machine_type=[0, 0])
    first, last = first_last_heads_tails(p)
    assert last[0].tolist() == [7, 7] and last[2].tolist() == [0, 0]
    assert first[2].tolist() == [11, 11]  # first on its machine: both predecessors ran elsewhere
    assert path_bound(p) == 8 and load_bound(p) <= 8 and idle_bound(p) == 11 and lower_bound(p) == 11
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == 13 and check(p, r.schedule) == []
    assert r.info["dag_machine_ends"] is True and r.info["dag_lower_bound"] == 11
    off = schedopt.solve(p, method="cpsat", time_limit=10, workers=1, dag_machine_ends=False)
    assert off.status == "optimal" and off.objective == 13


def test_topcuoglu_example_proves_73_with_heft_warm_start():
    p = schedopt.read(require_data("dags", "santiago_hetero", "Synthetic", "Ilavarasan-3-10.txt"))
    r = schedopt.solve(p, method="cpsat", time_limit=30, workers=1, dag_ils_time=0.2)
    assert r.status == "optimal" and r.objective == 73 and r.bound == 73
    assert check(p, r.schedule) == []
    assert r.info["dag_hint"] in ("heft", "cpop", "peft", "ils")
    assert r.info["dag_hint_makespan"] <= 80  # HEFT's 80 or better
    assert "heft=80" in r.info["dag_heuristics"]
    assert 41 <= r.info["dag_lower_bound"] <= 73  # at least CP_MIN = 41


def test_warm_start_options():
    p = dag([[2, 3], [3, 1], [2, 2], [1, 1]], [(0, 1, 4), (0, 2, 1), (1, 3, 2), (2, 3, 1)])
    off = schedopt.solve(p, method="cpsat", time_limit=10, workers=1, dag_warm_start=False)
    assert off.status == "optimal" and "dag_hint" not in off.info and check(p, off.schedule) == []
    heft = schedopt.solve(p, method="cpsat", time_limit=10, workers=1, dag_heuristics=("heft",))
    assert heft.info["dag_hint"] == "heft" and heft.info["dag_heuristics"].startswith("heft=")
    assert heft.objective == off.objective
    with pytest.raises(OptionError, match="dag_heuristics"):
        schedopt.solve(p, method="cpsat", dag_heuristics=("nope",))
    with pytest.raises(OptionError, match="dag_bounds"):
        schedopt.solve(p, method="cpsat", dag_bounds="yes")
    with pytest.raises(OptionError, match="dag_machine_ends"):
        schedopt.solve(p, method="cpsat", dag_machine_ends=1)
    with pytest.raises(OptionError, match="dag_ils_share"):
        schedopt.solve(p, method="cpsat", dag_ils_share=2.0)
    with pytest.raises(OptionError, match="dag_ils_iterations"):
        schedopt.solve(p, method="cpsat", dag_ils_iterations=-1)


def test_bounds_by_hand():
    # four independent 4-unit tasks (6 on type 1) on two machines: load ceil(16 / 2) = 8
    p = dag([[4, 6]] * 4, [])
    assert path_bound(p) == 4 and load_bound(p) == 8 and lower_bound(p) == 8
    # chain 0 -> 1 with delay 3: fastest is 0 on M0 (1), send (3), 1 on M1 (1) = 5; CP_MIN is 2
    p = dag([[1, 10], [10, 1]], [(0, 1, 3)])
    assert path_bound(p) == 5 and lower_bound(p) == 5
    r = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == 5
    # a release date: 10 + 3
    p = dag([[3, 5], [2, 2]], [(0, 1, 0)], release=[10, 0])
    assert lower_bound(p) == 15


def test_finish_falls_back_on_the_warm_start():
    p = dag([[2, 3], [3, 1]], [(0, 1, 1)])
    sched = schedopt.solve(p, method="heft").schedule

    class Fake:
        state = DagCpSatState(best=sched, info={"dag_hint": "heft", "dag_lower_bound": 3})

    out = finish_dag(Fake(), MethodOutput("unknown", None, None, {}), None)
    assert out.schedule is sched and out.bound == 3 and out.info["dag_schedule_from"] == "heft"
    assert out.status == ("optimal" if sched.makespan == 3 else "feasible")


def test_machine_groups_and_canonical_labels():
    p = dag([[2, 3], [3, 1], [1, 1]], [], machine_type=[0, 1, 0, 0], add_terminals=False)
    assert machine_groups(p) == [[0, 2, 3]]
    s = schedopt.Schedule([0, 0, 0], [2, 1, 1], [3, 1, 0])
    c = canonical(p, s)
    assert c.machine.tolist() == [0, 1, 2]  # task 0's machine first, task 2's second
