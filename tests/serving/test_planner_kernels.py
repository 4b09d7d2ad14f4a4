"""The planner kernels: future peak vs a step-by-step simulation, the conditional sampler, Monte Carlo."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.serving import _planner_kernels as k
from schedopt.serving.planners import future_peak


def simulate_peak(held, remaining, block_size=1):
    """Step-by-step: at t = 0 the batch holds ``held``; each step every live request grows by one
    token and the occupancy is recorded with the requests whose last token was just produced
    still in KV; they are freed right after. Occupancy in blocks of ``block_size`` tokens."""
    tokens = [int(a) for a in held]
    left = [int(b) for b in remaining]
    live = list(range(len(tokens)))

    def occupancy():
        return sum(-(-tokens[i] // block_size) for i in live)

    best = occupancy()  # t = 0: now
    live = [i for i in live if left[i] > 0]  # a request with nothing left is freed right after now
    while live:
        for i in live:
            tokens[i] += 1
            left[i] -= 1
        best = max(best, occupancy())  # a request's last token still occupies KV in its step
        live = [i for i in live if left[i] > 0]
    return best


batches = st.integers(0, 9).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 60), min_size=n, max_size=n),
        st.lists(st.integers(0, 40), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(batches)
def test_future_peak_matches_step_simulation(batch):
    held, remaining = batch
    a = np.array(held, np.int64)
    b = np.array(remaining, np.int64)
    assert k.future_peak(a, b) == simulate_peak(held, remaining)


@settings(max_examples=60, deadline=None)
@given(batches, st.integers(1, 9))
def test_block_peak_matches_step_simulation(batch, block_size):
    held, remaining = batch
    a = np.array(held, np.int64)
    b = np.array(remaining, np.int64)
    assert k.future_peak_blocks(a, b, block_size) == simulate_peak(held, remaining, block_size)
    assert future_peak(held, remaining, block_size) == block_size * simulate_peak(held, remaining, block_size)
    # block peak lies between the token peak and the token peak + (B - 1) per request
    tokens = k.future_peak(a, b)
    assert (
        tokens <= block_size * k.future_peak_blocks(a, b, block_size) <= tokens + (block_size - 1) * len(held)
    )


def test_future_peak_hand_example():
    # sorted by b desc: (a=10, b=5), (a=20, b=3), (a=1, b=0):
    # k=1: 10 + 5 = 15; k=2: 30 + 2*3 = 36; k=3: 31 + 0 = 31
    assert future_peak([20, 10, 1], [3, 5, 0]) == 36
    assert future_peak([], []) == 0
    # blocks of 4: k=2 at t=3: ceil(13/4) + ceil(23/4) = 4 + 6 = 10 blocks
    assert future_peak([20, 10, 1], [3, 5, 0], 4) == 40


@pytest.mark.parametrize(
    ("held", "remaining", "block_size", "match"),
    [
        ([1, 2], [1], 1, "differ in length"),
        ([1, -2], [1, 1], 1, r"held\[1\] is negative"),
        ([1, 2], [1, 1.5], 1, "remaining must hold integers"),
        ([1, 2], [1, 1], 0, "block_size"),
        ([[1]], [[1]], 1, "one-dimensional"),
    ],
)
def test_future_peak_rejects_bad_input(held, remaining, block_size, match):
    with pytest.raises(ValueError, match=match):
        future_peak(held, remaining, block_size)


def sampler_list(history, d, max_new):
    """The sampler's list: d, the clipped history values above d (sorted), max_new."""
    return [d, *sorted(min(h, max_new) for h in history if h > d), max_new]


histories = st.lists(st.integers(1, 80), min_size=0, max_size=30)


@settings(max_examples=60, deadline=None)
@given(histories, st.integers(0, 90), st.integers(1, 90), st.floats(0.0, 1.0, exclude_max=True))
def test_conditional_total_bounds(history, d, max_new, u):
    h = np.sort(np.array(history, np.int64))
    total = k.conditional_total(h, d, max_new, u)
    if d >= max_new:
        assert total == d
    else:
        assert d <= total <= max_new
        lst = sampler_list(history, d, max_new)
        # the value lies between the two list neighbours of the position u * (len - 1)
        p = u * (len(lst) - 1)
        lo, hi = lst[int(p)], lst[min(int(p) + 1, len(lst) - 1)]
        assert lo <= total <= hi


@settings(max_examples=40, deadline=None)
@given(histories, st.integers(0, 60), st.integers(1, 60), st.lists(st.integers(0, 80), max_size=10))
def test_conditional_total_ignores_history_at_or_below_d(history, d, extra, replacement):
    """Only history values > d matter: replacing the ones <= d changes nothing."""
    max_new = d + extra
    above = [x for x in history if x > d]
    other = above + [min(x, d) for x in replacement]
    h1 = np.sort(np.array(history, np.int64))
    h2 = np.sort(np.array(other, np.int64))
    for u in np.linspace(0.0, 0.999, 23):
        assert k.conditional_total(h1, d, max_new, u) == k.conditional_total(h2, d, max_new, u)


