"""EDF variants: hand examples, the registry, and a brute force on tiny task sets."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import check
from schedopt.families.quantum.edf import edf_starts, groups
from schedopt.families.quantum.periodic import (
    PeriodicTask,
    instances,
    nonblock_problem,
    nonblock_schedule,
    periodic_problem,
    warmup_problem,
)

A = PeriodicTask("a", 4, 3, [("q1", 0, 1), ("q2", 2, 3)])
B = PeriodicTask("b", 8, 3, [("q1", 1, 2), ("q2", 0, 1)])


def pattern(t: PeriodicTask, view: str) -> list[tuple[str, int, int]]:
    if view == "single":
        return [("*", 0, t.c)]
    if view == "block":
        return [(q, 0, t.c) for q in t.qubits]
    return list(t.occupations)


def brute_feasible(tasks: list[PeriodicTask], view: str) -> bool:
    """Depth-first search over every start in every instance's window: a feasible schedule exists?"""
    if not tasks:
        return True
    h = int(np.lcm.reduce([t.period for t in tasks]))
    task, k = instances(tasks, h)
    jobs = sorted(range(len(task)), key=lambda j: (k[j] * tasks[task[j]].period, j))
    busy: dict[str, list[tuple[int, int]]] = {}

    def free(j: int, s: int) -> bool:
        for q, a, b in pattern(tasks[task[j]], view):
            if any(x < s + b and s + a < y for x, y in busy.get(q, [])):
                return False
        return True

    def dfs(pos: int) -> bool:
        if pos == len(jobs):
            return True
        j = jobs[pos]
        t = tasks[task[j]]
        for s in range(int(k[j]) * t.period, (int(k[j]) + 1) * t.period - t.c + 1):
            if free(j, s):
                for q, a, b in pattern(t, view):
                    busy.setdefault(q, []).append((s + a, s + b))
                if dfs(pos + 1):
                    return True
                for q, a, b in pattern(t, view):
                    busy[q].remove((s + a, s + b))
        return False

    return dfs(0)


def brute_max_admitted(tasks: list[PeriodicTask], view: str) -> int:
    """Largest number of tasks that schedule together (every subset, largest first)."""
    for size in range(len(tasks), 0, -1):
        for sub in itertools.combinations(tasks, size):
            if brute_feasible(list(sub), view):
                return size
    return 0


@st.composite
def tiny_tasks(draw: st.DrawFn, max_tasks: int = 3) -> list[PeriodicTask]:
    n = draw(st.integers(1, max_tasks))
    qubits = ["q0", "q1", "q2"]
    out = []
    for i in range(n):
        p = draw(st.sampled_from([2, 3, 4, 6]))
        c = draw(st.integers(1, min(p, 3)))
        occ = []
        for q in draw(st.lists(st.sampled_from(qubits), min_size=1, max_size=2, unique=True)):
            a = draw(st.integers(0, c - 1))
            b = draw(st.integers(a + 1, c))
            occ.append((q, a, b))
        out.append(PeriodicTask(f"t{i}", p, c, occ))
    return out


def test_two_task_example() -> None:
    p = periodic_problem([A, B])
    for method in ("edf-single", "edf-block"):
        r = schedopt.solve(p, method)
        assert r.status == "unknown" and r.schedule is None
        assert r.info["missed"]["name"] == "a#1" and r.info["missed"]["deadline"] == 8
    r = schedopt.solve(p, "edf-nonblock")
    assert r.status == "unknown" and r.schedule is None
    assert r.info["starts"] == [0, 4, 0] and r.info["nonblock_feasible"] and not r.info["block_feasible"]
    nb = nonblock_problem([A, B], r.info["starts"])
    assert check(nb, nonblock_schedule(nb, r.info["starts"])) == []


