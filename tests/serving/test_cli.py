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
