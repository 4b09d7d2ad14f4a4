"""The ``schedopt`` command line.

Subcommands: ``solve``, ``check``, ``info``, ``demo``, ``data``, plus those
that subpackages add (``bench``, ``llmeval``): each such module exposes
``register(subparsers)`` and is listed in :data:`_SUBCOMMAND_MODULES`.

Errors (bad files, options, paths) print one ``error: ...`` line and exit 2;
Ctrl-C prints one ``interrupted: ...`` line saying what was kept and exits 130.
``solve`` checks ``--out``/``--plot`` before solving, stops after
:data:`DEFAULT_TIME_LIMIT` seconds unless told otherwise, and with ``--json``
keeps standard output to the JSON alone (solver banners go to standard error).
Without ``--json``, methods that report progress (``cpsat``) print the best
objective and bound as they improve, ``  t=3.2s best=57 bound=52``, to standard
error, at most once per :data:`PROGRESS_EVERY` seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ._argparse import HelpFormatter

_SUBCOMMAND_MODULES = ("schedopt.bench.cli", "schedopt.llmeval.cli", "schedopt.serving.cli")

#: Seconds ``schedopt solve`` may take when ``--time-limit`` is not given (``--time-limit none``: no limit).
DEFAULT_TIME_LIMIT = 60.0

#: What each command leaves behind when interrupted with Ctrl-C (printed after ``interrupted:``).
_KEPT_ON_INTERRUPT = {
    "solve": "nothing was written (no result, no --out file, no plot)",
    "check": "nothing was written",
    "info": "nothing was written",
    "demo": "no results were kept (the demo writes to a temporary folder only)",
}


class CliUsageError(ValueError):
    """A command-line argument that cannot work (e.g. an ``--out`` path in a missing directory)."""


def _time_limit(text: str) -> float | None:
    """``--time-limit``: positive seconds, or ``none``/``inf`` for no limit."""
    if text.strip().lower() in ("none", "inf", "infinity"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds or 'none', got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds or 'none', got {text!r}")
    return value


def _check_writable(path: str, option: str) -> None:
    """Refuse, before any solving, an output path that cannot be written."""
    target = Path(path)
    if target.is_dir():
        raise CliUsageError(f"{option} {path}: is a directory; give a file name")
    parent = target.parent
    if not parent.is_dir():
        raise CliUsageError(f"{option} {path}: directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CliUsageError(f"{option} {path}: directory {str(parent)!r} is not writable")
    if target.exists() and not os.access(target, os.W_OK):
        raise CliUsageError(f"{option} {path}: the file exists and is not writable")


def _check_plot_format(path: str) -> None:
    """Refuse a ``--plot`` suffix matplotlib cannot write (no suffix: PNG, matplotlib's default)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        return
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if suffix not in formats:
        raise CliUsageError(
            f"--plot {path}: matplotlib cannot write {suffix!r} files; "
            f"use one of {', '.join(sorted(formats))}"
        )


@contextlib.contextmanager
def _stdout_to_stderr(enabled: bool) -> Iterator[None]:
    """Send everything written to standard output, by Python or by C libraries, to standard error.

    Solvers such as HiGHS print banners on file descriptor 1 from C; with
    ``--json`` that must not reach standard output. Descriptor 1 is pointed at
    descriptor 2 (``os.dup2``) for the duration and restored afterwards.
    """
    if not enabled:
        yield
        return
    sys.stdout.flush()
    _flush_c_stdio()  # what C wrote before the redirect still goes to standard output
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1 at all: nothing can leak into it
        saved = None
    try:
        if saved is not None:
            os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        _flush_c_stdio()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)


def _flush_c_stdio() -> None:
    """``fflush(NULL)``: C stdio buffers written during the redirect go where they were meant to."""
    try:
        import ctypes

        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # pragma: no cover - no libc (not Linux/macOS)
        pass


def _kernel_families(problem: Any, method: str) -> list[str]:
    """Families whose numba kernel module the solve may call: the method's own, or, for a
    model-wide method such as ``cpsat`` (whose family strengthenings run heuristics), every
    family with a method that applies to the problem."""
    from .registry import get_method, method_list

    applicable = method_list(problem)
    if method == "auto":
        if not applicable:
            return []
        spec = applicable[0]
    else:
        spec = get_method(method, problem)
    from .registry import family

    names = {spec.family} if spec.family else {m.family for m in applicable if m.family}
    return [name for name in sorted(names) if (owner := family(name)) is not None and owner.kernels]


