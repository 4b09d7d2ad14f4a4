"""``schedopt serve-sim``."""

from __future__ import annotations

import json

import pytest

from schedopt.cli import main


def test_serve_sim_json_and_out(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "serve-sim",
            "--dist",
            "dist-3",
            "--requests",
            "30",
            "--planner",
            "oracle",
            "--model",
            "llama-2-7b",
            "--gpu",
            "A100",
            "--kv-tokens",
            "60000",
            "--json",
            "--out",
            str(out),
            "--no-plot",
        ]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["finished"] == 30 and summary["evictions"] == 0
    assert summary["kv_capacity_tokens"] == 60000
    assert {p.name for p in out.iterdir()} == {"summary.json", "requests.csv", "steps.csv"}


def test_serve_sim_poisson_and_closed_loop(capsys):
    assert main(["serve-sim", "--dist", "dist-3", "--requests", "20", "--rate", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["finished"] == 20
    assert main(["serve-sim", "--dist", "dist-3", "--requests", "20", "--clients", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["finished"] == 20


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dist", "dist-9"], "dist-9"),
        (["--dist", "dist-1", "--gpu", "H1OO"], "H1OO"),
        (["--dist", "dist-1", "--model", "llama-3-70b", "--gpu", "A100"], "needs 131 GiB of weights"),
        (["--dist", "dist-1", "--planner", "psychic"], "psychic"),
        (["--dist", "dist-1", "--kv-tokens", "2000"], "below one request"),
        (["--dist", "dist-1", "--rate", "1", "--clients", "2"], "not both"),
    ],
)
def test_serve_sim_bad_input_is_one_error_line(argv, message, capsys):
    assert main(["serve-sim", "--requests", "5", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_serve_sim_trace_file_with_bad_row(tmp_path, capsys):
    bad = tmp_path / "t.csv"
    bad.write_text("arrival,prompt_tokens,output_tokens\n0.0,10,5\n0.5,-3,5\n")
    assert main(["serve-sim", "--trace", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "t.csv" in err and "line 3" in err


def test_serve_sim_checks_cheap_arguments_before_simulating(capsys):
    assert main(["serve-sim", "--dist", "dist-1", "--requests", "0"]) == 2
    assert "--requests must be >= 1" in capsys.readouterr().err
    assert main(["serve-sim", "--dist", "dist-1", "--sla-ttft", "-1"]) == 2
    assert "ttft" in capsys.readouterr().err


_OVERLOAD = [
    "serve-sim",
    "--dist",
    "dist-3",
    "--requests",
    "20",
    "--clients",
    "16",
    "--model",
    "llama-2-7b",
    "--gpu",
    "A100",
    "--planner",
    "aggressive",
    "--kv-tokens",
    "12000",
    "--abort-after",
    "0.5",
    "--sla-ttft",
    "1",
    "--json",
]


def test_serve_sim_abort_after_drops_and_the_closed_loop_goes_on(capsys):
    assert main(_OVERLOAD) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["abort_after"] == 0.5 and summary["aborted"] > 0 and "given_up" not in summary
    assert summary["finished"] + summary["aborted"] == 20  # every prompt sent once
    assert summary["good"] < 20


def test_serve_sim_resubmit_sends_failed_prompts_again(capsys):
    assert main([*_OVERLOAD, "--resubmit"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["aborted"] > 0 and summary["finished"] + summary["aborted"] > 20  # resubmissions
    assert summary["given_up"] == 0 and summary["good"] == 20  # each prompt succeeded exactly once
    # a bound that no request can meet: every prompt is given up after its one allowed failure
    assert main([*_OVERLOAD, "--resubmit", "--sla-gap", "1e-6", "--max-failures", "1"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["given_up"] == 20 and summary["good"] == 0 and summary["finished"] == 20


def test_serve_sim_resubmit_text_summary(capsys):
    assert main([a for a in _OVERLOAD if a != "--json"] + ["--resubmit"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.split() == ["given_up", "0"] for line in lines)
    assert any(line.split()[:1] == ["aborted"] for line in lines)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--abort-after", "-1"], "--abort-after must be a finite number of seconds > 0, got -1.0"),
        (["--abort-after", "0"], "--abort-after must be a finite number of seconds > 0"),
        (["--abort-after", "nan"], "--abort-after must be a finite number of seconds > 0"),
        (["--resubmit"], "--resubmit needs --clients"),
        (["--resubmit", "--rate", "2"], "--resubmit needs --clients"),
        (["--clients", "2", "--max-failures", "3"], "--max-failures needs --resubmit"),
        (["--clients", "2", "--resubmit", "--max-failures", "0"], "--max-failures must be >= 1, got 0"),
    ],
)
def test_serve_sim_bad_abort_and_resubmit_options(argv, message, capsys):
    assert main(["serve-sim", "--dist", "dist-1", "--requests", "5", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert "Traceback" not in err
