"""Compile the families' numba kernels before anything is timed: :func:`warm_up`."""

from __future__ import annotations

import time
from collections.abc import Iterable

from .registry import families as all_families
from .registry import resolve, warmups
from .solve import solve


def warm_up(
    families: Iterable[str] | str | None = None,
    methods: Iterable[str] | None = None,
) -> dict[str, float]:
    """Compile every registered numba kernel, or load it from numba's on-disk cache.

    numba compiles a kernel on its first call (seconds to tens of seconds on a
    fresh install; cached on disk afterwards, ``cache=True``). Benchmark
    runners call this before timing anything so compilation is never charged
    to a run. ``families`` limits it to the warm-ups of those families (e.g.
    ``"smtt"``: both of its warm-ups) or of those warm-up names (``"rcpsp-plain"``);
    an unknown name is an error. ``methods`` limits it to those methods, so a
    run compiles only what it uses (see :func:`warm_up_for`).
    Returns the seconds spent per ``"warm-up:method"``.
    """
    registered = warmups()
    chosen = list(registered.values())
    if families is not None:
        wanted = [families] if isinstance(families, str) else list(families)
        by_family = {f.name: [w.name for w in f.warmups] for f in all_families().values()}
        names: list[str] = []
        for w in wanted:
            if w in by_family:
                names.extend(by_family[w])
            elif w in registered:
                names.append(w)
            else:
                raise ValueError(f"no warm-up registered for {w!r}; known: {sorted(registered)}")
        chosen = [registered[n] for n in dict.fromkeys(names)]
    spent: dict[str, float] = {}
    for w in chosen:
        chosen_methods = {n: o for n, o in w.methods.items() if methods is None or n in set(methods)}
        if not chosen_methods:
            continue
        problem = resolve(w.problem)()
        for name, opts in chosen_methods.items():
            t0 = time.perf_counter()
            solve(problem, method=name, **dict(opts))
            spent[f"{w.name}:{name}"] = time.perf_counter() - t0
    return spent


def warm_up_for(runs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Warm up what runs of ``(problem family, method)`` pairs use, and nothing else.

    A method listed in its family's warm-ups compiles just its own kernels; any
    other method of a family with warm-ups (``cpsat``, whose strengthening runs
    the family's heuristics) warms the whole family up. Families without
    warm-ups (and ``"generic"`` problems) cost nothing.
    """
    listed = {f.name: {m for w in f.warmups for m in w.methods} for f in all_families().values()}
    wanted: dict[str, set[str] | None] = {}
    for fam, method in runs:
        if fam not in listed or not listed[fam]:
            continue
        if method in listed[fam] and wanted.get(fam, set()) is not None:
            wanted.setdefault(fam, set()).add(method)
        else:
            wanted[fam] = None  # the whole family
    spent: dict[str, float] = {}
    for fam, methods in wanted.items():
        spent.update(warm_up(families=[fam], methods=methods))
    return spent
