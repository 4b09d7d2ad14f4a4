"""Executors: run tasks on a local pool of worker processes or on a Dask cluster.

Both run every task in a :class:`~schedopt.bench.sandbox.Sandbox` (a killable
worker process), so the time limit, kill margin and crash handling are the
same, and so are the results: on Dask each Dask worker thread keeps its own
sandbox process.
"""

from __future__ import annotations

import atexit
import os
import queue
import socket
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from .evaluator import failure_row
from .sandbox import Sandbox
from .tasks import Task

Item = tuple[Task, dict[str, Any]]


def default_workers() -> int:
    """Worker processes of the local pool by default: the number of cores."""
    return max(1, os.cpu_count() or 1)


class LocalExecutor:
    """A pool of ``workers`` sandboxes fed from one queue by one thread each."""

    def __init__(self, workers: int | None = None, kill_margin: float | None = None) -> None:
        self.workers = workers or default_workers()
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.kill_margin = kill_margin

    def run(self, tasks: Sequence[Task]) -> Iterator[Item]:
        """Yield ``(task, row)`` as runs finish (in completion order)."""
        todo: queue.Queue[Task] = queue.Queue()
        for t in tasks:
            todo.put(t)
        out: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()
        done_marker = object()
        n = min(self.workers, len(tasks))
        boxes = [Sandbox(self.kill_margin) for _ in range(n)]

        def work(box: Sandbox) -> None:
            try:
                while not stop.is_set():
                    try:
                        task = todo.get_nowait()
                    except queue.Empty:
                        break
                    row = box.run(task)
                    row.setdefault("host", socket.gethostname())
                    out.put((task, row))
            except BaseException as exc:  # pragma: no cover - surfaced in the main thread
                out.put((None, exc))
            finally:
                box.close()
                out.put(done_marker)

        threads = [threading.Thread(target=work, args=(b,), daemon=True) for b in boxes]
        for th in threads:
            th.start()
        running = n
        try:
            while running:
                item = out.get()
                if item is done_marker:
                    running -= 1
                    continue
                task, row = item
                if task is None:
                    raise row
                yield task, row
        finally:
            stop.set()
            for b in boxes:
                b.kill()
            for th in threads:
                th.join(timeout=10)


_LOCAL = threading.local()


def _dask_run(task: Task, kill_margin: float | None) -> dict[str, Any]:
    """Run ``task`` in this Dask worker thread's sandbox process."""
    box = getattr(_LOCAL, "box", None)
    if box is None:
        box = _LOCAL.box = Sandbox(kill_margin)
        atexit.register(box.close)
    box.kill_margin = kill_margin
    row = box.run(task)
    row["host"] = socket.gethostname()
    return row


class DaskExecutor:
    """Run tasks on a Dask cluster: ``tcp://HOST:PORT`` or ``local:N`` (a local cluster of N processes)."""

    def __init__(self, address: str, kill_margin: float | None = None) -> None:
        self.address = address
        self.kill_margin = kill_margin

    def run(self, tasks: Sequence[Task]) -> Iterator[Item]:
        try:
            from distributed import Client, LocalCluster, as_completed
        except ImportError as exc:  # pragma: no cover
            raise ImportError("--cluster needs dask.distributed: pip install 'schedopt[dist]'") from exc
        cluster = None
        if self.address.startswith("local:"):
            try:
                n = int(self.address.split(":", 1)[1])
            except ValueError:
                raise ValueError(f"cluster {self.address!r}: expected local:N with N an integer") from None
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(self.address, timeout=30)
        futures: dict[Any, Task] = {}
        try:
            for t in tasks:
                futures[client.submit(_dask_run, t, self.kill_margin, pure=False)] = t
            for fut in as_completed(list(futures)):
                task = futures[fut]
                try:
                    row = fut.result()
                except Exception as exc:  # e.g. KilledWorker: the Dask worker itself died
                    row = failure_row("crashed", f"dask: {type(exc).__name__}: {exc}", task.reference)
                    row["host"] = self.address
                yield task, row
        finally:
            for fut in futures:
                fut.cancel()
            client.close()
            if cluster is not None:
                cluster.close()
