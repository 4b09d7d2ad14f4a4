"""Verify a model's answer exactly with :func:`schedopt.check`.

A parsed answer becomes a :class:`schedopt.Schedule` (end = start + duration)
and is judged by the core checker, the single source of truth. Its violation
kinds are grouped into the report's types (:data:`VIOLATION_TYPES`):
``precedence``, ``resource`` (over the base capacity), ``downtime`` (over a
capacity lowered by a downtime window only), ``window`` (release or
deadline) and ``disjunctive``. An answer that fails to parse is infeasible and
carries its parse-failure class instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..check import check
from ..model import Problem
from ..schedule import Schedule
from .parse import ParseResult, TaskIndex, parse_answer

VIOLATION_TYPES: tuple[str, ...] = ("precedence", "resource", "downtime", "window", "disjunctive")

#: schedopt.check kind -> report type. ``missing``/``duration``/``machine`` cannot
#: arise from a parsed answer (every task gets a start, end = start + duration);
#: they are kept as ``other`` so that nothing is silently dropped.
KIND_TO_TYPE: dict[str, str] = {
    "precedence": "precedence",
    "resource": "resource",
    "downtime": "downtime",
    "release": "window",
    "deadline": "window",
    "disjunctive": "disjunctive",
    "missing": "other",
    "duration": "other",
    "machine": "other",
}


@dataclass(frozen=True)
class Verdict:
    """The judgement of one answer.

    Attributes
    ----------
    feasible
        ``True`` iff the answer parsed and :func:`schedopt.check` found no violation.
    parse_error
        ``None``, or the parse-failure class (:data:`schedopt.llmeval.parse.PARSE_ERRORS`).
    violations
        Number of violations per type (only types that occur).
    first_violation
        The type of the first violation reported by the checker, or ``None``.
    detail
        The parse-failure detail or the first violation's message.
    starts
        The parsed start times (``None`` when parsing failed).
    """

    feasible: bool
    parse_error: str | None = None
    violations: dict[str, int] = field(default_factory=dict)
    first_violation: str | None = None
    detail: str = ""
    starts: np.ndarray | None = None

    def to_dict(self) -> dict:
        return {
            "feasible": self.feasible,
            "parse_error": self.parse_error,
            "violations": dict(self.violations),
            "first_violation": self.first_violation,
            "detail": self.detail,
            "starts": None if self.starts is None else self.starts.tolist(),
        }


def verify_starts(problem: Problem, starts: np.ndarray) -> Verdict:
    """Check the schedule with the given start times (one per job, all >= 0)."""
    starts = np.asarray(starts, dtype=np.int64)
    schedule = Schedule(starts, starts + problem.duration)
    found = check(problem, schedule)
    if not found:
        return Verdict(True, starts=starts)
    counts: dict[str, int] = {}
    for v in found:
        t = KIND_TO_TYPE.get(v.kind, "other")
        counts[t] = counts.get(t, 0) + 1
    return Verdict(
        False,
        violations=counts,
        first_violation=KIND_TO_TYPE.get(found[0].kind, "other"),
        detail=found[0].message,
        starts=starts,
    )


def verify_parsed(problem: Problem, parsed: ParseResult) -> Verdict:
    """Turn a :class:`ParseResult` into a :class:`Verdict`."""
    if parsed.error is not None or parsed.starts is None:
        return Verdict(False, parse_error=parsed.error or "bad_json", detail=parsed.detail)
    return verify_starts(problem, parsed.starts)


def verify_answer(problem: Problem, text: object, index: TaskIndex | None = None) -> Verdict:
    """Parse ``text`` and check it against ``problem`` (``index`` may be reused across answers)."""
    return verify_parsed(problem, parse_answer(text, index or TaskIndex(problem.names)))
