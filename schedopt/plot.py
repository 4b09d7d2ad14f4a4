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


def _lanes(start: np.ndarray, end: np.ndarray, jobs: np.ndarray) -> dict[int, int]:
    """Lane of each job so that jobs in one lane do not overlap (greedy, by start time)."""
    lane_end: list[int] = []
    out: dict[int, int] = {}
    for j in jobs[np.lexsort((jobs, start[jobs]))]:
        s, e = int(start[j]), int(end[j])
        free = next((i for i, t in enumerate(lane_end) if t <= s), None)
        if free is None:
            free = len(lane_end)
            lane_end.append(e)
        else:
            lane_end[free] = e
        out[int(j)] = free
    return out


def _typed_rows(problem: Problem) -> bool:
    """True when machine rows should show their type: named types (not the default ``type0``, ...)
    that the machine names do not already carry (``gpu0`` of type ``gpu``)."""
    names = problem.type_names
    if not problem.has_machines or names == tuple(f"type{t}" for t in range(len(names))):
        return False
    return any(
        names[int(t)] not in str(m) for m, t in zip(problem.machine_names, problem.machine_type, strict=True)
    )


def gantt(
    problem: Problem,
    schedule: Schedule,
    ax: Any = None,
    label_jobs: bool | None = None,
    by_type: bool | None = None,
) -> Any:
    """Draw a Gantt chart: one row per machine when jobs have machines, else one per job.

    Zero-duration jobs are drawn as diamonds; deadlines as red ticks. On
    cumulative machines (``machine_capacity``) jobs running at once are stacked
    in lanes inside the machine's row. Unplaced optional jobs are listed under
    the chart (and counted in the title).

    With ``by_type`` (default: when the machine types have names, e.g. GPU
    types, that the machine names do not already carry) the machine rows are
    grouped by type (in the order of the types, machines in index order), each
    labelled ``"<machine> · <type>"``, with the label and a light band behind
    the row in the type's colour, and a legend of the types.

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
    by_type = by_machine and (_typed_rows(problem) if by_type is None else bool(by_type))
    # y position of each machine's row: grouped by type when by_type, else the machine index
    ypos = np.arange(max(rows, 1))
    if by_type:
        ypos[np.argsort(problem.machine_type, kind="stable")] = np.arange(problem.n_machines)
    lane: dict[int, int] = {}
    n_lanes = np.ones(max(rows, 1), np.int64)
    if by_machine and problem.cumulative_machines:
        busy = (schedule.start >= 0) & (schedule.end > schedule.start)
        for m in range(problem.n_machines):
            here = _lanes(schedule.start, schedule.end, np.flatnonzero(busy & (schedule.machine == m)))
            lane.update(here)
            n_lanes[m] = max(here.values(), default=0) + 1
    for j in range(n):
        if schedule.start[j] < 0:
            continue
        row = int(ypos[schedule.machine[j]]) if by_machine else j
        s, e = int(schedule.start[j]), int(schedule.end[j])
        if e > s:
            height = 0.8 / n_lanes[int(schedule.machine[j])] if by_machine else 0.7
            y = row - 0.4 + height * (lane.get(j, 0) + 0.5) if j in lane else row
            ax.barh(
                y,
                e - s,
                left=s,
                height=height * (0.9 if j in lane else 1),
                color=cmap(j % 20),
                edgecolor="black",
                linewidth=0.4,
            )
            if label_jobs:
                ax.text((s + e) / 2, y, problem.names[j], ha="center", va="center", fontsize=7)
        else:
            ax.plot([s], [row], marker="D", color="grey", markersize=4)
        if not by_machine and problem.deadline[j] < (1 << 50):
            ax.plot([problem.deadline[j]], [row], marker="|", color="red", markersize=10)
    if by_type:
        from matplotlib.patches import Patch

        colours = plt.get_cmap("tab10")
        order = np.argsort(ypos[:rows], kind="stable")
        labels = [
            f"{problem.machine_names[m]} · {problem.type_names[problem.machine_type[m]]}" for m in order
        ]
        ax.set_yticks(range(rows), labels)
        for tick, m in zip(ax.get_yticklabels(), order, strict=True):
            tick.set_color(colours(int(problem.machine_type[m]) % 10))
        for m in range(rows):
            ax.axhspan(
                ypos[m] - 0.5, ypos[m] + 0.5, color=colours(int(problem.machine_type[m]) % 10), alpha=0.08
            )
        used = sorted({int(t) for t in problem.machine_type})
        handles = [Patch(color=colours(t % 10), alpha=0.4, label=problem.type_names[t]) for t in used]
        ax.legend(handles=handles, title="type", fontsize=7, loc="upper right")
        ax.set_ylabel("machine · type")
    elif by_machine:
        ax.set_yticks(range(rows), problem.machine_names)
        ax.set_ylabel("machine")
    else:
        if label_jobs:
            ax.set_yticks(range(n), problem.names)
        ax.set_ylabel("job")
    ax.invert_yaxis()
    ax.set_xlabel("time")
    title = f"{problem.name or 'schedule'}: makespan {schedule.makespan}"
    unplaced = [j for j in range(n) if schedule.start[j] < 0]
    if unplaced:
        title += f", {len(unplaced)} unplaced"
        shown = ", ".join(problem.names[j] for j in unplaced[:30]) + (" ..." if len(unplaced) > 30 else "")
        ax.text(0.0, -0.12, f"unplaced: {shown}", transform=ax.transAxes, fontsize=7, va="top")
    ax.set_title(title)
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


def machine_usage_profile(
    problem: Problem, schedule: Schedule, machine: int, resource: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step functions of usage and capacity of machine resource ``resource`` on ``machine``.

    Returns
    -------
    times, usage, capacity
        ``usage[i]`` (the summed ``machine_demand`` of the jobs running on the
        machine) and ``capacity[i]`` (constant ``machine_capacity[machine, resource]``)
        hold on ``[times[i], times[i+1])``.
    """
    k = resource
    on = (
        (schedule.start >= 0)
        & (schedule.end > schedule.start)
        & (schedule.machine == machine)
        & (problem.machine_demand[:, k] > 0)
    )
    times = np.unique(np.concatenate([[0], schedule.start[on], schedule.end[on], [schedule.makespan]]))
    running = (schedule.start[on][None, :] <= times[:, None]) & (times[:, None] < schedule.end[on][None, :])
    usage = running.astype(np.int64) @ problem.machine_demand[on, k]
    cap = np.full(times.shape, problem.machine_capacity[machine, k], dtype=np.int64)
    return times, usage, cap


