"""Seeded generators of heterogeneous DAG scheduling problems.

Every generator draws from ``np.random.default_rng(seed)`` only (the same seed gives the same
problem, for a given numpy version) and returns a ``dag`` family :class:`~schedopt.Problem`
built by :func:`.model.dag`, whose ``meta`` records the generator, its parameters and the
measured mean cost and CCR. Task indices follow a topological order; a zero-cost source / sink is
added after the tasks where a graph has several entries / exits (``meta["original_tasks"]`` is the
generated task count).

**Cost model** (Topcuoglu, Hariri & Wu, "Performance-effective and low-complexity task scheduling
for heterogeneous computing", IEEE TPDS 13(3), 2002, §5), shared by every shape:

* the mean cost of task ``i`` is ``w̄_i ~ U[0, 2 w̄_DAG]`` (``w̄_DAG = mean_cost``), and its cost
  on machine type ``t`` is ``W[i][t] ~ U[w̄_i (1 - β/2), w̄_i (1 + β/2)]`` (``β`` the range
  percentage of heterogeneity, ``0 <= β <= 2``); costs are rounded to the nearest integer and
  raised to at least 1 (deviation: the paper's costs are real and may be near 0; schedopt's time
  is integer and a task of cost 0 would be free);
* edge communication costs are drawn ``U[0, 2]`` and scaled so that their mean is exactly
  ``CCR × mean(W)`` (the mean over the instance's tasks and types), then rounded to integers
  (deviation: the paper states CCR as the target ratio of means without saying how it is
  reached; scaling to the instance's own mean makes the measured CCR equal the target up to the
  rounding, ``meta["ccr_measured"]``).

Machines: ``machines`` machines of their own type each (``machine_type = arange(machines)``), or
the given ``machine_type`` (one type index per machine, ``type_names`` naming the types); costs
are drawn per type, so machines of one type share a cost column.

Shapes: :func:`topcuoglu_dag` (the paper's random layered graphs), :func:`gaussian_elimination`,
:func:`fft` (Topcuoglu et al. 2002, §5.2), :func:`montage_like` (the Montage workflow structure of
Bharathi et al., "Characterization of scientific workflows", WORKS 2008), :func:`in_tree`,
:func:`out_tree` and :func:`chains` (saga's benchmarking datasets). :func:`dag_stream` merges a
stream of such jobs with Poisson arrivals into one problem (DeepSoCS, Sung et al., Electronics
9(6):936, 2020): a job's arrival is the release date of its tasks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...errors import ProblemError
from ...model import Problem
from .model import dag

__all__ = [
    "SHAPES",
    "chains",
    "dag_stream",
    "fft",
    "gaussian_elimination",
    "in_tree",
    "montage_like",
    "out_tree",
    "stream_job_metrics",
    "topcuoglu_dag",
]

#: Default mean task cost ``w̄_DAG``.
MEAN_COST = 50


@dataclass
class _Raw:
    """A generated graph before :func:`dag`: costs, edges ``(i, j, c)``, names, shape facts."""

    costs: np.ndarray
    edges: list[tuple[int, int, int]]
    names: list[str]
    info: dict[str, Any] = field(default_factory=dict)


def _types(
    machines: int, machine_type: Sequence[int] | None, type_names: Sequence[str] | None
) -> tuple[np.ndarray, int]:
    """The machine types and the number of cost columns."""
    if machine_type is None:
        if isinstance(machines, bool) or not isinstance(machines, (int, np.integer)) or machines < 1:
            raise ProblemError(f"machines: expected an integer >= 1, got {machines!r}")
        return np.arange(int(machines)), int(machines)
    mt = np.asarray(machine_type)
    if mt.ndim != 1 or not mt.size or mt.dtype.kind not in "iu" or (mt < 0).any():
        raise ProblemError(f"machine_type: expected non-negative type indices, got {machine_type!r}")
    return mt.astype(np.int64), len(type_names) if type_names is not None else int(mt.max()) + 1


def _check(name: str, value: Any, low: float, high: float = math.inf, *, integer: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if ok and integer:
        ok = float(value) == int(value)
    if not ok or not low <= float(value) <= high:
        kind = "an integer" if integer else "a number"
        rng = f"in [{low:g}, {high:g}]" if high < math.inf else f">= {low:g}"
        raise ProblemError(f"{name}: expected {kind} {rng}, got {value!r}")


def _draw_costs(rng: np.random.Generator, n: int, types: int, mean_cost: float, beta: float) -> np.ndarray:
    """``W[i][t] ~ U[w̄_i (1 - β/2), w̄_i (1 + β/2)]`` with ``w̄_i ~ U[0, 2 mean_cost]``, integers >= 1."""
    wbar = rng.uniform(0.0, 2.0 * mean_cost, n)[:, None]
    w = rng.uniform(wbar * (1 - beta / 2), wbar * (1 + beta / 2), (n, types))
    return np.maximum(np.rint(w), 1).astype(np.int64)


def _draw_comm(rng: np.random.Generator, m: int, mean_comp: float, ccr: float) -> np.ndarray:
    """``m`` integer edge costs with mean ``ccr * mean_comp`` (drawn ``U[0, 2]``, scaled)."""
    if m == 0:
        return np.zeros(0, np.int64)
    u = rng.uniform(0.0, 2.0, m)
    mean = u.mean()
    target = ccr * mean_comp
    scaled = u * (target / mean) if mean > 0 else np.full(m, target)
    return np.rint(scaled).astype(np.int64)


def _finish(
    rng: np.random.Generator,
    n: int,
    pairs: list[tuple[int, int]],
    names: list[str],
    *,
    ccr: float,
    beta: float,
    mean_cost: float,
    types: int,
) -> _Raw:
    """Draw costs and communication for a graph structure (the cost model of the module docstring)."""
    _check("ccr", ccr, 0.0)
    _check("beta", beta, 0.0, 2.0)
    _check("mean_cost", mean_cost, 0.0)
    costs = _draw_costs(rng, n, types, float(mean_cost), float(beta))
    comm = _draw_comm(rng, len(pairs), float(costs.mean()), float(ccr))
    edges = [(i, j, int(c)) for (i, j), c in zip(pairs, comm)]
    return _Raw(costs, edges, names)


def _plain(value: Any) -> Any:
    """``value`` with numpy arrays and scalars turned into lists and Python numbers (JSON-ready meta)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _problem(raw: _Raw, generator: str, params: dict[str, Any], mt: np.ndarray, type_names: Any) -> Problem:
    params = _plain(params)
    comm = [c for *_, c in raw.edges]
    mean_w = float(raw.costs.mean())
    meta = {
        "generator": generator,
        "params": params,
        "mean_cost_measured": mean_w,
        "ccr_measured": (float(np.mean(comm)) / mean_w) if comm and mean_w else 0.0,
        **raw.info,
    }
    name = params.get("name") or f"{generator}-" + "-".join(
        f"{k}{v}" for k, v in params.items() if k not in ("name", "machine_type", "type_names")
    )
    return dag(
        raw.costs,
        np.asarray(raw.edges, np.int64).reshape(-1, 3),  # an int array: dag() checks it vectorised
        machine_type=mt,
        type_names=type_names,
        names=raw.names,
        name=name,
        meta=meta,
    )


