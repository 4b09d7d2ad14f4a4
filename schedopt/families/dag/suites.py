"""Heterogeneous DAG suites for ``schedopt bench``.

* ``dag-santiago-ligo``, ``dag-santiago-robot``, ``dag-santiago-sparse``: the unrelated-machine
  cost tables of Santiago et al.'s ``SchedulingInstances`` (LIGO 76, Robot 88 and Sparse 96 tasks),
  100 files each: processors {8, 16, 32, 64} x beta {0.1, 0.25, 0.5, 0.75, 1} x CCR
  {0.1, 0.5, 1, 5, 10}. Parameters ``processors=P`` keep one processor count, ``ccr=C`` one CCR.
* ``dag-santiago-synthetic``: the 14 textbook examples (Topcuoglu et al. 2002's Fig. 2 among them).
* ``dag-dagbench``: the DAGBench workflows in saga's ``graph.json`` format (related machines).
* ``dag-gen-topcuoglu``: seeded Topcuoglu random DAGs (:func:`.generators.topcuoglu_dag`), cycling through
  the paper's shape, out-degree, CCR and heterogeneity classes; parameters ``v``, ``count``,
  ``machines``, ``seed``.
* ``dag-gen-shapes``: the classic application graphs (:mod:`.generators`: Gaussian elimination,
  FFT, Montage-like, in/out-trees, chains) at a few sizes; parameters ``machines``, ``seed``.

No reference values ship with these sets (none are published for them), so the reported gaps are
to the run's own bounds. This module is imported lazily by :mod:`schedopt.bench.suites`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from ...bench.suites import InstanceRef, natural_key, read_instance_file, suite_spec
from ...model import Problem

SANTIAGO_SETS: dict[str, str] = {
    "ligo": "LIGO",
    "robot": "Robot",
    "sparse": "Sparse",
    "synthetic": "Synthetic",
}


@dataclass(frozen=True)
class _File:
    path: str

    def __call__(self) -> Problem:
        return read_instance_file(self.path)


def _santiago_parameters(stem: str) -> dict[str, str]:
    """``LIGO-16-76-0.1-0.5`` -> processors 16, tasks 76, beta 0.1, ccr 0.5 (file-name convention)."""
    parts = stem.split("-")
    if len(parts) != 5:
        return {}
    return dict(zip(("set", "processors", "tasks", "beta", "ccr"), parts))


def _santiago(folder: str, processors: int | None = None, ccr: float | None = None) -> list[InstanceRef]:
    from ...data import require_dataset

    base = require_dataset("dags") / "santiago_hetero" / folder
    if not base.is_dir():
        raise FileNotFoundError(f"{base} not found (set SCHEDOPT_DATA to the shared data directory)")
    files = [p for p in base.iterdir() if p.suffix in (".dag", ".txt")]
    files.sort(key=lambda p: natural_key(p.name))
    refs = []
    for path in files:
        par = _santiago_parameters(path.stem)
        if processors is not None and par.get("processors") != str(processors):
            continue
        if ccr is not None and (not par or float(par["ccr"]) != float(ccr)):
            continue
        refs.append(InstanceRef(path.stem, _File(str(path))))
    return refs


def _dagbench() -> list[InstanceRef]:
    from ...data import require_dataset

    base = require_dataset("dags") / "dagbench" / "workflows"
    if not base.is_dir():
        raise FileNotFoundError(f"{base} not found (set SCHEDOPT_DATA to the shared data directory)")
    files = sorted(base.rglob("graph.json"), key=lambda p: natural_key(str(p)))
    return [InstanceRef(str(p.parent.relative_to(base)).replace("/", "."), _File(str(p))) for p in files]


#: Topcuoglu et al. (2002, Sec. 5) parameter classes cycled by ``dag-gen-topcuoglu``.
GEN_ALPHA = (0.5, 1.0, 2.0)
GEN_OUT_DEGREE = (1, 2, 3, 4, 5)
GEN_CCR = (0.1, 0.5, 1.0, 5.0, 10.0)
GEN_BETA = (0.1, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class _Generated:
    builder: str
    kwargs: tuple[tuple[str, Any], ...]

    def __call__(self) -> Problem:
        from . import generators

        return getattr(generators, self.builder)(**dict(self.kwargs))


def _gen(v: int = 30, count: int = 20, machines: int = 4, seed: int = 0) -> Iterator[InstanceRef]:
    """``count`` Topcuoglu DAGs of ``v`` tasks, cycling through (alpha, out-degree, CCR, beta)."""
    classes = list(itertools.product(GEN_ALPHA, GEN_OUT_DEGREE, GEN_CCR, GEN_BETA))
    stride = 97  # coprime with len(classes) = 375: consecutive instances spread over the classes
    for k in range(count):
        alpha, deg, ccr, beta = classes[(k * stride) % len(classes)]
        name = f"gen-v{v}-m{machines}-{k + 1}"
        kwargs = {
            "v": v,
            "alpha": alpha,
            "out_degree": deg,
            "ccr": ccr,
            "beta": beta,
            "machines": machines,
            "seed": seed * 100003 + k,
            "name": name,
        }
        yield InstanceRef(name, _Generated("topcuoglu_dag", tuple(kwargs.items())))


#: (builder, size arguments) of ``dag-gen-shapes``.
SHAPES: tuple[tuple[str, dict[str, int]], ...] = (
    ("gaussian_elimination", {"m": 5}),
    ("gaussian_elimination", {"m": 8}),
    ("fft", {"m": 4}),
    ("fft", {"m": 8}),
    ("montage_like", {"width": 4}),
    ("montage_like", {"width": 8}),
    ("in_tree", {"levels": 4, "branching": 2}),
    ("out_tree", {"levels": 4, "branching": 2}),
    ("chains", {"n_chains": 4, "length": 5}),
)


def _shapes(machines: int = 4, seed: int = 0, ccr: float = 1.0, beta: float = 0.5) -> Iterator[InstanceRef]:
    for k, (builder, size) in enumerate(SHAPES):
        name = f"{builder}-" + "-".join(f"{key}{val}" for key, val in size.items()) + f"-m{machines}"
        kwargs = {**size, "machines": machines, "ccr": ccr, "beta": beta, "name": name}
        kwargs["seed"] = seed * 100003 + k
        yield InstanceRef(name, _Generated(builder, tuple(kwargs.items())))


SUITES = [
    *(
        suite_spec(
            f"dag-santiago-{key}",
            partial(_santiago, folder),
            description=(
                "Santiago et al. textbook DAG examples (14, Topcuoglu 2002 Fig. 2 among them)"
                if key == "synthetic"
                else f"Santiago et al. {folder} DAGs, unrelated-machine cost tables (100); "
                "params processors=8|16|32|64, ccr"
            ),
            family="dag",
            requires="dags",
        )
        for key, folder in SANTIAGO_SETS.items()
    ),
    suite_spec(
        "dag-dagbench",
        _dagbench,
        description="DAGBench workflows (saga graph.json, related machines)",
        family="dag",
        requires="dags",
    ),
    suite_spec(
        "dag-gen-topcuoglu",
        _gen,
        description="seeded Topcuoglu random DAGs (alpha, out-degree, CCR, beta cycled); "
        "params v, count, machines, seed",
        family="dag",
    ),
    suite_spec(
        "dag-gen-shapes",
        _shapes,
        description="Gaussian elimination, FFT, Montage-like, in/out-trees, chains; "
        "params machines, seed, ccr, beta",
        family="dag",
    ),
]
"""The family's bench suites (declared in :data:`schedopt.families.dag.FAMILY`)."""
