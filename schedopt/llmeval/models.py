"""Models: built-in offline baselines and the HTTP chat model.

Offline models read the :class:`schedopt.Problem` directly (they are
instruments, not contestants) and answer with *text*, so the parser and the
verifier are exercised exactly as for a real model:

``heuristic``
    A schedopt solver: ``method="sgs"`` when that method applies, falling back to
    ``"cpsat"`` (one worker) when it does not or finds no schedule. Every answer is
    feasible, so it must score 100% (an end-to-end check of generator, prompt,
    parser and verifier).
``naive``
    Earliest starts from precedence alone (longest path from time 0): ignores
    resources, downtime, time windows and disjunctive pairs.
``corrupt[:TYPE]``
    The instance's witness with exactly one injected violation of ``TYPE``
    (``precedence``, ``resource``, ``downtime``, ``window`` or ``disjunctive``):
    a single task is moved so that :func:`schedopt.check` reports that type and
    no other. Plain ``corrupt`` picks a type that the instance admits, seeded by
    the instance name. Raises :class:`NotApplicable` when no single move yields
    the type (e.g. ``downtime`` on an instance without downtime).
``garbage``
    One of :data:`GARBAGE_KINDS` malformed answers (chosen by the instance name),
    each designed to trigger one parse-failure class.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from ..check import check
from ..model import Problem
from ..registry import methods
from ..schedule import Schedule
from ..solve import solve
from .client import ChatClient, Completion
from .store import request_key
from .verify import KIND_TO_TYPE, VIOLATION_TYPES

OFFLINE_MODELS: tuple[str, ...] = ("heuristic", "naive", "corrupt", "garbage")
CORRUPT_TYPES: tuple[str, ...] = VIOLATION_TYPES

#: garbage kind -> the parse-failure class it must produce.
GARBAGE_KINDS: dict[str, str] = {
    "prose": "no_json",
    "truncated": "bad_json",
    "object": "wrong_shape",
    "unknown": "unknown_task",
    "duplicate": "duplicate_task",
    "fraction": "non_integer_start",
    "negative": "negative_start",
    "huge": "start_out_of_range",
    "missing": "missing_task",
    "empty": "empty",
}


class NotApplicable(Exception):
    """An offline model cannot produce its kind of answer for this instance."""


def _stable_int(*key: Any) -> int:
    return int.from_bytes(hashlib.sha256(repr(key).encode()).digest()[:8], "little")


def answer_text(problem: Problem, starts: np.ndarray | list[int]) -> str:
    """Format start times in the requested answer format."""
    return json.dumps([{"task": n, "start": int(s)} for n, s in zip(problem.names, starts)])


def heuristic_starts(problem: Problem, seed: int = 0) -> np.ndarray:
    """A feasible schedule from a schedopt solver (sgs when available, else cpsat)."""
    result = None
    if "sgs" in methods(problem):
        try:
            result = solve(problem, method="sgs", time_limit=10.0, seed=seed)
        except (ValueError, RuntimeError):  # e.g. an sgs that rejects deadlines: fall back to CP-SAT
            result = None
    if result is None or result.schedule is None:
        result = solve(problem, method="cpsat", time_limit=60.0, seed=seed, workers=1)
    if result.schedule is None:
        raise NotApplicable(f"no solver found a schedule for {problem.name} ({result.status})")
    return np.asarray(result.schedule.start, dtype=np.int64)


def naive_starts(problem: Problem) -> np.ndarray:
    """Earliest starts under precedence only (time 0 for sources)."""
    g = problem.graph()
    start = np.zeros(problem.n_jobs, np.int64)
    for j in nx.topological_sort(g):
        for i in g.predecessors(j):
            start[j] = max(start[j], start[i] + problem.duration[i])
    return start


def corrupt_starts(problem: Problem, kind: str, base: np.ndarray, seed: int = 0) -> np.ndarray:
    """Move one task of the feasible ``base`` so that the checker reports exactly ``kind``.

    Candidate moves (task, new start) are tried in a seeded random order over
    starts ``0 .. makespan + max duration``; the first move whose check reports
    exactly one violation, of type ``kind``, wins; failing that, the first whose
    violations are all of type ``kind`` (e.g. two separate overloads).
    """
    if kind not in CORRUPT_TYPES:
        raise ValueError(f"unknown violation type {kind!r}; choose from {', '.join(CORRUPT_TYPES)}")
    rng = np.random.default_rng(seed)
    horizon = int((base + problem.duration).max()) + int(problem.duration.max()) + 1
    moves = [(j, t) for j in range(problem.n_jobs) for t in range(horizon + 1) if t != base[j]]
    if kind == "window":  # only tasks with a window can break one
        wins = set(np.flatnonzero((problem.release > 0) | (problem.deadline < 1 << 50)).tolist())
        moves = [m for m in moves if m[0] in wins]
    elif kind == "disjunctive":
        paired = set(problem.disjunctive.ravel().tolist())
        moves = [m for m in moves if m[0] in paired]
    elif kind == "downtime" and not len(problem.downtime):
        moves = []
    fallback = None
    for idx in rng.permutation(len(moves)):
        j, t = moves[int(idx)]
        trial = base.copy()
        trial[j] = t
        found = check(problem, Schedule(trial, trial + problem.duration))
        if {KIND_TO_TYPE[v.kind] for v in found} == {kind}:
            if len(found) == 1:
                return trial
            if fallback is None:
                fallback = trial
    if fallback is not None:
        return fallback
    raise NotApplicable(f"no single move gives exactly a {kind} violation in {problem.name}")


def _garbage(problem: Problem, kind: str, base: np.ndarray) -> str:
    names = problem.names
    good = [{"task": n, "start": int(s)} for n, s in zip(names, base)]
    if kind == "prose":
        return "I would start with the tasks that have no predecessors and then continue step by step."
    if kind == "truncated":
        text = json.dumps(good)
        return "Here is the schedule:\n```json\n" + text[: max(2, len(text) // 2)]
    if kind == "object":
        return json.dumps({"makespan": 42, "feasible": True, "notes": ["see above"]})
    if kind == "unknown":
        return json.dumps([*good, {"task": "Z-99 (not a task)", "start": 0}])
    if kind == "duplicate":
        return json.dumps([*good, {"task": names[0], "start": int(base[0]) + 1}])
    if kind == "fraction":
        good[0]["start"] = int(base[0]) + 0.5
        return json.dumps(good)
    if kind == "negative":
        good[-1]["start"] = -3
        return json.dumps(good)
    if kind == "huge":
        good[0]["start"] = 10**30
        return json.dumps(good)
    if kind == "missing":
        return json.dumps(good[: max(0, len(good) - 2)])
    if kind == "empty":
        return ""
    raise ValueError(f"unknown garbage kind {kind!r}")


@dataclass
class OfflineModel:
    """A built-in model answering from the problem itself (see the module docstring)."""

    name: str
    seed: int = 0

    def __post_init__(self) -> None:
        base, _, arg = self.name.partition(":")
        if base not in OFFLINE_MODELS:
            raise ValueError(f"unknown offline model {self.name!r}; built-in: {', '.join(OFFLINE_MODELS)}")
        if base == "corrupt" and arg and arg not in CORRUPT_TYPES:
            raise ValueError(f"corrupt:{arg}: unknown violation type; choose from {', '.join(CORRUPT_TYPES)}")
        if base == "garbage" and arg and arg not in GARBAGE_KINDS:
            raise ValueError(f"garbage:{arg}: unknown kind; choose from {', '.join(GARBAGE_KINDS)}")
        if base in ("heuristic", "naive") and arg:
            raise ValueError(f"model {base!r} takes no argument")
        self.base, self.arg = base, arg
        self.base_url = "offline"

    def key(self, messages: list[dict[str, str]]) -> str:
        return request_key(self.name, self.base_url, messages, {"seed": self.seed})

    def _witness(self, problem: Problem) -> np.ndarray:
        w = problem.meta.get("witness")
        if w is not None and len(w) == problem.n_jobs:
            return np.asarray(w, dtype=np.int64)
        return heuristic_starts(problem, self.seed)

    def answer(self, problem: Problem) -> str:
        """The answer text for ``problem``."""
        h = _stable_int(problem.name, self.seed)
        if self.base == "heuristic":
            return answer_text(problem, heuristic_starts(problem, self.seed))
        if self.base == "naive":
            return answer_text(problem, naive_starts(problem))
        if self.base == "garbage":
            kinds = list(GARBAGE_KINDS)
            return _garbage(problem, self.arg or kinds[h % len(kinds)], self._witness(problem))
        base = self._witness(problem)
        if self.arg:
            return answer_text(problem, corrupt_starts(problem, self.arg, base, seed=h))
        order = list(CORRUPT_TYPES)
        shift = h % len(order)
        for kind in order[shift:] + order[:shift]:
            try:
                return answer_text(problem, corrupt_starts(problem, kind, base, seed=h))
            except NotApplicable:
                continue
        raise NotApplicable(f"no violation type can be injected into {problem.name}")

    def complete(self, messages: list[dict[str, str]], problem: Problem) -> Completion:
        return Completion(content=self.answer(problem), key=self.key(messages))


@dataclass
class HttpModel:
    """A model behind an OpenAI-compatible endpoint (wraps :class:`ChatClient`)."""

    client: ChatClient

    @property
    def name(self) -> str:
        return self.client.model

    @property
    def base_url(self) -> str:
        return self.client.base_url

    def key(self, messages: list[dict[str, str]]) -> str:
        return self.client.key(messages)

    def complete(self, messages: list[dict[str, str]], problem: Problem) -> Completion:
        return self.client.complete(messages)


Model = OfflineModel | HttpModel
ModelFactory = Callable[[], Model]


def is_offline(name: str) -> bool:
    """True when ``name`` names a built-in offline model (optionally with ``:ARG``)."""
    return name.partition(":")[0] in OFFLINE_MODELS
