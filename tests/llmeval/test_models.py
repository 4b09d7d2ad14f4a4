"""Offline models against the verifier: heuristic is always feasible, corrupt is caught with its type."""

from __future__ import annotations

import numpy as np
import pytest

import schedopt
from schedopt.llmeval.generator import VARIANTS, GeneratorConfig, generate_instance
from schedopt.llmeval.models import (
    CORRUPT_TYPES,
    GARBAGE_KINDS,
    NotApplicable,
    OfflineModel,
    answer_text,
    corrupt_starts,
    heuristic_starts,
    naive_starts,
)
from schedopt.llmeval.parse import TaskIndex
from schedopt.llmeval.verify import VIOLATION_TYPES, verify_answer, verify_starts

CFG = GeneratorConfig(cpsat_time_limit=None)
INSTANCES = [
    generate_instance(level, variant, seed=21, index=i, domain=domain, config=CFG)
    for level in (2, 9)
    for i in range(2)
    for variant in VARIANTS
    for domain in ("synthetic", "datacenter")
]


def test_heuristic_scores_100_percent():
    model = OfflineModel("heuristic")
    for p in INSTANCES:
        text = model.answer(p)
        verdict = verify_answer(p, text)
        assert verdict.feasible, (p.name, verdict.detail)
        # the schedule the heuristic answered is also what schedopt.check accepts
        assert schedopt.check(p, schedopt.Schedule.from_starts(p, verdict.starts)) == []


def test_heuristic_uses_sgs_when_registered_else_cpsat(monkeypatch):
    import schedopt.llmeval.models as models

    calls = []
    real = models.solve

    def spy(problem, method, **kw):
        calls.append(method)
        return real(problem, method="cpsat", time_limit=10, workers=1)

    monkeypatch.setattr(models, "solve", spy)
    monkeypatch.setattr(models, "methods", lambda p: ["sgs", "cpsat"])
    heuristic_starts(INSTANCES[0])
    monkeypatch.setattr(models, "methods", lambda p: ["cpsat"])
    heuristic_starts(INSTANCES[0])
    assert calls == ["sgs", "cpsat"]


@pytest.mark.parametrize("kind", CORRUPT_TYPES)
def test_corrupt_is_caught_with_its_type_every_time(kind):
    applied = 0
    for p in INSTANCES:
        model = OfflineModel(f"corrupt:{kind}")
        needs = {
            "downtime": ("downtime", "all"),
            "window": ("windows", "all"),
            "disjunctive": ("disjunctive", "all"),
        }
        try:
            text = model.answer(p)
        except NotApplicable:
            assert kind not in ("precedence", "resource"), p.name  # every instance has edges and resources
            continue
        assert p.meta["variant"] in needs.get(kind, VARIANTS)  # injected only where the constraint exists
        applied += 1
        verdict = verify_answer(p, text)
        assert not verdict.feasible and verdict.parse_error is None
        assert set(verdict.violations) == {kind}, (p.name, verdict.violations)
        assert verdict.first_violation == kind
    assert applied >= 8, f"corrupt:{kind} applied to only {applied} instances"


def test_corrupt_applicability_follows_the_instance():
    p = next(p for p in INSTANCES if p.meta["variant"] == "precedence")
    w = np.asarray(p.meta["witness"])
    for kind in ("downtime", "window", "disjunctive"):
        with pytest.raises(NotApplicable):
            corrupt_starts(p, kind, w)
    for kind in ("precedence", "resource"):
        assert verify_starts(p, corrupt_starts(p, kind, w)).violations == {kind: 1}
    with pytest.raises(ValueError, match="unknown violation type"):
        corrupt_starts(p, "gravity", w)


def test_plain_corrupt_picks_an_applicable_type():
    seen = set()
    for p in INSTANCES:
        verdict = verify_answer(p, OfflineModel("corrupt").answer(p))
        assert not verdict.feasible and len(verdict.violations) == 1
        seen |= set(verdict.violations)
    assert seen == set(VIOLATION_TYPES)


def test_naive_ignores_resources_but_respects_precedence():
    resource_broken = 0
    for p in INSTANCES:
        starts = naive_starts(p)
        verdict = verify_starts(p, starts)
        assert "precedence" not in verdict.violations
        resource_broken += "resource" in verdict.violations
        assert verify_answer(p, OfflineModel("naive").answer(p)).violations == verdict.violations
    assert resource_broken > len(INSTANCES) // 2


@pytest.mark.parametrize("kind", list(GARBAGE_KINDS))
def test_garbage_kinds_give_their_parse_failure(kind):
    for p in INSTANCES[:6]:
        verdict = verify_answer(p, OfflineModel(f"garbage:{kind}").answer(p), TaskIndex(p.names))
        assert not verdict.feasible and verdict.parse_error == GARBAGE_KINDS[kind], verdict.detail


def test_plain_garbage_never_parses():
    for p in INSTANCES:
        assert verify_answer(p, OfflineModel("garbage").answer(p)).parse_error is not None


def test_model_names_are_validated():
    for bad in ("oracle", "corrupt:gravity", "garbage:nope", "naive:x"):
        with pytest.raises(ValueError):
            OfflineModel(bad)


def test_answer_text_round_trips():
    p = INSTANCES[3]
    w = p.meta["witness"]
    assert verify_answer(p, answer_text(p, w)).starts.tolist() == w
