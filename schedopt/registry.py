"""One registry of problem families and what they declare.

A *family* (RCPSP, single-machine tardiness, ...) is a plugin: its package
exports one :class:`Family` object that declares its builders, readers and
writers, methods, CP-SAT strengthening, bench suites and warm-up problems.
The registry collects the built-in families from an explicit list
(:data:`BUILTIN_FAMILIES`) and third-party ones from the ``schedopt.families``
entry-point group, so a user adds a family without touching schedopt::

    # pyproject.toml of a third-party package
    [project.entry-points."schedopt.families"]
    flowshop = "my_flowshop:FAMILY"

Heavy parts of a declaration (method functions, readers, the CP-SAT
strengthening, suites) are given as references ``"module:attribute"`` and
imported on first use, so reading the declarations (and ``import schedopt``)
loads neither OR-Tools nor numba. The core (model, check, solve, result,
io dispatch, bench) never imports a family: it asks this registry.

A problem belongs to the family named by :attr:`schedopt.Problem.family`;
only that family's methods (and the model-wide ones, e.g. ``cpsat``) apply to
it, and only that family's strengthening reaches its CP-SAT model.
"""

from __future__ import annotations

import importlib
import inspect
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import NotApplicableError, OptionError, UnknownMethodError
from .model import Problem
from .schedule import Schedule

#: The built-in families, imported by name on first use (module exporting ``FAMILY``).
BUILTIN_FAMILIES: tuple[str, ...] = (
    "schedopt.families.rcpsp",
    "schedopt.families.smtt",
    "schedopt.families.dag",
    "schedopt.families.pods",
    "schedopt.families.quantum",
)

#: Entry-point group through which installed packages declare more families.
ENTRY_POINT_GROUP = "schedopt.families"

#: Arguments every method takes from :func:`schedopt.solve` itself (not options).
SOLVE_ARGUMENTS: tuple[str, ...] = ("time_limit", "seed")

Ref = Any
"""A callable/object, or a reference ``"package.module:attribute[.attribute]"`` imported on first use."""

_RESOLVED: dict[str, Any] = {}


def resolve(ref: Ref) -> Any:
    """The object behind ``ref`` (imported on first use and cached); non-strings are returned as they are."""
    if not isinstance(ref, str):
        return ref
    if ref not in _RESOLVED:
        module, sep, attr = ref.partition(":")
        if not sep or not module or not attr:
            raise ValueError(f"reference {ref!r}: expected 'package.module:attribute'")
        obj: Any = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        _RESOLVED[ref] = obj
    return _RESOLVED[ref]


# ------------------------------------------------------------------ declarations
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
class Method:
    """A solution method: ``run(problem, *, time_limit, seed, **options) -> MethodOutput``.

    Parameters
    ----------
    name
        The ``method=`` string.
    run
        The function, or a reference ``"module:function"`` imported on first use.
        Its keyword parameters (besides ``time_limit`` and ``seed``) are the
        method's options, their defaults the options' defaults: an option it
        does not declare is an :class:`~schedopt.errors.OptionError`.
    applies
        Predicate on a problem of the owning family (``None``: every one).
        Methods registered outside a family (:func:`register_method`) apply to
        the problems their predicate accepts, whatever their family.
    exact
        ``True`` when the method can prove optimality and report bounds.
    description
        One line for :func:`schedopt.methods` and the CLI.
    priority
        Preference of ``method="auto"`` among applicable methods.
    extra_options
        ``(problem) -> {option: default}``: options the method passes on, e.g.
        ``cpsat`` to the CP-SAT strengthening of the problem's family.
    family
        Set by the registry: the owning family's name (``""`` for model-wide methods).
    """

    name: str
    run: Ref
    applies: Callable[[Problem], bool] | None = None
    exact: bool = False
    description: str = ""
    priority: int = 0
    extra_options: Ref | None = None
    family: str = ""

    @property
    def function(self) -> MethodRun:
        """The method's function (imported on first use)."""
        return resolve(self.run)

    def options(self, problem: Problem | None = None) -> dict[str, Any]:
        """The options the method takes, with their defaults (``problem`` adds its strengthening's)."""
        out: dict[str, Any] = {}
        params = list(inspect.signature(self.function).parameters.values())[1:]
        for prm in params:
            if prm.kind in (prm.VAR_KEYWORD, prm.VAR_POSITIONAL) or prm.name in SOLVE_ARGUMENTS:
                continue
            out[prm.name] = None if prm.default is prm.empty else prm.default
        if self.extra_options is not None and problem is not None:
            out.update(resolve(self.extra_options)(problem))
        return out

    def check_options(self, problem: Problem | None, options: Mapping[str, Any]) -> None:
        """Raise :class:`~schedopt.errors.OptionError` for an option the method does not declare."""
        valid = self.options(problem)
        for name in options:
            if name not in valid:
                raise OptionError(self.name, name, valid)

    def accepts(self, problem: Problem) -> bool:
        """True when the method applies to ``problem`` (its family's, and the predicate holds)."""
        if self.family and problem.family != self.family:
            return False
        return self.applies is None or bool(self.applies(problem))