# ----------------------------------------------------------------------------- structures
def _topcuoglu_structure(
    rng: np.random.Generator, v: int, alpha: float, out_degree: int
) -> tuple[list[tuple[int, int]], list[int]]:
    """Levels and edges of Topcuoglu's random graph (see :func:`topcuoglu_dag`)."""
    wmax = max(1, round(2 * alpha * math.sqrt(v)) - 1)
    widths: list[int] = []
    left = v
    while left > 0:
        w = min(int(rng.integers(1, wmax + 1)), left)
        widths.append(w)
        left -= w
    starts = np.concatenate([[0], np.cumsum(widths)]).astype(int)
    out = np.zeros(v, np.int64)
    succ: list[set[int]] = [set() for _ in range(v)]
    pairs: list[tuple[int, int]] = []

    def link(i: int, j: int) -> None:
        succ[i].add(j)
        out[i] += 1
        pairs.append((i, j))

    # tasks below their out-degree bound: of all earlier levels (pool) and of the previous one
    pool: list[int] = []
    where: dict[int, int] = {}

    def drop(i: int) -> None:  # O(1) removal from the pool (swap with the last)
        k = where.pop(i)
        last = pool.pop()
        if last != i:
            pool[k] = last
            where[last] = k

    for lv in range(1, len(widths)):
        for i in range(starts[lv - 1], starts[lv]):
            where[i] = len(pool)
            pool.append(i)
        prev = np.arange(starts[lv - 1], starts[lv])
        for j in range(starts[lv], starts[lv + 1]):
            free = prev[out[prev] < out_degree]
            if len(free):
                i = int(free[int(rng.integers(len(free)))])
            elif pool:
                i = pool[int(rng.integers(len(pool)))]
            else:
                continue  # every earlier task is at its bound: j stays an entry task
            link(i, j)
            if out[i] >= out_degree:
                drop(i)
    for lv in range(len(widths) - 1):
        later = v - starts[lv + 1]
        for i in range(starts[lv], starts[lv + 1]):
            want = min(int(rng.integers(1, out_degree + 1)), later)
            need = want - int(out[i])
            if need <= 0:
                continue
            while need:  # uniform over the later tasks not yet successors (rejection sampling)
                for j in rng.integers(starts[lv + 1], v, 2 * need + 2).tolist():
                    if j not in succ[i]:
                        link(i, j)
                        need -= 1
                        if not need:
                            break
    order = sorted(range(len(pairs)), key=lambda k: pairs[k])
    return [pairs[k] for k in order], widths


