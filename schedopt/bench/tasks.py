"""Tasks: one (suite, instance, method, parameters, seed) run, and its execution.

:func:`execute` runs inside a worker process (see :mod:`schedopt.bench.sandbox`):
it calls :func:`schedopt.solve` like any user and hands the result to the
evaluator, which re-checks the schedule.
"""

from __future__ import annotations

import importlib
import json
import re
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import NotApplicableError, SolverError
from ..model import Problem
from ..registry import MethodSpec
from .evaluator import evaluate_run, failure_row
from .suites import SAMPLING_KEYS, Reference, Suite

#: Methods run on one thread unless told otherwise: parallelism comes from processes.
DEFAULT_THREADS = 1

#: A results key: (suite key, instance, method, params, seed); see :func:`suite_key`.
Key = tuple[str, str, str, str, int]


def suite_key(spec: str) -> str:
    """The suite part of a results key: a suite spec without its sampling keys.

    ``"psplib-j30:every=8,limit=3"`` -> ``"psplib-j30"``,
    ``"gen-smtt:count=5,n=8,limit=2"`` -> ``"gen-smtt:count=5,n=8"``. Sampling
    (``every``, ``start``, ``limit``) only chooses which instances run; a run
    is the same whichever sample it was part of, so widening a sample
    (``limit=3``, then ``limit=5``) resumes from the runs already stored.
    Names that are not a registered-suite spec (paths, globs) are returned unchanged.
    """
    name, sep, rest = spec.partition(":")
    if not sep or not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        return spec
    parts = [p.strip() for p in rest.split(",") if p.strip()]
    if not all(re.fullmatch(r"[^=\s]+\s*=.*", p) for p in parts):
        return spec
    kept = [p for p in parts if p.partition("=")[0].strip() not in SAMPLING_KEYS]
    return name if not kept else f"{name}:{','.join(kept)}"


@dataclass(frozen=True)
class MethodChoice:
    """A method name with its options, e.g. parsed from ``"cpsat[workers=2]"``."""

    name: str
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def options_dict(self) -> dict[str, Any]:
        return dict(self.options)


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one run (picklable)."""

    suite: str  # the suite key (sampling keys removed, see suite_key): part of the results key
    instance: str
    method: str
    params: str  # canonical JSON of options + time_limit: part of the key
    seed: int
    time_limit: float
    options: dict[str, Any]
    problem: Problem
    reference: Reference
    imports: tuple[str, ...] = field(default=())

    @property
    def key(self) -> Key:
        """The results key (``suite`` is already a :func:`suite_key`)."""
        return (self.suite, self.instance, self.method, self.params, self.seed)


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def parse_methods(methods: str | Sequence[str | tuple[str, dict[str, Any]]]) -> list[MethodChoice] | None:
    """Parse ``"m1,m2[key=value,...]"`` (or a list of names / ``(name, options)``).

    Returns ``None`` for ``"all"``: every method that applies to each instance.
    """
    if isinstance(methods, str):
        if methods.strip() == "all":
            return None
        items = [m.strip() for m in re.findall(r"[^,\[]+(?:\[[^\]]*\])?", methods) if m.strip(" ,")]
        methods = [m.strip(" ,") for m in items]
    out: list[MethodChoice] = []
    for m in methods:
        if isinstance(m, tuple):
            name, opts = m
            out.append(MethodChoice(name, tuple(sorted(opts.items()))))
            continue
        match = re.fullmatch(r"\s*([\w\-.]+)\s*(?:\[(.*)\])?\s*", m)
        if not match:
            raise ValueError(f"bad method spec {m!r}; use NAME or NAME[key=value,...]")
        opts: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in (match.group(2) or "").split(","))):
            k, eq, v = part.partition("=")
            if not eq:
                raise ValueError(f"method {m!r}: option {part!r} is not key=value")
            opts[k.strip()] = _value(v.strip())
        out.append(MethodChoice(match.group(1), tuple(sorted(opts.items()))))
    if not out:
        raise ValueError("no methods given")
    return out


def canonical_params(options: dict[str, Any], time_limit: float) -> str:
    """The parameters string of the results key: options and time limit as sorted JSON."""
    return json.dumps({**options, "time_limit": float(time_limit)}, sort_keys=True, separators=(",", ":"))


def _resolved_options(spec: MethodSpec, options: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Options with bench defaults (``workers=1`` for methods taking ``workers``) and the module to import."""
    name = spec.name
    opts = dict(options)
    if "workers" in spec.options() and "workers" not in opts:
        opts["workers"] = DEFAULT_THREADS
    module = spec.function.__module__
    if module == "__main__":
        raise ValueError(
            f"method {name!r} is defined in __main__; bench runs methods in worker processes, "
            "so define it in an importable module"
        )
    return opts, module


def build_tasks(
    suite: Suite,
    methods: list[MethodChoice] | None,
    time_limit: float,
    seeds: Iterable[int],
    options: dict[str, Any] | None = None,
) -> tuple[list[Task], int]:
    """All tasks of a benchmark, and how many (instance, method) pairs were skipped as not applicable."""
    from ..registry import get_method
    from ..registry import methods as applicable

    if time_limit is None or time_limit <= 0:
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit}")
    seeds = list(seeds)
    if methods is not None:
        for m in methods:
            get_method(m.name)  # unknown names fail before any run
    tasks: list[Task] = []
    skipped = 0
    cache: dict[tuple[str, tuple, str], tuple[dict[str, Any], str]] = {}
    for inst in suite.instances:
        problem = inst.load()
        chosen = methods if methods is not None else [MethodChoice(n) for n in applicable(problem)]
        for m in chosen:
            try:
                spec = get_method(m.name, problem)
            except NotApplicableError:
                skipped += 1
                continue
            ck = (m.name, m.options, spec.function.__module__)
            if ck not in cache:
                cache[ck] = _resolved_options(spec, {**(options or {}), **m.options_dict})
                spec.check_options(problem, cache[ck][0])  # a misspelt option fails before any run
            opts, module = cache[ck]
            params = canonical_params(opts, time_limit)
            for seed in seeds:
                tasks.append(
                    Task(
                        suite_key(suite.name),
                        inst.name,
                        m.name,
                        params,
                        int(seed),
                        float(time_limit),
                        opts,
                        problem,
                        inst.reference,
                        (module,),
                    )
                )
    return tasks, skipped


def execute(task: Task) -> dict[str, Any]:
    """Run one task in this process and return its results row (without key fields)."""
    from ..solve import solve

    for module in task.imports:
        importlib.import_module(module)
    t0 = time.perf_counter()
    try:
        result = solve(
            task.problem, method=task.method, time_limit=task.time_limit, seed=task.seed, **task.options
        )
    except SolverError as exc:
        row = failure_row("invalid", str(exc), task.reference)
        row["valid"] = 0
    except Exception as exc:  # the method's own bug or bad options: recorded, never raised
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__)
        row = failure_row("error", f"{type(exc).__name__}: {exc}\n{''.join(tb[-3:])}", task.reference)
    else:
        row = evaluate_run(task.problem, result, task.reference, task.time_limit)
    row["wall"] = time.perf_counter() - t0
    return row
