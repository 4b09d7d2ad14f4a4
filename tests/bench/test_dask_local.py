"""``--cluster local:N``: a local Dask cluster gives the local pool's results, and never hangs.

Every run that could hang goes through a subprocess killed after a hard
timeout (or under ``signal.alarm``), so a regression fails in minutes with
the stacks of all threads instead of blocking CI.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from schedopt.bench import ResultsStore, get_suite, run
from schedopt.bench import executors as ex
from schedopt.bench.tasks import build_tasks, parse_methods
from schedopt.cli import main
from schedopt.warmup import warm_up

from . import fake_methods  # noqa: F401  (fake-trivial, fake-hang)

pytest.importorskip("distributed")
REPO = Path(__file__).resolve().parents[2]
COMPARED = ["suite", "instance", "method", "params", "seed", "status", "objective", "bound", "valid", "flags"]
#: Hard limit for one subprocess; the runs themselves take seconds.
HARD_TIMEOUT = 240


def _bounded(args: list[str], timeout: float = HARD_TIMEOUT) -> subprocess.CompletedProcess:
    """Run ``args`` in a new session; on timeout dump every thread's stack, kill the group and fail."""
    env = dict(os.environ, PYTHONFAULTHANDLER="1", PYTHONPATH=str(REPO))
    pipe = subprocess.PIPE
    proc = subprocess.Popen(
        args, cwd=REPO, env=env, stdout=pipe, stderr=pipe, text=True, start_new_session=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGABRT)  # faulthandler prints the stacks of all threads
        time.sleep(2)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{args[-12:]} still running after {timeout} s (killed)\n{out[-3000:]}\n{err[-6000:]}")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


@pytest.fixture
def alarm():
    """Fail (instead of hanging) an in-process test still running after 120 s."""

    def _raise(signum, frame):
        raise TimeoutError("test still running after 120 s")

    old = signal.signal(signal.SIGALRM, _raise)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sandbox_pids() -> set[int]:
    import psutil

    pids = set()
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "schedopt.bench._worker" in " ".join(child.cmdline()):
                pids.add(child.pid)
    return pids


def test_local_cluster_matches_local_pool(tmp_path):
    suite, res = "smoke:limit=3", tmp_path / "lc.sqlite"  # instances CP-SAT proves optimal in well under 1 s
    kw = dict(time_limit=5.0, seeds=2, progress=False)
    code = (
        "import sys; from schedopt.bench import run; "
        f"df = run({suite!r}, 'cpsat', cluster='local:2', results=sys.argv[1], **{kw!r}); "
        "print('ran', df.attrs['ran'], 'pids', df['worker_pid'].nunique())"
    )
    proc = _bounded([sys.executable, "-c", code, str(res)])
    assert proc.returncode == 0, proc.stderr[-4000:]
    ran, pids = proc.stdout.split()[-3], int(proc.stdout.split()[-1])
    assert ran == "6" and pids >= 2  # both Dask workers ran tasks, each in its own sandbox process
    local = run(suite, "cpsat", workers=2, **kw)
    assert len(local) == 6 and (local["status"] == "optimal").all()
    # reading back through the cluster path resumes everything: nothing to run, no cluster started
    remote = run(suite, "cpsat", cluster="local:2", results=res, **kw)
    assert remote.attrs["ran"] == 0
    assert local[COMPARED].equals(remote[COMPARED])


def test_cli_run_on_local_cluster(tmp_path):
    res = tmp_path / "cli.sqlite"
    exe = shutil.which("schedopt")
    cli = [exe] if exe else [sys.executable, "-m", "schedopt.bench.cli"]
    args = ["bench", "run"] if exe else ["run"]
    args += ["smoke", "--methods", "cpsat", "--time-limit", "1", "--cluster", "local:2"]
    proc = _bounded([*cli, *args, "--results", str(res), "--no-progress"])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    n = len(get_suite("smoke"))
    assert f"{n} run(s) now" in proc.stdout
    with ResultsStore(res) as store:
        df = store.dataframe()
    assert len(df) == n
    assert df["status"].isin(["optimal", "feasible"]).all() and (df["valid"] == 1).all()


def test_bad_local_spec_fails_before_anything(tmp_path):
    for spec in ("local:0", "local:x", "local:"):
        with pytest.raises(ValueError, match="local:N"):
            run("smoke", "cpsat", time_limit=1, cluster=spec, results=tmp_path / "x.sqlite", progress=False)
    assert not (tmp_path / "x.sqlite").exists()


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch, capsys, alarm):
    monkeypatch.setattr(ex, "CONNECT_TIMEOUT", 2.0)
    addr = f"tcp://127.0.0.1:{_free_port()}"
    t0 = time.monotonic()
    args = ["bench", "run", "smoke", "--methods", "cpsat", "--time-limit", "1", "--no-progress"]
    assert main([*args, "--cluster", addr, "--results", str(tmp_path / "u.sqlite")]) == 2
    err = capsys.readouterr().err
    assert f"cannot connect to the Dask scheduler at '{addr}'" in err
    assert time.monotonic() - t0 < 60


def test_scheduler_without_workers_is_a_clear_error(monkeypatch, alarm):
    from distributed import LocalCluster

    monkeypatch.setattr(ex, "WORKER_TIMEOUT", 1.0)
    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty,
        pytest.raises(ex.ClusterError, match=r"has 0 worker\(s\) after 1 s.*dask worker"),
    ):
        run("smoke:limit=1", "cpsat", time_limit=1, cluster=empty.scheduler_address, progress=False)


def test_abandoned_local_run_stops_its_solvers(alarm):
    """Closing the generator early kills the sandbox still solving and closes the cluster, promptly."""
    suite = get_suite(str(REPO / "instances" / "smtt"))
    tasks, _ = build_tasks(suite, parse_methods("fake-hang,fake-trivial"), 0.5, [0])
    tasks = [tasks[0]] + [t for t in tasks if t.method == "fake-trivial"]  # one worker hangs, one answers
    assert tasks[0].method == "fake-hang"
    warm_up()  # the sandboxes load numba kernels from the cache
    before = _sandbox_pids()
    gen = ex.DaskExecutor("local:2", kill_margin=600.0).run(tasks)
    task, row = next(gen)
    assert task.method == "fake-trivial" and row["status"] == "feasible"
    t0 = time.monotonic()
    gen.close()
    assert time.monotonic() - t0 < 30
    assert _sandbox_pids() <= before and not ex._OWNED and not ex._STOPPED


def test_losing_every_worker_is_a_clear_error(monkeypatch, alarm):
    """A scheduler whose workers are all gone raises instead of waiting for them forever."""
    import threading

    from distributed import LocalCluster

    monkeypatch.setattr(ex, "POLL_SECONDS", 0.5)
    monkeypatch.setattr(ex, "WORKER_TIMEOUT", 2.0)
    suite = get_suite(str(REPO / "instances" / "smtt"))
    tasks, _ = build_tasks(suite, parse_methods("fake-trivial[sleep=3]"), 0.5, [0, 1])
    before = _sandbox_pids()
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        threading.Timer(1.0, cluster.scale, args=(0,)).start()
        t0 = time.monotonic()
        with pytest.raises(ex.ClusterError, match="has had no worker for 2 s"):
            list(ex.DaskExecutor(cluster.scheduler_address).run(tasks))
        assert time.monotonic() - t0 < 60
    for pid in _sandbox_pids() - before:  # the lost worker's idle sandbox (it would exit with pytest)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
