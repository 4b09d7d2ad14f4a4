"""CP-SAT periodic model: admission and jitter against brute force and the EDF variants."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

import schedopt
from schedopt import check
from schedopt.families.quantum.admission import admission_control
from schedopt.families.quantum.exact import jitter_of, periodic_cpsat
from schedopt.families.quantum.periodic import (
    PeriodicTask,
    instances,
    nonblock_problem,
    nonblock_schedule,
    periodic_problem,
)

from .test_edf import A, B, brute_feasible, brute_max_admitted, pattern, tiny_tasks


def test_registry_picks_the_family_cpsat() -> None:
    p = periodic_problem([A, B])
    assert schedopt.registry.get_method("cpsat", p).family == "quantum"
    r = schedopt.solve(p, "cpsat", time_limit=10)
    # both tasks fit only without blocking; the block fallback proves the block problem infeasible
    assert r.status == "infeasible" and r.schedule is None
    assert r.info["view"] == "block" and len(r.info["admitted"]) == 1 and r.info["admission_optimal"]
    nbi = r.info["nonblock"]
    assert nbi["admitted"] == [0, 1] and nbi["admission_optimal"] and not nbi["block_feasible"]
    nb = nonblock_problem([A, B], nbi["starts"])
    assert check(nb, nonblock_schedule(nb, nbi["starts"])) == []
    r = schedopt.solve(p, "cpsat", time_limit=10, view="block")
    assert r.status == "infeasible" and len(r.info["admitted"]) == 1


def test_feasible_set_gets_a_checked_schedule_and_minimal_jitter() -> None:
    # x: 1 slot of q every 2 slots; y: q then r, every 4 slots
    x = PeriodicTask("x", 2, 1, [("q", 0, 1)])
    y = PeriodicTask("y", 4, 2, [("q", 0, 1), ("r", 1, 2)])
    p = periodic_problem([x, y])
    r = schedopt.solve(p, "cpsat", time_limit=10)
    assert r.status == "optimal" and check(p, r.schedule) == []
    assert r.info["jitter_optimal"] and r.info["view"] == "block"
    # block: y holds q for 2 slots, so one of x's two instances must shift -> jitter 1 is optimal
    assert r.info["jitter"] == jitter_of(p, r.schedule.start) == 1
    raw = periodic_cpsat(p, view="nonblock", time_limit=10)
    assert raw["jitter"] == 0 and raw["jitter_optimal"]  # y's q use fits x's gap at offset 1


@settings(max_examples=25, deadline=None)
@given(tiny_tasks())
def test_cpsat_equals_brute_force_and_beats_edf(tasks: list[PeriodicTask]) -> None:
    p = periodic_problem(tasks)
    for view in ("nonblock", "block"):
        raw = periodic_cpsat(p, view=view, time_limit=10, jitter=False)
        assert raw["admission_optimal"]
        assert len(raw["admitted"]) == brute_max_admitted(tasks, view)
        adm = [tasks[i] for i in raw["admitted"]]
        assert brute_feasible(adm, view)
    best_edf = max(len(admission_control(tasks, variant=v).admitted) for v in ("single", "block", "nonblock"))
    raw = periodic_cpsat(p, view="nonblock", time_limit=10, jitter=False)
    assert len(raw["admitted"]) >= best_edf
    r = schedopt.solve(p, "cpsat", time_limit=10)
    if r.schedule is not None:
        assert check(p, r.schedule) == [] and r.status == "optimal"
    assert (r.status == "infeasible") == (not brute_feasible(tasks, "block"))


def brute_min_jitter(tasks: list[PeriodicTask], view: str) -> int | None:
    """Smallest jitter over every feasible schedule of all tasks (``None``: no schedule)."""
    h = int(np.lcm.reduce([t.period for t in tasks]))
    task, k = instances(tasks, h)
    jobs = sorted(range(len(task)), key=lambda j: (k[j] * tasks[task[j]].period, j))
    busy: dict[str, list[tuple[int, int]]] = {}
    offs: list[list[int]] = [[] for _ in tasks]
    best: list[int | None] = [None]

    def jit() -> int:
        return max((max(o) - min(o) for o in offs if o), default=0)

    def dfs(pos: int) -> None:
        if best[0] is not None and jit() >= best[0]:
            return
        if pos == len(jobs):
            best[0] = jit()
            return
        j = jobs[pos]
        t = tasks[task[j]]
        for s in range(int(k[j]) * t.period, (int(k[j]) + 1) * t.period - t.c + 1):
            pat = pattern(t, view)
            if any(x < s + b and s + a < y for q, a, b in pat for x, y in busy.get(q, [])):
                continue
            for q, a, b in pat:
                busy.setdefault(q, []).append((s + a, s + b))
            offs[task[j]].append(s - int(k[j]) * t.period)
            dfs(pos + 1)
            offs[task[j]].pop()
            for q, a, b in pat:
                busy[q].remove((s + a, s + b))

    dfs(0)
    return best[0]


@settings(max_examples=25, deadline=None)
@given(tiny_tasks())
def test_jitter_equals_brute_force(tasks: list[PeriodicTask]) -> None:
    p = periodic_problem(tasks)
    for view in ("nonblock", "block"):
        want = brute_min_jitter(tasks, view)
        raw = periodic_cpsat(p, view=view, time_limit=10)
        if want is None:
            assert len(raw["admitted"]) < len(tasks)
        else:
            assert len(raw["admitted"]) == len(tasks) and raw["jitter_optimal"] and raw["jitter"] == want


def test_without_block_fallback_the_nonblock_answer_is_unknown() -> None:
    p = periodic_problem([A, B])
    r = schedopt.solve(p, "cpsat", time_limit=10, block_fallback=False, hint_edf=False, jitter=False)
    assert r.status == "unknown" and r.schedule is None and r.info["admitted"] == [0, 1]
    assert not r.info["block_feasible"]