MethodSpec = Method  # the name bench and older user code use


@dataclass(frozen=True)
class Reader:
    """A file format a family reads.

    Parameters
    ----------
    format
        The ``format=`` name of :func:`schedopt.read`.
    read
        ``read(path, **kwargs) -> Problem | list[Problem]`` (or a reference).
    sniff
        ``sniff(path, head) -> bool``: does this file look like the format?
        ``head`` is the file's first 4 KiB as text (``""`` for binary files).
        Sniffers must be cheap and never raise.
    """

    format: str
    read: Ref
    sniff: Callable[[Path, str], bool] | None = None


@dataclass(frozen=True)
class Writer:
    """A file format a family writes: ``write(path, problem)`` for paths ending in ``suffixes``."""

    format: str
    suffixes: tuple[str, ...]
    write: Ref
    accepts: Callable[[Problem], bool] | None = None


@dataclass(frozen=True)
class WarmUp:
    """Methods whose numba kernels compile on first call, and a tiny problem that runs all their kernels.

    ``methods`` maps a method name to the options that keep the call short
    (e.g. a small schedule budget) without skipping any kernel.
    """

    name: str
    problem: Ref
    methods: Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Family:
    """The declaration a family package exports as ``FAMILY``.

    Parameters
    ----------
    name
        The family's name; problems of the family carry it in :attr:`Problem.family`.
    description
        One line.
    builders
        Public functions re-exported as ``schedopt.<name>`` (e.g. ``rcpsp``): name -> reference.
    readers, writers
        File formats (:class:`Reader`, :class:`Writer`).
    methods
        Solution methods (:class:`Method`).
    cpsat
        Reference to a :class:`schedopt.cpsat.context.Strengthening` applied to the
        family's problems by ``method="cpsat"``.
    suites
        Reference to an iterable of :class:`schedopt.bench.suites.SuiteSpec`.
    warmups
        Problems that compile the family's numba kernels (:func:`warm_up`).
    evaluator
        Reference to ``evaluate(problem, schedule) -> dict`` of family metrics that
        ``schedopt bench`` adds to each run's row (``None``: none).
    lower_bound
        Reference to ``lower_bound(problem) -> int``, the family's best cheap valid
        lower bound (shown by ``schedopt info``).
    recognise
        Predicate for problems read from files that do not name a family (written before
        problems carried one): does this shape belong to the family?
    kernels
        Names of the modules holding the family's numba kernels (``schedopt solve`` looks at
        their on-disk cache to announce a long first compile).
    """

    name: str
    description: str = ""
    builders: Mapping[str, Ref] = field(default_factory=dict)
    readers: tuple[Reader, ...] = ()
    writers: tuple[Writer, ...] = ()
    methods: tuple[Method, ...] = ()
    cpsat: Ref | None = None
    suites: Ref | None = None
    warmups: tuple[WarmUp, ...] = ()
    evaluator: Ref | None = None
    lower_bound: Ref | None = None
    recognise: Callable[[Problem], bool] | None = None
    kernels: tuple[str, ...] = ()


# ---------------------------------------------------------------------- registry
_CORE_METHODS: list[Method] = [
    Method(
        "cpsat",
        "schedopt.cpsat.compiler:solve_cpsat",
        exact=True,
        description="OR-Tools CP-SAT on the full unified model (exact; proves bounds)",
        priority=10,
        extra_options="schedopt.cpsat.compiler:strengthening_options",
    )
]
_CORE_READERS: list[Reader] = [
    Reader(
        "json",
        "schedopt.io.json_format:read_json",
        lambda path, head: path.suffix.lower() == ".json",
    )
]

_FAMILIES: dict[str, Family] = {}
_SESSION: dict[str, Family] = {}  # families given to register_family by hand (kept by refresh)
_IN_LOAD = [False]
_LOADED = False
_LOCK = threading.RLock()


