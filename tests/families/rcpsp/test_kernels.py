"""The numba SGS kernels against a pure-Python serial SGS that steps through time."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedopt import Schedule, check
from schedopt.families.rcpsp import _kernels as K
from schedopt.families.rcpsp.heuristics import Decoder, prepare
from tests.strategies import _fits, tiny_problems

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference_serial(problem, order):
    """Serial SGS by unit time steps (independent of the kernels)."""
    n = problem.n_jobs
    preds = [[] for _ in range(n)]
    for i, j, lag in problem.precedence:
        preds[j].append((int(i), int(lag)))
    start, end = [-1] * n, [-1] * n
    dur = [int(d) for d in problem.duration]
    for j in order:
        t = int(problem.release[j])
        for i, lag in preds[j]:
            t = max(t, end[i] + lag)
        while not _fits(problem, j, t, dur[j], [-1] * n, start, end, dur):
            t += 1
        start[j], end[j] = t, t + dur[j]
    return np.array(start)


@st.composite
def problem_and_list(draw):
    p = draw(tiny_problems(max_jobs=6, objectives=("makespan",)))
    # a random precedence-feasible list: repeatedly pick an eligible job
    remaining = set(range(p.n_jobs))
    order = []
    while remaining:
        elig = sorted(j for j in remaining if all(i not in remaining for i, jj, _ in p.precedence if jj == j))
        j = draw(st.sampled_from(elig))
        order.append(j)
        remaining.remove(j)
    return p, np.array(order, dtype=np.int64)


@SETTINGS
@given(problem_and_list())
def test_serial_kernel_matches_reference(case):
    p, order = case
    dec = Decoder(prepare(p))
    mk, excess = dec.serial(order.copy())
    expected = reference_serial(p, order)
    np.testing.assert_array_equal(dec.start, expected)
    sched = Schedule.from_starts(p, dec.start)
    assert mk == sched.makespan
    kinds = {v.kind for v in check(p, sched)}
    assert kinds <= {"deadline"}
    assert (excess == 0) == (not kinds)


@SETTINGS
@given(problem_and_list())
def test_parallel_and_justified_schedules_are_feasible(case):
    p, order = case
    dec = Decoder(prepare(p))
    mk, excess = dec.parallel(order.copy())
    sched = Schedule.from_starts(p, dec.start)
    kinds = {v.kind for v in check(p, sched)}
    assert kinds <= {"deadline"} and (excess == 0) == (not kinds)
    assert mk == sched.makespan
    # forward-backward improvement never worsens the serial schedule and stays feasible
    mk0, exc0 = dec.serial(order.copy())
    lst = order.copy()
    mk1, exc1, passes = dec.justify(lst, 3)
    sched1 = Schedule.from_starts(p, dec.start)
    kinds1 = {v.kind for v in check(p, sched1)}
    assert kinds1 <= {"deadline"} and (exc1 == 0) == (not kinds1)
    assert (exc1, mk1) <= (exc0, mk0)
    assert mk1 == sched1.makespan and 1 <= passes <= 7
    # the returned list is precedence feasible and decodes to the same makespan or better
    pos = {int(j): a for a, j in enumerate(lst)}
    assert all(pos[int(i)] < pos[int(j)] for i, j, _ in p.precedence)
    assert dec.serial(lst.copy())[0] <= mk1 or exc1 > 0


def test_work_array_is_restored():
    from schedopt import rcpsp

    p = rcpsp([0, 3, 2, 4, 0], [2], [[0], [1], [2], [1], [0]], successors=[[1, 2], [3], [4], [4], []])
    dec = Decoder(prepare(p))
    dec.serial(np.array([0, 1, 2, 3, 4]))
    np.testing.assert_array_equal(dec.avail, dec.a.profile)
    dec.parallel(np.array([0, 1, 2, 3, 4]))
    np.testing.assert_array_equal(dec.avail, dec.a.profile)
    dec.justify(np.array([0, 1, 2, 3, 4]), 2)
    np.testing.assert_array_equal(dec.avail, dec.a.profile)


def test_sampling_lists_are_precedence_feasible():
    from schedopt.families.rcpsp.suites import generate_rcpsp

    p = generate_rcpsp(20, seed=3)
    dec = Decoder(prepare(p))
    K.seed_rng(1)
    value = np.arange(p.n_jobs, dtype=float)[::-1].copy()
    for det in (True, False):
        order = dec.sample(value, 1.0, 1.0, det)
        assert sorted(order.tolist()) == list(range(p.n_jobs))
        pos = {int(j): a for a, j in enumerate(order)}
        assert all(pos[int(i)] < pos[int(j)] for i, j, _ in p.precedence)
