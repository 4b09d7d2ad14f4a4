"""The serving engine: invariants at every step, exactness of the decode-run kernel, preemption."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.serving.engine import Engine, EngineConfig
from schedopt.serving.policies import BatchView, StepWork
from schedopt.serving.request import Request
from schedopt.serving.simulate import simulate


class AffineCost:
    """``t = 1 ms + 10 us per prefill token + 0.1 us per context token``; optional closed form."""

    def __init__(self, closed_form: bool = True, swap: float = 1e-6) -> None:
        self.closed_form = closed_form
        self.swap = swap

    def step_time(self, work: StepWork) -> float:
        return 1e-3 + 1e-5 * float(work.prefill_tokens.sum()) + 1e-7 * float(work.decode_context.sum())

    def decode_coefficients(self):
        if not self.closed_form:
            return None
        return np.array([1e-3, 0.0, 0.0, 1e-7, 0.0, 0.0, 0.0])

    def swap_time(self, tokens: int) -> float:
        return self.swap * tokens


class Greedy:
    """Admits whenever the prompt fits physically (the engine checks that); a test double."""

    name = "greedy"

    def reset(self, capacity_tokens, rng):
        self.finished = []

    def admit(self, view: BatchView, candidate: Request, generated: int) -> bool:
        return True

    def record_finish(self, request, generated):
        self.finished.append((request.id, generated))


class Peak:
    """Admits iff the true future peak (with block rounding) fits: never needs a preemption."""

    name = "peak"

    def reset(self, capacity_tokens, rng):
        self.capacity = capacity_tokens

    def admit(self, view, candidate, generated):
        held = np.append(view.held, candidate.prompt_tokens + generated)
        rem = np.append(view.true_remaining, candidate.output_tokens - generated)
        order = np.argsort(-rem, kind="stable")
        peak = np.max(np.cumsum(held[order]) + np.arange(1, len(rem) + 1) * rem[order])
        return peak + len(rem) * view.block_size <= self.capacity

    def record_finish(self, request, generated):
        pass


class Listed:
    """A workload of fixed requests."""

    def __init__(self, requests):
        self.requests = list(requests)
        self.n = len(self.requests)

    def start(self, rng):
        return list(self.requests)

    def on_finish(self, record, now, rng):
        return []


requests_strategy = st.lists(
    st.tuples(st.floats(0, 0.05), st.integers(1, 30), st.integers(1, 18)), min_size=1, max_size=25
)


def _requests(spec):
    return [Request(i, a, p, o, o) for i, (a, p, o) in enumerate(spec)]


@settings(max_examples=60, deadline=None)
@given(
    spec=requests_strategy,
    capacity=st.integers(6, 20),
    chunked=st.booleans(),
    preemption=st.sampled_from(["recompute", "swap"]),
    interval=st.integers(1, 4),
    budget=st.integers(8, 64),
)
def test_invariants_every_step(spec, capacity, chunked, preemption, interval, budget):
    """Blocks in use never exceed capacity; every request finishes exactly once; tokens add up."""
    config = EngineConfig(
        kv_capacity_tokens=capacity * 8,
        block_size=8,
        max_batched_tokens=budget,
        chunked_prefill=chunked,
        preemption=preemption,
        admission_interval=interval,
    )
    requests = _requests(spec)
    result = simulate(Listed(requests), config, AffineCost(), Greedy(), on_step=Engine.check_invariants)
    ids = [r.request.id for r in result.records]
    assert sorted(ids) == list(range(len(requests)))
    assert not result.unfinished
    steps = result.steps
    assert np.all(steps.used_blocks <= capacity)
    # Output tokens: each request emits output_tokens tokens; a recompute eviction re-emits none.
    emitted = steps.decode_tokens.sum()
    for record in result.records:
        assert record.first_token >= record.request.arrival
        assert record.finish >= record.first_token
        assert record.admitted >= record.request.arrival
    # Every output token comes from a decode step or from a completed prefill: one per request,
    # plus at most one per recompute eviction (none if the request was evicted mid-prefill).
    completions = sum(r.request.output_tokens for r in result.records) - emitted
    evictions = sum(r.evictions for r in result.records) if preemption == "recompute" else 0
    assert len(requests) <= completions <= len(requests) + evictions
    # Prefill tokens: every prompt once, plus prompt + generated for each recompute.
    if preemption == "swap" or not any(r.evictions for r in result.records):
        assert steps.prefill_tokens.sum() == sum(r.request.prompt_tokens for r in result.records)


@settings(max_examples=40, deadline=None)
@given(spec=requests_strategy, capacity=st.integers(6, 20), interval=st.integers(1, 4))
def test_decode_run_kernel_equals_stepping(spec, capacity, interval):
    """The closed-form decode runs give exactly the records of one-step-at-a-time simulation."""
    config = EngineConfig(
        kv_capacity_tokens=capacity * 8, block_size=8, max_batched_tokens=32, admission_interval=interval
    )
    fast = simulate(Listed(_requests(spec)), config, AffineCost(True), Greedy())
    slow = simulate(Listed(_requests(spec)), config, AffineCost(False), Greedy())
    key = lambda r: r.request.id  # noqa: E731
    for a, b in zip(sorted(fast.records, key=key), sorted(slow.records, key=key), strict=True):
        assert a.evictions == b.evictions
        for name in ("admitted", "first_token", "finish", "max_gap"):
            assert math.isclose(getattr(a, name), getattr(b, name), rel_tol=1e-9, abs_tol=1e-12), name
    assert fast.n_steps == slow.n_steps
    assert np.array_equal(fast.steps.used_blocks, slow.steps.used_blocks)
    assert np.allclose(fast.steps.duration, slow.steps.duration)


def test_peak_planner_never_preempts():
    rng = np.random.default_rng(3)
    reqs = [Request(i, 0.0, int(rng.integers(1, 50)), int(rng.integers(1, 80)), 80) for i in range(60)]
    config = EngineConfig(kv_capacity_tokens=400, block_size=8, record_peak=True)
    result = simulate(Listed(reqs), config, AffineCost(), Peak(), on_step=Engine.check_invariants)
    assert len(result.records) == 60
    assert sum(r.evictions for r in result.records) == 0
    peaks = result.steps.peak_tokens[~np.isnan(result.steps.peak_tokens)]
    assert len(peaks) and peaks.max() <= 400


def test_preemption_newest_first_and_gap_spans_eviction():
    # Two requests that cannot both finish in 4 blocks of 4 tokens: the newer one is evicted.
    reqs = [Request(0, 0.0, 4, 8, 8), Request(1, 0.0, 4, 8, 8)]
    config = EngineConfig(kv_capacity_tokens=16, block_size=4, max_batched_tokens=64)
    result = simulate(Listed(reqs), config, AffineCost(), Greedy(), on_step=Engine.check_invariants)
    by_id = {r.request.id: r for r in result.records}
    assert by_id[0].evictions == 0 and by_id[1].evictions >= 1
    assert by_id[1].finish > by_id[0].finish
    # The evicted request's largest gap spans the time it waited for request 0 to finish.
    assert by_id[1].max_gap > 3 * 1e-3


def test_request_bigger_than_cache_is_a_clear_error():
    config = EngineConfig(kv_capacity_tokens=64, block_size=16)
    with pytest.raises(ValueError, match=r"request 7: prompt 50 \+ max_new_tokens 30 .* below one request"):
        simulate(Listed([Request(7, 0.0, 50, 10, 30)]), config, AffineCost(), Greedy())


def test_refusing_planner_on_empty_batch_is_a_clear_error():
    class Never(Greedy):
        name = "never"

        def admit(self, view, candidate, generated):
            return False

    config = EngineConfig(kv_capacity_tokens=64, block_size=16)
    with pytest.raises(ValueError, match="planner 'never' refuses request 0"):
        simulate(Listed([Request(0, 0.0, 5, 5, 5)]), config, AffineCost(), Never())


def test_config_rejects_bad_values_and_unknown_options():
    from schedopt.errors import OptionError

    with pytest.raises(ValueError, match="preemption"):
        EngineConfig(kv_capacity_tokens=64, preemption="drop")
    with pytest.raises(ValueError, match="below one block"):
        EngineConfig(kv_capacity_tokens=8, block_size=16)
    with pytest.raises(OptionError):
        EngineConfig.from_options(64, chunk=3)


def test_prefill_first_runs_no_decode_with_prefill():
    reqs = [Request(0, 0.0, 10, 5, 5), Request(1, 0.002, 10, 5, 5)]
    config = EngineConfig(kv_capacity_tokens=256, block_size=8, chunked_prefill=False)
    result = simulate(Listed(reqs), config, AffineCost(), Greedy())
    s = result.steps
    assert not np.any((s.prefill_tokens > 0) & (s.decode_tokens > 0))


def test_chunked_prefill_respects_budget():
    reqs = [Request(0, 0.0, 100, 3, 3), Request(1, 0.0, 30, 3, 3)]
    config = EngineConfig(kv_capacity_tokens=512, block_size=8, max_batched_tokens=16)
    result = simulate(Listed(reqs), config, AffineCost(), Greedy())
    s = result.steps
    assert np.all(s.prefill_tokens + s.decode_tokens <= 16)
    assert s.prefill_tokens.sum() == 130


@settings(max_examples=40, deadline=None)
@given(
    spec=requests_strategy,
    capacity=st.integers(6, 20),
    name=st.sampled_from(["aggressive", "conservative", "past-future", "oracle"]),
    chunked=st.booleans(),
    preemption=st.sampled_from(["recompute", "swap"]),
    interval=st.integers(1, 4),
    seed=st.integers(0, 5),
)
def test_invariants_with_every_planner(spec, capacity, name, chunked, preemption, interval, seed):
    """The real planners through the engine: invariants at every step, each request once, tokens add up."""
    from schedopt.serving.planners import planner

    config = EngineConfig(
        kv_capacity_tokens=capacity * 8,
        block_size=8,
        max_batched_tokens=32,
        chunked_prefill=chunked,
        preemption=preemption,
        admission_interval=interval,
    )
    requests = _requests(spec)
    result = simulate(
        Listed(requests), config, AffineCost(), planner(name), seed=seed, on_step=Engine.check_invariants
    )
    assert sorted(r.request.id for r in result.records) == list(range(len(requests)))
    steps = result.steps
    assert np.all(steps.used_blocks <= capacity)
    completions = sum(r.request.output_tokens for r in result.records) - steps.decode_tokens.sum()
    evictions = sum(r.evictions for r in result.records) if preemption == "recompute" else 0
    assert len(requests) <= completions <= len(requests) + evictions
    if name == "conservative":
        assert all(r.evictions == 0 for r in result.records)


def test_max_time_starts_no_step_after_it_and_keeps_the_makespan_honest():
    reqs = [Request(0, 0.0, 10, 2000, 2000), Request(1, 100.0, 10, 5, 5)]
    config = EngineConfig(kv_capacity_tokens=4096, block_size=16)
    result = simulate(Listed(reqs), config, AffineCost(), Greedy(), max_time=1.0)
    assert np.all(result.steps.start < 1.0)
    assert result.makespan < 1.0 + 0.01  # the step running at 1.0 completes, nothing after it
    assert {r.id for r in result.unfinished} == {0, 1}
    # an idle gap beyond max_time: the clock does not jump to the next arrival
    quick = [Request(0, 0.0, 10, 3, 3), Request(1, 50.0, 10, 3, 3)]
    result = simulate(Listed(quick), config, AffineCost(), Greedy(), max_time=10.0)
    assert result.makespan < 1.0 and [r.id for r in result.unfinished] == [1]


@pytest.mark.parametrize("chunked", [True, False])
def test_decodes_respect_the_step_budget(chunked):
    reqs = [Request(i, 0.0, 4, 6, 6) for i in range(40)]
    config = EngineConfig(
        kv_capacity_tokens=4096, block_size=8, max_batched_tokens=16, chunked_prefill=chunked
    )
    result = simulate(Listed(reqs), config, AffineCost(), Greedy(), on_step=Engine.check_invariants)
    s = result.steps
    assert len(result.records) == 40
    if chunked:
        assert np.all(s.prefill_tokens + s.decode_tokens <= 16)
    else:  # prefill-first: a prefill step runs at least one whole prompt; decodes stay in budget
        assert np.all(s.decode_tokens <= 16)


def test_admission_leaves_the_running_decoders_their_next_blocks():
    """A request is not admitted into blocks the running batch needs in the same step (no
    admit-then-evict): with a 0 watermark, B waits instead of being evicted before computing."""
    from schedopt.serving.planners import Aggressive

    # 3 blocks of 4 tokens. After its prefill A holds 8 tokens (2 blocks) and needs a 3rd block
    # for its next token, just when B (1 block) arrives.
    reqs = [Request(0, 0.0, 7, 5, 5), Request(1, 0.001, 2, 2, 2)]
    config = EngineConfig(kv_capacity_tokens=12, block_size=4, max_batched_tokens=64)
    result = simulate(
        Listed(reqs), config, AffineCost(), Aggressive(watermark=0.0), on_step=Engine.check_invariants
    )
    by_id = {r.request.id: r for r in result.records}
    assert by_id[0].evictions == 0 and by_id[1].evictions == 0
    assert by_id[1].admitted >= by_id[0].finish  # B waited for A's blocks


def test_swapping_out_mid_prefill_moves_only_the_computed_kv():
    class Meter(AffineCost):
        def __init__(self):
            super().__init__(swap=1e-6)
            self.swapped: list[int] = []

        def swap_time(self, tokens):
            self.swapped.append(tokens)
            return super().swap_time(tokens)

    # 8 blocks of 8. A (2 blocks, then growing) decodes one token a step; B reserves 6 blocks and
    # prefills 2 tokens a step; A's third block is needed while B is still mid-prefill.
    reqs = [Request(0, 0.0, 8, 40, 40), Request(1, 0.0, 40, 2, 2)]
    config = EngineConfig(kv_capacity_tokens=64, block_size=8, max_batched_tokens=3, preemption="swap")
    cost = Meter()
    result = simulate(Listed(reqs), config, cost, Greedy(), on_step=Engine.check_invariants)
    by_id = {r.request.id: r for r in result.records}
    assert len(by_id) == 2 and by_id[1].evictions >= 1
    # out and back in: only the computed part of B's 40-token prompt moves, never the reservation
    assert cost.swapped and max(cost.swapped) < 40


def test_fcfs_queue_orders_by_arrival_even_when_submitted_out_of_order():
    config = EngineConfig(kv_capacity_tokens=4096, block_size=16, max_running=1)
    engine = Engine(config, AffineCost(), Greedy())
    engine.submit(Request(5, 0.2, 4, 2, 2))
    engine.submit(Request(3, 0.1, 4, 2, 2))
    engine.submit(Request(4, 0.1, 4, 2, 2))
    assert [r.id for r in engine.waiting] == [3, 4, 5]


def test_abort_drops_requests_that_waited_too_long_and_the_closed_loop_goes_on():
    from schedopt.serving.metrics import summarize
    from schedopt.serving.workloads import ClosedLoop, uniform_lengths

    lengths = uniform_lengths((50, 60), (200, 220))
    config = EngineConfig(kv_capacity_tokens=800, block_size=16, abort_waiting_after=0.05)
    result = simulate(ClosedLoop(lengths, clients=12, n=40), config, AffineCost(), Greedy(), seed=2)
    assert result.aborted, "a 3-request cache with 12 clients must drop some"
    ids = [r.request.id for r in result.records] + [r.id for r in result.aborted]
    assert sorted(ids) == list(range(40))  # every request finished or was dropped, once
    for r in result.records:
        assert r.admitted - r.request.arrival <= 0.05 + 0.01  # admitted before its deadline (+ a step)
    m = summarize(result)
    assert m.aborted == len(result.aborted)
    assert m.sla_attainment <= m.finished / (m.finished + m.aborted)
    with pytest.raises(ValueError, match="abort_waiting_after"):
        EngineConfig(kv_capacity_tokens=64, abort_waiting_after=-1.0)
