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


def test_exact_cap_gives_each_request_its_true_length():
    from schedopt.serving.workloads import ExactCap, lengths

    dist = lengths("dist-2@exact")
    assert isinstance(dist, ExactCap) and dist.name == "dist-2@exact" and dist.max_new_tokens == 5000
    rng = np.random.default_rng(4)
    reqs = ClosedLoop(dist, clients=5, n=40).start(rng)
    plain = ClosedLoop("dist-2", clients=5, n=40).start(np.random.default_rng(4))
    assert [(r.prompt_tokens, r.output_tokens) for r in reqs] == [
        (r.prompt_tokens, r.output_tokens) for r in plain
    ]  # same lengths as the inner distribution, only the caps differ
    assert all(r.max_new_tokens == r.output_tokens for r in reqs)
    assert len({r.max_new_tokens for r in reqs}) > 1
    with pytest.raises(ValueError, match="unknown length distribution"):
        lengths("nope@exact")
    with pytest.raises(ValueError, match="ExactCap: inner must be a length distribution, got 'dist-1'"):
        ExactCap("dist-1")


def test_context_cap_rejects_a_non_distribution():
    from schedopt.serving.workloads import ContextCap

    with pytest.raises(ValueError, match="ContextCap: inner must be a length distribution, got 3"):
        ContextCap(3, 18000)


# ---------------------------------------------------------------- closed loop with resubmission


def _sla():
    from schedopt.serving.metrics import SLA

    return SLA(ttft=1.0, max_gap=0.5)


def _outcome_record(request, now: float, outcome: str, sla) -> RequestRecord:
    """A finished request that meets ``sla`` (``"good"``), misses its TTFT (``"late"``) or its
    maximum gap (``"gappy"``)."""
    ttft = {"good": 0.5 * sla.ttft, "late": 2.0 * sla.ttft, "gappy": 0.5 * sla.ttft}[outcome]
    gap = 2.0 * sla.max_gap if outcome == "gappy" else 0.0
    first = request.arrival + ttft
    return RequestRecord(
        request, admitted=request.arrival, first_token=first, finish=max(now, first), max_gap=gap, evictions=0
    )


def _drive_with_failures(wl: ClosedLoop, seed: int, p_fail: float, p_abort: float):
    """A toy server that ends one random outstanding request at a time, as finished and SLA-good,
    finished but SLA-failed (late first token or a long gap) or dropped (``on_abort``).

    Returns the initial requests, then one ``(ended, outcome, new)`` row per end, in order."""
    sla = _sla()
    rng = np.random.default_rng(seed)
    outstanding = list(wl.start(rng))
    initial = list(outstanding)
    events = []
    now = 0.0
    while outstanding:
        assert len(outstanding) <= wl.clients  # never more than N outstanding
        done = outstanding.pop(int(rng.integers(len(outstanding))))
        now = max(now, done.arrival) + float(rng.exponential(1.0))
        u = float(rng.random())
        if u < p_abort:
            outcome = "abort"
            new = wl.on_abort(done, now, rng)
        else:
            outcome = "good" if u >= p_abort + p_fail else ("late" if rng.random() < 0.5 else "gappy")
            record = _outcome_record(done, now, outcome, sla)
            assert sla.good(record) == (outcome == "good")
            new = wl.on_finish(record, now, rng)
        assert len(new) <= 1
        for r in new:
            assert r.client == done.client
            assert r.arrival == pytest.approx(now + wl.think_time)
        outstanding += new
        events.append((done, outcome, new))
    return initial, events


