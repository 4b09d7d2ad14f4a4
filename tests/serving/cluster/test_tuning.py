"""Simulation-based tuning of alpha / w1: grid, bounded search, Dask."""

from __future__ import annotations

import math

import pytest

from schedopt.serving.cluster.sim import cluster, simulate_cluster
from schedopt.serving.cluster.tuning import tune
from schedopt.serving.cluster.workflows import text2sql_queries

GPUS = ["A100", "A6000", "L40S"]


def factory(rate, seed):
    return text2sql_queries(12, rate, tenants=2, rng=seed)


def test_grid_returns_the_best_evaluated_point():
    res = tune(factory, cluster(GPUS), alphas=(0.0, 0.3, 0.6, 1.0), w1s=(0.0, 1.0), rates=[0.1], seeds=[7, 8])
    t = res.table
    assert len(t) == 8 and (t["runs"] == 2).all() and len(res.runs) == 16
    assert res.attainment == t["attainment"].max()
    best = t[t["attainment"] == t["attainment"].max()]
    best = best[best["p95_latency"] == best["p95_latency"].min()]
    assert (res.alpha, res.w1) == (best["alpha"].min(), best.loc[best["alpha"].idxmin(), "w1"])
    # the table's means are the means of its runs, and a run is a plain simulate_cluster call
    r = res.runs.iloc[5]
    again = simulate_cluster(
        factory(r["rate"], int(r["seed"])),
        cluster(GPUS),
        dispatch="workload-balanced",
        dispatch_options={"alpha": r["alpha"]},
        queue="least-slack",
        w1=r["w1"],
        slo_scale=5.0,
        seed=int(r["seed"]),
    )
    assert again.attainment() == r["attainment"]
    for (a, w), grp in res.runs.groupby(["alpha", "w1"]):
        row = t[(t["alpha"] == a) & (t["w1"] == w)].iloc[0]
        assert math.isclose(row["attainment"], grp["attainment"].mean())


def test_fixed_workload_and_bounded_search():
    qs = text2sql_queries(10, 0.1, rng=3)
    res = tune(qs, GPUS, method="bounded", seeds=[0], slo_scale=3.0, maxiter=6)
    assert res.method == "bounded" and 1 <= len(res.table) <= 6
    assert ((res.table["alpha"] >= 0) & (res.table["alpha"] <= 1)).all()
    assert res.attainment == res.table["attainment"].max()
    assert res.alpha in set(res.table["alpha"])


def test_bad_input():
    with pytest.raises(ValueError, match="method"):
        tune(factory, GPUS, rates=[0.1], method="random")
    with pytest.raises(ValueError, match="rates"):
        tune(factory, GPUS)
    with pytest.raises(ValueError, match="rates"):
        tune(text2sql_queries(3, 0.1, rng=0), GPUS, rates=[0.1])
    with pytest.raises(ValueError, match="alphas"):
        tune(factory, GPUS, rates=[0.1], alphas=(0.5, 1.5))
    with pytest.raises(ValueError, match="alpha"):
        tune(factory, GPUS, rates=[0.1], dispatch_options={"alpha": 0.2})


def test_dask_client_gives_the_same_table():
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    kwargs = {"alphas": (0.0, 0.5), "rates": [0.1], "seeds": [1]}
    local = tune(factory, cluster(GPUS), **kwargs)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as lc,
        distributed.Client(lc) as client,
    ):
        remote = tune(factory, cluster(GPUS), client=client, **kwargs)
    assert remote.table.equals(local.table) and remote.best == local.best
