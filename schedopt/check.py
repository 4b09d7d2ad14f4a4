"""The exact feasibility checker and the objective evaluator.

These two functions are the ground truth of schedopt: every solver's output is
judged by :func:`check`, every objective value by :func:`evaluate` (which reads
the objective from the registry :mod:`schedopt.objectives`). They are plain
numpy, written to be read in one sitting.

Violation kinds
---------------
``missing``
    A job that is not optional has ``start < 0`` (an optional one is unplaced: fine).
``duration``
    ``end - start`` differs from the job's duration (on its machine's type).
``release``, ``deadline``
    ``S_j < r_j``, or ``C_j > D_j``.
``precedence``
    ``S_j < C_i + lag`` for an edge ``(i, j, lag)`` with both jobs placed.
``communication``
    ``C_i + lag <= S_j < C_i + lag + delay``: only the machine-pair
    communication delay of the edge is broken (see :meth:`Problem.comm_delays`).
``resource``, ``downtime``
    A renewable resource over its capacity, or over a downtime level only.
``disjunctive``
    The two jobs of a disjunctive pair overlap.
``machine``
    A placed job without a valid machine (or with a machine in a problem without
    machines), or two jobs overlapping on a unary machine.
``eligibility``
    A job runs on a machine where ``eligible[j, m]`` is False.
``machine_capacity``
    On a cumulative machine, the running jobs demand more of a machine resource
    than the machine's capacity.
``anti_affinity``
    Both jobs of an anti-affinity pair run on the same machine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .errors import ScheduleError
from .model import Problem
from .objectives import get_objective
from .schedule import Schedule

VIOLATION_KINDS: tuple[str, ...] = (
    "missing",
    "duration",
    "release",
    "deadline",
    "precedence",
    "resource",
    "downtime",
    "disjunctive",
    "machine",
    "communication",
    "eligibility",
    "machine_capacity",
    "anti_affinity",
)


@dataclass(frozen=True)
class Violation:
    """One broken constraint.

    Attributes
    ----------
    kind
        One of :data:`VIOLATION_KINDS`.
    jobs
        The jobs involved (indices into the problem).
    time
        The time at which the constraint is broken (for resource kinds the
        first instant of the overload), or ``None``.
    message
        A readable sentence.
    """

    kind: str
    jobs: tuple[int, ...]
    time: int | None
    message: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


def _resource_violations(
    problem: Problem,
    k: int,
    times: np.ndarray,
    codes: np.ndarray,
    usage: np.ndarray,
    cap: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    users: np.ndarray,
) -> list[Violation]:
    """One violation per maximal run of event times with the same code (2 resource, 1 downtime)."""
    out = []
    name = problem.resource_names[k]
    idx = 0
    while idx < len(times):
        if codes[idx] == 0:
            idx += 1
            continue
        first, code = idx, codes[idx]
        jobs: set[int] = set()
        while idx < len(times) and codes[idx] == code:
            t = times[idx]
            jobs.update(int(u) for u in users[(start[users] <= t) & (t < end[users])])
            idx += 1
        kind = "resource" if code == 2 else "downtime"
        t = int(times[first])
        msg = (
            f"resource {name!r} over capacity at t={t}: usage {usage[first]} > "
            f"{'capacity' if kind == 'resource' else 'downtime level'} {cap[first]} "
            f"(jobs {', '.join(problem.names[u] for u in sorted(jobs))})"
        )
        out.append(Violation(kind, tuple(sorted(jobs)), t, msg))
    return out


def _usage_at(times: np.ndarray, start: np.ndarray, end: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """``(len(times), q)`` summed demand of the jobs running (``start <= t < end``) at each time.

    usage(t) = demand of jobs started by t minus demand of jobs ended by t:
    prefix sums over jobs sorted by start and by end, looked up by binary search.
    """
    zero = np.zeros((1, demand.shape[1]), np.int64)
    by_start, by_end = np.argsort(start), np.argsort(end)
    started = np.concatenate((zero, np.cumsum(demand[by_start], axis=0)))
    ended = np.concatenate((zero, np.cumsum(demand[by_end], axis=0)))
    return (
        started[np.searchsorted(start[by_start], times, side="right")]
        - ended[np.searchsorted(end[by_end], times, side="right")]
    )


def _machine_violations(
    problem: Problem, m: int, on: np.ndarray, start: np.ndarray, end: np.ndarray
) -> list[Violation]:
    """Overloads of cumulative machine ``m`` by the busy jobs ``on``: one per resource and run.

    Usage only rises at a start, so the start times are the event times to test;
    consecutive overloaded start times form one violation.
    """
    out = []
    times = np.unique(start[on])
    usage = _usage_at(times, start[on], end[on], problem.machine_demand[on])
    cap = problem.machine_capacity[m]
    machine = problem.machine_names[m]
    for k in np.flatnonzero((usage > cap[None, :]).any(axis=0)):
        over = usage[:, k] > cap[k]
        idx = 0
        while idx < len(times):
            if not over[idx]:
                idx += 1
                continue
            first, jobs = idx, set()
            while idx < len(times) and over[idx]:
                t = times[idx]
                jobs.update(
                    int(j) for j in on[(start[on] <= t) & (t < end[on])] if problem.machine_demand[j, k]
                )
                idx += 1
            t = int(times[first])
            out.append(
                Violation(
                    "machine_capacity",
                    tuple(sorted(jobs)),
                    t,
                    f"machine {machine!r} over its {problem.machine_resource_names[k]!r} capacity at t={t}: "
                    f"usage {usage[first, k]} > {cap[k]} "
                    f"(jobs {', '.join(problem.names[j] for j in sorted(jobs))})",
                )
            )
    return out


def check(problem: Problem, schedule: Schedule) -> list[Violation]:
    """Verify every constraint of ``problem`` on ``schedule``.

    Parameters
    ----------
    problem
        The problem.
    schedule
        A schedule with one entry per job of ``problem``.

    Returns
    -------
    list of Violation
        Empty if and only if the schedule is feasible.

    Notes
    -----
    Resource usage is piecewise constant between consecutive event times
    (job starts and ends, downtime window bounds), so it suffices to test the
    usage at each event time. Overloads in consecutive segments are merged
    into one violation.
    """
    n = problem.n_jobs
    if schedule.n_jobs > n:
        raise ScheduleError(f"schedule has {schedule.n_jobs} jobs, the problem only {n}")
    lab = problem.job_label
    out: list[Violation] = []
    start = np.full(n, -1, np.int64)
    end = np.full(n, -1, np.int64)
    mach = np.full(n, -1, np.int64)
    start[: schedule.n_jobs] = schedule.start
    end[: schedule.n_jobs] = schedule.end
    mach[: schedule.n_jobs] = schedule.machine
    present = start >= 0

    for j in np.flatnonzero(~present & ~problem.optional):
        out.append(Violation("missing", (int(j),), None, f"{lab(j)} is not scheduled"))

    # Machines and durations.
    if problem.has_machines:
        for j in np.flatnonzero(present):
            if not 0 <= mach[j] < problem.n_machines:
                out.append(
                    Violation(
                        "machine", (int(j),), int(start[j]), f"{lab(j)} has no valid machine ({mach[j]})"
                    )
                )
                present[j] = False  # its duration is undefined: skip further checks
        for j in np.flatnonzero(present):
            if not problem.eligible[j, mach[j]]:
                out.append(
                    Violation(
                        "eligibility",
                        (int(j),),
                        int(start[j]),
                        f"{lab(j)} runs on machine {problem.machine_names[mach[j]]!r}, "
                        "where it is not eligible",
                    )
                )
        for e, (i, j) in enumerate(problem.anti_affinity):
            if present[i] and present[j] and mach[i] == mach[j]:
                out.append(
                    Violation(
                        "anti_affinity",
                        (int(i), int(j)),
                        None,
                        f"{lab(i)} and {lab(j)} both run on machine {problem.machine_names[mach[i]]!r} "
                        f"(anti-affinity pair {e})",
                    )
                )
    else:
        for j in np.flatnonzero(present & (mach != -1)):
            out.append(
                Violation(
                    "machine",
                    (int(j),),
                    int(start[j]),
                    f"{lab(j)} is put on machine {mach[j]}, but the problem has no machines",
                )
            )
    # Durations: the job's own, or that of its machine's type.
    if problem.duration.ndim == 1:
        dur = np.where(present, problem.duration, 0)
    else:
        types = problem.machine_type[np.where(present, mach, 0)]
        dur = np.where(present, problem.duration[np.arange(n), types], 0)
    for j in np.flatnonzero(present & (end - start != dur)):
        out.append(
            Violation(
                "duration",
                (int(j),),
                int(start[j]),
                f"{lab(j)} runs [{start[j]}, {end[j]}) but its duration is {dur[j]}",
            )
        )
        present[j] = False

    # Time windows.
    for j in np.flatnonzero(present & (start < problem.release)):
        out.append(
            Violation(
                "release",
                (int(j),),
                int(start[j]),
                f"{lab(j)} starts at {start[j]} before its release {problem.release[j]}",
            )
        )
    for j in np.flatnonzero(present & (end > problem.deadline)):
        out.append(
            Violation(
                "deadline",
                (int(j),),
                int(end[j]),
                f"{lab(j)} ends at {end[j]} after its deadline {problem.deadline[j]}",
            )
        )

    # Precedence (with lags), then communication delays between machines. An
    # edge with an unplaced (or invalid) job imposes nothing.
    if len(problem.precedence):
        pi, pj, lag = problem.precedence.T
        both = present[pi] & present[pj]
        broken = both & (start[pj] < end[pi] + lag)
        for e in np.flatnonzero(broken):
            i, j, d = int(pi[e]), int(pj[e]), int(lag[e])
            extra = f" + lag {d}" if d else ""
            out.append(
                Violation(
                    "precedence",
                    (i, j),
                    int(start[j]),
                    f"{lab(j)} starts at {start[j]}, before {lab(i)} ends at {end[i]}{extra}",
                )
            )
        comm = problem.comm_delays(mach[pi], mach[pj])
        late = both & ~broken & (start[pj] < end[pi] + lag + comm)
        for e in np.flatnonzero(late):
            i, j = int(pi[e]), int(pj[e])
            out.append(
                Violation(
                    "communication",
                    (i, j),
                    int(start[j]),
                    f"{lab(j)} starts at {start[j]} on machine {problem.machine_names[mach[j]]!r}, before "
                    f"{lab(i)} ends at {end[i]} + lag {lag[e]} + communication delay {comm[e]} "
                    f"from machine {problem.machine_names[mach[i]]!r}",
                )
            )

    busy = present & (dur > 0)

    # Renewable resources, with downtime: usage of every resource at every event time.
    users = np.flatnonzero(busy & problem.uses_resources) if problem.n_resources else []
    if len(users):
        down = problem.downtime
        times = np.sort(np.concatenate([start[users], end[users], down[:, 1], down[:, 2]]))
        times = times[np.concatenate(([True], times[1:] != times[:-1]))]  # unique event times
        usage = _usage_at(times, start[users], end[users], problem.demand[users])  # (times, resources)
        cap = np.repeat(problem.capacity[None, :], len(times), axis=0)
        for k, a, b, level in down:
            inside = (times >= a) & (times < b)
            cap[inside, k] = np.minimum(cap[inside, k], level)
        # Over the base capacity is a resource violation; over only the level
        # lowered by a downtime window is a downtime violation. Consecutive
        # event times of the same kind form one violation.
        codes = np.where(usage > problem.capacity[None, :], 2, np.where(usage > cap, 1, 0))
        for k in np.flatnonzero(codes.any(axis=0)):
            out.extend(
                _resource_violations(
                    problem,
                    int(k),
                    times,
                    codes[:, k],
                    usage[:, k],
                    cap[:, k],
                    start,
                    end,
                    users[problem.demand[users, k] > 0],
                )
            )

    # Disjunctive pairs.
    if len(problem.disjunctive):
        di, dj = problem.disjunctive.T
        clash = busy[di] & busy[dj] & (start[di] < end[dj]) & (start[dj] < end[di])
        for e in np.flatnonzero(clash):
            i, j = int(di[e]), int(dj[e])
            t = int(max(start[i], start[j]))
            out.append(Violation("disjunctive", (i, j), t, f"{lab(i)} and {lab(j)} overlap at t={t}"))

    # Cumulative machines: usage of every machine resource at every start time on the machine.
    if problem.cumulative_machines:
        for m in range(problem.n_machines):
            on = np.flatnonzero(busy & (mach == m))
            if len(on):
                out.extend(_machine_violations(problem, m, on, start, end))
    # Unary machines.
    elif problem.has_machines:
        for m in range(problem.n_machines):
            on = np.flatnonzero(busy & (mach == m))
            on = on[np.argsort(start[on], kind="stable")]
            for a, b in itertools.pairwise(on):
                if start[b] < end[a]:
                    out.append(
                        Violation(
                            "machine",
                            (int(a), int(b)),
                            int(start[b]),
                            f"{lab(a)} and {lab(b)} overlap on machine "
                            f"{problem.machine_names[m]!r} at t={start[b]}",
                        )
                    )
    return out


def is_feasible(problem: Problem, schedule: Schedule) -> bool:
    """``True`` when :func:`check` finds no violation."""
    return not check(problem, schedule)


def evaluate(problem: Problem, schedule: Schedule) -> int:
    """The objective value of ``schedule`` (the schedule need not be feasible).

    The value is ``Objective.evaluate`` of the problem's objective in the registry
    :data:`schedopt.objectives.REGISTRY`, e.g.

    * makespan: ``max_j C_j``
    * total_tardiness: ``sum_j max(0, C_j - d_j)``
    * total_weighted_tardiness: ``sum_j w_j max(0, C_j - d_j)``
    * max_lateness: ``max_j (C_j - d_j)`` (may be negative)
    * weighted_completion: ``sum_j w_j C_j``
    * placement: unplaced weight per priority tier, then disruption, as one integer
    * feasibility: ``0``

    Jobs without a due date (``due == NO_TIME``) are never tardy or late; unplaced
    optional jobs count only in ``placement``.

    Raises
    ------
    ScheduleError
        When the schedule leaves out a job that is not optional (``start < 0``, or
        fewer entries than jobs), for every objective: a schedule without all its
        jobs has no objective value. Also when it has more entries than jobs.
    """
    n = problem.n_jobs
    if schedule.n_jobs > n:
        raise ScheduleError(f"cannot evaluate a schedule of {schedule.n_jobs} jobs: the problem has {n}")
    placed = np.zeros(n, bool)
    placed[: schedule.n_jobs] = schedule.start >= 0
    missing = np.flatnonzero(~placed & ~problem.optional)
    if len(missing):
        j = int(missing[0])
        more = f" (and {len(missing) - 1} more job(s))" if len(missing) > 1 else ""
        raise ScheduleError(
            f"cannot evaluate {problem.objective} of a schedule that leaves out "
            f"{problem.job_label(j)}{more}: it is not optional (check() reports it as 'missing')"
        )
    return get_objective(problem.objective).evaluate(problem, schedule)