def _numba_cache_cold(family_name: str) -> bool:
    """True when at least half of the family's cached numba kernels have no valid on-disk cache entry.

    That is the case after a fresh install or an upgrade (numba keys its cache
    on the source file's time stamp): their first call compiles, which takes
    minutes. The kernel module is imported, nothing is compiled. Any trouble
    reading numba's cache index counts as "not cold" (no notice).
    """
    try:
        from numba.core.dispatcher import Dispatcher

        from .registry import family

        modules = [importlib.import_module(name) for name in family(family_name).kernels]
        cached = [
            v
            for module in modules
            for v in vars(module).values()
            if isinstance(v, Dispatcher) and hasattr(getattr(v, "_cache", None), "_cache_file")
        ]
        cold = sum(1 for d in cached if not d._cache._cache_file._load_index())
    except Exception:  # numba internals moved: never block a solve over a notice
        return False
    return bool(cached) and 2 * cold >= len(cached)


def _warm_numba(problem: Any, method: str) -> None:
    """Before a solve on a cold numba cache: one notice on stderr, then compile (outside the time limit)."""
    from .registry import family
    from .warmup import warm_up

    cold = [name for name in _kernel_families(problem, method) if _numba_cache_cold(name)]
    if not cold:
        return
    print(
        f"compiling numba kernels for {', '.join(cold)} (first run only, ~1-2 min; cached afterwards) ...",
        file=sys.stderr,
        flush=True,
    )
    with_warmups = [name for name in cold if (owner := family(name)) is not None and owner.warmups]
    if with_warmups:
        t0 = time.perf_counter()
        warm_up(families=with_warmups)
        print(f"compiled in {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)


def _read_one(path: str, index: int | None):
    from .io import read

    try:
        obj = read(path) if index is None else read(path, index=index)
    except TypeError as exc:
        if "unexpected keyword argument 'index'" not in str(exc):
            raise
        raise CliUsageError(
            f"{path}: --index {index} does not apply: this file format holds one instance"
        ) from None
    if isinstance(obj, list):
        if len(obj) != 1:
            print(
                f"{path} holds {len(obj)} instances; using the first (pick one with --index)", file=sys.stderr
            )
        obj = obj[0]
    return obj


#: Seconds between two progress lines of ``schedopt solve`` (``  t=3.2s best=57 bound=52``).
PROGRESS_EVERY = 1.0


class _ProgressLines:
    """``progress(objective, bound, seconds)`` printing ``  t=3.2s best=57 bound=52`` to stderr.

    At most one line per :data:`PROGRESS_EVERY` seconds: improvements in between
    are not printed (the final result is).
    """

    def __init__(self, every: float = PROGRESS_EVERY) -> None:
        self.every = every
        self.last: float | None = None

    def __call__(self, objective: int, bound: int | None, seconds: float) -> None:
        if self.last is not None and seconds - self.last < self.every:
            return
        self.last = seconds
        shown = "?" if bound is None else bound
        print(f"  t={seconds:.1f}s best={objective} bound={shown}", file=sys.stderr, flush=True)


def _takes_progress(problem: Any, method: str) -> bool:
    """True when ``method`` (``auto`` resolved) on ``problem`` takes a ``progress`` option (``cpsat``)."""
    from .registry import get_method, method_list

    try:
        if method == "auto":
            candidates = method_list(problem)
            if not candidates:
                return False
            method = candidates[0].name
        return "progress" in get_method(method, problem).options(problem)
    except ValueError:  # unknown or not applicable: solve() says so
        return False


def _placement_parts(problem: Any, value: int | None) -> str:
    """`` (unplaced per tier ..., disruption D)`` for a ``placement`` value, else ``""``."""
    if value is None or problem.objective != "placement":
        return ""
    from .objectives import decode_placement

    parts = decode_placement(problem, int(value))
    tiers = ", ".join(f"priority {p:g}: {u}" for p, u in parts.unplaced)
    return f"  (unplaced weight by tier: {tiers}; disruption {parts.disruption})"


def _cmd_solve(args: argparse.Namespace) -> int:
    from .check import check
    from .io import write
    from .solve import solve

    # paths are checked first: a bad --out or --plot must not cost a whole solve
    if args.out:
        _check_writable(args.out, "--out")
    if args.plot:
        _check_writable(args.plot, "--plot")
        _check_plot_format(args.plot)
    problem = _read_one(args.file, args.index)
    options: dict[str, Any] = {}
    if args.workers is not None:
        options["workers"] = args.workers
    if not args.json and _takes_progress(problem, args.method):
        options["progress"] = _ProgressLines()  # best objective and bound as they improve, on stderr
    with _stdout_to_stderr(enabled=args.json):  # with --json, stdout carries the JSON and nothing else
        _warm_numba(problem, args.method)
        if not args.json:
            limit = "no time limit" if args.time_limit is None else f"time limit {args.time_limit:g} s"
            print(
                f"solving {problem.name or args.file} ({problem.n_jobs} jobs) with method {args.method!r}, "
                f"{limit} (Ctrl-C to stop) ...",
                flush=True,
            )
        result = solve(problem, method=args.method, time_limit=args.time_limit, seed=args.seed, **options)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(f"instance : {problem.name or args.file}  ({problem!r})")
        print(f"method   : {result.method}")
        print(f"status   : {result.status}")
        print(f"objective: {result.objective}{_placement_parts(problem, result.objective)}")
        print(f"bound    : {result.bound}{_placement_parts(problem, result.bound)}")
        print(f"gap      : {'n/a' if result.gap is None else f'{100 * result.gap:.2f}%'}")
        print(f"time     : {result.time:.3f} s")
        if result.schedule is not None:
            print(f"check    : {'feasible' if not check(problem, result.schedule) else 'INFEASIBLE'}")
    args.written = []  # what an interrupt from here on leaves behind (see main)
    if args.out:
        write(args.out, result)
        args.written.append(args.out)
    if args.plot and result.schedule is not None:
        from .plot import save_schedule_figure

        save_schedule_figure(problem, result.schedule, args.plot)
        args.written.append(args.plot)
        if not args.json:
            print(f"plot     : {args.plot}")
    if not args.json:
        wrote = f"; wrote {', '.join(args.written)}" if args.written else ""
        print(f"done: {result.status} in {result.time:.2f} s{wrote}")
    return 0 if result.status != "unknown" else 2


def _cmd_check(args: argparse.Namespace) -> int:
    from .check import check, evaluate
    from .io import read_schedule

    problem = _read_one(args.file, args.index)
    schedule = read_schedule(args.schedule)
    if schedule.n_jobs != problem.n_jobs:
        print(f"error: schedule has {schedule.n_jobs} jobs, problem has {problem.n_jobs}", file=sys.stderr)
        return 2
    violations = check(problem, schedule)
    if args.json:
        print(
            json.dumps(
                {
                    "feasible": not violations,
                    "objective": evaluate(problem, schedule) if not violations else None,
                    "violations": [
                        {"kind": v.kind, "jobs": list(v.jobs), "time": v.time, "message": v.message}
                        for v in violations
                    ],
                }
            )
        )
    elif violations:
        print(f"INFEASIBLE: {len(violations)} violation(s)")
        for v in violations:
            print(f"  {v}")
    else:
        print(f"feasible; {problem.objective} = {evaluate(problem, schedule)}")
    return 1 if violations else 0


def _cmd_info(args: argparse.Namespace) -> int:
    from .bounds import critical_path_bound, trivial_bound
    from .registry import family, methods, resolve

    problem = _read_one(args.file, args.index)
    print(repr(problem))
    print(f"family           : {problem.family}")
    print(f"objective        : {problem.objective}")
    print(f"critical path LB : {critical_path_bound(problem)}")
    print(f"objective LB     : {trivial_bound(problem)}")
    owner = family(problem.family)
    if owner is not None and owner.lower_bound is not None:
        print(f"{owner.name + ' LB':<17}: {resolve(owner.lower_bound)(problem)}")
    if problem.n_resources:
        print(f"capacities       : {dict(zip(problem.resource_names, problem.capacity.tolist()))}")
    print("methods (best first; options with defaults):")
    for m in methods(problem):
        print(f"  {m.describe()}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return run_demo(time_limit=args.time_limit)


def _cmd_data(args: argparse.Namespace) -> int:
    from .data import DATASETS, data_dir, has_dataset

    if args.action == "path":
        print(data_dir())
    elif args.action == "fetch":
        from .data import fetch

        for name in args.names or ["psplib", "orlib_wt"]:
            files = fetch(name)
            print(f"{name}: {len(files)} file(s) written under {data_dir()}")
    else:
        print(f"data directory: {data_dir()}")
        for name in DATASETS:
            print(f"  {name:16s} {'present' if has_dataset(name) else 'missing'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schedopt",
        description="Scheduling optimization with honest gaps.",
        formatter_class=HelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add_file(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="instance file (.sm, .rcp, .json, wt40.txt, ...)")
        p.add_argument(
            "--index",
            type=int,
            default=None,
            help="0-based instance index in multi-instance files (default: the first, with a note)",
        )

    p = sub.add_parser("solve", help="solve one instance", formatter_class=HelpFormatter)
    add_file(p)
    p.add_argument("--method", default="auto", help="method name (see 'schedopt info FILE')")
    p.add_argument(
        "--time-limit",
        type=_time_limit,
        default=DEFAULT_TIME_LIMIT,
        help=f"seconds for the solve, or 'none' for no limit (default: {DEFAULT_TIME_LIMIT:g})",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--workers", type=int, default=None, help="solver threads (CP-SAT; default: the method's)")
    p.add_argument("--json", action="store_true", help="print only the result, as JSON, on standard output")
    p.add_argument("--out", help="write the result (with its schedule) as schedopt JSON")
    p.add_argument("--plot", help="write a Gantt chart and resource profile (PNG/PDF/SVG)")
    p.set_defaults(func=_cmd_solve)

    p = sub.add_parser("check", help="check a schedule against an instance", formatter_class=HelpFormatter)
    add_file(p)
    p.add_argument("schedule", help="schedopt JSON holding a schedule or a result")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("info", help="describe an instance", formatter_class=HelpFormatter)
    add_file(p)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser(
        "demo",
        help="solve the instances shipped with schedopt and check them",
        formatter_class=HelpFormatter,
    )
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds per run")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("data", help="the benchmark data directory", formatter_class=HelpFormatter)
    p.add_argument(
        "action", choices=["path", "status", "fetch"], nargs="?", default="status", help="what to do"
    )
    p.add_argument("names", nargs="*", help="data sets to fetch (default: psplib orlib_wt)")
    p.set_defaults(func=_cmd_data)

    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):  # a missing dependency inside it
                raise
            continue
        module.register(sub)
    return parser


def _caused_by_interrupt(exc: BaseException) -> bool:
    """True when Ctrl-C is in ``exc``'s chain: a ``SIGINT`` that arrives inside a numba kernel surfaces
    as ``SystemError: ... returned a result with an exception set`` wrapping the ``KeyboardInterrupt``."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 2 error, 130 interrupted, others per command)."""
    try:
        parser = build_parser()  # imports the subcommand modules: Ctrl-C may land here too
    except BaseException as exc:
        if not _caused_by_interrupt(exc):
            raise
        print("interrupted: nothing was done", file=sys.stderr)
        return 130
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # output piped into e.g. `head`, which closed it: not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python would complain again at exit while flushing
        return 0
    except (ValueError, OSError) as exc:  # ParseError / ProblemError / missing files / network
        if _caused_by_interrupt(exc):  # raised while unwinding from Ctrl-C
            return _interrupted(args)
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BaseException as exc:  # Ctrl-C, or any error raised while cleaning up after it
        if not _caused_by_interrupt(exc):
            raise
        return _interrupted(args)


def _interrupted(args: argparse.Namespace) -> int:
    """Print the one ``interrupted: ...`` line (what was kept, how to go on) and return 130.

    A command may set ``on_interrupt(args) -> str`` (``set_defaults``) to say what it kept,
    e.g. ``bench run``: the runs in its results file and that rerunning resumes.
    """
    kept = _KEPT_ON_INTERRUPT.get(
        args.command, f"whatever 'schedopt {args.command}' had written before the interrupt is kept"
    )
    on_interrupt = getattr(args, "on_interrupt", None)
    if on_interrupt is not None:
        try:
            kept = on_interrupt(args)
        except Exception as exc:  # never a traceback after Ctrl-C
            kept = f"{kept} ({type(exc).__name__} while counting: {exc})"
    if getattr(args, "written", None):  # solve: interrupted while writing its outputs
        kept = f"kept {', '.join(args.written)}; anything else was not written"
    print(f"interrupted: {kept}", file=sys.stderr)
    return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["build_parser", "main"]
