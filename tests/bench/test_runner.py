"""The runner, CLI and demo on real CP-SAT runs over tiny instances."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import schedopt
from schedopt.bench import run
from schedopt.bench.suites import get_suite
from schedopt.bench.tasks import parse_methods
from schedopt.cli import main
from tests.conftest import INSTANCES, REPO

from . import fake_methods  # noqa: F401


def test_parse_methods():
    ms = parse_methods("cpsat, fake-trivial[sleep=0.5,tag=x],cpsat[workers=2]")
    assert [m.name for m in ms] == ["cpsat", "fake-trivial", "cpsat"]
    assert ms[1].options_dict == {"sleep": 0.5, "tag": "x"} and ms[2].options_dict == {"workers": 2}
    assert parse_methods("all") is None
    with pytest.raises(ValueError, match="not key=value"):
        parse_methods("cpsat[workers]")


def test_smoke_cpsat_resume_and_recheck(tmp_path):
    res = tmp_path / "r.sqlite"
    df = run("smoke", "cpsat", time_limit=1.0, seeds=[0, 3], workers=2, results=res, progress=False)
    assert len(df) == 2 * len(get_suite("smoke")) and df.attrs["ran"] == len(df)
    assert (df["valid"] == 1).all() and (df["flags"] == "").all()
    assert set(df["seed"]) == {0, 3}
    assert all(json.loads(p) == {"time_limit": 1.0, "workers": 1} for p in df["params"])
    # every stored schedule passes the checker again here, with the stored objective
    from schedopt.bench.store import ResultsStore

    with ResultsStore(res) as store:
        full = store.dataframe(schedules=True)
    smoke = {r.name: r.load() for r in get_suite("smoke")}
    for _, row in full.iterrows():
        prob = smoke[row["instance"]]
        sched = schedopt.Schedule.from_dict(json.loads(row["schedule"]))
        assert schedopt.check(prob, sched) == []
        assert schedopt.evaluate(prob, sched) == row["objective"]
        assert row["bound"] <= row["objective"]
    # rerun: nothing to do
    again = run("smoke", "cpsat", time_limit=1.0, seeds=[0, 3], workers=2, results=res, progress=False)
    assert again.attrs["ran"] == 0 and again.attrs["resumed"] == len(df)
    pd.testing.assert_frame_equal(again, df)


def test_widening_a_sample_resumes_instead_of_rerunning(tmp_path):
    """The resume key is instance + method + options + seed (+ the unsampled suite), not the sample."""
    from schedopt.bench.store import ResultsStore

    res = tmp_path / "w.sqlite"
    kw = {"time_limit": 1.0, "seeds": 2, "workers": 1, "results": res, "progress": False}
    first = run("gen-smtt:n=8,count=6,limit=3", "fake-trivial", **kw)
    assert first.attrs["ran"] == 6 and set(first.suite) == {"gen-smtt:count=6,n=8"}
    wider = run("gen-smtt:n=8,count=6,limit=5", "fake-trivial", **kw)
    assert wider.attrs["ran"] == 4 and wider.attrs["resumed"] == 6 and len(wider) == 10
    pd.testing.assert_frame_equal(wider.iloc[:6].reset_index(drop=True), first)
    with ResultsStore(res) as store:
        assert store.count() == 10
        # a file written by the previous version labelled rows with the sample: still resumed
        store.conn.execute("UPDATE runs SET suite = 'gen-smtt:count=6,n=8,limit=5'")
    again = run("gen-smtt:n=8,count=6,start=1,every=2", "fake-trivial", **kw)  # instances 2, 4 and 6
    assert again.attrs["ran"] == 2 and again.attrs["resumed"] == 4 and len(again) == 6
    with ResultsStore(res) as store:
        assert store.count() == 12


def test_not_applicable_pairs_are_skipped():
    df = run(str(INSTANCES / "rcpsp"), "cpsat,fake-trivial", time_limit=2, workers=1, progress=False)
    assert set(df["method"]) == {"cpsat"} and df.attrs["skipped_not_applicable"] == 2
    assert (df["status"] == "optimal").all()


def test_unknown_method_fails_before_running():
    with pytest.raises(ValueError, match="unknown method"):
        run("smoke", "no-such-method", time_limit=1, progress=False)
    with pytest.raises(ValueError, match="time_limit"):
        run("smoke", "cpsat", time_limit=0, progress=False)


def test_cli_run_report_export_suites(tmp_path, capsys):
    res = tmp_path / "c.sqlite"
    code = main(
        [
            "bench",
            "run",
            str(INSTANCES / "smtt"),
            "--methods",
            "fake-trivial,cpsat",
            "--time-limit",
            "0.5",
            "--seeds",
            "2",
            "--workers",
            "2",
            "--results",
            str(res),
            "--import",
            "tests.bench.fake_methods",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "8 run(s) now" in out and "| fake-trivial | 4 |" in out
    assert main(["bench", "report", str(res), "--out", str(tmp_path / "rep")]) == 0
    md = (tmp_path / "rep" / "report.md").read_text()
    assert "| cpsat | 4 |" in md and "profile_" in md
    assert len(list((tmp_path / "rep").glob("*.png"))) == 2
    assert (
        main(
            [
                "bench",
                "export",
                str(res),
                "--csv",
                str(tmp_path / "c.csv"),
                "--parquet",
                str(tmp_path / "c.pq"),
            ]
        )
        == 0
    )
    assert len(pd.read_csv(tmp_path / "c.csv")) == len(pd.read_parquet(tmp_path / "c.pq")) == 8
    capsys.readouterr()
    assert main(["bench", "suites"]) == 0
    assert "psplib-j30" in capsys.readouterr().out
    assert main(["bench", "report", str(tmp_path / "missing.sqlite")]) == 2


def test_demo_runs_the_smoke_suite(capsys):
    from schedopt.demo import run_demo

    # every applicable method on every shipped instance: none may fail (invalid, error, crash)
    builtin = ",".join(m for m in schedopt.methods() if not m.startswith("fake"))  # this module adds fakes
    assert run_demo(time_limit=1.0, methods=builtin, workers=2) == 0
    out = capsys.readouterr().out
    for ref in get_suite("smoke"):
        assert ref.name in out
    for method in ("cpsat", "mip", "sgs", "ga", "dp", "exact", "ils", "mddc"):
        assert f"| {method} |" in out


def test_performance_profile_by_hand():
    from schedopt.bench.report import performance_profile

    costs = pd.DataFrame({"a": [1.0, 2.0, np.inf], "b": [2.0, 2.0, 3.0]})
    rho = performance_profile(costs, np.array([1.0, 2.0, 10.0]))
    assert list(rho["a"]) == pytest.approx([2 / 3, 2 / 3, 2 / 3])
    assert list(rho["b"]) == pytest.approx([2 / 3, 1.0, 1.0])


# ------------------------------------------------------------ progress and Ctrl-C (issue 20)
class _FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_progress_lines_at_most_every_n_seconds():
    # issue 20: "the progress bar vanishes when output is not a terminal, so a logged run prints nothing"
    from schedopt.bench.runner import _Progress

    out, clock = io.StringIO(), _FakeClock()
    bar = _Progress(4, "smoke", "lines", every=10.0, stream=out, clock=clock)
    for at, status in [(3.0, "optimal"), (12.0, "timeout"), (15.0, "optimal")]:
        clock.now = 100.0 + at
        bar.update({"status": status, "gap": 0.0, "gap_best": None})
    assert out.getvalue().splitlines() == [
        "smoke: 2/4 runs, 1 failed, elapsed 12s, ETA 12s (mean gap 0.00%)"
    ]  # none at 3 s (< 10 s), one at 12 s, none at 15 s (3 s after the last)
    clock.now = 100.0 + 75.0
    bar.update({"status": "optimal", "gap": None, "gap_best": None})
    bar.close()
    assert out.getvalue().splitlines()[1:] == [
        "smoke: 4/4 runs, 1 failed, elapsed 1m15s, ETA 0s (mean gap 0.00%)"
    ]  # the last run prints no line of its own: close() prints the final one


def test_logged_run_prints_plain_progress(tmp_path, capsys):
    df = run("gen-smtt:n=8,count=3", "fake-trivial", time_limit=5, workers=1, results=tmp_path / "r.sqlite")
    assert len(df) == 3
    err = capsys.readouterr().err  # not a terminal under pytest: plain lines, no bar
    assert re.search(r"^gen-smtt.*: 3/3 runs, 0 failed, elapsed \d+s, ETA 0s", err, re.M), err
    run("gen-smtt:n=8,count=3", "fake-trivial", time_limit=5, workers=1, results=tmp_path / "r.sqlite")
    assert "runs," not in capsys.readouterr().err  # nothing to do: no line
    run(
        "gen-smtt:n=8,count=4",
        "fake-trivial",
        time_limit=5,
        workers=1,
        results=tmp_path / "r.sqlite",
        progress=False,
    )
    assert "runs," not in capsys.readouterr().err


def _stored(results) -> int:
    try:  # read-only: never create the file before the runner does
        con = sqlite3.connect(f"file:{results}?mode=ro", uri=True, timeout=30)
    except sqlite3.OperationalError:  # no file yet
        return 0
    try:
        return con.execute("SELECT count(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:  # no table yet
        return 0
    finally:
        con.close()


def test_ctrl_c_on_bench_run_prints_one_line_and_exits_130(tmp_path):
    # issue 20: "Ctrl-C on `bench run` prints a raw KeyboardInterrupt traceback (the data is safe)"
    results = tmp_path / "tmp.sqlite"
    cmd = [sys.executable, "-m", "schedopt.cli", "bench", "run", "smoke", "--methods", "cpsat"]
    cmd += ["--time-limit", "5", "--results", str(results), "--workers", "1"]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while _stored(results) < 1:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no run stored in 120 s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = [
        line for line in err.splitlines() if line.strip() and not line.startswith("schedopt bench: compiled")
    ]
    kept = _stored(results)
    assert 1 <= kept < len(get_suite("smoke")), "the interrupt should land midway"
    expected = f"interrupted: {kept} run(s) kept in {results} ({kept} from this run); rerun the same command"
    assert lines == [f"{expected} to resume"], err
    assert "run(s) now" not in out  # the summary table of a finished run is not printed