def resource_profile(
    problem: Problem,
    schedule: Schedule,
    resource: int | None = None,
    ax: Any = None,
    machine: int | None = None,
) -> Any:
    """Draw resource usage over time against capacity (downtime included).

    With ``resource=None`` all resources are drawn on one axes, each with its
    own colour; capacity is dashed. With ``machine=m`` the machine resources of
    machine ``m`` (``machine_capacity``, ``machine_demand``) are drawn instead
    of the renewable resources.
    """
    ax = _axes(ax)
    import matplotlib.pyplot as plt

    if machine is None:
        count, names, title = problem.n_resources, problem.resource_names, "resource usage"
    else:
        count, names = problem.n_machine_resources, problem.machine_resource_names
        title = f"machine {problem.machine_names[machine]!r}: resource usage"
    ks = range(count) if resource is None else [resource]
    cmap = plt.get_cmap("tab10")
    for k in ks:
        if machine is None:
            times, usage, cap = usage_profile(problem, schedule, k)
        else:
            times, usage, cap = machine_usage_profile(problem, schedule, machine, k)
        color = cmap(k % 10)
        ax.step(times, usage, where="post", color=color, label=f"{names[k]} usage")
        ax.step(
            times, cap, where="post", color=color, linestyle="--", alpha=0.7, label=f"{names[k]} capacity"
        )
    ax.set_xlabel("time")
    ax.set_ylabel("units")
    ax.set_title(title)
    if count:
        ax.legend(fontsize=7, ncol=2)
    return ax


def machine_load(problem: Problem, schedule: Schedule, ax: Any = None) -> Any:
    """Draw the peak load of every machine resource on every cumulative machine, in % of capacity.

    One group of bars per machine, one bar per machine resource:
    ``100 * max_t usage_mk(t) / machine_capacity[m, k]``.
    """
    ax = _axes(ax)
    q, n_mach = problem.n_machine_resources, problem.n_machines
    width = 0.8 / max(q, 1)
    for k in range(q):
        peaks = []
        for m in range(n_mach):
            _, usage, cap = machine_usage_profile(problem, schedule, m, k)
            peaks.append(100.0 * usage.max(initial=0) / cap[0] if cap[0] else 0.0)
        ax.bar(
            np.arange(n_mach) - 0.4 + width * (k + 0.5), peaks, width, label=problem.machine_resource_names[k]
        )
    ax.set_xticks(range(n_mach), problem.machine_names)
    ax.set_ylabel("peak usage (% of capacity)")
    ax.set_title("machine load")
    if q:
        ax.legend(fontsize=7)
    return ax


def save_schedule_figure(problem: Problem, schedule: Schedule, path: str | Path) -> None:
    """Write a Gantt chart to ``path``, with the resource profile and the machine load if present.

    The resource profile is drawn when there are renewable resources, the machine
    load (:func:`machine_load`) when machines are cumulative.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    panels = 1 + bool(problem.n_resources) + problem.cumulative_machines
    fig, axes = plt.subplots(panels, 1, figsize=(11, 4 * panels), squeeze=False)
    gantt(problem, schedule, ax=axes[0][0])
    if problem.n_resources:
        resource_profile(problem, schedule, ax=axes[1][0])
    if problem.cumulative_machines:
        machine_load(problem, schedule, ax=axes[-1][0])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
