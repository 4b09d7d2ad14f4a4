"""RCPSP benchmark suites for ``schedopt bench``.

* ``psplib-j30``, ``psplib-j60``, ``psplib-j90``, ``psplib-j120``: the PSPLIB
  single-mode sets (Kolisch & Sprecher, 1996) from the data directory. Best
  known values from ``psplib/values/reference.csv`` (columns ``best_lb``,
  ``best_ub``; built from the UGent 2024 tables, the PSPLIB ``hrs`` lists and
  published solver runs, see that folder's SOURCE.md). An instance is closed
  (proven optimum) when ``best_lb == best_ub``: all of J30, 462 of J60, 414 of
  J90 and 311 of J120.
* ``gen-rcpsp``: seeded random instances (:func:`generate_rcpsp`).

This module is imported lazily by :mod:`schedopt.bench.suites`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from ...bench.suites import InstanceRef, Reference, natural_key, read_instance_file, suite_spec
from ...model import Problem
from .model import rcpsp

PSPLIB_SETS: tuple[str, ...] = ("j30", "j60", "j90", "j120")


@lru_cache(maxsize=2)
def psplib_reference(path: str) -> dict[str, Reference]:
    """Per-instance best-known values from ``reference.csv`` (keyed by instance name, e.g. ``j301_1``)."""
    out: dict[str, Reference] = {}
    with open(path, newline="") as fh:
        for no, row in enumerate(csv.DictReader(fh), 2):
            try:
                lb = int(row["best_lb"]) if row["best_lb"] else None
                ub = int(row["best_ub"]) if row["best_ub"] else None
            except (KeyError, ValueError) as exc:
                raise ValueError(f"{path}, line {no}: bad best_lb/best_ub ({exc})") from None
            lb_src, ub_src = row.get("best_lb_source", "?"), row.get("best_ub_source", "?")
            src = f"psplib reference.csv (lb: {lb_src}, ub: {ub_src})"
            out[row["instance"]] = Reference(lb, ub, src)
    return out


def psplib_hrs_reference(base: Path, set_name: str) -> dict[str, Reference]:
    """Fallback when ``reference.csv`` is absent: the PSPLIB solution lists ``values/psplib_hrs``.

    Rows ``Par Inst Makespan ...``. ``j30opt.sm`` and the J30 ``hrs`` list hold
    proven optima (``lb == ub``); the other lists hold best-known makespans only.
    """
    folder = base / "values" / "psplib_hrs"
    candidates = [folder / f"{set_name}opt.sm", folder / f"{set_name}hrs.sm"]
    path = next((p for p in candidates if p.exists()), None)
    if path is None:
        return {}
    proven = set_name == "j30"
    out: dict[str, Reference] = {}
    for line in path.read_text(errors="replace").splitlines():
        tok = line.split()
        if len(tok) >= 3 and all(t.isdigit() for t in tok[:3]):
            v = int(tok[2])
            out[f"{set_name}{tok[0]}_{tok[1]}"] = Reference(v if proven else None, v, path.name)
    return out


def _psplib(set_name: str) -> list[InstanceRef]:
    from ...data import require_dataset

    base = require_dataset("psplib")
    folder = base / set_name
    files = sorted(folder.glob("*.sm"), key=lambda p: natural_key(p.stem))
    if not files:
        raise FileNotFoundError(f"no .sm files in {folder}")
    table = base / "values" / "reference.csv"
    refs = psplib_reference(str(table)) if table.exists() else psplib_hrs_reference(base, set_name)
    return [InstanceRef(f.stem, _FileLoader(str(f)), refs.get(f.stem, Reference())) for f in files]


@dataclass(frozen=True)
class _FileLoader:
    path: str

    def __call__(self) -> Problem:
        return read_instance_file(self.path)


def generate_rcpsp(
    n: int,
    *,
    resources: int = 4,
    resource_factor: float = 0.5,
    resource_strength: float = 0.3,
    max_successors: int = 3,
    seed: int = 0,
    name: str = "",
) -> Problem:
    """A random single-mode RCPSP in PSPLIB style (dummy source and sink added).

    Follows the parameters of ProGen (Kolisch, Sprecher & Drexl, 1995,
    Management Science 41(10)): durations ``p_j ~ U{1..10}``; each activity
    uses each resource with probability ``RF`` (resource factor), demand
    ``U{1..10}``; capacity by resource strength
    ``R_k = K_min + round(RS * (K_max - K_min))`` with ``K_min = max_j r_jk``
    and ``K_max`` the peak usage of resource ``k`` in the earliest-start
    schedule.

    Deviation from ProGen: the network is not generated to a target network
    complexity; each activity gets ``U{1..max_successors}`` successors drawn
    uniformly among later activities (index order is topological), and
    activities without predecessor (successor) are linked to the source (sink).
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    rng = np.random.default_rng(seed)
    total = n + 2
    succ: list[set[int]] = [set() for _ in range(total)]
    for i in range(1, n):
        later = np.arange(i + 1, n + 1)
        k = min(len(later), int(rng.integers(1, max_successors + 1)))
        succ[i].update(int(j) for j in rng.choice(later, size=k, replace=False))
    has_pred = {j for s in succ for j in s}
    for j in range(1, n + 1):
        if j not in has_pred:
            succ[0].add(j)
        if not succ[j]:
            succ[j].add(n + 1)
    dur = np.zeros(total, np.int64)
    dur[1 : n + 1] = rng.integers(1, 11, n)
    demand = np.zeros((total, resources), np.int64)
    use = rng.random((n, resources)) < resource_factor
    use[np.arange(n), rng.integers(0, resources, n)] = True  # every activity uses some resource
    demand[1 : n + 1] = np.where(use, rng.integers(1, 11, (n, resources)), 0)
    es = np.zeros(total, np.int64)
    for i in range(total):  # index order is topological
        for j in succ[i]:
            es[j] = max(es[j], es[i] + dur[i])
    horizon = int((es + dur).max())
    usage = np.zeros((horizon + 1, resources), np.int64)
    for j in range(total):
        usage[es[j] : es[j] + dur[j]] += demand[j]
    kmin = demand.max(axis=0)
    kmax = usage.max(axis=0)
    cap = np.maximum(kmin + np.round(resource_strength * (kmax - kmin)).astype(np.int64), 1)
    return rcpsp(
        dur,
        cap,
        demand,
        successors=[sorted(s) for s in succ],
        name=name or f"gen-rcpsp-n{n}-s{seed}",
        meta={"generator": "schedopt.families.rcpsp.suites.generate_rcpsp", "seed": seed},
    )


