"""Non-preemptive EDF for the periodic network schedule, in LinkScheduling's three variants.

After Skrzypczyk & Wehner (arXiv 2111.13124) and ``mdskrzypczyk/LinkScheduling``
(``schedulers/BlockNPEDF.py``, ``schedulers/NPEDF.py``; behaviour restated, no code copied).

The rule (one for all variants)
-------------------------------
Time advances over the hyperperiod from event to event. At each decision time ``t``, among the
released, unstarted instances whose *pattern* fits at ``t`` (no resource of the pattern busy
during its interval), start the one with the earliest absolute deadline -- ties by earlier
release, then by task order (the order of the task set) -- and repeat at ``t`` until none fits.
The next decision time is the next release or the earliest time at which some waiting instance's
pattern becomes free, whichever comes first (computed exactly, so no start time is skipped).
An instance is never preempted.

Patterns (what an instance started at ``S`` occupies):

``edf-single`` (``UniResourceBlockNPEDF``)
    the whole network as one resource during ``[S, S + c)``: one protocol at a time (TDMA-like);
``edf-block`` (``MultipleResourceBlockNPEDF``)
    every qubit of the task's shape during ``[S, S + c)``;
``edf-nonblock`` (``MultipleResourceNonBlockNPEDF``)
    each qubit only during its occupation intervals ``[S + a, S + b)``, so protocols interleave.

LinkScheduling splits the tasks of the multi-resource variants into groups sharing no qubit and
schedules each group alone. With the event-driven rule above this changes nothing (whether an
instance fits depends only on its own group's qubits, and the priority order is total), so one
run over all tasks gives the same starts; ``info["groups"]`` reports the groups.

Deviations from LinkScheduling: its multi-resource schedulers place instances in deadline order,
each at the earliest time its qubits are free (so a later-deadline instance may be inserted
before an earlier one in time); here the rule above is applied to all three variants. Its
schedulers also re-map a task's qubits onto other free qubits of the same node and kind per
instance; here each task keeps the qubits of its shape.

Guarantees
----------
EDF is a heuristic, so a deadline miss is never reported as infeasibility: the method returns
status ``"unknown"``, no schedule and ``info["missed"]`` (the instance, its deadline and the
earliest start it could get). When every instance meets its deadline:

* ``edf-single`` and ``edf-block`` return a schedule of the block problem (:func:`.periodic.periodic_problem`)
  that :func:`schedopt.check` accepts;
* ``edf-nonblock`` returns its starts in ``info["starts"]`` (always; they are feasible for
  :func:`.periodic.nonblock_problem`, checked when ``verify=True``) and the schedule of the block
  problem only when the same starts are block-feasible too; otherwise status ``"unknown"`` with
  ``info["nonblock_feasible"] = True``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ...errors import ProblemError
from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from .periodic import PeriodicTask, job_index, nonblock_problem, nonblock_schedule, tasks_of

VARIANTS: tuple[str, ...] = ("single", "block", "nonblock")


@dataclass(frozen=True)
class EdfRun:
    """Outcome of :func:`edf_starts`.

    Attributes
    ----------
    starts
        Start per job of the periodic problem (task-major), ``-1`` when not started.
    ok
        True when every instance meets its deadline.
    missed
        The job index of the first instance found to miss its deadline (``-1``: none).
    when
        Its earliest possible start at that moment.
    seconds
        Kernel time.
    """

    starts: np.ndarray
    ok: bool
    missed: int
    when: int
    seconds: float


def _patterns(tasks: list[PeriodicTask], variant: str) -> tuple[tuple[np.ndarray, ...], int, int]:
    if variant not in VARIANTS:
        raise ProblemError(f"EDF variant {variant!r} is not one of {', '.join(VARIANTS)}")
    ptr = [0]
    res: list[int] = []
    a: list[int] = []
    b: list[int] = []
    if variant == "single":
        for t in tasks:
            res.append(0)
            a.append(0)
            b.append(t.c)
            ptr.append(len(res))
        n_res = 1
    else:
        qubits = sorted({q for t in tasks for q in t.qubits})
        col = {q: k for k, q in enumerate(qubits)}
        for t in tasks:
            if variant == "block":
                for q in t.qubits:
                    res.append(col[q])
                    a.append(0)
                    b.append(t.c)
            else:
                for q, x, y in t.occupations:
                    res.append(col[q])
                    a.append(x)
                    b.append(y)
            ptr.append(len(res))
        n_res = len(qubits)
    res_a = np.array(res, np.int64)
    # live intervals per resource: at most one live instance per task (instance k ends by the
    # release of k + 1), so the number of (task, occupation) pairs on a resource bounds them
    cap = int(np.bincount(res_a, minlength=n_res).max()) + 1
    c = np.array([t.c for t in tasks], np.int64)
    return (np.array(ptr, np.int64), res_a, np.array(a, np.int64), np.array(b, np.int64), c), n_res, cap


def edf_starts(problem: Problem, variant: str) -> EdfRun:
    """Run the EDF ``variant`` (``"single"``, ``"block"``, ``"nonblock"``) on a periodic problem."""
    from ._kernels import edf_kernel

    tasks = tasks_of(problem)
    pattern, n_res, cap = _patterns(tasks, variant)
    task, _ = job_index(problem)
    release = problem.release.astype(np.int64)
    deadline = problem.deadline.astype(np.int64)
    order = np.lexsort((np.arange(len(task)), release)).astype(np.int64)
    t0 = time.perf_counter()
    start, missed, when = edf_kernel((task, release, deadline, order), pattern, n_res, cap)
    secs = time.perf_counter() - t0
    if missed == -2:  # pragma: no cover - the bound above makes this unreachable
        raise RuntimeError("EDF kernel: live-interval capacity exceeded")
    return EdfRun(start, missed < 0, int(missed), int(when), secs)


def groups(tasks: list[PeriodicTask]) -> list[list[int]]:
    """Task indices grouped by shared qubits (connected components, LinkScheduling's split)."""
    g = nx.Graph()
    for i, t in enumerate(tasks):
        g.add_node(("task", i))
        for q in t.qubits:
            g.add_edge(("task", i), ("qubit", q))
    comps = [sorted(i for kind, i in comp if kind == "task") for comp in nx.connected_components(g)]
    return sorted(comps)


def _run(problem: Problem, variant: str, verify: bool) -> MethodOutput:
    tasks = tasks_of(problem)
    run = edf_starts(problem, variant)
    info: dict[str, Any] = {
        "variant": variant,
        "kernel_seconds": run.seconds,
        "groups": groups(tasks),
        "hyperperiod": int(problem.meta["hyperperiod"]),
    }
    if not run.ok:
        j = run.missed
        info["missed"] = {
            "job": j,
            "name": problem.names[j],
            "task": tasks[int(problem.meta["task"][j])].name,
            "release": int(problem.release[j]),
            "deadline": int(problem.deadline[j]),
            "earliest_start": run.when,
            "c": int(problem.duration[j]),
        }
        return MethodOutput("unknown", None, None, info)
    starts = run.starts
    info["starts"] = starts.tolist()
    if variant != "nonblock":
        return MethodOutput("feasible", Schedule(starts, starts + problem.duration), None, info)
    if verify:
        from ...check import check

        nb = nonblock_problem(tasks, starts)
        bad = check(nb, nonblock_schedule(nb, starts))
        if bad:  # pragma: no cover - a bug in the kernel
            raise RuntimeError(f"edf-nonblock produced an invalid non-block schedule: {bad[0]}")
    info["nonblock_feasible"] = True
    from ...check import check as check_block

    sched = Schedule(starts, starts + problem.duration)
    if check_block(problem, sched):
        info["block_feasible"] = False
        return MethodOutput("unknown", None, None, info)
    info["block_feasible"] = True
    return MethodOutput("feasible", sched, None, info)


def solve_edf_single(problem: Problem, *, time_limit: float | None = None, seed: int = 0) -> MethodOutput:
    """Non-preemptive EDF with the whole network as one resource (LinkScheduling's
    ``UniResourceBlockNPEDF``): a schedule of the block problem, or ``"unknown"`` on a miss."""
    return _run(problem, "single", False)


def solve_edf_block(problem: Problem, *, time_limit: float | None = None, seed: int = 0) -> MethodOutput:
    """Non-preemptive EDF, each protocol holding all its qubits for its whole duration
    (``MultipleResourceBlockNPEDF``): a schedule of the block problem, or ``"unknown"`` on a miss."""
    return _run(problem, "block", False)


def solve_edf_nonblock(
    problem: Problem, *, time_limit: float | None = None, seed: int = 0, verify: bool = True
) -> MethodOutput:
    """Non-preemptive EDF with qubits reserved only while used (``MultipleResourceNonBlockNPEDF``).

    ``info["starts"]`` holds the non-block starts (verified with :func:`schedopt.check` on
    :func:`.periodic.nonblock_problem` when ``verify``); the schedule of the block problem is
    returned only when those starts are block-feasible (see the module docstring).
    """
    return _run(problem, "nonblock", verify)


__all__ = [
    "VARIANTS",
    "EdfRun",
    "edf_starts",
    "groups",
    "solve_edf_block",
    "solve_edf_nonblock",
    "solve_edf_single",
]
