"""CHESS workflows: stage structure, fitted length distributions, multi-tenant arrivals."""

from __future__ import annotations

import math

import numpy as np
import pytest

from schedopt.serving.cluster.workflows import (
    LENGTHS,
    PARALLEL_STAGES,
    STANDARD_WORKFLOW,
    TRACE_STATS,
    Call,
    Query,
    fit_length,
    stage_requests,
    standard_query,
    text2sql_queries,
)


def test_standard_workflow_has_15_calls():
    assert len(STANDARD_WORKFLOW) == 15
    q = standard_query()
    assert q.n_calls == 15 and q.stage_names == STANDARD_WORKFLOW


@pytest.mark.parametrize("stage", list(TRACE_STATS))
def test_fitted_lengths_match_mean_and_p90(stage):
    _, (m_in, q_in), (m_out, q_out) = TRACE_STATS[stage]
    rng = np.random.default_rng(1)
    for dist, m, q in ((LENGTHS[stage][0], m_in, q_in), (LENGTHS[stage][1], m_out, q_out)):
        assert math.isclose(dist.mean(), m, rel_tol=1e-6)
        assert math.isclose(dist.p90(), q, rel_tol=1e-6)
        x = dist.sample(rng, 100_000)
        assert x.dtype == np.int64 and x.min() >= 1
        assert abs(x.mean() - m) <= 0.05 * m  # rounding to integers moves the mean a little
        assert abs(np.percentile(x, 90) - q) <= max(1.0, 0.01 * q)


def test_fit_picks_the_family_by_the_ratio():
    assert fit_length(100, 130).kind == "lognormal"
    assert fit_length(7, 25).kind == "inflated"
    assert fit_length(30, 22).kind == "mixture"
    with pytest.raises(ValueError):
        fit_length(0, 5)


def test_queries_structure_and_call_counts():
    qs = text2sql_queries(1500, 2.0, rng=0)
    assert [q.id for q in qs] == list(range(1500))
    arr = np.array([q.arrival for q in qs])
    assert (np.diff(arr) >= 0).all()
    assert abs(len(qs) / arr[-1] - 2.0) < 0.1  # Poisson rate
    counts = {
        s: np.mean([sum(len(st) for st in q.stages if st[0].stage == s) for q in qs]) for s in TRACE_STATS
    }
    for s, (mean_calls, _, _) in TRACE_STATS.items():
        assert abs(counts[s] - mean_calls) < 0.15, s
    for q in qs[:100]:
        for st in q.stages:
            assert len(st) == 1 or st[0].stage in PARALLEL_STAGES
        assert q.stage_names[0] == "Information Retriever" and q.stage_names[-1] == "unit_tester"
        assert q.n_calls >= 10


def test_tenants_share_the_rate():
    qs = text2sql_queries(2000, 1.0, tenants=[1, 3], rng=2)
    share = np.mean([q.tenant for q in qs])
    assert abs(share - 0.75) < 0.04
    assert {q.tenant for q in text2sql_queries(200, 1.0, tenants=3, rng=3)} == {0, 1, 2}
    with pytest.raises(ValueError):
        text2sql_queries(5, 1.0, tenants=[-1, 2])
    with pytest.raises(ValueError):
        text2sql_queries(5, 0.0)


def test_same_seed_same_queries():
    assert text2sql_queries(20, 1.0, rng=5) == text2sql_queries(20, 1.0, rng=5)


def test_stage_requests():
    q = Query(
        7,
        1,
        2.0,
        ((Call("Information Retriever", 300, 5),), (Call("evaluate", 900, 20), Call("evaluate", 1000, 30))),
    )
    reqs = stage_requests(q, 1, 10.0, 25.0, 100)
    assert [r.id for r in reqs] == [100, 101]
    assert all(
        r.group == 7 and r.tag == "evaluate" and r.deadline == 25.0 and r.arrival == 10.0 for r in reqs
    )
    assert [r.output_tokens for r in reqs] == [20, 30] and [r.max_new_tokens for r in reqs] == [20, 30]
    assert stage_requests(q, 1, 10.0, 25.0, 0, max_new_tokens=25)[1].max_new_tokens == 30


def test_query_validation():
    with pytest.raises(ValueError, match="mixed"):
        Query(0, 0, 0.0, ((Call("revise", 5, 5), Call("evaluate", 5, 5)),))
    with pytest.raises(ValueError):
        Query(0, 0, 0.0, ())
    with pytest.raises(ValueError):
        Query(0, 0, -1.0, ((Call("revise", 5, 5),),))
