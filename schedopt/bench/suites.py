"""Benchmark suites: named instance sets with best-known values.

A suite is a list of :class:`InstanceRef` (a name, a loader and the
best-known :class:`Reference`). Suites come from

* the **families**: each declares its suites (``Family.suites``, a list of
  :class:`SuiteSpec` made with :func:`suite_spec`), loaded on first use (so
  adding a family needs no edit here); users may add more with
  :func:`register_suite`;
* the ``smoke`` suite: every instance shipped in the repository's
  ``instances/`` folder (all families present);
* any **folder, file or glob** of instance files that :func:`schedopt.read`
  understands.

Suite specifications are strings ``NAME[:key=value,...]``. Keys a suite's
factory does not take are the generic sampling keys ``every=S`` (every S-th
instance, after natural sorting: a stratified sample over the parameter
classes of PSPLIB and OR-Library sets), ``start=K`` and ``limit=K``.
"""

from __future__ import annotations

import glob as _glob
import inspect
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import Problem

SAMPLING_KEYS: tuple[str, ...] = ("every", "start", "limit")


@dataclass(frozen=True)
class Reference:
    """Best-known values of one instance (all for minimisation).

    Attributes
    ----------
    lb
        A proven lower bound on the optimum (``None`` when none is known).
    ub
        The objective of a known feasible schedule: the best-known value
        (``None`` when none is known).
    source
        Where the values come from (file, paper).
    """

    lb: int | None = None
    ub: int | None = None
    source: str = ""

    @property
    def proven(self) -> bool:
        """True when the best-known value is a proven optimum (``lb == ub``)."""
        return self.lb is not None and self.ub is not None and self.lb == self.ub

    @property
    def optimum(self) -> int | None:
        """The proven optimum, or ``None``."""
        return self.ub if self.proven else None


@dataclass(frozen=True)
class InstanceRef:
    """One instance of a suite: a unique name, a loader and its reference values."""

    name: str
    load: Callable[[], Problem]
    reference: Reference = field(default_factory=Reference)


@dataclass(frozen=True)
class Suite:
    """A named list of instances."""

    name: str
    instances: tuple[InstanceRef, ...]
    description: str = ""

    def __len__(self) -> int:
        return len(self.instances)

    def __iter__(self):
        return iter(self.instances)


SuiteFactory = Callable[..., Iterable[InstanceRef]]


@dataclass(frozen=True)
class SuiteSpec:
    """A registered suite: ``factory(**params)`` yields its instances."""

    name: str
    factory: SuiteFactory
    description: str
    family: str
    requires: str | None  # a data set of :data:`schedopt.data.DATASETS`, if any


_REGISTERED: dict[str, SuiteSpec] = {}


def suite_spec(
    name: str,
    factory: SuiteFactory,
    *,
    description: str = "",
    family: str = "",
    requires: str | None = None,
) -> SuiteSpec:
    """A :class:`SuiteSpec` with a checked name (what a family lists in its ``suites``)."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        raise ValueError(f"suite name {name!r}: use letters, digits, '-' and '_' only")
    return SuiteSpec(name, factory, description, family, requires)


def register_suite(
    name: str,
    factory: SuiteFactory,
    *,
    description: str = "",
    family: str = "",
    requires: str | None = None,
) -> None:
    """Register a suite.

    Parameters
    ----------
    name
        Suite name (letters, digits, ``-`` and ``_``), e.g. ``"psplib-j30"``.
    factory
        ``factory(**params) -> iterable of InstanceRef``; ``params`` come from
        the spec string ``name:key=value,...`` (values parsed as int, float or
        str). Raise ``FileNotFoundError`` (with a hint) when data is missing.
    description
        One line for ``schedopt bench suites``.
    family
        The family that owns the suite.
    requires
        Name of the data set the suite reads (see :mod:`schedopt.data`).
    """
    _REGISTERED[name] = suite_spec(name, factory, description=description, family=family, requires=requires)


def _family_suites() -> dict[str, SuiteSpec]:
    """The suites every registered family declares (:attr:`schedopt.registry.Family.suites`)."""
    from ..registry import families, resolve

    out: dict[str, SuiteSpec] = {}
    for fam in families().values():
        if fam.suites is not None:
            for spec in resolve(fam.suites):
                out[spec.name] = spec
    return out


def registered_suites() -> dict[str, SuiteSpec]:
    """All suites by name: the families' and those registered with :func:`register_suite`."""
    suites = _family_suites()
    suites.update(_REGISTERED)
    return suites


