"""Schedules: start, end and machine per job, in the problem's job order.

A job with ``start < 0`` is left out of the schedule. For an optional job
(``Problem.optional``) that means *unplaced*, which is allowed; its canonical
entry is ``start = end = machine = -1`` (:data:`UNSCHEDULED`). For any other
job it is a ``missing`` violation of :func:`schedopt.check`.

Entries are validated when a :class:`Schedule` is built: every start, end and
machine is an integer (a float is accepted only when it is integral) between
``-1`` and, for times, ``NO_TIME - 1`` (``2**50 - 1``), for machines ``2**63 - 1``.
Anything else (fractions, NaN, infinities, values out of range, strings,
booleans, ragged or multi-dimensional input) raises
:class:`~schedopt.errors.ScheduleError` naming the field, the job and the value,
instead of being truncated or wrapped around.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ScheduleError
from .model import NO_TIME, Problem

#: ``start`` (and ``end``, ``machine``) of a job that the schedule leaves out (unplaced).
UNSCHEDULED: int = -1

#: The largest start or end time a schedule may hold (times stay below ``NO_TIME``, see :class:`Problem`).
MAX_TIME: int = NO_TIME - 1

_INT64_MAX = int(np.iinfo(np.int64).max)


def _bad(field: str, j: int, value: Any, why: str) -> ScheduleError:
    return ScheduleError(f"schedule {field} of job {j}: {value!r} {why}")


def as_entries(values: Any, field: str, high: int = MAX_TIME) -> np.ndarray:
    """``values`` as a new 1-d int64 array whose entries are integers in ``[-1, high]``.

    Parameters
    ----------
    values
        One value per job: a sequence or array of integers (floats only when integral).
    field
        ``"start"``, ``"end"`` or ``"machine"``: named in the error message.
    high
        The largest value allowed.

    Raises
    ------
    ScheduleError
        For a fraction, NaN, infinity, a value below ``-1`` or above ``high``, a
        non-number (string, boolean, ``None``), or input that is not one-dimensional;
        the message names the field, the job index and the value.
    """
    if isinstance(values, (str, bytes, Mapping)):
        raise ScheduleError(f"schedule {field}: expected one integer per job, got {values!r:.80}")
    if isinstance(values, (list, tuple)):  # numpy would read True as 1 silently
        for j, v in enumerate(values):
            if isinstance(v, (bool, np.bool_)):
                raise _bad(field, j, v, "is a boolean, not an integer")
            if v is None or isinstance(v, (str, bytes)):  # numpy would turn the whole list into strings
                raise _bad(field, j, v, "is not a number")
            if isinstance(v, int) and not -1 <= v <= high:  # exactly (numpy may make the list floats)
                raise _bad(
                    field, j, v, "is below -1 (-1 means unplaced)" if v < -1 else f"is outside -1..{high}"
                )
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError):
        raise ScheduleError(
            f"schedule {field}: expected one integer per job, got ragged input {values!r:.80}"
        ) from None
    if arr.ndim != 1:
        raise ScheduleError(
            f"schedule {field}: expected one integer per job (a 1-d sequence), got shape {arr.shape}"
        )
    if arr.size == 0:
        return np.zeros(0, np.int64)
    if arr.dtype.kind in "iu":
        if arr.dtype.kind == "u" and (over := arr > np.uint64(_INT64_MAX)).any():
            j = int(np.argmax(over))
            raise _bad(field, j, int(arr[j]), f"is outside -1..{high}")
        out = arr.astype(np.int64)
    elif arr.dtype.kind == "f":
        for j in np.flatnonzero(
            ~np.isfinite(arr) | (arr != np.round(arr)) | (arr < -1) | (arr > high) | (arr >= 2.0**63)
        ):
            v = float(arr[j])
            why = (
                "is not a finite integer" if not np.isfinite(v) or v != round(v) else f"is outside -1..{high}"
            )
            raise _bad(field, int(j), v, why)
        out = arr.astype(np.int64)
    elif arr.dtype == object:
        out = np.empty(arr.shape, np.int64)
        for j, v in enumerate(arr):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise _bad(field, j, v, "is not a number")
            if isinstance(v, (float, np.floating)) and (not np.isfinite(v) or v != round(v)):
                raise _bad(field, j, v, "is not a finite integer")
            if not -1 <= int(v) <= high:
                raise _bad(field, j, v, f"is outside -1..{high}")
            out[j] = int(v)
    else:
        j = 0
        raise _bad(field, j, arr[j].item(), f"is not a number (got dtype {arr.dtype})")
    low = out < -1
    if low.any():
        j = int(np.argmax(low))
        raise _bad(field, j, int(out[j]), "is below -1 (-1 means unplaced)")
    high_ = out > high
    if high_.any():
        j = int(np.argmax(high_))
        raise _bad(field, j, int(out[j]), f"is outside -1..{high}")
    return out


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

    Raises
    ------
    ScheduleError
        For an entry that is not an integer in range (see the module docstring), or
        arrays of different lengths; the message names the field, the job and the value.
    """

    start: np.ndarray
    end: np.ndarray
    machine: np.ndarray | None = None

    def __post_init__(self) -> None:
        start = as_entries(self.start, "start")
        end = as_entries(self.end, "end")
        if start.shape != end.shape:
            raise ScheduleError(
                f"schedule start and end must have equal length, got {start.shape[0]} and {end.shape[0]}"
            )
        mach = (
            np.full(start.shape, -1, np.int64)
            if self.machine is None
            else as_entries(self.machine, "machine", _INT64_MAX)
        )
        if mach.shape != start.shape:
            raise ScheduleError(
                f"schedule machine must have one entry per job ({start.shape[0]}), got {mach.shape[0]}"
            )
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
        start = as_entries(start, "start")
        if start.shape != (problem.n_jobs,):
            raise ScheduleError(f"expected {problem.n_jobs} start times, got {start.shape[0]}")
        if machine is not None:
            machine = as_entries(machine, "machine", _INT64_MAX)
            if machine.shape != start.shape:
                raise ScheduleError(f"expected {problem.n_jobs} machines, got {machine.shape[0]}")
        if problem.duration.ndim == 1:
            dur = problem.duration
        else:
            if machine is None:
                raise ScheduleError("this problem assigns jobs to machines: pass machine=")
            mach = machine
            ok = (mach >= 0) & (mach < problem.n_machines)
            types = problem.machine_type[np.where(ok, mach, 0)]
            dur = np.where(ok, problem.duration[np.arange(problem.n_jobs), types], 0)
        end = np.where(start >= 0, start + dur, start)
        if machine is not None:
            machine = np.where(start >= 0, machine, UNSCHEDULED)
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
    def from_dict(cls, data: Mapping[str, Any]) -> Schedule:
        """The schedule of ``{"start": [...], "end": [...], "machine": [...]}`` (``machine`` optional).

        Raises
        ------
        ScheduleError
            For a missing key, or an entry :class:`Schedule` refuses.
        """
        if not isinstance(data, Mapping):
            raise ScheduleError(f"schedule: expected an object with 'start' and 'end', got {data!r:.80}")
        missing = [key for key in ("start", "end") if key not in data]
        if missing:
            raise ScheduleError(f"schedule: missing {' and '.join(repr(k) for k in missing)}")
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