def topcuoglu_dag(
    v: int,
    *,
    alpha: float = 1.0,
    out_degree: int = 2,
    ccr: float = 1.0,
    beta: float = 0.5,
    machines: int = 4,
    mean_cost: float = MEAN_COST,
    seed: int = 0,
    machine_type: Sequence[int] | None = None,
    type_names: Sequence[str] | None = None,
    name: str = "",
) -> Problem:
    """A random layered DAG of Topcuoglu et al. (2002, §5.1) with ``v`` tasks.

    Exact draw (the paper gives only the means):

    * **levels**: widths are drawn one after another from ``U{1, ..., max(1, round(2α√v) - 1)}``
      (mean ``≈ α√v``) until ``v`` tasks are placed (the last level takes what is left), so the
      height is about ``v / (α√v) = √v / α``; tasks are numbered level by level;
    * **edges** go only to later levels: first every task below the top level gets one
      predecessor drawn uniformly from the previous level among tasks below ``out_degree``
      successors (else from any earlier level; else it stays an entry task), then every task
      ``i`` above the last level draws a target out-degree ``d_i ~ U{1, ..., out_degree}`` and
      gets successors drawn uniformly from all later levels until it has ``d_i`` (or no more
      later tasks); no task has more than ``out_degree`` successors;
    * **costs and communication**: the cost model of the module docstring (``β``, ``CCR``).

    Parameters
    ----------
    v
        Number of tasks (the paper: 20 to 100).
    alpha
        Shape: large ``α`` gives short, wide graphs (the paper: 0.5, 1, 2).
    out_degree
        Bound on the successors of a task (the paper: 1 to 5, or ``v``).
    ccr, beta, mean_cost
        Communication to computation ratio, range-percentage heterogeneity ``β in [0, 2]`` and
        ``w̄_DAG``.
    machines, machine_type, type_names
        The machines (module docstring).
    seed
        Seed of ``np.random.default_rng``.
    """
    _check("v", v, 1, integer=True)
    _check("alpha", alpha, 1e-9)
    _check("out_degree", out_degree, 1, integer=True)
    mt, types = _types(machines, machine_type, type_names)
    rng = np.random.default_rng(seed)
    pairs, widths = _topcuoglu_structure(rng, int(v), float(alpha), int(out_degree))
    raw = _finish(
        rng, int(v), pairs, [str(j) for j in range(v)], ccr=ccr, beta=beta, mean_cost=mean_cost, types=types
    )
    raw.info["level_widths"] = widths
    params = dict(v=v, alpha=alpha, out_degree=out_degree, ccr=ccr, beta=beta, machines=len(mt))
    params.update(mean_cost=mean_cost, seed=seed, name=name)
    return _problem(raw, "topcuoglu_dag", params, mt, type_names)