# ----------------------------------------------------------------- parsing
def _parse_value(text: str) -> Any:
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text


def parse_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name:key=value,key=value"`` into the name and a parameter dict."""
    name, _, rest = spec.partition(":")
    params: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        if not eq or not key.strip():
            raise ValueError(f"suite {spec!r}: parameter {part!r} is not key=value")
        params[key.strip()] = _parse_value(value.strip())
    return name, params


def natural_key(text: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _sample(
    refs: list[InstanceRef], every: int = 1, start: int = 0, limit: int | None = None
) -> list[InstanceRef]:
    if not all(isinstance(v, int) for v in (every, start, limit if limit is not None else 0)):
        raise ValueError(
            f"sampling: every, start and limit must be integers, got {every!r}, {start!r}, {limit!r}"
        )
    if every < 1 or start < 0 or (limit is not None and limit < 0):
        raise ValueError("sampling: need every >= 1, start >= 0, limit >= 0")
    out = refs[start::every]
    return out if limit is None else out[:limit]


def _check_unique(name: str, refs: Sequence[InstanceRef]) -> None:
    seen: set[str] = set()
    for r in refs:
        if r.name in seen:
            raise ValueError(f"suite {name!r}: instance name {r.name!r} appears twice")
        seen.add(r.name)


def _from_registry(spec: str) -> Suite | None:
    name, params = parse_spec(spec)
    suites = registered_suites()
    if name not in suites:
        return None
    entry = suites[name]
    sampling = {k: params.pop(k) for k in SAMPLING_KEYS if k in params}
    accepted = inspect.signature(entry.factory).parameters
    takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    unknown = [k for k in params if k not in accepted and not takes_kwargs]
    if unknown:
        allowed = [k for k in accepted if not k.startswith("_")] + list(SAMPLING_KEYS)
        raise ValueError(f"suite {name!r}: unknown parameter(s) {unknown}; allowed: {', '.join(allowed)}")
    refs = _sample(list(entry.factory(**params)), **sampling)
    _check_unique(spec, refs)
    return Suite(canonical_spec(name, params, sampling), tuple(refs), entry.description)


def canonical_spec(name: str, params: dict[str, Any], sampling: dict[str, Any] | None = None) -> str:
    """The spec string stored in results: parameters sorted, sampling keys last."""
    items = sorted(params.items()) + sorted((sampling or {}).items())
    return name if not items else name + ":" + ",".join(f"{k}={v}" for k, v in items)


# ------------------------------------------------------------ file suites
@lru_cache(maxsize=16)
def _read_all(path: str, mtime: float) -> tuple[Problem, ...]:
    from ..io import read

    obj = read(path)
    return tuple(obj) if isinstance(obj, list) else (obj,)


def read_instance_file(path: str | Path, index: int = 0) -> Problem:
    """Instance ``index`` of a (possibly multi-instance) file, parsed once per file."""
    p = Path(path)
    return _read_all(str(p), p.stat().st_mtime)[index]


def reference_from_meta(problem: Problem, source: str) -> Reference:
    """Reference values a reader put in ``problem.meta``: ``opt`` (proven optimum),
    or ``best_lb`` / ``best_ub``."""
    meta = problem.meta
    if meta.get("opt") is not None:
        v = int(meta["opt"])
        return Reference(v, v, source)
    lb, ub = meta.get("best_lb"), meta.get("best_ub")
    if lb is not None or ub is not None:
        return Reference(None if lb is None else int(lb), None if ub is None else int(ub), source)
    return Reference()


def _readable(path: Path) -> bool:
    from ..io.dispatch import detect_format

    return detect_format(path) is not None


def file_suite(name: str, files: Sequence[Path], root: Path | None = None) -> Suite:
    """A suite over instance files (every instance of multi-instance files).

    Instance names are the path relative to ``root`` (or the file name), with
    ``#k`` (1-based) appended in files holding several instances. Reference
    values come from each problem's ``meta`` (see :func:`reference_from_meta`).
    """
    from ..errors import ParseError

    refs: list[InstanceRef] = []
    for f in sorted(files, key=lambda p: natural_key(str(p))):
        label = str(f.relative_to(root)) if root is not None else f.name
        try:
            problems = _read_all(str(f), f.stat().st_mtime)
        except ParseError:
            if f.suffix.lower() == ".json":  # a results/schedule file, not a problem
                continue
            raise
        for k, prob in enumerate(problems):
            inst = label if len(problems) == 1 else f"{label}#{k + 1}"
            refs.append(
                InstanceRef(
                    inst,
                    _Loader(str(f), k),
                    reference_from_meta(prob, str(f)),
                )
            )
    if not refs:
        raise ValueError(f"suite {name!r}: no instance files found")
    _check_unique(name, refs)
    return Suite(name, tuple(refs), f"instance files under {root or name}")


@dataclass(frozen=True)
class _Loader:
    path: str
    index: int

    def __call__(self) -> Problem:
        return read_instance_file(self.path, self.index)


def _from_path(spec: str) -> Suite | None:
    path = Path(spec).expanduser()
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file() and _readable(p)]
        return file_suite(str(path), files, root=path)
    if path.is_file():
        return file_suite(str(path), [path], root=path.parent)
    if any(ch in spec for ch in "*?["):
        files = [Path(p) for p in _glob.glob(os.path.expanduser(spec), recursive=True)]
        files = [p for p in files if p.is_file() and _readable(p)]
        if not files:
            raise ValueError(f"glob {spec!r} matches no instance files")
        return file_suite(spec, files, root=Path(os.path.commonpath([str(p.parent) for p in files])))
    return None


