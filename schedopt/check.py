"""The exact feasibility checker and the objective evaluator.

These two functions are the ground truth of schedopt: every solver's output is
judged by :func:`check`, every objective value by :func:`evaluate`. They are
plain numpy, written to be read in one sitting.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from .model import NO_TIME, Problem
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
        raise ValueError(f"schedule has {schedule.n_jobs} jobs, the problem only {n}")
    lab = problem.job_label
    out: list[Violation] = []
    start = np.full(n, -1, np.int64)
    end = np.full(n, -1, np.int64)
    mach = np.full(n, -1, np.int64)
    start[: schedule.n_jobs] = schedule.start
    end[: schedule.n_jobs] = schedule.end
    mach[: schedule.n_jobs] = schedule.machine
    present = start >= 0

    for j in np.flatnonzero(~present):
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

    # Precedence (with lags and communication delays).
    if len(problem.precedence):
        pi, pj, lag = problem.precedence.T
        delay = lag + np.where(mach[pi] != mach[pj], problem.comm, 0)
        broken = present[pi] & present[pj] & (start[pj] < end[pi] + delay)
        for e in np.flatnonzero(broken):
            i, j, d = int(pi[e]), int(pj[e]), int(delay[e])
            extra = f" + lag {d}" if d else ""
            out.append(
                Violation(
                    "precedence",
                    (i, j),
                    int(start[j]),
                    f"{lab(j)} starts at {start[j]}, before {lab(i)} ends at {end[i]}{extra}",
                )
            )

    busy = present & (dur > 0)

    # Renewable resources, with downtime: usage of every resource at every event time.
    users = np.flatnonzero(busy & problem.uses_resources) if problem.n_resources else []
    if len(users):
        down = problem.downtime
        times = np.sort(np.concatenate([start[users], end[users], down[:, 1], down[:, 2]]))
        times = times[np.concatenate(([True], times[1:] != times[:-1]))]  # unique event times
        # usage(t) = demand of jobs started by t minus demand of jobs ended by t:
        # prefix sums over jobs sorted by start and by end, looked up by binary search.
        dem = problem.demand[users]
        zero = np.zeros((1, problem.n_resources), np.int64)
        by_start, by_end = np.argsort(start[users]), np.argsort(end[users])
        started = np.concatenate((zero, np.cumsum(dem[by_start], axis=0)))
        ended = np.concatenate((zero, np.cumsum(dem[by_end], axis=0)))
        usage = (
            started[np.searchsorted(start[users][by_start], times, side="right")]
            - ended[np.searchsorted(end[users][by_end], times, side="right")]
        )  # (times, resources)
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

    # Unary machines.
    if problem.has_machines:
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

    * makespan: ``max_j C_j``
    * total_tardiness: ``sum_j max(0, C_j - d_j)``
    * total_weighted_tardiness: ``sum_j w_j max(0, C_j - d_j)``
    * feasibility: ``0``

    Jobs without a due date (``due == NO_TIME``) are never tardy.
    """
    obj = problem.objective
    if obj == "feasibility":
        return 0
    if obj == "makespan":
        return schedule.makespan
    if (schedule.start < 0).any():
        raise ValueError("cannot evaluate tardiness of a schedule with unscheduled jobs")
    tard = np.where(problem.due < NO_TIME, np.maximum(0, schedule.end - problem.due), 0)
    if obj == "total_tardiness":
        return int(tard.sum())
    return int((problem.weight * tard).sum())
