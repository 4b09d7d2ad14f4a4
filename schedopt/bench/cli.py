"""``schedopt bench``: run, report, export, list suites.

::

    schedopt bench run SUITE_OR_PATH --methods M1,M2 --time-limit T [--seeds K] [--workers N]
                       [--cluster ADDR] --results FILE.sqlite
    schedopt bench report FILE.sqlite [--out DIR]
    schedopt bench export FILE.sqlite --csv OUT.csv | --parquet OUT.parquet
    schedopt bench suites
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from .._argparse import HelpFormatter


def _stored_runs(path: str) -> int | None:
    """The runs stored in the results file ``path`` (0 when it does not exist; ``None``: unreadable)."""
    from ..errors import StoreError
    from .store import ResultsStore

    if not Path(path).exists() or Path(path).stat().st_size == 0:  # a new (or just created) file
        return 0
    try:
        with ResultsStore(path, readonly=True) as store:
            return store.count()
    except (StoreError, OSError, sqlite3.Error):
        return None


def _kept_after_run(args: argparse.Namespace) -> str:
    """What an interrupted ``bench run`` kept (``main`` prints it): the stored runs; rerunning resumes."""
    now = _stored_runs(args.results)
    if now is None:
        return f"the runs finished so far are kept in {args.results}; rerun the same command to resume"
    before = getattr(args, "stored_before", None)
    new = "" if before is None else f" ({max(0, now - before)} from this run)"
    return f"{now} run(s) kept in {args.results}{new}; rerun the same command to resume"


def _cmd_run(args: argparse.Namespace) -> int:
    import importlib

    from .report import markdown_table
    from .runner import run

    args.stored_before = _stored_runs(args.results)  # for the line printed on Ctrl-C (_kept_after_run)

    for module in args.imports or []:
        importlib.import_module(module)  # registers methods / suites defined outside schedopt
    options = {}
    for item in args.option or []:
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f"--option {item!r}: expected KEY=VALUE")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    df = run(
        args.suite,
        args.methods,
        time_limit=args.time_limit,
        seeds=args.seeds,
        cluster=args.cluster,
        results=args.results,
        workers=args.workers,
        options=options,
        retry=[s for s in args.retry.split(",") if s],
        kill_margin=args.kill_margin,
        progress=None if not args.no_progress else False,
    )
    a = df.attrs
    print(
        f"{a.get('ran', 0)} run(s) now, {a.get('resumed', 0)} already stored; "
        f"{a.get('skipped_not_applicable', 0)} (instance, method) pair(s) skipped as not applicable; "
        f"results in {args.results}"
    )
    print(markdown_table(df))
    bad = df["flags"].fillna("").str.len().gt(0).sum()
    failed = df["status"].isin(["invalid", "timeout", "crashed", "error"]).sum()
    if failed or bad:
        print(f"{failed} failed run(s), {bad} flagged row(s): see `schedopt bench report {args.results}`")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import write_report

    out = args.out or str(Path(args.results).with_name(Path(args.results).stem + "_report"))
    text = write_report(args.results, out)
    print(text.split("## Figures")[0])
    print(f"report written to {Path(out) / 'report.md'}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from .store import ResultsStore

    if not Path(args.results).exists():
        raise FileNotFoundError(f"no results file {args.results}")
    if not args.csv and not args.parquet:
        raise ValueError("export: give --csv FILE and/or --parquet FILE")
    with ResultsStore(args.results, readonly=True) as store:  # works on read-only files
        if args.csv:
            n = store.export_csv(args.csv, schedules=args.schedules)
            print(f"{n} rows -> {args.csv}")
        if args.parquet:
            n = store.export_parquet(args.parquet, schedules=args.schedules)
            print(f"{n} rows -> {args.parquet}")
    return 0


def _cmd_suites(args: argparse.Namespace) -> int:
    from ..data import has_dataset
    from .suites import registered_suites

    suites = sorted(registered_suites().items(), key=lambda kv: (kv[1].family, kv[0]))
    width = max([len("suite"), *(len(name) for name, _ in suites)])
    print(f"{'suite':{width}s} {'family':7s} {'data':8s} description")
    for name, spec in suites:
        data = "-" if spec.requires is None else ("present" if has_dataset(spec.requires) else "MISSING")
        print(f"{name:{width}s} {spec.family:7s} {data:8s} {spec.description}")
    print(
        "\nAlso: any folder, file or glob of instance files. Parameters: NAME:key=value,... "
        "(every=S, start=K, limit=K sample any suite; e.g. psplib-j30:every=8)"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``schedopt bench`` and its subcommands."""
    bench = subparsers.add_parser(
        "bench", help="benchmark methods over instance suites", formatter_class=HelpFormatter
    )
    sub = bench.add_subparsers(dest="bench_command", required=True)

    p = sub.add_parser(
        "run",
        help="run methods over a suite (resumes an existing results file)",
        formatter_class=HelpFormatter,
    )
    p.add_argument("suite", help="suite name (see 'schedopt bench suites'), folder, file or glob")
    p.add_argument("--methods", required=True, help="M1,M2,... (NAME[key=value,...] sets options) or 'all'")
    p.add_argument("--time-limit", type=float, required=True, help="seconds per run")
    p.add_argument("--seeds", type=int, default=1, help="number of seeds (0..K-1), default 1")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: cores)")
    p.add_argument(
        "--cluster", default=None, help="Dask scheduler tcp://HOST:8786, or local:N (N Dask workers here)"
    )
    p.add_argument("--results", required=True, help="SQLite results file (created or resumed)")
    p.add_argument("--option", action="append", help="KEY=VALUE passed to every method (repeatable)")
    p.add_argument("--retry", default="crashed,error", help="stored statuses to run again (comma list)")
    p.add_argument("--kill-margin", type=float, default=None, help="seconds past the limit before SIGKILL")
    p.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (nor, when stderr is not a terminal, the plain progress line every 10 s)",
    )
    p.add_argument(
        "--import",
        dest="imports",
        action="append",
        metavar="MODULE",
        help="import MODULE first (it may register methods or suites; repeatable)",
    )
    p.set_defaults(func=_cmd_run, on_interrupt=_kept_after_run)

    p = sub.add_parser(
        "report",
        help="markdown tables, performance profiles and gap-vs-time plots",
        formatter_class=HelpFormatter,
    )
    p.add_argument("results", help="SQLite results file")
    p.add_argument("--out", default=None, help="output folder (default: RESULTS_report/ beside the file)")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("export", help="export results to CSV and/or Parquet", formatter_class=HelpFormatter)
    p.add_argument("results", help="SQLite results file")
    p.add_argument("--csv", default=None, help="CSV file to write")
    p.add_argument("--parquet", default=None, help="Parquet file to write")
    p.add_argument("--schedules", action="store_true", help="include the schedule column")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("suites", help="list the registered suites", formatter_class=HelpFormatter)
    p.set_defaults(func=_cmd_suites)


if __name__ == "__main__":  # pragma: no cover
    from ..cli import main

    sys.exit(main(["bench", *sys.argv[1:]]))
