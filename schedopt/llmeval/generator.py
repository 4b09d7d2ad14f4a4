"""Seeded R-ConstraintBench-style instance generator (feasible by construction).

Method (after Jain & Wetter, "R-ConstraintBench", arXiv 2508.15204; their code
is not public, so every detail below is ours unless stated):

1. **Layered DAG ramp.** The ``n`` tasks are split into ``m`` non-empty layers
   ``L_1 .. L_m``. Candidate edges ``u -> v`` with ``layer(u) < layer(v)`` are
   tried in random order; an edge is added only if no path already joins its
   ends (``networkx.has_path``) *and* it does not make an existing edge
   redundant (no existing ``a -> b`` with ``a`` reaching ``u`` and ``v``
   reaching ``b``). So the graph at level ``k`` has exactly ``k`` edges and
   equals its own transitive reduction: ``k`` non-redundant precedence
   constraints. (The paper states the first check; the second is our
   strengthening so that the count stays exact as edges are added.)
2. **Witness.** A serial schedule-generation scheme (Kelley 1963; Kolisch 1996)
   over a random topological order places every task at its earliest
   precedence- and resource-feasible start (the RCPSP family's numba serial
   SGS, :func:`serial_sgs`). The witness satisfies every constraint added
   afterwards, so each instance is feasible by construction.
3. **Variant axes**, each drawn from its own random stream, so the ``all``
   variant is exactly the union of the three single-axis variants of the same
   base instance (paired comparisons):

   * ``downtime``: each resource, with probability ``p``, gets one window
     ``[a, b)`` grown at random around an instant where the witness leaves
     the resource below capacity, up to a random length in ``1 .. makespan/3``
     and only over such instants; its level is the witness's peak use on
     ``[a, b)`` (so strictly below capacity, often 0: an outage).
   * ``windows``: each task, with probability ``p``, gets a release
     ``S_j - U{0..slack}`` (at least 0) and a deadline ``C_j + U{0..slack}``.
   * ``disjunctive``: ``max(1, n // 4)`` draws, each kept with probability
     ``p``, of a pair of tasks that neither overlap in the witness nor are
     ordered by precedence (so the pair is not implied).

   The paper says the extra axes are added "with a controlled probability
   (e.g. 75%)"; the per-resource / per-task / per-draw granularity is ours.
4. **Confirmation.** The witness passes :func:`schedopt.check`, and CP-SAT
   (``schedopt.solve(problem, method="cpsat")``) must find a schedule; the
   status is stored in ``meta["cpsat"]``.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import asdict, dataclass
from typing import Any

import networkx as nx
import numpy as np

from ..check import check
from ..families.rcpsp import rcpsp
from ..model import NO_TIME, Problem
from ..schedule import Schedule
from ..solve import solve
from .domains import render

VARIANTS: tuple[str, ...] = ("precedence", "downtime", "windows", "disjunctive", "all")
AXES: tuple[str, ...] = ("downtime", "windows", "disjunctive")
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class GeneratorConfig:
    """Size and randomness of generated instances.

    Attributes
    ----------
    n_tasks, n_layers, n_resources
        Tasks, DAG layers and renewable resources per instance.
    max_duration
        Durations are drawn uniformly from ``1 .. max_duration``.
    min_capacity, max_capacity
        Capacities are drawn uniformly from this range.
    use_probability
        Probability that a task uses a given resource (demand ``1 .. capacity``).
    p
        Probability of each extra-axis constraint (downtime, windows, disjunctive).
    window_slack
        Maximum slack added on each side of the witness when drawing windows.
    cpsat_time_limit
        Seconds for the confirming CP-SAT run (``None`` skips it; tests only).
    """

    n_tasks: int = 12
    n_layers: int = 4
    n_resources: int = 2
    max_duration: int = 6
    min_capacity: int = 2
    max_capacity: int = 4
    use_probability: float = 0.6
    p: float = 0.75
    window_slack: int = 3
    cpsat_time_limit: float | None = 30.0


def _rng(*key: Any) -> np.random.Generator:
    """A generator seeded by a stable hash of ``key`` (independent of PYTHONHASHSEED)."""
    digest = hashlib.sha256(repr(key).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def layered_dag(n: int, n_layers: int, k: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A layered DAG on ``n`` nodes with exactly ``k`` non-redundant edges.

    Returns
    -------
    layer, edges
        ``(n,)`` layer of each node and ``(k, 2)`` edges ``(u, v)``.

    Raises
    ------
    ValueError
        If ``k`` non-redundant edges cannot be placed (too few tasks or layers).
    """
    if n_layers < 1 or n < n_layers:
        raise ValueError(f"need 1 <= layers <= tasks, got {n_layers} layers for {n} tasks")
    if k < 0:
        raise ValueError(f"level must be >= 0, got {k}")
    best = 0
    for _attempt in range(20):
        cuts = np.sort(rng.choice(np.arange(1, n), size=n_layers - 1, replace=False)) if n_layers > 1 else []
        sizes = np.diff(np.concatenate([[0], cuts, [n]])).astype(int)
        layer = np.repeat(np.arange(n_layers), sizes)[rng.permutation(n)]
        cands = [(u, v) for u in range(n) for v in range(n) if layer[u] < layer[v]]
        rng.shuffle(cands)
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        for u, v in cands:
            if g.number_of_edges() == k:
                break
            if nx.has_path(g, u, v):
                continue
            up = nx.ancestors(g, u) | {u}
            down = nx.descendants(g, v) | {v}
            if any(a in up and b in down for a, b in g.edges):
                continue
            g.add_edge(u, v)
        if g.number_of_edges() == k:
            edges = np.array(sorted(g.edges), dtype=np.int64).reshape(-1, 2)
            return layer.astype(np.int64), edges
        best = max(best, g.number_of_edges())
    raise ValueError(
        f"could not place {k} non-redundant precedence edges on {n} tasks in {n_layers} layers "
        f"(best {best}); use more tasks (--tasks) or fewer levels"
    )


