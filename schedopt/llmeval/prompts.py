"""System and user prompts for a feasibility question (synthetic or data-centre wording).

The prompt states every constraint of the :class:`schedopt.Problem` in words,
the execution semantics (half-open intervals ``[S, S + p)``, integer time) and
an explicit answer format: a JSON list of ``{"task": NAME, "start": INT}``.
R-ConstraintBench's exact prompts are not public; this wording is ours.
"""

from __future__ import annotations

import hashlib
import json

from ..model import NO_TIME, Problem

PROMPT_VERSION = 1

SYSTEM_PROMPT = (
    "You are an expert in project scheduling. You are given a scheduling problem and must return a "
    "schedule that satisfies every constraint. Time is measured in whole units starting at 0; a task "
    "that starts at time S and lasts D units occupies the half-open interval [S, S+D). "
    "Any feasible schedule is accepted; you do not need to finish early. "
    "End your reply with the schedule as a JSON list in the exact format requested."
)


def _amount(d: int, unit: str) -> str:
    """``"2 forklifts"``, ``"1 forklift"``."""
    return f"{d} {unit[:-1] if d == 1 and unit.endswith('s') else unit}"


def _uses(problem: Problem, j: int, units: list[str]) -> str:
    parts = [
        f"{_amount(int(problem.demand[j, k]), units[k])} from the {problem.resource_names[k]}"
        if units[k] != "units"
        else f"{problem.resource_names[k]}: {int(problem.demand[j, k])}"
        for k in range(problem.n_resources)
        if problem.demand[j, k] > 0
    ]
    return "; uses " + ", ".join(parts) if parts else "; uses no resource"


def user_prompt(problem: Problem) -> str:
    """The user message describing ``problem`` in its domain's words."""
    meta = problem.meta
    dc = meta.get("domain") == "datacenter"
    unit = str(meta.get("time_unit", "time units"))
    units = list(meta.get("resource_units") or ["units"] * problem.n_resources)
    equipment = list(meta.get("equipment") or [""] * len(problem.disjunctive))
    names = problem.names
    q = lambda j: f'"{names[int(j)]}"'  # noqa: E731
    lines: list[str] = []
    if dc:
        lines.append(
            "You are planning a data-centre migration. Times are in hours from the start of the "
            "migration window (hour 0). Schedule every task below so that all constraints hold."
        )
    else:
        lines.append("Schedule every task below so that all constraints hold.")
    lines += ["", f"Tasks ({problem.n_jobs}; duration in {unit}):"]
    for j in range(problem.n_jobs):
        lines.append(f"- {q(j)}: duration {int(problem.duration[j])}{_uses(problem, j, units)}")
    lines += ["", "Resources (capacity = amount available at every moment):"]
    for k in range(problem.n_resources):
        cap = int(problem.capacity[k])
        label = _amount(cap, units[k]) if units[k] != "units" else f"capacity {cap}"
        lines.append(f"- {problem.resource_names[k]}: {label}")
    if len(problem.downtime):
        lines += ["", "Maintenance windows (reduced availability):" if dc else "Resource downtime:"]
        for k, a, b, level in problem.downtime:
            lines.append(
                f"- {problem.resource_names[int(k)]}: only {int(level)} available during [{int(a)}, {int(b)})"
            )
    if len(problem.precedence):
        lines += ["", "Precedence (the first task must finish before the second starts):"]
        for i, j, _lag in problem.precedence:
            lines.append(f"- {q(i)} before {q(j)}")
    windowed = [j for j in range(problem.n_jobs) if problem.release[j] > 0 or problem.deadline[j] < NO_TIME]
    if windowed:
        lines += ["", "Time windows:"]
        for j in windowed:
            parts = []
            if problem.release[j] > 0:
                parts.append(f"start no earlier than {int(problem.release[j])}")
            if problem.deadline[j] < NO_TIME:
                parts.append(f"finish no later than {int(problem.deadline[j])}")
            lines.append(f"- {q(j)}: " + " and ".join(parts))
    if len(problem.disjunctive):
        lines += [
            "",
            "Tasks that share equipment and may not overlap:" if dc else "Tasks that may not overlap:",
        ]
        for e, (i, j) in enumerate(problem.disjunctive):
            extra = f" (both need {equipment[e]})" if dc and e < len(equipment) and equipment[e] else ""
            lines.append(f"- {q(i)} and {q(j)}{extra}")
    example = ", ".join(f'{{"task": "{names[j]}", "start": {s}}}' for j, s in zip(range(2), (0, 3)))
    lines += [
        "",
        "Rules:",
        "1. Every task starts at a whole number >= 0 and runs without interruption for its duration.",
        "2. A task starts at or after the end (start + duration) of each of its predecessors.",
        "3. At every moment t, the tasks running at t (start <= t < start + duration) use no more of a "
        "resource than is available at t.",
        "4. A task with a time window starts no earlier than its earliest start and ends (start + duration) "
        "no later than its deadline.",
        "5. Two tasks listed as not overlapping never run at the same moment.",
        "",
        f"Answer format: a JSON list with one object per task, using the exact task names, like [{example}].",
        f"Include all {problem.n_jobs} tasks. You may reason first, but end your reply with the JSON list.",
    ]
    return "\n".join(lines)


def build_messages(problem: Problem) -> list[dict[str, str]]:
    """The chat messages (system + user) for ``problem``."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user_prompt(problem)}]


def messages_hash(messages: list[dict[str, str]]) -> str:
    """SHA-256 of the canonical JSON of ``messages``."""
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()
