"""Admission planners: decisions on hand-built batches, edge cases, the factory, speed."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.errors import OptionError
from schedopt.serving.planners import (
    PLANNERS,
    Aggressive,
    Conservative,
    Oracle,
    PastFuture,
    future_peak,
    planner,
)
from schedopt.serving.policies import AdmissionPlanner, BatchView
from schedopt.serving.request import Request


def view(
    held=(), generated=None, max_new=None, true_remaining=None, *, capacity=1000, block_size=1, used=None
):
    held = np.asarray(held, np.int64)
    n = held.shape[0]
    generated = np.zeros(n, np.int64) if generated is None else np.asarray(generated, np.int64)
    max_new = np.full(n, 100, np.int64) if max_new is None else np.asarray(max_new, np.int64)
    true_remaining = np.ones(n, np.int64) if true_remaining is None else np.asarray(true_remaining, np.int64)
    if used is None:
        used = int((-(-held // block_size)).sum()) * block_size
    return BatchView(held, generated, max_new, true_remaining, capacity, used, block_size, 0.0)


def req(prompt, output, max_new=None, rid=0):
    return Request(rid, 0.0, prompt, output, output if max_new is None else max_new)


def reset(p, capacity=1000, seed=0):
    p.reset(capacity, np.random.default_rng(seed))
    return p


def test_all_implement_the_protocol():
    for name, cls in PLANNERS.items():
        p = cls()
        assert isinstance(p, AdmissionPlanner)
        assert p.name == name


# ---------------------------------------------------------------- aggressive


def test_aggressive_watermark_threshold():
    # 100 blocks of 10 tokens; watermark 5 blocks; 40 blocks used -> 60 free
    p = reset(Aggressive(watermark=0.05))
    v = view([400], capacity=1000, block_size=10)
    # the engine reserves prompt + generated + 1 tokens (the prompt and the token it yields)
    assert p.admit(v, req(549, 1), 0)  # 55 blocks -> 5 free == watermark
    assert not p.admit(v, req(550, 1), 0)  # 56 blocks -> 4 free
    assert p.admit(v, req(540, 1), 9)  # a preempted request reserves prompt + generated + 1: 55 blocks
    assert not p.admit(v, req(540, 1), 10)


def test_aggressive_ignores_growth():
    # the batch will grow far beyond the capacity, aggressive still admits
    p = reset(Aggressive())
    v = view([100, 100], max_new=[5000, 5000], true_remaining=[5000, 5000], capacity=1000)
    assert p.admit(v, req(100, 4000), 0)


def test_aggressive_edges():
    p = reset(Aggressive())
    assert p.admit(view([], capacity=1000), req(5000, 1), 0)  # idle instance: admit
    assert not Aggressive(admit_if_idle=False).admit(view([], capacity=1000), req(5000, 1), 0)
    assert not p.admit(view([10], capacity=1000), req(5000, 1), 0)  # bigger than the capacity


# ---------------------------------------------------------------- conservative


def test_conservative_threshold():
    p = reset(Conservative())
    # running: prompt 100 (held 130, 30 generated), max_new 200 -> reserves 300
    v = view([130], generated=[30], max_new=[200], capacity=1000)
    assert p.admit(v, req(400, 10, max_new=300), 0)  # 300 + 700 == 1000
    assert not p.admit(v, req(400, 10, max_new=301), 0)


def test_conservative_blocks():
    p = reset(Conservative())
    # blocks of 8: running reserves ceil(101 / 8) = 13 blocks, capacity 25 blocks
    v = view([1], generated=[0], max_new=[100], capacity=200, block_size=8)
    assert p.admit(v, req(50, 5, max_new=46), 0)  # 96 tokens = 12 blocks -> 25
    assert not p.admit(v, req(50, 5, max_new=47), 0)  # 97 tokens = 13 blocks -> 26 > 25


def test_conservative_edges():
    p = reset(Conservative())
    assert p.admit(view([]), req(10, 5, max_new=10**6), 0)
    assert not Conservative(admit_if_idle=False).admit(view([]), req(10, 5, max_new=10**6), 0)
    assert Conservative(admit_if_idle=False).admit(view([]), req(10, 5, max_new=990), 0)
    assert not p.admit(view([1], max_new=[1]), req(10, 5, max_new=10**6), 0)


# ---------------------------------------------------------------- oracle


def test_oracle_threshold():
    p = reset(Oracle())
    # running (a=500, b=100) and candidate (a=300, b=50): k=1: 600, k=2: 800 + 2*50 = 900
    v = view([500], true_remaining=[100], capacity=900)
    assert p.admit(v, req(300, 50), 0)
    assert p.last_peak_tokens == 900
    assert not p.admit(v, req(301, 50), 0)
    assert not p.admit(view([500], true_remaining=[100], capacity=899), req(300, 50), 0)
    # a preempted candidate: prompt 290 + 10 generated, 40 to go -> same peak 800 + 2 * 40 = 880
    assert p.admit(view([500], true_remaining=[100], capacity=880), req(290, 50), 10)
    # reserve 10 %: the limit is floor(0.9 * 1000) = 900
    q = reset(Oracle(reserve=0.1))
    assert q.admit(view([500], true_remaining=[100], capacity=1000), req(300, 50), 0)
    assert not q.admit(view([500], true_remaining=[100], capacity=1000), req(301, 50), 0)


def brute_block_peak(held, remaining, block_size):
    """max over steps t of the blocks of the requests still alive (b >= t), each holding a + t."""
    horizon = max(remaining, default=0)
    return max(
        (
            sum(-(-(a + t) // block_size) for a, b in zip(held, remaining) if b >= t)
            for t in range(horizon + 1)
        ),
        default=0,
    )


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 50), st.integers(1, 30)), min_size=1, max_size=6),
    st.tuples(st.integers(1, 50), st.integers(1, 30), st.integers(0, 5)),
    st.integers(1, 8),
    st.integers(10, 400),
    st.sampled_from([0.0, 0.05, 0.25]),
    st.integers(0, 3),
)
def test_oracle_matches_brute_force(running, cand, block_size, capacity, reserve, pad):
    held = [a for a, _ in running]
    rem = [b for _, b in running]
    prompt, output, generated = cand
    generated = min(generated, output - 1)
    v = view(held, true_remaining=rem, capacity=capacity, block_size=block_size)
    decision = Oracle(reserve=reserve, pad_tokens=pad).admit(v, req(prompt, output), generated)
    peak = brute_block_peak(
        [*held, prompt + generated], [b + pad for b in [*rem, output - generated]], block_size
    )
    assert decision == (peak * block_size <= int(np.floor(capacity * (1 - reserve) + 1e-9)))


def test_pad_tokens():
    # the threshold example with 1 pad token: k=2 at t=51: 800 + 2 * 51 = 902
    v = view([500], true_remaining=[100], capacity=901)
    assert not reset(Oracle(pad_tokens=1)).admit(v, req(300, 50), 0)
    assert reset(Oracle(pad_tokens=1)).admit(view([500], true_remaining=[100], capacity=902), req(300, 50), 0)
    held, gen, mx = [100, 100], [4, 4], [5, 5]
    p = reset(PastFuture(window=10, prior_tokens=5, warmup_fill=1.0, reserve=0.0, pad_tokens=2))
    assert p.admit(view(held, gen, mx, capacity=259), req(50, 1, max_new=9), 0)  # 250 + 3 * 3
    assert p.last_peak_tokens == 259
    assert not p.admit(view(held, gen, mx, capacity=258), req(50, 1, max_new=9), 0)


def test_oracle_counts_blocks():
    # blocks of 16; token peak 900 but block peak: k=2 at t=50: ceil(550/16) + ceil(350/16) = 35 + 22 = 57
    p = reset(Oracle())
    v = view([500], true_remaining=[100], capacity=57 * 16, block_size=16)
    assert future_peak([500, 300], [100, 50], 16) == 57 * 16
    assert p.admit(v, req(300, 50), 0)
    assert not p.admit(view([500], true_remaining=[100], capacity=56 * 16, block_size=16), req(300, 50), 0)


def test_oracle_edges():
    p = reset(Oracle())
    assert p.admit(view([], capacity=100), req(500, 500), 0)
    assert not Oracle(admit_if_idle=False).admit(view([], capacity=100), req(500, 500), 0)
    assert Oracle(admit_if_idle=False).admit(view([], capacity=100), req(50, 50), 0)
    assert not Oracle(admit_if_idle=False).admit(view([], capacity=99), req(50, 50), 0)
    assert not p.admit(view([1], true_remaining=[1], capacity=100), req(500, 500), 0)


def run_batch(planner_obj, requests, capacity_blocks, block_size, seed=0):
    """A tiny engine: FCFS admission rounds each step, one token per running request per step;
    returns the most KV blocks in use over the run (the engine's semantics: held = prompt +
    generated, blocks = ceil(held / B))."""
    planner_obj.reset(capacity_blocks * block_size, np.random.default_rng(seed))
    waiting = list(requests)
    running = []  # [request, generated]
    most = 0
    for _ in range(10_000):
        while waiting:
            held = np.array([r.prompt_tokens + g for r, g in running], np.int64)
            v = BatchView(
                held,
                np.array([g for _, g in running], np.int64),
                np.array([r.max_new_tokens for r, _ in running], np.int64),
                np.array([r.output_tokens - g for r, g in running], np.int64),
                capacity_blocks * block_size,
                int((-(-held // block_size)).sum()) * block_size,
                block_size,
                0.0,
            )
            if not planner_obj.admit(v, waiting[0], 0):
                break
            running.append([waiting.pop(0), 0])
        if not running:
            break
        for item in running:
            item[1] += 1
        most = max(most, sum(-(-(r.prompt_tokens + g) // block_size) for r, g in running))
        for r, g in running:
            if g == r.output_tokens:
                planner_obj.record_finish(r, g)
        running = [item for item in running if item[1] < item[0].output_tokens]
    assert not waiting and not running
    return most


request_lists = st.lists(
    st.tuples(st.integers(1, 40), st.integers(1, 30), st.integers(0, 20)), min_size=1, max_size=12
).map(lambda rows: [Request(i, 0.0, p, o, o + extra) for i, (p, o, extra) in enumerate(rows)])


@settings(max_examples=40, deadline=None)
@given(request_lists, st.integers(1, 6), st.integers(0, 30))
def test_oracle_and_conservative_never_overflow(requests, block_size, spare):
    # capacity large enough for the biggest single request
    need = max(-(-(r.prompt_tokens + r.max_new_tokens) // block_size) for r in requests)
    capacity_blocks = need + spare
    assert run_batch(Oracle(), requests, capacity_blocks, block_size) <= capacity_blocks
    assert run_batch(Conservative(), requests, capacity_blocks, block_size) <= capacity_blocks


def test_aggressive_overflows_where_oracle_does_not():
    """The tiny engine above can detect an overflow: aggressive causes one, the oracle not."""
    requests = [Request(i, 0.0, 10, 40, 40) for i in range(4)]
    assert run_batch(Aggressive(watermark=0.0), requests, 10, 10) > 10
    assert run_batch(Oracle(), requests, 10, 10) <= 10


# ---------------------------------------------------------------- past-future


def test_past_future_priming_and_window():
    p = reset(PastFuture(window=10, warmup_fill=0.5))
    assert p.history == ()
    p.admit(view([5], generated=[1], max_new=[50]), req(10, 5, max_new=77), 0)
    assert p.history == (77,) * 5  # prior: the first candidate's max_new_tokens
    for g in range(1, 8):
        p.record_finish(req(1, g), g)
    assert p.history == (77, 77, 77, 1, 2, 3, 4, 5, 6, 7)  # the window keeps the last 10
    q = reset(PastFuture(window=4, prior_tokens=9, warmup_fill=1.0))
    q.record_finish(req(1, 3, max_new=500), 3)
    assert q.history == (9, 9, 9, 3)
    with pytest.raises(ValueError, match="request 0"):
        q.record_finish(req(1, 3), 0)
    q.reset(100, np.random.default_rng(0))
    assert q.history == ()


def test_past_future_copies():
    p = PastFuture()
    assert [p.copies(n) for n in (0, 1, 40, 41, 100, 199, 200, 256)] == [5, 5, 5, 5, 3, 2, 2, 1]


def deterministic_past_future(reserve=0.0):
    """History constant 5; running requests with d = 4 and max_new = 5 always get b = 1;
    a new candidate with max_new >= 5 always draws b = 5."""
    return reset(PastFuture(window=10, prior_tokens=5, warmup_fill=1.0, reserve=reserve))


def test_past_future_threshold():
    # running (a=100, b=1) x 2 and candidate (a=50, b=5): k=1: 55, k=3: 250 + 3 = 253
    held, gen, mx = [100, 100], [4, 4], [5, 5]
    p = deterministic_past_future()
    assert p.admit(view(held, gen, mx, capacity=253), req(50, 1, max_new=9), 0)
    assert p.last_peak_tokens == 253
    assert not p.admit(view(held, gen, mx, capacity=252), req(50, 1, max_new=9), 0)
    q = deterministic_past_future(reserve=0.5)
    assert q.admit(view(held, gen, mx, capacity=506), req(50, 1, max_new=9), 0)
    assert not q.admit(view(held, gen, mx, capacity=505), req(50, 1, max_new=9), 0)
    # block granularity (B = 8): k=3 at t=1: ceil(101/8)*2 + ceil(51/8) = 26 + 7 = 33 blocks
    assert p.admit(view(held, gen, mx, capacity=33 * 8, block_size=8), req(50, 1, max_new=9), 0)
    assert p.last_peak_tokens == 33 * 8
    assert not p.admit(view(held, gen, mx, capacity=32 * 8, block_size=8), req(50, 1, max_new=9), 0)
    # a candidate's draw is clipped to its max_new (b = 2): k=1: 52, k=3: 250 + 3 * 1 = 253
    assert p.admit(view(held, gen, mx, capacity=253), req(50, 1, max_new=2), 0)


def test_past_future_edges():
    p = reset(PastFuture(prior_tokens=10))
    assert p.admit(view([], capacity=100), req(500, 5, max_new=500), 0)
    strict = reset(PastFuture(prior_tokens=10, warmup_fill=1.0, reserve=0.0, admit_if_idle=False))
    assert not strict.admit(view([], capacity=100), req(500, 5, max_new=500), 0)
    assert strict.admit(view([], capacity=100), req(90, 5, max_new=500), 0)  # 90 + 10 == 100
    assert not strict.admit(view([], capacity=99), req(90, 5, max_new=500), 0)
    assert not p.admit(view([10], generated=[1], max_new=[20], capacity=100), req(500, 5, max_new=500), 0)


def test_past_future_samples_between_optimist_and_pessimist():
    """The sampled peak lies between the peak with b = 1 and the peak with b = max_new - d."""
    rng = np.random.default_rng(5)
    n = 60
    gen = rng.integers(0, 50, n)
    mx = gen + rng.integers(1, 400, n)
    held = rng.integers(10, 200, n) + gen
    cand = req(100, 5, max_new=300)
    p = reset(PastFuture(prior_tokens=150, reserve=0.0), seed=1)
    for g in rng.integers(1, 400, 100):
        p.record_finish(req(1, int(g), max_new=400), int(g))
    p.admit(view(held, gen, mx, capacity=10**6, block_size=4), cand, 0)
    low = future_peak([*held, 100], [1] * (n + 1), 4)
    high = future_peak([*held, 100], [*(mx - gen), 300], 4)
    assert low < p.last_peak_tokens < high


def test_past_future_reproducible():
    rng = np.random.default_rng(2)
    views = []
    for _ in range(30):
        n = int(rng.integers(1, 40))
        gen = rng.integers(0, 200, n)
        views.append(view(rng.integers(50, 500, n) + gen, gen, gen + rng.integers(1, 800, n), capacity=20000))
    cands = [req(int(rng.integers(10, 600)), 5, max_new=800) for _ in range(30)]

    def decisions(seed):
        p = reset(PastFuture(prior_tokens=400, window=50), seed=seed)
        out = []
        for i, (v, c) in enumerate(zip(views, cands)):
            out.append((p.admit(v, c, 0), p.last_peak_tokens))
            p.record_finish(req(1, 100 + 10 * i, max_new=800), 100 + 10 * i)
        return out

    assert decisions(4) == decisions(4)
    assert decisions(4) != decisions(5)


def test_past_future_speed():
    """One admit call on a batch of 256 requests takes well under 1 ms once compiled."""
    rng = np.random.default_rng(0)
    n = 256
    gen = rng.integers(0, 2000, n)
    v = view(
        rng.integers(32, 4096, n) + gen, gen, gen + rng.integers(1, 4096, n), capacity=120_000, block_size=16
    )
    p = reset(PastFuture())
    for g in rng.integers(32, 4096, 200):
        p.record_finish(req(1, int(g), max_new=4096), int(g))
    cand = req(1000, 5, max_new=4096)
    p.admit(v, cand, 0)  # compile
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        p.admit(v, cand, 0)
        times.append(time.perf_counter() - t0)
    assert np.median(times) < 1e-3, f"median admit {np.median(times) * 1e6:.0f} us"


# ---------------------------------------------------------------- factory


def test_planner_factory():
    assert isinstance(planner("past-future", window=40, reserve=0.03), PastFuture)
    assert planner("past-future", window=40).window == 40
    assert isinstance(planner("aggressive"), Aggressive)
    assert isinstance(planner("conservative"), Conservative)
    assert planner("oracle", reserve=0.1).reserve == 0.1
    assert "window=200" in repr(planner("past-future"))
    with pytest.raises(OptionError, match="windw"):
        planner("past-future", windw=40)
    with pytest.raises(OptionError, match="watermark"):
        planner("conservative", watermark=0.1)
    with pytest.raises(ValueError, match="known planners: aggressive, conservative, oracle, past-future"):
        planner("pastfuture")
    with pytest.raises(ValueError, match="did you mean 'past-future'"):
        planner("past_future")


@pytest.mark.parametrize(
    ("name", "options", "field"),
    [
        ("aggressive", {"watermark": 1.0}, "watermark"),
        ("aggressive", {"watermark": -0.1}, "watermark"),
        ("oracle", {"reserve": 1.5}, "reserve"),
        ("past-future", {"window": 0}, "window"),
        ("past-future", {"window": 2.5}, "window"),
        ("past-future", {"prior_tokens": 0}, "prior_tokens"),
        ("past-future", {"warmup_fill": 1.5}, "warmup_fill"),
        ("past-future", {"max_copies": 0}, "max_copies"),
        ("past-future", {"min_samples": -1}, "min_samples"),
        ("past-future", {"reserve": 1.0}, "reserve"),
        ("past-future", {"pad_tokens": -1}, "pad_tokens"),
        ("oracle", {"pad_tokens": 0.5}, "pad_tokens"),
    ],
)
def test_bad_option_values(name, options, field):
    with pytest.raises(OptionError, match=field):
        planner(name, **options)


# ---------------------------------------------------------------- with the engine


class _Requests:
    """A workload: fixed requests, all known at the start."""

    def __init__(self, requests):
        self.requests = requests

    def start(self, rng):
        return list(self.requests)

    def on_finish(self, record, now, rng):
        return []


class _UnitCost:
    def step_time(self, work):
        return 0.01 + 1e-5 * float(work.prefill_tokens.sum())

    def decode_coefficients(self):
        return None

    def swap_time(self, tokens):
        return 1e-6 * tokens


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31), st.sampled_from([1, 4, 16]))
def test_engine_contract_oracle_and_conservative_never_evict(seed, block_size):
    """Through the real engine (every prefill done in its admission step): the oracle's and the
    conservative planner's admissions never lead to an eviction; aggressive does evict here."""
    engine = pytest.importorskip("schedopt.serving.engine")
    simulate = pytest.importorskip("schedopt.serving.simulate").simulate
    rng = np.random.default_rng(seed)
    n = 40
    prompt = rng.integers(1, 60, n)
    output = rng.integers(1, 120, n)
    requests = [Request(i, 0.0, int(p), int(o), int(o) + int(rng.integers(0, 30))) for i, (p, o) in
                enumerate(zip(prompt, output))]  # fmt: skip
    capacity = 16 * 40
    cfg = engine.EngineConfig(kv_capacity_tokens=capacity, block_size=block_size, max_batched_tokens=100_000)
    totals = {}
    for name in ("oracle", "conservative", "aggressive", "past-future"):
        result = simulate(_Requests(requests), cfg, _UnitCost(), planner(name), seed=seed)
        assert len(result.records) == n
        totals[name] = sum(r.evictions for r in result.records)
    assert totals["oracle"] == 0
    assert totals["conservative"] == 0
    assert totals["aggressive"] > 0
