"""``schedopt demo``'s report: full tables when the output is not a terminal (issue 20)."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from schedopt import demo

LONG = "augmented-regret-instance-with-a-very-long-name-0001"


def _fake_runs() -> pd.DataFrame:
    rows = []
    for method in ("aug-mdd", "aug-mddc", "aug-psk"):
        rows.append(
            {
                "suite": "smoke",
                "time_limit": 10.0,
                "method": method,
                "params": "{}",
                "instance": LONG,
                "status": "optimal",
                "objective": 1234567.0,
                "bound": 1234567.0,
                "gap": 0.0,
                "gap_best": math.nan,
                "time": 0.25,
                "valid": 1,
                "flags": "",
            }
        )
    rows[-1].update(status="feasible", bound=1000000.0, gap=0.19, flags="slow")
    return pd.DataFrame(rows)


def test_piped_report_is_full_markdown(capsys):
    # issue 20: "the demo table is cut to 80 columns in a log ('aug-…' three times)"
    failures = demo.print_report(_fake_runs(), 10.0)
    out = capsys.readouterr().out
    assert failures == 0
    assert "…" not in out and "..." not in out
    lines = out.splitlines()
    assert "| instance | method | status | objective | bound | gap | time s | check |" in lines
    for method in ("aug-mdd", "aug-mddc", "aug-psk"):
        assert f"| {LONG} | {method} |" in out
    assert f"| {LONG} | aug-psk | feasible | 1234567 | 1000000 | 19.0% | 0.25 | ok [slow] |" in lines
    assert max(len(line) for line in lines) > 80  # nothing was fitted to a terminal width
    assert "### smoke" in out  # the per-method summary follows


def test_terminal_report_uses_rich(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    buf = Tty()
    demo.print_report(_fake_runs(), 10.0, file=buf)
    assert "schedopt demo: smoke suite" in buf.getvalue() and "| instance | method |" not in buf.getvalue()


def test_run_demo_exit_code_counts_failures(monkeypatch, capsys):
    import schedopt.bench.runner as runner

    df = _fake_runs()
    monkeypatch.setattr(runner, "run", lambda *a, **k: df)
    assert demo.run_demo(time_limit=10.0) == 0
    df.loc[0, "status"] = "crashed"
    assert demo.run_demo(time_limit=10.0) == 1
    assert f"| {LONG} | aug-mdd | crashed |" in capsys.readouterr().out


@pytest.mark.parametrize("value", [None, math.nan])
def test_empty_cells(value):
    assert demo._cell(value, "{:.0f}") == ""
