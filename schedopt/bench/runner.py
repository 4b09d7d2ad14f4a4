"""``schedopt.bench.run``: a suite × methods × seeds through a pool, into a results store."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..model import Problem
from .executors import DaskExecutor, LocalExecutor, parse_local
from .store import DEFAULT_RETRY, ResultsStore
from .suites import Suite, get_suite
from .tasks import Task, build_tasks, parse_methods


class _Progress:
    """A rich progress bar with ETA, running mean gaps and failure counts (or nothing)."""

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.enabled = enabled and total > 0
        self.gaps: list[float] = []
        self.gaps_best: list[float] = []
        self.failed = 0
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[stats]}"),
            console=Console(stderr=True),
        )
        self.task = self.progress.add_task(label, total=total, stats="")
        self.progress.start()

    def update(self, row: dict[str, Any]) -> None:
        if row.get("gap") is not None and math.isfinite(row["gap"]):
            self.gaps.append(row["gap"])
        if row.get("gap_best") is not None:
            self.gaps_best.append(row["gap_best"])
        if row["status"] in ("invalid", "timeout", "crashed", "error"):
            self.failed += 1
        if not self.enabled:
            return
        parts = []
        if self.gaps:
            parts.append(f"mean gap {100 * sum(self.gaps) / len(self.gaps):.2f}%")
        if self.gaps_best:
            parts.append(f"to best {100 * sum(self.gaps_best) / len(self.gaps_best):.2f}%")
        if self.failed:
            parts.append(f"[red]{self.failed} failed")
        self.progress.update(self.task, advance=1, stats=" · ".join(parts))

    def close(self) -> None:
        if self.enabled:
            self.progress.stop()


def _seeds(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"seeds must be >= 1 (the number of seeds 0..K-1), got {seeds}")
        return list(range(seeds))
    out = [int(s) for s in seeds]
    if not out or len(set(out)) != len(out):
        raise ValueError(f"seeds must be a non-empty list of distinct integers, got {out}")
    return out


def row_of(task: Task, row: dict[str, Any]) -> dict[str, Any]:
    """A store row: the task's key and descriptive fields plus the evaluator's row."""
    out = dict(row)
    out.update(
        suite=task.suite,
        instance=task.instance,
        method=task.method,
        params=task.params,
        seed=task.seed,
        time_limit=task.time_limit,
        objective_kind=task.problem.objective,
        n_jobs=task.problem.n_jobs,
    )
    return out


def _warm_up_here(tasks: Sequence[Task]) -> None:
    """Compile the numba kernels the tasks use once in this process, so the workers load them from
    numba's disk cache.

    On a fresh install this takes up to a minute or two (said on stderr); afterwards well under a second.
    """
    import time

    from ..warmup import warm_up_for

    t0 = time.perf_counter()
    warm_up_for({(t.problem.family, t.method) for t in tasks})
    spent = time.perf_counter() - t0
    if spent > 2.0:
        print(f"schedopt bench: compiled numba kernels in {spent:.1f} s (cached)", file=sys.stderr)


def run(
    suite: str | Path | Suite | Sequence[Problem],
    methods: str | Sequence[str | tuple[str, dict[str, Any]]],
    time_limit: float = 10.0,
    seeds: int | Iterable[int] = 1,
    cluster: str | None = None,
    results: str | Path | None = None,
    workers: int | None = None,
    *,
    options: dict[str, Any] | None = None,
    retry: Iterable[str] = DEFAULT_RETRY,
    kill_margin: float | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Run every method on every instance of a suite, with every seed.

    Parameters
    ----------
    suite
        A registered suite name with optional parameters
        (``"psplib-j30"``, ``"psplib-j30:every=8"``, ``"gen-smtt:n=40,count=5"``,
        see ``schedopt bench suites``), a folder, file or glob of instance
        files, a :class:`~schedopt.bench.suites.Suite` or a list of problems.
    methods
        ``"cpsat,sgs"``, ``"cpsat[workers=2]"``, a list of names or
        ``(name, options)`` pairs, or ``"all"`` (every method that applies to
        each instance). A named method that does not apply to an instance is
        skipped for it. Methods that take a ``workers`` option get
        ``workers=1`` unless set (parallelism comes from processes).
    time_limit
        Seconds per run. A run still going ``kill_margin`` seconds later is
        killed and recorded as ``timeout``.
    seeds
        The number of seeds ``K`` (seeds ``0..K-1``) or an explicit list.
    cluster
        ``None`` (a local process pool), ``"tcp://HOST:PORT"`` (a Dask
        scheduler) or ``"local:N"`` (a Dask cluster of N workers in this
        process, each running its tasks in its own worker process). A
        scheduler that cannot be reached, or has no worker, raises
        :class:`~schedopt.bench.executors.ClusterError` (a
        ``ConnectionError``) within a minute instead of waiting.
    results
        SQLite file; a rerun with the same file resumes: stored runs are
        skipped, runs whose status is in ``retry`` are run again. A run is
        keyed by instance, method, options, seed and the suite without its
        sampling keys, so widening a sample (``limit=3``, then ``limit=5``)
        runs only the new instances. ``None``: an in-memory store (nothing
        kept). A file that is not a bench results file (or is read-only)
        raises :class:`~schedopt.errors.StoreError` naming it.
    workers
        Local pool size (default: the number of cores). Ignored with a cluster.
    options
        Options passed to every method (a method spec's own options win).
    retry
        Stored statuses to run again (default ``crashed`` and ``error``).
    kill_margin
        Seconds past the time limit before the hard kill (default
        ``5 + 0.25 * time_limit``).
    progress
        Show a progress bar (default: when stderr is a terminal).

    Returns
    -------
    pandas.DataFrame
        One row per (suite, instance, method, params, seed) of this benchmark
        (stored earlier or now), in task order; columns as in
        :data:`schedopt.bench.store.COLUMNS` without the schedule. ``suite``
        is the suite key (:func:`schedopt.bench.tasks.suite_key`).
    """
    the_suite = get_suite(suite)
    tasks, skipped = build_tasks(the_suite, parse_methods(methods), time_limit, _seeds(seeds), options)
    # a bad cluster address fails here, before the results file is created
    executor = LocalExecutor(workers, kill_margin) if cluster is None else DaskExecutor(cluster, kill_margin)
    store = ResultsStore(results)
    try:
        done = store.done_keys(retry)
        todo = [t for t in tasks if t.key not in done]
        if progress is None:
            progress = sys.stderr.isatty()
        if todo and (cluster is None or parse_local(cluster) is not None):
            _warm_up_here(todo)  # workers on this machine then load the kernels from numba's cache
        bar = _Progress(len(todo), the_suite.name, progress)
        try:
            if todo:
                for task, row in executor.run(todo):
                    full = row_of(task, row)
                    store.write(full)
                    bar.update(full)
        finally:
            bar.close()
        df = store.dataframe(keys=[t.key for t in tasks])
        df.attrs.update(skipped_not_applicable=skipped, resumed=len(tasks) - len(todo), ran=len(todo))
        return df
    finally:
        store.close()
