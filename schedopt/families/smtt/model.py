"""Builders for single-machine problems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ...errors import ProblemError
from ...model import Problem


def single_machine(
    p: Sequence[int] | np.ndarray,
    d: Sequence[int] | np.ndarray,
    w: Sequence[int] | np.ndarray | None = None,
    release: Sequence[int] | np.ndarray | None = None,
    *,
    objective: str | None = None,
    name: str = "",
    meta: dict[str, Any] | None = None,
) -> Problem:
    """Build a single-machine problem ``1|r_j|ΣTj`` or ``1|r_j|ΣwjTj``.

    The machine is modelled as one renewable resource of capacity 1 that every
    job needs, so the checker and CP-SAT treat it like any other resource.

    Parameters
    ----------
    p, d
        Processing times (a sequence, one per job: ``[3]`` for one job) and due
        dates (one per job, or one number for a common due date).
    w
        Weights; when given (and ``objective`` is not), the objective is total
        weighted tardiness, otherwise total tardiness.
    release
        Release dates (default 0).
    objective
        Override the objective (any of :data:`schedopt.model.OBJECTIVES`).

    Raises
    ------
    ProblemError
        When ``p`` is not a one-dimensional sequence (a scalar such as
        ``single_machine(3, 4)``, or a table), or any field is invalid.
    """
    try:
        shape = np.shape(p)
    except ValueError:  # ragged rows: Problem names them
        shape = None
    if shape == ():
        raise ProblemError(
            f"p: expected a sequence of processing times (one per job), got the scalar {p!r}; "
            f"for a single job write single_machine([{p!r}], ...)"
        )
    if shape is not None and len(shape) != 1:
        raise ProblemError(f"p: expected a one-dimensional sequence (one per job), got shape {shape}")
    n = 0 if shape is None else shape[0]
    if objective is None:
        objective = "total_tardiness" if w is None else "total_weighted_tardiness"
    return Problem(
        duration=p,
        due=d,
        weight=w,
        release=release,
        capacity=[1],
        demand=np.ones((n, 1), dtype=np.int64),
        resource_names=["machine"],
        objective=objective,
        family="smtt",
        name=name,
        meta=meta or {},
    )


def is_single_machine(problem: Problem) -> bool:
    """True when every job needs the one unit-capacity resource and nothing else constrains."""
    return (
        problem.n_resources == 1
        and int(problem.capacity[0]) == 1
        and bool((problem.demand[:, 0] == 1).all())
        and not problem.has_machines
        and len(problem.precedence) == 0
        and len(problem.downtime) == 0
        and len(problem.disjunctive) == 0
        and not problem.has_deadlines
        and not problem.extended_features
        and problem.duration.ndim == 1
    )


def generate_smtt(
    n: int,
    *,
    tf: float = 0.6,
    rdd: float = 0.6,
    weighted: bool = False,
    seed: int = 0,
    name: str = "",
    p_max: int = 100,
    w_max: int = 10,
    clip: bool = True,
) -> Problem:
    """A random 1||ΣTj (or 1||ΣwjTj) instance, Potts & Van Wassenhove (1982) scheme.

    ``p_j ~ U{1..p_max}``, ``w_j ~ U{1..w_max}`` (weighted only),
    ``d_j ~ U{floor(P(1 - TF - RDD/2)) .. floor(P(1 - TF + RDD/2))}`` with
    ``P = sum p_j``, clipped at 0 when ``clip`` (as Shang et al. 2021 do; the
    20-job sets of Cetinkaya et al. 2025 are not clipped) — the generator of
    the OR-Library ``wt`` sets (Crauwels, Potts & Van Wassenhove, 1998) and of
    Shang, T'kindt & Della Croce (2021). Seeded: the same arguments give the
    same instance. (Potts, C.N. & Van Wassenhove, L.N. (1982), Oper. Res.
    Letters 1:177-181.)

    Parameters
    ----------
    n
        Number of jobs (>= 1).
    tf, rdd
        Tardiness factor and relative range of due dates (both >= 0).
    weighted
        Draw weights and use the objective ΣwjTj.
    seed
        Seed of ``numpy.random.default_rng``.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if tf < 0 or rdd < 0:
        raise ValueError(f"tf and rdd must be >= 0, got tf={tf}, rdd={rdd}")
    if p_max < 1 or w_max < 1:
        raise ValueError(f"p_max and w_max must be >= 1, got {p_max}, {w_max}")
    rng = np.random.default_rng(seed)
    p = rng.integers(1, p_max + 1, n)
    total = int(p.sum())
    lo = int(np.floor(total * (1 - tf - rdd / 2)))
    hi = int(np.floor(total * (1 - tf + rdd / 2)))
    d = rng.integers(lo, max(lo, hi) + 1, n)
    if clip:
        d = np.maximum(d, 0)
    w = rng.integers(1, w_max + 1, n) if weighted else None
    meta = {"generator": "schedopt.families.smtt.generate_smtt", "seed": seed, "tf": tf, "rdd": rdd}
    return single_machine(p, d, w, name=name or f"gen-smtt-n{n}-s{seed}", meta=meta)


TARDINESS = ("total_tardiness", "total_weighted_tardiness")


def is_smtt(problem: Problem) -> bool:
    """``1||ΣTj`` or ``1||ΣwjTj``: one machine, no release dates, a tardiness objective."""
    return (
        is_single_machine(problem)
        and problem.objective in TARDINESS
        and bool((problem.release == 0).all())
        and bool((problem.duration >= 0).all())
    )


def is_unweighted(problem: Problem) -> bool:
    """:func:`is_smtt` with the objective ``ΣTj`` (or ``ΣwjTj`` with all weights equal)."""
    if not is_smtt(problem):
        return False
    if problem.objective == "total_tardiness":
        return True
    return problem.n_jobs == 0 or bool((problem.weight == problem.weight[0]).all())
