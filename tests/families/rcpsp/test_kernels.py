"""The numba SGS kernels against a pure-Python serial SGS that steps through time."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedopt import Schedule, check
from schedopt.families.rcpsp import _bundles
from schedopt.families.rcpsp import _kernels as K
from schedopt.families.rcpsp.heuristics import Decoder, prepare
from schedopt.families.smtt import _kernels as smtt_kernels
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


def _draw_forward_list(draw, p) -> list[int]:
    """A random precedence-feasible list: repeatedly pick an eligible job."""
    remaining = set(range(p.n_jobs))
    order = []
    while remaining:
        elig = sorted(j for j in remaining if all(i not in remaining for i, jj, _ in p.precedence if jj == j))
        j = draw(st.sampled_from(elig))
        order.append(j)
        remaining.remove(j)
    return order


@st.composite
def problem_and_list(draw):
    p = draw(tiny_problems(max_jobs=6, objectives=("makespan",)))
    return p, np.array(_draw_forward_list(draw, p), dtype=np.int64)


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


def _feasible_permutation(problem, order):
    assert sorted(order.tolist()) == list(range(problem.n_jobs))
    pos = {int(j): a for a, j in enumerate(order)}
    return all(pos[int(i)] < pos[int(j)] for i, j, _ in problem.precedence)


@SETTINGS
@given(problem_and_list(), st.integers(1, 40), st.integers(0, 2**31 - 1))
def test_peak_crossover_keeps_precedence(case, width, seed):
    p, mother = case
    a = prepare(p)
    dec = Decoder(a)
    father = mother.copy()
    K.seed_rng(seed)
    K.mutate(father, 0.5, a.is_pred)  # another feasible list of the same problem
    mk, _ = dec.serial(father.copy())
    fstart = dec.start.copy()
    K.sort_by_start(fstart, a.dur, a.topo_rank, False, father)
    util = np.empty(a.profile.shape[0], np.float64)
    taken = np.zeros(p.n_jobs, np.bool_)
    child = np.empty(p.n_jobs, np.int64)
    K.peak_crossover(mother, father, fstart, mk, width, a.prj, util, taken, child)
    assert _feasible_permutation(p, child)
    # a window as long as the schedule is the whole father: child = father's jobs started before mk
    K.peak_crossover(mother, father, fstart, mk, max(mk, 1), a.prj, util, taken, child)
    head = [int(j) for j in father if fstart[j] < max(mk, 1)]
    assert child[: len(head)].tolist() == head


@SETTINGS
@given(problem_and_list(), st.integers(0, 20), st.integers(0, 2**31 - 1))
def test_shift_moves_keep_precedence(case, moves, seed):
    p, order = case
    a = prepare(p)
    K.seed_rng(seed)
    out = order.copy()
    K.shift_moves(out, moves, a.prj, np.empty(p.n_jobs, np.int64))
    assert _feasible_permutation(p, out)
    if moves == 0:
        np.testing.assert_array_equal(out, order)


def test_survival_drops_identical_schedules_and_keeps_the_best():
    size, n = 4, 3
    pop = np.arange(size * n, dtype=np.int64).reshape(size, n)
    pstart = np.array([[0, 1, 2], [0, 1, 2], [5, 5, 5], [1, 1, 1]], np.int64)
    fit = np.array([10, 10, 12, 11], np.int64)
    gene = np.zeros(size, np.int64)
    kids = np.array([[9, 9, 9], [8, 8, 8]], np.int64)
    kstart = np.array([[0, 1, 2], [2, 2, 2]], np.int64)  # kid 0 duplicates parent 0
    kfit = np.array([10, 9], np.int64)
    K._survive(pop, pstart, fit, gene, kids, kstart, kfit, np.ones(2, np.int64), 2, 2)
    assert fit.tolist() == [9, 10, 11, 12]  # one copy of the duplicated schedule, best first
    assert pstart[0].tolist() == [2, 2, 2] and gene[0] == 1
    assert sum(row.tolist() == [0, 1, 2] for row in pstart) == 1
    # when too few distinct schedules exist the population is refilled with duplicates
    pstart[:] = 7
    fit[:] = 5
    K._survive(pop, pstart, fit, gene, kids, pstart[:2].copy(), fit[:2].copy(), gene[:2].copy(), 2, 1)
    assert fit.tolist() == [5, 5, 5, 5]


@st.composite
def shiftable_problem_and_list(draw):
    p = draw(tiny_problems(max_jobs=6, objectives=("makespan",), windows=False))
    # reversed: every job before its predecessors
    return p, np.array(_draw_forward_list(draw, p)[::-1], dtype=np.int64)


@SETTINGS
@given(shiftable_problem_and_list())
def test_parallel_backward_gives_a_feasible_right_justified_schedule_from_zero(case):
    p, backward_list = case
    a = prepare(p)
    n = a.n
    avail, start = a.profile.copy(), np.empty(n, np.int64)
    es, npred = np.empty(n, np.int64), np.empty(n, np.int64)
    mk = K.parallel_backward(backward_list, a.prj, avail, start, es, npred)
    np.testing.assert_array_equal(avail, a.profile)  # the work array is restored
    sched = Schedule.from_starts(p, start)
    assert check(p, sched) == []
    assert start.min() == 0 and mk == sched.makespan
    # right-justified: no job can start one period later without a violation or a longer makespan
    for j in range(n):
        later = start.copy()
        later[j] += 1
        moved = Schedule.from_starts(p, later)
        assert check(p, moved) != [] or moved.makespan > mk, j


def _kernels_of(module) -> dict[str, int]:
    """Every numba kernel defined in ``module`` and its number of parameters."""
    return {
        name: len(inspect.signature(obj.py_func).parameters)
        for name, obj in vars(module).items()
        if hasattr(obj, "py_func") and obj.py_func.__module__ == module.__name__
    }


@pytest.mark.parametrize("module", [K, _bundles, smtt_kernels], ids=lambda m: m.__name__)
def test_no_kernel_takes_more_than_ten_parameters(module):
    counts = _kernels_of(module)
    assert counts  # the scan finds the kernels
    assert {name: c for name, c in counts.items() if c > 10} == {}


def test_bundle_shares_the_arrays_of_prepare():
    from schedopt.families.rcpsp.suites import generate_rcpsp

    a = prepare(generate_rcpsp(8, seed=1))
    dec = Decoder(a)
    assert dec.prj is a.prj
    lists = np.array([np.argsort(a.topo_rank)])
    out = np.empty(1, np.int64)
    K.serial_batch(lists, a.prj, out)
    assert out[0] == dec.serial(lists[0].copy())[0] > 0
    # the bundle holds the arrays of ``Arrays`` themselves, not copies: without capacity nothing fits
    assert ((a.demand > 0).any(axis=1) & (a.dur > 0)).any()
    a.profile[:] = 0
    K.serial_batch(lists, a.prj, out)
    assert out[0] == K.OVERFLOW
