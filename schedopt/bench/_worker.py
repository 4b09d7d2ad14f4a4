"""Entry point of a bench worker process: ``python -m schedopt.bench._worker``.

Reads ``("task", Task)`` messages from stdin, answers ``("started", t)`` then
``("done", row)`` on the original stdout. Everything the methods print goes
to stderr, so it cannot corrupt the protocol. Exits on stdin EOF or when the
parent process disappears.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(3)


def main() -> None:
    proto_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # prints of methods (e.g. solver logs) go to stderr
    sys.stdout = sys.stderr
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()

    import importlib

    from schedopt.bench.evaluator import failure_row
    from schedopt.bench.sandbox import _HEADER, send
    from schedopt.bench.tasks import execute
    from schedopt.registry import methods
    from schedopt.warmup import warm_up_for

    methods()  # import schedopt's own methods before announcing readiness
    warmed: set[tuple[str, str]] = set()
    stdin = sys.stdin.buffer
    send(proto_out, ("ready", os.getpid()))
    while True:
        head = stdin.read(_HEADER.size)
        if len(head) < _HEADER.size:
            break
        (size,) = _HEADER.unpack(head)
        kind, task = pickle.loads(stdin.read(size))
        if kind != "task":
            break
        try:
            for module in task.imports:
                importlib.import_module(module)
        except Exception as exc:
            send(proto_out, ("started", time.time()))
            msg = f"cannot import {module!r}: {type(exc).__name__}: {exc}"
            send(proto_out, ("done", failure_row("error", msg, task.reference)))
            continue
        key = (task.problem.family, task.method)
        if key not in warmed:  # compile (or load from numba's cache) what the run uses: never charged to it
            warm_up_for([key])
            warmed.add(key)
        send(proto_out, ("started", time.time()))
        send(proto_out, ("done", execute(task)))


if __name__ == "__main__":
    main()