def test_conditional_total_interpolates_the_list():
    history = np.array([2, 5, 9, 12, 30], np.int64)
    d, max_new = 4, 20
    lst = sampler_list(history.tolist(), d, max_new)  # [4, 5, 9, 12, 20, 20]
    m = len(lst)
    for i in range(m - 1):  # grid points hit the list values exactly
        assert k.conditional_total(history, d, max_new, i / (m - 1)) == lst[i]
    # half-way between 5 and 9 is 7; u for position 1.5 is 1.5 / 5
    assert k.conditional_total(history, d, max_new, 1.5 / (m - 1)) == 7
    us = np.linspace(0, 0.9999, 400)
    samples = [k.conditional_total(history, d, max_new, u) for u in us]
    assert samples == sorted(samples)  # an inverse-CDF: monotone in u
    # empty history: uniform between d and max_new
    empty = np.empty(0, np.int64)
    assert k.conditional_total(empty, 3, 13, 0.5) == 8


def test_conditional_total_tracks_the_conditional_distribution():
    """With a large history the samples follow the empirical law of L given L > d."""
    rng = np.random.default_rng(7)
    history = np.sort(rng.integers(1, 1001, 5000)).astype(np.int64)
    d, max_new = 400, 1000
    u = rng.random(20000)
    samples = k.conditional_totals(
        history, np.full(u.size, d, np.int64), np.full(u.size, max_new, np.int64), u
    )
    cond = history[history > d]
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        assert abs(np.quantile(samples, q) - np.quantile(cond, q)) <= 10


def test_candidate_remaining():
    history = np.array([3, 7, 11, 50], np.int64)
    drawn = [
        k.candidate_remaining(history, np.array([100, 0, 40], np.int64), u) for u in (0.0, 0.3, 0.6, 0.9)
    ]
    assert drawn == [3, 7, 11, 40]  # uniform over the history, clipped to max_new
    assert k.candidate_remaining(np.empty(0, np.int64), np.array([5, 0, 9], np.int64), 0.5) == 9
    # preempted candidate (d = 8 generated): conditional sampler, remaining >= 1
    for u in np.linspace(0, 0.999, 50):
        b = k.candidate_remaining(history, np.array([108, 8, 40], np.int64), u)
        assert 1 <= b <= 40 - 8


def reference_sampled_peaks(held, generated, max_new, history, cand, uniforms, block_size, pad):
    """The Monte-Carlo peaks spelled out in Python (the sampler is tested above)."""
    h = np.sort(np.asarray(history, np.int64))
    out = []
    for row in uniforms:
        b = [
            max(k.conditional_total(h, g, m, u) - g, 1 if g < m else 0)
            for g, m, u in zip(generated, max_new, row[:-1])
        ]
        b.append(k.candidate_remaining(h, np.asarray(cand, np.int64), row[-1]))
        out.append(simulate_peak([*held, cand[0]], [x + pad for x in b], block_size))
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 6),
    st.integers(1, 4),
    st.integers(1, 8),
    histories,
    st.integers(0, 3),
    st.integers(0, 2**31),
)
def test_sampled_peaks_match_reference(n, copies, block_size, history, pad, seed):
    rng = np.random.default_rng(seed)
    generated = rng.integers(0, 20, n)
    max_new = generated + rng.integers(1, 30, n)
    held = rng.integers(1, 40, n) + generated
    cand = np.array([int(rng.integers(1, 40)), 0, int(rng.integers(1, 50))], np.int64)
    uniforms = rng.random((copies, n + 1))
    h = np.sort(np.array(history, np.int64))
    peaks = k.sampled_peaks(
        held.astype(np.int64), generated.astype(np.int64), max_new.astype(np.int64), h, cand, uniforms,
        block_size, pad,
    )  # fmt: skip
    ref = reference_sampled_peaks(held, generated, max_new, history, cand, uniforms, block_size, pad)
    assert peaks.tolist() == ref


def test_sampled_peaks_reproducible_with_seed():
    rng = np.random.default_rng(3)
    n = 50
    generated = rng.integers(0, 100, n).astype(np.int64)
    max_new = (generated + rng.integers(1, 500, n)).astype(np.int64)
    held = (rng.integers(10, 300, n) + generated).astype(np.int64)
    history = np.sort(rng.integers(1, 600, 200)).astype(np.int64)
    cand = np.array([120, 0, 400], np.int64)

    def run(seed):
        u = np.random.default_rng(seed).random((5, n + 1))
        return k.sampled_peaks(held, generated, max_new, history, cand, u, 16, 0)

    assert np.array_equal(run(11), run(11))
    assert not np.array_equal(run(11), run(12))
