"""The ``schedopt`` command line.

Subcommands: ``solve``, ``check``, ``info``, ``demo``, ``data``, plus those
that subpackages add (``bench``, ``llmeval``): each such module exposes
``register(subparsers)`` and is listed in :data:`_SUBCOMMAND_MODULES`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Sequence

_SUBCOMMAND_MODULES = ("schedopt.bench.cli", "schedopt.llmeval.cli")


def _read_one(path: str, index: int | None):
    from .io import read

    obj = read(path) if index is None else read(path, index=index)
    if isinstance(obj, list):
        if len(obj) != 1:
            print(
                f"{path} holds {len(obj)} instances; using the first (pick one with --index)", file=sys.stderr
            )
        obj = obj[0]
    return obj


def _cmd_solve(args: argparse.Namespace) -> int:
    from .check import check
    from .io import write
    from .solve import solve

    problem = _read_one(args.file, args.index)
    options = {}
    if args.workers is not None:
        options["workers"] = args.workers
    result = solve(problem, method=args.method, time_limit=args.time_limit, seed=args.seed, **options)
    if args.json:
        print(json.dumps(result.to_dict()))
    else:
        print(f"instance : {problem.name or args.file}  ({problem!r})")
        print(f"method   : {result.method}")
        print(f"status   : {result.status}")
        print(f"objective: {result.objective}")
        print(f"bound    : {result.bound}")
        print(f"gap      : {'n/a' if result.gap is None else f'{100 * result.gap:.2f}%'}")
        print(f"time     : {result.time:.3f} s")
        if result.schedule is not None:
            print(f"check    : {'feasible' if not check(problem, result.schedule) else 'INFEASIBLE'}")
    if args.out:
        write(args.out, result)
    if args.plot and result.schedule is not None:
        from .plot import save_schedule_figure

        save_schedule_figure(problem, result.schedule, args.plot)
        if not args.json:
            print(f"plot     : {args.plot}")
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
    from .registry import methods

    problem = _read_one(args.file, args.index)
    print(repr(problem))
    print(f"objective        : {problem.objective}")
    print(f"critical path LB : {critical_path_bound(problem)}")
    print(f"objective LB     : {trivial_bound(problem)}")
    if problem.n_resources:
        print(f"capacities       : {dict(zip(problem.resource_names, problem.capacity.tolist()))}")
    print(f"methods          : {', '.join(methods(problem))}")
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
    parser = argparse.ArgumentParser(prog="schedopt", description="Scheduling optimization with honest gaps.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add_file(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="instance file (.sm, .rcp, .json, wt40.txt, ...)")
        p.add_argument("--index", type=int, default=None, help="instance index in multi-instance files")

    p = sub.add_parser("solve", help="solve one instance")
    add_file(p)
    p.add_argument("--method", default="auto", help="method name (see 'schedopt info FILE')")
    p.add_argument("--time-limit", type=float, default=None, help="seconds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=None, help="solver threads (CP-SAT)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--out", help="write the result (with its schedule) as schedopt JSON")
    p.add_argument("--plot", help="write a Gantt chart and resource profile (PNG/PDF/SVG)")
    p.set_defaults(func=_cmd_solve)

    p = sub.add_parser("check", help="check a schedule against an instance")
    add_file(p)
    p.add_argument("schedule", help="schedopt JSON holding a schedule or a result")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("info", help="describe an instance")
    add_file(p)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("demo", help="solve the instances shipped with schedopt and check them")
    p.add_argument("--time-limit", type=float, default=10.0)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("data", help="the benchmark data directory")
    p.add_argument("action", choices=["path", "status", "fetch"], nargs="?", default="status")
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, OSError) as exc:  # ParseError / ProblemError / missing files / network
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["build_parser", "main"]
