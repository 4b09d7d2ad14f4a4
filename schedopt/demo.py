"""``schedopt demo``: solve the instances shipped in ``instances/`` and check every schedule."""

from __future__ import annotations

from pathlib import Path

INSTANCES = Path(__file__).resolve().parent.parent / "instances"


def run_demo(time_limit: float = 10.0) -> int:
    """Solve each shipped instance with every applicable method; print a table.

    Returns the process exit code: 0 when every schedule passes the check.
    """
    from rich.console import Console
    from rich.table import Table

    from . import check, methods, read, solve

    console = Console()
    table = Table(title="schedopt demo: shipped instances")
    for col in ("instance", "method", "status", "objective", "bound", "gap", "time s", "check"):
        table.add_column(col)
    failures = 0
    for path in sorted(INSTANCES.glob("*/*.*")):
        if path.suffix not in (".sm", ".json"):
            continue
        problem = read(path)
        for method in methods(problem):
            r = solve(problem, method=method, time_limit=time_limit)
            ok = r.schedule is None or not check(problem, r.schedule)
            failures += not ok
            gap = "" if r.gap is None else f"{100 * r.gap:.1f}%"
            table.add_row(
                path.name,
                method,
                r.status,
                str(r.objective),
                str(r.bound),
                gap,
                f"{r.time:.2f}",
                "ok" if ok else "FAIL",
            )
    console.print(table)
    return 1 if failures else 0
