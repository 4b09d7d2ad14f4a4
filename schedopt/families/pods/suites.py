"""Pod-packing suites for ``schedopt bench``.

* ``pods-grid``: the grid of Christensen, Giallorenzo & Mauro (2025) (:mod:`.generators`): nodes
  {4, 8, 16, 32} x pods per node {4, 8} x tiers {1, 2, 4} x utilisation {0.90, 0.95, 1.00, 1.05}
  x ``seeds`` seeds (default 10; the paper used 100). Subset any axis with a ``/``-separated
  list or one number, e.g. ``pods-grid:nodes=4/8,util=1.05,seeds=3``; ``gpu=1`` gives the GPU
  variant; ``failing=1`` keeps only the instances where ``kube-default`` leaves a pod pending (the
  paper's selection for util 0.90/0.95; it runs the emulator once per instance while the suite is
  built).
* ``pods-large``: the large case, 1,000 nodes and 10,000 pods (``count`` seeds, default 1).

No instance has a known optimum (no reference values).

This module is imported lazily by :mod:`schedopt.bench.suites`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...bench.suites import InstanceRef, suite_spec
from ...model import Problem
from .generators import (
    GRID_NODES,
    GRID_PODS_PER_NODE,
    GRID_TIERS,
    GRID_UTIL,
    grid_name,
    pods_grid_instance,
    pods_large_instance,
)


def _axis(value: Any, default: tuple, kind: type, name: str) -> tuple:
    """``None`` -> the default axis; a number -> one point; ``"4/8"`` -> several."""
    if value is None:
        return default
    parts = str(value).split("/") if isinstance(value, str) else [value]
    try:
        out = tuple(kind(p) for p in parts)
    except ValueError:
        raise ValueError(
            f"pods-grid: {name}={value!r} is not a {kind.__name__} or a '/'-separated list"
        ) from None
    if not out or any(v <= 0 for v in out):
        raise ValueError(f"pods-grid: {name}={value!r} must hold positive values")
    return out


@dataclass(frozen=True)
class _Grid:
    nodes: int
    pods_per_node: int
    tiers: int
    util: float
    seed: int
    gpu: bool

    def __call__(self) -> Problem:
        return pods_grid_instance(
            self.nodes, self.pods_per_node, self.tiers, self.util, self.seed, gpu=self.gpu
        )


@dataclass(frozen=True)
class _Large:
    seed: int
    gpu: bool

    def __call__(self) -> Problem:
        return pods_large_instance(self.seed, gpu=self.gpu)


def default_leaves_pending(problem: Problem) -> bool:
    """True when the default-scheduler emulator (``kube-default``) leaves some pod unplaced."""
    from ...solve import solve

    result = solve(problem, "kube-default")
    return result.schedule is not None and bool((result.schedule.machine < 0).any())


def grid(
    nodes: Any = None,
    pods_per_node: Any = None,
    tiers: Any = None,
    util: Any = None,
    seeds: int = 10,
    seed: int = 0,
    gpu: int = 0,
    failing: int = 0,
) -> Iterator[InstanceRef]:
    """The ``pods-grid`` instances: every grid point times seeds ``seed .. seed + seeds - 1``."""
    if not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"pods-grid: seeds must be a positive integer, got {seeds!r}")
    axes = (
        _axis(nodes, GRID_NODES, int, "nodes"),
        _axis(pods_per_node, GRID_PODS_PER_NODE, int, "pods_per_node"),
        _axis(tiers, GRID_TIERS, int, "tiers"),
        _axis(util, GRID_UTIL, float, "util"),
        range(seed, seed + seeds),
    )
    for n, ppn, t, u, s in itertools.product(*axes):
        ref = InstanceRef(grid_name(n, ppn, t, u, s, bool(gpu)), _Grid(n, ppn, t, u, s, bool(gpu)))
        if failing and not default_leaves_pending(ref.load()):
            continue
        yield ref


def large(count: int = 1, seed: int = 0, gpu: int = 0) -> Iterator[InstanceRef]:
    """The ``pods-large`` instances: 1,000 nodes x 10,000 pods, seeds ``seed .. seed + count - 1``."""
    for s in range(seed, seed + count):
        yield InstanceRef(f"pods-large-s{s}" + ("-gpu" if gpu else ""), _Large(s, bool(gpu)))


SUITES = [
    suite_spec(
        "pods-grid",
        grid,
        description="Priority Matters grid (Christensen et al. 2025): nodes x pods/node x tiers x util "
        "x seeds; params nodes, pods_per_node, tiers, util ('/'-lists), seeds, seed, gpu, failing",
        family="pods",
    ),
    suite_spec(
        "pods-large",
        large,
        description="1,000 nodes and 10,000 pods of the grid generator; params count, seed, gpu",
        family="pods",
    ),
]
"""The family's bench suites (declared in :data:`schedopt.families.pods.FAMILY`)."""
