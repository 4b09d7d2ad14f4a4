"""Per-stage deadline split and least-slack-first ordering."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.serving.cluster.costtable import mean_latency, stage_latency, standard_latency
from schedopt.serving.cluster.queues import LeastSlackFirst, RemainingWorkflow, StageDeadlines, stage_budget
from schedopt.serving.cluster.workflows import STANDARD_WORKFLOW
from schedopt.serving.policies import FCFS, QueuePolicy
from schedopt.serving.request import Request

GPUS = ["A100", "A100", "A6000", "L40S"]


def test_remaining_workflow_is_a_per_query_copy():
    a, b = RemainingWorkflow(), RemainingWorkflow()
    a.start("Information Retriever")
    rest = a.start("unit_tester")
    assert (
        "revise" not in rest and rest.count("unit_tester") == 2 and rest.count("Information Retriever") == 3
    )
    assert tuple(b.remaining) == STANDARD_WORKFLOW  # the other query's copy is untouched
    assert b.start("generate_candidate") == tuple(s for s in STANDARD_WORKFLOW if s != "generate_candidate")


def test_stage_budget_formula():
    tbar = {"revise": 2.0, "evaluate": 1.0, "unit_tester": 0.5}
    assert math.isclose(stage_budget(35.0, "revise", ["evaluate", "unit_tester"], tbar), 35 * 2 / 3.5)
    assert stage_budget(-7.0, "revise", [], tbar) == -7.0


def test_standard_query_budgets_sum_to_slo_when_stages_take_their_budget():
    """Released back to back, each stage finishing exactly at its deadline, the last deadline is the SLO."""
    slo = 3 * standard_latency(GPUS)
    d = StageDeadlines(5.0, slo, GPUS)
    now = 5.0
    for s in STANDARD_WORKFLOW:
        now = d.release(s, now)
    assert math.isclose(now, 5.0 + slo)
    # first budget: tbar_IR / sum of the workflow
    d2 = StageDeadlines(0.0, slo, GPUS)
    assert math.isclose(
        d2.release(STANDARD_WORKFLOW[0], 0.0),
        slo * mean_latency(STANDARD_WORKFLOW[0], GPUS) / standard_latency(GPUS),
    )


def req(i, arrival, deadline, tag="revise"):
    return Request(i, arrival, 100, 5, 5, tag=tag, deadline=deadline)


def test_least_slack_first_orders_by_urgency():
    q = LeastSlackFirst(None, GPUS)
    assert isinstance(q, QueuePolicy)
    waiting = [
        req(0, 0.0, 50.0),
        req(1, 1.0, 20.0),
        req(2, 2.0, math.inf),
        req(3, 0.5, 20.0, tag="generate_candidate"),
    ]
    # urgencies at now = 10 on instance 2 (A6000): t + now - D
    order = q.order(waiting, 10.0, 2)
    assert list(order) == [3, 1, 0, 2]
    assert math.isclose(q.urgency(waiting[1], 10.0, 2), stage_latency("A6000", "revise") + 10 - 20)
    # w1 = 0: FCFS
    assert list(LeastSlackFirst(None, GPUS, w1=0).order(waiting, 10.0, 2)) == list(
        FCFS().order(waiting, 10.0, 2)
    )
    with pytest.raises(ValueError):
        q.order(waiting, 0.0, 9)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 200)), min_size=1, max_size=12), st.floats(0, 300))
def test_least_slack_first_is_a_sorted_permutation(rows, now):
    waiting = [req(i, a, d) for i, (a, d) in enumerate(rows)]
    q = LeastSlackFirst(None, GPUS)
    order = list(q.order(waiting, now, 0))
    assert sorted(order) == list(range(len(waiting)))
    keys = [(-q.urgency(waiting[i], now, 0), waiting[i].arrival, waiting[i].id) for i in order]
    assert keys == sorted(keys)