def _ge_structure(m: int) -> tuple[int, list[tuple[int, int]], list[str]]:
    """Gaussian elimination of an ``m × m`` matrix: pivot ``k`` then updates of columns ``k+1..m``."""
    index: dict[tuple[str, int, int], int] = {}
    names: list[str] = []
    for k in range(1, m):
        for key in [("piv", k, k)] + [("upd", k, j) for j in range(k + 1, m + 1)]:
            index[key] = len(names)
            names.append(f"piv{k}" if key[0] == "piv" else f"upd{k}_{key[2]}")
    pairs = []
    for k in range(1, m):
        for j in range(k + 1, m + 1):
            pairs.append((index[("piv", k, k)], index[("upd", k, j)]))
            if k + 1 < m:
                nxt = ("piv", k + 1, k + 1) if j == k + 1 else ("upd", k + 1, j)
                pairs.append((index[("upd", k, j)], index[nxt]))
    return len(names), pairs, names


def _fft_structure(m: int) -> tuple[int, list[tuple[int, int]], list[str]]:
    """FFT of ``m`` points: a binary tree of ``2m - 1`` recursive calls, then ``log2 m`` butterfly levels."""
    names = [f"rec{d}_{i}" for d in range(int(math.log2(m)) + 1) for i in range(2**d)]
    pairs = [(i, 2 * i + 1) for i in range(m - 1)] + [(i, 2 * i + 2) for i in range(m - 1)]
    leaves = list(range(m - 1, 2 * m - 1))
    prev = leaves
    for s in range(int(math.log2(m))):
        level = [len(names) + i for i in range(m)]
        names += [f"bf{s}_{i}" for i in range(m)]
        for i in range(m):
            pairs += [(prev[i], level[i]), (prev[i ^ (1 << s)], level[i])]
        prev = level
    return len(names), sorted(pairs), names


def _montage_structure(n: int, overlap: int) -> tuple[int, list[tuple[int, int]], list[str]]:
    """Montage: project, diff overlapping pairs, fit, background model, correct, table, add, shrink, JPEG."""
    names = [f"mProjectPP{i}" for i in range(n)]
    diffs = [(i, i + d) for i in range(n) for d in range(1, overlap + 1) if i + d < n]
    names += [f"mDiffFit{i}_{j}" for i, j in diffs]
    concat, bgmodel = len(names), len(names) + 1
    names += ["mConcatFit", "mBgModel"]
    backs = list(range(len(names), len(names) + n))
    names += [f"mBackground{i}" for i in range(n)]
    tail = list(range(len(names), len(names) + 4))
    names += ["mImgtbl", "mAdd", "mShrink", "mJPEG"]
    pairs = []
    for k, (i, j) in enumerate(diffs):
        pairs += [(i, n + k), (j, n + k), (n + k, concat)]
    pairs.append((concat, bgmodel))
    for i in range(n):
        pairs += [(bgmodel, backs[i]), (i, backs[i]), (backs[i], tail[0])]
    pairs += [(tail[0], tail[1]), (tail[1], tail[2]), (tail[2], tail[3])]
    return len(names), sorted(pairs), names


def _tree_structure(
    levels: int, branching: int, inward: bool
) -> tuple[int, list[tuple[int, int]], list[str]]:
    """A complete tree (root first, breadth first); edges to the root for an in-tree."""
    sizes = [branching**d for d in range(levels)]
    n = sum(sizes)
    pairs = [
        (i, branching * i + c) for i in range(n) for c in range(1, branching + 1) if branching * i + c < n
    ]
    names = [f"t{d}_{i}" for d in range(levels) for i in range(sizes[d])]
    if inward:  # renumber leaves first so indices stay topological
        pairs = sorted((n - 1 - j, n - 1 - i) for i, j in pairs)
        names = names[::-1]
    return n, pairs, names


def _chains_structure(n_chains: int, length: int) -> tuple[int, list[tuple[int, int]], list[str]]:
    pairs = [(c * length + k, c * length + k + 1) for c in range(n_chains) for k in range(length - 1)]
    return n_chains * length, pairs, [f"c{c}_{k}" for c in range(n_chains) for k in range(length)]


_COMMON = ("ccr", "beta", "machines", "mean_cost", "seed", "machine_type", "type_names", "name")


