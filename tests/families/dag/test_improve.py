"""The DAG family's iterated local search (``method="ils"``): the paper's example, soundness,
never worse than its starts, determinism, time limit and options."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import check
from schedopt.errors import OptionError
from schedopt.families.dag import _kernels as K
from schedopt.families.dag import _search_kernels as SK
from schedopt.families.dag import dag
from schedopt.families.dag.heuristics import prepare
from schedopt.families.dag.improve import _critical_data, _graph, _heft_list, _seed_state, _workspace
from tests.families.dag import strategies

# Topcuoglu, Hariri & Wu (2002), Fig. 2: costs on 3 processors and edge communication costs.
TOPCUOGLU_COSTS = [
    [14, 16, 9], [13, 19, 18], [11, 13, 19], [13, 8, 17], [12, 13, 10],
    [13, 16, 9], [7, 15, 11], [5, 11, 14], [18, 12, 20], [21, 7, 16],
]  # fmt: skip
TOPCUOGLU_EDGES = [
    (0, 1, 18), (0, 2, 12), (0, 3, 9), (0, 4, 11), (0, 5, 14), (1, 7, 19), (1, 8, 16), (2, 6, 23),
    (3, 7, 27), (3, 8, 23), (4, 8, 13), (5, 7, 15), (6, 9, 17), (7, 9, 11), (8, 9, 13),
]  # fmt: skip


def random_dag(n: int, machines: int, seed: int, ccr: float = 1.0) -> schedopt.Problem:
    """A random layered DAG with unrelated costs (1..20) and communication around ``ccr`` x 10."""
    rng = np.random.default_rng(seed)
    costs = rng.integers(1, 21, (n, machines))
    edges = []
    for j in range(1, n):
        for i in rng.choice(j, size=min(j, int(rng.integers(1, 4))), replace=False):
            edges.append((int(i), j, int(rng.integers(0, int(20 * ccr) + 1))))
    return dag(costs, edges, name=f"random-{n}-{machines}-{seed}")


def test_topcuoglu_figure_2_reaches_the_cp_sat_optimum():
    """HEFT gives 80 on the paper's example; the search reaches CP-SAT's proven optimum 73."""
    p = dag(TOPCUOGLU_COSTS, TOPCUOGLU_EDGES)
    heft = schedopt.solve(p, method="heft")
    ils = schedopt.solve(p, method="ils")
    exact = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert heft.objective == 80
    assert exact.status == "optimal" and exact.objective == 73
    assert ils.objective == 73 and check(p, ils.schedule) == []
    # from HEFT's list alone too
    assert schedopt.solve(p, method="ils", starts=["heft"]).objective == 73


def dag_problems():
    """Up to 9 tasks and 4 machines, no lags (the decoder is compared with ``insertion_eft``)."""
    return strategies.dag_problems(9, max_cost=9, max_comm=8, max_machines=4, max_release=6, lags=False)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_problems(), st.integers(0, 3))
def test_ils_is_feasible_and_never_worse_than_its_starts(problem, seed):
    r = schedopt.solve(problem, method="ils", seed=seed, iterations=300)
    assert r.schedule is not None and check(problem, r.schedule) == []
    for name in ("heft", "cpop", "peft"):
        assert r.objective <= schedopt.solve(problem, method=name).objective, name
    if problem.n_jobs <= 6:  # the bound it reports (and stops at) is valid
        exact = schedopt.solve(problem, method="cpsat", time_limit=10, workers=1)
        assert exact.status == "optimal" and r.bound <= exact.objective <= r.objective


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_problems(), st.lists(st.integers(-1, 3), min_size=9, max_size=9))
def test_decode_is_insertion_eft_and_honours_forced_machines(problem, force):
    """Unforced, the decoder is HEFT's insertion-based EFT exactly; forced, tasks go where told."""
    a = prepare(problem)
    n, n_mach = a.dur.shape
    order, free = _heft_list(problem, a)
    G, W = _graph(problem, a), _workspace(n, n_mach)
    mk = SK.decode(order, free, G, W)
    ref = K.insertion_eft(
        order, a.pred_ptr, a.pred_idx, a.pred_edge, a.dur, a.release, a.comm, a.node, a.extra
    )
    for got, want in zip(W[:3], ref, strict=True):
        assert np.array_equal(got, want)
    assert mk == ref[1].max()
    forced = np.array([f if 0 <= f < n_mach and a.dur[j, f] >= 0 else -1 for j, f in enumerate(force[:n])])
    forced = np.concatenate([forced, np.full(n - len(forced), -1)]).astype(np.int64)
    SK.decode(order, forced, G, W)
    sched = schedopt.Schedule(W[0].copy(), W[1].copy(), W[2].copy())
    assert check(problem, sched) == []
    assert np.all((forced < 0) | (W[2] == forced))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_problems(), st.integers(0, 50), st.integers(1, 200))
