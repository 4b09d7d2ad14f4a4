"""The front door :func:`schedopt.serving.serve`."""

from __future__ import annotations

import pytest

from schedopt.errors import OptionError
from schedopt.serving import Engine, summarize
from schedopt.serving.scenario import serve


def test_serve_by_names_runs_and_reports_settings():
    result = serve(
        "batch",
        workload_options={"lengths": "dist-3", "n": 25},
        model="llama-2-7b",
        gpu="A100",
        kv_capacity_tokens=50_000,
        planner="conservative",
        engine={"admission_interval": 4},
    )
    assert summarize(result).finished == 25
    assert result.config["model"] == "llama-2-7b" and result.config["planner"] == "conservative"
    assert result.config["engine"]["admission_interval"] == 4
    assert result.capacity_tokens == 50_000


def test_serve_default_capacity_comes_from_gpu_memory():
    from schedopt.serving.models import kv_capacity_tokens

    result = serve("batch", workload_options={"lengths": "dist-3", "n": 5})
    assert result.capacity_tokens == kv_capacity_tokens("llama-3-8b", "H100") // 16 * 16


@pytest.mark.parametrize("planner", ["aggressive", "conservative", "past-future", "oracle"])
def test_every_planner_keeps_the_engine_invariants(planner):
    from schedopt.serving.costmodel import RooflineCost
    from schedopt.serving.engine import EngineConfig
    from schedopt.serving.planners import planner as make
    from schedopt.serving.simulate import simulate
    from schedopt.serving.workloads import Batch, dist1

    config = EngineConfig(kv_capacity_tokens=30_000, admission_interval=3, record_peak=True)
    result = simulate(
        Batch(dist1(), n=40),
        config,
        RooflineCost("llama-2-7b", "A100"),
        make(planner),
        seed=1,
        on_step=Engine.check_invariants,
    )
    assert sorted(r.request.id for r in result.records) == list(range(40))
    if planner in ("oracle", "conservative"):
        assert all(r.evictions == 0 for r in result.records)


def test_serve_rejects_unknown_options():
    with pytest.raises(OptionError):
        serve("batch", workload_options={"lengths": "dist-3", "n": 5}, engine={"chunk_size": 3})
    with pytest.raises(OptionError):
        serve("batch", workload_options={"lengths": "dist-3", "n": 5}, planner_options={"bogus": 1})