def _shape(
    generator: str,
    structure: tuple[int, list[tuple[int, int]], list[str]],
    shape_params: dict[str, Any],
    *,
    ccr: float,
    beta: float,
    machines: int,
    mean_cost: float,
    seed: int,
    machine_type: Sequence[int] | None,
    type_names: Sequence[str] | None,
    name: str,
) -> Problem:
    mt, types = _types(machines, machine_type, type_names)
    n, pairs, names = structure
    raw = _finish(
        np.random.default_rng(seed), n, pairs, names, ccr=ccr, beta=beta, mean_cost=mean_cost, types=types
    )
    params = {**shape_params, "ccr": ccr, "beta": beta, "machines": len(mt), "mean_cost": mean_cost}
    params.update(seed=seed, name=name)
    return _problem(raw, generator, params, mt, type_names)


def gaussian_elimination(
    m: int,
    *,
    ccr: float = 1.0,
    beta: float = 0.5,
    machines: int = 4,
    mean_cost: float = MEAN_COST,
    seed: int = 0,
    machine_type: Sequence[int] | None = None,
    type_names: Sequence[str] | None = None,
    name: str = "",
) -> Problem:
    """The Gaussian elimination graph of an ``m × m`` matrix: ``(m² + m - 2) / 2`` tasks (Topcuoglu §5.2).

    Step ``k = 1 .. m-1`` has a pivot task ``piv k`` and updates ``upd k_j`` of columns
    ``j = k+1 .. m``; the pivot precedes its step's updates, ``upd k_(k+1)`` the next pivot and
    ``upd k_j`` the update ``upd (k+1)_j``. Costs and communication: the module's cost model.
    """
    _check("m", m, 2, integer=True)
    kw = dict(ccr=ccr, beta=beta, machines=machines, mean_cost=mean_cost, seed=seed)
    return _shape(
        "gaussian_elimination", _ge_structure(int(m)), {"m": m}, **kw,
        machine_type=machine_type, type_names=type_names, name=name,
    )  # fmt: skip


def fft(
    m: int,
    *,
    ccr: float = 1.0,
    beta: float = 0.5,
    machines: int = 4,
    mean_cost: float = MEAN_COST,
    seed: int = 0,
    machine_type: Sequence[int] | None = None,
    type_names: Sequence[str] | None = None,
    name: str = "",
) -> Problem:
    """The FFT graph of ``m`` points (a power of 2): ``2m - 1`` recursive + ``m log2 m`` butterfly tasks.

    The recursive calls form a binary out-tree (root first); the ``m`` leaves feed the first
    butterfly level, and butterfly task ``i`` of level ``s`` depends on tasks ``i`` and
    ``i XOR 2^s`` of the level before (Topcuoglu et al. 2002, §5.2, Fig. 8).
    """
    _check("m", m, 2, integer=True)
    if int(m) & (int(m) - 1):
        raise ProblemError(f"m: the number of FFT points must be a power of 2, got {m}")
    kw = dict(ccr=ccr, beta=beta, machines=machines, mean_cost=mean_cost, seed=seed)
    return _shape(
        "fft",
        _fft_structure(int(m)),
        {"m": m},
        **kw,
        machine_type=machine_type,
        type_names=type_names,
        name=name,
    )


def montage_like(
    n_images: int = 4,
    *,
    overlap: int = 1,
    ccr: float = 1.0,
    beta: float = 0.5,
    machines: int = 4,
    mean_cost: float = MEAN_COST,
    seed: int = 0,
    machine_type: Sequence[int] | None = None,
    type_names: Sequence[str] | None = None,
    name: str = "",
) -> Problem:
    """A Montage-like mosaic workflow (Bharathi et al. 2008) over ``n_images`` images.

    ``mProjectPP`` per image; ``mDiffFit`` per overlapping pair ``(i, i+d)``, ``1 <= d <=
    overlap``; ``mConcatFit``; ``mBgModel``; ``mBackground`` per image (after ``mBgModel`` and
    its projection); ``mImgtbl``, ``mAdd``, ``mShrink``, ``mJPEG`` in a chain. Task count
    ``2n + P + 6`` with ``P = Σ_{d=1}^{min(overlap, n-1)} (n - d)`` pairs (``3n + 5`` for
    ``overlap = 1``). Deviation: real Montage overlaps come from sky geometry, here from a band.
    """
    _check("n_images", n_images, 2, integer=True)
    _check("overlap", overlap, 1, integer=True)
    kw = dict(ccr=ccr, beta=beta, machines=machines, mean_cost=mean_cost, seed=seed)
    return _shape(
        "montage_like", _montage_structure(int(n_images), int(overlap)),
        {"n_images": n_images, "overlap": overlap}, **kw,
        machine_type=machine_type, type_names=type_names, name=name,
    )  # fmt: skip


