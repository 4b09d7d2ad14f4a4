"""Fuzzing the inputs users type (issue 20): schedules and ``solve`` options.

The only outcomes allowed are a correct result or a ``ValueError`` subclass
(``ScheduleError``, ``ParseError``, ``OptionError``, ...) whose message names the
offending field; never a truncated value, a wrapped-around integer, a ``TypeError``
or a crash deep inside a solver.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import OptionError, ParseError, Schedule, ScheduleError, check, evaluate
from schedopt.schedule import MAX_TIME
from tests.conftest import INSTANCES

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOLVES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TOY = INSTANCES / "rcpsp" / "toy12.sm"


@pytest.fixture(scope="module")
def toy():
    problem = schedopt.read(TOY)
    return problem, schedopt.solve(problem, method="cpsat", time_limit=10).schedule


# ------------------------------------------------------------------ schedule entries
GOOD_INTS = st.integers(-1, MAX_TIME)
ENTRIES = st.one_of(
    GOOD_INTS,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-1, 10**6).map(float),
    st.sampled_from([None, True, False, "3", "", b"1", [1], {"a": 1}]),
)


def _valid(v, high: int = MAX_TIME) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, float) and (not math.isfinite(v) or v != round(v)):
        return False
    return -1 <= int(v) <= high


def _names_the_entry(message: str, field: str, values: list) -> bool:
    """The message names the field, and the job and value of some bad entry."""
    m = re.match(rf"schedule {field} of job (\d+): (.+?) (is|$)", message)
    if m is None:
        return f"schedule {field}" in message
    j = int(m.group(1))
    return j < len(values) and not _valid(values[j])


@FAST
@given(st.lists(ENTRIES, max_size=6), st.lists(GOOD_INTS, max_size=6))
def test_schedule_entries_are_exact_or_refused_by_name(start, end):
    end = (end + [0] * len(start))[: len(start)]
    try:
        s = Schedule(start, end)
    except ScheduleError as exc:
        assert not all(_valid(v) for v in start)
        assert _names_the_entry(str(exc), "start", start), exc
        return
    assert all(_valid(v) for v in start)
    assert s.start.tolist() == [int(v) for v in start]  # exact: nothing truncated or wrapped


@FAST
@given(
    st.sampled_from(["start", "end", "machine"]),
    st.integers(0, 11),
    st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not _valid(v)),
        st.integers(2**50, 2**80),
        st.integers(-(2**80), -2),
        st.sampled_from([None, True, "5", [3]]),
    ),
    st.sampled_from(["json", "api"]),
)
def test_a_bad_entry_never_reaches_check_or_evaluate(tmp_path_factory, toy, field, job, value, how):
    _, good = toy
    data = good.to_dict()
    if field == "machine" and _valid(value, 2**63 - 1):
        return  # any int64 machine index is a valid entry (check reports a bad one as a 'machine' violation)
    data[field][job] = value
    if how == "api":
        with pytest.raises(ScheduleError, match=rf"schedule {field}( of job {job})?:"):
            Schedule.from_dict(data)
        return
    path = tmp_path_factory.mktemp("s") / "s.json"
    path.write_text(json.dumps({"schedopt": 1, "schedule": data}))
    with pytest.raises(ParseError) as err:
        schedopt.read_schedule(path)
    assert str(err.value).startswith(f"{path}: schedule {field}"), err.value
    assert "\n" not in str(err.value)


@FAST
@given(st.integers(0, 15))
def test_wrong_length(toy, n):
    problem, good = toy
    if n > 12:
        pad = np.zeros(n - 12, np.int64)
        longer = Schedule(np.r_[good.start, pad], np.r_[good.end, pad])
        with pytest.raises(ScheduleError, match=rf"schedule has {n} jobs, the problem only 12"):
            check(problem, longer)
        with pytest.raises(ScheduleError, match=rf"{n} jobs: the problem has 12"):
            evaluate(problem, longer)
        return
    s = Schedule(good.start[:n], good.end[:n])
    violations = check(problem, s)
    assert {v.jobs[0] for v in violations if v.kind == "missing"} == set(range(n, 12))
    if n < 12:
        with pytest.raises(ScheduleError, match=rf"leaves out job '{n + 1}' \(index {n}\)"):
            evaluate(problem, s)
    else:
        assert evaluate(problem, s) == good.makespan


# ------------------------------------------------------------------ solve options
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-3, 3),
    st.sampled_from(["10", "x", True, False, None, [1]]),
)


def _assert_correct(problem, result) -> None:
    assert result.status in ("optimal", "feasible", "unknown", "infeasible")
    if result.schedule is not None:
        assert check(problem, result.schedule) == []
        assert result.objective == evaluate(problem, result.schedule)


def _solve_or_named_error(problem, method: str, field: str, **kwargs) -> None:
    try:
        result = schedopt.solve(problem, method=method, **kwargs)
    except OptionError as exc:
        assert exc.option == field and field in str(exc), exc
        return
    _assert_correct(problem, result)


@SOLVES
@given(NUMBERS, st.sampled_from(["sgs", "ga", "cpsat"]))
def test_time_limit(toy, value, method):
    problem, _ = toy
    valid = value is None or (
        isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    )
    options = {"max_schedules": 50} if method != "cpsat" else {"workers": 1}
    if valid and value is not None:
        value = min(value, 2.0)  # keep the run short
    try:
        result = schedopt.solve(problem, method=method, time_limit=value, **options)
    except OptionError as exc:
        assert not valid and exc.option == "time_limit" and "time_limit" in str(exc)
        return
    assert valid
    _assert_correct(problem, result)


@SOLVES
@given(NUMBERS, st.sampled_from(["sgs", "cpsat"]))
def test_seed(toy, value, method):
    problem, _ = toy
    options = {"max_schedules": 50} if method == "sgs" else {"workers": 1}
    valid = isinstance(value, int) and not isinstance(value, bool)
    try:
        result = schedopt.solve(problem, method=method, time_limit=2, seed=value, **options)
    except OptionError as exc:
        assert not valid and exc.option == "seed" and "seed" in str(exc)
        return
    assert valid
    _assert_correct(problem, result)


@SOLVES
@given(st.one_of(NUMBERS, st.just(2.5)))
def test_workers(toy, value):
    problem, _ = toy
    valid = value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1)
    try:
        result = schedopt.solve(problem, method="cpsat", time_limit=2, workers=value)
    except OptionError as exc:
        assert not valid and exc.option == "workers" and "workers" in str(exc)
        return
    assert valid
    _assert_correct(problem, result)


@FAST
@given(st.text(min_size=1, max_size=12), st.sampled_from(["sgs", "ga", "cpsat", "mip"]))
def test_unknown_option_names(toy, name, method):
    problem, _ = toy
    known = schedopt.registry.get_method(method, problem).options(problem)
    if name in known or name in ("time_limit", "seed", "problem", "method"):
        return
    with pytest.raises(OptionError, match=re.escape(repr(name))) as err:
        schedopt.solve(problem, method, time_limit=2, **{name: 1})
    assert err.value.option == name


HEURISTIC_OPTIONS = {
    "sgs": ["max_schedules", "rule", "scheme", "alpha", "eps", "justify"],
    "ga": [
        "max_schedules",
        "population",
        "pmut",
        "rounds",
        "alpha",
        "eps",
        "variant",
        "peak",
        "peak_width",
        "tournament",
        "restart",
        "restart_moves",
        "same_cap",
        "offspring",
        "parallel",
        "gene_flip",
        "jslack",
    ],
    "cpsat": [
        "rcpsp_strengthen",
        "rcpsp_heuristic_schedules",
        "rcpsp_heuristic_share",
        "rcpsp_seed",
        "rcpsp_delays",
        "rcpsp_delays_max_jobs",
        "rcpsp_portfolio",
        "rcpsp_proof",
        "rcpsp_proof_share",
        "rcpsp_proof_max_literals",
    ],
}
WRONG = st.one_of(
    st.sampled_from(
        ["many", "", None, [1, 2], (0.1,), {"a": 1}, object(), float("nan"), -1, -0.5, 1e9, 2.5, True]
    ),
    st.integers(-10, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
)


@SOLVES
@given(st.sampled_from(sorted(HEURISTIC_OPTIONS)), st.data())
def test_method_options_of_the_wrong_type(toy, method, data):
    # e.g. max_schedules="many" for ga/sgs used to be a TypeError from `"many" < 1`
    problem, _ = toy
    name = data.draw(st.sampled_from(HEURISTIC_OPTIONS[method]))
    value = data.draw(WRONG)
    options = {name: value}
    if method in ("sgs", "ga") and name != "max_schedules":
        options["max_schedules"] = 60
    if method == "cpsat":
        options["workers"] = 1
    slow = {"max_schedules": 2000, "rcpsp_heuristic_schedules": 2000, "population": 200, "offspring": 200}
    slow.update(tournament=200, restart_moves=200, same_cap=200)
    if name in slow and isinstance(value, int) and value > slow[name]:
        return  # a valid value, only a slow run
    try:
        result = schedopt.solve(problem, method=method, time_limit=2, **options)
    except OptionError as exc:
        assert exc.option == name and name in str(exc), exc
        return
    _assert_correct(problem, result)


def test_read_schedule_of_a_non_schedule_file_names_it(tmp_path):
    for text, why in [
        ('{"schedopt": 1, "schedule": [1, 2]}', "expected an object"),
        ('{"schedopt": 1, "schedule": {"start": [0]}}', "missing 'end'"),
        ('{"schedopt": 1, "result": [1]}', "no 'schedule'"),
        (
            '{"schedopt": 1, "schedule": {"start": "abc", "end": [1]}}',
            "schedule start: expected one integer per job",
        ),
    ]:
        path = Path(tmp_path) / "bad.json"
        path.write_text(text)
        with pytest.raises(ParseError, match=re.escape(str(path)) + ".*" + re.escape(why)):
            schedopt.read_schedule(path)
