"""A runner killed with SIGKILL midway and restarted ends with every row exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SUITE = "gen-smtt:n=8,count=15"
SEEDS = 4
TOTAL = 15 * SEEDS


def _cmd(results: Path) -> list[str]:
    return [
        sys.executable, "-c", "from schedopt.cli import main; raise SystemExit(main())",
        "bench", "run", SUITE, "--methods", "fake-trivial[sleep=0.1]", "--time-limit", "5",
        "--seeds", str(SEEDS), "--workers", "2", "--results", str(results),
        "--import", "tests.bench.fake_methods", "--no-progress",
    ]  # fmt: skip


def _rows(results: Path) -> list[tuple]:
    con = sqlite3.connect(results, timeout=30)
    try:
        return con.execute(
            "SELECT suite, instance, method, params, seed, status, attempt, finished_at, worker_pid FROM runs"
        ).fetchall()
    except sqlite3.OperationalError:  # table not created yet
        return []
    finally:
        con.close()


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state


def test_sigkill_midway_then_resume(tmp_path):
    results = tmp_path / "kill.sqlite"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        _cmd(results), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while len(_rows(results)) < 10:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the runner stored nothing in 60 s"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _rows(results)
    assert 10 <= len(before) < TOTAL, "the kill should land midway"
    # the killed runner's worker processes notice and exit
    pids = {r[-1] for r in before}
    deadline = time.monotonic() + 10
    while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(p) for p in pids), "orphaned bench workers kept running"

    done = subprocess.run(_cmd(results), cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{TOTAL - len(before)} run(s) now, {len(before)} already stored" in done.stdout
    after = _rows(results)
    keys = [r[:5] for r in after]
    assert len(after) == TOTAL and len(set(keys)) == TOTAL
    assert {(r[1], r[4]) for r in after} == {(f"tt-n8-{i + 1}", s) for i in range(15) for s in range(SEEDS)}
    assert all(r[5] in ("feasible", "optimal") and r[6] == 1 for r in after)
    # rows stored before the kill were kept as they were, not run again
    assert set(before) <= set(after)
