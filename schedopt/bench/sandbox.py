"""A worker process that runs tasks and can be killed: the unit of isolation.

The parent (:class:`Sandbox`) starts ``python -m schedopt.bench._worker`` with
pipes; messages are length-prefixed pickles. The worker imports schedopt once,
then runs tasks one at a time, announcing ``started`` before each timed run
and returning the results row when done. The parent enforces the time limit
plus a kill margin with SIGKILL, and notices a worker that dies; both become
rows (``timeout``, ``crashed``) and a fresh worker is started for the next task.

Plain ``subprocess`` (not ``multiprocessing``) so that it also works inside
daemonic Dask worker processes. A worker exits by itself when its stdin
closes or its parent process disappears, so killing a runner leaves no
orphan solving.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any

from .evaluator import failure_row
from .tasks import Task

_HEADER = struct.Struct("!Q")
#: Seconds allowed for a fresh worker to import schedopt (and for task imports).
STARTUP_TIMEOUT = 600.0  # a fresh install compiles every numba kernel before 'ready'


def default_kill_margin(time_limit: float) -> float:
    """Seconds past the time limit before a run is killed: ``5 + 0.25 * time_limit``."""
    return 5.0 + 0.25 * time_limit


def send(stream: Any, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


class _Dead(Exception):
    pass


class _Late(Exception):
    pass


class Sandbox:
    """One worker process, restarted after a kill or crash."""

    def __init__(self, kill_margin: float | None = None) -> None:
        self.kill_margin = kill_margin
        self.proc: subprocess.Popen | None = None
        self._buf = bytearray()
        self._err: Any = None

    # ------------------------------------------------------------ process
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        paths = [p for p in sys.path if p and os.path.isdir(p)]
        if "" in sys.path or "." in sys.path:
            paths.insert(0, os.getcwd())
        old = env.get("PYTHONPATH")
        env["PYTHONPATH"] = os.pathsep.join(paths + ([old] if old else []))
        return env

    def start(self) -> None:
        self.close()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115  (closed in close())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "schedopt.bench._worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            env=self._env(),
            start_new_session=True,  # a Ctrl-C reaches the runner, which then stops the workers
        )
        self._buf = bytearray()
        kind, _ = self._recv(time.monotonic() + STARTUP_TIMEOUT)
        if kind != "ready":  # pragma: no cover - protocol bug
            raise RuntimeError(f"bench worker sent {kind!r} instead of 'ready'")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        if self.proc is not None:
            self.proc.wait()

    def close(self) -> None:
        """Stop the worker (politely: close its stdin; then kill)."""
        if self.proc is not None:
            try:
                if self.proc.stdin:
                    self.proc.stdin.close()
                self.proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                self.kill()
            for s in (self.proc.stdout,):
                if s:
                    s.close()
        self.proc = None
        if self._err is not None:
            self._err.close()
            self._err = None

    def _stderr_tail(self, n: int = 1500) -> str:
        if self._err is None:
            return ""
        self._err.seek(0, os.SEEK_END)
        size = self._err.tell()
        self._err.seek(max(0, size - n))
        return self._err.read().decode(errors="replace").strip()

    # ----------------------------------------------------------- protocol
    def _recv(self, deadline: float) -> tuple[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            if len(self._buf) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self._buf)
                if len(self._buf) >= _HEADER.size + size:
                    data = bytes(self._buf[_HEADER.size : _HEADER.size + size])
                    del self._buf[: _HEADER.size + size]
                    return pickle.loads(data)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Late
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise _Dead
            self._buf += chunk

    # ---------------------------------------------------------------- run
    def run(self, task: Task) -> dict[str, Any]:
        """Run ``task`` in the worker; a timeout or crash becomes a row, never an exception."""
        margin = default_kill_margin(task.time_limit) if self.kill_margin is None else self.kill_margin
        if not self.alive():
            try:
                self.start()
            except (_Dead, _Late) as exc:
                tail = self._stderr_tail()
                self.kill()
                what = "did not start in time" if isinstance(exc, _Late) else "died while starting"
                return failure_row("crashed", f"bench worker {what}: {tail}", task.reference)
        assert self.proc is not None
        t_start: float | None = None
        try:
            send(self.proc.stdin, ("task", task))
            kind, _ = self._recv(time.monotonic() + STARTUP_TIMEOUT)
            t_start = time.monotonic()
            kind2, row = self._recv(t_start + task.time_limit + margin)
            if (kind, kind2) != ("started", "done"):  # pragma: no cover - protocol bug
                raise RuntimeError(f"bench worker protocol: got {kind!r}, {kind2!r}")
        except (_Dead, BrokenPipeError, OSError):
            code = self.proc.wait()
            detail = f"signal {-code}" if code < 0 else f"exit code {code}"
            tail = self._stderr_tail()
            self.close()
            return failure_row("crashed", f"worker died ({detail}) {tail}".strip(), task.reference)
        except _Late:
            self.kill()
            self.close()
            row = failure_row(
                "timeout",
                f"killed after {task.time_limit:g} s + {margin:g} s margin without an answer",
                task.reference,
            )
            row["wall"] = None if t_start is None else time.monotonic() - t_start
            return row
        row["worker_pid"] = self.proc.pid
        return row
