"""Placement plans: what to do to a cluster to reach a schedule (binds, moves, evictions).

A schedule of a pods problem (:func:`.model.cluster`) says, per pod, the node it runs on
(``machine``) or ``-1`` (pending / evicted). Against the current placement
(``Problem.current_machine``) every pod is one of

* **bind**: pending now, placed by the schedule (``{"pod", "node"}``);
* **move**: running on one node, placed on another (``{"pod", "from", "to"}``; Kubernetes has no
  live migration: the pod is evicted and its controller's replacement is bound to ``to``);
* **eviction**: running, unplaced by the schedule (``{"pod", "from"}``);
* **stay**: running on the same node (not listed), or **pending**: pending and still unplaced.

The plan's ``summary`` holds the counts, the disruption ``evictions + 2 moves`` (the weights of
the ``placement`` objective, after Christensen et al. 2025), the placed and total pods per priority
tier from the highest priority down (the paper's comparison vector) and the requested share of
each node's allocatable resources after the plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ...check import check
from ...errors import ParseError, ScheduleError
from ...model import Problem
from ...schedule import Schedule


def _number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else float(x)


def _verified(problem: Problem, schedule: Schedule, verify: bool) -> np.ndarray:
    if schedule.n_jobs != problem.n_jobs:
        raise ScheduleError(f"the schedule has {schedule.n_jobs} pods, the problem {problem.n_jobs}")
    if verify:
        bad = check(problem, schedule)
        if bad:
            shown = "; ".join(str(v) for v in bad[:3])
            raise ScheduleError(
                f"the schedule is not feasible for this cluster ({len(bad)} violations): {shown}"
            )
    return np.where(schedule.start >= 0, schedule.machine, -1).astype(np.int64)


def tier_counts(problem: Problem, machine: np.ndarray) -> list[dict[str, Any]]:
    """``[{"priority", "placed", "total"}]`` per distinct priority, highest first."""
    out = []
    for p in sorted({float(x) for x in problem.priority}, reverse=True):
        jobs = problem.priority == p
        out.append(
            {"priority": _number(p), "placed": int((machine[jobs] >= 0).sum()), "total": int(jobs.sum())}
        )
    return out


def node_usage(problem: Problem, machine: np.ndarray) -> dict[str, dict[str, float]]:
    """Requested share of each node's allocatable, per resource (resources with capacity 0 omitted)."""
    used = np.zeros_like(problem.machine_capacity)
    placed = machine >= 0
    np.add.at(used, machine[placed], problem.machine_demand[placed])
    out = {}
    for m, node in enumerate(problem.machine_names):
        cap = problem.machine_capacity[m]
        out[node] = {
            r: round(float(used[m, k]) / float(cap[k]), 6)
            for k, r in enumerate(problem.machine_resource_names)
            if cap[k] > 0
        }
    return out


def placement_plan(problem: Problem, schedule: Schedule, *, verify: bool = True) -> dict[str, Any]:
    """The plan that takes the cluster from ``problem.current_machine`` to ``schedule``.

    Parameters
    ----------
    problem
        A pods problem (any problem with machines and a current placement works).
    schedule
        The target placement (unplaced pods: ``-1``).
    verify
        Refuse a schedule that :func:`schedopt.check` finds infeasible (over capacity, a filter,
        anti-affinity, a protected pod moved).

    Returns
    -------
    dict
        ``{"cluster", "binds", "moves", "evictions", "pending", "summary"}`` (JSON-serialisable).

    Raises
    ------
    ScheduleError
        A schedule of the wrong size, or (``verify``) an infeasible one.
    """
    machine = _verified(problem, schedule, verify)
    names, nodes = problem.names, problem.machine_names
    binds, moves, evictions, pending = [], [], [], []
    for j, (cur, new) in enumerate(zip(problem.current_machine.tolist(), machine.tolist())):
        if cur < 0 and new >= 0:
            binds.append({"pod": names[j], "node": nodes[new]})
        elif cur < 0:
            pending.append(names[j])
        elif new < 0:
            evictions.append({"pod": names[j], "from": nodes[cur]})
        elif new != cur:
            moves.append({"pod": names[j], "from": nodes[cur], "to": nodes[new]})
    placed = int((machine >= 0).sum())
    summary = {
        "pods": problem.n_jobs,
        "nodes": problem.n_machines,
        "placed": placed,
        "pending": problem.n_jobs - placed,
        "binds": len(binds),
        "moves": len(moves),
        "evictions": len(evictions),
        "stays": int(((problem.current_machine >= 0) & (machine == problem.current_machine)).sum()),
        "disruption": len(evictions) + 2 * len(moves),
        "placed_by_priority": tier_counts(problem, machine),
        "node_usage": node_usage(problem, machine),
    }
    return {
        "cluster": problem.name,
        "binds": binds,
        "moves": moves,
        "evictions": evictions,
        "pending": pending,
        "summary": summary,
    }


