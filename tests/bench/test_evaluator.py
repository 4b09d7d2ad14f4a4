"""The evaluator: re-check, honest gaps, flags; and the runner's failure rows (fake methods)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import Result, Schedule
from schedopt.bench import Reference, run
from schedopt.bench.evaluator import ERROR_FLAGS, evaluate_run, gap_to_best
from schedopt.bench.suites import problems_suite
from schedopt.families.smtt.suites import generate_smtt

from . import fake_methods  # noqa: F401  (registers the fake methods)


def brute_force_opt(problem) -> int:
    return min(
        schedopt.evaluate(problem, Schedule.from_sequence(problem, order))
        for order in itertools.permutations(range(problem.n_jobs))
    )


def _result(schedule, objective, bound, status="feasible") -> Result:
    return Result(status, objective, bound, None, schedule, 0.01, "x")


def test_invalid_schedule_is_not_a_result():
    p = schedopt.single_machine([3, 2, 4], [2, 2, 9])
    bad = Schedule.from_starts(p, [0, 0, 0])
    row = evaluate_run(p, _result(bad, 5, 0), Reference(1, 1))
    assert row["status"] == "invalid" and row["valid"] == 0
    assert row["objective"] is None and row["gap"] is None and row["gap_best"] is None
    assert "resource" in row["violations"]


def test_wrong_schedule_length_is_invalid():
    p = schedopt.single_machine([3, 2, 4], [2, 2, 9])
    row = evaluate_run(p, _result(Schedule([0, 3], [3, 5]), 1, 0), None)
    assert row["status"] == "invalid"


def test_flags_against_reference():
    p = schedopt.single_machine([3, 2, 4], [2, 2, 9])
    s = Schedule.from_sequence(p, [1, 0, 2])  # T = 0 + 3 + 0 = 3
    obj = schedopt.evaluate(p, s)
    # a claimed optimum above the known optimum, and a bound above the known UB
    row = evaluate_run(p, _result(s, obj, obj, "optimal"), Reference(obj - 1, obj - 1))
    assert {"optimum_above_known", "bound_above_best_ub"} <= set(row["flags"].split(","))
    # an objective below a proven lower bound
    row = evaluate_run(p, _result(s, obj, 0), Reference(obj + 1, obj + 2))
    assert "below_known_lb" in row["flags"].split(",")
    # an objective the evaluator disagrees with
    row = evaluate_run(p, _result(s, obj + 7, 0), None)
    assert row["objective"] == obj and "objective_mismatch" in row["flags"]
    # a better value than an unproven best-known one is news, not an error
    row = evaluate_run(p, _result(s, obj, 0), Reference(None, obj + 1))
    assert row["flags"] == "new_best" and row["gap_best"] < 0
    # infeasible although a schedule is known
    row = evaluate_run(p, Result("infeasible", None, None, None, None, 0.0, "x"), Reference(None, obj))
    assert row["flags"] == "infeasible_but_known_feasible"
    # an honest run: no flags, gaps defined
    row = evaluate_run(p, _result(s, obj, 1), Reference(1, obj))
    assert row["flags"] == "" and row["gap_best"] == 0.0 and row["gap"] == pytest.approx((obj - 1) / obj)


def test_gap_to_best_zero_optimum():
    assert gap_to_best(0, 0) == 0.0
    assert gap_to_best(5, 0) is None
    assert gap_to_best(12, 10) == pytest.approx(0.2)
    assert gap_to_best(None, 10) is None


@settings(max_examples=40, deadline=None)
@given(
    p=st.lists(st.integers(1, 9), min_size=1, max_size=5),
    data=st.data(),
)
def test_evaluator_against_brute_force(p, data):
    """Any sequence: the row's objective is its true tardiness, never below the brute-force optimum."""
    n = len(p)
    d = data.draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    w = data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    prob = schedopt.single_machine(p, d, w)
    order = data.draw(st.permutations(range(n)))
    s = Schedule.from_sequence(prob, order)
    obj = schedopt.evaluate(prob, s)
    opt = brute_force_opt(prob)
    row = evaluate_run(prob, _result(s, obj, None), Reference(opt, opt))
    assert row["status"] == "feasible" and row["valid"] == 1 and row["objective"] == obj
    assert row["abs_gap_best"] == obj - opt >= 0
    assert not set(filter(None, row["flags"].split(","))) & ERROR_FLAGS


def _tiny_suite():
    """Two 6-job instances on which EDD is not optimal, with brute-force optima as references."""
    probs, refs = [], []
    seed = 0
    while len(probs) < 2:
        prob = generate_smtt(6, tf=0.6, rdd=0.4, seed=seed, name=f"t{seed}")
        opt = brute_force_opt(prob)
        edd = schedopt.evaluate(prob, Schedule.from_sequence(prob, np.argsort(prob.due, kind="stable")))
        if edd > opt:
            probs.append(prob)
            refs.append(Reference(opt, opt, "brute force"))
        seed += 1
    return problems_suite("tiny", probs, refs)


def test_runner_records_failures_and_flags(tmp_path):
    suite = _tiny_suite()
    df = run(
        suite,
        "fake-invalid,fake-overclaim,fake-hang,fake-crash,fake-raise,fake-trivial",
        time_limit=0.5,
        workers=2,
        kill_margin=1.0,
        results=tmp_path / "r.sqlite",
        progress=False,
    )
    by = {m: g for m, g in df.groupby("method")}
    assert (by["fake-invalid"]["status"] == "invalid").all()
    assert by["fake-invalid"]["objective"].isna().all()
    over = by["fake-overclaim"]
    assert (over["status"] == "optimal").all()
    assert over["flags"].str.contains("optimum_above_known").all()
    assert over["flags"].str.contains("bound_above_best_ub").all()
    assert (by["fake-hang"]["status"] == "timeout").all()
    assert (by["fake-crash"]["status"] == "crashed").all()
    assert by["fake-crash"]["error"].str.contains("signal").all()
    assert (by["fake-raise"]["status"] == "error").all()
    assert by["fake-raise"]["error"].str.contains("fake failure").all()
    ok = by["fake-trivial"]
    assert (ok["status"] == "feasible").all() and (ok["valid"] == 1).all() and (ok["flags"] == "").all()
    assert (ok["gap_best"] > 0).all()
    # a rerun retries exactly the crashed and errored runs
    df2 = run(
        suite,
        "fake-crash,fake-raise,fake-trivial",
        time_limit=0.5,
        workers=2,
        results=tmp_path / "r.sqlite",
        progress=False,
    )
    assert df2.attrs["ran"] == 4 and df2.attrs["resumed"] == 2
    assert (df2.set_index("method").loc[["fake-crash", "fake-raise"], "attempt"] == 2).all()
    assert (df2.set_index("method").loc["fake-trivial", "attempt"] == 1).all()
