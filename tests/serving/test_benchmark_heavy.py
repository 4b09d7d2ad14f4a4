"""Smoke test of ``benchmarks/serving/heavy.py``: the artifact's client protocol at toy size."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

HEAVY = Path(__file__).resolve().parents[2] / "benchmarks" / "serving" / "heavy.py"


@pytest.fixture(scope="module")
def heavy():
    assert HEAVY.exists(), f"{HEAVY} is missing"
    spec = importlib.util.spec_from_file_location("serving_bench_heavy", HEAVY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_heavy_runs_resumes_and_reports(heavy, tmp_path: Path, capsys) -> None:
    args = ["--out", str(tmp_path), "--models", "llama-3-8b", "--lengths", "dist-3@ctx18000", "--seeds", "1"]
    args += ["--prompts", "30", "--jobs", "1", "--variants", "aggressive", "conservative", "past-future-ae"]
    args += ["--abort", "10"]
    heavy.main(args)
    with open(tmp_path / "heavy.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["variant"] for r in rows} == {"aggressive", "conservative", "past-future-ae"}
    assert {r["prefill"] for r in rows} == {"chunked", "first"} and len(rows) == 6
    for r in rows:
        # the protocol runs until every prompt succeeded once (none pending, none given up here)
        assert int(r["good"]) == int(r["prompts"]) == 30 and int(r["pending"]) == 0, r
        assert int(r["given_up"]) == 0
        assert int(r["finished"]) >= int(r["good"])
        assert int(r["failed_ttft"]) + int(r["failed_gap"]) == int(r["finished"]) - int(r["good"])
        assert float(r["goodput"]) > 0
    # the protocol was exercised: requests were dropped and re-sent, and finishes failed the SLA
    assert sum(int(r["aborted"]) for r in rows) > 0
    assert any(int(r["finished"]) > int(r["good"]) for r in rows)
    capsys.readouterr()
    heavy.main(args)  # resumes: nothing left to run
    assert "0 runs to do" in capsys.readouterr().out
    text = (tmp_path / "RESULTS.md").read_text()
    assert "<!-- serving-heavy -->" in text and "<!-- /serving-heavy -->" in text
    assert "| dist-3@ctx18000 |" in text and "llama-3-8b" in text and "prefill-first" in text


def test_heavy_report_arithmetic(heavy, tmp_path: Path) -> None:
    """Ratios, spreads, waste and the given-up mark from a hand-made CSV."""
    rows = []
    goodput = {"aggressive": (100.0, 140.0), "conservative": (200.0, 200.0), "past-future": (330.0, 270.0)}
    goodput |= {"past-future-ae": (250.0, 250.0), "oracle": (400.0, 400.0)}
    for variant, values in goodput.items():
        for seed, g in enumerate(values):
            row = {k: 0 for k in heavy.FIELDS}
            row |= {"abort_after": 8.0, "prefill": "first", "model": "llama-3-8b", "lengths": "dist-1@exact"}
            row |= {"variant": variant, "seed": seed, "prompts": 10, "goodput": g, "good": 10, "finished": 10}
            if variant == "aggressive":
                row |= {"failed_ttft": 2 * (seed + 1), "failed_gap": 1, "finished": 10 + 2 * (seed + 1) + 1}
            if variant == "oracle" and seed == 1:
                row |= {"given_up": 1, "good": 9}
            rows.append(row)
    for variant, g in (("conservative-one", 150.0), ("past-future-ae-one", 330.0)):
        row = {k: 0 for k in heavy.FIELDS}
        row |= {"abort_after": 8.0, "prefill": "first", "model": "llama-3-8b", "lengths": "dist-1@exact"}
        row |= {"variant": variant, "seed": 0, "prompts": 10, "goodput": g, "good": 10, "finished": 10}
        rows.append(row)
    with open(tmp_path / "heavy.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=heavy.FIELDS)
        w.writeheader()
        w.writerows(rows)
    text = "\n".join(heavy.report_lines(tmp_path))
    line = next(x for x in text.splitlines() if x.startswith("| dist-1@exact"))
    cells = [c.strip() for c in line.split("|")[1:-1]]
    assert cells[0] == "dist-1@exact †"  # the oracle gave a prompt up
    assert cells[1] == "120 (100–140)" and cells[3] == "300 (270–330)"
    # ratios over the better baseline mean (conservative, 200): 300/200, 250/200, 400/200
    assert cells[6:9] == ["**1.50**", "1.25", "**2.00**"]
    assert cells[9].split(" · ")[0] == "0.30/0.10"  # aggressive: (2+4)/2/10 TTFT, 1/10 gap failures
    assert cells[10] == "1 / 0"
    assert "llama-3-8b, prefill-first" in text and "dropped after 8 s, 10 prompts" in text
    # the per-round-limit variants stay out of the main table and get their own: 330 / max(120, 150)
    assert line.count("|") == 12
    limited = next(x for x in text.splitlines() if x.startswith("| 8 | first | llama-3-8b | dist-1@exact"))
    assert [c.strip() for c in limited.split("|")[-3:-1]] == ["**2.20**", "1.25"]
