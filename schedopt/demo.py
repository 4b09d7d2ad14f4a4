"""``schedopt demo``: the ``smoke`` suite through the bench runner, and its table.

Every applicable method runs on every instance shipped in ``instances/``
(all families present) in worker processes with a hard time limit; each
schedule is re-checked by the evaluator; results go to a SQLite file in a
temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path


def run_demo(time_limit: float = 10.0, methods: str = "all", workers: int | None = None) -> int:
    """Run the ``smoke`` suite and print one line per run and the per-method table.

    Returns the process exit code: 0 when no run failed (invalid schedule,
    timeout, crash, error) and no result contradicts a known value.
    """
    from rich.console import Console
    from rich.table import Table

    from .bench.evaluator import ERROR_FLAGS
    from .bench.report import markdown_table
    from .bench.runner import run

    console = Console()
    with tempfile.TemporaryDirectory(prefix="schedopt-demo-") as tmp:
        results = Path(tmp) / "smoke.sqlite"
        df = run("smoke", methods, time_limit=time_limit, results=results, workers=workers)
    table = Table(title=f"schedopt demo: smoke suite, {time_limit:g} s per run")
    table.add_column("instance", no_wrap=True)
    for col in ("method", "status", "objective", "bound", "gap", "time s", "check"):
        table.add_column(col)
    failures = 0
    for _, r in df.iterrows():
        flags = set(filter(None, (r["flags"] or "").split(",")))
        bad = r["status"] in ("invalid", "timeout", "crashed", "error") or bool(flags & ERROR_FLAGS)
        failures += bad
        check = {1: "ok", 0: "FAIL"}.get(r["valid"], "-") if r["valid"] == r["valid"] else "-"
        table.add_row(
            r["instance"],
            r["method"],
            r["status"],
            "" if r["objective"] is None or r["objective"] != r["objective"] else str(int(r["objective"])),
            "" if r["bound"] is None or r["bound"] != r["bound"] else str(int(r["bound"])),
            "" if r["gap"] is None or r["gap"] != r["gap"] else f"{100 * r['gap']:.1f}%",
            "" if r["time"] is None or r["time"] != r["time"] else f"{r['time']:.2f}",
            check + (f" [{','.join(sorted(flags))}]" if flags else ""),
        )
    console.print(table)
    print(markdown_table(df))
    return 1 if failures else 0