def register_family(family: Family) -> Family:
    """Add ``family`` to the registry (a new declaration of the same name replaces the old one).

    Families registered by hand stay registered across :func:`refresh`.

    Raises
    ------
    ValueError
        When the declaration is malformed or a reader format is taken by another family.
    """
    if not isinstance(family, Family):
        raise TypeError(f"register_family expects a schedopt.registry.Family, got {type(family).__name__}")
    if not family.name or family.name == "generic":
        raise ValueError(f"family name {family.name!r} is reserved or empty")
    with _LOCK:
        for other in _FAMILIES.values():
            if other.name == family.name:
                continue
            taken = {r.format for r in other.readers} & {r.format for r in family.readers}
            if taken:
                raise ValueError(
                    f"family {family.name!r}: reader format(s) {sorted(taken)} "
                    f"already belong to {other.name!r}"
                )
        methods = tuple(
            m if m.family == family.name else _replace(m, family=family.name) for m in family.methods
        )
        _FAMILIES[family.name] = _replace(family, methods=methods)
        if not _IN_LOAD[0]:  # by hand, not found by _load
            _SESSION[family.name] = family
    return _FAMILIES[family.name]


def unregister_family(name: str) -> None:
    """Remove the family ``name`` (until :func:`refresh` finds it again, if it is built in or installed)."""
    with _LOCK:
        _FAMILIES.pop(name, None)
        _SESSION.pop(name, None)


def _replace(obj: Any, **changes: Any) -> Any:
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _load() -> None:
    """Import the built-in families and the entry-point ones (once; thread-safe)."""
    global _LOADED
    if _LOADED:
        return
    with _LOCK:
        if _LOADED:
            return
        _IN_LOAD[0] = True
        try:
            for module in BUILTIN_FAMILIES:
                register_family(importlib.import_module(module).FAMILY)
            for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
                try:
                    register_family(ep.load())
                except Exception as exc:  # a broken plugin must not break schedopt
                    import warnings

                    warnings.warn(
                        f"schedopt: the family entry point {ep.name!r} ({ep.value}) is ignored: "
                        f"{type(exc).__name__}: {exc}",
                        stacklevel=2,
                    )
            for fam in _SESSION.values():  # registered by hand in this session
                register_family(fam)
        finally:
            _IN_LOAD[0] = False
            _LOADED = True


def refresh() -> None:
    """Look for families again (built-in and entry points), e.g. after installing a plugin in a
    session; families registered by hand (:func:`register_family`) stay."""
    global _LOADED
    with _LOCK:
        _LOADED = False
        _FAMILIES.clear()
        _RESOLVED.clear()
    _load()


def families() -> dict[str, Family]:
    """Every registered family by name (built-in and entry-point ones)."""
    _load()
    return dict(_FAMILIES)


def recognise_family(problem: Problem) -> str | None:
    """The first family whose :attr:`Family.recognise` accepts ``problem`` (for files that do not
    name a family, written before problems carried one), or ``None``."""
    _load()
    for fam in _FAMILIES.values():
        if fam.recognise is not None and resolve(fam.recognise)(problem):
            return fam.name
    return None


def family(name: str) -> Family | None:
    """The family named ``name`` (``None`` for ``"generic"`` or an unregistered name)."""
    _load()
    return _FAMILIES.get(name)


def register_method(
    name: str,
    *,
    applies: Callable[[Problem], bool],
    exact: bool,
    description: str = "",
    priority: int = 0,
) -> Callable[[MethodRun], MethodRun]:
    """Register ``run`` under ``name`` outside any family (a decorator).

    The method applies to every problem ``applies`` accepts, whatever its
    family. Families declare their methods in their :class:`Family` instead.
    Registering the same function again replaces it; among methods of one
    name, a family's own method comes first, then the newest of these.
    """

    def deco(run: MethodRun) -> MethodRun:
        doc = description or (run.__doc__ or "").strip().split("\n")[0]
        spec = Method(name, run, applies, exact, doc, priority)
        key = (run.__module__, run.__qualname__)
        with _LOCK:
            _CORE_METHODS[:] = [
                m
                for m in _CORE_METHODS
                if isinstance(m.run, str) or (m.run.__module__, m.run.__qualname__) != key
            ]
            _CORE_METHODS.insert(0, spec)
        return run

    return deco


def unregister_method(name: str) -> None:
    """Remove every method ``name`` registered with :func:`register_method` (not a family's)."""
    with _LOCK:
        _CORE_METHODS[:] = [m for m in _CORE_METHODS if m.name != name or isinstance(m.run, str)]


def _candidates(name: str, problem: Problem | None) -> list[Method]:
    own = family(problem.family) if problem is not None else None
    found = [m for m in own.methods if m.name == name] if own else []
    if problem is None:
        found += [m for f in _FAMILIES.values() for m in f.methods if m.name == name]
    return found + [m for m in _CORE_METHODS if m.name == name]


def all_methods() -> dict[str, list[Method]]:
    """Every registered method name and its implementations (family methods first)."""
    _load()
    out: dict[str, list[Method]] = {}
    for f in _FAMILIES.values():
        for m in f.methods:
            out.setdefault(m.name, []).append(m)
    for m in _CORE_METHODS:
        out.setdefault(m.name, []).append(m)
    return out


