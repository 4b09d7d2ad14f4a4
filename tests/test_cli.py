"""The command line, called in-process through ``schedopt.cli.main``."""

from __future__ import annotations

import argparse
import importlib
import itertools
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
#: ``schedopt solve``'s progress line on stderr (issue 20).
PROGRESS_LINE = re.compile(r"^  t=\d+\.\ds best=-?\d+ bound=(-?\d+|\?)$")


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


def test_info_shows_the_family_bound_and_each_methods_options(capsys):
    import schedopt

    assert main(["info", TOY]) == 0
    out = capsys.readouterr().out
    lb = schedopt.rcpsp_lower_bound(schedopt.read(TOY))
    assert re.search(rf"^rcpsp LB\s*: {lb}$", out, re.M), out
    assert "family           : rcpsp" in out
    assert re.search(r"^  ga \(rcpsp, heuristic\): .*max_schedules=5000", out, re.M), out


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
    bench = " ".join(sub.choices["bench"]._subparsers._group_actions[0].choices["run"].format_help().split())
    assert "(default: crashed,error)" in bench
    llm = sub.choices["llmeval"]._subparsers._group_actions[0].choices["generate"]
    assert "(default: 10)" in " ".join(llm.format_help().split())


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
    lines = [
        line
        for line in err.splitlines()
        if line.strip() and not line.startswith("compiling") and not PROGRESS_LINE.match(line)
    ]
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


@pytest.mark.parametrize(
    ("value", "shown"), [(31.9, r"31\.9"), (float("nan"), "nan"), (2**63, "9223372036854775808")]
)
def test_check_refuses_a_bad_start_in_one_error_line(tmp_path, capsys, value, shown):
    # issue 20: "check truncates fractional starts (31.9 -> 31) and calls the schedule feasible"
    import schedopt

    p = schedopt.read(TOY)
    good = schedopt.solve(p, method="cpsat", time_limit=10).schedule
    data = {"schedopt": 1, "schedule": good.to_dict()}
    data["schedule"]["start"][5] = value
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    assert main(["check", TOY, str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.fullmatch(
        rf"error: {re.escape(str(path))}: schedule start of job 5: {shown} is [^\n]+\n", captured.err
    )


def test_solve_prints_progress_lines_on_stderr(tmp_path, capsys):
    # issue 20: "schedopt solve ... shows progress (best objective and bound as they improve)"
    import schedopt

    path = tmp_path / "g40.json"
    schedopt.write(path, schedopt.generate_rcpsp(40, seed=3))
    args = ["solve", str(path), "--method", "cpsat", "--time-limit", "20", "--workers", "1"]
    assert main(args) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if PROGRESS_LINE.match(line)]
    assert lines, captured.err
    times = [float(re.search(r"t=([\d.]+)s", line).group(1)) for line in lines]
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))  # at most one line a second
    best = [int(re.search(r"best=(-?\d+)", line).group(1)) for line in lines]
    assert best == sorted(best, reverse=True)
    assert "status   :" in captured.out and "t=" not in captured.out
    # --json keeps quiet
    assert main([*args, "--json"]) == 0
    assert not any(PROGRESS_LINE.match(line) for line in capsys.readouterr().err.splitlines())


def test_progress_lines_are_throttled(capsys):
    from schedopt.cli import _ProgressLines

    lines = _ProgressLines(every=1.0)
    for objective, bound, seconds in [
        (60, None, 0.1),
        (58, 50, 0.5),
        (57, 52, 1.2),
        (56, 52, 1.9),
        (55, 53, 3.0),
    ]:
        lines(objective, bound, seconds)
    assert capsys.readouterr().err.splitlines() == [
        "  t=0.1s best=60 bound=?",
        "  t=1.2s best=57 bound=52",
        "  t=3.0s best=55 bound=53",
    ]
