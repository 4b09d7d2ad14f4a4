"""Smoke test of ``benchmarks/serving/run.py``: every part's functions at toy size (a few seconds)."""

from __future__ import annotations

import csv
import importlib.util
import math
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "benchmarks" / "serving" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("serving_bench_run", RUN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_smoke_runs_resumes_and_reports(bench, tmp_path: Path) -> None:
    bench.smoke(tmp_path)  # asserts run counts, resume (no rerun), finished requests
    with open(tmp_path / "table.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["variant"] for r in rows} == set(bench.TABLE_VARIANTS)
    for r in rows:
        assert 0 < float(r["kv_util"]) <= 1
        assert int(r["finished"]) == int(r["requests"]) and int(r["unfinished"]) == 0
        if r["variant"] in ("conservative", "oracle"):
            assert int(r["evictions"]) == 0, r  # neither may ever evict
    with open(tmp_path / "load.csv", newline="") as fh:
        load = list(csv.DictReader(fh))
    assert {float(r["abort_after"]) for r in load} == {math.inf, 10.0}
    text = (tmp_path / "RESULTS.md").read_text()
    for key in ("serving-table", "serving-load", "serving-speed"):
        assert f"<!-- {key} -->" in text and f"<!-- /{key} -->" in text
    assert "| dist-3 | oracle |" in text
    assert (tmp_path / "goodput_vs_load.png").stat().st_size > 0
