"""Benchmarks: suites, a killable process pool or Dask, an honest evaluator, SQLite results, reports.

>>> import schedopt.bench as bench
>>> df = bench.run("smoke", "cpsat", time_limit=5, results="smoke.sqlite")  # doctest: +SKIP
>>> bench.report("smoke.sqlite", "report/")                                 # doctest: +SKIP

See :func:`run`, :mod:`schedopt.bench.suites` (``register_suite``),
:mod:`schedopt.bench.evaluator` (columns, gaps and flags) and
:mod:`schedopt.bench.report`.
"""

from __future__ import annotations

from .evaluator import evaluate_run as evaluate_run
from .runner import run as run
from .store import ResultsStore as ResultsStore
from .suites import InstanceRef as InstanceRef
from .suites import Reference as Reference
from .suites import Suite as Suite
from .suites import get_suite as get_suite
from .suites import register_suite as register_suite
from .suites import registered_suites as registered_suites


def report(results: str, out: str | None = None) -> str:
    """Write the markdown report and figures of a results file; return the markdown."""
    from .report import write_report

    return write_report(results, out)


__all__ = [
    "InstanceRef",
    "Reference",
    "ResultsStore",
    "Suite",
    "evaluate_run",
    "get_suite",
    "register_suite",
    "registered_suites",
    "report",
    "run",
]
