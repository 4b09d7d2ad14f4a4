"""Hypothesis strategies for tiny problems, and brute-force references.

The brute-force functions here are written independently of ``schedopt.check``
and the solvers: they step through time one unit at a time.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from schedopt import NO_TIME, Problem, ProblemError


@st.composite
def tiny_problems(
    draw,
    max_jobs: int = 5,
    machines: bool = False,
    objectives: tuple[str, ...] = ("makespan", "total_tardiness", "total_weighted_tardiness"),
    windows: bool = True,
) -> Problem:
    """Random problems of the unified model with at most ``max_jobs`` jobs."""
    n = draw(st.integers(1, max_jobs))
    edges = []
    for i in range(n):
        for j in range(i + 1, n):
            if draw(st.integers(0, 3)) == 0:
                edges.append((i, j, draw(st.integers(0, 2))))
    kwargs: dict = {}
    if machines:
        n_types = draw(st.integers(1, 2))
        n_mach = draw(st.integers(1, 2))
        kwargs["machine_type"] = [draw(st.integers(0, n_types - 1)) for _ in range(n_mach)]
        kwargs["duration"] = [[draw(st.integers(0, 3)) for _ in range(n_types)] for _ in range(n)]
        kwargs["type_names"] = [f"t{t}" for t in range(n_types)]
        kwargs["comm"] = [draw(st.integers(0, 2)) for _ in edges]
        dmin = np.asarray(kwargs["duration"]).min(axis=1)
    else:
        kwargs["duration"] = [draw(st.integers(0, 3)) for _ in range(n)]
        dmin = np.asarray(kwargs["duration"])
        r = draw(st.integers(0, 2))
        cap = [draw(st.integers(1, 3)) for _ in range(r)]
        kwargs["capacity"] = cap
        kwargs["demand"] = np.array([[draw(st.integers(0, c)) for c in cap] for _ in range(n)]).reshape(n, r)
        if windows and r:
            kwargs["downtime"] = [
                (k, a, a + draw(st.integers(1, 3)), draw(st.integers(0, cap[k])))
                for k, a in (
                    (draw(st.integers(0, r - 1)), draw(st.integers(0, 6)))
                    for _ in range(draw(st.integers(0, 2)))
                )
            ]
        if n >= 2 and draw(st.booleans()):
            pairs = {
                tuple(sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))))
            }
            kwargs["disjunctive"] = sorted(pairs)
    kwargs["precedence"] = edges
    if windows:
        release = [draw(st.integers(0, 3)) for _ in range(n)]
        kwargs["release"] = release
        if draw(st.booleans()):
            kwargs["deadline"] = [
                NO_TIME if draw(st.booleans()) else release[j] + int(dmin[j]) + draw(st.integers(0, 10))
                for j in range(n)
            ]
    objective = draw(st.sampled_from(objectives))
    kwargs["objective"] = objective
    if objective != "makespan":
        kwargs["due"] = [draw(st.integers(0, 8)) for _ in range(n)]
        kwargs["weight"] = [draw(st.integers(0, 3)) for _ in range(n)]
    try:
        return Problem(**kwargs)
    except ProblemError:
        assume(False)
        raise


def capacity_at(problem: Problem, k: int, t: int) -> int:
    cap = int(problem.capacity[k])
    for kk, a, b, level in problem.downtime:
        if kk == k and a <= t < b:
            cap = min(cap, int(level))
    return cap


def brute_force_kinds(problem: Problem, start, end, machine) -> set[str]:
    """Kinds of violated constraints, by stepping through every time unit."""
    n = problem.n_jobs
    kinds: set[str] = set()
    ok = [True] * n
    for j in range(n):
        if start[j] < 0:
            kinds.add("missing")
            ok[j] = False
            continue
        if problem.has_machines:
            if not 0 <= machine[j] < problem.n_machines:
                kinds.add("machine")
                ok[j] = False
                continue
            d = int(problem.duration[j, problem.machine_type[machine[j]]])
        else:
            if machine[j] != -1:
                kinds.add("machine")
            d = int(problem.duration[j])
        if end[j] - start[j] != d:
            kinds.add("duration")
            ok[j] = False
    for j in range(n):
        if ok[j] and start[j] < problem.release[j]:
            kinds.add("release")
        if ok[j] and end[j] > problem.deadline[j]:
            kinds.add("deadline")
    for e, (i, j, lag) in enumerate(problem.precedence):
        if ok[i] and ok[j]:
            delay = lag + (problem.comm[e] if machine[i] != machine[j] else 0)
            if start[j] < end[i] + delay:
                kinds.add("precedence")
    horizon = max([int(end[j]) for j in range(n) if ok[j]], default=0)
    for t in range(horizon + 1):
        running = [j for j in range(n) if ok[j] and start[j] <= t < end[j]]
        for k in range(problem.n_resources):
            use = sum(int(problem.demand[j, k]) for j in running)
            if use > problem.capacity[k]:
                kinds.add("resource")
            elif use > capacity_at(problem, k, t):
                kinds.add("downtime")
        for i, j in problem.disjunctive:
            if i in running and j in running:
                kinds.add("disjunctive")
        if problem.has_machines:
            for m in range(problem.n_machines):
                if sum(1 for j in running if machine[j] == m) > 1:
                    kinds.add("machine")
    return kinds


def brute_force_objective(problem: Problem, end) -> int:
    if problem.objective == "makespan":
        return max((int(e) for e in end), default=0)
    if problem.objective == "feasibility":
        return 0
    w = problem.weight if problem.objective == "total_weighted_tardiness" else np.ones(problem.n_jobs, int)
    return int(sum(int(w[j]) * max(0, int(end[j]) - int(problem.due[j])) for j in range(problem.n_jobs)))


def brute_force_optimum(problem: Problem) -> int | None:
    """Optimal objective by enumerating job lists (and machine assignments).

    Each list is decoded by the serial schedule-generation scheme with
    earliest feasible starts, stepping through time. Every regular objective
    has an optimal active schedule, and every active schedule is the decoding
    of some list (Kolisch 1996), also with release dates, lags, time-varying
    capacity, disjunctive pairs and machines. Lists whose decoding misses a
    deadline are discarded (left-shifting a feasible schedule never delays a
    job, so an active optimum meets every deadline). Returns ``None`` when no
    list yields a feasible schedule.
    """
    n = problem.n_jobs
    preds = [[] for _ in range(n)]
    for e, (i, j, lag) in enumerate(problem.precedence):
        preds[j].append((int(i), int(lag), int(problem.comm[e])))
    assignments = (
        itertools.product(range(problem.n_machines), repeat=n) if problem.has_machines else [(-1,) * n]
    )
    best = None
    for assign in assignments:
        dur = [
            int(problem.duration[j, problem.machine_type[assign[j]]])
            if assign[j] >= 0
            else int(problem.duration[j])
            for j in range(n)
        ]
        for order in itertools.permutations(range(n)):
            pos = {j: k for k, j in enumerate(order)}
            if any(pos[i] > pos[j] for i, j, _ in problem.precedence):
                continue
            start = [-1] * n
            end = [-1] * n
            feasible = True
            for j in order:
                t = int(problem.release[j])
                for i, lag, comm in preds[j]:
                    t = max(t, end[i] + lag + (comm if assign[i] != assign[j] else 0))
                while not _fits(problem, j, t, dur[j], assign, start, end, dur):
                    t += 1
                start[j], end[j] = t, t + dur[j]
                if end[j] > problem.deadline[j]:
                    feasible = False
                    break
            if feasible:
                val = brute_force_objective(problem, end)
                best = val if best is None else min(best, val)
    return best


def _fits(problem, j, t, d, assign, start, end, dur) -> bool:
    if d == 0:
        return True
    placed = [i for i in range(problem.n_jobs) if start[i] >= 0 and dur[i] > 0]
    for u in range(t, t + d):
        running = [i for i in placed if start[i] <= u < end[i]]
        for k in range(problem.n_resources):
            if problem.demand[j, k] == 0:
                continue
            if sum(int(problem.demand[i, k]) for i in running) + problem.demand[j, k] > capacity_at(
                problem, k, u
            ):
                return False
        for a, b in problem.disjunctive:
            if (a == j and b in running) or (b == j and a in running):
                return False
        if assign[j] >= 0 and any(assign[i] == assign[j] for i in running):
            return False
    return True
