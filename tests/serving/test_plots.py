"""Serving plots draw one line per run/planner with the data they are given."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from schedopt.serving.plots import plot_goodput, plot_kv, plot_latency_cdf
from schedopt.serving.request import Request, RequestRecord
from schedopt.serving.result import SimResult, StepTrace


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _trace(start, duration, used, peak):
    n = len(start)
    ints = np.zeros(n, np.int64)
    return StepTrace(
        start=np.asarray(start, float),
        duration=np.asarray(duration, float),
        used_blocks=np.asarray(used, np.int64),
        running=ints,
        waiting=ints,
        prefill_tokens=ints,
        decode_tokens=ints,
        peak_tokens=np.asarray(peak, float),
    )


def _result(ttfts, peak=(40.0, math.nan, 72.0)):
    records = [
        RequestRecord(Request(i, 0.0, 10, 1 + i, 1 + i), 0.0, t, t + i, 0.1, 0) for i, t in enumerate(ttfts)
    ]
    trace = _trace([0.0, 1.0, 3.0], [1.0, 2.0, 1.0], [2, 4, 5], list(peak))
    return SimResult(records, trace, capacity_blocks=5, block_size=16, makespan=4.0)


def test_plot_goodput_one_line_per_planner_with_seed_means():
    frame = pd.DataFrame(
        {
            "planner": ["aggressive"] * 4 + ["past-future"] * 3,
            "load": [20, 10, 10, 30, 10, 20, 30],
            "goodput": [5.0, 1.0, 3.0, 4.0, 2.0, 6.0, 9.0],
        }
    )
    ax = plot_goodput(frame)
    assert len(ax.lines) == 2
    agg, pf = ax.lines
    assert agg.get_label() == "aggressive" and pf.get_label() == "past-future"
    assert agg.get_xdata().tolist() == [10, 20, 30]
    assert agg.get_ydata().tolist() == [2.0, 5.0, 4.0]  # the two load-10 rows are averaged
    assert pf.get_ydata().tolist() == [2.0, 6.0, 9.0]


def test_plot_goodput_without_hue_and_bad_column():
    frame = pd.DataFrame({"rate": [1, 2], "tput": [3.0, 4.0]})
    _fig, ax = plt.subplots()
    assert plot_goodput(frame, x="rate", y="tput", hue=None, ax=ax) is ax
    assert len(ax.lines) == 1
    with pytest.raises(KeyError, match="planner"):
        plot_goodput(frame, x="rate", y="tput")


def test_plot_kv_lines_and_values():
    res = _result([1.0, 2.0])
    ax = plot_kv(res)
    assert len(ax.lines) == 3  # occupancy, peaks, capacity
    used, peaks, cap = ax.lines
    assert used.get_ydata().tolist() == pytest.approx([0.4, 0.8, 1.0, 1.0])
    assert used.get_xdata().tolist() == pytest.approx([0.0, 1.0, 3.0, 4.0])
    assert peaks.get_xdata().tolist() == [0.0, 3.0]
    assert peaks.get_ydata().tolist() == pytest.approx([0.5, 0.9])
    assert list(cap.get_ydata()) == [1.0, 1.0]


def test_plot_kv_without_peaks_and_empty():
    assert len(plot_kv(_result([1.0], peak=[math.nan] * 3)).lines) == 2
    empty = SimResult([], _trace([], [], [], []), capacity_blocks=5, block_size=16, makespan=0.0)
    assert len(plot_kv(empty).lines) == 2


def test_plot_latency_cdf_one_line_per_run():
    runs = {"a": _result([1.0, 3.0, 2.0]), "b": _result([4.0]), "none": _result([])}
    ax = plot_latency_cdf(runs)
    assert [line.get_label() for line in ax.lines] == ["a", "b", "none"]
    a = ax.lines[0]
    assert a.get_xdata().tolist() == [1.0, 2.0, 3.0]
    assert a.get_ydata().tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert len(ax.lines[2].get_xdata()) == 0


def test_plot_latency_cdf_tpot_skips_one_token_requests_and_bad_metric():
    ax = plot_latency_cdf({"a": _result([1.0, 3.0, 2.0])}, metric="tpot")
    # request 0 has one token; requests 1 and 2 decode (i) tokens in i seconds -> tpot 1.0 each
    assert ax.lines[0].get_xdata().tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="ttft"):
        plot_latency_cdf({"a": _result([1.0])}, metric="p99")
