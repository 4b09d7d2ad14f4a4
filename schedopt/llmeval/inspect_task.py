"""Optional export of a generated directory as an inspect-ai task.

inspect-ai (``pip install inspect-ai``) is needed only when a task is built;
importing this module never requires it. With inspect-ai installed::

    inspect eval schedopt/llmeval/inspect_task.py@schedopt_feasibility \\
        -T directory=runs/ramp --model openai/gpt-4o-mini

Each instance becomes a ``Sample`` (system + user prompt of
:func:`~schedopt.llmeval.prompts.build_messages`; metadata: file, level,
variant, domain). The scorer parses the completion with
:func:`~schedopt.llmeval.parse.parse_answer` and judges it with
``schedopt.check`` (:func:`~schedopt.llmeval.verify.verify_parsed`); the score
is ``C`` when feasible, ``I`` otherwise, with the parse-failure class or the
violation counts in the score metadata. Metrics: accuracy, its standard
error, and accuracy grouped by level and by variant. inspect-ai then brings
its own providers, caching, retries and log viewer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..io import read
from .parse import TaskIndex, parse_answer
from .prompts import build_messages
from .runner import load_manifest
from .verify import verify_parsed


def _require() -> Any:
    try:
        import inspect_ai  # noqa: F401
    except ModuleNotFoundError:  # pragma: no cover - exercised only without the extra
        raise ImportError("the inspect-ai export needs inspect-ai: pip install inspect-ai") from None


def build_task(directory: str | Path, limit: int | None = None) -> Any:
    """An ``inspect_ai.Task`` over the instances of a generated ``directory``."""
    _require()
    from inspect_ai import Task
    from inspect_ai.dataset import MemoryDataset, Sample
    from inspect_ai.model import ChatMessageSystem, ChatMessageUser
    from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, accuracy, grouped, scorer, stderr
    from inspect_ai.solver import TaskState, generate

    directory = Path(directory)
    problems = {}
    samples = []
    for entry in load_manifest(directory)[:limit]:
        problem = read(directory / entry["file"])
        problems[problem.name] = problem
        system, user = build_messages(problem)
        samples.append(
            Sample(
                id=problem.name,
                input=[
                    ChatMessageSystem(content=system["content"]),
                    ChatMessageUser(content=user["content"]),
                ],
                target="feasible",
                metadata={
                    "file": entry["file"],
                    "level": problem.meta.get("level"),
                    "variant": problem.meta.get("variant"),
                    "domain": problem.meta.get("domain"),
                },
            )
        )

    by_level = grouped(accuracy(), "level", all=False, name_template="level {group_name}")
    by_variant = grouped(accuracy(), "variant", all=False, name_template="variant {group_name}")

    @scorer(metrics=[accuracy(), stderr(), by_level, by_variant])
    def schedopt_check() -> Any:
        async def score(state: TaskState, target: Target) -> Score:
            problem = problems[str(state.sample_id)]
            text = state.output.completion if state.output else ""
            verdict = verify_parsed(problem, parse_answer(text, TaskIndex(problem.names)))
            return Score(
                value=CORRECT if verdict.feasible else INCORRECT,
                answer=text[-2000:],
                explanation=verdict.detail or "feasible",
                metadata={"parse_error": verdict.parse_error, "violations": verdict.violations},
            )

        return score

    return Task(
        dataset=MemoryDataset(samples, name=directory.name), solver=generate(), scorer=schedopt_check()
    )


try:  # inspect-ai's decorator where installed; a no-op stand-in otherwise
    from inspect_ai import task
except ModuleNotFoundError:  # pragma: no cover - depends on the environment

    def task(fn: Any) -> Any:
        return fn


@task
def schedopt_feasibility(directory: str, limit: int | None = None) -> Any:
    """inspect-ai entry point: ``-T directory=DIR [-T limit=N]``."""
    return build_task(directory, limit=limit)
