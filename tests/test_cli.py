"""The command line, called in-process through ``schedopt.cli.main``."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from schedopt.cli import DEFAULT_TIME_LIMIT, build_parser, main
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


# --------------------------------------------------------------------------- issue 20 ("Hardening")


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m schedopt.cli ARGS`` in a subprocess (C-level output included)."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "schedopt.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def _smtt_json(tmp_path, n: int = 8, seed: int = 3):
    import schedopt
    from schedopt.families.smtt import generate_smtt

    path = tmp_path / f"smtt{n}.json"
    schedopt.write(path, generate_smtt(n, seed=seed))
    return path


def _no_solve(monkeypatch):
    """Make any call of schedopt.solve.solve fail the test: errors must come before solving."""
    solve_module = importlib.import_module("schedopt.solve")  # the attribute schedopt.solve is the function

    def refuse(*args, **kwargs):
        raise AssertionError("solve() was called before the argument error was reported")

    monkeypatch.setattr(solve_module, "solve", refuse)


def test_json_stdout_is_pure_json_even_with_highs_banner(tmp_path):
    # issue 20: HiGHS printed "Running HiGHS ..." on fd 1 before the JSON with --method mip --json
    path = _smtt_json(tmp_path)
    proc = _cli("solve", str(path), "--method", "mip", "--json", "--time-limit", "60")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["method"] == "mip" and result["status"] == "optimal"
    assert "HiGHS" in proc.stderr  # the banner still reaches the user, on stderr


@pytest.mark.parametrize(
    ("option", "make", "message"),
    [
        ("--out", lambda d: d / "missing" / "r.json", r"--out .*r.json: directory .*missing' does not exist"),
        ("--plot", lambda d: d / "missing" / "g.png", r"--plot .*g.png: directory .*missing' does not exist"),
        ("--out", lambda d: d, r"--out .*: is a directory; give a file name"),
        ("--plot", lambda d: d / "g.xyz", r"--plot .*g.xyz: matplotlib cannot write 'xyz' files; use one of"),
    ],
)
def test_bad_output_path_is_refused_before_solving(tmp_path, capsys, monkeypatch, option, make, message):
    # issue 20: "a bad --plot/--out path is reported only after the solve"
    _no_solve(monkeypatch)
    assert main(["solve", TOY, option, str(make(tmp_path))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")
    assert re.search(message, err[0]), err[0]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_unwritable_directory_is_refused_before_solving(tmp_path, capsys, monkeypatch):
    _no_solve(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert main(["solve", TOY, "--out", str(locked / "r.json")]) == 2
    finally:
        locked.chmod(0o700)
    assert "is not writable" in capsys.readouterr().err


def test_index_out_of_range_is_one_error_line(tmp_path, capsys):
    # issue 20: "--index 999 on an OR-Library file -> raw IndexError"
    f = tmp_path / "wt2.txt"
    f.write_text("3 4\n1 2\n5 0\n7 8\n 9 2 \n1 1\n")
    assert main(["solve", str(f), "--index", "999"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"error: {f}: instance index 999 is out of range: the file holds 2 instances (valid indexes: 0..1)"
    ]
    proc = _cli("solve", str(f), "--index", "999", timeout=120)
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == err and "Traceback" not in proc.stderr
    # a single-instance format has no --index at all
    assert main(["info", TOY, "--index", "3"]) == 2
    assert "--index 3 does not apply" in capsys.readouterr().err


def test_default_time_limit_is_documented_and_used(tmp_path, capsys, monkeypatch):
    # issue 20: "schedopt solve has no default time limit and prints nothing"
    parser = build_parser()
    assert parser.parse_args(["solve", "x"]).time_limit == DEFAULT_TIME_LIMIT == 60.0
    assert parser.parse_args(["solve", "x", "--time-limit", "none"]).time_limit is None
    with pytest.raises(SystemExit):
        parser.parse_args(["solve", "x", "--time-limit", "-3"])
    import schedopt.cli

    solve_module = importlib.import_module("schedopt.solve")
    real = solve_module.solve
    seen = {}

    def spy(problem, **kwargs):
        seen.update(kwargs)
        return real(problem, **kwargs)

    monkeypatch.setattr(solve_module, "solve", spy)
    monkeypatch.setattr(schedopt.cli, "_warm_numba", lambda problem, method: None)
    path = _smtt_json(tmp_path)
    assert main(["solve", str(path), "--method", "cpsat"]) == 0
    assert seen["time_limit"] == 60.0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("solving gen-smtt-n8-s3 (8 jobs) with method 'cpsat'")
    assert "time limit 60 s" in out[0]
    assert out[-1].startswith("done: optimal in ")


def test_help_shows_defaults():
    # issue 20: "--help texts show no defaults"
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {name: " ".join(p.format_help().split()) for name, p in sub.choices.items()}
    for needle in ("(default: auto)", "(default: 60)", "(default: 0)", "(default: the first, with a note)"):
        assert needle in helps["solve"], needle
    assert "(default: 10.0)" in helps["demo"]
    assert "(default: status)" in helps["data"] and "(default: psplib orlib_wt)" in helps["data"]
    for name in ("check", "info"):
        assert "(default: the first, with a note)" in helps[name]
    assert "(default: None)" not in " ".join(helps.values())


def _slow_case(tmp_path) -> list[str]:
    """A solve that runs well beyond 2 s: J120 with CP-SAT, or a generated 400-job SMTT instance."""
    from schedopt.data import data_path

    j120 = data_path("psplib", "j120", "j12011_1.sm")
    if j120.exists():
        return [str(j120), "--method", "cpsat", "--time-limit", "30"]
    return [str(_smtt_json(tmp_path, n=400)), "--method", "cpsat", "--time-limit", "30"]


def test_ctrl_c_prints_one_line_and_exits_130(tmp_path):
    # issue 20: "Ctrl-C on solve prints a raw KeyboardInterrupt traceback"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "schedopt.cli", "solve", *_slow_case(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = proc.stdout.readline()  # the start notice: the solve is under way
        assert first.startswith("solving "), first
        time.sleep(2)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("compiling")]
    assert lines == ["interrupted: nothing was written (no result, no --out file, no plot)"], err
    assert "status" not in out


def test_numba_notice_before_a_cold_compile(tmp_path, capsys, monkeypatch):
    # issue 20: "the numba compile on a fresh install took 117 s with nothing printed"
    import schedopt.cli
    import schedopt.warmup

    calls = []
    monkeypatch.setattr(schedopt.cli, "_numba_cache_cold", lambda name: True)
    monkeypatch.setattr(schedopt.warmup, "warm_up", lambda families=None: calls.append(families) or {})
    path = _smtt_json(tmp_path)
    assert main(["solve", str(path), "--method", "cpsat", "--time-limit", "20"]) == 0
    captured = capsys.readouterr()
    assert calls == [["smtt"]]
    err = captured.err.splitlines()
    assert err[0] == "compiling numba kernels for smtt (first run only, ~1-2 min; cached afterwards) ..."
    assert err[1].startswith("compiled in ")
    assert captured.out.startswith("solving ")  # the notice comes before the solve starts


def test_numba_cache_cold_on_an_empty_cache_dir(tmp_path):
    code = (
        "from schedopt.cli import _numba_cache_cold as c; print(c('smtt'), c('rcpsp'), c('no-such-family'))"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.stdout.split() == ["True", "True", "False"], proc.stderr