def problems_suite(
    name: str, problems: Sequence[Problem], references: Sequence[Reference] | None = None
) -> Suite:
    """A suite over in-memory problems (instance names: ``problem.name`` or ``#k``)."""
    refs = []
    for k, prob in enumerate(problems):
        ref = references[k] if references is not None else reference_from_meta(prob, "meta")
        refs.append(InstanceRef(prob.name or f"#{k + 1}", _Const(prob), ref))
    _check_unique(name, refs)
    return Suite(name, tuple(refs), "in-memory problems")


@dataclass(frozen=True)
class _Const:
    problem: Problem

    def __call__(self) -> Problem:
        return self.problem


def get_suite(spec: str | Path | Suite | Sequence[Problem]) -> Suite:
    """Resolve a suite from a name (with parameters), a path/glob, a Suite or problems.

    Raises
    ------
    ValueError
        An unknown suite name, bad parameters, or a path with no instances.
    FileNotFoundError
        A registered suite whose data set is missing (the message says where
        it was looked for and how to set ``SCHEDOPT_DATA``).
    """
    if isinstance(spec, Suite):
        return spec
    if isinstance(spec, Path):
        spec = str(spec)
    if not isinstance(spec, str):
        problems = list(spec)
        if not all(isinstance(p, Problem) for p in problems):
            raise TypeError("a suite is a name, a path, a Suite or a sequence of Problems")
        return problems_suite("problems", problems)
    suite = _from_registry(spec)
    if suite is None:
        suite = _from_path(spec)
    if suite is None:
        known = ", ".join(sorted(registered_suites()))
        raise ValueError(
            f"unknown suite {spec!r}: not a registered suite ({known}) nor an existing path or glob"
        )
    return suite


# ------------------------------------------------------------ smoke suite
def instances_dir() -> Path:
    """The ``instances/`` folder shipped beside the package (or ``$SCHEDOPT_INSTANCES``)."""
    env = os.environ.get("SCHEDOPT_INSTANCES")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[2] / "instances"


def _smoke() -> list[InstanceRef]:
    root = instances_dir()
    if not root.is_dir():
        raise FileNotFoundError(
            f"the smoke suite reads the instances shipped with schedopt, expected in {root} "
            "(set SCHEDOPT_INSTANCES to that folder)"
        )
    files = [p for p in root.rglob("*") if p.is_file() and _readable(p)]
    known = _smoke_reference(root / "reference.csv")
    return [
        InstanceRef(ref.name, ref.load, known.get(ref.name, ref.reference))
        for ref in file_suite("smoke", files, root=root).instances
    ]


def _smoke_reference(path: Path) -> dict[str, Reference]:
    """``instances/reference.csv``: optima proven by ``instances/make_instances.py`` (columns
    ``instance, lb, ub, source``)."""
    import csv

    if not path.is_file():
        return {}
    out = {}
    with path.open(newline="") as fh:
        for no, row in enumerate(csv.DictReader(fh), start=2):
            try:
                lb = None if row["lb"] in ("", None) else int(row["lb"])
                ub = None if row["ub"] in ("", None) else int(row["ub"])
                out[row["instance"]] = Reference(lb, ub, f"{path.name}: {row.get('source', '')}")
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(f"{path}, line {no}: bad reference row {row!r} ({exc})") from None
    return out


register_suite(
    "smoke",
    _smoke,
    description="the small instances shipped in instances/ (every family present); seconds to run",
    family="all",
)