def serial_sgs(
    duration: np.ndarray,
    capacity: np.ndarray,
    demand: np.ndarray,
    edges: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:
    """Serial schedule-generation scheme: earliest feasible start in ``order``.

    ``order`` must be a topological order of ``edges``. Each task starts at
    the first ``t >= max(C_pred)`` at which ``usage + demand <= capacity``
    over ``[t, t + p)`` (Kolisch 1996, the serial SGS). Computed by the RCPSP
    family's numba kernel, through :func:`schedopt.families.rcpsp.heuristics.prepare`
    and :class:`~schedopt.families.rcpsp.heuristics.Decoder` (the serial SGS
    with a given list is deterministic, so the witness does not depend on the
    implementation).

    Returns
    -------
    numpy.ndarray
        ``(n,)`` start times.
    """
    from ..families.rcpsp.heuristics import Decoder, prepare

    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    problem = rcpsp(
        np.asarray(duration, dtype=np.int64),
        np.asarray(capacity, dtype=np.int64),
        np.asarray(demand, dtype=np.int64),
        precedence=edges.tolist(),
    )
    decoder = Decoder(prepare(problem))
    decoder.serial(np.ascontiguousarray(order, dtype=np.int64))
    start = decoder.start.copy()
    if len(start) != len(duration) or (start < 0).any():  # pragma: no cover - a kernel bug
        raise AssertionError(f"serial SGS left tasks unscheduled: starts {start.tolist()}")
    return start


def _random_topological_order(n: int, edges: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from((int(u), int(v)) for u, v in edges)
    prio = rng.random(n)
    return np.array(list(nx.lexicographical_topological_sort(g, key=lambda j: prio[j])), dtype=np.int64)


def _usage_profile(start: np.ndarray, duration: np.ndarray, demand: np.ndarray, horizon: int) -> np.ndarray:
    usage = np.zeros((horizon + 1, demand.shape[1]), np.int64)
    for j in range(len(start)):
        usage[start[j] : start[j] + duration[j]] += demand[j]
    return usage


def generate_instance(
    level: int,
    variant: str = "precedence",
    seed: int = 0,
    index: int = 0,
    domain: str = "synthetic",
    config: GeneratorConfig | None = None,
) -> Problem:
    """Generate one feasible instance with ``level`` non-redundant precedence edges.

    Parameters
    ----------
    level
        Number of non-redundant precedence constraints.
    variant
        One of :data:`VARIANTS`.
    seed, index
        The instance is a pure function of ``(seed, level, index, variant, domain, config)``;
        all variants with the same ``(seed, level, index)`` share the base instance.
    domain
        ``"synthetic"`` or ``"datacenter"`` (names and wording only).
    config
        Sizes and probabilities (:class:`GeneratorConfig`).

    Returns
    -------
    Problem
        Objective ``"feasibility"``; ``meta`` holds the generator parameters, the
        witness starts (``meta["witness"]``), the rendering and the CP-SAT status.
    """
    cfg = config or GeneratorConfig()
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose from {', '.join(VARIANTS)}")
    n, r = cfg.n_tasks, cfg.n_resources
    base = _rng("base", seed, level, index, n, cfg.n_layers, r)
    layer, edges = layered_dag(n, cfg.n_layers, level, base)
    duration = base.integers(1, cfg.max_duration + 1, size=n).astype(np.int64)
    capacity = base.integers(cfg.min_capacity, cfg.max_capacity + 1, size=r).astype(np.int64)
    uses = base.random((n, r)) < cfg.use_probability
    demand = np.where(uses, base.integers(1, capacity[None, :] + 1, size=(n, r)), 0).astype(np.int64)
    order = _random_topological_order(n, edges, base)
    witness = serial_sgs(duration, capacity, demand, edges, order)
    end = witness + duration
    makespan = int(end.max())
    axes = set(AXES) if variant == "all" else ({variant} & set(AXES))

    downtime: list[tuple[int, int, int, int]] = []
    if "downtime" in axes:
        rng = _rng("downtime", seed, level, index, n, r)
        usage = _usage_profile(witness, duration, demand, makespan)
        for k in range(r):
            if rng.random() >= cfg.p:
                continue
            free = np.flatnonzero(usage[:makespan, k] < capacity[k])
            if free.size == 0:
                continue
            a = int(rng.choice(free))
            b = a + 1
            length = int(rng.integers(1, max(2, makespan // 3) + 1))
            while b - a < length:
                left_ok = a > 0 and usage[a - 1, k] < capacity[k]
                right_ok = b < makespan and usage[b, k] < capacity[k]
                if not (left_ok or right_ok):
                    break
                if left_ok and (not right_ok or rng.random() < 0.5):
                    a -= 1
                else:
                    b += 1
            downtime.append((k, a, b, int(usage[a:b, k].max())))

    release = np.zeros(n, np.int64)
    deadline = np.full(n, NO_TIME, np.int64)
    if "windows" in axes:
        rng = _rng("windows", seed, level, index, n, r)
        for j in range(n):
            if rng.random() < cfg.p:
                release[j] = max(0, int(witness[j]) - int(rng.integers(0, cfg.window_slack + 1)))
                deadline[j] = int(end[j]) + int(rng.integers(0, cfg.window_slack + 1))

    pairs: list[tuple[int, int]] = []
    if "disjunctive" in axes:
        rng = _rng("disjunctive", seed, level, index, n, r)
        g = nx.DiGraph()
        g.add_nodes_from(range(n))
        g.add_edges_from((int(u), int(v)) for u, v in edges)
        closure = nx.transitive_closure_dag(g)
        cands = [
            (i, j)
            for i, j in itertools.combinations(range(n), 2)
            if (end[i] <= witness[j] or end[j] <= witness[i])
            and not closure.has_edge(i, j)
            and not closure.has_edge(j, i)
        ]
        rng.shuffle(cands)
        for _ in range(max(1, n // 4)):
            if rng.random() < cfg.p and cands:
                pairs.append(cands.pop())

    names = render(domain, n, r, len(pairs), _rng("names", seed, level, index, domain, n, r))
    meta: dict[str, Any] = {
        "llmeval": GENERATOR_VERSION,
        "level": int(level),
        "variant": variant,
        "index": int(index),
        "seed": int(seed),
        "domain": domain,
        "config": asdict(cfg),
        "layers": layer.tolist(),
        "witness": witness.tolist(),
        "resource_units": list(names.resource_units),
        "equipment": list(names.equipment),
        "time_unit": names.time_unit,
        "counts": {
            "precedence": len(edges),
            "downtime": len(downtime),
            "windows": int((deadline < NO_TIME).sum()),
            "disjunctive": len(pairs),
        },
    }
    problem = rcpsp(
        duration,
        capacity,
        demand,
        precedence=edges.tolist(),
        release=release,
        deadline=deadline,
        downtime=downtime or None,
        disjunctive=pairs or None,
        names=names.task_names,
        resource_names=names.resource_names,
        objective="feasibility",
        name=instance_name(domain, variant, level, index, seed),
        meta=meta,
    )
    bad = check(problem, Schedule.from_starts(problem, witness))
    if bad:  # pragma: no cover - a generator bug
        raise AssertionError(f"witness of {problem.name} is infeasible: {bad[0]}")
    if cfg.cpsat_time_limit is not None:
        res = solve(problem, method="cpsat", time_limit=cfg.cpsat_time_limit, seed=seed, workers=1)
        if res.status == "infeasible":  # pragma: no cover - contradicts the witness
            raise AssertionError(f"CP-SAT claims {problem.name} infeasible, but it has a witness")
        problem.meta["cpsat"] = res.status
    else:
        problem.meta["cpsat"] = "skipped"
    return problem


def instance_name(domain: str, variant: str, level: int, index: int, seed: int) -> str:
    """The canonical instance name, e.g. ``synthetic-all-L07-i002-s0``."""
    return f"{domain}-{variant}-L{level:02d}-i{index:03d}-s{seed}"


def generate_suite(
    levels: int | list[int] = 10,
    per_level: int = 5,
    variants: tuple[str, ...] | list[str] = VARIANTS,
    domain: str = "synthetic",
    seed: int = 0,
    config: GeneratorConfig | None = None,
):
    """Yield instances for every level (1..levels, or the given list), index and variant."""
    level_list = list(range(1, levels + 1)) if isinstance(levels, int) else list(levels)
    for level in level_list:
        for index in range(per_level):
            for variant in variants:
                yield generate_instance(level, variant, seed=seed, index=index, domain=domain, config=config)