def get_method(name: str, problem: Problem | None = None) -> Method:
    """The implementation of ``name`` for ``problem`` (any implementation when ``problem`` is ``None``).

    Raises
    ------
    UnknownMethodError
        No method of that name is registered (the message suggests the closest).
    NotApplicableError
        Methods of that name exist, but none applies to ``problem``.
    """
    _load()
    known = all_methods()
    if name not in known:
        raise UnknownMethodError(name, list(known))
    if problem is None:
        return known[name][0]
    for spec in _candidates(name, problem):
        if spec.accepts(problem):
            return spec
    label = f"this {problem.family} problem" if problem.family != "generic" else "this problem"
    owners = sorted({m.family or "model-wide" for m in known[name]})
    raise NotApplicableError(
        name, f"{label} (it is a method of {', '.join(owners)})", [m.name for m in method_list(problem)]
    )


def method_list(problem: Problem | None = None) -> list[Method]:
    """The methods that apply to ``problem`` (all if ``None``), best first for ``method="auto"``."""
    _load()
    chosen: dict[str, Method] = {}
    for name, impls in all_methods().items():
        for m in impls if problem is None else _candidates(name, problem):
            if problem is None or m.accepts(problem):
                chosen.setdefault(name, m)
                break
    return sorted(chosen.values(), key=lambda m: (-m.priority, m.name))


class MethodName(str):
    """A method name (a ``str``) that also carries its :class:`Method` and options, for display.

    It pickles and copies as a plain ``str``; ``defaults`` imports the method on first use.
    """

    spec: Method
    _problem: Problem | None

    def __new__(cls, spec: Method, problem: Problem | None = None) -> MethodName:
        obj = super().__new__(cls, spec.name)
        obj.spec = spec
        obj._problem = problem
        return obj

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (str, (str(self),))

    @property
    def defaults(self) -> dict[str, Any]:
        """The method's options with their defaults (for this problem: with its strengthening's)."""
        return self.spec.options(self._problem)

    def describe(self) -> str:
        """``name (family, exact|heuristic): description; options k=v, ...``."""
        kind = "exact" if self.spec.exact else "heuristic"
        opts = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items()) or "none"
        owner = self.spec.family or "all families"
        return f"{self.spec.name} ({owner}, {kind}): {self.spec.description}; options: {opts}"


def methods(problem: Problem | None = None) -> list[MethodName]:
    """The names of the methods that apply to ``problem`` (all if ``None``), best first.

    Each name is a ``str`` whose ``.defaults`` holds the method's options with
    their defaults and whose ``.describe()`` gives one line on it.
    """
    return [MethodName(m, problem) for m in method_list(problem)]


def register_reader(
    fmt: str, reader: Callable[..., Any], sniff: Callable[[Path], bool] | None = None
) -> None:
    """Add a reader outside any family: ``reader(path, **kwargs)``; ``sniff(path)`` claims files.

    It is tried before the families' readers. Families declare their readers in
    their :class:`Family` instead.
    """
    claim = None if sniff is None else (lambda path, head: sniff(path))
    with _LOCK:
        _CORE_READERS[:] = [r for r in _CORE_READERS if r.format != fmt]
        _CORE_READERS.insert(0, Reader(fmt, reader, claim))


def readers() -> list[Reader]:
    """Every reader, in sniffing order: those registered outside families (:func:`register_reader`),
    then each family's, then the catch-all schedopt JSON reader (which claims every ``.json`` file, so
    family formats that are JSON too, such as saga's ``graph.json`` or ``kubectl`` output, come first)."""
    _load()
    core = [r for r in _CORE_READERS if r.format != "json"]
    catch_all = [r for r in _CORE_READERS if r.format == "json"]
    return [*core, *(r for f in _FAMILIES.values() for r in f.readers), *catch_all]


def writers() -> list[Writer]:
    """Every family writer (JSON, the default, is the core's own)."""
    _load()
    return [w for f in _FAMILIES.values() for w in f.writers]


def builder(name: str) -> Any:
    """The builder ``name`` of some family (``schedopt.<name>``), or raise ``AttributeError``."""
    _load()
    for f in _FAMILIES.values():
        if name in f.builders:
            return resolve(f.builders[name])
    raise AttributeError(name)


def builder_names() -> list[str]:
    """The names of every family builder."""
    _load()
    return sorted(name for f in _FAMILIES.values() for name in f.builders)


def warmups() -> dict[str, WarmUp]:
    """Every family's warm-ups by name."""
    _load()
    return {w.name: w for f in _FAMILIES.values() for w in f.warmups}
