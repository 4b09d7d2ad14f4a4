"""Seeded DAG generators: closed-form task counts, determinism, CCR and β statistics, feasibility."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest

import schedopt
from schedopt import ProblemError, check
from schedopt.families.dag.generators import (
    SHAPES,
    chains,
    dag_stream,
    fft,
    gaussian_elimination,
    in_tree,
    montage_like,
    out_tree,
    stream_job_metrics,
    topcuoglu_dag,
)
from tests.conftest import INSTANCES


def _original_edges(p):
    n = p.meta["original_tasks"]
    return [(int(i), int(j)) for i, j, _ in p.precedence if i < n and j < n]


def _acyclic_and_topological(p):
    edges = _original_edges(p)
    assert all(i < j for i, j in edges)  # indices follow a topological order
    assert nx.is_directed_acyclic_graph(p.graph())


@pytest.mark.parametrize("m", [2, 3, 5, 8])
def test_gaussian_elimination_has_the_closed_form_task_count(m):
    p = gaussian_elimination(m)
    assert p.meta["original_tasks"] == (m * m + m - 2) // 2
    _acyclic_and_topological(p)
    assert p.meta["terminals"] == {}  # one entry (the first pivot), one exit (the last update)


@pytest.mark.parametrize("m", [2, 4, 8, 16])
def test_fft_has_the_closed_form_task_count(m):
    p = fft(m)
    assert p.meta["original_tasks"] == 2 * m - 1 + m * int(math.log2(m))
    _acyclic_and_topological(p)
    g = p.graph()
    assert [d for _, d in g.in_degree()].count(0) == 1  # the root call
    bf = [j for j, s in enumerate(p.names) if s.startswith("bf")]
    assert all(g.in_degree(j) == 2 for j in bf)


def test_fft_needs_a_power_of_two():
    with pytest.raises(ProblemError, match="m: the number of FFT points must be a power of 2, got 6"):
        fft(6)


@pytest.mark.parametrize(("n", "overlap"), [(2, 1), (4, 1), (6, 2), (5, 9)])
def test_montage_like_has_the_closed_form_task_count(n, overlap):
    p = montage_like(n, overlap=overlap)
    pairs = sum(n - d for d in range(1, min(overlap, n - 1) + 1))
    assert p.meta["original_tasks"] == 2 * n + pairs + 6
    if overlap == 1:
        assert p.meta["original_tasks"] == 3 * n + 5
    _acyclic_and_topological(p)
    assert p.names[p.meta["original_tasks"] - 1] == "mJPEG"


@pytest.mark.parametrize(("levels", "b"), [(1, 2), (3, 2), (4, 3), (3, 1)])
def test_trees_have_the_closed_form_task_count(levels, b):
    count = levels if b == 1 else (b**levels - 1) // (b - 1)
    for build, inward in ((in_tree, True), (out_tree, False)):
        p = build(levels, b)
        assert p.meta["original_tasks"] == count
        _acyclic_and_topological(p)
        g = p.graph().subgraph(range(count))
        degrees = g.out_degree() if inward else g.in_degree()
        assert all(d <= 1 for _, d in degrees)  # a tree: one parent per task


def test_chains_have_the_closed_form_task_count():
    p = chains(3, 4)
    assert p.meta["original_tasks"] == 12 and len(_original_edges(p)) == 9
    assert p.meta["terminals"] == {"source": 12, "sink": 13}


@pytest.mark.parametrize(
    ("v", "alpha", "out_degree"), [(20, 1.0, 2), (40, 0.5, 1), (60, 2.0, 3), (30, 1.0, 30)]
)
def test_topcuoglu_structure(v, alpha, out_degree):
    p = topcuoglu_dag(v, alpha=alpha, out_degree=out_degree, seed=v)
    widths = p.meta["level_widths"]
    assert p.meta["original_tasks"] == v and sum(widths) == v
    assert max(widths) <= max(1, round(2 * alpha * math.sqrt(v)) - 1)
    level = np.repeat(np.arange(len(widths)), widths)
    edges = _original_edges(p)
    assert all(level[i] < level[j] for i, j in edges)  # edges only to later levels
    out = np.bincount([i for i, _ in edges], minlength=v)
    assert out.max() <= out_degree
    assert len(set(edges)) == len(edges)
    _acyclic_and_topological(p)


def test_topcuoglu_height_is_about_sqrt_v_over_alpha():
    for alpha in (0.5, 1.0, 2.0):
        heights = [len(topcuoglu_dag(100, alpha=alpha, seed=s).meta["level_widths"]) for s in range(8)]
        target = math.sqrt(100) / alpha
        assert 0.7 * target <= np.mean(heights) <= 1.4 * target + 1, (alpha, heights)


@pytest.mark.parametrize("build", [lambda s: topcuoglu_dag(30, seed=s), lambda s: montage_like(5, seed=s)])
def test_same_seed_same_problem_and_other_seed_another(build):
    a, b, c = build(3), build(3), build(4)
    for f in ("duration", "precedence", "comm"):
        assert np.array_equal(getattr(a, f), getattr(b, f))
    assert not np.array_equal(a.duration, c.duration)
    assert a.meta == b.meta


@pytest.mark.parametrize("ccr", [0.1, 1.0, 5.0])
def test_ccr_is_the_ratio_of_mean_communication_to_mean_computation(ccr):
    ratios = []
    for s in range(4):
        p = topcuoglu_dag(40, ccr=ccr, seed=s)
        n = p.meta["original_tasks"]
        real = [e for e, (i, j, _) in enumerate(p.precedence) if i < n and j < n]
        ratio = p.comm[real].mean() / p.duration[:n].mean()
        assert ratio == pytest.approx(p.meta["ccr_measured"])
        ratios.append(ratio)
    assert np.mean(ratios) == pytest.approx(ccr, rel=0.03)


@pytest.mark.parametrize("beta", [0.1, 0.5, 1.0])
def test_beta_sets_the_spread_of_a_task_over_machine_types(beta):
    # W[i][t] ~ U[w(1 - β/2), w(1 + β/2)]: coefficient of variation β / sqrt(12)
    cv = []
    for s in range(4):
        p = topcuoglu_dag(100, beta=beta, machines=8, seed=s)
        w = p.duration[: p.meta["original_tasks"]].astype(float)
        big = w.mean(axis=1) >= 20  # rounding dominates tiny costs
        cv.extend((w[big].std(axis=1, ddof=1) / w[big].mean(axis=1)).tolist())
    assert np.mean(cv) == pytest.approx(beta / math.sqrt(12), rel=0.1)


def test_beta_zero_gives_identical_machines_and_the_mean_cost_is_kept():
    p = gaussian_elimination(8, beta=0.0, machines=3, mean_cost=40)
    assert (p.duration == p.duration[:, :1]).all()
    means = [topcuoglu_dag(80, mean_cost=40, seed=s).meta["mean_cost_measured"] for s in range(6)]
    assert np.mean(means) == pytest.approx(40, rel=0.1)
    assert topcuoglu_dag(50, seed=1).duration[:50].min() >= 1  # integer costs >= 1


def test_machine_types_and_names():
    p = fft(4, machine_type=[0, 0, 1], type_names=["A100", "T4"])
    assert p.duration.shape == (16, 2) and p.n_machines == 3 and p.type_names == ("A100", "T4")
    r = schedopt.solve(p, "heft")
    assert check(p, r.schedule) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: topcuoglu_dag(0), r"v: expected an integer >= 1, got 0"),
        (lambda: topcuoglu_dag(10, beta=3.0), r"beta: expected a number in \[0, 2\], got 3.0"),
        (lambda: topcuoglu_dag(10, ccr=-1), r"ccr: expected a number >= 0, got -1"),
        (lambda: topcuoglu_dag(10, out_degree=0), r"out_degree: expected an integer >= 1"),
        (lambda: topcuoglu_dag(10, machines=0), r"machines: expected an integer >= 1"),
        (lambda: chains(2, 1.5), r"length: expected an integer >= 1, got 1.5"),
        (lambda: montage_like(1), r"n_images: expected an integer >= 2"),
        (lambda: dag_stream(2, shape="ring"), r"shape: 'ring' is not one of topcuoglu"),
        (lambda: dag_stream(0), r"jobs: expected an integer >= 1"),
    ],
)
def test_bad_parameters_are_named(call, message):
    with pytest.raises(ProblemError, match=message):
        call()


ALL = [
    lambda: topcuoglu_dag(25, alpha=0.5, out_degree=3, ccr=5.0, beta=1.0, seed=7),
    lambda: topcuoglu_dag(25, alpha=2.0, ccr=0.1, beta=0.1, seed=8),
    lambda: gaussian_elimination(6, ccr=2.0),
    lambda: fft(8, machines=3),
    lambda: montage_like(4, overlap=2),
    lambda: in_tree(3, 3),
    lambda: out_tree(3, 2, ccr=10.0),
    lambda: chains(3, 3),
    lambda: dag_stream(4, mean_interarrival=60.0, shape="fft", m=4, seed=5),
]


@pytest.mark.parametrize("build", ALL)
def test_every_generated_problem_is_solved_feasibly_by_heft(build):
    p = build()
    assert p.family == "dag" and nx.is_directed_acyclic_graph(p.graph())
    r = schedopt.solve(p, "heft")
    assert check(p, r.schedule) == []


def test_a_stream_releases_each_job_at_its_arrival():
    p = dag_stream(5, mean_interarrival=100.0, v=10, ccr=0.5, machines=3, seed=11)
    arrivals = p.meta["arrivals"]
    job = np.asarray(p.meta["job_of_task"])
    assert arrivals[0] == 0 and arrivals == sorted(arrivals) and len(job) == p.n_jobs
    for k in range(5):
        assert (p.release[job == k] == arrivals[k]).all()
        assert [s.split(":")[0] for s in np.asarray(p.names)[job == k]] == [f"j{k}"] * int((job == k).sum())
    assert (job[-2:] == -1).all() and set(p.meta["terminals"]) == {"source", "sink"}
    r = schedopt.solve(p, "heft")
    assert check(p, r.schedule) == []
    assert (r.schedule.start >= p.release).all()
    metrics = stream_job_metrics(p, r.schedule)
    for k, m in enumerate(metrics):
        assert m["arrival"] == arrivals[k] and m["completion"] == int(r.schedule.end[job == k].max())
        assert m["response"] == m["completion"] - m["arrival"] > 0
    with pytest.raises(ProblemError, match="not a dag_stream problem"):
        stream_job_metrics(topcuoglu_dag(5), r.schedule)


def test_stream_arrivals_are_poisson_with_the_given_mean():
    p = dag_stream(400, mean_interarrival=50.0, shape="chains", n_chains=1, length=1, machines=2, seed=3)
    gaps = np.diff(p.meta["arrivals"])
    assert gaps.mean() == pytest.approx(50.0, rel=0.12)
    assert gaps.std() == pytest.approx(50.0, rel=0.2)  # exponential: std = mean
    q = dag_stream(400, mean_interarrival=50.0, shape="chains", n_chains=1, length=1, machines=2, seed=3)
    assert q.meta["arrivals"] == p.meta["arrivals"]


def test_every_shape_is_exported():
    assert set(SHAPES) == {
        "topcuoglu",
        "gaussian_elimination",
        "fft",
        "montage_like",
        "in_tree",
        "out_tree",
        "chains",
    }


def test_the_shipped_instances_are_what_the_script_makes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_dag", INSTANCES / "dag" / "make_dag_instances.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    for file, build in mod.INSTANCES.items():
        shipped = schedopt.read(INSTANCES / "dag" / file)
        fresh = build()
        for f in ("duration", "precedence", "comm", "release", "machine_type"):
            assert np.array_equal(getattr(shipped, f), getattr(fresh, f)), (file, f)
        assert shipped.names == fresh.names and shipped.family == "dag"
        r = schedopt.solve(shipped, "heft")
        assert check(shipped, r.schedule) == []


def test_meta_is_json_ready_and_round_trips(tmp_path):
    p = dag_stream(3, mean_interarrival=0.0, shape="fft", m=2, machine_type=np.array([0, 1, 1]), seed=1)
    assert p.meta["arrivals"] == [0, 0, 0] and p.meta["params"]["machine_type"] == [0, 1, 1]
    schedopt.write(tmp_path / "s.json", p)
    q = schedopt.read(tmp_path / "s.json")
    assert q.meta["job_of_task"] == p.meta["job_of_task"] and np.array_equal(q.release, p.release)


def test_a_stream_option_the_shape_does_not_take_is_named():
    with pytest.raises(ProblemError, match=r"dag_stream shape 'fft': .*unexpected keyword argument 'v'"):
        dag_stream(2, shape="fft", v=3)


def test_a_single_task_graph():
    p = topcuoglu_dag(1)
    assert p.n_jobs == 1 and len(p.precedence) == 0 and p.meta["level_widths"] == [1]