def test_disjoint_tasks_run_in_parallel_except_single() -> None:
    x = PeriodicTask("x", 4, 3, [("q1", 0, 3)])
    y = PeriodicTask("y", 4, 3, [("q2", 0, 3)])
    p = periodic_problem([x, y])
    assert groups([x, y]) == [[0], [1]]
    for method in ("edf-block", "edf-nonblock"):
        r = schedopt.solve(p, method)
        assert r.status == "optimal" and r.schedule.start.tolist() == [0, 0]
        assert check(p, r.schedule) == []
    r = schedopt.solve(p, "edf-single")  # one protocol at a time: 6 slots > period 4
    assert r.status == "unknown" and r.info["missed"]["task"] == "y"


def test_edf_priority_and_ties() -> None:
    # same qubit, same release: the earlier deadline starts first; equal deadlines: task order
    short = PeriodicTask("short", 2, 1, [("q", 0, 1)])
    long_ = PeriodicTask("long", 4, 2, [("q", 0, 2)])
    p = periodic_problem([long_, short])
    run = edf_starts(p, "block")
    assert run.ok and run.starts.tolist() == [1, 0, 3]  # long#0, short#0, short#1
    twin = PeriodicTask("twin", 4, 2, [("q", 0, 2)])
    run = edf_starts(periodic_problem([long_, twin]), "block")
    assert run.ok and run.starts.tolist() == [0, 2]


@settings(max_examples=60, deadline=None)
@given(tiny_tasks())
def test_edf_against_brute_force(tasks: list[PeriodicTask]) -> None:
    p = periodic_problem(tasks)
    for variant in ("single", "block", "nonblock"):
        run = edf_starts(p, variant)
        exists = brute_feasible(tasks, variant)
        if run.ok:
            assert exists  # EDF may fail where a schedule exists, never succeed where none does
            nb = nonblock_problem(tasks, run.starts)
            assert check(nb, nonblock_schedule(nb, run.starts)) == []
        r = schedopt.solve(p, f"edf-{variant}")
        if r.schedule is not None:
            assert check(p, r.schedule) == []
            assert variant == "nonblock" or run.ok
        if variant != "nonblock":
            assert (r.schedule is not None) == run.ok


def test_warmup_problem_and_method_listing() -> None:
    p = warmup_problem()
    listed = {str(m): m for m in schedopt.methods(p)}
    assert {"edf-single", "edf-block", "edf-nonblock", "cpsat"} <= set(listed)
    assert listed["edf-nonblock"].defaults == {"verify": True}
    assert listed["cpsat"].spec.family == "quantum"
    for variant in ("single", "block", "nonblock"):
        assert edf_starts(p, variant).starts.shape == (3,)
    generic = schedopt.Problem(duration=[1], family="quantum")
    assert "edf-block" not in schedopt.methods(generic)


def test_large_random_set_is_checked() -> None:
    # 120 tasks on 432 qubits (108 nodes x 4), periods 2^2..2^7: admission keeps what EDF schedules
    from schedopt.families.quantum.admission import admission_control

    rng = np.random.default_rng(7)
    qubits = [f"{n}-{k}" for n in range(108) for k in ("C0", "S0", "S1", "S2")]
    tasks = []
    for i in range(120):
        p = int(2 ** rng.integers(2, 8))
        c = int(rng.integers(1, p + 1))
        occ = []
        for q in rng.choice(len(qubits), size=int(rng.integers(2, 9)), replace=False):
            a = int(rng.integers(0, c))
            occ.append((qubits[q], a, int(rng.integers(a + 1, c + 1))))
        tasks.append(PeriodicTask(f"t{i}", p, c, occ))
    for variant in ("single", "block", "nonblock"):
        res = admission_control(tasks, variant=variant)
        assert res.admitted
        nb = nonblock_problem(res.admitted, res.starts)
        assert check(nb, nonblock_schedule(nb, res.starts)) == []
        if variant != "nonblock":
            r = schedopt.solve(res.problem, f"edf-{variant}")
            assert r.status == "optimal" and check(res.problem, r.schedule) == []
