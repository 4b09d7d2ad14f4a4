"""Report metrics: Wilson intervals, WAUC, degradation threshold, taxonomy aggregation."""

from __future__ import annotations

import math

import pytest

from schedopt.llmeval.report import degradation_threshold, markdown, summarize, wauc, wilson_interval


def wilson_formula(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize("k, n", [(0, 1), (1, 1), (7, 10), (0, 20), (20, 20), (13, 57)])
def test_wilson_matches_the_closed_form(k, n):
    lo, hi = wilson_interval(k, n)
    elo, ehi = wilson_formula(k, n)
    assert lo == pytest.approx(max(0.0, elo), abs=1e-9) and hi == pytest.approx(min(1.0, ehi), abs=1e-9)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert wilson_interval(0, 0) is None


def test_wauc_and_threshold():
    assert wauc({1: 1.0, 2: 1.0, 3: 1.0}) == 1.0
    assert wauc({1: 1.0, 3: 0.0}) == pytest.approx(0.25)  # weights 1 and 3
    assert wauc({}) is None
    assert degradation_threshold({1: 1.0, 2: 0.5, 3: 0.4, 4: 0.9}) == 3
    assert degradation_threshold({1: 0.9, 2: 0.6}) is None


def _row(model, variant, level, feasible, violations=None, parse_error=None):
    return {
        "model": model,
        "domain": "synthetic",
        "variant": variant,
        "level": level,
        "feasible": feasible,
        "violations": violations or {},
        "first_violation": next(iter(violations)) if violations else None,
        "parse_error": parse_error,
    }


def test_summarize_groups_and_counts():
    rows = [
        _row("m", "all", 1, True),
        _row("m", "all", 1, False, {"resource": 2, "window": 1}),
        _row("m", "all", 2, False, parse_error="bad_json"),
        _row("m", "all", 2, False, {"precedence": 1}),
        _row("m", "precedence", 1, True),
    ]
    s = summarize(rows)
    lv = {(r["variant"], r["level"]): r for r in s["levels"]}
    assert lv[("all", 1)]["n"] == 2 and lv[("all", 1)]["rate"] == 0.5
    assert lv[("all", 2)]["feasible"] == 0
    fam = {f["variant"]: f for f in s["families"]}
    a = fam["all"]
    assert a["n"] == 4 and a["feasible"] == 1
    assert a["answers_with_violation"] == {
        "precedence": 1,
        "resource": 1,
        "downtime": 0,
        "window": 1,
        "disjunctive": 0,
    }
    assert a["violations"]["resource"] == 2
    assert a["parse_failures"]["bad_json"] == 1 and a["parse_failure_total"] == 1
    assert a["wauc"] == pytest.approx((1 * 0.5 + 2 * 0.0) / 3)
    assert a["threshold"] == 2
    assert fam["precedence"]["threshold"] is None
    assert s["parse_failures"]["m"]["bad_json"] == 1
    text = markdown(s)
    assert "| m | synthetic | all | 4 | 1 | 0.25 |" in text and "bad_json" in text
