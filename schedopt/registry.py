"""The method registry: name -> (applies?, run).

A method is a function ``run(problem, *, time_limit, seed, **options)``
returning a :class:`MethodOutput`. It registers itself with
:func:`register_method`; :func:`schedopt.solve` does the common work
(timing, checking, bounds, gap) once for all methods.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
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


_REGISTRY: dict[str, MethodSpec] = {}


def register_method(
    name: str,
    *,
    applies: Callable[[Problem], bool],
    exact: bool,
    description: str = "",
    priority: int = 0,
) -> Callable[[MethodRun], MethodRun]:
    """Register ``run`` under ``name``.

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
        _REGISTRY[name] = MethodSpec(
            name, run, applies, exact, description or (run.__doc__ or "").strip().split("\n")[0], priority
        )
        return run

    return deco


def get_method(name: str) -> MethodSpec:
    _load_builtin_methods()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown method {name!r}; known methods: {known}") from None


def all_methods() -> dict[str, MethodSpec]:
    _load_builtin_methods()
    return dict(_REGISTRY)


def methods(problem: Problem | None = None) -> list[str]:
    """Names of the registered methods that apply to ``problem`` (all if ``None``)."""
    _load_builtin_methods()
    specs = sorted(_REGISTRY.values(), key=lambda s: (-s.priority, s.name))
    return [s.name for s in specs if problem is None or s.applies(problem)]


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