@settings(max_examples=60, deadline=None)
@given(
    clients=st.integers(1, 6),
    n=st.integers(0, 25),
    max_failures=st.integers(1, 4),
    resubmit=st.booleans(),
    p_fail=st.sampled_from([0.0, 0.3, 0.6]),
    p_abort=st.sampled_from([0.0, 0.2]),
    think=st.sampled_from([0.0, 0.25]),
    seed=st.integers(0, 2**16),
)
def test_closed_loop_resubmission_semantics(clients, n, max_failures, resubmit, p_fail, p_abort, think, seed):
    wl = ClosedLoop(
        uniform_lengths((1, 50), (1, 20)),
        clients=clients,
        n=n,
        think_time=think,
        resubmit=_sla() if resubmit else None,
        max_failures=max_failures,
    )
    initial, events = _drive_with_failures(wl, seed, p_fail, p_abort)
    k = min(clients, n)
    assert [r.id for r in initial] == list(range(k)) and [r.client for r in initial] == list(range(k))
    later = [r for _, _, new in events for r in new]
    sent = initial + later

    # ids unique; a prompt's first request has the prompt's index, resubmissions n, n+1, ... in order
    ids = [r.id for r in sent]
    assert len(set(ids)) == len(ids)
    prompt = {r.id: wl.prompt_of(r.id) for r in sent}
    first: dict[int, int] = {}
    for r in sent:
        first.setdefault(prompt[r.id], r.id)
    assert all(rid == p for p, rid in first.items())
    assert sorted(first) == list(range(n))  # every prompt was sent
    retries = [r.id for r in sent if r.id != first[prompt[r.id]]]
    assert retries == list(range(n, n + len(retries)))

    # one FIFO queue: the sends after time 0 are the unsent prompts in index order, then the failed
    # prompts (dropped, or finished outside the SLA fewer than max_failures times) in failure order;
    # a client sends whenever the queue is not empty
    requeued = []
    pushed, popped = n - k, 0
    attempts = dict.fromkeys(range(n), 0)
    bad_finishes = dict.fromkeys(range(n), 0)
    succeeded = dict.fromkeys(range(n), 0)
    last_outcome: dict[int, str] = {}
    for r in initial:
        attempts[r.id] += 1
    for done, outcome, new in events:
        p = prompt[done.id]
        last_outcome[p] = outcome
        if outcome == "good":
            succeeded[p] += 1
        else:
            if outcome != "abort":
                bad_finishes[p] += 1
            if resubmit and bad_finishes[p] < max_failures:
                requeued.append(p)
                pushed += 1
        assert len(new) == (1 if pushed > popped else 0)
        for r in new:
            popped += 1
            attempts[prompt[r.id]] += 1
    assert [prompt[r.id] for r in later] == list(range(k, n)) + requeued

    # every resubmission carries its prompt's lengths
    lens = {r.id: (r.prompt_tokens, r.output_tokens, r.max_new_tokens) for r in sent}
    for r in sent:
        assert lens[r.id] == lens[first[prompt[r.id]]]

    # at the end: each prompt succeeded exactly once (its last attempt), or was given up right after
    # its max_failures-th finish outside the SLA (drops do not count)
    given_up = list(wl.given_up)
    assert len(set(given_up)) == len(given_up)
    if resubmit:
        for p in range(n):
            if p in given_up:
                assert succeeded[p] == 0 and bad_finishes[p] == max_failures
                assert last_outcome[p] in ("late", "gappy")
            else:
                assert succeeded[p] == 1 and bad_finishes[p] < max_failures and last_outcome[p] == "good"
        if p_fail == p_abort == 0.0:
            assert len(sent) == n and not given_up
    else:
        assert len(sent) == n and sorted(ids) == list(range(n)) and given_up == []
        assert all(attempts[p] == 1 for p in range(n))

    # restartable: the same seed sends the same requests, with the same outcomes
    assert _drive_with_failures(wl, seed, p_fail, p_abort) == (initial, events)


