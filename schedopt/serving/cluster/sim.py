"""The cluster simulator: several serving instances of different GPU types, one engine each.

Each instance is a :class:`schedopt.serving.engine.Engine` (the same engine as the single-instance
simulator; no second one) with its own cost model -- by default HexGen's per-(GPU, stage) table
model :class:`~schedopt.serving.cluster.costtable.StageTableCost` -- and its own local queue
policy. Queries of multi-stage workflows (:class:`~schedopt.serving.cluster.workflows.Query`)
arrive over time; when a stage is released (at the query's arrival for the first stage, when the
last call of the previous stage finishes for the others) each of its calls gets its per-stage
deadline (:class:`~schedopt.serving.cluster.queues.StageDeadlines`) and is placed by the global
dispatcher (:mod:`~schedopt.serving.cluster.dispatch`) on one instance, whose engine queues it.

Time: one global event queue holds query arrivals and stage releases. Before the event at time
``T`` is handled, every instance with work runs its steps that start before ``T``: the instance
with the earliest clock runs, and starts no step at or after ``T`` or the next instance's clock. A
call's completion becomes an event at its finish time (handled before releases at the same time),
so a dispatcher at ``T`` sees every instance as it is at ``T``: an instance in the middle of a step
still counts the calls that step will finish; a call placed there joins at its next step. A stage
ends when the last of its (parallel) calls finishes, which releases the next stage at that time.

A query's latency is the finish of its last call minus its arrival; it is on time when the
latency is at most its SLO (``slo_scale`` times the standard latency of the cluster,
:func:`~schedopt.serving.cluster.costtable.query_slo`).
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..engine import Engine, EngineConfig
from ..models import kv_capacity_tokens
from ..planners import planner as make_planner
from ..policies import FCFS, AdmissionPlanner, CostModel, QueuePolicy
from ..request import RequestRecord
from .costtable import StageTableCost, column, query_slo, stage_latency
from .dispatch import Dispatcher, InstanceState, dispatcher
from .queues import LeastSlackFirst, StageDeadlines
from .workflows import Query, stage_requests

#: The model HexGen serves on every instance (docs §2.2): its KV bytes size the default caches.
DEFAULT_MODEL = "llama-3-70b"


@dataclass(frozen=True)
class InstanceSpec:
    """One serving instance of the cluster.

    Attributes
    ----------
    gpu
        GPU type (a cost-table column: ``A100-80``, ``H100``, ``A800``, ``L40``, ``RTX-A6000``, ``A40``).
    cost
        Step-latency model (default :class:`~schedopt.serving.cluster.costtable.StageTableCost`).
    config
        Engine settings (default: the KV cache of :data:`DEFAULT_MODEL` on ``tp`` GPUs of this type
        at ``gpu_memory_utilization=0.9``, vLLM's other defaults).
    tp
        GPUs per instance for the default cache (HexGen's instance sizes are not published; 4 fits
        a 70B model in BF16 on every 48 GB and 80 GB type).
    """

    gpu: str
    cost: CostModel | None = None
    config: EngineConfig | None = None
    tp: int = 4

    def engine_config(self) -> EngineConfig:
        """The instance's engine settings."""
        if self.config is not None:
            return self.config
        return EngineConfig(kv_capacity_tokens=kv_capacity_tokens(DEFAULT_MODEL, self.gpu, tp=self.tp))

    def cost_model(self) -> CostModel:
        """The instance's cost model."""
        return self.cost if self.cost is not None else StageTableCost(self.gpu)


def cluster(gpus: Sequence[str], *, sequential: bool = False, tp: int = 4) -> list[InstanceSpec]:
    """Instances of the given GPU types with default settings.

    ``sequential=True`` makes every instance serve one call at a time (``max_running=1``): the
    service model of the cost table and of the offline reference
    (:mod:`~schedopt.serving.cluster.offline`), in which a call of typical length takes exactly its
    table latency.
    """
    specs = []
    for g in gpus:
        spec = InstanceSpec(column(g), tp=tp)
        if sequential:
            spec = InstanceSpec(
                spec.gpu,
                config=EngineConfig(
                    kv_capacity_tokens=spec.engine_config().kv_capacity_tokens, max_running=1
                ),
                tp=tp,
            )
        specs.append(spec)
    return specs


@dataclass
class ClusterResult:
    """The outcome of :func:`simulate_cluster`.

    Attributes
    ----------
    queries
        One row per query: ``id, tenant, arrival, finish, latency, slo, on_time, calls``
        (unfinished queries have ``finish = nan``, ``on_time = False``).
    calls
        Every finished call's :class:`~schedopt.serving.request.RequestRecord` (``instance`` set).
    gpus
        Each instance's GPU.
    makespan
        Finish of the last call.
    settings
        Dispatcher, queue, planner, SLO and seed as plain values.
    wall_time
        Seconds of real time.
    """

    queries: pd.DataFrame
    calls: list[RequestRecord]
    gpus: list[str]
    makespan: float
    settings: dict[str, Any] = field(default_factory=dict)
    wall_time: float = 0.0

    def attainment(self, slo: float | None = None) -> float:
        """Share of queries on time (with each query's own SLO, or the given one in seconds)."""
        q = self.queries
        if len(q) == 0:
            return math.nan
        limit = q["slo"] if slo is None else slo
        return float(np.mean(np.nan_to_num(q["latency"].to_numpy(), nan=math.inf) <= limit + 1e-9))

    def p95_latency(self) -> float:
        """95th percentile of query latency (``inf`` if some query did not finish)."""
        lat = np.nan_to_num(self.queries["latency"].to_numpy(), nan=math.inf)
        return float(np.percentile(lat, 95)) if len(lat) else math.nan

    def throughput(self) -> float:
        """Finished queries per second from the first arrival to the last finish."""
        q = self.queries
        done = q["finish"].notna()
        if not done.any():
            return 0.0
        span = float(q.loc[done, "finish"].max() - q["arrival"].min())
        return float(done.sum()) / span if span > 0 else math.inf


QueueFactory = Callable[[Sequence[str]], QueuePolicy]


def _queue(
    queue: str | QueueFactory | None, gpus: Sequence[str], w1: float, latency: Callable[[str, str], float]
) -> QueuePolicy:
    if queue is None or queue == "fcfs":
        return FCFS()
    if queue in ("least-slack", "least-slack-first", "lsf"):
        return LeastSlackFirst(latency, list(gpus), w1=w1)
    if callable(queue):
        return queue(gpus)
    raise ValueError(f"unknown queue policy {queue!r}; known: fcfs, least-slack (or a factory)")


def simulate_cluster(
    queries: Sequence[Query],
    instances: Sequence[InstanceSpec | str],
    *,
    dispatch: Dispatcher | str = "round-robin",
    dispatch_options: dict[str, Any] | None = None,
    queue: str | QueueFactory | None = "fcfs",
    w1: float = 1.0,
    planner: str | Callable[[], AdmissionPlanner] = "aggressive",
    slo_scale: float = 5.0,
    slo: float | None = None,
    seed: int = 0,
    latency: Callable[[str, str], float] = stage_latency,
) -> ClusterResult:
    """Serve ``queries`` on a heterogeneous cluster and report per-query latency and SLO attainment.

    Parameters
    ----------
    queries
        The workflows with their arrival times (:func:`~schedopt.serving.cluster.workflows.text2sql_queries`).
    instances
        :class:`InstanceSpec`\\ s or GPU names (default settings, see :func:`cluster`).
    dispatch, dispatch_options
        The global dispatcher or its name (``round-robin``, ``least-loaded``, ``workload-balanced``)
        with options (e.g. ``{"alpha": 0.2}``).
    queue, w1
        Local queue of every instance: ``"fcfs"``, ``"least-slack"`` (HexGen's urgency with weight
        ``w1``), or a factory ``gpus -> QueuePolicy``.
    planner
        Admission planner of every instance (a name for :func:`schedopt.serving.planners.planner`,
        default vLLM's ``aggressive`` watermark; or a factory).
    slo_scale, slo
        Per-query SLO: ``slo`` seconds if given, else ``slo_scale`` times the cluster's standard
        latency (docs §2.4). Per-stage deadlines split it (:class:`~.queues.StageDeadlines`).
    seed
        Seeds the planners' random streams.
    latency
        ``t(gpu, stage)`` used by the dispatchers built by name, the least-slack queue and the
        outstanding-work bookkeeping (default: the HexGen table).
    """
    t_wall = time.perf_counter()
    specs = [InstanceSpec(column(s)) if isinstance(s, str) else s for s in instances]
    if not specs:
        raise ValueError("a cluster needs at least one instance")
    gpus = [column(s.gpu) for s in specs]
    rng = np.random.default_rng(seed)
    if isinstance(dispatch, str):
        options = dict(dispatch_options or {})
        if dispatch in ("least-loaded", "workload-balanced"):
            options.setdefault("latency", latency)  # one latency model for dispatch and bookkeeping
        disp = dispatcher(dispatch, **options)
    elif dispatch_options:
        raise ValueError("dispatch_options apply only to a dispatcher given by name")
    else:
        disp = dispatch
    disp.reset(len(specs))
    engines = []
    for i, spec in enumerate(specs):
        if spec.engine_config().abort_waiting_after is not None:
            raise ValueError(
                f"instance {i}: abort_waiting_after is not supported in a cluster (a dropped call would "
                "leave its query unfinished); leave it None"
            )
        plan = make_planner(planner) if isinstance(planner, str) else planner()
        engines.append(
            Engine(
                spec.engine_config(),
                spec.cost_model(),
                plan,
                _queue(queue, gpus, w1, latency),
                instance=i,
                rng=np.random.default_rng(rng.integers(2**63)),
                record_trace=False,
            )
        )
    states = [InstanceState(g) for g in gpus]
    query_slo_s = float(slo) if slo is not None else query_slo(gpus, slo_scale)
    by_id = {q.id: q for q in queries}
    if len(by_id) != len(queries):
        raise ValueError("query ids must be unique")
    deadlines: dict[int, StageDeadlines] = {}
    stage_of: dict[int, int] = {}
    left_in_stage: dict[int, int] = {}
    stage_end: dict[int, float] = {}
    finish: dict[int, float] = {}
    # (time, kind, order, payload): kind 0 = a call finished (payload: its record), handled before
    # kind 1 = a stage of a query is released (payload: (query id, stage)) at the same time.
    events: list[tuple[float, int, int, Any]] = []
    order = 0
    for q in queries:
        heapq.heappush(events, (q.arrival, 1, order, (q.id, 0)))
        order += 1
    next_id = 0
    records: list[RequestRecord] = []

    def release(query: Query, stage: int, now: float) -> None:
        nonlocal next_id
        if stage == 0:
            deadlines[query.id] = StageDeadlines(query.arrival, query_slo_s, gpus)
        deadline = deadlines[query.id].release(query.stage_names[stage], now)
        calls = stage_requests(query, stage, now, deadline, next_id)
        next_id += len(calls)
        stage_of[query.id] = stage
        left_in_stage[query.id] = len(calls)
        stage_end[query.id] = now
        for call in calls:
            e = disp.choose(call, states, now)
            if not 0 <= e < len(engines):
                raise ValueError(
                    f"dispatcher {getattr(disp, 'name', disp)!r} chose instance {e} of {len(engines)}"
                )
            states[e].outstanding += latency(gpus[e], call.tag)
            states[e].queue_length += 1
            engines[e].submit(call)

    def complete(record: RequestRecord) -> None:
        nonlocal order
        records.append(record)
        call, e = record.request, record.instance
        states[e].outstanding = max(0.0, states[e].outstanding - latency(gpus[e], call.tag))
        states[e].queue_length -= 1
        disp.on_complete(call, e, states)
        qid = call.group
        left_in_stage[qid] -= 1
        stage_end[qid] = max(stage_end[qid], record.finish)
        if left_in_stage[qid] == 0:
            query = by_id[qid]
            nxt = stage_of[qid] + 1
            if nxt < len(query.stages):
                heapq.heappush(events, (stage_end[qid], 1, order, (qid, nxt)))
                order += 1
            else:
                finish[qid] = stage_end[qid]

    while True:
        horizon = events[0][0] if events else math.inf
        busy = sorted(
            (e for e in engines if e.has_work and e.now < horizon), key=lambda e: (e.now, e.instance)
        )
        if busy:
            # the earliest engine runs no step starting at or after the next engine's clock, so a
            # completion it reports is handled before any other engine runs past it
            limit = min(horizon, busy[1].now) if len(busy) > 1 else horizon
            for record in busy[0].step(limit):  # its completions happen at their finish times
                heapq.heappush(events, (record.finish, 0, order, record))
                order += 1
            continue
        if not events:
            if any(e.has_work for e in engines):  # all busy engines are past the horizon (inf): impossible
                raise AssertionError("engines with work left after the last event")
            break
        t, kind, _, payload = heapq.heappop(events)
        if kind == 0:
            complete(payload)
        else:
            qid, stage = payload
            release(by_id[qid], stage, t)

    rows = []
    for q in queries:
        end = finish.get(q.id, math.nan)
        lat = end - q.arrival
        rows.append(
            {
                "id": q.id,
                "tenant": q.tenant,
                "arrival": q.arrival,
                "finish": end,
                "latency": lat,
                "slo": query_slo_s,
                "on_time": bool(lat <= query_slo_s + 1e-9),
                "calls": q.n_calls,
            }
        )
    frame = pd.DataFrame(
        rows, columns=["id", "tenant", "arrival", "finish", "latency", "slo", "on_time", "calls"]
    )
    settings = {
        "dispatch": getattr(disp, "name", type(disp).__name__),
        "dispatch_options": dict(dispatch_options or {}),
        "queue": getattr(engines[0].queue, "name", "custom"),
        "w1": w1,
        "planner": getattr(engines[0].planner, "name", "custom"),
        "slo": query_slo_s,
        "slo_scale": slo_scale if slo is None else None,
        "seed": seed,
        "gpus": gpus,
    }
    makespan = max((r.finish for r in records), default=0.0)
    return ClusterResult(frame, records, gpus, makespan, settings, time.perf_counter() - t_wall)
