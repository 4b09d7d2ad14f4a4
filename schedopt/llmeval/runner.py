"""Pose every instance of a generated directory to a model, verify, and record.

Resumable: each question is identified by its request key (model, base URL,
messages, parameters). A question with a stored verdict is skipped; an
answered question without a verdict (the run was killed in between) is served
from the response cache. Only questions whose answer never arrived are asked
again. No model output can crash the run: parsing and verification failures
are classified; endpoint failures are recorded as ``api_error`` (retried by
the next run).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..io import read
from ..model import Problem
from ..registry import methods
from .client import ChatClient, ModelError
from .models import HttpModel, Model, NotApplicable, OfflineModel, is_offline
from .parse import TaskIndex, parse_answer
from .prompts import build_messages, messages_hash
from .store import ResultsStore
from .verify import verify_parsed

MANIFEST = "manifest.json"


@dataclass
class RunStats:
    """Counts of one run."""

    total: int = 0
    skipped: int = 0
    asked: int = 0
    cached: int = 0
    feasible: int = 0
    not_applicable: int = 0
    api_errors: int = 0
    outcomes: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["outcomes"] = dict(self.outcomes)
        return d


def load_manifest(directory: str | Path) -> list[dict[str, Any]]:
    """The instance entries of a generated directory's ``manifest.json``."""
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: generate instances with 'schedopt llmeval generate'")
    data = json.loads(path.read_text())
    return list(data["instances"])


def make_model(
    name: str,
    base_url: str | None = None,
    api_key_env: str | None = None,
    store: ResultsStore | None = None,
    concurrency: int = 4,
    seed: int = 0,
    **client_options: Any,
) -> Model:
    """A built-in offline model, or ``name`` served by the endpoint at ``base_url``."""
    if base_url is None:
        if not is_offline(name):
            raise ValueError(
                f"model {name!r} is not built in (heuristic, naive, corrupt[:TYPE], garbage): pass --base-url"
            )
        return OfflineModel(name, seed=seed)
    client = ChatClient(
        name,
        base_url,
        api_key_env=api_key_env,
        store=store,
        concurrency=concurrency,
        seed=seed,
        **client_options,
    )
    return HttpModel(client)


def _one(model: Model, store: ResultsStore, entry: dict[str, Any], problem: Problem) -> str:
    messages = build_messages(problem)
    # Identical questions (e.g. a variant whose axis drew no constraint) share one cached
    # response but get one sample row each.
    key = hashlib.sha256(f"{model.key(messages)}|{problem.name}".encode()).hexdigest()
    if store.has_sample(key):
        return "skipped"
    meta = problem.meta
    row: dict[str, Any] = {
        "key": key,
        "model": model.name,
        "base_url": model.base_url,
        "instance": problem.name,
        "path": entry.get("file"),
        "domain": meta.get("domain"),
        "variant": meta.get("variant"),
        "level": meta.get("level"),
        "idx": meta.get("index"),
        "n_tasks": problem.n_jobs,
        "prompt_hash": messages_hash(messages),
        "created": time.time(),
    }
    try:
        completion = model.complete(messages, problem)
    except NotApplicable:
        return "not_applicable"
    except ModelError as exc:
        row.update(feasible=0, parse_error="api_error", violations={}, detail=str(exc)[:500], content=None)
        store.put_sample(row)
        return "api_error"
    parsed = parse_answer(completion.content, TaskIndex(problem.names))
    verdict = verify_parsed(problem, parsed)
    row.update(
        content=completion.content,
        feasible=int(verdict.feasible),
        parse_error=verdict.parse_error,
        violations=verdict.violations,
        first_violation=verdict.first_violation,
        detail=verdict.detail[:500],
        starts=None if verdict.starts is None else verdict.starts.tolist(),
        latency=completion.latency,
        cached=int(completion.cached),
        attempts=completion.attempts,
        finish_reason=completion.finish_reason,
        usage=completion.usage,
    )
    store.put_sample(row)
    if completion.cached:
        return "cached"
    return "feasible" if verdict.feasible else "infeasible"


def run(
    directory: str | Path,
    model: Model,
    store: ResultsStore,
    concurrency: int = 4,
    limit: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> RunStats:
    """Ask ``model`` every instance listed in ``directory``'s manifest; record verdicts in ``store``."""
    entries = load_manifest(directory)[:limit]
    stats = RunStats(total=len(entries))
    directory = Path(directory)

    # Read in this thread, and load the method registry here: schedopt.io's lazy reader
    # registration and the registry's lazy method import are not thread-safe.
    problems = [read(directory / entry["file"]) for entry in entries]
    methods()

    def task(item: tuple[dict[str, Any], Problem]) -> str:
        return _one(model, store, item[0], item[1])

    done = 0
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for outcome in pool.map(task, zip(entries, problems)):
            done += 1
            stats.outcomes[outcome] += 1
            if progress is not None:
                progress(done, len(entries), outcome)
    stats.skipped = stats.outcomes["skipped"]
    stats.cached = stats.outcomes["cached"]
    stats.not_applicable = stats.outcomes["not_applicable"]
    stats.api_errors = stats.outcomes["api_error"]
    stats.asked = stats.total - stats.skipped - stats.cached - stats.not_applicable
    stats.feasible = stats.outcomes["feasible"]
    return stats
