"""The one result type every method returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .schedule import Schedule

Status = Literal["optimal", "feasible", "infeasible", "unknown"]
STATUSES: tuple[str, ...] = ("optimal", "feasible", "infeasible", "unknown")


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative optimality gap ``(objective - bound) / objective``.

    This is the convention of CP-SAT and most MIP solvers: it lies in
    ``[0, 1]`` for a minimisation with a non-negative objective. It is 0 when
    objective and bound meet (including both 0) and ``None`` when either is
    unknown; when the objective is 0 but the bound is lower, it is ``inf``.
    """
    if objective is None or bound is None:
        return None
    if objective == bound:
        return 0.0
    if objective == 0:
        return float("inf")
    return (objective - bound) / abs(objective)


@dataclass
class Result:
    """Outcome of :func:`schedopt.solve`.

    Attributes
    ----------
    status
        ``"optimal"`` (proven), ``"feasible"`` (a checked schedule, optimality
        not proven), ``"infeasible"`` (proven) or ``"unknown"``.
    objective
        Objective value of ``schedule`` as computed by :func:`schedopt.evaluate`,
        or ``None`` when there is no schedule.
    bound
        A valid lower bound on the optimal objective, or ``None``.
    gap
        :func:`relative_gap` of objective and bound.
    schedule
        The best schedule found (checked feasible), or ``None``.
    time
        Wall-clock seconds spent in :func:`schedopt.solve`.
    method
        Name of the method that ran.
    info
        Method-specific details (solver statistics, schedules generated, ...).
    """

    status: Status
    objective: int | None
    bound: int | None
    gap: float | None
    schedule: Schedule | None
    time: float
    method: str
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def is_optimal(self) -> bool:
        return self.status == "optimal"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (the schedule as lists)."""
        return {
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "time": self.time,
            "method": self.method,
            "schedule": None if self.schedule is None else self.schedule.to_dict(),
            "info": {
                k: v for k, v in self.info.items() if isinstance(v, (int, float, str, bool, type(None)))
            },
        }

    def __repr__(self) -> str:
        gap = "n/a" if self.gap is None else f"{100 * self.gap:.2f}%"
        return (
            f"Result(status={self.status!r}, objective={self.objective}, bound={self.bound}, "
            f"gap={gap}, time={self.time:.3f}s, method={self.method!r})"
        )
