"""Metrics of a periodic network schedule (Skrzypczyk & Wehner, arXiv 2111.13124, as
``mdskrzypczyk/LinkScheduling`` reports them).

For a task set over its hyperperiod ``H`` (slots of ``slot`` seconds) and instance starts ``S_ik``:

* **throughput** (ebit/s) ``= (pairs delivered per hyperperiod) / (H * slot)``; every scheduled
  instance delivers one pair, so with all ``H / p_i`` instances of each task it is
  ``sum_i 1 / (p_i * slot)``;
* **response time** of an instance ``R_ik = S_ik + c_i - k p_i`` (completion minus release), the
  **worst-case response time** (WCRT) its maximum per task and overall (slots; seconds = x slot);
* **jitter** of a task ``max_k o_ik - min_k o_ik`` with ``o_ik = S_ik - k p_i`` (start offset within
  the period), and of the schedule the maximum over tasks (slots). Deviation: LinkScheduling
  reports a start-time jitter from consecutive starts; this peak-to-peak offset is the same
  quantity :mod:`.exact` minimises;
* **admitted ratio** ``= admitted / offered`` demands;
* **fidelity**: per task the delivered fidelity of its shape (after decoherence while waiting)
  against the demand's floor, and the smallest margin ``F_delivered - F_min``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...model import Problem
from ...schedule import Schedule
from .actions import SLOT
from .periodic import job_index, tasks_of


def _starts(problem: Problem, starts: Any) -> np.ndarray:
    s = starts.start if isinstance(starts, Schedule) else starts
    s = np.asarray(s, np.int64)
    if s.shape != (problem.n_jobs,):
        raise ValueError(f"expected {problem.n_jobs} starts, got shape {s.shape}")
    return s


def throughput(problem: Problem, starts: Any, *, slot: float = SLOT) -> float:
    """Pairs delivered per hyperperiod (scheduled instances, ``start >= 0``) over ``H * slot`` seconds."""
    s = _starts(problem, starts)
    return float((s >= 0).sum()) / (int(problem.meta["hyperperiod"]) * slot)


def response_times(problem: Problem, starts: Any) -> np.ndarray:
    """``S + c - release`` per job (slots; ``-1`` for an unscheduled job)."""
    s = _starts(problem, starts)
    return np.where(s >= 0, s + problem.duration - problem.release, -1)


def wcrt(problem: Problem, starts: Any) -> dict[str, int]:
    """Worst-case response time per task name (slots; tasks with no scheduled instance left out)."""
    r = response_times(problem, starts)
    tasks = tasks_of(problem)
    task, _ = job_index(problem)
    out = {}
    for i, t in enumerate(tasks):
        sel = (task == i) & (r >= 0)
        if sel.any():
            out[t.name] = int(r[sel].max())
    return out


def jitter(problem: Problem, starts: Any) -> dict[str, int]:
    """Peak-to-peak start offset within the period per task name (slots; scheduled instances only)."""
    s = _starts(problem, starts)
    tasks = tasks_of(problem)
    task, kk = job_index(problem)
    out = {}
    for i, t in enumerate(tasks):
        sel = (task == i) & (s >= 0)
        if sel.any():
            off = s[sel] - kk[sel] * t.period
            out[t.name] = int(off.max() - off.min())
    return out


def fidelity_report(problem: Problem) -> dict[str, tuple[float, float]]:
    """Per task with a demand: ``(delivered fidelity, floor)``."""
    out = {}
    for t in tasks_of(problem):
        if t.fidelity is not None and t.floor is not None:
            out[t.name] = (t.fidelity, t.floor)
    return out


def network_metrics(
    problem: Problem, schedule: Any, *, slot: float = SLOT, offered: int | None = None
) -> dict[str, Any]:
    """All metrics of a schedule (a :class:`~schedopt.Schedule` or starts per job) as one row.

    ``offered`` is the number of demands offered (default: the tasks of the problem) for the
    admitted ratio; ``min_fidelity_margin`` is over the admitted tasks (every instance scheduled),
    ``None`` when none carries a demand.
    """
    s = _starts(problem, schedule)
    tasks = tasks_of(problem)
    task, _ = job_index(problem)
    placed = [bool((s[task == i] >= 0).all()) for i in range(len(tasks))]
    admitted = sum(placed)
    w = wcrt(problem, s)
    j = jitter(problem, s)
    fid = fidelity_report(problem)
    n_off = len(tasks) if offered is None else int(offered)
    return {
        "throughput_ebit_s": throughput(problem, s, slot=slot),
        "wcrt_slots": max(w.values(), default=0),
        "wcrt_s": max(w.values(), default=0) * slot,
        "jitter_slots": max(j.values(), default=0),
        "admitted": admitted,
        "offered": n_off,
        "admitted_ratio": admitted / n_off if n_off else 0.0,
        "min_fidelity_margin": min(
            (fid[t.name][0] - fid[t.name][1] for t, ok in zip(tasks, placed) if ok and t.name in fid),
            default=None,
        ),
        "hyperperiod_slots": int(problem.meta["hyperperiod"]),
    }


#: ``evaluate(problem, schedule) -> dict``: the family-evaluator signature of :func:`network_metrics`.
evaluate = network_metrics

__all__ = ["evaluate", "fidelity_report", "jitter", "network_metrics", "response_times", "throughput", "wcrt"]
