"""The cluster simulator keeps its promises: calls, stage precedence, dispatch, service times, SLOs."""

from __future__ import annotations

import itertools
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.serving.cluster.costtable import StageTableCost, query_slo, stage_latency
from schedopt.serving.cluster.dispatch import dispatcher
from schedopt.serving.cluster.sim import ClusterResult, cluster, simulate_cluster
from schedopt.serving.cluster.workflows import Call, Query, standard_query, text2sql_queries

GPUS = ["A100-80", "A100-80", "RTX-A6000", "L40"]

#: Check stage precedence in the invariants (a stage starts only after every call of the previous
#: stage has finished; ``test_stage_precedence_minimal`` is the regression test of the fix).
PRECEDENCE = True


class Recording:
    """Wraps a dispatcher and records every choice (call id -> instance)."""

    def __init__(self, inner):
        self.inner = inner
        self.name = f"recording({inner.name})"
        self.chosen: dict[int, int] = {}

    def reset(self, n_instances):
        self.chosen = {}
        self.inner.reset(n_instances)

    def choose(self, call, instances, now):
        e = self.inner.choose(call, instances, now)
        assert call.id not in self.chosen
        self.chosen[call.id] = e
        return e

    def on_complete(self, call, instance, instances=None):
        self.inner.on_complete(call, instance, instances)


class RandomDispatch:
    """A seeded random dispatcher: any instance may get any call."""

    name = "random"

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self, n_instances):
        self.n = n_instances

    def choose(self, call, instances, now):
        return int(self.rng.integers(len(instances)))

    def on_complete(self, call, instance, instances=None):
        return None


def check_invariants(
    queries: list[Query],
    res: ClusterResult,
    chosen: dict[int, int] | None = None,
    precedence: bool = PRECEDENCE,
) -> None:
    """Every call finishes once, stages follow each other, calls sit where dispatched, SLO flags agree."""
    by_query: dict[int, list] = {q.id: [] for q in queries}
    ids = [r.request.id for r in res.calls]
    assert len(ids) == len(set(ids)) == sum(q.n_calls for q in queries)
    for r in res.calls:
        by_query[r.request.group].append(r)
        assert r.request.arrival <= r.admitted <= r.first_token <= r.finish
        assert 0 <= r.instance < len(res.gpus)
        if chosen is not None:
            assert chosen[r.request.id] == r.instance
    if chosen is not None:
        assert set(chosen) == set(ids)
    rows = res.queries.set_index("id")
    for q in queries:
        recs = sorted(by_query[q.id], key=lambda r: r.request.id)  # ids are given in release order
        assert Counter(
            (r.request.tag, r.request.prompt_tokens, r.request.output_tokens) for r in recs
        ) == Counter((c.stage, c.prompt, c.output) for s in q.stages for c in s)
        pos, prev_end = 0, q.arrival
        for k, stage in enumerate(q.stages):
            chunk = recs[pos : pos + len(stage)]
            pos += len(stage)
            assert {r.request.tag for r in chunk} == {stage[0].stage}
            assert len({r.request.arrival for r in chunk}) == 1
            release = chunk[0].request.arrival
            if precedence:
                # stage k + 1 arrives at (not merely after) the finish of the last call of stage k
                assert release == pytest.approx(prev_end, abs=1e-9) if k else release == q.arrival
                assert all(r.admitted >= prev_end - 1e-9 for r in chunk)
            prev_end = max(r.finish for r in chunk)
        row = rows.loc[q.id]
        if precedence:
            assert row["finish"] == pytest.approx(prev_end, abs=1e-9)
        assert row["latency"] == pytest.approx(row["finish"] - q.arrival, abs=1e-9)
        assert bool(row["on_time"]) == (row["latency"] <= row["slo"] + 1e-9)
    assert res.attainment() == pytest.approx(res.queries["on_time"].mean())
    assert res.makespan == pytest.approx(max(r.finish for r in res.calls))


@pytest.mark.parametrize("dispatch", ["round-robin", "least-loaded", "workload-balanced"])
@pytest.mark.parametrize("queue", ["fcfs", "least-slack"])
def test_invariants_on_a_loaded_cluster(dispatch, queue):
    qs = text2sql_queries(25, 0.15, tenants=3, rng=11)
    rec = Recording(dispatcher(dispatch))
    res = simulate_cluster(qs, cluster(GPUS), dispatch=rec, queue=queue, slo_scale=2.0)
    check_invariants(qs, res, rec.chosen)
    assert res.queries["finish"].notna().all() and len(res.queries) == 25


