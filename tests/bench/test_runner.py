"""The runner, CLI and demo on real CP-SAT runs over tiny instances."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import schedopt
from schedopt.bench import run
from schedopt.bench.suites import get_suite
from schedopt.bench.tasks import parse_methods
from schedopt.cli import main
from tests.conftest import INSTANCES

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