def in_tree(
    levels: int,
    branching: int = 2,
    *,
    ccr: float = 1.0,
    beta: float = 0.5,
    machines: int = 4,
    mean_cost: float = MEAN_COST,
    seed: int = 0,
    machine_type: Sequence[int] | None = None,
    type_names: Sequence[str] | None = None,
    name: str = "",
) -> Problem:
    """A complete in-tree (leaves are the entries, one exit) of ``Σ_{d<levels} branching^d`` tasks.

    As saga's ``in_trees`` dataset (2-4 levels, branching 2-3 there); costs: the module's model.
    """
    _check("levels", levels, 1, integer=True)
    _check("branching", branching, 1, integer=True)
    kw = dict(ccr=ccr, beta=beta, machines=machines, mean_cost=mean_cost, seed=seed)
    return _shape(
        "in_tree", _tree_structure(int(levels), int(branching), True),
        {"levels": levels, "branching": branching}, **kw,
        machine_type=machine_type, type_names=type_names, name=name,
    )  # fmt: skip


def out_tree(
    levels: int,
    branching: int = 2,
    *,
    ccr: float = 1.0,
    beta: float = 0.5,
    machines: int = 4,
    mean_cost: float = MEAN_COST,
    seed: int = 0,
    machine_type: Sequence[int] | None = None,
    type_names: Sequence[str] | None = None,
    name: str = "",
) -> Problem:
    """A complete out-tree (one entry, the leaves are the exits) of ``Σ_{d<levels} branching^d`` tasks."""
    _check("levels", levels, 1, integer=True)
    _check("branching", branching, 1, integer=True)
    kw = dict(ccr=ccr, beta=beta, machines=machines, mean_cost=mean_cost, seed=seed)
    return _shape(
        "out_tree", _tree_structure(int(levels), int(branching), False),
        {"levels": levels, "branching": branching}, **kw,
        machine_type=machine_type, type_names=type_names, name=name,
    )  # fmt: skip


def chains(
    n_chains: int,
    length: int,
    *,
    ccr: float = 1.0,
    beta: float = 0.5,
    machines: int = 4,
    mean_cost: float = MEAN_COST,
    seed: int = 0,
    machine_type: Sequence[int] | None = None,
    type_names: Sequence[str] | None = None,
    name: str = "",
) -> Problem:
    """``n_chains`` independent chains of ``length`` tasks, ``n_chains · length`` in all (saga)."""
    _check("n_chains", n_chains, 1, integer=True)
    _check("length", length, 1, integer=True)
    kw = dict(ccr=ccr, beta=beta, machines=machines, mean_cost=mean_cost, seed=seed)
    return _shape(
        "chains", _chains_structure(int(n_chains), int(length)),
        {"n_chains": n_chains, "length": length}, **kw,
        machine_type=machine_type, type_names=type_names, name=name,
    )  # fmt: skip


#: The shapes :func:`dag_stream` can draw its jobs from.
SHAPES: dict[str, Callable[..., Problem]] = {
    "topcuoglu": topcuoglu_dag,
    "gaussian_elimination": gaussian_elimination,
    "fft": fft,
    "montage_like": montage_like,
    "in_tree": in_tree,
    "out_tree": out_tree,
    "chains": chains,
}