@pytest.mark.parametrize("gpu", ["A100", "H100", "A6000", "L40S", "A40", "A800"])
def test_one_standard_query_alone_takes_its_table_latency(gpu):
    q = standard_query(0, arrival=1.5)
    res = simulate_cluster([q], cluster([gpu], sequential=True), slo_scale=1.0)
    expected = sum(stage_latency(gpu, s[0].stage) for s in q.stages)
    assert res.queries["latency"].iloc[0] == pytest.approx(expected, rel=1e-9)
    for r in res.calls:  # every call: its table latency, from its release
        assert r.finish - r.request.arrival == pytest.approx(stage_latency(gpu, r.request.tag), rel=1e-9)
    # on one instance the SLO at scale 1 is this very latency: on time, at the margin
    assert res.queries["slo"].iloc[0] == pytest.approx(query_slo([gpu], 1.0)) == pytest.approx(expected)
    assert bool(res.queries["on_time"].iloc[0])


def test_sequential_instance_serves_parallel_calls_one_after_the_other():
    """Two parallel calls of non-typical lengths alone on one sequential instance: the sum of their times."""
    calls = (Call("generate_candidate", 9000, 500), Call("generate_candidate", 14000, 900))
    q = Query(0, 0, 0.0, ((Call("Information Retriever", 300, 3),), calls))
    res = simulate_cluster([q], cluster(["L40"], sequential=True))
    cost = StageTableCost("L40")
    expected = sum(cost.call_time(c.stage, c.prompt, c.output) for s in q.stages for c in s)
    assert res.queries["latency"].iloc[0] == pytest.approx(expected, rel=1e-9)
    ends = sorted(r.finish for r in res.calls)
    assert ends[1] < ends[2]  # no two calls at once


def test_fixed_slo_and_attainment_at_other_slos():
    qs = text2sql_queries(8, 0.2, rng=5)
    res = simulate_cluster(qs, GPUS, slo=100.0)
    assert (res.queries["slo"] == 100.0).all() and res.settings["slo"] == 100.0
    lat = res.queries["latency"].to_numpy()
    assert res.attainment(50.0) == pytest.approx(np.mean(lat <= 50.0))
    assert res.p95_latency() == pytest.approx(np.percentile(lat, 95))
    assert res.throughput() == pytest.approx(8 / (res.queries["finish"].max() - qs[0].arrival))


def test_fcfs_schedule_does_not_depend_on_the_slo():
    """Only the least-slack queue reads deadlines: FCFS runs are the same at every SLO."""
    qs = text2sql_queries(15, 0.15, rng=2)
    a = simulate_cluster(qs, GPUS, dispatch="least-loaded", slo_scale=1.5)
    b = simulate_cluster(qs, GPUS, dispatch="least-loaded", slo_scale=9.0)
    assert a.queries["latency"].tolist() == b.queries["latency"].tolist()


def test_bad_input():
    qs = text2sql_queries(2, 0.1, rng=0)
    with pytest.raises(ValueError, match="at least one instance"):
        simulate_cluster(qs, [])
    with pytest.raises(ValueError, match="unknown queue"):
        simulate_cluster(qs, GPUS, queue="edf")
    with pytest.raises(ValueError, match="V100"):
        simulate_cluster(qs, ["V100"])
    with pytest.raises(ValueError, match="unique"):
        simulate_cluster([qs[0], qs[0]], GPUS)

    class Bad(RandomDispatch):
        def choose(self, call, instances, now):
            return len(instances)

    with pytest.raises(ValueError, match="chose instance"):
        simulate_cluster(qs, GPUS, dispatch=Bad(0))


