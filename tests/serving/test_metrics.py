"""Serving metrics against figures computed by hand."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.serving.metrics import (
    METRIC_NAMES,
    SLA,
    SLA_70B,
    ServingMetrics,
    compare,
    records_frame,
    summarize,
)
from schedopt.serving.request import Request, RequestRecord
from schedopt.serving.result import SimResult, StepTrace


def _rec(i, arrival, prompt, output, admitted, first, finish, gap, ev, instance=0, tag=""):
    req = Request(i, arrival, prompt, output, max(output, 20), client=i % 2, group=10 + i, tag=tag)
    return RequestRecord(req, admitted, first, finish, gap, ev, instance)


def _trace(start, duration, used, peak):
    n = len(start)
    f = lambda v: np.asarray(v, np.float64)  # noqa: E731
    i = lambda v: np.asarray(v, np.int64)  # noqa: E731
    return StepTrace(
        start=f(start),
        duration=f(duration),
        used_blocks=i(used),
        running=i([1] * n),
        waiting=i([0] * n),
        prefill_tokens=i([0] * n),
        decode_tokens=i([1] * n),
        peak_tokens=f(peak),
    )


def _records():
    return [
        # ttft 2, tpot (4-2)/10 = 0.2, gap 0.5: good
        _rec(0, 0.0, 100, 11, 0.5, 2.0, 4.0, 0.5, 0, tag="a"),
        # one token: ttft 2, no tpot, gap 0: good
        _rec(1, 1.0, 50, 1, 1.0, 3.0, 3.0, 0.0, 1, tag="b"),
        # ttft 12 > 10: bad; tpot (16-14)/4 = 0.5
        _rec(2, 2.0, 200, 5, 5.0, 14.0, 16.0, 1.0, 2, instance=1),
        # ttft 2, gap 3 > 1.5: bad; tpot (9-5)/2 = 2
        _rec(3, 3.0, 10, 3, 3.0, 5.0, 9.0, 3.0, 0),
    ]


def _result(records=None, peak=(80.0, math.nan, 176.0, math.nan)):
    trace = _trace([0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 1.0, 16.0], [2, 4, 8, 10], list(peak))
    unfinished = [Request(9, 15.0, 30, 7, 7)]
    return SimResult(
        _records() if records is None else records, trace, capacity_blocks=10, block_size=16, makespan=20.0,
        unfinished=unfinished,
    )  # fmt: skip


def test_summarize_hand_figures():
    m = summarize(_result())
    assert isinstance(m, ServingMetrics)
    assert (m.finished, m.unfinished, m.good, m.steps, m.evictions) == (4, 1, 2, 4, 3)
    assert m.sla_attainment == pytest.approx(0.5)
    # goodput: (100 + 11 + 50 + 1) tokens of the good requests over 20 s
    assert m.goodput == pytest.approx(162 / 20)
    assert m.goodput_requests == pytest.approx(2 / 20)
    assert m.throughput_output == pytest.approx((11 + 1 + 5 + 3) / 20)
    assert m.throughput_tokens == pytest.approx(380 / 20)
    assert m.throughput_requests == pytest.approx(4 / 20)
    # TTFT [2, 2, 12, 2]: sorted [2, 2, 2, 12]; p90 at rank 2.7 -> 2 + 0.7 * 10; p99 at 2.97
    assert m.ttft_mean == pytest.approx(4.5)
    assert m.ttft_p50 == pytest.approx(2.0)
    assert m.ttft_p90 == pytest.approx(9.0)
    assert m.ttft_p99 == pytest.approx(11.7)
    # TPOT over requests with >= 2 tokens: [0.2, 0.5, 2.0]; p99 at rank 1.98 -> 0.5 + 0.98 * 1.5
    assert m.tpot_mean == pytest.approx(0.9)
    assert m.tpot_p50 == pytest.approx(0.5)
    assert m.tpot_p99 == pytest.approx(1.97)
    # max gap sorted [0, 0.5, 1, 3]
    assert m.max_gap_p50 == pytest.approx(0.75)
    assert m.max_gap_p99 == pytest.approx(2.94)
    assert m.max_gap_max == pytest.approx(3.0)
    assert m.evictions_per_request == pytest.approx(0.75)
    # used/capacity [0.2, 0.4, 0.8, 1.0]; durations [1, 2, 1, 16]
    assert m.kv_util == pytest.approx(0.6)
    assert m.kv_util_time == pytest.approx((0.2 * 1 + 0.4 * 2 + 0.8 * 1 + 1.0 * 16) / 20)
    # peaks 80 and 176 tokens over 160
    assert m.peak_over_capacity == pytest.approx((0.5 + 1.1) / 2)
    assert m.makespan == 20.0


def test_summarize_70b_sla_makes_all_good():
    m = summarize(_result(), SLA_70B)
    assert m.good == 4 and m.sla_attainment == 1.0
    assert m.goodput == pytest.approx(380 / 20)


def test_as_dict_fields():
    d = summarize(_result()).as_dict()
    assert tuple(d) == METRIC_NAMES
    assert d["goodput"] == pytest.approx(8.1)


def test_no_peaks_recorded_gives_nan():
    m = summarize(_result(peak=[math.nan] * 4))
    assert math.isnan(m.peak_over_capacity)
    assert m.kv_util == pytest.approx(0.6)


def test_empty_result_is_nan_without_warnings():
    empty = SimResult([], _trace([], [], [], []), capacity_blocks=10, block_size=16, makespan=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = summarize(empty)
    assert (m.finished, m.unfinished, m.good, m.steps, m.evictions) == (0, 0, 0, 0, 0)
    for name, value in m.as_dict().items():
        if name not in ("finished", "unfinished", "aborted", "good", "steps", "evictions", "makespan"):
            assert math.isnan(value), name
    assert m.makespan == 0.0


def test_steps_but_no_finished_request():
    m = summarize(_result(records=[]))
    assert m.finished == 0 and math.isnan(m.sla_attainment) and math.isnan(m.ttft_p50)
    assert m.goodput == 0.0 and m.throughput_output == 0.0
    assert m.kv_util == pytest.approx(0.6)


def test_mismatched_trace_names_the_field():
    res = _result()
    res.steps.used_blocks = res.steps.used_blocks[:2]
    with pytest.raises(ValueError, match="used_blocks"):
        summarize(res)


def test_sla_threshold_is_inclusive():
    sla = SLA()
    # (6.1 + 10) - 6.1 and (0.7 + 1.5) - 0.7 exceed 10 and 1.5 by rounding: still at the threshold
    rounded = _rec(0, 6.1, 10, 5, 6.1, 6.1 + 10.0, 20.0, (0.7 + 1.5) - 0.7, 0)
    assert rounded.ttft > 10.0 and rounded.max_gap > 1.5
    assert sla.good(rounded)
    assert sla.good(_rec(0, 0.0, 10, 5, 0.0, 10.0, 12.0, 1.5, 0))
    assert not sla.good(_rec(0, 0.0, 10, 5, 0.0, 10.0 + 1e-6, 12.0, 1.5, 0))
    assert not sla.good(_rec(0, 0.0, 10, 5, 0.0, 10.0, 12.0, 1.5 + 1e-6, 0))
    assert SLA(ttft=math.inf, max_gap=math.inf).good(_rec(0, 0.0, 10, 5, 0.0, 1e9, 2e9, 1e8, 0))
    assert (SLA_70B.ttft, SLA_70B.max_gap) == (15.0, 5.0)


@pytest.mark.parametrize(
    "kwargs, field",
    [({"ttft": 0.0}, "ttft"), ({"ttft": -1}, "ttft"), ({"max_gap": math.nan}, "max_gap"),
     ({"ttft": "10"}, "ttft"), ({"max_gap": True}, "max_gap")],
)  # fmt: skip
def test_sla_rejects_bad_thresholds(kwargs, field):
    with pytest.raises(ValueError, match=field):
        SLA(**kwargs)


def test_records_frame_columns_and_values():
    frame = records_frame(_records())
    assert list(frame.columns) == [
        "id", "client", "group", "tag", "arrival", "admitted", "first_token", "finish", "prompt",
        "output", "ttft", "tpot", "max_gap", "evictions", "instance", "good",
    ]  # fmt: skip
    assert frame["id"].tolist() == [0, 1, 2, 3]
    assert frame["client"].tolist() == [0, 1, 0, 1]
    assert frame["group"].tolist() == [10, 11, 12, 13]
    assert frame["tag"].tolist() == ["a", "b", "", ""]
    assert frame["ttft"].tolist() == pytest.approx([2.0, 2.0, 12.0, 2.0])
    tpot = frame["tpot"].to_numpy()
    assert math.isnan(tpot[1]) and tpot[[0, 2, 3]] == pytest.approx([0.2, 0.5, 2.0])
    assert frame["good"].tolist() == [True, True, False, False]
    assert frame["evictions"].tolist() == [0, 1, 2, 0]
    assert frame["instance"].tolist() == [0, 0, 1, 0]
    assert frame["good"].tolist() == [SLA().good(r) for r in _records()]
    assert records_frame(_records(), SLA_70B)["good"].all()


def test_records_frame_empty():
    frame = records_frame([])
    assert len(frame) == 0 and "good" in frame.columns and "ttft" in frame.columns


def test_compare_one_row_per_run():
    runs = {"full": _result(), "none": _result(records=[])}
    frame = compare(runs)
    assert frame["run"].tolist() == ["full", "none"]
    assert list(frame.columns) == ["run", *METRIC_NAMES]
    assert frame.loc[0, "goodput"] == pytest.approx(8.1)
    assert frame.loc[1, "finished"] == 0
    assert compare(runs, SLA_70B).loc[0, "good"] == 4
    empty = compare({})
    assert len(empty) == 0 and list(empty.columns) == ["run", *METRIC_NAMES]


@st.composite
def _random_records(draw):
    n = draw(st.integers(0, 12))
    times = st.floats(0, 30, allow_nan=False)
    out = []
    for i in range(n):
        arrival, wait, decode = draw(times), draw(times), draw(times)
        output = draw(st.integers(1, 50))
        gap = draw(st.sampled_from([0.0, 1.5, 3.0])) if output > 1 else 0.0
        out.append(
            _rec(i, arrival, draw(st.integers(1, 500)), output, arrival, arrival + wait,
                 arrival + wait + decode, gap, draw(st.integers(0, 3)))
        )  # fmt: skip
    return out


@settings(max_examples=40, deadline=None)
@given(records=_random_records(), makespan=st.floats(0.5, 200))
def test_summary_agrees_with_records_frame(records, makespan):
    trace = _trace([0.0], [makespan], [3], [math.nan])
    res = SimResult(records, trace, capacity_blocks=4, block_size=8, makespan=makespan)
    m = summarize(res)
    frame = records_frame(records)
    good = frame[frame["good"]]
    assert m.good == sum(SLA().good(r) for r in records) == len(good)
    assert m.goodput == pytest.approx((good["prompt"] + good["output"]).sum() / makespan)
    assert m.throughput_output == pytest.approx(frame["output"].sum() / makespan)
    assert m.goodput <= m.throughput_tokens + 1e-9
    if records:
        assert m.sla_attainment == pytest.approx(len(good) / len(records))
        assert m.ttft_p50 <= m.ttft_p90 <= m.ttft_p99 <= frame["ttft"].max() + 1e-9
        assert m.max_gap_max == frame["max_gap"].max()
        assert m.evictions_per_request == pytest.approx(frame["evictions"].mean())
    assert m.kv_util == pytest.approx(0.75) and m.kv_util_time == pytest.approx(0.75)


def test_kv_util_waiting_averages_only_the_steps_with_a_queue():
    result = _result()
    result.steps.waiting = np.asarray([0, 3, 1, 0], np.int64)
    m = summarize(result)
    # used/capacity [0.2, 0.4, 0.8, 1.0]: the steps with requests waiting are the 2nd and 3rd
    assert m.kv_util_waiting == pytest.approx(0.6)
    result.steps.waiting = np.zeros(4, np.int64)
    assert math.isnan(summarize(result).kv_util_waiting)