def dag_stream(
    jobs: int,
    *,
    mean_interarrival: float = 200.0,
    shape: str = "topcuoglu",
    seed: int = 0,
    name: str = "",
    **kwargs: Any,
) -> Problem:
    """A stream of ``jobs`` DAG jobs with Poisson arrivals, merged into one problem (DeepSoCS-style).

    Job 0 arrives at 0 and the gaps between arrivals are exponential with mean
    ``mean_interarrival`` (a Poisson process of rate ``1 / mean_interarrival``); the arrival times
    are the rounded cumulative sums. Each job is drawn by ``SHAPES[shape](**kwargs, seed=s_k)``
    with its own seed ``s_k`` from the stream's generator; the tasks of job ``k`` (named
    ``j<k>:<task>``, including any source/sink the job's own graph received) get release date
    ``arrival_k``. All jobs share the machines (``machines`` / ``machine_type`` in ``kwargs``).
    The merged problem minimises the makespan of the whole stream; ``meta["job_of_task"]`` (the
    job of each task, ``-1`` for a source/sink added to the merged graph) and
    ``meta["arrivals"]`` give per-job figures (:func:`stream_job_metrics`).

    Parameters
    ----------
    jobs
        Number of jobs (>= 1).
    mean_interarrival
        Mean time between arrivals (>= 0, in the time unit of the costs).
    shape
        A key of :data:`SHAPES`.
    **kwargs
        Parameters of the shape generator (e.g. ``v=20, ccr=0.5`` for ``"topcuoglu"``); ``seed``
        and ``name`` are the stream's.
    """
    _check("jobs", jobs, 1, integer=True)
    _check("mean_interarrival", mean_interarrival, 0.0)
    if shape not in SHAPES:
        raise ProblemError(f"shape: {shape!r} is not one of {', '.join(SHAPES)}")
    rng = np.random.default_rng(seed)
    gaps = (
        rng.exponential(float(mean_interarrival), int(jobs) - 1)
        if mean_interarrival > 0
        else np.zeros(jobs - 1)
    )
    arrivals = np.rint(np.concatenate([[0.0], np.cumsum(gaps)])).astype(np.int64)
    seeds = [int(s) for s in rng.integers(0, 2**63 - 1, int(jobs))]
    costs, edges, names, release, job_of = [], [], [], [], []
    first = None
    for k in range(int(jobs)):
        try:
            p = SHAPES[shape](**kwargs, seed=seeds[k])
        except TypeError as exc:  # an option the shape does not take
            raise ProblemError(f"dag_stream shape {shape!r}: {exc}") from None
        if first is None:
            first = p
        off = len(names)
        costs.append(np.asarray(p.duration))
        edges += [(int(i) + off, int(j) + off, int(c)) for (i, j, _), c in zip(p.precedence, p.comm)]
        names += [f"j{k}:{s}" for s in p.names]
        release += [int(arrivals[k])] * p.n_jobs
        job_of += [k] * p.n_jobs
    assert first is not None
    meta = {
        "generator": "dag_stream",
        "params": _plain(
            {
                "jobs": jobs,
                "mean_interarrival": mean_interarrival,
                "shape": shape,
                "seed": seed,
                **kwargs,
            }
        ),
        "arrivals": arrivals.tolist(),
        "job_seeds": seeds,
    }
    p = dag(
        np.vstack(costs),
        np.asarray(edges, np.int64).reshape(-1, 3),
        machine_type=first.machine_type,
        type_names=first.type_names,
        release=release,
        names=names,
        name=name or f"dag_stream-{shape}-jobs{jobs}-seed{seed}",
        meta=meta,
    )
    p.meta["job_of_task"] = job_of + [-1] * (p.n_jobs - len(job_of))
    return p


def stream_job_metrics(problem: Problem, schedule: Any) -> list[dict[str, int]]:
    """Per job of a :func:`dag_stream` problem: ``arrival``, ``completion`` and ``response`` (the difference).

    ``completion`` is the latest end of the job's tasks in ``schedule``.
    """
    if "job_of_task" not in problem.meta:
        raise ProblemError(f"{problem.name or 'problem'}: not a dag_stream problem (no meta['job_of_task'])")
    job = np.asarray(problem.meta["job_of_task"])
    end = np.asarray(schedule.end)
    out = []
    for k, arrival in enumerate(problem.meta["arrivals"]):
        done = int(end[job == k].max())
        out.append({"job": k, "arrival": int(arrival), "completion": done, "response": done - int(arrival)})
    return out
