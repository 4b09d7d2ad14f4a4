"""The method registry: name -> (applies?, run).

A method is a function ``run(problem, *, time_limit, seed, **options)``
returning a :class:`MethodOutput`. It registers itself with
:func:`register_method`; :func:`schedopt.solve` does the common work
(timing, checking, bounds, gap) once for all methods.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import Problem
from .schedule import Schedule


@dataclass
class MethodOutput:
    """What a method hands back to :func:`schedopt.solve`.

    Attributes
    ----------
    status
        ``"optimal"`` only when proven; ``"feasible"`` when a schedule was found;
        ``"infeasible"`` only when proven; else ``"unknown"``.
    schedule
        The best schedule, or ``None``.
    bound
        A valid lower bound on the optimum, or ``None``.
    info
        Free-form details.
    """

    status: str
    schedule: Schedule | None = None
    bound: int | None = None
    info: dict[str, Any] = field(default_factory=dict)


MethodRun = Callable[..., MethodOutput]


@dataclass(frozen=True)
class MethodSpec:
    """A registered method."""

    name: str
    run: MethodRun
    applies: Callable[[Problem], bool]
    exact: bool
    description: str
    priority: int  # higher wins for method="auto"


# name -> implementations, newest first: two families may register the same name
# (``"mip"`` for RCPSP and for 1||ΣwjTj); a problem gets the first one that applies.
_REGISTRY: dict[str, list[MethodSpec]] = {}


def register_method(
    name: str,
    *,
    applies: Callable[[Problem], bool],
    exact: bool,
    description: str = "",
    priority: int = 0,
) -> Callable[[MethodRun], MethodRun]:
    """Register ``run`` under ``name``.

    Several families may register the same name; :func:`get_method` picks,
    for a given problem, the most recent registration whose ``applies``
    accepts it. Registering the same function again replaces it.

    Parameters
    ----------
    name
        The ``method=`` string.
    applies
        Predicate: does the method handle this problem?
    exact
        ``True`` when the method can prove optimality and report bounds.
    description
        One line for :func:`schedopt.methods` and the CLI.
    priority
        Preference of ``method="auto"`` among applicable methods.
    """

    def deco(run: MethodRun) -> MethodRun:
        spec = MethodSpec(
            name, run, applies, exact, description or (run.__doc__ or "").strip().split("\n")[0], priority
        )
        key = (run.__module__, run.__qualname__)
        impls = [s for s in _REGISTRY.get(name, []) if (s.run.__module__, s.run.__qualname__) != key]
        _REGISTRY[name] = [spec, *impls]
        return run

    return deco


def get_method(name: str, problem: Problem | None = None) -> MethodSpec:
    """The implementation of ``name`` for ``problem`` (the newest one if none applies or no problem)."""
    _load_builtin_methods()
    impls = _REGISTRY.get(name)
    if not impls:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown method {name!r}; known methods: {known}")
    if problem is not None:
        for spec in impls:
            if spec.applies(problem):
                return spec
    return impls[0]


def all_methods() -> dict[str, list[MethodSpec]]:
    """Every registered name and its implementations (newest first)."""
    _load_builtin_methods()
    return {name: list(impls) for name, impls in _REGISTRY.items()}


def methods(problem: Problem | None = None) -> list[str]:
    """Names of the registered methods that apply to ``problem`` (all if ``None``).

    Sorted by preference for ``method="auto"`` (priority, then name).
    """
    _load_builtin_methods()
    ranked = []
    for name, impls in _REGISTRY.items():
        usable = [s for s in impls if problem is None or s.applies(problem)]
        if usable:
            ranked.append((-max(s.priority for s in usable), name))
    return [name for _, name in sorted(ranked)]


@dataclass(frozen=True)
class WarmUp:
    """Methods whose numba kernels compile on first call, and a tiny problem that exercises them."""

    family: str
    make_problem: Callable[[], Problem]
    methods: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]


_WARMUPS: dict[str, WarmUp] = {}


def register_warmup(
    family: str, make_problem: Callable[[], Problem], methods: dict[str, dict[str, Any]]
) -> None:
    """Declare which methods of ``family`` compile numba kernels, and how to exercise them.

    Parameters
    ----------
    family
        A name for reports (one registration per family; a new one replaces it).
    make_problem
        Builds a tiny problem on which every listed method runs all its kernels.
    methods
        ``{method name: options}``; options keep the call short (e.g. a small
        schedule budget) without skipping any kernel.
    """
    items = tuple((name, tuple(sorted(opts.items()))) for name, opts in methods.items())
    _WARMUPS[family] = WarmUp(family, make_problem, items)


def warm_up(families: Iterable[str] | None = None) -> dict[str, float]:
    """Compile every registered numba kernel, or load it from numba's on-disk cache.

    numba compiles a kernel on its first call (seconds to tens of seconds on a
    fresh install; cached on disk afterwards, ``cache=True``). Benchmark
    runners call this before timing anything so compilation is never charged
    to a run. ``families`` limits it to the warm-ups registered under those
    names (e.g. ``("rcpsp", "rcpsp-plain")``); an unknown name is an error.
    Returns the seconds spent per ``"family:method"``.
    """
    import time

    from .solve import solve

    _load_builtin_methods()
    chosen = list(_WARMUPS.values())
    if families is not None:
        wanted = [families] if isinstance(families, str) else list(families)
        unknown = sorted(set(wanted) - set(_WARMUPS))
        if unknown:
            raise ValueError(f"no warm-up registered for {unknown}; known: {sorted(_WARMUPS)}")
        chosen = [w for w in chosen if w.family in wanted]
    spent: dict[str, float] = {}
    for w in chosen:
        problem = w.make_problem()
        for name, opts in w.methods:
            t0 = time.perf_counter()
            solve(problem, method=name, **dict(opts))
            spent[f"{w.family}:{name}"] = time.perf_counter() - t0
    return spent


_LOADED = False
_LOAD_LOCK = threading.RLock()


def _load_builtin_methods() -> None:
    """Import the modules that register schedopt's own methods (once; thread-safe)."""
    global _LOADED
    if _LOADED:
        return
    with _LOAD_LOCK:
        if _LOADED:
            return
        from . import families  # noqa: F401  (registers family methods)
        from .exact import cpsat  # noqa: F401

        _LOADED = True
