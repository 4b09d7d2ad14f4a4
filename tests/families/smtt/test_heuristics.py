import numpy as np
import pytest
from hypothesis import given, settings

import schedopt
from schedopt.families.smtt import _kernels as K
from schedopt.families.smtt import generate_smtt, single_machine
from schedopt.families.smtt.model import is_unweighted

from .strategies_smtt import smtt_problems

RULES = ["edd", "spt", "wspt", "mdd", "psk", "atc", "eddc", "mddc", "aug-mdd", "aug-mddc", "aug-psk"]


def _recompute(problem, seq):
    w = problem.weight if problem.objective == "total_weighted_tardiness" else np.ones(problem.n_jobs, int)
    c = np.cumsum(problem.duration[seq])
    return int((w[seq] * np.maximum(0, c - problem.due[seq])).sum())


def _checked(problem, method, **kw):
    r = schedopt.solve(problem, method=method, **kw)
    assert schedopt.check(problem, r.schedule) == []
    seq = np.array(r.info["sequence"]) if "sequence" in r.info else r.schedule.order()
    assert sorted(seq.tolist()) == list(range(problem.n_jobs))
    assert _recompute(problem, seq) == r.objective
    return r


@settings(max_examples=30, deadline=None)
@given(smtt_problems())
def test_rules_never_beat_dp(problem):
    opt = schedopt.solve(problem, method="dp").objective
    for rule in RULES:
        if rule in schedopt.methods(problem):
            r = _checked(problem, rule)
            assert r.objective >= opt
            assert r.status in ("feasible", "optimal")


def test_weighted_rules_do_not_apply_to_unweighted_only_methods():
    pr = generate_smtt(10, weighted=True, seed=1)
    ms = schedopt.methods(pr)
    for rule in ("psk", "eddc", "mddc", "aug-mdd", "aug-mddc", "exact"):
        assert rule not in ms
    for rule in ("edd", "wspt", "mdd", "atc", "ils", "dp"):
        assert rule in ms
    with pytest.raises(ValueError, match="does not apply"):
        schedopt.solve(pr, method="mddc")


def test_edd_spt_orders_and_ties():
    pr = single_machine([3, 1, 2, 1], [5, 5, 2, 9])
    assert _checked(pr, "edd").info["sequence"] == [2, 1, 0, 3]
    assert _checked(pr, "spt").info["sequence"] == [1, 3, 2, 0]
    w = single_machine([2, 4, 3], [0, 0, 0], [1, 2, 3])
    assert _checked(w, "wspt").info["sequence"] == [2, 0, 1]  # ratios 2, 2, 1: tie 0/1 by d then index


def test_mdd_example():
    # t=0: max(t+p, d) = 4, 3, 6 -> job 1; t=2: 6, -, 6 -> tie, EDD scan order (d: 1 before 2) -> job 0
    pr = single_machine([4, 2, 1], [3, 3, 6])
    assert _checked(pr, "mdd").info["sequence"] == [1, 0, 2]


def test_eddc_is_code_behaviour_not_printed_algorithm():
    # SPT start [1, 0] (p 1 < 5); d[0]=2 < d[1]=9; job 1 completes at 1 < 9: it is early -> swap
    pr = single_machine([5, 1], [2, 9])
    assert _checked(pr, "eddc").info["sequence"] == [0, 1]
    # neighbour tardy: no swap (upper job 1 completes at 1 > d=0)
    pr = single_machine([5, 1], [-3, 0])
    assert _checked(pr, "eddc").info["sequence"] == [1, 0]


def test_mddc_matches_formula_on_small_case():
    p = np.array([3, 5, 2], np.int64)
    d = np.array([4, 4, 9], np.int64)
    t, left, seq = 0, [0, 1, 2], []
    left.sort(key=lambda j: (d[j], p[j], j))
    while left:
        mx, mean = max(p[left]), p[left].mean()
        mus = []
        for j in left:
            mu = max(1.1 * p[j] + t, d[j])
            rho = min(p[j] / (t + mx), 1)
            mu *= 1 + rho**2 / (1 + rho**2)
            mus.append(mu + p[j] / (t + mean))
        j = left[int(np.argmin(mus))]
        seq.append(j)
        t += p[j]
        left.remove(j)
    assert K.mddc(p, d).tolist() == seq


def test_atc_grid_picks_best():
    pr = generate_smtt(30, weighted=True, seed=4)
    r = _checked(pr, "atc")
    from schedopt.families.smtt._common import arrays
    from schedopt.families.smtt.heuristics import ATC_K_GRID

    p, d, w = arrays(pr)
    vals = [K.total_tardiness(K.atc(p, d, w, k, K.edd(p, d)), p, d, w) for k in ATC_K_GRID]
    assert r.objective == min(vals)


def test_heuristics_reject_options_and_release_dates():
    pr = generate_smtt(5, seed=0)
    with pytest.raises(schedopt.OptionError, match="'edd' has no option 'foo'"):
        schedopt.solve(pr, method="edd", foo=1)
    rel = single_machine([1, 2], [3, 3], release=[0, 4])
    assert "edd" not in schedopt.methods(rel)
    assert is_unweighted(single_machine([1, 2], [1, 1], [3, 3], objective="total_weighted_tardiness"))


def test_psk_equals_mdd_with_spt_scan():
    for seed in range(20):
        pr = generate_smtt(25, seed=seed, tf=0.6, rdd=0.4)
        p, d = pr.duration.astype(np.int64), pr.due.astype(np.int64)
        ref = K.mdd(p, d, np.ones_like(p), K.spt(p, d))
        assert _checked(pr, "psk").info["sequence"] == ref.tolist()