def test_search_keeps_the_current_schedule_equal_to_a_full_decode(problem, seed, iterations):
    """Moves decode only from the first list position they change: the current schedule kept by
    the search is the full decoding of its list, and its best makespan that of the best list."""
    a = prepare(problem)
    n, n_mach = a.dur.shape
    G, C = _graph(problem, a), _critical_data(a)
    WW = (_workspace(n, n_mach), _workspace(n, n_mach))
    order, free = _heft_list(problem, a)
    stats = np.zeros(SK.N_STATS, np.int64)
    S = (
        order.copy(),
        free.copy(),
        np.zeros(n, np.int64),
        order.copy(),
        free.copy(),
        _seed_state(seed),
        stats,
    )
    SK.start_search(S, G, WW, C)
    params = np.array([iterations, 7, 2, 10, 35, 75], np.int64)
    best = SK.ils_run(S, G, WW, C, params)
    W = _workspace(n, n_mach)
    assert SK.decode(S[0], S[1], G, W) == stats[SK.ST_CUR]
    for got, want in zip(W[:3], WW[1][:3], strict=True):
        assert np.array_equal(got, want)
    assert np.array_equal(np.sort(S[0]), np.arange(n)) and np.all(S[2][S[0]] == np.arange(n))
    if len(problem.precedence):  # the list stays topological
        assert np.all(S[2][problem.precedence[:, 0]] < S[2][problem.precedence[:, 1]])
    assert SK.decode(S[3], S[4], G, W) == best == stats[SK.ST_BEST]


def test_precedence_lags_are_honoured():
    for seed in range(5):
        p = random_dag(12, 3, seed)
        prec = p.precedence.copy()
        prec[:, 2] = np.random.default_rng(seed).integers(0, 15, len(prec))
        q = dataclasses.replace(p, precedence=prec)
        r = schedopt.solve(q, method="ils", iterations=200, starts=["heft"])
        assert check(q, r.schedule) == []


def test_ils_improves_on_heft_on_random_dags():
    gains = []
    for seed in range(6):
        p = random_dag(40, 4, seed, ccr=2.0)
        heft = schedopt.solve(p, method="heft").objective
        ils = schedopt.solve(p, method="ils", seed=seed)
        assert check(p, ils.schedule) == [] and ils.objective <= heft
        gains.append(heft - ils.objective)
    assert sum(g > 0 for g in gains) >= 4


def test_deterministic_for_a_seed():
    p = random_dag(50, 5, 7, ccr=3.0)
    a = schedopt.solve(p, method="ils", seed=3, iterations=1500)
    b = schedopt.solve(p, method="ils", seed=3, iterations=1500)
    assert a.objective == b.objective and a.info == b.info
    assert np.array_equal(a.schedule.start, b.schedule.start)
    assert np.array_equal(a.schedule.machine, b.schedule.machine)


def test_time_limit_is_respected():
    p = random_dag(400, 16, 1, ccr=2.0)
    schedopt.solve(p, method="ils", iterations=5)  # compiled, starts warm
    t = time.perf_counter()
    r = schedopt.solve(p, method="ils", time_limit=0.4)
    elapsed = time.perf_counter() - t
    assert elapsed < 0.4 + 0.25 and r.info["iterations"] > 0 and check(p, r.schedule) == []
    # iterations still bound a timed run
    r = schedopt.solve(p, method="ils", time_limit=30, iterations=50)
    assert r.info["iterations"] == 50


def test_warm_up_problem_and_options():
    p = dag([[2, 3], [3, 1], [2, 2], [1, 1]], [(0, 1, 4), (0, 2, 1), (1, 3, 2), (2, 3, 1)])
    r = schedopt.solve(p, method="ils", iterations=20)
    assert check(p, r.schedule) == [] and r.info["iterations"] == 20
    r = schedopt.solve(p, method="ils", iterations=0, relax=False, starts="cpop")
    assert r.info["start"] == "cpop" and r.objective <= schedopt.solve(p, method="cpop").objective
    with pytest.raises(OptionError):
        schedopt.solve(p, method="ils", iteration=5)
    with pytest.raises(ValueError, match="unknown start"):
        schedopt.solve(p, method="ils", starts=["nope"])
    with pytest.raises(ValueError, match="iterations"):
        schedopt.solve(p, method="ils", iterations=-1)