@dataclass(frozen=True)
class _Generated:
    n: int
    seed: int
    rf: float
    rs: float
    name: str

    def __call__(self) -> Problem:
        return generate_rcpsp(
            self.n, resource_factor=self.rf, resource_strength=self.rs, seed=self.seed, name=self.name
        )


def _gen(
    n: int = 30, count: int = 10, seed: int = 0, rf: float = 0.5, rs: float = 0.3
) -> Iterator[InstanceRef]:
    """``count`` instances; instance ``k`` uses seed ``seed * 100003 + k``."""
    for k in range(count):
        name = f"rcpsp-n{n}-{k + 1}"
        yield InstanceRef(name, _Generated(n, seed * 100003 + k, rf, rs, name))


SUITES = [
    *(
        suite_spec(
            f"psplib-{set_name}",
            partial(_psplib, set_name),
            description=f"PSPLIB {set_name.upper()} (Kolisch & Sprecher 1996); best known from psplib/values",
            family="rcpsp",
            requires="psplib",
        )
        for set_name in PSPLIB_SETS
    ),
    suite_spec(
        "gen-rcpsp",
        _gen,
        description="seeded random RCPSP (ProGen-style RF/RS); params n, count, seed, rf, rs; no reference",
        family="rcpsp",
    ),
]
"""The family's bench suites (declared in :data:`schedopt.families.rcpsp.FAMILY`)."""