def write_plan(
    path: str | Path, problem: Problem, schedule: Schedule, *, verify: bool = True
) -> dict[str, Any]:
    """Write :func:`placement_plan` as JSON to ``path`` and return it."""
    plan = placement_plan(problem, schedule, verify=verify)
    Path(path).write_text(json.dumps(plan, indent=2) + "\n", encoding="utf-8")
    return plan


def read_plan(path: str | Path) -> dict[str, Any]:
    """A plan written by :func:`write_plan`.

    Raises
    ------
    ParseError
        Not JSON, or not a plan (one of ``binds``, ``moves``, ``evictions``, ``pending`` missing).
    """
    try:
        plan = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", path, exc.lineno) from None
    missing = [
        k for k in ("binds", "moves", "evictions", "pending") if not isinstance(plan, dict) or k not in plan
    ]
    if missing:
        raise ParseError(f"not a placement plan: no {', '.join(missing)}", path)
    return plan


def schedule_from_plan(problem: Problem, plan: dict[str, Any]) -> Schedule:
    """The schedule a plan leads to: the current placement with the plan applied.

    Raises
    ------
    ScheduleError
        The plan names a pod or node the problem does not have, or moves a pod from a node it is
        not on.
    """
    pod = {name: j for j, name in enumerate(problem.names)}
    node = {name: m for m, name in enumerate(problem.machine_names)}

    def look(table: dict[str, int], key: Any, what: str) -> int:
        if key not in table:
            raise ScheduleError(f"plan: {what} {key!r} is not in the cluster")
        return table[key]

    machine = problem.current_machine.copy()
    for b in plan.get("binds", []):
        machine[look(pod, b["pod"], "pod")] = look(node, b["node"], "node")
    for kind, entries in (("move", plan.get("moves", [])), ("eviction", plan.get("evictions", []))):
        for e in entries:
            j = look(pod, e["pod"], "pod")
            if machine[j] != look(node, e["from"], "node"):
                raise ScheduleError(
                    f"plan: {kind} of pod {e['pod']!r} from {e['from']!r}, where it does not run"
                )
            machine[j] = look(node, e["to"], "node") if kind == "move" else -1
    start = np.where(machine >= 0, 0, -1)
    return Schedule(start, np.where(machine >= 0, 1, -1), machine)


def evaluate(problem: Problem, schedule: Schedule) -> dict[str, int | float]:
    """Family metrics for ``schedopt bench``: counts of the plan and placed pods per priority tier
    (``placed_p<priority>``), with ``max_cpu_usage``/``mean_cpu_usage`` over nodes."""
    plan = placement_plan(problem, schedule, verify=False)
    s = plan["summary"]
    out: dict[str, int | float] = {
        k: s[k] for k in ("placed", "pending", "binds", "moves", "evictions", "disruption")
    }
    for tier in s["placed_by_priority"]:
        out[f"placed_p{tier['priority']}"] = tier["placed"]
    cpu = [u["cpu"] for u in s["node_usage"].values() if "cpu" in u]
    if cpu:
        out["max_cpu_usage"] = max(cpu)
        out["mean_cpu_usage"] = round(sum(cpu) / len(cpu), 6)
    return out


__all__ = [
    "evaluate",
    "node_usage",
    "placement_plan",
    "read_plan",
    "schedule_from_plan",
    "tier_counts",
    "write_plan",
]
