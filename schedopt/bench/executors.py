"""Executors: run tasks on a local pool of worker processes or on a Dask cluster.

Both run every task in a :class:`~schedopt.bench.sandbox.Sandbox` (a killable
worker process), so the time limit, kill margin and crash handling are the
same, and so are the results: on Dask each Dask worker thread keeps its own
sandbox process.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import socket
import threading
import time
import uuid
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
_OWNED_LOCK = threading.Lock()
#: Sandboxes used in this process by each Dask run (run id -> sandboxes), for an in-process cluster's cleanup.
_OWNED: dict[str, set[Sandbox]] = {}
#: Runs that were stopped: their queued tasks return at once instead of starting a solver.
_STOPPED: set[str] = set()

#: Seconds to connect to a Dask scheduler (``tcp://...``) before giving up with :class:`ClusterError`.
CONNECT_TIMEOUT = 30.0
#: Seconds to wait for the first Dask worker (or all ``N`` of ``local:N``) before :class:`ClusterError`.
WORKER_TIMEOUT = 60.0
#: Seconds allowed for closing the Dask client and a ``local:N`` cluster.
CLOSE_TIMEOUT = 20.0
#: Seconds between checks that the scheduler still has workers while waiting for results.
POLL_SECONDS = 5.0


class ClusterError(ConnectionError):
    """The Dask cluster cannot be reached or has no workers (raised instead of waiting forever)."""


def parse_local(address: str) -> int | None:
    """``N`` for ``"local:N"``, ``None`` for any other address.

    Raises
    ------
    ValueError
        For ``local:`` followed by anything but a positive integer.
    """
    if not address.startswith("local:"):
        return None
    text = address.split(":", 1)[1]
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"cluster {address!r}: expected local:N with N a positive integer") from None
    if n < 1:
        raise ValueError(f"cluster {address!r}: expected local:N with N >= 1")
    return n


def _dask_run(task: Task, kill_margin: float | None, run_id: str | None = None) -> dict[str, Any]:
    """Run ``task`` in this Dask worker thread's sandbox process (started on first use, then kept).

    ``run_id`` is given for in-process workers (``local:N``) only: their
    sandboxes are recorded so that the client can stop and close them.
    """
    if run_id is not None and run_id in _STOPPED:  # the client gave up on this run: start no solver
        return failure_row("crashed", "dask: the run was stopped", task.reference)
    box = getattr(_LOCAL, "box", None)
    if box is None:
        box = _LOCAL.box = Sandbox(kill_margin)
        atexit.register(box.close)
    if run_id is not None:
        with _OWNED_LOCK:
            _OWNED.setdefault(run_id, set()).add(box)
    box.kill_margin = kill_margin
    row = box.run(task)
    row["host"] = socket.gethostname()
    return row


def _kill_quietly(box: Sandbox) -> None:
    """SIGKILL a sandbox's worker process from another thread (the owning thread then sees it die)."""
    proc = box.proc
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(OSError):
                proc.kill()


