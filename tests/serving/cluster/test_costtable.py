"""HexGen's cost table and the request-level cost model that reproduces it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from schedopt.serving.cluster.costtable import (
    HEXGEN_TABLE,
    HEXGEN_TPOT,
    TABLE_GPUS,
    TYPICAL_IO,
    StageTableCost,
    column,
    derived_tpot,
    query_slo,
    stage_latency,
    standard_latency,
    tpot_bound,
)
from schedopt.serving.cluster.workflows import STANDARD_WORKFLOW
from schedopt.serving.policies import CostModel, StepWork
from schedopt.serving.request import Request


def test_table_values_and_aliases():
    assert stage_latency("A100", "generate_candidate") == 18.2363
    assert stage_latency("A6000", "revise") == 8.0309 == stage_latency("RTX-A6000", "revise")
    assert stage_latency("L40S", "evaluate") == stage_latency("L40", "evaluate") == 1.544
    assert stage_latency("A100", "generate_candidate_llama-agent1") == 18.2363
    with pytest.raises(ValueError, match="not in HexGen"):
        column("V100")
    with pytest.raises(ValueError, match="unknown stage"):
        stage_latency("A100", "plan")


def test_standard_latency_matches_the_docs():
    totals = {g: sum(stage_latency(g, s) for s in STANDARD_WORKFLOW) for g in TABLE_GPUS}
    for g, want in {"A100-80": 37.5, "H100": 17.3, "L40": 66.8, "RTX-A6000": 78.0}.items():
        assert abs(totals[g] - want) < 0.05
    slo1 = standard_latency(["A100", "A100", "A6000", "L40S"])
    assert abs(slo1 - 54.96) < 0.01
    assert math.isclose(query_slo(["A100", "A100", "A6000", "L40S"], 3.0), 3 * slo1)
    with pytest.raises(ValueError):
        query_slo(["A100"], 0)


def test_derived_tpot_keeps_every_prefill_positive():
    for g in TABLE_GPUS:
        c = StageTableCost(g)
        assert 0 < c.tpot <= tpot_bound(g) and c.tpot == derived_tpot(g)
        assert all(r > 0 for r in c.prefill_rate.values())
    # HexGen's published constants would make prefills negative (see the module docstring)
    assert HEXGEN_TPOT["A100-80"] > tpot_bound("A100-80")
    with pytest.raises(ValueError, match="prefill"):
        StageTableCost("A100", tpot=HEXGEN_TPOT["A100-80"])


def _serve_alone(cost: StageTableCost, stage: str, prompt: int, output: int, chunk: int) -> float:
    """The engine's steps for one call alone: prefill chunks, then one decode step per token."""
    req = Request(0, 0.0, prompt, output, output, tag=stage)
    t, done = 0.0, 0
    while done < prompt:
        k = min(chunk, prompt - done)
        t += cost.step_time(StepWork(np.array([k]), np.array([done]), [req], np.zeros(0, np.int64)))
        done += k
    for i in range(output - 1):
        t += cost.step_time(
            StepWork(np.zeros(0, np.int64), np.zeros(0, np.int64), [], np.array([prompt + i + 1]))
        )
    return t


@pytest.mark.parametrize("gpu", TABLE_GPUS)
def test_a_typical_call_alone_takes_its_table_latency(gpu):
    cost = StageTableCost(gpu)
    assert isinstance(cost, CostModel)
    for stage, (p, o) in TYPICAL_IO.items():
        assert math.isclose(cost.call_time(stage, p, o), HEXGEN_TABLE[cost.gpu][stage], rel_tol=1e-9)
        assert math.isclose(
            _serve_alone(cost, stage, p, o, 2048), HEXGEN_TABLE[cost.gpu][stage], rel_tol=1e-9
        )


def test_decode_coefficients_agree_with_step_time():
    cost = StageTableCost("A100")
    c = cost.decode_coefficients()
    assert c.shape == (7,) and c[0] == cost.tpot and not c[1:].any()
    for n in (1, 5, 100):
        ctx = np.arange(n) + 500
        work = StepWork(np.zeros(0, np.int64), np.zeros(0, np.int64), [], ctx)
        formula = c[0] + max(c[1] + c[2] * n + c[3] * ctx.sum(), c[4] + c[5] * n + c[6] * ctx.sum())
        assert math.isclose(cost.step_time(work), formula)


def test_prefill_scales_with_prompt_and_mixed_steps_add():
    cost = StageTableCost("L40")
    r = Request(0, 0.0, 616, 10, 10, tag="Information Retriever")
    assert math.isclose(
        cost.prefill_time("Information Retriever", 616), 2 * cost.prefill_time("Information Retriever", 308)
    )
    mixed = StepWork(np.array([100]), np.array([0]), [r], np.array([300, 400]))
    assert math.isclose(cost.step_time(mixed), cost.prefill_time("Information Retriever", 100) + cost.tpot)
    bad = Request(1, 0.0, 10, 1, 1, tag="chat")
    with pytest.raises(ValueError, match="request 1"):
        cost.step_time(StepWork(np.array([10]), np.array([0]), [bad], np.zeros(0, np.int64)))
    assert math.isclose(cost.swap_time(1000), 1000 * 327680 / 32e9)


@pytest.mark.parametrize("gpu", ["A100", "L40S", "H100"])
def test_the_engine_serves_a_typical_call_alone_in_its_table_latency(gpu):
    from schedopt.serving.engine import Engine, EngineConfig
    from schedopt.serving.planners import planner

    cost = StageTableCost(gpu)
    for i, (stage, (p, o)) in enumerate(TYPICAL_IO.items()):
        engine = Engine(EngineConfig(kv_capacity_tokens=200_000, max_running=1), cost, planner("aggressive"))
        engine.submit(Request(i, 0.0, p, o, o, tag=stage))
        records = []
        while engine.has_work:
            records += engine.step()
        assert len(records) == 1
        assert math.isclose(records[0].finish, HEXGEN_TABLE[cost.gpu][stage], rel_tol=1e-9)
