"""``schedopt.bench.run``: a suite × methods × seeds through a pool, into a results store."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from ..model import Problem
from .executors import DaskExecutor, LocalExecutor, parse_local
from .store import DEFAULT_RETRY, ResultsStore
from .suites import Suite, get_suite
from .tasks import Task, build_tasks, parse_methods

#: Seconds between two plain progress lines when stderr is not a terminal (a logged run).
PROGRESS_LINE_EVERY = 10.0


def _duration(seconds: float) -> str:
    """``"42s"``, ``"3m05s"`` or ``"2h07m"``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


class _Progress:
    """Progress of a run: a rich bar on a terminal, plain lines in a log, or nothing.

    Parameters
    ----------
    total
        Runs to do.
    label
        The suite's name, shown first.
    mode
        ``"bar"`` (a rich progress bar with ETA, running mean gaps and failure
        counts), ``"lines"`` (a plain line ``label: done/total runs, F failed,
        elapsed E, ETA T`` at most every ``every`` seconds and once at the end:
        for output that is not a terminal, where a bar would print nothing
        until the end), or ``"off"``.
    every
        Seconds between two plain lines.
    stream
        Where plain lines go (default: ``sys.stderr`` at the time of printing).
    clock
        Seconds for elapsed times (default ``time.monotonic``; tests pass a fake one).
    """

    def __init__(
        self,
        total: int,
        label: str,
        mode: str,
        every: float = PROGRESS_LINE_EVERY,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in ("bar", "lines", "off"):
            raise ValueError(f"progress mode must be 'bar', 'lines' or 'off', got {mode!r}")
        self.mode = mode if total > 0 else "off"
        self.enabled = self.mode == "bar"
        self.total = total
        self.label = label
        self.every = every
        self.stream = stream
        self.clock = clock
        self.t0 = clock()
        self.last_line: float | None = None
        self.done = 0
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

    def _stats(self, red: bool) -> list[str]:
        parts = []
        if self.gaps:
            parts.append(f"mean gap {100 * sum(self.gaps) / len(self.gaps):.2f}%")
        if self.gaps_best:
            parts.append(f"to best {100 * sum(self.gaps_best) / len(self.gaps_best):.2f}%")
        if self.failed and red:
            parts.append(f"[red]{self.failed} failed")
        return parts

    def line(self) -> str:
        """The plain progress line: done/total, failures, elapsed, ETA (and the running mean gaps)."""
        elapsed = self.clock() - self.t0
        left = self.total - self.done
        eta = "-" if self.done == 0 else _duration(elapsed / self.done * left)
        text = (
            f"{self.label}: {self.done}/{self.total} runs, {self.failed} failed, "
            f"elapsed {_duration(elapsed)}, ETA {eta if left else '0s'}"
        )
        stats = self._stats(red=False)
        return text + (f" ({', '.join(stats)})" if stats else "")

    def _print_line(self) -> None:
        self.last_line = self.clock()
        print(self.line(), file=self.stream or sys.stderr, flush=True)

    def update(self, row: dict[str, Any]) -> None:
        self.done += 1
        if row.get("gap") is not None and math.isfinite(row["gap"]):
            self.gaps.append(row["gap"])
        if row.get("gap_best") is not None:
            self.gaps_best.append(row["gap_best"])
        if row["status"] in ("invalid", "timeout", "crashed", "error"):
            self.failed += 1
        if self.mode == "lines":
            since = self.clock() - (self.t0 if self.last_line is None else self.last_line)
            if since >= self.every and self.done < self.total:
                self._print_line()
            return
        if not self.enabled:
            return
        self.progress.update(self.task, advance=1, stats=" · ".join(self._stats(red=True)))

    def close(self, final_line: bool = True) -> None:
        """Stop the bar; in ``"lines"`` mode print the last line (unless ``final_line`` is false)."""
        if self.enabled:
            self.progress.stop()
        elif self.mode == "lines" and self.done and final_line:
            self._print_line()


def _progress_mode(progress: bool | str | None) -> str:
    """``run(progress=...)`` as a :class:`_Progress` mode."""
    if progress is None:
        return "bar" if sys.stderr.isatty() else "lines"
    if isinstance(progress, str):
        return progress
    return "bar" if progress else "off"


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
    progress: bool | str | None = None,
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
        ``True``: a progress bar on stderr; ``False``: nothing; ``None``
        (default): the bar when stderr is a terminal, else a plain line (done/total,
        failures, elapsed, ETA) at most every :data:`PROGRESS_LINE_EVERY`
        seconds and at the end, so that a logged run shows progress too. The
        strings ``"bar"``, ``"lines"`` and ``"off"`` pick a mode directly.

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
        mode = _progress_mode(progress)
        if todo and (cluster is None or parse_local(cluster) is not None):
            _warm_up_here(todo)  # workers on this machine then load the kernels from numba's cache
        bar = _Progress(len(todo), the_suite.name, mode)
        finished = False
        try:
            if todo:
                for task, row in executor.run(todo):
                    full = row_of(task, row)
                    store.write(full)
                    bar.update(full)
            finished = True
        finally:
            bar.close(final_line=finished)  # after Ctrl-C the CLI's one line says what was kept
        df = store.dataframe(keys=[t.key for t in tasks])
        df.attrs.update(skipped_not_applicable=skipped, resumed=len(tasks) - len(todo), ran=len(todo))
        return df
    finally:
        store.close()
