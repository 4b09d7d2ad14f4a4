"""The command line, called in-process through ``schedopt.cli.main``."""

from __future__ import annotations

import json

import pytest

from schedopt.cli import main
from tests.conftest import INSTANCES

TOY = str(INSTANCES / "rcpsp" / "toy12.sm")


def test_solve_json_and_check(tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["solve", TOY, "--method", "cpsat", "--time-limit", "10", "--json", "--out", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "optimal" and result["method"] == "cpsat"
    assert main(["check", TOY, str(out)]) == 0
    assert "feasible; makespan =" in capsys.readouterr().out


def test_check_reports_violations(tmp_path, capsys):
    import schedopt

    p = schedopt.read(TOY)
    bad = schedopt.Schedule.from_starts(p, [0] * p.n_jobs)
    path = tmp_path / "s.json"
    schedopt.write(path, bad)
    assert main(["check", TOY, str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert not report["feasible"]
    assert {v["kind"] for v in report["violations"]} >= {"precedence"}


def test_solve_plot(tmp_path, capsys):
    png = tmp_path / "g.png"
    assert main(["solve", TOY, "--time-limit", "10", "--plot", str(png)]) == 0
    assert png.stat().st_size > 10_000
    assert "status   : optimal" in capsys.readouterr().out


def test_info(capsys):
    assert main(["info", TOY]) == 0
    out = capsys.readouterr().out
    assert "critical path LB" in out and "cpsat" in out


def test_bad_file_is_a_clean_error(tmp_path, capsys):
    bad = tmp_path / "bad.sm"
    bad.write_text("nothing here\n")
    assert main(["solve", str(bad)]) == 2
    assert "error:" in capsys.readouterr().err
    assert main(["solve", str(tmp_path / "missing.sm")]) == 2


def test_data_path(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SCHEDOPT_DATA", str(tmp_path))
    assert main(["data", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path)
    assert main(["data"]) == 0
    assert "psplib" in capsys.readouterr().out


def test_unknown_command():
    with pytest.raises(SystemExit):
        main(["frobnicate"])
