"""Plots draw what the schedule says."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np

import schedopt
from schedopt.plot import gantt, resource_profile, save_schedule_figure, usage_profile
from tests.conftest import INSTANCES


def _solved(name):
    p = schedopt.read(INSTANCES / name)
    return p, schedopt.solve(p, method="cpsat", time_limit=10).schedule


def test_usage_profile_matches_checker_semantics():
    p, s = _solved("rcpsp/windows15.json")
    for k in range(p.n_resources):
        times, usage, cap = usage_profile(p, s, k)
        assert (usage <= cap).all()
        assert np.all(np.diff(times) > 0)


def test_gantt_and_profile_draw(tmp_path):
    p, s = _solved("rcpsp/windows15.json")
    ax = gantt(p, s)
    assert len(ax.patches) == int((s.end > s.start).sum())
    ax2 = resource_profile(p, s)
    assert len(ax2.lines) == 2 * p.n_resources
    save_schedule_figure(p, s, tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 10_000


def test_gantt_by_machine():
    p, s = _solved("machines/hetero10.json")
    ax = gantt(p, s)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(p.machine_names)
