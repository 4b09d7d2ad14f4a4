"""``schedopt demo``: the ``smoke`` suite through the bench runner, and its table.

Every applicable method runs on every instance shipped in ``instances/``
(all families present) in worker processes with a hard time limit; each
schedule is re-checked by the evaluator; results go to a SQLite file in a
temporary folder.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

#: Columns of the per-run table.
COLUMNS = ("instance", "method", "status", "objective", "bound", "gap", "time s", "check")


def _cell(value: Any, fmt: str) -> str:
    """``fmt`` applied to ``value``; ``""`` for ``None`` and NaN."""
    if value is None or value != value:
        return ""
    return fmt.format(value)


def _rows(df: Any) -> tuple[list[tuple[str, ...]], int]:
    """One row of strings per run, and the number of failed runs."""
    from .bench.evaluator import ERROR_FLAGS

    rows = []
    failures = 0
    for _, r in df.iterrows():
        flags = set(filter(None, (r["flags"] or "").split(",")))
        bad = r["status"] in ("invalid", "timeout", "crashed", "error") or bool(flags & ERROR_FLAGS)
        failures += bad
        check = {1: "ok", 0: "FAIL"}.get(r["valid"], "-") if r["valid"] == r["valid"] else "-"
        rows.append(
            (
                str(r["instance"]),
                str(r["method"]),
                str(r["status"]),
                _cell(r["objective"], "{:.0f}"),
                _cell(r["bound"], "{:.0f}"),
                _cell(None if r["gap"] is None else 100 * r["gap"], "{:.1f}%"),
                _cell(r["time"], "{:.2f}"),
                check + (f" [{','.join(sorted(flags))}]" if flags else ""),
            )
        )
    return rows, failures


def runs_markdown(rows: list[tuple[str, ...]], title: str) -> str:
    """The per-run table as plain markdown: every cell in full, whatever the width."""
    out = [f"### {title}", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def print_report(df: Any, time_limit: float, file: Any = None) -> int:
    """Print the per-run table and the per-method summary of a demo run; return the failed-run count.

    On a terminal the per-run table is drawn by rich (fitted to the window);
    otherwise (a log, a pipe, a file) it is plain markdown with every cell in
    full, since rich would cut it to 80 columns.
    """
    from .bench.report import markdown_table

    file = sys.stdout if file is None else file
    rows, failures = _rows(df)
    title = f"schedopt demo: smoke suite, {time_limit:g} s per run"
    if file.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        table.add_column("instance", no_wrap=True)
        for col in COLUMNS[1:]:
            table.add_column(col)
        for row in rows:
            table.add_row(*row)
        Console(file=file).print(table)
    else:
        print(runs_markdown(rows, title), file=file)
    print(markdown_table(df), file=file)
    return failures


def run_demo(time_limit: float = 10.0, methods: str = "all", workers: int | None = None) -> int:
    """Run the ``smoke`` suite and print one line per run and the per-method table.

    Returns the process exit code: 0 when no run failed (invalid schedule,
    timeout, crash, error) and no result contradicts a known value.
    """
    from .bench.runner import run

    with tempfile.TemporaryDirectory(prefix="schedopt-demo-") as tmp:
        results = Path(tmp) / "smoke.sqlite"
        df = run("smoke", methods, time_limit=time_limit, results=results, workers=workers)
    return 1 if print_report(df, time_limit) else 0
