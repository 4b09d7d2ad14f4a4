"""Plots: Gantt charts and resource-usage profiles (matplotlib).

matplotlib is imported inside the functions, so importing schedopt stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .model import Problem
from .schedule import Schedule


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(10, 4))
    return ax


def gantt(problem: Problem, schedule: Schedule, ax: Any = None, label_jobs: bool | None = None) -> Any:
    """Draw a Gantt chart: one row per machine when jobs have machines, else one per job.

    Zero-duration jobs are drawn as diamonds; deadlines as red ticks.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    import matplotlib.pyplot as plt

    n = problem.n_jobs
    cmap = plt.get_cmap("tab20")
    label_jobs = n <= 60 if label_jobs is None else label_jobs
    by_machine = problem.has_machines
    rows = problem.n_machines if by_machine else n
    for j in range(n):
        if schedule.start[j] < 0:
            continue
        row = int(schedule.machine[j]) if by_machine else j
        s, e = int(schedule.start[j]), int(schedule.end[j])
        if e > s:
            ax.barh(row, e - s, left=s, height=0.7, color=cmap(j % 20), edgecolor="black", linewidth=0.4)
            if label_jobs:
                ax.text((s + e) / 2, row, problem.names[j], ha="center", va="center", fontsize=7)
        else:
            ax.plot([s], [row], marker="D", color="grey", markersize=4)
        if not by_machine and problem.deadline[j] < (1 << 50):
            ax.plot([problem.deadline[j]], [row], marker="|", color="red", markersize=10)
    if by_machine:
        ax.set_yticks(range(rows), problem.machine_names)
        ax.set_ylabel("machine")
    else:
        if label_jobs:
            ax.set_yticks(range(n), problem.names)
        ax.set_ylabel("job")
    ax.invert_yaxis()
    ax.set_xlabel("time")
    ax.set_title(f"{problem.name or 'schedule'}: makespan {schedule.makespan}")
    ax.grid(axis="x", alpha=0.3)
    return ax


def usage_profile(
    problem: Problem, schedule: Schedule, resource: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step functions of usage and capacity for one resource.

    Returns
    -------
    times, usage, capacity
        ``usage[i]`` and ``capacity[i]`` hold on ``[times[i], times[i+1])``.
    """
    k = resource
    busy = (schedule.start >= 0) & (schedule.end > schedule.start) & (problem.demand[:, k] > 0)
    wins = problem.downtime[problem.downtime[:, 0] == k]
    times = np.unique(
        np.concatenate(
            [[0], schedule.start[busy], schedule.end[busy], wins[:, 1], wins[:, 2], [schedule.makespan]]
        )
    )
    running = (schedule.start[busy][None, :] <= times[:, None]) & (
        times[:, None] < schedule.end[busy][None, :]
    )
    usage = running.astype(np.int64) @ problem.demand[busy, k]
    cap = np.full(times.shape, problem.capacity[k], dtype=np.int64)
    for _, a, b, level in wins:
        inside = (times >= a) & (times < b)
        cap[inside] = np.minimum(cap[inside], level)
    return times, usage, cap


def resource_profile(
    problem: Problem, schedule: Schedule, resource: int | None = None, ax: Any = None
) -> Any:
    """Draw resource usage over time against capacity (downtime included).

    With ``resource=None`` all resources are drawn on one axes, each with its
    own colour; capacity is dashed.
    """
    ax = _axes(ax)
    import matplotlib.pyplot as plt

    ks = range(problem.n_resources) if resource is None else [resource]
    cmap = plt.get_cmap("tab10")
    for k in ks:
        times, usage, cap = usage_profile(problem, schedule, k)
        color = cmap(k % 10)
        ax.step(times, usage, where="post", color=color, label=f"{problem.resource_names[k]} usage")
        ax.step(
            times,
            cap,
            where="post",
            color=color,
            linestyle="--",
            alpha=0.7,
            label=f"{problem.resource_names[k]} capacity",
        )
    ax.set_xlabel("time")
    ax.set_ylabel("units")
    ax.set_title("resource usage")
    if problem.n_resources:
        ax.legend(fontsize=7, ncol=2)
    return ax


def save_schedule_figure(problem: Problem, schedule: Schedule, path: str | Path) -> None:
    """Write a Gantt chart (and a resource profile, when there are resources) to ``path``."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    panels = 2 if problem.n_resources else 1
    fig, axes = plt.subplots(panels, 1, figsize=(11, 4 * panels), squeeze=False)
    gantt(problem, schedule, ax=axes[0][0])
    if panels == 2:
        resource_profile(problem, schedule, ax=axes[1][0])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