class DaskExecutor:
    """Run tasks on a Dask cluster: ``tcp://HOST:PORT`` or ``local:N``.

    ``local:N`` is a Dask cluster of ``N`` single-threaded workers *inside
    this process* (``LocalCluster(processes=False)``). Each worker thread runs
    its tasks in its own :class:`~schedopt.bench.sandbox.Sandbox` process, as
    on a remote cluster, so ``N`` solver processes run at once and results
    equal the local pool's. In-process workers spawn no Dask worker processes:
    nothing re-imports the caller's ``__main__`` (scripts without an
    ``if __name__ == "__main__"`` guard, notebooks and pytest work), no
    daemonic process has to start the sandboxes, and no nanny can wait forever
    for a worker process that never comes up. Starting is bounded by
    :data:`WORKER_TIMEOUT`, closing by :data:`CLOSE_TIMEOUT`; a cluster that
    cannot start raises :class:`ClusterError`.
    """

    def __init__(self, address: str, kill_margin: float | None = None) -> None:
        self.address = address
        self.n_local = parse_local(address)  # validates local:N before anything starts
        self.kill_margin = kill_margin

    def _connect(self) -> tuple[Any, Any]:
        """A client of a scheduler with workers, and the ``local:N`` cluster (``None`` for an address)."""
        from distributed import Client, LocalCluster

        if self.n_local is not None:
            try:
                cluster = LocalCluster(
                    n_workers=self.n_local,
                    threads_per_worker=1,
                    processes=False,
                    dashboard_address=None,
                    memory_limit=0,  # the solvers run in sandbox processes: never pause a worker
                )
            except Exception as exc:
                raise ClusterError(f"cannot start the local Dask cluster {self.address!r}: {exc}") from exc
            try:
                client = Client(cluster, set_as_default=False)
            except Exception as exc:
                cluster.close(timeout=CLOSE_TIMEOUT)
                raise ClusterError(f"cannot use the local Dask cluster {self.address!r}: {exc}") from exc
            need = self.n_local
        else:
            cluster = None
            try:
                client = Client(self.address, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except Exception as exc:  # OSError / TimeoutError: nothing listening, wrong address, ...
                raise ClusterError(
                    f"cannot connect to the Dask scheduler at {self.address!r} within "
                    f"{CONNECT_TIMEOUT:g} s ({type(exc).__name__}: {exc}); is `dask scheduler` running?"
                ) from exc
            need = 1
        try:
            client.wait_for_workers(need, timeout=WORKER_TIMEOUT)
        except Exception as exc:
            have = "?"
            with contextlib.suppress(Exception):
                have = str(len(client.scheduler_info(n_workers=-1).get("workers", {})))
            self._close(client, cluster)
            local = cluster is not None
            where = f"local Dask cluster {self.address!r}" if local else f"Dask scheduler at {self.address!r}"
            hint = "" if local else f"; start workers with `dask worker {self.address}`"
            raise ClusterError(
                f"the {where} has {have} worker(s) after {WORKER_TIMEOUT:g} s, needs {need}{hint}"
            ) from exc
        return client, cluster

    @staticmethod
    def _close(client: Any, cluster: Any) -> None:
        with contextlib.suppress(Exception):
            client.close(timeout=CLOSE_TIMEOUT)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=CLOSE_TIMEOUT)

    def _completed(self, client: Any, futures: dict[Any, Task]) -> Iterator[Any]:
        """Futures as they finish; :class:`ClusterError` once the scheduler has had no worker too long."""
        finished: queue.Queue[Any] = queue.Queue()
        for fut in futures:
            fut.add_done_callback(finished.put)
        pending = len(futures)
        idle_since: float | None = None
        while pending:
            try:
                fut = finished.get(timeout=POLL_SECONDS)
            except queue.Empty:
                pass
            else:
                pending -= 1
                idle_since = None
                yield fut
                continue
            try:
                workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
            except Exception:  # scheduler gone: counts as no worker
                workers = 0
            if workers:
                idle_since = None
            elif idle_since is None:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > WORKER_TIMEOUT:
                raise ClusterError(
                    f"the Dask scheduler at {self.address!r} has had no worker for {WORKER_TIMEOUT:g} s "
                    f"with {pending} run(s) left; rerun with the same results file to resume"
                )

    def run(self, tasks: Sequence[Task]) -> Iterator[Item]:
        """Yield ``(task, row)`` as runs finish (in completion order).

        Raises
        ------
        ClusterError
            When the scheduler cannot be reached, no worker joins in time, or
            every worker has been gone for :data:`WORKER_TIMEOUT` seconds.
        """
        try:
            import distributed  # noqa: F401
        except ImportError as exc:  # pragma: no cover
            raise ImportError("--cluster needs dask.distributed: pip install 'schedopt[dist]'") from exc
        client, cluster = self._connect()
        run_id = uuid.uuid4().hex if cluster is not None else None
        futures: dict[Any, Task] = {}
        try:
            for t in tasks:
                futures[client.submit(_dask_run, t, self.kill_margin, run_id, pure=False)] = t
            for fut in self._completed(client, futures):
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
            if run_id is None:
                self._close(client, cluster)
            else:  # in-process workers: unblock threads still waiting on a solver, then close
                _STOPPED.add(run_id)
                with _OWNED_LOCK:
                    boxes = list(_OWNED.get(run_id, ()))
                for box in boxes:
                    _kill_quietly(box)
                self._close(client, cluster)
                with _OWNED_LOCK:
                    boxes = list(_OWNED.pop(run_id, ()))
                for box in boxes:
                    with contextlib.suppress(Exception):
                        box.close()
                _STOPPED.discard(run_id)