DISPATCH = st.sampled_from(["round-robin", "least-loaded", "workload-balanced", "random"])


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 5),
    rate=st.floats(0.02, 1.0),
    gpus=st.lists(st.sampled_from(["A100", "H100", "A6000", "L40S", "A40"]), min_size=1, max_size=3),
    dispatch=DISPATCH,
    alpha=st.floats(0.0, 1.0),
    queue=st.sampled_from(["fcfs", "least-slack"]),
    sequential=st.booleans(),
    scale=st.floats(0.5, 6.0),
    seed=st.integers(0, 10_000),
)
def test_invariants_on_random_small_workloads(n, rate, gpus, dispatch, alpha, queue, sequential, scale, seed):
    qs = text2sql_queries(n, rate, tenants=2, rng=seed)
    if dispatch == "random":
        inner = RandomDispatch(seed)
    elif dispatch == "workload-balanced":
        inner = dispatcher(dispatch, alpha=alpha)
    else:
        inner = dispatcher(dispatch)
    rec = Recording(inner)
    res = simulate_cluster(
        qs, cluster(gpus, sequential=sequential), dispatch=rec, queue=queue, slo_scale=scale, seed=seed
    )
    check_invariants(qs, res, rec.chosen)
    if sequential:  # one call at a time per instance
        for e in range(len(gpus)):
            spans = sorted((r.admitted, r.finish) for r in res.calls if r.instance == e)
            assert all(b[0] >= a[1] - 1e-9 for a, b in itertools.pairwise(spans))
    # no call is served faster than alone on the fastest GPU, so no query beats that critical path
    costs = [StageTableCost(g) for g in gpus]
    for r in res.calls:
        assert r.finish - r.admitted >= min(
            m.call_time(r.request.tag, r.request.prompt_tokens, r.request.output_tokens) for m in costs
        ) * (1 - 1e-9)
    for q, lat in zip(qs, res.queries["latency"]):
        lower = sum(max(min(m.call_time(*c) for m in costs) for c in stage) for stage in q.stages)
        assert lat >= lower * (1 - 1e-9) or not PRECEDENCE


def test_stage_precedence_minimal():
    """One query on two A100s: its two generate_candidate calls run in parallel, on both instances."""
    qs = text2sql_queries(1, 1.0, tenants=2, rng=1)
    res = simulate_cluster(qs, cluster(["A100", "A100"]))
    check_invariants(qs, res, precedence=True)


def test_workload_balanced_beats_round_robin_on_a_heterogeneous_cluster():
    """A100 + 2 A40: round-robin sends 2 calls in 3 to a 2-4x slower GPU; WB favours the A100 when it can."""
    gpus = ["A100", "A40", "A40"]
    rr, wb = [], []
    for seed in range(3):
        qs = text2sql_queries(30, 0.03, tenants=2, rng=seed)
        common = {"queue": "least-slack", "slo_scale": 2.0, "seed": seed}
        rr.append(simulate_cluster(qs, gpus, dispatch="round-robin", **common))
        wb.append(
            simulate_cluster(
                qs, gpus, dispatch="workload-balanced", dispatch_options={"alpha": 0.5}, **common
            )
        )
    assert np.mean([r.attainment() for r in wb]) > np.mean([r.attainment() for r in rr])
    assert np.mean([r.p95_latency() for r in wb]) < np.mean([r.p95_latency() for r in rr])
    assert all(math.isfinite(r.p95_latency()) for r in rr + wb)


def test_dispatchers_do_not_see_completions_before_they_happen():
    """A call still running at the dispatch time counts as load: the second query goes to the idle
    instance instead of queueing behind the first (the engine step that finishes the first call
    started before the second query arrived but ends after it)."""
    from schedopt.serving.cluster.workflows import Call, Query

    qs = [Query(i, 0, float(i), ((Call("generate_candidate", 8000, 1),),)) for i in range(2)]
    res = simulate_cluster(qs, cluster(["RTX-A6000", "RTX-A6000"]), dispatch="least-loaded")
    placed = {r.request.group: r.instance for r in res.calls}
    assert placed == {0: 0, 1: 1}
    lat = res.queries["latency"].to_numpy()
    assert abs(lat[1] - lat[0]) < 1e-6


def test_abort_is_refused_in_a_cluster():
    from schedopt.serving.cluster.sim import InstanceSpec
    from schedopt.serving.engine import EngineConfig

    spec = InstanceSpec("A100-80", config=EngineConfig(kv_capacity_tokens=100_000, abort_waiting_after=5.0))
    with pytest.raises(ValueError, match="abort_waiting_after is not supported"):
        simulate_cluster(text2sql_queries(1, 1.0, rng=0), [spec])
