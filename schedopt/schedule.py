"""Schedules: start, end and machine per job, in the problem's job order.

A job with ``start < 0`` is left out of the schedule. For an optional job
(``Problem.optional``) that means *unplaced*, which is allowed; its canonical
entry is ``start = end = machine = -1`` (:data:`UNSCHEDULED`). For any other
job it is a ``missing`` violation of :func:`schedopt.check`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .model import Problem

#: ``start`` (and ``end``, ``machine``) of a job that the schedule leaves out (unplaced).
UNSCHEDULED: int = -1


@dataclass(frozen=True, eq=False)
class Schedule:
    """A schedule: per job its start, end and machine.

    Parameters
    ----------
    start, end
        ``(n,)`` integer start and end times. A job with ``start < 0`` is
        unscheduled: an unplaced optional job, or else a ``missing`` one for the
        checker. Its end and machine are then ignored (canonically ``-1``).
    machine
        ``(n,)`` machine index per job, ``-1`` where no machine is assigned.
        Defaults to all ``-1``.
    """

    start: np.ndarray
    end: np.ndarray
    machine: np.ndarray | None = None

    def __post_init__(self) -> None:
        start = np.asarray(self.start, dtype=np.int64).copy()
        end = np.asarray(self.end, dtype=np.int64).copy()
        if start.ndim != 1 or start.shape != end.shape:
            raise ValueError(f"start and end must be 1-d of equal length, got {start.shape} and {end.shape}")
        mach = (
            np.full(start.shape, -1, np.int64)
            if self.machine is None
            else np.asarray(self.machine, dtype=np.int64).copy()
        )
        if mach.shape != start.shape:
            raise ValueError(f"machine must have one entry per job ({start.shape[0]}), got {mach.shape}")
        for arr in (start, end, mach):
            arr.setflags(write=False)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "machine", mach)

    @classmethod
    def from_starts(
        cls,
        problem: Problem,
        start: Sequence[int] | np.ndarray,
        machine: Sequence[int] | np.ndarray | None = None,
    ) -> Schedule:
        """Build a schedule from start times (and machines), deriving the ends.

        Unscheduled jobs (``start < 0``: unplaced optional jobs) get ``end = start``
        and machine ``-1``.
        """
        start = np.asarray(start, dtype=np.int64)
        if start.shape != (problem.n_jobs,):
            raise ValueError(f"expected {problem.n_jobs} start times, got {start.shape}")
        if problem.duration.ndim == 1:
            dur = problem.duration
        else:
            if machine is None:
                raise ValueError("this problem assigns jobs to machines: pass machine=")
            mach = np.asarray(machine, dtype=np.int64)
            ok = (mach >= 0) & (mach < problem.n_machines)
            types = problem.machine_type[np.where(ok, mach, 0)]
            dur = np.where(ok, problem.duration[np.arange(problem.n_jobs), types], 0)
        end = np.where(start >= 0, start + dur, start)
        if machine is not None:
            machine = np.where(start >= 0, np.asarray(machine, dtype=np.int64), UNSCHEDULED)
        return cls(start, end, machine)

    @classmethod
    def from_sequence(cls, problem: Problem, order: Sequence[int] | np.ndarray) -> Schedule:
        """Run jobs back to back in ``order`` (a single-machine sequence).

        Each job starts at ``max(release, end of the previous job)``.
        """
        order = np.asarray(order, dtype=np.int64)
        start = np.full(problem.n_jobs, UNSCHEDULED, np.int64)
        t = 0
        for j in order:
            s = max(t, int(problem.release[j]))
            start[j] = s
            t = s + int(problem.duration[j])
        return cls.from_starts(problem, start)

    @property
    def n_jobs(self) -> int:
        return int(self.start.shape[0])

    @property
    def placed(self) -> np.ndarray:
        """``(n,)`` True for the jobs the schedule places (``start >= 0``)."""
        return self.start >= 0

    @property
    def unplaced(self) -> np.ndarray:
        """Indices of the jobs the schedule leaves out (``start < 0``)."""
        return np.flatnonzero(self.start < 0)

    @property
    def makespan(self) -> int:
        """Largest end time over scheduled jobs (0 for an empty schedule)."""
        done = self.start >= 0
        return int(self.end[done].max()) if done.any() else 0

    def order(self) -> np.ndarray:
        """Scheduled jobs sorted by start time (ties by index)."""
        done = np.flatnonzero(self.start >= 0)
        return done[np.lexsort((done, self.start[done]))]

    def to_dict(self) -> dict[str, list[int]]:
        return {
            "start": self.start.tolist(),
            "end": self.end.tolist(),
            "machine": self.machine.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Schedule:
        return cls(data["start"], data["end"], data.get("machine"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Schedule):
            return NotImplemented
        return (
            np.array_equal(self.start, other.start)
            and np.array_equal(self.end, other.end)
            and np.array_equal(self.machine, other.machine)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<Schedule: {self.n_jobs} jobs, makespan {self.makespan}>"
