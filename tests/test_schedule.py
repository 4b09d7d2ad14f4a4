"""``schedopt.Schedule``: entries are validated integers, never truncated or wrapped around (issue 20)."""

from __future__ import annotations

import numpy as np
import pytest

import schedopt
from schedopt import NO_TIME, Problem, Schedule, ScheduleError, check, evaluate


@pytest.fixture
def pair():
    return Problem(duration=[3, 4], precedence=[(0, 1)], names=["a", "b"])


def test_schedule_error_is_exported_and_a_value_error():
    assert schedopt.ScheduleError is ScheduleError and issubclass(ScheduleError, ValueError)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        ([0, 31.9], r"schedule start of job 1: 31\.9 is not a finite integer"),
        ([0, float("nan")], r"schedule start of job 1: nan is not a finite integer"),
        ([0, float("inf")], r"schedule start of job 1: inf is not a finite integer"),
        ([0, -float("inf")], r"schedule start of job 1: -inf is not a finite integer"),
        ([0, 2**63], r"schedule start of job 1: .* is outside -1\.\.1125899906842623"),
        ([0, 2**70], r"schedule start of job 1: 1180591620717411303424 is outside"),
        (np.array([0, 2**63], np.uint64), r"schedule start of job 1: 9223372036854775808 is outside"),
        ([0, NO_TIME], rf"schedule start of job 1: {NO_TIME} is outside -1\.\.{NO_TIME - 1}"),
        ([-2, 3], r"schedule start of job 0: -2 is below -1 \(-1 means unplaced\)"),
        ([0, True], r"schedule start of job 1: True is a boolean"),
        ([0, "3"], r"schedule start of job 1: '3' is not a number"),
        ([0, None], r"schedule start of job 1: None is not a number"),
    ],
)
def test_bad_start_is_refused_naming_job_and_value(start, message):
    # before: 31.9 became 31, NaN became int64-min (reported only as 'missing'), 2**63 wrapped around
    with pytest.raises(ScheduleError, match=message):
        Schedule(start, [3, 7])


def test_end_and_machine_are_checked_too():
    with pytest.raises(ScheduleError, match=r"schedule end of job 0: 3\.5 is not a finite integer"):
        Schedule([0, 3], [3.5, 7])
    with pytest.raises(ScheduleError, match=r"schedule machine of job 1: 0\.5 is not a finite integer"):
        Schedule([0, 3], [3, 7], [0, 0.5])
    with pytest.raises(ScheduleError, match=r"schedule machine of job 0: -3 is below -1"):
        Schedule([0, 3], [3, 7], [-3, 0])
    with pytest.raises(ScheduleError, match=r"schedule machine of job 1: 9\.223372036854776e\+18 is outside"):
        Schedule([0, 3], [3, 7], np.array([0, 2.0**63]))  # a float that would wrap to int64-min


def test_shapes_are_checked():
    with pytest.raises(ScheduleError, match="equal length, got 2 and 1"):
        Schedule([0, 3], [3])
    with pytest.raises(ScheduleError, match=r"1-d sequence\), got shape \(2, 1\)"):
        Schedule([[0], [3]], [[3], [7]])
    with pytest.raises(ScheduleError, match="ragged"):
        Schedule([[0], [3, 4]], [3, 7])
    with pytest.raises(ScheduleError, match="one entry per job"):
        Schedule([0, 3], [3, 7], [0])


def test_integral_floats_and_unplaced_jobs_still_work(pair):
    # not a regression test: it guards what stays valid (integral floats, -1 = unplaced optional job)
    s = Schedule([0.0, 3.0], np.array([3, 7], np.uint8))
    assert s.start.dtype == np.int64 and s.start.tolist() == [0, 3] and s.end.tolist() == [3, 7]
    assert check(pair, s) == [] and evaluate(pair, s) == 7
    opt = pair.replace(optional=[False, True])
    unplaced = Schedule([0, -1], [3, -1], [-1, -1])
    assert check(opt, unplaced) == [] and evaluate(opt, unplaced) == 3
    assert Schedule([], []).n_jobs == 0


def test_from_starts_refuses_fractions_instead_of_truncating(pair):
    with pytest.raises(ScheduleError, match=r"schedule start of job 1: 3\.5"):
        Schedule.from_starts(pair, [0, 3.5])
    with pytest.raises(ScheduleError, match="expected 2 start times, got 3"):
        Schedule.from_starts(pair, [0, 3, 6])
    assert Schedule.from_starts(pair, [0.0, 3.0]).end.tolist() == [3, 7]


def test_from_dict_names_what_is_missing():
    with pytest.raises(ScheduleError, match="missing 'end'"):
        Schedule.from_dict({"start": [0]})
    with pytest.raises(ScheduleError, match="expected an object"):
        Schedule.from_dict([0, 1])  # type: ignore[arg-type]
    assert Schedule.from_dict({"start": [0, 3], "end": [3, 7]}).machine.tolist() == [-1, -1]


def test_entries_are_read_only_copies():
    # not a regression test: the validation must keep the copy-and-freeze of the entries
    start = np.array([0, 3])
    s = Schedule(start, [3, 7])
    start[0] = 5
    assert s.start[0] == 0 and not s.start.flags.writeable
