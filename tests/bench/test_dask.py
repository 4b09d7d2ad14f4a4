"""A real Dask scheduler and worker (processes on 127.0.0.1) give the local pool's results."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from schedopt.bench import run
from tests.conftest import INSTANCES

pytest.importorskip("distributed")
REPO = Path(__file__).resolve().parents[2]
COMPARED = ["suite", "instance", "method", "params", "seed", "status", "objective", "bound", "valid", "flags"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_cli() -> list[str]:
    exe = shutil.which("dask")
    return [exe] if exe else [sys.executable, "-m", "dask"]


@pytest.fixture
def dask_cluster():
    from distributed import Client

    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    logs = []
    procs = []
    try:
        for args in (
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            ["worker", addr, "--nthreads", "2", "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1"],
        ):
            log = open(os.devnull, "w")  # noqa: SIM115
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    _dask_cli() + args, cwd=REPO, env=env, stdout=log, stderr=log, start_new_session=True
                )
            )
        with Client(addr, timeout=60) as client:
            client.wait_for_workers(1, timeout=60)
        yield addr
    finally:
        for p in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        for log in logs:
            log.close()


def test_dask_cluster_matches_local(dask_cluster, tmp_path):
    suite = str(INSTANCES / "rcpsp")
    kw = dict(time_limit=10.0, seeds=2, progress=False)
    local = run(suite, "cpsat", workers=2, **kw)
    remote = run(suite, "cpsat", cluster=dask_cluster, results=tmp_path / "d.sqlite", **kw)
    assert len(local) == len(remote) == 4
    assert (local["status"] == "optimal").all()
    assert local[COMPARED].equals(remote[COMPARED])
    # a rerun against the cluster resumes from the results file
    again = run(suite, "cpsat", cluster=dask_cluster, results=tmp_path / "d.sqlite", **kw)
    assert again.attrs["ran"] == 0 and again[COMPARED].equals(remote[COMPARED])
