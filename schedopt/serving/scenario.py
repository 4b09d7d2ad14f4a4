"""The one-call front door of the serving simulator: :func:`serve`.

It assembles a run from names -- a model and a GPU from the catalogues, a workload, a planner,
engine options -- and calls :func:`~schedopt.serving.simulate.simulate`. Everything it builds
can also be built by hand and passed in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .costmodel import RooflineCost
from .engine import EngineConfig
from .models import kv_capacity_tokens as _kv_capacity
from .models import llm
from .planners import planner as _planner
from .policies import AdmissionPlanner, CostModel, QueuePolicy, Workload
from .result import SimResult
from .simulate import simulate
from .workloads import workload as _workload


def serve(
    workload: Workload | str = "batch",
    *,
    model: str = "llama-3-8b",
    gpu: str = "H100",
    tp: int = 1,
    planner: AdmissionPlanner | str = "past-future",
    cost: CostModel | None = None,
    kv_capacity_tokens: int | None = None,
    gpu_memory_utilization: float = 0.9,
    engine: Mapping[str, Any] | None = None,
    planner_options: Mapping[str, Any] | None = None,
    workload_options: Mapping[str, Any] | None = None,
    queue: QueuePolicy | None = None,
    seed: int = 0,
    max_time: float = math.inf,
    progress: bool | str | None = False,
    record_trace: bool = True,
) -> SimResult:
    """Simulate one serving instance of ``model`` on ``tp`` GPUs of type ``gpu``.

    Parameters
    ----------
    workload
        A :class:`~schedopt.serving.policies.Workload`, or a name for
        :func:`schedopt.serving.workloads.workload` (``"batch"``, ``"closed"``, ``"poisson"``,
        ``"trace"``) with ``workload_options`` (e.g. ``{"lengths": "dist-1", "n": 500}``).
    model, gpu, tp
        Catalogue names (:mod:`schedopt.serving.models`, :mod:`schedopt.gpus`) and the
        tensor-parallel degree. They give the KV capacity (unless ``kv_capacity_tokens`` is given)
        and the default roofline cost model.
    planner
        An :class:`~schedopt.serving.policies.AdmissionPlanner` or a name for
        :func:`schedopt.serving.planners.planner` with ``planner_options``.
    cost
        The step-latency model (default :class:`~schedopt.serving.costmodel.RooflineCost` of the
        model on the GPU).
    kv_capacity_tokens
        KV cache size in tokens; by default what the GPUs hold after the weights at
        ``gpu_memory_utilization`` (:func:`schedopt.serving.models.kv_capacity_tokens`).
    engine
        More :class:`~schedopt.serving.engine.EngineConfig` options (unknown ones are rejected).
    queue, seed, max_time, progress, record_trace
        As in :func:`~schedopt.serving.simulate.simulate`.

    Raises
    ------
    ValueError
        A model that does not fit the GPUs, a KV budget below one request, unknown names.
    schedopt.errors.OptionError
        An option the engine, planner or workload does not take.
    """
    model_spec = llm(model)
    capacity = (
        kv_capacity_tokens
        if kv_capacity_tokens is not None
        else _kv_capacity(model_spec, gpu, tp=tp, gpu_memory_utilization=gpu_memory_utilization)
    )
    config = EngineConfig.from_options(int(capacity), **dict(engine or {}))
    if isinstance(workload, str):
        workload = _workload(workload, **dict(workload_options or {}))
    elif workload_options:
        raise ValueError("workload_options apply only to a workload given by name")
    if isinstance(planner, str):
        planner = _planner(planner, **dict(planner_options or {}))
    elif planner_options:
        raise ValueError("planner_options apply only to a planner given by name")
    if cost is None:
        cost = RooflineCost(model_spec, gpu, tp)
    result = simulate(
        workload,
        config,
        cost,
        planner,
        queue,
        seed=seed,
        max_time=max_time,
        progress=progress,
        record_trace=record_trace,
    )
    result.config.update({"model": model_spec.name, "gpu": str(gpu), "tp": tp})
    return result