def test_closed_loop_resubmits_at_the_tail_worked_example():
    # 2 clients, 4 prompts: prompt 0 is dropped, then prompt 1 fails its TTFT; the queue is then
    # [3, 0] -> 2 went out after the drop, 3 after the failure, 0 and 1 come back as ids 4 and 5
    sla = _sla()
    wl = ClosedLoop(uniform_lengths((1, 50), (1, 20)), clients=2, n=4, resubmit=sla, max_failures=2)
    rng = np.random.default_rng(0)
    r0, r1 = wl.start(rng)
    (r2,) = wl.on_abort(r0, 1.0, rng)
    (r3,) = wl.on_finish(_outcome_record(r1, 2.0, "late", sla), 2.0, rng)
    assert (r2.id, r3.id) == (2, 3) and (r2.client, r3.client) == (0, 1)
    (r4,) = wl.on_finish(_outcome_record(r2, 3.0, "good", sla), 3.0, rng)
    (r5,) = wl.on_finish(_outcome_record(r3, 4.0, "good", sla), 4.0, rng)
    assert (r4.id, wl.prompt_of(4), r4.client) == (4, 0, 0)
    assert (r5.id, wl.prompt_of(5), r5.client) == (5, 1, 1)
    assert (r4.prompt_tokens, r4.output_tokens) == (r0.prompt_tokens, r0.output_tokens)
    # drops do not count towards max_failures: prompt 0 goes back again (id 6)
    (r6,) = wl.on_abort(r4, 5.0, rng)
    assert (r6.id, wl.prompt_of(6), wl.given_up) == (6, 0, [])
    # prompt 1 misses its gap bound a second time: max_failures=2 -> given up, nothing left to send
    assert wl.on_finish(_outcome_record(r5, 6.0, "gappy", sla), 6.0, rng) == []
    assert wl.given_up == [1]
    (r7,) = wl.on_finish(_outcome_record(r6, 7.0, "late", sla), 7.0, rng)  # prompt 0's first bad finish
    assert (r7.id, wl.prompt_of(7)) == (7, 0)
    assert wl.on_finish(_outcome_record(r7, 8.0, "good", sla), 8.0, rng) == [] and wl.given_up == [1]
    # start() forgets the previous run
    wl.start(np.random.default_rng(0))
    assert wl.given_up == []


def test_closed_loop_resubmit_bad_options():
    with pytest.raises(ValueError, match="resubmit must be None or an SLA, got 10.0"):
        ClosedLoop("dist-1", clients=2, n=5, resubmit=10.0)
    with pytest.raises(ValueError, match="resubmit must be None or an SLA"):
        ClosedLoop("dist-1", clients=2, n=5, resubmit={"ttft": 10.0, "max_gap": 1.5})
    for bad in (0, -3, 2.5, True, "3"):
        with pytest.raises(ValueError, match=f"max_failures must be an integer >= 1, got {bad!r}"):
            ClosedLoop("dist-1", clients=2, n=5, resubmit=_sla(), max_failures=bad)
    assert ClosedLoop("dist-1", clients=2, n=5, max_failures=np.int64(3)).max_failures == 3
    with pytest.raises(RuntimeError, match="before start"):
        ClosedLoop("dist-1", clients=2, n=5, resubmit=_sla()).on_abort(None, 0.0, np.random.default_rng(0))
    closed = workload("closed", lengths="dist-1", clients=2, n=5, resubmit=_sla(), max_failures=3)
    assert closed.resubmit == _sla() and closed.max_failures == 3


def _simulate_with_abort(wl, abort_after: float, seed: int = 1):
    from schedopt.serving.engine import EngineConfig
    from schedopt.serving.simulate import simulate

    config = EngineConfig(
        kv_capacity_tokens=768, block_size=16, max_batched_tokens=256, abort_waiting_after=abort_after
    )
    return simulate(wl, config, _ConstantCost(), _AdmitAll(), seed=seed)


def _attempts_by_prompt(wl, result):
    """prompt -> [(id, outcome)] over the records and the dropped requests, in id order."""
    sla = wl.resubmit
    rows = [(r.request.id, "good" if sla is not None and sla.good(r) else "bad") for r in result.records]
    rows += [(r.id, "abort") for r in result.aborted]
    out: dict[int, list] = {}
    for rid, outcome in sorted(rows):
        out.setdefault(wl.prompt_of(rid), []).append((rid, outcome))
    return out


