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


def _cluster():
    from schedopt import Problem, Schedule

    p = Problem(
        duration=[3, 2, 2, 1],
        names=["a", "b", "c", "d"],
        machine_type=[0, 0],
        machine_names=["n0", "n1"],
        machine_capacity=[[4, 8], [2, 4]],
        machine_demand=[[2, 2], [2, 4], [2, 2], [1, 1]],
        machine_resource_names=["cpu", "mem"],
        optional=[False, False, False, True],
    )
    return p, Schedule([0, 1, 0, -1], [3, 3, 2, -1], [0, 0, 1, -1])


def test_gantt_stacks_cumulative_machines_and_lists_unplaced(tmp_path):
    p, s = _cluster()
    assert schedopt.check(p, s) == []
    ax = gantt(p, s)
    bars = sorted(ax.patches, key=lambda r: r.get_y())
    assert len(bars) == 3
    a, b = (r for r in ax.patches if r.get_x() in (0, 1) and r.get_y() < 0.5)
    assert a.get_y() != b.get_y()  # a and b overlap on n0: two lanes
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("unplaced: d") for t in texts)
    assert "1 unplaced" in ax.get_title()
    save_schedule_figure(p, s, tmp_path / "k.png")
    assert (tmp_path / "k.png").stat().st_size > 10_000


def test_machine_resource_profile():
    from schedopt.plot import machine_load, machine_usage_profile

    p, s = _cluster()
    times, usage, cap = machine_usage_profile(p, s, 0, 0)
    assert times.tolist() == [0, 1, 3] and usage.tolist() == [2, 4, 0] and (cap == 4).all()
    ax = resource_profile(p, s, machine=0)
    assert len(ax.lines) == 2 * p.n_machine_resources and "'n0'" in ax.get_title()
    ax = machine_load(p, s)
    heights = [r.get_height() for r in ax.patches]
    assert heights == [100.0, 100.0, 75.0, 50.0]  # cpu n0, n1; mem n0 (6 of 8), n1 (2 of 4)


def test_gantt_per_gpu_groups_rows_by_type():
    from matplotlib.colors import to_hex

    from schedopt.families.dag import dag

    p = dag(
        [[4, 2], [3, 1], [2, 2], [5, 3]],
        [(0, 1, 1), (0, 2, 1), (1, 3, 0), (2, 3, 2)],
        machine_type=[1, 0, 1],
        type_names=["A100-80", "H100"],
    )
    s = schedopt.solve(p, method="heft").schedule
    assert schedopt.check(p, s) == []
    ax = gantt(p, s)
    ticks = ax.get_yticklabels()
    assert [t.get_text() for t in ticks] == ["M1 · A100-80", "M0 · H100", "M2 · H100"]
    colour = [to_hex(t.get_color()) for t in ticks]
    assert colour[1] == colour[2] != colour[0]  # coloured by type
    row = {1: 0, 0: 1, 2: 2}  # machine -> row, grouped by type
    bars = [r for c in ax.containers for r in c]
    assert len(bars) == int((s.end > s.start).sum())
    drawn = sorted((r.get_x(), r.get_width(), round(r.get_y() + r.get_height() / 2, 9)) for r in bars)
    placed = [(int(s.start[j]), int(s.end[j] - s.start[j]), row[int(s.machine[j])]) for j in range(p.n_jobs)]
    assert drawn == sorted(t for t in placed if t[1] > 0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["A100-80", "H100"]
    plain = gantt(p.replace(type_names=None), s)  # default type names: the rows stay machines
    assert [t.get_text() for t in plain.get_yticklabels()] == ["M0", "M1", "M2"]
    assert plain.get_legend() is None
