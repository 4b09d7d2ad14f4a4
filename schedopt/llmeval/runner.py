"""Pose every instance of a generated directory to a model, verify, and record.

Resumable: each question is identified by its request key (model, base URL,
messages, parameters). A question with a stored verdict is skipped; an
answered question without a verdict (the run was killed in between) is served
from the response cache. Only questions whose answer never arrived are asked
again. No model output can crash the run: parsing and verification failures
are classified; endpoint failures are recorded as ``api_error`` (retried by
the next run).

A request that cannot even connect (:class:`~schedopt.llmeval.client.EndpointUnreachable`)
asked the model nothing, so it is *not* recorded as an answer (it would count
as an infeasible one); it is counted in :attr:`RunStats.unreachable`. After
``max_connect_failures`` of them in a row the run stops instead of going
through the whole ramp: :attr:`RunStats.stopped` says why, the answers already
stored are kept, and rerunning the same command resumes.
"""

from __future__ import annotations

import hashlib
import json
import threading
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
from .client import ChatClient, EndpointUnreachable, ModelError
from .models import HttpModel, Model, NotApplicable, OfflineModel, is_offline
from .parse import TaskIndex, parse_answer
from .prompts import build_messages, messages_hash
from .store import ResultsStore
from .verify import verify_parsed

MANIFEST = "manifest.json"
#: Connection failures in a row after which :func:`run` stops.
MAX_CONNECT_FAILURES = 5


@dataclass
class RunStats:
    """Counts of one run.

    Attributes
    ----------
    total
        Instances considered.
    skipped
        Instances with a stored verdict (not asked again).
    asked
        Instances sent to the model this run (including those that failed to connect).
    cached, feasible, not_applicable, api_errors
        Answers from the response cache, feasible answers, instances an offline model
        cannot answer, endpoint errors recorded as ``api_error``.
    unreachable
        Requests that could not connect (not recorded as answers).
    not_asked
        Instances left out because the run stopped.
    stopped
        Why the run stopped early (``None`` when it went through).
    first_error
        The first endpoint error message (secrets redacted), for diagnostics.
    """

    total: int = 0
    skipped: int = 0
    asked: int = 0
    cached: int = 0
    feasible: int = 0
    not_applicable: int = 0
    api_errors: int = 0
    unreachable: int = 0
    not_asked: int = 0
    stopped: str | None = None
    first_error: str | None = None
    outcomes: Counter = field(default_factory=Counter)

    @property
    def all_failed(self) -> bool:
        """True when requests were made and every one failed (no connection or an API error)."""
        answered = self.asked - self.unreachable - self.api_errors
        return self.asked > 0 and answered <= 0 and (self.unreachable + self.api_errors) > 0

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


def _one(
    model: Model, store: ResultsStore, entry: dict[str, Any], problem: Problem, errors: list[str]
) -> str:
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
    except EndpointUnreachable as exc:  # nothing was asked: no answer to record
        errors.append(str(exc))
        return "unreachable"
    except ModelError as exc:
        errors.append(str(exc))
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
    max_connect_failures: int | None = MAX_CONNECT_FAILURES,
) -> RunStats:
    """Ask ``model`` every instance listed in ``directory``'s manifest; record verdicts in ``store``.

    Parameters
    ----------
    directory
        A directory written by ``schedopt llmeval generate``.
    model
        An offline or HTTP model (:func:`make_model`).
    store
        The results file (response cache and verdicts).
    concurrency
        Questions in flight at once.
    limit
        Only the first ``limit`` instances.
    progress
        Called after each instance with ``(done, total, outcome)``.
    max_connect_failures
        Stop after this many requests in a row failed to connect (``None``: never stop).

    Returns
    -------
    RunStats
        The counts; ``stopped`` is set when the run stopped early.
    """
    if max_connect_failures is not None and max_connect_failures < 1:
        raise ValueError(f"max_connect_failures must be >= 1 or None, got {max_connect_failures}")
    entries = load_manifest(directory)[:limit]
    stats = RunStats(total=len(entries))
    directory = Path(directory)

    # Read in this thread, and load the method registry here: schedopt.io's lazy reader
    # registration and the registry's lazy method import are not thread-safe.
    problems = [read(directory / entry["file"]) for entry in entries]
    methods()

    lock = threading.Lock()
    errors: list[str] = []
    in_a_row = [0]
    stop = threading.Event()

    def task(item: tuple[dict[str, Any], Problem]) -> str:
        if stop.is_set():
            return "not_asked"
        outcome = _one(model, store, item[0], item[1], errors)
        with lock:
            if outcome == "unreachable":
                in_a_row[0] += 1
                if (
                    max_connect_failures is not None
                    and in_a_row[0] >= max_connect_failures
                    and not stop.is_set()
                ):
                    stats.stopped = (
                        f"stopped after {in_a_row[0]} requests in a row could not connect to {model.base_url}"
                    )
                    stop.set()
            elif outcome not in ("skipped", "not_asked"):
                in_a_row[0] = 0
        return outcome

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
    stats.unreachable = stats.outcomes["unreachable"]
    stats.not_asked = stats.outcomes["not_asked"]
    stats.asked = stats.total - stats.skipped - stats.cached - stats.not_applicable - stats.not_asked
    stats.feasible = stats.outcomes["feasible"]
    stats.first_error = errors[0] if errors else None
    return stats