def test_closed_loop_resubmission_through_the_engine():
    from schedopt.serving.metrics import SLA, summarize

    sla = SLA(ttft=0.1, max_gap=0.01)
    n = 30
    wl = ClosedLoop(uniform_lengths((20, 200), (5, 60)), clients=12, n=n, resubmit=sla, max_failures=100)
    result = _simulate_with_abort(wl, abort_after=0.04)
    assert not result.unfinished and wl.given_up == []
    bad = [r for r in result.records if not sla.good(r)]
    assert result.aborted and bad, "the setting must drop requests and fail the SLA, or nothing is tested"
    ids = sorted([r.request.id for r in result.records] + [r.id for r in result.aborted])
    assert ids == list(range(len(ids))) and len(ids) > n  # ids 0..n-1, then the resubmissions
    by_prompt = _attempts_by_prompt(wl, result)
    assert sorted(by_prompt) == list(range(n))
    for p, attempts in by_prompt.items():
        assert attempts[0][0] == p  # a prompt's first request has its index
        assert [o for _, o in attempts].count("good") == 1 and attempts[-1][1] == "good"  # last succeeded
    # resubmissions go out in id order; each carries its prompt's lengths
    sent = {r.request.id: r.request for r in result.records} | {r.id: r for r in result.aborted}
    arrivals = [sent[i].arrival for i in range(n, len(ids))]
    assert arrivals == sorted(arrivals)
    for i in range(n, len(ids)):
        a, b = sent[i], sent[wl.prompt_of(i)]
        assert (a.prompt_tokens, a.output_tokens) == (b.prompt_tokens, b.output_tokens)
    # at most `clients` outstanding (arrival +1, finish or drop -1; ends first on ties)
    ends = [r.finish for r in result.records]
    dropped = {r.id for r in result.aborted}
    events = sorted([(t, -1) for t in ends] + [(r.arrival, 1) for r in sent.values() if r.id not in dropped])
    assert max(np.cumsum([e[1] for e in events])) <= 12
    # goodput: every prompt's tokens once over the makespan (the AE "overall token throughput")
    m = summarize(result, sla)
    tokens = sum(sent[p].prompt_tokens + sent[p].output_tokens for p in range(n))
    assert m.good == n and m.aborted == len(result.aborted)
    assert m.goodput == pytest.approx(tokens / result.makespan, rel=1e-12)
    assert _simulate_with_abort(wl, abort_after=0.04).records == result.records  # deterministic


def test_closed_loop_resubmission_gives_up_after_max_failures_through_the_engine():
    from schedopt.serving.metrics import SLA

    # a 20 ms TTFT bound: only requests admitted soon after they arrive can meet it
    sla = SLA(ttft=0.02, max_gap=0.02)
    wl = ClosedLoop(uniform_lengths((20, 200), (5, 60)), clients=12, n=20, resubmit=sla, max_failures=2)
    result = _simulate_with_abort(wl, abort_after=0.04)
    assert not result.unfinished and 0 < len(wl.given_up) < 20, "some prompts must succeed, some not"
    by_prompt = _attempts_by_prompt(wl, result)
    assert sorted(by_prompt) == list(range(20))
    assert any("abort" in {o for _, o in by_prompt[p]} for p in wl.given_up)  # drops did not count
    for p, attempts in by_prompt.items():
        outcomes = [o for _, o in attempts]
        if p in wl.given_up:  # given up right after its second finish outside the SLA
            assert outcomes.count("bad") == 2 and "good" not in outcomes and outcomes[-1] == "bad"
        else:
            assert outcomes.count("good") == 1 and outcomes[-1] == "good" and outcomes.count("bad") <= 1


def test_closed_loop_without_resubmit_sends_each_prompt_once_through_the_engine():
    wl = ClosedLoop(uniform_lengths((20, 200), (5, 60)), clients=12, n=30)
    result = _simulate_with_abort(wl, abort_after=0.04)
    assert result.aborted, "the setting must drop requests"
    assert not result.unfinished and len(result.records) + len(result.aborted) == 30
    ids = sorted([r.request.id for r in result.records] + [r.id for r in result.aborted])
    assert ids == list(range(30)) and wl.given_up == []
