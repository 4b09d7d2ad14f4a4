"""A third-party schedopt family, installed for the tests through its ``.dist-info`` entry point.

Jobs share one machine-like unit resource and a precedence chain; the objective is the makespan.
It declares a builder, a reader (``.toy`` files: one duration per line), a method, a CP-SAT
strengthening, a suite, a warm-up and an evaluator, and imports nothing of schedopt's families.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from schedopt import MethodOutput, Problem, Schedule
from schedopt.bench.suites import InstanceRef, Reference, suite_spec
from schedopt.cpsat.context import Strengthening
from schedopt.errors import ParseError
from schedopt.registry import Family, Method, Reader, WarmUp

SEEN: list = []  # contexts the strengthening received, for the tests


def toy(durations, name: str = "") -> Problem:
    """``n`` jobs on one unit resource (makespan = sum of durations, any order is optimal)."""
    n = len(durations)
    return Problem(
        duration=durations, capacity=[1], demand=np.ones((n, 1), np.int64), family="toy", name=name
    )


def read_toy(path: Path) -> Problem:
    durations = []
    for no, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if line.strip():
            try:
                durations.append(int(line))
            except ValueError:
                raise ParseError(f"expected one integer duration, got {line!r}", path, no) from None
    return toy(durations, name=Path(path).stem)


def run_in_order(problem: Problem, *, time_limit=None, seed: int = 0, reverse: bool = False) -> MethodOutput:
    """Jobs back to back in index order (``reverse``: the other way round): optimal."""
    order = np.arange(problem.n_jobs)[::-1] if reverse else np.arange(problem.n_jobs)
    return MethodOutput("feasible", Schedule.from_sequence(problem, order), int(problem.duration.sum()))


def strengthen(cm, ctx) -> None:
    SEEN.append(ctx)
    cm.model.add(cm.objective_var <= int(cm.problem.duration.sum()))


def evaluate_toy(problem: Problem, schedule: Schedule) -> dict:
    return {"toy_idle": int(schedule.makespan - problem.duration.sum())}


def _gen(count: int = 3):
    for k in range(count):
        yield InstanceRef(
            f"toy-{k}", lambda k=k: toy([k + 1, 2, 3], name=f"toy-{k}"), Reference(k + 6, k + 6)
        )


FAMILY = Family(
    name="toy",
    description="jobs in a row on one unit resource (plugin test)",
    builders={"toy": toy},
    readers=(Reader("toy", read_toy, lambda path, head: path.suffix == ".toy"),),
    methods=(Method("toy-in-order", run_in_order, description="index order", priority=5),),
    cpsat=Strengthening(strengthen, None, {"toy_cap": True}),
    suites=[suite_spec("toy-gen", _gen, description="three toy instances", family="toy")],
    warmups=(WarmUp("toy", lambda: toy([1, 2]), {"toy-in-order": {}}),),
    evaluator=evaluate_toy,
)
