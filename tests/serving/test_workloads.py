"""Length distributions and workloads: bounds, means, closed-loop semantics, trace replay, factories."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.errors import OptionError
from schedopt.serving.policies import Workload
from schedopt.serving.request import RequestRecord
from schedopt.serving.traces import read_trace
from schedopt.serving.workloads import (
    Batch,
    ClosedLoop,
    Poisson,
    TraceReplay,
    dist1,
    dist2,
    dist3,
    empirical_lengths,
    lengths,
    uniform_lengths,
    workload,
)

from ._data import DATA
from ._data import named_trace as _named


def _record(request, finish: float) -> RequestRecord:
    return RequestRecord(
        request, admitted=request.arrival, first_token=finish, finish=finish, max_gap=0.0, evictions=0
    )


# ---------------------------------------------------------------- length distributions


@pytest.mark.parametrize(
    ("make", "prompt", "output"),
    [
        (dist1, (32, 4096), (2048, 4096)),
        (dist2, (3000, 5000), (3000, 5000)),
        (dist3, (2048, 4096), (32, 4096)),
    ],
)
def test_paper_dists_bounds_and_means(make, prompt, output):
    dist = make()
    assert dist.max_new_tokens == output[1]
    p, o = dist.sample(np.random.default_rng(1), 20_000)
    assert p.dtype == np.int64 and o.dtype == np.int64 and p.shape == o.shape == (20_000,)
    for values, (lo, hi) in ((p, prompt), (o, output)):
        assert values.min() >= lo and values.max() <= hi
        # the extremes are nearly reached and the mean is the midpoint (SE ~ (hi - lo) / 245 here)
        assert values.min() < lo + (hi - lo) * 0.01 and values.max() > hi - (hi - lo) * 0.01
        assert abs(values.mean() - (lo + hi) / 2) < (hi - lo) * 0.02
    assert abs(np.corrcoef(p, o)[0, 1]) < 0.05  # independent


def test_uniform_lengths_inclusive_and_validated():
    dist = uniform_lengths((1, 3), (5, 6))
    p, o = dist.sample(np.random.default_rng(0), 600)
    assert set(p.tolist()) == {1, 2, 3} and set(o.tolist()) == {5, 6}
    assert dist.max_new_tokens == 6
    assert uniform_lengths((1, 3), (5, 6), max_new_tokens=10).max_new_tokens == 10
    with pytest.raises(ValueError, match="max_new_tokens"):
        uniform_lengths((1, 3), (5, 6), max_new_tokens=5)
    with pytest.raises(ValueError, match="prompt range"):
        uniform_lengths((0, 3), (5, 6))
    with pytest.raises(ValueError, match="output range"):
        uniform_lengths((1, 3), (7, 6))


def test_empirical_lengths_resamples_rows_jointly():
    df = pd.DataFrame({"prompt_tokens": [10, 20, 30], "output_tokens": [1, 200, 3000]})
    dist = empirical_lengths(df)
    assert dist.max_new_tokens == 3000
    p, o = dist.sample(np.random.default_rng(3), 3000)
    pairs = set(zip(p.tolist(), o.tolist(), strict=True))
    assert pairs == {(10, 1), (20, 200), (30, 3000)}
    # a cap cuts outputs (generation stops at max_new_tokens)
    capped = empirical_lengths(df, max_new_tokens=100)
    p, o = capped.sample(np.random.default_rng(3), 300)
    assert capped.max_new_tokens == 100 and o.max() == 100 and set(o.tolist()) == {1, 100}


def test_empirical_lengths_from_file_and_bad_frame():
    dist = empirical_lengths(DATA / "stats_small.csv")
    assert dist.name == "stats_small" and dist.max_new_tokens == 918
    with pytest.raises(ValueError, match="output_tokens"):
        empirical_lengths(pd.DataFrame({"prompt_tokens": [1]}))
    with pytest.raises(ValueError, match="row 1, column 'prompt_tokens'"):
        empirical_lengths(pd.DataFrame({"prompt_tokens": [1, 0], "output_tokens": [1, 1]}))
    with pytest.raises(ValueError, match="row 2, column 'output_tokens': 'many'"):
        empirical_lengths(pd.DataFrame({"prompt_tokens": [1, 2, 3], "output_tokens": ["1", "2", "many"]}))


@pytest.mark.parametrize("name", ["azure-conv", "azure-code", "sharegpt", "arxiv"])
def test_named_empirical_lengths(name):
    _named(name)
    dist = lengths(name)
    df = read_trace(name)
    assert dist.max_new_tokens == df["output_tokens"].max()
    p, o = dist.sample(np.random.default_rng(0), 20_000)
    # loose: resampled means within 5 % of the data's
    assert abs(p.mean() / df["prompt_tokens"].mean() - 1) < 0.05
    assert abs(o.mean() / df["output_tokens"].mean() - 1) < 0.05


def test_lengths_factory_errors():
    assert lengths("dist-2").name == "dist-2"
    with pytest.raises(
        ValueError, match="known: dist-1, dist-2, dist-3, azure-conv, azure-code, sharegpt, arxiv"
    ):
        lengths("dist-4")
    with pytest.raises(OptionError, match="takes no options"):
        lengths("dist-1", max_new_tokens=3)
    with pytest.raises(OptionError, match="no option 'cap'"):
        lengths("sharegpt", cap=3)


# ---------------------------------------------------------------- workloads


def test_batch_all_at_time_zero_and_deterministic():
    wl = Batch("dist-3", 50)
    assert isinstance(wl, Workload)
    a = wl.start(np.random.default_rng(7))
    b = wl.start(np.random.default_rng(7))
    c = wl.start(np.random.default_rng(8))
    assert a == b and a != c
    assert [r.id for r in a] == list(range(50))
    assert all(r.arrival == 0.0 and r.max_new_tokens == 4096 and r.tag == "dist-3" for r in a)
    assert wl.on_finish(_record(a[0], 1.0), 1.0, np.random.default_rng(0)) == []


def _drive_closed_loop(wl: ClosedLoop, seed: int):
    """A toy server: repeatedly finishes one random outstanding request; returns everything sent."""
    rng = np.random.default_rng(seed)
    outstanding = list(wl.start(rng))
    sent = list(outstanding)
    now, peak = 0.0, len(outstanding)
    while outstanding:
        done = outstanding.pop(int(rng.integers(len(outstanding))))
        now = max(now, done.arrival) + float(rng.exponential(1.0))
        new = wl.on_finish(_record(done, now), now, rng)
        assert len(new) <= 1
        for r in new:
            assert r.client == done.client
            assert r.arrival == pytest.approx(now + wl.think_time)
        outstanding += new
        sent += new
        peak = max(peak, len(outstanding))
    return sent, peak


@settings(max_examples=40, deadline=None)
@given(
    clients=st.integers(1, 12),
    n=st.integers(0, 60),
    think=st.sampled_from([0.0, 0.5]),
    seed=st.integers(0, 2**16),
)
def test_closed_loop_semantics(clients, n, think, seed):
    wl = ClosedLoop(uniform_lengths((1, 50), (1, 20)), clients=clients, n=n, think_time=think)
    sent, peak = _drive_closed_loop(wl, seed)
    assert len(sent) == n  # exactly n requests in total
    assert sorted(r.id for r in sent) == list(range(n))  # ids unique, 0..n-1
    assert peak <= clients  # never more than N outstanding
    assert peak == min(clients, n)
    assert sorted({r.client for r in sent}) == list(range(min(clients, n)))
    # restartable: a second run from the same seed sends the same requests
    again, _ = _drive_closed_loop(wl, seed)
    assert again == sent
    lens = {r.id: (r.prompt_tokens, r.output_tokens) for r in sent}
    fixed = ClosedLoop(uniform_lengths((1, 50), (1, 20)), clients=clients, n=n, think_time=think)
    rng = np.random.default_rng(seed)
    first = {r.id: (r.prompt_tokens, r.output_tokens) for r in fixed.start(rng)}
    assert all(lens[i] == v for i, v in first.items())


def test_closed_loop_lengths_independent_of_finish_order():
    wl = ClosedLoop("dist-1", clients=3, n=20)
    seen = []
    for order_seed in (1, 2):
        rng = np.random.default_rng(5)
        out = list(wl.start(rng))
        sent = list(out)
        pick = np.random.default_rng(order_seed)
        while out:
            done = out.pop(int(pick.integers(len(out))))
            new = wl.on_finish(_record(done, 1.0), 1.0, rng)
            out += new
            sent += new
        seen.append({r.id: (r.prompt_tokens, r.output_tokens) for r in sent})
    assert seen[0] == seen[1]


def test_closed_loop_bad_options():
    with pytest.raises(ValueError, match="clients must be >= 1"):
        ClosedLoop("dist-1", clients=0, n=5)
    with pytest.raises(ValueError, match="think_time"):
        ClosedLoop("dist-1", clients=2, n=5, think_time=-1.0)
    with pytest.raises(ValueError, match="n must be an integer"):
        ClosedLoop("dist-1", clients=2, n=2.5)
    with pytest.raises(RuntimeError, match="before start"):
        ClosedLoop("dist-1", clients=2, n=5).on_finish(None, 0.0, np.random.default_rng(0))


def test_poisson_arrivals():
    wl = Poisson("dist-2", rate=4.0, n=4000)
    reqs = wl.start(np.random.default_rng(11))
    arr = np.array([r.arrival for r in reqs])
    assert [r.id for r in reqs] == list(range(4000))
    assert arr[0] > 0 and np.all(np.diff(arr) >= 0)
    gaps = np.diff(np.concatenate([[0.0], arr]))
    assert abs(gaps.mean() - 0.25) < 0.02 and abs(gaps.std() - 0.25) < 0.03  # exponential: std = mean
    assert reqs == wl.start(np.random.default_rng(11))
    with pytest.raises(ValueError, match="rate must be a finite number > 0"):
        Poisson("dist-2", rate=0.0, n=3)


def test_trace_replay_small_file_and_options():
    wl = TraceReplay(DATA / "generic_small.csv")
    reqs = wl.start(np.random.default_rng(0))
    assert [r.arrival for r in reqs] == [0.0, 0.5, 2.75]
    assert [(r.prompt_tokens, r.output_tokens) for r in reqs] == [(100, 20), (5, 300), (42, 7)]
    assert all(r.max_new_tokens == 300 and r.tag == "generic_small" for r in reqs)
    fast = TraceReplay(DATA / "generic_small.csv", time_scale=0.5, limit=2, max_new_tokens=100).start(None)
    assert [r.arrival for r in fast] == [0.0, 0.25]
    assert [r.output_tokens for r in fast] == [20, 100] and fast[1].max_new_tokens == 100
    with pytest.raises(ValueError, match="time_scale"):
        TraceReplay(DATA / "generic_small.csv", time_scale=0.0)
    with pytest.raises(ValueError, match="not both"):
        TraceReplay(DATA / "generic_small.csv", time_scale=2.0, rate=1.0)


def test_trace_replay_without_timestamps_needs_rate():
    with pytest.raises(ValueError, match="no arrival times; give rate="):
        TraceReplay(DATA / "stats_small.csv")
    wl = TraceReplay(DATA / "stats_small.csv", rate=2.0)
    a = wl.start(np.random.default_rng(4))
    assert [r.id for r in a] == [0, 1, 2] and a == wl.start(np.random.default_rng(4))
    assert [r.prompt_tokens for r in a] == [3772, 2015, 74]
    assert 0 < a[0].arrival < a[1].arrival < a[2].arrival


def test_trace_replay_azure_conv():
    _named("azure-conv")
    df = read_trace("azure-conv")
    wl = TraceReplay("azure-conv")
    reqs = wl.start(np.random.default_rng(0))
    assert len(reqs) == wl.n == 19_366
    assert [r.id for r in reqs] == list(range(19_366))
    np.testing.assert_array_equal([r.arrival for r in reqs], df["arrival"].to_numpy())
    np.testing.assert_array_equal([r.prompt_tokens for r in reqs], df["prompt_tokens"].to_numpy())
    np.testing.assert_array_equal([r.output_tokens for r in reqs], df["output_tokens"].to_numpy())
    assert {r.max_new_tokens for r in reqs} == {int(df["output_tokens"].max())}
    assert {r.tag for r in reqs} == {"azure-conv"}
    half = workload("trace", trace="azure-conv", time_scale=0.5, limit=100).start(np.random.default_rng(0))
    assert len(half) == 100 and half[-1].arrival == pytest.approx(reqs[99].arrival / 2)


# ---------------------------------------------------------------- factory


def test_workload_factory():
    assert isinstance(workload("batch", lengths="dist-1", n=3), Batch)
    closed = workload("closed", lengths=dist2(), clients=4, n=10, think_time=0.1)
    assert isinstance(closed, ClosedLoop) and closed.clients == 4
    assert isinstance(workload("poisson", lengths="dist-3", rate=1.0, n=2), Poisson)
    assert isinstance(workload("trace", trace=DATA / "azure_small.csv"), TraceReplay)
    with pytest.raises(ValueError, match="known workloads: batch, closed, poisson, trace"):
        workload("open")
    with pytest.raises(OptionError, match="has no option 'client'; did you mean 'clients'"):
        workload("closed", lengths="dist-1", client=3, n=4)
    with pytest.raises(OptionError, match="needs option 'rate'"):
        workload("poisson", lengths="dist-1", n=4)
    with pytest.raises(ValueError, match="unknown length distribution 'dist-9'"):
        workload("batch", lengths="dist-9", n=4)


# ---------------------------------------------------------------- through the engine


class _ConstantCost:
    """2 ms per step plus 10 us per prefill token (a test double of the CostModel protocol)."""

    def step_time(self, work):
        return 2e-3 + 1e-5 * float(work.prefill_tokens.sum())

    def decode_coefficients(self):
        return None

    def swap_time(self, tokens):
        return 0.0


class _AdmitAll:
    name = "admit-all"

    def reset(self, capacity_tokens, rng):
        pass

    def admit(self, view, candidate, generated):
        return True

    def record_finish(self, request, generated):
        pass


def _simulate(wl, seed=0):
    from schedopt.serving.engine import EngineConfig
    from schedopt.serving.simulate import simulate

    config = EngineConfig(kv_capacity_tokens=4096, block_size=16, max_batched_tokens=512)
    return simulate(wl, config, _ConstantCost(), _AdmitAll(), seed=seed)


@pytest.mark.parametrize("think", [0.0, 0.05])
def test_closed_loop_through_the_engine(think):
    wl = ClosedLoop(uniform_lengths((1, 200), (1, 40)), clients=4, n=30, think_time=think)
    result = _simulate(wl, seed=3)
    records = result.records
    assert not result.unfinished and len(records) == 30
    assert sorted(r.request.id for r in records) == list(range(30))
    # at most 4 requests outstanding: sweep arrivals (+1) and finishes (-1), finishes first on ties
    events = sorted([(r.finish, -1) for r in records] + [(r.request.arrival, 1) for r in records])
    assert max(np.cumsum([e[1] for e in events])) <= 4
    # each client's next request arrives think_time after its previous one finished
    by_client: dict[int, list] = {}
    for r in sorted(records, key=lambda r: r.request.id):
        by_client.setdefault(r.request.client, []).append(r)
    assert sorted(by_client) == [0, 1, 2, 3]
    for chain in by_client.values():
        for prev, nxt in itertools.pairwise(chain):
            assert nxt.request.arrival == pytest.approx(prev.finish + think)
    assert _simulate(wl, seed=3).records == records  # deterministic given the seed


@pytest.mark.parametrize(
    "wl",
    [
        Batch(uniform_lengths((1, 100), (1, 30)), 20),
        Poisson(uniform_lengths((1, 100), (1, 30)), rate=50.0, n=20),
        TraceReplay(DATA / "azure_small.csv"),
    ],
    ids=["batch", "poisson", "trace"],
)
def test_open_workloads_through_the_engine(wl):
    result = _simulate(wl)
    n = wl.n
    assert not result.unfinished and len(result.records) == n
    assert sorted(r.request.id for r in result.records) == list(range(n))
    assert all(r.first_token >= r.request.arrival for r in result.records)


def test_context_cap_gives_each_request_the_window_it_leaves():
    from schedopt.serving.workloads import ContextCap, lengths

    dist = lengths("dist-1@ctx18000")
    assert isinstance(dist, ContextCap) and dist.name == "dist-1@ctx18000"
    reqs = Batch(dist, n=50).start(np.random.default_rng(0))
    for r in reqs:
        assert r.max_new_tokens == 18000 - r.prompt_tokens >= r.output_tokens
    tight = Batch(ContextCap(dist1(), 3000), n=50).start(np.random.default_rng(1))
    assert all(r.max_new_tokens == max(3000 - r.prompt_tokens, r.output_tokens) for r in tight)
    with pytest.raises(ValueError, match="@ctx"):
        lengths("dist-1@ctxabc")
