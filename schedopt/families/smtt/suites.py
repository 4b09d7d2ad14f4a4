"""Single-machine tardiness suites for ``schedopt bench``.

* ``orlib-wt40``, ``orlib-wt50``, ``orlib-wt100``: OR-Library 1||ΣwjTj
  (Crauwels, Potts & Van Wassenhove, 1998), 125 instances each. Reference
  values: ``wtopt40.txt``, ``wtopt50.txt`` and ``wtbest100b.txt`` (Congram,
  Potts & van de Velde, 2002). Following ``orlib_wt/SOURCE.md``, a value counts
  as a proven optimum (``lb == ub``) only where that file says so: all of wt40
  except #19, all of wt50 except #11, 12, 14, 19, 36, 44, 66, 87, 88, 111;
  the wt100 values are best-known only (``lb`` absent). Later exact methods
  (Pan & Shi, 2007; Tanaka, Fujikuma & Araki, 2009) closed them, but the data
  set does not re-prove that, so neither do we.
* ``smtt-20``, ``smtt-100``, ``smtt-200``, ``smtt-500``: 1||ΣTj with proven
  optima (``problem.meta["opt"]``): the uniform 20-job set of Cetinkaya et al.
  (2025) and the Shang, T'kindt & Della Croce (2021) sets.
* ``gen-smtt``: seeded random instances (:func:`generate_smtt`).

This module is imported lazily by :mod:`schedopt.bench.suites`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from ...bench.suites import InstanceRef, Reference, natural_key, read_instance_file, suite_spec
from ...model import Problem
from .model import generate_smtt

#: 1-based OR-Library instances whose listed value was best-known, not proven, per SOURCE.md.
ORLIB_UNPROVEN: dict[int, frozenset[int]] = {
    40: frozenset({19}),
    50: frozenset({11, 12, 14, 19, 36, 44, 66, 87, 88, 111}),
}
ORLIB_VALUES: dict[int, str] = {40: "wtopt40.txt", 50: "wtopt50.txt", 100: "wtbest100b.txt"}
SMTT_FILES: dict[int, str] = {
    20: "tt20_uniform_cetinkaya.txt",
    100: "tt100_shang.txt",
    200: "tt200_shang.txt",
    500: "tt500_shang.txt",
}


def _orlib(n: int) -> list[InstanceRef]:
    from ...data import require_dataset
    from ...io import read
    from .orlib import read_orlib_values

    base = require_dataset("orlib_wt")
    path = base / f"wt{n}.txt"
    vpath = base / ORLIB_VALUES[n]
    values = read_orlib_values(vpath)
    problems = read(path)
    if len(values) != len(problems):
        raise ValueError(f"{vpath}: {len(values)} values for {len(problems)} instances in {path}")
    refs = []
    for k, prob in enumerate(problems):
        v = int(values[k])
        proven = n in ORLIB_UNPROVEN and (k + 1) not in ORLIB_UNPROVEN[n]
        ref = Reference(v if proven else None, v, f"{vpath.name}{'' if proven else ' (best known)'}")
        refs.append(InstanceRef(prob.name, _Indexed(str(path), k), ref))
    return refs


def _smtt(n: int) -> list[InstanceRef]:
    from ...data import require_dataset
    from ...io import read

    path = require_dataset("smtt_unweighted") / SMTT_FILES[n]
    if not path.exists():
        raise FileNotFoundError(f"{path} not found (set SCHEDOPT_DATA to the shared data directory)")
    refs = []
    for k, prob in enumerate(read(path)):
        opt = int(prob.meta["opt"])
        refs.append(InstanceRef(prob.name, _Indexed(str(path), k), Reference(opt, opt, path.name)))
    refs.sort(key=lambda r: natural_key(r.name))
    return refs


@dataclass(frozen=True)
class _Indexed:
    path: str
    index: int

    def __call__(self) -> Problem:
        return read_instance_file(self.path, self.index)


@dataclass(frozen=True)
class _Generated:
    n: int
    tf: float
    rdd: float
    weighted: bool
    seed: int
    name: str

    def __call__(self) -> Problem:
        return generate_smtt(
            self.n, tf=self.tf, rdd=self.rdd, weighted=self.weighted, seed=self.seed, name=self.name
        )


_CLASSES = (0.2, 0.4, 0.6, 0.8, 1.0)


def _gen(n: int = 20, count: int = 10, seed: int = 0, weighted: int = 0) -> Iterator[InstanceRef]:
    """``count`` instances cycling through the 25 (TF, RDD) classes of {0.2, ..., 1.0}^2."""
    for k in range(count):
        tf, rdd = _CLASSES[(k // 5) % 5], _CLASSES[k % 5]
        name = f"{'wt' if weighted else 'tt'}-n{n}-{k + 1}"
        yield InstanceRef(name, _Generated(n, tf, rdd, bool(weighted), seed * 100003 + k, name))


SUITES = [
    *(
        suite_spec(
            f"orlib-wt{n}",
            partial(_orlib, n),
            description=f"OR-Library 1||ΣwjTj, n={n}, 125 instances; reference {ORLIB_VALUES[n]}"
            + (" (best known, not proven)" if n == 100 else " (proven optima but a few, see SOURCE.md)"),
            family="smtt",
            requires="orlib_wt",
        )
        for n in ORLIB_VALUES
    ),
    *(
        suite_spec(
            f"smtt-{n}",
            partial(_smtt, n),
            description=f"1||ΣTj, n={n}, proven optima ({file})",
            family="smtt",
            requires="smtt_unweighted",
        )
        for n, file in SMTT_FILES.items()
    ),
    suite_spec(
        "gen-smtt",
        _gen,
        description="seeded random 1||ΣTj (weighted=1: ΣwjTj), Potts-Van Wassenhove; params n, count, seed",
        family="smtt",
    ),
]
"""The family's bench suites (declared in :data:`schedopt.families.smtt.FAMILY`)."""
