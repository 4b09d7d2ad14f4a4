"""Hypothesis strategies for tiny problems, and brute-force references.

The brute-force functions here are written independently of ``schedopt.check``
and the solvers: they step through time one unit at a time.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

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
    extended: bool = False,
    max_machines: int = 2,
    family: str = "generic",
) -> Problem:
    """Random problems of the unified model with at most ``max_jobs`` jobs.

    ``extended`` also draws the fields of eligibility, machine resources, optional
    jobs, anti-affinity, pair-dependent communication and current machines
    (those that need machines only when ``machines``). ``family`` is the
    problems' :attr:`Problem.family` (e.g. ``"rcpsp"`` to test that family's methods).
    """
    n = draw(st.integers(1, max_jobs))
    edges = []
    for i in range(n):
        for j in range(i + 1, n):
            if draw(st.integers(0, 3)) == 0:
                edges.append((i, j, draw(st.integers(0, 2))))
    kwargs: dict = {}
    if machines:
        n_types = draw(st.integers(1, 2))
        n_mach = draw(st.integers(1, max_machines))
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
    if extended:
        kwargs["optional"] = [draw(st.integers(0, 2)) == 0 for _ in range(n)]
        if machines:
            _draw_machine_fields(draw, kwargs, n, n_mach, edges)
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
        no_due = extended  # jobs without a due date only in the extended problems
        kwargs["due"] = [
            NO_TIME if no_due and draw(st.integers(0, 5)) == 0 else draw(st.integers(0, 8)) for _ in range(n)
        ]
        kwargs["weight"] = [draw(st.integers(0, 3)) for _ in range(n)]
    if objective == "placement":
        kwargs["priority"] = [draw(st.integers(0, 2)) for _ in range(n)]
    try:
        return Problem(**kwargs, family=family)
    except ProblemError:
        assume(False)
        raise


def _draw_machine_fields(draw, kwargs: dict, n: int, n_mach: int, edges: list) -> None:
    """Eligibility, machine resources, anti-affinity, nodes with latency/bandwidth, current machines."""
    kwargs["eligible"] = [[draw(st.integers(0, 3)) > 0 for _ in range(n_mach)] for _ in range(n)]
    q = draw(st.integers(0, 2))
    if q:
        kwargs["machine_capacity"] = [[draw(st.integers(1, 3)) for _ in range(q)] for _ in range(n_mach)]
        kwargs["machine_demand"] = [[draw(st.integers(0, 3)) for _ in range(q)] for _ in range(n)]
        kwargs["machine_resource_names"] = ["cpu", "mem"][:q]
    if n >= 2 and draw(st.booleans()):
        kwargs["anti_affinity"] = [draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))]
    if edges and draw(st.integers(0, 3)) > 0:
        n_nodes = draw(st.integers(1, 2))
        kwargs["machine_node"] = [draw(st.integers(0, n_nodes - 1)) for _ in range(n_mach)]
        # dyadic values: float arithmetic on them is exact, so the brute force's fractions agree
        kwargs["comm_latency"] = [
            [draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])) for _ in range(n_nodes)] for _ in range(n_nodes)
        ]
        kwargs["comm_bandwidth"] = [
            [draw(st.sampled_from([1.0, 2.0, 4.0, float("inf")])) for _ in range(n_nodes)]
            for _ in range(n_nodes)
        ]
        kwargs["data_size"] = [draw(st.sampled_from([0.0, 1.0, 2.0, 3.0])) for _ in edges]
    kwargs["current_machine"] = [draw(st.integers(-1, n_mach - 1)) for _ in range(n)]


def capacity_at(problem: Problem, k: int, t: int) -> int:
    cap = int(problem.capacity[k])
    for kk, a, b, level in problem.downtime:
        if kk == k and a <= t < b:
            cap = min(cap, int(level))
    return cap


def pair_delay_exact(problem: Problem, e: int, m1: int, m2: int) -> int:
    """Communication delay of edge ``e`` from machine ``m1`` to ``m2``, in exact fractions.

    ``0`` on one machine, else ``comm[e] + ceil(latency + data_size / bandwidth)``
    between the machines' nodes.
    """
    if m1 == m2 or m1 < 0 or m2 < 0:
        return 0
    a, b = int(problem.machine_node[m1]), int(problem.machine_node[m2])
    lat = Fraction(float(problem.comm_latency[a, b]))
    bw = float(problem.comm_bandwidth[a, b])
    size = Fraction(float(problem.data_size[e]))
    extra = lat if math.isinf(bw) else lat + size / Fraction(bw)
    return int(problem.comm[e]) + max(0, math.ceil(extra))


def allowed_exact(problem: Problem, j: int, m: int) -> bool:
    """Eligible, and (unless the duration there is 0) every machine demand within the capacity."""
    d = (
        int(problem.duration[j, problem.machine_type[m]])
        if problem.duration.ndim == 2
        else int(problem.duration[j])
    )
    fits = all(
        int(problem.machine_demand[j, k]) <= int(problem.machine_capacity[m, k])
        for k in range(problem.machine_capacity.shape[1])
    )
    return bool(problem.eligible[j, m]) and (d == 0 or fits)


def brute_force_kinds(problem: Problem, start, end, machine) -> set[str]:
    """Kinds of violated constraints, by stepping through every time unit."""
    n = problem.n_jobs
    kinds: set[str] = set()
    ok = [True] * n
    on = [False] * n  # placed on a valid machine
    q = problem.machine_capacity.shape[1] if problem.has_machines else 0
    for j in range(n):
        if start[j] < 0:
            if not problem.optional[j]:
                kinds.add("missing")
            ok[j] = False
            continue
        if problem.has_machines:
            if not 0 <= machine[j] < problem.n_machines:
                kinds.add("machine")
                ok[j] = False
                continue
            on[j] = True
            if not problem.eligible[j, machine[j]]:
                kinds.add("eligibility")
            if problem.duration.ndim == 2:
                d = int(problem.duration[j, problem.machine_type[machine[j]]])
            else:
                d = int(problem.duration[j])
        else:
            if machine[j] != -1:
                kinds.add("machine")
            d = int(problem.duration[j])
        if end[j] - start[j] != d:
            kinds.add("duration")
            ok[j] = False
    for i, j in problem.anti_affinity:
        if on[i] and on[j] and machine[i] == machine[j]:
            kinds.add("anti_affinity")
    for j in range(n):
        if ok[j] and start[j] < problem.release[j]:
            kinds.add("release")
        if ok[j] and end[j] > problem.deadline[j]:
            kinds.add("deadline")
    for e, (i, j, lag) in enumerate(problem.precedence):
        if ok[i] and ok[j]:
            if start[j] < end[i] + lag:
                kinds.add("precedence")
            elif problem.has_machines and start[j] < end[i] + lag + pair_delay_exact(
                problem, e, int(machine[i]), int(machine[j])
            ):
                kinds.add("communication")
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
                here = [j for j in running if machine[j] == m]
                if q == 0 and len(here) > 1:
                    kinds.add("machine")
                for k in range(q):
                    if sum(int(problem.machine_demand[j, k]) for j in here) > problem.machine_capacity[m, k]:
                        kinds.add("machine_capacity")
    return kinds


def brute_force_objective(problem: Problem, end, start=None, machine=None):
    """The objective of a feasible schedule; ``placement`` as the tuple ``(U_0, ..., U_K-1, D)``.

    ``start`` (default: every job placed) tells which jobs are placed; ``machine``
    is needed for ``placement``.
    """
    n = problem.n_jobs
    placed = [True] * n if start is None else [int(s) >= 0 for s in start]
    jobs = [j for j in range(n) if placed[j]]
    due = [j for j in jobs if problem.due[j] < NO_TIME]
    obj = problem.objective
    if obj == "makespan":
        return max((int(end[j]) for j in jobs), default=0)
    if obj == "feasibility":
        return 0
    if obj == "max_lateness":
        return max((int(end[j]) - int(problem.due[j]) for j in due), default=0)
    if obj == "late_then_max_lateness":
        from schedopt.objectives import encode_late_lateness

        late = sum(int(problem.weight[j]) for j in due if int(end[j]) > int(problem.due[j]))
        lmax = max((int(end[j]) - int(problem.due[j]) for j in due), default=0)
        return encode_late_lateness(problem, late, lmax)
    if obj == "weighted_completion":
        return sum(int(problem.weight[j]) * int(end[j]) for j in jobs)
    if obj == "placement":
        tiers = sorted({float(problem.priority[j]) for j in range(n) if problem.optional[j]}, reverse=True)
        unplaced = [
            sum(
                int(problem.weight[j])
                for j in range(n)
                if problem.optional[j] and not placed[j] and problem.priority[j] == lv
            )
            for lv in tiers
        ]
        disruption = 0
        for j in range(n):
            cur = int(problem.current_machine[j])
            if cur >= 0:
                disruption += 1 if not placed[j] else (2 if int(machine[j]) != cur else 0)
        return (*unplaced, disruption)
    w = problem.weight if obj == "total_weighted_tardiness" else np.ones(n, int)
    return int(sum(int(w[j]) * max(0, int(end[j]) - int(problem.due[j])) for j in due))


def brute_force_optimum(problem: Problem):
    """Optimal objective by enumerating placements, job lists and machine assignments.

    Each list is decoded by the serial schedule-generation scheme with
    earliest feasible starts, stepping through time. Every regular objective
    has an optimal active schedule, and every active schedule is the decoding
    of some list (Kolisch 1996), also with release dates, lags, time-varying
    capacity, disjunctive pairs and machines. Lists whose decoding misses a
    deadline are discarded (left-shifting a feasible schedule never delays a
    job, so an active optimum meets every deadline). With the assignment fixed,
    communication delays are lags and machine resources are renewable resources
    of the jobs on the machine; ``placement`` depends on the assignment only.
    Optional jobs may also be left out (``None``), dropping their edges.
    Returns ``None`` when no list yields a feasible schedule; ``placement``
    values are tuples (see :func:`brute_force_objective`).
    """
    n = problem.n_jobs
    options = []
    for j in range(n):
        if problem.has_machines:
            opts: list = [m for m in range(problem.n_machines) if allowed_exact(problem, j, m)]
        else:
            opts = [-1]
        options.append([*opts, None] if problem.optional[j] else opts)
    best = None
    for assign in itertools.product(*options):
        if any(
            assign[i] is not None and assign[i] == assign[j] and assign[i] >= 0
            for i, j in problem.anti_affinity
        ):
            continue
        dur = [
            0
            if assign[j] is None
            else int(problem.duration[j, problem.machine_type[assign[j]]])
            if problem.duration.ndim == 2
            else int(problem.duration[j])
            for j in range(n)
        ]
        jobs = [j for j in range(n) if assign[j] is not None]
        preds: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        for e, (i, j, lag) in enumerate(problem.precedence):
            if assign[i] is not None and assign[j] is not None:
                delay = pair_delay_exact(problem, e, assign[i], assign[j]) if problem.has_machines else 0
                preds[j].append((int(i), int(lag) + delay))
        for order in itertools.permutations(jobs):
            pos = {j: k for k, j in enumerate(order)}
            if any(pos[i] > pos[j] for j in jobs for i, _ in preds[j]):
                continue
            start = [-1] * n
            end = [-1] * n
            feasible = True
            for j in order:
                t = int(problem.release[j])
                for i, delay in preds[j]:
                    t = max(t, end[i] + delay)
                while not _fits(problem, j, t, dur[j], assign, start, end, dur):
                    t += 1
                start[j], end[j] = t, t + dur[j]
                if end[j] > problem.deadline[j]:
                    feasible = False
                    break
            if feasible:
                val = brute_force_objective(problem, end, start, [-1 if a is None else a for a in assign])
                best = val if best is None else min(best, val)
    return best


def _fits(problem, j, t, d, assign, start, end, dur) -> bool:
    if d == 0:
        return True
    placed = [i for i in range(problem.n_jobs) if start[i] >= 0 and dur[i] > 0]
    q = problem.machine_capacity.shape[1] if problem.has_machines else 0
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
        if assign[j] is not None and assign[j] >= 0:
            here = [i for i in running if assign[i] == assign[j]]
            if q == 0 and here:
                return False
            for k in range(q):
                use = sum(int(problem.machine_demand[i, k]) for i in here) + int(problem.machine_demand[j, k])
                if use > problem.machine_capacity[assign[j], k]:
                    return False
    return True
